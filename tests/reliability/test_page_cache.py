"""The page-image cache: a private folder (0700, a real folder of this user), files never read or
written through a planted link, atomic writes, a byte bound with least-recently-used eviction;
and the server never renders a file from outside the corpus.

Before: images went to `<tmp>/fmtr-render`, a fixed name in the shared temporary folder, without
a size limit (about 230 kB a row: 54 GB for every PDF row)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import time
from contextlib import closing
from pathlib import Path

import pytest
from hostile_kit import PDF

from corpus_kit import connect
from fmtr.sources.page_cache import PageCache, PageCacheError, default_folder


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_the_folder_is_created_private(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "cache" / "pages")
    assert mode(cache.folder) == 0o700
    cache.put("a.png", b"png")
    assert mode(cache.folder / "a.png") == 0o600


def test_a_folder_left_open_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(0o777)
    PageCache(folder)
    assert mode(folder) == 0o700


def test_a_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    """Another user could have made the name a link to a folder of theirs."""
    target = tmp_path / "theirs"
    target.mkdir()
    (tmp_path / "pages").symlink_to(target)
    with pytest.raises(PageCacheError, match="a symbolic link: not used"):
        PageCache(tmp_path / "pages")


def test_a_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        folder = tmp_path / "nobody"
        folder.mkdir(mode=0o700)
        os.chown(folder, 65534, 65534)
    else:
        folder = Path("/")  # root's
    with pytest.raises(PageCacheError, match="belongs to another user"):
        PageCache(folder)


def test_a_planted_link_is_neither_read_nor_written_through(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "pages")
    victim = tmp_path / "victim.txt"
    victim.write_text("another file")
    (cache.folder / "0123.png").symlink_to(victim)
    assert cache.get("0123.png") is None  # not the victim's content
    cache.put("0123.png", b"image")
    assert victim.read_text() == "another file"
    assert not (cache.folder / "0123.png").is_symlink()
    assert cache.get("0123.png") == b"image"


def test_an_image_is_replaced_whole_never_rewritten_in_place(tmp_path: Path) -> None:
    """A reader of the old image keeps it whole while the new one is written (rename)."""
    cache = PageCache(tmp_path / "pages")
    cache.put("p.png", b"old" * 1000)
    with (cache.folder / "p.png").open("rb") as reader:
        cache.put("p.png", b"new" * 1000)
        assert reader.read() == b"old" * 1000
    assert cache.get("p.png") == b"new" * 1000
    assert sorted(p.name for p in cache.folder.iterdir()) == ["p.png"]  # no temporary left


def test_names_cannot_leave_the_folder(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "pages")
    for name in ("../x.png", "/etc/passwd", ".hidden", ""):
        with pytest.raises(ValueError):
            cache.put(name, b"x")


def test_the_cache_is_bounded_and_drops_the_least_recently_used(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "pages", max_bytes=10_000)
    past = time.time() - 1000
    for i in range(3):
        cache.put(f"{i}.png", bytes(3000))
        os.utime(cache.folder / f"{i}.png", (past + i, past + i))  # written in order 0, 1, 2
    assert cache.get("0.png") == bytes(3000)  # used now: the most recent
    cache.put("3.png", bytes(3000))  # 12,000 bytes: one must go, the least recently used
    assert sorted(p.name for p in cache.folder.iterdir()) == ["0.png", "2.png", "3.png"]
    assert cache.size() <= 10_000
    for i in range(4, 40):
        cache.put(f"{i}.png", bytes(3000))
        assert cache.size() <= 10_000
    assert cache.put("big.png", bytes(20_000)) is None and cache.get("big.png") is None


def test_a_killed_writers_temporary_file_is_removed(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "pages", max_bytes=10)
    stale = cache.folder / ".x.png.123.abcd.tmp"
    stale.write_bytes(bytes(100))
    old = time.time() - 7200
    os.utime(stale, (old, old))
    cache.put("a.png", b"12345")
    assert not stale.exists()


def test_the_default_folder_is_the_users_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tempfile

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_folder() == tmp_path / "xdg" / "fmtr" / "pages"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert Path(tempfile.gettempdir()) not in default_folder().parents


# --- through the server --------------------------------------------------------------------------


@pytest.fixture()
def server_files(served: tuple[Path, Path, str], tmp_path: Path) -> tuple[Path, Path, list[int]]:
    """A private copy of the small corpus and its database, and the ids of a row on each PDF
    page."""
    root, db, _ = served
    shutil.copytree(root, tmp_path / "corpus")
    shutil.copy(db, tmp_path / "fmtr.sqlite")
    con = connect(tmp_path / "fmtr.sqlite")
    ids = [
        i
        for (i,) in con.execute(
            "SELECT min(training_id) FROM training_provenance WHERE file = ? GROUP BY pdf_page",
            (PDF,),
        )
    ]
    con.close()
    return tmp_path / "corpus", tmp_path / "fmtr.sqlite", ids


def client(db: Path, corpus: Path, cache: Path, cache_bytes: int | None = None):  # type: ignore[no-untyped-def]
    """A test client of the server with its page images in ``cache``; ``cache_bytes``: a bound
    finer than the image_cache_mb setting's whole MiB, so that three pages overflow it."""
    import dataclasses

    from fastapi.testclient import TestClient

    from fmtr.settings import ServerSettings
    from fmtr.web.app import create_app

    app = create_app(str(db), corpus=corpus, settings=ServerSettings(image_cache=str(cache)))
    if cache_bytes is not None:
        served = app.state.served
        served.page_cache.close()
        bounded = PageCache(cache, cache_bytes)
        app.state.served = dataclasses.replace(served, page_cache=bounded)
    return TestClient(app)


