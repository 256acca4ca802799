"""The word-matching rule: is every word of a row's text cells where the second reading has it?

A row's words are looked for in the second reading's lines (see layouts.py), never in its whole
page: a word is found when the same word (NFC, exact, case and accents included) stands in the
same column, within the row's own lines. The row's lines are found from its figures:

1. **Its own line.** Quantity, cost and dates never wrap, so the line holding the row's
   quantity, cost, start and end date (each in its column) is the row's own line. Rows are
   anchored in document order: each row's line is looked for after the previous row's, on the
   row's pages.
2. **Its window.** A row's wrapped lines lie between the previous row's own line and the next
   row's (whichever way the layout wraps: centred on the row's line from FY2007, below it
   before), and never across a heading, a total or a column header. A word on another row's own
   line, or beyond it, is not this row's.
3. **Each word once.** A word of the page is used by one cell only: the row's own line is
   searched first, then the lines above it (nearest first), then below. So a fragment between
   two rows can be claimed by either, but not twice.

A word of the cell that the page prints broken at a line end ("PREP-" / "INTERNATIONAL") is
found by its parts when the first part ends with the hyphen. Nothing else is forgiven: a word
with a space inside ("Arm y"), a hyphen spaced differently ("CIV -MILITARY"), an accent decoded
wrong ("Per˙"), a word from another column or another row, are differences. Each difference
is told by kind (what the second reading has there), so that a class of error shows as a class.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from fmtr.verify.text.layouts import (
    COST,
    END,
    LOCATION,
    QUANTITY,
    START,
    STUDENT_UNIT,
    TITLE,
    US_UNIT,
    Line,
)

# The cells checked, in this order (the text cells first).
FIELDS = (TITLE, US_UNIT, STUDENT_UNIT, LOCATION, QUANTITY, COST, START, END)
TEXT_FIELDS = FIELDS[:4]
_ANCHOR_FIELDS = (QUANTITY, COST, START, END)

# Kinds of difference, from the most to the least specific diagnosis.
BROKEN_HYPHEN = "broken_hyphen"  # U+FFFE (PDFium's mark of a line-break hyphen) in the word
HYPHEN_SPACING = "hyphen_spacing"  # "CIV -MILITARY" where the page has "CIV-MILITARY"
SPLIT_WORD = "split_word"  # "Arm y" where the page has "Army"
CHARACTERS = "characters"  # same word, other characters: "Per˙" where the page has "Perú"
WRONG_COLUMN = "wrong_column"  # the word is in the row's lines, in another column
WRONG_ROW = "wrong_row"  # the word is in this column on the page, outside the row's lines
JOINED_WORDS = "joined_words"  # "CIVMILITARY" where the page has two words
NOT_FOUND = "not_found"  # nowhere near
SOURCE_CHARACTER = "source_character"  # found, but holds a character no text should hold
KINDS = (
    BROKEN_HYPHEN,
    HYPHEN_SPACING,
    SPLIT_WORD,
    CHARACTERS,
    WRONG_COLUMN,
    WRONG_ROW,
    JOINED_WORDS,
    NOT_FOUND,
    SOURCE_CHARACTER,
)


@dataclass(frozen=True, slots=True)
class RowCells:
    """One training row as stored: where it is and its cells in FIELDS order."""

    seq: int  # the row's position in its document (0-based, document order)
    page: int
    last_page: int | None
    cells: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class Miss:
    word: str
    kind: str
    seen: str = ""  # what the second reading has instead, where it says


@dataclass(frozen=True, slots=True)
class CellDifference:
    seq: int
    page: int
    field: str
    cell: str
    misses: tuple[Miss, ...]


def nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def suspect_character(word: str) -> bool:
    """A character no report text should hold, whichever reader reads it: a replacement
    character, a noncharacter, a control or private-use character, or letters of two scripts
    in one word (a Greek "τ" inside a Latin word)."""
    if word.isascii():
        return not word.isprintable()
    scripts: set[str] = set()
    for ch in word:
        cat = unicodedata.category(ch)
        if ch in "\ufffd\ufffe\uffff" or cat in ("Cc", "Co", "Cs", "Cn"):
            return True
        if cat.startswith("L"):
            script = unicodedata.name(ch, "").split(" ", 1)[0]
            if script in _SCRIPTS:
                scripts.add(script)
    return len(scripts) > 1


# Scripts whose letters the reports print; a word mixing two of them is suspect ("Forτas").
_SCRIPTS = frozenset({"LATIN", "GREEK", "CYRILLIC", "ARABIC", "HEBREW", "ARMENIAN", "GEORGIAN"})


class _Pool:
    """The words of the row's lines still unclaimed, per line and column (copied on first use
    of a line, so that most lines are never copied)."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.left: dict[int, dict[str, list[str]]] = {}

    def words(self, k: int, field: str) -> list[str] | None:
        got = self.left.get(k)
        if got is None:
            got = self.left[k] = {f: list(ws) for f, ws in self.lines[k].cells.items()}
        return got.get(field)

    def take(self, order: list[int], field: str, word: str) -> bool:
        for k in order:
            ws = self.words(k, field)
            if ws and word in ws:
                ws.remove(word)
                return True
        return False

    def take_broken(self, order: list[int], field: str, word: str) -> bool:
        """The word printed broken after a hyphen at a line end: its parts, each claimed."""
        for p in range(1, len(word) - 1):
            if word[p] != "-":
                continue
            head, tail = word[: p + 1], word[p + 1 :]
            if not self.take(order, field, head):
                continue
            if self.take(order, field, tail) or self.take_broken(order, field, tail):
                return True
            self._give_back(order, field, head)
        return False

    def _give_back(self, order: list[int], field: str, word: str) -> None:
        for k in order:
            ws = self.words(k, field)
            if ws is not None:
                ws.append(word)
                return


