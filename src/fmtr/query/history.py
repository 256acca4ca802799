"""Participation history: the registry's events beside what the reports show.

- ``detected_gaps``: from the data alone, per programme, the runs of fiscal years an edition
  covers but that list no training for the country, between years with training (``gaps``),
  before the first (``before``) and after the last (``after``); years no loaded edition covers
  are kept apart (``not_covered``): they are no evidence either way.
- ``timeline``: per fiscal year, from the first year with data (the first the Greenbook records
  an obligation under the programme's accounts, FY1950 for IMET; FY1999 without funding data)
  to FY2020: the training figures (counted blocks only, as fmtr.query.figures) and their status
  (reported / none reported / not covered), the obligations (Greenbook) and theirs (obligated /
  none recorded / net de-obligation / not covered), the registry's events that took effect, were
  announced, ended or were in force that year, the gaps detected in each source, and which
  sources cover the year (none: nothing is known of it). The transition quarter (TQ1976) is no
  fiscal year: its obligations are given apart (``transition_quarter``), never added to a year.
- ``suspension_trainings``: every training row (counted blocks) whose dates meet a suspension of
  its programme for its country, with provenance and marks (began before, ran past the end,
  only possibly inside because a date is known to the year, undated).

Event dates keep their precision (fmtr.clean.events.Dated): a suspension "in 2018" is possibly
in force from 1 January 2018 and surely from 31 December 2018; the marks say which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fmtr.clean.events import (
    ALL_SECURITY_ASSISTANCE,
    Event,
    Suspension,
    fiscal_year_days,
    fiscal_year_of,
    load_events,
    suspensions,
)
from fmtr.query.figures import NONE_REPORTED, NOT_COVERED, REPORTED, Figures, edition_of_year
from fmtr.query.funding import (
    OBLIGATED,
    FundingSource,
    Money,
    NoFundingData,
    funding_source,
    obligations_by_year,
)
from fmtr.query.resolve import (
    Database,
    ProgrammeRef,
    Recipient,
    connect,
    covered_fiscal_years,
    require_search_index,
    resolve_country,
    resolve_programme,
)
from fmtr.query.text import HIT_SELECT, TrainingHit, training_hit
from fmtr.store.sql import in_list, rows

# The fiscal years the 22 editions report (FY1999-2000 .. FY2020-2021 each count one year;
# FY2000 and FY2001 are printed twice): the span a timeline shows whatever is loaded.
FIRST_FY, LAST_FY = 1999, 2020

IN_FORCE = "in force"  # surely in force for the whole fiscal year
IN_FORCE_PART = "in force part of the year"  # surely in force for part of it, at least
POSSIBLY_IN_FORCE = "possibly in force"  # only if the imprecise dates fall that way
EFFECTIVE, ANNOUNCED, ENDED = "took effect", "announced", "ended"

Run = tuple[int, int]  # first and last fiscal year of a run of years


def _runs(years: list[int]) -> list[Run]:
    out: list[Run] = []
    for fy in sorted(years):
        if out and out[-1][1] == fy - 1:
            out[-1] = (out[-1][0], fy)
        else:
            out.append((fy, fy))
    return out


@dataclass
class ProgrammeGaps:
    programme: ProgrammeRef | None  # None: all programmes together
    years: list[int]  # fiscal years with training
    gaps: list[Run]  # covered years without training between years with training
    before: list[Run]  # covered years without training before the first year with training
    after: list[Run]  # ... after the last year with training
    not_covered: list[Run]  # years of the span no loaded edition covers


def _gaps(
    programme: ProgrammeRef | None, present: set[int], covered: set[int], first: int, last: int
) -> ProgrammeGaps:
    span = range(first, last + 1)
    not_covered = _runs([y for y in span if y not in covered])
    silent = [y for y in span if y in covered and y not in present]
    if not present:
        return ProgrammeGaps(programme, [], [], _runs(silent), [], not_covered)
    lo, hi = min(present), max(present)
    # Silent years are covered ones, so a year no edition covers (or one with training) ends a
    # run: nothing is known of an uncovered year either way.
    return ProgrammeGaps(
        programme,
        sorted(present),
        _runs([y for y in silent if lo < y < hi]),
        _runs([y for y in silent if y < lo]),
        _runs([y for y in silent if y > hi]),
        not_covered,
    )


def _present_years(conn: Any, code: str, programme: str | None) -> dict[str | None, set[int]]:
    """Fiscal years with training per programme code, and under None for any programme."""
    found = rows(
        conn,
        "SELECT fy, programme_code FROM year_figures WHERE country_code = :code AND rows > 0",
        {"code": code},
    )
    out: dict[str | None, set[int]] = {None: set()}
    for fy, prog in found:
        if programme is None or prog == programme:
            out.setdefault(prog, set()).add(fy)
            out[None].add(fy)
    return out


def detected_gaps(
    db: Database,
    country: str,
    programme: str | None = None,
    first_fy: int = FIRST_FY,
    last_fy: int = LAST_FY,
) -> list[ProgrammeGaps]:
    """The country's gaps in ``programme``; without one, for all programmes together (first)
    and then for each programme it ever had training in."""
    with connect(db) as conn:
        require_search_index(conn)
        recipient = resolve_country(conn, country)
        prog = resolve_programme(conn, programme) if programme is not None else None
        present = _present_years(conn, recipient.code, prog.code if prog else None)
        covered = set(covered_fiscal_years(conn))
        refs = {
            code: ProgrammeRef(code, name, family)
            for code, name, family in rows(conn, "SELECT code, name, family FROM programme")
        }
    if prog is not None:
        return [_gaps(prog, present.get(prog.code, set()), covered, first_fy, last_fy)]
    out = [_gaps(None, present[None], covered, first_fy, last_fy)]
    for code in sorted(c for c in present if c is not None):
        ref = refs.get(code, ProgrammeRef(code, code, code))
        out.append(_gaps(ref, present[code], covered, first_fy, last_fy))
    return out


@dataclass
class EventMark:
    event_id: str
    kind: str
    roles: list[str]  # EFFECTIVE, ANNOUNCED, ENDED, IN_FORCE, IN_FORCE_PART, POSSIBLY_IN_FORCE


NONE_RECORDED, DEOBLIGATED = "none recorded", "net de-obligation"
GREENBOOK, REPORTS = "Greenbook", "training reports"


@dataclass
class TimelineYear:
    fy: int
    status: str  # REPORTED | NONE_REPORTED | NOT_COVERED
    figures: Figures | None  # None when not covered
    editions: list[str]
    gap: str | None  # "gap", "before first training", "after last training" or None
    events: list[EventMark] = field(default_factory=list)
    # The Greenbook's obligations under the programme's accounts (all military accounts for
    # all programmes): OBLIGATED | NONE_RECORDED | DEOBLIGATED (rows summing to 0 or less) |
    # NOT_COVERED (no funding data, the year is outside it, or the programme has no account).
    funding_status: str = NOT_COVERED
    obligations: Money | None = None  # None when not covered
    funding_gap: str | None = None  # "gap", "before first obligation", "after last obligation"
    sources: list[str] = field(default_factory=list)  # GREENBOOK, REPORTS: what covers the year


@dataclass
class SuspensionSpan:
    event_id: str
    ended_by: str | None  # the resumption event ending it, when not its own ``until``
    possible_first: date
    certain_first: date
    certain_last: date | None  # None: still in force at the end of the registry
    possible_last: date | None
    programmes: list[str]


@dataclass
class EventMarker:
    """What a chart needs to mark one event: its fiscal year (of the first day its effective
    date may mean), a short label, and its sources for a tooltip and a list."""

    event_id: str
    kind: str
    fy: int
    effective: str  # as the source gives it ("2018", "2020-01-04", "FY2019")
    precision: str
    label: str  # "IMET suspended 2018"
    authority: str
    sources: list[str]  # citation, then the sentence, one text per source


def _marker(e: Event) -> EventMarker:
    return EventMarker(
        e.id,
        e.kind,
        fiscal_year_of(e.effective.first_day),
        str(e.effective),
        e.effective.precision,
        f"{', '.join(e.programmes)} {e.kind} {e.effective}",
        e.authority,
        [f"{s.citation()}: \u201c{s.sentence}\u201d" for s in e.sources],
    )


@dataclass
class Timeline:
    recipient: Recipient
    programme: ProgrammeRef | None
    first_fy: int
    last_fy: int
    years: list[TimelineYear]
    events: list[Event]  # the registry's events for this country (and programme), by date
    suspensions: list[SuspensionSpan]
    gaps: ProgrammeGaps
    markers: list[EventMarker]  # one per event, for a chart
    # The funding side: the accounts read (none: no funding data, or no account is this
    # programme), their gaps, the transition quarter's obligations (apart from every year) and
    # the workbook they come from.
    accounts: list[str] = field(default_factory=list)
    funding_gaps: ProgrammeGaps | None = None
    transition_quarter: Money | None = None
    funding: FundingSource | None = None


def _span(s: Suspension) -> SuspensionSpan:
    return SuspensionSpan(
        s.event.id,
        s.ended_by.id if s.ended_by else None,
        s.possible_first,
        s.certain_first,
        s.certain_last,
        s.possible_last,
        list(s.programmes),
    )


def _marks(fy: int, events: list[Event], spans: dict[str, Suspension]) -> list[EventMark]:
    first, last = fiscal_year_days(fy)
    marks: list[EventMark] = []
    for e in events:
        roles: list[str] = []
        if fy in e.effective.fiscal_years:
            roles.append(EFFECTIVE)
        if e.announced is not None and fy in e.announced.fiscal_years:
            roles.append(ANNOUNCED)
        if e.until is not None and fy in e.until.fiscal_years:
            roles.append(ENDED)
        if (s := spans.get(e.id)) is not None and s.overlaps(first, last):
            if s.surely_covers(first, last):
                roles.append(IN_FORCE)
            elif s.surely_meets(first, last):
                roles.append(IN_FORCE_PART)
            else:
                roles.append(POSSIBLY_IN_FORCE)
        if roles:
            marks.append(EventMark(e.id, e.kind, roles))
    return marks


def country_events(
    code: str, programme: str | None = None, registry: Path | None = None
) -> list[Event]:
    """The registry's events for a country code (and programme code), by effective date."""
    events = [e for e in load_events(registry) if e.country_code == code and e.covers(programme)]
    return sorted(events, key=lambda e: (e.effective.first_day, e.id))


