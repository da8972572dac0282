"""Read an institution's *first key information* from its certificate images.

The entry point of flow 1's OCR step: :func:`extract_key_information` takes the uploaded images
(registration certificate, legal-person identification page, account-opening permit, in any order),
reads each one (:func:`read_certificate`: decode, PP-OCRv4 with orientation handled, key information
from the boxes' geometry) and merges them (:func:`merge_readings`). Most fields are printed on more
than one certificate; the merge keeps, per character, the reading the recogniser was surest of, and
marks in doubt what no document read with confidence or what two documents read differently with
confidence. A credit code is never voted on: every reading of one already passed every structural
check, and two different valid codes are a conflict for a human, not a majority to follow.
"""

from __future__ import annotations

import io
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import structlog
from PIL import Image, ImageOps, UnidentifiedImageError

from api.intake.engine import PageText, read_page
from api.intake.errors import NoKeyInformation, UnreadableImage
from api.intake.institution import INSTITUTION_CERTIFICATES, DocumentKind, document_kind
from api.intake.key_info import FieldEvidence, FieldName, KeyInformation, SourceBox
from api.intake.kie import DOUBT_BELOW, FieldReading, extract, glyph_in_doubt

log = structlog.get_logger(__name__)

ImageSource = Path | bytes | Image.Image
"""An image as a file, as the uploaded bytes, or already decoded."""

MIN_SIDE = 64
"""Images smaller than this on either side cannot hold a legible certificate."""
_MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CertificateReading:
    """What one image yielded: the certificate it shows and the fields read from it."""

    source: str
    kind: DocumentKind
    fields: dict[FieldName, FieldReading]
    page: PageText
    seconds: float

    def value(self, field: FieldName) -> str | None:
        """The document's own reading of ``field``."""
        reading = self.fields.get(field)
        return None if reading is None else reading.value


def _source_name(image: ImageSource, index: int) -> str:
    return image.name if isinstance(image, Path) else f"image-{index + 1}"


def load_image(image: ImageSource, source: str) -> Image.Image:
    """Decode ``image`` fully (EXIF orientation applied), or raise :class:`UnreadableImage` saying why."""
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
    return ImageOps.exif_transpose(decoded).convert("RGB")


def _page_kind(page: PageText) -> DocumentKind:
    text = "".join(box.text for box in page.boxes).replace(" ", "")
    return document_kind(text)


def _read_fields(page: PageText) -> dict[FieldName, FieldReading]:
    return {FieldName(name): reading for name, reading in extract(page, INSTITUTION_CERTIFICATES).items()}


def read_certificate(image: ImageSource, source: str | None = None) -> CertificateReading:
    """Read one certificate image; raises :class:`UnreadableImage` if it cannot be decoded or has no text.

    The page is made upright by the engine (quarter turns from the boxes' shape, 180 degrees by the
    direction classifier). As a whole-page check, a page that yields no field at all is read again
    in the other orientations and the orientation that yields the most fields is kept.
    """
    name = source or _source_name(image, 0)
    started = time.perf_counter()
    decoded = load_image(image, name)
    page = read_page(decoded)
    if not page.boxes:
        raise UnreadableImage(name, "no text found")
    fields = _read_fields(page)
    if not fields:
        for turns in (2, 1, 3):
            if turns == page.quarter_turns:
                continue
            other = read_page(decoded, quarter_turns=(page.quarter_turns + turns) % 4)
            other_fields = _read_fields(other)
            if len(other_fields) > len(fields):
                page, fields = other, other_fields
                break
    reading = CertificateReading(
        source=name, kind=_page_kind(page), fields=fields, page=page, seconds=time.perf_counter() - started
    )
    log.info(
        "certificate_read",
        source=name,
        kind=reading.kind.value,
        fields=sorted(field.value for field in fields),
        quarter_turns=page.quarter_turns,
        skew=page.skew_degrees,
        seconds=round(reading.seconds, 3),
    )
    return reading


def _boxes(reading: CertificateReading, field_reading: FieldReading) -> list[SourceBox]:
    return [
        SourceBox(document=reading.source, quad=reading.page.boxes[index].quad)
        for index in field_reading.boxes
    ]


def _merge_code(sourced: list[tuple[CertificateReading, FieldReading]]) -> tuple[str, FieldEvidence]:
    by_code: dict[str, list[tuple[CertificateReading, FieldReading]]] = defaultdict(list)
    for reading, value in sourced:
        by_code[value.value].append((reading, value))
    # The surest reading of any code wins; a second valid code read elsewhere is a conflict.
    code = max(by_code, key=lambda candidate: max(value.confidence for _, value in by_code[candidate]))
    support = by_code[code]
    best = max(support, key=lambda item: item[1].confidence)[1]
    doubtful = set(best.doubtful) if all(value.doubtful for _, value in support) else set()
    for other in by_code:
        if other != code:
            doubtful |= {i for i, (a, b) in enumerate(zip(code, other, strict=True)) if a != b}
    evidence = FieldEvidence(
        confidence=best.confidence,
        sources=tuple(dict.fromkeys(reading.source for reading, _ in support)),
        agreement=round(len(support) / len(sourced), 3),
        doubtful_characters=tuple(sorted(doubtful)),
        boxes=tuple(box for reading, value in support for box in _boxes(reading, value)),
        conflict=len(by_code) > 1,
    )
    return code, evidence


