"""Finding things in real headless Chromium, as a user does it (type, choose, click, download),
on editions built from the corpus, each download compared with the database: a unit's
trainings within one country, a course across countries, and a full export of a search.

Screenshots of each step, at desktop width and at a phone's 390 px, go to tests/screenshots/
(git-ignored): 20-... to 29-...
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from test_browser import CHROMIUM, SHOTS, browser  # noqa: F401  (the module's browser fixture)

from corpus_kit import connect

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=["desktop", "phone"])
def page(browser, request: pytest.FixtureRequest) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(
        viewport=DESKTOP if request.param == "desktop" else PHONE, accept_downloads=True
    )
    pg = context.new_page()
    pg.width_name = request.param
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, errors


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.width_name}.png"), full_page=True)


def number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def rows_of(db: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> tuple[int, int, int]:
    """(rows, trainees, cents) of the counted rows ``where`` selects, summed by SQLite."""
    found = db.execute(
        "SELECT count(*), coalesce(sum(t.quantity_value), 0), coalesce(sum(t.cost_cents), 0) "
        "FROM training t JOIN programme_block b ON b.id = t.block_id "
        f"WHERE b.counted = 1 AND {where}",
        params,
    ).fetchone()
    return int(found[0]), int(found[1]), int(found[2])


def csv_sums(path: Path) -> tuple[int, int, int, list[dict[str, str]]]:
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    trainees = sum(int(r["trainees"]) for r in rows if r["trainees"])
    cents = sum(int(r["cost_cents"]) for r in rows if r["cost_cents"])
    # Dollars and cents say the same, to the cent.
    assert all(
        Decimal(r["cost_usd"]) * 100 == Decimal(r["cost_cents"]) for r in rows if r["cost_cents"]
    )
    return len(rows), trainees, cents, rows


def open_menu_link(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_a_units_trainings_within_one_country(
    page: Any, corpus_live_server: str, corpus_web_db: Path
) -> None:
    """A vetting researcher: the student unit of one country, its every training, exported."""
    db = connect(corpus_web_db)
    # A unit name printed for two countries or more, and the country printing it most.
    name, country, country_name = db.execute(
        """SELECT n.spelling, n.country_code, c.name FROM unit_name n
           JOIN country c ON c.code = n.country_code
           WHERE n.canonical IN (SELECT canonical FROM unit_name GROUP BY canonical
                                 HAVING count(DISTINCT country_code) > 1)
             AND length(n.canonical) > 8
           ORDER BY n.rows DESC, n.key LIMIT 1"""
    ).fetchone()
    page.goto(corpus_live_server + "/")
    open_menu_link(page, "Units")  # click 1
    page.wait_for_url("**/units")
    page.get_by_label("A unit's name").fill(name)
    page.get_by_label("Country").select_option(country)  # click 2
    page.get_by_role("button", name="Find units").click()  # click 3
    page.wait_for_url("**/units?q=*")
    shot(page, "20-units-in-one-country")
    listed = page.locator("table.units tbody tr")
    assert listed.count() >= 1
    # Every unit listed is the country's; the name itself comes first.
    assert all(country in listed.nth(i).inner_text() for i in range(listed.count()))
    first = listed.first
    assert "exact" in first.inner_text()
    first.get_by_role("link").click()  # click 4
    page.wait_for_url("**/unit/**")
    shot(page, "21-unit-page")
    assert country_name in page.locator("h1").inner_text()
    # The unit's rows, counted directly: every key of the unit, in this country only.
    unit = unquote(page.url.rsplit("/", 1)[1])
    keys = [
        k
        for (k,) in db.execute(
            "SELECT key FROM unit_name WHERE country_code = ? AND unit = ?",
            (country, unit),
        )
    ]
    marks = ",".join("?" * len(keys))
    expected = rows_of(
        db, f"t.student_unit_key IN ({marks}) AND b.country_code = ?", (*keys, country)
    )
    shown = number(page.locator(".export-links strong").inner_text())
    assert shown == expected[0]
    with page.expect_download() as info:
        page.locator(".export-links").get_by_role("link", name="CSV").click()  # click 5
    download = info.value
    assert download.suggested_filename.startswith(f"fmtr-{country}-")
    assert download.suggested_filename.endswith("-training.csv")
    n, trainees, cents, rows = csv_sums(Path(download.path()))
    assert (n, trainees, cents) == expected
    assert {r["country_code"] for r in rows} == {country}


def test_a_course_across_countries(page: Any, corpus_live_server: str, corpus_web_db: Path) -> None:
    """A journalist: a course over the years and countries, from the search box."""
    db = connect(corpus_web_db)
    course, title, n_countries = db.execute(
        "SELECT course, name, countries FROM course_figures ORDER BY countries DESC, rows DESC "
        "LIMIT 1"
    ).fetchone()
    assert n_countries > 3
    page.goto(corpus_live_server + "/")
    box = page.get_by_role("search").first.get_by_role("searchbox")
    box.fill(title)
    box.press("Enter")
    page.wait_for_url("**/search?q=*")
    shot(page, "22-search-a-course")
    courses = page.locator("section[aria-labelledby='courses-h']")
    courses.get_by_role("link", name=title, exact=True).first.click()  # click 1
    page.wait_for_url("**/course/**")
    shot(page, "23-course-page")
    keys = [k for (k,) in db.execute("SELECT key FROM course_name WHERE course = ?", (course,))]
    marks = ",".join("?" * len(keys))
    per_country = {
        code: (n, q, c)
        for code, n, q, c in db.execute(
            "SELECT b.country_code, count(*), coalesce(sum(t.quantity_value), 0), "
            "coalesce(sum(t.cost_cents), 0) FROM training t "
            "JOIN programme_block b ON b.id = t.block_id "
            f"WHERE b.counted = 1 AND t.course_key IN ({marks}) GROUP BY 1",
            keys,
        )
    }
    # The page's table per country: every country, its trainees, cost and rows.
    table = page.locator("figure.table", has=page.locator("caption", has_text="Per country"))
    body = table.locator("tbody tr")
    assert body.count() == len(per_country)
    for i in range(body.count()):
        cells = body.nth(i).locator("td").all_inner_texts()
        code = cells[0]
        n, q, c = per_country[code]
        assert number(cells[2]) == q and number(cells[4]) == n
        assert number(cells[3]) == round(c / 100)
    # The per-country table downloads whole, in dollars.
    with page.expect_download() as info:
        table.get_by_role("link", name="CSV").click()  # click 2
    got = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    assert {r["country_code"]: int(r["rows"]) for r in got} == {
        k: v[0] for k, v in per_country.items()
    }
    assert all(Decimal(r["cost_usd"]) * 100 == int(r["cost_cents"]) for r in got)
    # And its rows as a spreadsheet: every one.
    with page.expect_download() as info:
        page.locator(".export-links").get_by_role("link", name="XLSX").click()  # click 3
    import openpyxl

    # Playwright's download has no extension, which openpyxl goes by: give it the bytes.
    book = io.BytesIO(Path(info.value.path()).read_bytes())
    sheet = openpyxl.load_workbook(book, read_only=True).active
    assert sheet is not None
    header, *data = list(sheet.iter_rows(values_only=True))
    assert len(data) == sum(v[0] for v in per_country.values())
    cost = header.index("cost_cents")
    assert sum(r[cost] or 0 for r in data) == sum(v[2] for v in per_country.values())


def test_a_full_export_of_a_search(page: Any, corpus_live_server: str, corpus_web_db: Path) -> None:
    """An analyst: every row of a search (not the page on screen), in every format."""
    db = connect(corpus_web_db)
    country, name, programme = db.execute(
        """SELECT b.country_code, c.name, b.programme_code FROM training t
           JOIN programme_block b ON b.id = t.block_id JOIN country c ON c.code = b.country_code
           WHERE b.counted = 1 GROUP BY 1, 3 ORDER BY count(*) DESC LIMIT 1"""
    ).fetchone()
    expected = rows_of(db, "b.country_code = ? AND b.programme_code = ?", (country, programme))
    assert expected[0] > 50  # more rows than a page shows
    page.goto(corpus_live_server + "/search")
    box = page.get_by_label("Words, countries, programmes, fiscal years")
    box.fill(f"{name} {programme}")
    page.locator("form.search-form").get_by_role("button", name="Search").click()  # click 1
    page.wait_for_url("**/search?q=*")
    shot(page, "24-search-full-export")
    # Read as filters, the count and the sums shown before any download.
    reading = page.locator(".reading").inner_text()
    assert name in reading and programme in reading
    assert number(page.locator(".answer .total").inner_text()) == expected[0]
    links = page.locator(".answer .export-links")
    assert number(links.locator("strong").inner_text()) == expected[0]
    with page.expect_download() as info:
        links.get_by_role("link", name="CSV").click()  # click 2
    download = info.value
    assert download.suggested_filename == f"fmtr-{country}-{programme}-training.csv"
    n, trainees, cents, _ = csv_sums(Path(download.path()))
    assert (n, trainees, cents) == expected
    # The same rows as JSON and Parquet.
    with page.expect_download() as info:
        links.get_by_role("link", name="JSON").click()  # click 3
    rows = json.loads(Path(info.value.path()).read_text("utf-8"))
    assert len(rows) == n and sum(r["cost_cents"] or 0 for r in rows) == cents
    with page.expect_download() as info:
        links.get_by_role("link", name="Parquet").click()  # click 4
    import pyarrow.parquet as pq

    table = pq.read_table(info.value.path())
    assert table.num_rows == n
    assert sum(v or 0 for v in table.column("cost_cents").to_pylist()) == cents
    assert sum(v or 0 for v in table.column("cost_usd").to_pylist()) * 100 == cents
    # The facet per fiscal year sums to the whole, each year as SQLite sums it.
    years = page.locator("#facet-fy").locator("xpath=..").locator("li")
    per_year = dict(
        db.execute(
            "SELECT b.fy, count(*) FROM training t JOIN programme_block b ON b.id = t.block_id "
            "WHERE b.counted = 1 AND b.country_code = ? AND b.programme_code = ? GROUP BY 1",
            (country, programme),
        )
    )
    shown = {
        int(t.split()[0].removeprefix("FY")): number(t.split()[1]) for t in years.all_inner_texts()
    }
    assert shown == per_year
