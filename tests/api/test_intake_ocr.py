"""OCR intake: the first key information read from rendered certificates with the real tesseract."""

from __future__ import annotations

import io
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from api.intake.errors import NoKeyInformation, UnreadableImage
from api.intake.fields import parse_fields
from api.intake.key_info import DocumentKind, FieldName, normalize_text, read_credit_code
from api.intake.ocr import extract_key_information, read_certificate
from api.intake.tesseract import Line, Word
from oracle.registry.certificates import FONT_PATH, CertificateKind, Distortion, render_certificate
from oracle.registry.credit_code import ALPHABET, INSTITUTION_CATEGORIES, compose
from oracle.registry.dataset import generate_registry
from oracle.registry.records import RegistryRecord

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None or not FONT_PATH.exists(),
    reason="needs Debian packages tesseract-ocr, tesseract-ocr-chi-sim and fonts-wqy-zenhei",
)


@pytest.fixture(scope="module")
def registry() -> list[RegistryRecord]:
    return generate_registry(40)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _certificates(record: RegistryRecord, distortion: Distortion, seed: int = 0) -> list[bytes]:
    return [_png(render_certificate(record, kind, distortion, seed)) for kind in CertificateKind]


def _expected(record: RegistryRecord) -> dict[FieldName, str]:
    return {field: normalize_text(getattr(record, field.value)) for field in FieldName}


@needs_tesseract
@pytest.mark.parametrize("index", [3, 4, 12])
def test_clean_certificates_give_the_registry_fields(registry: list[RegistryRecord], index: int) -> None:
    record = registry[index]
    info = extract_key_information(_certificates(record, Distortion.CLEAN))
    assert {field: info.value(field) for field in FieldName} == _expected(record)
    assert info.missing == []
    assert set(info.documents.values()) == {
        DocumentKind.REGISTRATION,
        DocumentKind.LEGAL_PERSON,
        DocumentKind.ACCOUNT_PERMIT,
    }
    name = info.evidence[FieldName.NAME]
    assert name.agreement > 0.5  # printed on all three certificates: a majority read it the same
    assert len(name.sources) >= 2


@needs_tesseract
@pytest.mark.parametrize("distortion", [Distortion.NOISY, Distortion.ROTATED, Distortion.LOW_RES])
def test_degraded_certificates_give_the_registry_fields(
    registry: list[RegistryRecord], distortion: Distortion
) -> None:
    record = registry[5]
    info = extract_key_information(_certificates(record, distortion, seed=1))
    assert {field: info.value(field) for field in FieldName} == _expected(record)


@needs_tesseract
def test_one_certificate_is_read_and_recognised(registry: list[RegistryRecord]) -> None:
    record = registry[8]
    reading = read_certificate(_png(render_certificate(record, CertificateKind.ACCOUNT_PERMIT)), "permit.png")
    assert reading.kind is DocumentKind.ACCOUNT_PERMIT
    assert reading.value(FieldName.ACCOUNT_BANK) == record.account_bank
    assert reading.value(FieldName.ACCOUNT_LOCATION) == record.account_location
    assert reading.value(FieldName.CREDIT_CODE) is None  # the permit does not print it
    assert reading.seconds > 0


@needs_tesseract
def test_the_permit_alone_leaves_the_credit_code_missing(registry: list[RegistryRecord]) -> None:
    record = registry[8]
    info = extract_key_information([_png(render_certificate(record, CertificateKind.ACCOUNT_PERMIT))])
    assert info.missing == [FieldName.CREDIT_CODE]
    assert info.name == record.name


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"certainly not an image", "not an image format"),
        (_png(Image.new("RGB", (40, 30), "white")), "too small"),
        (_png(Image.new("RGB", (400, 300), "white"))[:60], "damaged"),
    ],
)
def test_an_undecodable_image_is_unreadable(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableImage, match=reason) as raised:
        extract_key_information([data])
    assert raised.value.source == "image-1"


@needs_tesseract
def test_a_blank_page_is_unreadable() -> None:
    with pytest.raises(UnreadableImage, match="no text found"):
        read_certificate(_png(Image.new("RGB", (1240, 877), (250, 248, 240))), "blank.png")


