"""A small fmtr database written by code: no corpus needed, built in well under a second.

The documents below are extraction objects (``DocumentExtract``) made by hand, loaded through
the build's own functions (``clean_document``, ``store.load.replace_document``, the
reconciliation, ``mark_counted_blocks``, ``rebuild_search_index``), so the query, CLI and web
tests that need no real page run anywhere. What the data holds, and why:

- Nine editions of four layout families; FY2000 is printed by FY1999-2000 and FY2000-2001,
  FY2001 by FY2000-2001 and FY2001-2002 (only the later edition counts); FY2003-FY2005 and
  FY2007-FY2016 are covered by no edition (``not covered``).
- Colombia's IMET: FY1999-FY2001, none in FY2002 (a gap), then FY2006.
- Pakistan: FMF in FY1999, IMET from FY2002, and IMET rows dated across the 2018 suspension of
  the packaged events registry (one begun in 2017, one inside it).
- Spelling variants of one student unit ("Colombian Army" three ways), units alike in name
  ("Escuela Militar de Cadetes", "...Cadets"), a dozen "Army" units, courses and locations
  the tests search for ("Command and General Staff", "Fort Benning").
- Two hostile student-unit names, stored as data.
- A printed total per block that has one, equal to its rows' sums (the database verifies), and
  a cost cell that is no amount (kept verbatim, flagged, summed as nothing).
- A small Greenbook (``GREENBOOK``: the sheet as the reader gives it, cleaned and stored by the
  build's own ``clean_greenbook`` and ``replace_funding``): IMET obligations from FY1975
  (Jordan), Pakistan's in FY1976, the transition quarter (TQ1976) and FY1977, a gap in FY1978,
  none from FY1980 to FY2001, then FY2002, FY2006, FY2017, FY2018 and FY2020 (FY2019 a gap);
  Colombia's and Jordan's beside their courses, a de-obligation (Jordan FY2007), Türkiye with
  obligations and no course listed, a group that is no country ("World (not specified)"), an
  FMF and an economic account, and an account that is no programme.

``python tests/fixture_db.py PATH`` writes it to PATH (a file, or an empty database's URL).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from fmtr import __version__
from fmtr.clean.document import clean_document
from fmtr.clean.funding import clean_greenbook
from fmtr.clean.money import parse_cost
from fmtr.clean.quantity import parse_quantity
from fmtr.extract import family_of
from fmtr.extract.greenbook import COLUMNS, GreenbookSheet
from fmtr.extract.model import (
    FISCAL_YEAR,
    DocumentExtract,
    PrintedTotal,
    ProgrammeBlock,
    TrainingRow,
)
from fmtr.sources.catalog import CatalogEntry, Document, read_funding_catalog
from fmtr.store import schema as s
from fmtr.store.db import open_database
from fmtr.store.funding import replace_funding
from fmtr.store.load import (
    mark_counted_blocks,
    replace_document,
    save_reference_tables,
    save_verdicts,
)
from fmtr.store.search import rebuild_search_index
from fmtr.verify.reconcile import verify_documents

HOSTILE = ["<script>alert(1)</script>", "'; DROP TABLE training; --"]

# A row: course, US unit, student unit, location, quantity, cost, start, end (as printed).
Row = tuple[str, str, str, str, str, str, str, str]

INFANTRY = "US Army Infantry School"
CGSC = "Command & General Staff College"
NPS = "Naval Postgraduate School"
DLI = "Defense Language Institute"
BENNING = "Fort Benning, GA, US"
LEAVENWORTH = "Fort Leavenworth, KS, US"
LACKLAND = "Lackland AFB, TX, US"


@dataclass
class Block:
    country: str
    programme: str
    fiscal_year: str  # as the heading prints it: "FY 99", "2018"
    rows: list[Row]
    total: bool = True  # a printed fiscal-year total follows the rows
    region: str = "Western Hemisphere"


@dataclass
class Doc:
    edition: str
    file: str
    blocks: list[Block]
    note: str = ""
    unplaced: list[tuple[int, str]] = field(default_factory=list)


def _army_units(country: str, fy: str) -> list[Row]:
    """A dozen units named "... Army ..." for the unit search's ranking."""
    names = [
        "Army Aviation Command",
        "Army Engineer Battalion",
        "Army Signal Brigade",
        "Army Medical Corps",
        "Army Special Operations Command",
        "Army Logistics Command",
        "Army Military Police",
        "Army War College",
        "Army Infantry School",
        "Army Artillery School",
        "Army Armour School",
        "Army Intelligence School",
    ]
    return [
        ("Basic Officer Leader Course", INFANTRY, f"{country} {name}", BENNING, "1",
         f"${10_000 + 37 * i:,}", f"10/{i + 1}/{fy}", f"12/{i + 1}/{fy}")
        for i, name in enumerate(names)
    ]  # fmt: skip


