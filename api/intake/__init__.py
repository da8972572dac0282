"""OCR intake: the *first key information* read from an institution's certificate images.

Entry point: :func:`api.intake.ocr.extract_key_information` (images in, :class:`KeyInformation`
out). The steps live in their own modules: ``preprocess`` (seal, skew, scale), ``tesseract`` (the one
place tesseract runs), ``fields`` (labels to values), ``lexicon`` (bank, province and surname lists
that undo single misreadings), ``consensus`` (combining readings), ``key_info`` (the model and the
normalisation both sides of the registry comparison use). Errors derive from :class:`IntakeError`.
"""

from api.intake.errors import IntakeError, NoKeyInformation, OcrEngineUnavailable, UnreadableImage
from api.intake.key_info import FieldName, KeyInformation, normalize_text, read_credit_code
from api.intake.ocr import extract_key_information, read_certificate

__all__ = [
    "FieldName",
    "IntakeError",
    "KeyInformation",
    "NoKeyInformation",
    "OcrEngineUnavailable",
    "UnreadableImage",
    "extract_key_information",
    "normalize_text",
    "read_certificate",
    "read_credit_code",
]
