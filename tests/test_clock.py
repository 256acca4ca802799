"""The time a build records (fmtr.clock): the clock's, or SOURCE_DATE_EPOCH's when that is set,
so that two builds of one corpus on either side of midnight cite the same build date; a
malformed value stops the build with one line, as the reproducible-builds spec asks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from fmtr.cli.app import app
from fmtr.clock import VARIABLE, recorded_now
from fmtr.errors import InputError

runner = CliRunner()


def test_unset_or_empty_is_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in (None, ""):
        if value is None:
            monkeypatch.delenv(VARIABLE, raising=False)
        else:
            monkeypatch.setenv(VARIABLE, value)
        before = datetime.now(UTC)
        moment = recorded_now()
        assert moment.tzinfo == UTC and before <= moment <= datetime.now(UTC)


@given(st.integers(min_value=0, max_value=253402300799))  # up to 9999-12-31T23:59:59Z
def test_set_is_that_second(seconds: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(VARIABLE, str(seconds))
        moment = recorded_now()
    assert moment.tzinfo == UTC and moment.timestamp() == seconds


@given(st.text(min_size=1).filter(lambda v: not (v.isascii() and v.isdigit()) and "\0" not in v))
def test_a_malformed_value_is_refused(value: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(VARIABLE, value)
        with pytest.raises(InputError, match=VARIABLE):
            recorded_now()


def test_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VARIABLE, "9" * 40)
    with pytest.raises(InputError, match="out of range"):
        recorded_now()


def test_two_builds_pinned_to_one_time_cite_one_date(
    empty_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fmtr.pipeline import build_database
    from fmtr.query.cite import release_stamp
    from fmtr.store.db import open_read_only

    monkeypatch.setenv(VARIABLE, "1764633599")  # 2025-12-01T23:59:59Z
    for name in ("a", "b"):
        assert build_database(f"sqlite:///{tmp_path / name}.sqlite", empty_corpus, jobs=1).ok
        engine = open_read_only(str(tmp_path / f"{name}.sqlite"))
        try:
            with engine.connect() as conn:
                assert release_stamp(conn).date == "2025-12-01"
                run = conn.exec_driver_sql("SELECT started_at, finished_at FROM build_run").one()
        finally:
            engine.dispose()
        assert [str(t)[:19] for t in run] == ["2025-12-01 23:59:59"] * 2


def test_the_build_stops_on_a_malformed_value_with_one_line(
    empty_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VARIABLE, "yesterday")
    db = tmp_path / "db.sqlite"
    result = runner.invoke(app, ["build", "--corpus", str(empty_corpus), "--db", str(db)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "SOURCE_DATE_EPOCH='yesterday'" in lines[0], result.output
    assert not db.exists()