DOCS: list[Doc] = [
    Doc(
        "FY1999-2000",
        "FY1999-2000/fixture_western_hemisphere.html",
        [
            Block("Colombia", "IMET", "FY 99", [
                ("Ranger Course", INFANTRY, "Colombian Army", BENNING, "2", "$45,000",
                 "01/10/1999", "03/15/1999"),
                ("Command and General Staff Officer Course", CGSC, "Escuela Militar de Cadetes",
                 LEAVENWORTH, "1", "$60,500", "08/02/1998", "06/10/1999"),
                ("English Language Training", DLI, "COLOMBIAN ARMY", LACKLAND, "3", "$12,300",
                 "02/01/1999", "05/28/1999"),
            ]),
            Block("Colombia", "IMET", "FY 00", [
                ("Ranger Course", INFANTRY, "Colombian Army", BENNING, "4", "$90,000",
                 "01/10/2000", "03/15/2000"),
            ]),
            Block("Jordan", "IMET", "FY 99", [
                ("Command and General Staff College", CGSC, "Royal Jordanian Army", LEAVENWORTH,
                 "1", "$58,000", "08/02/1998", "06/10/1999"),
                ("Infantry Officer Basic", INFANTRY, "Ministry of Defence", BENNING, "2",
                 "$20,000", "03/01/1999", "05/01/1999"),
            ]),
        ],
    ),
    Doc(
        "FY1999-2000",
        "FY1999-2000/fixture_south_asia.html",
        [
            Block("Pakistan", "FMF", "FY 99", [
                ("F-16 Maintenance", "Lockheed Martin", "Pakistan Air Force", "Fort Worth, TX, US",
                 "6", "$240,000", "04/01/1999", "09/30/1999"),
            ], region="South Asia"),
        ],
    ),
    Doc(
        "FY2000-2001",
        "FY2000-2001/fixture_2000.pdf",
        [
            Block("Colombia", "IMET", "FY 00", [
                ("Ranger Course", INFANTRY, "Colombian  Army", BENNING, "5", "$112,500",
                 "01/10/2000", "03/15/2000"),
                ("Command and General Staff Officer Course", CGSC, "Escuela Militar de Cadets",
                 LEAVENWORTH, "1", "$61,000", "08/01/1999", "06/09/2000"),
            ]),
            Block("Colombia", "IMET", "FY 01", [
                ("Ranger Course", INFANTRY, "Colombian Army", BENNING, "3", "$67,500",
                 "01/10/2001", "03/15/2001"),
            ]),
            Block("Jordan", "IMET", "FY 00", [
                ("Naval Staff College", NPS, "Royal Jordanian Navy", "Newport, RI, US", "2",
                 "$75,000", "07/01/2000", "06/01/2001"),
            ]),
        ],
        note="pages 101-103 of the official report",
    ),
    Doc(
        "FY2001-2002",
        "FY2001-2002/fixture_2001.pdf",
        [
            Block("Colombia", "IMET", "FY 01", [
                ("Ranger Course", INFANTRY, "Colombian Army", BENNING, "3", "$69,000",
                 "01/10/2001", "03/15/2001"),
                ("Fuerza Aerea Pilot Training", "USAF Air Education and Training Command",
                 "Fuerza Aérea Colombiana", LACKLAND, "2", "$150,000", "10/01/2000",
                 "09/30/2001"),
            ]),
            Block("Jordan", "IMET", "FY 01", [
                ("Command and General Staff College", CGSC, "Royal Jordanian Army", LEAVENWORTH,
                 "1", "$59,000", "08/01/2000", "06/10/2001"),
            ]),
        ],
    ),
    Doc(
        "FY2002-2003",
        "FY2002-2003/fixture_2002.pdf",
        [
            Block("Pakistan", "IMET", "FY 02", [
                ("Command and General Staff Officer Course", CGSC, "Pakistan Army", LEAVENWORTH,
                 "1", "$63,000", "08/01/2001", "06/10/2002"),
                ("Flight Safety Officer", "USAF Air Education and Training Command",
                 "PAKISTAN AIR FORCE", LACKLAND, "2", "$30,000", "02/01/2002", "04/30/2002"),
            ], region="South Asia"),
            Block("Jordan", "IMET", "FY 02", [
                ("Infantry Officer Basic", INFANTRY, "Ministry of Defence", BENNING, "4",
                 "$41,000", "03/01/2002", "05/01/2002"),
            ]),
        ],
    ),
    Doc(
        "FY2006-2007",
        "FY2006-2007/fixture_2006.html",
        [
            Block("Colombia", "IMET", "FY 2006", [
                ("Ranger Course", INFANTRY, "Colombian Army", "Ft Benning, GA, US", "6",
                 "$150,000", "01/09/2006", "03/14/2006"),
                ("COMMAND AND GENERAL STAFF OFFICER COURSE", CGSC, "Escuela Militar de Cadetes",
                 LEAVENWORTH, "2", "$130,000", "08/01/2005", "06/09/2006"),
                ("Counterdrug Operations", "Western Hemisphere Institute", "Policia Nacional",
                 BENNING, "10", "N/A", "04/03/2006", "04/28/2006"),
            ], total=False),
            Block("Colombia", "FMF", "FY 2006", _army_units("Colombian", "2005")),
            Block("Pakistan", "IMET", "FY 2006", [
                ("International Fellows", "US Army War College", "Pakistan Army",
                 "Carlisle, PA, US", "1", "$82,000", "07/15/2005", "06/10/2006"),
            ], region="South Asia"),
            Block("Jordan", "IMET", "FY 2006", [
                ("Naval Staff College", NPS, "Royal Jordanian Navy", "Newport, RI, US", "1",
                 "$40,000", "07/01/2005", "06/01/2006"),
            ]),
        ],
    ),
    Doc(
        "FY2017-2018",
        "FY2017-2018/fixture_south_central_asia.pdf",
        [
            Block("Pakistan", "IMET", "2017", [
                ("Intermediate Level Education", CGSC, "Pakistan Army", LEAVENWORTH, "1",
                 "$66,000", "8/15/2016", "6/9/2017"),
            ], region="South Central Asia"),
        ],
    ),
    Doc(
        "FY2018-2019",
        "FY2018-2019/fixture_south_central_asia.pdf",
        [
            Block("Pakistan", "IMET", "2018", [
                ("Maritime Staff Officer", NPS, "Pakistan Navy", "Newport, RI, US", "1",
                 "$52,000", "11/6/2017", "2/16/2018"),
                ("Basic Officer Leader Course", INFANTRY, "Pakistan Army", BENNING, "2",
                 "$24,000", "6/4/2018", "8/10/2018"),
                ("Hostile Input Course", DLI, HOSTILE[0], LACKLAND, "1", "$1,000", "7/2/2018",
                 "7/27/2018"),
                ("Hostile Input Course", DLI, HOSTILE[1], LACKLAND, "1", "$1,000", "7/2/2018",
                 "7/27/2018"),
            ], region="South Central Asia"),
            Block("Pakistan", "CTFP", "2018", [
                ("Counterterrorism Fellowship", "National Defense University",
                 "Pakistan Air Force", "Washington, DC, US", "3", "$36,000", "1/8/2018",
                 "3/30/2018"),
            ], region="South Central Asia"),
        ],
        note="pages 41-42 of the official report",
        unplaced=[(1, "a line no column claimed")],
    ),
    Doc(
        "FY2019-2020",
        "FY2019-2020/fixture_south_central_asia.pdf",
        [
            Block("Pakistan", "IMET", "2019", [
                ("Intermediate Level Education", CGSC, "Pakistan Army", LEAVENWORTH, "1",
                 "$71,000", "8/12/2018", "6/7/2019"),
            ], region="South Central Asia"),
        ],
    ),
]  # fmt: skip


