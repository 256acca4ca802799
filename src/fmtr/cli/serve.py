"""`fmtr serve`: the web explorer and JSON API (fmtr.web), read-only, over several processes.

The server's settings (fmtr.settings.ServerSettings) are options of the command and
environment variables (FMTR_SERVE_<SETTING>); `fmtr serve --help-settings` lists them. Each
server process builds its app with ``server_app``, from what the command passed it in one
environment variable, and logs as the command was told (--log-level, the access log).
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fmtr.cli.common import (
    Db,
    Json,
    configure_logging,
    fail,
    print_json,
    print_settings,
    say,
    settings_dict,
    with_settings,
)
from fmtr.settings import ServerSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

# What `fmtr serve` hands its server processes (JSON): an internal name, not an option's.
_HANDOVER = "_FMTR_SERVE_HANDOVER"
APP = "fmtr.cli.serve:server_app"
PROTOCOL = "fmtr.cli.serve:server_protocol"


@with_settings(ServerSettings)
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
    db: Db = None,
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus",
            envvar="FMTR_CORPUS",
            help="Corpus folder, for source page images (optional).",
            show_default=False,
        ),
    ] = None,
    as_json: Json = False,
    help_settings: Annotated[
        bool, typer.Option("--help-settings", help="List the settings (below) and exit.")
    ] = False,
    *,
    settings: ServerSettings,
) -> None:
    """Serve the explorer and the JSON API over the database, read-only.

    Example: fmtr serve --db data/fmtr.sqlite --corpus ../shared/fmtr-corpus --processes 2
    """
    if help_settings:
        return print_settings(ServerSettings, "serve", as_json)
    import logging

    from fmtr.store.db import database_url, display_url
    from fmtr.web.app import create_app
    from fmtr.web.processes import serve as serve_processes

    url = database_url(db)
    # Opened once here, so that a missing file or another schema version is said before
    # serving (DatabaseUnavailable: one line, exit 2).
    checked = create_app(url, corpus=corpus, settings=settings)
    if not checked.state.index_current:
        say(
            "warning: the search index does not match the database's rows; the questions "
            "that read it answer 503 until `fmtr build` is run again"
        )
    checked.state.engine.dispose()
    if checked.state.served.page_cache is not None:
        checked.state.served.page_cache.close()
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower()
    os.environ[_HANDOVER] = json.dumps(
        {
            "db": url,
            "corpus": str(corpus) if corpus else None,
            "settings": settings_dict(settings),
            "log_level": level,
        }
    )
    # Behind a proxy the address is the proxy's: under the root path here.
    root = "/" + settings.root_path.strip("/") if settings.root_path.strip("/") else ""
    home = f"http://{host}:{port}{root}/"
    api = f"{home}api/v1/docs"
    if as_json:
        print_json({"url": home, "api": api, "database": display_url(url)})
    else:
        typer.echo(f"fmtr: serving {display_url(url)} at {home} (API: {api})")
    options = {
        "log_level": level,
        "log_config": None,  # fmtr's logging, as configured by --log-level
        "access_log": False,  # fmtr's own access log (fmtr.web.access) says more
        "timeout_keep_alive": settings.keep_alive_seconds,
        "server_header": False,  # no banner naming the server's software
        "http": PROTOCOL,  # uvicorn's, with the limits it lacks (fmtr.web.protocol)
    }
    try:
        serve_processes(APP, host, port, max(settings.processes, 1), options)
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@functools.cache
def _handed_over() -> dict[str, Any]:
    given: dict[str, Any] = json.loads(os.environ[_HANDOVER])
    return given


def server_app() -> FastAPI:
    """The app as each server process starts it (uvicorn's factory), from what `fmtr serve`
    handed over: the same database, corpus, settings and logging."""
    from fmtr.query import prepare_figures, prepare_search, prepare_units
    from fmtr.web.app import create_app
    from fmtr.web.protocol import raise_open_files

    given = _handed_over()
    settings = ServerSettings(**given["settings"])
    configure_logging(given["log_level"], access_log=settings.access_log)
    raise_open_files(settings.open_files)
    corpus = given["corpus"]
    app = create_app(given["db"], corpus=Path(corpus) if corpus else None, settings=settings)
    if app.state.index_current:
        # Loading the unit index is the server's start, not a question: without the questions'
        # deadline (on a busy machine it takes longer than `statement_seconds`, and the process
        # died of it). What it loads is kept per build, for every engine of the process.
        from fmtr.store.db import read_only_engine

        loader = read_only_engine(given["db"])
        try:
            prepare_units(loader, cache_bytes=settings.unit_cache_bytes)
            prepare_figures(loader)
            prepare_search(loader)
        finally:
            loader.dispose()
    # What the process loaded to start (the unit index, the span sums, the search's columns,
    # the app: about 160,000 objects) lives as long as it does: kept out of the cyclic
    # collector's way, or each of its full collections walks it all again, a pause of 90-440 ms
    # about every 10 s under load in which every request of the process waits (gc.callbacks in
    # both server processes under bench/serve.py, 2026-12-02; RELIABILITY.md). Objects frozen
    # are still freed by their reference counts (a later build's index replaces this one).
    gc.collect()
    gc.freeze()
    return app


def server_protocol(**uvicorn_arguments: Any) -> asyncio.Protocol:
    """A connection as each server process serves it (uvicorn's ``http`` option): uvicorn's
    protocol with the limits of the settings handed over (fmtr.web.protocol)."""
    return _protocol_class()(**uvicorn_arguments)


@functools.cache
def _protocol_class() -> type[asyncio.Protocol]:
    from fmtr.web.protocol import Limits, guarded, open_files

    settings = ServerSettings(**_handed_over()["settings"])
    # Read after server_app has set the process's descriptor limit (uvicorn loads the app
    # before it accepts a connection).
    return guarded(Limits.of(settings, open_files()))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
