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

The limits themselves are build settings (fmtr.settings.BuildSettings: ``worker_memory``,
``max_pdf_mb``, ``max_html_mb``, ``max_rows_per_pdf_page``, ``max_rows_per_html_page``, and the
time budget ``file_seconds``), so that `fmtr build` takes each as an option; here they are
applied.
"""

from __future__ import annotations

from collections import Counter

from fmtr.settings import BuildSettings

MiB = 1 << 20
# The largest file of each kind in the corpus, MiB, for the error's reader.
_LARGEST = {"pdf": 3.4, "html": 0.9}


def size_problem(kind: str, size: int, settings: BuildSettings) -> str | None:
    """Why a file of this kind ("pdf" or "html") and size is no report (None: it may be);
    the ceilings are the build settings ``max_pdf_mb`` and ``max_html_mb``."""
    if kind == "pdf":
        limit, what = settings.max_pdf_mb, "a PDF file"
    else:
        limit, what = settings.max_html_mb, "an HTML file"
    if size <= limit * MiB:
        return None
    return (
        f"implausible for a report: {size / MiB:,.1f} MiB, over the {limit:,} MiB "
        f"{what} may have (the largest of the report is {_LARGEST[kind]} MiB): not read"
    )


def rows_problem(kind: str, pages: Counter[int], settings: BuildSettings) -> tuple[int, str] | None:
    """The page and the reason when a page holds more rows than a report page can (``pages``:
    rows per page); None when every page is plausible."""
    if not pages:
        return None
    page, rows = pages.most_common(1)[0]
    if kind == "pdf":
        limit, what = settings.max_rows_per_pdf_page, "a PDF page"
    else:
        limit, what = settings.max_rows_per_html_page, "an HTML page"
    if rows <= limit:
        return None
    return page, (
        f"implausible for a report: {rows:,} training rows on one page, where {what} of the "
        f"report holds at most {limit:,}: not loaded"
    )


def memory_problem(settings: BuildSettings) -> str:
    """The error of a file that took its worker past the memory ceiling."""
    return (
        f"needed more memory than a build worker may use ({settings.worker_memory:,} "
        "MiB, fmtr build --worker-memory): stopped"
    )
