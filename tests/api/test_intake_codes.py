"""api/intake/codes.py (with GB 11643 ID numbers from oracle/aid/resident_id.py): only a real credit code passes as one."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.intake.codes import accepted, find_code, repair
from api.intake.engine import Glyph
from api.intake.kie import SourcedGlyph, Value
from oracle.aid.resident_id import check_character
from oracle.aid.resident_id import is_well_formed as is_valid
from oracle.registry.credit_code import structure_problems

CODE = "91440300708461136T"  # printed on a real business licence


def glyphs(
    text: str, alternatives: dict[int, tuple[tuple[str, float], ...]] | None = None
) -> tuple[SourcedGlyph, ...]:
    alternatives = alternatives or {}
    return tuple(
        SourcedGlyph(Glyph(char, 0.6 if index in alternatives else 0.99, alternatives.get(index, ()), 0.5), 0)
        for index, char in enumerate(text)
    )


def test_gb_11643_check_character() -> None:
    # The standard's worked example.
    assert check_character("11010519491231002") == "X"
    assert is_valid("11010519491231002X")
    assert not is_valid("110105194912310021")
    assert not is_valid("11010519491331002X")  # no 13th month


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["110101", "440305", "510107", "330106", "120101", "370102"]))
    born = draw(st.dates(datetime.date(1930, 1, 1), datetime.date(2020, 12, 31)))
    first17 = region + born.strftime("%Y%m%d") + draw(st.from_regex(r"\A[0-9]{3}\Z"))
    return first17 + check_character(first17)


@given(resident_ids())
def test_a_personal_id_number_is_never_accepted_as_a_credit_code(number: str) -> None:
    assert is_valid(number)
    assert not accepted(number)
    assert find_code(Value(glyphs(number), "right")) is None


@given(st.from_regex(r"\A[1-9][0-9]{18}\Z"))
def test_a_19_digit_account_number_is_never_a_credit_code(number: str) -> None:
    assert find_code(Value(glyphs(number), "right")) is None


def test_a_valid_code_passes_every_structural_check() -> None:
    assert structure_problems(CODE) == []
    assert accepted(CODE)
    found = find_code(Value(glyphs("统一社会信用代码：" + CODE), "inline"))
    assert found is not None
    assert found.text == CODE


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("X1440300708461136T", "registration-authority"),
        ("94440300708461136T", "institution category"),
        ("91990300708461136T", "province-level division"),
        ("914403007084611300", "GB 11714"),
    ],
)
def test_each_structural_check_can_fail_alone(code: str, problem: str) -> None:
    from oracle.registry.credit_code import check_character as gb32100

    fixed = code[:17] + gb32100(code[:17])  # passes the GB 32100 check, fails the one named
    problems = structure_problems(fixed)
    assert len(problems) == 1
    assert problem in problems[0]


def test_a_misread_character_is_repaired_from_the_runner_up_and_marked_doubtful() -> None:
    misread = CODE[:10] + "B" + CODE[11:]  # 8 read as B
    repaired = repair(glyphs(misread, {10: (("8", 0.3),)}))
    assert repaired is not None
    assert repaired.text == CODE
    assert repaired.glyphs[10].glyph.score <= 0.5  # the repaired character stays in doubt


def test_a_reading_that_no_single_repair_makes_valid_is_refused() -> None:
    assert repair(glyphs("91440300708461136A")) is None
