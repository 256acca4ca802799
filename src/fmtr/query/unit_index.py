"""The recipients' student-unit names a unit search looks through, and how it ranks them.

A unit search asks which of the ~72,000 names (a recipient's student-unit keys, as canonical
words: fmtr.clean.glossary) hold every word of the text (all but one when it has three words or
more), each word or a close spelling of it. As one FTS5 query that is an OR of
AND-combinations which reads each word's posting list once per combination. A server therefore
loads the same postings once per process and build, from the FTS index itself (so the words are
FTS5's tokens exactly), and answers with a few set intersections done in C (``UnitIndex``). A
process that asks one question (the CLI) would spend more loading them than the FTS5 query
costs: it asks FTS5 (``fts_candidates``). A test holds the two to the same answer.

``rank`` then orders the names found: the name itself first, then names beginning with the
text, then names holding all its words, then names alike (rapidfuzz), each by score and rows.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from itertools import combinations
from operator import itemgetter
from typing import NamedTuple, TypeVar

from rapidfuzz import fuzz, process
from sqlalchemy import Connection

from fmtr.clean.glossary import words as index_words
from fmtr.query.memory import BoundedCache
from fmtr.query.resolve import per_build, per_build_kept
from fmtr.settings import ServerSettings
from fmtr.store import fulltext
from fmtr.store.sql import fast_rows

# What unit searches keep of each word asked, for every vocabulary and index of the process:
# its close spellings and the names holding it. Within a budget of bytes (the server's
# ``unit_cache_bytes`` setting, fmtr.query.prepare_units), not of words: a union of postings
# for a common word ("army" and its spellings) is ~100 KB, and one-letter variations of common
# words are as many distinct words as a client cares to send.
WORD_CACHE: BoundedCache[tuple[object, str, str], object] = BoundedCache(
    ServerSettings.unit_cache_bytes
)

T = TypeVar("T")

# Texts shorter than this (characters) are never aligned with a part of a name.
_PARTIAL_FROM = 6

# How a name matches the text, best first.
EXACT, PREFIX, ALL_WORDS, ALIKE = 0, 1, 2, 3
MATCHES = {EXACT: "exact", PREFIX: "starts with", ALL_WORDS: "all words", ALIKE: "alike"}


@dataclass
class Vocabulary:
    """Every word of every unit name (FTS5's tokens), and the close spellings asked so far."""

    terms: tuple[str, ...]
    # Names this vocabulary's entries in WORD_CACHE (an object, so never reused while kept).
    token: object = field(default_factory=object)

    def close_terms(self, word: str) -> list[str]:
        """The words a query word may be a spelling of (itself when indexed)."""
        if len(word) <= 3 or word.isdigit():
            return [word]  # short words and numbers must match exactly: "1" is not "2"
        key = (self.token, "close", word)
        found: list[str] | None = WORD_CACHE.get(key)  # type: ignore[assignment]
        if found is None:
            near = process.extract(word, self.terms, scorer=fuzz.ratio, score_cutoff=80, limit=20)
            found = sorted({word, *(t for t, _, _ in near)})
            # The spellings are the vocabulary's own strings; the list and the word are new.
            WORD_CACHE.put(key, found, sys.getsizeof(found) + sys.getsizeof(word))
        return found


@dataclass
class Candidates:
    """Names a search found: parallel lists of id (unit_name.id), recipient, unit, canonical
    words and the unit's printed rows."""

    ids: list[int]
    countries: list[str]
    units: list[str]
    canonical: list[str]
    unit_rows: list[int]

    def only(self, country: str | None) -> Candidates:
        if country is None:
            return self
        keep = [i for i, c in enumerate(self.countries) if c == country]
        return Candidates(
            [self.ids[i] for i in keep],
            [self.countries[i] for i in keep],
            [self.units[i] for i in keep],
            [self.canonical[i] for i in keep],
            [self.unit_rows[i] for i in keep],
        )


@dataclass
class UnitIndex:
    """Per unit_name id (lists indexed by id, "" where none), its recipient, unit, canonical
    words and its unit's printed rows; per word, the ids holding it."""

    vocabulary: Vocabulary
    postings: dict[str, frozenset[int]]  # word -> ids of unit_name holding it
    countries: list[str]
    units: list[str]
    canonical: list[str]
    unit_rows: list[int]
    token: object = field(default_factory=object)

    def holding(self, word: str) -> frozenset[int]:
        """Ids of the names holding ``word`` or a close spelling of it."""
        key = (self.token, "holding", word)
        held: frozenset[int] | None = WORD_CACHE.get(key)  # type: ignore[assignment]
        if held is None:
            sets = [self.postings.get(t, frozenset()) for t in self.vocabulary.close_terms(word)]
            if len(sets) == 1:
                held = sets[0]  # the index's own set: kept for nothing
                size = sys.getsizeof(word)
            else:
                held = frozenset().union(*sets)
                size = sys.getsizeof(held) + sys.getsizeof(word)
            WORD_CACHE.put(key, held, size)
        return held

    def candidates(self, words: list[str]) -> set[int]:
        """Names holding every word (or a close spelling), all but one word when there are
        three or more: the words' id sets, intersected smallest first."""
        sets = sorted((self.holding(w) for w in dict.fromkeys(words)), key=len)
        if len(sets) <= 2:
            return set(sets[0]).intersection(*sets[1:])
        found: set[int] = set()
        for skipped in range(len(sets)):
            others = sets[:skipped] + sets[skipped + 1 :]
            found |= others[0].intersection(*others[1:])
        return found

    def named(self, found: set[int]) -> Candidates:
        ids = sorted(found)
        return Candidates(
            ids,
            _pick(self.countries, ids),
            _pick(self.units, ids),
            _pick(self.canonical, ids),
            _pick(self.unit_rows, ids),
        )


def _pick(values: list[T], ids: list[int]) -> list[T]:
    """``[values[i] for i in ids]``, picked in C (four such lists per search, thousands of
    names long for a common word, were a tenth of a unit search)."""
    if len(ids) <= 1:
        return [values[i] for i in ids]
    return list(itemgetter(*ids)(values))


def fts_match(vocabulary: Vocabulary, words: list[str]) -> str:
    """The FTS5 query of a unit search: an OR of AND-combinations of each word's spellings."""
    alts = [
        "(" + " OR ".join(f'"{t}"' for t in vocabulary.close_terms(w)) + ")"
        for w in dict.fromkeys(words)
    ]
    need = len(alts) if len(alts) <= 2 else len(alts) - 1
    return " OR ".join("(" + " AND ".join(c) + ")" for c in combinations(alts, need))


def fts_candidates(conn: Connection, words: list[str]) -> Candidates:
    """The names the database's own index finds for ``words`` (the way of a process asking
    once): fmtr.store.fulltext, FTS5 or PostgreSQL's."""
    matching, params = fulltext.of(conn).names_matching(
        "unit", fts_match(unit_vocabulary(conn), words)
    )
    found = fast_rows(
        conn,
        "SELECT n.id, n.country_code, n.unit, n.canonical, u.rows FROM unit_name n "
        "JOIN unit_figures u ON u.country_code = n.country_code AND u.unit = n.unit "
        f"WHERE n.id IN ({matching}) ORDER BY n.id",
        params,
    )
    return Candidates(*(list(col) for col in zip(*found, strict=True))) if found else _none()


def _none() -> Candidates:
    return Candidates([], [], [], [], [])


def find_candidates(conn: Connection, words: list[str]) -> Candidates:
    """The names holding ``words``: from the loaded index when this process has one for the
    database's build (a server: fmtr.query.prepare_units), else from FTS5."""
    index: UnitIndex | None = per_build_kept(conn, "unit_index")
    if index is None:
        return fts_candidates(conn, words)
    return index.named(index.candidates(words))


class Ranked(NamedTuple):
    """A name found, with how it matches (``EXACT``...) and its score (0-100). A tuple: a
    search makes one per name matched (thousands for a common word), and a frozen dataclass
    took a tenth of a unit search's time to make them."""

    id: int
    country: str
    unit: str
    canonical: str
    unit_rows: int
    match: int
    score: float


def rank(queries: list[str], found: Candidates, threshold: float) -> list[Ranked]:
    """The names of ``found`` that match one of ``queries`` (canonical words, the same text
    read with and without a recipient's own abbreviations), best first: by how they match,
    then score, then the unit's printed rows, then name.

    A name may hold the text ("No. 1 Fighter Conversion Unit (FCU), PAF Base"): partial
    alignment scores it, but only when the name is at least as long, or "Unit" would match.
    rapidfuzz scores in C; Python sees only the names that make the threshold or hold every
    word."""
    out = [
        Ranked(
            found.ids[j],
            found.countries[j],
            found.units[j],
            found.canonical[j],
            found.unit_rows[j],
            match,
            score,
        )
        for j, (match, score) in best_matches(queries, found.canonical, threshold).items()
    ]
    out.sort(key=lambda r: (r.match, -r.score, -r.unit_rows, r.unit, r.country, r.id))
    return out


def best_matches(
    queries: list[str], names: list[str], threshold: float
) -> dict[int, tuple[int, float]]:
    """Per position in ``names`` that matches one of ``queries``, its best (match, score):
    what ``rank`` orders by (a unit search orders the units without the named tuples).

    The hot loop of a unit search (hundreds of names for a common word): each name is read
    once per query, and a text's words are looked for as words only in names holding them as
    text at all."""
    best: dict[int, tuple[int, float]] = {}
    for query in dict.fromkeys(q for q in queries if q):
        size = len(query)
        prefix = query + " "
        wanted = set(query.split())
        longest = max(wanted, key=len)
        # A text of a few letters aligns with a part of almost any long name ("rab" in
        # "...Zurab..."): such a text is compared with whole names only.
        scored: dict[int, float] = {}
        if size >= _PARTIAL_FROM:
            longer: list[int] = []
            shorter: list[int] = []
            for j, name in enumerate(names):
                (longer if len(name) >= size else shorter).append(j)
            for scorer, picked in ((fuzz.partial_ratio, longer), (fuzz.ratio, shorter)):
                if picked:
                    matches = process.extract(
                        query,
                        [names[j] for j in picked],
                        scorer=scorer,
                        processor=None,
                        score_cutoff=threshold,
                        limit=None,
                    )
                    scored.update((picked[k], score) for _, score, k in matches)
        else:
            matches = process.extract(
                query, names, scorer=fuzz.ratio, processor=None, score_cutoff=threshold,
                limit=None,
            )  # fmt: skip
            scored.update((k, score) for _, score, k in matches)
        first = not best
        for j, name in enumerate(names):
            if name == query:
                match = EXACT
            elif name.startswith(prefix):
                match = PREFIX
            elif longest in name and wanted.issubset(name.split()):
                match = ALL_WORDS  # its longest word as text (cheap) before every word as a word
            elif j in scored:
                match = ALIKE
            else:
                continue
            score = scored.get(j, 100.0 if match != ALIKE else 0.0)
            if first:
                best[j] = (match, score)
                continue
            kept = best.get(j)
            if kept is None or (match, -score) < (kept[0], -kept[1]):
                best[j] = (match, score)
    return best


def unit_vocabulary(conn: Connection) -> Vocabulary:
    """The words of every unit name, kept per process until the next build."""
    return per_build(conn, "unit_vocabulary", _load_vocabulary)


def _load_vocabulary(conn: Connection) -> Vocabulary:
    return Vocabulary(fulltext.of(conn).name_terms(conn, "unit"))


def unit_index(conn: Connection) -> UnitIndex:
    """The index of ``conn``'s database, built on first use and kept until the next build."""
    return per_build(conn, "unit_index", _load)


def _load(conn: Connection) -> UnitIndex:
    # Ordinary statements (not fast_rows): each gets a server's full time limit.
    postings = fulltext.of(conn).name_postings(conn, "unit")
    names = conn.exec_driver_sql(
        "SELECT n.id, n.country_code, n.unit, n.canonical, u.rows FROM unit_name n "
        "JOIN unit_figures u ON u.country_code = n.country_code AND u.unit = n.unit"
    ).all()
    size = max((r[0] for r in names), default=0) + 1
    countries, units, canonical, rows = [""] * size, [""] * size, [""] * size, [0] * size
    for i, country, unit, words_of, n in names:
        countries[i], units[i], canonical[i], rows[i] = country, unit, words_of, n
    return UnitIndex(Vocabulary(tuple(postings)), postings, countries, units, canonical, rows)


__all__ = [
    "ALIKE",
    "ALL_WORDS",
    "EXACT",
    "MATCHES",
    "PREFIX",
    "Candidates",
    "Ranked",
    "UnitIndex",
    "best_matches",
    "find_candidates",
    "fts_candidates",
    "index_words",
    "rank",
    "unit_index",
]
