"""The *first key information* of an institution, and the normalisation that makes it comparable.

Onboarding compares what OCR read from the certificates with the government registry's record, field
by field. Both sides go through :func:`normalize_text` (full-width to half-width, no whitespace), so a
comparison fails only on a real difference, never on how a character was encoded. The credit code gets
more care (:func:`read_credit_code`): it is the registry key, its alphabet excludes the letters OCR
most often confuses with digits, and its check character lets single misreadings be repaired with
confidence instead of guessed.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

from oracle.registry.credit_code import (
    ALPHABET,
    INSTITUTION_CATEGORIES,
    LENGTH,
    has_valid_organization_code,
    is_valid,
)


class FieldName(StrEnum):
    """The fields of the first key information, named as in :class:`oracle.registry.records.RegistryRecord`."""

    NAME = "name"
    CREDIT_CODE = "credit_code"
    LEGAL_REPRESENTATIVE = "legal_representative"
    ACCOUNT_BANK = "account_bank"
    ACCOUNT_LOCATION = "account_location"


class DocumentKind(StrEnum):
    """Which certificate an image shows, recognised from its title."""

    REGISTRATION = "registration"
    LEGAL_PERSON = "legal_person"
    ACCOUNT_PERMIT = "account_permit"
    UNKNOWN = "unknown"


_WHITESPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Comparable form of a name, bank or place: NFKC (full-width to half-width) and no whitespace.

    Chinese names carry no spaces, so any space is an OCR or typing artefact (``杜 雪`` is ``杜雪``).
    """
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def is_cjk(char: str) -> bool:
    """Whether ``char`` is a CJK unified ideograph (the characters of Chinese names and places)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


# OCR confusions, each group read as any other of the group. Only used to repair a code whose check
# character fails, and only a repair that makes the check pass is kept.
_CONFUSION_GROUPS = (
    "0DQOU",
    "1IL7JT",
    "2Z",
    "5S",
    "6GB",
    "8B3",
    "9G",
    "4A",
    "UVWY",
    "XKY",
    "MNWH",
    "PRF",
    "EF",
    "CG",
)
_CONFUSABLE: dict[str, str] = {}
for _group in _CONFUSION_GROUPS:
    for _char in _group:
        _CONFUSABLE[_char] = _CONFUSABLE.get(_char, "") + _group.replace(_char, "")

# Letters the alphabet forbids, read as the character they were certainly meant to be.
_FORBIDDEN_LETTERS = {"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U"}
# In the region segment (positions 3-8) only digits are allowed.
_DIGIT_LOOKALIKES = {
    "O": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "L": "1", "J": "1", "T": "7", "Z": "2",
    "S": "5", "B": "8", "G": "6", "A": "4",
}  # fmt: skip


class CreditCodeReading(BaseModel):
    """What became of a credit code read by OCR: the valid code, or why there is none."""

    model_config = ConfigDict(frozen=True)

    raw: str
    code: str | None
    corrected: bool = False
    """True when the code differs from the characters read (confusions fixed with the check's help)."""
    candidates: tuple[str, ...] = ()
    """Valid codes one plausible correction away, when there is more than one (ambiguous reading)."""


def _allowed(position: int, char: str, prefix: str) -> bool:
    """Whether ``char`` may stand at ``position`` (0-based) given the characters before it.

    Stricter than :func:`oracle.registry.credit_code.validate` (known authority and category codes):
    used to choose between repairs, never to reject a code whose check passes as read.
    """
    if char not in ALPHABET:
        return False
    if 2 <= position <= 7:
        return char.isdigit()
    if position == 0:
        return char in INSTITUTION_CATEGORIES
    if position == 1:
        return char in INSTITUTION_CATEGORIES.get(prefix[:1], {})
    return True


def _force_alphabet(text: str) -> str:
    chars: list[str] = []
    for position, char in enumerate(text):
        prefix = "".join(chars)
        if 2 <= position <= 7 or (position <= 1 and not _allowed(position, char, prefix)):
            lookalike = _DIGIT_LOOKALIKES.get(char, char)
            char = lookalike if _allowed(position, lookalike, prefix) or position > 1 else char
        char = _FORBIDDEN_LETTERS.get(char, char)
        chars.append(char)
    return "".join(chars)


def _plausibility(code: str) -> int:
    """2: known authority and category and a valid GB 11714 organisation code; 1: only the former."""
    if not (_allowed(0, code[0], "") and _allowed(1, code[1], code[:1])):
        return 0
    return 2 if has_valid_organization_code(code) else 1


def _most_plausible(candidates: list[str]) -> list[str]:
    scored = [(_plausibility(candidate), candidate) for candidate in candidates]
    best = max((score for score, _ in scored), default=0)
    return [candidate for score, candidate in scored if score == best and score > 0]


def _single_corrections(text: str) -> list[str]:
    """Valid codes that differ from ``text`` in one position by a confusable character."""
    found: list[str] = []
    for position, char in enumerate(text):
        for replacement in _CONFUSABLE.get(char, ""):
            if not _allowed(position, replacement, text[:position]):
                continue
            candidate = text[:position] + replacement + text[position + 1 :]
            if is_valid(candidate) and candidate not in found:
                found.append(candidate)
    return found


def _repair(text: str) -> tuple[str | None, tuple[str, ...]]:
    forced = _force_alphabet(text)
    if is_valid(forced):
        return forced, ()
    candidates = _most_plausible(_single_corrections(forced))
    if len(candidates) == 1:
        return candidates[0], ()
    return None, tuple(candidates)


def read_credit_code(raw: str) -> CreditCodeReading:
    """Turn OCR output into a valid credit code, repairing what the alphabet and check allow.

    In order: NFKC and upper-case, drop separators; map letters the alphabet forbids (O, I, Z, S, V)
    and, in the all-digit region segment, digit look-alikes; if the check still fails, try every
    single substitution by a confusable character and keep those that make the check pass; among them
    prefer a known authority and category and a valid GB 11714 organisation code, and accept only a
    unique best (several is ambiguous: ``code`` is ``None`` and the candidates are returned). A
    reading one character too long is tried without each of its characters the same way.
    """
    text = "".join(char for char in unicodedata.normalize("NFKC", raw).upper() if char.isalnum())
    if len(text) == LENGTH:
        code, candidates = _repair(text)
        return CreditCodeReading(
            raw=raw, code=code, corrected=code is not None and code != text, candidates=candidates
        )
    if len(text) == LENGTH + 1:
        shortened = {_force_alphabet(text[:i] + text[i + 1 :]) for i in range(len(text))}
        repaired = _most_plausible(sorted(code for code in shortened if is_valid(code)))
        if len(repaired) == 1:
            return CreditCodeReading(raw=raw, code=repaired[0], corrected=True)
        return CreditCodeReading(raw=raw, code=None, candidates=tuple(repaired))
    return CreditCodeReading(raw=raw, code=None)


class FieldEvidence(BaseModel):
    """Why a field has the value it has: how sure OCR was and which documents agree."""

    model_config = ConfigDict(frozen=True)

    confidence: float = Field(ge=0.0, le=1.0)
    """Mean tesseract confidence of the characters read (0-1)."""
    sources: tuple[str, ...]
    """The documents (file names) that gave the chosen value."""
    agreement: float = Field(ge=0.0, le=1.0)
    """Share of the documents that read this field and gave the chosen value."""
    corrected: bool = False
    """The credit code was repaired with the help of its check character."""
    doubtful_characters: tuple[int, ...] = ()
    """Positions (0-based) of characters OCR was unsure of. A difference from the registry confined
    to these positions may be a misreading rather than a discrepancy: a case for a human look, not
    for rejection."""


class KeyInformation(BaseModel):
    """The first key information read from an institution's certificates (``None``: not found)."""

    model_config = ConfigDict(frozen=True)

    name: str | None = None
    credit_code: str | None = None
    legal_representative: str | None = None
    account_bank: str | None = None
    account_location: str | None = None
    evidence: dict[FieldName, FieldEvidence] = Field(default_factory=dict)
    documents: dict[str, DocumentKind] = Field(default_factory=dict)
    """Each image read (by file name) and the certificate it was recognised as."""

    def value(self, field: FieldName) -> str | None:
        """The value of ``field``."""
        result: str | None = getattr(self, field.value)
        return result

    @computed_field  # type: ignore[prop-decorator]
    @property
    def found(self) -> list[FieldName]:
        """Fields that were read."""
        return [field for field in FieldName if self.value(field) is not None]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def missing(self) -> list[FieldName]:
        """Fields that no document gave: the applicant must supply a better image."""
        return [field for field in FieldName if self.value(field) is None]
