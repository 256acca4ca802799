"""Every question, asked of the CLI (``--json``) and of the API, gives the same document.

Both adapters render fmtr.query.answers; what this holds them to is what each adds: parameter
names and defaults (the library's), paging, and the JSON itself. The list below must cover
every question command and every API route: a new one fails until it is paired here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fmtr.cli.app import app

runner = CliRunner()

# (CLI arguments, API address, which part of the CLI's document the API gives: None for all)
QUESTIONS: list[tuple[list[str], str, str | None]] = [
    (["summary"], "/api/v1/summary", None),
    (["editions"], "/api/v1/editions", None),
    (["countries"], "/api/v1/countries", None),
    (["countries", "--limit", "2", "--offset", "1"], "/api/v1/countries?limit=2&offset=1", None),
    (["country", "Pakistan"], "/api/v1/countries/Pakistan", None),
    (["country", "col", "--limit", "3"], "/api/v1/countries/col?limit=3", None),
    (["country", "PAK"], "/api/v1/countries/PAK/series", "series"),
    (["names", "COL", "courses"], "/api/v1/countries/COL/courses", None),
    (["names", "PAK", "units", "--limit", "2"], "/api/v1/countries/PAK/units?limit=2", None),
    (["programmes"], "/api/v1/programmes", None),
    (
        ["trend", "International Military Education and Training"],
        "/api/v1/programmes/International Military Education and Training/trend",
        None,
    ),
    (["top"], "/api/v1/top", None),
    (
        ["top", "--programme", "IMET", "--from", "FY2000", "--to", "FY06", "--by", "trainees"]
        + ["--limit", "2", "--offset", "1", "--years"],
        "/api/v1/top?programme=IMET&from=FY2000&to=FY06&by=trainees&limit=2&offset=1&years=true",
        None,
    ),
    (["top", "--program", "FMF"], "/api/v1/top?program=FMF", None),
    (
        ["series", "--country", "PAK", "--programme", "IMET"],
        "/api/v1/series?country=PAK&programme=IMET",
        None,
    ),
    (
        ["series", "-c", "Colombia", "--from", "1999", "--to", "2002"],
        "/api/v1/series?country=Colombia&from=1999&to=2002",
        None,
    ),
    (["compare", "COL", "PAK"], "/api/v1/compare?country=COL&country=PAK", None),
    (
        ["compare", "COL", "PAK", "--programme", "IMET"],
        "/api/v1/compare?country=COL&country=PAK&programme=IMET",
        None,
    ),
    (["gaps"], "/api/v1/gaps", None),
    (["gaps", "--programme", "IMET"], "/api/v1/gaps?programme=IMET", None),
    (["unit", "army"], "/api/v1/units?q=army", None),
    (["unit", "Colombian Army", "--limit", "1"], "/api/v1/units?q=Colombian+Army&limit=1", None),
    (
        ["unit", "army", "--country", "COL", "--limit", "3", "--offset", "2"],
        "/api/v1/units?q=army&country=COL&limit=3&offset=2",
        None,
    ),
    (["unit-profile", "COL", "Colombian Army"], "/api/v1/units/COL/Colombian Army", None),
    (
        ["unit-profile", "Colombia", "colombian army", "--limit", "2", "--all-editions"],
        "/api/v1/units/Colombia/colombian army?limit=2&all_editions=true",
        None,
    ),
    (["course", "command"], "/api/v1/courses?q=command", None),
    (["course", "CMD & GEN STAFF"], "/api/v1/courses?q=CMD+%26+GEN+STAFF", None),
    (
        ["course-profile", "Basic Officer Leader Course"],
        "/api/v1/courses/Basic Officer Leader Course",
        None,
    ),
    (
        ["course-profile", "basic officer leader course", "--limit", "3", "--offset", "1"],
        "/api/v1/courses/basic officer leader course?limit=3&offset=1",
        None,
    ),
    (["search", "benning"], "/api/v1/search?q=benning", None),
    (["search", "Pakistan IMET"], "/api/v1/search?q=Pakistan+IMET", None),
    (
        ["search", "ranger", "--in", "course", "--from", "FY1999", "--to", "FY2002"],
        "/api/v1/search?q=ranger&field=course&from=FY1999&to=FY2002",
        None,
    ),
    (
        ["search", "Colombia", "--literal", "--all-editions"],
        "/api/v1/search?q=Colombia&literal=true&all_editions=true",
        None,
    ),
    (
        ["search", "--country", "PAK", "-p", "IMET"],
        "/api/v1/search?country=PAK&programme=IMET",
        None,
    ),
    (
        ["search", "benning", "--limit", "3", "--offset", "2"],
        "/api/v1/search?q=benning&limit=3&offset=2",
        None,
    ),
    (["row", "3"], "/api/v1/training/3", None),
    (["row", "2002-fixture-p1-1"], "/api/v1/training/2002-fixture-p1-1", None),
    (["cite", "PAK/IMET/FY2002"], "/api/v1/cite?id=PAK/IMET/FY2002", None),
    (["timeline", "Pakistan"], "/api/v1/timeline?country=Pakistan", None),
    (
        ["timeline", "PAK", "--programme", "IMET"],
        "/api/v1/timeline?country=PAK&programme=IMET",
        None,
    ),
    (["check-suspensions"], "/api/v1/suspensions", None),
    (
        ["check-suspensions", "-c", "PAK", "-p", "IMET"],
        "/api/v1/suspensions?country=PAK&programme=IMET",
        None,
    ),
    (["events", "list"], "/api/v1/events", None),
    (["events", "list", "--country", "Pakistan"], "/api/v1/events?country=Pakistan", None),
    (["funding", "series", "PAK"], "/api/v1/funding/series?country=PAK", None),
    (
        ["funding", "series", "Pakistan", "--account", "IMET", "--from", "FY1975", "--to"]
        + ["FY1980", "--constant"],
        "/api/v1/funding/series?country=Pakistan&account=IMET&from=FY1975&to=FY1980&constant=true",
        None,
    ),
    (["funding", "top", "--account", "IMET"], "/api/v1/funding/top?account=IMET", None),
    (
        ["funding", "top", "-a", "imet", "--from", "1999", "--to", "FY06", "--constant"]
        + ["--limit", "2", "--offset", "1"],
        "/api/v1/funding/top?account=imet&from=1999&to=FY06&constant=true&limit=2&offset=1",
        None,
    ),
    (["funding", "courses", "COL"], "/api/v1/funding/courses?country=COL", None),
    (
        ["funding", "courses", "Pakistan", "--programme", "IMET", "--from", "FY2002", "--to"]
        + ["FY2006"],
        "/api/v1/funding/courses?country=Pakistan&programme=IMET&from=FY2002&to=FY2006",
        None,
    ),
    (["funding", "timeline", "PAK"], "/api/v1/funding/timeline?country=PAK", None),
    (
        ["funding", "timeline", "JOR", "--program", "IMET"],
        "/api/v1/funding/timeline?country=JOR&program=IMET",
        None,
    ),
    (["funding", "accounts"], "/api/v1/funding/accounts", None),
    (["largest"], "/api/v1/largest", None),
    (
        ["largest", "--program", "IMET", "--from", "FY1999", "--to", "FY2006", "--limit", "2"],
        "/api/v1/largest?program=IMET&from=FY1999&to=FY2006&limit=2",
        None,
    ),
]
# Command groups: each of their commands is a question of its own.
GROUPS = {"events", "funding"}

# Commands that are no question of the database (or not one the API can answer: it serves the
# packaged events registry only, and rows as pages, checked below against `fmtr export`).
NOT_QUESTIONS = {
    "build", "migrate", "fetch", "verify", "compare-reference", "serve", "export", "diff",
    "release", "debug-page",
}  # fmt: skip


@pytest.fixture(scope="module")
def client(fixture_db: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from fmtr.web.app import create_app

    with TestClient(create_app(str(fixture_db))) as c:
        yield c


def _cli(args: list[str], db: Path) -> Any:
    extra = [] if args[0] == "events" else ["--db", str(db)]
    out = runner.invoke(app, [*args, *extra, "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


@pytest.mark.parametrize(("args", "url", "part"), QUESTIONS, ids=lambda x: str(x)[:60])
def test_the_cli_and_the_api_give_the_same_document(
    client: Any, fixture_db: Path, args: list[str], url: str, part: str | None
) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    cli = _cli(args, fixture_db)
    assert (cli if part is None else cli[part]) == response.json()


def test_every_question_and_every_route_is_compared(client: Any) -> None:
    import typer

    from fmtr.cli.app import app as typer_app

    group = typer.main.get_command(typer_app)
    commands: set[str] = set()
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        commands |= {f"{name} {sub}" for sub in subcommands} if subcommands else {name}
    asked = {" ".join(a[:2]) if a[0] in GROUPS else a[0] for a, _, _ in QUESTIONS}
    assert commands - NOT_QUESTIONS - {"events add"} == asked
    from fmtr.web.api import router

    api = list(router.routes)
    documented = {r.path for r in api}  # type: ignore[attr-defined]
    assert documented == set(client.get("/api/v1/openapi.json").json()["paths"])
    compared = {_route(api, url) for _, url, _ in QUESTIONS} | {
        "/api/v1/training",
        "/api/v1/export",
    }
    assert documented == compared


def _route(routes: list[Any], url: str) -> str:
    """The route FastAPI answers ``url`` with: the first whose pattern matches its path."""
    from urllib.parse import unquote

    path = unquote(url.split("?")[0])
    return next(r.path for r in routes if r.path_regex.match(path))


def test_export_gives_the_rows_the_api_pages(client: Any, fixture_db: Path) -> None:
    """`fmtr export` (a file) and /api/v1/training (pages) select the same rows, with the same
    default (counted rows only) and the same columns."""
    for cli_filters, api_filters in (
        ([], ""),
        (["--country", "COL", "--programme", "IMET"], "&country=COL&programme=IMET"),
        (["--search", "benning", "--all-editions"], "&q=benning&all_editions=true"),
    ):
        out = runner.invoke(
            app, ["export", "--format", "json", *cli_filters, "--db", str(fixture_db)]
        )
        assert out.exit_code == 0, out.output
        exported = json.loads(out.stdout)
        page = client.get(f"/api/v1/training?limit=500{api_filters}").json()
        assert page["rows"] == exported
        assert page["columns"] == list(exported[0])


@pytest.mark.parametrize(
    ("cli", "api"),
    [
        (["--search", "Pakistan IMET"], "q=Pakistan+IMET"),
        (["--country", "COL", "--unit", "Colombian Army"], "country=COL&unit=Colombian+Army"),
        (["--course", "Basic Officer Leader Course", "--all-editions"],
         "course=Basic+Officer+Leader+Course&all_editions=true"),
        ([], ""),
    ],
)  # fmt: skip
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_file_is_the_api_download(
    client: Any, fixture_db: Path, cli: list[str], api: str, fmt: str
) -> None:
    """`fmtr export` and /api/v1/export write the same bytes for the same selection, and the
    API says how many rows before sending them."""
    out = runner.invoke(app, ["export", "--format", fmt, *cli, "--db", str(fixture_db)])
    assert out.exit_code == 0, out.output
    response = client.get(f"/api/v1/export?format={fmt}&{api}")
    assert response.status_code == 200, response.text
    assert response.text == out.stdout
    lines = out.stdout.count("\n") - (1 if fmt == "csv" else 2)
    assert int(response.headers["x-total-rows"]) == lines
