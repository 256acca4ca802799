"""The Greenbook's obligations beside the training (issue 14).

Revision ID: 0007_funding
Revises: 0006_stable_ids

- ``funding_file``: the loaded funding workbook (one row per dataset): file, sha256, official
  URL and home, sheet, header row, the span of fiscal years and preparation line its title
  prints, the rows loaded, and the build that loaded it.
- ``funding_obligation``: one row per Greenbook row, with its sheet row (provenance), the cells
  as printed (fiscal year, region, country, category, publication row, agency, account) and
  the cleaned values (fmtr.clean.funding): ``fy`` (NULL for the transition quarter) and
  ``period`` ("FY2003", "TQ1976"), the recipient's country code, the programme code where the
  account is one of fmtr's programmes, and the obligations in whole current and constant 2020
  dollars.
- ``funding_account``: each account of the workbook, the programme it is (if any), the
  programmes whose courses it pays for, and why (fmtr/clean/funding_accounts.tsv).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_funding"
down_revision = "0006_stable_ids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "funding_file",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset", sa.String(32), nullable=False, unique=True),
        sa.Column("file", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("home", sa.Text, nullable=False),
        sa.Column("sheet", sa.String(100), nullable=False),
        sa.Column("header_row", sa.Integer, nullable=False),
        sa.Column("first_fy", sa.Integer, nullable=False),
        sa.Column("last_fy", sa.Integer, nullable=False),
        sa.Column("prepared", sa.Text),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("build_run_id", sa.Integer, sa.ForeignKey("build_run.id")),
        sa.Column("seconds", sa.Float),
    )
    op.create_table(
        "funding_obligation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "file_id",
            sa.Integer,
            sa.ForeignKey("funding_file.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("fiscal_year", sa.String(8), nullable=False),
        sa.Column("fy", sa.Integer),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("region", sa.String(80), nullable=False),
        sa.Column("country", sa.String(120), nullable=False),
        sa.Column("country_code", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("publication_row", sa.Text, nullable=False),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("programme_code", sa.String(16)),
        sa.Column("current_dollars", sa.BigInteger, nullable=False),
        sa.Column("constant_dollars", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("file_id", "row"),
    )
    op.create_index(
        "ix_funding_programme",
        "funding_obligation",
        ["programme_code", "fy", "country_code", "current_dollars", "constant_dollars"],
    )
    op.create_index(
        "ix_funding_account",
        "funding_obligation",
        ["account", "fy", "country_code", "current_dollars", "constant_dollars"],
    )
    op.create_index("ix_funding_country", "funding_obligation", ["country_code", "fy"])
    op.create_table(
        "funding_account",
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("programme_code", sa.String(16)),
        sa.Column("pays_for", sa.Text, nullable=False),
        sa.Column("why", sa.Text),
        sa.Column("rows", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("funding_account")
    op.drop_index("ix_funding_country", "funding_obligation")
    op.drop_index("ix_funding_account", "funding_obligation")
    op.drop_index("ix_funding_programme", "funding_obligation")
    op.drop_table("funding_obligation")
    op.drop_table("funding_file")
