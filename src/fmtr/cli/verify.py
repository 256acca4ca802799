"""The proof, reading the database back: `fmtr verify` (fmtr.verify.reconcile for the sums,
fmtr.verify.text for the words, which re-reads the corpus) and `fmtr compare-reference`
(fmtr.verify.reference). All only read: the rows are read here and handed to fmtr.verify."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable
from rich.text import Text

from fmtr.cli.common import (
    Corpus,
    Db,
    Json,
    add_texts,
    fail,
    open_db,
    out,
    print_document,
    print_json,
)

if TYPE_CHECKING:
    from fmtr.verify.text import TextReport


def verify(
    db: Db = None,
    corpus: Corpus = None,
    text: Annotated[
        bool,
        typer.Option(
            "--text/--no-text",
            help="Also find every word of every text cell on its page (needs --corpus).",
        ),
    ] = True,
    as_json: Json = False,
    limit: Annotated[
        int, typer.Option(min=0, max=10**9, help="Mismatches and differences to list (0: all).")
    ] = 50,
) -> None:
    """Reconcile every printed total with the sum of the rows it covers, and find every word of
    every text cell on its page with a second reader (poppler; html.parser for the HTML). Exit
    code 1 when a total does not reconcile or a word is not found, unless the report's own
    error is listed.

    Example: fmtr verify --db data/fmtr.sqlite --corpus ../shared/fmtr-corpus
    """
    from fmtr.errors import FmtrError
    from fmtr.query.shapes import jsonable, proof, reconciled_blocks
    from fmtr.sources.corpus import corpus_dir
    from fmtr.store.read import iter_documents
    from fmtr.verify.reconcile import verify_documents
    from fmtr.verify.text import check_text

    engine = open_db(db)
    try:
        root = corpus_dir(corpus) if text else None
    except FmtrError as exc:
        raise fail(f"text check: {exc} (--no-text checks the sums only)", exc.exit_code) from None
    with engine.connect() as conn:
        documents = list(iter_documents(conn))
    report = verify_documents(documents)
    words = None
    if root is not None:
        try:
            words = check_text(documents, root)
        except FmtrError as exc:
            raise fail(
                f"text check: {exc} (--no-text checks the sums only)", exc.exit_code
            ) from None
    if as_json:
        print_json(jsonable(proof(report, words)))
    else:
        print_document(reconciled_blocks(report))
        shown = report.mismatches if limit == 0 else report.mismatches[:limit]
        for c in shown:
            out.print(
                f"{c.status} {c.file} page {c.page}: {c.label!r} printed "
                f"{c.printed_quantity} / {c.printed_cost}, rows sum {c.rows_quantity} / "
                f"{c.rows_cost} ({c.rows} rows) {c.detail}",
                markup=False,
                soft_wrap=True,
            )
        if len(shown) < len(report.mismatches):
            out.print(f"... {len(report.mismatches) - len(shown)} more (--limit 0 for all)")
        if words is not None:
            _print_text_proof(words, limit)
    if report.mismatches or (words is not None and words.unlisted):
        raise typer.Exit(1)


def _print_text_proof(words: TextReport, limit: int) -> None:
    from fmtr.query.shapes import text_proof
    from fmtr.verify.text import describe, kinds_text

    print_document(text_proof(words))
    for w in words.editions:
        if w.differences:
            out.print(f"{w.edition} cells differing: {kinds_text(w.differences)}", markup=False)
    unlisted = words.unlisted
    for d in unlisted if limit == 0 else unlisted[:limit]:
        out.print(describe(d), markup=False, soft_wrap=True)
    if limit and len(unlisted) > limit:
        out.print(f"... {len(unlisted) - limit} more (--limit 0 for all)")


def compare_reference(
    path: Annotated[Path, typer.Argument(help="Reference extraction (TSV, may be .gz).")],
    db: Db = None,
    edition: Annotated[list[str] | None, typer.Option(help="Only these editions.")] = None,
    samples: Annotated[
        int, typer.Option(min=0, max=10**9, help="Unmatched rows to show per side.")
    ] = 3,
    as_json: Json = False,
) -> None:
    """Match fmtr's rows with another extraction: identical as printed, the same row with text
    that differs (counted per field), only in fmtr, only in the reference.

    Example: fmtr compare-reference ../shared/fmtr-reference/rows.tsv.gz --edition FY2016-2017
    """
    from fmtr.errors import NotFound
    from fmtr.store.read import iter_documents
    from fmtr.verify.reference import FIELDS, compare_with_reference

    if not path.is_file():
        raise NotFound(f"{path}: no such file")
    engine = open_db(db)
    with engine.connect() as conn:
        result = compare_with_reference(iter_documents(conn), path, edition)
    if as_json:
        print_json(
            [
                {
                    "edition": c.edition,
                    "fmtr_rows": c.fmtr_rows,
                    "reference_rows": c.reference_rows,
                    "identical": c.identical,
                    "matched": c.matched,
                    "field_differences": dict(c.field_differences),
                    "samples_differing": [
                        {"fmtr": a.printed, "reference": b.printed, "where": a.where}
                        for a, b in c.differing[:samples]
                    ],
                    "matched_without_cost": c.matched_without_cost,
                    "only_fmtr": len(c.only_fmtr),
                    "only_reference": len(c.only_reference),
                    "samples_only_fmtr": [str(x) for x in c.only_fmtr[:samples]],
                    "samples_only_reference": [str(x) for x in c.only_reference[:samples]],
                }
                for c in result
            ]
        )
        return
    table = RichTable(title=Text(f"fmtr beside {path.name}"))
    cols = ("edition", "fmtr rows", "reference rows", "identical", "same row", "but cost")
    for col in (*cols, "only fmtr", "only reference"):
        table.add_column(col, justify="left" if col == "edition" else "right")
    for c in result:
        add_texts(
            table,
            c.edition,
            f"{c.fmtr_rows:,}",
            f"{c.reference_rows:,}",
            f"{c.identical:,}",
            f"{c.matched:,}",
            f"{c.matched_without_cost:,}",
            f"{len(c.only_fmtr):,}",
            f"{len(c.only_reference):,}",
        )
    out.print(table)
    for c in result:
        if c.field_differences:
            fields = ", ".join(f"{f} {n}" for f, n in c.field_differences.most_common())
            out.print(f"{c.edition} same row, text differs: {fields}", markup=False)
        for a, b in c.differing[:samples]:
            diff = [
                f"{f}: {x!r} / {y!r}"
                for f, x, y in zip(FIELDS, a.printed, b.printed, strict=True)
                if x != y
            ]
            out.print(
                f"{c.edition} differs ({a.where}; fmtr / reference): {'; '.join(diff)}",
                markup=False,
                soft_wrap=True,
            )
    for c in result:
        for side, lines in (("only fmtr", c.only_fmtr), ("only reference", c.only_reference)):
            for x in lines[:samples]:
                out.print(
                    f"{c.edition} {side}: {x.country} | {x.course} | {x.quantity} | {x.cost}"
                    f" | {x.where}",
                    markup=False,
                    soft_wrap=True,
                )


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
    app.command("compare-reference")(compare_reference)
