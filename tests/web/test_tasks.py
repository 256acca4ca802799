"""The everyday tasks of issue 13, done in headless Chromium as a person would (type, click,
press keys, download), on the database written by code, under the server's strict policy; each
answer (and each downloaded file) checked against the database read directly, each step counted,
and a screenshot of the answer at desktop width and at 390 px (a phone) saved to
tests/screenshots/ (git-ignored).

    task 1  Pakistan's IMET per year          home -> country box -> "IMET alone" (-> CSV)
    task 2  the IMET ranking, FY2003-FY2017   home -> Programmes -> IMET -> span -> Rank
    task 3  three countries compared          home -> Compare -> three countries -> Compare
                                              (-> IMET alone -> CSV)
    task 4  bad input                         a misspelt country, a year out of range, a huge
                                              id, an over-long text, a page past the end
    task 5  keyboard only                     task 1 with Tab and Enter, the focus ring seen
    task 6  phone width                       the key columns on screen, every column on request,
                                              the source page image full size
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus_kit import connect
from fmtr.query.shapes import dollars

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
WIDTHS = {"desktop": (1280, 900), "390": (390, 844)}

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class User:
    """A browser tab and the steps taken in it (a click, a submitted form, a key press that
    acts); typing into a box is not a step."""

    def __init__(self, browser: Any, base: str, width: str) -> None:
        w, h = WIDTHS[width]
        self.context = browser.new_context(viewport={"width": w, "height": h})
        self.page = self.context.new_page()
        self.base = base
        self.width = width
        self.steps = 0
        self.refused: list[str] = []
        self.page.on(
            "console",
            lambda m: self.refused.append(m.text) if "Content Security Policy" in m.text else None,
        )

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)

    def click(self, locator: Any) -> None:
        locator.click()
        self.page.wait_for_load_state()
        self.steps += 1

    def submit(self, box: str, text: str) -> None:
        self.page.fill(box, text)
        self.page.press(box, "Enter")
        self.page.wait_for_load_state()
        self.steps += 1

    def download(self, link: Any) -> list[dict[str, str]]:
        """Click ``link`` (a download) and read the file the browser saved, as CSV rows."""
        with self.page.expect_download() as info:
            link.click()
        self.steps += 1
        path = info.value.path()
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def shot(self, name: str) -> None:
        # Whatever the width, the page itself never scrolls sideways (a wide table or chart
        # scrolls in its own box).
        width = WIDTHS[self.width][0]
        assert self.page.evaluate("document.documentElement.scrollWidth") <= width, name
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}-{self.width}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert not self.refused, self.refused


@pytest.fixture(params=list(WIDTHS))
def user(request: Any, chromium: Any, strict_server: str) -> Iterator[User]:
    u = User(chromium, strict_server, request.param)
    yield u
    u.close()


def _sql(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return connect(db).execute(sql, params).fetchall()


def _cells(page: Any, table: str, row: str) -> list[str]:
    """The visible text of the cells of ``table``'s row headed ``row`` (the header excluded)."""
    found = page.locator(f"{table} tbody tr", has=page.locator(f"th:text-is('{row}')"))
    return [c.strip() for c in found.locator("td").all_inner_texts()]


# --- task 1 ---------------------------------------------------------------------------------


def test_task1_pakistan_imet_per_year(user: User, web_db: Path) -> None:
    user.open("/")
    user.submit("#hero-country", "PK")  # step 1: a two-letter code is enough
    page = user.page
    assert page.url.endswith("/country/PAK")
    line = page.locator("#imet-line").inner_text()  # the story's line, at the top
    user.click(page.get_by_role("link", name="IMET alone"))  # step 2
    assert user.steps == 2
    assert page.url.endswith("/country/PAK?programme=IMET#per-year")
    expected = _sql(
        web_db,
        """SELECT b.fy, sum(t.quantity_value), sum(t.cost_cents) FROM training t
           JOIN programme_block b ON b.id = t.block_id
           WHERE b.counted = 1 AND b.country_code = 'PAK' AND b.programme_code = 'IMET'
           GROUP BY b.fy ORDER BY b.fy""",
    )
    assert len(expected) >= 4
    for fy, trainees, cents in expected:
        assert _cells(page, "#per-year", f"FY{fy}")[-2:] == [f"{trainees:,}", dollars(cents)]
    total = sum(r[1] for r in expected)
    assert _cells(page, "#per-year", "Total")[-2:] == [
        f"{total:,}",
        dollars(sum(r[2] for r in expected)),
    ]
    assert f"{total:,} trainees" in line
    # The chart shows the same years, in IMET's colour only.
    bars = page.locator("#chart-trainees g.bar")
    assert [int(b.get_attribute("data-fy")) for b in bars.all()] == [r[0] for r in expected]
    assert set(page.locator("#chart-trainees rect.segment").evaluate_all(
        "rs => rs.map(r => r.dataset.series)")) == {"IMET"}  # fmt: skip
    user.shot("task1-pakistan-imet")
    # The table's download holds what it shows: IMET alone, every fiscal year.
    got = user.download(page.locator("#per-year .downloads a", has_text="CSV"))  # step 3
    reported = [r for r in got if r["status"] == "reported"]
    assert [(int(r["fy"]), int(r["trainees"]), int(r["cost_cents"])) for r in reported] == [
        tuple(r) for r in expected
    ]
    assert {r["status"] for r in got} <= {"reported", "none reported", "not covered"}
    # Further down, the money: IMET obligations since the first year with data.
    assert page.locator("#chart-obligations g.bar").count() > 0
    page.locator("#money").scroll_into_view_if_needed()


