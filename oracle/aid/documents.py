"""Render an aid application's documents: ID card (both sides), medical invoice, diagnosis certificate.

Individual aid reads the *second key information* from these images by OCR; tests and the benchmark need
images whose truth is known, and real people's documents cannot be used. Each kind is drawn in three layouts
(as the real documents vary between provinces, hospitals and printers) with six CJK fonts from Debian, with red
seals over the text where the originals have them, and degraded the ways uploads are (sensor noise, blur and
JPEG artefacts, skew, low resolution, uneven light, a phone's perspective).

The layout-and-font combinations are split in two (:func:`styles`): the extraction may be tuned on the
``tuning`` split only, and is measured on the ``held_out`` split, whose combinations it never saw. Everything
is drawn from a seeded ``random.Random``, so the same arguments give the same pixels.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from oracle.aid.invoices import InvoiceKind
from oracle.aid.population import AidCase, DiagnosisDocument, DocumentKind, IdCardDocument, InvoiceDocument


class Font(StrEnum):
    ZEN_HEI = "wqy-zenhei"
    MICRO_HEI = "wqy-microhei"
    UMING = "ar-pl-uming"
    UKAI = "ar-pl-ukai"
    NOTO_SANS = "noto-sans-cjk"
    NOTO_SERIF = "noto-serif-cjk"


FONT_FILES: dict[Font, tuple[str, int]] = {
    Font.ZEN_HEI: ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    Font.MICRO_HEI: ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    Font.UMING: ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    Font.UKAI: ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    Font.NOTO_SANS: ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    Font.NOTO_SERIF: ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
}
"""Debian packages fonts-wqy-zenhei, fonts-wqy-microhei, fonts-arphic-uming, fonts-arphic-ukai,
fonts-noto-cjk (the Simplified Chinese face of each collection)."""

_BOLD_SANS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2)


class Layout(StrEnum):
    # ID card
    CARD_STACKED = "card_stacked"
    """Front above back, as a photocopy on white paper."""
    CARD_SIDE_BY_SIDE = "card_side_by_side"
    """Front and back next to each other."""
    CARD_PHOTO = "card_photo"
    """Both cards photographed on a desk, slightly offset."""
    # invoice
    INVOICE_GRID = "invoice_grid"
    """The fiscal invoice form: header fields, a grid of items, totals, the payee's seal."""
    INVOICE_LIST = "invoice_list"
    """An electronic invoice printout: label-value pairs in two columns."""
    INVOICE_RECEIPT = "invoice_receipt"
    """A narrow receipt whose header names the hospital."""
    # diagnosis
    DIAGNOSIS_LETTERHEAD = "diagnosis_letterhead"
    """Hospital letterhead, label-value lines."""
    DIAGNOSIS_GRID = "diagnosis_grid"
    """A form of label cells and value cells."""
    DIAGNOSIS_SENTENCE = "diagnosis_sentence"
    """A certificate written as a sentence (兹证明患者……)."""


LAYOUTS: dict[DocumentKind, tuple[Layout, ...]] = {
    DocumentKind.ID_CARD: (Layout.CARD_STACKED, Layout.CARD_SIDE_BY_SIDE, Layout.CARD_PHOTO),
    DocumentKind.INVOICE: (Layout.INVOICE_GRID, Layout.INVOICE_LIST, Layout.INVOICE_RECEIPT),
    DocumentKind.DIAGNOSIS: (Layout.DIAGNOSIS_LETTERHEAD, Layout.DIAGNOSIS_GRID, Layout.DIAGNOSIS_SENTENCE),
}


class Scan(StrEnum):
    """How an image departs from a clean scan."""

    CLEAN = "clean"
    NOISY = "noisy"
    """Gaussian noise, speckles, slight blur and JPEG artefacts."""
    SKEWED = "skewed"
    """Turned 1-3 degrees, as a page fed askew."""
    LOW_RES = "low_res"
    """Scaled to about 60%, as a thumbnail or a distant photo."""
    UNEVEN_LIGHT = "uneven_light"
    """A shadow across the page and lower contrast, as under a desk lamp."""
    PHOTO = "photo"
    """A phone photo: perspective, uneven light and JPEG."""

    @property
    def degraded(self) -> bool:
        return self is not Scan.CLEAN


