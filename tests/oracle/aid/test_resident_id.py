"""oracle/aid/resident_id.py: GB 11643 citizen identification numbers."""

from __future__ import annotations

import datetime
import random

from oracle.aid.resident_id import Problem, check_character, compose, generate, problems, with_wrong_check

TODAY = datetime.date(2026, 6, 1)


def test_the_check_character_is_iso_7064_mod_11_2() -> None:
    assert check_character("11010519491231002") == "X"  # the standard's own example
    assert problems("11010519491231002X", TODAY) == []
    assert problems("11010519491231002x", TODAY) == [Problem.FORMAT]


def test_every_problem_is_named() -> None:
    number = compose("440106", datetime.date(1990, 5, 3), 123)
    assert problems(number, TODAY) == []
    assert problems(with_wrong_check(number), TODAY) == [Problem.CHECK_DIGIT]
    assert Problem.BIRTH_DATE in problems(compose("440106", datetime.date(2027, 1, 1), 1), TODAY)
    assert Problem.BIRTH_DATE in problems(compose("440106", datetime.date(1899, 1, 1), 1), TODAY)
    bad_month = "440106199013011230"
    assert Problem.BIRTH_DATE in problems(bad_month, TODAY)
    assert problems(compose("990106", datetime.date(1990, 5, 3), 1), TODAY) == [Problem.REGION]
    assert problems(compose("440006", datetime.date(1990, 5, 3), 1), TODAY) == [Problem.REGION]
    assert problems("4401061990", TODAY) == [Problem.FORMAT]


def test_generated_numbers_are_valid_and_carry_the_sex() -> None:
    rng = random.Random(1)
    for _ in range(200):
        male = rng.random() < 0.5
        number = generate(rng, "310104", datetime.date(1980, 1, 1), male)
        assert problems(number, TODAY) == []
        assert int(number[16]) % 2 == (1 if male else 0)
        assert with_wrong_check(number) != number
        assert problems(with_wrong_check(number), TODAY) == [Problem.CHECK_DIGIT]