# --- task 2 ---------------------------------------------------------------------------------


def test_task2_imet_ranking_fy2003_fy2017(user: User, web_db: Path) -> None:
    user.open("/")
    page = user.page
    nav = page.get_by_role("navigation", name="Main")
    user.click(nav.get_by_role("link", name="Programmes"))  # step 1
    user.click(page.get_by_role("link", name="IMET", exact=True).first)  # step 2
    page.fill("#rank-from", "FY2003")
    page.fill("#rank-to", "FY2017")
    user.click(page.get_by_role("button", name="Rank"))  # step 3
    assert user.steps == 3
    expected = _sql(
        web_db,
        """SELECT b.country_code, sum(t.cost_cents) AS cost, sum(t.quantity_value)
           FROM training t JOIN programme_block b ON b.id = t.block_id
           WHERE b.counted = 1 AND b.programme_code = 'IMET' AND b.fy BETWEEN 2003 AND 2017
           GROUP BY b.country_code ORDER BY cost DESC""",
    )
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == len(expected) >= 2
    for i, (code, cents, trainees) in enumerate(expected):
        cells = [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        assert cells[:2] == [str(i + 1), code]
        assert f"{trainees:,}" in cells and dollars(cents) in cells
    assert "FY2003-FY2017" in page.locator("#rank-span").inner_text()
    user.shot("task2-imet-ranking")
    # The story's claim is about money: the same span under every measure at once.
    user.click(page.get_by_role("link", name="The largest recipient under every measure"))
    assert user.steps == 4
    assert page.locator("h1").inner_text() == "The largest recipient of IMET, FY2003–FY2017"
    money = _sql(
        web_db,
        """SELECT c.name, sum(f.current_dollars) AS s FROM funding_obligation f
           JOIN country c ON c.code = f.country_code AND c.kind = 'iso'
           WHERE f.programme_code = 'IMET' AND f.fy BETWEEN 2003 AND 2017
           GROUP BY f.country_code ORDER BY s DESC""",
    )
    leader = page.locator("tr[data-measure='obligations_current'] td").nth(2).inner_text()
    assert leader.strip() == money[0][0]
    names = dict(_sql(web_db, "SELECT code, name FROM country"))
    by_cost = page.locator("tr[data-measure='course_costs'] td").nth(2).inner_text()
    assert by_cost.strip() == names[expected[0][0]]
    user.shot("task2-imet-largest")


# --- task 3 ---------------------------------------------------------------------------------


def test_task3_compare_three_countries(user: User, web_db: Path) -> None:
    user.open("/")
    page = user.page
    user.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Compare"))
    for i, name in enumerate(("Pakistan", "Colombia", "Jordan"), 1):
        page.select_option(f"#compare-country-{i}", label=name)
        user.steps += 1  # choosing in a list is a step
    user.click(page.get_by_role("button", name="Compare"))
    assert user.steps == 5
    codes = ["PAK", "COL", "JOR"]
    for measure in ("trainees", "cost"):
        assert page.locator(f".multiples figure[id^='{measure}-']").count() == 3
    table = page.locator("figure.pivot")
    headers = [h.strip() for h in table.locator("thead tr").first.locator("th").all_inner_texts()]
    assert headers == ["Fiscal year", "Pakistan", "Colombia", "Jordan"]

    def expected(programme: str | None) -> list[str]:
        out = []
        for code in codes:
            trainees, cents = _sql(
                web_db,
                "SELECT coalesce(sum(t.quantity_value), 0), coalesce(sum(t.cost_cents), 0) "
                "FROM training t JOIN programme_block b ON b.id = t.block_id "
                "WHERE b.counted = 1 AND b.country_code = ? "
                "AND (? IS NULL OR b.programme_code = ?)",
                code,
                programme,
                programme,
            )[0]
            out += [f"{trainees:,}", dollars(cents)]
        return out

    assert _cells(page, "figure.pivot", "Total") == expected(None)
    user.shot("task3-compare")
    page.select_option("#compare-programme", value="IMET")
    user.click(page.get_by_role("button", name="Compare"))
    assert _cells(page, "figure.pivot", "Total") == expected("IMET")
    assert set(
        page.locator("rect.segment").evaluate_all("rs => rs.map(r => r.dataset.series)")
    ) == {"IMET"}
    user.shot("task3-compare-imet")
    got = user.download(page.locator("figure.pivot .downloads a", has_text="CSV"))
    per_year = _sql(
        web_db,
        """SELECT b.fy, b.country_code, sum(t.quantity_value), sum(t.cost_cents)
           FROM training t JOIN programme_block b ON b.id = t.block_id
           WHERE b.counted = 1 AND b.programme_code = 'IMET' AND b.country_code IN (?, ?, ?)
           GROUP BY b.fy, b.country_code""",
        *codes,
    )
    assert {
        (int(r["fy"]), r["country_code"], int(r["trainees"]), int(r["cost_cents"]))
        for r in got
        if int(r["rows"])
    } == set(per_year)


# --- task 4 ---------------------------------------------------------------------------------


def test_task4_bad_inputs(user: User) -> None:
    page = user.page
    user.open("/")
    user.submit("#hero-country", "Pakstan")
    assert page.locator("h1").inner_text().startswith("Not found")
    assert page.locator("input[name=country]").input_value() == "Pakstan"  # the form kept
    user.shot("task4-misspelt-country")
    user.click(page.locator("#suggestion"))  # "Did you mean Pakistan?"
    assert page.locator("h1").inner_text().startswith("Pakistan")

    user.open("/programme/IMET")
    page.fill("#rank-from", "FY1990")
    user.click(page.get_by_role("button", name="Rank"))
    assert page.locator("h1").inner_text().startswith("This cannot be asked")
    assert "FY1990" in page.locator(".error").inner_text()
    kept = page.locator("form input[name=from]")
    assert kept.input_value() == "FY1990"
    user.shot("task4-year-out-of-range")
    kept.fill("FY2000")  # corrected in the form the page kept
    user.click(page.get_by_role("button", name="Ask"))
    assert "FY2000-FY2019" in page.locator("#rank-span").inner_text()

    response = page.goto(user.base + "/training/" + "9" * 30)
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text().startswith("Not found")
    user.shot("task4-huge-id")

    user.open("/")
    page.fill("#site-q", "x" * 500)
    assert len(page.locator("#site-q").input_value()) == 200  # the box says its limit

    user.open("/search?q=ranger&offset=5000&limit=50")
    pager = page.locator("nav.pager").inner_text()
    assert "5001" not in pager and "No rows past row 5,000" in pager
    user.click(page.get_by_role("link", name="Back to the first rows"))
    assert page.locator("tbody tr").count() > 0


# --- task 5 ---------------------------------------------------------------------------------


def _focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e);
                       return {id: e.id, text: (e.innerText || '').trim(), tag: e.tagName,
                               className: e.className, outline: s.outlineStyle,
                               width: s.outlineWidth} }"""
        )
    )


def _tab_to(page: Any, wanted: Any, limit: int = 40) -> int:
    """Press Tab until ``wanted(focused)``; how many presses it took. Each element reached
    shows the focus ring."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        now = _focused(page)
        if now["tag"] in ("A", "INPUT", "BUTTON", "SELECT", "SUMMARY"):
            assert now["outline"] == "solid" and now["width"] == "3px", now
        if wanted(now):
            return presses
    raise AssertionError("never reached")


