"""Comparison with another project's extraction of the same reports.

The reference is read from where it lies (never copied into fmtr) and is not truth: it is a
way to find rows one side has and the other lacks. Rows are matched within an edition on
(country, course title, quantity, cost) after normalising each (country to its code, course by
``name_key``, numbers parsed). A reference row whose cost is not one amount (the reference glues
dates or second amounts onto many costs) is matched in a second pass without the cost.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from fmtr.clean.countries import country_code
from fmtr.clean.money import parse_cost
from fmtr.clean.quantity import parse_quantity
from fmtr.clean.text import name_key
from fmtr.errors import InputError
from fmtr.verify.reconcile import DocumentBlocks


@dataclass(frozen=True)
class Line:
    """One training line on either side, reduced to what is compared, with where it is."""

    edition: str
    country: str
    course: str
    quantity: int | None
    cost: Decimal | None
    where: str  # file and page, for samples

    @property
    def key(self) -> tuple[str, str, str, int | None, Decimal | None]:
        return (self.edition, self.country, self.course, self.quantity, self.cost)

    @property
    def loose_key(self) -> tuple[str, str, str, int | None]:
        return (self.edition, self.country, self.course, self.quantity)


def _country(name: str | None) -> str:
    if not name:
        return ""
    c = country_code(name)
    return c.code if c else name_key(name)


def make_line(
    edition: str,
    country: str | None,
    course: str | None,
    quantity: str | None,
    cost: str | None,
    where: str,
) -> Line:
    return Line(
        edition,
        _country(country),
        name_key(course or ""),
        parse_quantity(quantity).value,
        parse_cost(cost).value,
        where,
    )


def read_reference(path: Path) -> Iterator[Line]:
    """Training lines of the reference TSV (gzip or plain), its printed totals left out."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if "program totals" in (r.get("course_title") or "").casefold():
                continue
            yield make_line(
                r["fiscal_year"],
                r["country"],
                r["course_title"],
                r["quantity"],
                r["total_cost"],
                f"{r['source_file']} p.{r['page_number'] or '?'}",
            )


@dataclass
class EditionComparison:
    edition: str
    fmtr_rows: int = 0
    reference_rows: int = 0
    matched: int = 0  # on every compared field
    matched_without_cost: int = 0  # same country, course and quantity; costs differ/unparsed
    only_fmtr: list[Line] = field(default_factory=list)
    only_reference: list[Line] = field(default_factory=list)


def compare(fmtr: Iterable[Line], reference: Iterable[Line]) -> list[EditionComparison]:
    """Match the two sides edition by edition (multiset matching: duplicates count)."""
    ours: dict[str, list[Line]] = defaultdict(list)
    theirs: dict[str, list[Line]] = defaultdict(list)
    for line in fmtr:
        ours[line.edition].append(line)
    for line in reference:
        theirs[line.edition].append(line)
    out = []
    for edition in sorted(set(ours) | set(theirs)):
        comp = EditionComparison(edition, len(ours[edition]), len(theirs[edition]))
        left, right = _match(ours[edition], theirs[edition], lambda x: x.key)
        comp.matched = comp.fmtr_rows - len(left)
        left2, right2 = _match(left, right, lambda x: x.loose_key)
        comp.matched_without_cost = len(left) - len(left2)
        comp.only_fmtr, comp.only_reference = left2, right2
        out.append(comp)
    return out


def _match(
    a: list[Line], b: list[Line], key: Callable[[Line], Hashable]
) -> tuple[list[Line], list[Line]]:
    """The lines of a and of b that find no partner with the same key."""
    counts = Counter(key(x) for x in b)
    rest_a = []
    for x in a:
        k = key(x)
        if counts[k]:
            counts[k] -= 1
        else:
            rest_a.append(x)
    used = Counter(key(x) for x in a)
    rest_b = []
    for x in b:
        k = key(x)
        if used[k]:
            used[k] -= 1
        else:
            rest_b.append(x)
    return rest_a, rest_b


def compare_with_reference(
    documents: Iterable[DocumentBlocks], reference: Path, editions: Iterable[str] | None = None
) -> list[EditionComparison]:
    """Match these documents' rows (`fmtr compare-reference` passes every document the database
    holds) with a reference extraction, edition by edition."""
    wanted = set(editions) if editions else None

    def ours() -> Iterator[Line]:
        for doc in documents:
            if wanted and doc.edition not in wanted:
                continue
            for block in doc.blocks:
                for row in block.rows:
                    yield make_line(
                        doc.edition,
                        block.country,
                        row.course_title,
                        row.quantity,
                        row.cost,
                        f"{doc.file} p.{row.page}",
                    )

    theirs = (r for r in read_reference(reference) if not wanted or r.edition in wanted)
    try:
        return compare(ours(), theirs)
    except KeyError as exc:
        raise InputError(f"{reference}: not a reference TSV (no column {exc})") from None
    except (UnicodeDecodeError, EOFError, OSError, csv.Error) as exc:
        raise InputError(f"{reference}: cannot read it as a reference TSV ({exc})") from None