def _funding_years(
    conn: Any, code: str, prog: ProgrammeRef | None
) -> tuple[FundingSource | None, list[str], dict[int | None, Money], int | None]:
    """The funding side of a timeline: the source, the accounts read, the obligations per
    fiscal year (None: the transition quarter) and the first fiscal year any recipient has an
    obligation under these accounts."""
    try:
        source = funding_source(conn)
    except NoFundingData:
        return None, [], {}, None
    if prog is not None:
        accounts = [
            a
            for (a,) in rows(
                conn,
                "SELECT account FROM funding_account WHERE programme_code = :programme "
                "ORDER BY account",
                {"programme": prog.code},
            )
        ]
        if not accounts:
            return source, [], {}, None
    else:
        accounts = []  # every military account
    by_year, first = obligations_by_year(conn, code, accounts or None)
    if not accounts:
        accounts = ["every account of the Military category"]
    return source, accounts, by_year, first


def timeline(
    db: Database,
    country: str,
    programme: str | None = None,
    registry: Path | None = None,
    first_fy: int | None = None,
    last_fy: int = LAST_FY,
) -> Timeline:
    """Per fiscal year: the country's trainees and cost (one programme, or all) and the
    obligations under the programme's accounts, their statuses, the registry's events and the
    gaps detected in each. ``first_fy`` None: from the first year with data (the first year
    the Greenbook has an obligation under these accounts for anyone, if earlier than FY1999)."""
    with connect(db) as conn:
        require_search_index(conn)
        recipient = resolve_country(conn, country)
        prog = resolve_programme(conn, programme) if programme is not None else None
        source, accounts, money, first_money = _funding_years(conn, recipient.code, prog)
        if first_fy is None:
            first_fy = min(FIRST_FY, first_money) if first_money is not None else FIRST_FY
        where, params = "country_code = :code", {"code": recipient.code}
        if prog is not None:
            where += " AND programme_code = :programme"
            params["programme"] = prog.code
        found = rows(
            conn,
            "SELECT fy, sum(trainees), sum(cost_cents), sum(rows), sum(rows_without_quantity), "
            f"sum(rows_without_cost) FROM year_figures WHERE {where} GROUP BY fy",
            params,
        )
        editions = edition_of_year(conn)
        covered = set(covered_fiscal_years(conn))
    by_year = {r[0]: Figures(*(int(v) for v in r[1:6])) for r in found}
    present = {fy for fy, f in by_year.items() if f.rows}
    gaps = _gaps(prog, present, covered, first_fy, last_fy)
    funded = set(range(source.first_fy, source.last_fy + 1)) if source and accounts else set[int]()
    obligated = {fy for fy, m in money.items() if fy is not None and m.current_dollars > 0}
    funding_gaps = _gaps(prog, obligated, funded, first_fy, last_fy) if funded else None
    in_funding_gap: dict[int, str] = {}
    if funding_gaps is not None:
        for runs, label in (
            (funding_gaps.gaps, "gap"),
            (funding_gaps.before, "before first obligation"),
            (funding_gaps.after, "after last obligation"),
        ):
            in_funding_gap |= {y: label for a, b in runs for y in range(a, b + 1)}
    events = country_events(recipient.code, prog.code if prog else None, registry)
    spans = {s.event.id: s for s in suspensions(events)}
    in_gap = {y: "gap" for a, b in gaps.gaps for y in range(a, b + 1)}
    in_gap |= {y: "before first training" for a, b in gaps.before for y in range(a, b + 1)}
    in_gap |= {y: "after last training" for a, b in gaps.after for y in range(a, b + 1)}
    years: list[TimelineYear] = []
    for fy in range(first_fy, last_fy + 1):
        if fy not in covered:
            status, figures = NOT_COVERED, None
        elif fy in present:
            status, figures = REPORTED, by_year[fy]
        else:
            status, figures = NONE_REPORTED, Figures()
        marks = _marks(fy, events, spans)
        if fy not in funded:
            f_status, m = NOT_COVERED, None
        else:
            m = money.get(fy, Money())
            f_status = (
                OBLIGATED if m.current_dollars > 0 else DEOBLIGATED if m.rows else NONE_RECORDED
            )
        sources = [GREENBOOK] * (fy in funded) + [REPORTS] * (fy in covered)
        years.append(
            TimelineYear(
                fy,
                status,
                figures,
                editions.get(fy, []),
                in_gap.get(fy),
                marks,
                f_status,
                m,
                in_funding_gap.get(fy),
                sources,
            )
        )
    return Timeline(
        recipient,
        prog,
        first_fy,
        last_fy,
        years,
        events,
        [_span(s) for s in spans.values()],
        gaps,
        [_marker(e) for e in events],
        accounts,
        funding_gaps,
        money.get(None) if funded and first_fy <= 1976 < last_fy else None,
        source,
    )


