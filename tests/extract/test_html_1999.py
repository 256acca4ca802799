"""FY1999-2000 HTML pages: small fixtures written here, plus real pages read from the corpus.

Expected values were read from the HTML source of the corpus pages (the rows quoted in the
comments are the page's own <TR> lines).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from corpus_kit import corpus_document
from fmtr.extract.html_1999 import extract
from fmtr.extract.model import (
    COUNTRY,
    FISCAL_YEAR,
    PROGRAMME,
    DocumentExtract,
    ExtractError,
    ProgrammeBlock,
)
from fmtr.sources.catalog import CatalogEntry, Document, documents, read_catalog

EDITION = "FY1999-2000"

# Site chrome as the archive captures have it (nested layout tables), then the report.
_CHROME = """<html><head><title>Foreign Military Training Report FY 1999 and 2000</title>
<script>var x = "<tr><td>not a row</td></tr>";</script></head><body>
<div id="archivebanner"><table><tbody><tr><td><table><tr><td>
<a href="#">Other State Department Archive Sites</a></td></tr></table></td></tr></tbody></table>
</div>
<BLOCKQUOTE><TABLE><TR><TD WIDTH=95><IMG src="/images/dosthumb.gif"></TD><TD WIDTH=505>
<B>Foreign Military Training and DoD <BR>Engagement Activities of Interest, Volume I</B>
</TD></TR></TABLE>
"""


def _doc(file: str) -> Document:
    entry = CatalogEntry(EDITION, "Africa", file, None, None, "https://example.invalid/", "", "")
    return Document(EDITION, file, entry.url, "", (entry,))


def _write(tmp_path: Path, body: str, name: str = "page.html") -> tuple[Path, Document]:
    path = tmp_path / name
    path.write_text(_CHROME + body + "</BLOCKQUOTE></body></html>", "latin-1")
    return path, _doc(name)


def _block(ex: DocumentExtract, heading: str) -> ProgrammeBlock:
    found = [b for b in ex.blocks if b.heading == heading]
    assert len(found) == 1, [b.heading for b in ex.blocks]
    return found[0]


def _cells(block: ProgrammeBlock) -> list[tuple[str | None, str | None, str | None]]:
    return [(r.course_title, r.quantity, r.cost) for r in block.rows]


def _totals(block: ProgrammeBlock) -> list[tuple[str, str, str | None, str | None]]:
    return [(t.kind, t.label, t.quantity, t.cost) for t in block.totals]


def test_fixture_headings_wrapped_titles_and_totals(tmp_path: Path) -> None:
    path, doc = _write(
        tmp_path,
        """<FONT SIZE=+1><I>Africa Region (Continued)</I></FONT><P><TABLE>
<TR><TD>Benin, International Military Education And Training</TD></TR>
<TR><TD> (IMET), FY 99</TD></TR>
<TR><TD>AIR COMD &amp; STAFF COLLEGE</TD><TD>1</TD><TD ALIGN="RIGHT">$9,630</TD></TR>
<TR><TD>JCET: SOF METL TNG: SMALL </TD><TD>35</TD><TD ALIGN="RIGHT">$167,000</TD></TR>
<TR><TD>UNIT</TD></TR>
<TR><TD>JCSOS</TD><TD>2</TD></TR>
<TR><TD>FY 99 Totals: </TD><TD>38</TD><TD ALIGN="RIGHT">$176,630</TD><TD></TD></TR>
<TR><TD>Program Totals: </TD><TD>38</TD><TD ALIGN="RIGHT">$176,630</TD></TR>
<TR><TD>Z<B>imbabwe, Non-Security Assistance, Unified Command</B></TD></TR>
<TR><TD> <B>Engagement Activities, FY 0</B>0</TD></TR>
<TR><TD>Humanitarian Demining</TD><TD>1</TD></TR>
<TR><TD>FY 00 Totals: </TD><TD>1</TD></TR>
<TR><TD> Country Totals: </TD><TD>271</TD><TD ALIGN="RIGHT">$1,740,255</TD></TR>
<TR><TD>&nbsp;</TD></TR>
</TABLE><P><FONT SIZE="1">[end of file]</FONT>""",
    )
    ex = extract(path, doc)
    assert (ex.file, ex.pages, ex.unplaced) == ("page.html", 1, [])
    benin, zimbabwe = ex.blocks
    assert benin.heading == "Benin, International Military Education And Training (IMET), FY 99"
    assert (benin.region, benin.country, benin.programme, benin.fiscal_year) == (
        "Africa Region",
        "Benin",
        "International Military Education And Training (IMET)",
        "FY 99",
    )
    assert benin.department is None
    assert (benin.first_page, benin.last_page) == (1, 1)
    assert _cells(benin) == [
        ("AIR COMD & STAFF COLLEGE", "1", "$9,630"),
        ("JCET: SOF METL TNG: SMALL UNIT", "35", "$167,000"),
        ("JCSOS", "2", None),
    ]
    assert all(r.page == 1 and r.last_page is None for r in benin.rows)
    assert _totals(benin) == [
        (FISCAL_YEAR, "FY 99 Totals:", "38", "$176,630"),
        (PROGRAMME, "Program Totals:", "38", "$176,630"),
    ]
    # Inline tags split no words: "Z<B>imbabwe" is "Zimbabwe", "FY 0</B>0" is "FY 00".
    assert zimbabwe.country == "Zimbabwe"
    assert zimbabwe.programme == "Non-Security Assistance, Unified Command Engagement Activities"
    assert zimbabwe.fiscal_year == "FY 00"
    assert _cells(zimbabwe) == [("Humanitarian Demining", "1", None)]
    assert _totals(zimbabwe) == [
        (FISCAL_YEAR, "FY 00 Totals:", "1", None),
        (COUNTRY, "Country Totals:", "271", "$1,740,255"),
    ]


def test_fixture_rows_after_a_stray_table_end_are_kept(tmp_path: Path) -> None:
    path, doc = _write(
        tmp_path,
        """<TABLE>