def check_rows(rows: list[RowCells], lines: list[Line]) -> list[CellDifference]:
    """Every cell of every row looked for in the lines (see the module doc)."""
    anchors = _anchor_rows(rows, lines)
    bounds = [k for k, ln in enumerate(lines) if ln.boundary]
    placed = [(a, i) for i, a in enumerate(anchors) if a is not None]
    placed_at = [a for a, _ in placed]
    pool = _Pool(lines)
    pages = [ln.page for ln in lines]
    out: list[CellDifference] = []
    for i, row in enumerate(rows):
        order, lo, hi = _window(row, anchors[i], placed_at, bounds, lines)
        for f, cell in zip(FIELDS, row.cells, strict=True):
            if not cell:
                continue
            tokens = [nfc(t) for t in cell.split()]
            missed: list[int] = []
            for j, t in enumerate(tokens):
                if not (pool.take(order, f, t) or pool.take_broken(order, f, t)):
                    missed.append(j)
            span = range(
                bisect_left(pages, row.page), bisect_right(pages, row.last_page or row.page)
            )
            misses = [_diagnose(tokens, j, f, span, lo, hi, lines) for j in missed]
            misses += [
                Miss(t, SOURCE_CHARACTER)
                for j, t in enumerate(tokens)
                if j not in missed and suspect_character(t)
            ]
            if misses:
                out.append(CellDifference(row.seq, row.page, f, cell, tuple(misses)))
    return out


def _anchor_rows(rows: list[RowCells], lines: list[Line]) -> list[int | None]:
    """Each row's own line (index into lines), or None where the second reading has no line
    with the row's figures on the row's pages."""
    out: list[int | None] = []
    k0 = 0
    for row in rows:
        need = [
            (f, cell.split())
            for f, cell in zip(FIELDS, row.cells, strict=True)
            if cell and f in _ANCHOR_FIELDS
        ]
        if not need and row.cells[0]:
            need = [(TITLE, row.cells[0].split()[:1])]
        found = _find(lines, k0, row, need, strict=True)
        if found is None:
            # Figures printed in another column than their header's (a row shifted right).
            found = _find(lines, k0, row, need, strict=False)
        out.append(found)
        if found is not None:
            k0 = found + 1
    return out


def _find(
    lines: list[Line], k0: int, row: RowCells, need: list[tuple[str, list[str]]], strict: bool
) -> int | None:
    if not need:
        return None
    last = row.last_page or row.page
    for k in range(k0, len(lines)):
        ln = lines[k]
        if ln.page > last:
            return None
        if ln.page < row.page or ln.boundary:
            continue
        if strict:
            cells = ln.cells
            if all(t in cells.get(f, ()) for f, ts in need for t in ts):
                return k
        else:
            # Any column, this line and the next (a shifted row's end date wraps below it).
            words = {w for ws in ln.cells.values() for w in ws}
            if k + 1 < len(lines):
                words.update(w for ws in lines[k + 1].cells.values() for w in ws)
            if all(t in words for _, ts in need for t in ts):
                return k
    return None


