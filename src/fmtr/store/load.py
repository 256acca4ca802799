"""Loading one document's extraction into the database, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from fmtr.clean.document import CleanDocument, cents
from fmtr.clean.money import parse_cost
from fmtr.clean.quantity import parse_quantity
from fmtr.extract.model import DocumentExtract
from fmtr.sources.catalog import Document as CatalogDocument
from fmtr.sources.ids import BLOCK, ROW, TOTAL, Ordinals, edition_id, is_paged
from fmtr.store import schema as s
from fmtr.store.search import index_document, unindex_document
from fmtr.store.sql import insert_many
from fmtr.verify.reconcile import Check


@dataclass(frozen=True)
class LoadedDocument:
    file: str
    sha256: str
    pages: int
    blocks: int
    rows: int
    totals: int


def loaded_documents(conn: Connection) -> dict[str, str]:
    """file -> sha256 of every document already in the database."""
    return dict(conn.execute(select(s.Document.file, s.Document.sha256)).all())


def _edition_id(conn: Connection, name: str, layout: str) -> int:
    found = conn.execute(select(s.Edition.id).where(s.Edition.name == name)).scalar()
    if found is not None:
        return int(found)
    result = conn.execute(
        insert(s.Edition).values(
            name=name, first_fiscal_year=int(name[2:6]), layout=layout, stable_id=edition_id(name)
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def _next_id(conn: Connection, table: type[s.Base]) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.id), 0))).scalar_one()) + 1  # type: ignore[attr-defined]


def _insert_many(
    conn: Connection, table: str, cols: tuple[str, ...], rows: list[tuple[object, ...]]
) -> None:
    """The 250,000 training rows of a full build are loaded by the build's main process while
    its workers extract: as tuples on the driver (fmtr.store.sql.insert_many)."""
    insert_many(conn, table, cols, rows)


_BLOCK_COLUMNS = (
    "id", "document_id", "seq", "heading", "region", "country", "programme", "fiscal_year",
    "department", "first_page", "last_page", "country_code", "programme_code",
    "programme_variant", "fy", "stable_id",
)  # fmt: skip
_TRAINING_COLUMNS = (
    "block_id", "seq", "page", "last_page", "course_title", "us_unit", "student_unit",
    "location", "quantity", "cost", "start_date", "end_date", "quantity_value", "cost_cents",
    "start_on", "end_on", "flags", "course_key", "location_key", "student_unit_key",
    "us_unit_key", "stable_id",
)  # fmt: skip
_TOTAL_COLUMNS = (
    "block_id", "seq", "kind", "label", "page", "quantity", "cost", "quantity_value", "cost_cents",
    "stable_id",
)  # fmt: skip


def replace_document(
    conn: Connection,
    doc: CatalogDocument,
    extract: DocumentExtract,
    clean: CleanDocument,
    *,
    sha256: str,
    layout: str,
    build_run_id: int | None,
    seconds: float | None,
) -> LoadedDocument:
    """Replace whatever the database holds for ``doc.file`` by ``extract``.

    Runs on the caller's connection so that the caller's transaction makes it atomic: the old
    rows go and the new ones arrive together, or neither.
    """
    old = conn.execute(select(s.Document.id).where(s.Document.file == doc.file)).scalar()
    if old is not None:
        unindex_document(conn, old)
    conn.execute(delete(s.Document).where(s.Document.file == doc.file))
    edition_id = _edition_id(conn, doc.edition, layout)
    document_id = conn.execute(
        insert(s.Document).values(
            edition_id=edition_id,
            file=doc.file,
            sha256=sha256,
            url=doc.url,
            pages=extract.pages,
            report_page_offset=doc.report_page_offset,
            build_run_id=build_run_id,
            seconds=seconds,
            stable_id=doc.stable_id,
        )
    ).inserted_primary_key[0]  # type: ignore[index]

    # Ids are assigned here rather than returned one insert at a time: the whole document then
    # goes in with three executemany calls. Safe because a build is the database's only writer.
    block_id = _next_id(conn, s.ProgrammeBlock)
    blocks: list[tuple[object, ...]] = []
    rows: list[tuple[object, ...]] = []
    totals: list[tuple[object, ...]] = []
    # Stable identifiers from the place of each thing: the document, the page, the ordinal on
    # the page in reading order (blocks, and rows within them, come in that order).
    paged = is_paged(doc.file)
    block_ids = Ordinals(doc.stable_id, BLOCK, paged=paged)
    row_ids = Ordinals(doc.stable_id, ROW, paged=paged)
    total_ids = Ordinals(doc.stable_id, TOTAL, paged=paged)
    for seq, (block, cblock, crows) in enumerate(
        zip(extract.blocks, clean.blocks, clean.rows, strict=True)
    ):
        blocks.append(
            (
                block_id,
                document_id,
                seq,
                block.heading,
                block.region,
                block.country,
                block.programme,
                block.fiscal_year,
                block.department,
                block.first_page,
                block.last_page,
                cblock.country_code,
                cblock.programme_code,
                cblock.programme_variant,
                cblock.fiscal_year,
                block_ids.next(block.first_page),
            )
        )
        rows.extend(
            (
                block_id,
                rseq,
                row.page,
                row.last_page,
                row.course_title,
                row.us_unit,
                row.student_unit,
                row.location,
                row.quantity,
                row.cost,
                row.start_date,
                row.end_date,
                crow.quantity,
                crow.cost_cents,
                crow.start_on,
                crow.end_on,
                crow.flags,
                crow.course_key,
                crow.location_key,
                crow.student_unit_key,
                crow.us_unit_key,
                row_ids.next(row.page),
            )
            for rseq, (row, crow) in enumerate(zip(block.rows, crows, strict=True))
        )
        totals.extend(
            (
                block_id,
                tseq,
                total.kind,
                total.label,
                total.page,
                total.quantity,
                total.cost,
                parse_quantity(total.quantity).value,
                cents(parse_cost(total.cost).value),
                total_ids.next(total.page),
            )
            for tseq, total in enumerate(block.totals)
        )
        block_id += 1
    _insert_many(conn, s.ProgrammeBlock.__tablename__, _BLOCK_COLUMNS, blocks)
    _insert_many(conn, s.Training.__tablename__, _TRAINING_COLUMNS, rows)
    _insert_many(conn, s.PrintedTotal.__tablename__, _TOTAL_COLUMNS, totals)
    index_document(conn, document_id)
    if extract.unplaced:
        conn.execute(
            insert(s.UnplacedLine),
            [{"document_id": document_id, "page": p, "text": t} for p, t in extract.unplaced],
        )
    return LoadedDocument(doc.file, sha256, extract.pages, len(blocks), len(rows), len(totals))


def save_reference_tables(conn: Connection) -> None:
    """(Re)write the country and programme tables from fmtr.clean's tables."""
    from fmtr.clean.countries import all_countries
    from fmtr.clean.programmes import programmes

    conn.execute(delete(s.Country))
    conn.execute(
        insert(s.Country),
        [{"code": c.code, "name": c.name, "kind": c.kind} for c in all_countries()],
    )
    conn.execute(delete(s.Programme))
    conn.execute(
        insert(s.Programme),
        [
            {
                "code": p.code,
                "family": p.family,
                "name": p.name,
                "department": p.department,
                "authority": p.authority,
                "description": p.description,
            }
            for p in programmes()
        ],
    )