def test_task5_keyboard_only(user: User, web_db: Path) -> None:
    page = user.page
    user.open("/")
    page.keyboard.press("Tab")
    assert _focused(page)["className"] == "skip"  # nothing took the focus first
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "fmtr"  # then the navigation, in order
    tabs = _tab_to(page, lambda f: f["id"] == "hero-country")
    page.keyboard.type("PK")
    page.keyboard.press("Enter")
    page.wait_for_url("**/country/PAK")
    user.open("/country/PAK")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip to content
    more = _tab_to(page, lambda f: f["text"] == "IMET alone")
    user.shot("task5-keyboard-focus")
    page.keyboard.press("Enter")
    page.wait_for_url("**/country/PAK?programme=IMET#per-year")
    expected = _sql(
        web_db,
        "SELECT count(DISTINCT b.fy) FROM programme_block b JOIN training t ON t.block_id = b.id "
        "WHERE b.counted = 1 AND b.country_code = 'PAK' AND b.programme_code = 'IMET'",
    )[0][0]
    assert page.locator("#chart-trainees g.bar").count() == expected
    # The key presses it took, as the closing note tells them.
    assert tabs <= 12 and more <= 4, (tabs, more)


# --- task 6 ---------------------------------------------------------------------------------


def test_task6_phone_width(chromium: Any, strict_server: str) -> None:
    u = User(chromium, strict_server, "390")
    page = u.page
    u.open("/")
    u.submit("#hero-country", "Pakistan")
    table = page.locator("#per-year table")
    # The key columns (year, trainees, cost) are on screen without scrolling sideways.
    for cell in (
        table.locator("tbody th").first,
        table.locator("tbody tr").first.locator("td:visible").nth(0),
        table.locator("tbody tr").first.locator("td:visible").last,
    ):
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    visible = table.locator("thead th:visible").count()
    page.locator("#per-year label.all-columns").click()  # every programme's columns, on request
    assert table.locator("thead th:visible").count() > visible
    # Charts keep legible labels: wider than the phone, scrolled sideways, focusable.
    chart = page.locator("#chart-trainees .chart-scroll")
    assert chart.evaluate("e => e.scrollWidth > e.clientWidth")
    u.shot("task6-phone-country")
    # A search's rows keep the course, the student unit, the trainees and the cost on screen.
    u.submit("#site-q", "ranger")
    head = [h.strip() for h in page.locator("table thead th:visible").all_inner_texts()]
    assert "student unit" in head and "course title" in head and "trainees" in head, head
    cell = (
        page.locator("table tbody tr").first.locator("td:visible").nth(head.index("student unit"))
    )
    box = cell.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, box
    u.shot("task6-phone-search")
    # The units found keep the unit, its country, how it matched and its trainees on screen;
    # every column on request.
    u.open("/units")
    u.submit("#unit-q", "army")
    units = page.locator("table.units")
    head = [h.strip() for h in units.locator("thead th:visible").all_inner_texts()]
    assert head == ["unit", "country", "match", "trainees"], head
    first = units.locator("tbody tr").first
    assert first.locator("td").count() == 8  # the other columns are there, hidden
    for cell in first.locator("td:visible").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert units.evaluate("e => e.parentElement.scrollWidth <= e.parentElement.clientWidth")
    u.shot("task6-phone-units")
    page.locator("label.all-columns").click()
    assert units.locator("thead th:visible").count() == 8
    u.close()


