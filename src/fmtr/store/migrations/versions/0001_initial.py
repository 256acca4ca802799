"""Editions, documents, programme blocks, training rows, printed totals, build runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# One row per training with its provenance: what Datasette users and `fmtr export` see first.
PROVENANCE_VIEW = """
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


def upgrade() -> None:
    op.create_table(
        "edition",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(16), nullable=False, unique=True),
        sa.Column("first_fiscal_year", sa.Integer, nullable=False),
        sa.Column("layout", sa.String(16), nullable=False),
    )
    op.create_table(
        "build_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("fmtr_version", sa.String(20), nullable=False),
        sa.Column("corpus", sa.Text, nullable=False),
        sa.Column("jobs", sa.Integer, nullable=False),
        sa.Column("loaded", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("edition_id", sa.Integer, sa.ForeignKey("edition.id"), nullable=False),
        sa.Column("file", sa.String(200), nullable=False, unique=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("report_page_offset", sa.Integer),
        sa.Column("build_run_id", sa.Integer, sa.ForeignKey("build_run.id")),
        sa.Column("seconds", sa.Float),
    )
    op.create_table(
        "programme_block",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("document.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("heading", sa.Text, nullable=False),
        sa.Column("region", sa.String(60)),
        sa.Column("country", sa.String(120)),
        sa.Column("programme", sa.Text),
        sa.Column("fiscal_year", sa.String(20)),
        sa.Column("department", sa.String(60)),
        sa.Column("first_page", sa.Integer, nullable=False),
        sa.Column("last_page", sa.Integer, nullable=False),
        sa.UniqueConstraint("document_id", "seq"),
    )
    op.create_table(
        "training",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "block_id",
            sa.Integer,
            sa.ForeignKey("programme_block.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("last_page", sa.Integer),
        sa.Column("course_title", sa.Text),
        sa.Column("us_unit", sa.Text),
        sa.Column("student_unit", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("quantity", sa.String(40)),
        sa.Column("cost", sa.String(60)),
        sa.Column("start_date", sa.String(40)),
        sa.Column("end_date", sa.String(40)),
    )
    op.create_index("ix_training_block", "training", ["block_id"])
    op.create_table(
        "printed_total",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "block_id",
            sa.Integer,
            sa.ForeignKey("programme_block.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("quantity", sa.String(40)),
        sa.Column("cost", sa.String(60)),
    )
    op.create_index("ix_printed_total_block", "printed_total", ["block_id"])
    op.create_table(
        "unplaced_line",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("document.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "build_error",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "build_run_id",
            sa.Integer,
            sa.ForeignKey("build_run.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("file", sa.String(200), nullable=False),
        sa.Column("page", sa.Integer),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.execute(PROVENANCE_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW training_provenance")
    for table in (
        "build_error",
        "unplaced_line",
        "printed_total",
        "training",
        "programme_block",
        "document",
        "build_run",
        "edition",
    ):
        op.drop_table(table)
