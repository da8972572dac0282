"""Read an institution's *first key information* from its certificate images.

The entry point of flow 1's OCR step: :func:`extract_key_information` takes the uploaded images
(registration certificate, legal-person identification page, account-opening permit, in any order),
reads each one (:func:`read_certificate`: decode, preprocess, tesseract, parse labelled fields) and
merges them (:func:`merge_readings`). Most fields are printed on more than one certificate, so the
merge is a vote weighted by OCR confidence: one misread document is outvoted by the others, and the
evidence kept with each field says how much the documents agreed. Images are read in parallel (each
tesseract run is a single-threaded subprocess, so two of them use both cores of a small server).
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import structlog
from PIL import Image, UnidentifiedImageError

from api.intake.errors import NoKeyInformation, UnreadableImage
from api.intake.fields import FieldValue, document_kind, parse_fields
from api.intake.key_info import DocumentKind, FieldEvidence, FieldName, KeyInformation
from api.intake.preprocess import MIN_SIDE, Preparation, prepare
from api.intake.tesseract import read_lines

log = structlog.get_logger(__name__)

ImageSource = Path | bytes | Image.Image
"""An image as a file, as the uploaded bytes, or already decoded."""

_MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CertificateReading:
    """What one image yielded: the certificate it shows and the fields read from it."""

    source: str
    kind: DocumentKind
    fields: tuple[FieldValue, ...]
    preparation: Preparation
    seconds: float


def _source_name(image: ImageSource, index: int) -> str:
    return image.name if isinstance(image, Path) else f"image-{index + 1}"


def load_image(image: ImageSource, source: str) -> Image.Image:
    """Decode ``image`` fully, or raise :class:`UnreadableImage` saying why not."""
    if isinstance(image, Image.Image):
        decoded = image
    else:
        try:
            data = image.read_bytes() if isinstance(image, Path) else image
        except OSError as error:
            raise UnreadableImage(source, f"cannot open file: {error.strerror or error}") from error
        if not data:
            raise UnreadableImage(source, "the file is empty")
        try:
            with Image.open(io.BytesIO(data)) as opened:
                if opened.width * opened.height > _MAX_PIXELS:
                    raise UnreadableImage(source, f"{opened.width}x{opened.height} pixels is too large")
                opened.load()
                decoded = opened.copy()
        except UnidentifiedImageError as error:
            raise UnreadableImage(source, "not an image format we can decode") from error
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            raise UnreadableImage(source, f"damaged image: {error}") from error
    if min(decoded.size) < MIN_SIDE:
        raise UnreadableImage(
            source, f"{decoded.width}x{decoded.height} pixels is too small to hold a certificate"
        )
    return decoded


def read_certificate(image: ImageSource, source: str | None = None) -> CertificateReading:
    """Read one certificate image; raises :class:`UnreadableImage` if it cannot be decoded or has no text."""
    name = source or _source_name(image, 0)
    started = time.perf_counter()
    prepared, preparation = prepare(load_image(image, name))
    lines = read_lines(prepared, name)
    if not lines:
        raise UnreadableImage(name, "no text found")
    reading = CertificateReading(
        source=name,
        kind=document_kind(lines),
        fields=tuple(parse_fields(lines)),
        preparation=preparation,
        seconds=time.perf_counter() - started,
    )
    log.info(
        "certificate_read",
        source=name,
        kind=reading.kind.value,
        fields=sorted({value.field.value for value in reading.fields if value.value is not None}),
        skew=preparation.skew_degrees,
        scale=round(preparation.scale, 2),
        denoised=preparation.denoised,
        seconds=round(reading.seconds, 3),
    )
    return reading


def _ambiguous_code(values: list[FieldValue]) -> str | None:
    """A credit code no document read unambiguously, but whose candidate sets share one code."""
    sets = [set(value.candidates) for value in values if value.candidates]
    if not sets:
        return None
    common = set.intersection(*sets)
    return common.pop() if len(common) == 1 else None


def _merge_field(
    field: FieldName, readings: Sequence[CertificateReading]
) -> tuple[str, FieldEvidence] | None:
    values = [
        (reading.source, value) for reading in readings for value in reading.fields if value.field is field
    ]
    valid = [(source, value) for source, value in values if value.value is not None]
    if not valid:
        code = _ambiguous_code([value for _, value in values]) if field is FieldName.CREDIT_CODE else None
        if code is None:
            return None
        sources = tuple(dict.fromkeys(source for source, _ in values))
        confidence = min(value.confidence for _, value in values)
        return code, FieldEvidence(confidence=confidence, sources=sources, agreement=1.0, corrected=True)
    scores: dict[str, float] = {}
    for _, value in valid:
        assert value.value is not None
        scores[value.value] = scores.get(value.value, 0.0) + 0.5 + value.confidence
    chosen = max(scores, key=lambda candidate: scores[candidate])
    agreeing = [(source, value) for source, value in valid if value.value == chosen]
    evidence = FieldEvidence(
        confidence=round(sum(value.confidence for _, value in agreeing) / len(agreeing), 3),
        sources=tuple(dict.fromkeys(source for source, _ in agreeing)),
        agreement=round(len(agreeing) / len(valid), 3),
        corrected=all(value.corrected for _, value in agreeing),
    )
    return chosen, evidence


def merge_readings(readings: Sequence[CertificateReading]) -> KeyInformation:
    """Combine the fields of several certificates: per field, the value with the most confident votes."""
    values: dict[str, str] = {}
    evidence: dict[FieldName, FieldEvidence] = {}
    for field in FieldName:
        merged = _merge_field(field, readings)
        if merged is not None:
            values[field.value], evidence[field] = merged
    return KeyInformation.model_validate(
        {**values, "evidence": evidence, "documents": {reading.source: reading.kind for reading in readings}}
    )


def extract_key_information(images: Sequence[ImageSource], workers: int = 2) -> KeyInformation:
    """The first key information from an institution's certificate images.

    Raises :class:`UnreadableImage` for the first image that cannot be read, and
    :class:`NoKeyInformation` when none of them shows a labelled field.
    """
    sources = [_source_name(image, index) for index, image in enumerate(images)]
    if len(images) <= 1 or workers <= 1:
        readings = [read_certificate(image, source) for image, source in zip(images, sources, strict=True)]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            readings = list(pool.map(read_certificate, images, sources))
    if not any(
        value.value is not None or value.candidates for reading in readings for value in reading.fields
    ):
        raise NoKeyInformation(sources)
    return merge_readings(readings)
