"""OCR intake: key information read from uploaded document images.

Entry point for institution onboarding: :func:`api.intake.ocr.extract_key_information` (images in,
:class:`KeyInformation` out). The steps live in their own modules: ``engine`` (PP-OCRv4 through
rapidocr-onnxruntime: boxes, characters with their scores, page orientation and skew), ``kie`` (the
generic extractor: label boxes linked to value boxes, sentence patterns), ``institution`` (the
certificates of onboarding as a document kind: lexicon and validators), ``codes`` (credit codes that
cannot be confused with anything else), ``resident_id`` (GB 11643), ``key_info`` (the model and the
normalisation both sides of the registry comparison use). Errors derive from :class:`IntakeError`.
"""

from api.intake.errors import IntakeError, NoKeyInformation, OcrEngineUnavailable, UnreadableImage
from api.intake.key_info import (
    DocumentKind,
    FieldEvidence,
    FieldName,
    KeyInformation,
    SourceBox,
    normalize_text,
)
from api.intake.ocr import crop_source, extract_key_information, read_certificate

__all__ = [
    "DocumentKind",
    "FieldEvidence",
    "FieldName",
    "IntakeError",
    "KeyInformation",
    "NoKeyInformation",
    "OcrEngineUnavailable",
    "SourceBox",
    "UnreadableImage",
    "crop_source",
    "extract_key_information",
    "normalize_text",
    "read_certificate",
]