class Split(StrEnum):
    TUNING = "tuning"
    HELD_OUT = "held_out"


@dataclass(frozen=True)
class Style:
    layout: Layout
    font: Font


def styles(kind: DocumentKind, split: Split) -> list[Style]:
    """The layout-and-font combinations of ``split`` for ``kind``.

    Each layout appears in both splits with different fonts (3 of 6 fonts each), so the held-out split holds
    no combination the tuning split has; which fonts go where rotates with the layout.
    """
    result: list[Style] = []
    fonts = list(Font)
    for index, layout in enumerate(LAYOUTS[kind]):
        rotated = fonts[index:] + fonts[:index]
        chosen = rotated[0::2] if split is Split.TUNING else rotated[1::2]
        result.extend(Style(layout, font) for font in chosen)
    return result


# -- drawing helpers ---------------------------------------------------------------------------------

_PAPER = (252, 251, 247)
_INK = (20, 20, 24)
_LABEL_BLUE = (40, 70, 130)
_SEAL = (205, 35, 35)
_RULE = (90, 90, 90)


@lru_cache(maxsize=128)
def _font(font: Font | None, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path, index = _BOLD_SANS if bold or font is None else FONT_FILES[font]
    return ImageFont.truetype(path, size, index=index)


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    font: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int] = _INK,
    spacing: float = 0.0,
) -> float:
    """Draw ``text`` at ``xy`` with ``spacing`` extra pixels between characters; returns the right edge."""
    x, y = xy
    if not spacing:
        draw.text((x, y), text, font=font, fill=fill)
        return x + draw.textlength(text, font=font)
    for char in text:
        draw.text((x, y), char, font=font, fill=fill)
        x += draw.textlength(char, font=font) + spacing
    return x - spacing


def _centred(
    draw: ImageDraw.ImageDraw,
    y: float,
    text: str,
    font: ImageFont.FreeTypeFont,
    width: int,
    fill: tuple[int, int, int] = _INK,
    spacing: float = 0.0,
) -> None:
    length = draw.textlength(text, font=font) + spacing * max(len(text) - 1, 0)
    _text(draw, ((width - length) / 2, y), text, font, fill, spacing)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines, current = [], ""
    for char in text:
        if current and draw.textlength(current + char, font=font) > width:
            lines.append(current)
            current = char
        else:
            current += char
    return [*lines, current] if current else lines


def _seal(page: Image.Image, centre: tuple[float, float], text: str, font: Font, radius: int = 88) -> None:
    """A red round seal with ``text`` along its rim, a star and 专用章 in the middle, drawn translucent."""
    layer = Image.new("RGBA", page.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    x, y = centre
    colour = (*_SEAL, 170)
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=colour, width=5)
    outer, inner = radius * 0.28, radius * 0.11
    draw.polygon(
        [
            (
                x + (outer if i % 2 == 0 else inner) * math.sin(math.pi * i / 5),
                y - (outer if i % 2 == 0 else inner) * math.cos(math.pi * i / 5),
            )
            for i in range(10)
        ],
        fill=colour,
    )
    size = max(12, int(radius * 0.24))
    glyph_font = _font(font, size)
    characters = list(text)
    sweep = min(250.0, 20.0 * len(characters))
    for index, char in enumerate(characters):
        angle = math.radians(-sweep / 2 + sweep * (index + 0.5) / len(characters))
        glyph = Image.new("RGBA", (size + 8, size + 8), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((4, 2), char, font=glyph_font, fill=colour)
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.Resampling.BICUBIC)
        gx = x + (radius - size * 0.85) * math.sin(angle) - glyph.width / 2
        gy = y - (radius - size * 0.85) * math.cos(angle) - glyph.height / 2
        layer.alpha_composite(glyph, (int(gx), int(gy)))
    small = _font(font, max(10, int(radius * 0.2)))
    label = "专用章"
    draw.text((x - draw.textlength(label, font=small) / 2, y + radius * 0.35), label, font=small, fill=colour)
    page.paste(layer, (0, 0), layer)


