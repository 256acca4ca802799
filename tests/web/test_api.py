"""The JSON API, on the database written by code, against figures computed directly from
the rows."""

from __future__ import annotations

import csv
import io
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from corpus_kit import connect
from fixture_db import HOSTILE


def _db(path: Path) -> sqlite3.Connection:
    db = connect(path)
    db.row_factory = sqlite3.Row
    return db


def _busiest_country(db: sqlite3.Connection) -> str:
    return db.execute(
        """SELECT b.country_code FROM training t JOIN programme_block b ON b.id = t.block_id
           WHERE b.counted = 1 AND b.country_code IS NOT NULL
           GROUP BY b.country_code ORDER BY count(*) DESC LIMIT 1"""
    ).fetchone()[0]


def test_country_series_sums_the_counted_rows(client, web_db: Path) -> None:
    db = _db(web_db)
    code = _busiest_country(db)
    expected: dict[tuple[int, str], list[int]] = {}
    for fy, prog, qty, cents, counted in db.execute(
        """SELECT b.fy, b.programme_code, t.quantity_value, t.cost_cents, b.counted
           FROM training t JOIN programme_block b ON b.id = t.block_id
           WHERE b.country_code = ?""",
        (code,),
    ):
        if not counted or fy is None:
            continue
        acc = expected.setdefault((fy, prog or "?"), [0, 0])
        acc[0] += qty or 0
        acc[1] += cents or 0
    got = client.get(f"/api/v1/countries/{code}/series").json()
    assert {
        (r["fy"], r["programme_code"]): [r["trainees"], r["cost_cents"]] for r in got["rows"]
    } == expected


