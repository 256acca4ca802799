"""A server process's start (fmtr.cli.serve.server_app): what it loads to answer (the unit
index, the span sums) is loaded before it takes a request and kept out of the cyclic
collector's passes, which walked it all again about every 10 s under load (RELIABILITY.md)."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest


def test_what_a_server_loads_at_start_is_out_of_the_collectors_way(
    web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fmtr.cli import serve
    from fmtr.query import resolve
    from fmtr.query.resolve import per_build_kept

    handover = {"db": f"sqlite:///{web_db}", "corpus": None, "settings": {}, "log_level": "warning"}
    monkeypatch.setenv(serve._HANDOVER, json.dumps(handover))
    serve._handed_over.cache_clear()
    resolve._PER_BUILD.clear()
    assert gc.get_freeze_count() == 0
    try:
        app = serve.server_app()
        try:
            with app.state.engine.connect() as conn:
                loaded = [per_build_kept(conn, name) for name in ("unit_index", "span_sums")]
        finally:
            app.state.engine.dispose()
        assert all(x is not None for x in loaded)
        # Frozen: in no generation the collector walks (gc.get_objects lists those only).
        walked = {id(o) for o in gc.get_objects()}
        assert gc.get_freeze_count() > 1000
        assert not any(id(x) in walked for x in loaded)
    finally:
        gc.unfreeze()
        serve._handed_over.cache_clear()
        resolve._PER_BUILD.clear()
