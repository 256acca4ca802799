"""A PostgreSQL server for the tests, started and stopped by them: Debian's `postgresql` package
(`make test` installs it), a cluster made with `initdb` in a temporary folder, listening on a
Unix socket in that folder only (no TCP port: nothing outside the machine, nor any other test
run, can reach it), with a trusted superuser `fmtr`.

PostgreSQL refuses to run as root: run as root (here, and in CI), the server runs as the
`postgres` user the Debian package creates (else `nobody`), and the folder is given to it.
``python tests/postgres_kit.py`` starts one and prints its URL until Ctrl-C (for trying things
by hand).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Debian puts the server's programs in a folder of their own, one per major version.
_DEBIAN = Path("/usr/lib/postgresql")


def server_programs() -> Path | None:
    """The folder of initdb and pg_ctl (the newest Debian version, else the PATH's), or None."""
    found = sorted(_DEBIAN.glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]), reverse=True)
    if found:
        return found[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _server_user() -> str | None:
    """Whom the server runs as: None for this user, unless it is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and no user `postgres` or `nobody` to run PostgreSQL as")


@dataclass
class Server:
    """A PostgreSQL cluster in ``folder`` (its data, socket and log), stopped by ``stop``."""

    programs: Path
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fmtr-pg-")))
    port: int = 5432  # only the socket's name (.s.PGSQL.5432): the folder is private
    user: str | None = field(default_factory=_server_user)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.programs / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)

    def start(self) -> Server:
        if self.user is not None:
            shutil.chown(self.folder, self.user)
        os.chmod(self.folder, 0o755)  # the socket must be reachable by the tests' user
        # C.UTF-8: characters are classified as Unicode says, and compared byte by byte.
        self._run(
            "initdb", "-D", str(self.data), "-U", "fmtr", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-c listen_addresses='' -k {self.folder} -p {self.port} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = self.folder / "server.log"
        try:
            self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(log),
                      "-o", options)  # fmt: skip
        except subprocess.CalledProcessError as exc:
            shown = log.read_text() if log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}{shown}") from None
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://fmtr@/{database}?host={self.folder}&port={self.port}"

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def sql(self, statement: str, database: str = "postgres") -> list[tuple[object, ...]]:
        """Run one statement (autocommit) as the superuser; its rows, if any."""
        import psycopg

        with psycopg.connect(
            host=str(self.folder), port=self.port, user="fmtr", dbname=database, autocommit=True
        ) as conn:
            cur = conn.execute(statement)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data))
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(frozen=True)
class Both:
    """The same editions in both databases: ``sqlite`` a file, ``postgresql`` a URL."""

    sqlite: str
    postgresql: str


@dataclass(frozen=True)
class Layouts:
    """The layouts corpus (a few cut pages of each layout) built into both databases, and again
    with one document changed (``changed``: FY2016-2017 Africa without its first page)."""

    corpus: Path
    built: Both
    changed: Both


def build_both(
    corpus: Path,
    folder: Path,
    server: Server,
    name: str,
    jobs: int = 1,
    funding: Path | None = None,
    seconds: dict[str, float] | None = None,
) -> Both:
    """``corpus`` (and the ``funding`` folder, when given) built by `fmtr build`'s own function
    into a SQLite file (aside, swapped in) and a PostgreSQL database (in place). One worker by
    default, so that both load the documents in the same order and give the rows the same
    integer ids (a build with several workers numbers them in the order the workers finish).
    ``seconds``, when given, receives each build's time ("sqlite", "postgresql")."""
    import time

    from fmtr.clock import VARIABLE
    from fmtr.pipeline import build_database
    from fmtr.store.db import database_url

    url = server.create_database(name)
    path = folder / f"{name}.sqlite"
    # Both builds record one time (fmtr.clock), so that they cite the same build date even when
    # midnight falls between them.
    pinned = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = str(int(time.time()))
    try:
        for kind, db in (("sqlite", str(path)), ("postgresql", url)):
            began = time.perf_counter()
            report = build_database(database_url(db), corpus, jobs=jobs, funding=funding)
            assert report.ok and report.loaded, [str(e) for e in report.errors]
            if seconds is not None:
                seconds[kind] = time.perf_counter() - began
    finally:
        if pinned is None:
            del os.environ[VARIABLE]
        else:
            os.environ[VARIABLE] = pinned
    return Both(str(path), url)


if __name__ == "__main__":
    programs = server_programs()
    if programs is None:
        raise SystemExit("no PostgreSQL server programs (apt-get install postgresql)")
    server = Server(programs).start()
    print(server.url(), flush=True)
    try:
        import signal

        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
