"""Combine several OCR readings of one field into the value most likely printed.

A field is usually read several times: it is printed on more than one certificate, and a doubtful
page is read at two scales. The readings rarely fail on the same character, so they are combined
character by character: among readings of the most supported length, each position takes the
character with the highest summed confidence. Three readings ``蔡颖成`` (one doubtful 蔡),
``化颖成`` and ``华颖成`` (doubtful 化 and 华) thus give 蔡颖成 when 蔡's confidence outweighs the
others', even though no two readings agree as a whole. Credit codes are voted on whole (they are
already validated by their check character, and a mix of two valid codes is not one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from api.intake.fields import FieldValue
from api.intake.key_info import FieldName

_PRESENCE = 0.25
"""Weight of a reading for merely existing, so that many low-confidence agreeing reads count."""


@dataclass(frozen=True)
class Vote:
    """The combined value and how it came about."""

    value: str
    confidence: float
    """Mean confidence of the winning characters (0-1)."""
    agreement: float
    """Share of the readings equal to the combined value."""
    supporters: tuple[int, ...]
    """Indices of the readings that gave the combined value whole (maybe none, for a mix)."""
    doubtful: tuple[int, ...] = ()
    """Positions of characters no reading was sure of (best confidence under :data:`DOUBTFUL`)."""


DOUBTFUL = 0.5
"""Below this confidence a character is as likely misread as not (measured on rendered certificates:
tesseract's misreadings of this model mostly score under 0.3, its correct reads mostly over 0.7)."""


def _char_confidences(value: FieldValue) -> tuple[float, ...]:
    assert value.value is not None
    if len(value.char_confidences) == len(value.value):
        return value.char_confidences
    return (value.confidence,) * len(value.value)


def _whole_value_vote(readings: Sequence[FieldValue]) -> str:
    scores: dict[str, float] = defaultdict(float)
    for reading in readings:
        assert reading.value is not None
        scores[reading.value] += 2 * _PRESENCE + reading.confidence
    return max(scores, key=lambda value: scores[value])


def _character_vote(readings: Sequence[FieldValue]) -> tuple[str, list[float]]:
    lengths: dict[int, float] = defaultdict(float)
    for reading in readings:
        assert reading.value is not None
        lengths[len(reading.value)] += 2 * _PRESENCE + reading.confidence
    length = max(lengths, key=lambda size: lengths[size])
    same_length = [
        reading for reading in readings if reading.value is not None and len(reading.value) == length
    ]
    chars: list[str] = []
    confidences: list[float] = []
    for position in range(length):
        scores: dict[str, float] = defaultdict(float)
        best: dict[str, float] = defaultdict(float)
        for reading in same_length:
            assert reading.value is not None
            char, confidence = reading.value[position], _char_confidences(reading)[position]
            scores[char] += _PRESENCE + confidence
            best[char] = max(best[char], confidence)
        chosen = max(scores, key=lambda char: scores[char])
        chars.append(chosen)
        confidences.append(best[chosen])
    return "".join(chars), confidences


def vote(field: FieldName, readings: Sequence[FieldValue]) -> Vote | None:
    """The value of ``field`` best supported by ``readings`` (those with a value), or ``None``."""
    valid = [reading for reading in readings if reading.value is not None]
    if not valid:
        return None
    doubtful: tuple[int, ...] = ()
    if field is FieldName.CREDIT_CODE:
        value = _whole_value_vote(valid)
        agreeing = [reading for reading in valid if reading.value == value]
        confidence = sum(reading.confidence for reading in agreeing) / len(agreeing)
    else:
        value, confidences = _character_vote(valid)
        confidence = sum(confidences) / max(len(confidences), 1)
        doubtful = tuple(position for position, score in enumerate(confidences) if score < DOUBTFUL)
    supporters = tuple(index for index, reading in enumerate(readings) if reading.value == value)
    return Vote(
        value=value,
        confidence=round(confidence, 3),
        agreement=round(len(supporters) / len(valid), 3),
        supporters=supporters,
        doubtful=doubtful,
    )
