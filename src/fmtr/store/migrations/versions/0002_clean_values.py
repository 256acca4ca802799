"""Clean values beside the verbatim cells; country and programme tables; proof per total.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BLOCK: list[sa.Column[Any]] = [
    sa.Column("country_code", sa.String(16)),
    sa.Column("programme_code", sa.String(16)),
    sa.Column("programme_variant", sa.String(40)),
    sa.Column("fy", sa.Integer),
    # Whether this block's figures count for its fiscal year: FY 00 and FY 01 are each printed
    # by two editions; the later edition's figures count (see docs/definitions.md).
    sa.Column("counted", sa.Boolean),
]
_TRAINING: list[sa.Column[Any]] = [
    sa.Column("quantity_value", sa.Integer),
    sa.Column("cost_cents", sa.BigInteger),
    sa.Column("start_on", sa.String(10)),
    sa.Column("end_on", sa.String(10)),
    sa.Column("flags", sa.Text),
    sa.Column("course_key", sa.Text),
    sa.Column("location_key", sa.Text),
    sa.Column("student_unit_key", sa.Text),
    sa.Column("us_unit_key", sa.Text),
]
_TOTAL: list[sa.Column[Any]] = [
    sa.Column("quantity_value", sa.Integer),
    sa.Column("cost_cents", sa.BigInteger),
    sa.Column("status", sa.String(16)),
    sa.Column("rows_quantity", sa.Integer),
    sa.Column("rows_cost_cents", sa.BigInteger),
    sa.Column("detail", sa.Text),
]


def upgrade() -> None:
    op.create_table(
        "country",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_table(
        "programme",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("family", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("department", sa.String(40), nullable=False),
        sa.Column("authority", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
    )
    with op.batch_alter_table("programme_block") as batch:
        for col in _BLOCK:
            batch.add_column(col)
        batch.create_index(
            "ix_block_country_programme_fy", ["country_code", "programme_code", "fy"]
        )
    with op.batch_alter_table("training") as batch:
        for col in _TRAINING:
            batch.add_column(col)
    with op.batch_alter_table("printed_total") as batch:
        for col in _TOTAL:
            batch.add_column(col)


def downgrade() -> None:
    with op.batch_alter_table("printed_total") as batch:
        for col in _TOTAL:
            batch.drop_column(col.name)
    with op.batch_alter_table("training") as batch:
        for col in _TRAINING:
            batch.drop_column(col.name)
    with op.batch_alter_table("programme_block") as batch:
        batch.drop_index("ix_block_country_programme_fy")
        for col in _BLOCK:
            batch.drop_column(col.name)
    op.drop_table("programme")
    op.drop_table("country")
