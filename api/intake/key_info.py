"""The *first key information* of an institution, with the evidence behind every field.

Onboarding compares what OCR read from the certificates with the government registry's record, field
by field. Both sides go through :func:`normalize_text` (full-width to half-width, no whitespace), so a
comparison fails only on a real difference, never on how a character was encoded. Each field carries
its :class:`FieldEvidence`: how sure the recogniser was, which of its characters are in doubt, and the
boxes (document and quadrilateral) it was read from, so a bank officer can see the printed field
beside the registry's value.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, ConfigDict, Field, computed_field

from api.intake.institution import DocumentKind
from api.intake.institution import Field as FieldName

__all__ = ["DocumentKind", "FieldEvidence", "FieldName", "KeyInformation", "SourceBox", "normalize_text"]

_WHITESPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Comparable form of a name, bank or place: NFKC (full-width to half-width) and no whitespace.

    Chinese names carry no spaces, so any space is an OCR or typing artefact (``杜 雪`` is ``杜雪``).
    """
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


class SourceBox(BaseModel):
    """Where a field was printed: the document and the text box's corners in its pixels."""

    model_config = ConfigDict(frozen=True)

    document: str
    """The document's name as uploaded (or ``image-N``)."""
    quad: tuple[tuple[float, float], ...]
    """Corners in reading order (top-left, top-right, bottom-right, bottom-left), original pixels."""


class FieldEvidence(BaseModel):
    """Why a field has the value it has: how sure OCR was, where it was read, which documents agree."""

    model_config = ConfigDict(frozen=True)

    confidence: float = Field(ge=0.0, le=1.0)
    """The least certain character's probability, times the value's plausibility (0-1)."""
    sources: tuple[str, ...]
    """The documents that gave the chosen value."""
    agreement: float = Field(ge=0.0, le=1.0)
    """Share of the documents that read this field and gave the chosen value."""
    doubtful_characters: tuple[int, ...] = ()
    """Positions (0-based) of characters OCR was unsure of, or on which two documents disagreed with
    confidence. A difference from the registry confined to these positions may be a misreading: a
    case for a human look, not for rejection."""
    boxes: tuple[SourceBox, ...] = ()
    """The text boxes the value was read from (first the chosen document's)."""
    conflict: bool = False
    """Documents gave different values, each read with confidence (for a code: two valid codes)."""


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
    """Each image read (by name) and the certificate it was recognised as."""

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