def save_verdicts(conn: Connection, checks: list[Check]) -> None:
    """Store each printed total's verdict (fmtr.verify) beside it."""
    b, t = s.ProgrammeBlock, s.PrintedTotal
    files = {c.file for c in checks}
    doc_ids = dict(
        conn.execute(select(s.Document.file, s.Document.id).where(s.Document.file.in_(files))).all()
    )
    block_ids = {
        (doc, seq): bid
        for bid, doc, seq in conn.execute(
            select(b.id, b.document_id, b.seq).where(b.document_id.in_(list(doc_ids.values())))
        )
    }
    params = [
        {
            "b_id": block_ids[(doc_ids[c.file], c.block_seq)],
            "t_seq": c.total_seq,
            "status": c.status,
            "rows_quantity": c.rows_quantity,
            "rows_cost_cents": cents(c.rows_cost),
            "detail": c.detail or None,
        }
        for c in checks
    ]
    if params:
        conn.execute(
            update(t)
            .where(t.block_id == bindparam("b_id"), t.seq == bindparam("t_seq"))
            .values(
                status=bindparam("status"),
                rows_quantity=bindparam("rows_quantity"),
                rows_cost_cents=bindparam("rows_cost_cents"),
                detail=bindparam("detail"),
            ),
            params,
        )


# The latest edition that prints a fiscal year is its record: the FY1999-2000 edition's FY 00
# blocks were written while FY 00 was under way, the FY2000-2001 edition reports it complete
# (likewise FY 01 in FY2000-2001 and FY2001-2002).
_COUNTED = """
WITH edition_of_block AS (
    SELECT b.id, b.fy, e.first_fiscal_year AS first
    FROM programme_block b JOIN document d ON d.id = b.document_id
    JOIN edition e ON e.id = d.edition_id
), latest AS (
    SELECT fy, max(first) AS first FROM edition_of_block WHERE fy IS NOT NULL GROUP BY fy
)
UPDATE programme_block SET counted = coalesce((
    SELECT eb.first = l.first FROM edition_of_block eb JOIN latest l ON l.fy = eb.fy
    WHERE eb.id = programme_block.id
), FALSE)
"""


def mark_counted_blocks(conn: Connection) -> None:
    """Set ``programme_block.counted`` (which edition's figures count for each fiscal year)."""
    conn.exec_driver_sql(_COUNTED)


# Indexes only the queries need (not the loading): a build on an aside copy drops them before
# loading and creates them again once, which is cheaper than keeping them up to date row by row.
_QUERY_INDEXES = ("ix_training_block_figures", "ix_training_student_unit_key")


def drop_query_indexes(conn: Connection) -> None:
    for name in _QUERY_INDEXES:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


def create_query_indexes(conn: Connection) -> None:
    for index in s.Training.__table__.indexes:  # type: ignore[attr-defined]
        if index.name in _QUERY_INDEXES:
            index.create(conn, checkfirst=True)
