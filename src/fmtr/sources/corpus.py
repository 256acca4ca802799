"""Where the corpus and the funding data live on this machine, and reading their manifests."""

from __future__ import annotations

import os
from pathlib import Path

from fmtr.sources.catalog import (
    FUNDING_MANIFEST,
    CatalogEntry,
    FundingDataset,
    read_catalog,
    read_funding_catalog,
)

ENV_VAR = "FMTR_CORPUS"


class CorpusNotFound(Exception):
    pass


def corpus_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The corpus folder: ``explicit``, else $FMTR_CORPUS. Raises CorpusNotFound."""
    value = explicit or os.environ.get(ENV_VAR)
    if not value:
        raise CorpusNotFound(f"no corpus given: pass --corpus DIR or set {ENV_VAR}")
    path = Path(value)
    if not path.is_dir():
        raise CorpusNotFound(
            f"corpus folder {path} does not exist (run `fmtr fetch --dest {path}`)"
        )
    return path


def corpus_catalog(root: Path) -> list[CatalogEntry]:
    """The corpus's own manifest when it has one, else the packaged catalog."""
    manifest = root / "manifest.tsv"
    return read_catalog(manifest if manifest.exists() else None)


# The funding data (the Greenbook workbook) lives in a folder of its own, read in place like the
# corpus: $FMTR_FUNDING, or ``fmtr-funding`` beside the corpus folder.
FUNDING_ENV_VAR = "FMTR_FUNDING"
FUNDING_FOLDER = "fmtr-funding"


def funding_dir(
    explicit: str | os.PathLike[str] | None = None, corpus: Path | None = None
) -> Path | None:
    """The funding folder: ``explicit``, else $FMTR_FUNDING (either must exist: a typo is an
    error, not a build without money), else ``fmtr-funding`` beside ``corpus`` when it exists;
    None when there is none. Raises CorpusNotFound."""
    value = explicit or os.environ.get(FUNDING_ENV_VAR)
    if value:
        path = Path(value)
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