# The Greenbook's rows: fiscal year (1976.9: the transition quarter), region, recipient,
# category, publication row, agency, account, obligations in current and constant 2020 dollars.
_IMET = ("Military", "International Military Education and Training", "Department of State",
         "International Military Education and Training")  # fmt: skip
_FMF = ("Military", "Foreign Military Financing", "Department of State",
        "Foreign Military Financing Program")  # fmt: skip
_ESF = ("Economic", "Economic Support Fund", "U.S. Agency for International Development",
        "Economic Support Fund")  # fmt: skip
_OM = ("Military", "Department of Defense Security Assistance", "Department of Defense",
       "Operation and Maintenance, Defense-Wide")  # fmt: skip
_SCA, _MENA, _WH = "South and Central Asia", "Middle East and North Africa", "Western Hemisphere"
GREENBOOK: list[tuple[object, ...]] = [
    (1975, _MENA, "Jordan", *_IMET, 250_000, 1_210_000),
    (1976, _SCA, "Pakistan", *_IMET, 402_000, 1_482_848),
    (1976.9, _SCA, "Pakistan", *_IMET, 100_000, 350_000),
    (1977, _SCA, "Pakistan", *_IMET, 310_000, 1_066_391),
    (1979, _SCA, "Pakistan", *_IMET, 464_000, 1_383_423),
    (1999, _WH, "Colombia", *_IMET, 900_000, 1_400_000),
    (2000, _WH, "Colombia", *_IMET, 900_000, 1_390_000),
    (2001, _WH, "Colombia", *_IMET, 1_040_000, 1_570_000),
    (2002, _WH, "Colombia", *_IMET, 1_180_000, 1_750_000),
    (2006, _WH, "Colombia", *_IMET, 1_700_000, 2_240_000),
    (2006, _WH, "Colombia", *_FMF, 89_100_000, 117_000_000),
    (1999, _MENA, "Jordan", *_IMET, 1_600_000, 2_480_000),
    (2000, _MENA, "Jordan", *_IMET, 1_700_000, 2_570_000),
    (2001, _MENA, "Jordan", *_IMET, 1_800_000, 2_660_000),
    (2002, _MENA, "Jordan", *_IMET, 2_000_000, 2_900_000),
    (2006, _MENA, "Jordan", *_IMET, 3_000_000, 3_950_000),
    (2007, _MENA, "Jordan", *_IMET, -50_000, -64_000),
    (2002, _SCA, "Pakistan", *_IMET, 880_000, 1_270_000),
    (2002, _SCA, "Pakistan", *_OM, 10_000_000, 14_400_000),
    (2006, _SCA, "Pakistan", *_IMET, 2_037_000, 2_680_000),
    (2006, _SCA, "Pakistan", *_ESF, 296_000_000, 390_000_000),
    (2017, _SCA, "Pakistan", *_IMET, 4_788_596, 5_110_000),
    (2018, _SCA, "Pakistan", *_IMET, 496_954, 520_000),
    (2020, _SCA, "Pakistan", *_IMET, 2_257_130, 2_257_130),
    (2006, "Europe and Eurasia", "Turkey", *_IMET, 3_500_000, 4_610_000),
    (2006, "World", "World (not specified)", *_IMET, 5_000_000, 6_580_000),
]
_GREENBOOK_TITLE = (
    "U.S.  Economic and Miliary Assistance Fiscal Years 1946-2020",
    "Obligations (Current $US and Constant 2020 $US)",
    "Prepared by tests/fixture_db.py: a Greenbook made in code",
)


