"""The explorer in real headless Chromium (Debian's, driven by Playwright): what a user does,
on the database written by code, and on corpus editions where a source page is rendered.

A screenshot of each page goes to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from corpus_kit import connect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "screenshots"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser, live_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    context.close()
    assert not dialogs, f"a script ran: {dialogs}"


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_home_search_unit_and_row_with_source_image(
    page, corpus_live_server: str, corpus_web_db: Path
) -> None:
    # On editions built from the corpus: the row's source page is rendered from its PDF.
    live_server = corpus_live_server
    db = connect(corpus_web_db)
    # A real unit of a PDF edition, chosen from the rows, and its rows counted directly.
    unit, key = db.execute(
        """SELECT t.student_unit, t.student_unit_key FROM training t
           JOIN programme_block b ON b.id = t.block_id JOIN document d ON d.id = b.document_id
           WHERE d.file LIKE '%.pdf' AND t.student_unit_key LIKE '%air force%'
           GROUP BY t.student_unit_key ORDER BY count(*) DESC LIMIT 1"""
    ).fetchone()
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text().startswith("US military training")
    rows = db.execute(
        "SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id"
        " WHERE b.counted = 1"
    ).fetchone()[0]
    assert page.locator("#fig-rows").inner_text() == f"{rows:,}"
    shot(page, "01-home")

    page.goto(live_server + "/units")
    page.fill("#unit-q", unit)
    page.keyboard.press("Enter")
    page.wait_for_url("**/units?q=*")
    # The unit is one country's group of spellings: its link leads to its page, every row of
    # every spelling of it in that country.
    country, unit_id = db.execute(
        """SELECT n.country_code, n.unit FROM unit_name n
           JOIN training t ON t.student_unit_key = n.key
           JOIN programme_block b ON b.id = t.block_id AND b.country_code = n.country_code
           WHERE n.key = ? GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1""",
        (key,),
    ).fetchone()
    keys = [
        k
        for (k,) in db.execute(
            "SELECT key FROM unit_name WHERE country_code = ? AND unit = ?", (country, unit_id)
        )
    ]
    href = f"/unit/{quote(country, safe='')}/{quote(unit_id, safe='')}"
    link = page.locator(f"table.units a[href='{href}']")
    assert link.count() == 1  # one group of one country holds the unit's key
    shot(page, "02-unit-search")
    link.click()
    page.wait_for_url("**/unit/**")
    expected = db.execute(
        "SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id"
        f" WHERE b.counted = 1 AND b.country_code = ? AND t.student_unit_key IN"
        f" ({','.join('?' * len(keys))})",
        (country, *keys),
    ).fetchone()[0]
    assert int(page.locator(".export-links strong").inner_text().replace(",", "")) == expected
    rows_table = page.locator("figure.table", has=page.locator("caption", has_text="Training rows"))
    assert rows_table.locator("tbody tr").count() == min(expected, 50)
    shot(page, "03-unit-rows")

    page.locator("tbody tr a[href^='/training/']").first.click()
    page.wait_for_url("**/training/*")
    img = page.locator("#source-image")
    img.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('#source-image');"
        " return i && i.complete && i.naturalWidth > 0 }"
    )
    assert page.evaluate("document.querySelector('#source-image').naturalWidth") > 500
    shown = page.locator("dd.student-unit").inner_text()
    assert any(shown.lower().split() == k.split() for k in keys)
    shot(page, "04-training-row")


def test_country_chart_has_a_bar_per_year(page, live_server: str, web_db: Path) -> None:
    db = connect(web_db)
    code, name = db.execute(
        """SELECT b.country_code, c.name FROM training t JOIN programme_block b ON b.id = t.block_id
           JOIN country c ON c.code = b.country_code WHERE b.counted = 1
           GROUP BY b.country_code ORDER BY count(DISTINCT b.programme_code) DESC, count(*) DESC
           LIMIT 1"""
    ).fetchone()
    years = db.execute(
        """SELECT count(DISTINCT b.fy) FROM training t JOIN programme_block b ON b.id = t.block_id
           WHERE b.counted = 1 AND b.country_code = ?""",
        (code,),
    ).fetchone()[0]
    stacks = db.execute(
        """SELECT count(*) FROM (SELECT DISTINCT b.fy, b.programme_code FROM training t
           JOIN programme_block b ON b.id = t.block_id
           WHERE b.counted = 1 AND b.country_code = ?)""",
        (code,),
    ).fetchone()[0]
    page.goto(f"{live_server}/country/{code}")
    assert name in page.locator("h1").inner_text()
    chart = page.locator("#chart-trainees svg")
    assert chart.locator("g.bar").count() == years
    assert chart.locator("rect.segment").count() == stacks
    shot(page, "05-country")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "06-country-phone")


def test_csv_download_equals_api(page, live_server: str, web_db: Path) -> None:
    code = (
        connect(web_db)
        .execute(
            "SELECT country_code FROM programme_block WHERE counted = 1"
            " GROUP BY 1 ORDER BY count(*) DESC"
        )
        .fetchone()[0]
    )
    page.goto(f"{live_server}/country/{code}")
    page.locator("#top-courses summary").click()  # the long lists are folded
    link = page.locator("#top-courses figure a[download][href*='/courses']")
    with page.expect_download() as info:
        link.click()
    downloaded = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    api = page.request.get(
        live_server + link.get_attribute("href").replace("format=csv", "format=json")
    ).json()
    assert len(downloaded) == len(api["rows"]) > 0
    assert [r["course_title"] for r in downloaded] == [r["course_title"] for r in api["rows"]]
    assert [int(r["trainees"]) for r in downloaded] == [r["trainees"] for r in api["rows"]]


def test_hostile_unit_shown_as_text(page, live_server: str) -> None:
    page.goto(live_server + "/units?q=" + "script")
    assert page.get_by_text("<script>alert(1)</script>").first.is_visible()
    shot(page, "07-hostile-units")
    page.goto(live_server + "/search?q=" + "drop table")
    assert page.get_by_text("'; DROP TABLE training; --").first.is_visible()
    page.get_by_role("link", name="Hostile Input Course").first.click()
    page.wait_for_url("**/training/*")
    assert page.locator("dd.student-unit").inner_text() == "'; DROP TABLE training; --"
    shot(page, "08-hostile-row")


def test_keyboard_reaches_search(page, live_server: str) -> None:
    page.goto(live_server + "/countries")
    page.keyboard.press("Tab")  # the skip link
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The first thing to reach in the content: the country box, then the table's links.
    assert page.evaluate("document.activeElement.id") == "find-country"
    shot(page, "09-countries")


def test_country_chart_marks_cited_events(page, live_server: str, web_db: Path) -> None:
    """Pakistan's page marks the registry's three cited IMET events on the chart, each with its
    source sentence on hover and in the list, and shades the suspensions apart from gaps."""
    from fmtr.clean.events import load_events

    cited = [e for e in load_events() if e.country_code == "PAK"]
    assert len(cited) >= 3  # the registry's own start: 1991 and 2018 suspensions, 2020 return
    page.goto(f"{live_server}/country/PAK")
    assert "Pakistan" in page.locator("h1").inner_text()
    chart = page.locator("#chart-trainees svg")
    for event in cited:
        pin = chart.locator(f"g.event[data-event='{event.id}']")
        assert pin.count() == 1, event.id
        hover = pin.locator("title").text_content() or ""
        listed = page.locator(f"ol.events > li[data-event='{event.id}']").inner_text()
        for source in event.sources:
            assert source.sentence in hover
            assert source.sentence in listed
            assert source.title in hover
    # The line of an event inside the axis stands over its fiscal year's label.
    resumed = chart.locator("g.event[data-event='PAK-IMET-resumed-2020']")
    assert resumed.get_attribute("data-fy") == "2020"
    assert "clipped" in (
        chart.locator("g.event[data-event='PAK-IMET-suspended-1991']").get_attribute("class") or ""
    )
    # Suspensions are hatched bands, drawn apart from the covered years without training.
    for sid in ("PAK-IMET-suspended-1991", "PAK-IMET-suspended-2018"):
        band = chart.locator(f"g.suspension[data-event='{sid}'] rect.suspension-possible")
        assert band.count() == 1
        assert (band.get_attribute("fill") or "").startswith("url(#")
    assert chart.locator("rect.gap.suspension-possible").count() == 0
    # Rows of the suspended programme dated inside a suspension, counted directly, are listed.
    db = connect(web_db)
    inside_2018 = db.execute(
        """SELECT count(*) FROM training t JOIN programme_block b ON b.id = t.block_id
           WHERE b.counted = 1 AND b.country_code = 'PAK' AND b.programme_code = 'IMET'
           AND coalesce(t.start_on, t.end_on) <= '2020-01-03'
           AND coalesce(t.end_on, t.start_on) >= '2018-01-01'"""
    ).fetchone()[0]
    assert inside_2018 > 0  # the FY2018 edition holds Pakistan IMET rows in 2018
    listed_2018 = page.locator("#during-suspension tbody tr", has_text="PAK-IMET-suspended-2018")
    assert listed_2018.count() >= inside_2018
    first = listed_2018.first.locator("a[href^='/training/']").get_attribute("href")
    SHOTS.mkdir(exist_ok=True)
    page.locator(".charts").first.screenshot(path=str(SHOTS / "10-country-events-chart.png"))
    page.locator("#money .charts").screenshot(path=str(SHOTS / "10-country-money-chart.png"))
    page.locator("#history").scroll_into_view_if_needed()
    shot(page, "10-country-events")
    page.locator("#chart-trainees svg g.event[data-event='PAK-IMET-suspended-2018']").hover()
    shot(page, "11-country-event-hover")
    page.goto(live_server + (first or ""))
    assert page.locator("h1").count() == 1