<TR><TD><B>Egypt, Miscellaneous DoD-DoS Activities, FY 00</B></TD></TR>
<TR><TD>BLUE FLAG 00</TD><TD>10</TD><TD ALIGN="RIGHT">$0</TD></TR></TABLE>

<TR><TD>MTT SMALL BOAT OPS CG11</TD><TD>30</TD><TD ALIGN="RIGHT">$0</TD></TR>
<TR><TD>FY 00 Totals: </TD><TD>40</TD><TD ALIGN="RIGHT">$0</TD><TD></TD></TR>
<P><FONT SIZE="1">[end of file]</FONT>""",
    )
    (egypt,) = extract(path, doc).blocks
    assert egypt.region == "Africa"  # no caption: the catalog's region
    assert _cells(egypt) == [("BLUE FLAG 00", "10", "$0"), ("MTT SMALL BOAT OPS CG11", "30", "$0")]
    assert _totals(egypt) == [(FISCAL_YEAR, "FY 00 Totals:", "40", "$0")]


def test_fixture_heading_repeated_around_column_header_is_one_block(tmp_path: Path) -> None:
    path, doc = _write(
        tmp_path,
        """<TABLE>
<TR><TD><B>Cape Verde, Republic Of, Asia Pacific Center, FY 99</B></TD></TR>
<TR><TD>Executive Course 98-3</TD><TD>2</TD><TD ALIGN="RIGHT">$20,736</TD></TR>
<TR><TD>
 <B>South Asia Region, Cape Verde, Republic Of, Asia Pacific Center, FY 00</B> </TD></TR>
<TR><TD>Title of </TD><TD># </TD><TD ALIGN="RIGHT">Cost</TD></TR>
<TR><TD><B>Cape Verde, Republic Of, Asia Pacific Center, FY 00</B></TD></TR>
<TR><TD>Senior Executive Course</TD><TD>1</TD><TD ALIGN="RIGHT">$10,110</TD></TR>
<TR><TD>Stray line</TD></TR>
</TABLE>""",
    )
    ex = extract(path, doc)
    assert [(b.country, b.programme, b.fiscal_year) for b in ex.blocks] == [
        ("Cape Verde, Republic Of", "Asia Pacific Center", "FY 99"),
        ("Cape Verde, Republic Of", "Asia Pacific Center", "FY 00"),
    ]
    assert ex.blocks[1].heading == "Cape Verde, Republic Of, Asia Pacific Center, FY 00"
    assert ex.blocks[1].region == "South Asia Region"
    assert _cells(ex.blocks[1]) == [("Senior Executive Course Stray line", "1", "$10,110")]


def test_fixture_total_before_any_heading_is_unplaced(tmp_path: Path) -> None:
    path, doc = _write(
        tmp_path,
        """<TABLE>
