"""The aid documents as document kinds of the intake's key-information extractor, and the OCR reader.

The engine and the extractor are the ones institution onboarding uses (:mod:`api.intake.engine`, PP-OCRv4;
:mod:`api.intake.kie`, label boxes linked to value boxes by geometry); a document kind is a label lexicon and
a validator per field. Three kinds here, with the labels the Chinese originals print:

- the resident identity card, both sides (姓名, 性别, 民族, 出生, 住址, 公民身份号码; 签发机关, 有效期限);
- the medical invoice (票据代码, 票据号码, 交款人, 交款人统一社会信用代码 (a person's is their ID number), 开票日期,
  金额合计（大写）/（小写）, 收款单位（章）, or a receipt's header naming the hospital);
- the diagnosis certificate (the hospital's letterhead, 姓名, 身份证号, 科别, 就诊日期, 诊断; or one sentence:
  兹证明患者……于……在我院……就诊，经检查诊断为：……).

Values are normalised as :mod:`api.aid.key_info` says (ISO dates, amounts in 分), and every character keeps the
extractor's doubt mark: a normalised value built from a doubted glyph is marked doubtful where it came from
(a date or an amount: entirely).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import cast

import structlog

from api.aid.errors import DocumentUnreadable
from api.aid.key_info import (
    DiagnosisField,
    DocumentKind,
    DocumentReading,
    FieldValue,
    IdCardField,
    InvoiceField,
)
from api.aid.reading import ReadingCache
from api.documents.store import document_digest
from api.intake.engine import PageText, read_page
from api.intake.errors import UnreadableImage
from api.intake.institution import clean_person, person_plausibility
from api.intake.kie import DocumentSchema, FieldReading, FieldSpec, SentenceRule, Value, extract, is_cjk
from api.intake.ocr import load_image
from oracle.aid import resident_id
from oracle.registry.vocabulary import REGIONS

log = structlog.get_logger(__name__)

_DIGITS = "0123456789"


# -- validators -------------------------------------------------------------------------------------------------


def _keep_cjk(value: Value) -> Value | None:
    kept = value.keep(lambda char: is_cjk(char) or char.isdigit() or char in "()（）")
    text = kept.text
    start = next((i for i, char in enumerate(text) if is_cjk(char)), len(text))
    end = max((i + 1 for i, char in enumerate(text) if is_cjk(char) or char in ")）"), default=start)
    kept = kept.slice(start, end)
    return kept if sum(is_cjk(char) for char in kept.text) >= 2 else None


_ID_NUMBER = re.compile(r"\d{17}[\dXx]")


def clean_id_number(value: Value) -> Value | None:
    """Seventeen digits and a digit or X (the check is the authenticity check's job, not the reader's)."""
    return value.keep(lambda char: char in _DIGITS or char in "Xx").search(_ID_NUMBER)


def find_valid_id_number(value: Value) -> Value | None:
    """An ID number anywhere on the page, accepted only when it passes GB 11643's check character."""
    found = clean_id_number(value)
    if found is None or found.text[17].upper() != resident_id.check_character(found.text[:17]):
        return None
    return found


def _digits(length: int) -> Callable[[Value], Value | None]:
    pattern = re.compile(rf"(?<!\d)\d{{{length}}}(?!\d)")

    def clean(value: Value) -> Value | None:
        return (
            value.keep(lambda char: char in _DIGITS or char == " ").keep(lambda c: c != " ").search(pattern)
        )

    return clean


_DATE_TEXT = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")


def clean_date(value: Value) -> Value | None:
    return value.search(_DATE_TEXT)


def clean_validity(value: Value) -> Value | None:
    kept = value.keep(lambda char: char in _DIGITS or char in ".-—－/年月日长期至")
    return kept if _DATE_TEXT.search(kept.text) else None


_HOSPITAL_ENDINGS = ("医院", "保健院", "卫生院", "卫生服务中心", "医疗中心", "诊所", "门诊部")
_HOSPITAL = re.compile(
    r"[\u4e00-\u9fff（）()]{2,30}?(?:医院|保健院|卫生院|卫生服务中心|医疗中心|诊所|门诊部)"
)


