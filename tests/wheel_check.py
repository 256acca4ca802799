"""The wheel check (`make wheel-check`, part of `make test`): run by the Python of a fresh venv in
which only the wheel built from the sdist was installed, with the lock's versions of fmtr's own
dependencies. It checks what a user gets from `pip install fmtr-db`:

- the sdist holds the tests (with their conftest files and subfolders), docs, README, LICENSE and
  the lock, and (in a git checkout) every file git tracks under src, tests, docs, bench and .ci;
  the wheel holds the package and its data, not the tests;
- `fmtr --version` prints the version the distribution was built with; `fmtr --help` runs;
- `fmtr events add` writes to the user data folder, never into the installed package (its file
  keeps its bytes), `fmtr events list` shows the packaged events and the user's together, and
  naming the package's own file is refused.

Usage: python tests/wheel_check.py DIST_DIR WORK_DIR (DIST_DIR: the sdist and the wheel).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

SDIST_MUST_HOLD = (
    "tests/conftest.py",
    "tests/corpus_kit.py",
    "tests/web/conftest.py",
    "tests/history/test_events.py",
    "docs/history.md",
    "README.md",
    "LICENSE",
    "requirements.lock",
    "src/fmtr/clean/events.json",
    "src/fmtr/store/migrations/env.py",
)
WHEEL_MUST_HOLD = (
    "fmtr/clean/events.json",
    "fmtr/store/migrations/env.py",
    "fmtr/web/templates/base.jinja",
    # The API docs offline: the app's own starter script and style beside the Swagger UI package.
    "fmtr/web/static/api-docs.js",
    "fmtr/web/static/api-docs.css",
    "fmtr/web/static/favicon.ico",
    "fmtr/py.typed",
)
EVENT = {
    "country": "Pakistan",
    "programmes": ["FMF"],
    "kind": "restricted",
    "effective": {"date": "FY2019", "precision": "fiscal_year"},
    "authority": "A test event of the wheel check (never kept).",
    "sources": [{"title": "T", "author": "A", "date": "2020", "sentence": "S."}],
}


# Every file git tracks under these is in the sdist (a new test folder included), screenshots
# excepted: they are the browser tests' output.
SDIST_FOLDERS = ("src", "tests", "docs", "bench", ".ci")


def tracked(folders: tuple[str, ...]) -> list[str]:
    """The files git tracks under ``folders``; none outside a git checkout (an unpacked sdist)."""
    run = subprocess.run(["git", "ls-files", "-z", "--", *folders], capture_output=True)
    if run.returncode != 0:
        return []
    names = run.stdout.decode().split("\0")
    return [n for n in names if n and not n.startswith("tests/screenshots/")]


def fail(message: str) -> None:
    sys.exit(f"wheel check failed: {message}")


def run_fmtr(*args: str, env: dict[str, str], code: int = 0) -> subprocess.CompletedProcess[str]:
    exe = Path(sysconfig.get_path("scripts")) / "fmtr"
    run = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=120)
    if run.returncode != code:
        fail(f"fmtr {' '.join(args)}: exit {run.returncode}, not {code}\n{run.stdout}{run.stderr}")
    return run


def check_archives(dist: Path) -> str:
    [sdist] = dist.glob("*.tar.gz")
    [wheel] = dist.glob("*.whl")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    if missing := [n for n in SDIST_MUST_HOLD if n not in names]:
        fail(f"{sdist.name} lacks {', '.join(missing)}")
    if missing := sorted(set(tracked(SDIST_FOLDERS)) - names):
        fail(f"{sdist.name} lacks {len(missing)} tracked files: {', '.join(missing[:5])}")
    with zipfile.ZipFile(wheel) as whl:
        members = set(whl.namelist())
    if missing := [n for n in WHEEL_MUST_HOLD if n not in members]:
        fail(f"{wheel.name} lacks {', '.join(missing)}")
    if tests := sorted(n for n in members if n.startswith("tests/")):
        fail(f"{wheel.name} holds tests: {tests[:3]}")
    return f"{sdist.name} ({len(names)} files), {wheel.name} ({len(members)} files)"


def main() -> None:
    dist, work = Path(sys.argv[1]), Path(sys.argv[2]).resolve()
    import fmtr
    from fmtr.clean.events import registry_path

    if "site-packages" not in Path(fmtr.__file__).parts:
        fail(f"fmtr imported from {fmtr.__file__}, not from the installed wheel")
    archives = check_archives(dist)
    # A user of their own: no $FMTR_EVENTS, home and data folder in the work folder.
    env = {k: v for k, v in os.environ.items() if k != "FMTR_EVENTS"}
    env |= {"HOME": str(work / "home"), "XDG_DATA_HOME": str(work / "data")}

    version = run_fmtr("--version", env=env).stdout.strip()
    if version != f"fmtr {metadata.version('fmtr-db')}" or version != f"fmtr {fmtr.__version__}":
        fail(f"--version printed {version!r}; the distribution is {metadata.version('fmtr-db')}")
    run_fmtr("--help", env=env)

    packaged = registry_path()
    before = hashlib.sha256(packaged.read_bytes()).hexdigest()
    new = work / "new-event.json"
    new.write_text(json.dumps(EVENT), "utf-8")
    added = run_fmtr("events", "add", str(new), env=env).stdout.strip()
    mine = work / "data" / "fmtr" / "events.json"
    if added != f"added Pakistan-FMF-restricted-FY2019 to {mine}" or not mine.is_file():
        fail(f"events add: {added!r}, not into {mine}")
    if hashlib.sha256(packaged.read_bytes()).hexdigest() != before:
        fail(f"events add changed the installed {packaged}")
    listed = run_fmtr("events", "list", "--country", "Pakistan", "--json", env=env).stdout
    ids = [row["event_id"] for row in json.loads(listed)["rows"]]
    if len(ids) != 4 or "Pakistan-FMF-restricted-FY2019" not in ids:  # 3 packaged, 1 added
        fail(f"events list: {ids}, not the three packaged events and the one added")
    refused = run_fmtr("events", "add", str(new), "--registry", str(packaged), env=env, code=2)
    if "belongs to the installed fmtr package" not in refused.stderr:
        fail(f"events add --registry {packaged}: {refused.stderr}")

    print(
        f"wheel check: {version} on Python {sys.version.split()[0]}, from {archives}; "
        f"--help runs; events add wrote {mine.relative_to(work)} (package file unchanged), "
        f"list shows 4 events, writing into the package refused: ok"
    )


if __name__ == "__main__":
    main()
