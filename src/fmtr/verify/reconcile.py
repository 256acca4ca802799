"""Reconciliation: the sum of a block's rows against the totals the report prints.

What each printed total covers (document order, as the reports print them):
- ``fiscal_year``: the rows of the block it follows.
- ``programme``: the rows of the run of blocks, ending with the block it follows, that share its
  country and programme (the FY 99 and FY 00 blocks of one programme in the early editions).
- ``country``: the rows of the run of blocks, ending with the block it follows, that share its
  country, since the previous country total.

A total reconciles when both its quantity and its cost equal the sums exactly (Decimal).
A printed figure that cannot be parsed, or a row cell that cannot, makes the check
``unparseable``: never a silent pass.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from fmtr.clean.money import parse_cost
from fmtr.clean.parsed import BLANK, NOT_GIVEN, Parsed
from fmtr.clean.quantity import parse_quantity
from fmtr.clean.text import name_key
from fmtr.extract.model import COUNTRY, FISCAL_YEAR, PROGRAMME, ProgrammeBlock, TrainingRow

RECONCILED = "reconciled"
MISMATCH = "mismatch"
UNPARSEABLE = "unparseable"
SOURCE_ERROR = "source_error"  # a listed error of the report itself (see verify/source_errors)


@dataclass(frozen=True)
class Check:
    """One printed total checked against the rows it covers."""

    file: str
    block_seq: int  # the block the total follows
    kind: str
    label: str
    page: int
    printed_quantity: int | None
    printed_cost: Decimal | None
    rows_quantity: int | None
    rows_cost: Decimal | None
    rows: int
    status: str
    detail: str = ""


@dataclass
class _Sum:
    quantity: int = 0
    cost: Decimal = Decimal(0)
    rows: int = 0
    bad: str = ""  # first cell that could not be summed


def _add(acc: _Sum, row: TrainingRow) -> None:
    acc.rows += 1
    q = parse_quantity(row.quantity)
    c = parse_cost(row.cost)
    # A blank or "-" cell counts for nothing; anything else unparsed makes the sum unknown.
    if q.value is not None:
        acc.quantity += q.value
    elif q.flag not in (BLANK, NOT_GIVEN) and not acc.bad:
        acc.bad = f"quantity {row.quantity!r} on page {row.page}"
    if c.value is not None:
        acc.cost += c.value
    elif c.flag not in (BLANK, NOT_GIVEN) and not acc.bad:
        acc.bad = f"cost {row.cost!r} on page {row.page}"


def _key(text: str | None) -> str:
    return name_key(text) if text else ""


def _printed(value: str | None, parse: Callable[[str | None], Parsed[Any]]) -> tuple[Any, str]:
    p = parse(value)
    if p.value is None and p.flag in (BLANK, NOT_GIVEN):
        return 0, ""  # "Program Totals: 0" with no cost printed: nothing spent
    return p.value, "" if p.value is not None else f"printed {value!r}"


@dataclass(frozen=True)
class SourceError:
    """A printed total shown, on the page itself, to be wrong: listed in source_errors.tsv."""

    file: str
    page: int
    label: str
    reason: str


def known_source_errors() -> dict[tuple[str, int, str], SourceError]:
    """The checked-in list of printed totals that are wrong in the report itself."""
    text = resources.files("fmtr.verify").joinpath("source_errors.tsv").read_text("utf-8")
    out: dict[tuple[str, int, str], SourceError] = {}
    for r in csv.DictReader(text.splitlines(), delimiter="\t"):
        err = SourceError(r["file"], int(r["page"]), r["label"], r["reason"])
        out[(err.file, err.page, err.label)] = err
    return out


def reconcile(
    file: str,
    blocks: Sequence[ProgrammeBlock],
    source_errors: dict[tuple[str, int, str], SourceError] | None = None,
) -> list[Check]:
    """Check every printed total of one document's blocks.

    A mismatch listed in ``source_errors`` (by file, page and label) is reported as
    SOURCE_ERROR with the listed reason, not as reconciled."""
    listed = source_errors or {}
    checks: list[Check] = []
    programme_run: list[int] = []  # indexes of the blocks of the current programme run
    country_run: list[int] = []
    for i, block in enumerate(blocks):
        if programme_run and (
            _key(blocks[programme_run[-1]].country) != _key(block.country)
            or _key(blocks[programme_run[-1]].programme) != _key(block.programme)
        ):
            programme_run = []
        if country_run and _key(blocks[country_run[-1]].country) != _key(block.country):
            country_run = []
        programme_run.append(i)
        country_run.append(i)
        for total in block.totals:
            scope = {
                FISCAL_YEAR: [i],
                PROGRAMME: programme_run,
                COUNTRY: country_run,
            }[total.kind]
            acc = _Sum()
            for j in scope:
                for row in blocks[j].rows:
                    _add(acc, row)
            pq, q_err = _printed(total.quantity, parse_quantity)
            pc, c_err = _printed(total.cost, parse_cost)
            if acc.bad or q_err or c_err:
                status, detail = UNPARSEABLE, acc.bad or q_err or c_err
            elif pq == acc.quantity and pc == acc.cost:
                status, detail = RECONCILED, ""
            elif (file, total.page, total.label) in listed:
                status = SOURCE_ERROR
                detail = listed[(file, total.page, total.label)].reason
            else:
                status, detail = MISMATCH, ""
            checks.append(
                Check(
                    file,
                    i,
                    total.kind,
                    total.label,
                    total.page,
                    pq,
                    pc,
                    None if acc.bad else acc.quantity,
                    None if acc.bad else acc.cost,
                    acc.rows,
                    status,
                    detail,
                )
            )
            if total.kind == PROGRAMME:
                programme_run = []
            elif total.kind == COUNTRY:
                country_run, programme_run = [], []
    return checks


@dataclass
class EditionVerdict:
    edition: str
    blocks: int = 0
    blocks_with_totals: int = 0
    reconciled: int = 0  # blocks all of whose totals reconcile
    mismatched: int = 0
    source_errors: int = 0
    checks: int = 0
    checks_reconciled: int = 0


def summarise(
    edition: str, blocks: Iterable[tuple[str, int, ProgrammeBlock]], checks: Iterable[Check]
) -> EditionVerdict:
    """Per-edition figures; a block counts as reconciled when every total it carries is."""
    v = EditionVerdict(edition)
    status_by_block: dict[tuple[str, int], list[str]] = {}
    for c in checks:
        v.checks += 1
        v.checks_reconciled += c.status == RECONCILED
        status_by_block.setdefault((c.file, c.block_seq), []).append(c.status)
    for file, seq, _block in blocks:
        v.blocks += 1
        statuses = status_by_block.get((file, seq))
        if not statuses:
            continue
        v.blocks_with_totals += 1
        if all(s == RECONCILED for s in statuses):
            v.reconciled += 1
        elif all(s in (RECONCILED, SOURCE_ERROR) for s in statuses):
            v.source_errors += 1
        else:
            v.mismatched += 1
    return v
