"""How big a report can plausibly be, and what one file may cost a build.

A hostile or broken file must not take the machine with it: a 7 kB PDF can hold a 4 GiB
FlateDecode bomb, a 200 MB HTML page loads 1.7 million rows (all "reconciled", each against its
own totals). Each limit is an order of magnitude above the largest real report, measured on the
corpus (22 editions, 137 files):

- file size: the largest PDF is 3.4 MiB (FY2008-2009/152774.pdf), the largest HTML page 0.9 MiB
  (FY2006-2007/Western_Hemisphere_2006_2007.html);
- rows on one page: at most 116 on a PDF page (FY2000-2001/3165.pdf, two columns of small
  type), at most 3,071 on one HTML page (the same Western Hemisphere page);
- memory: a build worker peaks at 125 MiB of address space (VmPeak) on the full corpus.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What one file may cost; ``worker_memory`` 0 means no ceiling."""

    worker_memory: int = 1024 * MiB  # address space of each worker process (RLIMIT_AS)
    file_seconds: float = 300.0  # from when a worker starts on the file
    pdf_bytes: int = 64 * MiB
    html_bytes: int = 16 * MiB
    rows_per_pdf_page: int = 400
    rows_per_html_page: int = 30_000


def size_problem(kind: str, size: int, limits: Limits) -> str | None:
    """Why a file of this kind ("pdf" or "html") and size is no report (None: it may be)."""
    if kind == "pdf":
        limit, what, largest = limits.pdf_bytes, "a PDF file", 3.4
    else:
        limit, what, largest = limits.html_bytes, "an HTML file", 0.9
    if size <= limit:
        return None
    return (
        f"implausible for a report: {size / MiB:,.1f} MiB, over the {limit / MiB:,.0f} MiB "
        f"{what} may have (the largest of the report is {largest} MiB): not read"
    )


def rows_problem(kind: str, pages: Counter[int], limits: Limits) -> tuple[int, str] | None:
    """The page and the reason when a page holds more rows than a report page can (``pages``:
    rows per page); None when every page is plausible."""
    if not pages:
        return None
    page, rows = pages.most_common(1)[0]
    limit = limits.rows_per_pdf_page if kind == "pdf" else limits.rows_per_html_page
    if rows <= limit:
        return None
    what = "a PDF page" if kind == "pdf" else "an HTML page"
    return page, (
        f"implausible for a report: {rows:,} training rows on one page, where {what} of the "
        f"report holds at most {limit:,}: not loaded"
    )


def memory_problem(limits: Limits) -> str:
    """The error of a file that took its worker past the memory ceiling."""
    return (
        f"needed more memory than a build worker may use ({limits.worker_memory / MiB:,.0f} "
        "MiB, fmtr build --worker-memory): stopped"
    )
