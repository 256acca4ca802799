"""The whole corpus, with the funding data, built into SQLite and into PostgreSQL by
`fmtr build`'s own function (one worker each, so that the rows get the same integer ids), then
every question asked of both (tests/postgres/full_questions.py and the CLI's and API's
QUESTIONS): the same JSON, the same proof, the same exports byte for byte, no difference by
`fmtr diff`, and the API served from PostgreSQL answering what the CLI answers from SQLite.

The two builds take minutes (one worker each), so this runs in CI (CI=true) only; elsewhere it
is skipped with that reason. ``pytest -s`` prints each build's time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from full_questions import FULL_EXPORTS, FULL_QUESTIONS
from test_same_answers import same
from typer.testing import CliRunner

from corpus_kit import IN_CI
from fmtr.cli.app import app
from postgres_kit import Both, Server, build_both
from test_cli_api_parity import QUESTIONS

pytestmark = pytest.mark.corpus

runner = CliRunner()


@pytest.fixture(scope="module")
def full_both(
    corpus: Path, funding: Path, pg_server: Server, tmp_path_factory: pytest.TempPathFactory
) -> Both:
    if not IN_CI:
        pytest.skip(
            "the whole corpus built into SQLite and PostgreSQL with one worker each takes "
            "minutes: runs when CI=true"
        )
    seconds: dict[str, float] = {}
    folder = tmp_path_factory.mktemp("pg-full")
    both = build_both(corpus, folder, pg_server, "full", funding=funding, seconds=seconds)
    print(f"\nthe whole corpus built in {seconds['sqlite']:.1f} s into SQLite, "
          f"{seconds['postgresql']:.1f} s into PostgreSQL (one worker each)")  # fmt: skip
    return both


def _document(args: list[str], both: Both) -> Any:
    code, said = same(args, both)
    assert code == 0, said
    return json.loads(said)


def test_the_same_rows_and_the_same_proof(full_both: Both, corpus: Path) -> None:
    """The same sums reconciled, and the same words found on their pages by the second reader
    (the text proof reads each database's rows, then the corpus)."""
    summary = _document(["summary"], full_both)
    assert summary["rows"] > 200_000 and summary["countries"] > 150
    proof = _document(["verify", "--corpus", str(corpus), "--limit", "0"], full_both)
    editions = proof["editions"]
    assert len(editions) == 22 and proof["text"]
    reconciled = sum(e["reconciled"] for e in editions)
    assert reconciled > 13_000 and sum(e["mismatched"] for e in editions) == 0


@pytest.mark.parametrize("args", FULL_QUESTIONS, ids=lambda a: " ".join(a)[:50])
def test_every_question_on_the_whole_corpus(full_both: Both, args: list[str]) -> None:
    assert _document(args, full_both)


@pytest.mark.parametrize("args", [q[0] for q in QUESTIONS], ids=lambda a: " ".join(a)[:50])
def test_the_cli_and_api_questions_on_the_whole_corpus(full_both: Both, args: list[str]) -> None:
    """The same answer, or the same error (some ask for rows of the database written by code,
    which the corpus does not hold)."""
    code, said = same(args, full_both)
    assert said and code in (0, 2), said


@pytest.mark.parametrize("filters", FULL_EXPORTS, ids=lambda f: " ".join(f) or "all")
def test_the_same_exports(full_both: Both, filters: list[str], tmp_path: Path) -> None:
    for fmt in ("csv", "json"):
        out = [
            runner.invoke(app, ["export", "--format", fmt, *filters, "--db", db])
            for db in (full_both.sqlite, full_both.postgresql)
        ]
        assert out[0].exit_code == 0, out[0].output
        assert out[0].stdout.count("\n") > (1 if fmt == "csv" else 0)
        assert out[1].stdout == out[0].stdout, fmt
    import pyarrow.parquet as pq

    tables = []
    for i, db in enumerate((full_both.sqlite, full_both.postgresql)):
        path = tmp_path / f"{i}.parquet"
        done = runner.invoke(app, ["export", "-f", "parquet", "-o", str(path), *filters,
                                   "--db", db])  # fmt: skip
        assert done.exit_code == 0, done.output
        tables.append(pq.read_table(path))
    assert tables[0].num_rows > 0 and tables[0].equals(tables[1])


def test_diff_finds_no_difference(full_both: Both) -> None:
    """`fmtr diff` compares every row, total, block and document by stable identifier, field
    by field, and every figure: none differs between the two databases."""
    result = runner.invoke(app, ["diff", full_both.sqlite, full_both.postgresql, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (
        report["identical"]
        and report["old"]["training_rows"] == report["new"]["training_rows"] > 200_000
    )


@pytest.fixture(scope="module")
def served(full_both: Both) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from fmtr.web.app import create_app

    with TestClient(create_app(full_both.postgresql)) as client:
        yield client


@pytest.mark.parametrize(("args", "url", "part"), QUESTIONS, ids=lambda x: str(x)[:60])
def test_the_api_served_from_postgresql_answers_what_the_cli_answers_from_sqlite(
    served: Any, full_both: Both, args: list[str], url: str, part: str | None
) -> None:
    response = served.get(url)
    out = runner.invoke(app, [*args, *([] if args[0] == "events" else ["--db", full_both.sqlite]),
                              "--json"])  # fmt: skip
    if out.exit_code != 0:  # a row of the database written by code: an error on both
        assert response.status_code == 404, response.text
        assert response.json()["error"]["message"] in out.stderr
        return
    assert response.status_code == 200, response.text
    document = json.loads(out.stdout)
    assert (document if part is None else document[part]) == response.json()
