"""The database schema (SQLAlchemy 2 declarative models).

Raw cells are stored verbatim; provenance runs training -> programme_block -> document -> edition.
The schema is created and changed only by Alembic migrations (``fmtr/store/migrations``); these
models are their mirror, checked against them in the tests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in UTC: written from a timezone-aware datetime (a naive one is refused: its
    zone is unknown), stored as the column's plain DATETIME in UTC, read back aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime has no zone: {value!r} (give it one, e.g. UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc_text(moment: datetime) -> str:
    """``moment`` as UtcDateTime stores it, for statements written in SQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class Base(DeclarativeBase):
    pass


class Edition(Base):
    """One annual report, e.g. FY2016-2017."""

    __tablename__ = "edition"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(16), unique=True)  # "FY2016-2017"
    first_fiscal_year: Mapped[int]
    layout: Mapped[str] = mapped_column(String(16))  # extractor family
    # Stable identifiers (fmtr.sources.ids, migration 0006): "2016". Nullable only because a
    # column added to a table holding rows must be; every load fills it.
    stable_id: Mapped[str | None] = mapped_column(String(16))
    __table_args__ = (Index("ux_edition_stable_id", "stable_id", unique=True),)


class Document(Base):
    """One file of an edition, as loaded."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    file: Mapped[str] = mapped_column(String(200), unique=True)  # relative to the corpus
    sha256: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    pages: Mapped[int]
    # Official report page = PDF page + offset, for files cut out of a larger report.
    report_page_offset: Mapped[int | None]
    build_run_id: Mapped[int | None] = mapped_column(ForeignKey("build_run.id"))
    seconds: Mapped[float | None] = mapped_column(Float)
    stable_id: Mapped[str | None] = mapped_column(String(120))  # "2016-africa"
    __table_args__ = (Index("ux_document_stable_id", "stable_id", unique=True),)


class ProgrammeBlock(Base):
    """Everything printed under one programme heading of one country and fiscal year."""

    __tablename__ = "programme_block"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    seq: Mapped[int]  # order in the document
    heading: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(60))
    country: Mapped[str | None] = mapped_column(String(120))
    programme: Mapped[str | None] = mapped_column(Text)
    fiscal_year: Mapped[str | None] = mapped_column(String(20))  # as printed: "FY 01", "2016"
    department: Mapped[str | None] = mapped_column(String(60))
    first_page: Mapped[int]
    last_page: Mapped[int]
    # Cleaned (fmtr.clean): ISO 3166 / fmtr codes, canonical programme, fiscal year as a number.
    country_code: Mapped[str | None] = mapped_column(String(16))
    programme_code: Mapped[str | None] = mapped_column(String(16))
    programme_variant: Mapped[str | None] = mapped_column(String(40))
    fy: Mapped[int | None]
    # True when these figures count for fiscal year ``fy``: the latest edition printing a
    # fiscal year is its record (FY 00 and FY 01 appear in two editions each).
    counted: Mapped[bool | None]
    stable_id: Mapped[str | None] = mapped_column(String(160))  # "2016-africa-p49-b2"
    __table_args__ = (
        Index("ux_programme_block_stable_id", "stable_id", unique=True),
        UniqueConstraint("document_id", "seq"),
        Index("ix_block_country_programme_fy", "country_code", "programme_code", "fy"),
        Index("ix_block_programme_fy", "programme_code", "fy", "counted"),
        Index("ix_block_counted_fy", "counted", "fy", "document_id"),
    )


class Training(Base):
    """One training line of a report, cells verbatim."""

    __tablename__ = "training"
    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("programme_block.id", ondelete="CASCADE"))
    seq: Mapped[int]  # order within the block
    page: Mapped[int]  # PDF page of the row's own line (1 for HTML)
    last_page: Mapped[int | None]  # when the row continues on a later page
    course_title: Mapped[str | None] = mapped_column(Text)
    us_unit: Mapped[str | None] = mapped_column(Text)
    student_unit: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[str | None] = mapped_column(String(40))
    cost: Mapped[str | None] = mapped_column(String(60))
    start_date: Mapped[str | None] = mapped_column(String(40))
    end_date: Mapped[str | None] = mapped_column(String(40))
    # Cleaned values (NULL when the cell gives none; ``flags`` says why).
    quantity_value: Mapped[int | None]
    cost_cents: Mapped[int | None] = mapped_column(BigInteger)
    start_on: Mapped[str | None] = mapped_column(String(10))
    end_on: Mapped[str | None] = mapped_column(String(10))
    flags: Mapped[str | None] = mapped_column(Text)
    course_key: Mapped[str | None] = mapped_column(Text)
    location_key: Mapped[str | None] = mapped_column(Text)
    student_unit_key: Mapped[str | None] = mapped_column(Text)
    us_unit_key: Mapped[str | None] = mapped_column(Text)
    stable_id: Mapped[str | None] = mapped_column(String(160))  # "2016-africa-p50-3"
    __table_args__ = (
        Index("ux_training_stable_id", "stable_id", unique=True),
        Index("ix_training_block", "block_id"),
        Index("ix_training_block_figures", "block_id", "quantity_value", "cost_cents"),
        Index("ix_training_student_unit_key", "student_unit_key"),
        Index("ix_training_course_key", "course_key"),
    )


class PrintedTotal(Base):
    """A total line the report prints itself (fiscal year, programme or country)."""

    __tablename__ = "printed_total"
    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("programme_block.id", ondelete="CASCADE"))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(Text)
    page: Mapped[int]
    quantity: Mapped[str | None] = mapped_column(String(40))
    cost: Mapped[str | None] = mapped_column(String(60))
    quantity_value: Mapped[int | None]
    cost_cents: Mapped[int | None] = mapped_column(BigInteger)
    # The proof: fmtr.verify's verdict on this total and the rows' sums it was compared with.
    status: Mapped[str | None] = mapped_column(String(16))
    rows_quantity: Mapped[int | None]
    rows_cost_cents: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str | None] = mapped_column(Text)
    stable_id: Mapped[str | None] = mapped_column(String(160))  # "2016-africa-p50-t1"
    __table_args__ = (
        Index("ux_printed_total_stable_id", "stable_id", unique=True),
        Index("ix_printed_total_block", "block_id"),
    )


class Country(Base):
    """A country or other recipient code (fmtr.clean.countries)."""

    __tablename__ = "country"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))


class Programme(Base):
    """A canonical programme (fmtr/clean/programmes.tsv)."""

    __tablename__ = "programme"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    family: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(String(40))
    authority: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)


class UnplacedLine(Base):
    """A line an extractor saw but could not place: kept so that nothing is lost silently."""

    __tablename__ = "unplaced_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    page: Mapped[int]
    text: Mapped[str] = mapped_column(Text)


class DataRelease(Base):
    """What release a database is (``fmtr release`` writes one row in the copy it publishes; a
    working database has none): the version to cite, and the release it follows."""

    __tablename__ = "data_release"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)  # "2025.06.01"
    created_at: Mapped[datetime]
    fmtr_version: Mapped[str] = mapped_column(String(20))
    previous_version: Mapped[str | None] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(Text)  # where it is published, when given


class BuildRun(Base):
    """One `fmtr build`: when, on what, with what outcome."""

    __tablename__ = "build_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    fmtr_version: Mapped[str] = mapped_column(String(20))
    # What it was built from: "manifest.tsv sha256:<hex>" (fmtr.sources.corpus.corpus_identity),
    # never a local path.
    corpus: Mapped[str] = mapped_column(Text)
    jobs: Mapped[int] = mapped_column(Integer)
    loaded: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class BuildError(Base):
    """A document a build could not load, with the one-line reason."""

    __tablename__ = "build_error"
    id: Mapped[int] = mapped_column(primary_key=True)
    build_run_id: Mapped[int] = mapped_column(ForeignKey("build_run.id", ondelete="CASCADE"))
    file: Mapped[str] = mapped_column(String(200))
    page: Mapped[int | None]
    message: Mapped[str] = mapped_column(Text)


# Mirrors of the tables migration 0003 adds for search and precomputed figures
# (fmtr.store.search fills them after each build).


class SearchState(Base):
    """Which build the search index and precomputed figures reflect (fmtr.store.search)."""

    __tablename__ = "search_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    build_run_id: Mapped[int | None]
    training_rows: Mapped[int]
    rebuilt_at: Mapped[datetime] = mapped_column(UtcDateTime)


class YearFigures(Base):
    """Counted rows' sums per recipient, fiscal year and programme."""

    __tablename__ = "year_figures"
    country_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    fy: Mapped[int] = mapped_column(primary_key=True)
    programme_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    trainees: Mapped[int]
    cost_cents: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int]
    rows_without_quantity: Mapped[int]
    rows_without_cost: Mapped[int]
    __table_args__ = (
        Index(
            "ix_year_figures_programme",
            "programme_code",
            "fy",
            "country_code",
            "trainees",
            "cost_cents",
            "rows",
            "rows_without_quantity",
            "rows_without_cost",
        ),
        {"sqlite_with_rowid": False},
    )