<TR><TD>FY 99 Totals: </TD><TD>3</TD><TD>$5</TD></TR>
<TR><TD><B>Chad, Exchanges, FY 99</B></TD></TR>
<TR><TD>A COURSE</TD><TD>3</TD><TD>$5</TD><TD>extra</TD></TR>
</TABLE>""",
    )
    ex = extract(path, doc)
    assert _cells(ex.blocks[0]) == [("A COURSE", "3", "$5")]
    assert ex.unplaced == [
        (1, "FY 99 Totals: | 3 | $5"),
        (1, "A COURSE | 3 | $5 | extra (cells beyond column 3)"),
    ]


def test_not_a_report_raises(tmp_path: Path) -> None:
    path = tmp_path / "toc.html"
    path.write_text(_CHROME + "<P>Table of Contents</P><TABLE><TR><TD>Preface</TD></TR></TABLE>")
    with pytest.raises(ExtractError) as err:
        extract(path, _doc("FY1999-2000/toc.html"))
    message = str(err.value)
    assert message.startswith("FY1999-2000/toc.html: ")
    assert "\n" not in message


def test_empty_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("")
    with pytest.raises(ExtractError, match=r"^empty\.html: empty file"):
        extract(path, _doc("empty.html"))


# --- real pages ---------------------------------------------------------------------------


def _corpus_extract(corpus: Path, file: str) -> DocumentExtract:
    return extract(corpus / file, corpus_document(corpus, file))


def test_corpus_africa_first_page(corpus: Path) -> None:
    ex = _corpus_extract(corpus, "FY1999-2000/cta_af_a2gam.html")
    assert ex.unplaced == []
    angola = ex.blocks[0]
    # <TR><TD><B>Angola, Africa Center for Strategic Studies, FY 00</B></TD></TR>
    assert angola.heading == "Angola, Africa Center for Strategic Studies, FY 00"
    assert (angola.region, angola.country, angola.programme, angola.fiscal_year) == (
        "Africa Region",
        "Angola",
        "Africa Center for Strategic Studies",
        "FY 00",
    )
    assert _cells(angola) == [("ACSS Seminar", "4", "$64,360")]
    assert _totals(angola) == [
        (FISCAL_YEAR, "FY 00 Totals:", "4", "$64,360"),
        (PROGRAMME, "Program Totals:", "4", "$64,360"),
        (COUNTRY, "Country Totals:", "4", "$64,360"),
    ]
    # Heading over two rows, neither bold: "Benin, ... And Training" / " (IMET), FY 99".
    benin = ex.blocks[1]
    assert benin.heading == "Benin, International Military Education And Training (IMET), FY 99"
    assert _cells(benin)[:3] == [
        ("AIR COMD & STAFF COLLEGE", "1", "$9,630"),
        ("AIRBORNE", "1", "$438"),
        ("AMERICAN LANGUAGE COURSE", "1", "$2,150"),
    ]
    # Lines 398-402: the title wraps onto a one-cell row "UNIT".
    chad = _block(ex, "Chad, Miscellaneous DoD-DoS Activities, FY 99")
    assert _cells(chad) == [("JCET: SOF METL TNG: SMALL UNIT", "35", "$167,000")]
    assert _totals(chad)[:2] == [
        (FISCAL_YEAR, "FY 99 Totals:", "35", "$167,000"),
        (PROGRAMME, "Program Totals:", "35", "$167,000"),
    ]


def test_corpus_rows_without_cost_and_split_words(corpus: Path) -> None:
    ex = _corpus_extract(corpus, "FY1999-2000/cta_af_sao2zim.html")
    heading = "Zimbabwe, Non-Security Assistance, Unified Command Engagement Activities, FY 99"
    first = _block(ex, heading)
    assert first.country == "Zimbabwe"  # printed "Z<B>imbabwe, ..."
    assert _cells(first) == [("Humanitarian Demining", "54", "$1,394,000")]
    fy00 = _block(ex, heading.replace("FY 99", "FY 00"))
    assert _cells(fy00) == [("Humanitarian Demining", "1", None)]
    assert _totals(fy00) == [
        (FISCAL_YEAR, "FY 00 Totals:", "1", None),
        (PROGRAMME, "Program Totals:", "55", "$1,394,000"),
    ]
    last = ex.blocks[-1]
    assert last.heading == "Zimbabwe, Miscellaneous DoD-DoS Activities, FY 99"
    assert _cells(last) == [("JCSOS", "2", None)]
    assert _totals(last)[-1] == (COUNTRY, "Country Totals:", "271", "$1,740,255")


def test_corpus_rows_after_stray_table_end(corpus: Path) -> None:
    ex = _corpus_extract(corpus, "FY1999-2000/cta_nea_alg2eg.html")
    egypt = ex.blocks[-1]
    assert egypt.heading == "Egypt, Miscellaneous DoD-DoS Activities, FY 00"
    # Lines 865-876; the table is closed after line 870 in the source.
    assert _cells(egypt)[5:] == [
        ("MTT OPS TRA PRGM DEV CG12", "30", "$0"),
        ("MTT SEARCH COORD & PLAN 22", "30", "$0"),
        ("MTT SMALL BOAT OPS CG11", "30", "$0"),
        ("OJT ENL SAR-GULF COAST", "6", "$2,526"),
        ("OJT OFF SAR-GULF COAST", "6", "$2,562"),
        ("SEARCH/RESCUE MARITIME", "12", "$12,912"),
    ]
    assert _totals(egypt) == [
        (FISCAL_YEAR, "FY 00 Totals:", "177", "$64,047"),
        (PROGRAMME, "Program Totals:", "309", "$251,047"),
        (COUNTRY, "Country Totals:", "4952", "$31,374,853"),
    ]


def test_corpus_heading_without_year_digits(corpus: Path) -> None:
    ex = _corpus_extract(corpus, "FY1999-2000/cta_nea_ir2ye.html")
    saudi = _block(ex, "Saudi Arabia, Miscellaneous DoD-DoS Activities, FY")
    assert saudi.fiscal_year == "FY"
    assert _cells(saudi) == [("BLUE FLAG 00", "10", "$0")]
    assert _totals(saudi)[0] == (FISCAL_YEAR, "FY 00 Totals:", "10", "$0")


def test_corpus_repeated_heading_is_one_block(corpus: Path) -> None:
    ex = _corpus_extract(corpus, "FY1999-2000/cta_sasia_all.html")
    apc = [
        b for b in ex.blocks if b.country == "Sri Lanka" and b.programme == "Asia Pacific Center"
    ]
    assert [b.fiscal_year for b in apc] == ["FY 99", "FY 00"]
    assert _cells(apc[1]) == [
        ("Executive Course 00-1", "2", "$33,298"),
        ("Executive Course 00-2", "2", "$31,544"),
        ("Senior Executive Course", "1", "$10,110"),
    ]
    assert _totals(apc[1]) == [
        (FISCAL_YEAR, "FY 00 Totals:", "5", "$74,952"),
        (PROGRAMME, "Program Totals:", "14", "$190,145"),
    ]


def _number(text: str | None) -> Decimal:
    return Decimal((text or "0").replace("$", "").replace(",", ""))


def test_corpus_every_printed_total_reconciles(corpus: Path) -> None:
    """Every fiscal-year, programme and country total equals the sum of the rows it covers."""
    docs = [d for d in documents(read_catalog(corpus / "manifest.tsv")) if d.edition == EDITION]
    assert len(docs) == 16
    checked = 0
    for doc in docs:
        ex = extract(corpus / doc.file, doc)
        assert ex.unplaced == [], doc.file
        scopes: dict[str, list[ProgrammeBlock]] = {PROGRAMME: [], COUNTRY: []}
        for block in ex.blocks:
            if scopes[COUNTRY] and scopes[COUNTRY][-1].country != block.country:
                scopes[COUNTRY] = []
            if scopes[PROGRAMME] and (
                scopes[PROGRAMME][-1].programme != block.programme
                or scopes[PROGRAMME][-1].country != block.country
            ):
                scopes[PROGRAMME] = []
            scopes[PROGRAMME].append(block)
            scopes[COUNTRY].append(block)
            for total in block.totals:
                covered = [block] if total.kind == FISCAL_YEAR else scopes[total.kind]
                rows = [r for b in covered for r in b.rows]
                where = f"{doc.file} {block.heading} {total.label}"
                assert sum(_number(r.quantity) for r in rows) == _number(total.quantity), where
                assert sum(_number(r.cost) for r in rows) == _number(total.cost), where
                checked += 1
    assert checked == 661 + 446 + 145
