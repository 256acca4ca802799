"""Docs that tests keep honest: every command and every API route appears in README.md or
docs/, each command's help carries one example, and docs/settings.md lists the settings as
fmtr.settings declares them (its tables are regenerated here and must match:
``python tests/test_docs.py`` prints them)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from fmtr.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = "\n".join(
    p.read_text("utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
)


def _commands() -> dict[str, Any]:
    group = typer.main.get_command(app)
    found: dict[str, Any] = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            found.update({f"{name} {sub}": c for sub, c in command.commands.items()})
        else:
            found[name] = command
    return found


COMMANDS = _commands()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_documented(name: str) -> None:
    assert f"fmtr {name}" in DOCS, f"`fmtr {name}` appears in neither README.md nor docs/"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_shows_an_example(name: str) -> None:
    help_text = COMMANDS[name].help or ""
    examples = re.findall(r"^\s*Example: (fmtr .+)$", help_text, re.M)
    assert len(examples) == 1, f"fmtr {name} --help: one 'Example: fmtr {name} ...' line"
    assert examples[0].startswith(f"fmtr {name}")


def test_every_api_route_is_documented() -> None:
    from fmtr.web.api import router

    for route in router.routes:
        assert f"`{route.path}" in DOCS, route.path  # type: ignore[attr-defined]


def render_settings(kind: Any, command: str) -> str:
    """The table of ``kind``'s settings as docs/settings.md shows it."""
    from fmtr.settings import declared

    def number(value: float) -> str:
        return f"{value:,}" if float(value).is_integer() else f"{value:g}"

    lines = [
        "| setting | default | range | environment | what it does |",
        "|---|---|---|---|---|",
    ]
    for f in declared(kind):
        meta = f.metadata
        if isinstance(f.default, bool):
            default, span = f"`{str(f.default).lower()}`", "true, false"
        else:
            default = f"`{f.default!r}`" if isinstance(f.default, str) else f"`{f.default}`"
            span = (
                f"{number(meta['min'])} to {number(meta['max'])}" if meta["min"] is not None else ""
            )
        env = f"FMTR_{command.upper()}_{f.name.upper()}"
        lines.append(f"| `{f.name}` | {default} | {span} | `{env}` | {meta['help']} |")
    return "\n".join(lines)


def expected_settings_sections() -> dict[str, str]:
    from fmtr.settings import BuildSettings, ServerSettings

    return {
        "serve": render_settings(ServerSettings, "serve"),
        "build": render_settings(BuildSettings, "build"),
    }


def test_the_settings_page_lists_every_setting_as_declared() -> None:
    page = (ROOT / "docs" / "settings.md").read_text("utf-8")
    for command, table in expected_settings_sections().items():
        found = re.search(rf"<!-- {command} settings -->\n(.*?)\n<!-- end -->", page, re.S)
        assert found is not None, f"docs/settings.md: no <!-- {command} settings --> table"
        assert found.group(1) == table, (
            f"docs/settings.md's {command} table is out of date; it should read:\n{table}"
        )


if __name__ == "__main__":
    for command, table in expected_settings_sections().items():
        print(f"<!-- {command} settings -->\n{table}\n<!-- end -->\n")
