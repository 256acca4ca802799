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
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from fmtr.clean.money import parse_cost
from fmtr.clean.parsed import BLANK, NOT_GIVEN, Parsed
from fmtr.clean.quantity import parse_quantity
from fmtr.clean.text import name_key
from fmtr.extract.model import (
    COUNTRY,
    FISCAL_YEAR,
    PROGRAMME,
    TOTAL_KINDS,
    PrintedTotal,
    ProgrammeBlock,
    TrainingRow,
)

RECONCILED = "reconciled"
MISMATCH = "mismatch"
UNPARSEABLE = "unparseable"
SOURCE_ERROR = "source_error"  # a listed error of the report itself (see verify/source_errors)


@dataclass(frozen=True)
class Check:
    """One printed total checked against the rows it covers."""

    file: str
    block_seq: int  # the block the total follows
    total_seq: int  # which of that block's totals
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
    cost_of_rounded_rows: Decimal = Decimal(0)  # each row rounded to whole dollars first
    rows: int = 0
    bad: str = ""  # first cell that could not be summed

    def merge(self, other: _Sum) -> None:
        self.quantity += other.quantity
        self.cost += other.cost
        self.cost_of_rounded_rows += other.cost_of_rounded_rows
        self.rows += other.rows
        self.bad = self.bad or other.bad

    def cost_matches(self, printed: Decimal) -> str | None:
        """ "exact" or "rounded" when the rows' cost gives the printed one, else None.

        Some editions (FY2006-2007, FY2007-2008) print row costs with cents and totals in whole
        dollars: a whole-dollar total then matches the sum rounded half-up, or the sum of the
        rows each rounded, which is how a report generator may have added them."""
        if self.cost == printed:
            return "exact"
        if printed == printed.to_integral_value() and printed in (
            self.cost.quantize(Decimal(1), ROUND_HALF_UP),
            self.cost_of_rounded_rows,
        ):
            return "rounded"
        return None


# Memoised: the same cell texts recur thousands of times in an edition.
_quantity = lru_cache(maxsize=1 << 14)(parse_quantity)
_cost = lru_cache(maxsize=1 << 16)(parse_cost)
_name_key = lru_cache(maxsize=1 << 12)(name_key)


def _add(acc: _Sum, row: TrainingRow) -> None:
    acc.rows += 1
    q = _quantity(row.quantity)
    c = _cost(row.cost)
    # A blank or "-" cell counts for nothing; anything else unparsed makes the sum unknown.
    if q.value is not None:
        acc.quantity += q.value
    elif q.flag not in (BLANK, NOT_GIVEN) and not acc.bad:
        acc.bad = f"quantity {row.quantity!r} on page {row.page}"
    if c.value is not None:
        acc.cost += c.value
        acc.cost_of_rounded_rows += c.value.quantize(Decimal(1), ROUND_HALF_UP)
    elif c.flag not in (BLANK, NOT_GIVEN) and not acc.bad:
        acc.bad = f"cost {row.cost!r} on page {row.page}"


def _key(text: str | None) -> str:
    return _name_key(text) if text else ""


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
    label: str  # the total's label, quantity and cost as printed: together they name it
    quantity: str | None
    cost: str | None
    reason: str

    @property
    def key(self) -> SourceErrorKey:
        return (self.file, self.page, self.label, self.quantity, self.cost)


SourceErrorKey = tuple[str, int, str, str | None, str | None]


def known_source_errors() -> dict[SourceErrorKey, SourceError]:
    """The checked-in list of printed totals that are wrong in the report itself."""
    text = resources.files("fmtr.verify").joinpath("source_errors.tsv").read_text("utf-8")
    out: dict[SourceErrorKey, SourceError] = {}
    for r in csv.DictReader(text.splitlines(), delimiter="\t"):
        err = SourceError(
            r["file"],
            int(r["page"]),
            r["label"],
            r["quantity"] or None,
            r["cost"] or None,
            r["reason"],
        )
        out[err.key] = err
    return out


