"""The text proof's word-matching rule, on lines made in code (the layouts are tested on real
pages in test_text_proof.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fmtr.extract.model import join_lines
from fmtr.verify.text.layouts import Line
from fmtr.verify.text.match import (
    BELOW,
    CENTRED,
    CHARACTERS,
    FIELDS,
    HYPHEN_SPACING,
    JOINED_WORDS,
    NOT_FOUND,
    SOURCE_CHARACTER,
    SPLIT_WORD,
    WRONG_COLUMN,
    WRONG_ROW,
    CellDifference,
    RowCells,
    check_rows,
    suspect_character,
)


def row(seq: int, page: int = 1, last: int | None = None, **cells: str) -> RowCells:
    return RowCells(seq, page, last, tuple(cells.get(f) for f in FIELDS))


def line(y: float, page: int = 1, boundary: bool = False, **cells: str) -> Line:
    return Line(page, y, {f: t.split() for f, t in cells.items()}, boundary)


def kinds(diffs: list[CellDifference]) -> list[tuple[str, str, str]]:
    return [(d.field, m.word, m.kind) for d in diffs for m in d.misses]


def test_a_row_is_found_on_its_own_line_and_its_wraps() -> None:
    lines = [
        line(10, course_title="Regional Transnational", quantity="2", cost="$4,072"),
        line(14, course_title="Threats Seminar", student_unit="Centro de Altos"),
        line(20, course_title="Other", quantity="1", cost="$1"),
    ]
    rows = [
        row(
            0,
            course_title="Regional Transnational Threats Seminar",
            student_unit="Centro de Altos",
            quantity="2",
            cost="$4,072",
        ),
        row(1, course_title="Other", quantity="1", cost="$1"),
    ]
    assert check_rows(rows, lines) == []


def test_words_of_another_column_are_found_out() -> None:
    # "Balance Piston 03-2 TECSON, SAN RP": location words put into the title.
    lines = [
        line(10, course_title="Balance Piston 03-2", quantity="72", location="CAMP AGUINALDO,"),
        line(14, location="TECSON, SAN"),
        line(18, location="RP"),
    ]
    rows = [
        row(
            0,
            course_title="Balance Piston 03-2 TECSON, SAN RP",
            location="CAMP AGUINALDO,",
            quantity="72",
        )
    ]
    assert kinds(check_rows(rows, lines)) == [
        ("course_title", "TECSON,", WRONG_COLUMN),
        ("course_title", "SAN", WRONG_COLUMN),
        ("course_title", "RP", WRONG_COLUMN),
    ]


def test_a_cell_given_to_the_next_row_is_found_out() -> None:
    # Each row's own line holds its unit; the second row claims the first row's unit.
    lines = [
        line(10, student_unit="Police A", quantity="1", cost="$1"),
        line(20, student_unit="Police B", quantity="2", cost="$2"),
    ]
    rows = [
        row(0, student_unit="Police B", quantity="1", cost="$1"),
        row(1, student_unit="Police A", quantity="2", cost="$2"),
    ]
    assert kinds(check_rows(rows, lines)) == [
        ("student_unit", "B", WRONG_ROW),
        ("student_unit", "A", WRONG_ROW),
    ]


def test_a_word_is_used_once() -> None:
    lines = [line(10, course_title="Seminar", quantity="1"), line(20, quantity="1")]
    rows = [
        row(0, course_title="Seminar", quantity="1"),
        row(1, course_title="Seminar", quantity="1"),
    ]
    assert kinds(check_rows(rows, lines)) == [("course_title", "Seminar", WRONG_ROW)]


def test_no_window_crosses_a_heading_or_a_total() -> None:
    lines = [
        line(10, course_title="Course", quantity="1"),
        line(14, boundary=True, course_title="Angola FY 2007 Totals", quantity="1"),
        line(18, course_title="Angola"),
        line(22, course_title="Next", quantity="3"),
    ]
    rows = [
        row(0, course_title="Course Angola", quantity="1"),
        row(1, course_title="Next", quantity="3"),
    ]
    assert kinds(check_rows(rows, lines)) == [("course_title", "Angola", WRONG_ROW)]


def test_a_row_goes_on_on_its_last_page() -> None:
    lines = [
        line(700, page=1, course_title="Long", quantity="1"),
        line(40, page=2, course_title="Title"),
        line(50, page=2, course_title="Next", quantity="2"),
    ]
    assert (
        check_rows(
            [
                row(0, 1, 2, course_title="Long Title", quantity="1"),
                row(1, 2, None, course_title="Next", quantity="2"),
            ],
            lines,
        )
        == []
    )
    # Without its last page the row's wrap on page 2 is not its own.
    diffs = check_rows([row(0, 1, None, course_title="Long Title", quantity="1")], lines)
    assert kinds(diffs) == [("course_title", "Title", NOT_FOUND)]


def test_a_word_broken_at_a_line_end_hyphen_is_found_by_its_parts() -> None:
    lines = [
        line(10, course_title="INTERNATIONAL OFFICER PREP-", quantity="1"),
        line(14, course_title="INTERNATIONAL"),
    ]
    rows = [row(0, course_title="INTERNATIONAL OFFICER PREP-INTERNATIONAL", quantity="1")]
    assert check_rows(rows, lines) == []


def test_each_class_of_the_issue_is_told_by_its_kind() -> None:
    lines = [
        line(
            10,
            course_title="MET CIV-MILITARY RELATIONS",
            student_unit="Army Perú 3 Bde Int",
            location="QUANTICO VA",
            quantity="1",
        ),
    ]
    rows = [
        row(
            0,
            course_title="MET CIV -MILITARY RELATIONS",
            student_unit="Arm y Per˙ 3 Bde In t",
            location="QUANTICOVA",
            quantity="1",
        ),
    ]
    assert kinds(check_rows(rows, lines)) == [
        ("course_title", "CIV", HYPHEN_SPACING),
        ("course_title", "-MILITARY", HYPHEN_SPACING),
        ("student_unit", "Arm", SPLIT_WORD),
        ("student_unit", "y", SPLIT_WORD),
        ("student_unit", "Per˙", CHARACTERS),
        ("student_unit", "In", SPLIT_WORD),
        ("student_unit", "t", SPLIT_WORD),
        ("location", "QUANTICOVA", JOINED_WORDS),
    ]


def test_a_character_no_text_should_hold_is_flagged_even_when_found() -> None:
    lines = [line(10, student_unit="Military Police of Piauφ", quantity="1")]
    rows = [row(0, student_unit="Military Police of Piauφ", quantity="1")]
    assert kinds(check_rows(rows, lines)) == [("student_unit", "Piauφ", SOURCE_CHARACTER)]


def test_suspect_characters() -> None:
    assert suspect_character("Piauφ") and suspect_character("Z\ufffdrate")
    assert suspect_character("a\x07b")
    assert (
        not suspect_character("Perú")
        and not suspect_character("Nº")
        and not suspect_character("Ωμέγα")
    )


# Words as the readers give them: no whitespace inside.
_WORD = st.text(
    st.characters(min_codepoint=33, max_codepoint=0x24F, exclude_categories=("Zs", "Cc")),
    min_size=1,
    max_size=12,
)


@given(st.lists(_WORD, min_size=1, max_size=8), st.integers(min_value=1, max_value=3))
def test_any_cell_printed_on_its_line_or_wrapped_is_found(words: list[str], wrap: int) -> None:
    """Whatever the words, a cell printed as is (in one line or wrapped over several lines of
    its window) is found whole, and nothing is reported."""
    k = max(1, len(words) // wrap)
    parts = [words[i : i + k] for i in range(0, len(words), k)]
    lines = [line(10, quantity="7")]
    lines[0].cells["location"] = parts[0]
    lines += [Line(1, 10 + 4 * j, {"location": p}) for j, p in enumerate(parts[1:], 1)]
    cell = " ".join(words)
    assert check_rows([row(0, location=cell, quantity="7")], lines) == [] or any(
        suspect_character(w) for w in words
    )


@given(st.lists(_WORD, min_size=2, max_size=6), st.data())
def test_a_space_put_inside_a_printed_word_is_always_found_out(
    words: list[str], data: st.DataObject
) -> None:
    i = data.draw(st.integers(min_value=0, max_value=len(words) - 1))
    word = words[i]
    if len(word) < 2:
        return
    cut = data.draw(st.integers(min_value=1, max_value=len(word) - 1))
    printed = [line(10, quantity="7")]
    printed[0].cells["student_unit"] = list(words)
    stored = [*words[:i], word[:cut], word[cut:], *words[i + 1 :]]
    diffs = check_rows([row(0, student_unit=" ".join(stored), quantity="7")], printed)
    # Unless both halves happen to be words of the line themselves.
    if not (word[:cut] in words and word[cut:] in words):
        assert diffs, (words, stored)


@given(st.lists(_WORD, min_size=1))
def test_join_lines_spaces_lines_unless_a_word_hyphen_ends_one(lines: list[str]) -> None:
    joined = join_lines(lines)
    assert joined.replace(" ", "") == "".join(lines).replace(" ", "")
    for a, b in zip(lines, lines[1:], strict=False):
        if not a.endswith("-") or len(a) < 2:
            assert f"{a} {b}" in joined


def test_join_lines_after_a_hyphen() -> None:
    assert join_lines(["5 Infantry Brigade-", "Gondama"]) == "5 Infantry Brigade-Gondama"
    assert join_lines(["ALP -", "FY 2007"]) == "ALP - FY 2007"
    assert join_lines(["-", "x"]) == "- x"


def _harris() -> list[Line]:
    # FY2016-2017/Africa.pdf p.50: one training printed as four ruled rows, the next row's
    # student unit centred on its own line.
    return [
        line(10, course_title="Harris Radio Training", quantity="23", student_unit="246 IEME CSM"),
        line(14, course_title="241 IEME CCAS"),
        line(18, course_title="BA 201"),
        line(22, course_title="DCT", quantity="N/A", student_unit="$147,478"),
        line(26, student_unit="246 IEME CSM, 241 IEME CCAS, BA 201,"),
        line(30, course_title="Harris Radio Training", quantity="23", cost="$152,551"),
        line(34, student_unit="DCT"),
        line(38, course_title="Medical", quantity="24", student_unit="FAN"),
    ]


def test_centred_rows_share_the_lines_between_them_column_by_column() -> None:
    right = [
        row(0, course_title="Harris Radio Training", quantity="23", student_unit="246 IEME CSM"),
        row(1, course_title="241 IEME CCAS BA 201 DCT", quantity="N/A", student_unit="$147,478"),
        row(
            2,
            course_title="Harris Radio Training",
            quantity="23",
            cost="$152,551",
            student_unit="246 IEME CSM, 241 IEME CCAS, BA 201, DCT",
        ),
        row(3, course_title="Medical", quantity="24", student_unit="FAN"),
    ]
    assert check_rows(right, _harris(), CENTRED) == []
    # As fmtr read it before: the unit centred on the third row given to the second.
    wrong = [
        right[0],
        row(
            1,
            course_title="241 IEME CCAS BA 201 DCT",
            quantity="N/A",
            student_unit="$147,478 246 IEME CSM, 241 IEME CCAS, BA 201,",
        ),
        row(2, course_title="Harris Radio Training", quantity="23", cost="$152,551"),
        row(3, course_title="Medical", quantity="24", student_unit="DCT FAN"),
    ]
    found = kinds(check_rows(wrong, _harris(), CENTRED))
    assert ("student_unit", "CSM,", WRONG_ROW) in found
    assert ("student_unit", "DCT", WRONG_ROW) in found
    # The looser window rule cannot tell (a fragment between two rows may be either's).
    assert not any(
        k == ("student_unit", "DCT", WRONG_ROW) for k in kinds(check_rows(wrong, _harris()))
    )


def test_top_aligned_rows_take_the_lines_below_them() -> None:
    lines = [
        line(10, course_title="JCET", quantity="58", location="Dakshana Naval Base,"),
        line(14, location="Hambantota"),
        line(18, course_title="JCET", quantity="40", location="Kudo Oya"),
    ]
    rows = [
        row(0, course_title="JCET", quantity="58", location="Dakshana Naval Base, Hambantota"),
        row(1, course_title="JCET", quantity="40", location="Kudo Oya"),
    ]
    assert check_rows(rows, lines, BELOW) == []
    moved = [
        row(0, course_title="JCET", quantity="58", location="Dakshana Naval Base,"),
        row(1, course_title="JCET", quantity="40", location="Hambantota Kudo Oya"),
    ]
    assert kinds(check_rows(moved, lines, BELOW)) == [("location", "Hambantota", WRONG_ROW)]
