"""A report loads once: manifest paths stay inside the corpus, every file is vouched for by its
sha256, and a report listed twice (another spelling, a link, a copy) refuses the build.

Before these checks, listing the FY1999-2000 South Asia page a second time loaded it twice:
Pakistan's FY1999 trainees went from 10 to 20 and `fmtr verify` still said reconciled (each copy
matches its own printed totals)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_kit import HTML, assert_one_clear_error, rebuild
from typer.testing import CliRunner

from corpus_kit import connect
from fmtr.cli.app import app
from fmtr.sources.catalog import sha256_hex_of_file
from fmtr.store.swap import build_lock
from test_crash import content_digest

runner = CliRunner()


def add_row(root: Path, file: str, sha256: str | None = None) -> None:
    """Append a manifest row (line 4: header, PDF, HTML come first) naming ``file``, vouched
    for by its real sha256 unless one is given."""
    manifest = root / "manifest.tsv"
    if sha256 is None:
        sha256 = sha256_hex_of_file(root / file if not os.path.isabs(file) else Path(file))
    row = f"FY1999-2000\tSouth Asia\t{file}\t\t\thttps://example.invalid/x\tHTML page\t{sha256}\n"
    manifest.write_text(manifest.read_text() + row)


def pakistan_fy1999_trainees(db: Path) -> int:
    con = connect(f"file:{db}?mode=ro", uri=True)
    (n,) = con.execute(
        "SELECT sum(t.quantity_value) FROM training t JOIN programme_block b ON b.id = t.block_id"
        " WHERE b.country_code = 'PAK' AND b.fy = 1999"
    ).fetchone()
    con.close()
    return int(n)


def _outside(root: Path) -> Path:
    """The same report, outside the corpus (beside it)."""
    out = root.parent / HTML
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes((root / HTML).read_bytes())
    return out


def _dot(root: Path) -> str:
    return "FY1999-2000/./cta_sasia_all.html"


def _dotdot_out(root: Path) -> str:
    _outside(root)
    return "../FY1999-2000/cta_sasia_all.html"


def _dotdot_in(root: Path) -> str:
    return "FY1999-2000/../FY1999-2000/cta_sasia_all.html"


def _absolute(root: Path) -> str:
    return str(_outside(root))


def _link_out(root: Path) -> str:
    (root / "FY1999-2000/link.html").symlink_to(_outside(root))
    return "FY1999-2000/link.html"


def _link_in(root: Path) -> str:
    (root / "FY1999-2000/alias.html").symlink_to("cta_sasia_all.html")
    return "FY1999-2000/alias.html"


def _copy(root: Path) -> str:
    (root / "FY1999-2000/copy.html").write_bytes((root / HTML).read_bytes())
    return "FY1999-2000/copy.html"


def _hard_link(root: Path) -> str:
    os.link(root / HTML, root / "FY1999-2000/hard.html")
    return "FY1999-2000/hard.html"


SECOND_LISTINGS: dict[str, tuple[Callable[[Path], str], str]] = {
    "dot-spelling": (_dot, "is the file manifest.tsv line 3 names"),
    "dotdot-out-of-the-corpus": (_dotdot_out, "`..`"),
    "dotdot-back-in": (_dotdot_in, "`..`"),
    "absolute-path": (_absolute, "absolute path"),
    "symlink-out": (_link_out, "symbolic link leading outside"),
    "symlink-in": (_link_in, "is the file manifest.tsv line 3 names"),
    "copy-under-another-name": (_copy, "same content as FY1999-2000/cta_sasia_all.html"),
    "hard-link": (_hard_link, "same content as FY1999-2000/cta_sasia_all.html"),
}


@pytest.mark.parametrize("kind", list(SECOND_LISTINGS))
def test_a_report_listed_twice_refuses_the_build(copy: tuple[Path, Path, str], kind: str) -> None:
    root, db, digest = copy
    make, reason = SECOND_LISTINGS[kind]
    assert pakistan_fy1999_trainees(db) == 10
    add_row(root, make(root))
    result = runner.invoke(app, ["build", "--corpus", str(root), "--db", str(db), "--jobs", "1"])
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error ")]
    assert len(errors) == 1, result.output
    assert errors[0].startswith("error manifest.tsv line 4: "), errors[0]
    assert reason in errors[0], errors[0]
    assert "nothing was written" in result.output
    # Nothing loaded, nothing left beside the database.
    assert content_digest(db) == digest
    assert pakistan_fy1999_trainees(db) == 10
    beside = {p.name for p in db.parent.iterdir() if p.name.startswith(db.name)}
    assert beside <= {db.name, f"{db.name}.lock"}, beside


def test_a_refused_manifest_writes_no_new_database(copy: tuple[Path, Path, str]) -> None:
    root, db, _ = copy
    add_row(root, _copy(root))
    fresh = db.with_name("fresh.sqlite")
    code, errors = rebuild(root, fresh)
    assert code == 1 and len(errors) == 1, errors
    assert not fresh.exists()
    assert not fresh.with_name("fresh.sqlite.building").exists()


@pytest.mark.parametrize("sha256", ["", "abc", "z" * 64])
def test_a_file_without_a_valid_sha256_is_an_error(
    copy: tuple[Path, Path, str], sha256: str
) -> None:
    """An empty checksum used to skip the check, so the manifest vouched for any content."""
    root, db, digest = copy
    manifest = root / "manifest.tsv"
    lines = manifest.read_text().splitlines(keepends=True)
    lines[2] = lines[2].rsplit("\t", 1)[0] + f"\t{sha256}\n"
    manifest.write_text("".join(lines))
    (root / HTML).write_bytes(b"<html>anything at all</html>")
    error = assert_one_clear_error(root, db, digest, HTML)
    assert "manifest.tsv line 3 gives no sha256" in error


def test_the_packaged_catalog_vouches_for_every_file() -> None:
    from fmtr.sources.catalog import packaged_documents
    from fmtr.sources.integrity import sha256_problem

    assert [d.file for d in packaged_documents() if sha256_problem(d)] == []


def test_a_database_reached_through_a_link_shares_the_build_lock(
    copy: tuple[Path, Path, str],
) -> None:
    """The lock is taken on the file itself: a build through a symbolic link to a database
    another build holds is refused, not run beside it."""
    root, db, _ = copy
    link = db.with_name("link.sqlite")
    link.symlink_to(db.name)
    with build_lock(db):
        result = runner.invoke(app, ["build", "--corpus", str(root), "--db", str(link)])
    assert result.exit_code == 3, result.output
    assert "another fmtr build" in result.output


def test_a_build_through_a_link_replaces_the_file_and_keeps_the_link(
    copy: tuple[Path, Path, str],
) -> None:
    root, db, digest = copy
    link = db.parent / "elsewhere" / "link.sqlite"
    link.parent.mkdir()
    link.symlink_to(db)
    (root / HTML).unlink()  # a change, so that the build writes
    (root / "manifest.tsv").write_text(
        "".join((root / "manifest.tsv").read_text().splitlines(keepends=True)[:2])
    )
    result = runner.invoke(app, ["build", "--corpus", str(root), "--db", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == db.resolve()
    assert content_digest(db) != digest  # the FY1999-2000 page is gone from the file itself
    assert not list(link.parent.glob("link.sqlite.*"))
