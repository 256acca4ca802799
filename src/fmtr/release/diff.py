"""`fmtr diff OLD NEW`: what changed between two fmtr databases, by stable identifier.

Documents, programme blocks, training rows and printed totals are matched by ``stable_id``
(fmtr.sources.ids): one present in NEW only is *added*, in OLD only *removed*, in both with a
field that differs *changed* (field by field). A removed and an added thing with the same
printed cells in the same document (else the same edition) is one thing the extraction *moved*
(a row found above it on its page renumbers it): reported as moved, old id -> new id, not as a
removal and an addition. Pairs are made in reading order, so that of two identical rows the
first still pairs with the first. Figures (counted trainees, cost and rows per recipient,
programme and fiscal year, ``year_figures``) are compared too.

Both databases are opened read-only (a SQLite file that does not exist is an error, never an
empty database). Two SQLite files are compared by SQLite, the two attached to one connection;
any other pair (a PostgreSQL database on either side) by the same statements run on each
database apart and compared here, with the same result (a test holds the two ways to it).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, exc, inspect, text

from fmtr.errors import DatabaseUnavailable, InputError
from fmtr.release.source import read_only_uri
from fmtr.store.db import (
    database_url,
    display_url,
    read_only_engine,
    readable_revision,
    sqlite_path,
)

ADDED, REMOVED, CHANGED, MOVED = "added", "removed", "changed", "moved"


class DiffError(InputError):
    """A database that cannot be compared (missing, not fmtr's, or older than the ids)."""


@dataclass(frozen=True)
class _Kind:
    """One kind of thing: its table, what names its place, the fields compared and the cells
    (verbatim) that say two things are the same printed thing."""

    name: str
    table: str
    joins: str  # from the table (alias t) to its document (d) and edition (e)
    place: tuple[str, str]  # page column, document id expression
    fields: tuple[tuple[str, str], ...]  # (name, expression)
    cells: tuple[str, ...]
    positional: tuple[str, ...] = ()  # fields that move with the thing (not changes of a move)


# SQL with placeholders: {s} the schema and a dot (main.: OLD, new.: NEW, none when each
# database is read apart), {t} {b} {d} {e} the aliases of the thing, its block, document and
# edition (two sets of them when OLD and NEW are joined).
_BLOCK_JOINS = (
    "JOIN {s}programme_block {b} ON {b}.id = {t}.block_id "
    "JOIN {s}document {d} ON {d}.id = {b}.document_id "
    "JOIN {s}edition {e} ON {e}.id = {d}.edition_id"
)


def _own(names: str) -> tuple[tuple[str, str], ...]:
    """Fields of the thing's own table, by name."""
    return tuple((c, f"{{t}}.{c}") for c in names.split())


_ROW_CELLS = "course_title us_unit student_unit location quantity cost start_date end_date"
_KINDS = (
    _Kind(
        "document",
        "document",
        "JOIN {s}edition {e} ON {e}.id = {t}.edition_id",
        ("NULL", "{t}.stable_id"),
        _own("file sha256 url pages"),
        ("file",),
    ),
    _Kind(
        "programme block",
        "programme_block",
        "JOIN {s}document {d} ON {d}.id = {t}.document_id "
        "JOIN {s}edition {e} ON {e}.id = {d}.edition_id",
        ("{t}.first_page", "{d}.stable_id"),
        _own(
            "heading region country programme fiscal_year department first_page last_page "
            "country_code programme_code programme_variant fy counted"
        ),
        ("heading", "region", "country", "programme", "fiscal_year", "department"),
        ("first_page", "last_page"),
    ),
    _Kind(
        "training row",
        "training",
        _BLOCK_JOINS,
        ("{t}.page", "{d}.stable_id"),
        _own(f"{_ROW_CELLS} page last_page quantity_value cost_cents start_on end_on flags")
        + tuple(
            (c, "{b}." + ("stable_id" if c == "block" else c))
            for c in ("block", "country_code", "programme_code", "fy", "counted")
        ),
        tuple(_ROW_CELLS.split()),
        ("page", "last_page", "block"),
    ),
    _Kind(
        "printed total",
        "printed_total",
        _BLOCK_JOINS,
        ("{t}.page", "{d}.stable_id"),
        _own("kind label page quantity cost quantity_value cost_cents status rows_quantity")
        + _own("rows_cost_cents")
        + (("block", "{b}.stable_id"),),
        ("kind", "label", "quantity", "cost"),
        ("page", "block"),
    ),
)
KINDS = tuple(k.name for k in _KINDS)


@dataclass
class Change:
    """One thing added, removed, changed or moved."""

    kind: str  # "training row", "printed total", "programme block", "document"
    change: str  # added, removed, changed, moved
    stable_id: str  # NEW's identifier (OLD's for a removal)
    edition: str
    document: str
    page: int | None
    old_id: str | None = None  # a moved thing's identifier in OLD
    fields: dict[str, list[Any]] = field(default_factory=dict)  # name -> [old, new]
    values: dict[str, Any] = field(default_factory=dict)  # an added/removed thing's fields


@dataclass
class EditionCounts:
    edition: str
    kind: str
    added: int = 0
    removed: int = 0
    changed: int = 0
    moved: int = 0

    @property
    def total(self) -> int:
        return self.added + self.removed + self.changed + self.moved


@dataclass
class FigureChange:
    """A figure whose value moved: counted trainees, cost (cents) and rows, per recipient,
    programme and fiscal year; None on the side that has no such figure."""

    country_code: str
    programme_code: str
    fy: int
    old: dict[str, int] | None
    new: dict[str, int] | None


@dataclass
class DatabaseInfo:
    path: str
    release: str | None  # its release version, None for a working database
    training_rows: int


@dataclass
class DiffReport:
    old: DatabaseInfo
    new: DatabaseInfo
    changes: list[Change]
    editions: list[EditionCounts]
    figures: list[FigureChange]

    @property
    def identical(self) -> bool:
        return not self.changes and not self.figures

    def count(self, kind: str, change: str | None = None) -> int:
        return sum(
            1 for c in self.changes if c.kind == kind and (change is None or c.change == change)
        )

    def documents_touched(self) -> list[str]:
        """The documents (stable ids) with any change, in order."""
        return sorted({c.document for c in self.changes})


def _open(old: Path, new: Path) -> sqlite3.Connection:
    for label, path in (("OLD", old), ("NEW", new)):
        if not path.is_file():
            raise DiffError(f"{label} {path}: no such database file")
        probe = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            probe.execute("PRAGMA schema_version")
        except sqlite3.DatabaseError as exc:
            raise DiffError(f"{label} {path}: not a SQLite database ({exc})") from None
        finally:
            probe.close()
    con = sqlite3.connect(read_only_uri(old), uri=True)
    try:
        con.execute("ATTACH DATABASE ? AS new", (read_only_uri(new),))
        for label, schema, path in (("OLD", "main", old), ("NEW", "new", new)):
            cols = {r[1] for r in con.execute(f"PRAGMA {schema}.table_info(training)")}
            if not cols:
                raise DiffError(f"{label} {path}: not an fmtr database (no training table)")
            if "stable_id" not in cols:
                raise DiffError(
                    f"{label} {path}: built before stable identifiers (migration 0006); "
                    f"open a copy with fmtr (`fmtr build --db COPY`) to add them"
                )
    except BaseException:
        con.close()
        raise
    return con


def _names(suffix: str) -> dict[str, str]:
    return {a: f"{a}{suffix}" for a in "tbde"}


def _columns(kind: _Kind, suffix: str) -> str:
    exprs = ["{t}.stable_id", "{e}.name", kind.place[1], kind.place[0]]
    exprs += [e for _, e in kind.fields]
    return ", ".join(x.format(**_names(suffix)) for x in exprs)


def _from(kind: _Kind, schema: str, suffix: str, on: str = "") -> str:
    """The thing's table (joined ``on`` a condition, when given) and the joins to its block,
    document and edition."""
    names = _names(suffix)
    prefix = f"{schema}." if schema else ""
    table = f"{prefix}{kind.table} {names['t']}" + (f" ON {on}" if on else "")
    return f"{table} {kind.joins.format(s=prefix, **names)}"


_Thing = tuple[str, str, str, int | None, dict[str, Any]]  # id, edition, document, page, fields


def _row(kind: _Kind, values: tuple[Any, ...]) -> _Thing:
    sid, edition, document, page, *rest = values
    return sid, edition, document, page, dict(zip((n for n, _ in kind.fields), rest, strict=True))


def _ordinal(stable_id: str) -> int:
    m = re.search(r"(\d+)$", stable_id)
    return int(m.group(1)) if m else 0


def _diff_kind(con: sqlite3.Connection, kind: _Kind) -> list[Change]:
    """The changes of one kind. Things only on one side, and things whose identifier names
    other cells on each side (a page lost above them renumbers them onto another thing's
    identifier), go through the move matching; a thing whose identifier names the same cells
    on both sides is the same thing, changed where another field differs."""
    gone: list[_Thing] = []
    came: list[_Thing] = []
    for pool, (mine, theirs) in ((gone, ("main", "new")), (came, ("new", "main"))):
        sql = (
            f"SELECT {_columns(kind, '')} FROM {_from(kind, mine, '')} WHERE NOT EXISTS "
            f"(SELECT 1 FROM {theirs}.{kind.table} x WHERE x.stable_id = t.stable_id)"
        )
        pool += [_row(kind, r) for r in con.execute(sql)]
    differs = " OR ".join(
        f"{e.format(**_names(''))} IS NOT {e.format(**_names('2'))}" for _, e in kind.fields
    )
    sql = (
        f"SELECT {_columns(kind, '')}, {_columns(kind, '2')} FROM {_from(kind, 'main', '')} "
        f"JOIN {_from(kind, 'new', '2', 't2.stable_id = t.stable_id')} WHERE {differs}"
    )
    width = 4 + len(kind.fields)
    changes: list[Change] = []
    for r in con.execute(sql):
        before, after = _row(kind, r[:width]), _row(kind, r[width:])
        if _cells(kind, before) == _cells(kind, after):
            changes.append(_changed(kind, before, after))
        else:
            gone.append(before)
            came.append(after)
    return changes + _moves(kind, gone, came)


def _cells(kind: _Kind, thing: _Thing) -> tuple[Any, ...]:
    return tuple(thing[4][c] for c in kind.cells)


def _changed(kind: _Kind, before: _Thing, after: _Thing, *, moved: bool = False) -> Change:
    fields = {
        n: [before[4][n], after[4][n]]
        for n in before[4]
        if before[4][n] != after[4][n] and not (moved and n in kind.positional)
    }
    sid, edition, document, page, _ = after
    return Change(
        kind.name,
        MOVED if moved else CHANGED,
        sid,
        edition,
        document,
        page,
        old_id=before[0] if moved else None,
        fields=fields,
    )


def _moves(kind: _Kind, gone: list[_Thing], came: list[_Thing]) -> list[Change]:
    """Pair things that left OLD's identifiers with things that came to NEW's by their cells:
    in the same document first, then in the same edition, in reading order. What is left
    pairs by identifier (the same place, other cells: changed), else was removed or added."""
    out: list[Change] = []

    def order(r: _Thing) -> Any:
        return (r[2], r[3] or 0, _ordinal(r[0]))

    for scope in (2, 1):  # index of the document, then of the edition, in a thing's tuple
        pool: dict[Any, list[_Thing]] = {}
        for r in sorted(came, key=order):
            pool.setdefault((r[scope], _cells(kind, r)), []).append(r)
        unmatched: list[_Thing] = []
        for r in sorted(gone, key=order):
            candidates = pool.get((r[scope], _cells(kind, r)))
            if candidates:
                out.append(_changed(kind, r, candidates.pop(0), moved=True))
            else:
                unmatched.append(r)
        gone = unmatched
        came = [r for rs in pool.values() for r in rs]
    by_id = {r[0]: r for r in came}
    for r in gone:
        if r[0] in by_id:
            out.append(_changed(kind, r, by_id.pop(r[0])))
        else:
            out.append(Change(kind.name, REMOVED, r[0], r[1], r[2], r[3], values=r[4]))
    for r in by_id.values():
        out.append(Change(kind.name, ADDED, r[0], r[1], r[2], r[3], values=r[4]))
    return out


_FIGURES = """
SELECT o.country_code, o.programme_code, o.fy, o.trainees, o.cost_cents, o.rows,
       n.trainees, n.cost_cents, n.rows
FROM main.year_figures o LEFT JOIN new.year_figures n
  ON n.country_code = o.country_code AND n.programme_code = o.programme_code AND n.fy = o.fy
WHERE n.fy IS NULL OR n.trainees != o.trainees OR n.cost_cents != o.cost_cents
   OR n.rows != o.rows
UNION ALL
SELECT n.country_code, n.programme_code, n.fy, NULL, NULL, NULL, n.trainees, n.cost_cents, n.rows
FROM new.year_figures n LEFT JOIN main.year_figures o
  ON n.country_code = o.country_code AND n.programme_code = o.programme_code AND n.fy = o.fy
WHERE o.fy IS NULL
ORDER BY 1, 2, 3
"""


def _figures(con: sqlite3.Connection) -> list[FigureChange]:
    def sums(q: Any, c: Any, n: Any) -> dict[str, int] | None:
        return None if n is None else {"trainees": q, "cost_cents": c, "rows": n}

    return [
        FigureChange(r[0], r[1], r[2], sums(*r[3:6]), sums(*r[6:9])) for r in con.execute(_FIGURES)
    ]


def _info(con: sqlite3.Connection, schema: str, path: Path) -> DatabaseInfo:
    release = None
    has_release = con.execute(
        f"SELECT count(*) FROM {schema}.sqlite_master WHERE name = 'data_release'"
    ).fetchone()[0]
    if has_release:
        found = con.execute(
            f"SELECT version FROM {schema}.data_release ORDER BY id DESC LIMIT 1"
        ).fetchone()
        release = found[0] if found else None
    rows = con.execute(f"SELECT count(*) FROM {schema}.training").fetchone()[0]
    return DatabaseInfo(str(path), release, rows)


def _per_edition(changes: Iterable[Change]) -> list[EditionCounts]:
    counts: dict[tuple[str, str], EditionCounts] = {}
    for c in changes:
        entry = counts.setdefault((c.edition, c.kind), EditionCounts(c.edition, c.kind))
        setattr(entry, c.change, getattr(entry, c.change) + 1)
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(counts.values(), key=lambda e: (e.edition, order[e.kind]))


def diff_databases(old: Path | str, new: Path | str) -> DiffReport:
    """What changed from the database ``old`` to ``new`` (each a SQLite file's path, or a
    database URL), both read-only."""
    old_file, new_file = _file(old), _file(new)
    if old_file is None or new_file is None:
        return _diff_apart(old, new)
    old, new = old_file, new_file
    con = _open(Path(old), Path(new))
    try:
        changes: list[Change] = []
        for kind in _KINDS:
            changes += _diff_kind(con, kind)
        order = {k: i for i, k in enumerate(KINDS)}
        changes.sort(
            key=lambda c: (c.edition, c.document, order[c.kind], c.page or 0, _ordinal(c.stable_id))
        )
        return DiffReport(
            _info(con, "main", Path(old)),
            _info(con, "new", Path(new)),
            changes,
            _per_edition(changes),
            _figures(con),
        )
    finally:
        con.close()


def _file(db: Path | str) -> Path | None:
    """The SQLite file ``db`` names, None for another database's URL."""
    if isinstance(db, Path):
        return db
    return sqlite_path(database_url(db))


def _engine(label: str, db: Path | str) -> Engine:
    """A read-only engine on ``db``, checked to be an fmtr database with stable identifiers
    (DiffError, one line, otherwise)."""
    path = _file(db)
    url = database_url(str(db)) if path is None else f"sqlite:///{path}"
    shown = display_url(url) if path is None else str(path)
    if path is not None and not path.is_file():
        raise DiffError(f"{label} {shown}: no such database file")
    try:
        engine = read_only_engine(url)
        readable_revision(engine, url)
    except DatabaseUnavailable as unavailable:
        raise DiffError(f"{label} {unavailable}") from None
    try:
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("training")}
    except (exc.NoSuchTableError, exc.DBAPIError):
        columns = set()
    if not columns:
        engine.dispose()
        raise DiffError(f"{label} {shown}: not an fmtr database (no training table)")
    if "stable_id" not in columns:
        engine.dispose()
        raise DiffError(
            f"{label} {shown}: built before stable identifiers (migration 0006); "
            f"open a copy with fmtr (`fmtr build --db COPY`) to add them"
        )
    return engine


