"""The `fmtr` Typer app: the global options, every command group, and the one place where an
error becomes one line on stderr and an exit code (never a traceback).

Exit codes: 0 done; 1 some documents failed, the proof found a mismatch, the manifest was
refused or the disk filled up during a build; 2 bad input, or a database or corpus that is
missing or unreadable; 3 another build holds the database.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import typer

# Recent Typer releases carry their own copy of Click (its exceptions are not the click package's);
# the older ones within pyproject's range (down to 0.19) use the click package itself.
try:
    from typer._click.exceptions import ClickException, UsageError
except ImportError:
    from click.exceptions import ClickException, UsageError  # type: ignore[assignment]
from typer.core import TyperGroup

from fmtr import __version__
from fmtr.cli import build, common, debug, funding, history, questions, release, serve, verify
from fmtr.errors import FmtrError

log = logging.getLogger("fmtr.cli")


class _Fmtr(TyperGroup):
    """Typer's group, with errors said in one line: Click's usage errors, fmtr's errors (with
    their exit code) and, for a bug, its type and message (the traceback at --log-level
    debug)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        given = {
            "args": args,
            "prog_name": prog_name,
            "complete_var": complete_var,
            "windows_expand_args": windows_expand_args,
            **extra,
        }
        if not standalone_mode:
            return super().main(standalone_mode=False, **given)
        try:
            # Not standalone: Typer returns an Exit's code and raises everything else here.
            code = super().main(standalone_mode=False, **given)
        except FmtrError as exc:
            common.say(str(exc))
            sys.exit(exc.exit_code)
        except ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            if type(exc).__name__ == "NoArgsIsHelpError":  # `fmtr`, `fmtr events`: the help
                common.out.print(exc.format_message(), markup=False)
                sys.exit(0)
            where = ctx.command_path if ctx is not None else "fmtr"
            hint = f" (see `{where} --help`)" if isinstance(exc, UsageError) else ""
            common.say(f"{exc.format_message()}{hint}", where)
            sys.exit(exc.exit_code)
        except typer.Abort:
            common.say("aborted")
            sys.exit(1)
        except KeyboardInterrupt:
            sys.exit(130)
        except OSError as exc:  # the machine's refusal (no space, no permission, a long name)
            log.debug("system error", exc_info=True)
            where = f"{exc.filename}: " if exc.filename else ""
            common.say(f"{where}{exc.strerror or exc}")
            sys.exit(2)
        except Exception as exc:  # a bug: still one line, the traceback for whoever asks
            log.debug("unexpected error", exc_info=True)
            first = (str(exc).strip().splitlines() or [""])[0]
            common.say(f"unexpected {type(exc).__name__}: {first} (--log-level debug shows where)")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_Fmtr,
    name="fmtr",
    help="fmtr: the verified database of US Foreign Military Training reports.",
    context_settings={"auto_envvar_prefix": "FMTR", "help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        common.out.print(f"fmtr {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def main_options(
    log_level: Annotated[
        Literal["debug", "info", "warning", "error"],
        typer.Option("--log-level", envvar="FMTR_LOG_LEVEL", help="Log from this level up."),
    ] = "warning",
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """fmtr: the verified database of US Foreign Military Training reports.

    Example: fmtr top --programme IMET --from FY2003 --to FY2017 --limit 5
    """
    common.configure_logging(log_level)


for _group in (build, verify, questions, history, funding, serve, release, debug):
    _group.register(app)


def run() -> None:
    app(prog_name="fmtr")
