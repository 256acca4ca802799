"""Datasette metadata for a release (metadata.json): title, licence, source, every table and
column described (fmtr.release.describe), facets that do not mislead, and canned queries for
the common questions.

Facets: the figures users read first are per fiscal year, and FY2000 and FY2001 are printed by
two editions each; so the row tables open faceted by ``counted`` (filter counted = 1 before
summing), and by the cleaned codes (country_code, programme_code, fy) rather than the printed
spellings, which vary from edition to edition.
"""

from __future__ import annotations

from typing import Any

from fmtr.release import describe

DATABASE = "fmtr"  # Datasette names a database after its file: fmtr.sqlite

# Canned queries: the questions asked most, parameters named in the SQL (:country ...).
QUERIES: dict[str, dict[str, Any]] = {
    "imet_trainees_per_year": {
        "title": "A recipient's IMET trainees and cost per fiscal year",
        "description": "Counted rows only (each fiscal year once). country: a code such as PAK "
        "(see the country table).",
        "sql": (
            "SELECT fy, trainees, cost_cents / 100.0 AS cost_dollars, rows, "
            "rows_without_quantity, rows_without_cost FROM year_figures "
            "WHERE country_code = upper(:country) AND programme_code = 'IMET' ORDER BY fy"
        ),
    },
    "recipient_per_year": {
        "title": "A recipient's trainees and cost per fiscal year and programme",
        "description": "Counted rows only. country: a code such as PAK.",
        "sql": (
            "SELECT y.fy, y.programme_code, p.name AS programme, y.trainees, "
            "y.cost_cents / 100.0 AS cost_dollars, y.rows FROM year_figures y "
            "LEFT JOIN programme p ON p.code = y.programme_code "
            "WHERE y.country_code = upper(:country) ORDER BY y.fy, y.programme_code"
        ),
    },
    "top_recipients": {
        "title": "Top recipients by cost over a span of fiscal years",
        "description": "Counted rows only, all programmes. from_fy, to_fy: years such as 2010.",
        "sql": (
            "SELECT y.country_code, c.name, sum(y.trainees) AS trainees, "
            "sum(y.cost_cents) / 100.0 AS cost_dollars, sum(y.rows) AS rows "
            "FROM year_figures y LEFT JOIN country c ON c.code = y.country_code "
            "WHERE y.fy BETWEEN CAST(:from_fy AS INTEGER) AND CAST(:to_fy AS INTEGER) "
            "GROUP BY y.country_code ORDER BY sum(y.cost_cents) DESC LIMIT 50"
        ),
    },
    "unit_trainings": {
        "title": "A student unit's trainings, every edition",
        "description": "Rows whose student unit contains the words given, with provenance; "
        "counted tells which rows count for their fiscal year.",
        "sql": (
            "SELECT stable_id, edition, fy, counted, country_code, programme_code, "
            "course_title, student_unit, location, quantity, cost, start_date, end_date, url, "
            "pdf_page, report_page FROM training_provenance "
            "WHERE student_unit LIKE '%' || :unit || '%' ORDER BY fy, edition, stable_id"
        ),
    },
    "row_by_identifier": {
        "title": "A training row by its stable identifier",
        "description": "stable_id: 2016-africa-p50-3 (edition, file, page, ordinal).",
        "sql": "SELECT * FROM training_provenance WHERE stable_id = lower(:stable_id)",
    },
    "printed_totals_not_reconciled": {
        "title": "Printed totals that are the source's own errors",
        "description": "Totals whose rows do not add up to them, shown on the page to be the "
        "report's arithmetic (src/fmtr/verify/source_errors.tsv).",
        "sql": (
            "SELECT p.stable_id, e.name AS edition, d.file, p.page, p.label, p.quantity, "
            "p.cost, p.rows_quantity, p.rows_cost_cents / 100.0 AS rows_cost_dollars, p.detail "
            "FROM printed_total p JOIN programme_block b ON b.id = p.block_id "
            "JOIN document d ON d.id = b.document_id JOIN edition e ON e.id = d.edition_id "
            "WHERE p.status != 'reconciled' ORDER BY e.name, d.file, p.page"
        ),
    },
}

# Facets per table: the counted flag first, then the cleaned codes.
FACETS: dict[str, list[str]] = {
    "training_provenance": ["counted", "edition", "programme_code", "country_code"],
    "programme_block": ["counted", "programme_code", "fy"],
    "year_figures": ["programme_code", "fy"],
    "printed_total": ["status", "kind"],
}


def _columns(doc: describe.TableDoc) -> dict[str, str]:
    return {
        name: c.description + (f" Unit: {c.unit}." if c.unit else "")
        for name, c in doc.columns.items()
    }


def _view_columns() -> dict[str, str]:
    """The view's columns: those it takes from the tables, described as there."""
    t, b = describe.TABLES["training"].columns, describe.TABLES["programme_block"].columns
    out = dict(describe.VIEW_COLUMNS)
    for name in (
        "course_title", "us_unit", "student_unit", "location", "quantity", "cost",
        "start_date", "end_date", "quantity_value", "cost_cents",
    ):  # fmt: skip
        out[name] = t[name].description + (f" Unit: {t[name].unit}." if t[name].unit else "")
    for name in (
        "region", "country", "programme", "fiscal_year", "department", "country_code",
        "programme_code", "fy", "counted",
    ):  # fmt: skip
        out[name] = b[name].description
    out["stable_id"] = t["stable_id"].description
    return out


def datasette_metadata(version: str, url: str | None) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for name, doc in describe.TABLES.items():
        entry: dict[str, Any] = {
            "title": doc.title,
            "description": doc.description,
            "columns": _columns(doc),
        }
        if name in FACETS:
            entry["facets"] = FACETS[name]
        tables[name] = entry
    view, words = describe.PROVENANCE_VIEW
    tables[view] = {
        "title": "Training rows with provenance",
        "description": words,
        "columns": _view_columns(),
        "facets": FACETS[view],
    }
    about = f"fmtr release {version}"
    meta: dict[str, Any] = {
        "title": describe.TITLE,
        "description": describe.DESCRIPTION,
        "license": "CC0 1.0 (fmtr's compilation); the reports are US government works, "
        "public domain",
        "license_url": describe.LICENCE["path"],
        "source": describe.SOURCE_TITLE,
        "about": about,
        "databases": {
            DATABASE: {
                "title": describe.TITLE,
                "description": describe.DESCRIPTION,
                "tables": tables,
                "queries": QUERIES,
            }
        },
    }
    if url:
        meta["about_url"] = url
    return meta