class NameFigures(Base):
    """Counted rows' sums per recipient and course / US unit / location / student unit key."""

    __tablename__ = "name_figures"
    country_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    spelling: Mapped[str] = mapped_column(Text)
    spellings: Mapped[int]
    first_fy: Mapped[int]
    last_fy: Mapped[int]
    trainees: Mapped[int]
    cost_cents: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int]
    rows_without_quantity: Mapped[int]
    rows_without_cost: Mapped[int]
    __table_args__ = (
        Index("ix_name_figures_rank", "country_code", "kind", "rows"),
        {"sqlite_with_rowid": False},
    )


class UnitName(Base):
    """A recipient's student-unit key: its canonical words, most printed spelling, rows (every
    edition) and the unit it belongs to (fmtr.store.names). ``unit_fts`` indexes ``canonical``."""

    __tablename__ = "unit_name"
    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(Text)
    canonical: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text)
    spelling: Mapped[str] = mapped_column(Text)
    rows: Mapped[int]
    __table_args__ = (
        UniqueConstraint("country_code", "key"),
        Index("ix_unit_name_unit", "country_code", "unit", "key"),
        Index("ix_unit_name_canonical", "canonical", "country_code"),
    )


class UnitFigures(Base):
    """Per recipient's unit: its name, spellings (JSON: spelling -> rows), keys and years
    (JSON lists), every edition's rows and the counted rows' figures."""

    __tablename__ = "unit_figures"
    country_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    unit: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    names: Mapped[int]
    rows: Mapped[int]
    counted_rows: Mapped[int]
    trainees: Mapped[int]
    cost_cents: Mapped[int] = mapped_column(BigInteger)
    rows_without_quantity: Mapped[int]
    rows_without_cost: Mapped[int]
    first_fy: Mapped[int | None]
    last_fy: Mapped[int | None]
    variants: Mapped[str] = mapped_column(Text)
    keys: Mapped[str] = mapped_column(Text)
    years: Mapped[str] = mapped_column(Text)
    __table_args__ = ({"sqlite_with_rowid": False},)


