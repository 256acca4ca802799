"""Rendered page images kept on disk: in a folder only this user can enter, bounded in bytes.

A page image is about 230 kB: one for every PDF row would be 54 GB, so the folder holds at most
``max_bytes`` and drops the least recently used images first. The folder used to be a fixed
name in the shared temporary directory, where another local user could create it first, plant
an image, or leave a symbolic link the server would then write through. Now:

- the default folder is the user's own cache folder (platformdirs), or one the user gives;
- it is created 0700, must be a real folder (not a link) owned by this user, and is tightened to
  0700 if it is more open;
- every file is opened relative to the folder's descriptor with O_NOFOLLOW: a link planted in
  it is neither read nor written through;
- an image is written to a private temporary file and renamed into place (os.replace), so a
  reader never sees half an image and a second process never a torn one.

On Windows, which has neither O_NOFOLLOW, descriptors of folders nor owners in ``st_uid``, the
folder is used by its path: the default one is under %LOCALAPPDATA%, private to the user by its
access list, and making a symbolic link there takes a privilege users do not have by default.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
import time
from pathlib import Path

from fmtr.errors import InputError
from fmtr.settings import ServerSettings

MiB = 1 << 20
# The image_cache_mb setting's default (fmtr.settings), about 1,100 page images.
DEFAULT_BYTES = ServerSettings().image_cache_mb * MiB
_TMP_AGE = 3600.0  # seconds: a temporary file older than this was left by a killed writer


class PageCacheError(InputError):
    """A cache folder that cannot be used safely; the message says which and why."""

    code = "unsafe_cache_folder"


def default_folder() -> Path:
    """The user's own cache folder for page images (~/.cache/fmtr/pages on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("fmtr", appauthor=False)) / "pages"


class PageCache:
    """Page images by key (hex digits), at most ``max_bytes`` on disk in ``folder``."""

    def __init__(self, folder: Path, max_bytes: int = DEFAULT_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._dir = _private_folder(folder)  # the folder's descriptor (-1: none, on Windows)

    def close(self) -> None:
        if self._dir >= 0:
            with contextlib.suppress(OSError):
                os.close(self._dir)

    # The folder's files, by name, never through a symbolic link (see the module's docstring).

    def _open(self, name: str, flags: int, mode: int = 0o777) -> int:
        if sys.platform == "win32":
            return os.open(self.folder / name, flags | os.O_BINARY, mode)
        return os.open(name, flags | os.O_NOFOLLOW, mode, dir_fd=self._dir)

    def _unlink(self, name: str) -> None:
        if sys.platform == "win32":
            os.unlink(self.folder / name)
        else:
            os.unlink(name, dir_fd=self._dir)

    def _rename(self, old: str, new: str) -> None:
        if sys.platform == "win32":
            os.replace(self.folder / old, self.folder / new)
        else:
            os.replace(old, new, src_dir_fd=self._dir, dst_dir_fd=self._dir)

    def _touch(self, name: str, fd: int) -> None:
        if sys.platform == "win32":
            os.utime(self.folder / name)
        else:
            os.utime(fd)

    def get(self, name: str) -> bytes | None:
        """The image stored as ``name``, None when there is none (or only a planted link)."""
        _check_name(name)
        try:
            fd = self._open(name, os.O_RDONLY)
        except OSError:  # missing, or ELOOP: a symbolic link in its place
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or not _mine(info):
                return None
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read()
            # Used now: its modification time is its last use, for the eviction order.
            with contextlib.suppress(OSError):
                self._touch(name, fd)
            return data
        finally:
            os.close(fd)

    def put(self, name: str, data: bytes) -> None:
        """Store ``data`` as ``name`` (atomically), then drop old images past ``max_bytes``."""
        _check_name(name)
        if len(data) > self.max_bytes:
            return  # would evict everything and still not fit
        tmp = f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = self._open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb", closefd=False) as fh:
                fh.write(data)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                self._unlink(tmp)
            raise
        os.close(fd)
        # rename() replaces a link planted under the final name rather than writing through it.
        self._rename(tmp, name)
        self.evict()

    def size(self) -> int:
        return sum(size for _, _, size in self._files())

    def evict(self) -> None:
        """Drop the least recently used images until the folder holds at most ``max_bytes``."""
        files = self._files()
        total = sum(size for _, _, size in files)
        if total <= self.max_bytes:
            return
        for _, name, size in sorted(files):
            with contextlib.suppress(FileNotFoundError):  # another process dropped it first
                self._unlink(name)
            total -= size
            if total <= self.max_bytes:
                break

    def _files(self) -> list[tuple[float, str, int]]:
        """(last use, name, bytes) of every image; stale temporary files are removed."""
        now = time.time()
        found: list[tuple[float, str, int]] = []
        with os.scandir(self.folder if self._dir < 0 else self._dir) as entries:
            for entry in entries:
                try:
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if not stat.S_ISREG(info.st_mode):
                    continue
                if entry.name.startswith("."):
                    if now - info.st_mtime > _TMP_AGE:
                        with contextlib.suppress(FileNotFoundError):
                            self._unlink(entry.name)
                    continue
                found.append((info.st_mtime, entry.name, info.st_size))
        return found


def _check_name(name: str) -> None:
    # Names are made by fmtr (hex digits and a suffix): nothing that could leave the folder.
    if not name or "/" in name or name.startswith(".") or "\0" in name:
        raise ValueError(f"not a page image name: {name!r}")


def _mine(info: os.stat_result) -> bool:
    if sys.platform == "win32":
        return True  # no owner in st_uid there: the folder's access list keeps others out
    return info.st_uid == os.geteuid()


def _private_folder(folder: Path) -> int:
    """A descriptor of ``folder``, created 0700 if missing; PageCacheError when it is a link or
    belongs to another user. On Windows: -1, the folder checked to be one and not a link."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
        if sys.platform == "win32":
            if folder.is_symlink() or not folder.is_dir():
                raise NotADirectoryError(0, "not a folder")
            return -1
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        why = "a symbolic link" if folder.is_symlink() else exc.strerror
        raise PageCacheError(f"page image cache {folder}: {why}: not used") from None
    info = os.fstat(fd)
    if info.st_uid != os.geteuid():
        os.close(fd)
        raise PageCacheError(
            f"page image cache {folder} belongs to another user (uid {info.st_uid}): not used"
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.fchmod(fd, 0o700)  # this user's folder, but others could read or plant images
    return fd
