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
# The Mac ligatures PDFium spells out, as the Windows-1252 characters of their codes.
_LIGATURES = {"fi": "\u00de", "fl": "\u00df"}  # codes 0xDE, 0xDF: "Þ", "ß"
DROPPED = "\x00"  # stands in for the second letter of a spelt-out ligature

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LIGATURE_PAIR = re.compile(r"f[il]")


class FontCache:
    """Per document: whether PDFium misreads each font (keyed by PDFium's font handle)."""

    def __init__(self) -> None:
        self.misread: dict[int, bool] = {}

    def of_char(self, textpage: pdfium.PdfTextPage, index: int) -> bool:
        obj = pdfium_c.FPDFText_GetTextObject(textpage.raw, index)
        if not obj:
            return False
        font = pdfium_c.FPDFTextObj_GetFont(obj)
        if not font:
            return False
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        known = self.misread.get(key)
        if known is None:
            known = self.misread[key] = _misread(font)
        return known


def _misread(font: object) -> bool:
    flags = pdfium_c.FPDFFont_GetFlags(font)
    if not flags & _SYMBOLIC or flags & _NONSYMBOLIC:
        return False
    size = ctypes.c_size_t()
    if not pdfium_c.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size)) or not size.value:
        return False
    buf = (ctypes.c_uint8 * size.value)()
    pdfium_c.FPDFFont_GetFontData(font, buf, size.value, ctypes.byref(size))
    maps = cmap_subtables(bytes(buf))
    return (1, 0) in maps and (3, 0) in maps and (3, 1) not in maps


def cmap_subtables(program: bytes) -> set[tuple[int, int]]:
    """(platform, encoding) of each character map of a TrueType program; empty when it has
    none or cannot be read."""
    try:
        (tables,) = struct.unpack_from(">H", program, 4)
        for i in range(tables):
            tag, _, offset, _ = struct.unpack_from(">4sIII", program, 12 + 16 * i)
            if tag == b"cmap":
                (count,) = struct.unpack_from(">H", program, offset + 2)
                at = offset + 4
                return {struct.unpack_from(">HH", program, at + 8 * j) for j in range(count)}
    except struct.error:
        pass
    return set()


def decode_as_printed(textpage: pdfium.PdfTextPage, text: str, fonts: FontCache) -> str:
    """The page's text with the characters of misread fonts put back (see the module doc)."""
    if text.isascii():
        return text
    chars: list[str] | None = None
    for m in _NON_ASCII.finditer(text):
        i = m.start()
        ch = text[i]
        win = _MAC_TO_WIN.get(ch)
        if win is not None and fonts.of_char(textpage, i):
            if chars is None:
                chars = list(text)
            chars[i] = win
    if chars is None:
        return text
    # Only on a page where a misread font was found: ligatures it spelt out, one box for two.
    box = textpage.get_charbox
    for m in _LIGATURE_PAIR.finditer(text):
        i = m.start()
        if fonts.of_char(textpage, i) and box(i) == box(i + 1):
            chars[i], chars[i + 1] = _LIGATURES[m.group()], DROPPED
    return "".join(chars)