def _plain(value: Any) -> Any:
    """A value as SQLite gives it: PostgreSQL's booleans are SQLite's 1 and 0."""
    return int(value) if isinstance(value, bool) else value


def _things(conn: Connection, kind: _Kind) -> dict[str, _Thing]:
    sql = f"SELECT {_columns(kind, '')} FROM {_from(kind, '', '')}"
    return {r[0]: _row(kind, tuple(_plain(v) for v in r)) for r in conn.execute(text(sql)).all()}


def _diff_kind_apart(old: Connection, new: Connection, kind: _Kind) -> list[Change]:
    """``_diff_kind``, each database read apart: the same pools, compared here."""
    before, after = _things(old, kind), _things(new, kind)
    gone = [t for sid, t in before.items() if sid not in after]
    came = [t for sid, t in after.items() if sid not in before]
    changes: list[Change] = []
    for sid in before.keys() & after.keys():
        was, now = before[sid], after[sid]
        if was[4] == now[4]:
            continue
        if _cells(kind, was) == _cells(kind, now):
            changes.append(_changed(kind, was, now))
        else:
            gone.append(was)
            came.append(now)
    return changes + _moves(kind, gone, came)


def _figures_apart(old: Connection, new: Connection) -> list[FigureChange]:
    sql = text(
        "SELECT country_code, programme_code, fy, trainees, cost_cents, rows FROM year_figures"
    )

    def read(conn: Connection) -> dict[tuple[str, str, int], dict[str, int]]:
        return {
            (r[0], r[1], r[2]): {"trainees": r[3], "cost_cents": r[4], "rows": r[5]}
            for r in conn.execute(sql).all()
        }

    before, after = read(old), read(new)
    return [
        FigureChange(*key, before.get(key), after.get(key))
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]


