"""The events registry: the checked-in events load and cite their source; malformed entries are
refused with the reason (library and `fmtr events add`), and nothing is written then; added
events go to the user's own registry, read with the packaged one, never into the package."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from fmtr.clean import events
from fmtr.clean.events import (
    EventError,
    append_events,
    load_events,
    parse_event,
    registry_path,
    suspensions,
    user_registry_path,
)
from fmtr.cli.app import app as fmtr_app

runner = CliRunner()
ARTICLE = "Revival of Pakistan-US military training represents boon to relations"

GOOD: dict[str, Any] = {
    "country": "Pakistan",
    "programmes": ["FMF"],
    "kind": "restricted",
    "effective": {"date": "FY2019", "precision": "fiscal_year"},
    "until": {"date": "2019-12", "precision": "month"},
    "announced": None,
    "authority": "A test event (never checked in).",
    "sources": [
        {
            "title": "A title",
            "author": "An Author",
            "date": "2020-01",
            "sentence": "The sentence the event rests on.",
        }
    ],
}


def entry(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    return fmtr_app


@pytest.fixture()
def registry(tmp_path: Path) -> Path:
    """A user's registry, not made yet: `fmtr events add` creates it."""
    return tmp_path / "mine" / "events.json"


def test_the_registry_holds_the_three_events_of_the_article() -> None:
    events = {e.id: e for e in load_events()}
    raw = json.loads(registry_path().read_text("utf-8"))["events"]
    assert len(raw) == len(events) == 3
    for e in events.values():
        assert (e.country_code, e.programmes) == ("PAK", ("IMET",))
        [source] = e.sources
        assert source.title == ARTICLE and source.author == "Zia Ur Rehman"
        assert source.url is None  # not known for sure: never invented
        assert source.sentence
    kinds = sorted((e.kind, str(e.effective)) for e in events.values())
    assert kinds == [("resumed", "2020-01-04"), ("suspended", "1991"), ("suspended", "2018")]
    # The 2018 suspension ends with the resumption; the 1991 one with its own end, 2002.
    spans = {s.event.id: s for s in suspensions(events.values())}
    assert spans["PAK-IMET-suspended-2018"].ended_by is events["PAK-IMET-resumed-2020"]
    assert str(spans["PAK-IMET-suspended-2018"].possible_first) == "2018-01-01"
    assert spans["PAK-IMET-suspended-1991"].ended_by is None
    assert str(spans["PAK-IMET-suspended-1991"].possible_last) == "2002-12-31"


def test_a_good_entry_is_accepted() -> None:
    e = parse_event(entry())
    assert (e.country_code, e.programmes, e.kind) == ("PAK", ("FMF",), "restricted")
    assert str(e.effective.first_day) == "2018-10-01"  # FY2019 begins 1 October 2018
    assert str(e.until and e.until.last_day) == "2019-12-31"


def refused(bad: dict[str, Any]) -> str:
    with pytest.raises(EventError) as info:
        parse_event(bad)
    return str(info.value)


def test_unknown_country_is_refused() -> None:
    assert "unknown country 'Pakistn'" in refused(entry(country="Pakistn"))


def test_end_before_start_is_refused() -> None:
    bad = entry(until={"date": "2018-09-30", "precision": "day"})
    assert "end before start" in refused(bad)


def test_no_source_is_refused() -> None:
    assert "no source" in refused(entry(sources=None))
    assert "no source" in refused(entry(sources=[]))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"programmes": ["IMTE"]}, "unknown programme 'IMTE'"),
        ({"kind": "paused"}, "kind 'paused' must be one of"),
        ({"effective": {"date": "2018-13", "precision": "month"}}, "not a real date"),
        ({"effective": {"date": "2018", "precision": "day"}}, "not a date of precision day"),
        ({"sources": [{"title": "T", "date": "2020", "sentence": "S"}]}, "author or publisher"),
        ({"sources": [{**GOOD["sources"][0], "sentence": ""}]}, "sentence must be"),
        ({"authority": None}, "authority missing"),
        ({"colour": "red"}, "unknown key(s) colour"),
    ],
)
def test_other_malformed_entries_are_refused(changes: dict[str, Any], reason: str) -> None:
    assert reason in refused(entry(**changes))


def test_all_security_assistance_is_a_programme_scope() -> None:
    e = parse_event(entry(programmes="all security assistance"))
    assert e.covers("IMET") and e.covers("FMF")


