"""The Greenbook's rows as obligations fmtr can put beside the training: recipients as fmtr's
country codes, accounts as fmtr's programmes where they are the same programme, fiscal years
as periods, amounts as exact whole dollars.

- Amounts: the workbook gives whole dollars (no cell of the FY1946-2020 edition has cents; some
  are negative: de-obligations). Each is kept as an exact integer; a cell that is not a number,
  or a number with cents, stops the load with the row named (it would otherwise be lost or
  rounded).
- Fiscal years: a whole year within the span the title prints ("Fiscal Years 1946-2020"), or
  ``1976.9``, the transition quarter (July-September 1976, when the fiscal year moved from
  July-June to October-September). The transition quarter is a period of its own, ``TQ1976``,
  with no fiscal year (``fy`` None): it is never added to FY1976 or FY1977.
- Recipients: through fmtr.clean.countries like the reports' names, plus one rule of the
  Greenbook's own: "Serbia and Montenegro, Former" holds Yugoslavia from FY1946 and Serbia and
  Montenegro to FY2006, so it is YUG up to FY2002 and SCG from FY2003, as the training reports
  have them (Serbia and Montenegro was proclaimed in February 2003, in FY2003).
- Accounts: ``funding_accounts.tsv`` says which account is which programme and which
  programmes' courses it pays for, and why; the other accounts keep their own name only.
- The key of a row is (fiscal year, recipient, assistance category, publication row, funding
  agency, funding account). Fiscal year, recipient and account alone do not make a key: the
  real file has 219 such repeats, one account's money split between the Economic and Military
  categories (DoD's Cooperative Threat Reduction, counter-drug and O&M accounts, FMF), or
  between several agencies (the Iraq Relief and Reconstruction Fund). A repeat of the whole key
  stops the load, naming both rows.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import NamedTuple, cast

from fmtr.clean.countries import Country, by_code, country_code
from fmtr.clean.programmes import by_code as programme_by_code
from fmtr.extract.greenbook import COLUMNS, Cell, GreenbookError, GreenbookSheet, column_letter

TRANSITION_QUARTER = Decimal("1976.9")
TQ_LABEL = "TQ1976"
CATEGORIES = ("Economic", "Military")

_SPAN = re.compile(r"Fiscal\s+Years?\s+(\d{4})\s*[-\u2013]\s*(\d{4})", re.I)
_PREPARED = re.compile(r"^Prepared by .*$", re.I)
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")

# Names whose code depends on the fiscal year: (name, ((first fy or None, last fy or None,
# code), ...)). See the module doc.
_BY_YEAR: dict[str, tuple[tuple[int | None, int | None, str], ...]] = {
    "Serbia and Montenegro, Former": ((None, 2002, "YUG"), (2003, None, "SCG")),
}


@dataclass(frozen=True)
class Period:
    fy: int | None  # None: the transition quarter
    label: str  # "FY2003" or "TQ1976"
    fiscal_year: str  # as the sheet gives it: "2003", "1976.9"

    @property
    def transition_quarter(self) -> bool:
        return self.fy is None


@dataclass(frozen=True)
class AccountMapping:
    account: str
    programme: str | None  # fmtr's programme code when the account is that programme
    pays_for: tuple[str, ...]  # programme codes whose courses the account pays for
    why: str


class Obligation(NamedTuple):
    """One Greenbook row, cleaned (a named tuple: 75,000 of them are made per load, and a
    frozen dataclass costs several times more to make)."""

    row: int  # the sheet row (provenance)
    period: Period
    region: str
    country: str  # as printed
    category: str  # Economic | Military
    publication_row: str
    agency: str
    account: str
    country_code: str | None  # None: the name maps to no code (the load stops)
    programme_code: str | None
    current_dollars: int
    constant_dollars: int  # constant 2020 US dollars


@dataclass
class CleanFunding:
    file: str
    sheet: str
    first_fy: int
    last_fy: int
    prepared: str | None  # the title's "Prepared by ... on <date>" line
    obligations: list[Obligation] = field(default_factory=list)
    unmapped_countries: set[str] = field(default_factory=set)


@cache
def account_mappings() -> dict[str, AccountMapping]:
    """``funding_accounts.tsv``, by account name; programme codes checked against
    programmes.tsv so that a typo fails here, not in a query."""
    text = resources.files("fmtr.clean").joinpath("funding_accounts.tsv").read_text("utf-8")
    rows = csv.DictReader(
        (ln for ln in text.splitlines() if not ln.startswith("#")), delimiter="\t"
    )
    out: dict[str, AccountMapping] = {}
    for r in rows:
        programme = r["programme"].strip() or None
        pays_for = tuple(c for c in r["pays_for"].split() if c != "-")
        for code in (programme, *pays_for):
            if code is not None:
                programme_by_code(code)  # KeyError on an unknown code
        out[r["account"]] = AccountMapping(r["account"], programme, pays_for, r["why"])
    return out


def recipient_code(name: str, fy: int | None) -> Country | None:
    """The Country a Greenbook recipient name denotes in fiscal year ``fy`` (None: the
    transition quarter, in 1976)."""
    rules = _BY_YEAR.get(name.strip())
    if rules is not None:
        year = 1976 if fy is None else fy
        for first, last, code in rules:
            if (first is None or year >= first) and (last is None or year <= last):
                return by_code(code)
        return None
    return country_code(name)


def _decimal(cell: Cell) -> Decimal | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        # repr is the shortest text that reads back as the same double: what the sheet holds.
        return Decimal(repr(cell)) if cell == cell and abs(cell) != float("inf") else None
    if isinstance(cell, str) and _NUMBER.match(cell.strip()):
        try:
            return Decimal(cell.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return None
    return None


def _shown(cell: Cell) -> str:
    return repr(cell) if not isinstance(cell, float) else repr(cell).removesuffix(".0")


def parse_period(cell: Cell, first_fy: int, last_fy: int) -> Period | None:
    """The period a Fiscal Year cell names, or None when it names none of the sheet's."""
    value = _decimal(cell)
    if value is None:
        return None
    if value == TRANSITION_QUARTER and first_fy <= 1976 <= last_fy:
        return Period(None, TQ_LABEL, str(TRANSITION_QUARTER))
    if value != value.to_integral_value() or not first_fy <= value <= last_fy:
        return None
    fy = int(value)
    return Period(fy, f"FY{fy}", str(fy))