def _date_cn(day: object) -> str:
    import datetime

    assert isinstance(day, datetime.date)
    return f"{day.year}年{day.month}月{day.day}日"


def _money(fen: int, rng: random.Random) -> str:
    yuan, cents = divmod(fen, 100)
    return f"{yuan:,}.{cents:02d}" if rng.random() < 0.5 else f"{yuan}.{cents:02d}"


# -- ID card ---------------------------------------------------------------------------------------------

_CARD = (856, 540)


def _card_front(card: IdCardDocument, font: Font) -> Image.Image:
    image = Image.new("RGB", _CARD, (236, 240, 242))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, _CARD[0] - 3, _CARD[1] - 3), radius=30, outline=(150, 160, 170), width=3)
    label, value, number_font = _font(font, 26), _font(font, 30), _font(None, 34, bold=True)
    x_label, x_value = 60, 160
    _text(draw, (x_label, 60), "姓名", label, _LABEL_BLUE)
    _text(draw, (x_value, 56), card.name, value)
    _text(draw, (x_label, 126), "性别", label, _LABEL_BLUE)
    _text(draw, (x_value, 122), card.sex, value)
    _text(draw, (300, 126), "民族", label, _LABEL_BLUE)
    _text(draw, (390, 122), card.ethnicity, value)
    _text(draw, (x_label, 192), "出生", label, _LABEL_BLUE)
    born = f"{card.born.year}  年  {card.born.month}  月  {card.born.day}  日"
    _text(draw, (x_value, 188), born, value)
    _text(draw, (x_label, 258), "住址", label, _LABEL_BLUE)
    for row, line in enumerate(_wrap(draw, card.address, value, 390)[:3]):
        _text(draw, (x_value, 254 + 44 * row), line, value)
    _text(draw, (x_label, 446), "公民身份号码", label, _LABEL_BLUE)
    _text(draw, (250, 442), card.id_number, number_font, spacing=4)
    # the portrait: a grey silhouette
    draw.rectangle((600, 60, 800, 330), fill=(210, 214, 218))
    draw.ellipse((650, 100, 750, 210), fill=(160, 166, 172))
    draw.pieslice((610, 220, 790, 420), 180, 360, fill=(160, 166, 172))
    return image


def _card_back(card: IdCardDocument, font: Font) -> Image.Image:
    image = Image.new("RGB", _CARD, (238, 240, 236))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, _CARD[0] - 3, _CARD[1] - 3), radius=30, outline=(150, 160, 170), width=3)
    draw.ellipse((60, 40, 190, 170), outline=(200, 60, 50), width=6)  # the emblem's place
    draw.ellipse((95, 75, 155, 135), fill=(215, 170, 60))
    title = _font(font, 42)
    _text(draw, (250, 60), "中华人民共和国", title, spacing=6)
    _text(draw, (270, 140), "居民身份证", _font(font, 56), spacing=14)
    label, value = _font(font, 26), _font(font, 30)
    _text(draw, (120, 350), "签发机关", label, _LABEL_BLUE)
    _text(draw, (260, 346), card.issuing_authority, value)
    _text(draw, (120, 430), "有效期限", label, _LABEL_BLUE)
    _text(draw, (260, 426), card.validity_text, value)
    return image