_STAMP_MARK = re.compile(r"^[^（(章]{0,4}[（(]?章[）)]")
"""The end of the label ``收款单位（章）`` (the seal's place) when it was read into the value's box: it is the
label's, never part of the name, and may follow a character or two of the label read poorly."""


def clean_hospital(value: Value) -> Value | None:
    kept = _keep_cjk(value)
    if kept is None:
        return None
    mark = _STAMP_MARK.match(kept.text)
    if mark is not None:
        kept = kept.slice(mark.end(), len(kept.glyphs))
    found = kept.search(_HOSPITAL)
    # Never trimmed to a place name: a character before it is part of what was printed, and the name is
    # checked against the registry exactly (a forger's extra character must not disappear here).
    return found if found is not None and len(found.text) >= 4 else None


_PLACES = tuple(
    sorted(
        {
            *resident_id.PROVINCES.values(),
            *(region.city_name for region in REGIONS),
            *(region.province for region in REGIONS),
        },
        key=len,
        reverse=True,
    )
)


def hospital_plausibility(text: str) -> float:
    """A hospital's name ends in 医院 or the like and, as a rule, starts with its province or city."""
    if not text.endswith(_HOSPITAL_ENDINGS):
        return 0.5
    return 1.0 if text.startswith(_PLACES) else 0.8


def clean_text(value: Value) -> Value | None:
    return _keep_cjk(value)


def clean_address(value: Value) -> Value | None:
    kept = value.keep(lambda char: is_cjk(char) or char.isdigit() or char in "-—()（）")
    return kept if sum(is_cjk(char) for char in kept.text) >= 4 else None


_WORDS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正"


def clean_words(value: Value) -> Value | None:
    kept = value.keep(lambda char: char in _WORDS)
    return kept if len(kept.text) >= 2 and any(unit in kept.text for unit in "元圆角分") else None


_MONEY = re.compile(r"\d[\d,.，。]*\d|\d")


def clean_money(value: Value) -> Value | None:
    kept = value.keep(lambda char: char in _DIGITS or char in ",.，。")
    return kept.search(_MONEY)


def clean_sex(value: Value) -> Value | None:
    return (
        value.keep(lambda char: char in "男女").slice(0, 1) if any(c in "男女" for c in value.text) else None
    )


def clean_ethnicity(value: Value) -> Value | None:
    kept = value.keep(is_cjk)
    if not kept.glyphs:
        return None
    return kept.slice(0, min(len(kept.text), 5))


_AFTER_DIAGNOSIS = re.compile(r"建议|处理意见|医嘱|特此证明")
"""What follows a diagnosis when the full stop between them was not read."""


def clean_diagnosis(value: Value) -> Value | None:
    stop = _AFTER_DIAGNOSIS.search(value.text)
    if stop is not None:
        value = value.slice(0, stop.start())
    kept = value.keep(lambda char: is_cjk(char) or char.isalnum() or char in "()（）-")
    return kept if sum(is_cjk(char) for char in kept.text) >= 2 else None


def _from_place(kept: Value) -> Value:
    """A name that must start with a place, with a stray character or two read before the place dropped
    (a seal's stroke, the end of a label in the same box)."""
    text = kept.text
    for start in range(0, min(3, len(text))):
        if text[start:].startswith(_PLACES):
            return kept.slice(start, len(kept.glyphs)) if start else kept
    return kept


def clean_authority(value: Value) -> Value | None:
    kept = _keep_cjk(value)
    if kept is None:
        return None
    kept = _from_place(kept)
    return kept if len(kept.text) >= 4 else None


def authority_plausibility(text: str) -> float:
    return 1.0 if text.startswith(_PLACES) and text.endswith(("局", "分局", "派出所")) else 0.7


def clean_department(value: Value) -> Value | None:
    kept = value.keep(is_cjk)
    return kept.search(re.compile(r"[\u4e00-\u9fff]{1,8}?科"))


# -- the three schemas ------------------------------------------------------------------------------------------

