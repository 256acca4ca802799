"""The explorer's pages on the database written by code: what each page shows is the API's
figures, laid out to answer at a glance; addresses that last; errors as pages a reader can act
on; every page reachable under a path prefix, offline."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from corpus_kit import connect
from fmtr.query.shapes import dollars

PAGES = [
    "/",
    "/countries",
    "/country/PAK",
    "/country/COL?programme=IMET",
    "/programmes",
    "/programme/IMET",
    "/compare",
    "/compare?country=PAK&country=COL&country=JOR",
    "/compare?country=PAK&country=COL&programme=IMET",
    "/search?q=ranger",
    "/units?q=army",
    "/training/2018-fixture-south-central-asia-p1-1",
    "/figure/PAK/IMET/FY2018",
    "/cite",
    "/largest?programme=IMET&from=FY2003&to=FY2017",
    "/api/v1/docs",
    "/country/Pakstan",  # an error page
]


class Page(HTMLParser):
    """What a test reads of a page: its elements with their attributes, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.headings: list[tuple[int, str]] = []
        self._heading: list[str] | None = None
        self._level = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._level = [], int(tag[1])

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._level, " ".join("".join(self._heading).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]


def _get(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.text[:300])
    return str(response.text)


# --- 13.4 country pages lead with the answer -----------------------------------------------


def _cells(html: str, row_header: str) -> list[str]:
    """The cells of the pivot table's row headed ``row_header`` ("FY2018", "Total")."""
    table = html[html.index('id="per-year"') :]
    table = table[: table.index("</table>")]
    row = re.search(rf"<th scope=\"row\" class=\"sticky\">{row_header}</th>(.*?)</tr>", table, re.S)
    assert row, row_header
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    ]


def test_country_page_puts_the_year_by_programme_table_under_the_charts(client: Any) -> None:
    html = _get(client, "/country/PAK")
    order = [html.index(x) for x in ('id="chart-trainees"', 'id="chart-cost"', 'id="per-year"')]
    assert order == sorted(order)
    assert html.index('id="per-year"') < html.index('id="history"')  # the answer first
    series = client.get("/api/v1/countries/PAK/series").json()["rows"]
    head = html[html.index('id="per-year"') :]
    head = head[: head.index("</thead>")]
    # A pair of columns per programme, in the charts' order (the palette's: IMET first).
    programmes = re.findall(r'class="group extra">.*?</svg>([^<]+)</th>', head)
    assert programmes == ["IMET", "FMF", "CTFP"]
    assert set(programmes) == {r["programme_code"] for r in series}
    for fy in {r["fy"] for r in series}:
        cells = _cells(html, f"FY{fy}")
        rows = [r for r in series if r["fy"] == fy]
        # The year's totals, last two cells: the API's sums.
        assert cells[-2:] == [
            f"{sum(r['trainees'] for r in rows):,}",
            dollars(sum(r["cost_cents"] for r in rows)),
        ]
        for r in rows:  # each programme's pair, in the programme's columns
            i = programmes.index(r["programme_code"])
            assert cells[2 * i : 2 * i + 2] == [f"{r['trainees']:,}", dollars(r["cost_cents"])]
    profile = client.get("/api/v1/countries/PAK").json()
    assert _cells(html, "Total")[-2:] == [
        f"{profile['trainees']:,}",
        dollars(profile["cost_cents"]),
    ]
    # Covered years without training and years no edition covers are told apart.
    assert _cells(html, "FY2000")[-2:] == ["0", "$0 (none reported)"]
    assert _cells(html, "FY2004")[-1] == "not covered by a loaded edition"
    # The long lists are folded away.
    for what in ("courses", "schools", "locations", "units"):
        assert re.search(rf'<details id="top-{what}">', html)


