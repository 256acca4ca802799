"""The registry of participation events: when a country's participation in a programme was
suspended, restricted, resumed or sanctioned, each event cited to the sentence it rests on.

The registry is two JSON files of the same form (an object whose ``events`` list holds one
object per event; docs/history.md gives the format): the checked-in one packaged with fmtr
(``events.json`` beside this module), and the user's own, which ``fmtr events add`` extends: a
path the user gives, else $FMTR_EVENTS, else ``events.json`` in the user data folder
(platformdirs). The installed package is never written to. ``load_events`` reads both and
validates them together; ``validate_entries`` checks new entries; ``append_events`` adds checked
entries to the user's file. A malformed entry raises ``EventError`` listing every reason, so a
bad registry never loads half-way and a bad entry never reaches the file.

Dates carry their precision (day, month, year, fiscal year): ``Dated.first_day``/``last_day``
bound what the date may mean, and the query layer keeps that uncertainty visible instead of
picking one day (fmtr.query.history).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from fmtr.clean.countries import country_code
from fmtr.clean.programmes import programme_code
from fmtr.errors import InputError
from fmtr.extras import DISTRIBUTION

KINDS = ("suspended", "restricted", "resumed", "sanctioned")
PRECISIONS = ("day", "month", "year", "fiscal_year")
ALL_SECURITY_ASSISTANCE = "all security assistance"

_EVENT_KEYS = {
    "id",
    "country",
    "programmes",
    "kind",
    "effective",
    "until",
    "announced",
    "authority",
    "note",
    "sources",
}
_REQUIRED = ("country", "programmes", "kind", "effective", "authority", "sources")
_SOURCE_KEYS = {"title", "author", "publisher", "date", "url", "sentence"}
_DATE_FORMS = {
    "day": re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"),
    "month": re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})"),
    "year": re.compile(r"(?P<y>[0-9]{4})"),
    "fiscal_year": re.compile(r"(?:FY\s*)?(?P<y>[0-9]{4})", re.I),
}
_SOURCE_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class EventError(InputError):
    """Registry entries that cannot be accepted; ``reasons`` lists every problem found."""

    code = "bad_event"

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("the events registry refuses this: " + "; ".join(self.reasons))


def fiscal_year_of(day: date) -> int:
    """The US federal fiscal year of a day: FY N runs from 1 October N-1 to 30 September N."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_days(fy: int) -> tuple[date, date]:
    return date(fy - 1, 10, 1), date(fy, 9, 30)


@dataclass(frozen=True)
class Dated:
    """A date as the source gives it: "2020-01-04" (day), "2020-01" (month), "2018" (year) or
    "FY2018" (fiscal_year)."""

    text: str
    precision: str
    first_day: date
    last_day: date

    @property
    def fiscal_years(self) -> range:
        return range(fiscal_year_of(self.first_day), fiscal_year_of(self.last_day) + 1)

    def __str__(self) -> str:
        return self.text if self.precision != "fiscal_year" else f"FY{self.first_day.year + 1}"


def parse_dated(value: Any, what: str) -> Dated:
    """A {"date": ..., "precision": ...} object; ValueError names ``what`` and the problem."""
    if not isinstance(value, dict) or set(value) - {"date", "precision"}:
        raise ValueError(f"{what} must be an object with keys date and precision, not {value!r}")
    text, precision = value.get("date"), value.get("precision")
    if precision not in PRECISIONS:
        raise ValueError(f"{what}: precision must be one of {', '.join(PRECISIONS)}")
    if not isinstance(text, str):
        raise ValueError(f"{what}: date missing")
    m = _DATE_FORMS[precision].fullmatch(text.strip())
    if m is None:
        raise ValueError(f"{what}: {text!r} is not a date of precision {precision}")
    y = int(m.group("y"))
    try:
        if precision == "day":
            first = last = date(y, int(m.group("m")), int(m.group("d")))
        elif precision == "month":
            first = date(y, int(m.group("m")), 1)
            last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        elif precision == "year":
            first, last = date(y, 1, 1), date(y, 12, 31)
        else:
            first, last = fiscal_year_days(y)
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a real date") from None
    return Dated(text.strip(), precision, first, last)


@dataclass(frozen=True)
class Source:
    title: str
    author: str | None
    publisher: str | None
    date: str
    url: str | None
    sentence: str

    def citation(self) -> str:
        by = ", ".join(x for x in (self.author, self.publisher) if x)
        return f'"{self.title}", {by}, {self.date}' + (f", {self.url}" if self.url else "")


