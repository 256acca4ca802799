"""The `fmtr` command: a thin Typer layer over the library, one module per group of commands.

- ``build``: build, migrate, fetch (the only commands that write)
- ``verify``: verify, compare-reference (the proof, reading the database back)
- ``questions``: summary, editions, countries, country, names, programmes, trend, top,
  series, compare, gaps, unit, course, search, row, export (fmtr.query.answers)
- ``history``: timeline, check-suspensions, events (participation history)
- ``funding``: funding series/top/courses/timeline/accounts, largest (the Greenbook's money
  beside the training)
- ``serve``: the explorer and the JSON API
- ``debug``: debug-page (a developer's picture of what a layout module saw on a page)
- ``common``: the options, output and error printing they share; ``app``: the Typer app.

This module stays empty of imports: a build's worker processes import it on start (the console
script's module), and the command modules would cost each of them a fraction of a second.
"""

from __future__ import annotations


def main() -> None:
    """The console script `fmtr`."""
    from fmtr.cli.app import run

    run()