def test_csv_download_matches_json(client, web_db: Path) -> None:
    code = _busiest_country(_db(web_db))
    url = f"/api/v1/countries/{code}/courses?limit=20"
    rows = client.get(url).json()["rows"]
    response = client.get(url + "&format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    parsed = list(csv.DictReader(io.StringIO(response.text)))
    # Money in dollars beside the cents: a number in the JSON, exact text in the CSV.
    for r, p in zip(rows, parsed, strict=True):
        assert Decimal(p.pop("cost_usd")) == Decimal(str(r.pop("cost_usd")))
        assert Decimal(p["cost_cents"]) / 100 == Decimal(str(r["cost_cents"])) / 100
    assert [{k: str(v) if v is not None else "" for k, v in r.items()} for r in rows] == parsed


def test_training_row_has_its_provenance(client, web_db: Path) -> None:
    db = _db(web_db)
    row = db.execute("SELECT * FROM training_provenance WHERE file LIKE '%.pdf' LIMIT 1").fetchone()
    got = client.get(f"/api/v1/training/{row['training_id']}").json()
    for key in ("edition", "file", "url", "course_title", "student_unit", "cost"):
        assert got[key] == row[key]
    assert got["page"] == row["pdf_page"]
    assert got["official_link"] == f"{row['url']}#page={row['report_page'] or row['pdf_page']}"


@pytest.mark.parametrize("by", ["trainees", "cost"])
def test_top_ranks_by_the_sums_of_the_rows(client, web_db: Path, by: str) -> None:
    db = _db(web_db)
    totals: dict[str, int] = {}
    column = "quantity_value" if by == "trainees" else "cost_cents"
    for code, value in db.execute(
        f"""SELECT b.country_code, t.{column} FROM training t
           JOIN programme_block b ON b.id = t.block_id
           WHERE b.counted = 1 AND b.programme_code = 'IMET' AND b.fy BETWEEN 2000 AND 2001"""
    ):
        totals[code] = totals.get(code, 0) + (value or 0)
    url = f"/api/v1/top?programme=IMET&from=FY2000&to=FY2001&limit=5&by={by}"
    got = client.get(url).json()["rows"]
    field = "trainees" if by == "trainees" else "cost_cents"
    assert [r[field] for r in got] == sorted(totals.values(), reverse=True)[:5]
    assert all(totals[r["country_code"]] == r[field] for r in got)


def test_top_ranks_and_cuts_by_the_librarys_defaults(client) -> None:
    from fmtr.query import top
    from fmtr.query.answers import default

    got = client.get("/api/v1/top").json()
    assert got["meta"]["by"] == default(top, "by") == "cost"
    assert got["limit"] == default(top, "limit") == 10


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/training?limit=501",
        "/api/v1/top?from=FY2010&to=FY2005",
        "/api/v1/top?from=nineteen",
        "/api/v1/units?q=a",
    ],
)
def test_bad_input_is_a_clear_400(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_unknown_country_suggests(client) -> None:
    response = client.get("/api/v1/countries/Pakistn")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["suggestion"] == "Pakistan" and "Pakistan" in error["message"]
    assert error["code"] == "unknown_country"


def test_slow_query_is_cut_off(web_db: Path) -> None:
    from fastapi.testclient import TestClient

    from fmtr.settings import ServerSettings
    from fmtr.web.app import create_app

    # A limit of zero seconds, checked every 10 instructions: every statement long enough to
    # reach the progress handler is interrupted, as a long one would be under the real limit.
    settings = ServerSettings(statement_seconds=0.0, progress_steps=10)
    with TestClient(create_app(str(web_db), settings=settings)) as c:
        response = c.get("/api/v1/summary")
        assert response.status_code == 503
        assert "cut off" in response.json()["error"]["message"]
        page = c.get("/")
        assert page.status_code == 503 and "cut off" in page.text
        # A unit search reads its figures straight from the sqlite3 connection: cut off too.
        units = c.get("/api/v1/units", params={"q": "Colombian Army"})
        assert units.status_code == 503 and "cut off" in units.json()["error"]["message"]


def test_programme_has_program_as_another_spelling(client) -> None:
    one = client.get("/api/v1/top?programme=IMET").json()
    other = client.get("/api/v1/top?program=IMET").json()
    assert one == other and one["meta"]["programme_code"] == "IMET"


def test_server_cannot_write(web_app) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    with web_app.state.engine.connect() as conn, pytest.raises(OperationalError):
        conn.execute(text("DELETE FROM training"))


def test_openapi_documents_the_api(client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in (
        "/api/v1/top",
        "/api/v1/units",
        "/api/v1/training/{training_id}",
        "/api/v1/countries/{country}",
    ):
        assert p in paths


def test_hostile_names_are_text(client, web_db: Path) -> None:
    ids = [
        r[0]
        for r in _db(web_db).execute(
            "SELECT id FROM training WHERE course_title = 'Hostile Input Course' ORDER BY id"
        )
    ]
    for training_id, name in zip(ids, HOSTILE, strict=True):
        html = client.get(f"/training/{training_id}").text
        assert name not in html or name.startswith("'")
        assert "<script>alert(1)</script>" not in html
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped.replace("'", "&#39;") in html
    # The DROP TABLE went in as a search term and the table is still there.
    assert client.get("/api/v1/units", params={"q": "'; DROP TABLE"}).json()["rows"]
    assert _db(web_db).execute("SELECT count(*) FROM training").fetchone()[0] > 0


def test_units_group_spellings_and_count_their_rows(client, web_db: Path) -> None:
    db = _db(web_db)
    key = db.execute(
        "SELECT student_unit_key FROM training WHERE student_unit_key IS NOT NULL"
        " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    got = client.get("/api/v1/units", params={"q": key, "limit": 500}).json()
    holding = [g for g in got["rows"] if key in g["keys"]]
    assert len(holding) == 1
    group = holding[0]
    marks = ",".join("?" * len(group["keys"]))
    printed = db.execute(
        f"SELECT DISTINCT student_unit FROM training WHERE student_unit_key IN ({marks})",
        group["keys"],
    ).fetchall()
    assert sorted(group["variants"]) == sorted(r[0] for r in printed)
    assert (
        group["printed_rows"]
        == db.execute(
            f"SELECT count(*) FROM training WHERE student_unit_key IN ({marks})", group["keys"]
        ).fetchone()[0]
    )


def test_stale_search_index_is_a_clear_503(web_db: Path, tmp_path: Path) -> None:
    import shutil

    from fastapi.testclient import TestClient

    from fmtr.web.app import create_app

    stale = tmp_path / "stale.sqlite"
    shutil.copy(web_db, stale)
    with connect(stale) as db:  # as if a build had run without refreshing the index
        db.execute("UPDATE search_state SET build_run_id = -1")
    app = create_app(str(stale))
    assert app.state.index_current is False
    with TestClient(app) as c:
        response = c.get("/api/v1/top")
        assert response.status_code == 503
        assert "fmtr build" in response.json()["error"]["message"]
        assert c.get("/training/1").status_code == 200  # a row needs no index
    assert connect(stale).execute("SELECT build_run_id FROM search_state").fetchone() == (-1,)