def greenbook_sheet() -> GreenbookSheet:
    """The Greenbook as fmtr.extract.greenbook reads a workbook: the title lines, a blank row,
    the header, then the rows with numbers as floats (as the reader gives them)."""
    dataset = read_funding_catalog()[0]
    title = tuple(enumerate(_GREENBOOK_TITLE, 1))
    header_row = len(_GREENBOOK_TITLE) + 2
    assert len(COLUMNS) == len(GREENBOOK[0])
    grid = [
        [float(r[0]), *r[1:7], float(r[7]), float(r[8])]  # type: ignore[arg-type]
        for r in GREENBOOK
    ]
    return GreenbookSheet(dataset.file, dataset.sheet, title, header_row, grid)


def _total(block: Block, page: int) -> PrintedTotal:
    """The fiscal-year total the report would print: the rows' sums, as printed."""
    quantity = sum(parse_quantity(r[4]).value or 0 for r in block.rows)
    cost = sum((parse_cost(r[5]).value or Decimal(0) for r in block.rows), Decimal(0))
    label = f"FY {block.fiscal_year.removeprefix('FY ')} Program Totals"
    return PrintedTotal(FISCAL_YEAR, label, page, str(quantity), f"${cost:,.0f}")


def _extract(doc: Doc) -> DocumentExtract:
    html = doc.file.endswith(".html")
    out = DocumentExtract(doc.file, 1 if html else len(doc.blocks), unplaced=list(doc.unplaced))
    for i, b in enumerate(doc.blocks):
        page = 1 if html else i + 1
        block = ProgrammeBlock(
            heading=f"{b.programme} - {b.fiscal_year} Training",
            region=b.region,
            country=b.country,
            programme=b.programme,
            fiscal_year=b.fiscal_year,
            department="Department of State",
            first_page=page,
            last_page=page,
            rows=[TrainingRow(page, *cells) for cells in b.rows],
        )
        if b.total:
            block.totals.append(_total(b, page))
        out.blocks.append(block)
    return out


