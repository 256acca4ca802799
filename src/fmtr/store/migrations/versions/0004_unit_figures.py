"""Per student-unit key sums for the unit search.

Revision ID: 0004
Revises: 0003

- ``student_unit_figures``: one row per student-unit key with every edition's rows, the counted
  rows' figures and, as JSON, its rows per spelling and per course, its fiscal years and its
  recipients: a unit search reads one row per matching key instead of every training row that
  names it. ``fmtr.store.search.rebuild_search_index`` refills it with each build; the upgrade
  fills it too, so that a database migrated without a new build answers alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# A copy of fmtr.store.search's statements as of this revision (a migration must not change
# when the code does).
_UNIT_ROWS = """
CREATE TEMP TABLE unit_rows AS
SELECT t.student_unit_key AS key, coalesce(t.student_unit, '') AS spelling,
       t.course_title AS course,
       CASE WHEN coalesce(b.country_code, '') = '' THEN '?' ELSE b.country_code END AS country,
       b.fy AS fy, coalesce(b.counted, 0) != 0 AS counted, t.quantity_value AS q,
       t.cost_cents AS c
FROM training t JOIN programme_block b ON b.id = t.block_id
WHERE t.student_unit_key IS NOT NULL
"""
_FILL = """
INSERT INTO student_unit_figures (key, rows, trainees, cost_cents, counted_rows,
    rows_without_quantity, rows_without_cost, variants, courses, years, countries)
WITH s AS (
    SELECT key, count(*) AS rows,
           coalesce(sum(CASE WHEN counted THEN q END), 0) AS trainees,
           coalesce(sum(CASE WHEN counted THEN c END), 0) AS cost_cents,
           sum(counted) AS counted_rows,
           sum(counted AND q IS NULL) AS nq, sum(counted AND c IS NULL) AS nc,
           json_group_array(DISTINCT fy) FILTER (WHERE fy IS NOT NULL) AS years,
           json_group_array(DISTINCT country) AS countries
    FROM unit_rows GROUP BY key),
v AS (SELECT key, json_group_object(spelling, n) AS variants
      FROM (SELECT key, spelling, count(*) AS n FROM unit_rows GROUP BY 1, 2) GROUP BY key),
k AS (SELECT key, json_group_object(course, n) AS courses
      FROM (SELECT key, course, count(*) AS n FROM unit_rows WHERE course != '' GROUP BY 1, 2)
      GROUP BY key)
SELECT s.key, s.rows, s.trainees, s.cost_cents, s.counted_rows, s.nq, s.nc, v.variants,
       coalesce(k.courses, '{}'), s.years, s.countries
FROM s JOIN v ON v.key = s.key LEFT JOIN k ON k.key = s.key
"""


def upgrade() -> None:
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
    if op.get_bind().dialect.name == "postgresql":
        # Nothing to fill: no PostgreSQL database could hold rows before this revision (0003
        # made its first tables there), and the SQL below is SQLite's.
        return
    op.execute("DROP TABLE IF EXISTS temp.unit_rows")
    op.execute(_UNIT_ROWS)
    op.execute(_FILL)
    op.execute("DROP TABLE temp.unit_rows")


def downgrade() -> None:
    op.drop_table("student_unit_figures")