@dataclass(frozen=True)
class Event:
    id: str
    country_code: str
    country: str  # the reference name of country_code
    programmes: tuple[str, ...]  # canonical codes, or (ALL_SECURITY_ASSISTANCE,)
    kind: str
    effective: Dated
    until: Dated | None
    announced: Dated | None
    authority: str
    sources: tuple[Source, ...]
    note: str | None = None

    def covers(self, programme: str | None) -> bool:
        """Whether this event concerns ``programme`` (a canonical code; None: any)."""
        return (
            programme is None
            or ALL_SECURITY_ASSISTANCE in self.programmes
            or programme in self.programmes
        )


def _text(entry: dict[str, Any], key: str, reasons: list[str], *, required: bool) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            reasons.append(f"{key} missing")
        return None
    if not isinstance(value, str) or not value.strip():
        reasons.append(f"{key} must be a non-empty text")
        return None
    return value.strip()


def _sources(raw: Any, reasons: list[str]) -> tuple[Source, ...]:
    if not isinstance(raw, list) or not raw:
        reasons.append("no source: an event needs at least one source")
        return ()
    out: list[Source] = []
    for i, item in enumerate(raw, 1):
        problems: list[str] = []
        if not isinstance(item, dict):
            reasons.append(f"source {i} must be an object")
            continue
        if extra := sorted(set(item) - _SOURCE_KEYS):
            problems.append(f"unknown key(s) {', '.join(extra)}")
        title = _text(item, "title", problems, required=True)
        author = _text(item, "author", problems, required=False)
        publisher = _text(item, "publisher", problems, required=False)
        if author is None and publisher is None:
            problems.append("author or publisher missing")
        when = _text(item, "date", problems, required=True)
        if when is not None and not _SOURCE_DATE.fullmatch(when):
            problems.append(f"date {when!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        url = _text(item, "url", problems, required=False)
        if url is not None and not url.startswith(("https://", "http://")):
            problems.append(f"url {url!r} is not an http(s) URL")
        sentence = _text(item, "sentence", problems, required=True)
        reasons.extend(f"source {i}: {p}" for p in problems)
        if not problems and title and when and sentence:
            out.append(Source(title, author, publisher, when, url, sentence))
    return tuple(out)


def _programmes(raw: Any, reasons: list[str]) -> tuple[str, ...]:
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        reasons.append(
            f'programmes must be a list of programme names or "{ALL_SECURITY_ASSISTANCE}"'
        )
        return ()
    codes: list[str] = []
    for name in names:
        if name.strip().lower() == ALL_SECURITY_ASSISTANCE:
            codes.append(ALL_SECURITY_ASSISTANCE)
        elif (p := programme_code(name)) is not None:
            codes.append(p.code)
        else:
            reasons.append(f"unknown programme {name!r}")
    if ALL_SECURITY_ASSISTANCE in codes and len(codes) > 1:
        reasons.append(f'"{ALL_SECURITY_ASSISTANCE}" cannot be combined with named programmes')
    return tuple(dict.fromkeys(codes))


def _dated(entry: dict[str, Any], key: str, reasons: list[str]) -> Dated | None:
    if entry.get(key) is None:
        return None
    try:
        return parse_dated(entry[key], key)
    except ValueError as exc:
        reasons.append(str(exc))
        return None


def default_id(entry: dict[str, Any]) -> str:
    """An id for an entry that gives none: country, programmes, kind and effective date."""
    progs = entry.get("programmes")
    progs = [progs] if isinstance(progs, str) else progs or []
    effective = entry.get("effective") or {}
    parts = [str(entry.get("country", "")), *map(str, progs), str(entry.get("kind", ""))]
    parts.append(str(effective.get("date", "")) if isinstance(effective, dict) else "")
    return "-".join(re.sub(r"[^A-Za-z0-9]+", "", p) for p in parts if p)


def parse_event(entry: Any) -> Event:
    """One registry entry, checked; EventError lists every problem."""
    if not isinstance(entry, dict):
        raise EventError([f"an event must be an object, not {type(entry).__name__}"])
    reasons: list[str] = []
    if extra := sorted(set(entry) - _EVENT_KEYS):
        reasons.append(f"unknown key(s) {', '.join(extra)}")
    reasons.extend(f"{k} missing" for k in _REQUIRED if entry.get(k) is None and k != "sources")
    ident = entry.get("id") or default_id(entry)
    if not isinstance(ident, str) or not _ID.fullmatch(ident):
        reasons.append(f"id {ident!r} must be letters, digits, '.', '_' or '-'")
    country = None
    if isinstance(entry.get("country"), str):
        country = country_code(entry["country"])
        if country is None:
            reasons.append(f"unknown country {entry['country']!r}")
    elif entry.get("country") is not None:
        reasons.append("country must be a name")
    programmes = _programmes(entry["programmes"], reasons) if "programmes" in entry else ()
    kind = entry.get("kind")
    if kind is not None and kind not in KINDS:
        reasons.append(f"kind {kind!r} must be one of {', '.join(KINDS)}")
    effective = _dated(entry, "effective", reasons)
    until = _dated(entry, "until", reasons)
    announced = _dated(entry, "announced", reasons)
    if effective and until and until.last_day < effective.first_day:
        reasons.append(f"end before start: until {until} precedes effective {effective}")
    if until is not None and kind == "resumed":
        reasons.append("a resumption has no end (until): record a new suspension instead")
    authority = entry.get("authority")
    if authority is not None and (not isinstance(authority, str) or not authority.strip()):
        reasons.append("authority must be a non-empty text (the authority or the reason)")
    note = _text(entry, "note", reasons, required=False)
    sources = _sources(entry.get("sources"), reasons)
    if reasons or country is None or effective is None or not isinstance(kind, str):
        raise EventError([f"event {ident}: {r}" for r in reasons] or [f"event {ident}: invalid"])
    return Event(
        ident,
        country.code,
        country.name,
        programmes,
        kind,
        effective,
        until,
        announced,
        str(authority).strip(),
        sources,
        note,
    )


def validate_entries(entries: Iterable[Any], existing: Iterable[Event] = ()) -> list[Event]:
    """Check entries (and that their ids are new); EventError lists every problem."""
    seen = {e.id for e in existing}
    reasons: list[str] = []
    events: list[Event] = []
    for entry in entries:
        try:
            event = parse_event(entry)
        except EventError as exc:
            reasons.extend(exc.reasons)
            continue
        if event.id in seen:
            reasons.append(f"event {event.id}: id already in the registry")
        seen.add(event.id)
        events.append(event)
    if reasons:
        raise EventError(reasons)
    return events


ENV_VAR = "FMTR_EVENTS"
_NEW_REGISTRY = {
    "about": "Events added with `fmtr events add`, read together with the registry packaged "
    "with fmtr (docs/history.md gives the format).",
    "events": [],
}


def registry_path() -> Path:
    """The checked-in registry file, packaged with fmtr."""
    return Path(str(resources.files("fmtr.clean").joinpath("events.json")))


def user_registry_path() -> Path:
    """The registry the user extends: $FMTR_EVENTS, else events.json in the user data folder
    (~/.local/share/fmtr on Linux, ~/Library/Application Support/fmtr on macOS,
    %LOCALAPPDATA%\\fmtr on Windows)."""
    import platformdirs

    if value := os.environ.get(ENV_VAR):
        return Path(value)
    return platformdirs.user_data_path("fmtr", appauthor=False) / "events.json"


def _installed_package_dir() -> Path | None:
    """The folder of the installed fmtr package, from the distribution's record of the files it
    installed; None when fmtr runs from a source tree (an editable install records none)."""
    try:
        files = metadata.files(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.parts == ("fmtr", "__init__.py"):
            return Path(str(f.locate())).resolve().parent
    return None


def _is_packaged(path: Path) -> bool:
    return path.resolve() == registry_path().resolve()


def _in_installed_package(path: Path) -> bool:
    package = _installed_package_dir()
    return package is not None and path.resolve().is_relative_to(package)


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise EventError([f"{path}: not valid JSON ({exc})"]) from None
    except UnicodeDecodeError:
        raise EventError([f"{path}: not UTF-8 text"]) from None
    except OSError as exc:
        raise EventError([f"{path}: cannot read it ({exc.strerror or exc})"]) from None


def _read(path: Path) -> dict[str, Any]:
    data = _json(path)
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise EventError([f"{path}: expected an object with an 'events' list"])
    return data


def _packaged() -> tuple[list[Any], list[Event]]:
    raw = _read(registry_path())["events"]
    return raw, validate_entries(raw)


def _users_own(path: Path, raw_packaged: list[Any], packaged: list[Event]) -> list[Event]:
    """The events of the user's registry at ``path``, checked against the packaged ones. An
    entry identical to a packaged one (a copy of the old registry, or an event fmtr has since
    shipped itself) is the same event, read once; another entry under a packaged id is refused."""
    shipped = {e.get("id"): e for e in raw_packaged if isinstance(e, dict)}
    raw = [
        e
        for e in _read(path)["events"]
        if not (isinstance(e, dict) and shipped.get(e.get("id")) == e)
    ]
    try:
        return validate_entries(raw, packaged)
    except EventError as exc:
        raise EventError([f"{path}: {r}" for r in exc.reasons]) from None


def load_events(path: Path | None = None) -> list[Event]:
    """Every event: the packaged registry's and the user's (``path``, else
    ``user_registry_path()``, which may not exist yet), validated together."""
    raw_packaged, packaged = _packaged()
    user = path or user_registry_path()
    if _is_packaged(user):
        return packaged
    if not user.exists():
        if path is not None:  # a path the user gave: a typo must not look like an empty registry
            raise EventError([f"{path}: no such events registry"])
        return packaged
    return packaged + _users_own(user, raw_packaged, packaged)


def read_entries(path: Path) -> list[Any]:
    """New entries from a JSON file: one event object, a list of them, or {"events": [...]}."""
    data = _json(path)
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        return list(data["events"])
    return data if isinstance(data, list) else [data]


def append_events(entries: list[Any], path: Path | None = None) -> tuple[list[Event], Path]:
    """Validate ``entries`` against every event and append them (ids filled in) to the user's
    registry (``path``, else ``user_registry_path()``, created if missing); nothing is written
    when any is refused. The added events and the file written."""
    target = path or user_registry_path()
    if _in_installed_package(target):
        raise EventError(
            [
                f"{target} belongs to the installed fmtr package, which is never written to: "
                f"leave out --registry (your own registry: {user_registry_path()}) or give "
                f"another file"
            ]
        )
    raw_packaged, packaged = _packaged()
    data = _read(target) if target.exists() else json.loads(json.dumps(_NEW_REGISTRY))
    if _is_packaged(target):  # the checked-in file of a source tree, extended by its maintainers
        existing = packaged
    else:
        existing = packaged + (
            _users_own(target, raw_packaged, packaged) if target.exists() else []
        )
    added = validate_entries(entries, existing)
    for entry, event in zip(entries, added, strict=True):
        data["events"].append({"id": event.id, **{k: v for k, v in entry.items() if k != "id"}})
    # Written aside and renamed: a crash mid-write leaves the registry as it was.
    aside = target.with_name(target.name + ".writing")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        aside.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
        os.replace(aside, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            aside.unlink(missing_ok=True)
        raise EventError([f"{target}: cannot write it ({exc.strerror or exc})"]) from None
    return added, target


@dataclass(frozen=True)
class Suspension:
    """The span a suspension event is in force: from its effective date to its own end
    (``until``) or to the first later resumption covering its programmes, else still open.
    ``certain_*`` bound the days surely inside it, ``possible_*`` the days maybe inside it (the
    dates' precision); an open end is None."""

    event: Event
    ended_by: Event | None
    possible_first: date
    certain_first: date
    certain_last: date | None
    possible_last: date | None
    programmes: tuple[str, ...] = field(default=())

    def overlaps(self, first: date, last: date) -> bool:
        return last >= self.possible_first and (
            self.possible_last is None or first <= self.possible_last
        )

    def surely_meets(self, first: date, last: date) -> bool:
        """Some day of first..last is surely suspended."""
        last_sure = self.certain_last
        return (
            (last_sure is None or self.certain_first <= last_sure)
            and self.certain_first <= last
            and (last_sure is None or first <= last_sure)
        )

    def surely_covers(self, first: date, last: date) -> bool:
        return first >= self.certain_first and (
            self.certain_last is None or last <= self.certain_last
        )


def _resumes(resumption: Event, suspension: Event) -> bool:
    return (
        resumption.kind == "resumed"
        and resumption.country_code == suspension.country_code
        and resumption.effective.first_day >= suspension.effective.first_day
        and all(resumption.covers(p) for p in suspension.programmes)
    )


def suspensions(events: Iterable[Event], kinds: Sequence[str] = ("suspended",)) -> list[Suspension]:
    """The suspension spans of ``events`` (events of the given kinds), in date order."""
    evs = sorted(events, key=lambda e: (e.effective.first_day, e.id))
    out: list[Suspension] = []
    for s in (e for e in evs if e.kind in kinds):
        ended_by = None
        end: Dated | None = s.until
        if end is None:
            ended_by = next((r for r in evs if r is not s and _resumes(r, s)), None)
            end = ended_by.effective if ended_by else None
        out.append(
            Suspension(
                s,
                ended_by,
                s.effective.first_day,
                s.effective.last_day,
                # A resumption's own day is no longer suspended; an explicit end year is.
                None if end is None else end.first_day - timedelta(days=1 if ended_by else 0),
                end.last_day if end else None,
                s.programmes,
            )
        )
    return out