@dataclass
class SuspensionTraining:
    """A training row whose dates meet a suspension of its programme for its country."""

    suspension: str  # the suspension event's id
    training: TrainingHit  # the row, with provenance
    began_before: bool  # started before the suspension could have begun
    ran_past_end: bool  # ended after the suspension surely ended
    surely_inside: bool  # its dates lie within the days surely suspended
    undated: bool  # no dates printed: its fiscal year stands in for them


@dataclass
class SuspensionCheck:
    suspensions: list[SuspensionSpan]
    rows: list[SuspensionTraining]


def _row_days(hit: TrainingHit) -> tuple[date, date, bool]:
    start = date.fromisoformat(hit.start_on) if hit.start_on else None
    end = date.fromisoformat(hit.end_on) if hit.end_on else None
    if start is not None or end is not None:
        first = start or end
        last = end or start
        assert first is not None and last is not None
        return first, max(first, last), False
    if hit.fy is None:
        raise ValueError(f"training row {hit.training_id} has neither dates nor fiscal year")
    fy_first, fy_last = fiscal_year_days(hit.fy)
    return fy_first, fy_last, True


def suspension_trainings(
    db: Database,
    country: str | None = None,
    programme: str | None = None,
    registry: Path | None = None,
) -> SuspensionCheck:
    """Every counted training row whose dates meet a suspension (registry kind "suspended") of
    its programme for its country, the suspensions in date order and the rows by start date. A
    row counts if any of its days is possibly suspended; the marks say how sure that is."""
    events = load_events(registry)
    with connect(db) as conn:
        code = resolve_country(conn, country).code if country is not None else None
        prog = resolve_programme(conn, programme).code if programme is not None else None
        spans = [
            s
            for s in suspensions(events)
            if (code is None or s.event.country_code == code)
            and (prog is None or s.event.covers(prog))
        ]
        found: list[SuspensionTraining] = []
        for s in spans:
            found += _rows_in(conn, s, prog)
    found.sort(key=lambda r: (r.suspension, r.training.start_on or "", r.training.training_id))
    return SuspensionCheck([_span(s) for s in spans], found)