def _info_apart(conn: Connection, shown: str) -> DatabaseInfo:
    release = None
    if inspect(conn).has_table("data_release"):
        found = conn.execute(
            text("SELECT version FROM data_release ORDER BY id DESC LIMIT 1")
        ).first()
        release = found[0] if found else None
    rows = conn.execute(text("SELECT count(*) FROM training")).scalar_one()
    return DatabaseInfo(shown, release, int(rows))


def _diff_apart(old: Path | str, new: Path | str) -> DiffReport:
    engines = [_engine("OLD", old), _engine("NEW", new)]
    try:
        with engines[0].connect() as was, engines[1].connect() as now:
            changes: list[Change] = []
            for kind in _KINDS:
                changes += _diff_kind_apart(was, now, kind)
            order = {k: i for i, k in enumerate(KINDS)}
            changes.sort(
                key=lambda c: (
                    c.edition, c.document, order[c.kind], c.page or 0, _ordinal(c.stable_id)
                )
            )  # fmt: skip
            return DiffReport(
                _info_apart(was, _shown(old)),
                _info_apart(now, _shown(new)),
                changes,
                _per_edition(changes),
                _figures_apart(was, now),
            )
    finally:
        for engine in engines:
            engine.dispose()


def _shown(db: Path | str) -> str:
    """How a report names a database: a file's path as given, a URL without its password."""
    path = _file(db)
    return str(db) if path is not None else display_url(str(db))