def _render_id_card(card: IdCardDocument, style: Style, rng: random.Random) -> Image.Image:
    front, back = _card_front(card, style.font), _card_back(card, style.font)
    match style.layout:
        case Layout.CARD_STACKED:
            page = Image.new("RGB", (1100, 1420), (255, 255, 255))
            page.paste(front, (122, 90))
            page.paste(back, (122, 780))
            return page
        case Layout.CARD_SIDE_BY_SIDE:
            page = Image.new("RGB", (1900, 760), (255, 255, 255))
            page.paste(front, (60, 110))
            page.paste(back, (984, 110))
            return page
        case Layout.CARD_PHOTO:
            page = Image.new("RGB", (1240, 1500), (120, 96, 72))
            draw = ImageDraw.Draw(page)
            for _ in range(60):  # wood grain
                y = rng.randrange(page.height)
                draw.line(
                    (0, y, page.width, y + rng.randint(-20, 20)),
                    fill=(110 + rng.randint(-8, 8), 88, 66),
                    width=2,
                )
            page.paste(front, (150 + rng.randint(-30, 30), 120 + rng.randint(-20, 20)))
            page.paste(back, (230 + rng.randint(-30, 30), 800 + rng.randint(-20, 20)))
            return page
    raise AssertionError(f"not an ID-card layout: {style.layout}")  # pragma: no cover


# -- invoice ------------------------------------------------------------------------------------------------


def _invoice_title(invoice: InvoiceDocument) -> str:
    return "医疗住院收费票据" if invoice.kind is InvoiceKind.INPATIENT else "医疗门诊收费票据"


def _issued(invoice: InvoiceDocument, rng: random.Random) -> str:
    day = invoice.issued_on
    return f"{day:%Y-%m-%d}" if rng.random() < 0.6 else _date_cn(day)


def _render_invoice(invoice: InvoiceDocument, style: Style, rng: random.Random) -> Image.Image:
    match style.layout:
        case Layout.INVOICE_GRID:
            return _invoice_grid(invoice, style.font, rng)
        case Layout.INVOICE_LIST:
            return _invoice_list(invoice, style.font, rng)
        case Layout.INVOICE_RECEIPT:
            return _invoice_receipt(invoice, style.font, rng)
    raise AssertionError(f"not an invoice layout: {style.layout}")  # pragma: no cover


def _invoice_grid(invoice: InvoiceDocument, font: Font, rng: random.Random) -> Image.Image:
    width, height = 1500, 980
    page = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(page)
    ink = (30, 30, 110) if rng.random() < 0.5 else _INK
    _centred(draw, 40, _invoice_title(invoice), _font(font, 50), width, ink, spacing=8)
    draw.line((480, 108, 1020, 108), fill=ink, width=3)
    small, body = _font(font, 28), _font(font, 30)
    _text(draw, (60, 140), f"票据代码：{invoice.code}", small, ink)
    _text(draw, (1000, 140), f"票据号码：{invoice.number}", small, ink)
    _text(draw, (60, 200), f"交款人：{invoice.payer_name}", body, ink)
    _text(draw, (560, 200), f"交款人统一社会信用代码：{invoice.payer_id_number}", small, ink)
    _text(draw, (60, 260), f"开票日期：{_issued(invoice, rng)}", small, ink)
    top, left, right = 320, 60, width - 60
    row_height = 56
    rows = 1 + math.ceil(len(invoice.lines) / 2)
    bottom = top + row_height * (rows + 2)
    draw.rectangle((left, top, right, bottom), outline=_RULE, width=2)
    half = (left + right) // 2
    columns = (left, left + 420, half, half + 420, right)
    for row in range(1, rows + 2):
        y = top + row_height * row
        draw.line((left, y, right, y), fill=_RULE, width=1)
    for x in columns[1:-1]:
        draw.line((x, top, x, top + row_height * rows), fill=_RULE, width=1)
    for offset, heading in ((0, "项目名称"), (1, "金额（元）"), (2, "项目名称"), (3, "金额（元）")):
        _text(draw, (columns[offset] + 20, top + 12), heading, small, ink)
    for index, line in enumerate(invoice.lines):
        row, column = 1 + index // 2, 2 * (index % 2)
        y = top + row_height * row + 12
        _text(draw, (columns[column] + 20, y), line.item, body)
        _text(draw, (columns[column + 1] + 20, y), _money(line.amount_fen, rng), body)
    y = top + row_height * rows + 12
    _text(draw, (left + 20, y), f"金额合计（大写）{invoice.total_in_words}", body)
    y += row_height
    _text(draw, (left + 20, y), f"金额合计（小写）¥{_money(invoice.total_fen, rng)}", body)
    _text(draw, (60, bottom + 50), f"收款单位（章）：{invoice.issuer_name}", body, ink)
    _text(
        draw, (1080, bottom + 50), f"收款人：{rng.choice('李王张刘陈')}{rng.choice('红丽敏华')}", small, ink
    )
    _seal(page, (150 + rng.randint(0, 80), bottom + 62), invoice.issuer_name, font)
    return page