def _window(
    row: RowCells,
    anchor: int | None,
    placed_at: list[int],
    bounds: list[int],
    lines: list[Line],
) -> tuple[list[int], int, int]:
    """The row's lines in search order, and the exclusive limits of its window."""
    last = row.last_page or row.page
    if anchor is None:
        # Not located: between the located rows around it (a weaker check, but still a check).
        first = row.page
        j = bisect_left(placed_at, _first_line_of_page(lines, first))
        lo = placed_at[j - 1] if j > 0 else -1
        hi = placed_at[j] if j < len(placed_at) else len(lines)
        order = [k for k in range(lo + 1, hi) if row.page <= lines[k].page <= last]
        return order, lo, hi
    j = bisect_left(placed_at, anchor)
    lo = placed_at[j - 1] if j > 0 else -1
    hi = placed_at[j + 1] if j + 1 < len(placed_at) else len(lines)
    b = bisect_right(bounds, anchor)
    if b > 0:
        lo = max(lo, bounds[b - 1])
    if b < len(bounds):
        hi = min(hi, bounds[b])
    order = [anchor]
    order += [k for k in range(anchor - 1, lo, -1) if lines[k].page >= row.page]
    order += [k for k in range(anchor + 1, hi) if lines[k].page <= last]
    return order, lo, hi


def _first_line_of_page(lines: list[Line], page: int) -> int:
    for k, ln in enumerate(lines):
        if ln.page >= page:
            return k
    return len(lines)


# --------------------------------------------------------------------------- diagnosis


def _diagnose(
    tokens: list[str], j: int, field: str, span: range, lo: int, hi: int, lines: list[Line]
) -> Miss:
    """What the second reading has where the word was not found (``span``: the indexes of the
    lines of the row's pages; ``lo``, ``hi``: the exclusive limits of its window)."""
    word = tokens[j]
    if "\ufffe" in word:
        return Miss(word, BROKEN_HYPHEN)
    window = [lines[k] for k in span if lo < k < hi]
    here = {nfc(w) for ln in window for w in ln.cells.get(field, ())}
    # A space the page does not print: the word and its neighbours make one word there.
    for a in range(max(0, j - 3), j + 1):
        for b in range(max(j + 1, a + 2), min(len(tokens), j + 4) + 1):
            joined = "".join(tokens[a:b])
            if joined in here:
                parts = tokens[a:b]
                hyphen = any(
                    p.endswith("-") or q.startswith("-")
                    for p, q in zip(parts, parts[1:], strict=False)
                )
                return Miss(word, HYPHEN_SPACING if hyphen else SPLIT_WORD, joined)
    alike = _same_but_characters(word, here)
    if alike:
        return Miss(word, CHARACTERS, alike)
    for ln in window:
        for f, ws in ln.cells.items():
            if f != field and word in ws:
                return Miss(word, WRONG_COLUMN, f)
    for k in span:
        ln = lines[k]
        if not lo < k < hi and word in ln.cells.get(field, ()):
            return Miss(word, WRONG_ROW, f"page {ln.page}: {' '.join(ln.cells[field])}")
    for ln in window:
        ws = ln.cells.get(field, [])
        for a in range(len(ws)):
            for b in range(a + 2, min(len(ws), a + 4) + 1):
                if "".join(ws[a:b]) == word:
                    return Miss(word, JOINED_WORDS, " ".join(ws[a:b]))
    # Two words of the row's lines run together, from two columns or two lines ("Army3/3").
    near = {w for ln in window for ws in ln.cells.values() for w in ws}
    for p in range(1, len(word)):
        if word[:p] in near and word[p:] in near:
            return Miss(word, JOINED_WORDS, f"{word[:p]} | {word[p:]}")
    return Miss(word, NOT_FOUND, " / ".join(" ".join(ln.cells.get(field, ())) for ln in window))


def _same_but_characters(word: str, candidates: set[str]) -> str:
    """A candidate equal to the word but at positions where one of them is not ASCII."""
    for c in candidates:
        if (
            len(c) == len(word)
            and c != word
            and all(
                x == y or not x.isascii() or not y.isascii() for x, y in zip(c, word, strict=True)
            )
        ):
            return c
    bare = "".join(ch for ch in word if ch.isascii())
    if bare and bare != word:
        for c in candidates:
            if "".join(ch for ch in c if ch.isascii()) == bare:
                return c
    return ""
