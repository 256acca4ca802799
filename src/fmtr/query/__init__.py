"""Answers to users' questions, as plain data (dataclasses), from an Engine or a Connection.

``fmtr.query.answers`` gives each question's answer as the one document the CLI and the API
both render (laid out by ``fmtr.query.shapes``), with these functions' defaults.

Every function resolves its input first (fmtr.query.resolve) and raises a QueryInputError with a
suggestion when a country, programme or fiscal year names nothing; see docs/queries.md for how
each figure is computed and docs/definitions.md for what the words mean.
"""

from fmtr.query.cite import cite, cite_figure, cite_row
from fmtr.query.course_titles import course_profile, courses
from fmtr.query.errors import (
    BadYearSpan,
    EmptySearch,
    QueryInputError,
    SearchIndexStale,
    UnknownCountry,
    UnknownFiscalYear,
    UnknownIdentifier,
    UnknownProgramme,
)
from fmtr.query.export import export, select_rows
from fmtr.query.figures import gaps, prepare_figures, series, top
from fmtr.query.find import interpret, prepare_search, search
from fmtr.query.funding import (
    NoFundingData,
    UnknownAccount,
    funding_series,
    funding_top,
    largest,
    obligations_and_courses,
)
from fmtr.query.overview import (
    compare,
    editions,
    programme_detail,
    programme_trend,
    programmes,
    recipient_names,
    recipients,
    summary,
)
from fmtr.query.profile import country_profile
from fmtr.query.student_units import prepare_units, unit_profile, units

__all__ = [
    "BadYearSpan",
    "EmptySearch",
    "NoFundingData",
    "QueryInputError",
    "SearchIndexStale",
    "UnknownAccount",
    "UnknownCountry",
    "UnknownFiscalYear",
    "UnknownIdentifier",
    "UnknownProgramme",
    "cite",
    "cite_figure",
    "cite_row",
    "compare",
    "country_profile",
    "course_profile",
    "courses",
    "editions",
    "export",
    "funding_series",
    "funding_top",
    "gaps",
    "interpret",
    "largest",
    "obligations_and_courses",
    "programme_detail",
    "programme_trend",
    "prepare_figures",
    "prepare_search",
    "prepare_units",
    "programmes",
    "recipient_names",
    "recipients",
    "search",
    "select_rows",
    "series",
    "summary",
    "top",
    "unit_profile",
    "units",
]
