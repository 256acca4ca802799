"""Where the corpus and the funding data live on this machine, reading their manifests, and
naming the corpus in a database."""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

from fmtr.errors import NotFound
from fmtr.sources.catalog import (
    FUNDING_MANIFEST,
    CatalogEntry,
    FundingDataset,
    read_catalog,
    read_funding_catalog,
)

# The environment variable the CLI's --corpus option reads (fmtr.cli.common).
ENV_VAR = "FMTR_CORPUS"


class CorpusNotFound(NotFound):
    """No corpus given, or no folder where one was given."""

    code = "corpus_not_found"


def corpus_dir(explicit: str | os.PathLike[str] | None) -> Path:
    """The corpus folder ``explicit``. Raises CorpusNotFound when none is given or it is not a
    folder."""
    if not explicit:
        raise CorpusNotFound(f"no corpus given: pass --corpus DIR or set {ENV_VAR}")
    path = Path(explicit)
    if not path.is_dir():
        raise CorpusNotFound(
            f"corpus folder {path} does not exist (run `fmtr fetch --dest {path}`)"
        )
    return path


def corpus_catalog(root: Path) -> list[CatalogEntry]:
    """The corpus's own manifest when it has one, else the packaged catalog."""
    manifest = root / "manifest.tsv"
    return read_catalog(manifest if manifest.exists() else None)


def manifest_name(root: Path) -> str:
    """How errors name the manifest ``corpus_catalog`` reads."""
    return "manifest.tsv" if (root / "manifest.tsv").exists() else "the packaged catalog"


def corpus_identity(root: Path) -> str:
    """What a database records of the corpus it was built from: its manifest's sha256 (the
    manifest lists every file with its own sha256), never the builder's folder.
    "manifest.tsv sha256:<hex>", or "packaged catalog.tsv sha256:<hex>" for a corpus without a
    manifest of its own."""
    manifest = root / "manifest.tsv"
    if manifest.is_file():
        data, name = manifest.read_bytes(), "manifest.tsv"
    else:
        data = resources.files("fmtr.sources").joinpath("catalog.tsv").read_bytes()
        name = "packaged catalog.tsv"
    return f"{name} sha256:{hashlib.sha256(data).hexdigest()}"


# The funding data (the Greenbook workbook) lives in a folder of its own, read in place like the
# corpus: the one given (the CLI's --funding, or $FMTR_FUNDING), or ``fmtr-funding`` beside the
# corpus folder.
FUNDING_ENV_VAR = "FMTR_FUNDING"
FUNDING_FOLDER = "fmtr-funding"


def funding_dir(
    explicit: str | os.PathLike[str] | None = None, corpus: Path | None = None
) -> Path | None:
    """The funding folder: ``explicit`` (it must exist: a typo is an error, not a build without
    money), else ``fmtr-funding`` beside ``corpus`` when it exists; None when there is none.
    Raises CorpusNotFound."""
    if explicit:
        path = Path(explicit)
        if not path.is_dir():
            raise CorpusNotFound(
                f"funding folder {path} does not exist (run `fmtr fetch --funding-dest {path}`)"
            )
        return path
    if corpus is not None and (beside := corpus.resolve().parent / FUNDING_FOLDER).is_dir():
        return beside
    return None


def funding_catalog(root: Path) -> list[FundingDataset]:
    """The funding folder's own manifest (funding.tsv) when it has one, else the packaged one."""
    manifest = root / FUNDING_MANIFEST
    return read_funding_catalog(manifest if manifest.exists() else None)
