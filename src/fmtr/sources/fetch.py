"""`fmtr fetch`: download the official files of the catalog, resumably, checking each sha256.

A partly downloaded file is kept as ``<name>.part`` and resumed with an HTTP Range request; a
file is moved into place only once its sha256 matches the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from fmtr.sources.catalog import Document, sha256_hex_of_file
from fmtr.sources.integrity import OutsideFolder, resolve_inside, sha256_problem, where

Progress = Callable[[str, int, int | None], None]  # file, bytes so far, total (None: unknown)


class FetchError(Exception):
    """A file that could not be fetched; the message is one line naming file and cause."""


@dataclass(frozen=True)
class FetchResult:
    file: str
    status: str  # "downloaded", "present", "resumed"
    bytes: int


def _url_for(doc: Document, base_url: str | None) -> str:
    # A base URL (a mirror, or a local server in tests) replaces the official location.
    return f"{base_url.rstrip('/')}/{doc.file}" if base_url else doc.url


def fetch_document(
    doc: Document,
    dest: Path,
    *,
    client: httpx.Client,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> FetchResult:
    # Catalog paths are checked as a build checks them: a path cannot make fetch write
    # outside ``dest`` (absolute, `..`, a symbolic link out), and without a checksum nothing
    # says that what arrived is the report.
    try:
        target = resolve_inside(dest, doc.file)
    except OutsideFolder as exc:
        raise FetchError(f"{where(doc.entries[0], 'catalog')}: {exc}: not fetched") from None
    if (problem := sha256_problem(doc, "catalog")) is not None:
        raise FetchError(f"{doc.file}: {problem}: not fetched")
    expected = doc.sha256.lower()
    if target.is_file() and sha256_hex_of_file(target) == expected:
        return FetchResult(doc.file, "present", target.stat().st_size)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    url = _url_for(doc, base_url)
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with client.stream("GET", url, headers=headers) as resp:
            if resp.status_code == 416:  # nothing left to send: the part file is complete
                resp.read()
            elif resp.status_code not in (200, 206):
                raise FetchError(f"{doc.file}: HTTP {resp.status_code} from {url}")
            else:
                if resp.status_code == 200:
                    have = 0  # the server ignored the range: start over
                length = resp.headers.get("content-length")
                total = have + int(length) if length is not None else None
                with part.open("ab" if have else "wb") as out:
                    done = have
                    for chunk in resp.iter_bytes(1 << 16):
                        out.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(doc.file, done, total)
    except httpx.ConnectError as exc:
        raise FetchError(
            f"{doc.file}: cannot connect to {httpx.URL(url).host} ({exc}); are you offline?"
        ) from None
    except httpx.TimeoutException:
        raise FetchError(
            f"{doc.file}: timed out fetching {url}; run fetch again to resume"
        ) from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{doc.file}: {type(exc).__name__} fetching {url}: {exc}") from None
    digest = sha256_hex_of_file(part)
    if digest != expected:
        part.unlink()
        raise FetchError(
            f"{doc.file}: sha256 mismatch (expected {expected[:12]}…, got {digest[:12]}…); "
            "the partial file was removed"
        )
    part.replace(target)
    return FetchResult(doc.file, "resumed" if have else "downloaded", target.stat().st_size)


def fetch_all(
    docs: Iterable[Document],
    dest: Path,
    *,
    base_url: str | None = None,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> tuple[list[FetchResult], list[FetchError]]:
    """Fetch every document; errors are collected so that one bad file does not stop the rest."""
    results: list[FetchResult] = []
    errors: list[FetchError] = []
    with httpx.Client(follow_redirects=True, timeout=timeout) as client:
        for doc in docs:
            try:
                results.append(
                    fetch_document(doc, dest, client=client, base_url=base_url, progress=progress)
                )
            except FetchError as exc:
                errors.append(exc)
    return results, errors


__all__ = ["FetchError", "FetchResult", "fetch_all", "fetch_document"]
