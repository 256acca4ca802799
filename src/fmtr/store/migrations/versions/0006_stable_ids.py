"""Stable identifiers for editions, documents, programme blocks, training rows, printed totals;
the release stamp.

Revision ID: 0006_stable_ids
Revises: 0004

Each of the five tables gets ``stable_id`` (fmtr.sources.ids: "2016", "2016-africa",
"2016-africa-p49-b2", "2016-africa-p50-3", "2016-africa-p50-t1"), unique (a unique index: the
columns are nullable only because a column added to a table holding rows must be). The loader
fills them; the upgrade fills them for the rows already loaded, so that a database migrated
without a new build names its rows as a fresh build would. ``training_provenance`` shows the
row's identifier beside its integer id, and the cleaned codes, fiscal year, ``counted`` flag and
values a user filters and sums by (Datasette's facets on the view). Computed columns are CAST
to INTEGER so that they have integer affinity: a filter counted = '1' (as Datasette sends it)
then matches 1.

``data_release``: the release a database is (``fmtr release`` writes one row in the copy it
publishes; a working database has none), so that a citation names it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import sqlalchemy as sa
from alembic import op

revision = "0006_stable_ids"
down_revision = "0004"
branch_labels = None
depends_on = None

_TABLES = {
    "edition": 16,
    "document": 120,
    "programme_block": 160,
    "training": 160,
    "printed_total": 160,
}

_OLD_VIEW = """
CREATE VIEW training_provenance AS
SELECT t.id AS training_id, e.name AS edition, d.file, t.page AS pdf_page,
       CASE WHEN d.report_page_offset IS NULL THEN NULL
            ELSE t.page + d.report_page_offset END AS report_page,
       d.url, b.region, b.country, b.programme, b.fiscal_year, b.department,
       t.course_title, t.us_unit, t.student_unit, t.location, t.quantity, t.cost,
       t.start_date, t.end_date
FROM training t
JOIN programme_block b ON b.id = t.block_id
JOIN document d ON d.id = b.document_id
JOIN edition e ON e.id = d.edition_id
"""
_VIEW = """
CREATE VIEW training_provenance AS
SELECT t.id AS training_id, t.stable_id, e.name AS edition, d.file, t.page AS pdf_page,
       CAST(CASE WHEN d.report_page_offset IS NULL THEN NULL
            ELSE t.page + d.report_page_offset END AS INTEGER) AS report_page,
       d.url, b.region, b.country, b.programme, b.fiscal_year, b.department,
       t.course_title, t.us_unit, t.student_unit, t.location, t.quantity, t.cost,
       t.start_date, t.end_date,
       b.country_code, b.programme_code, b.fy, CAST(coalesce(b.counted, 0) AS INTEGER) AS counted,
       t.quantity_value, t.cost_cents