ID_CARD = DocumentSchema(
    name="resident_identity_card",
    fields=(
        FieldSpec(
            IdCardField.NAME.value, labels=("姓名",), clean=clean_person, plausibility=person_plausibility
        ),
        FieldSpec(IdCardField.SEX.value, labels=("性别",), clean=clean_sex),
        FieldSpec(IdCardField.ETHNICITY.value, labels=("民族",), clean=clean_ethnicity),
        FieldSpec(IdCardField.BIRTH_DATE.value, labels=("出生", "出生日期"), clean=clean_date),
        FieldSpec(IdCardField.ADDRESS.value, labels=("住址",), clean=clean_address, multiline=True),
        FieldSpec(
            IdCardField.ID_NUMBER.value,
            labels=("公民身份号码", "身份证号码", "身份号码"),
            clean=clean_id_number,
            anywhere=find_valid_id_number,
        ),
        FieldSpec(
            IdCardField.ISSUING_AUTHORITY.value,
            labels=("签发机关",),
            clean=clean_authority,
            plausibility=authority_plausibility,
        ),
        FieldSpec("validity", labels=("有效期限", "有效期"), clean=clean_validity),
    ),
    titles=("中华人民共和国", "居民身份证"),
)

INVOICE = DocumentSchema(
    name="medical_invoice",
    fields=(
        FieldSpec(
            InvoiceField.HOSPITAL.value,
            labels=("收款单位", "开票单位", "医疗机构"),
            clean=clean_hospital,
            plausibility=hospital_plausibility,
        ),
        FieldSpec(InvoiceField.CODE.value, labels=("票据代码",), clean=_digits(8)),
        FieldSpec(InvoiceField.NUMBER.value, labels=("票据号码",), clean=_digits(10)),
        FieldSpec(
            InvoiceField.PAYER_NAME.value,
            labels=("交款人", "缴款人", "患者姓名"),
            clean=clean_person,
            plausibility=person_plausibility,
        ),
        FieldSpec(
            InvoiceField.PAYER_ID_NUMBER.value,
            labels=("交款人统一社会信用代码", "身份证号", "证件号码"),
            clean=clean_id_number,
            anywhere=find_valid_id_number,
        ),
        FieldSpec(InvoiceField.ISSUED_ON.value, labels=("开票日期", "收费日期"), clean=clean_date),
        FieldSpec(
            InvoiceField.TOTAL_FIGURES.value,
            labels=("金额合计(小写)", "合计(小写)", "合计金额", "小写"),
            clean=clean_money,
        ),
        FieldSpec(
            InvoiceField.TOTAL_WORDS.value,
            labels=("金额合计(大写)", "合计(大写)", "人民币(大写)", "大写"),
            clean=clean_words,
        ),
    ),
    other_labels=("项目名称", "项目", "金额(元)", "收款人", "复核人"),
    sentences=(SentenceRule(InvoiceField.HOSPITAL.value, re.compile(rf"^(?P<value>{_HOSPITAL.pattern})")),),
    titles=("医疗住院收费票据", "医疗门诊收费票据", "收费票据", "收费收据"),
)

DIAGNOSIS = DocumentSchema(
    name="diagnosis_certificate",
    fields=(
        FieldSpec(
            DiagnosisField.HOSPITAL.value,
            labels=("医疗机构", "就诊医院"),
            clean=clean_hospital,
            plausibility=hospital_plausibility,
        ),
        FieldSpec(
            DiagnosisField.PATIENT_NAME.value,
            labels=("姓名", "患者姓名"),
            clean=clean_person,
            plausibility=person_plausibility,
        ),
        FieldSpec(
            DiagnosisField.PATIENT_ID_NUMBER.value,
            labels=("身份证号", "公民身份号码"),
            clean=clean_id_number,
            anywhere=find_valid_id_number,
        ),
        FieldSpec(DiagnosisField.DIAGNOSED_ON.value, labels=("就诊日期", "诊断日期"), clean=clean_date),
        FieldSpec(
            DiagnosisField.DIAGNOSIS.value, labels=("诊断", "临床诊断", "诊断结果"), clean=clean_diagnosis
        ),
        FieldSpec(DiagnosisField.DEPARTMENT.value, labels=("科别", "科室"), clean=clean_department),
    ),
    other_labels=(
        "性别",
        "年龄",
        "病历号",
        "住院/门诊号",
        "门诊号",
        "住院号",
        "处理意见",
        "医嘱",
        "医师",
        "主治医师",
        "日期",
    ),
    sentences=(
        SentenceRule(DiagnosisField.HOSPITAL.value, re.compile(rf"^(?P<value>{_HOSPITAL.pattern})")),
        SentenceRule(
            DiagnosisField.PATIENT_NAME.value, re.compile(r"患者(?P<value>[\u4e00-\u9fff·]{2,8}?)[,，]")
        ),
        SentenceRule(
            DiagnosisField.PATIENT_ID_NUMBER.value,
            re.compile(r"身份证号(?:码)?[:：]?(?P<value>\d{17}[\dXx])"),
        ),
        SentenceRule(
            DiagnosisField.DIAGNOSED_ON.value,
            re.compile(r"于(?P<value>\d{4}年\d{1,2}月\d{1,2}日)(?:在|到|至)"),
        ),
        SentenceRule(
            DiagnosisField.DIAGNOSIS.value, re.compile(r"诊断为[:：]?(?P<value>[^。；;]{2,40})[。；;]")
        ),
        SentenceRule(
            DiagnosisField.DEPARTMENT.value, re.compile(r"在我院(?P<value>[\u4e00-\u9fff]{1,8}?科)")
        ),
    ),
    titles=("诊断证明书", "诊断证明", "疾病证明书"),
)

