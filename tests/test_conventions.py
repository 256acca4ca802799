"""The conventions a user of the CLI and of the library can rely on: passwords never printed,
settings and options from the environment, logging that only the CLI shows, timezone-aware
timestamps, and no local path of the builder stored in a database."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fmtr.cli.app import app

runner = CliRunner()
SECRET_URL = "postgresql+psycopg://fmtr:S3cr%40t-pw@127.0.0.1:1/fmtr"
SECRET = "S3cr"


@pytest.fixture()
def no_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    import fmtr.web.processes
    from fmtr.cli import serve

    monkeypatch.setattr(fmtr.web.processes, "serve", lambda *a, **k: None)
    monkeypatch.setenv(serve._HANDOVER, "")


# --- secrets -------------------------------------------------------------------------------


def test_a_url_is_shown_without_its_password() -> None:
    from fmtr.redact import redact
    from fmtr.store.db import display_url

    assert SECRET not in display_url(SECRET_URL) and "fmtr:***@127.0.0.1" in display_url(SECRET_URL)
    said = redact(f"cannot open {SECRET_URL} (and mysql://u:pw@h/x)")
    assert SECRET not in said and "pw@" not in said


@pytest.mark.parametrize(
    "args",
    [
        ["top"],
        ["verify"],
        ["serve"],
        ["migrate"],
        ["build", "--corpus", "CORPUS"],
        ["--log-level", "debug", "summary"],
    ],
)
def test_no_command_prints_a_database_password(
    args: list[str], empty_corpus: Path, no_listening: None
) -> None:
    argv = [str(empty_corpus) if a == "CORPUS" else a for a in args]
    result = runner.invoke(app, [*argv, "--db", SECRET_URL])
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    assert "fmtr:***@" in result.stderr or "SQLite files only" in result.stderr


def test_logs_hide_passwords(capsys: pytest.CaptureFixture[str]) -> None:
    from fmtr.cli.common import configure_logging

    configure_logging("info")
    try:
        logging.getLogger("fmtr.test").warning("opening %s", SECRET_URL)
    finally:
        configure_logging("warning")
    err = capsys.readouterr().err
    assert "opening postgresql+psycopg://fmtr:***@127.0.0.1:1/fmtr" in err
    assert SECRET not in err


# --- settings and the environment ----------------------------------------------------------


@pytest.mark.parametrize("command", ["serve", "build"])
def test_help_settings_lists_every_setting(command: str) -> None:
    from fmtr.settings import BuildSettings, ServerSettings, described

    kind = ServerSettings if command == "serve" else BuildSettings
    result = runner.invoke(app, [command, "--help-settings", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [s["setting"] for s in listed] == [name for name, _, _ in described(kind)]
    for s in listed:
        assert s["environment"] == f"FMTR_{command.upper()}_{s['setting'].upper()}"
        assert s["option"] in runner.invoke(app, [command, "--help"]).stdout


def test_server_settings_come_from_options_and_the_environment(
    fixture_db: Path, no_listening: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from fmtr.cli import serve

    monkeypatch.setenv("FMTR_SERVE_STATEMENT_SECONDS", "7.5")
    monkeypatch.setenv("FMTR_SERVE_ANSWER_CACHE", "false")
    monkeypatch.setenv("FMTR_DB", str(fixture_db))  # the database's own variable
    result = runner.invoke(app, ["serve", "--max-page", "40", "--json"])
    assert result.exit_code == 0, result.output
    handed = json.loads(os.environ[serve._HANDOVER])
    assert handed["db"] == f"sqlite:///{fixture_db}"
    settings = handed["settings"]
    assert (settings["statement_seconds"], settings["answer_cache"]) == (7.5, False)
    assert settings["max_page"] == 40  # an option
    assert settings["workers"] == 2  # the declared default


def test_every_option_reads_its_environment_variable(
    fixture_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FMTR_DB", str(fixture_db))
    monkeypatch.setenv("FMTR_TOP_LIMIT", "1")
    monkeypatch.setenv("FMTR_TOP_BY", "trainees")
    result = runner.invoke(app, ["top", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (len(data["rows"]), data["meta"]["by"]) == (1, "trainees")
    monkeypatch.setenv("FMTR_LOG_LEVEL", "nonsense")
    refused = runner.invoke(app, ["top"])
    assert refused.exit_code == 2 and "log-level" in refused.stderr


def test_fmtr_corpus_still_names_the_corpus(
    empty_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FMTR_CORPUS", str(empty_corpus))
    result = runner.invoke(app, ["build", "--db", str(tmp_path / "x.sqlite"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


# --- logging -------------------------------------------------------------------------------


def test_the_library_attaches_no_handler_and_prints_nothing(fixture_db: Path) -> None:
    code = (
        "import logging, fmtr.query, fmtr.pipeline, fmtr.web.app, fmtr.cli.app\n"
        "from fmtr.query import answers\n"
        "from fmtr.store.db import open_read_only\n"
        f"answers.top(open_read_only({str(fixture_db)!r}))\n"
        "print(logging.getLogger().handlers, logging.getLogger('fmtr').handlers)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("[] []\n", "")


def test_log_level_info_shows_the_build_and_the_access_log(
    empty_corpus: Path, tmp_path: Path, fixture_db: Path
) -> None:
    from fastapi.testclient import TestClient

    from fmtr.cli.common import configure_logging
    from fmtr.web.app import create_app

    db = str(tmp_path / "x.sqlite")
    quiet = runner.invoke(app, ["build", "--corpus", str(empty_corpus), "--db", db])
    assert "fmtr.pipeline" not in quiet.stderr
    told = runner.invoke(
        app, ["--log-level", "info", "build", "--corpus", str(empty_corpus), "--db", db + "2"]
    )
    assert "INFO fmtr.pipeline: 0 documents to load" in told.stderr
    again = runner.invoke(
        app, ["--log-level", "info", "build", "--corpus", str(empty_corpus), "--db", db + "2"]
    )
    assert "nothing changed since the last build" in again.stderr
    configure_logging("warning", access_log=True)
    try:
        with TestClient(create_app(str(fixture_db))) as c:
            handler = _Collect()
            logging.getLogger("fmtr.access").addHandler(handler)
            c.get("/api/v1/top?limit=2")
            logging.getLogger("fmtr.access").removeHandler(handler)
    finally:
        configure_logging("warning")
    [line] = handler.lines
    assert '"GET /api/v1/top?limit=2" 200 ' in line and line.endswith(" ms")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


# --- timestamps and paths ------------------------------------------------------------------


def test_timestamps_are_utc_and_never_go_through_sqlite3s_datetime_adapter(
    empty_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.12 deprecates sqlite3's default datetime adapter: a build must not use it (a
    datetime reaching the driver would fail here, on any Python)."""
    from sqlalchemy.orm import Session

    from fmtr.pipeline import build_database
    from fmtr.store import schema as s
    from fmtr.store.db import open_read_only

    def refuse(value: object) -> str:
        raise AssertionError(f"a datetime went to sqlite3's adapter: {value!r}")

    for kind in (datetime, date):  # both adapters are deprecated in Python 3.12
        monkeypatch.setitem(sqlite3.adapters, (kind, sqlite3.PrepareProtocol), refuse)
    before = datetime.now(UTC)
    report = build_database(f"sqlite:///{tmp_path / 'db.sqlite'}", empty_corpus, jobs=1)
    assert report.ok
    with Session(open_read_only(str(tmp_path / "db.sqlite"))) as session:
        run = session.get(s.BuildRun, report.run_id)
        state = session.get(s.SearchState, 1)
    assert run is not None and state is not None
    for moment in (run.started_at, run.finished_at, state.rebuilt_at):
        assert moment is not None and moment.tzinfo == UTC
        assert before <= moment <= datetime.now(UTC)
    # What the database keeps of the corpus: its manifest's checksum, not the folder.
    assert run.corpus.startswith("manifest.tsv sha256:")
    assert str(tmp_path) not in run.corpus


def test_questions_never_go_through_sqlite3s_date_adapters(
    fixture_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fmtr.query import answers
    from fmtr.store.db import open_read_only

    def refuse(value: object) -> str:
        raise AssertionError(f"a date went to sqlite3's adapter: {value!r}")

    for kind in (datetime, date):
        monkeypatch.setitem(sqlite3.adapters, (kind, sqlite3.PrepareProtocol), refuse)
    db = open_read_only(str(fixture_db))
    assert answers.suspensions(db, "PAK")["rows"].rows  # dates compared in SQL
    assert answers.timeline(db, "PAK", "IMET")["years"].rows
    assert answers.series(db, "COL", start="FY1999", end="FY2006").rows


def test_a_naive_timestamp_is_refused() -> None:
    from fmtr.store.schema import UtcDateTime

    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2026, 1, 1), None)  # type: ignore[arg-type]
