"""Data flows one way: sources -> extract -> clean -> verify -> store -> query -> cli/web
(fmtr.release, which publishes a built database, sits beside query).

A module imports only from its own layer and the layers before it (read from the source with
``ast``, imports inside functions included); fmtr.errors, fmtr.settings and fmtr.redact import
nothing of fmtr, so that every layer can use them, nor does fmtr.extras (the optional libraries,
asked for by the store, the query and the release) but for fmtr.errors, whose error it raises;
the web never imports the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "fmtr"
# Each part of fmtr and what it may import (besides itself and the leaves).
LEAVES = {"errors", "settings", "redact", "extras", "__init__"}
# What a leaf may import besides fmtr itself: only other leaves that import nothing.
LEAF_IMPORTS = {"extras": {"errors"}}
ORDER = [
    "sources", "extract", "clean", "verify", "store", "build", "query", "release", "web", "cli",
]  # fmt: skip
BUILD = {"pipeline", "worker"}  # the build: the stages up to store, run by the CLI
ALLOWED = {
    "sources": {"sources"},
    "extract": {"sources", "extract"},
    "clean": {"sources", "extract", "clean"},
    "verify": {"sources", "extract", "clean", "verify"},
    "store": {"sources", "extract", "clean", "verify", "store"},
    "build": {"sources", "extract", "clean", "verify", "store", "build"},
    "query": {"sources", "extract", "clean", "verify", "store", "query"},
    "release": {"sources", "extract", "clean", "verify", "store", "release"},
    "web": {"sources", "extract", "clean", "verify", "store", "query", "web"},
    "cli": set(ORDER) | {"__main__"},
    "__main__": {"cli"},
}


def _part(module: str) -> str:
    """fmtr.query.figures -> query; fmtr.pipeline -> build; fmtr -> __init__."""
    parts = module.split(".")
    name = parts[1] if len(parts) > 1 else "__init__"
    return "build" if name in BUILD else name


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "fmtr":  # a submodule, or a name of the package itself
                found |= {
                    f"fmtr.{a.name}"
                    if (SRC / a.name).is_dir() or (SRC / f"{a.name}.py").is_file()
                    else "fmtr"
                    for a in node.names
                }
            elif node.module.startswith("fmtr."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("fmtr.")}
    return found


MODULES = sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_flow_one_way(path: Path) -> None:
    module = "fmtr." + ".".join(path.relative_to(SRC).with_suffix("").parts)
    mine = _part(module)
    for imported in _imports(path):
        theirs = _part(imported)
        if mine in LEAVES:
            allowed = {mine} | LEAF_IMPORTS.get(mine, set())
            assert imported in ("fmtr", "fmtr.__init__") or theirs in allowed, (module, imported)
            continue
        if theirs in LEAVES:
            continue
        assert theirs in ALLOWED[mine], f"{module} imports {imported}: {mine} -> {theirs}"