SCHEMAS: dict[DocumentKind, DocumentSchema] = {
    DocumentKind.ID_CARD: ID_CARD,
    DocumentKind.INVOICE: INVOICE,
    DocumentKind.DIAGNOSIS: DIAGNOSIS,
}


# -- normalisation ----------------------------------------------------------------------------------------------


def _confidence(reading: FieldReading) -> int:
    return max(0, min(10_000, round(reading.confidence * 10_000)))


def _as_is(reading: FieldReading) -> FieldValue:
    return FieldValue(value=reading.value, doubtful=reading.doubtful, confidence=_confidence(reading))


def iso_date(text: str) -> str | None:
    """``2026年4月3日`` / ``2026-04-03`` / ``2026.4.3`` as ``2026-04-03`` (``None`` if not a real date)."""
    match = _DATE_TEXT.search(text)
    if match is None:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


def fen_of(text: str) -> int | None:
    """An amount in figures as 分. Invoices print totals with two decimals, so: a last separator followed by
    exactly two digits is the decimal point and every other separator groups thousands (``40.606.92``, a comma
    read as a point, is 40606.92); with no separator at all the point was lost in reading and the digits are
    分 (``4060692``)."""
    text = text.replace("，", ",").replace("。", ".")
    if not re.fullmatch(r"\d[\d,.]*", text):
        return None
    parts = re.split(r"[,.]", text)
    if len(parts) == 1:
        return int(text)
    cents = 0
    if len(parts[-1]) == 2:
        cents, parts = int(parts[-1]), parts[:-1]
    if any(not part for part in parts) or any(len(part) != 3 for part in parts[1:]):
        return None
    return int("".join(parts)) * 100 + cents


def _span_value(value: str, reading: FieldReading, start: int, end: int) -> FieldValue:
    """``value`` computed from ``reading.value[start:end]``: doubtful as a whole if a digit or letter it came
    from was doubted (a doubted separator changes nothing)."""
    doubted = any(start <= i < end and reading.value[i].isalnum() for i in reading.doubtful)
    return FieldValue(
        value=value, doubtful=tuple(range(len(value))) if doubted else (), confidence=_confidence(reading)
    )


def _date_value(reading: FieldReading) -> FieldValue | None:
    match = _DATE_TEXT.search(reading.value)
    day = None if match is None else iso_date(match.group(0))
    if match is None or day is None:
        return None
    return _span_value(day, reading, match.start(), match.end())


def _validity(reading: FieldReading) -> dict[str, FieldValue]:
    text = reading.value
    dates = list(_DATE_TEXT.finditer(text))
    found: dict[str, FieldValue] = {}
    if dates:
        start = iso_date(dates[0].group(0))
        if start is not None:
            found[IdCardField.VALID_FROM] = _span_value(start, reading, dates[0].start(), dates[0].end())
    long_term = text.find("长期")
    if long_term >= 0:
        found[IdCardField.VALID_UNTIL] = _span_value("长期", reading, long_term, long_term + 2)
    elif len(dates) > 1:
        until = iso_date(dates[1].group(0))
        if until is not None:
            found[IdCardField.VALID_UNTIL] = _span_value(until, reading, dates[1].start(), dates[1].end())
    return found


