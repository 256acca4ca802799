"""The printed student-unit names a unit search looks through, and how it scores them.

A unit search first asks which of the ~65,000 distinct unit names hold every word of the text
(all but one when it has three words or more), each word or a close spelling of it. As one
full-text query that is an OR of AND-combinations which reads each word's posting list once
per combination: 1.5 ms a search on SQLite, a third of its time. A server therefore loads the
same postings once per process and build, from the full-text index itself (so the words are
the index's exactly: fmtr.store.fulltext, FTS5 or PostgreSQL's), and answers with a few set
intersections done in C (``UnitIndex``). A process that asks one question (the CLI) would
spend more loading them (0.3 s) than the query costs: it asks the index
(``fts_candidates``). A test holds the two to the same answer.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils
from sqlalchemy import Connection

from fmtr.query.memory import BoundedCache
from fmtr.query.resolve import per_build, per_build_kept
from fmtr.settings import ServerSettings
from fmtr.store import fulltext
from fmtr.store.fulltext.tokens import index_words as index_words  # the unit search's words

# What unit searches keep of each word asked, for every vocabulary and index of the process:
# its close spellings and the names holding it. Within a budget of bytes (the server's
# ``unit_cache_bytes`` setting, fmtr.query.prepare_units), not of words: a union of postings
# for a common word ("army" and its spellings) is ~100 KB, and one-letter variations of common
# words are as many distinct words as a client cares to send.
WORD_CACHE: BoundedCache[tuple[object, str, str], object] = BoundedCache(
    ServerSettings.unit_cache_bytes
)


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
    """Unit names a search found: parallel lists of key, printed rows and the key as scored
    (rapidfuzz's default_process)."""

    keys: list[str]
    rows: list[int]
    processed: list[str]


@dataclass
class UnitIndex:
    """Per student_unit_name rowid (lists indexed by rowid, "" where none), its key, printed
    rows and the key as scored; per word, the rowids holding it."""

    vocabulary: Vocabulary
    postings: dict[str, frozenset[int]]  # word -> rowids of student_unit_name holding it
    keys: list[str]
    rows: list[int]
    processed: list[str]
    token: object = field(default_factory=object)

    def holding(self, word: str) -> frozenset[int]:
        """Rowids of the names holding ``word`` or a close spelling of it."""
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
        three or more: the words' rowid sets, intersected smallest first."""
        sets = sorted((self.holding(w) for w in dict.fromkeys(words)), key=len)
        if len(sets) <= 2:
            return set(sets[0]).intersection(*sets[1:])
        found: set[int] = set()
        for skipped in range(len(sets)):
            others = sets[:skipped] + sets[skipped + 1 :]
            found |= others[0].intersection(*others[1:])
        return found

    def named(self, found: set[int]) -> Candidates:
        ids = list(found)
        return Candidates(
            [self.keys[i] for i in ids],
            [self.rows[i] for i in ids],
            [self.processed[i] for i in ids],
        )


def fts_candidates(conn: Connection, words: list[str]) -> Candidates:
    """The names the database's own index finds for ``words`` (the way of a process asking
    once): fmtr.store.fulltext."""
    vocabulary = unit_vocabulary(conn)
    alternatives = [vocabulary.close_terms(w) for w in dict.fromkeys(words)]
    found = fulltext.of(conn).unit_candidates(conn, alternatives)
    return Candidates(
        [k for k, _ in found], [n for _, n in found], [utils.default_process(k) for k, _ in found]
    )


def find_candidates(conn: Connection, words: list[str]) -> Candidates:
    """The names holding ``words``: from the loaded index when this process has one for the
    database's build (a server: fmtr.query.prepare_units), else from FTS5."""
    index: UnitIndex | None = per_build_kept(conn, "unit_index")
    if index is None:
        return fts_candidates(conn, words)
    return index.named(index.candidates(words))


def best(
    text: str, found: Candidates, threshold: float, limit: int
) -> tuple[list[tuple[str, int, float]], int]:
    """The ``limit`` names most alike ``text`` as (key, rows, score), best score first, then
    most printed, then key; and how many score ``threshold`` or more.

    A name may hold the text ("No. 1 Fighter Conversion Unit (FCU), PAF Base"): partial
    alignment, but only when the name is at least as long, or "Unit" would match. rapidfuzz
    scores and sorts in C; Python sees only the names that can make the cut (a common text such
    as "Ministry of Defense" scores over a thousand)."""
    query = utils.default_process(text)
    size = len(query)
    processed = found.processed
    longer = [j for j, name in enumerate(processed) if len(name) >= size]
    shorter = [j for j, name in enumerate(processed) if len(name) < size]
    scored: list[tuple[float, int]] = []  # (score, position in found)
    for scorer, picked in ((fuzz.partial_ratio, longer), (fuzz.ratio, shorter)):
        names = [processed[j] for j in picked]
        matches = process.extract(
            query, names, scorer=scorer, processor=None, score_cutoff=threshold, limit=None
        )
        scored += [(score, picked[k]) for _, score, k in matches]
    total = len(scored)
    if total > limit:
        # Ties at the cut are kept, so that the order below (not rapidfuzz's) decides.
        cut = sorted((s for s, _ in scored), reverse=True)[limit - 1]
        scored = [x for x in scored if x[0] >= cut]
    keys, rows = found.keys, found.rows
    ranked = sorted((-s, -rows[j], keys[j]) for s, j in scored)[:limit]
    return [(key, -n, -s) for s, n, key in ranked], total


def unit_vocabulary(conn: Connection) -> Vocabulary:
    """The words of every unit name, kept per process until the next build."""
    return per_build(conn, "unit_vocabulary", _load_vocabulary)


def _load_vocabulary(conn: Connection) -> Vocabulary:
    return Vocabulary(fulltext.of(conn).unit_terms(conn))


def unit_index(conn: Connection) -> UnitIndex:
    """The index of ``conn``'s database, built on first use and kept until the next build."""
    return per_build(conn, "unit_index", _load)


def _load(conn: Connection) -> UnitIndex:
    postings, names = fulltext.of(conn).unit_postings(conn)
    size = max((r[0] for r in names), default=0) + 1
    keys, rows, processed = [""] * size, [0] * size, [""] * size
    for rowid, key, n in names:
        keys[rowid], rows[rowid], processed[rowid] = key, n, utils.default_process(key)
    return UnitIndex(Vocabulary(tuple(postings)), postings, keys, rows, processed)
