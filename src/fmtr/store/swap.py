"""Building a SQLite database aside and swapping it in, so that no reader ever sees half a build.

A build works on a copy (``<db>.building``) and, once complete, renames it over the served file:
``os.replace`` is atomic, so a reader opens either the old database or the new one. A build
killed at any moment leaves the served file as it was; the next build starts again from a fresh
copy. The served file stays in rollback-journal mode (no ``-wal`` file beside it that could be
replayed onto the new file after a swap). A lock file keeps two builds from running at once.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fmtr.errors import Conflict, DatabaseUnavailable


class BuildLocked(Conflict):
    """Another build holds the database's lock."""

    code = "build_locked"


# The lock is an OS lock on the lock file, so that it goes with the process that holds it,
# however that process ends: flock on POSIX; on Windows (no fcntl) msvcrt's byte-range lock, on
# a byte past the pid it guards, since Windows locks are mandatory: a locked byte can't be read.
if sys.platform == "win32":
    import msvcrt

    _LOCKED_BYTE = 64

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _LOCKED_BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _read_pid(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 32).decode(errors="replace").strip() or "?"


def _write_pid(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, str(os.getpid()).encode())


@contextmanager
def build_lock(db: Path) -> Iterator[None]:
    """Hold ``<db>.lock`` for the duration of a build; raise BuildLocked if another build has it."""
    db.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db.with_name(db.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            raise BuildLocked(
                f"another fmtr build (pid {_read_pid(fd)}) is running on {db}; "
                "try again when it ends"
            )
        _write_pid(fd)
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process is killed


def building_path(db: Path) -> Path:
    return db.with_name(db.name + ".building")


def remove_aside(db: Path) -> None:
    """Remove the copy a build works on, and SQLite's files beside it."""
    aside = building_path(db)
    for path in (aside, Path(f"{aside}-wal"), Path(f"{aside}-shm"), Path(f"{aside}-journal")):
        path.unlink(missing_ok=True)


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the user's quota) is full, from SQLite or the OS."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            return True
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        # SQLAlchemy keeps the driver's exception as .orig
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def free_space(folder: Path) -> str:
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return "unknown space"
    return f"{free / 2**20:,.1f} MiB"


def start_aside(db: Path) -> Path:
    """A fresh copy of ``db`` (or nothing, for a new database) to build on."""
    aside = building_path(db)
    remove_aside(db)  # a killed build's leftovers
    if db.exists():
        # The backup API copies a consistent snapshot even while readers have the file open.
        src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        dst = sqlite3.connect(aside)
        try:
            with dst:
                src.backup(dst)
        except sqlite3.DatabaseError as exc:  # "file is not a database": left as it is
            aside.unlink(missing_ok=True)
            if disk_full(exc):  # the build says so in one line (fmtr.pipeline.BuildStopped)
                raise
            raise DatabaseUnavailable(f"{db}: cannot build on it ({exc})") from None
        finally:
            src.close()
            dst.close()
    return aside


def swap_in(aside: Path, db: Path) -> None:
    """Make the finished copy the served database, atomically and durably."""
    con = sqlite3.connect(aside)
    try:  # closed also on error: an open file's space is not freed when a failed build unlinks it
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode=DELETE")  # folds the WAL back in and removes it
    finally:
        con.close()
    with aside.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(aside, db)
    if sys.platform == "win32":
        return  # a folder cannot be opened there; NTFS journals the rename itself
    dir_fd = os.open(db.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
