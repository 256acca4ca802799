"""The optional parts of fmtr and the libraries they need (the extras of the distribution).

Parquet and XLSX exports and PostgreSQL are optional, so that a plain ``pip install fmtr-db``
stays small (pyarrow alone is 170 MB). Using one without its library raises MissingExtra, whose
message is one line that names the install command.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from fmtr.errors import Unavailable

DISTRIBUTION = "fmtr-db"  # the name on the package index; the import name and command: fmtr

# extra -> (what it is for, the module it needs)
EXTRAS = {
    "parquet": ("Parquet export", "pyarrow"),
    "xlsx": ("XLSX export", "xlsxwriter"),
    "postgres": ("PostgreSQL", "psycopg"),
}


class MissingExtra(Unavailable, ImportError):
    """An optional part of fmtr was used without the library it needs: one of fmtr's errors
    (one line and exit 2 on the CLI, 503 on the web), and an ImportError for the library's
    callers."""

    code = "missing_extra"

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


def install_command(extra: str) -> str:
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def require(extra: str) -> ModuleType:
    """The module that ``extra`` provides; MissingExtra names the install command."""
    what, module = EXTRAS[extra]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name != module:
            raise  # the library is there but broken: its own error says more
        raise MissingExtra(
            f"{what} needs {module}, which is not installed: {install_command(extra)}",
            name=module,
        ) from None
