"""Small Greenbook-shaped workbooks made in code (openpyxl), good and hostile, with a manifest
so that a build accepts them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fmtr.extract.greenbook import COLUMNS
from fmtr.sources.catalog import read_funding_catalog, sha256_hex_of_file

SHEET = "Economic and Military Aid"
TITLE = (
    "U.S.  Economic and Miliary Assistance Fiscal Years 1946-2020",
    "Obligations (Current $US and Constant 2020 $US)",
    "Source: US Overseas Loans & Grants [Greenbook], https://foreignassistance.gov/reports",
    "Prepared by USAID Data Services on August 9, 2022",
    "tq: the transition quarter",
)
IMET = ("Military", "International Military Education and Training", "Department of State")
IMET_ACCOUNT = "International Military Education and Training"

# (fiscal year, region, country, category, publication row, agency, account, current, constant)
GOOD_ROWS: list[tuple[object, ...]] = [
    (1976, "South and Central Asia", "Pakistan", *IMET, IMET_ACCOUNT, 402000, 1482848),
    (1976.9, "South and Central Asia", "Pakistan", *IMET, IMET_ACCOUNT, 100000, 350000),
    (1977, "South and Central Asia", "Pakistan", *IMET, IMET_ACCOUNT, 310000, 1066391),
    (1979, "South and Central Asia", "Pakistan", *IMET, IMET_ACCOUNT, 464000, 1383423),
    (2003, "South and Central Asia", "Pakistan", *IMET, IMET_ACCOUNT, 990000, 1364576),
    (2003, "Middle East and North Africa", "Jordan", *IMET, IMET_ACCOUNT, 2400000, 3300000),
    (2003, "World", "World (not specified)", *IMET, IMET_ACCOUNT, 5000000, 6800000),
    (2004, "Middle East and North Africa", "Jordan", *IMET, IMET_ACCOUNT, 2900000, 3900000),
    (1995, "Eastern Europe", "Serbia and Montenegro, Former", *IMET, IMET_ACCOUNT, 1, 2),
    (2004, "Eastern Europe", "Serbia and Montenegro, Former", *IMET, IMET_ACCOUNT, 3, 4),
    # One account under two categories in the same year and country: a legitimate repeat of
    # (fiscal year, recipient, account), as the real file has for DoD's accounts.
    (
        1994,
        "Central Asia",
        "Russia",
        "Economic",
        "Department of Defense Non-Military Assistance",
        "Department of Defense",
        "Cooperative Threat Reduction Account, Defense",
        138721453,
        224395751,
    ),
    (
        1994,
        "Central Asia",
        "Russia",
        "Military",
        "Cooperative Threat Reduction",
        "Department of Defense",
        "Cooperative Threat Reduction Account, Defense",
        118404178,
        191530537,
    ),
    (2005, "Middle East and North Africa", "Jordan", *IMET, IMET_ACCOUNT, -300000, -380000),
]


def write_workbook(
    path: Path,
    rows: Sequence[Sequence[object]] = GOOD_ROWS,
    *,
    header: Sequence[str] = COLUMNS,
    title: Sequence[str] = TITLE,
    blank_rows_before: int = 0,
    sheet: str = SHEET,
) -> Path:
    """A workbook laid out like the Greenbook: title lines, a blank row, the header, the rows."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for _ in range(blank_rows_before):
        ws.append([])
    for line in title:
        ws.append([line])
    ws.append([])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def funding_folder(
    folder: Path, rows: Sequence[Sequence[object]] = GOOD_ROWS, **kw: object
) -> Path:
    """A funding folder holding a made workbook under the catalog's file name, and a manifest
    (funding.tsv) with its sha256, so that a build accepts it."""
    dataset = read_funding_catalog()[0]
    path = write_workbook(folder / dataset.file, rows, **kw)  # type: ignore[arg-type]
    write_manifest(folder)
    return path


def write_manifest(folder: Path) -> None:
    dataset = read_funding_catalog()[0]
    digest = sha256_hex_of_file(folder / dataset.file)
    (folder / "funding.tsv").write_text(
        "dataset\tfile\tsheet\tofficial_url\thome\tnote\tbytes\tsha256\n"
        f"{dataset.dataset}\t{dataset.file}\t{dataset.sheet}\thttps://example.invalid/x.xlsx\t"
        f"https://example.invalid/\tmade in a test\t\t{digest}\n",
        "utf-8",
    )