class CourseName(Base):
    """A course key: its canonical words, the course it belongs to (the same canonical words),
    most printed spelling and rows. ``course_fts`` indexes ``canonical``."""

    __tablename__ = "course_name"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    canonical: Mapped[str] = mapped_column(Text)
    course: Mapped[str] = mapped_column(Text)
    spelling: Mapped[str] = mapped_column(Text)
    rows: Mapped[int]
    __table_args__ = (Index("ix_course_name_course", "course", "key"),)


class CourseFigures(Base):
    """Per course: its name, spellings, keys, recipients, years, rows and counted figures."""

    __tablename__ = "course_figures"
    course: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    names: Mapped[int]
    rows: Mapped[int]
    counted_rows: Mapped[int]
    trainees: Mapped[int]
    cost_cents: Mapped[int] = mapped_column(BigInteger)
    rows_without_quantity: Mapped[int]
    rows_without_cost: Mapped[int]
    countries: Mapped[int]
    first_fy: Mapped[int | None]
    last_fy: Mapped[int | None]
    variants: Mapped[str] = mapped_column(Text)
    keys: Mapped[str] = mapped_column(Text)
    __table_args__ = ({"sqlite_with_rowid": False},)


class RowFacets(Base):
    """Per training row (``id``), what a search counts, sums and filters it by."""

    __tablename__ = "row_facets"
    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(String(16))
    programme_code: Mapped[str] = mapped_column(String(16))
    fy: Mapped[int | None]
    counted: Mapped[int]
    us_unit_key: Mapped[str | None] = mapped_column(Text)
    location_key: Mapped[str | None] = mapped_column(Text)
    trainees: Mapped[int | None]
    cost_cents: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (
        Index("ix_row_facets_filters", "country_code", "programme_code", "fy", "counted"),
    )


