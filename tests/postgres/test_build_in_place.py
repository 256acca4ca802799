"""A build on PostgreSQL is made in place: under the database's own lock (a second build is
refused with exit 3 and the first one's server process named), as one transaction (readers see
the database as it was until it commits; a build that fails leaves it as it was)."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url
from typer.testing import CliRunner

from corpus_kit import LAYOUT_CUTS, cut_pdf, write_manifest
from fmtr.cli.app import app
from postgres_kit import Server

runner = CliRunner()


def _small_corpus(corpus: Path, root: Path) -> Path:
    edition, region, file, pages = LAYOUT_CUTS[0]
    (root / file).parent.mkdir(parents=True, exist_ok=True)
    cut_pdf(corpus / file, pages[:1], root / file)
    write_manifest(root, [(edition, region, file, "")])
    return root


def _grow(corpus: Path, root: Path) -> str:
    """The small corpus's document with a page more: loaded again by the next build."""
    edition, region, file, pages = LAYOUT_CUTS[0]
    cut_pdf(corpus / file, pages[:2], root / file)
    write_manifest(root, [(edition, region, file, "")])
    return file


def _rows(server: Server, name: str) -> int:
    found = server.sql("SELECT count(*) FROM training", database=name)
    return int(found[0][0])  # type: ignore[call-overload]


def test_a_second_build_is_refused_while_one_holds_the_lock(
    corpus: Path, pg_server: Server, pg_database: str, tmp_path: Path
) -> None:
    from fmtr.store.dialects.postgresql import BUILD_LOCK

    root = _small_corpus(corpus, tmp_path / "corpus")
    name = str(make_url(pg_database).database)
    holder = psycopg.connect(host=str(pg_server.folder), port=pg_server.port, user="fmtr",
                             dbname=name, autocommit=True)  # fmt: skip
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", (BUILD_LOCK,))
        refused = runner.invoke(
            app, ["build", "--corpus", str(root), "--db", pg_database, "-j", "1"]
        )
        assert refused.exit_code == 3, refused.output
        assert f"server process {holder.info.backend_pid}" in refused.output
    finally:
        holder.close()  # the server drops the session's lock with it
    built = runner.invoke(app, ["build", "--corpus", str(root), "--db", pg_database, "-j", "1"])
    assert built.exit_code == 0, built.output
    assert _rows(pg_server, name) > 0


def test_readers_see_the_old_data_until_the_build_commits(
    corpus: Path, pg_server: Server, pg_database: str, tmp_path: Path
) -> None:
    """While a build runs, a reader counts the rows of before (none: an empty database has no
    tables yet, so the count waits for the migration's tables); after, all of them."""
    from fmtr.pipeline import build_database

    root = _small_corpus(corpus, tmp_path / "corpus")
    name = str(make_url(pg_database).database)
    first = build_database(pg_database, root, jobs=1)
    before = _rows(pg_server, name)
    assert first.ok and before > 0
    # The same corpus with another page: the document is loaded again, in the build's
    # transaction; a reader meanwhile still sees the first build's rows.
    file = _grow(corpus, root)
    seen: list[int] = []

    class Watching:
        def __getattr__(self, name: str) -> object:
            return lambda *args, **kwargs: None

        def finished(self, *args: object) -> None:
            # Called inside the build's transaction, once the document is stored.
            seen.append(_rows(pg_server, name))

    second = build_database(pg_database, root, jobs=1, observer=Watching())  # type: ignore[arg-type]
    assert second.ok and [d.file for d in second.loaded] == [file]
    assert seen == [before]
    assert _rows(pg_server, name) > before


def test_a_build_that_fails_leaves_the_database_as_it_was(
    corpus: Path, pg_server: Server, pg_database: str, tmp_path: Path
) -> None:
    from fmtr.pipeline import build_database

    root = _small_corpus(corpus, tmp_path / "corpus")
    name = str(make_url(pg_database).database)
    assert build_database(pg_database, root, jobs=1).ok
    before = pg_server.sql(
        "SELECT stable_id, course_title FROM training ORDER BY id", database=name
    )
    _grow(corpus, root)

    stop = threading.Event()

    class Failing:
        def __getattr__(self, attr: str) -> object:
            return lambda *args, **kwargs: None

        def finished(self, *args: object) -> None:
            stop.set()
            raise RuntimeError("stopped after the document was stored")

    with pytest.raises(RuntimeError, match="stopped after"):
        build_database(pg_database, root, jobs=1, observer=Failing())  # type: ignore[arg-type]
    assert stop.is_set()
    after = pg_server.sql("SELECT stable_id, course_title FROM training ORDER BY id", database=name)
    assert after == before
