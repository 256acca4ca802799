"""What an error page offers besides its message: the form the reader used, with what they
typed, and the library's suggestion as a link that asks again with it.

The page is rebuilt from the request alone (every page's inputs are its query parameters and
at most one name in its path), so every route gets it without knowing about errors: a bad
fiscal year on a programme's ranking gives back the From/To form as typed, an unknown country
in ``/country/Pakstan`` a country box holding "Pakstan" and a link to ``/country/Pakistan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request

from fmtr.errors import FmtrError

# Room for the longest name or text a question accepts (the routes' max_length), and for a
# fiscal year ("FY2003", "2003", "FY03"); the forms say it with maxlength.
MAX_TEXT = 200
MAX_YEAR = 20
MAX_ID = 120

# A query parameter's label and the length it may have.
FIELDS: dict[str, tuple[str, int]] = {
    "q": ("Text", MAX_TEXT),
    "country": ("Country", MAX_TEXT),
    "programme": ("Programme", MAX_TEXT),
    "program": ("Programme", MAX_TEXT),
    "fy": ("Fiscal year", MAX_YEAR),
    "from": ("From fiscal year", MAX_YEAR),
    "to": ("To fiscal year", MAX_YEAR),
    "by": ("Rank by", 20),
    "limit": ("Rows", 10),
    "offset": ("Skip rows", 12),
    "id": ("Identifier", MAX_ID),
}

# Pages named by a path segment: the lookup that takes the same name as a query parameter
# (``/country?country=Pakistan`` redirects to ``/country/PAK``).
PATH_LOOKUPS = {
    "/country/{code}": ("/country", "country", "code"),
    "/programme/{code}": ("/programme", "programme", "code"),
    "/training/{ident}": ("/training", "id", "ident"),
    "/training/{ident}/source.png": ("/training", "id", "ident"),
}


@dataclass
class Field:
    name: str
    label: str
    value: str
    maxlength: int


@dataclass
class KeptForm:
    """The form the failed request was, to correct and send again."""

    action: str  # a path (the page's, or its lookup's), without the root path
    fields: list[Field]


@dataclass
class Suggestion:
    text: str  # what the library suggests ("Pakistan", "FY2003")
    href: str | None  # the same request asked with it (None: no way to ask it here)


def _route_path(request: Request) -> str | None:
    route = request.scope.get("route")
    return getattr(route, "path", None)


def kept_form(request: Request) -> KeptForm | None:
    """The failed request as a form: its path's name (through the lookup) and its query
    parameters, as typed (over-long values cut to the form's limit)."""
    fields: list[Field] = []
    root = str(request.scope.get("root_path") or "").rstrip("/")
    action = quote(request.url.path.removeprefix(root), safe="/")
    lookup = PATH_LOOKUPS.get(_route_path(request) or "")
    if lookup is not None:
        action, name, param = lookup
        label, size = FIELDS[name]
        value = str(request.path_params.get(param, ""))
        fields.append(Field(name, label, value[:size], size))
    for name, value in request.query_params.multi_items():
        if name not in FIELDS:
            continue  # a parameter no page takes: not offered back
        label, size = FIELDS[name]
        fields.append(Field(name, label, value[:size], size))
    return KeptForm(action, fields) if fields else None


def _quoted(value: str, message: str) -> bool:
    text = value.strip()
    return bool(text) and (repr(text) in message or f'"{text}"' in message)


def suggestion_link(request: Request, error: FmtrError) -> Suggestion | None:
    """The library's suggestion, with the address that asks the same with it: the input the
    message names (quoted) replaced by the suggestion; a reversed span swapped; a limit set."""
    if not error.suggestion:
        return None
    message = getattr(error, "message", str(error))
    root = str(request.scope.get("root_path") or "").rstrip("/")
    path = request.url.path.removeprefix(root)
    params: list[tuple[str, str]] = list(request.query_params.multi_items())
    suggested = error.suggestion

    def href(new_path: str, new_params: list[tuple[str, Any]]) -> str:
        query = urlencode(new_params)
        return root + quote(new_path, safe="/") + (f"?{query}" if query else "")

    if error.code == "bad_year_span":
        swap = {"from": "to", "to": "from"}
        return Suggestion(
            "the span the other way round",
            href(path, [(swap.get(k, k), v) for k, v in params]),
        )
    if "=" in suggested and " " not in suggested:  # "limit=500"
        key, value = suggested.split("=", 1)
        return Suggestion(suggested, href(path, [*((k, v) for k, v in params if k != key),
                                                  (key, value)]))  # fmt: skip
    for value in request.path_params.values():
        if isinstance(value, str) and _quoted(value, message):
            segments = path.split("/")
            at = [i for i, seg in enumerate(segments) if seg == value]
            if at:
                segments[at[-1]] = suggested
                return Suggestion(suggested, href("/".join(segments), params))
    hits = [i for i, (_, v) in enumerate(params) if _quoted(v, message)]
    if hits:
        i = hits[0]
        fixed = [*params[:i], (params[i][0], suggested), *params[i + 1 :]]
        return Suggestion(suggested, href(path, fixed))
    return Suggestion(suggested, None)