def test_the_imet_line_is_one_glance_away(client: Any) -> None:
    html = _get(client, "/country/PAK")
    line = re.sub(
        r"<[^>]+>", "", re.search(r'<p class="glance" id="imet-line">(.*?)</p>', html, re.S)[1]
    )
    imet = next(
        p for p in client.get("/api/v1/countries/PAK").json()["programmes"]["rows"]
        if p["programme_code"] == "IMET"
    )  # fmt: skip
    assert f"{imet['trainees']:,} trainees" in line
    assert dollars(imet["cost_cents"]) in line
    assert f"from FY{imet['first_fy']} to FY{imet['last_fy']}" in line
    assert "1991–2002" in line and "2018–2020" in line  # the registry's suspensions
    # IMET alone: the charts and the table hold IMET only.
    alone = _get(client, "/country/PAK?programme=IMET")
    charts = alone[: alone.index('id="per-year"')]  # the training charts
    assert set(re.findall(r'data-series="([^"]+)"', charts)) == {"IMET"}
    assert _cells(alone, "FY1999")[-1] == "$0 (none reported)"  # FMF only that year
    assert _get(client, "/country/PAK?programme=imet").count('data-series="IMET"') > 0


@pytest.mark.parametrize("name", ["PK", "pk", "pak", "Pakistan", "pakistan"])
def test_a_country_has_one_address(client: Any, name: str) -> None:
    response = client.get(f"/country/{name}?programme=IMET", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/country/PAK?programme=IMET"


def test_pk_is_pakistan_not_kazakhstan(client: Any) -> None:
    html = _get(client, "/country/PK")
    assert Page(html).headings[0] == (1, "Pakistan PAK")
    assert "Kazakhstan" not in html


# --- 13.5 compare ---------------------------------------------------------------------------


def test_compare_shows_small_multiples_and_a_column_per_country(client: Any) -> None:
    html = _get(client, "/compare?country=PAK&country=COL&country=JOR")
    for measure in ("trainees", "cost"):
        for i in (1, 2, 3):
            assert f'id="{measure}-{i}"' in html
    # One scale for every panel of a measure.
    tops = {
        m: set(
            re.findall(
                rf'id="{m}-\d".*?<text class="axis"[^>]*>([^<]+)</text>(?:(?!</svg>).)*?</svg>',
                html,
                re.S,
            )
        )
        for m in ("trainees",)
    }
    assert len(tops["trainees"]) == 1
    api = client.get("/api/v1/compare?country=PAK&country=COL&country=JOR").json()["rows"]
    table = html[html.index("Every figure, a column per country") :]
    for code, name in (("PAK", "Pakistan"), ("COL", "Colombia"), ("JOR", "Jordan")):
        assert f">{name}</a></th>" in table
        total = sum(r["trainees"] for r in api if r["country_code"] == code)
        assert total > 0
    row = re.search(r'<tr class="total">(.*?)</tr>', table, re.S)[1]
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    expected = []
    for code in ("PAK", "COL", "JOR"):
        mine = [r for r in api if r["country_code"] == code]
        expected += [
            f"{sum(r['trainees'] for r in mine):,}",
            dollars(sum(r["cost_cents"] for r in mine)),
        ]
    assert cells == expected


def test_compare_filters_by_programme(client: Any) -> None:
    html = _get(client, "/compare?country=PAK&country=COL&programme=IMET")
    assert set(re.findall(r'data-series="([^"]+)"', html)) == {"IMET"}
    api = client.get("/api/v1/compare?country=PAK&country=COL&programme=IMET").json()
    all_ = client.get("/api/v1/compare?country=PAK&country=COL").json()
    assert api["meta"] == {"programme_code": "IMET"}
    assert sum(r["trainees"] for r in api["rows"]) < sum(r["trainees"] for r in all_["rows"])
    assert "selected>IMET:" in html.replace('"IMET" selected', "selected")


def test_compare_refuses_more_countries_than_it_shows(client: Any) -> None:
    query = "&".join(f"country={c}" for c in ("PAK", "COL", "JOR", "IND", "FRA", "DEU", "ITA"))
    html = _get(client, f"/compare?{query}", 400)
    assert "six at most" in html or "6 at most" in html


# --- 13.7 errors as pages -------------------------------------------------------------------


def test_an_unknown_country_page_links_the_suggestion_and_keeps_the_form(client: Any) -> None:
    html = _get(client, "/country/Pakstan", 404)
    page = Page(html)
    assert page.all("a", id="suggestion")[0]["href"] == "/country/Pakistan"
    assert _get(client, "/country/Pakistan").count("<h1>Pakistan") == 1
    kept = page.all("input", name="country")
    assert kept and kept[0]["value"] == "Pakstan" and kept[0]["maxlength"] == "200"
    assert page.all("form", action="/country")


def test_a_bad_fiscal_year_keeps_the_ranking_form(client: Any) -> None:
    html = _get(client, "/programme/IMET?from=FY1990&to=FY2002&by=trainees", 400)
    page = Page(html)
    values = {
        i["name"]: i["value"] for i in page.all("input") if i.get("name") in ("from", "to", "by")
    }
    assert values == {"from": "FY1990", "to": "FY2002", "by": "trainees"}
    link = page.all("a", id="suggestion")[0]["href"]
    assert link == "/programme/IMET?from=FY1999&to=FY2002&by=trainees"
    assert _get(client, link)


def test_an_input_past_its_limit_says_so_in_words(client: Any) -> None:
    # Not pydantic's "String should have at most 200 characters": what was given, what is taken.
    html = _get(client, "/search?q=" + "a" * 500, 400)
    assert re.search(r'role="alert">q: 500 characters given, at most 200 taken<', html)
    assert "String should have" not in html
    api = client.get("/api/v1/training?limit=0").json()["error"]
    assert api["message"] == "limit: '0' given, at least 1 taken"
    assert client.get("/api/v1/training?limit=x").json()["error"]["message"] == (
        "limit: 'x' is not a whole number"
    )
    assert "by: 'nope' given, 'cost' or 'trainees' taken" in _get(
        client, "/programme/IMET?by=nope", 400
    ).replace("&#39;", "'")


def test_a_reversed_span_suggests_it_the_other_way(client: Any) -> None:
    page = Page(_get(client, "/programme/IMET?from=FY2002&to=FY1999", 400))
    assert page.all("a", id="suggestion")[0]["href"] == "/programme/IMET?to=FY2002&from=FY1999"


@pytest.mark.parametrize(
    "url",
    [
        "/training/99999999999999999999999",
        "/training/99999999999999999999999/source.png",
        "/training/-1",
        "/training/0",
        "/training/no-such-row-p1-1",
        "/figure/PAK/IMET/FY1890",
        "/no/such/page",
    ],
)
def test_out_of_range_and_unknown_are_404_pages(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (404, 400), url
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text and "<h1>" in response.text


def test_a_bug_is_a_page_without_its_trace(web_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from fmtr.query import answers

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail of a bug")

    monkeypatch.setattr(answers, "countries", broken)
    with TestClient(web_app, raise_server_exceptions=False) as c:
        page = c.get("/countries")
        api = c.get("/api/v1/countries")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Something went wrong on our side" in page.text
    assert "secret detail" not in page.text and "Traceback" not in page.text
    assert api.status_code == 500 and api.json()["error"]["code"] == "internal_error"
    assert "secret detail" not in api.text


@pytest.mark.parametrize("status", [400, 404, 405, 413, 414, 429, 503])
def test_every_http_error_is_a_page(web_app: Any, status: int) -> None:
    """Whatever raises it (the protocol's guards too), an HTTP error is the explorer's page."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from starlette.exceptions import HTTPException

    from fmtr.settings import ServerSettings
    from fmtr.web import errors

    app = FastAPI()
    app.state.served = web_app.state.served

    @app.get("/raise")
    def raise_it() -> None:
        raise HTTPException(status, "the reason")

    errors.install(app, ServerSettings().statement_seconds)
    response = TestClient(app).get("/raise")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"<title>Error {status}" in response.text and "the reason" in response.text


def test_paging_past_the_end_never_says_rows_5001_5000() -> None:
    from fmtr.web.pages import templates

    pager = templates.env.get_template("macros.jinja").module.pager  # type: ignore[attr-defined]
    past = str(pager("/search?q=x", 50, 5000, 0, 2475))
    assert "5001" not in past and "No rows past row 5,000 (there are 2,475)" in past
    assert 'href="/search?q=x&limit=50"' in past
    middle = str(pager("/search?q=x", 50, 50, 50, 2475))
    assert "rows 51–100 of 2,475" in middle and 'rel="next"' in middle
    last = str(pager("/search?q=x", 50, 2450, 25, 2475))
    assert "rows 2,451–2,475 of 2,475" in last and 'rel="next"' not in last


@pytest.mark.parametrize("url", PAGES)
def test_every_text_box_states_its_limit(client: Any, url: str) -> None:
    page = Page(client.get(url).text)
    boxes = [
        i for i in page.all("input") if i.get("type", "text") in ("text", "search")
        and i.get("name")
    ]  # fmt: skip
    assert boxes, url
    for box in boxes:
        assert box.get("maxlength", "").isdigit(), (url, box)
    # A placeholder is a hint, never a value that looks like a filter in force.
    for box in boxes:
        assert not re.fullmatch(r"[A-Z]{3}|IMET|FY\d{4}", box.get("placeholder", "")), box


# --- 13.8 offline and behind a proxy --------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_pages_name_no_host_and_load_nothing_from_elsewhere(client: Any, url: str) -> None:
    page = Page(client.get(url).text)
    for tag, attr in (("link", "href"), ("script", "src"), ("img", "src")):
        for element in page.all(tag):
            assert element[attr].startswith("/"), (url, element)  # served by the app
    for a in page.all("a"):
        href = a.get("href", "")
        assert not re.match(r"https?://(testserver|127\.|localhost)", href), (url, href)
    assert page.all("link", rel="icon")[0]["href"] == "/static/favicon.svg"


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_or_style(client: Any, url: str) -> None:
    html = client.get(url).text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
    assert not re.search(r"\sstyle=", html), url
    assert not re.search(r"\son[a-z]+=", html), url
    assert "<style" not in html


def test_the_assets_a_page_names_are_served(client: Any) -> None:
    for url in ("/", "/api/v1/docs"):
        page = Page(client.get(url).text)
        for element in page.all("link") + page.all("script"):
            src = element.get("href") or element.get("src")
            response = client.get(src)
            assert response.status_code == 200, src
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_api_docs_are_served_by_the_app(client: Any) -> None:
    page = Page(_get(client, "/api/v1/docs"))
    scripts = [s["src"] for s in page.all("script")]
    assert scripts == ["/static/swagger-ui/swagger-ui-bundle.js", "/static/api-docs.js"]
    assert page.all("div", id="swagger-ui")[0]["data-openapi"] == "/api/v1/openapi.json"
    bundle = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert len(bundle.content) > 500_000  # the real bundle, from the package


@pytest.fixture(scope="module")
def prefixed(web_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from fastapi.testclient import TestClient

    from fmtr.settings import ServerSettings
    from fmtr.web.app import create_app

    cache = str(tmp_path_factory.mktemp("render"))
    app = create_app(str(web_db), settings=ServerSettings(root_path="/fmtr/", image_cache=cache))
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("url", PAGES)
def test_every_page_works_under_a_path_prefix(prefixed: Any, url: str) -> None:
    # Through a proxy that keeps the prefix, and through one that strips it: the same page.
    kept = prefixed.get("/fmtr" + url)
    stripped = prefixed.get(url)
    assert kept.status_code == stripped.status_code
    assert kept.status_code in (200, 404)
    page = Page(kept.text)
    links = [a["href"] for a in page.all("a") if a.get("href")]
    links += [e["href"] for e in page.all("link")] + [e["src"] for e in page.all("script")]
    links += [f["action"] for f in page.all("form")]
    local = [h for h in links if not h.startswith(("http://", "https://", "#", "mailto:"))]
    assert local, url
    for href in local:
        assert href.startswith("/fmtr/"), (url, href)
    if url == "/api/v1/docs":
        assert page.all("div", id="swagger-ui")[0]["data-openapi"] == "/fmtr/api/v1/openapi.json"


def test_redirects_and_suggestions_keep_the_prefix(prefixed: Any) -> None:
    moved = prefixed.get("/fmtr/country/pk", follow_redirects=False)
    assert moved.headers["location"] == "/fmtr/country/PAK"
    page = Page(prefixed.get("/fmtr/country/Pakstan").text)
    assert page.all("a", id="suggestion")[0]["href"] == "/fmtr/country/Pakistan"
    assert prefixed.get("/fmtr/api/v1/countries/Pakstan").json()["error"]["code"] == (
        "unknown_country"
    )
    assert prefixed.get("/fmtr/api/v1/openapi.json").json()["servers"] == [{"url": "/fmtr"}]


# --- 13.9 structure -------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_heading_structure(client: Any, url: str) -> None:
    levels = [level for level, _ in Page(client.get(url).text).headings]
    assert levels[0] == 1 and levels.count(1) == 1, url
    assert 2 in levels, url
    for a, b in zip(levels, levels[1:], strict=False):
        assert b <= a + 1, (url, levels)  # no level skipped


@pytest.mark.parametrize("url", PAGES)
def test_nothing_takes_the_focus_away_from_the_navigation(client: Any, url: str) -> None:
    assert "autofocus" not in client.get(url).text


def test_the_source_image_opens_full_size(corpus_web_db: Path, corpus_web_app: Any) -> None:
    from fastapi.testclient import TestClient

    ident = (
        connect(corpus_web_db)
        .execute(
            "SELECT t.stable_id FROM training t JOIN programme_block b ON b.id = t.block_id "
            "JOIN document d ON d.id = b.document_id WHERE d.file LIKE '%.pdf' LIMIT 1"
        )
        .fetchone()[0]
    )
    with TestClient(corpus_web_app) as c:
        page = Page(c.get(f"/training/{ident}").text)
        zoom = page.all("a", **{"class": "zoom"})[0]["href"]
        assert zoom == f"/training/{ident}/source.png"
        assert c.get(zoom).headers["content-type"] == "image/png"


# --- issue 12: rows by identifier, citations ----------------------------------------------


def test_a_row_lives_at_its_stable_identifier(client: Any, web_db: Path) -> None:
    rid, ident = (
        connect(web_db)
        .execute("SELECT id, stable_id FROM training ORDER BY id DESC LIMIT 1")
        .fetchone()
    )
    for old in (str(rid), ident.upper()):
        moved = client.get(f"/training/{old}", follow_redirects=False)
        assert moved.status_code == 302  # not for good: an integer may name another row later
        assert moved.headers["location"] == f"/training/{ident}"
    html = _get(client, f"/training/{ident}")
    cited = client.get(f"/api/v1/cite?id={ident}").json()
    page = Page(html)
    text = html[html.index('id="cite-text"') :]
    text = text[text.index(">") + 1 : text.index("</textarea>")]
    assert text.replace("&#39;", "'").replace("&amp;", "&").replace("&quot;", '"') == cited["text"]
    assert "@misc{fmtr:" + ident in html
    assert '"type": "report"' in html.replace("&#34;", '"')
    assert page.all("a", href=f"/api/v1/cite?id={ident}")


def test_a_figure_page_shows_the_figure_and_its_citation(client: Any) -> None:
    moved = client.get("/figure/pakistan/imet/2018", follow_redirects=False)
    assert moved.headers["location"] == "/figure/PAK/IMET/FY2018"
    html = _get(client, "/figure/PAK/IMET/FY2018")
    cited = client.get("/api/v1/cite?id=PAK/IMET/FY2018").json()
    series = client.get("/api/v1/countries/PAK/series").json()["rows"]
    year = next(r for r in series if r["fy"] == 2018 and r["programme_code"] == "IMET")
    assert cited["values"]["trainees"] == year["trainees"]
    assert cited["values"]["cost_cents"] == year["cost_cents"]
    assert f'<dd id="figure-trainees">{year["trainees"]:,}</dd>' in html
    assert f'<dd id="figure-cost">{dollars(year["cost_cents"])}</dd>' in html
    assert cited["bibtex"].split("\n")[0] in html
    # Every year of the pivot links to its figure.
    country = _get(client, "/country/PAK")
    assert 'href="/figure/PAK/IMET/FY2018"' in country
    assert 'href="/figure/PAK/all/FY2018"' in country
    assert _get(client, "/figure/PAK/all/FY2018")


def test_how_to_cite_says_what_identifiers_promise(client: Any) -> None:
    html = _get(client, "/cite")
    for words in ("What an identifier promises", "What it does not promise", "CC0 1.0", "MIT"):
        assert words in html
    assert (
        client.get("/cite?id=PAK/IMET/FY2018", follow_redirects=False).headers["location"]
        == "/figure/PAK/IMET/FY2018"
    )
    assert (
        client.get("/cite?id=2002-fixture-p1-1", follow_redirects=False).headers["location"]
        == "/training/2002-fixture-p1-1"
    )


@pytest.mark.parametrize("url", PAGES)
def test_every_page_states_the_licence_of_the_data(client: Any, url: str) -> None:
    footer = client.get(url).text.split('<footer class="site">')[1]
    assert "public domain" in footer and "CC0 1.0" in footer and "MIT" in footer


# --- issue 14: the money beside the training ---------------------------------------------


def test_country_charts_show_the_obligations_from_the_first_year_with_data(
    client: Any, web_db: Path
) -> None:
    db = connect(web_db)
    first = db.execute(
        "SELECT min(fy) FROM funding_obligation "
        "WHERE programme_code = 'IMET' AND current_dollars > 0"
    ).fetchone()[0]
    obligated = dict(
        db.execute(
            "SELECT fy, sum(current_dollars) FROM funding_obligation WHERE country_code = 'PAK' "
            "AND programme_code = 'IMET' AND fy IS NOT NULL GROUP BY fy "
            "HAVING sum(current_dollars) > 0"
        ).fetchall()
    )
    constant = dict(
        db.execute(
            "SELECT fy, sum(constant_dollars) FROM funding_obligation WHERE country_code = 'PAK' "
            "AND programme_code = 'IMET' AND fy IS NOT NULL GROUP BY fy"
        ).fetchall()
    )
    html = _get(client, "/country/PAK")
    money = html[html.index('id="money"') : html.index('id="history"')]
    assert f"since FY{first}" in money and first < 1999
    chart = money[money.index('id="chart-obligations"') : money.index('id="chart-money-trainees"')]
    years = [int(y) for y in re.findall(r'<text class="axis"[^>]*>(\d{4})</text>', chart)]
    assert years[0] >= first and years[-1] <= 2020
    # A bar per fiscal year with an obligation, its value the Greenbook's.
    bars = dict(re.findall(r'<g class="bar" data-fy="(\d+)" data-total="([\d.]+)">', chart))
    assert {int(fy): round(float(v)) for fy, v in bars.items()} == obligated
    # The constant dollars as a line, a point per year the Greenbook covers.
    points = dict(
        re.findall(
            r'<circle [^>]*data-fy="(\d+)" data-value="([\d.]+)"', chart.split("line-courses")[0]
        )
    )
    for fy, dollars_2020 in constant.items():
        assert round(float(points[str(fy)])) == max(dollars_2020, 0)
    # Years with no obligation between years with one are gaps, told apart from years no
    # source covers, and the registry's events stand on the same axis, not clipped.
    gaps = {int(y) for y in re.findall(r'<g class="gap-year" data-fy="(\d+)"', chart)}
    assert 1978 in gaps and 2019 in gaps and not gaps & set(obligated)
    assert 'data-event="PAK-IMET-suspended-1991"' in chart
    assert (
        "clipped"
        not in re.search(r'<g class="event[^"]*" data-event="PAK-IMET-suspended-1991"', chart)[0]
    )
    # The training on the same axis: years before the reports are "not covered".
    trainees = money[money.index('id="chart-money-trainees"') :]
    uncovered = {int(y) for y in re.findall(r'<g class="uncovered-year" data-fy="(\d+)"', trainees)}
    assert set(range(first, 1999)) <= uncovered
    assert "no loaded edition covers the year" in trainees
    # The table of every year is the API's document.
    api = client.get("/api/v1/funding/timeline?country=PAK&programme=IMET").json()
    assert api["first_fy"] == first
    assert 'href="/api/v1/funding/timeline?country=PAK&amp;programme=IMET&amp;format=csv"' in money


def test_a_country_without_obligations_has_no_money_chart(client: Any) -> None:
    html = _get(client, "/country/PAK?programme=CTFP")  # CTFP has no Greenbook account
    assert 'id="money"' not in html


def test_the_largest_recipient_under_every_measure(client: Any, web_db: Path) -> None:
    db = connect(web_db)
    money = db.execute(
        "SELECT country_code, sum(current_dollars) s FROM funding_obligation "
        "WHERE programme_code = 'IMET' AND fy BETWEEN 2003 AND 2017 AND country_code IN "
        "(SELECT code FROM country WHERE kind = 'iso') GROUP BY 1 ORDER BY s DESC"
    ).fetchall()
    courses = db.execute(
        "SELECT b.country_code, sum(t.cost_cents) s, sum(t.quantity_value) q FROM training t "
        "JOIN programme_block b ON b.id = t.block_id WHERE b.counted = 1 "
        "AND b.programme_code = 'IMET' AND b.fy BETWEEN 2003 AND 2017 GROUP BY 1 ORDER BY s DESC"
    ).fetchall()
    trainees = sorted(courses, key=lambda r: -r[2])
    html = _get(client, "/largest?programme=IMET&from=FY2003&to=FY2017")
    assert "<h1>The largest recipient of IMET, FY2003–FY2017</h1>" in html

    def leader(measure: str) -> str:
        row = re.search(rf'<tr data-measure="{measure}">(.*?)</tr>', html, re.S)[1]
        return re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2]).strip()

    names = dict(db.execute("SELECT code, name FROM country").fetchall())
    assert leader("obligations_current") == names[money[0][0]]
    assert leader("course_costs") == names[courses[0][0]]
    assert leader("trainees") == names[trainees[0][0]]
    assert money[0][0] != courses[0][0]  # the fixture's measures disagree, and the page says so
    assert "It depends on the measure." in html
    verdict = re.sub(
        r"<[^>]+>", "", re.search(r'<p class="glance" id="verdict">(.*?)</p>', html, re.S)[1]
    )
    assert names[money[0][0]] in verdict and names[courses[0][0]] in verdict
    api = client.get("/api/v1/largest?programme=IMET&from=FY2003&to=FY2017").json()
    for note in api["notes"] + api["why_measures_can_disagree"]:
        assert note.replace("'", "&#39;").replace('"', "&#34;") in html or note in html
    assert (
        'href="/api/v1/largest?programme=IMET&amp;from=FY2003&amp;to=FY2017&amp;format=csv"' in html
    )
    # Reached from the programme's ranking, with its span.
    ranking = _get(client, "/programme/IMET?from=FY2003&to=FY2017")
    assert 'href="/largest?programme=IMET&amp;from=FY2003&amp;to=FY2017"' in ranking
