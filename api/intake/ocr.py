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
from typing import cast

import structlog
from PIL import Image, UnidentifiedImageError

from api.intake.consensus import vote
from api.intake.errors import NoKeyInformation, UnreadableImage
from api.intake.fields import FieldValue, document_kind, parse_fields
from api.intake.key_info import DocumentKind, FieldEvidence, FieldName, KeyInformation
from api.intake.preprocess import MIN_SIDE, Preparation, prepare
from api.intake.tesseract import read_lines

log = structlog.get_logger(__name__)

ImageSource = Path | bytes | Image.Image
"""An image as a file, as the uploaded bytes, or already decoded."""

_MAX_PIXELS = 40_000_000

_MIN_CONTRAST = 40
"""Gray levels between the darkest and lightest pixel below which a page is blank."""
_TEXT_CONFIDENCE = 50.0
"""A page holds text only if tesseract is at least this sure of one word (it hallucinates on blanks)."""

DOUBT_BELOW = 0.3
"""A character read with less confidence than this makes the page worth a second reading."""

SECOND_READING_LONG_SIDE = 1240
"""Scale of the second reading: different enough from the first that errors do not repeat."""


@dataclass(frozen=True)
class CertificateReading:
    """What one image yielded: the certificate it shows and the fields read from it."""

    source: str
    kind: DocumentKind
    fields: tuple[FieldValue, ...]
    """Every reading of every field, from each pass (a field may appear more than once)."""
    preparation: Preparation
    passes: int
    seconds: float

    def value(self, field: FieldName) -> str | None:
        """The document's own best reading of ``field`` (combined over its passes)."""
        result = vote(field, [value for value in self.fields if value.field is field])
        return None if result is None else result.value


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


def _doubtful(fields: Sequence[FieldValue]) -> bool:
    """Whether a page deserves a second reading: nothing found, a bad code, or a doubtful character."""
    if not fields:
        return True
    for value in fields:
        if value.value is None:
            return True
        if min(value.char_confidences, default=value.confidence) < DOUBT_BELOW:
            return True
    return False


def read_certificate(image: ImageSource, source: str | None = None) -> CertificateReading:
    """Read one certificate image; raises :class:`UnreadableImage` if it cannot be decoded or has no text.

    The page is read at :data:`~api.intake.preprocess.TARGET_LONG_SIDE`; if any field is doubtful it
    is read again at :data:`SECOND_READING_LONG_SIDE`, where tesseract's errors fall on other
    characters, and the fields keep the readings of both passes for :mod:`api.intake.consensus`.
    """
    name = source or _source_name(image, 0)
    started = time.perf_counter()
    decoded = load_image(image, name)
    prepared, preparation = prepare(decoded)
    low, high = cast(tuple[int, int], prepared.getextrema())  # mode L: (darkest, lightest)
    lines = read_lines(prepared, name) if high - low >= _MIN_CONTRAST else []
    if not any(word.confidence >= _TEXT_CONFIDENCE for line in lines for word in line.words):
        raise UnreadableImage(name, "no text found")
    fields = parse_fields(lines)
    passes = 1
    if _doubtful(fields):
        again, _ = prepare(decoded, SECOND_READING_LONG_SIDE)
        fields += parse_fields(read_lines(again, name))
        passes = 2
    reading = CertificateReading(
        source=name,
        kind=document_kind(lines),
        fields=tuple(fields),
        preparation=preparation,
        passes=passes,
        seconds=time.perf_counter() - started,
    )
    log.info(
        "certificate_read",
        source=name,
        kind=reading.kind.value,
        fields=sorted({value.field.value for value in reading.fields if value.value is not None}),
        skew=preparation.skew_degrees,
        scale=round(preparation.scale, 2),
        noise=preparation.noise_level,
        passes=passes,
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
    sourced = [
        (reading.source, value) for reading in readings for value in reading.fields if value.field is field
    ]
    values = [value for _, value in sourced]
    result = vote(field, values)
    if result is None:
        code = _ambiguous_code(values) if field is FieldName.CREDIT_CODE else None
        if code is None:
            return None
        sources = tuple(dict.fromkeys(source for source, _ in sourced))
        confidence = min(value.confidence for value in values)
        return code, FieldEvidence(confidence=confidence, sources=sources, agreement=1.0, corrected=True)
    supporting = [sourced[index] for index in result.supporters]
    evidence = FieldEvidence(
        confidence=result.confidence,
        sources=tuple(dict.fromkeys(source for source, _ in supporting)),
        agreement=result.agreement,
        corrected=bool(supporting) and all(value.corrected for _, value in supporting),
        doubtful_characters=result.doubtful,
    )
    return result.value, evidence


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
