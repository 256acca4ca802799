"""The money questions on a small database (a workbook made in code, no report loaded): the
transition quarter, rankings, the timeline's gaps, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner
from workbooks import funding_folder

from corpus_kit import MANIFEST_HEADER
from fmtr.cli.app import app
from fmtr.pipeline import build
from fmtr.query import (
    BadYearSpan,
    NoFundingData,
    UnknownAccount,
    UnknownCountry,
    UnknownFiscalYear,
    funding_series,
    funding_top,
    largest,
)
from fmtr.query.funding import resolve_account
from fmtr.query.history import timeline
from fmtr.store.db import open_database

runner = CliRunner()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Path]:
    folder = tmp_path_factory.mktemp("small")
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "manifest.tsv").write_text(MANIFEST_HEADER, "utf-8")
    funding_folder(folder / "money")
    db = folder / "db.sqlite"
    engine = open_database(f"sqlite:///{db}")
    report = build(engine, corpus, funding=folder / "money")
    assert report.ok, report.errors
    return engine, db


def test_a_series_shows_the_transition_quarter_apart(small: tuple[Engine, Path]) -> None:
    s = funding_series(small[0], "Pakistan", "IMET", "FY1975", "FY1978")
    assert [(p.period, p.money.current_dollars, p.status) for p in s.points] == [
        ("FY1975", 0, "none recorded"),
        ("FY1976", 402000, "obligated"),
        ("TQ1976", 100000, "obligated"),
        ("FY1977", 310000, "obligated"),
        ("FY1978", 0, "none recorded"),
    ]
    assert s.transition_quarter and s.total.current_dollars == 812000
    assert s.points[2].rows == [s.points[1].rows[0] + 1]  # the sheet row, for provenance
    alone = funding_series(small[0], "PAK", "IMET", "FY1976", "FY1976")
    assert [p.period for p in alone.points] == ["FY1976"] and not alone.transition_quarter


def test_a_span_holds_the_transition_quarter_only_across_it(small: tuple[Engine, Path]) -> None:
    across = funding_top(small[0], "IMET", "FY1970", "FY1980")
    assert across.transition_quarter
    assert across.recipients[0].code == "PAK"
    assert across.recipients[0].money.current_dollars == 402000 + 100000 + 310000 + 464000
    after = funding_top(small[0], "IMET", "FY1977", "FY1980")
    assert not after.transition_quarter
    assert after.recipients[0].money.current_dollars == 310000 + 464000


def test_top_ranks_every_recipient_and_sums_de_obligations(small: tuple[Engine, Path]) -> None:
    r = funding_top(small[0], "imet", "FY2003", "FY2005", constant=True)
    # Jordan's 6,820,000 constant dollars (with a de-obligation) before the world's 6,800,000.
    assert [(x.code, x.kind) for x in r.recipients][:2] == [("JOR", "iso"), ("X-WORLD", "group")]
    jordan = r.recipients[0].money
    assert (jordan.current_dollars, jordan.constant_dollars) == (
        2400000 + 2900000 - 300000,
        3300000 + 3900000 - 380000,
    )
    assert r.by == "constant" and r.recipients_total == 4


def test_largest_ranks_countries_and_says_what_the_reports_miss(
    small: tuple[Engine, Path],
) -> None:
    r = largest(small[0], "IMET", "FY2003", "FY2004")
    current = r.measures[0]
    assert current.leader == "JOR" and [x.code for x in current.top] == ["JOR", "PAK", "SCG"]
    assert current.total == 990000 + 2400000 + 5000000 + 2900000 + 3
    assert r.measures[2].leader is None and r.measures[2].first_fy is None
    assert not r.agree
    assert any("No report" in n for n in r.notes)
    assert any("World (not specified)" in n for n in r.notes)


def test_an_account_by_programme_or_by_name(small: tuple[Engine, Path]) -> None:
    with small[0].connect() as conn:
        imet = resolve_account(conn, "International Military Education and Training")
        ctr = resolve_account(conn, "cooperative threat reduction account, defense")
    assert imet.programme is not None and imet.programme.code == "IMET"
    assert ctr.programme is None and ctr.accounts == (
        "Cooperative Threat Reduction Account, Defense",
    )


def test_bad_input_raises_with_a_suggestion(small: tuple[Engine, Path]) -> None:
    engine = small[0]
    with pytest.raises(UnknownAccount) as account:
        funding_top(engine, "IMTE")
    assert account.value.suggestion == "IMET"
    with pytest.raises(UnknownFiscalYear) as year:
        funding_series(engine, "PAK", start="FY1930")
    assert year.value.suggestion == "FY1946"
    with pytest.raises(BadYearSpan):
        funding_top(engine, "IMET", "FY2005", "FY2003")
    with pytest.raises(UnknownCountry):
        funding_series(engine, "Atlantis")
    with pytest.raises(UnknownAccount, match="not one of fmtr's programmes"):
        largest(engine, "Cooperative Threat Reduction Account, Defense")


def test_a_database_without_funding_says_so(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'none.sqlite'}")
    with pytest.raises(NoFundingData, match="no funding data"):
        funding_series(engine, "PAK")


def test_the_timeline_starts_with_the_first_obligation(small: tuple[Engine, Path]) -> None:
    t = timeline(small[0], "PAK", "IMET")
    assert t.first_fy == 1976 and t.years[0].fy == 1976
    assert t.funding_gaps is not None
    assert t.funding_gaps.years == [1976, 1977, 1979, 2003]
    assert t.funding_gaps.gaps == [(1978, 1978), (1980, 2002)]
    by_year = {y.fy: y for y in t.years}
    assert by_year[1978].funding_gap == "gap" and by_year[1978].funding_status == "none recorded"
    assert by_year[1978].sources == ["Greenbook"]  # no report covers it
    assert by_year[1976].obligations is not None
    assert by_year[1976].obligations.current_dollars == 402000  # the quarter is not added
    assert t.transition_quarter is not None and t.transition_quarter.current_dollars == 100000


def test_cli_json_and_errors(small: tuple[Engine, Path]) -> None:
    db = str(small[1])
    result = runner.invoke(app, ["funding", "top", "--account", "IMET", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    # A tie at 5,000,000 current dollars: by name, Jordan before World (not specified).
    assert [x["country_code"] for x in payload["recipients"]["rows"][:2]] == ["JOR", "X-WORLD"]
    result = runner.invoke(app, ["funding", "series", "Pakistn", "--db", db])
    assert result.exit_code == 2 and "did you mean Pakistan" in result.output
    result = runner.invoke(app, ["funding", "top", "--account", "IMTE", "--db", db])
    assert result.exit_code == 2 and "did you mean IMET" in result.output
    result = runner.invoke(
        app, ["largest", "--program", "IMET", "--from", "FY2003", "--to", "FY2004", "--db", db]
    )
    assert result.exit_code == 0, result.output
    assert "Jordan" in result.output and "why measures can disagree:" in result.output
    for args in (
        ["funding", "series", "PAK", "--account", "IMET"],
        ["funding", "courses", "PAK"],
        ["funding", "timeline", "PAK"],
        ["funding", "accounts"],
    ):
        result = runner.invoke(app, [*args, "--db", db, "--json"])
        assert result.exit_code == 0, (args, result.output)
        json.loads(result.output)
