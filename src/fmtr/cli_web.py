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
        workers: Annotated[int, typer.Option(help="Worker threads for database reads.")] = 16,
    ) -> None:
        """Serve the explorer and the JSON API over the database, read-only."""
        import anyio.to_thread
        import uvicorn

        from fmtr.store.db import database_url
        from fmtr.web.app import create_app

        corpus_dir = corpus or (
            Path(os.environ["FMTR_CORPUS"]) if os.environ.get("FMTR_CORPUS") else None
        )
        try:
            web = create_app(database_url(db), corpus=corpus_dir)
        except (FileNotFoundError, ValueError) as exc:
            typer.echo(f"fmtr: {exc}", err=True)
            raise typer.Exit(2) from None

        @web.on_event("startup")
        async def _threads() -> None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = workers

        typer.echo(f"fmtr: serving http://{host}:{port}/ (API: http://{host}:{port}/api/v1/docs)")
        uvicorn.run(web, host=host, port=port, log_level="warning")
