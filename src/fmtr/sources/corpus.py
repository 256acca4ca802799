"""Where the corpus lives on this machine, and reading its manifest."""

from __future__ import annotations

import os
from pathlib import Path

from fmtr.sources.catalog import CatalogEntry, read_catalog

ENV_VAR = "FMTR_CORPUS"


class CorpusNotFound(Exception):
    pass


def corpus_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The corpus folder: ``explicit``, else $FMTR_CORPUS. Raises CorpusNotFound."""
    value = explicit or os.environ.get(ENV_VAR)
    if not value:
        raise CorpusNotFound(f"no corpus given: pass --corpus DIR or set {ENV_VAR}")
    path = Path(value)
    if not path.is_dir():
        raise CorpusNotFound(
            f"corpus folder {path} does not exist (run `fmtr fetch --dest {path}`)"
        )
    return path


def corpus_catalog(root: Path) -> list[CatalogEntry]:
    """The corpus's own manifest when it has one, else the packaged catalog."""
    manifest = root / "manifest.tsv"
    return read_catalog(manifest if manifest.exists() else None)


def manifest_name(root: Path) -> str:
    """How errors name the manifest ``corpus_catalog`` reads."""
    return "manifest.tsv" if (root / "manifest.tsv").exists() else "the packaged catalog"
