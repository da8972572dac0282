"""api/intake/ocr.py and api/intake/engine.py: key information read by the real PP-OCRv4 engine from
rendered certificates, in every layout and every orientation.

The engine loads once per process (:func:`api.intake.engine.get_engine`); each test renders only the
few pages it needs. Longer sweeps are the benchmark's (``python -m bench ocr``).
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from api.intake.engine import read_page
from api.intake.errors import NoKeyInformation, UnreadableImage
from api.intake.key_info import DocumentKind, FieldName, normalize_text
from api.intake.ocr import crop_source, extract_key_information, read_certificate
from oracle.registry.certificates import (
    CertificateFont,
    CertificateKind,
    CertificateStyle,
    Degradation,
    Layout,
    encode,
    missing_fonts,
    render_certificate,
)
from oracle.registry.dataset import generate_registry
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord

pytestmark = pytest.mark.skipif(bool(missing_fonts()), reason="needs the CJK fonts scripts/setup installs")

RECORDS = generate_registry(60)
_FONTS = {
    Layout.TWO_COLUMN: CertificateFont.AR_PL_UKAI,
    Layout.TABLE_GRID: CertificateFont.NOTO_SERIF_CJK,
    Layout.SENTENCE: CertificateFont.AR_PL_UMING,
    Layout.LANDSCAPE: CertificateFont.WQY_MICROHEI,
}
_RECORDS = {
    Layout.TWO_COLUMN: next(r for r in RECORDS if r.org_type is OrgType.FOUNDATION),
    Layout.TABLE_GRID: next(r for r in RECORDS if r.org_type is OrgType.SOCIAL_ORGANIZATION),
    Layout.SENTENCE: next(r for r in RECORDS if r.org_type is OrgType.HOSPITAL),
    Layout.LANDSCAPE: next(r for r in RECORDS if r.org_type is OrgType.ENTERPRISE),
}


def _truth(record: RegistryRecord) -> dict[FieldName, str]:
    return {field: normalize_text(getattr(record, field.value)) for field in FieldName}


def _documents(
    record: RegistryRecord, style: CertificateStyle, degradations: tuple[Degradation, ...] = ()
) -> list[bytes]:
    return [
        encode(render_certificate(record, kind, style, degradations, seed=1), degradations)
        for kind in CertificateKind
    ]


@pytest.mark.parametrize("layout", list(Layout))
def test_every_layout_yields_every_key_field(layout: Layout) -> None:
    record = _RECORDS[layout]
    documents = _documents(record, CertificateStyle(layout, _FONTS[layout], wording_seed=5))
    info = extract_key_information(documents)
    assert {field: info.value(field) for field in FieldName} == _truth(record)
    assert set(info.documents.values()) == set(DocumentKind) - {DocumentKind.UNKNOWN}
    for field in FieldName:
        evidence = info.evidence[field]
        assert evidence.boxes, field
        assert all(len(box.quad) == 4 for box in evidence.boxes)


@pytest.mark.parametrize(
    "turn",
    [
        (Degradation.ROTATE_90, Degradation.SKEW),
        (Degradation.ROTATE_180,),
        (Degradation.ROTATE_270, Degradation.PERSPECTIVE),
    ],
)
def test_every_rotation_yields_every_key_field(turn: tuple[Degradation, ...]) -> None:
    record = next(
        r
        for r in RECORDS
        if r.org_type is OrgType.GOVERNMENT_AGENCY and r.status is RegistrationStatus.ACTIVE
    )
    style = CertificateStyle(Layout.TWO_COLUMN, CertificateFont.NOTO_SANS_CJK, wording_seed=2)
    kinds = (CertificateKind.REGISTRATION, CertificateKind.ACCOUNT_PERMIT)  # together they print all five
    readings = [
        read_certificate(encode(render_certificate(record, kind, style, turn, seed=3), turn), kind.value)
        for kind in kinds
    ]
    expected_turns = {Degradation.ROTATE_90: 3, Degradation.ROTATE_180: 2, Degradation.ROTATE_270: 1}[turn[0]]
    assert all(reading.page.quarter_turns == expected_turns for reading in readings)
    read = {field: reading.value(field) for reading in readings for field in reading.fields}
    assert read == _truth(record)


def test_the_crop_of_a_field_shows_what_was_printed() -> None:
    record = _RECORDS[Layout.TABLE_GRID]
    style = CertificateStyle(Layout.TABLE_GRID, CertificateFont.WQY_ZENHEI, wording_seed=1)
    permit = encode(
        render_certificate(record, CertificateKind.ACCOUNT_PERMIT, style, (Degradation.ROTATE_90,))
    )
    reading = read_certificate(permit, "permit.png")
    boxes = [reading.page.boxes[index] for index in reading.fields[FieldName.ACCOUNT_BANK].boxes]
    from api.intake.key_info import SourceBox

    crop = crop_source(permit, SourceBox(document="permit.png", quad=boxes[0].quad))
    assert crop.width > 3 * crop.height  # one upright line of text, although the upload lay on its side
    assert record.account_bank in "".join(box.text for box in read_page(crop).boxes)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"not an image at all", "decode"),
        (_png(Image.new("RGB", (40, 40), "white")), "too small"),
        (_png(Image.new("RGB", (800, 600), "white")), "no text"),
    ],
)
def test_unreadable_uploads_are_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableImage, match=reason):
        read_certificate(data, "upload.png")


def test_a_page_without_any_certificate_field_has_no_key_information() -> None:
    image = Image.new("RGB", (900, 400), "white")
    font = ImageFont.truetype(str(CertificateFont.WQY_ZENHEI.path), 40)
    ImageDraw.Draw(image).text((60, 150), "今天天气很好，我们去公园散步。", font=font, fill="black")
    with pytest.raises(NoKeyInformation):
        extract_key_information([_png(image)])
