"""Full-text search over training cells; precomputed names and figures; indexes for queries.

Revision ID: 0003
Revises: 0002

- ``training_fts``: an FTS5 index over course title, student unit, US unit and location, with
  ``training`` as its external content (the text is not stored twice). Filled by
  ``fmtr.store.search.rebuild_search_index`` after a build; ``search_state`` records which build
  it reflects, so a query can tell a stale index from a current one.
- ``student_unit_name``: each distinct student unit (grouping key), its most printed spelling
  and how many rows name it: the candidates ``fmtr unit`` matches fuzzily, so it never scans
  the training table; ``student_unit_fts`` indexes their words.
- ``year_figures``: the sums of the counted blocks' rows per recipient, programme and fiscal
  year (trainees, cost in cents, rows, rows without a number): every per-year figure is a small
  sum over it instead of a join over a quarter of a million rows.
- ``name_figures``: the same sums per recipient and course, US unit, location or student unit
  (grouping key, most printed spelling, first and last fiscal year): a country's profile.
- Indexes: blocks by programme/fiscal year and by counted fiscal year; training by student unit
  key and a covering index for summing a block's rows.

On PostgreSQL the two full-text indexes are tables of ``tsvector`` with a GIN index, filled by
fmtr.store.fulltext.postgresql with the words FTS5 would index (fmtr's own tokenizer), so that
both databases match and rank alike (docs/postgresql.md says why);
``training_fts_stats`` keeps the row and token counts BM25 ranks by, which FTS5 keeps itself.
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

# The distinct student units, tokenised: `fmtr unit` finds candidates here (by words close to
# the query's) before scoring them, rather than scoring every unit ever printed.
STUDENT_UNIT_FTS = """
CREATE VIRTUAL TABLE student_unit_fts USING fts5(
    key, content='student_unit_name', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
)
"""

# PostgreSQL: the index of a training row (its words, each at its position and with its column
# as the weight: course title A, student unit B, US unit C, location D) and its size in words;
# one row per training row, gone with it.
PG_TRAINING_FTS = (
    """
CREATE TABLE training_fts (
    id integer PRIMARY KEY REFERENCES training (id) ON DELETE CASCADE,
    words tsvector NOT NULL,
    tokens integer NOT NULL
)
""",
    "CREATE INDEX ix_training_fts_words ON training_fts USING gin (words)",
    "CREATE TABLE training_fts_stats (id integer PRIMARY KEY, rows bigint NOT NULL, "
    "tokens bigint NOT NULL)",
)
PG_STUDENT_UNIT_FTS = (
    """
CREATE TABLE student_unit_fts (
    id integer PRIMARY KEY, key text COLLATE "C" NOT NULL, words tsvector NOT NULL
)
""",
    "CREATE INDEX ix_student_unit_fts_words ON student_unit_fts USING gin (words)",
)

FIGURES = ("trainees", "cost_cents", "rows", "rows_without_quantity", "rows_without_cost")


def _figures() -> list[sa.Column[int]]:
    return [
        sa.Column(name, sa.BigInteger if name == "cost_cents" else sa.Integer, nullable=False)
        for name in FIGURES
    ]


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    for statement in PG_TRAINING_FTS if _postgresql() else (TRAINING_FTS,):
        op.execute(statement)
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
    for statement in PG_STUDENT_UNIT_FTS if _postgresql() else (STUDENT_UNIT_FTS,):
        op.execute(statement)
    # WITHOUT ROWID, keyed recipient-first: a span's figures per recipient and year are read in
    # key order, with no sort; the covering index serves a single programme.
    op.create_table(
        "year_figures",
        sa.Column("country_code", sa.String(16), primary_key=True),
        sa.Column("fy", sa.Integer, primary_key=True),
        sa.Column("programme_code", sa.String(16), primary_key=True),
        *_figures(),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_year_figures_programme",
        "year_figures",
        ["programme_code", "fy", "country_code", *FIGURES],
    )
    op.create_table(
        "name_figures",
        sa.Column("country_code", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("spelling", sa.Text, nullable=False),
        sa.Column("spellings", sa.Integer, nullable=False),
        sa.Column("first_fy", sa.Integer, nullable=False),
        sa.Column("last_fy", sa.Integer, nullable=False),
        *_figures(),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_name_figures_rank", "name_figures", ["country_code", "kind", "rows"])
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
    op.drop_index("ix_name_figures_rank", "name_figures")
    op.drop_table("name_figures")
    op.drop_index("ix_year_figures_programme", "year_figures")
    op.drop_table("year_figures")
    op.execute("DROP TABLE student_unit_fts")
    op.drop_table("student_unit_name")
    op.drop_table("search_state")
    if _postgresql():
        op.execute("DROP TABLE training_fts_stats")
    op.execute("DROP TABLE training_fts")
