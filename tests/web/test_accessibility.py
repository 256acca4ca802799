"""Every page type checked by axe-core (read from the package axe-playwright-python, never a
CDN) in headless Chromium, at desktop and phone width, under the server's strict
Content-Security-Policy: no serious or critical violation, no script or style refused, and a
focus ring that shows."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "screenshots"  # git-ignored

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
)

PAGE_TYPES = {
    "home": "/",
    "countries": "/countries",
    "country": "/country/PAK",
    "country-one-programme": "/country/PAK?programme=IMET",
    "programmes": "/programmes",
    "programme": "/programme/IMET?from=FY2000&to=FY2006",
    "compare-empty": "/compare",
    "compare": "/compare?country=PAK&country=COL&country=JOR",
    "search": "/search?q=course",
    "units": "/units?q=army",
    "training-row": "/training/2018-fixture-south-central-asia-p1-1",
    "figure": "/figure/PAK/IMET/FY2018",
    "how-to-cite": "/cite",
    "largest": "/largest?programme=IMET&from=FY2003&to=FY2017",
    "api-docs": "/api/v1/docs",
    "error-404": "/country/Pakstan",
    "error-400": "/programme/IMET?from=FY1900",
}


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")


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


def check(page: Any) -> list[str]:
    """axe-core's serious and critical violations of the page, one line each."""
    page.evaluate(axe_source())  # evaluated by the driver: no script tag the policy would refuse
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_no_serious_violation(chromium: Any, strict_server: str, name: str, width: int) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(strict_server + PAGE_TYPES[name])
    if name == "api-docs":  # Swagger UI drew the routes, from the app's own files
        page.wait_for_selector(".opblock", timeout=15000)
        assert page.locator(".opblock").count() > 20
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"api-docs-{width}.png"), full_page=True)
    violations = check(page)
    context.close()
    assert not refused, refused
    assert not violations, "\n".join(violations)


def test_the_focus_ring_shows(chromium: Any, strict_server: str) -> None:
    from fmtr.web.palette import contrast

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(strict_server + "/")
    for _ in range(3):  # the skip link, the brand, the first navigation link
        page.keyboard.press("Tab")
    ring = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   const header = document.querySelector('header.site');
                   return [s.outlineStyle, s.outlineWidth, s.outlineColor,
                           getComputedStyle(header).backgroundColor] }"""
    )
    style, width, colour, background = ring
    assert style == "solid" and float(width.removesuffix("px")) >= 2

    def hex_of(rgb: str) -> str:
        parts = [int(float(x)) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
        return "#" + "".join(f"{x:02x}" for x in parts)

    assert contrast(hex_of(colour), hex_of(background)) >= 3
    assert contrast(hex_of(colour), "#ffffff") >= 3
    page.close()


def test_the_api_docs_answer_offline(chromium: Any, strict_server: str) -> None:
    # Every request leaving the app is refused and counted: Swagger UI must draw the routes and
    # answer "Try it out" from the app's own files and API alone, under the app's policy.
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    elsewhere: list[str] = []
    refused: list[str] = []

    def only_the_app(route: Any) -> None:
        if route.request.url.startswith(strict_server + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_app)
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(strict_server + "/api/v1/docs")
    summary = page.locator(".opblock", has_text="/api/v1/summary").first
    summary.locator(".opblock-summary").click()
    summary.get_by_role("button", name="Try it out").click()
    summary.get_by_role("button", name="Execute").click()
    status = summary.locator(".live-responses-table .response .response-col_status").first
    status.wait_for(timeout=15000)
    assert status.inner_text().strip().startswith("200")
    body = summary.locator(".live-responses-table .response-col_description pre").first
    assert '"trainees"' in body.inner_text()
    SHOTS.mkdir(exist_ok=True)
    summary.screenshot(path=str(SHOTS / "api-docs-try-it-out-1280.png"))
    context.close()
    assert not elsewhere, elsewhere
    assert not refused, refused