# --- reading it ------------------------------------------------------------------------------


def _dollars(cents: int | None) -> str:
    return "-" if cents is None else f"${cents / 100:,.0f}"


def _figure_words(f: FigureChange) -> str:
    def side(x: dict[str, int] | None) -> str:
        if x is None:
            return "none"
        return f"{x['trainees']:,} trainees, {_dollars(x['cost_cents'])}, {x['rows']:,} rows"

    return f"{f.country_code} {f.programme_code} FY{f.fy}: {side(f.old)} -> {side(f.new)}"


def _change_words(c: Change) -> str:
    if c.change == MOVED:
        extra = "; ".join(f"{n}: {o!r} -> {v!r}" for n, (o, v) in c.fields.items())
        return f"moved {c.old_id} -> {c.stable_id}" + (f" ({extra})" if extra else "")
    if c.change == CHANGED:
        return f"changed {c.stable_id}: " + "; ".join(
            f"{n}: {o!r} -> {v!r}" for n, (o, v) in c.fields.items()
        )
    cells = [str(v) for k, v in c.values.items() if v is not None and k in _SHOWN]
    return f"{c.change} {c.stable_id}" + (f" ({' | '.join(cells)})" if cells else "")


_SHOWN = {"course_title", "student_unit", "quantity", "cost", "label", "heading", "file"}