def _merge_text(sourced: list[tuple[CertificateReading, FieldReading]]) -> tuple[str, FieldEvidence]:
    """Per character, the reading the recogniser was surest of, among readings of the likeliest length."""
    lengths: dict[int, float] = defaultdict(float)
    for _, value in sourced:
        lengths[len(value.value)] += value.plausibility * (0.5 + value.confidence)
    length = max(lengths, key=lambda size: lengths[size])
    same = [(reading, value) for reading, value in sourced if len(value.value) == length]
    chars: list[str] = []
    doubtful: list[int] = []
    conflict = any(
        len(value.value) != length and value.confidence >= DOUBT_BELOW and value.plausibility >= 1.0
        for _, value in sourced
    )
    for position in range(length):
        votes: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        for _, value in same:
            glyph = value.glyphs[position].glyph
            votes[value.value[position]].append((glyph.score, glyph_in_doubt(glyph)))
        chosen = max(votes, key=lambda char: (sum(score for score, _ in votes[char]), max(votes[char])))
        chars.append(chosen)
        sure = any(not in_doubt for _, in_doubt in votes[chosen])
        contested = any(
            char != chosen and any(not in_doubt for _, in_doubt in entries) for char, entries in votes.items()
        )
        if not sure or contested:
            doubtful.append(position)
        conflict = conflict or contested
    value_text = "".join(chars)
    support = [(reading, value) for reading, value in same if value.value == value_text] or same
    best = max(support, key=lambda item: item[1].confidence)
    evidence = FieldEvidence(
        confidence=min(value.confidence for _, value in support) if support else 0.0,
        sources=tuple(dict.fromkeys(reading.source for reading, _ in support)),
        agreement=round(sum(value.value == value_text for _, value in sourced) / len(sourced), 3),
        doubtful_characters=tuple(doubtful),
        boxes=tuple(_boxes(*best))
        + tuple(box for item in support if item is not best for box in _boxes(*item)),
        conflict=conflict,
    )
    return value_text, evidence


def merge_readings(readings: Sequence[CertificateReading]) -> KeyInformation:
    """Combine the fields of several certificates into one :class:`KeyInformation`."""
    values: dict[str, str] = {}
    evidence: dict[FieldName, FieldEvidence] = {}
    for field in FieldName:
        sourced = [(reading, reading.fields[field]) for reading in readings if field in reading.fields]
        if not sourced:
            continue
        merged = _merge_code(sourced) if field is FieldName.CREDIT_CODE else _merge_text(sourced)
        values[field.value], evidence[field] = merged
    return KeyInformation.model_validate(
        {**values, "evidence": evidence, "documents": {reading.source: reading.kind for reading in readings}}
    )


def read_certificates(images: Sequence[ImageSource]) -> list[CertificateReading]:
    """Read every image (in order); raises :class:`UnreadableImage` for the first that cannot be read."""
    sources = [_source_name(image, index) for index, image in enumerate(images)]
    return [read_certificate(image, source) for image, source in zip(images, sources, strict=True)]


def extract_key_information(images: Sequence[ImageSource]) -> KeyInformation:
    """The first key information from an institution's certificate images.

    Raises :class:`UnreadableImage` for the first image that cannot be read, and
    :class:`NoKeyInformation` when none of them shows a field.
    """
    readings = read_certificates(images)
    if not any(reading.fields for reading in readings):
        raise NoKeyInformation([reading.source for reading in readings])
    return merge_readings(readings)


def crop_source(image: ImageSource, box: SourceBox, margin: float = 0.25) -> Image.Image:
    """The printed field a :class:`SourceBox` points at, cut out of ``image`` and straightened.

    ``margin`` widens the box by that share of its height on every side, so the reviewer sees the
    characters whole. What a bank officer looks at beside the registry's value.
    """
    decoded = load_image(image, box.document)
    quad = np.array(box.quad, dtype=np.float32)
    width = float(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[3] - quad[2])))
    height = float(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    pad = margin * height
    target = np.array(
        [[pad, pad], [pad + width, pad], [pad + width, pad + height], [pad, pad + height]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(quad, target)
    size = (max(1, round(width + 2 * pad)), max(1, round(height + 2 * pad)))
    warped = cv2.warpPerspective(
        np.asarray(decoded), matrix, size, borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255)
    )
    return Image.fromarray(warped)