def _catalog(doc: Doc) -> Document:
    sha = hashlib.sha256(doc.file.encode()).hexdigest()
    url = f"https://example.invalid/{doc.file}"
    entry = CatalogEntry(
        doc.edition, doc.blocks[0].region, doc.file, None, None, url, doc.note, sha
    )
    return Document(doc.edition, doc.file, url, sha, (entry,))


# The fixture's build time, fixed: its SQLite and PostgreSQL copies are written minutes apart,
# sometimes on either side of midnight, and must cite the same build date.
BUILT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def write_fixture_database(path: Path | str) -> Path | str:
    """Write the fixture database at ``path`` (a new SQLite file, or the URL of an empty
    database: PostgreSQL's) as `fmtr build` would."""
    engine = open_database(path if isinstance(path, str) else f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            run = conn.execute(
                s.BuildRun.__table__.insert().values(  # type: ignore[attr-defined]
                    started_at=BUILT,
                    fmtr_version=__version__,
                    corpus="tests/fixture_db.py",
                    jobs=1,
                    loaded=len(DOCS),
                    skipped=0,
                    failed=0,
                )
            ).inserted_primary_key[0]
        loaded = []
        for doc in DOCS:
            catalog, extract = _catalog(doc), _extract(doc)
            clean = clean_document(extract, doc.edition)
            assert not (clean.unmapped_countries or clean.unmapped_programmes), doc.file
            with engine.begin() as conn:
                replace_document(
                    conn,
                    catalog,
                    extract,
                    clean,
                    sha256=catalog.sha256,
                    layout=family_of(doc.edition),
                    build_run_id=run,
                    seconds=0.0,
                )
            loaded.append(_Stored(doc.edition, doc.file, extract.blocks))
        report = verify_documents(loaded)
        sheet = greenbook_sheet()
        money = clean_greenbook(sheet)
        assert not money.unmapped_countries, money.unmapped_countries
        with engine.begin() as conn:
            replace_funding(
                conn,
                read_funding_catalog()[0],
                money,
                header_row=sheet.header_row,
                sha256=hashlib.sha256(repr(GREENBOOK).encode()).hexdigest(),
                build_run_id=run,
                seconds=0.0,
            )
        with engine.begin() as conn:
            save_verdicts(conn, report.checks)
            save_reference_tables(conn)
            mark_counted_blocks(conn)
            conn.execute(
                s.BuildRun.__table__.update().values(  # type: ignore[attr-defined]
                    finished_at=BUILT
                )
            )
        with engine.begin() as conn:
            rebuild_search_index(conn)
    finally:
        engine.dispose()
    return path


@dataclass
class _Stored:
    edition: str
    file: str
    blocks: list[ProgrammeBlock]


if __name__ == "__main__":
    target = sys.argv[1]
    print(write_fixture_database(target if "://" in target else Path(target)))
