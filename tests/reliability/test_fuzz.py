"""Property-based fuzzing of the parsers: cells, headings, HTML. Nothing may escape but fmtr's own
error types, and each parser's documented contract must hold on any input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fmtr.clean.dates import parse_date
from fmtr.clean.money import parse_cost
from fmtr.clean.quantity import parse_quantity
from fmtr.clean.text import collapse_space, name_key, norm_key
from fmtr.extract import html_1999, html_2006, pdf_2000, pdf_2001, pdf_2007
from fmtr.extract.model import ExtractError
from fmtr.sources.catalog import CatalogEntry, Document

FUZZ = settings(max_examples=200, deadline=None)

# Text near what the cells hold: digits, separators, signs, currency, spaces, a few letters and
# the Unicode look-alikes (minus sign, full-width digits, no-break space) a PDF may carry.
CELL_ALPHABET = "0123456789,.$-−()/ \t\u00a0Ff Yy０１٣ATotals:"
cells = st.one_of(st.none(), st.text(), st.text(alphabet=CELL_ALPHABET, max_size=30))


@FUZZ
@given(cells)
def test_parse_cost_never_raises_and_flags_what_it_cannot_read(raw: str | None) -> None:
    p = parse_cost(raw)
    assert p.raw == raw
    assert p.value is not None or p.flag is not None  # never a silent None, never a made-up 0


@FUZZ
@given(cells)
def test_parse_quantity_never_raises(raw: str | None) -> None:
    p = parse_quantity(raw)
    if p.value is not None:
        assert isinstance(p.value, int)
    else:
        assert p.flag is not None  # never a silent None


@FUZZ
@given(cells, st.integers(min_value=1990, max_value=2030))
def test_parse_date_never_raises(raw: str | None, first_year: int) -> None:
    p = parse_date(raw, first_year)
    assert p.value is not None or p.flag is not None


@FUZZ
@given(st.text())
def test_text_keys_are_idempotent_and_never_raise(text: str) -> None:
    key = norm_key(text)
    assert key is None or norm_key(key) == key
    assert collapse_space(text) == collapse_space(collapse_space(text))
    name_key(text)


@FUZZ
@given(st.integers(0, 10**15), st.booleans())
def test_parse_cost_reads_what_the_report_style_prints(cents: int, negative: bool) -> None:
    from decimal import Decimal

    from fmtr.clean.money import format_cost

    value = Decimal(cents) / 100 * (-1 if negative else 1)
    assert parse_cost(format_cost(value)).value == value


# --- heading parsers of the extractors ---------------------------------------------------------

HEADING_ALPHABET = "abcXYZ ,-:FYRegionsRepublicOfThe0123456789()/&'"
headings = st.one_of(st.text(max_size=120), st.text(alphabet=HEADING_ALPHABET, max_size=120))


@FUZZ
@given(headings)
def test_pdf_2000_heading_parser(text: str) -> None:
    h = pdf_2000._parse_heading(text)
    assert h.text == text
    h.key  # noqa: B018 - the property must compute on any heading


@FUZZ
@given(headings)
def test_pdf_2001_heading_parser(text: str) -> None:
    m = pdf_2001._HEADING.match(text)
    if m:
        country, programme = pdf_2001._split_country(m["rest"])
        assert m["rest"] in (f"{country}, {programme}", country + programme)


@FUZZ
@given(headings)
def test_pdf_2007_heading_parser(text: str) -> None:
    m = pdf_2007._HEADING.match(text)
    if m:
        assert int(m["fy"]) >= 0 and text.endswith(" Training")
    pdf_2007._COUNTRY_TOTAL.match(text)
    pdf_2007._FY_TOTAL.match(text)


@FUZZ
@given(headings, st.one_of(st.none(), st.text(max_size=20)))
def test_html_1999_heading_parser(text: str, region: str | None) -> None:
    m = html_1999._HEADING.match(text)
    if m:
        block = html_1999._block(text, m, region)
        assert block.heading == text and block.country is not None


@FUZZ
@given(headings)
def test_html_2006_heading_parser(text: str) -> None:
    m = html_2006._HEADING.match(text)
    if m:
        assert m["fy"].isdigit()


# --- HTML pages -------------------------------------------------------------------------------

TAGS = [
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    "<th>",
    "<p>",
    "<br>",
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<title>",
    "</title>",
    "&nbsp;",
    "&amp;",
    "<!--",
    "-->",
    "<td colspan=2>",
]
WORDS = [
    "Course Title",
    "Students",
    "Location",
    "Student's Unit",
    "US Units",
    "Total Cost",
    "Start Date",
    "End Date",
    "FY 2006 Program Totals",
    "Angola FY 2006 Totals",
    "IMET - FY 2006 DOD Training",
    "Sri Lanka, IMET, FY 00",
    "Program Totals",
    "Country Totals",
    "FY 00 Totals",
    "Title of",
    "Africa Region",
    "$1,234",
    "12",
    "10/19/2006",
    "Cape Verde, Republic Of, IMET, FY 00",
    "Africa Region (Continued)",
    "x",
]
html_pages = st.lists(
    st.one_of(st.sampled_from(TAGS), st.sampled_from(WORDS), st.text(max_size=8)), max_size=80
).map("".join)


def _document(edition: str, file: str) -> Document:
    entry = CatalogEntry(edition, "Africa", file, None, None, "https://example.invalid/", "", "")
    return Document(edition, file, entry.url, "", (entry,))


@pytest.mark.parametrize(
    ("module", "edition"), [(html_1999, "FY1999-2000"), (html_2006, "FY2006-2007")]
)
def test_html_extractors_raise_only_extract_errors(
    module: object, edition: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("html")

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(html_pages)
    def run(page: str) -> None:
        path = folder / "page.html"
        path.write_text(page, "utf-8", errors="surrogatepass")
        doc = _document(edition, "page.html")
        try:
            extract = module.extract(path, doc)  # type: ignore[attr-defined]
        except ExtractError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("page.html")
            return
        for block in extract.blocks:
            for row in block.rows:
                assert row.page == 1

    run()


@FUZZ
@given(st.binary(max_size=2000))
def test_html_parser_takes_any_bytes(data: bytes) -> None:
    import tempfile

    from fmtr.extract import htmltables as ht

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.html"
        path.write_bytes(data)
        try:
            tree = ht.parse(path, "x.html")
        except ExtractError:
            assert not data.strip()
            return
        for table in ht.leaf_tables(tree):
            for cells in ht.table_rows(table):
                assert all(c is None or (c == c.strip() and c) for c in cells)
                assert not re.search(r"\s\s", ht.line_of(cells))