def _invoice_list(invoice: InvoiceDocument, font: Font, rng: random.Random) -> Image.Image:
    width, height = 1400, 1100
    page = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    _centred(draw, 50, f"{invoice.issuer_name}", _font(font, 40), width)
    _centred(draw, 110, _invoice_title(invoice) + "（电子）", _font(font, 44), width, spacing=4)
    label, value = _font(font, 28), _font(font, 30)
    pairs_left = [
        ("票据代码", invoice.code),
        ("交款人", invoice.payer_name),
        ("开票日期", _issued(invoice, rng)),
    ]
    pairs_right = [
        ("票据号码", invoice.number),
        ("身份证号", invoice.payer_id_number),
        ("收款单位", invoice.issuer_name),
    ]
    y = 220
    for (l_label, l_value), (r_label, r_value) in zip(pairs_left, pairs_right, strict=True):
        _text(draw, (70, y + 2), l_label + "：", label, _LABEL_BLUE)
        _text(draw, (230, y), l_value, value)
        _text(draw, (620, y + 2), r_label + "：", label, _LABEL_BLUE)
        _text(draw, (780, y), r_value, value)
        y += 66
    y += 20
    draw.line((70, y, width - 70, y), fill=_RULE, width=2)
    y += 20
    _text(draw, (70, y), "项目", label, _LABEL_BLUE)
    _text(draw, (600, y), "金额（元）", label, _LABEL_BLUE)
    y += 56
    for line in invoice.lines:
        _text(draw, (70, y), line.item, value)
        _text(draw, (600, y), _money(line.amount_fen, rng), value)
        y += 52
    draw.line((70, y + 6, width - 70, y + 6), fill=_RULE, width=2)
    y += 30
    _text(draw, (70, y + 2), "合计（大写）：", label, _LABEL_BLUE)
    _text(draw, (280, y), invoice.total_in_words, value)
    y += 66
    _text(draw, (70, y + 2), "合计（小写）：", label, _LABEL_BLUE)
    _text(draw, (280, y), "¥" + _money(invoice.total_fen, rng), value)
    _seal(page, (1050 + rng.randint(-40, 40), y - 30), invoice.issuer_name, font, radius=96)
    return page


