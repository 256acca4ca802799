"""`fmtr serve`: the web explorer and JSON API (registered on the main Typer app)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port.")] = 8000,
        db: Annotated[
            str | None,
            typer.Option("--db", help="Database URL or SQLite path (default: $FMTR_DB)."),
        ] = None,
        corpus: Annotated[
            Path | None,
            typer.Option(
                "--corpus",
                help="Corpus folder, for source page images (default: $FMTR_CORPUS).",
                show_default=False,
            ),
        ] = None,
        processes: Annotated[
            int,
            typer.Option(
                help="Server processes, each listening on the port (on Linux: the kernel "
                "spreads connections over them); one per core."
            ),
        ] = 2,
        # Two: a question is mostly Python holding the GIL, and more threads interleave more
        # questions without answering more of them (unit search under 20 clients on two
        # processes, when it still ran in threads: p95 64-84 ms with 16, 50-55 with 2).
        workers: Annotated[
            int,
            typer.Option(
                help="Threads per process for the open-ended questions (listings, search, "
                "exports, page images); the bounded ones are answered on the event loop."
            ),
        ] = 2,
        answer_cache: Annotated[
            bool, typer.Option(help="Keep API answers in memory until the database changes.")
        ] = True,
        image_cache: Annotated[
            Path | None,
            typer.Option(
                help="Folder for rendered source page images, private to you (default: your "
                "cache folder, ~/.cache/fmtr/pages on Linux).",
                show_default=False,
            ),
        ] = None,
        image_cache_mb: Annotated[
            int,
            typer.Option(
                help="At most this many MiB of page images (about 230 kB each); the least "
                "recently shown go first.",
                min=1,
            ),
        ] = 256,
    ) -> None:
        """Serve the explorer and the JSON API over the database, read-only."""
        from fmtr.store.db import database_url
        from fmtr.web.app import create_app
        from fmtr.web.processes import serve as serve_processes

        corpus_dir = corpus or (
            Path(os.environ["FMTR_CORPUS"]) if os.environ.get("FMTR_CORPUS") else None
        )
        url = database_url(db)
        try:
            # Opened once here, so that a missing file or a stale index is said before serving.
            checked = create_app(
                url, corpus=corpus_dir, cache_dir=image_cache, cache_bytes=image_cache_mb << 20
            )
        except (FileNotFoundError, ValueError) as exc:
            typer.echo(f"fmtr: {exc}", err=True)
            raise typer.Exit(2) from None
        if not checked.state.index_current:
            typer.echo(
                "fmtr: warning: the search index does not match the database's rows; the "
                "questions that read it answer 503 until `fmtr build` is run again",
                err=True,
            )
        checked.state.engine.dispose()
        os.environ.update(
            FMTR_SERVE_DB=url,
            FMTR_SERVE_CORPUS=str(corpus_dir or ""),
            FMTR_SERVE_ANSWER_CACHE="1" if answer_cache else "0",
            FMTR_SERVE_THREADS=str(workers),
            FMTR_SERVE_IMAGE_CACHE=str(image_cache or ""),
            FMTR_SERVE_IMAGE_CACHE_BYTES=str(image_cache_mb << 20),
        )
        typer.echo(f"fmtr: serving http://{host}:{port}/ (API: http://{host}:{port}/api/v1/docs)")
        options = {
            "log_level": "warning",
            # Longer than uvicorn's 5 s: a client reusing a kept-alive connection at the moment
            # the server closes it sees a reset (one in 13,000 requests under load).
            "timeout_keep_alive": 75,
        }
        try:
            serve_processes(host, port, max(processes, 1), options)
        except OSError as exc:
            typer.echo(f"fmtr: cannot listen on {host}:{port}: {exc.strerror}", err=True)
            raise typer.Exit(2) from None
