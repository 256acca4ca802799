"""Full-text search over training cells; precomputed names and figures; indexes for queries.

Revision ID: 0003
Revises: 0002

- ``training_fts``: an FTS5 index over course title, student unit, US unit and location, with
  ``training`` as its external content (the text is not stored twice). Filled by
  ``fmtr.store.search.rebuild_search_index`` after a build; ``search_state`` records which build
  it reflects, so a query can tell a stale index from a current one.
- ``student_unit_name``: each distinct student unit (grouping key), its most printed spelling
  and how many rows name it: the candidates ``fmtr unit`` matches fuzzily, so it never scans
  the training table.
- ``year_figures``: the sums of the counted blocks' rows per recipient, programme and fiscal
  year (trainees, cost in cents, rows, rows without a number): every per-year figure is a small
  sum over it instead of a join over a quarter of a million rows.
- Indexes: blocks by programme/fiscal year and by counted fiscal year; training by student unit
  key and a covering index for summing a block's rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# unicode61 with diacritics removed: "Côte" and "Cote" match alike; the prefix indexes make
# "convers*" cheap.
TRAINING_FTS = """
CREATE VIRTUAL TABLE training_fts USING fts5(
    course_title, student_unit, us_unit, location,
    content='training', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='3'
)
"""


def upgrade() -> None:
    op.execute(TRAINING_FTS)
    op.create_table(
        "search_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("build_run_id", sa.Integer),
        sa.Column("training_rows", sa.Integer, nullable=False),
        sa.Column("rebuilt_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "student_unit_name",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("spelling", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
    )
    op.create_table(
        "year_figures",
        sa.Column("country_code", sa.String(16), primary_key=True),
        sa.Column("programme_code", sa.String(16), primary_key=True),
        sa.Column("fy", sa.Integer, primary_key=True),
        sa.Column("trainees", sa.Integer, nullable=False),
        sa.Column("cost_cents", sa.BigInteger, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("rows_without_quantity", sa.Integer, nullable=False),
        sa.Column("rows_without_cost", sa.Integer, nullable=False),
    )
    op.create_index("ix_year_figures_programme_fy", "year_figures", ["programme_code", "fy"])
    op.create_index(
        "ix_training_block_figures", "training", ["block_id", "quantity_value", "cost_cents"]
    )
    op.create_index("ix_training_student_unit_key", "training", ["student_unit_key"])
    op.create_index("ix_block_programme_fy", "programme_block", ["programme_code", "fy", "counted"])
    op.create_index("ix_block_counted_fy", "programme_block", ["counted", "fy", "document_id"])


def downgrade() -> None:
    op.drop_index("ix_block_counted_fy", "programme_block")
    op.drop_index("ix_block_programme_fy", "programme_block")
    op.drop_index("ix_training_student_unit_key", "training")
    op.drop_index("ix_training_block_figures", "training")
    op.drop_index("ix_year_figures_programme_fy", "year_figures")
    op.drop_table("year_figures")
    op.drop_table("student_unit_name")
    op.drop_table("search_state")
    op.execute("DROP TABLE training_fts")
