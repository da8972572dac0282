"""Combining readings of one field: character by character, codes whole."""

from __future__ import annotations

from api.intake.consensus import vote
from api.intake.fields import FieldValue
from api.intake.key_info import FieldName

REP = FieldName.LEGAL_REPRESENTATIVE


def _read(value: str | None, *confidences: float) -> FieldValue:
    return FieldValue(REP, value, min(confidences, default=0.9), char_confidences=tuple(confidences))


def test_readings_that_fail_on_different_characters_combine_into_the_printed_value() -> None:
    result = vote(
        REP, [_read("蔡颖成", 0.9, 0.9, 0.9), _read("化颖成", 0.2, 0.9, 0.9), _read("华颖成", 0.3, 0.9, 0.9)]
    )
    assert result is not None
    assert result.value == "蔡颖成"
    assert result.agreement == round(1 / 3, 3)
    assert result.supporters == (0,)
    assert result.doubtful == ()


def test_agreeing_readings_outvote_a_confident_outlier() -> None:
    result = vote(REP, [_read("余娟", 0.6, 0.6), _read("余娟", 0.6, 0.6), _read("余娼", 0.95, 0.95)])
    assert result is not None
    assert result.value == "余娟"


def test_the_most_supported_length_wins_and_unsure_characters_are_flagged() -> None:
    result = vote(
        REP, [_read("余娟等", 0.9, 0.9, 0.1), _read("余娟大", 0.9, 0.9, 0.2), _read("余娟", 0.5, 0.5)]
    )
    assert result is not None
    assert len(result.value) == 3
    assert result.doubtful == (2,)


def test_credit_codes_are_voted_whole() -> None:
    codes = [
        FieldValue(FieldName.CREDIT_CODE, "91440300708461136T", 0.9),
        FieldValue(FieldName.CREDIT_CODE, "91440300708461136T", 0.5),
        FieldValue(FieldName.CREDIT_CODE, "91110000802100433B", 0.95),
        FieldValue(FieldName.CREDIT_CODE, None, 0.99),
    ]
    result = vote(FieldName.CREDIT_CODE, codes)
    assert result is not None
    assert result.value == "91440300708461136T"
    assert result.agreement == round(2 / 3, 3)


def test_no_valid_reading_gives_no_vote() -> None:
    assert vote(REP, []) is None
    assert vote(REP, [_read(None)]) is None
