"""What every command shares: its options, opening the database read-only, printing an answer
(a table, ``--json`` or ``--csv``) and printing an error (one line, never a traceback).

Options are declared once here (``Db``, ``Corpus``, ``Programme``...) with their help and their
environment variable; any other option of any command is read from $FMTR_<COMMAND>_<OPTION>
when not given (fmtr.cli.app sets that prefix), e.g. FMTR_TOP_LIMIT.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import logging
import sys
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from fmtr.redact import redact
from fmtr.settings import Settings, declared, described

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from fmtr.query.shapes import Document, Table

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

# --- options -------------------------------------------------------------------------------

DB_ENV, CORPUS_ENV = "FMTR_DB", "FMTR_CORPUS"
Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=DB_ENV,
        help="Database URL or SQLite file.",
        show_default="data/fmtr.sqlite",
    ),
]
Corpus = Annotated[
    Path | None,
    typer.Option("--corpus", envvar=CORPUS_ENV, help="The corpus folder.", show_default=False),
]
FUNDING_ENV = "FMTR_FUNDING"
Funding = Annotated[
    Path | None,
    typer.Option(
        "--funding",
        envvar=FUNDING_ENV,
        help="The funding folder, with the Greenbook workbook (default: fmtr-funding beside "
        "the corpus folder, when there is one).",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="The answer as JSON (the API's document).")]
Csv = Annotated[bool, typer.Option("--csv", help="The answer's table as CSV.")]
Programme = Annotated[
    str | None,
    typer.Option("--programme", "--program", "-p", help="Programme code or name (IMET)."),
]
Country = Annotated[str, typer.Argument(help="Country name, code or spelling (Pakistan, PAK).")]
From = Annotated[str | None, typer.Option("--from", help="First fiscal year (FY2003, 2003, FY03).")]
To = Annotated[str | None, typer.Option("--to", help="Last fiscal year.")]
Offset = Annotated[int, typer.Option("--offset", min=0, max=10_000_000, help="Rows to skip.")]
Registry = Annotated[
    Path | None,
    typer.Option(
        "--registry",
        help="Your events registry, read with the packaged one (default: $FMTR_EVENTS, else "
        "events.json in your user data folder).",
    ),
]


def limit_option(what: str = "Rows") -> Any:
    return typer.Option("--limit", min=0, max=10**9, help=f"{what} to show (0: all).")


def all_or(limit: int | None) -> int | None:
    """A CLI limit as the library takes it: 0 (all) is None."""
    return limit or None


# --- the database --------------------------------------------------------------------------


def open_db(db: str | None) -> Engine:
    """The database, read-only: a missing file or one of another schema version is refused
    (DatabaseUnavailable, one line, exit 2), never created or migrated."""
    from fmtr.store.db import open_read_only

    return open_read_only(db)


# --- output --------------------------------------------------------------------------------

# Columns whose numbers are counts (shown with thousands separators); ids, years and pages
# are not.
_COUNTS = {
    "trainees",
    "rows",
    "printed_rows",
    "quantity_value",
    "documents",
    "countries",
    "blocks",
    "matching_rows",
    "periods",
    "recipients_total",
    # fmtr verify's
    "blocks_with_totals",
    "reconciled",
    "mismatched",
    "source_errors",
    "rows_found",
    "rows_listed",
    "unlisted",
}


def cell(column: str, value: Any) -> str:
    """A value as a table shows it to people."""
    from fmtr.query.shapes import dollars

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if column.endswith("_cents") and isinstance(value, int):
        return dollars(value)
    if column.endswith("_share") and isinstance(value, float):
        return f"{value:.2%}"  # the library gives four places: no second rounding
    if column.startswith("fy2") and isinstance(value, int) and not column.endswith("cents"):
        return f"{value:,}"
    if isinstance(value, int) and column in _COUNTS:
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


# Short headings for a screen (the JSON and CSV keep the columns' names).
_HEADINGS = {
    "country_code": "country",
    "programme_code": "prog",
    "quantity_value": "qty",
    "course_title": "course",
    "pdf_page": "page",
    "first_fy": "from",
    "last_fy": "to",
    "first_fiscal_year": "first FY",
    "surely_inside": "surely in",
    "printed_rows": "printed",
    "listed_cost_per_trainee_cents": "listed per trainee",
    "obligated_per_trainee_cents": "obligated per trainee",
    "obligated_2020_cents": "obligated 2020",
    "funding_status": "Greenbook",
    "funding_gap": "Greenbook gap",
    # `fmtr largest`: each measure's rank follows its value.
    "obligated_rank": "#",
    "obligated_2020_rank": "#",
    "course_cost_rank": "#",
    "trainees_rank": "#",
    "blocks_with_totals": "with totals",
    "rows_found": "all words found",
    "unlisted": "cells not listed",
}


def _label(key: str) -> str:
    """A document's field as people read it: "obligated_2020_cents" -> "obligated 2020" (the
    value itself is shown in dollars)."""
    return key.removesuffix("_cents").replace("_", " ")


def heading(column: str) -> str:
    return _HEADINGS.get(column) or column.removesuffix("_cents").replace("_", " ")


def _rich_table(table: Table, title: str | None = None) -> RichTable:
    # Every text is a Text, never markup: names like "[/x]" are data, printed as they are.
    columns = table.shown or table.columns
    hidden = len(table.columns) - len(columns)
    shown = RichTable(
        title=Text(title if title is not None else table.title),
        title_justify="left",
        caption=Text(f"{hidden} more column{'s' * (hidden > 1)}: --json or --csv")
        if hidden
        else None,
        caption_justify="left",
    )
    cells = [[cell(col, row.get(col)) for col in columns] for row in table.rows]
    for i, col in enumerate(columns):
        # Short values (codes, years, figures) stay on one line; long text folds, but keeps a
        # few letters a line on a narrow screen.
        # A column whose heading is longer than that may still narrow to its longest word.
        widest = max((len(r[i]) for r in cells), default=0)
        title = heading(col)
        shown.add_column(
            Text(title),
            overflow="fold",
            no_wrap=widest <= 8 and len(title) <= 8,
            min_width=min(widest, 10),
        )
    for r in cells:
        shown.add_row(*(Text(one_line(c)) for c in r))
    return shown


def _as_table(rows: list[Any], title: str) -> Table:
    from fmtr.query.shapes import Table as Shape
    from fmtr.query.shapes import jsonable

    plain = [jsonable(r) for r in rows]
    columns = list(plain[0]) if plain and isinstance(plain[0], dict) else ["value"]
    listed = [r if isinstance(r, dict) else {"value": r} for r in plain]
    return Shape(columns, listed, len(listed), title=title)


def add_texts(table: RichTable, *values: str) -> None:
    """A row of plain text (never markup: a name may hold brackets)."""
    table.add_row(*(Text(one_line(v)) for v in values))


def print_document(document: Document) -> None:
    """A document as people read it: its fields, then each of its tables."""
    from fmtr.query.shapes import Notes
    from fmtr.query.shapes import Table as Shape

    if isinstance(document, Shape):
        out.print(_rich_table(document))
        return
    fields = RichTable(show_header=False, box=None, pad_edge=False)
    fields.add_column(style="bold")
    fields.add_column(overflow="fold")
    tables: list[tuple[str, Shape]] = []
    notes: list[tuple[str, Notes]] = []
    for key, value in document.items():
        if isinstance(value, Shape):
            tables.append((key, value))
        elif isinstance(value, Notes):
            notes.append((key, value))
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            tables.append((key, _as_table(value, key.replace("_", " "))))
        elif isinstance(value, Mapping):
            for k, v in value.items():
                fields.add_row(Text(f"{key}.{_label(k)}".replace("_", " ")), Text(cell(k, v)))
        else:
            fields.add_row(Text(_label(key)), Text(cell(key, value)))
    out.print(fields)
    for key, table in tables:
        out.print(_rich_table(table, table.title or key.replace("_", " ")))
    for key, sentences in notes:
        out.print(one_line(f"{key.replace('_', ' ')}:"), markup=False)
        for sentence in sentences:
            out.print(one_line(f"- {sentence}"), markup=False)


def show(document: Document, as_json: bool = False, as_csv: bool = False) -> None:
    """Print an answer: a table for people, or the API's JSON document, or its table as CSV."""
    from fmtr.query.shapes import csv_text, jsonable, main_table

    if as_json and as_csv:
        raise fail("--json and --csv: choose one")
    if as_json:
        print_json(jsonable(document))
    elif as_csv:
        sys.stdout.write(csv_text(main_table(document)))
    else:
        print_document(document)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


