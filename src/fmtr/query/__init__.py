"""Answers to users' questions, as plain data (dataclasses), from an Engine or a Connection.

Every function resolves its input first (fmtr.query.resolve) and raises a QueryInputError with a
suggestion when a country, programme or fiscal year names nothing; see docs/queries.md for how
each figure is computed and docs/definitions.md for what the words mean.
"""

from fmtr.query.errors import (
    BadYearSpan,
    EmptySearch,
    QueryInputError,
    SearchIndexStale,
    UnknownCountry,
    UnknownFiscalYear,
    UnknownProgramme,
)
from fmtr.query.export import export, select_rows
from fmtr.query.figures import gaps, series, top
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
from fmtr.query.text import course, prepare_units, search, unit

__all__ = [
    "BadYearSpan",
    "EmptySearch",
    "NoFundingData",
    "QueryInputError",
    "SearchIndexStale",
    "UnknownAccount",
    "UnknownCountry",
    "UnknownFiscalYear",
    "UnknownProgramme",
    "compare",
    "country_profile",
    "course",
    "editions",
    "export",
    "funding_series",
    "funding_top",
    "gaps",
    "largest",
    "obligations_and_courses",
    "programme_detail",
    "programme_trend",
    "prepare_units",
    "programmes",
    "recipient_names",
    "recipients",
    "search",
    "select_rows",
    "series",
    "summary",
    "top",
    "unit",
]