_ID_FIELDS = {
    IdCardField.ID_NUMBER.value,
    InvoiceField.PAYER_ID_NUMBER.value,
    DiagnosisField.PATIENT_ID_NUMBER.value,
}
_DATE_FIELDS = {
    IdCardField.BIRTH_DATE.value,
    InvoiceField.ISSUED_ON.value,
    DiagnosisField.DIAGNOSED_ON.value,
}


def normalise(kind: DocumentKind, fields: dict[str, FieldReading]) -> dict[str, FieldValue]:
    """The extractor's readings as the second key information's normalised fields."""
    result: dict[str, FieldValue] = {}
    for name, reading in fields.items():
        if name == "validity":
            result.update(_validity(reading))
        elif name in _DATE_FIELDS:
            day = _date_value(reading)
            if day is not None:
                result[name] = day
        elif kind is DocumentKind.INVOICE and name == InvoiceField.TOTAL_FIGURES:
            fen = fen_of(reading.value)
            if fen is not None:
                result[name] = _span_value(str(fen), reading, 0, len(reading.value))
        elif name in _ID_FIELDS:
            result[name] = _as_is(reading).model_copy(update={"value": reading.value.upper()})
        else:
            result[name] = _as_is(reading)
    return result


# -- the reader ---------------------------------------------------------------------------------------------------


_MIN_CONTRAST = 40
"""Gray levels between the darkest and the lightest pixel below which a page holds nothing to read."""

_ENOUGH_FIELDS = 3
"""Every aid document prints at least four of its fields: fewer than this means the page was misread."""


class OcrDocumentReader:
    """Reads aid documents with the intake's OCR engine and the schemas above (thread-safe)."""

    def __init__(self, cache_size: int = 256) -> None:
        self._cache = ReadingCache(cache_size)

    def read_page(self, kind: DocumentKind, image: bytes) -> tuple[PageText, dict[str, FieldReading]]:
        """The page as the engine saw it and the raw field readings (for diagnosis and the benchmark).

        The engine makes the page upright itself; when that yields (almost) no field, the page is read again in
        the other orientations and the one that yields the most fields is kept (a page the direction classifier
        turned the wrong way reads as nothing).
        """
        try:
            decoded = load_image(image, kind.value)
        except UnreadableImage as error:
            raise DocumentUnreadable(kind.value, error.reason) from None
        low, high = cast(tuple[int, int], decoded.convert("L").getextrema())  # mode L: (darkest, lightest)
        if high - low < _MIN_CONTRAST:
            raise DocumentUnreadable(kind.value, "no text found (the page is blank)")
        schema = SCHEMAS[kind]
        page = read_page(decoded)
        fields = extract(page, schema) if page.boxes else {}
        if len(fields) < _ENOUGH_FIELDS:
            for turns in (0, 2, 1, 3):
                if turns == page.quarter_turns:
                    continue
                other = read_page(decoded, quarter_turns=turns)
                other_fields = extract(other, schema) if other.boxes else {}
                if len(other_fields) > len(fields):
                    page, fields = other, other_fields
                if len(fields) >= _ENOUGH_FIELDS:
                    break
        if not page.boxes:
            raise DocumentUnreadable(kind.value, "no text found")
        return page, fields

    def read(self, kind: DocumentKind, image: bytes) -> DocumentReading:
        digest = "0x" + document_digest(image).hex()
        cached = self._cache.get(kind, digest)
        if cached is not None:
            return cached
        page, fields = self.read_page(kind, image)
        reading = DocumentReading(kind=kind, digest=digest, fields=normalise(kind, fields))
        log.info(
            "aid_document_read",
            kind=kind.value,
            fields=sorted(reading.fields),
            doubtful=sorted(name for name, value in reading.fields.items() if not value.certain),
            seconds=round(page.seconds, 3),
        )
        self._cache.put(reading)
        return reading
