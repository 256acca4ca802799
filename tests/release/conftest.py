"""Two small databases built from real pages: ``built`` (the layouts corpus) and ``changed``
(the same, with one document changed: FY2016-2017 Africa without its first cut page)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus_kit import (
    LAYOUT_CUTS,
    LAYOUT_HTML,
    Builds,
    cut_pdf,
    write_layouts_corpus,
    write_manifest,
)
from fmtr.pipeline import build
from fmtr.store.db import open_database


@pytest.fixture(scope="session")
def builds(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Builds:
    folder = tmp_path_factory.mktemp("builds")
    root = write_layouts_corpus(corpus, folder / "corpus")
    built = folder / "built.sqlite"
    engine = open_database(str(built))
    assert build(engine, root, jobs=2).ok
    engine.dispose()
    changed = folder / "changed.sqlite"
    shutil.copyfile(built, changed)
    cut_pdf(corpus / "FY2016-2017/Africa.pdf", [3, 4], root / "FY2016-2017/Africa.pdf")
    write_manifest(root, [(e, r, f, "") for e, r, f, _ in LAYOUT_CUTS] + [(*LAYOUT_HTML, "")])
    engine = open_database(str(changed))
    report = build(engine, root, jobs=2)
    engine.dispose()
    assert report.ok and [d.file for d in report.loaded] == ["FY2016-2017/Africa.pdf"]
    return Builds(root, built, changed)
