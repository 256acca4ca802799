"""What a manifest may ask of the files: every path inside its folder, and each report once.

A manifest names files by relative path. A path that leaves the folder (absolute, with `..`,
or through a symbolic link pointing out) would let a manifest read, or `fmtr fetch` write,
anywhere; two rows naming the same file under two spellings (``FY1999-2000/./x.html`` beside
``FY1999-2000/x.html``), or two files with the same content, would load the same report twice
and double its figures while every printed total still reconciles (each copy matches its own
totals). Both are refused before anything is read or written.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from fmtr.errors import InputError
from fmtr.sources.catalog import CatalogEntry, Document

_SHA256 = re.compile(r"[0-9a-f]{64}")


class OutsideFolder(InputError):
    """A manifest path that does not stay inside its folder; the message says why."""

    code = "outside_folder"


class ManifestRefused(InputError):
    """A manifest the build will not use; ``problems`` are one line each, naming the line,
    and the message says how many. Exit 1, as a build whose documents fail: the corpus, not
    the command, needs fixing."""

    code = "manifest_refused"
    exit_code = 1

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"build refused: {len(problems)} manifest line(s) to fix; nothing was written"
        )
        self.problems = problems


def where(entry: CatalogEntry, manifest: str = "manifest.tsv") -> str:
    """How an error names a manifest row: ``manifest.tsv line 12``."""
    return f"{manifest} line {entry.line}" if entry.line else manifest


def resolve_inside(root: Path, file: str) -> Path:
    """The real path of ``file`` (a manifest path) under ``root``; OutsideFolder when it is
    absolute, has a `..` part, or reaches outside ``root`` through a symbolic link."""
    if not file.strip():
        raise OutsideFolder("empty file name")
    if "\\" in file or file.startswith("/") or PurePosixPath(file).is_absolute():
        raise OutsideFolder(f"{file}: an absolute path (paths are relative to the folder)")
    if ".." in PurePosixPath(file).parts:
        raise OutsideFolder(f"{file}: a `..` in the path (paths stay inside the folder)")
    base = root.resolve()
    # resolve() follows every link, also of parts that do not exist yet (where fetch writes).
    real = (base / posixpath.normpath(file)).resolve()
    if real != base and base not in real.parents:
        raise OutsideFolder(f"{file}: a symbolic link leading outside the folder, to {real}")
    return real


def check_paths(root: Path, entries: Iterable[CatalogEntry], manifest: str) -> list[str]:
    """One line per manifest row whose path leaves ``root`` or names, under another spelling,
    a file an earlier row names."""
    problems: list[str] = []
    first: dict[Path, CatalogEntry] = {}  # real path -> first row naming it
    for e in entries:
        try:
            real = resolve_inside(root, e.file)
        except OutsideFolder as exc:
            problems.append(f"{where(e, manifest)}: {exc}: refused")
            continue
        seen = first.setdefault(real, e)
        if seen.file != e.file:
            problems.append(
                f"{where(e, manifest)}: {e.file} is the file {where(seen, manifest)} names "
                f"({seen.file}): the same report would be loaded twice"
            )
    return problems


def sha256_problem(doc: Document, manifest: str = "manifest.tsv") -> str | None:
    """Why a document's manifest checksum cannot vouch for its file (None: it can)."""
    if _SHA256.fullmatch(doc.sha256.lower()):
        return None
    given = f"{doc.sha256!r}" if doc.sha256 else "none"
    return (
        f"{where(doc.entries[0], manifest)} gives no sha256 of 64 hex digits ({given}): "
        "the file cannot be checked"
    )


def check_contents(
    digests: Mapping[str, str], docs: Iterable[Document], manifest: str
) -> list[str]:
    """One line per document whose content (``digests``: file -> sha256 of the file read) is
    that of an earlier one: a copy under another name."""
    problems: list[str] = []
    first: dict[str, Document] = {}
    for doc in docs:
        digest = digests.get(doc.file)
        if digest is None:
            continue
        seen = first.setdefault(digest, doc)
        if seen is not doc:
            problems.append(
                f"{where(doc.entries[0], manifest)}: {doc.file} has the same content as "
                f"{seen.file} ({where(seen.entries[0], manifest)}, sha256 {digest[:12]}…): "
                "the same report would be loaded twice"
            )
    return problems