def _invoice_receipt(invoice: InvoiceDocument, font: Font, rng: random.Random) -> Image.Image:
    width = 1000
    lines = len(invoice.lines)
    height = 1160 + 52 * lines
    page = Image.new("RGB", (width, height), (250, 250, 246))
    draw = ImageDraw.Draw(page)
    heading = _font(font, 40)
    for row, part in enumerate(_wrap(draw, invoice.issuer_name, heading, width - 120)):
        _centred(draw, 40 + 54 * row, part, heading, width)
    _centred(
        draw,
        150,
        "门诊收费收据" if invoice.kind is InvoiceKind.OUTPATIENT else "住院收费收据",
        _font(font, 36),
        width,
        spacing=6,
    )
    body = _font(font, 30)
    y = 240
    for text in (
        f"票据代码 {invoice.code}",
        f"票据号码 {invoice.number}",
        f"交款人 {invoice.payer_name}",
        f"身份证号 {invoice.payer_id_number}",
        f"开票日期 {_issued(invoice, rng)}",
    ):
        _text(draw, (70, y), text, body)
        y += 58
    draw.line((60, y + 4, width - 60, y + 4), fill=_RULE, width=2)
    y += 24
    for line in invoice.lines:
        _text(draw, (70, y), line.item, body)
        amount = _money(line.amount_fen, rng)
        _text(draw, (width - 70 - draw.textlength(amount, font=body), y), amount, body)
        y += 52
    draw.line((60, y + 4, width - 60, y + 4), fill=_RULE, width=2)
    y += 26
    _text(draw, (70, y), f"合计金额 ¥{_money(invoice.total_fen, rng)}", body)
    y += 58
    _text(draw, (70, y), "人民币（大写）", body)
    y += 54
    _text(draw, (70, y), invoice.total_in_words, body)
    _seal(page, (width - 230, y + 70), invoice.issuer_name, font)
    return page


# -- diagnosis certificate ------------------------------------------------------------------------------------


def _render_diagnosis(diagnosis: DiagnosisDocument, style: Style, rng: random.Random) -> Image.Image:
    width, height = 1200, 1500
    page = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(page)
    font = style.font
    header = _font(font, 46)
    for row, part in enumerate(_wrap(draw, diagnosis.hospital, header, width - 160)):
        _centred(draw, 60 + 60 * row, part, header, width)
    _centred(draw, 180, "诊断证明书", _font(font, 52), width, spacing=16)
    draw.line((80, 262, width - 80, 262), fill=_RULE, width=3)
    body, label = _font(font, 32), _font(font, 30)
    date = _date_cn(diagnosis.diagnosed_on)
    match style.layout:
        case Layout.DIAGNOSIS_LETTERHEAD:
            y = 310
            _text(draw, (90, y), f"姓名：{diagnosis.patient_name}", body)
            _text(draw, (480, y), f"性别：{diagnosis.sex}", body)
            _text(draw, (760, y), f"年龄：{diagnosis.age}岁", body)
            y += 80
            _text(draw, (90, y), f"身份证号：{diagnosis.patient_id_number}", body)
            y += 80
            _text(draw, (90, y), f"科别：{diagnosis.department}", body)
            _text(draw, (560, y), f"病历号：{diagnosis.record_number}", body)
            y += 80
            _text(draw, (90, y), f"就诊日期：{date}", body)
            y += 100
            _text(draw, (90, y), "诊断：", body)
            _text(draw, (200, y), diagnosis.diagnosis, body)
            y += 90
            _text(draw, (90, y), f"处理意见：{diagnosis.advice}。", body)
            y = 1180
            _text(draw, (700, y), f"医师：{diagnosis.doctor}", body)
            _text(draw, (700, y + 70), date, body)
            _seal(page, (880, y + 30), diagnosis.hospital, font, radius=100)
        case Layout.DIAGNOSIS_GRID:
            top, left, right = 310, 80, width - 80
            cells = [
                [("姓名", diagnosis.patient_name), ("性别", diagnosis.sex), ("年龄", f"{diagnosis.age}岁")],
                [("身份证号", diagnosis.patient_id_number)],
                [("科别", diagnosis.department), ("住院/门诊号", diagnosis.record_number)],
                [("诊断日期", date)],
                [("临床诊断", diagnosis.diagnosis)],
                [("医嘱", diagnosis.advice)],
            ]
            row_height = 96
            for row, entries in enumerate(cells):
                y = top + row * row_height
                draw.rectangle((left, y, right, y + row_height), outline=_RULE, width=2)
                span = (right - left) / len(entries)
                for column, (name, value) in enumerate(entries):
                    x = left + column * span
                    label_width = 60 + draw.textlength(name, font=label)
                    draw.line((x + label_width, y, x + label_width, y + row_height), fill=_RULE, width=1)
                    if column:
                        draw.line((x, y, x, y + row_height), fill=_RULE, width=2)
                    _text(draw, (x + 24, y + 30), name, label, _LABEL_BLUE)
                    _text(draw, (x + label_width + 20, y + 28), value, body)
            y = top + len(cells) * row_height + 120
            _text(draw, (640, y), f"主治医师：{diagnosis.doctor}", body)
            _text(draw, (640, y + 70), f"日期：{date}", body)
            _seal(page, (820, y + 20), diagnosis.hospital, font, radius=100)
        case Layout.DIAGNOSIS_SENTENCE:
            text = (
                f"兹证明患者{diagnosis.patient_name}，{diagnosis.sex}，{diagnosis.age}岁，"
                f"身份证号{diagnosis.patient_id_number}，于{date}在我院{diagnosis.department}就诊，"
                f"经检查诊断为：{diagnosis.diagnosis}。{diagnosis.advice}。"
            )
            y = 330
            for line in _wrap(draw, "　　" + text, body, width - 200):
                _text(draw, (100, y), line, body)
                y += 66
            _text(draw, (100, y + 20), "　　特此证明。", body)
            y = 1150
            _text(draw, (660, y), f"医师：{diagnosis.doctor}", body)
            _text(draw, (660, y + 70), date, body)
            _seal(page, (840, y + 40), diagnosis.hospital, font, radius=100)
        case _:
            raise AssertionError(f"not a diagnosis layout: {style.layout}")  # pragma: no cover
    return page


