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


# How a row's wrapped lines lie around its own line, per layout family: "centred" (FY2007-2008
# on: each cell centred on the row's line, column by column), "below" (FY2001-2002 .. FY2005-
# 2006: cells top-aligned, wraps below the row's line), "window" (anywhere between the
# neighbouring rows' lines: the HTML editions and FY2000-2001, whose titles wrap both ways).
CENTRED, BELOW, WINDOW = "centred", "below", "window"


def check_rows(rows: list[RowCells], lines: list[Line], rule: str = WINDOW) -> list[CellDifference]:
    """Every cell of every row looked for in the lines (see the module doc)."""
    anchors = _anchor_rows(rows, lines)
    bounds = [k for k, ln in enumerate(lines) if ln.boundary]
    placed_at = [a for a in anchors if a is not None]
    own = _own_lines(rows, anchors, lines, rule) if rule != WINDOW else None
    pool = _Pool(lines)
    pages = [ln.page for ln in lines]
    out: list[CellDifference] = []
    for i, row in enumerate(rows):
        mine = own[i] if own is not None else None
        if mine is None:
            order = _window(row, anchors[i], placed_at, bounds, lines)
            mine = dict.fromkeys(FIELDS, order)
        span = range(bisect_left(pages, row.page), bisect_right(pages, row.last_page or row.page))
        for f, cell in zip(FIELDS, row.cells, strict=True):
            if not cell:
                continue
            order = mine[f]
            tokens = [nfc(t) for t in cell.split()]
            missed: list[int] = []
            for j, t in enumerate(tokens):
                if not (pool.take(order, f, t) or pool.take_broken(order, f, t)):
                    missed.append(j)
            misses = [_diagnose(tokens, j, f, span, mine, lines) for j in missed]
            misses += [
                Miss(t, SOURCE_CHARACTER)
                for j, t in enumerate(tokens)
                if j not in missed and suspect_character(t)
            ]
            if misses:
                out.append(CellDifference(row.seq, row.page, f, cell, tuple(misses)))
    return out


def _own_lines(
    rows: list[RowCells], anchors: list[int | None], lines: list[Line], rule: str
) -> list[dict[str, list[int]] | None]:
    """For each located row, the lines of each column that are its own, its own line first:
    the lines between two rows' own lines go to the row above ("below"), or are shared column
    by column, as many lines of a column to the row above as it has above its own line, the
    rest to the row below ("centred"). A heading or a total ends a row's lines; lines outside
    the row's pages are not its own."""
    own: list[dict[str, list[int]] | None] = [None] * len(rows)
    placed = [(a, i) for i, a in enumerate(anchors) if a is not None]
    for a, i in placed:
        own[i] = {f: [a] for f in FIELDS}
    below: dict[str, int] = {}  # centred: lines of each column the row above still takes
    if rule == CENTRED and placed:
        # The first row's lines above its own line, from the last heading or total before it.
        a, i = placed[0]
        start = max((k for k in range(a) if lines[k].boundary), default=-1) + 1
        first = own[i]
        assert first is not None
        for k in range(start, a):
            if lines[k].page >= rows[i].page:
                for f in lines[k].cells:
                    first[f].append(k)
                    below[f] = below.get(f, 0) + 1
    for n, (a, i) in enumerate(placed):
        end = placed[n + 1][0] if n + 1 < len(placed) else len(lines)
        gap = range(a + 1, end)
        stop = next((k for k in gap if lines[k].boundary), None)
        mine = own[i]
        assert mine is not None
        row = rows[i]
        last = row.last_page or row.page
        nxt = own[placed[n + 1][1]] if n + 1 < len(placed) and stop is None else None
        nxt_row = rows[placed[n + 1][1]] if nxt is not None else None
        taken: dict[str, int] = {}
        upper: dict[str, int] = {}
        for k in gap if stop is None else range(a + 1, stop):
            ln = lines[k]
            for f in ln.cells:
                if rule == BELOW or taken.get(f, 0) < below.get(f, 0):
                    if ln.page <= last:
                        mine[f].append(k)
                    taken[f] = taken.get(f, 0) + 1
                elif nxt is not None and nxt_row is not None and ln.page >= nxt_row.page:
                    nxt[f].append(k)
                    upper[f] = upper.get(f, 0) + 1
        if rule == CENTRED and n + 1 < len(placed) and stop is not None:
            # The next row opens after a heading or a total: its lines above its own line
            # begin after the last of them.
            j = placed[n + 1][1]
            after = max(k for k in gap if lines[k].boundary) + 1
            nxt_mine = own[j]
            assert nxt_mine is not None
            for k in range(after, placed[n + 1][0]):
                if lines[k].page >= rows[j].page:
                    for f in lines[k].cells:
                        nxt_mine[f].append(k)
                        upper[f] = upper.get(f, 0) + 1
        below = upper
    for mine in own:
        if mine is not None:
            for ks in mine.values():
                # Search order: the row's own line, then the nearest lines first.
                ks[1:] = sorted(ks[1:], key=lambda k, a=ks[0]: abs(k - a))  # type: ignore[misc]
    return own


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
) -> list[int]:
    """The row's lines in search order between its neighbours' own lines (and any heading or
    total): its own line, the lines above it (nearest first), then those below."""
    last = row.last_page or row.page
    if anchor is None:
        # Not located: between the located rows around it (a weaker check, but still a check).
        j = bisect_left(placed_at, _first_line_of_page(lines, row.page))
        lo = placed_at[j - 1] if j > 0 else -1
        hi = placed_at[j] if j < len(placed_at) else len(lines)
        return [k for k in range(lo + 1, hi) if row.page <= lines[k].page <= last]
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
    return order


def _first_line_of_page(lines: list[Line], page: int) -> int:
    for k, ln in enumerate(lines):
        if ln.page >= page:
            return k
    return len(lines)


# --------------------------------------------------------------------------- diagnosis


def _diagnose(
    tokens: list[str],
    j: int,
    field: str,
    span: range,
    mine: dict[str, list[int]],
    lines: list[Line],
) -> Miss:
    """What the second reading has where the word was not found (``span``: the indexes of the
    lines of the row's pages; ``mine``: the row's own lines, by column)."""
    word = tokens[j]
    if "\ufffe" in word:
        return Miss(word, BROKEN_HYPHEN)
    own = set(mine[field])
    window = [lines[k] for k in sorted({k for ks in mine.values() for k in ks})]
    here = {nfc(w) for k in own for w in lines[k].cells.get(field, ())}
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
    for f, ks in mine.items():
        if f != field and any(word in lines[k].cells.get(f, ()) for k in ks):
            return Miss(word, WRONG_COLUMN, f)
    for k in span:
        ln = lines[k]
        if k not in own and word in ln.cells.get(field, ()):
            return Miss(word, WRONG_ROW, f"page {ln.page}: {' '.join(ln.cells[field])}")
    for k in own:
        ws = lines[k].cells.get(field, [])
        for a in range(len(ws)):
            for b in range(a + 2, min(len(ws), a + 4) + 1):
                if "".join(ws[a:b]) == word:
                    return Miss(word, JOINED_WORDS, " ".join(ws[a:b]))
    # Two words of the row's lines run together, from two columns or two lines ("Army3/3").
    near = {w for ln in window for ws in ln.cells.values() for w in ws}
    for p in range(1, len(word)):
        if word[:p] in near and word[p:] in near:
            return Miss(word, JOINED_WORDS, f"{word[:p]} | {word[p:]}")
    return Miss(
        word, NOT_FOUND, " / ".join(" ".join(lines[k].cells.get(field, ())) for k in sorted(own))
    )


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
