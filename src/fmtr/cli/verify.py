"""The proof, reading the database back: `fmtr verify` (fmtr.verify.reconcile) and
`fmtr compare-reference` (fmtr.verify.reference). Both only read."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable
from rich.text import Text

from fmtr.cli.common import Db, Json, add_texts, open_db, out, print_json


def verify(
    db: Db = None,
    as_json: Json = False,
    limit: Annotated[int, typer.Option(min=0, max=10**9, help="Mismatches to list (0: all).")] = 50,
) -> None:
    """Reconcile every printed total with the sum of the rows it covers (exit code 1 when one
    does not, unless the report's own error is listed).

    Example: fmtr verify --db data/fmtr.sqlite
    """
    from fmtr.store.read import iter_documents
    from fmtr.verify.reconcile import verify_documents

    engine = open_db(db)
    with engine.connect() as conn:
        report = verify_documents(iter_documents(conn))
    if as_json:
        print_json(
            {
                "editions": [dataclasses.asdict(v) for v in report.editions],
                "problems": [
                    dataclasses.asdict(c) for c in report.checks if c.status != "reconciled"
                ],
            }
        )
    else:
        table = RichTable(title=Text("Printed totals reconciled (blocks)"))
        cols = ("edition", "blocks", "with totals", "reconciled", "mismatched", "source errors")
        fields = ("blocks", "blocks_with_totals", "reconciled", "mismatched", "source_errors")
        for col in cols:
            table.add_column(col, justify="left" if col == "edition" else "right")
        for v in report.editions:
            add_texts(table, v.edition, *(str(getattr(v, f)) for f in fields))
        table.add_section()
        add_texts(table, "all", *(str(sum(getattr(v, f) for v in report.editions)) for f in fields))
        out.print(table)
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
    if report.mismatches:
        raise typer.Exit(1)


def compare_reference(
    path: Annotated[Path, typer.Argument(help="Reference extraction (TSV, may be .gz).")],
    db: Db = None,
    edition: Annotated[list[str] | None, typer.Option(help="Only these editions.")] = None,
    samples: Annotated[
        int, typer.Option(min=0, max=10**9, help="Unmatched rows to show per side.")
    ] = 3,
    as_json: Json = False,
) -> None:
    """Match fmtr's rows with another extraction: matched, only in fmtr, only in the reference.

    Example: fmtr compare-reference ../shared/fmtr-reference/rows.tsv.gz --edition FY2016-2017
    """
    from fmtr.errors import NotFound
    from fmtr.store.read import iter_documents
    from fmtr.verify.reference import compare_with_reference

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
                    "matched": c.matched,
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
    cols = ("edition", "fmtr rows", "reference rows", "matched", "matched but cost", "only fmtr")
    for col in (*cols, "only reference"):
        table.add_column(col, justify="left" if col == "edition" else "right")
    for c in result:
        add_texts(
            table,
            c.edition,
            f"{c.fmtr_rows:,}",
            f"{c.reference_rows:,}",
            f"{c.matched:,}",
            f"{c.matched_without_cost:,}",
            f"{len(c.only_fmtr):,}",
            f"{len(c.only_reference):,}",
        )
    out.print(table)
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
