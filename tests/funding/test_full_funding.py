"""The whole Greenbook beside the whole corpus (``full_db``): every figure is computed again
here straight from the workbook with openpyxl (fmtr reads it with python-calamine) and from the
training rows by SQL of the test's own, then compared with the library and the CLI. Runs in CI
(CI=true); skipped elsewhere when the corpus or the funding data is absent."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpus_kit import GREENBOOK, connect
from fmtr.cli.app import app
from fmtr.query import funding_series, funding_top, largest, obligations_and_courses
from fmtr.query.history import timeline
from fmtr.store.db import open_read_only

runner = CliRunner()
IMET = "International Military Education and Training"
# The workbook's names of the recipients the assertions name, and fmtr's codes for them.
CODES = {"Pakistan": "PAK", "Turkey": "TUR", "Jordan": "JOR", "Colombia": "COL"}


@pytest.fixture(scope="module")
def sheet(funding: Path) -> list[dict[str, Any]]:
    """Every data row of the workbook, read by openpyxl, with its sheet row."""
    import openpyxl

    book = openpyxl.load_workbook(funding / GREENBOOK, read_only=True, data_only=True)
    rows: list[dict[str, Any]] = []
    header: list[str] | None = None
    for cells in book.worksheets[0].iter_rows():
        values = [c.value for c in cells]
        if header is None:
            if values and values[0] == "Fiscal Year":
                header = [str(v) for v in values]
            continue
        if all(v is None for v in values):
            continue
        row = dict(zip(header, values, strict=True))
        row["_row"] = cells[0].row
        rows.append(row)
    book.close()
    assert len(rows) == 75002
    return rows


@pytest.fixture(scope="module")
def db(full_db: Path, funding: Path) -> Any:
    return open_read_only(str(full_db))  # a read never writes


def _fy(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _sums(rows: list[dict[str, Any]], key: Any) -> dict[Any, tuple[int, int]]:
    out: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        k = key(r)
        if k is not None:
            out[k][0] += int(r["Obligations (Historical Dollars)"])
            out[k][1] += int(r["Obligations (Constant Dollars)"])
    return {k: (v[0], v[1]) for k, v in out.items()}


def test_every_row_is_loaded_verbatim_with_its_sheet_row(
    sheet: list[dict[str, Any]], full_db: Path, funding: Path
) -> None:
    con = connect(full_db)
    loaded = set(
        con.execute(
            "SELECT row, fiscal_year, region, country, category, publication_row, agency, "
            "account, current_dollars, constant_dollars FROM funding_obligation"
        )
    )
    unmapped = con.execute(
        "SELECT count(*) FROM funding_obligation WHERE country_code IS NULL"
    ).fetchone()[0]
    periods = con.execute("SELECT count(DISTINCT period) FROM funding_obligation").fetchone()[0]
    tq = con.execute("SELECT count(*) FROM funding_obligation WHERE fy IS NULL").fetchone()[0]
    con.close()
    expected = {
        (
            r["_row"],
            _fy(r["Fiscal Year"]),
            r["Region"],
            r["Country"],
            r["Assistance Category"],
            r["Publication Row"],
            r["Funding Agency"],
            r["Funding Account Name"],
            int(r["Obligations (Historical Dollars)"]),
            int(r["Obligations (Constant Dollars)"]),
        )
        for r in sheet
    }
    assert loaded == expected
    assert unmapped == 0
    assert periods == 2020 - 1946 + 1 + 1  # every fiscal year and the transition quarter
    assert tq == sum(1 for r in sheet if _fy(r["Fiscal Year"]) == "1976.9")


def _imet(sheet: list[dict[str, Any]], first: int, last: int) -> list[dict[str, Any]]:
    return [
        r
        for r in sheet
        if r["Funding Account Name"] == IMET
        and _fy(r["Fiscal Year"]) != "1976.9"
        and first <= int(r["Fiscal Year"]) <= last
    ]


def _listed(full_db: Path, programme: str, first: int, last: int) -> dict[str, tuple[int, int]]:
    """Course costs (cents) and trainees per recipient, summed from the training rows of the
    counted blocks (not from fmtr's precomputed figures)."""
    con = connect(full_db)
    rows = con.execute(
        "SELECT b.country_code, coalesce(sum(t.cost_cents), 0), "
        "coalesce(sum(t.quantity_value), 0) FROM training t "
        "JOIN programme_block b ON b.id = t.block_id WHERE b.counted = 1 "
        "AND b.programme_code = ? AND b.fy BETWEEN ? AND ? GROUP BY b.country_code",
        (programme, first, last),
    ).fetchall()
    con.close()
    return {c: (int(cost), int(n)) for c, cost, n in rows}


def test_largest_imet_recipient_2003_2017_under_every_measure(
    sheet: list[dict[str, Any]], full_db: Path, db: Any
) -> None:
    money = _sums(
        _imet(sheet, 2003, 2017),
        lambda r: None if "(not specified)" in r["Country"] else r["Country"],
    )
    by_current = max(money, key=lambda c: money[c][0])
    by_constant = max(money, key=lambda c: money[c][1])
    listed = _listed(full_db, "IMET", 2003, 2017)
    countries = {c: v for c, v in listed.items() if c and not c.startswith("X-")}
    by_cost = max(countries, key=lambda c: countries[c][0])
    by_trainees = max(countries, key=lambda c: countries[c][1])

    r = largest(db, "IMET", "FY2003", "FY2017")
    leaders = {m.measure: m.leader for m in r.measures}
    assert leaders == {
        "obligations_current": CODES[by_current],
        "obligations_constant": CODES[by_constant],
        "course_costs": by_cost,
        "trainees": by_trainees,
    }
    # The story's claim holds for current dollars only; each measure names another country.
    assert leaders == {
        "obligations_current": "PAK",
        "obligations_constant": "TUR",
        "course_costs": "JOR",
        "trainees": "COL",
    }
    assert not r.agree
    rows = {x.code: x for x in r.recipients}
    for name, code in CODES.items():
        assert rows[code].values["obligations_current"] == money[name][0]
        assert rows[code].values["obligations_constant"] == money[name][1]
        assert (rows[code].values["course_costs"], rows[code].values["trainees"]) == listed.get(
            code, (0, 0)
        )
    assert any("Türkiye (TUR)" in n and "22 U.S.C. 2416" in n for n in r.notes)

    result = runner.invoke(
        app,
        ["largest", "--program", "IMET", "--from", "FY2003", "--to", "FY2017"]
        + ["--db", str(full_db), "--json"],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {m["measure"]: m["country_code"] for m in payload["leaders"]["rows"]} == leaders
    by_code = {x["country_code"]: x for x in payload["recipients"]["rows"]}
    for name, code in CODES.items():  # in cents, as every answer gives money
        assert by_code[code]["obligated_cents"] == money[name][0] * 100
        assert by_code[code]["obligated_2020_cents"] == money[name][1] * 100
    # The API gives the same document.
    from fastapi.testclient import TestClient

    from fmtr.web.app import create_app

    with TestClient(create_app(str(full_db))) as client:
        api = client.get("/api/v1/largest?programme=IMET&from=FY2003&to=FY2017")
    assert api.status_code == 200 and api.json() == payload


def test_top_imet_recipients_in_constant_dollars(sheet: list[dict[str, Any]], db: Any) -> None:
    money = _sums(_imet(sheet, 2003, 2017), lambda r: r["Country"])
    expected = sorted((v[1] for v in money.values()), reverse=True)[:5]
    r = funding_top(db, "IMET", "FY2003", "FY2017", constant=True, limit=5)
    assert [x.money.constant_dollars for x in r.recipients] == expected
    assert r.recipients_total == len(money)
    assert r.total.current_dollars == sum(v[0] for v in money.values())


def test_pakistan_imet_series_and_transition_quarter(sheet: list[dict[str, Any]], db: Any) -> None:
    per_year = _sums(
        [r for r in sheet if r["Country"] == "Pakistan" and r["Funding Account Name"] == IMET],
        lambda r: _fy(r["Fiscal Year"]),
    )
    s = funding_series(db, "PAK", "IMET")
    got = {p.period.removeprefix("FY"): p.money for p in s.points if p.money.rows}
    assert {k: (m.current_dollars, m.constant_dollars) for k, m in got.items()} == per_year
    # Every account: the transition quarter is its own point, between FY1976 and FY1977.
    tq = _sums(
        [r for r in sheet if r["Country"] == "Pakistan" and _fy(r["Fiscal Year"]) == "1976.9"],
        lambda r: "tq",
    )["tq"]
    around = funding_series(db, "PAK", None, "FY1976", "FY1977")
    assert [p.period for p in around.points] == ["FY1976", "TQ1976", "FY1977"]
    assert (around.points[1].money.current_dollars, around.points[1].money.constant_dollars) == tq


def test_pakistan_timeline_from_1950_with_the_1990s_gap(
    sheet: list[dict[str, Any]], db: Any
) -> None:
    imet_years = sorted({int(r["Fiscal Year"]) for r in sheet if r["Funding Account Name"] == IMET})
    pakistan = sorted(
        {
            int(r["Fiscal Year"])
            for r in sheet
            if r["Funding Account Name"] == IMET
            and r["Country"] == "Pakistan"
            and r["Obligations (Historical Dollars)"] > 0
        }
    )
    t = timeline(db, "PAK", "IMET")
    assert t.first_fy == imet_years[0] == 1950 and t.last_fy == 2020
    assert t.funding_gaps is not None and t.funding_gaps.years == pakistan
    missing = [y for y in range(pakistan[0], pakistan[-1] + 1) if y not in pakistan]
    assert [y for a, b in t.funding_gaps.gaps for y in range(a, b + 1)] == missing
    assert (1991, 1998) in t.funding_gaps.gaps  # the Pressler-amendment years
    by_year = {y.fy: y for y in t.years}
    assert by_year[1995].sources == ["Greenbook"] and by_year[1995].status == "not covered"
    assert any(m.event_id.startswith("PAK-IMET-suspended-1991") for m in by_year[1995].events)


def test_obligations_beside_courses_for_pakistan(
    sheet: list[dict[str, Any]], full_db: Path, db: Any
) -> None:
    money = _sums(
        [r for r in sheet if r["Country"] == "Pakistan" and r["Funding Account Name"] == IMET],
        lambda r: _fy(r["Fiscal Year"]),
    )
    r = obligations_and_courses(db, "PAK", "IMET", "FY2003", "FY2017")
    for y in r.years:
        listed = _listed(full_db, "IMET", y.fy, y.fy).get("PAK", (0, 0))
        assert y.obligated.current_dollars == money.get(str(y.fy), (0, 0))[0]
        assert y.courses is not None
        assert (y.courses.cost_cents, y.courses.trainees) == listed
        if y.obligated.current_dollars:
            share = Decimal(listed[0]) / Decimal(y.obligated.current_dollars * 100)
            assert y.listed_share == share.quantize(Decimal("0.0001"))