FROM training t
JOIN programme_block b ON b.id = t.block_id
JOIN document d ON d.id = b.document_id
JOIN edition e ON e.id = d.edition_id
"""

# PostgreSQL's booleans are no integers: the same column, 1 or 0, written its way.
_PG_VIEW = _VIEW.replace(
    "CAST(coalesce(b.counted, 0) AS INTEGER)", "CASE WHEN b.counted THEN 1 ELSE 0 END"
)
assert _PG_VIEW != _VIEW

# A frozen copy of fmtr.sources.ids as of this revision (a migration must not change when the
# code does).
_SECTION_NUMBERING = re.compile(r"^\d+-Volume-[IVX]+-Section-[IVX]+-Part-[IVX]+-[IVX]+-", re.I)


def _edition_id(edition: str) -> str:
    return edition[2:6]


def _file_slug(edition: str, file: str) -> str:
    stem = _SECTION_NUMBERING.sub("", PurePosixPath(file).stem)
    words = [w for w in re.split(r"[^a-z0-9]+", stem.lower()) if w]
    years = set(re.findall(r"\d{4}", edition))
    shorter = [w for w in words if w not in years]
    return "-".join(shorter or words) or "file"


def _document_ids(pairs: list[tuple[str, str]]) -> dict[str, str]:
    slugs = {file: (edition, _file_slug(edition, file)) for edition, file in pairs}
    taken: dict[tuple[str, str], int] = {}
    for key in slugs.values():
        taken[key] = taken.get(key, 0) + 1
    out: dict[str, str] = {}
    for edition, file in pairs:
        slug = slugs[file][1]
        if taken[slugs[file]] > 1:
            slug += "-" + (PurePosixPath(file).suffix.lstrip(".").lower() or "file")
        out[file] = f"{_edition_id(edition)}-{slug}"
    return out


def _fill(
    conn: sa.Connection, table: str, sql: str, docs: dict[int, tuple[str, bool]], kind: str
) -> None:
    """Number the rows of ``sql`` (id, document id, page; in reading order) per document and
    page, as the loader does."""
    seen: dict[tuple[int, int], int] = {}
    params: list[dict[str, object]] = []
    for row_id, doc_id, page in conn.execute(sa.text(sql)):
        document, paged = docs[doc_id]
        key = (doc_id, page if paged else 0)
        n = seen[key] = seen.get(key, 0) + 1
        where = f"-p{page}" if paged else ""
        params.append({"s": f"{document}{where}-{kind}{n}", "i": row_id})
    if params:
        conn.execute(sa.text(f"UPDATE {table} SET stable_id = :s WHERE id = :i"), params)


def upgrade() -> None:
    for table, size in _TABLES.items():
        op.add_column(table, sa.Column("stable_id", sa.String(size)))
    conn = op.get_bind()
    editions = conn.execute(sa.text("SELECT id, name FROM edition")).all()
    for edition_id, name in editions:
        conn.execute(
            sa.text("UPDATE edition SET stable_id = :s WHERE id = :i"),
            {"s": _edition_id(name), "i": edition_id},
        )
    rows = conn.execute(
        sa.text("SELECT d.id, e.name, d.file FROM document d JOIN edition e ON e.id = d.edition_id")
    ).all()
    ids = _document_ids([(name, file) for _, name, file in rows])
    docs: dict[int, tuple[str, bool]] = {}
    for doc_id, _, file in rows:
        docs[doc_id] = (ids[file], not file.lower().endswith((".html", ".htm")))
        conn.execute(
            sa.text("UPDATE document SET stable_id = :s WHERE id = :i"),
            {"s": ids[file], "i": doc_id},
        )
    _fill(
        conn,
        "programme_block",
        "SELECT id, document_id, first_page FROM programme_block ORDER BY document_id, seq",
        docs,
        "b",
    )
    _fill(
        conn,
        "training",
        "SELECT t.id, b.document_id, t.page FROM training t "
        "JOIN programme_block b ON b.id = t.block_id ORDER BY b.document_id, b.seq, t.seq",
        docs,
        "",
    )
    _fill(
        conn,
        "printed_total",
        "SELECT p.id, b.document_id, p.page FROM printed_total p "
        "JOIN programme_block b ON b.id = p.block_id ORDER BY b.document_id, b.seq, p.seq",
        docs,
        "t",
    )
    for table in _TABLES:
        op.create_index(f"ux_{table}_stable_id", table, ["stable_id"], unique=True)
    op.execute("DROP VIEW training_provenance")
    op.execute(_PG_VIEW if conn.dialect.name == "postgresql" else _VIEW)
    op.create_table(
        "data_release",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.String(40), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("fmtr_version", sa.String(20), nullable=False),
        sa.Column("previous_version", sa.String(40)),
        sa.Column("url", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("data_release")
    op.execute("DROP VIEW training_provenance")
    op.execute(_OLD_VIEW)
    for table in _TABLES:
        op.drop_index(f"ux_{table}_stable_id", table_name=table)
        op.drop_column(table, "stable_id")  # SQLite >= 3.35 drops a column in place
