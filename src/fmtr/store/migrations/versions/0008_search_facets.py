"""Units within one recipient, courses across recipients, and what a faceted search reads.

Revision ID: 0008_search_facets
Revises: 0007_funding

- ``unit_name`` (+ ``unit_fts``) and ``unit_figures``: a recipient's student units, spelling
  variants grouped within that recipient only, by canonical words (abbreviations written out:
  fmtr.clean.glossary); they replace ``student_unit_name``, ``student_unit_fts`` and
  ``student_unit_figures``, which grouped one spelling across recipients.
- ``course_name`` (+ ``course_fts``) and ``course_figures``: each course title's canonical
  words, and per course (titles with the same canonical words) its spellings and figures.
- ``row_facets``: per training row (its id), what a search counts, sums and filters it by:
  recipient, programme, fiscal year, counted, the US unit's and the location's keys, trainees
  and cost; a search's facets are sums over it, not a join over four tables. ``name_label``:
  the most printed spelling of each US unit and location key, what a facet shows.
- An index of training rows by course key (a course's page reads its rows).

On PostgreSQL ``unit_fts`` and ``course_fts`` are tables of ``tsvector`` (the canonical words as
FTS5 indexes them, written by fmtr.store.fulltext.postgresql) with a GIN index, as 0003 makes
``training_fts``.

fmtr.store.search fills them with each build; the upgrade leaves them empty and marks the
search index stale (``search_state`` emptied): the questions refuse to answer until `fmtr
build` has filled them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_search_facets"
down_revision = "0007_funding"
branch_labels = None
depends_on = None

UNIT_FTS = """
CREATE VIRTUAL TABLE unit_fts USING fts5(
    canonical, content='unit_name', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
)
"""
COURSE_FTS = """
CREATE VIRTUAL TABLE course_fts USING fts5(
    canonical, content='course_name', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
)
"""
# PostgreSQL: a name's words (id: its unit_name or course_name row).
PG_UNIT_FTS = (
    "CREATE TABLE unit_fts (id integer PRIMARY KEY, words tsvector NOT NULL)",
    "CREATE INDEX ix_unit_fts_words ON unit_fts USING gin (words)",
)
PG_COURSE_FTS = (
    "CREATE TABLE course_fts (id integer PRIMARY KEY, words tsvector NOT NULL)",
    "CREATE INDEX ix_course_fts_words ON course_fts USING gin (words)",
)
FIGURES = ("rows", "counted_rows", "trainees", "cost_cents")
MISSING = ("rows_without_quantity", "rows_without_cost")


def _figures() -> list[sa.Column[int]]:
    return [
        sa.Column(name, sa.BigInteger if name == "cost_cents" else sa.Integer, nullable=False)
        for name in (*FIGURES, *MISSING)
    ]


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS student_unit_fts")
    op.drop_table("student_unit_name")
    op.drop_table("student_unit_figures")
    op.create_table(
        "unit_name",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("country_code", sa.String(16), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("canonical", sa.Text, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("spelling", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.UniqueConstraint("country_code", "key"),
    )
    if _postgresql():
        # A unit's canonical words may be longer than a B-tree entry may be on PostgreSQL
        # (2704 bytes: the whole corpus has one of 2808): hash indexes, for equality.
        op.execute("CREATE INDEX ix_unit_name_unit ON unit_name USING hash (unit)")
        op.execute("CREATE INDEX ix_unit_name_canonical ON unit_name USING hash (canonical)")
    else:
        op.create_index("ix_unit_name_unit", "unit_name", ["country_code", "unit", "key"])
        op.create_index("ix_unit_name_canonical", "unit_name", ["canonical", "country_code"])
    for statement in PG_UNIT_FTS if _postgresql() else (UNIT_FTS,):
        op.execute(statement)
    # On PostgreSQL without a primary key over the long text (see above): a hash index.
    op.create_table(
        "unit_figures",
        sa.Column("country_code", sa.String(16), primary_key=not _postgresql()),
        sa.Column("unit", sa.Text, primary_key=not _postgresql()),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("names", sa.Integer, nullable=False),
        *_figures(),
        sa.Column("first_fy", sa.Integer),
        sa.Column("last_fy", sa.Integer),
        sa.Column("variants", sa.Text, nullable=False),
        sa.Column("keys", sa.Text, nullable=False),
        sa.Column("years", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "course_name",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("canonical", sa.Text, nullable=False),
        sa.Column("course", sa.Text, nullable=False),
        sa.Column("spelling", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
    )
    if _postgresql():
        op.execute("CREATE INDEX ix_unit_figures_unit ON unit_figures USING hash (unit)")
        op.execute("CREATE INDEX ix_course_name_course ON course_name USING hash (course)")
    else:
        op.create_index("ix_course_name_course", "course_name", ["course", "key"])
    for statement in PG_COURSE_FTS if _postgresql() else (COURSE_FTS,):
        op.execute(statement)
    op.create_table(
        "course_figures",
        sa.Column("course", sa.Text, primary_key=not _postgresql()),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("names", sa.Integer, nullable=False),
        *_figures(),
        sa.Column("countries", sa.Integer, nullable=False),
        sa.Column("first_fy", sa.Integer),
        sa.Column("last_fy", sa.Integer),
        sa.Column("variants", sa.Text, nullable=False),
        sa.Column("keys", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    if _postgresql():
        op.execute("CREATE INDEX ix_course_figures_course ON course_figures USING hash (course)")
    op.create_table(
        "row_facets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("country_code", sa.String(16), nullable=False),
        sa.Column("programme_code", sa.String(16), nullable=False),
        sa.Column("fy", sa.Integer),
        sa.Column("counted", sa.Integer, nullable=False),
        sa.Column("us_unit_key", sa.Text),
        sa.Column("location_key", sa.Text),
        sa.Column("trainees", sa.Integer),
        sa.Column("cost_cents", sa.BigInteger),
    )
    op.create_index(
        "ix_row_facets_filters", "row_facets", ["country_code", "programme_code", "fy", "counted"]
    )
    op.create_table(
        "name_label",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_training_course_key", "training", ["course_key"])
    op.execute("DELETE FROM search_state")


def downgrade() -> None:
    op.drop_index("ix_training_course_key", "training")
    op.drop_table("name_label")
    op.drop_index("ix_row_facets_filters", "row_facets")
    op.drop_table("row_facets")
    op.drop_table("course_figures")
    op.execute("DROP TABLE course_fts")
    op.drop_index("ix_course_name_course", "course_name")
    op.drop_table("course_name")
    op.drop_table("unit_figures")
    op.execute("DROP TABLE unit_fts")  # its GIN index with it on PostgreSQL
    op.drop_index("ix_unit_name_canonical", "unit_name")
    op.drop_index("ix_unit_name_unit", "unit_name")
    op.drop_table("unit_name")
    # The tables 0003 and 0004 made, empty: the next build fills them (search_state says the
    # index is stale until then).
    op.create_table(
        "student_unit_name",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("spelling", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
    )
    if _postgresql():
        op.execute(
            'CREATE TABLE student_unit_fts (id integer PRIMARY KEY, key text COLLATE "C" '
            "NOT NULL, words tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_student_unit_fts_words ON student_unit_fts USING gin (words)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE student_unit_fts USING fts5(key, content='student_unit_name', "
            "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
        )
    op.create_table(
        "student_unit_figures",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("trainees", sa.Integer, nullable=False),
        sa.Column("cost_cents", sa.BigInteger, nullable=False),
        sa.Column("counted_rows", sa.Integer, nullable=False),
        sa.Column("rows_without_quantity", sa.Integer, nullable=False),
        sa.Column("rows_without_cost", sa.Integer, nullable=False),
        sa.Column("variants", sa.Text, nullable=False),
        sa.Column("courses", sa.Text, nullable=False),
        sa.Column("years", sa.Text, nullable=False),
        sa.Column("countries", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.execute("DELETE FROM search_state")