def test_append_refuses_a_duplicate_id(registry: Path) -> None:
    with pytest.raises(EventError, match="already in the registry"):
        append_events([entry(id="PAK-IMET-resumed-2020")], registry)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"country": "Atlantis"}, "unknown country 'Atlantis'"),
        ({"until": {"date": "2017", "precision": "year"}}, "end before start"),
        ({"sources": None}, "no source"),
    ],
)
def test_events_add_refuses_with_the_reason_and_writes_nothing(
    app: typer.Typer, registry: Path, tmp_path: Path, changes: dict[str, Any], reason: str
) -> None:
    packaged = registry_path().read_bytes()
    new = tmp_path / "new.json"
    new.write_text(json.dumps(entry(**changes)), "utf-8")
    out = runner.invoke(app, ["events", "add", str(new), "--registry", str(registry)])
    assert out.exit_code == 2
    assert reason in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1  # one line, every reason on it
    assert not registry.exists() and registry_path().read_bytes() == packaged


def test_events_add_appends_a_valid_entry(app: typer.Typer, registry: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.json"
    new.write_text(json.dumps([entry()]), "utf-8")
    out = runner.invoke(app, ["events", "add", str(new), "--registry", str(registry)])
    assert out.exit_code == 0, out.output
    assert out.stdout == f"added Pakistan-FMF-restricted-FY2019 to {registry}\n"
    ids = [e.id for e in load_events(registry)]
    assert len(ids) == 4 and "Pakistan-FMF-restricted-FY2019" in ids
    listed = runner.invoke(app, ["events", "list", "--registry", str(registry), "--json"])
    assert listed.exit_code == 0
    assert len(json.loads(listed.stdout)["rows"]) == 4
    # The user's file holds only the user's event; the packaged three come from the package.
    assert [e["id"] for e in json.loads(registry.read_text("utf-8"))["events"]] == [ids[-1]]


def test_events_add_writes_the_user_data_folder_never_the_package(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No --registry, no $FMTR_EVENTS: the user data folder (platformdirs), here under tmp_path.
    monkeypatch.delenv("FMTR_EVENTS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    packaged = registry_path().read_bytes()
    new = tmp_path / "new.json"
    new.write_text(json.dumps(entry()), "utf-8")
    out = runner.invoke(app, ["events", "add", str(new)])
    assert out.exit_code == 0, out.output
    [written] = [p for p in tmp_path.rglob("events.json")]
    assert written == user_registry_path() and "fmtr" in written.parts
    assert out.stdout == f"added Pakistan-FMF-restricted-FY2019 to {written}\n"
    assert registry_path().read_bytes() == packaged
    listed = runner.invoke(app, ["events", "list", "--country", "Pakistan", "--json"])
    assert listed.exit_code == 0
    rows = {r["event_id"]: r for r in json.loads(listed.stdout)["rows"]}
    assert len(rows) == 4
    assert rows["Pakistan-FMF-restricted-FY2019"]["kind"] == "restricted"
    assert rows["PAK-IMET-resumed-2020"]["kind"] == "resumed"


def test_fmtr_events_names_the_users_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FMTR_EVENTS", str(tmp_path / "elsewhere.json"))
    assert user_registry_path() == tmp_path / "elsewhere.json"


def test_a_registry_path_that_does_not_exist_is_an_error_when_read(
    app: typer.Typer, registry: Path
) -> None:
    out = runner.invoke(app, ["events", "list", "--registry", str(registry)])
    assert out.exit_code == 2
    assert f"{registry}: no such events registry" in out.stderr


def test_a_user_event_under_a_packaged_id_is_refused_naming_the_file(registry: Path) -> None:
    registry.parent.mkdir()
    clash = entry(id="PAK-IMET-resumed-2020")
    registry.write_text(json.dumps({"events": [clash]}), "utf-8")
    with pytest.raises(EventError, match=r"events.json: event PAK-IMET-resumed-2020: id already"):
        load_events(registry)


def test_a_copy_of_the_packaged_events_reads_them_once(registry: Path) -> None:
    # A registry copied from the package (or an event fmtr has since shipped itself): the same
    # events, not duplicates.
    registry.parent.mkdir()
    registry.write_bytes(registry_path().read_bytes())
    assert sorted(e.id for e in load_events(registry)) == sorted(e.id for e in load_events())


def test_the_installed_package_is_never_written_to(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if fmtr were installed from a wheel with its package folder here.
    package = registry.parent / "site-packages" / "fmtr"
    (package / "clean").mkdir(parents=True)
    packaged = package / "clean" / "events.json"
    packaged.write_bytes(registry_path().read_bytes())
    monkeypatch.setattr(events, "_installed_package_dir", lambda: package.resolve())
    with pytest.raises(EventError, match="belongs to the installed fmtr package"):
        append_events([entry()], packaged)
    assert packaged.read_bytes() == registry_path().read_bytes()