def summary_lines(report: DiffReport, limit: int = 20, *, markdown: bool = False) -> list[str]:
    """A readable account: the totals, the counts per edition and kind, the figures that
    moved and the first ``limit`` changes of each kind (0: all)."""
    bullet = "- " if markdown else "  "
    old = report.old.release or report.old.path
    new = report.new.release or report.new.path
    lines = [
        f"{old} ({report.old.training_rows:,} training rows) -> {new} "
        f"({report.new.training_rows:,} training rows)"
    ]
    if report.identical:
        return [*lines, "no change: every identifier names the same thing with the same values"]
    for kind in KINDS:
        n = {ch: report.count(kind, ch) for ch in (ADDED, REMOVED, CHANGED, MOVED)}
        if any(n.values()):
            lines.append(
                f"{kind}s: {n[ADDED]:,} added, {n[REMOVED]:,} removed, {n[CHANGED]:,} changed, "
                f"{n[MOVED]:,} moved"
            )
    lines.append(f"figures moved: {len(report.figures):,} (recipient, programme, fiscal year)")
    lines.append(f"documents with changes: {', '.join(report.documents_touched()) or 'none'}")
    lines += ["", "## By edition" if markdown else "by edition:"]
    if markdown:
        lines += [
            "",
            "| edition | kind | added | removed | changed | moved |",
            "|---|---|--:|--:|--:|--:|",
        ]
    for e in report.editions:
        if markdown:
            lines.append(
                f"| {e.edition} | {e.kind} | {e.added} | {e.removed} | {e.changed} | {e.moved} |"
            )
        else:
            lines.append(
                f"{bullet}{e.edition} {e.kind}s: {e.added} added, {e.removed} removed, "
                f"{e.changed} changed, {e.moved} moved"
            )
    if report.figures:
        lines += ["", "## Figures that moved" if markdown else "figures that moved:"]
        if markdown:
            lines.append("")
        figures = report.figures if not limit else report.figures[:limit]
        lines += [f"{bullet}{_figure_words(f)}" for f in figures]
        if len(figures) < len(report.figures):
            lines.append(f"{bullet}... {len(report.figures) - len(figures):,} more")
    for kind in KINDS:
        mine = [c for c in report.changes if c.kind == kind]
        if not mine:
            continue
        lines += ["", f"## {kind.capitalize()}s" if markdown else f"{kind}s:"]
        if markdown:
            lines.append("")
        shown = mine if not limit else mine[:limit]
        lines += [f"{bullet}{c.edition} {_change_words(c)}" for c in shown]
        if len(shown) < len(mine):
            lines.append(f"{bullet}... {len(mine) - len(shown):,} more (--limit 0 for all)")
    return lines
