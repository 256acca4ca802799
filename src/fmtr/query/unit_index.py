"""The printed student-unit names held in memory, for the fuzzy unit search.

A unit search first asks which of the ~65,000 distinct unit names hold every word of the text
(all but one when it has three words or more), each word or a close spelling of it. As one
FTS5 query that is an OR of AND-combinations which reads each word's posting list once per
combination: 1.5 ms a search, a third of its time. The same postings, read once per process
and build from the FTS index itself (so the words are FTS5's tokens exactly), answer it with a
few set intersections done in C. A process holds one database's index (a server's).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlalchemy import Connection

from fmtr.query.resolve import per_build

# A query word's close spellings, per index (emptied when the index is replaced).
_CLOSE_LIMIT = 20_000


@dataclass
class UnitIndex:
    """Per student_unit_name rowid (lists indexed by rowid, "" where none), its key, printed
    rows and rapidfuzz's default_process of the key; per word, the rowids holding it."""

    terms: tuple[str, ...]  # every word of every name, FTS5's tokens
    postings: dict[str, frozenset[int]]  # word -> rowids of student_unit_name holding it
    keys: list[str]  # rowid -> student_unit_key
    rows: list[int]  # rowid -> printed rows naming it
    processed: list[str]  # rowid -> default_process(key), what is scored
    close: dict[str, frozenset[int]]  # query word -> rowids holding it or a close spelling

    def close_terms(self, word: str) -> list[str]:
        """The index's words a query word may be a spelling of (itself when indexed)."""
        if len(word) <= 3 or word.isdigit():
            return [word]  # short words and numbers must match exactly: "1" is not "2"
        found = process.extract(word, self.terms, scorer=fuzz.ratio, score_cutoff=80, limit=20)
        return sorted({word, *(t for t, _, _ in found)})

    def holding(self, word: str) -> frozenset[int]:
        """Rowids of the names holding ``word`` or a close spelling of it."""
        held = self.close.get(word)
        if held is None:
            sets = [self.postings.get(t, frozenset()) for t in self.close_terms(word)]
            held = sets[0] if len(sets) == 1 else frozenset().union(*sets)
            if len(self.close) > _CLOSE_LIMIT:
                self.close.clear()
            self.close[word] = held
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

    def best(
        self, text: str, found: set[int], threshold: float, limit: int
    ) -> tuple[list[tuple[str, int, float]], int]:
        """The ``limit`` names of ``found`` most alike ``text`` as (key, rows, score), best
        score first, then most printed, then key; and how many score ``threshold`` or more.

        A name may hold the text ("No. 1 Fighter Conversion Unit (FCU), PAF Base"): partial
        alignment, but only when the name is at least as long, or "Unit" would match. rapidfuzz
        scores and sorts in C; Python sees only the names that can make the cut (a common
        text such as "Ministry of Defense" scores over a thousand)."""
        query = utils.default_process(text)
        processed, size = self.processed, len(query)
        longer = [i for i in found if len(processed[i]) >= size]
        shorter = [i for i in found if len(processed[i]) < size]
        scored: list[tuple[float, int]] = []  # (score, rowid), each list best first
        for scorer, ids in ((fuzz.partial_ratio, longer), (fuzz.ratio, shorter)):
            names = [processed[i] for i in ids]
            matches = process.extract(
                query, names, scorer=scorer, processor=None, score_cutoff=threshold, limit=None
            )
            scored += [(score, ids[j]) for _, score, j in matches]
        total = len(scored)
        if total > limit:
            # Ties at the cut are kept, so that the order below (not rapidfuzz's) decides.
            cut = sorted((s for s, _ in scored), reverse=True)[limit - 1]
            scored = [x for x in scored if x[0] >= cut]
        keys, rows = self.keys, self.rows
        ranked = sorted((-s, -rows[i], keys[i]) for s, i in scored)[:limit]
        return [(key, -n, -s) for s, n, key in ranked], total


# Two letters FTS5 folds that str.lower() does not: the long s and the micro sign.
_FOLD = str.maketrans({"\u017f": "s", "\u00b5": "\u03bc"})


def index_words(text: str) -> list[str]:
    """The words of ``text`` as FTS5's unicode61 tokenizer (remove_diacritics 2) makes them:
    lower case (not casefold: "ß" stays), accents dropped (canonical decomposition only: "½"
    stays), split at anything not a letter or digit. Exact for Latin script (the reports');
    a test holds it to FTS5 on Latin-1 and Latin Extended-A."""
    bare = "".join(
        c
        for c in unicodedata.normalize("NFD", text.lower().translate(_FOLD))
        if not unicodedata.combining(c)
    )
    return re.findall(r"[^\W_]+", bare)


def unit_index(conn: Connection) -> UnitIndex:
    """The index of ``conn``'s database, built on first use and kept until the next build."""
    return per_build(conn, "unit_index", _load)


def _load(conn: Connection) -> UnitIndex:
    # A temp table: connection-private, so it works on a file opened read-only (mode=ro).
    conn.exec_driver_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.student_unit_words "
        "USING fts5vocab(main, student_unit_fts, instance)"
    )
    # Ordinary statements (not fast_rows): each gets a server's full time limit.
    postings: dict[str, frozenset[int]] = {
        term: frozenset(map(int, docs.split(",")))
        for term, docs in conn.exec_driver_sql(
            "SELECT term, group_concat(doc) FROM temp.student_unit_words GROUP BY term"
        )
    }
    names = conn.exec_driver_sql("SELECT rowid, key, rows FROM student_unit_name").all()
    size = max((r[0] for r in names), default=0) + 1
    keys, rows, processed = [""] * size, [0] * size, [""] * size
    for rowid, key, n in names:
        keys[rowid], rows[rowid], processed[rowid] = key, n, utils.default_process(key)
    return UnitIndex(tuple(postings), postings, keys, rows, processed, {})
