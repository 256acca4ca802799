"""`fmtr fetch` against a local HTTP server on 127.0.0.1 serving files cut from the corpus."""

from __future__ import annotations

import functools
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_kit import MANIFEST_HEADER, cut_pdf, write_manifest
from fmtr.cli.app import app
from fmtr.sources.catalog import documents, read_catalog, sha256_hex_of_file
from fmtr.sources.fetch import FetchError, fetch_all, fetch_document

runner = CliRunner()


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single-range support (what resuming needs), and a request log."""

    ranges: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        rng = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not rng or not path.is_file():
            return super().send_head()
        type(self).ranges.append(rng)
        start = int(rng.removeprefix("bytes=").split("-")[0])
        data = path.read_bytes()
        if start >= len(data):
            self.send_response(416)
            self.end_headers()
            return None
        self.send_response(206)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        import io

        return io.BytesIO(data[start:])


@pytest.fixture()
def served(corpus: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A mirror holding two small files cut from the corpus, with its manifest."""
    root = tmp_path / "mirror"
    (root / "FY2016-2017").mkdir(parents=True)
    cut_pdf(corpus / "FY2016-2017/Africa.pdf", [3, 4], root / "FY2016-2017/Africa.pdf")
    cut_pdf(corpus / "FY2016-2017/Europe.pdf", [2], root / "FY2016-2017/Europe.pdf")
    write_manifest(
        root,
        [
            ("FY2016-2017", "Africa", "FY2016-2017/Africa.pdf", ""),
            ("FY2016-2017", "Europe", "FY2016-2017/Europe.pdf", ""),
        ],
    )
    _RangeHandler.ranges = []
    handler = functools.partial(_RangeHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


def test_fetch_downloads_and_verifies(served: tuple[str, Path], tmp_path: Path) -> None:
    base, root = served
    dest = tmp_path / "dest"
    docs = documents(read_catalog(root / "manifest.tsv"))
    results, errors = fetch_all(docs, dest, base_url=base)
    assert errors == []
    assert [r.status for r in results] == ["downloaded", "downloaded"]
    for doc in docs:
        assert sha256_hex_of_file(dest / doc.file) == doc.sha256
    # A second run finds the files present and fetches nothing.
    again, _ = fetch_all(docs, dest, base_url=base)
    assert [r.status for r in again] == ["present", "present"]


def test_fetch_resumes_a_partial_file(served: tuple[str, Path], tmp_path: Path) -> None:
    base, root = served
    dest = tmp_path / "dest"
    doc = documents(read_catalog(root / "manifest.tsv"))[0]
    data = (root / doc.file).read_bytes()
    part = dest / (doc.file + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:1000])
    import httpx

    with httpx.Client() as client:
        result = fetch_document(doc, dest, client=client, base_url=base)
    assert result.status == "resumed"
    assert _RangeHandler.ranges == ["bytes=1000-"]
    assert (dest / doc.file).read_bytes() == data
    assert not part.exists()


def test_fetch_refuses_a_wrong_checksum(served: tuple[str, Path], tmp_path: Path) -> None:
    base, root = served
    manifest = root / "manifest.tsv"
    manifest.write_text(
        manifest.read_text().replace(sha256_hex_of_file(root / "FY2016-2017/Europe.pdf"), "f" * 64)
    )
    docs = documents(read_catalog(manifest))
    results, errors = fetch_all(docs, tmp_path / "dest", base_url=base)
    assert len(results) == 1 and len(errors) == 1
    assert "Europe.pdf" in str(errors[0]) and "sha256 mismatch" in str(errors[0])
    assert not (tmp_path / "dest/FY2016-2017/Europe.pdf").exists()


def test_fetch_offline_is_a_clear_error(served: tuple[str, Path], tmp_path: Path) -> None:
    _, root = served
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = runner.invoke(
        app,
        [
            "fetch",
            "--dest",
            str(tmp_path / "dest"),
            "--catalog",
            str(root / "manifest.tsv"),
            "--base-url",
            f"http://127.0.0.1:{port}",
        ],
    )
    assert result.exit_code == 1
    assert "cannot connect" in result.output and "offline" in result.output
    assert isinstance(FetchError("x"), Exception)


def _catalog_naming(root: Path, file: str, sha256: str) -> Path:
    """A catalog with one row naming ``file`` (served by the mirror as FY2016-2017/Africa.pdf)."""
    path = root.parent / "hostile.tsv"
    path.write_text(
        MANIFEST_HEADER
        + f"FY2016-2017\tAfrica\t{file}\t\t\thttps://example.invalid/a.pdf\t\t{sha256}\n"
    )
    return path


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink-out"])
def test_fetch_writes_only_inside_dest(served: tuple[str, Path], tmp_path: Path, kind: str) -> None:
    """A catalog path cannot make fetch write outside --dest (the mirror would serve the file)."""
    base, root = served
    dest = tmp_path / "dest"
    dest.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    sha = sha256_hex_of_file(root / "FY2016-2017/Africa.pdf")
    file = {
        "dotdot": "../outside/Africa.pdf",
        "absolute": str(outside / "Africa.pdf"),
        "symlink-out": "FY2016-2017/Africa.pdf",
    }[kind]
    if kind == "symlink-out":
        (dest / "FY2016-2017").symlink_to(outside)  # a planted link inside dest
    docs = documents(read_catalog(_catalog_naming(root, file, sha)))
    results, errors = fetch_all(docs, dest, base_url=base)
    assert results == [] and len(errors) == 1
    assert "catalog line 2" in str(errors[0]) and "not fetched" in str(errors[0])
    assert list(outside.iterdir()) == []
    assert _RangeHandler.ranges == []


def test_fetch_refuses_a_file_without_a_checksum(served: tuple[str, Path], tmp_path: Path) -> None:
    """An empty sha256 used to skip the check: whatever the server sent was kept."""
    base, root = served
    docs = documents(read_catalog(_catalog_naming(root, "FY2016-2017/Africa.pdf", "")))
    results, errors = fetch_all(docs, tmp_path / "dest", base_url=base)
    assert results == [] and len(errors) == 1
    assert "no sha256" in str(errors[0])
    assert not (tmp_path / "dest/FY2016-2017/Africa.pdf").exists()


def test_fetch_does_not_write_its_manifest_through_a_link(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = served
    dest = tmp_path / "dest"
    dest.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (dest / "manifest.tsv").symlink_to(victim)
    result = runner.invoke(app, ["fetch", "--dest", str(dest), "--base-url", base])
    assert "manifest.tsv not written" in result.output
    assert victim.read_text() == "keep me"


def test_fetch_gets_a_funding_dataset_and_checks_it(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    """A funding dataset fetches like a report file (here a small workbook put on the mirror)."""
    from dataclasses import replace

    from fmtr.sources.catalog import read_funding_catalog

    base, root = served
    packaged = read_funding_catalog()[0]
    assert packaged.sha256.startswith("3dba11a5") and packaged.bytes == 3773510
    (root / packaged.file).write_bytes(b"a small stand-in workbook")
    dataset = replace(packaged, sha256=sha256_hex_of_file(root / packaged.file))
    results, errors = fetch_all([dataset.as_document()], tmp_path / "money", base_url=base)
    assert errors == [] and [r.status for r in results] == ["downloaded"]
    assert (tmp_path / "money" / packaged.file).read_bytes() == b"a small stand-in workbook"
    # The packaged checksum (the real workbook's) refuses the stand-in.
    _, errors = fetch_all([packaged.as_document()], tmp_path / "other", base_url=base)
    assert len(errors) == 1 and "sha256 mismatch" in str(errors[0])