def reconcile(
    blocks: Sequence[tuple[str, int, ProgrammeBlock]],
    source_errors: dict[SourceErrorKey, SourceError] | None = None,
) -> list[Check]:
    """Check every printed total of a sequence of (file, seq, block), in report order.

    Give a whole edition at once, its files in order: a block can continue from the foot of one
    file to the top of the next (FY2000-2001 cuts the report between files mid-block), and a
    run of blocks with the same country, programme and fiscal year and no total between them
    is one block for its fiscal-year total. A mismatch listed in ``source_errors`` (by file,
    page, label and printed figures) is reported as SOURCE_ERROR with the listed reason."""
    listed = source_errors or {}
    checks: list[Check] = []
    # Indexes of the blocks each kind of total would cover if it came now.
    runs: dict[str, list[int]] = {FISCAL_YEAR: [], PROGRAMME: [], COUNTRY: []}

    def same(i: int, j: int, *fields: str) -> bool:
        a, b = blocks[i][2], blocks[j][2]
        return all(_key(getattr(a, f)) == _key(getattr(b, f)) for f in fields)

    scope_fields = {
        FISCAL_YEAR: ("country", "programme", "fiscal_year"),
        PROGRAMME: ("country", "programme"),
        COUNTRY: ("country",),
    }
    sums: dict[int, _Sum] = {}

    def block_sum(j: int) -> _Sum:
        # Each block is summed once, though a fiscal-year, a programme and a country total
        # may all count it.
        if j not in sums:
            acc = sums[j] = _Sum()
            for row in blocks[j][2].rows:
                _add(acc, row)
        return sums[j]

    for i, (file, seq, block) in enumerate(blocks):
        for kind, run in runs.items():
            if run and not same(run[-1], i, *scope_fields[kind]):
                run.clear()
            run.append(i)
        for tseq, total in enumerate(block.totals):
            acc = _Sum()
            for j in runs[total.kind]:
                acc.merge(block_sum(j))
            checks.append(_check(file, seq, tseq, total, acc, listed))
            # A total closes its run and those inside it.
            for kind in TOTAL_KINDS[: TOTAL_KINDS.index(total.kind) + 1]:
                runs[kind] = []
    return checks


def _check(
    file: str,
    seq: int,
    tseq: int,
    total: PrintedTotal,
    acc: _Sum,
    listed: dict[SourceErrorKey, SourceError],
) -> Check:
    pq, q_err = _printed(total.quantity, parse_quantity)
    pc, c_err = _printed(total.cost, parse_cost)
    if acc.bad or q_err or c_err:
        status, detail = UNPARSEABLE, acc.bad or q_err or c_err
    elif pq == acc.quantity and (how := acc.cost_matches(pc)):
        status, detail = RECONCILED, "" if how == "exact" else "cost rounded to dollars"
    elif (key := (file, total.page, total.label, total.quantity, total.cost)) in listed:
        status, detail = SOURCE_ERROR, listed[key].reason
    else:
        status, detail = MISMATCH, ""
    return Check(
        file,
        seq,
        tseq,
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


class DocumentBlocks(Protocol):
    """A document's blocks in order, as a build or a read-back gives them
    (fmtr.store.read.StoredDocument is one)."""

    edition: str
    file: str
    blocks: list[ProgrammeBlock]


@dataclass
class VerifyReport:
    editions: list[EditionVerdict]
    checks: list[Check]

    @property
    def mismatches(self) -> list[Check]:
        return [c for c in self.checks if c.status in (MISMATCH, UNPARSEABLE)]


def verify_documents(documents: Iterable[DocumentBlocks]) -> VerifyReport:
    """Reconcile every printed total of these documents with its rows (`fmtr verify` passes
    every document the database holds, fmtr.store.read.iter_documents)."""
    listed = known_source_errors()
    per_edition: dict[str, list[tuple[str, int, ProgrammeBlock]]] = {}
    for doc in documents:
        blocks = per_edition.setdefault(doc.edition, [])
        blocks.extend((doc.file, i, b) for i, b in enumerate(doc.blocks))
    # Whole editions at once, files in order: a block may run on from one file to the next.
    checks = {edition: reconcile(blocks, listed) for edition, blocks in per_edition.items()}
    verdicts = [summarise(ed, per_edition[ed], checks[ed]) for ed in sorted(per_edition)]
    return VerifyReport(verdicts, [c for ed in sorted(checks) for c in checks[ed]])
