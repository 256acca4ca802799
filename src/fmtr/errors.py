"""fmtr's errors: one hierarchy, each class with the HTTP status and the CLI exit code it means.

Every layer raises these (or subclasses of them) for what a user can act on; the adapters turn
them into one line on stderr with the exit code (fmtr.cli.common) or into one JSON error shape
or an HTML page with the status (fmtr.web.errors). A module of its own, importing nothing, so
that every layer, the lowest included, can raise them.

    FmtrError                      500  exit 1  (a bug: never raised on purpose)
    ├── InputError                 400  exit 2  a value that cannot be asked with
    │   └── UnknownName            404  exit 2  a name that names nothing (with a suggestion)
    ├── NotFound                   404  exit 2  an id or a file that is not there
    ├── Unavailable                503  exit 2  the question cannot be answered now
    │   ├── DatabaseUnavailable         missing, unreadable or of another schema version
    │   ├── SearchIndexStale            the precomputed tables do not match the rows
    │   └── QueryTimeout                a statement ran past the server's time limit
    └── Conflict                   409  exit 3  another build holds the database

Errors a build meets in a document (fmtr.extract.model.ExtractError, naming file and page) are
not here: they are reported per document while the others load.
"""

from __future__ import annotations


class FmtrError(Exception):
    """An error with a one-line ``message``, and maybe the input the user likely meant.

    ``status`` is the HTTP status the web layer answers with, ``code`` a stable name for
    machines (the JSON error's ``code``), ``exit_code`` the CLI's exit status."""

    status = 500
    code = "internal_error"
    exit_code = 1

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        self.message = message
        self.suggestion = suggestion
        super().__init__(f"{message}; did you mean {suggestion}?" if suggestion else message)


class InputError(FmtrError, ValueError):
    """Input a question cannot be asked with (a bad fiscal year, a reversed span, an empty
    search, a limit past the server's)."""

    status = 400
    code = "bad_input"
    exit_code = 2


class UnknownName(InputError):
    """A country, programme or other name that names nothing known."""

    status = 404
    code = "unknown_name"


class NotFound(FmtrError):
    """A thing asked for by its identifier that is not there (a training row, a page)."""

    status = 404
    code = "not_found"
    exit_code = 2


class Unavailable(FmtrError):
    """The question is well formed but cannot be answered now."""

    status = 503
    code = "unavailable"
    exit_code = 2


class DatabaseUnavailable(Unavailable):
    """No database where one was given, or one this fmtr cannot read (another schema
    version, not an fmtr database, not SQLite where SQLite is needed)."""

    code = "database_unavailable"


class SearchIndexStale(Unavailable):
    """The search index and precomputed figures do not reflect the latest build."""

    code = "stale_index"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "the database's search index does not match its rows (the file was changed "
            "after its build): rebuild it with `fmtr build`; reading commands never write"
        )


class QueryTimeout(Unavailable):
    """A statement ran past the time limit and was interrupted."""

    code = "timeout"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"query cut off after {seconds:g} s: this question is too expensive for the public "
            "server; narrow it (a country, a programme, a span of years) or use the "
            "downloadable database"
        )


class Conflict(FmtrError):
    """Another process holds what this one needs (a build's lock)."""

    status = 409
    code = "conflict"
    exit_code = 3
