"""Money beside training: the Greenbook's obligations (``funding_obligation``) per recipient,
account and fiscal year, and beside what the training reports list.

- ``funding_series``: one recipient's obligations per period and account, every period of the
  span (a period with no row is "none recorded": the Greenbook records no obligation then).
- ``funding_top``: recipients of an account (or a programme's accounts) ranked over a span.
- ``largest``: "who was the largest recipient" under every measure at once: obligations in
  current and in constant 2020 dollars (Greenbook), course costs and trainees listed in the
  reports (counted editions, as fmtr.query.figures), with the ranks each recipient has under
  each measure and why the measures can disagree.
- ``obligations_and_courses``: per fiscal year, a recipient's obligations beside the course
  costs and trainees the reports list for the programmes the accounts pay for, the cost per
  trainee and the share of the obligation that the reports list as courses.

Money stays exact: obligations in whole dollars (the Greenbook's unit), course costs in cents
(the reports'), both as Python integers; ratios are Decimals. Current dollars are the dollars
of the year obligated, constant dollars the Greenbook's constant 2020 dollars.

The transition quarter (TQ1976, July-September 1976) is a period of its own: a series shows it
between FY1976 and FY1977; a span's sums include it when the span holds both FY1976 and FY1977
(the quarter lies inside it in time), never otherwise, and every result says whether it did.
A fiscal-year table (``obligations_and_courses``, the timeline) has no row for it: it is never
added to FY1976 or FY1977.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from fmtr.clean.funding import TQ_LABEL
from fmtr.clean.programmes import programme_code
from fmtr.errors import Unavailable, UnknownName
from fmtr.query.errors import BadYearSpan, UnknownFiscalYear
from fmtr.query.figures import (
    NONE_REPORTED,
    NOT_COVERED,
    REPORTED,
    Figures,
    edition_of_year,
)
from fmtr.query.resolve import (
    Database,
    ProgrammeRef,
    Recipient,
    _suggest,
    connect,
    covered_fiscal_years,
    parse_fiscal_year,
    per_build,
    require_search_index,
    resolve_country,
    resolve_programme,
)
from fmtr.store.sql import fast_rows, in_list, rows

OBLIGATED, NONE_RECORDED = "obligated", "none recorded"
CURRENT, CONSTANT = "current", "constant"
TQ_YEAR = 1976  # the transition quarter follows FY1976 and precedes FY1977
# Recipients that are countries (ISO or historic codes, and Kosovo); groups ("World (not
# specified)"), organisations and fmtr's other codes are listed apart in ``largest``.
COUNTRY_KINDS = ("iso", "historic")
COUNTRY_CODES = ("XKX",)


def is_country(code: str, kind: str) -> bool:
    return kind in COUNTRY_KINDS or code in COUNTRY_CODES


class UnknownAccount(UnknownName):
    """An account or programme that names no Greenbook account (or, where a programme is
    needed, an account that is none of fmtr's programmes)."""

    code = "unknown_account"


class NoFundingData(Unavailable):
    """The database holds no funding data (built without the Greenbook): the question is
    well formed, this database cannot answer it."""

    code = "no_funding_data"


@dataclass(frozen=True)
class FundingSource:
    """Where the figures come from: the workbook as loaded."""

    dataset: str
    file: str
    sheet: str
    url: str
    home: str
    sha256: str
    prepared: str | None
    first_fy: int
    last_fy: int


@dataclass(frozen=True)
class AccountRef:
    """What ``--account`` named: one of fmtr's programmes (its accounts), or one account."""

    label: str  # "IMET", or the account's name
    programme: ProgrammeRef | None  # when the accounts are this programme
    accounts: tuple[str, ...]
    pays_for: tuple[str, ...]  # programme codes whose courses these accounts pay for


@dataclass
class Money:
    current_dollars: int = 0
    constant_dollars: int = 0
    rows: int = 0  # Greenbook rows summed

    def add(self, other: Money) -> None:
        self.current_dollars += other.current_dollars
        self.constant_dollars += other.constant_dollars
        self.rows += other.rows

    def dollars(self, which: str) -> int:
        return self.constant_dollars if which == CONSTANT else self.current_dollars


def _measure(constant: bool) -> str:
    return CONSTANT if constant else CURRENT


def funding_source(conn: Connection) -> FundingSource:
    """The loaded Greenbook; NoFundingData when the database has none."""
    found: FundingSource | None = per_build(conn, "funding_source", _funding_source)
    if found is None:
        raise NoFundingData(
            "the database holds no funding data: build it with the Greenbook "
            "(`fmtr build --funding DIR`, or $FMTR_FUNDING)"
        )
    return found


def _funding_source(conn: Connection) -> FundingSource | None:
    found = rows(
        conn,
        "SELECT dataset, file, sheet, url, home, sha256, prepared, first_fy, last_fy "
        "FROM funding_file WHERE dataset = 'greenbook'",
    )
    return FundingSource(*found[0]) if found else None


def _accounts(conn: Connection) -> list[tuple[str, str | None, str]]:
    found = rows(
        conn, "SELECT account, programme_code, pays_for FROM funding_account ORDER BY account"
    )
    return [(a, p, f) for a, p, f in found]


def resolve_account(conn: Connection, text: str) -> AccountRef:
    """The accounts ``text`` names: a programme code or name ("IMET", "FMF": every account that
    is that programme) or a Greenbook account name, in any case ("Excess Defense Articles")."""
    raw = text.strip()
    accounts = per_build(conn, "funding_accounts", _accounts)
    by_programme: dict[str, list[tuple[str, str]]] = {}
    for account, prog, pays in accounts:
        if prog:
            by_programme.setdefault(prog, []).append((account, pays))
    code = raw.upper() if raw.upper() in by_programme else None
    if code is None and (found := programme_code(raw)) is not None and found.code in by_programme:
        code = found.code
    if code is not None:
        programme_ref = resolve_programme(conn, code)
        pays_for: list[str] = []
        for _, pays in by_programme[code]:
            pays_for += [p for p in pays.split() if p not in pays_for]
        return AccountRef(
            code, programme_ref, tuple(a for a, _ in by_programme[code]), tuple(pays_for)
        )
    for account, prog, pays in accounts:
        if account.casefold() == raw.casefold():
            prog_ref = resolve_programme(conn, prog) if prog else None
            return AccountRef(account, prog_ref, (account,), tuple(pays.split()))
    choices = list(by_programme) + [a for a, _, _ in accounts]
    raise UnknownAccount(
        f"unknown account {raw!r} (a programme code such as IMET, FMF, PKO, or a Greenbook "
        "account name)",
        _suggest(raw, choices) if raw else None,
    )


def _year(source: FundingSource, text: str | int) -> int:
    year = parse_fiscal_year(text)
    if not source.first_fy <= year <= source.last_fy:
        nearest = min(max(year, source.first_fy), source.last_fy)
        raise UnknownFiscalYear(
            f"fiscal year {text!r} is not in the Greenbook (it covers FY{source.first_fy}-"
            f"FY{source.last_fy})",
            f"FY{nearest}",
        )
    return year


def resolve_funding_span(
    source: FundingSource,
    start: str | int | None,
    end: str | int | None,
    default: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """(first, last) fiscal year of a span within the Greenbook's; an open end is ``default``'s
    (the Greenbook's own span when None)."""
    lo, hi = default or (source.first_fy, source.last_fy)
    first = _year(source, start) if start is not None else lo
    last = _year(source, end) if end is not None else hi
    if first > last:
        raise BadYearSpan(
            f"the span is reversed: FY{first} comes after FY{last}",
            f"--from FY{last} --to FY{first}",
        )
    return first, last


def holds_transition_quarter(first: int, last: int) -> bool:
    """Whether a span of fiscal years holds the transition quarter (both FY1976 and FY1977)."""
    return first <= TQ_YEAR < last


def _span_where(first: int, last: int) -> tuple[str, dict[str, Any]]:
    span = {"span_first": first, "span_last": last}
    if holds_transition_quarter(first, last):
        return "(o.fy BETWEEN :span_first AND :span_last OR o.fy IS NULL)", span
    return "o.fy BETWEEN :span_first AND :span_last", span


def _in(column: str, name: str, values: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    """``column IN (...)`` with a parameter per value, named ``name`` and a number."""
    marks, params = in_list(name, values)
    return f"{column} IN ({marks})", params


def periods(first: int, last: int) -> list[tuple[str, int | None]]:
    """(label, fy) of every period of a span, the transition quarter in its place."""
    out: list[tuple[str, int | None]] = []
    for fy in range(first, last + 1):
        out.append((f"FY{fy}", fy))
        if fy == TQ_YEAR and holds_transition_quarter(first, last):
            out.append((TQ_LABEL, None))
    return out


def obligations_by_year(
    conn: Connection, code: str, accounts: list[str] | None
) -> tuple[dict[int | None, Money], int | None]:
    """A recipient's obligations per fiscal year (None: the transition quarter) under these
    accounts (None: every account of the Military category), and the first fiscal year anyone
    has an obligation under them."""
    params: dict[str, Any] = {}
    if accounts is None:
        which = "o.category = 'Military'"
    else:
        which, params = _in("o.account", "account", tuple(accounts))
    found = fast_rows(
        conn,
        "SELECT o.fy, sum(o.current_dollars), sum(o.constant_dollars), count(*) "
        f"FROM funding_obligation o WHERE o.country_code = :code AND {which} GROUP BY o.fy",
        {"code": code, **params},
    )
    # A fact of the build (every recipient's rows): kept per build, as the years covered are.
    first = per_build(
        conn,
        f"funding_first_fy:{which}:{sorted(params.items())}",
        lambda c: fast_rows(
            c,
            f"SELECT min(o.fy) FROM funding_obligation o WHERE {which} AND o.current_dollars > 0",
            params,
        )[0][0],
    )
    return {r[0]: Money(int(r[1]), int(r[2]), int(r[3])) for r in found}, first


# --- one recipient's series ------------------------------------------------------------------


@dataclass
class FundingPoint:
    period: str  # "FY2003", "TQ1976"
    fy: int | None  # None: the transition quarter
    status: str  # OBLIGATED | NONE_RECORDED
    money: Money
    by_account: dict[str, Money]
    rows: list[int]  # the sheet rows summed (provenance)


@dataclass
class FundingSeries:
    recipient: Recipient
    account: AccountRef | None  # None: every account
    first_fy: int
    last_fy: int
    transition_quarter: bool  # the span holds it (and ``points`` has it)
    total: Money
    points: list[FundingPoint]
    source: FundingSource


def funding_series(
    db: Database,
    country: str,
    account: str | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
) -> FundingSeries:
    """A recipient's obligations per period of the span, per account (one programme's or one
    account's, or all of them), in current and constant dollars, with the sheet rows."""
    with connect(db) as conn:
        source = funding_source(conn)
        recipient = resolve_country(conn, country)
        ref = resolve_account(conn, account) if account is not None else None
        first, last = resolve_funding_span(source, start, end)
        where, params = _span_where(first, last)
        where = f"o.country_code = :code AND {where}"
        params["code"] = recipient.code
        if ref is not None:
            accounts, listed = _in("o.account", "account", ref.accounts)
            where += f" AND {accounts}"
            params.update(listed)
        found = fast_rows(
            conn,
            "SELECT o.period, o.account, o.row, o.current_dollars, o.constant_dollars "
            f"FROM funding_obligation o WHERE {where} ORDER BY o.row",
            params,
        )
    by_period: dict[str, FundingPoint] = {}
    total = Money()
    for label, fy in periods(first, last):
        by_period[label] = FundingPoint(label, fy, NONE_RECORDED, Money(), {}, [])
    for period, acct, sheet_row, cur, con in found:
        point = by_period[period]
        money = Money(int(cur), int(con), 1)
        point.by_account.setdefault(acct, Money()).add(money)
        point.money.add(money)
        point.rows.append(int(sheet_row))
        point.status = OBLIGATED
        total.add(money)
    return FundingSeries(
        recipient,
        ref,
        first,
        last,
        holds_transition_quarter(first, last),
        total,
        list(by_period.values()),
        source,
    )


# --- ranking ---------------------------------------------------------------------------------


@dataclass
class FundedRecipient:
    rank: int
    code: str
    name: str
    kind: str
    money: Money
    periods: int  # periods of the span with an obligation


@dataclass
class FundingTop:
    account: AccountRef
    first_fy: int
    last_fy: int
    transition_quarter: bool  # whether the sums include it
    by: str  # CURRENT | CONSTANT
    recipients: list[FundedRecipient]
    recipients_total: int  # recipients with any obligation in the span, before the limit
    total: Money  # every recipient together
    source: FundingSource


def _money_by_recipient(
    conn: Connection, accounts: tuple[str, ...], first: int, last: int
) -> list[tuple[str, str, str, Money, int]]:
    """(code, name, kind, money, periods with obligations) per recipient of these accounts."""
    where, params = _span_where(first, last)
    which, listed = _in("o.account", "account", accounts)
    found = fast_rows(
        conn,
        "SELECT o.country_code, min(coalesce(c.name, o.country_code)), "
        "min(coalesce(c.kind, 'unknown')), sum(o.current_dollars), sum(o.constant_dollars), "
        "count(*), count(DISTINCT o.period) "
        "FROM funding_obligation o LEFT JOIN country c ON c.code = o.country_code "
        f"WHERE {which} AND {where} GROUP BY o.country_code",
        {**listed, **params},
    )
    return [(r[0], r[1], r[2], Money(int(r[3]), int(r[4]), int(r[5])), int(r[6])) for r in found]


def funding_top(
    db: Database,
    account: str,
    start: str | int | None = None,
    end: str | int | None = None,
    constant: bool = False,
    limit: int | None = 10,
) -> FundingTop:
    """Recipients of an account (or a programme's accounts) ranked by obligations over a span,
    in current or constant 2020 dollars."""
    by = _measure(constant)
    with connect(db) as conn:
        source = funding_source(conn)
        ref = resolve_account(conn, account)
        first, last = resolve_funding_span(source, start, end)
        found = _money_by_recipient(conn, ref.accounts, first, last)
    found.sort(key=lambda r: (-r[3].dollars(by), r[1], r[0]))
    total = Money()
    for r in found:
        total.add(r[3])
    kept = found if limit is None else found[:limit]
    return FundingTop(
        ref,
        first,
        last,
        holds_transition_quarter(first, last),
        by,
        [FundedRecipient(i, *r) for i, r in enumerate(kept, 1)],
        len(found),
        total,
        source,
    )


# --- the largest recipient under every measure -----------------------------------------------

OBLIGATIONS_CURRENT = "obligations_current"
OBLIGATIONS_CONSTANT = "obligations_constant"
COURSE_COSTS = "course_costs"
TRAINEES = "trainees"
MEASURES = {
    OBLIGATIONS_CURRENT: ("obligations, current dollars", "dollars", "Greenbook"),
    OBLIGATIONS_CONSTANT: ("obligations, constant 2020 dollars", "dollars", "Greenbook"),
    COURSE_COSTS: ("course costs listed in the reports", "cents", "training reports"),
    TRAINEES: ("trainees listed in the reports", "trainees", "training reports"),
}

# Why the measures can name different recipients (docs/definitions.md says more).
WHY_THEY_DIFFER = (
    "Obligations are money committed from the account in a fiscal year; the reports list "
    "courses with their cost. IMET obligations also pay for travel and living allowances, "
    "English-language training and laboratories, and cancellation fees, which no course line "
    "lists.",
    "Money obligated in one fiscal year can pay for courses held in another, so a span's "
    "obligations and its listed courses need not match year by year.",
    "Constant 2020 dollars weigh early years of a span more than current dollars do: a "
    "recipient whose money came early gains when inflation is taken out.",
    "Trainees count people per course line: many short, cheap courses (or mobile teams "
    "training whole units) raise trainees without raising costs.",
    "The reports list a course cost only where the cell gives one; lines without a cost add "
    "nothing to the course costs.",
    "The reports need not cover NATO members, Australia, Japan or New Zealand (Foreign "
    "Assistance Act section 656(a)(2), 22 U.S.C. 2416): those countries can have obligations "
    "and no course listed at all.",
)


@dataclass
class Ranked:
    rank: int
    code: str
    value: int


@dataclass
class MeasureRanking:
    measure: str  # OBLIGATIONS_CURRENT | OBLIGATIONS_CONSTANT | COURSE_COSTS | TRAINEES
    label: str
    unit: str  # "dollars" | "cents" | "trainees"
    source: str  # "Greenbook" | "training reports"
    first_fy: int | None  # the fiscal years this measure sums (None: no year of the span)
    last_fy: int | None
    leader: str | None  # the country ranked first (code)
    top: list[Ranked]  # countries only (is_country)
    total: int  # every recipient together, countries or not


@dataclass
class LargestRow:
    code: str
    name: str
    kind: str
    values: dict[str, int]  # measure -> value (0 when none)
    ranks: dict[str, int | None]  # measure -> rank among countries (None: not a country)


@dataclass
class Largest:
    programme: ProgrammeRef
    accounts: tuple[str, ...]  # the Greenbook accounts that are this programme
    training_programmes: tuple[str, ...]  # whose course costs and trainees count
    first_fy: int
    last_fy: int
    transition_quarter: bool  # whether the obligations include it
    measures: list[MeasureRanking]
    recipients: list[LargestRow]  # every country in a measure's top, and non-countries
    agree: bool  # one country leads under every measure
    notes: list[str]  # what the span covers under each source, and where the leaders differ
    why: list[str]  # why the measures can disagree
    source: FundingSource
    editions: dict[int, list[str]]  # the editions counted for each fiscal year of the span


def _both(source: FundingSource, covered: list[int]) -> tuple[int, int] | None:
    """The fiscal years both the Greenbook and the loaded reports cover (None: no overlap)."""
    if not covered:
        return None
    first, last = max(source.first_fy, covered[0]), min(source.last_fy, covered[-1])
    return (first, last) if first <= last else None


def _training_span(first: int, last: int, covered: list[int]) -> tuple[int, int]:
    """The part of a span the reports cover (first > last when none)."""
    if not covered:
        return first, first - 1
    return max(first, covered[0]), min(last, covered[-1])


def largest(
    db: Database,
    programme: str = "IMET",
    start: str | int | None = None,
    end: str | int | None = None,
    limit: int | None = 5,
) -> Largest:
    """The largest recipient of a programme over a span under every measure at once, each
    country's rank under each, and why they can differ. Obligations are those of the
    Greenbook accounts that are the programme; course costs and trainees those the reports
    list for the programmes these accounts pay for (counted editions)."""
    with connect(db) as conn:
        require_search_index(conn)
        source = funding_source(conn)
        ref = resolve_account(conn, programme)
        if ref.programme is None:
            raise UnknownAccount(
                f"{programme!r} is an account, not one of fmtr's programmes: `largest` puts a "
                "programme's obligations beside its courses",
                None,
            )
        covered = covered_fiscal_years(conn)
        first, last = resolve_funding_span(source, start, end, _both(source, covered))
        money = _money_by_recipient(conn, ref.accounts, first, last)
        t_first, t_last = _training_span(first, last, covered)
        pays_for, listed = _in("f.programme_code", "programme", ref.pays_for)
        training = (
            fast_rows(
                conn,
                "SELECT f.country_code, min(coalesce(c.name, f.country_code)), "
                "min(coalesce(c.kind, 'unknown')), sum(f.cost_cents), sum(f.trainees) "
                "FROM year_figures f LEFT JOIN country c ON c.code = f.country_code "
                f"WHERE {pays_for} AND f.fy BETWEEN :first AND :last GROUP BY f.country_code",
                {**listed, "first": t_first, "last": t_last},
            )
            if t_first <= t_last
            else []
        )
        editions = edition_of_year(conn)
    names: dict[str, tuple[str, str]] = {}
    values: dict[str, dict[str, int]] = {}
    for code, name, kind, m, _ in money:
        names[code] = (name, kind)
        values.setdefault(code, {})[OBLIGATIONS_CURRENT] = m.current_dollars
        values[code][OBLIGATIONS_CONSTANT] = m.constant_dollars
    for code, name, kind, cost, trainees in training:
        code = code or "?"
        names.setdefault(code, (name, kind))
        values.setdefault(code, {})[COURSE_COSTS] = int(cost or 0)
        values[code][TRAINEES] = int(trainees or 0)
    measures: list[MeasureRanking] = []
    ranks: dict[str, dict[str, int]] = {}
    for key, (label, unit, src) in MEASURES.items():
        span = (first, last) if src == "Greenbook" else (t_first, t_last)
        has_years = span[0] <= span[1]
        countries = sorted(
            (
                (v.get(key, 0), c)
                for c, v in values.items()
                if is_country(c, names[c][1]) and v.get(key, 0) > 0
            ),
            key=lambda x: (-x[0], names[x[1]][0], x[1]),
        )
        for i, (_, c) in enumerate(countries, 1):
            ranks.setdefault(c, {})[key] = i
        top = [Ranked(i, c, v) for i, (v, c) in enumerate(countries[:limit], 1)]
        measures.append(
            MeasureRanking(
                key,
                label,
                unit,
                src,
                span[0] if has_years else None,
                span[1] if has_years else None,
                top[0].code if top else None,
                top,
                sum(v.get(key, 0) for v in values.values()),
            )
        )
    shown = {r.code for m in measures for r in m.top}
    shown |= {c for c, (_, kind) in names.items() if not is_country(c, kind)}
    first_key = measures[0].measure
    recipients = [
        LargestRow(
            c,
            names[c][0],
            names[c][1],
            {k: values[c].get(k, 0) for k in MEASURES},
            {k: ranks.get(c, {}).get(k) for k in MEASURES},
        )
        for c in shown
    ]
    recipients.sort(
        key=lambda r: (
            not is_country(r.code, r.kind),
            r.ranks[first_key] or 10**9,
            -r.values[first_key],
            r.name,
        )
    )
    leaders = {m.leader for m in measures}
    notes = _largest_notes(measures, names, first, last, t_first, t_last, covered, recipients)
    return Largest(
        ref.programme,
        ref.accounts,
        ref.pays_for,
        first,
        last,
        holds_transition_quarter(first, last),
        measures,
        recipients,
        len(leaders) == 1 and None not in leaders,
        notes,
        list(WHY_THEY_DIFFER),
        source,
        {y: e for y, e in editions.items() if first <= y <= last},
    )


def _largest_notes(
    measures: list[MeasureRanking],
    names: dict[str, tuple[str, str]],
    first: int,
    last: int,
    t_first: int,
    t_last: int,
    covered: list[int],
    recipients: list[LargestRow],
) -> list[str]:
    notes: list[str] = []
    if (t_first, t_last) != (first, last):
        reach = f"The reports cover FY{covered[0]}-FY{covered[-1]}" if covered else "No report"
        notes.append(
            f"{reach}: course costs and trainees are "
            + (
                f"summed over FY{t_first}-FY{t_last} only."
                if t_first <= t_last
                else "not known for this span."
            )
        )
    if holds_transition_quarter(first, last):
        notes.append(
            "The obligations include the transition quarter (July-September 1976), a period of "
            "its own between FY1976 and FY1977; the reports do not reach it."
        )
    by_leader: dict[str | None, list[str]] = {}
    for m in measures:
        by_leader.setdefault(m.leader, []).append(m.label)
    if len(by_leader) > 1:
        notes.append(
            "The measures disagree: "
            + "; ".join(
                f"{names[c][0] if c else 'nobody'} leads by {', '.join(labels)}"
                for c, labels in by_leader.items()
            )
            + "."
        )
    else:
        notes.append("Every measure names the same country.")
    unlisted = [
        r
        for r in recipients
        if is_country(r.code, r.kind)
        and r.values[OBLIGATIONS_CURRENT] > 0
        and not r.values[COURSE_COSTS]
        and not r.values[TRAINEES]
    ]
    if unlisted and t_first <= t_last:
        notes.append(
            f"{', '.join(f'{r.name} ({r.code})' for r in unlisted)}: obligations, but no course "
            f"listed in the reports for FY{t_first}-FY{t_last} (the reports need not cover NATO "
            "members, Australia, Japan or New Zealand: 22 U.S.C. 2416)."
        )
    others = [r for r in recipients if not is_country(r.code, r.kind) and any(r.values.values())]
    if others:
        notes.append(
            "Not countries, so not ranked: "
            + ", ".join(f"{r.name} ({r.code})" for r in others)
            + ". The Greenbook's groups are money it does not attribute to a country."
        )
    return notes


# --- obligations beside the courses, year by year --------------------------------------------


@dataclass
class MoneyAndCoursesYear:
    fy: int
    funding_status: str  # OBLIGATED | NONE_RECORDED
    obligated: Money
    training_status: str  # REPORTED | NONE_REPORTED | NOT_COVERED
    courses: Figures | None  # None when no loaded edition covers the year
    editions: list[str]
    listed_cost_per_trainee: Decimal | None  # dollars: listed course costs / trainees
    obligated_per_trainee: Decimal | None  # dollars: obligation (current) / trainees; None:
    # no obligation recorded, or no trainee
    listed_share: Decimal | None  # listed course costs / obligation (current); None: none


@dataclass
class MoneyAndCourses:
    recipient: Recipient
    programme: ProgrammeRef
    accounts: tuple[str, ...]
    training_programmes: tuple[str, ...]
    first_fy: int
    last_fy: int
    years: list[MoneyAndCoursesYear]
    obligated: Money  # over the years both sources cover
    courses: Figures  # over the same years
    listed_share: Decimal | None
    source: FundingSource
    note: str = field(
        default="The transition quarter (TQ1976) is no fiscal year: it has no row here."
    )


def _ratio(numerator: int, denominator: int, places: str) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places))


def obligations_and_courses(
    db: Database,
    country: str,
    programme: str = "IMET",
    start: str | int | None = None,
    end: str | int | None = None,
) -> MoneyAndCourses:
    """Per fiscal year: what was obligated for a recipient under a programme's accounts, the
    course costs and trainees the reports list for the programmes those accounts pay for, the
    listed cost and the obligation per trainee, and the share of the obligation listed as
    courses. The span defaults to the years both sources cover."""
    with connect(db) as conn:
        require_search_index(conn)
        source = funding_source(conn)
        recipient = resolve_country(conn, country)
        ref = resolve_account(conn, programme)
        if ref.programme is None:
            raise UnknownAccount(f"{programme!r} is an account, not one of fmtr's programmes", None)
        covered = covered_fiscal_years(conn)
        first, last = resolve_funding_span(source, start, end, _both(source, covered))
        span = {"code": recipient.code, "first": first, "last": last}
        accounts, listed_accounts = _in("o.account", "account", ref.accounts)
        money_rows = fast_rows(
            conn,
            "SELECT o.fy, sum(o.current_dollars), sum(o.constant_dollars), count(*) "
            "FROM funding_obligation o WHERE o.country_code = :code "
            f"AND {accounts} AND o.fy BETWEEN :first AND :last GROUP BY o.fy",
            {**span, **listed_accounts},
        )
        pays_for, listed_programmes = _in("f.programme_code", "programme", ref.pays_for)
        course_rows = fast_rows(
            conn,
            "SELECT f.fy, sum(f.trainees), sum(f.cost_cents), sum(f.rows), "
            "sum(f.rows_without_quantity), sum(f.rows_without_cost) FROM year_figures f "
            f"WHERE f.country_code = :code AND {pays_for} "
            "AND f.fy BETWEEN :first AND :last GROUP BY f.fy",
            {**span, **listed_programmes},
        )
        editions = edition_of_year(conn)
    money = {r[0]: Money(int(r[1]), int(r[2]), int(r[3])) for r in money_rows}
    courses = {r[0]: Figures(*(int(v) for v in r[1:6])) for r in course_rows}
    years: list[MoneyAndCoursesYear] = []
    total_money, total_courses = Money(), Figures()
    for fy in range(first, last + 1):
        m = money.get(fy, Money())
        if fy not in editions:
            status, figures = NOT_COVERED, None
        elif fy in courses and courses[fy].rows:
            status, figures = REPORTED, courses[fy]
        else:
            status, figures = NONE_REPORTED, Figures()
        if figures is not None:
            total_money.add(m)
            total_courses.add(figures)
        trainees = figures.trainees if figures else 0
        years.append(
            MoneyAndCoursesYear(
                fy,
                OBLIGATED if m.rows else NONE_RECORDED,
                m,
                status,
                figures,
                editions.get(fy, []),
                _ratio(figures.cost_cents, trainees * 100, "0.01") if figures else None,
                _ratio(m.current_dollars, trainees, "0.01") if figures and m.rows else None,
                _ratio(figures.cost_cents, m.current_dollars * 100, "0.0001") if figures else None,
            )
        )
    return MoneyAndCourses(
        recipient,
        ref.programme,
        ref.accounts,
        ref.pays_for,
        first,
        last,
        years,
        total_money,
        total_courses,
        _ratio(total_courses.cost_cents, total_money.current_dollars * 100, "0.0001"),
        source,
    )


# --- the accounts ----------------------------------------------------------------------------


@dataclass
class AccountInfo:
    account: str
    programme: str | None  # fmtr's programme code when the account is that programme
    pays_for: list[str]  # programme codes whose courses it pays for
    why: str | None  # why the mapping holds (or why a near match does not)
    rows: int  # Greenbook rows under it
    categories: list[str]  # Economic, Military
    first_fy: int | None
    last_fy: int | None


def funding_accounts(db: Database) -> list[AccountInfo]:
    """Every account of the loaded Greenbook with the programme it is, if any, and why."""
    with connect(db) as conn:
        funding_source(conn)
        grouped = rows(
            conn,
            "SELECT a.account, a.programme_code, a.pays_for, a.why, a.rows, o.category, "
            "min(o.fy), max(o.fy) FROM funding_account a "
            "JOIN funding_obligation o ON o.account = a.account "
            "GROUP BY a.account, a.programme_code, a.pays_for, a.why, a.rows, o.category "
            "ORDER BY a.account, o.category",
        )
    found: dict[str, AccountInfo] = {}
    for a, p, f, w, n, category, lo, hi in grouped:
        info = found.setdefault(a, AccountInfo(a, p, f.split(), w, int(n), [], None, None))
        info.categories = sorted([*info.categories, category])
        years = [y for y in (info.first_fy, info.last_fy, lo, hi) if y is not None]
        info.first_fy, info.last_fy = (min(years), max(years)) if years else (None, None)
    return sorted(found.values(), key=lambda i: (i.programme is None, i.programme or "", i.account))
