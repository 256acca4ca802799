"""What the extractors return: verbatim cells and printed totals, each with its page.

Nothing here is interpreted: a cell is the text the page shows (wrapped lines joined as
``join_lines`` joins them), or None when the cell is blank. Cleaning happens in ``fmtr.clean``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def join_lines(lines: list[str]) -> str:
    """A wrapped cell's lines as one text: joined with a single space, except after a line that
    ends with a hyphen attached to a word, which the next line continues ("Brigade-" /
    "Gondama" is "Brigade-Gondama": the page prints no space there, and the reports' tables
    break lines at hyphens of compound words, never inside a word)."""
    out = lines[0]
    for line in lines[1:]:
        sep = "" if out.endswith("-") and len(out) > 1 and not out[-2].isspace() else " "
        out = f"{out}{sep}{line}"
    return out


# Kinds of printed total, from the innermost to the outermost.
FISCAL_YEAR = "fiscal_year"  # "FY 01 Totals:", "Fiscal Year 2016 Program Totals"
PROGRAMME = "programme"  # "Program Totals:" (FY1999-2000 .. FY2005-2006: all years of the block)
COUNTRY = "country"  # "Country Totals:"
TOTAL_KINDS = (FISCAL_YEAR, PROGRAMME, COUNTRY)


class ExtractError(Exception):
    """A file that cannot be read as a report: the message names file and page."""

    def __init__(self, file: str, page: int | None, reason: str) -> None:
        self.file, self.page, self.reason = file, page, reason
        where = f"{file}, page {page}" if page is not None else file
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[type[ExtractError], tuple[str, int | None, str]]:
        # Errors travel back from the build's worker processes: pickle the parts, not the text.
        return (ExtractError, (self.file, self.page, self.reason))


@dataclass
class TrainingRow:
    """One training line of the report, cells verbatim."""

    page: int  # PDF page (1-based) of the row's own line; for HTML the 1-based file "page" = 1
    course_title: str | None = None
    us_unit: str | None = None
    student_unit: str | None = None
    location: str | None = None
    quantity: str | None = None
    cost: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    last_page: int | None = None  # set when the row continues on a later page


@dataclass
class PrintedTotal:
    """A total line the report prints itself; never a training row."""

    kind: str  # one of TOTAL_KINDS
    label: str  # verbatim, "FY 2008 Program Totals"
    page: int
    quantity: str | None = None
    cost: str | None = None


@dataclass
class ProgrammeBlock:
    """Everything under one programme heading: rows and the totals printed after them.

    ``heading`` is the verbatim heading; region, country, programme, fiscal_year and department
    are the heading's parts as printed (fiscal_year like "FY 01" or "2016", department like
    "Department of Defense" or "DOD"), None where the heading does not say.
    """

    heading: str
    region: str | None
    country: str | None
    programme: str | None
    fiscal_year: str | None
    department: str | None
    first_page: int
    last_page: int
    rows: list[TrainingRow] = field(default_factory=list)
    totals: list[PrintedTotal] = field(default_factory=list)


@dataclass
class DocumentExtract:
    """The result of extracting one document (one file)."""

    file: str
    pages: int
    blocks: list[ProgrammeBlock] = field(default_factory=list)
    # Lines the extractor saw but could not place (kept verbatim, with page): never dropped
    # silently.
    unplaced: list[tuple[int, str]] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(b.rows) for b in self.blocks)

    @property
    def total_count(self) -> int:
        return sum(len(b.totals) for b in self.blocks)
