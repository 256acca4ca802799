"""Loading the Greenbook's cleaned obligations (fmtr.clean.funding) into the database, all or
nothing: the caller's transaction replaces the dataset's previous rows by the new ones."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from fmtr.clean.funding import CleanFunding, account_mappings
from fmtr.sources.catalog import FundingDataset
from fmtr.store import schema as s


@dataclass(frozen=True)
class LoadedFunding:
    dataset: str
    file: str
    sha256: str
    rows: int


def loaded_funding(conn: Connection) -> dict[str, str]:
    """dataset -> sha256 of every funding file already in the database."""
    return dict(conn.execute(select(s.FundingFile.dataset, s.FundingFile.sha256)).all())


_COLUMNS = (
    "file_id", "row", "fiscal_year", "fy", "period", "region", "country", "country_code",
    "category", "publication_row", "agency", "account", "programme_code", "current_dollars",
    "constant_dollars",
)  # fmt: skip


def replace_funding(
    conn: Connection,
    dataset: FundingDataset,
    clean: CleanFunding,
    *,
    header_row: int,
    sha256: str,
    build_run_id: int | None,
    seconds: float | None,
) -> LoadedFunding:
    """Replace whatever the database holds for ``dataset`` by ``clean``'s obligations (and the
    account table by this workbook's accounts). Every row must have a country code: the
    pipeline loads nothing while a name is unmapped."""
    if clean.unmapped_countries:
        raise ValueError(f"recipients without a code: {sorted(clean.unmapped_countries)}")
    old = conn.execute(
        select(s.FundingFile.id).where(s.FundingFile.dataset == dataset.dataset)
    ).scalar()
    if old is not None:
        conn.execute(delete(s.FundingObligation).where(s.FundingObligation.file_id == old))
        conn.execute(delete(s.FundingFile).where(s.FundingFile.id == old))
    file_id = conn.execute(
        insert(s.FundingFile).values(
            dataset=dataset.dataset,
            file=dataset.file,
            sha256=sha256,
            url=dataset.url,
            home=dataset.home,
            sheet=clean.sheet,
            header_row=header_row,
            first_fy=clean.first_fy,
            last_fy=clean.last_fy,
            prepared=clean.prepared,
            rows=len(clean.obligations),
            build_run_id=build_run_id,
            seconds=seconds,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    rows = [
        (
            file_id,
            o.row,
            o.period.fiscal_year,
            o.period.fy,
            o.period.label,
            o.region,
            o.country,
            o.country_code,
            o.category,
            o.publication_row,
            o.agency,
            o.account,
            o.programme_code,
            o.current_dollars,
            o.constant_dollars,
        )
        for o in clean.obligations
    ]
    # The query indexes are made once after the rows are in (cheaper than row by row), on a
    # SQLite database being built aside. Not on PostgreSQL, built in place: dropping an index
    # locks the table against every reader until the build commits.
    indexes = (
        list(s.FundingObligation.__table__.indexes)  # type: ignore[attr-defined]
        if conn.dialect.name == "sqlite"
        else []
    )
    for index in indexes:
        index.drop(conn, checkfirst=True)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    # executemany on the driver, rows as tuples (as fmtr.store.load does for training rows).
    conn.exec_driver_sql(
        f"INSERT INTO funding_obligation ({', '.join(_COLUMNS)}) "
        f"VALUES ({', '.join([mark] * len(_COLUMNS))})",
        rows,
    )
    for index in indexes:
        index.create(conn)
    per_account = Counter(o.account for o in clean.obligations)
    mappings = account_mappings()
    conn.execute(delete(s.FundingAccount))
    conn.execute(
        insert(s.FundingAccount),
        [
            {
                "account": account,
                "programme_code": m.programme if (m := mappings.get(account)) else None,
                "pays_for": " ".join(m.pays_for) if m else "",
                "why": m.why if m else None,
                "rows": n,
            }
            for account, n in sorted(per_account.items())
        ],
    )
    return LoadedFunding(dataset.dataset, dataset.file, sha256, len(rows))
