"""Characters PDFium decodes otherwise than the page means them, put back.

Seven editions (FY2010-2011, FY2011-2012, FY2015-2016 .. FY2019-2020) print their text in
embedded TrueType subsets of Arial that are flagged *symbolic*, carry a Macintosh (1,0) and a
symbol (3,0) character map but no Unicode (3,1) one, have no ToUnicode map, and declare
``/Encoding /WinAnsiEncoding``. PDFium then takes each character code as Mac OS Roman
(``Perú`` comes out ``Per˙``, ``Bénin`` as ``BÈnin``, ``Officers’`` as ``Officersí``), where the
font dictionary says Windows-1252, as poppler and Acrobat read it and as the glyphs show. The
fix is exact, code for code: PDFium's character goes back to its Mac OS Roman code, and that
code is read as Windows-1252. PDFium also spells the Mac ligature codes out (code 0xDF,
"ﬂ", as the two characters "f" "l" with one box): those become the one character they are.

Only characters of such fonts are touched, and only non-ASCII ones (ASCII codes mean the same
in both encodings). Which fonts are such is asked of PDFium once per font per document: its
flags and the character maps of its embedded program. The page's text keeps its length (a
ligature pair becomes the character and a NUL that the word reader drops), so that character
indexes stay PDFium's.
"""

from __future__ import annotations

import ctypes
import re
import struct

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_SYMBOLIC, _NONSYMBOLIC = 4, 32

# PDFium's Mac OS Roman character -> the Windows-1252 character of the same code. PDFium uses
# Apple's older table, where 0xDB is the currency sign; Python's mac_roman has the euro there.
_MAC_TO_WIN: dict[str, str] = {}
for _code in range(0x80, 0x100):
    try:
        _MAC_TO_WIN[bytes([_code]).decode("mac_roman")] = bytes([_code]).decode("cp1252")
    except UnicodeDecodeError:  # five codes Windows-1252 leaves undefined: kept as PDFium has them
        continue
_MAC_TO_WIN["\u00a4"] = _MAC_TO_WIN["\u20ac"]
# The code of each of those characters in either encoding.
_MAC_CODE = {bytes([c]).decode("mac_roman"): c for c in range(0x80, 0x100)}
_MAC_CODE["\u00a4"] = 0xDB
_WIN_CODE: dict[str, int] = {}
for _code in range(0x80, 0x100):
    try:
        _WIN_CODE[bytes([_code]).decode("cp1252")] = _code
    except UnicodeDecodeError:
        continue
# The Mac ligatures PDFium spells out, as the Windows-1252 characters of their codes.
_LIGATURES = {"fi": "\u00de", "fl": "\u00df"}  # codes 0xDE, 0xDF: "Þ", "ß"
DROPPED = "\x00"  # stands in for the second letter of a spelt-out ligature

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LIGATURE_PAIR = re.compile(r"f[il]")
_INKED_SPACE = re.compile(r"(?<=[A-Z]) (?=[A-Z])")


class FontCache:
    """Per document: for each font PDFium misreads, the codes its program draws a glyph for
    (None for the fonts PDFium reads right), keyed by PDFium's font handle."""

    def __init__(self) -> None:
        self.misread: dict[int, frozenset[int] | None] = {}

    def of_char(self, textpage: pdfium.PdfTextPage, index: int) -> frozenset[int] | None:
        obj = pdfium_c.FPDFText_GetTextObject(textpage.raw, index)
        if not obj:
            return None
        font = pdfium_c.FPDFTextObj_GetFont(obj)
        if not font:
            return None
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        if key not in self.misread:
            self.misread[key] = _misread(font)
        return self.misread[key]


def _misread(font: object) -> frozenset[int] | None:
    flags = pdfium_c.FPDFFont_GetFlags(font)
    if not flags & _SYMBOLIC or flags & _NONSYMBOLIC:
        return None
    size = ctypes.c_size_t()
    if not pdfium_c.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size)) or not size.value:
        return None
    buf = (ctypes.c_uint8 * size.value)()
    pdfium_c.FPDFFont_GetFontData(font, buf, size.value, ctypes.byref(size))
    program = bytes(buf)
    maps = cmap_subtables(program)
    if (1, 0) not in maps or (3, 0) not in maps or (3, 1) in maps:
        return None
    return frozenset(symbol_codes(program, maps[(3, 0)]))


