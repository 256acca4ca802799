"""The abbreviations table (fmtr.clean.glossary): its form, its copy in docs/search.md, the
canonical words it gives, and the FTS5 queries a search makes from it."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fmtr.clean import glossary
from fmtr.clean.glossary import canonical, entries, expand, fts_expression, words

ROOT = Path(__file__).resolve().parents[2]


def render() -> str:
    lines = ["| term | means | in | countries | kind | why |", "|---|---|---|---|---|---|"]
    for e in entries():
        countries = " ".join(sorted(e.countries))
        lines.append(
            f"| {' '.join(e.term)} | {' '.join(e.means)} | {e.scope} | {countries} | "
            f"{e.kind} | {e.reason} |"
        )
    return "\n".join(lines)


def test_every_line_has_a_reason_and_one_meaning() -> None:
    found = entries()
    assert len(found) > 40
    assert all(len(e.reason) > 10 for e in found)
    seen: dict[tuple[tuple[str, ...], str, frozenset[str]], tuple[str, ...]] = {}
    for e in found:
        key = (e.term, e.scope, e.countries)
        assert seen.setdefault(key, e.means) == e.means


def test_docs_show_the_table_as_it_is() -> None:
    page = (ROOT / "docs" / "search.md").read_text("utf-8")
    shown = re.search(r"<!-- abbreviations -->\n(.*?)\n<!-- end -->", page, re.S)
    assert shown is not None and shown.group(1) == render()


@pytest.mark.parametrize(
    ("text", "scope", "country", "expected"),
    [
        ("4TH INF BDE", "unit", "COL", "4th infantry brigade"),
        ("Gds BN", "unit", "GMB", "guards battalion"),
        ("CMD & GEN STAFF OFF PREP", "course", None, "command general staff officer preparatory"),
        ("Command and General Staff Officer's Course", "course", None,
         "command general staff officer course"),
        ("Command And General Staff Officer S Course", "course", None,
         "command general staff officer course"),
        ("USA C&GSC OFF PREP", "course", None,
         "usa command general staff college officer preparatory"),
        ("ILE OFFICER PREP", "course", None, "intermediate level education officer preparatory"),
        # RAB is Bangladesh's Rapid Action Battalion; in Morocco's names it is Rabat.
        ("RAB Forces HQ", "unit", "BGD", "rapid action battalion forces headquarters"),
        ("4 BUREAU - RAB AT", "unit", "MAR", "4 bureau rab at"),
        # GEN alone is also a generator: only "GEN STAFF" is general staff.
        ("A/M 32A - 86D DIESL GEN HBRT", "course", None, "a m 32a 86d diesl gen hbrt"),
        # Stop words are dropped: "&" and "and" are alike.
        ("Support & Services BTN", "unit", "JAM", "support services battalion"),
    ],
)  # fmt: skip
def test_canonical_words(text: str, scope: str, country: str | None, expected: str) -> None:
    assert canonical(text, scope, country) == expected  # type: ignore[arg-type]


def _matches(expression: str, cells: list[str]) -> list[str]:
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute(
            "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')"
        )
        conn.executemany("INSERT INTO t (x) VALUES (?)", [(c,) for c in cells])
        return [r[0] for r in conn.execute("SELECT x FROM t WHERE t MATCH ?", (expression,))]


CELLS = [
    "COMMAND & GEN STAFF OFF",
    "CMD & GEN STAFF OFF PREP",
    "USA C&GSC OFF PREPARATORY",
    "CGSC CORRESPONDENCE COURSE",
    "Intermediate Level EDUC",
    "ILE OFFICER PREP",
    "Command And General Staff Officer'S Course",
    "A/M 32A - 86D DIESL GEN HBRT",
    "GENERAL ENGLISH LANG TNG",
    "STAFF SERGEANT COURSE",
]


@pytest.mark.parametrize("text", ["Command and General Staff", "CMD & GEN STAFF", "ILE"])
def test_a_search_finds_every_spelling_of_command_and_general_staff(text: str) -> None:
    found = _matches(fts_expression(expand(words(text), "course"), "course"), CELLS)
    assert set(found) == set(CELLS[:7])


def test_c_and_gsc_finds_the_college_courses() -> None:
    found = _matches(fts_expression(expand(words("C&GSC"), "course"), "course"), CELLS)
    assert set(found) == {"USA C&GSC OFF PREPARATORY", "CGSC CORRESPONDENCE COURSE"}


def test_every_search_word_is_quoted() -> None:
    """A user's text never becomes FTS5 syntax: every word is a quoted token or phrase."""
    expression = fts_expression(expand(words('NEAR(a b) OR "x" -y * ^z'), "all"), "all")
    assert _matches(expression, ["near a b or x y z"]) == ["near a b or x y z"]


# Printable ASCII, Latin-1 and Latin Extended-A: what names and users' texts are made of.
_TEXT = st.text(
    alphabet=st.sampled_from([chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0x180)]]),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_canonical_is_a_fixed_point_and_its_expression_finds_the_text(text: str) -> None:
    once = canonical(text, "course")
    assert canonical(once, "course") == once
    ws = expand(words(text), "course")
    if ws:
        assert _matches(fts_expression(ws, "course"), [text]) == [text]


def test_a_bad_line_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    header = "term\tmeans\tscope\tcountries\tkind\treason\n"
    for bad in (
        "BDE\tbrigade\tunit\t\tshort\tupper case\n",
        "bde\tbrigade\tsomewhere\t\tshort\tno such scope\n",
        "bde\tbrigade\tunit\t\tshort\t\n",
        "bde\tof brigade\tunit\t\tshort\ta stop word\n",
        "bde\tbrigade\tunit\t\tshort\tone\nbde\tbattalion\tunit\t\tshort\ttwo\n",
    ):

        class Fake:
            def __init__(self, text: str) -> None:
                self.text = text

            def joinpath(self, name: str) -> Fake:
                return self

            def read_text(self, encoding: str) -> str:
                return self.text

        fake = Fake(header + bad)
        monkeypatch.setattr(glossary.resources, "files", lambda package, fake=fake: fake)
        glossary.entries.cache_clear()
        with pytest.raises(ValueError, match="abbreviations.tsv"):
            glossary.entries()
    monkeypatch.undo()
    glossary.entries.cache_clear()
    assert glossary.entries()
