"""The optional parts (extras): used without their library, each says in one line how to
install it, and the command exits with code 2. The missing library is simulated by blocking its
import (None in sys.modules), whether or not it is installed here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from fmtr.extras import EXTRAS, MissingExtra, require
from fmtr.query.errors import FormatUnavailable
from fmtr.query.export import check_format, export


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_a_missing_extra_names_its_install_command(
    extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    what, module = EXTRAS[extra]
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingExtra) as info:
        require(extra)
    assert str(info.value) == (
        f"{what} needs {module}, which is not installed: pip install 'fmtr-db[{extra}]'"
    )


def test_a_broken_library_keeps_its_own_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # pyarrow present but one of its own imports missing: that error, not "install the extra".
    class Broken:
        def find_spec(self, name: str, *args: object) -> None:
            if name == "pyarrow":
                raise ModuleNotFoundError("No module named 'numpy'", name="numpy")

    monkeypatch.delitem(sys.modules, "pyarrow", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Broken(), *sys.meta_path])
    with pytest.raises(ModuleNotFoundError) as info:
        require("parquet")
    assert not isinstance(info.value, MissingExtra) and info.value.name == "numpy"


def test_export_refuses_before_the_query_and_makes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    out = tmp_path / "x.parquet"
    # An empty in-memory database: the refusal comes before any table is read.
    with pytest.raises(FormatUnavailable, match=r"pip install 'fmtr-db\[parquet\]'"):
        export(create_engine("sqlite://"), "parquet", out)
    assert not out.exists()
    check_format("csv")  # the formats of the base install need nothing more


def test_postgres_without_its_driver_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocked = (
        "import sys; sys.modules['psycopg'] = None; from fmtr.cli import main; "
        "sys.argv = ['fmtr', 'top', '--db', 'postgresql+psycopg://fmtr@127.0.0.1:9/fmtr']; main()"
    )
    run = subprocess.run(
        [sys.executable, "-c", blocked], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert run.returncode == 2
    assert run.stderr == (
        "fmtr: cannot open postgresql+psycopg://fmtr@127.0.0.1:9/fmtr: PostgreSQL needs psycopg, "
        "which is not installed: pip install 'fmtr-db[postgres]'\n"
    )