def _tables(program: bytes) -> dict[bytes, int]:
    (count,) = struct.unpack_from(">H", program, 4)
    out = {}
    for i in range(count):
        tag, _, offset, _ = struct.unpack_from(">4sIII", program, 12 + 16 * i)
        out[tag] = offset
    return out


def cmap_subtables(program: bytes) -> dict[tuple[int, int], int]:
    """(platform, encoding) -> offset of each character map of a TrueType program; empty when
    it has none or cannot be read."""
    try:
        offset = _tables(program).get(b"cmap")
        if offset is None:
            return {}
        (count,) = struct.unpack_from(">H", program, offset + 2)
        out = {}
        for j in range(count):
            pid, eid, sub = struct.unpack_from(">HHI", program, offset + 4 + 8 * j)
            out[(pid, eid)] = offset + sub
        return out
    except struct.error:
        return {}


def symbol_codes(program: bytes, at: int) -> set[int]:
    """The one-byte codes (0x80-0xFF) a symbol (3,0) character map of format 4 gives a glyph,
    at 0xF000 + code as symbol fonts are looked up."""
    out: set[int] = set()
    try:
        fmt, _, _, seg2 = struct.unpack_from(">HHHH", program, at)
        if fmt != 4:
            return out
        n = seg2 // 2
        ends = struct.unpack_from(f">{n}H", program, at + 14)
        starts = struct.unpack_from(f">{n}H", program, at + 16 + seg2)
        deltas = struct.unpack_from(f">{n}h", program, at + 16 + 2 * seg2)
        ranges_at = at + 16 + 3 * seg2
        ranges = struct.unpack_from(f">{n}H", program, ranges_at)
        for i in range(n):
            for u in range(max(starts[i], 0xF080), min(ends[i], 0xF0FF) + 1):
                if ranges[i] == 0:
                    glyph = (u + deltas[i]) & 0xFFFF
                else:
                    where = ranges_at + 2 * i + ranges[i] + 2 * (u - starts[i])
                    (glyph,) = struct.unpack_from(">H", program, where)
                    glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
                if glyph:
                    out.add(u - 0xF000)
    except struct.error:
        pass
    return out


def decode_as_printed(textpage: pdfium.PdfTextPage, text: str, fonts: FontCache) -> str:
    """The page's text with the characters of misread fonts put back (see the module doc)."""
    if text.isascii():
        return text
    chars: list[str] | None = None
    for m in _NON_ASCII.finditer(text):
        i = m.start()
        ch = text[i]
        win = _MAC_TO_WIN.get(ch)
        if win is None:
            continue
        codes = fonts.of_char(textpage, i)
        if codes is None:
            continue
        if chars is None:
            chars = list(text)
        # PDFium does not take every code as Mac OS Roman: where the character it gives is
        # itself Windows-1252 for a code the font draws, and its Mac OS Roman code is not
        # drawn, it read that code right ("°" in "1°BIA" is code 0xB0, not 0xA1).
        if _WIN_CODE.get(ch) in codes and _MAC_CODE[ch] not in codes:
            continue
        chars[i] = win
    if chars is not None:
        # Mac OS Roman 0xCA is a no-break space, which PDFium gives as a space: where such a
        # "space" between two letters has ink, it is the Windows-1252 "Ê" the page prints
        # ("P CHE" for "PÊCHE").
        for m in _INKED_SPACE.finditer(text):
            i = m.start()
            _, bottom, _, top = textpage.get_charbox(i)
            if top - bottom > 1.0 and fonts.of_char(textpage, i) is not None:
                chars[i] = _MAC_TO_WIN["\u00a0"]
    # Only on a page with some non-ASCII text (the fonts in question print accents): ligatures
    # a misread font spelt out, one box for two letters.
    box = textpage.get_charbox
    for m in _LIGATURE_PAIR.finditer(text):
        i = m.start()
        if fonts.of_char(textpage, i) is not None and box(i) == box(i + 1):
            if chars is None:
                chars = list(text)
            chars[i], chars[i + 1] = _LIGATURES[m.group()], DROPPED
    return text if chars is None else "".join(chars)
