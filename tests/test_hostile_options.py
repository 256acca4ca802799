"""Every command, every option and argument, driven with hostile values: each ends with exit
code 0, 1, 2 or 3, an error is one line on stderr, and nothing ends in a traceback or in
fmtr's "unexpected" (a bug's) message.

Runs on the database written by code, a corpus with an empty manifest (build), an empty catalog
(fetch: no network), copies of the events registry, and a stub in place of the server's
listening (serve). Values given to the options of commands that write are made relative paths
first (the test runs in a temporary folder, as root on some machines: "/etc/passwd" as a
database path must stay a thought experiment).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corpus_kit import MANIFEST_HEADER, tiny_report_pdf
from fmtr.cli.app import app

runner = CliRunner()

NASTY = [
    "[/x]",
    "[bold red]x[/]",
    "",
    " ",
    "-",
    "--",
    "-1",
    "0",
    "1e309",
    "nan",
    "9" * 40,
    "%s%n{0}",
    "\\",
    "'; DROP TABLE training; --",
    "<script>alert(1)</script>",
    "FY",
    "FY20000",
    "café ñ 中文 \u202e",
    "\t\n",
    "sqlite:///",
    "nosuch://x",
    "postgresql+psycopg://fmtr:SECRET@127.0.0.1:1/fmtr",
    "x" * 3000,
]
# What an argv can hold: any text but NUL, and no lone surrogates.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
HOSTILE = st.one_of(st.sampled_from(NASTY), TEXT)

# Commands that write: their hostile values become relative paths in the test's folder.
WRITES = {"build", "migrate", "fetch", "events add", "export", "release", "debug-page"}


@pytest.fixture(scope="module")
def place(fixture_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with what the commands' valid invocations need."""
    from fmtr.clean.events import registry_path

    root = tmp_path_factory.mktemp("hostile-options")
    shutil.copy(fixture_db, root / "fmtr.sqlite")
    shutil.copy(fixture_db, root / "migrate.sqlite")
    (root / "corpus").mkdir()
    (root / "corpus" / "manifest.tsv").write_text(MANIFEST_HEADER, "utf-8")
    (root / "empty.tsv").write_text(MANIFEST_HEADER, "utf-8")
    (root / "empty-funding.tsv").write_text(
        "dataset\tfile\tsheet\tofficial_url\thome\tnote\tbytes\tsha256\n", "utf-8"
    )
    (root / "reference.tsv").write_text(
        "fiscal_year\tcountry\tcourse_title\tquantity\ttotal_cost\tsource_file\tpage_number\n"
        "FY2006-2007\tColombia\tRanger Course\t6\t$150,000\tx.pdf\t1\n",
        "utf-8",
    )
    shutil.copy(registry_path(), root / "events.json")
    new = {
        "country": "Pakistan",
        "programmes": ["FMF"],
        "kind": "restricted",
        "effective": {"date": "FY2019", "precision": "fiscal_year"},
        "authority": "A test event.",
        "sources": [{"title": "T", "author": "A", "date": "2020", "sentence": "S."}],
    }
    (root / "new.json").write_text(json.dumps(new), "utf-8")
    (root / "FY2016-2017").mkdir()
    tiny_report_pdf(root / "FY2016-2017" / "tiny.pdf")
    return root


# Each command's valid invocation: (positional arguments, options), the database given.
def _bases(root: Path) -> dict[str, tuple[list[str], list[str]]]:
    db = ["--db", str(root / "fmtr.sqlite")]
    return {
        "summary": ([], db),
        "editions": ([], db),
        "countries": ([], db),
        "country": (["Pakistan"], db),
        "names": (["PAK", "courses"], db),
        "programmes": ([], db),
        "trend": (["IMET"], db),
        "top": ([], db),
        "series": ([], ["--country", "PAK", *db]),
        "compare": (["COL", "PAK"], db),
        "gaps": ([], db),
        "unit": (["army"], db),
        "unit-profile": (["COL", "Colombian Army"], db),
        "course": (["command"], db),
        "course-profile": (["Basic Officer Leader Course"], db),
        "search": (["benning"], db),
        "row": (["1"], db),
        "export": ([], ["--out", "export.csv", *db]),
        "timeline": (["PAK"], db),
        "check-suspensions": ([], db),
        "events list": ([], ["--registry", str(root / "events.json")]),
        "events add": ([str(root / "new.json")], ["--registry", str(root / "events.json")]),
        "verify": ([], db),
        "compare-reference": ([str(root / "reference.tsv")], db),
        "migrate": ([], ["--db", str(root / "migrate.sqlite")]),
        "build": ([], ["--corpus", str(root / "corpus"), "--db", "built.sqlite", "--jobs", "1"]),
        "fetch": (
            [],
            ["--dest", "fetched", "--catalog", str(root / "empty.tsv")]
            + ["--funding-catalog", str(root / "empty-funding.tsv")],
        ),
        "serve": ([], db),
        "cite": (["PAK/IMET/FY2002"], db),
        "diff": ([str(root / "fmtr.sqlite"), str(root / "migrate.sqlite")], []),
        "release": (["released"], db),
        "funding series": (["PAK"], db),
        "funding top": ([], ["--account", "IMET", *db]),
        "funding courses": (["PAK"], db),
        "funding timeline": (["PAK"], db),
        "funding accounts": ([], db),
        "largest": ([], db),
        "debug-page": ([str(root / "FY2016-2017" / "tiny.pdf"), "1"], ["--out", "page.png"]),
    }


