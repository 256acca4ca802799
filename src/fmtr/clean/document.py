"""Cleaning one extracted document: codes for its blocks, values for its rows.

The verbatim cells are never changed; each cleaned value travels beside its cell, with flags
(see fmtr.clean.parsed) naming every cell that did not give a value or gave a doubtful one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from fmtr.clean import parsed
from fmtr.clean.countries import country_code
from fmtr.clean.dates import check_order, first_fiscal_year, parse_date
from fmtr.clean.money import parse_cost
from fmtr.clean.programmes import fiscal_year, programme_code
from fmtr.clean.quantity import parse_quantity
from fmtr.clean.text import norm_key
from fmtr.extract.model import FISCAL_YEAR, DocumentExtract, ProgrammeBlock, TrainingRow

# Flags that only say a cell is empty are not worth a flag on the row: NULL says it.
_QUIET = {parsed.BLANK}

# The same cell texts recur thousands of times ("Military", "$0", "Lackland AFB, TX, US"):
# memoising the pure parsers makes cleaning several times faster.
_cost = lru_cache(maxsize=1 << 16)(parse_cost)
_quantity = lru_cache(maxsize=1 << 14)(parse_quantity)
_date = lru_cache(maxsize=1 << 16)(parse_date)
_key = lru_cache(maxsize=1 << 17)(norm_key)


@dataclass(frozen=True)
class CleanBlock:
    country_code: str | None
    programme_code: str | None
    programme_variant: str | None
    fiscal_year: int | None


@dataclass(frozen=True)
class CleanRow:
    quantity: int | None
    cost_cents: int | None  # exact: dollars x 100, an integer
    start_on: str | None  # ISO 8601
    end_on: str | None
    flags: str | None  # "cost:unparseable start:two_digit_year", None when clean
    course_key: str | None
    location_key: str | None
    student_unit_key: str | None
    us_unit_key: str | None


@dataclass
class CleanDocument:
    blocks: list[CleanBlock] = field(default_factory=list)
    rows: list[list[CleanRow]] = field(default_factory=list)  # per block, per row
    unmapped_countries: set[str] = field(default_factory=set)
    unmapped_programmes: set[str] = field(default_factory=set)


def cents(value: Decimal | None) -> int | None:
    # Sub-cent amounts keep their exact Decimal only in the verbatim cell; cents are exact for
    # every amount the reports print (a sub_cent flag marks the others).
    return None if value is None else int((value * 100).to_integral_value())


# A text cell that holds nothing but an amount or a date.
_FIGURE_ONLY = re.compile(r"^(?:\$[\d,]+(?:\.\d+)?|\d{1,2}/\d{1,2}/\d{2,4})$")

_FY_IN_LABEL = re.compile(r"\b(FY\s*[0-9]{2,4}|Fiscal Year [0-9]{4})\b")


def _block_fiscal_year(block: ProgrammeBlock, edition: str) -> int | None:
    fy = fiscal_year(block.fiscal_year, edition)
    if fy is None:
        # A heading that prints no year ("Saudi Arabia, Miscellaneous DoD-DoS Activities, FY"):
        # the block's own fiscal-year total names it ("FY 00 Totals:").
        for total in block.totals:
            if total.kind == FISCAL_YEAR and (m := _FY_IN_LABEL.search(total.label)):
                return fiscal_year(m.group(1), edition)
    return fy


# Explicit codes for what the report itself leaves out, so that no block is without a code:
# a heading that names no country; rows whose programme heading is not printed (a damaged
# page); a country printed with a zero total and no programme at all.
NO_COUNTRY = "X-UNSTATED"
NO_PROGRAMME_HEADING = "X-UNSTATED"
NO_PROGRAMME = "X-NONE"


def clean_block(block: ProgrammeBlock, edition: str) -> CleanBlock:
    country = country_code(block.country)
    programme = programme_code(block.programme)
    country_code_ = country.code if country else (None if block.country else NO_COUNTRY)
    if programme is not None:
        programme_code_: str | None = programme.code
    elif block.programme:
        programme_code_ = None  # a name the table lacks: the build reports it
    else:
        programme_code_ = NO_PROGRAMME_HEADING if block.rows else NO_PROGRAMME
    return CleanBlock(
        country_code_,
        programme_code_,
        programme.variant if programme else None,
        _block_fiscal_year(block, edition),
    )


def clean_row(row: TrainingRow, first_year: int) -> CleanRow:
    q = _quantity(row.quantity)
    c = _cost(row.cost)
    start = _date(row.start_date, first_year)
    end = _date(row.end_date, first_year)
    flags = [
        f"{name}:{p.flag}"
        for name, p in (("quantity", q), ("cost", c), ("start", start), ("end", end))
        if p.flag and p.flag not in _QUIET
    ]
    if order := check_order(start.value, end.value):
        flags.append(f"dates:{order}")
    if any(t and _FIGURE_ONLY.match(t) for t in (row.location, row.student_unit, row.us_unit)):
        # The page prints this row's cells out of their columns (a training printed as two
        # ruled rows, the second one shifted): kept as printed, and said.
        flags.append("layout:shifted")
    return CleanRow(
        q.value,
        cents(c.value),
        start.value.isoformat() if start.value else None,
        end.value.isoformat() if end.value else None,
        " ".join(flags) or None,
        _key(row.course_title),
        _key(row.location),
        _key(row.student_unit),
        _key(row.us_unit),
    )


def clean_document(extract: DocumentExtract, edition: str) -> CleanDocument:
    first_year = first_fiscal_year(edition)
    out = CleanDocument()
    for block in extract.blocks:
        cb = clean_block(block, edition)
        if block.country and cb.country_code is None:
            out.unmapped_countries.add(block.country)
        if block.programme and cb.programme_code is None:
            out.unmapped_programmes.add(block.programme)
        out.blocks.append(cb)
        out.rows.append([clean_row(r, first_year) for r in block.rows])
    return out