# --- errors --------------------------------------------------------------------------------


def one_line(text: str) -> str:
    """``text`` with every control or line-breaking character escaped (\\n, \\x1b...): an
    error stays one line, and a hostile name cannot move the terminal's cursor."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        else ch
        for ch in text
    )


def say(message: str, where: str = "fmtr") -> None:
    """One line on stderr, "fmtr: ..." (passwords hidden, no markup, no control character)."""
    err.print(one_line(f"{where}: {redact(message)}"), markup=False)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Say ``message`` and return the exit to raise: ``raise fail("...")``."""
    say(message)
    return typer.Exit(code)


# --- logging -------------------------------------------------------------------------------

LOG_LEVELS = ("debug", "info", "warning", "error")


class _Stderr(logging.StreamHandler):
    """Writes to the current sys.stderr (a test runner swaps it), passwords hidden."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # not setStream: it would flush the one swapped out
        super().emit(record)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


_handler = _Stderr()
_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))


def configure_logging(level: str, access_log: bool = False) -> None:
    """Logs of fmtr (and of the libraries under it) to stderr from ``level`` up; the server's
    access log (logger "fmtr.access", one line per request) on its own switch. The library
    attaches no handler: only the CLI does, here."""
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    root.setLevel(level.upper())
    # SQLAlchemy logs every statement at INFO when its logger allows it: only on request.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    access = logging.getLogger("fmtr.access")
    access.setLevel(logging.INFO if access_log else logging.WARNING)


# --- settings as options -------------------------------------------------------------------


def setting_env(command: str, name: str) -> str:
    """The environment variable of a setting of ``command`` (Click's automatic name)."""
    return f"FMTR_{command.upper()}_{name.upper()}"


def with_settings(kind: type[Settings]) -> Callable[[F], F]:
    """Give a command an option per setting of ``kind`` (fmtr.settings), shown in their own
    help panel; the command receives them as one ``settings`` object."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        params = [p for p in signature.parameters.values() if p.name != "settings"]
        names = []
        for found in declared(kind):
            name, default, meta = found.name, found.default, found.metadata
            flag = f"--{name.replace('_', '-')}"
            decls = [f"{flag}/--no-{flag[2:]}"] if isinstance(default, bool) else [flag]
            decls += [meta["short"]] if meta["short"] else []
            option = typer.Option(
                *decls,
                help=meta["help"],
                min=meta["min"],
                max=meta["max"],
                rich_help_panel="Settings",
            )
            annotation: Any = Annotated[type(default), option]
            params.append(
                inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                  annotation=annotation)
            )  # fmt: skip
            names.append(name)

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in names}
            return command(**kwargs, settings=kind(**values))

        wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper  # type: ignore[return-value]

    return decorate


def print_settings(kind: type[Settings], command: str, as_json: bool = False) -> None:
    """``fmtr COMMAND --help-settings``: every setting, its default, option and variable."""
    rows = [
        {
            "setting": name,
            "default": default,
            "option": f"--{name.replace('_', '-')}",
            "environment": setting_env(command, name),
            "help": help_text,
        }
        for name, default, help_text in described(kind)
    ]
    if as_json:
        print_json(rows)
        return
    table = RichTable(title=Text(f"fmtr {command} settings"), title_justify="left")
    for col in ("setting", "default", "environment", "help"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(Text(str(r[k])) for k in ("setting", "default", "environment", "help")))
    out.print(table)


def settings_dict(settings: Settings) -> dict[str, Any]:
    return dataclasses.asdict(settings)
