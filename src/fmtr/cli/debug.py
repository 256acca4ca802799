"""`fmtr debug-page`: a developer's picture of what a layout module saw on one PDF page
(fmtr.extract.debug draws it; this module only reads the options and prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from fmtr.cli.common import Corpus, Json, one_line, out, print_json


def debug_page(
    file: Annotated[
        Path,
        typer.Argument(
            help="A report PDF: in a corpus (its manifest says the edition), or in a folder "
            "named after its edition (FY2022-2023/Africa.pdf).",
            show_default=False,
        ),
    ],
    page: Annotated[int, typer.Argument(min=1, max=100_000, help="The PDF page (1-based).")],
    png: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The PNG to write (default: <edition>-<file>-p<PAGE>.png in this folder).",
            show_default=False,
        ),
    ] = None,
    corpus: Corpus = None,
    edition: Annotated[
        str | None,
        typer.Option(
            help="The file's edition, where no manifest or folder name says (FY2022-2023)."
        ),
    ] = None,
    layout: Annotated[
        Literal["pdf_2000", "pdf_2001", "pdf_2007"] | None,
        typer.Option(help="Read with this layout module (default: the edition's, as the build)."),
    ] = None,
    scale: Annotated[float, typer.Option(min=0.5, max=6.0, help="Pixels per PDF point.")] = 2.0,
    as_json: Json = False,
) -> None:
    """Draw what the layout module saw on one page of a report PDF: column starts (blue), each
    row's own line (green, numbered), the cells of each row (orange and violet by turns),
    headings (grey), totals (teal) and the lines it could not place (red). Prints the PNG's path
    and a summary (or, with --json, everything seen: lines, columns, rows and their cells).
    For a new edition: is each word in the cell, and each cell in the row, it belongs to?

    Example: fmtr debug-page ../shared/fmtr-corpus/FY2016-2017/Africa.pdf 50 --out p50.png
    """
    from fmtr.extract.debug import as_json as trace_json
    from fmtr.extract.debug import document_of, draw, summary, trace_page

    doc = document_of(file, corpus, edition)
    trace, _ = trace_page(file, doc, page, layout)
    name = f"{doc.file.removesuffix('.pdf').replace('/', '-')}-p{page}.png"
    written = draw(file, trace, png if png is not None else Path(name), scale)
    if as_json:
        print_json(trace_json(trace, written))
        return
    out.print(one_line(str(written)), markup=False, soft_wrap=True)
    out.print(one_line(summary(trace)), markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("debug-page")(debug_page)
