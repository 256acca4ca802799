"""A search's FTS5 query as fmtr writes it (fmtr.clean.glossary, fmtr.query.find), read the
same way by both indexes, and the order of the rows it finds.

The query is made of quoted phrases, AND, OR, NOT, parentheses and at most one column filter
before it all (``course_title : (...)``). ``read_expression`` splits it into its parts.

**The order (relevance).** A row's score is BM25 summed over every phrase of the query, each
phrase counting wherever the row holds it (in the filter's column only, when there is one) and
each occurrence of a phrase in the query counting once more: the rows holding more of the
searched words, and rarer ones, come first. Each phrase's part is FTS5's ``bm25()`` of that
phrase alone (fts5_aux.c: k1 1.2, b 0.75, a row's size in words over all its columns, the
phrase's IDF from the rows holding it). Ties are broken by the row's stable identifier, which
no rebuild changes (the integer ids depend on the order a build's workers finish).

Why not FTS5's own ``rank`` for the whole query: when the query holds OR, FTS5 counts a phrase
only where the branch of the query holding it matches the row, and its score of a row
depends on how the rows are scanned: the same row of the whole corpus scores -0.0 in a scan
and -30.6 asked alone, and 111 rows score otherwise in an ascending and a descending scan
(SQLite 3.40, the query of ``fmtr search "CMD & GEN STAFF" --in course``). The sum per phrase
is the same number FTS5 gives when every phrase is in the row (a query without OR), is
computed from single-phrase queries FTS5 answers reliably, and is what PostgreSQL computes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The columns of the training rows' index, in its order.
COLUMNS = ("course_title", "student_unit", "us_unit", "location")
_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(\()|(\))|\b(AND|OR|NOT)\b|(\S)')
_COLUMN_FILTER = re.compile(r"^(\w+) : (.*)$", re.DOTALL)


@dataclass(frozen=True)
class Part:
    """One part of a query: a phrase (its text unquoted), a parenthesis or an operator."""

    kind: str  # "phrase", "(", ")" or "operator"
    text: str


@dataclass(frozen=True)
class Expression:
    column: str | None  # the column filter, if any
    parts: tuple[Part, ...]

    @property
    def phrases(self) -> list[str]:
        """The phrases in the query's order (repeated ones as often as they are written)."""
        return [p.text for p in self.parts if p.kind == "phrase"]

    @property
    def has_alternatives(self) -> bool:
        """Whether a row can match without holding every phrase (OR or NOT)."""
        return any(p.kind == "operator" and p.text != "AND" for p in self.parts)


def read_expression(expression: str) -> Expression:
    """The parts of an FTS5 ``expression`` whose column filter, if any, is one of the index's
    ``COLUMNS``. Anything else (a bare word, a ``*``) is a ValueError: fmtr never writes it."""
    column = None
    filtered = _COLUMN_FILTER.match(expression)
    if filtered and filtered.group(1) in COLUMNS:
        column, expression = filtered.group(1), filtered.group(2)
    parts: list[Part] = []
    for phrase, opening, closing, operator, other in _TOKEN.findall(expression):
        if opening or closing:
            parts.append(Part(opening or closing, opening or closing))
        elif operator:
            parts.append(Part("operator", operator))
        elif other:
            raise ValueError(f"an FTS5 query the index does not read: {expression!r}")
        else:
            parts.append(Part("phrase", phrase.replace('""', '"')))
    return Expression(column, tuple(parts))


def ordered(
    scored: Iterable[tuple[int, str, float]],
    firsts: set[int],
    limit: int | None,
    offset: int,
) -> list[int]:
    """The ids of ``scored`` rows (id, stable identifier, minus the BM25 score) in the search's
    order: the rows in ``firsts`` (holding the words as typed) first, then by score, then by
    stable identifier ("" for a row without one, as in a database written by code: then by
    id); the page ``offset``..``offset + limit``."""
    keyed = sorted(
        (row_id not in firsts, score, stable, row_id) for row_id, stable, score in scored
    )
    page = keyed[offset:] if limit is None else keyed[offset : offset + limit]
    return [row_id for *_, row_id in page]
