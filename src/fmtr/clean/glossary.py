"""What the reports write short, and the words a search compares: ``abbreviations.tsv``.

Names are compared word by word, as the full-text index splits them (``words``: FTS5's
unicode61 tokens). ``canonical`` rewrites a name's words with the table's ``short`` lines
("4TH INF BDE" -> "4th infantry brigade", "CMD & GEN STAFF OFF" -> "command general staff
officer") and drops the words that carry nothing (``STOP_WORDS``: "and", "of", "the"...): two
spellings with the same canonical words name the same thing. The build stores each student
unit's and course's canonical words (fmtr.store.names); a search compares the canonical words of
what the user typed with them, and ``fts_expression`` turns a search's canonical words into an
FTS5 query over the verbatim cells, every word matched as written or as any term meaning it
(``related`` lines: a search for one also finds the other).

Only lines whose term means one thing wherever it is printed are in the table (each line says
why); a line can hold for some countries only (RAB: Bangladesh's Rapid Action Battalion, Rabat
in Morocco's names).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

# Where a name comes from: a student unit, a course title, or any cell (a search over every
# column, for which every line holds).
Scope = Literal["unit", "course", "all"]

# Words that carry no meaning of their own in a name or a search: "Command and General Staff"
# and "CMD & GEN STAFF" are the same words once "and" (and "&", which is no word) is dropped. A
# lone "s" is what is left of a possessive whose apostrophe the index splits ("Officer's",
# "Officer'S", "Officer S" as the reports print it).
STOP_WORDS = frozenset({"and", "of", "the", "for", "s", "de", "del", "y"})

_WORD = re.compile(r"[^\W_]+")
# Two letters FTS5 folds that str.lower() does not: the long s and the micro sign.
_FOLD = str.maketrans({"\u017f": "s", "\u00b5": "\u03bc"})


def words(text: str) -> list[str]:
    """The words of ``text`` as FTS5's unicode61 tokenizer (remove_diacritics 2) makes them:
    lower case (not casefold: "ß" stays), accents dropped (canonical decomposition only: "½"
    stays), split at anything not a letter or digit. Exact for Latin script (the reports');
    a test holds it to FTS5 on Latin-1 and Latin Extended-A."""
    lowered = text.lower()
    if not lowered.isascii():  # accents, long s, micro sign: the reports' names rarely
        lowered = "".join(
            c
            for c in unicodedata.normalize("NFD", lowered.translate(_FOLD))
            if not unicodedata.combining(c)
        )
    return _WORD.findall(lowered)


@dataclass(frozen=True)
class Entry:
    """One line of the table."""

    term: tuple[str, ...]
    means: tuple[str, ...]
    scope: Literal["unit", "course", "any"]
    countries: frozenset[str]  # empty: everywhere
    kind: Literal["short", "related"]
    reason: str

    def holds(self, scope: Scope, country: str | None) -> bool:
        """Whether the line applies to a name of ``scope`` of ``country`` (None: a search
        over every country, for which every country's lines hold)."""
        in_scope = scope == "all" or self.scope in ("any", scope)
        return in_scope and (not self.countries or country is None or country in self.countries)


@cache
def entries() -> tuple[Entry, ...]:
    """The table's lines, checked: terms and meanings in index words, known scopes and kinds,
    no term given two meanings in one scope."""
    text = resources.files("fmtr.clean").joinpath("abbreviations.tsv").read_text("utf-8")
    rows = csv.DictReader(
        (ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), delimiter="\t"
    )
    found: list[Entry] = []
    seen: dict[tuple[tuple[str, ...], str, frozenset[str]], tuple[str, ...]] = {}
    for row in rows:
        entry = Entry(
            tuple(row["term"].split()),
            tuple(row["means"].split()),
            row["scope"],  # type: ignore[arg-type]
            frozenset(c for c in row["countries"].split() if c),
            row["kind"],  # type: ignore[arg-type]
            row["reason"],
        )
        problem = _problem(entry)
        if problem:
            raise ValueError(f"abbreviations.tsv: {' '.join(entry.term)!r}: {problem}")
        key = (entry.term, entry.scope, entry.countries)
        if key in seen and seen[key] != entry.means:
            raise ValueError(f"abbreviations.tsv: {' '.join(entry.term)!r} means two things")
        seen[key] = entry.means
        found.append(entry)
    return tuple(found)


def _problem(entry: Entry) -> str:
    if entry.scope not in ("unit", "course", "any"):
        return f"unknown scope {entry.scope!r}"
    if entry.kind not in ("short", "related"):
        return f"unknown kind {entry.kind!r}"
    if not entry.term or not entry.means or not entry.reason.strip():
        return "a term, a meaning and a reason are needed"
    for part in (entry.term, entry.means):
        if list(part) != words(" ".join(part)):
            return "write terms and meanings as index words (lower case, no punctuation)"
    if set(entry.means) & STOP_WORDS or set(entry.term) & STOP_WORDS:
        return "no stop word in a term or a meaning (they are dropped before comparing)"
    return ""


@dataclass(frozen=True)
class _Rules:
    """The short lines holding for one scope and country, by first word, longest first."""

    by_first: dict[str, tuple[Entry, ...]]


@cache
def _rules(scope: Scope, country: str | None) -> _Rules:
    by_first: dict[str, list[Entry]] = {}
    for e in entries():
        if e.kind == "short" and e.holds(scope, country):
            by_first.setdefault(e.term[0], []).append(e)
    return _Rules({w: tuple(sorted(es, key=lambda e: -len(e.term))) for w, es in by_first.items()})


def expand(found: Iterable[str], scope: Scope, country: str | None = None) -> tuple[str, ...]:
    """Index words with the table's short terms written out and stop words dropped."""
    ws = list(found)
    rules = _rules(scope, country).by_first
    out: list[str] = []
    i = 0
    while i < len(ws):
        for e in rules.get(ws[i], ()):
            n = len(e.term)
            if tuple(ws[i : i + n]) == e.term:
                out.extend(e.means)
                i += n
                break
        else:
            out.append(ws[i])
            i += 1
    return tuple(w for w in out if w not in STOP_WORDS)


def canonical(text: str, scope: Scope, country: str | None = None) -> str:
    """``text``'s canonical words, space-separated: "4TH INF BDE" -> "4th infantry brigade",
    "Command and General Staff Officer's Course" -> "command general staff officer course".
    ``country``: the lines holding for that country's names (None: every country's)."""
    if country is not None and country not in _with_own_lines():
        country = ""  # the lines for everywhere only: one cache entry for most countries
    return _canonical(text, scope, country)


@cache
def _with_own_lines() -> frozenset[str]:
    return frozenset(c for e in entries() for c in e.countries)


@lru_cache(maxsize=200_000)
def _canonical(text: str, scope: Scope, country: str | None) -> str:
    return " ".join(expand(words(text), scope, country))


# --- searching the verbatim cells --------------------------------------------------------------


@cache
def _spellings(scope: Scope) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Per canonical word, the terms written for it: "brigade" -> (("bde",), ("brig",)), and
    per word of a longer meaning the terms that stand for all of it: "staff" -> (("c",
    "gsc"), ("cgsc",), ...) (a row printing "C&GSC" holds "command", "general" and "staff")."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for e in entries():
        if e.kind == "short" and e.holds(scope, None):
            for w in e.means:
                out.setdefault(w, [])
                if e.term not in out[w]:
                    out[w].append(e.term)
    return {w: tuple(ts) for w, ts in out.items()}


@cache
def _related(scope: Scope) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Pairs of canonical word runs a search takes as one another (both ways)."""
    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for e in entries():
        if e.kind == "related" and e.holds(scope, None):
            a, b = expand(e.term, scope), expand(e.means, scope)
            pairs += [(a, b), (b, a)]
    return tuple(pairs)


def _quoted(term: tuple[str, ...]) -> str:
    return '"' + " ".join(term) + '"'  # one token, or a phrase of several in order


def word_expression(word: str, scope: Scope) -> str:
    """An FTS5 expression matching ``word`` as written or as any term standing for it."""
    terms = [(word,), *(t for t in _spellings(scope).get(word, ()) if t != (word,))]
    if len(terms) == 1:
        return _quoted(terms[0])
    return "(" + " OR ".join(_quoted(t) for t in terms) + ")"


def _run(run: tuple[str, ...], scope: Scope, verbatim: bool) -> str:
    word = (lambda w: word_expression(w, scope)) if verbatim else (lambda w: _quoted((w,)))
    return " AND ".join(word(w) for w in run)


def fts_expression(canonical_words: tuple[str, ...], scope: Scope, *, verbatim: bool = True) -> str:
    """The FTS5 query finding rows whose cells hold every one of ``canonical_words`` (as written
    or as a term meaning it); a run of words a ``related`` line names may instead be its
    counterpart's words. Empty when there is no word. ``verbatim`` False: for an index of
    canonical words (every term already written out), each word as itself."""
    ws = canonical_words
    parts: list[str] = []
    i = 0
    while i < len(ws):
        for a, b in _related(scope):
            if tuple(ws[i : i + len(a)]) == a:
                parts.append(f"(({_run(a, scope, verbatim)}) OR ({_run(b, scope, verbatim)}))")
                i += len(a)
                break
        else:
            parts.append(_run((ws[i],), scope, verbatim))
            i += 1
    return " AND ".join(parts)


def related_runs(canonical_words: tuple[str, ...], scope: Scope) -> list[tuple[str, str]]:
    """The ``related`` lines a search's words use, as (its words, what else they find)."""
    out = []
    for a, b in _related(scope):
        n = len(a)
        if any(canonical_words[i : i + n] == a for i in range(len(canonical_words) - n + 1)):
            out.append((" ".join(a), " ".join(b)))
    return out