def parse_dollars(cell: Cell) -> int | None:
    """A whole-dollar amount, or None when the cell is not a whole number."""
    if type(cell) is float and cell.is_integer():  # the sheet's own cells: the fast way
        return int(cell)
    value = _decimal(cell)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def _title_facts(sheet: GreenbookSheet) -> tuple[int, int, str | None]:
    span = None
    prepared = None
    for _, text in sheet.title:
        if span is None and (m := _SPAN.search(text)):
            span = (int(m.group(1)), int(m.group(2)))
        if prepared is None and _PREPARED.match(text):
            prepared = text
    if span is None:
        first_row = sheet.title[0][0] if sheet.title else 1
        raise GreenbookError(
            sheet.file,
            first_row,
            "the title lines give no span of fiscal years (like 'Fiscal Years 1946-2020')",
        )
    return span[0], span[1], prepared


def clean_greenbook(sheet: GreenbookSheet) -> CleanFunding:
    """Every row of ``sheet`` as an Obligation. Raises GreenbookError on the first row that
    cannot be one (a cell that is not a number, an unknown fiscal year, an empty name, a
    repeated key); names without a country code are collected in ``unmapped_countries``."""
    first_fy, last_fy, prepared = _title_facts(sheet)
    result = CleanFunding(sheet.file, sheet.sheet, first_fy, last_fy, prepared)
    accounts = account_mappings()
    seen: dict[tuple[str, ...], int] = {}
    codes: dict[tuple[str, int | None], Country | None] = {}

    def fail(row: int, column: int, reason: str) -> GreenbookError:
        where = f"{column_letter(column)}{row} ({COLUMNS[column]})"
        return GreenbookError(sheet.file, row, f"{where} {reason}")

    periods: dict[Cell, Period | None] = {}
    for row, cells in sheet.rows():
        try:
            period = periods[cells[0]]
        except KeyError:
            period = periods[cells[0]] = parse_period(cells[0], first_fy, last_fy)
        except TypeError:  # an unhashable cell (none the reader gives, but be safe)
            period = parse_period(cells[0], first_fy, last_fy)
        if period is None:
            raise fail(
                row,
                0,
                f"is {_shown(cells[0])}: not a fiscal year of FY{first_fy}-FY{last_fy} "
                "(a whole year, or 1976.9 for the transition quarter)",
            )
        try:  # the sheet's own cells are all text: one pass, no type test per cell
            texts = [c.strip() for c in cast(list[str], cells[1:7])]
        except AttributeError:
            texts = [c.strip() if isinstance(c, str) else "" for c in cells[1:7]]
        if not all(texts):
            i = texts.index("") + 1
            cell = cells[i]
            raise fail(row, i, f"is {'empty' if cell in (None, '') else _shown(cell)}")
        region, country, category, publication_row, agency, account = texts
        if category not in CATEGORIES:
            raise fail(row, 3, f"is {category!r}: neither Economic nor Military")
        current, constant = parse_dollars(cells[7]), parse_dollars(cells[8])
        if current is None or constant is None:
            i = 7 if current is None else 8
            if cells[i] is None or (isinstance(cells[i], str) and not str(cells[i]).strip()):
                raise fail(row, i, "is empty (whole dollars expected)")
            what = "has cents" if _decimal(cells[i]) is not None else "is not a number"
            raise fail(row, i, f"{what}: {_shown(cells[i])} (whole dollars expected)")
        key = (period.label, country, category, publication_row, agency, account)
        if (earlier := seen.get(key)) is not None:
            raise GreenbookError(
                sheet.file,
                row,
                f"repeats row {earlier}: same fiscal year, recipient, category, publication "
                f"row, agency and account ({period.label}, {country}, {category}, "
                f"{publication_row}, {agency}, {account})",
            )
        seen[key] = row
        code_key = (country, period.fy)
        if code_key not in codes:
            codes[code_key] = recipient_code(country, period.fy)
        found = codes[code_key]
        if found is None:
            result.unmapped_countries.add(country)
        mapping = accounts.get(account)
        result.obligations.append(
            Obligation(
                row,
                period,
                region,
                country,
                category,
                publication_row,
                agency,
                account,
                found.code if found else None,
                mapping.programme if mapping else None,
                current,
                constant,
            )
        )
    return result
