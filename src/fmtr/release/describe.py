"""What every published table and column means: its type, unit and meaning, its keys.

The single description of the data a release carries: the Frictionless Data package
(datapackage.json) and the Datasette metadata (metadata.json) are both written from it, and a
test holds it equal to the database's columns, so that a column added without a description
fails the tests rather than going out unexplained.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TITLE = "fmtr: US military training of foreign forces, from the Foreign Military Training reports"
DESCRIPTION = (
    "Every training row, programme heading and printed total of the annual Foreign Military "
    "Training reports of the US Departments of State and Defense (22 editions, FY1999-2000 to "
    "FY2020-2021), cells verbatim beside cleaned values, each with its edition, file, page and "
    "official URL. Sums are reconciled with the totals the reports print. Figures per fiscal "
    "year count each year once, from the latest edition printing it (column counted). Beside "
    "them, every obligation of the Greenbook (US Overseas Loans and Grants, FY1946-2020), each "
    "with its sheet row."
)
SOURCE_TITLE = (
    "Foreign Military Training Report (Foreign Military Training and DoD Engagement Activities "
    "of Interest), joint reports of the US Department of State and Department of Defense to "
    "Congress"
)
FUNDING_SOURCE_TITLE = (
    "U.S. Overseas Loans and Grants (Greenbook), obligations FY1946-2020, prepared by USAID "
    "Data Services for the report to Congress under Foreign Assistance Act section 634"
)

# The data's licence: the reports are works of the US government, in the public domain in the
# United States (17 U.S.C. 105); fmtr's compilation of them (selection, arrangement, cleaned
# values, identifiers) is dedicated to the public domain with CC0 1.0, so that it may be used
# as freely as the reports. fmtr's code is under the MIT licence. docs/citing.md says why.
LICENCE = {
    "name": "CC0-1.0",
    "title": "Creative Commons Zero v1.0 Universal (the compilation); the source reports are "
    "US government works in the public domain",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
}
LICENCE_WORDS = (
    "The source reports, and the Greenbook workbook beside them, are works of the United States "
    "government, not subject to copyright in the United States (17 U.S.C. 105). fmtr's "
    "compilation of them (the selection and arrangement of the rows, the cleaned values, the "
    "identifiers and the derived figures) is "
    "dedicated to the public domain under CC0 1.0 Universal "
    "(https://creativecommons.org/publicdomain/zero/1.0/): use it for any purpose, without "
    "asking. Citing it is good scholarly practice, not a legal condition. fmtr's software is "
    "under the MIT licence."
)


@dataclass(frozen=True)
class Column:
    # Frictionless Table Schema type: integer, number, string, boolean, date, datetime, and
    # object or array for JSON text.
    type: str
    description: str
    unit: str | None = None
    required: bool = False


@dataclass(frozen=True)
class TableDoc:
    title: str
    description: str
    columns: dict[str, Column]
    primary_key: tuple[str, ...]
    # column(s) -> (table, column(s))
    foreign_keys: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    unique: tuple[str, ...] = ()


def _id(what: str) -> Column:
    return Column(
        "integer",
        f"Integer key of the {what} in this release: a join key, not an identifier to cite "
        "(another build may give it to another thing; cite stable_id).",
        required=True,
    )


def _stable(example: str, made_of: str) -> Column:
    return Column(
        "string",
        f"Stable identifier ({example}): {made_of}. The same in every build and release made "
        "from the same files; cite this (docs/citing.md).",
        required=True,
    )


_PAGE = "page"
_CENTS = "cent (US dollar)"
_FY = "US federal fiscal year (October to September), named by the year it ends in"

_VERBATIM = "As printed (verbatim; blank cells are empty)."

TABLES: dict[str, TableDoc] = {
    "edition": TableDoc(
        "Editions",
        "One annual report: the FY1999-2000 to FY2020-2021 editions.",
        {
            "id": _id("edition"),
            "name": Column("string", "Edition name, FY2016-2017.", required=True),
            "first_fiscal_year": Column(
                "integer", "The first fiscal year the edition's name gives.", _FY, True
            ),
            "layout": Column(
                "string",
                "Extractor family that reads this edition's layout (fmtr.extract).",
                required=True,
            ),
            "stable_id": _stable("2016", "the edition's first fiscal year"),
        },
        ("id",),
        unique=("stable_id",),
    ),
    "document": TableDoc(
        "Documents",
        "One file of an edition, as published (PDF or HTML), with its checksum and official URL.",
        {
            "id": _id("document"),
            "edition_id": Column("integer", "The edition (edition.id).", required=True),
            "file": Column(
                "string",
                "Path of the file in the corpus, FY2016-2017/Africa.pdf.",
                required=True,
            ),
            "sha256": Column(
                "string", "SHA-256 of the file, hexadecimal: the exact file read.", required=True
            ),
            "url": Column(
                "string", "Official URL of the file (or its archived copy).", required=True
            ),
            "pages": Column("integer", "Pages of the file (1 for HTML).", _PAGE, True),
            "report_page_offset": Column(
                "integer",
                "For a region file cut out of the official report: official report page = PDF "
                "page + this offset. Empty when the file is the official file.",
                _PAGE,
            ),
            "build_run_id": Column(
                "integer",
                "The build that loaded it (table build_run, in the SQLite database only).",
            ),
            "seconds": Column("number", "Time the build took to read it.", "second"),
            "stable_id": _stable(
                "2016-africa", "the edition and the file's name (docs/data-model.md)"
            ),
        },
        ("id",),
        {("edition_id",): ("edition", ("id",))},
        unique=("stable_id",),
    ),
    "programme_block": TableDoc(
        "Programme blocks",
        "Everything printed under one programme heading of one country and fiscal year: the "
        "heading's parts as printed and cleaned. Its rows are in training, its totals in "
        "printed_total.",
        {
            "id": _id("programme block"),
            "document_id": Column("integer", "The document (document.id).", required=True),
            "seq": Column("integer", "Order of the block in its document, from 0.", required=True),
            # Not required: a few blocks print no heading of their own (a country name only, or
            # rows continued from before a cut file's first page), and CSV cannot tell "" from
            # null.
            "heading": Column(
                "string", "The heading, verbatim; empty when none is printed in this file."
            ),
            "region": Column("string", "Region as printed. " + _VERBATIM),
            "country": Column("string", "Recipient as printed. " + _VERBATIM),
            "programme": Column("string", "Programme as printed. " + _VERBATIM),
            "fiscal_year": Column("string", "Fiscal year as printed (FY 01, 2016). " + _VERBATIM),
            "department": Column("string", "Department as printed (DoD, Department of State)."),
            "first_page": Column("integer", "PDF page of the programme heading.", _PAGE, True),
            "last_page": Column("integer", "PDF page the block ends on.", _PAGE, True),
            "country_code": Column(
                "string",
                "Recipient code (cleaned): ISO 3166-1 alpha-3, a historic ISO 3166-3 code, XKX, "
                "or fmtr's X-... (country.code).",
            ),
            "programme_code": Column(
                "string", "Canonical programme (cleaned; programme.code), IMET, CTFP, FMF ..."
            ),
            "programme_variant": Column(
                "string", "The printed variant of the programme, IMET-1, IMET-X (cleaned)."
            ),
            "fy": Column("integer", "Fiscal year of the block (cleaned).", _FY),
            "counted": Column(
                "boolean",
                "Whether this block's figures count for its fiscal year: FY2000 and FY2001 are "
                "each printed by two editions and only the later counts. Sum counted blocks "
                "only, or each of those years counts twice (docs/definitions.md).",
            ),
            "stable_id": _stable(
                "2016-africa-p49-b2", "document, page of the heading, ordinal on that page"
            ),
        },
        ("id",),
        {
            ("document_id",): ("document", ("id",)),
            ("country_code",): ("country", ("code",)),
            ("programme_code",): ("programme", ("code",)),
        },
        unique=("stable_id",),
    ),
    "training": TableDoc(
        "Training rows",
        "One training line of a report: cells verbatim, cleaned values beside them, the page "
        "of the row's own line. Its recipient, programme, fiscal year and counted flag are its "
        "block's (training_provenance joins them).",
        {
            "id": _id("training row"),
            "block_id": Column(
                "integer", "Its programme block (programme_block.id).", required=True
            ),
            "seq": Column("integer", "Order of the row in its block, from 0.", required=True),
            "page": Column("integer", "PDF page of the row's own line (1 for HTML).", _PAGE, True),
            "last_page": Column(
                "integer", "Last PDF page of a row continued on a later page; else empty.", _PAGE
            ),
            "course_title": Column("string", "Course title. " + _VERBATIM),
            "us_unit": Column("string", "US unit or school giving the training. " + _VERBATIM),
            "student_unit": Column("string", "Unit of the students trained. " + _VERBATIM),
            "location": Column("string", "Where the training took place. " + _VERBATIM),
            "quantity": Column("string", "Number of trainees, as printed. " + _VERBATIM),
            "cost": Column("string", "Cost, as printed ($28,950). " + _VERBATIM),
            "start_date": Column("string", "Start date, as printed. " + _VERBATIM),
            "end_date": Column("string", "End date, as printed. " + _VERBATIM),
            "quantity_value": Column(
                "integer",
                "Number of trainees (cleaned from quantity); empty when the cell gives none "
                "(flags says why), never 0 for a blank.",
                "trainee",
            ),
            "cost_cents": Column(
                "integer",
                "Cost in exact US cents (cleaned from cost); empty when the cell gives none.",
                _CENTS,
            ),
            "start_on": Column("date", "Start date, ISO (cleaned from start_date)."),
            "end_on": Column("date", "End date, ISO (cleaned from end_date)."),
            "flags": Column(
                "string",
                "Why a cell gave no value or a doubtful one, comma-separated: cost:unparseable, "
                "start:two_digit_year, dates:start_after_end ...",
            ),
            "course_key": Column("string", "Normalised course title, for grouping and search."),
            "location_key": Column("string", "Normalised location, for grouping and search."),
            "student_unit_key": Column(
                "string", "Normalised student unit, for grouping and search."
            ),
            "us_unit_key": Column("string", "Normalised US unit, for grouping and search."),
            "stable_id": _stable(
                "2016-africa-p50-3",
                "document, page of the row's own line, ordinal among the rows on that page",
            ),
        },
        ("id",),
        {("block_id",): ("programme_block", ("id",))},
        unique=("stable_id",),
    ),
    "printed_total": TableDoc(
        "Printed totals",
        "A total line the report prints (fiscal year, programme or country totals): the "
        "reports' own checksums, with fmtr's verdict on each.",
        {
            "id": _id("printed total"),
            "block_id": Column(
                "integer", "The block it follows (programme_block.id).", required=True
            ),
            "seq": Column("integer", "Order among the block's totals, from 0.", required=True),
            "kind": Column(
                "string", "fiscal_year, programme or country: what it totals.", required=True
            ),
            "label": Column("string", "The total's label, verbatim.", required=True),
            "page": Column("integer", "PDF page of the total line.", _PAGE, True),
            "quantity": Column("string", "Trainees, as printed. " + _VERBATIM),
            "cost": Column("string", "Cost, as printed. " + _VERBATIM),
            "quantity_value": Column(
                "integer", "Number of trainees (cleaned from quantity).", "trainee"
            ),
            "cost_cents": Column("integer", "Cost in exact US cents (cleaned).", _CENTS),
            "status": Column(
                "string",
                "fmtr's verdict: reconciled (the rows add up to it) or source_error (the "
                "report's own arithmetic is wrong, shown on the page; listed in "
                "src/fmtr/verify/source_errors.tsv).",
            ),
            "rows_quantity": Column(
                "integer", "The sum of the rows' trainees it was compared with.", "trainee"
            ),
            "rows_cost_cents": Column(
                "integer", "The sum of the rows' costs it was compared with.", _CENTS
            ),
            "detail": Column("string", "Why a source error is one."),
            "stable_id": _stable(
                "2016-africa-p50-t1", "document, page, ordinal among the totals on that page"
            ),
        },
        ("id",),
        {("block_id",): ("programme_block", ("id",))},
        unique=("stable_id",),
    ),
    "unplaced_line": TableDoc(
        "Unplaced lines",
        "A line an extractor saw but could not place in a block: kept so that nothing is lost "
        "silently.",
        {
            "id": _id("line"),
            "document_id": Column("integer", "The document (document.id).", required=True),
            "page": Column("integer", "PDF page the line is printed on.", _PAGE, True),
            "text": Column("string", "The text of the line, verbatim.", required=True),
        },
        ("id",),
        {("document_id",): ("document", ("id",))},
    ),
    "country": TableDoc(
        "Recipients",
        "Recipient codes: countries (ISO 3166-1 alpha-3), historic countries (ISO 3166-3), "
        "Kosovo (XKX) and fmtr's X-... codes for organisations and regions.",
        {
            "code": Column(
                "string",
                "The recipient code: ISO 3166-1 alpha-3 (PAK), ISO 3166-3, XKX or X-...",
                required=True,
            ),
            "name": Column("string", "The recipient's name.", required=True),
            "kind": Column("string", "iso, historic, organisation or other.", required=True),
        },
        ("code",),
    ),
    "programme": TableDoc(
        "Programmes",
        "Canonical training programmes (src/fmtr/clean/programmes.tsv).",
        {
            "code": Column("string", "Canonical programme code, IMET.", required=True),
            "family": Column("string", "The family it belongs to.", required=True),
            "name": Column("string", "The programme's full name.", required=True),
            "department": Column("string", "The department running it.", required=True),
            "authority": Column("string", "The law or authority it runs under.", required=True),
            "description": Column("string", "What the programme is and does.", required=True),
        },
        ("code",),
    ),
    "year_figures": TableDoc(
        "Figures per recipient, programme and fiscal year",
        "Counted rows' sums (each fiscal year once, from the edition that counts for it): what "
        "fmtr's figures are. A recipient or programme that did not map is ?.",
        {
            "country_code": Column("string", "Recipient (country.code).", required=True),
            "fy": Column("integer", "The fiscal year summed.", _FY, True),
            "programme_code": Column("string", "Programme (programme.code).", required=True),
            "trainees": Column("integer", "Sum of the rows' trainees.", "trainee", True),
            "cost_cents": Column("integer", "Sum of the rows' costs, exact.", _CENTS, True),
            "rows": Column("integer", "Number of training rows summed.", "row", True),
            "rows_without_quantity": Column(
                "integer", "Rows whose quantity gave no number (added nothing).", "row", True
            ),
            "rows_without_cost": Column(
                "integer", "Rows whose cost gave no number (added nothing).", "row", True
            ),
        },
        ("country_code", "fy", "programme_code"),
        {
            ("country_code",): ("country", ("code",)),
            ("programme_code",): ("programme", ("code",)),
        },
    ),
    "name_figures": TableDoc(
        "Figures per recipient and name",
        "Counted rows' sums per recipient and course, US unit, location or student unit (by "
        "its normalised key), shown in the spelling printed most often.",
        {
            "country_code": Column(
                "string", "Recipient (country.code), ? when unmapped.", required=True
            ),
            "kind": Column("string", "course, us_unit, location or student_unit.", required=True),
            "key": Column("string", "The normalised name (training.*_key).", required=True),
            "spelling": Column("string", "The spelling printed most often.", required=True),
            "spellings": Column("integer", "How many spellings the key groups.", required=True),
            "first_fy": Column("integer", "First fiscal year with such rows.", _FY, True),
            "last_fy": Column("integer", "Last fiscal year with such rows.", _FY, True),
            "trainees": Column("integer", "Sum of the rows' trainees.", "trainee", True),
            "cost_cents": Column("integer", "Sum of the rows' costs, exact.", _CENTS, True),
            "rows": Column("integer", "Number of training rows summed.", "row", True),
            "rows_without_quantity": Column(
                "integer", "Rows whose quantity gave no number.", "row", True
            ),
            "rows_without_cost": Column("integer", "Rows whose cost gave no number.", "row", True),
        },
        ("country_code", "kind", "key"),
    ),
    "unit_name": TableDoc(
        "Student unit names per recipient",
        "Each recipient's student-unit keys: the key's canonical words (abbreviations written "
        "out, stop words dropped), its usual spelling, its rows of any edition, and the unit "
        "it belongs to (spellings grouped within the recipient: docs/search.md).",
        {
            "id": _id("name"),
            "country_code": Column(
                "string", "Recipient (country.code), ? when unmapped.", required=True
            ),
            "key": Column(
                "string", "The normalised unit (training.student_unit_key).", required=True
            ),
            "canonical": Column("string", "The key's canonical words.", required=True),
            "unit": Column(
                "string",
                "The unit it belongs to: the canonical words of the unit's most printed name.",
                required=True,
            ),
            "spelling": Column("string", "The spelling printed most often.", required=True),
            "rows": Column("integer", "Rows naming it, every edition.", "row", True),
        },
        ("id",),
    ),
    "unit_figures": TableDoc(
        "Figures per student unit",
        "Per recipient's unit: its name, spellings, keys and fiscal years, every edition's "
        "rows and the counted rows' sums (what `fmtr unit` and a unit's page read).",
        {
            "country_code": Column(
                "string", "Recipient (country.code), ? when unmapped.", required=True
            ),
            "unit": Column("string", "The unit (unit_name.unit).", required=True),
            "name": Column("string", "Its most printed spelling.", required=True),
            "names": Column("integer", "How many keys it groups.", required=True),
            "rows": Column("integer", "Rows naming it, every edition.", "row", True),
            "counted_rows": Column("integer", "Number of counted rows naming it.", "row", True),
            "trainees": Column("integer", "Sum of the counted rows' trainees.", "trainee", True),
            "cost_cents": Column("integer", "Sum of the counted rows' costs, exact.", _CENTS, True),
            "rows_without_quantity": Column(
                "integer", "Counted rows whose quantity gave no number.", "row", True
            ),
            "rows_without_cost": Column(
                "integer", "Counted rows whose cost gave no number.", "row", True
            ),
            "first_fy": Column("integer", "First fiscal year of its rows.", _FY),
            "last_fy": Column("integer", "Last fiscal year of its rows.", _FY),
            "variants": Column("object", "JSON: spelling as printed -> rows.", required=True),
            "keys": Column("array", "JSON: its keys (unit_name.key).", required=True),
            "years": Column("array", "JSON: the fiscal years of its rows.", required=True),
        },
        ("country_code", "unit"),
    ),
    "course_name": TableDoc(
        "Course titles",
        "Each course key: its canonical words and the course it belongs to (titles with the "
        "same canonical words), its usual spelling and its rows of any edition.",
        {
            "id": _id("title"),
            "key": Column("string", "The normalised title (training.course_key).", required=True),
            "canonical": Column("string", "The title's canonical words.", required=True),
            "course": Column("string", "The course it belongs to.", required=True),
            "spelling": Column("string", "The spelling printed most often.", required=True),
            "rows": Column("integer", "Rows giving it, every edition.", "row", True),
        },
        ("id",),
        unique=("key",),
    ),
    "course_figures": TableDoc(
        "Figures per course",
        "Per course (titles with the same canonical words): its name, titles, keys, "
        "recipients, years, every edition's rows and the counted rows' sums.",
        {
            "course": Column("string", "The course (course_name.course).", required=True),
            "name": Column("string", "Its most printed title.", required=True),
            "names": Column("integer", "How many keys it groups.", required=True),
            "rows": Column("integer", "Rows giving it, every edition.", "row", True),
            "counted_rows": Column("integer", "Number of counted rows.", "row", True),
            "trainees": Column("integer", "Sum of the counted rows' trainees.", "trainee", True),
            "cost_cents": Column("integer", "Sum of the counted rows' costs, exact.", _CENTS, True),
            "rows_without_quantity": Column(
                "integer", "Counted rows whose quantity gave no number.", "row", True
            ),
            "rows_without_cost": Column(
                "integer", "Counted rows whose cost gave no number.", "row", True
            ),
            "countries": Column("integer", "Recipients with counted rows.", required=True),
            "first_fy": Column("integer", "First fiscal year of its rows.", _FY),
            "last_fy": Column("integer", "Last fiscal year of its rows.", _FY),
            "variants": Column("object", "JSON: title as printed -> rows.", required=True),
            "keys": Column("array", "JSON: its keys (course_name.key).", required=True),
        },
        ("course",),
    ),
    "row_facets": TableDoc(
        "What a search counts each row by",
        "Per training row: its recipient, programme, fiscal year, counted flag, US unit and "
        "location keys, trainees and cost (a search's facets sum over it).",
        {
            "id": Column("integer", "The training row (training.id).", required=True),
            "country_code": Column(
                "string", "Recipient (country.code), ? when unmapped.", required=True
            ),
            "programme_code": Column(
                "string", "Programme (programme.code), ? when unmapped.", required=True
            ),
            "fy": Column("integer", "The fiscal year of its block (programme_block.fy).", _FY),
            "counted": Column(
                "integer", "1 when the row counts for its fiscal year, else 0.", required=True
            ),
            "us_unit_key": Column(
                "string", "Its US unit's normalised name (training.us_unit_key)."
            ),
            "location_key": Column(
                "string", "Its location's normalised name (training.location_key)."
            ),
            "trainees": Column("integer", "Its trainees (training.quantity_value).", "trainee"),
            "cost_cents": Column("integer", "Its cost, exact (training.cost_cents).", _CENTS),
        },
        ("id",),
        {("id",): ("training", ("id",))},
    ),
    "name_label": TableDoc(
        "Labels of names",
        "The most printed spelling of each US unit and location key (a search facet's label).",
        {
            "kind": Column("string", "us_unit or location.", required=True),
            "key": Column("string", "The normalised name (training.*_key).", required=True),
            "label": Column("string", "The spelling printed most often.", required=True),
        },
        ("kind", "key"),
    ),
    "search_state": TableDoc(
        "Search index state",
        "Which build the search index and the figures tables reflect.",
        {
            "id": Column("integer", "The state's key (always 1: one state).", required=True),
            "build_run_id": Column("integer", "The build they reflect (build_run.id)."),
            "training_rows": Column("integer", "Training rows in the database then.", "row", True),
            "rebuilt_at": Column("datetime", "When they were refilled (UTC).", required=True),
        },
        ("id",),
    ),
    "build_run": TableDoc(
        "Builds",
        "Each `fmtr build` that wrote this database: when, with what, with what outcome.",
        {
            "id": Column("integer", "The build's number, in order.", required=True),
            "started_at": Column("datetime", "When the build started (UTC).", required=True),
            "finished_at": Column("datetime", "End (UTC); empty if it did not finish."),
            "fmtr_version": Column("string", "The version of fmtr that built.", required=True),
            "corpus": Column("string", "The corpus folder it read.", required=True),
            "jobs": Column("integer", "Worker processes it extracted with.", required=True),
            "loaded": Column("integer", "Documents (re)loaded by this build.", "document", True),
            "skipped": Column("integer", "Documents unchanged, not read again.", "document", True),
            "failed": Column("integer", "Documents that could not be loaded.", "document", True),
        },
        ("id",),
    ),
    "build_error": TableDoc(
        "Build errors",
        "A document a build could not load, with the one-line reason naming file and page.",
        {
            "id": Column("integer", "The error's number, in order.", required=True),
            "build_run_id": Column("integer", "The build (build_run.id).", required=True),
            "file": Column("string", "The file that could not be loaded.", required=True),
            "page": Column("integer", "The page, when the reason is on one.", _PAGE),
            "message": Column(
                "string", "The one-line reason, naming file and page.", required=True
            ),
        },
        ("id",),
        {("build_run_id",): ("build_run", ("id",))},
    ),
    # The Greenbook (migration 0007_funding; docs/funding.md).
    "funding_file": TableDoc(
        "Funding workbook",
        "The loaded Greenbook (US Overseas Loans and Grants, the report to Congress under "
        "Foreign Assistance Act section 634): its file, checksum, official page, sheet and the "
        "span of fiscal years its title prints.",
        {
            "id": _id("funding workbook"),
            "dataset": Column(
                "string", "The dataset's name in the catalog: greenbook.", None, True
            ),
            "file": Column(
                "string", "The workbook's file name in the funding folder.", required=True
            ),
            "sha256": Column(
                "string", "SHA-256 of the workbook, hexadecimal: the exact file read.", None, True
            ),
            "url": Column("string", "Where the workbook is downloaded from.", required=True),
            "home": Column("string", "The official page that publishes it.", required=True),
            "sheet": Column("string", "The worksheet holding the rows.", required=True),
            "header_row": Column(
                "integer", "The sheet row of the header (the rows follow it).", "row", True
            ),
            "first_fy": Column(
                "integer", "First fiscal year of the span the title prints.", _FY, True
            ),
            "last_fy": Column(
                "integer", "Last fiscal year of the span the title prints.", _FY, True
            ),
            "prepared": Column("string", "The title's 'Prepared by ... on <date>' line."),
            "rows": Column("integer", "Obligation rows loaded from it.", "row", True),
            "build_run_id": Column(
                "integer",
                "The build that loaded it (table build_run, in the SQLite database only).",
            ),
            "seconds": Column(
                "number", "Seconds spent reading, cleaning and storing it.", "second"
            ),
        },
        ("id",),
        unique=("dataset",),
    ),
    "funding_obligation": TableDoc(
        "Obligations (Greenbook)",
        "One row of the Greenbook: money obligated for a recipient in a fiscal year under an "
        "account, in current and constant 2020 dollars, each with its sheet row. The "
        "transition quarter (July-September 1976) is a period of its own, TQ1976, with no "
        "fiscal year.",
        {
            "id": Column(
                "integer", "Integer key of the row in this release (a join key).", None, True
            ),
            "file_id": Column("integer", "The workbook (funding_file.id).", required=True),
            "row": Column(
                "integer", "The sheet row, as a spreadsheet numbers it (provenance).", "row", True
            ),
            "fiscal_year": Column(
                "string",
                "The Fiscal Year cell as given: 2003, or 1976.9 (the transition quarter).",
                required=True,
            ),
            "fy": Column("integer", "The fiscal year; empty for the transition quarter.", _FY),
            "period": Column(
                "string", "FY2003, or TQ1976 for the transition quarter.", required=True
            ),
            "region": Column("string", f"Region. {_VERBATIM}", required=True),
            "country": Column("string", f"Recipient. {_VERBATIM}", required=True),
            "country_code": Column(
                "string",
                "The recipient's code, the same vocabulary as the training rows (ISO 3166 "
                "alpha-3, historic codes, X-... for the Greenbook's groups 'not specified').",
                required=True,
            ),
            "category": Column("string", "Assistance category: Economic or Military.", None, True),
            "publication_row": Column("string", f"Publication row. {_VERBATIM}", required=True),
            "agency": Column("string", f"Funding agency. {_VERBATIM}", required=True),
            "account": Column("string", f"Funding account. {_VERBATIM}", required=True),
            "programme_code": Column(
                "string",
                "fmtr's programme code when the account is that programme (IMET, FMF, ...); "
                "empty otherwise (funding_account says why).",
            ),
            "current_dollars": Column(
                "integer",
                "Obligations in dollars of the year obligated, exact (negative: a de-obligation).",
                "US dollar",
                True,
            ),
            "constant_dollars": Column(
                "integer", "Obligations in constant 2020 dollars, exact.", "US dollar (2020)", True
            ),
        },
        ("id",),
        {("file_id",): ("funding_file", ("id",))},
    ),
    "funding_account": TableDoc(
        "Funding accounts",
        "Each account of the Greenbook, the fmtr programme it is (where it is the same "
        "programme), the programmes whose courses it pays for, and why.",
        {
            "account": Column(
                "string", "The account's name, as the Greenbook prints it.", None, True
            ),
            "programme_code": Column(
                "string", "fmtr's programme code when the account is that programme."
            ),
            # Not required: most accounts pay for no course of the reports (an empty string,
            # which a CSV reader cannot tell from a missing value).
            "pays_for": Column(
                "string",
                "Programme codes whose courses the account pays for, space-separated; empty "
                "when it pays for none.",
            ),
            "why": Column("string", "Why the mapping holds, or why a near match does not."),
            "rows": Column("integer", "Obligation rows under the account.", "row", True),
        },
        ("account",),
    ),
    "data_release": TableDoc(
        "Release",
        "The release this database is (one row in a published release, none in a working "
        "database).",
        {
            "id": Column("integer", "The release row's key (one row).", required=True),
            "version": Column("string", "The release's version, to cite.", required=True),
            "created_at": Column("datetime", "When the release was made (UTC).", required=True),
            "fmtr_version": Column("string", "fmtr's version that made it.", required=True),
            "previous_version": Column("string", "The release it follows, when given."),
            "url": Column("string", "Where it is published, when given."),
        },
        ("id",),
    ),
}

# The view Datasette users start from (not a file of the release: it joins the tables above).
PROVENANCE_VIEW = (
    "training_provenance",
    "Each training row with its provenance (edition, file, PDF page, official report page, "
    "URL), its block's heading parts as printed and cleaned (country_code, programme_code, fy, "
    "counted) and its cleaned quantity and cost. Filter counted = 1 before summing: FY2000 and "
    "FY2001 rows appear once per edition printing them.",
)
VIEW_COLUMNS = {
    "training_id": "training.id (a join key: cite stable_id).",
    "pdf_page": "PDF page of the row's own line.",
    "report_page": "Official report page, for region files cut out of the official report.",
    "edition": "Edition name, FY2016-2017.",
    "file": "The document's file.",
    "url": "Official URL of the file: open it at #page=report_page (or pdf_page).",
}