# -- scans ------------------------------------------------------------------------------------------------------


def _gaussian_noise(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    normal = NormalDist(0.0, sigma)
    table = [max(0, min(255, round(128 + normal.inv_cdf((u + 0.5) / 256)))) for u in range(256)]
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).point(table)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def _noisy(image: Image.Image, rng: random.Random) -> Image.Image:
    noise = _gaussian_noise(image.size, rng.uniform(10, 18), rng).convert("RGB")
    noisy = ImageChops.add(image, noise, scale=1.0, offset=-128)
    draw = ImageDraw.Draw(noisy)
    for _ in range(rng.randint(200, 400)):
        x, y, r = rng.randrange(noisy.width), rng.randrange(noisy.height), rng.choice((1, 1, 2))
        shade = rng.randint(0, 100)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(shade, shade, shade))
    return _jpeg(noisy.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.8))), rng.randint(35, 55))


def _shadow(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    gradient = Image.linear_gradient("L").resize((width, height))
    gradient = gradient.rotate(
        rng.uniform(0, 360), resample=Image.Resampling.BILINEAR, expand=False, fillcolor=128
    )
    lo, hi = rng.randint(95, 130), rng.randint(225, 255)
    light = gradient.point(lambda v: lo + (hi - lo) * v // 255).convert("RGB")
    return ImageChops.multiply(image, light)


def _perspective(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    margin = 0.06
    corners = [
        (rng.uniform(0, margin) * width, rng.uniform(0, margin) * height),
        (width - rng.uniform(0, margin) * width, rng.uniform(0, margin) * height),
        (width - rng.uniform(0, margin) * width, height - rng.uniform(0, margin) * height),
        (rng.uniform(0, margin) * width, height - rng.uniform(0, margin) * height),
    ]
    coefficients = _perspective_coefficients(corners, [(0, 0), (width, 0), (width, height), (0, height)])
    return image.transform(
        (width, height),
        Image.Transform.PERSPECTIVE,
        coefficients,
        Image.Resampling.BICUBIC,
        fillcolor=(90, 80, 70),
    )


def _perspective_coefficients(
    source: list[tuple[float, float]], target: list[tuple[float, float]]
) -> tuple[float, ...]:
    """PIL's 8 coefficients mapping ``target`` corners (output) to ``source`` corners (input)."""
    rows: list[list[float]] = []
    values: list[float] = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.extend((u, v))
    return tuple(_solve(rows, values))


def _solve(matrix: list[list[float]], values: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (8x8)."""
    size = len(values)
    augmented = [[*row, value] for row, value in zip(matrix, values, strict=True)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(augmented[r][column]))
        augmented[column], augmented[pivot] = augmented[pivot], augmented[column]
        for row in range(size):
            if row != column:
                factor = augmented[row][column] / augmented[column][column]
                augmented[row] = [
                    a - factor * b for a, b in zip(augmented[row], augmented[column], strict=True)
                ]
    return [augmented[row][size] / augmented[row][row] for row in range(size)]


def scan(image: Image.Image, how: Scan, rng: random.Random) -> Image.Image:
    """Apply one :class:`Scan` degradation to a rendered page."""
    match how:
        case Scan.CLEAN:
            return image.copy()
        case Scan.NOISY:
            return _noisy(image, rng)
        case Scan.SKEWED:
            angle = rng.uniform(1.0, 3.0) * rng.choice((-1, 1))
            return image.rotate(
                angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255)
            )
        case Scan.LOW_RES:
            scale = rng.uniform(0.55, 0.65)
            return image.resize(
                (round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR
            )
        case Scan.UNEVEN_LIGHT:
            return _shadow(image, rng)
        case Scan.PHOTO:
            return _jpeg(_shadow(_perspective(image, rng), rng), rng.randint(55, 75))
    raise AssertionError(f"unhandled scan {how}")  # pragma: no cover


# -- entry points ---------------------------------------------------------------------------------------------

_RENDERERS: dict[DocumentKind, Callable[[AidCase, Style, random.Random], Image.Image]] = {
    DocumentKind.ID_CARD: lambda case, style, rng: _render_id_card(case.id_card, style, rng),
    DocumentKind.INVOICE: lambda case, style, rng: _render_invoice(case.invoice, style, rng),
    DocumentKind.DIAGNOSIS: lambda case, style, rng: _render_diagnosis(case.diagnosis, style, rng),
}


def render_document(
    case: AidCase, kind: DocumentKind, style: Style, how: Scan = Scan.CLEAN, seed: int = 0
) -> Image.Image:
    """The ``kind`` document of ``case`` in ``style``, degraded by ``how``; deterministic in ``seed``."""
    if style.layout not in LAYOUTS[kind]:
        raise ValueError(f"{style.layout} is not a layout of {kind}")
    rng = random.Random(
        f"{seed}:{case.case_id}:{kind.value}:{style.layout.value}:{style.font.value}:{how.value}"
    )
    return scan(_RENDERERS[kind](case, style, rng), how, rng)


def document_bytes(image: Image.Image, how: Scan = Scan.CLEAN) -> bytes:
    """The image as an upload's bytes: JPEG for the photographed and noisy scans, PNG otherwise."""
    buffer = io.BytesIO()
    if how in (Scan.NOISY, Scan.PHOTO):
        image.save(buffer, format="JPEG", quality=92)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def pick_style(kind: DocumentKind, split: Split, rng: random.Random) -> Style:
    return rng.choice(styles(kind, split))


def write_documents(
    case: AidCase, directory: Path, split: Split = Split.TUNING, how: Scan = Scan.CLEAN, seed: int = 0
) -> dict[DocumentKind, Path]:
    """Render the three documents of ``case`` (styles drawn from ``split``) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{seed}:{case.case_id}:styles")
    paths: dict[DocumentKind, Path] = {}
    for kind in DocumentKind:
        style = pick_style(kind, split, rng)
        image = render_document(case, kind, style, how, seed)
        suffix = "jpg" if how in (Scan.NOISY, Scan.PHOTO) else "png"
        path = directory / f"{case.case_id}-{kind.value}-{how.value}.{suffix}"
        path.write_bytes(document_bytes(image, how))
        paths[kind] = path
    return paths