def _rows_in(conn: Any, s: Suspension, programme: str | None) -> list[SuspensionTraining]:
    where = ["b.counted = TRUE", "b.country_code = :code"]
    params: dict[str, Any] = {"code": s.event.country_code}
    if ALL_SECURITY_ASSISTANCE not in s.programmes:
        marks, listed = in_list("programme", list(s.programmes))
        where.append(f"b.programme_code IN ({marks})")
        params.update(listed)
    if programme is not None:
        where.append("b.programme_code = :asked")
        params["asked"] = programme
    # Dated rows are narrowed in SQL; undated ones by their fiscal year below.
    last = s.possible_last.isoformat() if s.possible_last else "9999-12-31"
    where.append(
        "((t.start_on IS NULL AND t.end_on IS NULL) OR "
        "(coalesce(t.end_on, t.start_on) >= :first AND coalesce(t.start_on, t.end_on) <= :last))"
    )
    params.update(first=s.possible_first.isoformat(), last=last)
    found = rows(conn, f"{HIT_SELECT} WHERE {' AND '.join(where)}", params)
    out: list[SuspensionTraining] = []
    for row in found:
        hit = training_hit(row)
        first, last_day, undated = _row_days(hit)
        if not s.overlaps(first, last_day):
            continue
        out.append(
            SuspensionTraining(
                s.event.id,
                hit,
                first < s.possible_first,
                s.certain_last is not None and last_day > s.certain_last,
                s.surely_covers(first, last_day),
                undated,
            )
        )
    return out
