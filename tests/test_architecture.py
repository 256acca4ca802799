"""Data flows one way: sources -> extract -> clean -> verify -> store -> query -> cli/web
(fmtr.release, which publishes a built database, sits beside query).

A module imports only from its own layer and the layers before it (read from the source with
``ast``, imports inside functions included); fmtr.errors, fmtr.settings and fmtr.redact import
nothing of fmtr, so that every layer can use them, nor do fmtr.extras (the optional libraries,
asked for by the store, the query and the release) and fmtr.clock (the time a build records)
but for fmtr.errors, whose error they raise;
the web never imports the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "fmtr"
# Each part of fmtr and what it may import (besides itself and the leaves).
LEAVES = {"errors", "settings", "redact", "extras", "clock", "__init__"}
# What a leaf may import besides fmtr itself: only other leaves that import nothing.
LEAF_IMPORTS = {"extras": {"errors"}, "clock": {"errors"}}
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


MODULES = sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_flow_one_way(path: Path) -> None:
    module = "fmtr." + ".".join(path.relative_to(SRC).with_suffix("").parts)
    mine = _part(module)
    for imported in _edges(path):
        theirs = _part(imported)
        if mine in LEAVES:
            allowed = {mine} | LEAF_IMPORTS.get(mine, set())
            assert imported in ("fmtr", "fmtr.__init__") or theirs in allowed, (module, imported)
            continue
        if theirs in LEAVES:
            continue
        assert theirs in ALLOWED[mine], f"{module} imports {imported}: {mine} -> {theirs}"


def _module_of(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return (
        ".".join(("fmtr", *parts[:-1])) if parts[-1] == "__init__" else ".".join(("fmtr", *parts))
    )


def _edges(path: Path) -> set[str]:
    """The fmtr modules ``path`` imports, anywhere in it (a function's import too): a name
    imported from a package is its submodule when it is one."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "fmtr" or node.module.startswith("fmtr."):
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if sub in KNOWN else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in KNOWN}
    return found


KNOWN = {_module_of(p) for p in MODULES}


def test_no_circle_of_imports_between_files() -> None:
    """No files import one another in a circle, directly or round several files (one,
    web.errors -> web.pages -> web.security -> web.errors, came with a merge): a package's
    __init__ re-exporting its modules is not counted, since its modules never need it."""
    graph = {
        _module_of(p): {
            m for m in _edges(p) if m != _module_of(p) and not _module_of(p).startswith(m + ".")
        }
        for p in MODULES
    }
    # Tarjan's strongly connected components: any of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert circles == [], circles
