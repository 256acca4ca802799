"""`fmtr debug-page`: what a layout module saw on a page, traced and drawn, on real pages cut
from the corpus for each PDF layout family (one of them a page PDFium reads rotated).

The trace must not change what a module gives (the same document with and without it), must
hold exactly the rows the module gives for the page, each with cells that spell its fields
and were found on the page's lines; the picture has the page's size and its column lines
where the trace puts the column starts.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from typer.testing import CliRunner

from corpus_kit import corpus_document, cut_document, cut_pdf, tiny_report_pdf, write_manifest
from fmtr.cli.app import app
from fmtr.extract import family_of
from fmtr.extract.debug import COLUMN_COLOUR, UNPLACED_COLOUR, document_of, draw, trace_page
from fmtr.extract.model import DocumentExtract, TrainingRow
from fmtr.extract.trace import ANCHOR
from fmtr.sources.catalog import Document

runner = CliRunner()
FIELDS_OF_ROW = [f.name for f in dataclasses.fields(TrainingRow) if f.type == "str | None"]

# (edition, file, pages cut, the cut's page traced): one page per PDF layout family, and a
# FY2009-2010 page (the FY2007+ layout on pages PDFium reads rotated by 90 degrees).
CASES = [
    ("FY2016-2017", "FY2016-2017/Africa.pdf", [2, 3, 4], 2),
    ("FY2009-2010", "FY2009-2010/155997.pdf", [4, 5], 2),
    ("FY2001-2002", "FY2001-2002/10964.pdf", [2, 3], 2),
    ("FY2000-2001", "FY2000-2001/3164.pdf", [19, 20, 21], 2),
]


def _cut(corpus: Path, file: str, pages: list[int], tmp_path: Path) -> tuple[Path, Document]:
    dst = cut_pdf(corpus / file, pages, tmp_path / "cut.pdf")
    return dst, cut_document(corpus_document(corpus, file), dst)


def _rows_on(result: DocumentExtract, page: int) -> list[TrainingRow]:
    """The rows a module gave that have a line on ``page``."""
    return [
        r
        for b in result.blocks
        for r in b.rows
        if r.page <= page <= (r.last_page if r.last_page is not None else r.page)
    ]


def _squeezed(text: str | None) -> str:
    return "".join((text or "").split())


@pytest.mark.parametrize("case", CASES, ids=[c[1] for c in CASES])
def test_trace_holds_the_rows_the_module_gives(
    corpus: Path, tmp_path: Path, case: tuple[str, str, list[int], int]
) -> None:
    edition, file, pages, page = case
    path, doc = _cut(corpus, file, pages, tmp_path)
    import importlib

    module = importlib.import_module(f"fmtr.extract.{family_of(edition)}")
    plain: DocumentExtract = module.extract(path, doc)
    trace, traced = trace_page(path, doc, page)
    # The trace changes nothing the module gives.
    assert dataclasses.asdict(traced) == dataclasses.asdict(plain)
    rows = _rows_on(plain, page)
    assert len(rows) >= 10
    assert [dataclasses.asdict(t.row) for t in trace.rows] == [dataclasses.asdict(r) for r in rows]
    for t in trace.rows:
        # Each field of the row is spelt by its cells (joined as the module joins wrapped
        # lines: with a space or none after a hyphen, so compared without spaces)...
        for name in FIELDS_OF_ROW:
            cells = "".join(c.text for c in t.cells if c.field == name)
            assert _squeezed(cells) == _squeezed(getattr(t.row, name)), (t.row, name)
        # ... each cell of the page was found on a line of the page, where the module read it.
        ys = {line.y for line in trace.lines}
        for c in t.cells:
            if c.page == page:
                assert c.x0 is not None and c.y in ys, c
    anchored = [t for t in trace.rows if t.page == page]
    anchor_ys = {line.y for line in trace.lines if line.role == ANCHOR}
    assert {t.anchor_y for t in anchored} <= anchor_ys
    assert trace.columns and all(len(c.starts) >= 3 for c in trace.columns)
    assert [text for text, _ in trace.unplaced] == [t for p, t in plain.unplaced if p == page]


def test_unplaced_lines_are_found_on_their_line_and_drawn(corpus: Path, tmp_path: Path) -> None:
    """FY2016-2017/Africa.pdf p.50: the report printed a row's cells on its programme's total
    line ("Fiscal Year 2016 Program Totals 120 Niger N/A N/A $693,315 7/9/2016 7/23/2016"):
    the module keeps them as unplaced, and the picture boxes them in red on that line."""
    path, doc = _cut(corpus, "FY2016-2017/Africa.pdf", [49, 50, 51], tmp_path)
    trace, _ = trace_page(path, doc, 2)
    assert len(trace.unplaced) == 1
    text, index = trace.unplaced[0]
    assert text == "Niger N/A N/A 7/9/2016 7/23/2016"
    assert index is not None
    line = trace.lines[index]
    assert line.text.startswith("Fiscal Year 2016 Program Totals 120 Niger")
    png = draw(path, trace, tmp_path / "p.png", 2.0)
    with Image.open(png) as image:
        pixels = image.convert("RGB").load()
        assert pixels is not None
        y = round(line.y * 2)
        red = [x for x in range(image.size[0]) for dy in range(-30, 30)
               if pixels[x, y + dy] == UNPLACED_COLOUR]  # fmt: skip
    # The red box starts at "Niger" (the first word left unplaced), not at the line's start.
    niger = next(x for x, w in line.words if w == "Niger")
    assert red and abs(min(red) - niger * 2) < 12


@pytest.mark.parametrize("case", CASES, ids=[c[1] for c in CASES])
def test_picture_has_the_page_size_and_column_lines_at_the_starts(
    corpus: Path, tmp_path: Path, case: tuple[str, str, list[int], int]
) -> None:
    _, file, pages, page = case
    path, doc = _cut(corpus, file, pages, tmp_path)
    trace, _ = trace_page(path, doc, page)
    scale = 2.0
    png = draw(path, trace, tmp_path / "out" / "page.png", scale)
    pdf = pdfium.PdfDocument(str(path))
    width, height = pdf[page - 1].get_size()  # as shown (rotation applied)
    pdf.close()
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.size == (round(width * scale), round(height * scale))
        pixels = image.convert("RGB").load()
        assert pixels is not None
        drawn = 0
        for cols in trace.columns:
            y = round((cols.top + 30) * scale)  # under the column header: inside the table
            for _, x in cols.starts:
                near = [pixels[round(x * scale) + dx, y] for dx in (-1, 0, 1)]
                assert COLUMN_COLOUR in near, (x, near)
                drawn += 1
        assert drawn >= 6
        # Nowhere else than on the column lines is that colour used.
        xs = {
            round(x * scale) + dx for c in trace.columns for _, x in c.starts for dx in (-1, 0, 1)
        }
        elsewhere = sum(
            1
            for px in range(0, image.size[0], 3)
            for py in range(0, image.size[1], 7)
            if pixels[px, py] == COLUMN_COLOUR and px not in xs
        )
        assert elsewhere < 40


# --------------------------------------------------------------------------- the command


def _corpus_of_cut(corpus: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A corpus of FY2016-2017/Africa.pdf pages 2-4, with its manifest."""
    root = tmp_path / "corpus"
    (root / "FY2016-2017").mkdir(parents=True)
    cut = cut_pdf(corpus / "FY2016-2017/Africa.pdf", [2, 3, 4], root / "FY2016-2017" / "Africa.pdf")
    write_manifest(root, [("FY2016-2017", "Africa", "FY2016-2017/Africa.pdf", "")])
    return root, cut


