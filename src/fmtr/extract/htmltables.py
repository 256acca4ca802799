"""Reading the two HTML editions (FY1999-2000, FY2006-2007): their report sits in plain tables.

Both editions are web pages (some of them web-archive captures) whose site chrome (banners,
navigation, scripts) is itself partly made of tables; the report tables are the ones without a
nested table, and each family decides which of those hold the report.
"""

from __future__ import annotations

import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from fmtr.extract.model import ExtractError

# A cell is the text the browser shows: inline tags (<B>, <FONT>, ...) split no words (FY1999-2000
# prints "Z<B>imbabwe"), line-breaking tags (<P>, <BR>) end a line, and lines join with a single
# space. A space put before each line-breaking tag in the source gives exactly that from the
# parser's plain concatenation of text nodes, at C speed.
_LINE_BREAKS = re.compile(rb"(?=<(?:p|br|div|li|h[1-6])[\s/>])", re.IGNORECASE)

Cells = list[str | None]

# FY1999-2000/cta_nea_alg2eg.html closes its table before its last rows; an HTML5 parser then
# drops those <TR>/<TD> tags and runs their cells together as body text, so the stray end tag
# goes before parsing (a </table> directly followed by a row cannot end the table).
_STRAY_TABLE_END = re.compile(rb"</table>(?=\s*<tr[\s>])", re.IGNORECASE)


def parse(path: Path, label: str) -> LexborHTMLParser:
    """The parsed page; ExtractError when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(label, None, f"cannot read the file ({exc.strerror})") from exc
    if not data.strip():
        raise ExtractError(label, None, "empty file, not an HTML report")
    return LexborHTMLParser(_LINE_BREAKS.sub(b" ", _STRAY_TABLE_END.sub(b"", data)))


def cell_text(node: LexborNode) -> str | None:
    """The cell's visible text, lines joined with single spaces; None when blank."""
    # str.split() also splits on no-break spaces (&nbsp;), which the pages use for blank cells.
    text = " ".join(node.text(deep=True, separator="").split())
    return text or None


def leaf_tables(tree: LexborHTMLParser) -> list[LexborNode]:
    """The tables that hold no other table: the chrome's layout tables nest, the report's not."""
    tables = tree.css("table")
    # Each table marks the tables around it as holding one; the climb stops at a table already
    # marked (those around it are too), so a page of deeply nested tables costs one pass, not the
    # square of its depth (a hostile page must not hold a build).
    holders: set[int] = set()
    for table in tables:
        node = table.parent
        while node is not None:
            if node.tag == "table":
                if node.mem_id in holders:
                    break
                holders.add(node.mem_id)
            node = node.parent
    return [t for t in tables if t.mem_id not in holders]


def table_rows(table: LexborNode) -> list[Cells]:
    """The rows of a leaf table, each as its cells' texts; rows without cells are left out."""
    rows: list[Cells] = []
    for tr in table.css("tr"):
        cells = [cell_text(td) for td in tr.css("td, th")]
        if cells:
            rows.append(cells)
    return rows


def filled(cells: Cells) -> list[str]:
    return [c for c in cells if c is not None]


def line_of(cells: Cells) -> str:
    """A row as one line (for DocumentExtract.unplaced): its non-blank cells joined by " | "."""
    return " | ".join(filled(cells))


def title_of(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    return cell_text(node) if node is not None else None