@needs_tesseract
def test_a_page_without_certificate_fields_has_no_key_information() -> None:
    page = Image.new("RGB", (1240, 877), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT_PATH), 40)
    draw.text((100, 300), "今天天气很好，我们去公园散步。", font=font, fill="black")
    with pytest.raises(NoKeyInformation, match="image-1"):
        extract_key_information([_png(page)])


class TestCreditCodeReading:
    @given(
        st.sampled_from(sorted(INSTITUTION_CATEGORIES)), st.text(alphabet=ALPHABET, min_size=8, max_size=8)
    )
    def test_letters_the_alphabet_forbids_are_read_as_their_digits(self, authority: str, body: str) -> None:
        category = sorted(INSTITUTION_CATEGORIES[authority])[0]
        code = compose(authority, category, "110105", body)
        misread = code.translate(str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S"}))
        reading = read_credit_code(misread)
        assert reading.code == code
        assert reading.corrected == (misread != code)

    def test_full_width_lower_case_and_spaces_are_normalised(self) -> None:
        assert read_credit_code("９１４４ ０３００ ７０８４ ６１１３ ６ｔ").code == "91440300708461136T"

    def test_a_confusable_misreading_is_repaired_by_the_check(self) -> None:
        reading = read_credit_code("91440300708461136I".replace("I", "7"))  # T read as 7
        assert reading.code == "91440300708461136T"
        assert reading.corrected

    def test_an_extra_character_is_dropped_when_only_one_choice_is_valid(self) -> None:
        assert read_credit_code("914403007084611366T").code == "91440300708461136T"

    def test_an_unrepairable_reading_gives_no_code(self) -> None:
        reading = read_credit_code("91440300708461136")
        assert reading.code is None
        assert reading.candidates == ()

    def test_normalize_text_removes_spaces_inside_chinese_names(self) -> None:
        assert normalize_text("杜 雪") == "杜雪"
        assert normalize_text("某某（北京）有限公司") == "某某(北京)有限公司"


def _line(*words: tuple[str, int, int]) -> Line:
    """A line of (text, left, right) words, 30 px tall, confidence 90."""
    return Line(tuple(Word(text, left, 100, right - left, 30, 90.0) for text, left, right in words))


class TestFieldParsing:
    def test_labels_separators_and_stray_marks_are_handled(self) -> None:
        fields = parse_fields(
            [
                _line(("统一社会信用代码", 0, 240), (":", 245, 250), ("9I44O3OO7O846II36T", 300, 560)),
                _line(
                    ("名称", 0, 60),
                    ("：", 65, 70),
                    ("，", 200, 205),
                    (".深圳市", 300, 390),
                    ("春晖基金会", 390, 540),
                ),
                _line(("户银行", 0, 90), ("招商银行深圳南山支行", 300, 600), ("|", 1100, 1105)),
                _line(("法定代表人(单位负责人):", 0, 380), ("李", 400, 430), ("明", 432, 462)),
            ]
        )
        values = {value.field: value.value for value in fields}
        assert values == {
            FieldName.CREDIT_CODE: "91440300708461136T",
            FieldName.NAME: "深圳市春晖基金会",
            FieldName.ACCOUNT_BANK: "招商银行深圳南山支行",
            FieldName.LEGAL_REPRESENTATIVE: "李明",
        }

    def test_a_garbled_label_is_recognised_by_its_value(self) -> None:
        fields = parse_fields([_line(("2局根1", 0, 120), ("中国农业银行郑州长江支行", 300, 660))])
        assert [(value.field, value.value) for value in fields] == [
            (FieldName.ACCOUNT_BANK, "中国农业银行郑州长江支行")
        ]

    def test_titles_and_other_labels_give_nothing(self) -> None:
        fields = parse_fields(
            [
                _line(("法定代表人身份证明书", 300, 800)),
                _line(("住所", 0, 60), ("北京市海淀区学院路1号", 300, 640)),
                _line(("账号", 0, 60), ("0172 5464 6021 5257", 300, 640)),
            ]
        )
        assert fields == []
