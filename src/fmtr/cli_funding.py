"""The money commands: ``funding series|top|courses|timeline|accounts`` and ``largest``. A rich
table by default, ``--json`` on request; bad input exits with code 2 and a suggestion. All the
logic is in fmtr.query.funding (and fmtr.query.history for the timeline)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from fmtr.cli_query import Db, From, Json, To, _dollars, _json, _open, _out, _run, _table

Account = Annotated[
    str | None,
    typer.Option(
        "--account",
        "-a",
        help="A programme code (IMET, FMF, PKO, ...: its accounts) or a Greenbook account name.",
    ),
]
Constant = Annotated[
    bool,
    typer.Option("--constant", help="Constant 2020 dollars (default: current dollars)."),
]
Programme = Annotated[
    str, typer.Option("--program", "-p", help="Programme code or name (one with accounts).")
]


def _usd(dollars: int | None) -> str:
    """Whole dollars: "$1,234", "-$300,000"."""
    if dollars is None:
        return ""
    return f"-${-dollars:,}" if dollars < 0 else f"${dollars:,}"


def _pct(share: Decimal | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def _what(which: str) -> str:
    return "constant 2020 dollars" if which == "constant" else "current dollars"


def _source_line(source: Any) -> None:
    _out.print(
        f"source: {source.file}, sheet {source.sheet!r} ({source.prepared or 'Greenbook'}); "
        f"{source.home}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


funding_app = typer.Typer(
    help="Money beside training: the Greenbook's obligations (US Overseas Loans and Grants)."
)


@funding_app.command("series")
def series(
    country: Annotated[str, typer.Argument(help="Country name, code or spelling.")],
    account: Account = None,
    start: From = None,
    end: To = None,
    constant: Constant = False,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """A recipient's obligations per fiscal year and account (the transition quarter TQ1976
    is a period of its own)."""
    from fmtr.query.funding import funding_series

    s = _run(funding_series, _open(db), country, account, start, end)
    if as_json:
        return _json(s)
    which = "constant" if constant else "current"
    what = s.account.label if s.account else "every account"
    rows = []
    for p in s.points:
        parts = sorted(p.by_account.items(), key=lambda kv: -kv[1].dollars(which))
        accounts = "; ".join(f"{a} {_usd(m.dollars(which))}" for a, m in parts[:3])
        if len(parts) > 3:
            accounts += f"; ... {len(parts) - 3} more"
        rows.append(
            [p.period, _usd(p.money.dollars(which)), p.status, p.money.rows]
            + ([] if s.account else [accounts])
        )
    title = (
        f"{s.recipient.name} ({s.recipient.code}), {what}, obligations in {_what(which)}, "
        f"FY{s.first_fy}-FY{s.last_fy}: {_usd(s.total.dollars(which))}"
    )
    cols = ["period", "obligations", "status", "rows"] + ([] if s.account else ["accounts"])
    _out.print(_table(title, cols, rows))
    _source_line(s.source)


@funding_app.command("top")
def top(
    account: Annotated[
        str,
        typer.Option(
            "--account", "-a", help="A programme code (IMET, FMF, ...) or a Greenbook account."
        ),
    ],
    start: From = None,
    end: To = None,
    constant: Constant = False,
    limit: Annotated[int, typer.Option("--limit", help="Recipients to show (0: all).")] = 10,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Recipients of an account ranked by obligations over a span of fiscal years."""
    from fmtr.query.funding import funding_top

    r = _run(funding_top, _open(db), account, start, end, constant, limit or None)
    if as_json:
        return _json(r)
    rows = [
        [
            x.rank,
            x.name,
            x.code,
            x.kind,
            _usd(x.money.current_dollars),
            _usd(x.money.constant_dollars),
            x.periods,
        ]
        for x in r.recipients
    ]
    tq = " (with the transition quarter)" if r.transition_quarter else ""
    title = (
        f"{r.account.label}, FY{r.first_fy}-FY{r.last_fy}{tq}, by obligations in "
        f"{_what(r.by)}: top {len(r.recipients)} of {r.recipients_total} recipients "
        f"(all: {_usd(r.total.dollars(r.by))})"
    )
    cols = ["#", "recipient", "code", "kind", "current $", "constant 2020 $", "years"]
    _out.print(_table(title, cols, rows))
    _source_line(r.source)