def test_command_on_a_page_made_in_code(tmp_path: Path) -> None:
    """No corpus needed: a one-row page of the FY2007+ layout, its folder naming the edition."""
    (tmp_path / "FY2016-2017").mkdir()
    pdf = tiny_report_pdf(tmp_path / "FY2016-2017" / "tiny.pdf")
    out = tmp_path / "tiny.png"
    result = runner.invoke(app, ["debug-page", str(pdf), "1", "-o", str(out), "--scale", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        str(out),
        "FY2016-2017/tiny.pdf page 1 (pdf_2007): 1 rows (1 anchored on this page), 8 cells, "
        "1 column sets, 0 unplaced lines",
    ]
    with Image.open(out) as image:
        assert image.size == (792, 612)
    doc = json.loads(
        runner.invoke(app, ["debug-page", str(pdf), "1", "-o", str(out), "--json"]).stdout
    )
    (row,) = doc["rows"]
    assert row["row"]["course_title"] == "Basic Course" and row["row"]["cost"] == "$1,000"
    assert [(c["field"], c["x0"]) for c in row["cells"]][:3] == [
        ("course_title", 20.0),
        ("quantity", 200.0),
        ("location", 235.0),
    ]
    roles = [(line["role"], line["words"][0][1]) for line in doc["lines"]]
    assert roles == [
        ("other", "Angola"),
        ("heading", "IMET"),
        ("header", "Course"),
        ("anchor", "Basic"),
        ("total", "FY"),
    ]


def test_command_prints_the_picture_and_a_summary(corpus: Path, tmp_path: Path) -> None:
    root, cut = _corpus_of_cut(corpus, tmp_path)
    out = tmp_path / "p2.png"
    result = runner.invoke(app, ["debug-page", str(cut), "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    first, second = result.stdout.strip().splitlines()
    assert first == str(out) and out.is_file()
    assert second.startswith("FY2016-2017/Africa.pdf page 2 (pdf_2007): 48 rows")
    assert second.endswith("0 unplaced lines")
    result = runner.invoke(app, ["debug-page", str(cut), "2", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["file"], doc["page"], doc["family"], doc["png"]) == (
        "FY2016-2017/Africa.pdf",
        2,
        "pdf_2007",
        str(out),
    )
    assert len(doc["rows"]) == 48 and doc["cells"] > 48 * 5


def test_a_new_edition_is_read_by_its_folder_name(corpus: Path, tmp_path: Path) -> None:
    """No manifest names it: the edition is its folder's name, the layout the edition's."""
    folder = tmp_path / "FY2022-2023"
    folder.mkdir()
    new = cut_pdf(corpus / "FY2016-2017/Africa.pdf", [3], folder / "Africa.pdf")
    doc = document_of(new)
    assert (doc.edition, doc.file, family_of(doc.edition)) == (
        "FY2022-2023",
        "FY2022-2023/Africa.pdf",
        "pdf_2007",
    )
    other = tmp_path / "misc" / "x.pdf"
    other.parent.mkdir()
    other.write_bytes(new.read_bytes())
    result = runner.invoke(
        app,
        ["debug-page", str(other), "1", "--edition", "FY2022-2023", "-o", str(tmp_path / "x.png")],
    )
    assert result.exit_code == 0, result.output
    assert "(pdf_2007): 48 rows" in result.stdout


def _refused(args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["debug-page", *args])
    assert result.exit_code == 2, (args, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], (args, result.stderr)
    assert "Traceback" not in result.output and "unexpected" not in result.stderr


def test_bad_input_is_one_line_and_exit_2(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As under `make test` and for most users: FMTR_CORPUS names the real corpus, and the
    # cut file's own manifest (in the folder above it) must still be the one read.
    monkeypatch.setenv("FMTR_CORPUS", str(corpus))
    root, cut = _corpus_of_cut(corpus, tmp_path)
    png = ["--out", str(tmp_path / "x.png")]
    _refused([str(cut), "4", *png], "has 3 pages, not page 4")
    _refused([str(cut), "0", *png], "page")
    _refused([str(cut), "two", *png], "page")
    _refused([str(tmp_path / "nosuch.pdf"), "1", *png], "no such file")
    _refused([str(cut), "1", "--layout", "html_1999", *png], "layout")
    html = corpus / "FY1999-2000/cta_sasia_all.html"
    _refused([str(html), "1", *png], "an HTML edition (html_1999) has no page image")
    # A file of no edition: neither in a manifest nor in a folder named after one.
    stray = tmp_path / "stray.pdf"
    stray.write_bytes(cut.read_bytes())
    _refused([str(stray), "1", *png], "cannot tell its edition")
    _refused([str(stray), "1", "--edition", "2016", *png], "cannot tell its edition")
    # Not a PDF, an empty one, and a PDF that is no report of the layout.
    fake = tmp_path / "FY2016-2017" / "fake.pdf"
    fake.parent.mkdir()
    fake.write_text("not a pdf", "utf-8")
    _refused([str(fake), "1", *png], "not a PDF")
    (fake.parent / "empty.pdf").write_bytes(b"")
    _refused([str(fake.parent / "empty.pdf"), "1", *png], "empty file")
    blank = pdfium.PdfDocument.new()
    blank.new_page(612, 792)
    blank.save(str(fake.parent / "blank.pdf"))
    _refused([str(fake.parent / "blank.pdf"), "1", *png], "no programme heading found")
    # A page the build does not read (outside the manifest's page range for the file).
    (root / "manifest.tsv").unlink()
    write_manifest(root, [("FY2016-2017", "Africa", "FY2016-2017/Africa.pdf", "")])
    text = (
        (root / "manifest.tsv").read_text("utf-8").replace("Africa.pdf\t\t\t", "Africa.pdf\t2\t3\t")
    )
    (root / "manifest.tsv").write_text(text, "utf-8")
    _refused([str(cut), "1", *png], "the build does not read it (its catalog pages: 2-3)")


def test_a_page_of_every_pdf_edition_is_traced_whole(corpus: Path) -> None:
    """For each PDF edition (its first file's first region, a page up to ten pages in): the
    trace holds the rows the module gives for the page, and each of their cells on the page was
    found among the words of a line of the page."""
    from dataclasses import replace

    from fmtr.extract.pdfwords import page_count
    from fmtr.sources.catalog import documents, read_catalog

    firsts: dict[str, Document] = {}
    for doc in documents(read_catalog(corpus / "manifest.tsv")):
        if doc.kind == "pdf":
            firsts.setdefault(doc.edition, doc)
    assert len(firsts) >= 19
    for edition, doc in firsts.items():
        path = corpus / doc.file
        first = doc.entries[0]
        a, b = first.first_pdf_page or 1, first.last_pdf_page or page_count(path)
        page = a + max(1, min(10, (b - a) // 3))
        # Read from the region's first page (a block's heading may be pages above).
        near = replace(doc, entries=(replace(first, last_pdf_page=min(page + 1, b)),))
        trace, result = trace_page(path, near, page)
        rows = _rows_on(result, page)
        assert rows, (edition, page)
        assert [id(t.row) for t in trace.rows] == [id(r) for r in rows], (edition, page)
        words = {(line.y, x) for line in trace.lines for x, _ in line.words}
        for t in trace.rows:
            for name in FIELDS_OF_ROW:
                cells = "".join(c.text for c in t.cells if c.field == name)
                assert _squeezed(cells) == _squeezed(getattr(t.row, name)), (edition, t.row, name)
            for c in t.cells:
                if c.page == page:
                    assert (c.y, c.x0) in words, (edition, page, c)
