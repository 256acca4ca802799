"""Bad input to a question: what was wrong and, when there is one, what the user likely meant.

The CLI prints the message and exits with code 2; the library raises, so an unknown name never
turns into an empty result that looks like an answer.
"""

from __future__ import annotations


class QueryInputError(ValueError):
    """Input a question cannot be asked with; ``suggestion`` is the likely intended input."""

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        self.message = message
        self.suggestion = suggestion
        super().__init__(f"{message}; did you mean {suggestion}?" if suggestion else message)


class UnknownCountry(QueryInputError):
    pass


class UnknownProgramme(QueryInputError):
    pass


class UnknownFiscalYear(QueryInputError):
    pass


class BadYearSpan(QueryInputError):
    pass


class EmptySearch(QueryInputError):
    """A search text with no word to look for ("", "--", "*")."""


class FormatUnavailable(QueryInputError):
    """An export format whose library (an extra of the distribution) is not installed."""


class SearchIndexStale(RuntimeError):
    """The search index does not reflect the latest build (rebuild_search_index was not run)."""