def test_the_settings_give_the_server_its_cache_folder_and_bound(
    server_files: tuple[Path, Path, list[int]], tmp_path: Path
) -> None:
    from fmtr.settings import ServerSettings
    from fmtr.web.app import create_app

    corpus, db, _ = server_files
    settings = ServerSettings(image_cache=str(tmp_path / "mine"), image_cache_mb=3)
    cache = create_app(str(db), corpus=corpus, settings=settings).state.served.page_cache
    assert cache.folder == tmp_path / "mine" and cache.max_bytes == 3 << 20
    assert mode(tmp_path / "mine") == 0o700
    # Without a corpus there is nothing to render: no folder is made.
    settings = ServerSettings(image_cache=str(tmp_path / "unused"))
    assert create_app(str(db), settings=settings).state.served.page_cache is None
    assert not (tmp_path / "unused").exists()


def test_the_server_caches_images_in_the_private_folder_within_its_bound(
    server_files: tuple[Path, Path, list[int]], tmp_path: Path
) -> None:
    corpus, db, ids = server_files
    assert len(ids) == 3
    cache = tmp_path / "images"
    with client(db, corpus, cache, cache_bytes=300_000) as c:
        first = c.get(f"/training/{ids[0]}/source.png")
        assert first.status_code == 200 and first.content.startswith(b"\x89PNG")
        assert c.get(f"/training/{ids[0]}/source.png").content == first.content  # from the cache
        for i in ids[1:]:
            assert c.get(f"/training/{i}/source.png").status_code == 200
    assert mode(cache) == 0o700
    sizes = [p.stat().st_size for p in cache.iterdir()]
    assert 0 < sum(sizes) <= 300_000 and len(sizes) < 3, sizes  # a page is ~100-230 kB


def test_a_corpus_file_that_links_outside_is_not_served(
    server_files: tuple[Path, Path, list[int]], tmp_path: Path
) -> None:
    corpus, db, ids = server_files
    outside = tmp_path / "outside.pdf"
    shutil.move(corpus / PDF, outside)
    (corpus / PDF).symlink_to(outside)
    with client(db, corpus, tmp_path / "images") as c:
        assert c.get(f"/training/{ids[0]}/source.png").status_code == 404


def test_a_database_naming_a_file_outside_the_corpus_is_not_served(
    server_files: tuple[Path, Path, list[int]], tmp_path: Path
) -> None:
    corpus, db, ids = server_files
    shutil.copy(corpus / PDF, tmp_path / "outside.pdf")
    with closing(sqlite3.connect(db)) as con, con:  # closed, not only committed
        con.execute("UPDATE document SET file = '../outside.pdf' WHERE file = ?", (PDF,))
    with client(db, corpus, tmp_path / "images") as c:
        assert c.get(f"/training/{ids[0]}/source.png").status_code == 404
