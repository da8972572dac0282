"""The *second key information*: what individual aid reads from an applicant's documents.

One :class:`DocumentReading` per document (ID card, medical invoice, diagnosis certificate) holds its fields,
each normalised (dates as ISO ``YYYY-MM-DD``, amounts in 分 as decimal digits, names and codes with spaces and
separators removed) and carrying the positions of the characters the OCR was unsure of, so that a check can
tell a confident difference (a forgery) from a doubtful one (a document to send again). The model is plain
JSON data: it is part of a decision's canonical inputs (:mod:`api.aid.inputs`).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from oracle.aid.population import DiagnosisDocument, DocumentKind, IdCardDocument, InvoiceDocument

__all__ = [
    "DiagnosisField",
    "DocumentKind",
    "DocumentReading",
    "FieldValue",
    "IdCardField",
    "InvoiceField",
    "SecondKeyInformation",
    "expected_readings",
    "fields_of",
]


class IdCardField(StrEnum):
    NAME = "name"
    SEX = "sex"
    ETHNICITY = "ethnicity"
    BIRTH_DATE = "birth_date"
    ADDRESS = "address"
    ID_NUMBER = "id_number"
    ISSUING_AUTHORITY = "issuing_authority"
    VALID_FROM = "valid_from"
    VALID_UNTIL = "valid_until"
    """An ISO date, or ``长期`` for a card valid for life."""


class InvoiceField(StrEnum):
    HOSPITAL = "hospital"
    CODE = "code"
    NUMBER = "number"
    PAYER_NAME = "payer_name"
    PAYER_ID_NUMBER = "payer_id_number"
    ISSUED_ON = "issued_on"
    TOTAL_FIGURES = "total_figures"
    """The total in figures, in 分 (decimal digits)."""
    TOTAL_WORDS = "total_words"
    """The total in capital numerals, as printed (spaces removed)."""


class DiagnosisField(StrEnum):
    HOSPITAL = "hospital"
    PATIENT_NAME = "patient_name"
    PATIENT_ID_NUMBER = "patient_id_number"
    DIAGNOSED_ON = "diagnosed_on"
    DIAGNOSIS = "diagnosis"
    DEPARTMENT = "department"


def fields_of(kind: DocumentKind) -> tuple[str, ...]:
    """The field names read from a document of ``kind``."""
    match kind:
        case DocumentKind.ID_CARD:
            return tuple(IdCardField)
        case DocumentKind.INVOICE:
            return tuple(InvoiceField)
        case DocumentKind.DIAGNOSIS:
            return tuple(DiagnosisField)
    raise AssertionError(kind)  # pragma: no cover


class FieldValue(BaseModel):
    """One field's normalised value and where the OCR was unsure."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: str
    doubtful: tuple[int, ...] = ()
    """Positions (in ``value``) of characters read with doubt."""
    confidence: int = Field(10_000, ge=0, le=10_000)
    """The least sure character's probability, in hundredths of a percent."""

    @property
    def certain(self) -> bool:
        return not self.doubtful


class DocumentReading(BaseModel):
    """The fields read from one document image, and the image's digest."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DocumentKind
    digest: str = Field(pattern=r"^0x[0-9a-f]{64}$")
    """keccak256 of the image bytes: the document's address in the store and on-chain."""
    fields: dict[str, FieldValue] = Field(default_factory=dict)

    def get(self, name: str) -> FieldValue | None:
        return self.fields.get(str(name))

    def value(self, name: str) -> str | None:
        field = self.fields.get(str(name))
        return None if field is None else field.value


class SecondKeyInformation(BaseModel):
    """What the three documents of an application say."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id_card: DocumentReading
    invoice: DocumentReading
    diagnosis: DocumentReading

    def reading(self, kind: DocumentKind) -> DocumentReading:
        return {
            DocumentKind.ID_CARD: self.id_card,
            DocumentKind.INVOICE: self.invoice,
            DocumentKind.DIAGNOSIS: self.diagnosis,
        }[kind]


def _field(value: str) -> FieldValue:
    return FieldValue(value=value)


def expected_readings(
    id_card: IdCardDocument,
    invoice: InvoiceDocument,
    diagnosis: DiagnosisDocument,
    digests: dict[DocumentKind, bytes],
) -> SecondKeyInformation:
    """What a perfect reading of a generated case's documents gives (the truth the benchmark compares OCR
    with, and what unit tests of the checks decide on): ``id_card``, ``invoice`` and ``diagnosis`` are the
    case's :mod:`oracle.aid.population` documents."""

    def reading(kind: DocumentKind, fields: dict[str, str]) -> DocumentReading:
        return DocumentReading(
            kind=kind,
            digest="0x" + digests[kind].hex(),
            fields={name: _field(value) for name, value in fields.items()},
        )

    return SecondKeyInformation(
        id_card=reading(
            DocumentKind.ID_CARD,
            {
                IdCardField.NAME: id_card.name,
                IdCardField.SEX: id_card.sex,
                IdCardField.ETHNICITY: id_card.ethnicity,
                IdCardField.BIRTH_DATE: id_card.born.isoformat(),
                IdCardField.ADDRESS: id_card.address,
                IdCardField.ID_NUMBER: id_card.id_number,
                IdCardField.ISSUING_AUTHORITY: id_card.issuing_authority,
                IdCardField.VALID_FROM: id_card.valid_from.isoformat(),
                IdCardField.VALID_UNTIL: "长期"
                if id_card.valid_until is None
                else id_card.valid_until.isoformat(),
            },
        ),
        invoice=reading(
            DocumentKind.INVOICE,
            {
                InvoiceField.HOSPITAL: invoice.issuer_name,
                InvoiceField.CODE: invoice.code,
                InvoiceField.NUMBER: invoice.number,
                InvoiceField.PAYER_NAME: invoice.payer_name,
                InvoiceField.PAYER_ID_NUMBER: invoice.payer_id_number,
                InvoiceField.ISSUED_ON: invoice.issued_on.isoformat(),
                InvoiceField.TOTAL_FIGURES: str(invoice.total_fen),
                InvoiceField.TOTAL_WORDS: invoice.total_in_words,
            },
        ),
        diagnosis=reading(
            DocumentKind.DIAGNOSIS,
            {
                DiagnosisField.HOSPITAL: diagnosis.hospital,
                DiagnosisField.PATIENT_NAME: diagnosis.patient_name,
                DiagnosisField.PATIENT_ID_NUMBER: diagnosis.patient_id_number,
                DiagnosisField.DIAGNOSED_ON: diagnosis.diagnosed_on.isoformat(),
                DiagnosisField.DIAGNOSIS: diagnosis.diagnosis,
                DiagnosisField.DEPARTMENT: diagnosis.department,
            },
        ),
    )
