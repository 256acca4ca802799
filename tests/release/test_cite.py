"""Citations of a row and of a figure: text, BibTeX, CSL-JSON, the release named."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_kit import Builds, connect
from fmtr.cli.app import app
from fmtr.query import series
from fmtr.query.cite import cite, cite_figure, cite_row
from fmtr.query.errors import UnknownCountry, UnknownIdentifier
from fmtr.store.db import read_only_engine

runner = CliRunner()


def _a_row(db: Path, like: str) -> sqlite3.Row:
    con = connect(db)
    con.row_factory = sqlite3.Row
    row = con.execute(
        "SELECT * FROM training_provenance WHERE stable_id LIKE ? ORDER BY training_id LIMIT 1",
        (like,),
    ).fetchone()
    con.close()
    return row


def test_a_row_citation_names_report_page_url_identifier_and_release(builds: Builds) -> None:
    row = _a_row(builds.built, "2016-africa-p2-%")
    engine = read_only_engine(str(builds.built))
    c = cite_row(engine, row["stable_id"])
    assert c.identifier == row["stable_id"] and c.kind == "training row"
    for part in (
        row["stable_id"],
        "FY2016-2017",
        "Fiscal Years 2016 and 2017",
        f"page {row['pdf_page']} of Africa.pdf",
        f"{row['url']}#page={row['pdf_page']}",
        row["course_title"],
        "not a release",
    ):
        assert part in c.text, part
    assert c.bibtex.startswith(f"@misc{{fmtr:{row['stable_id']},")
    assert c.bibtex.count("{") == c.bibtex.count("}")
    assert c.csl["id"] == f"fmtr:{row['stable_id']}" and c.csl["type"] == "report"
    assert c.csl["page"] == str(row["pdf_page"]) and c.csl["section"] == row["region"]
    json.dumps(c.csl)
    assert [(s.document, s.first_page) for s in c.sources] == [("2016-africa", row["pdf_page"])]
    # The integer id finds the same row; an identifier that names nothing is an error.
    assert cite(engine, str(row["training_id"])).text == c.text
    with pytest.raises(UnknownIdentifier):
        cite_row(engine, "2016-africa-p99-1")


def test_an_html_row_has_no_page(builds: Builds) -> None:
    row = _a_row(builds.built, "1999-cta-sasia-all-%")
    c = cite_row(read_only_engine(str(builds.built)), row["stable_id"])
    assert "cta_sasia_all.html" in c.text and "#page=" not in c.text and "page" not in c.csl


def test_a_figure_citation_is_fmtrs_sum_with_its_pages(builds: Builds) -> None:
    engine = read_only_engine(str(builds.built))
    con = connect(builds.built)
    code, programme, fy = con.execute(
        "SELECT country_code, programme_code, fy FROM year_figures ORDER BY rows DESC LIMIT 1"
    ).fetchone()
    con.close()
    c = cite_figure(engine, code, fy, programme)
    assert c.identifier == f"{code}/{programme}/FY{fy}" == cite(engine, c.identifier).identifier
    expected = next(p.figures for p in series(engine, code, programme, fy, fy).points)
    assert expected is not None
    assert f"{expected.trainees:,} trainees" in c.text
    assert f"${expected.cost_cents / 100:,.2f}" in c.text
    assert f"{expected.rows:,} training rows" in c.text
    assert c.sources and all(s.url.startswith("https://example.invalid/") for s in c.sources)
    assert c.bibtex.startswith(f"@misc{{fmtr:{code}-{programme}-FY{fy},")
    # All programmes: the sum of every programme's figure.
    everything = cite(engine, f"{code}/all/{fy}")
    assert everything.identifier == f"{code}/all/FY{fy}"
    with pytest.raises(UnknownCountry):
        cite(engine, f"Atlantis/all/{fy}")


def test_a_release_is_named_in_its_citations(builds: Builds, tmp_path: Path) -> None:
    copy = tmp_path / "release.sqlite"
    shutil.copyfile(builds.built, copy)
    con = connect(copy)
    con.execute(
        "INSERT INTO data_release (version, created_at, fmtr_version, url) "
        "VALUES ('2026.1', '2026-01-02 03:04:05', '0.1.0', 'https://example.org/fmtr/2026.1')"
    )
    con.commit()
    con.close()
    row = _a_row(copy, "2016-africa-p2-%")
    c = cite_row(read_only_engine(str(copy)), row["stable_id"])
    assert "fmtr release 2026.1 (2026-01-02), https://example.org/fmtr/2026.1" in c.text
    assert c.release.version == "2026.1"


def test_cli_cite_in_each_format(builds: Builds) -> None:
    row = _a_row(builds.built, "2016-africa-p2-%")
    db = ["--db", str(builds.built)]
    result = runner.invoke(app, ["cite", row["stable_id"], *db])
    assert result.exit_code == 0 and row["stable_id"] in result.output
    result = runner.invoke(app, ["cite", row["stable_id"], "--format", "bibtex", *db])
    assert result.output.startswith("@misc{")
    result = runner.invoke(app, ["cite", row["stable_id"], "--format", "csl", *db])
    assert json.loads(result.output)[0]["id"] == f"fmtr:{row['stable_id']}"
    result = runner.invoke(app, ["cite", "2016-africa-p99-1", *db])
    assert result.exit_code == 2 and "no training row" in result.output
    result = runner.invoke(app, ["cite", row["stable_id"], "--db", "/nonexistent/fmtr.sqlite"])
    assert result.exit_code == 2 and "no such database" in result.output
