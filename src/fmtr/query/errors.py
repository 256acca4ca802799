"""Bad input to a question: what was wrong and, when there is one, what the user likely meant.

The questions' errors are fmtr.errors classes (each carries its HTTP status and exit code): the
CLI prints the message and exits with code 2, the API answers 400 or 404 with the suggestion;
the library raises, so an unknown name never turns into an empty result that looks like an
answer.
"""

from __future__ import annotations

from fmtr.errors import InputError, NotFound, SearchIndexStale, UnknownName

# The former name of the questions' input errors, kept for callers of the library.
QueryInputError = InputError


class UnknownCountry(UnknownName):
    code = "unknown_country"


class UnknownProgramme(UnknownName):
    code = "unknown_programme"


class UnknownFiscalYear(InputError):
    code = "unknown_fiscal_year"


class BadYearSpan(InputError):
    code = "bad_year_span"


class UnknownIdentifier(NotFound):
    """An identifier that names no training row (fmtr.query.cite)."""

    code = "unknown_identifier"


class EmptySearch(InputError):
    """A search text with no word to look for ("", "--", "*")."""

    code = "empty_search"


class FormatUnavailable(InputError):
    """An export format whose library (an extra of the distribution) is not installed."""

    code = "format_unavailable"


__all__ = [
    "BadYearSpan",
    "EmptySearch",
    "FormatUnavailable",
    "InputError",
    "QueryInputError",
    "SearchIndexStale",
    "UnknownCountry",
    "UnknownFiscalYear",
    "UnknownIdentifier",
    "UnknownProgramme",
]
