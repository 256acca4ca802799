"""`fmtr verify` with the text proof, on a database built from real pages of every layout family
(tests/corpus_kit.py): one JSON document holding the sums and the text, the same numbers as the
library's, exit 1 on a word not found, one line and exit 2 when the corpus is missing or is not
the one built, and the database left as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_kit import LAYOUT_CUTS, LAYOUT_HTML, connect, cut_pdf, write_layouts_corpus
from fmtr.cli.app import app
from fmtr.pipeline import build
from fmtr.store.db import open_database

runner = CliRunner()


@pytest.fixture(scope="module")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The layouts corpus, its database, and a database of its one whole file (the HTML
    edition: every printed total reconciles there, while the cut PDFs cut some blocks)."""
    folder = tmp_path_factory.mktemp("verify-text")
    root = write_layouts_corpus(corpus, folder / "corpus")
    dbs = []
    for name, only in (("fmtr.sqlite", None), ("html.sqlite", [LAYOUT_HTML[0]])):
        engine = open_database(str(folder / name))
        assert build(engine, root, jobs=2, only=only).ok
        engine.dispose()
        dbs.append(folder / name)
    return root, dbs[0], dbs[1]


@pytest.fixture(autouse=True)
def no_corpus_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FMTR_CORPUS", raising=False)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_one_document_with_the_sums_and_the_text_as_the_library_computes_them(
    built: tuple[Path, Path, Path],
) -> None:
    from fmtr.store.db import open_read_only
    from fmtr.store.read import iter_documents
    from fmtr.verify.text import check_text

    root, db, _ = built
    before = _digest(db)
    result = runner.invoke(app, ["verify", "--db", str(db), "--corpus", str(root), "--json"])
    document = json.loads(result.stdout)
    assert set(document) == {"editions", "problems", "text"}
    # Exit 1: blocks cut at the cut pages' edges do not reconcile; never the whole HTML file.
    assert result.exit_code == 1 and document["problems"]
    cut = {file for _, _, file, _ in LAYOUT_CUTS}
    assert {p["file"] for p in document["problems"]} <= cut
    editions = sorted({e for e, *_ in LAYOUT_CUTS} | {LAYOUT_HTML[0]})
    assert [v["edition"] for v in document["editions"]] == editions
    assert [v["edition"] for v in document["text"]["editions"]] == editions
    con = connect(db)
    (stored,) = con.execute("SELECT count(*) FROM training").fetchone()
    con.close()
    text = document["text"]["editions"]
    assert sum(v["rows"] for v in text) == stored > 100
    assert all(v["rows_found"] + v["rows_listed"] == v["rows"] for v in text)
    assert [d for d in document["text"]["differences"] if d["listed"] is None] == []
    with open_read_only(str(db)).connect() as conn:
        library = check_text(iter_documents(conn), root, jobs=1)
    assert [(v.edition, v.rows, v.rows_found, v.rows_listed) for v in library.editions] == [
        (v["edition"], v["rows"], v["rows_found"], v["rows_listed"]) for v in text
    ]
    assert _digest(db) == before  # verify only reads

    shown = runner.invoke(app, ["verify", "--db", str(db), "--corpus", str(root)])
    assert shown.exit_code == 1, shown.output
    assert "Printed totals reconciled (blocks)" in shown.stdout
    assert "Text cells: every word found on its page by a second reader" in shown.stdout
    assert f"{stored:,}" in shown.stdout  # the "all" row


def test_a_word_the_page_does_not_print_fails_the_proof(
    built: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    root, _, db = built
    good = runner.invoke(app, ["verify", "--db", str(db), "--corpus", str(root)])
    assert good.exit_code == 0, good.output
    copy = Path(shutil.copyfile(db, tmp_path / "changed.sqlite"))
    con = connect(copy)
    file, page, title = con.execute(
        "SELECT d.file, t.page, t.course_title FROM training t "
        "JOIN programme_block b ON b.id = t.block_id JOIN document d ON d.id = b.document_id "
        "WHERE t.course_title != '' ORDER BY t.id LIMIT 1"
    ).fetchone()
    con.execute(
        "UPDATE training SET course_title = course_title || ' Zanzibarr' WHERE course_title = ?",
        (title,),
    )
    con.commit()
    con.close()
    result = runner.invoke(app, ["verify", "--db", str(copy), "--corpus", str(root), "--json"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    unlisted = [d for d in document["text"]["differences"] if d["listed"] is None]
    assert unlisted and {(d["file"], d["field"]) for d in unlisted} == {(file, "course_title")}
    assert page in {d["page"] for d in unlisted}
    assert all(any(w[0] == "Zanzibarr" for w in d["words"]) for d in unlisted)
    assert document["problems"] == []  # the sums still reconcile: only the text is wrong

    said = runner.invoke(app, ["verify", "--db", str(copy), "--corpus", str(root)])
    assert said.exit_code == 1
    assert f"{file} page {page} course_title" in said.stdout and "'Zanzibarr'" in said.stdout


def test_without_the_corpus_or_with_another_one_it_says_so_in_one_line(
    built: tuple[Path, Path, Path], corpus: Path, tmp_path: Path
) -> None:
    root, db, _ = built
    missing = runner.invoke(app, ["verify", "--db", str(db)])
    assert missing.exit_code == 2 and missing.stdout == ""
    [line] = missing.stderr.splitlines()
    assert "no corpus given" in line and "--no-text checks the sums only" in line

    typo = runner.invoke(app, ["verify", "--db", str(db), "--corpus", str(tmp_path / "nope")])
    assert typo.exit_code == 2 and len(typo.stderr.splitlines()) == 1

    other = Path(shutil.copytree(root, tmp_path / "other"))
    cut_pdf(corpus / "FY2016-2017/Africa.pdf", [3, 4], other / "FY2016-2017/Africa.pdf")
    changed = runner.invoke(app, ["verify", "--db", str(db), "--corpus", str(other)])
    assert changed.exit_code == 2 and changed.stdout == ""
    [line] = changed.stderr.splitlines()
    assert "FY2016-2017/Africa.pdf: the corpus file differs from the one built" in line

    sums = runner.invoke(app, ["verify", "--db", str(db), "--no-text", "--json"])
    assert sums.exit_code == 1, sums.output  # the cut pages' blocks, as above
    assert set(json.loads(sums.stdout)) == {"editions", "problems"}
