"""Downloads of every row a table stands for: fmtr.query.export's rows sent as they are read.

CSV and JSON go out a chunk of rows at a time, read from the cursor as the client takes them
(a full export of 253,925 rows never sits in memory). XLSX and Parquet are files by nature (a
zip, a footer written last): each is written to a temporary file (xlsxwriter in constant-memory
mode, pyarrow a batch at a time) and sent from there, then removed. The rows are counted first
and the count sent in ``X-Total-Rows``; the connection is the export engine's (a deadline of
its own, the ``export_seconds`` setting).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy import Engine
from starlette.background import BackgroundTask

from fmtr.query.export import (
    COLUMNS,
    MEDIA_TYPES,
    Selection,
    check_format,
    count_rows,
    csv_chunks,
    json_chunks,
    row_filter,
    stream_rows,
    write_selection,
)


def stream_export(engine: Engine, fmt: str, *, raw_cells: bool = False, **filters: Any) -> Response:
    """The rows ``filters`` select (fmtr.query.export.row_filter) as a ``fmt`` download."""
    check_format(fmt)  # a format whose library is not installed: said before any work
    conn = engine.connect()
    try:
        chosen = row_filter(conn, **filters)
        total = count_rows(conn, chosen)
    except BaseException:
        conn.close()
        raise
    name = f"{chosen.name}.{fmt}"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Total-Rows": str(total),
        "Cache-Control": "no-store",
    }
    selection = Selection(COLUMNS, stream_rows(conn, chosen))
    if fmt in ("csv", "json"):

        def body() -> Iterator[bytes]:
            try:
                chunks = (
                    csv_chunks(selection, raw_cells=raw_cells)
                    if fmt == "csv"
                    else json_chunks(selection)
                )
                for chunk in chunks:
                    yield chunk.encode("utf-8")
            finally:
                conn.close()

        return StreamingResponse(body(), media_type=MEDIA_TYPES[fmt], headers=headers)
    handle, name_on_disk = tempfile.mkstemp(prefix="fmtr-export-", suffix=f".{fmt}")
    os.close(handle)
    path = Path(name_on_disk)
    try:
        write_selection(selection, fmt, path, raw_cells=raw_cells)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        conn.close()
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[fmt],
        headers=headers,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
