"""The settings of the server and of the build, declared once: name, default and help.

Each setting is a field of ``ServerSettings`` or ``BuildSettings`` with its help in the field's
metadata. The CLI makes an option of each (``fmtr serve --statement-seconds 5``), settable from
the environment too (``FMTR_SERVE_STATEMENT_SECONDS=5``), and lists them with
``fmtr serve --help-settings`` / ``fmtr build --help-settings``; the web app and the build read
the values from one object. A test holds this list, the options and docs/settings.md to the
same names. A module of its own, importing nothing of fmtr, so that every layer can read it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


def setting(
    default: Any,
    help: str,
    *,
    min: float | None = None,
    max: float | None = None,
    short: str | None = None,
) -> Any:
    """A settings field: its default, the one sentence that says what it does, the range a
    number may take and a short option name."""
    return field(default=default, metadata={"help": help, "min": min, "max": max, "short": short})


@dataclass(frozen=True)
class ServerSettings:
    """What `fmtr serve` (fmtr.web.app.create_app) may be told; the defaults are the public
    server's."""

    processes: int = setting(
        2,
        "Server processes, each listening on the port with a socket of its own (on Linux the "
        "kernel spreads connections over them); one per core.",
        min=1,
        max=256,
    )
    # Two: a question is mostly Python holding the GIL, and more threads interleave more
    # questions without answering more of them (unit search under 20 clients on two processes,
    # measured 2026-11 while it still ran in threads: p95 64-84 ms with 16 threads, 50-55 with 2).
    workers: int = setting(
        2,
        "Threads per process for the questions answered in threads (the explorer's pages, "
        "listings, exports); the heavy ones get `heavy_slots` threads more, so they never "
        "hold these; some bounded ones are answered on the event loop.",
        min=1,
        max=1024,
    )
    statement_seconds: float = setting(
        2.0,
        "A database statement running longer is interrupted and the question answers 503.",
        min=0,
        max=86400,
    )
    export_seconds: float = setting(
        600.0,
        "A download of every row a table stands for (/api/v1/export) is stopped after this "
        "many seconds.",
        min=1,
        max=86400,
    )
    progress_steps: int = setting(
        100_000,
        "SQLite instructions between two checks of a statement's deadline.",
        min=1,
        max=10**9,
    )
    max_page: int = setting(
        500, "Rows per page at most, in the API and the pages alike.", min=1, max=100_000
    )
    default_page: int = setting(
        50, "Rows per page when a listing is asked without a limit.", min=1, max=100_000
    )
    max_suspension_rows: int = setting(
        500,
        "Training rows dated inside a suspension listed on a country page at most "
        "(`fmtr check-suspensions` lists them all).",
        min=0,
        max=10**6,
    )
    answer_cache: bool = setting(
        True, "Keep API answers in memory until the database file changes."
    )
    # Bytes, not entries: 4,096 answers of up to 512 KB took a process from 296 to 660 MiB
    # under a flood of distinct questions (issue 16); 64 MiB holds thousands of typical answers.
    cache_bytes: int = setting(
        64 * 2**20,
        "Bytes of API answers kept in memory per process at most (the least recently used "
        "go first).",
        min=0,
        max=2**40,
    )
    cache_body_bytes: int = setting(
        512 * 1024,
        "Answers larger than this (big CSV pages) are not kept in memory.",
        min=0,
        max=2**31,
    )
    unit_cache_bytes: int = setting(
        32 * 2**20,
        "Bytes per process at most that unit searches keep of the close spellings and the "
        "names holding each word asked (the least recently used go first).",
        min=0,
        max=2**40,
    )
    # Longer than uvicorn's 5 s: a client reusing a kept-alive connection at the moment the
    # server closes it sees a reset (one in 13,000 requests under load).
    keep_alive_seconds: int = setting(
        75, "An idle kept-alive connection is closed after this many seconds.", min=1, max=3600
    )
    header_seconds: float = setting(
        10.0,
        "A request's line and headers must arrive within this many seconds of the connection "
        "opening (or of the request's first byte on a kept-alive connection); else it is "
        "closed.",
        min=0.001,
        max=3600,
    )
    max_header_bytes: int = setting(
        16 * 1024,
        "Bytes of a request's line and headers at most; more answers 431 and closes.",
        min=256,
        max=2**20,
    )
    max_url_bytes: int = setting(
        8 * 1024,
        "Bytes of a request's path and query at most; more answers 414 and closes.",
        min=64,
        max=2**20,
    )
    max_connections: int = setting(
        4096,
        "Open connections per process at most: one more closes the longest-waiting connection "
        "that has not sent a whole request (idle, or trickling headers), else is refused.",
        min=1,
        max=10**6,
    )
    open_files: int = setting(
        8192,
        "Each process's file-descriptor limit is set to this (never above the system's hard "
        "limit); connections stay 256 below it.",
        min=512,
        max=10**7,
    )
    heavy_slots: int = setting(
        1,
        "Open-ended questions (text search, listings, deep pages, page images) answered at "
        "once per process; the others never wait for them.",
        min=1,
        max=1024,
    )
    export_slots: int = setting(
        1,
        "Downloads of every row a table stands for (/api/v1/export) streamed at once per "
        "process, in slots of their own (searches never wait for them, nor they for searches); "
        "others wait in a queue of `heavy_queue`.",
        min=1,
        max=1024,
    )
    heavy_queue: int = setting(
        16,
        "Open-ended questions waiting for a slot per process at most; more answer 503 with "
        "Retry-After.",
        min=0,
        max=10**5,
    )
    max_offset: int = setting(
        10_000,
        "Rows a listing may skip (offset) at most: deeper pages answer 400 (narrow the "
        "question, or use the downloadable database).",
        min=0,
        max=10**8,
    )
    allowed_hosts: str = setting(
        "*",
        "Host names the server answers to, comma-separated (`*.example.org` for subdomains, "
        "`*` for any); another Host header answers 400. Redirects never name a host.",
    )
    access_log: bool = setting(
        True, "Log one line per request (method, path, status, milliseconds) on stderr."
    )
    root_path: str = setting(
        "",
        "The path the server is reached under behind a proxy (/fmtr): every link of the pages "
        "and the API's documentation starts with it; a request may come with it or without "
        "it (a proxy that strips it).",
    )
    # Private to the user (fmtr.sources.page_cache): a fixed folder in the shared temporary
    # directory let another local user plant images or links there.
    image_cache: str = setting(
        "",
        "Folder for rendered source page images, created private to you (empty: your cache "
        "folder, ~/.cache/fmtr/pages on Linux).",
    )
    # A page image is about 230 kB: one for every PDF row would be 54 GB.
    image_cache_mb: int = setting(
        256,
        "MiB of page images kept at most (about 1,100 images); the least recently shown go first.",
        min=1,
        max=2**20,
    )


