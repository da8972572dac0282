"""api/aid/schemas.py: the aid documents read by the intake's OCR engine, normalised, and unreadable ones refused.

The scene 2 flow reads the stacked ID card, the fiscal-grid invoice and the letterhead certificate; these tests
read the other layouts once each (the benchmark reads every layout, font and scan).
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from api.aid.errors import DocumentUnreadable
from api.aid.key_info import DocumentKind, expected_readings
from api.aid.reading import DocumentReader
from api.aid.schemas import fen_of, iso_date
from oracle.aid.documents import Font, Layout, Style, document_bytes, render_document
from oracle.aid.population import Forgery
from tests.aid_cases import case_of


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("40,606.92", 4_060_692),
        ("40.606.92", 4_060_692),
        ("40606.92", 4_060_692),
        ("4060692", 4_060_692),
        ("1,234", 123_400),
        ("0.50", 50),
        ("12，345。60", 1_234_560),
    ],
)
def test_amounts_in_figures_are_read_as_fen(text: str, fen: int) -> None:
    assert fen_of(text) == fen


@pytest.mark.parametrize("text", ["", "12,34,56.7", "1..2", "abc", "12.3.4"])
def test_malformed_figures_are_unreadable(text: str) -> None:
    assert fen_of(text) is None


def test_dates_are_normalised_or_refused() -> None:
    assert iso_date("2026年4月3日") == "2026-04-03"
    assert iso_date("2026 年  4 月 3 日") == "2026-04-03"
    assert iso_date("2026.01.09") == "2026-01-09"
    assert iso_date("2026-02-30") is None
    assert iso_date("长期") is None


@pytest.mark.parametrize(
    ("kind", "style"),
    [
        (DocumentKind.ID_CARD, Style(Layout.CARD_SIDE_BY_SIDE, Font.UMING)),
        (DocumentKind.INVOICE, Style(Layout.INVOICE_RECEIPT, Font.NOTO_SERIF)),
        (DocumentKind.DIAGNOSIS, Style(Layout.DIAGNOSIS_SENTENCE, Font.UKAI)),
    ],
    ids=lambda value: value.value if isinstance(value, DocumentKind) else value.layout.value,
)
def test_every_key_field_is_read_from_another_layout(
    aid_reader: DocumentReader, kind: DocumentKind, style: Style
) -> None:
    case, _ = case_of(Forgery.NONE, seed=5)
    image = document_bytes(render_document(case, kind, style, seed=3))
    reading = aid_reader.read(kind, image)
    truth = expected_readings(
        case.id_card, case.invoice, case.diagnosis, {k: b"\x00" * 32 for k in DocumentKind}
    )
    expected = truth.reading(kind)
    keys = {
        DocumentKind.ID_CARD: (
            "name",
            "id_number",
            "address",
            "issuing_authority",
            "valid_from",
            "valid_until",
        ),
        DocumentKind.INVOICE: (
            "hospital",
            "code",
            "number",
            "payer_name",
            "issued_on",
            "total_figures",
            "total_words",
        ),
        DocumentKind.DIAGNOSIS: (
            "hospital",
            "patient_name",
            "patient_id_number",
            "diagnosed_on",
            "diagnosis",
        ),
    }[kind]
    assert {name: reading.value(name) for name in keys} == {name: expected.value(name) for name in keys}
    assert reading.digest.startswith("0x")
    assert aid_reader.read(kind, image) is reading  # read once, remembered by digest


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not an image", "not an image"),
        (_png(Image.new("RGB", (20, 20), "white")), "too small"),
        (_png(Image.new("RGB", (900, 600), "white")), "no text"),
    ],
    ids=["empty", "not an image", "tiny", "blank"],
)
def test_an_unreadable_document_is_refused_with_the_reason(
    aid_reader: DocumentReader, content: bytes, reason: str
) -> None:
    with pytest.raises(DocumentUnreadable, match=reason):
        aid_reader.read(DocumentKind.INVOICE, content)