def _commands() -> dict[str, Any]:
    group = typer.main.get_command(app)
    out: dict[str, Any] = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            out.update({f"{name} {sub}": c for sub, c in command.commands.items()})
        else:
            out[name] = command
    return out


COMMANDS = _commands()
# (command, parameter): every option that takes a value and every argument, and the global
# --log-level (given before the command).
PARAMETERS = [
    (name, p.name)
    for name, command in COMMANDS.items()
    for p in command.params
    if not getattr(p, "is_flag", False) and p.name not in ("help",)
] + [("summary", "log_level")]


def test_every_command_has_a_valid_invocation(place: Path) -> None:
    assert set(_bases(place)) == set(COMMANDS)


@pytest.fixture()
def quiet_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`fmtr serve` without listening: everything up to it runs."""
    import fmtr.web.processes
    from fmtr.cli import serve

    monkeypatch.setattr(fmtr.web.processes, "serve", lambda *a, **k: None)
    monkeypatch.setenv(serve._HANDOVER, "")
    yield


def invoke(place: Path, command: str, parameter: str, value: str) -> Any:
    positionals, options = _bases(place)[command]
    positionals = list(positionals)
    if command in WRITES:
        value = "w_" + value.replace("/", "_").replace("\\", "_")
    found = (
        next(p for p in COMMANDS[command].params if p.name == parameter)
        if (parameter != "log_level")
        else None
    )
    prefix: list[str] = []
    if found is None:
        prefix = ["--log-level", value]
    elif getattr(found, "opts", None) and found.opts[0].startswith("-"):
        options = [*options, found.opts[0], value]  # the last one given wins
    else:
        index = [p.name for p in COMMANDS[command].params if not p.opts[0].startswith("-")]
        index = index.index(parameter)
        while len(positionals) <= index:
            positionals.append("x")
        positionals[index] = value
    # Arguments after "--": a hostile value that looks like an option stays a value.
    argv = [*prefix, *command.split(), *options, "--", *positionals]
    return runner.invoke(app, argv)


def check(result: Any, where: str, secret: bool = True) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        where,
        repr(result.exception),
    )
    assert result.exit_code in (0, 1, 2, 3), (where, result.exit_code, result.output)
    assert "Traceback" not in result.output, (where, result.output)
    assert "unexpected" not in result.stderr, (where, result.stderr)
    if secret:  # a password given in a database URL is never printed
        assert "SECRET" not in result.output, (where, result.output)
    if result.exit_code in (2, 3):
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (where, result.stderr)


@pytest.mark.parametrize(
    ("command", "parameter"), PARAMETERS, ids=[f"{c} {p}" for c, p in PARAMETERS]
)
def test_each_parameter_refuses_markup_and_nonsense_in_one_line(
    place: Path, quiet_server: None, monkeypatch: pytest.MonkeyPatch, command: str, parameter: str
) -> None:
    monkeypatch.chdir(place)
    for value in ("[/x]", "x" * 3000, "postgresql+psycopg://fmtr:SECRET@127.0.0.1:1/fmtr"):
        where = f"{command} {parameter}={value[:40]!r}"
        check(
            invoke(place, command, parameter, value),
            where,
            secret=parameter == "db" and command not in WRITES,
        )


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=st.sampled_from(PARAMETERS), value=HOSTILE)
def test_hostile_values_end_in_a_code_and_one_line(
    place: Path,
    quiet_server: None,
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str, str],
    value: str,
) -> None:
    monkeypatch.chdir(place)
    command, parameter = case
    where = f"{command} {parameter}={value[:40]!r}"
    check(
        invoke(place, command, parameter, value),
        where,
        secret=parameter == "db" and command not in WRITES,
    )