@dataclass(frozen=True)
class BuildSettings:
    """What `fmtr build` (fmtr.pipeline.build_database) may be told."""

    jobs: int = setting(
        0, "Worker processes extracting documents (0: one per core).", min=0, max=256, short="-j"
    )
    # The largest file of the corpus takes a few seconds.
    file_seconds: float = setting(
        300.0,
        "Each file's time budget, from when a worker starts on it: a file past it is stopped "
        "and reported, the others go on.",
        min=0.001,
        max=86400,
    )
    # What one file may cost, each limit an order of magnitude above the largest real report
    # (the measurements are in fmtr.sources.limits): a 7 kB PDF can hold a 4 GiB FlateDecode
    # bomb, a 200 MB HTML page loads 1.7 million rows.
    worker_memory: int = setting(
        1024,
        "Memory ceiling of each worker process, MiB of address space (0: none): a file that "
        "needs more is stopped with one line naming it (the full corpus peaks at 125 MiB).",
        min=0,
        max=2**20,
    )
    max_pdf_mb: int = setting(
        64,
        "A PDF file larger than this many MiB is refused unread as no report (the largest of "
        "the report is 3.4 MiB).",
        min=1,
        max=2**20,
    )
    max_html_mb: int = setting(
        16,
        "An HTML file larger than this many MiB is refused unread as no report (the largest of "
        "the report is 0.9 MiB).",
        min=1,
        max=2**20,
    )
    max_rows_per_pdf_page: int = setting(
        400,
        "A PDF page yielding more training rows than this is refused as no report page (the "
        "fullest holds 116).",
        min=1,
        max=10**9,
    )
    max_rows_per_html_page: int = setting(
        30_000,
        "An HTML page yielding more training rows than this is refused as no report page (the "
        "fullest holds 3,071).",
        min=1,
        max=10**9,
    )


Settings = ServerSettings | BuildSettings


def described(kind: type[ServerSettings] | type[BuildSettings]) -> list[tuple[str, Any, str]]:
    """(name, default, help) of every setting of ``kind``, in declaration order."""
    return [(f.name, f.default, f.metadata["help"]) for f in dataclasses.fields(kind)]


def declared(kind: type[ServerSettings] | type[BuildSettings]) -> list[dataclasses.Field[Any]]:
    """The settings of ``kind`` as fields (their metadata holds help, min, max, short)."""
    return list(dataclasses.fields(kind))


def as_dict(settings: Settings) -> dict[str, Any]:
    return dataclasses.asdict(settings)