@funding_app.command("courses")
def courses(
    country: Annotated[str, typer.Argument(help="Country name, code or spelling.")],
    program: Programme = "IMET",
    start: From = None,
    end: To = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Per fiscal year: obligated (Greenbook) beside the course costs and trainees the reports
    list, the cost per trainee and the share of the obligation listed as courses."""
    from fmtr.query.funding import obligations_and_courses

    r = _run(obligations_and_courses, _open(db), country, program, start, end)
    if as_json:
        return _json(r)
    rows = [
        [
            f"FY{y.fy}",
            _usd(y.obligated.current_dollars) if y.obligated.rows else y.funding_status,
            "" if y.courses is None else _dollars(y.courses.cost_cents),
            "" if y.courses is None else f"{y.courses.trainees:,}",
            "" if y.listed_cost_per_trainee is None else f"${y.listed_cost_per_trainee:,.0f}",
            "" if y.obligated_per_trainee is None else f"${y.obligated_per_trainee:,.0f}",
            _pct(y.listed_share),
            y.training_status,
        ]
        for y in r.years
    ]
    title = (
        f"{r.recipient.name} ({r.recipient.code}), {r.programme.code}: obligated (current "
        f"dollars) beside the courses listed ({', '.join(r.training_programmes)}), "
        f"FY{r.first_fy}-FY{r.last_fy}"
    )
    cols = [
        "FY",
        "obligated",
        "courses listed",
        "trainees",
        "listed / trainee",
        "obligated / trainee",
        "listed share",
        "reports",
    ]
    _out.print(_table(title, cols, rows))
    _out.print(
        f"years both sources cover: obligated {_usd(r.obligated.current_dollars)}, courses "
        f"listed {_dollars(r.courses.cost_cents)} ({_pct(r.listed_share)}), "
        f"{r.courses.trainees:,} trainees. {r.note}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    _source_line(r.source)


@funding_app.command("timeline")
def timeline(
    country: Annotated[str, typer.Argument(help="Country name, code or spelling.")],
    program: Programme = "IMET",
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Per fiscal year from the first year with data to FY2020: obligations and training
    beside each other, the gaps detected in each, and the registry's events."""
    from fmtr.cli_history import _runs
    from fmtr.query.history import timeline as ask

    t = _run(ask, _open(db), country, program)
    if as_json:
        return _json(t)
    rows = [
        [
            f"FY{y.fy}",
            _usd(y.obligations.current_dollars) if y.obligations else "",
            y.funding_status + (f" ({y.funding_gap})" if y.funding_gap else ""),
            "" if y.figures is None else _dollars(y.figures.cost_cents),
            "" if y.figures is None else f"{y.figures.trainees:,}",
            y.status + (f" ({y.gap})" if y.gap else ""),
            "; ".join(f"{m.event_id}: {', '.join(m.roles)}" for m in y.events),
        ]
        for y in t.years
    ]
    what = t.programme.code if t.programme else "all programmes"
    title = f"{t.recipient.name} ({t.recipient.code}), {what}, FY{t.first_fy}-FY{t.last_fy}"
    cols = ["FY", "obligated", "Greenbook", "courses listed", "trainees", "reports", "events"]
    _out.print(_table(title, cols, rows))
    if t.funding_gaps is not None:
        g = t.funding_gaps
        _out.print(
            f"obligations ({', '.join(t.accounts)}): gaps {_runs(g.gaps)}; none before the "
            f"first: {_runs(g.before)}; after the last: {_runs(g.after)}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    else:
        _out.print("no obligations: no funding data, or no Greenbook account is this programme")
    g = t.gaps
    _out.print(
        f"training: gaps {_runs(g.gaps)}; none reported before the first: {_runs(g.before)}; "
        f"after the last: {_runs(g.after)}; no edition covers: {_runs(g.not_covered)}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    if t.transition_quarter is not None and t.transition_quarter.rows:
        _out.print(
            f"transition quarter (TQ1976, not in any fiscal year): obligated "
            f"{_usd(t.transition_quarter.current_dollars)}",
            highlight=False,
        )
    for e in t.events:
        end = f" until {e.until}" if e.until else ""
        _out.print(
            f"{e.id}: {e.kind} {', '.join(e.programmes)} from {e.effective}{end}. {e.authority}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


@funding_app.command("accounts")
def accounts(db: Db = None, as_json: Json = False) -> None:
    """The Greenbook's accounts, the programme each is (where it is one) and why."""
    from fmtr.query.funding import funding_accounts

    found = _run(funding_accounts, _open(db))
    if as_json:
        import dataclasses
        import json

        _out.print_json(json.dumps([dataclasses.asdict(a) for a in found]))
        return
    rows = [
        [
            a.account,
            a.programme or "",
            " ".join(a.pays_for),
            "/".join(a.categories),
            f"FY{a.first_fy}-FY{a.last_fy}",
            a.rows,
            a.why or "",
        ]
        for a in found
    ]
    cols = ["account", "programme", "pays for", "category", "years", "rows", "why"]
    _out.print(_table(f"{len(found)} Greenbook accounts", cols, rows))


def largest(
    program: Programme = "IMET",
    start: From = None,
    end: To = None,
    limit: Annotated[int, typer.Option("--limit", help="Countries per measure.")] = 5,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """The largest recipient of a programme under every measure at once: obligations (current
    and constant 2020 dollars), course costs and trainees the reports list; where they
    disagree and why."""
    from fmtr.query.funding import COURSE_COSTS, TRAINEES
    from fmtr.query.funding import largest as ask

    r = _run(ask, _open(db), program, start, end, limit)
    if as_json:
        return _json(r)

    def shown(measure: str, value: int) -> str:
        if measure == COURSE_COSTS:
            return _dollars(value)
        if measure == TRAINEES:
            return f"{value:,}"
        return _usd(value)

    tq = " (obligations with the transition quarter)" if r.transition_quarter else ""
    _out.print(
        f"Largest recipient of {r.programme.code}, FY{r.first_fy}-FY{r.last_fy}{tq}",
        highlight=False,
    )
    rows = [
        [
            m.label,
            m.source,
            f"FY{m.first_fy}-FY{m.last_fy}" if m.first_fy else "-",
            next((x.name for x in r.recipients if x.code == m.leader), m.leader or "-"),
            shown(m.measure, m.top[0].value) if m.top else "",
        ]
        for m in r.measures
    ]
    _out.print(_table("leader by measure", ["measure", "source", "years", "leader", ""], rows))
    short = {
        "obligations_current": "obligated $",
        "obligations_constant": "obligated 2020 $",
        "course_costs": "courses listed $",
        "trainees": "trainees",
    }
    cols = ["recipient", "code"] + [f"{short[m.measure]} (rank)" for m in r.measures]
    table_rows = [
        [x.name, x.code]
        + [
            f"{shown(m.measure, x.values[m.measure])} ({x.ranks[m.measure] or '-'})"
            for m in r.measures
        ]
        for x in r.recipients
    ]
    _out.print(_table("each recipient under every measure", cols, table_rows))
    _out.print(
        f"obligations: {', '.join(r.accounts)} (Greenbook); courses and trainees: "
        f"{', '.join(r.training_programmes)} (training reports, counted editions)",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    for note in r.notes:
        _out.print(f"- {note}", highlight=False, markup=False, soft_wrap=True)
    _out.print("Why the measures can disagree:", highlight=False)
    for why in r.why:
        _out.print(f"- {why}", highlight=False, markup=False, soft_wrap=True)
    _source_line(r.source)


def register(app: typer.Typer) -> None:
    """Add the money commands to fmtr's Typer app."""
    app.add_typer(funding_app, name="funding")
    app.command("largest")(largest)
