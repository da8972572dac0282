"""The unified social credit code of GB 32100-2015: check character, validation, generation."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.errors import InvalidCreditCode
from oracle.registry import credit_code
from oracle.registry.credit_code import (
    ALPHABET,
    INSTITUTION_CATEGORIES,
    WEIGHTS,
    check_character,
    compose,
    generate,
    has_valid_organization_code,
    is_valid,
    split,
    validate,
)

# Codes of real, publicly registered enterprises (printed on their business licences).
REAL_CODES = ("91440300708461136T", "91110000802100433B")

authorities = st.sampled_from(sorted(INSTITUTION_CATEGORIES))
regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
bodies = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    authority = draw(authorities)
    category = draw(st.sampled_from(sorted(INSTITUTION_CATEGORIES[authority])))
    return compose(authority, category, draw(regions), draw(bodies))


def test_the_alphabet_excludes_the_letters_ocr_confuses_with_digits() -> None:
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


def test_the_weights_are_powers_of_three_modulo_31() -> None:
    assert list(WEIGHTS) == [pow(3, i, 31) for i in range(17)]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_validate(code: str) -> None:
    assert validate(code) == code
    assert has_valid_organization_code(code)
    assert split(code).check == code[-1]


@given(valid_codes())
def test_composed_codes_are_valid_and_split_back(code: str) -> None:
    parts = split(code)
    assert is_valid(code)
    assert has_valid_organization_code(code)
    assert parts.registration_authority + parts.institution_category + parts.region == code[:8]
    assert parts.organization_code + parts.check == code[8:]


@given(valid_codes(), st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_any_single_substitution_is_detected(code: str, position: int, replacement: str) -> None:
    changed = code[:position] + replacement + code[position + 1 :]
    assert is_valid(changed) == (changed == code)


@given(valid_codes(), st.integers(min_value=0, max_value=16))
def test_swapping_two_different_neighbours_is_detected(code: str, position: int) -> None:
    first, second = code[position], code[position + 1]
    swapped = code[:position] + second + first + code[position + 2 :]
    # Adjacent weights differ by a factor of 3 modulo the prime 31, so a transposition always changes the sum.
    assert is_valid(swapped) == (first == second)


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_the_check_character_completes_any_17_characters(first17: str) -> None:
    code = first17 + check_character(first17)
    assert is_valid(code) == first17[2:8].isdigit()


@given(authorities, regions, st.randoms(use_true_random=False))
def test_generate_gives_valid_codes_for_the_requested_segments(
    authority: str, region: str, rng: random.Random
) -> None:
    category = sorted(INSTITUTION_CATEGORIES[authority])[0]
    code = generate(rng, authority, category, region)
    assert is_valid(code)
    assert code[:8] == authority + category + region
    assert code[8:16].isdigit()


def test_generate_is_deterministic_in_its_random_source() -> None:
    assert generate(random.Random(7), "5", "3", "110000") == generate(random.Random(7), "5", "3", "110000")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91440300708461136", "must be 18 characters"),
        ("91440300708461136TT", "must be 18 characters"),
        ("9144030070846113OT", "'O' at position 17 is not in the alphabet"),
        ("91440300708461136t", "'t' at position 18"),
        ("914A0300708461136T", "region code"),
        ("91440300708461136U", "check character is 'U', expected 'T'"),
    ],
)
def test_malformed_codes_are_rejected_with_the_reason(code: str, reason: str) -> None:
    with pytest.raises(InvalidCreditCode, match=reason) as raised:
        validate(code)
    assert raised.value.code == code
    assert not is_valid(code)


def test_an_invalid_code_is_also_a_value_error() -> None:
    with pytest.raises(ValueError, match="invalid unified social credit code"):
        validate("")


@pytest.mark.parametrize(
    ("authority", "category", "region", "body"),
    [
        ("Q", "1", "110000", "12345678"),
        ("5", "4", "110000", "12345678"),
        ("5", "3", "11000A", "12345678"),
        ("5", "3", "110000", "1234567"),
        ("5", "3", "110000", "1234567O"),
    ],
)
def test_compose_refuses_segments_the_standard_does_not_allow(
    authority: str, category: str, region: str, body: str
) -> None:
    with pytest.raises(InvalidCreditCode):
        compose(authority, category, region, body)


def test_the_organization_code_check_follows_gb_11714() -> None:
    # 10 is written X and 11 is written 0.
    assert credit_code.organization_code_check("70846113") == "6"
    assert credit_code.organization_code_check("00000000") == "0"
    assert any(credit_code.organization_code_check(f"{n:08d}") == "X" for n in range(30))


def test_structure_problems_name_each_failed_segment() -> None:
    from oracle.registry.credit_code import is_plausible, structure_problems

    for code in REAL_CODES:
        assert structure_problems(code) == []
        assert is_plausible(code)
    assert structure_problems("91440300708461136") == ["must be 18 characters, got 17"]
    unknown_region = compose("5", "3", "990000", "12345678")
    assert any("province-level" in problem for problem in structure_problems(unknown_region))


@given(valid_codes())
def test_composed_codes_with_a_known_province_are_plausible(code: str) -> None:
    from oracle.registry.credit_code import PROVINCE_CODES, is_plausible

    assert is_plausible(code) == (code[2:4] in PROVINCE_CODES)