def test_task6_phone_source_image_full_size(
    chromium: Any, strict_corpus_server: str, corpus_web_db: Path
) -> None:
    ident = _sql(
        corpus_web_db,
        "SELECT t.stable_id FROM training t JOIN programme_block b ON b.id = t.block_id "
        "JOIN document d ON d.id = b.document_id WHERE d.file LIKE '%.pdf' "
        "AND t.student_unit IS NOT NULL ORDER BY t.id LIMIT 1",
    )[0][0]
    u = User(chromium, strict_corpus_server, "390")
    page = u.page
    u.open(f"/training/{ident}")
    image = page.locator("#source-image")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('#source-image');"
        " return i && i.complete && i.naturalWidth > 0 }"
    )
    shown = image.bounding_box()
    assert shown is not None and shown["width"] <= 390
    u.shot("task6-phone-row")
    with u.context.expect_page() as opened:
        u.click(page.locator("a.zoom"))
    full = opened.value
    full.wait_for_load_state()
    assert full.url.endswith(f"/training/{ident}/source.png")
    natural = full.evaluate("document.images[0].naturalWidth")
    assert natural > 2 * shown["width"]  # the page image at its own size, to zoom and pan
    full.screenshot(path=str(SHOTS / "task6-phone-row-full-size-390.png"))
    # A tap on the fitted image shows it at its own size (the browser's image viewer).
    box = full.locator("img").bounding_box()
    assert box is not None
    full.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    full.wait_for_function("document.images[0].width === document.images[0].naturalWidth")
    full.screenshot(path=str(SHOTS / "task6-phone-row-zoomed-390.png"))
    u.close()
