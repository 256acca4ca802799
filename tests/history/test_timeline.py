"""`fmtr timeline Pakistan --program IMET`: the three cited events and, for every fiscal year
from the first year with data to FY2020, what the loaded reports contain, checked against rows
counted with direct SQL (the obligations beside them: tests/funding)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from fmtr.cli.app import app
from fmtr.query.history import detected_gaps, timeline

runner = CliRunner()
EVENTS = ["PAK-IMET-suspended-1991", "PAK-IMET-suspended-2018", "PAK-IMET-resumed-2020"]


def counted_rows(db: Engine, programme: str | None = "IMET") -> dict[int, tuple[int, int, int]]:
    """Per fiscal year: (rows, trainees, cost in cents) of Pakistan's counted training rows."""
    where = "AND b.programme_code = ?" if programme else ""
    with db.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT b.fy, t.quantity_value, t.cost_cents FROM training t "
            "JOIN programme_block b ON b.id = t.block_id "
            f"WHERE b.counted = 1 AND b.country_code = 'PAK' {where}",
            (programme,) if programme else (),
        ).all()
    out: dict[int, tuple[int, int, int]] = {}
    for fy, quantity, cost in rows:
        n, q, c = out.get(fy, (0, 0, 0))
        out[fy] = (n + 1, q + (quantity or 0), c + (cost or 0))
    return out


def first_year_with_data(programme: str | None) -> int:
    """FY1999 (the reports' first), or the first year the fixture's Greenbook obligates money
    to anyone under the programme's account (IMET), or under any military account (None)."""
    from fixture_db import GREENBOOK

    years = [
        int(r[0])  # type: ignore[call-overload]
        for r in GREENBOOK
        if r[3] == "Military"
        and (programme is None or r[6] == "International Military Education and Training")
        and float(r[0]).is_integer()  # type: ignore[arg-type]
        and r[7] > 0  # type: ignore[operator]
    ]
    return min(1999, *years)


def covered(db: Engine) -> set[int]:
    with db.connect() as conn:
        return {
            r[0]
            for r in conn.exec_driver_sql("SELECT DISTINCT fy FROM programme_block WHERE counted")
        }


@pytest.mark.parametrize("programme", ["IMET", None])
def test_every_fiscal_year_matches_the_rows(history_db: Engine, programme: str | None) -> None:
    t = timeline(history_db, "Pakistan", programme)
    expected = counted_rows(history_db, programme)
    years = covered(history_db)
    assert [y.fy for y in t.years] == list(range(first_year_with_data(programme), 2021))
    assert t.years[0].fy < 1999  # the fixture's Greenbook starts before the reports
    for y in t.years:
        if y.fy not in years:
            assert (y.status, y.figures) == ("not covered", None), y.fy
        elif y.fy in expected:
            assert y.status == "reported", y.fy
            assert y.figures is not None
            got = (y.figures.rows, y.figures.trainees, y.figures.cost_cents)
            assert got == expected[y.fy], y.fy
        else:
            assert y.status == "none reported", y.fy
            assert y.figures is not None and y.figures.rows == 0
    # the small database covers FY1999-FY2002, FY2006 and FY2017-FY2019, no IMET before FY2002
    if programme == "IMET":
        statuses = {y.status for y in t.years}
        assert statuses == {"reported", "none reported", "not covered"}


def test_the_three_events_are_on_the_timeline(history_db: Engine) -> None:
    t = timeline(history_db, "Pakistan", "IMET")
    assert [e.id for e in t.events] == EVENTS
    marks = {y.fy: {m.event_id: m.roles for m in y.events} for y in t.years}
    # 1991-2002: surely in force until the end of 2001 (FY1999-FY2001), ends during 2002.
    for fy in (1999, 2000, 2001):
        assert marks[fy]["PAK-IMET-suspended-1991"] == ["in force"]
    assert "ended" in marks[2002]["PAK-IMET-suspended-1991"]
    # 2018 (calendar year: FY2018 and FY2019), resumed 4 January 2020 (FY2020).
    assert "took effect" in marks[2018]["PAK-IMET-suspended-2018"]
    assert "in force part of the year" in marks[2020]["PAK-IMET-suspended-2018"]
    assert marks[2020]["PAK-IMET-resumed-2020"] == ["took effect", "announced"]
    assert not any(marks[fy] for fy in range(2004, 2018))


def test_detected_gaps_tell_silence_from_no_coverage(history_db: Engine) -> None:
    [g] = detected_gaps(history_db, "Pakistan", "IMET")
    expected = counted_rows(history_db)
    years = covered(history_db)
    with_training = sorted(expected)
    assert g.years == with_training
    silent_before = [y for y in sorted(years) if 1999 <= y < with_training[0]]
    assert [y for a, b in g.before for y in range(a, b + 1)] == silent_before
    assert [y for a, b in g.not_covered for y in range(a, b + 1)] == [
        y for y in range(1999, 2021) if y not in years
    ]
    # FY2003-FY2005 and FY2007-FY2016 are not loaded: no year between two years with training
    # is a gap then.
    assert g.gaps == []


def test_cli_timeline_shows_years_events_and_sources(history_db: Engine, fixture_db: Path) -> None:
    args = ["timeline", "Pakistan", "--programme", "IMET", "--db", str(fixture_db)]
    out = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert out.exit_code == 0, out.output
    expected = counted_rows(history_db)
    lines = out.stdout.splitlines()
    for fy in range(1999, 2021):
        [line] = [ln for ln in lines if ln.startswith(f"│ {fy} ")]
        if fy in expected:
            assert f" {expected[fy][1]:,} " in line and f"${expected[fy][2] / 100:,.0f}" in line
    for event in EVENTS:
        assert f"{event}:" in out.stdout  # on the years it marks
    assert out.stdout.count("Zia Ur Rehman") == 3  # each event's source

    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert any(
        "nuclear proliferation-related sanctions" in e["authority"].lower()
        for e in data["events"]["rows"]
    )
    assert [y["fy"] for y in data["years"]["rows"]] == list(
        range(first_year_with_data("IMET"), 2021)
    )
    assert [e["event_id"] for e in data["events"]["rows"]] == EVENTS
    assert "FY2003-FY2005" in data["not_covered"]


def test_unknown_country_exits_2_with_a_suggestion(fixture_db: Path) -> None:
    out = runner.invoke(app, ["timeline", "Pakstan", "--db", str(fixture_db)])
    assert out.exit_code == 2
    assert "did you mean Pakistan?" in out.stderr


def test_markers_carry_the_sources_for_a_chart(history_db: Engine) -> None:
    t = timeline(history_db, "Pakistan", "IMET")
    assert [(m.event_id, m.fy) for m in t.markers] == list(
        zip(EVENTS, [1991, 2018, 2020], strict=True)
    )
    for m, e in zip(t.markers, t.events, strict=True):
        assert m.sources == [f"{s.citation()}: \u201c{s.sentence}\u201d" for s in e.sources]
