"""Comparison with another project's extraction of the same reports.

The reference is read from where it lies (never copied into fmtr) and is not truth: it is a
way to find rows one side has and the other lacks, and cells the two read differently.

Rows are paired within an edition in three passes, each on what is left by the one before:

1. **identical**: every field equal as printed (course, US unit, student unit, location, start
   and end date, quantity, cost; Unicode NFC, runs of white space as one space, nothing else
   forgiven: accents, case, hyphens and spacing count), and the same country;
2. **same row, text differs**: same country, course (normalised by ``name_key``, which drops
   accents, case and punctuation), quantity and cost: the fields that still differ as printed
   are counted per field, so that a re-spaced hyphen or a lost accent shows;
3. **same row, cost differs**: as 2 without the cost (the reference glues dates or second
   amounts onto many costs).

What is left is a row only one side has.
"""

from __future__ import annotations

import csv
import gzip
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from fmtr.clean.countries import country_code
from fmtr.clean.money import parse_cost
from fmtr.clean.quantity import parse_quantity
from fmtr.clean.text import collapse_space, name_key
from fmtr.errors import InputError
from fmtr.verify.reconcile import DocumentBlocks

# The fields compared as printed, in this order.
FIELDS = ("course", "us_unit", "student_unit", "location", "start", "end", "quantity", "cost")


def as_printed(text: str | None) -> str:
    """A cell as printed, for comparison: NFC, white space runs as one space, stripped."""
    return collapse_space(unicodedata.normalize("NFC", text or ""))


@dataclass(frozen=True)
class Line:
    """One training line on either side, reduced to what is compared, with where it is."""

    edition: str
    country: str
    course: str  # name_key of the course title
    quantity: int | None
    cost: Decimal | None
    where: str  # file and page, for samples
    printed: tuple[str, ...] = ()  # the FIELDS as printed

    @property
    def exact_key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.edition, self.country, self.printed)

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
    us_unit: str | None = None,
    student_unit: str | None = None,
    location: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Line:
    printed = tuple(
        as_printed(v) for v in (course, us_unit, student_unit, location, start, end, quantity, cost)
    )
    return Line(
        edition,
        _country(country),
        name_key(course or ""),
        parse_quantity(quantity).value,
        parse_cost(cost).value,
        where,
        printed,
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
                us_unit=r.get("us_unit"),
                student_unit=r.get("student_unit"),
                location=r.get("location"),
                start=r.get("start_date"),
                end=r.get("end_date"),
            )


@dataclass
class EditionComparison:
    edition: str
    fmtr_rows: int = 0
    reference_rows: int = 0
    identical: int = 0  # every field equal as printed
    matched: int = 0  # same row (country, course key, quantity, cost), text may differ
    matched_without_cost: int = 0  # same country, course key and quantity; costs differ
    field_differences: Counter[str] = field(default_factory=Counter)  # among matched rows
    differing: list[tuple[Line, Line]] = field(default_factory=list)  # (fmtr, reference)
    only_fmtr: list[Line] = field(default_factory=list)
    only_reference: list[Line] = field(default_factory=list)


def compare(fmtr: Iterable[Line], reference: Iterable[Line]) -> list[EditionComparison]:
    """Pair the two sides edition by edition (multiset matching: duplicates count)."""
    ours: dict[str, list[Line]] = defaultdict(list)
    theirs: dict[str, list[Line]] = defaultdict(list)
    for line in fmtr:
        ours[line.edition].append(line)
    for line in reference:
        theirs[line.edition].append(line)
    out = []
    for edition in sorted(set(ours) | set(theirs)):
        comp = EditionComparison(edition, len(ours[edition]), len(theirs[edition]))
        left, right, _ = _match(ours[edition], theirs[edition], lambda x: x.exact_key)
        comp.identical = comp.fmtr_rows - len(left)
        left2, right2, pairs = _match(left, right, lambda x: x.key)
        comp.matched = comp.identical + len(left) - len(left2)
        left3, right3, pairs3 = _match(left2, right2, lambda x: x.loose_key)
        comp.matched_without_cost = len(left2) - len(left3)
        for a, b in pairs + pairs3:
            diff = [f for f, x, y in zip(FIELDS, a.printed, b.printed, strict=True) if x != y]
            comp.field_differences.update(diff)
            if diff:
                comp.differing.append((a, b))
        comp.only_fmtr, comp.only_reference = left3, right3
        out.append(comp)
    return out


def _match(
    a: list[Line], b: list[Line], key: Callable[[Line], Hashable]
) -> tuple[list[Line], list[Line], list[tuple[Line, Line]]]:
    """The lines of a and of b that find no partner with the same key, and the pairs."""
    waiting: dict[Hashable, list[Line]] = defaultdict(list)
    for y in b:
        waiting[key(y)].append(y)
    rest_a: list[Line] = []
    pairs: list[tuple[Line, Line]] = []
    for x in a:
        partners = waiting.get(key(x))
        if partners:
            pairs.append((x, partners.pop(0)))
        else:
            rest_a.append(x)
    rest_b = [y for ys in waiting.values() for y in ys]
    # Keep the reference's own order for the samples.
    order = {id(y): i for i, y in enumerate(b)}
    rest_b.sort(key=lambda y: order[id(y)])
    return rest_a, rest_b, pairs


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
                        us_unit=row.us_unit,
                        student_unit=row.student_unit,
                        location=row.location,
                        start=row.start_date,
                        end=row.end_date,
                    )

    theirs = (r for r in read_reference(reference) if not wanted or r.edition in wanted)
    try:
        return compare(ours(), theirs)
    except KeyError as exc:
        raise InputError(f"{reference}: not a reference TSV (no column {exc})") from None
    except (UnicodeDecodeError, EOFError, OSError, csv.Error) as exc:
        raise InputError(f"{reference}: cannot read it as a reference TSV ({exc})") from None