class NameLabel(Base):
    """The most printed spelling of a US unit or location key (``kind``): a facet's label."""

    __tablename__ = "name_label"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    __table_args__ = ({"sqlite_with_rowid": False},)


# Mirrors of the tables migration 0007_funding adds: the Greenbook's obligations
# (fmtr.store.funding loads them, fmtr.clean.funding says what each value means).


class FundingFile(Base):
    """The loaded funding workbook, one row per dataset ("greenbook")."""

    __tablename__ = "funding_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset: Mapped[str] = mapped_column(String(32), unique=True)
    file: Mapped[str] = mapped_column(String(200))  # relative to the funding folder
    sha256: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    home: Mapped[str] = mapped_column(Text)
    sheet: Mapped[str] = mapped_column(String(100))
    header_row: Mapped[int]
    first_fy: Mapped[int]  # the span the title prints
    last_fy: Mapped[int]
    prepared: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int]
    build_run_id: Mapped[int | None] = mapped_column(ForeignKey("build_run.id"))
    seconds: Mapped[float | None] = mapped_column(Float)


class FundingObligation(Base):
    """One Greenbook row: an obligation per fiscal year, recipient, category, publication row,
    agency and account, cells as printed beside the cleaned values."""

    __tablename__ = "funding_obligation"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("funding_file.id", ondelete="CASCADE"))
    row: Mapped[int]  # the sheet row, as a spreadsheet numbers it
    fiscal_year: Mapped[str] = mapped_column(String(8))  # as given: "2003", "1976.9"
    fy: Mapped[int | None]  # None for the transition quarter
    period: Mapped[str] = mapped_column(String(8))  # "FY2003", "TQ1976"
    region: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(120))
    country_code: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))  # Economic | Military
    publication_row: Mapped[str] = mapped_column(Text)
    agency: Mapped[str] = mapped_column(Text)
    account: Mapped[str] = mapped_column(Text)
    programme_code: Mapped[str | None] = mapped_column(String(16))
    current_dollars: Mapped[int] = mapped_column(BigInteger)
    constant_dollars: Mapped[int] = mapped_column(BigInteger)  # constant 2020 US dollars
    __table_args__ = (
        UniqueConstraint("file_id", "row"),
        Index(
            "ix_funding_programme",
            "programme_code",
            "fy",
            "country_code",
            "current_dollars",
            "constant_dollars",
        ),
        Index(
            "ix_funding_account",
            "account",
            "fy",
            "country_code",
            "current_dollars",
            "constant_dollars",
        ),  # fmt: skip
        Index("ix_funding_country", "country_code", "fy"),
    )


class FundingAccount(Base):
    """A funding account of the workbook and, when it is one, fmtr's programme
    (fmtr/clean/funding_accounts.tsv)."""

    __tablename__ = "funding_account"
    account: Mapped[str] = mapped_column(Text, primary_key=True)
    programme_code: Mapped[str | None] = mapped_column(String(16))
    pays_for: Mapped[str] = mapped_column(Text)  # programme codes, space-separated
    why: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int]
