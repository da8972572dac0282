"""Render an institution's certificates from its registry record, in many layouts, fonts and wordings.

Onboarding reads the *first key information* from certificate images by OCR; tests and the OCR
benchmark need such images with a known truth, and real certificates cannot be shipped. So that the
reader is not tuned to one look, every certificate (:class:`CertificateKind`) is drawn in four
layouts (:class:`Layout`: two columns of "label：value" rows, a ruled table, a sentence-style page,
a landscape licence with the code at the top left), with any of six CJK fonts from Debian
(:class:`CertificateFont`), with its wording drawn from a seed (which of the labels real documents
use, letter-spaced or not, which colon, which other fields are printed and in what order), and with a
red seal printed over part of the text. :func:`degrade` then spoils a page the ways uploads are
spoiled (:class:`Degradation`: blur, sensor noise, JPEG artefacts, uneven light, a quarter or half
turn, a small skew, low resolution, a phone's perspective).

:func:`combinations` splits the layout x font combinations into a *tuning* split and a *held-out*
split (each layout and each font occurs in both, but no pair does), so that accuracy can be reported
on documents whose look was never used while tuning. Everything is drawn from seeded
``random.Random`` instances, so the same arguments give the same pixels.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from statistics import NormalDist

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from oracle.registry.records import OrgType, RegistryRecord

_PAPER = (250, 248, 240)
_INK = (25, 25, 25)
_SEAL = (215, 40, 40)

PORTRAIT = (877, 1240)
LANDSCAPE = (1240, 877)
"""A4 at about 105 dpi: the size a phone photo or office scan of a certificate is read at."""


class CertificateKind(StrEnum):
    """The three documents an institution uploads at onboarding."""

    REGISTRATION = "registration"
    """Registration certificate (登记证书 / 营业执照 / 事业单位法人证书)."""
    LEGAL_PERSON = "legal_person"
    """Legal-person identification page (法定代表人身份证明书)."""
    ACCOUNT_PERMIT = "account_permit"
    """Account-opening permit (开户许可证)."""


class Layout(StrEnum):
    """How a certificate's fields are arranged on the page."""

    TWO_COLUMN = "two_column"
    """Portrait; labels in a column on the left, values beside them; long values wrap."""
    TABLE_GRID = "table_grid"
    """Portrait; a ruled table of label cells and value cells, some rows with two pairs."""
    SENTENCE = "sentence"
    """Portrait; the key facts written as sentences (经审核，……符合开户条件), a few labelled rows."""
    LANDSCAPE = "landscape"
    """Landscape licence: the code at the top left, two columns of fields, the seal at the bottom."""


class CertificateFont(StrEnum):
    """The CJK fonts certificates are drawn with (Debian packages in brackets)."""

    WQY_ZENHEI = "wqy_zenhei"  # fonts-wqy-zenhei
    WQY_MICROHEI = "wqy_microhei"  # fonts-wqy-microhei
    AR_PL_UMING = "ar_pl_uming"  # fonts-arphic-uming
    AR_PL_UKAI = "ar_pl_ukai"  # fonts-arphic-ukai
    NOTO_SANS_CJK = "noto_sans_cjk"  # fonts-noto-cjk
    NOTO_SERIF_CJK = "noto_serif_cjk"  # fonts-noto-cjk

    @property
    def path(self) -> Path:
        return _FONT_FILES[self][0]

    @property
    def face_index(self) -> int:
        """Face index inside the collection (the Simplified Chinese face)."""
        return _FONT_FILES[self][1]


_FONT_FILES: dict[CertificateFont, tuple[Path, int]] = {
    CertificateFont.WQY_ZENHEI: (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
    CertificateFont.WQY_MICROHEI: (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    CertificateFont.AR_PL_UMING: (Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0),
    CertificateFont.AR_PL_UKAI: (Path("/usr/share/fonts/truetype/arphic/ukai.ttc"), 0),
    CertificateFont.NOTO_SANS_CJK: (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    CertificateFont.NOTO_SERIF_CJK: (Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"), 2),
}

FONT_PATH = CertificateFont.WQY_ZENHEI.path
"""The default font (Debian package ``fonts-wqy-zenhei``)."""


def missing_fonts() -> list[CertificateFont]:
    """The fonts whose files are not installed (``scripts/setup`` installs them all)."""
    return [font for font in CertificateFont if not font.path.exists()]


class Degradation(StrEnum):
    """One way an uploaded image departs from a clean scan."""

    BLUR = "blur"
    NOISE = "noise"
    """Gaussian sensor noise and dark speckles."""
    JPEG = "jpeg"
    """Re-encoded at JPEG quality 18-35."""
    UNEVEN_LIGHT = "uneven_light"
    """A light gradient and a soft shadow across the page, as under a desk lamp."""
    ROTATE_90 = "rotate_90"
    ROTATE_180 = "rotate_180"
    ROTATE_270 = "rotate_270"
    SKEW = "skew"
    """Turned by 0.7-4 degrees either way."""
    LOW_DPI = "low_dpi"
    """Scaled down to 40-55% (a scan at 40-60 dpi, or a distant photo)."""
    PERSPECTIVE = "perspective"
    """Corners moved by up to 6% of the page, as in a phone photo taken at an angle."""


class Split(StrEnum):
    """Which layout x font combinations a document may use."""

    TUNING = "tuning"
    HELD_OUT = "held_out"


def combinations(split: Split) -> list[tuple[Layout, CertificateFont]]:
    """The layout x font pairs of ``split``: half of all pairs each, every layout and font in both.

    A pair is held out when the sum of the layout's and the font's positions is odd, so every
    layout is tuned with three fonts and reported with the three others.
    """
    return [
        (layout, font)
        for layout_index, layout in enumerate(Layout)
        for font_index, font in enumerate(CertificateFont)
        if (layout_index + font_index) % 2 == (0 if split is Split.TUNING else 1)
    ]


@dataclass(frozen=True)
class CertificateStyle:
    """Everything about a certificate's look except its content: layout, font, wording seed."""

    layout: Layout = Layout.TWO_COLUMN
    font: CertificateFont = CertificateFont.WQY_ZENHEI
    wording_seed: int = 0
    """Draws the wording: label synonyms, letter spacing, colons, extra rows and their order."""


# -- content --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    key: str
    """The field the row prints (``name``, ``credit_code``, ...), or ``other``."""
    label: str
    value: str


_POSITIONS: dict[OrgType, str] = {
    OrgType.FOUNDATION: "理事长",
    OrgType.SOCIAL_ORGANIZATION: "会长",
    OrgType.GOVERNMENT_AGENCY: "局长",
    OrgType.LOCAL_GOVERNMENT: "主任",
    OrgType.HOSPITAL: "院长",
    OrgType.ENTERPRISE: "总经理",
    OrgType.LOGISTICS: "执行董事",
}


def registration_title(record: RegistryRecord) -> str:
    """The registration certificate's title, which depends on what the registry says it is."""
    code = record.credit_code
    if code.startswith("9") or (record.org_type is OrgType.HOSPITAL and not record.non_profit):
        return "营业执照"
    if code.startswith("53"):
        return "基金会法人登记证书"
    if code.startswith("52"):
        return "民办非企业单位登记证书"
    if code.startswith("51"):
        return "社会团体法人登记证书"
    if code.startswith("12"):
        return "事业单位法人证书"
    return "统一社会信用代码证书"


def certificate_title(record: RegistryRecord, kind: CertificateKind) -> str:
    """The title printed at the top of a certificate of ``kind``."""
    match kind:
        case CertificateKind.REGISTRATION:
            return registration_title(record)
        case CertificateKind.LEGAL_PERSON:
            return "法定代表人身份证明书"
        case CertificateKind.ACCOUNT_PERMIT:
            return "开户许可证"
    raise AssertionError(f"unhandled certificate kind {kind}")  # pragma: no cover


def _name_labels(record: RegistryRecord, kind: CertificateKind) -> tuple[str, ...]:
    if kind is CertificateKind.ACCOUNT_PERMIT:
        return ("名称", "存款人名称", "账户名称")
    if kind is CertificateKind.LEGAL_PERSON:
        return ("单位名称", "名称", "机构名称")
    title = registration_title(record)
    if title.startswith("基金会"):
        return ("名称", "基金会名称")
    if title.startswith("社会团体"):
        return ("名称", "社会组织名称", "社会团体名称")
    if title.startswith("民办非企业"):
        return ("名称", "单位名称", "民办非企业单位名称")
    if title == "营业执照":
        return ("名称", "企业名称")
    return ("名称", "机构名称", "单位名称")


def _representative_labels(record: RegistryRecord, kind: CertificateKind) -> tuple[str, ...]:
    if kind is CertificateKind.ACCOUNT_PERMIT:
        return ("法定代表人（单位负责人）", "法定代表人", "负责人")
    if registration_title(record).startswith(("社会团体", "民办非企业")):
        return ("法定代表人", "法定代表人（负责人）", "负责人")
    return ("法定代表人", "法定代表人（负责人）")


def _date(record: RegistryRecord) -> str:
    day = record.registered_on
    return f"{day.year}年{day.month}月{day.day}日"


def _digits(record: RegistryRecord, count: int, salt: str) -> str:
    rng = random.Random(f"{record.credit_code}:{salt}")
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(count - 1))


def resident_id_number(record: RegistryRecord) -> str:
    """A made-up, well-formed GB 11643 number for the legal representative (printed as a distractor)."""
    rng = random.Random(f"{record.credit_code}:id")
    region = record.credit_code[2:8] if record.credit_code[2:4] != "10" else "110101"
    born = f"{rng.randint(1955, 1995)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = region + born + f"{rng.randint(0, 999):03d}"
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def account_number(record: RegistryRecord) -> str:
    """A 19-digit account number (printed on the permit, where a code reader must not take it)."""
    return _digits(record, 19, "account")


def _rows(record: RegistryRecord, kind: CertificateKind, rng: random.Random) -> list[_Row]:
    """The rows a certificate prints: key fields under labels drawn by ``rng``, and other fields."""
    name = _Row("name", rng.choice(_name_labels(record, kind)), record.name)
    code = _Row(
        "credit_code",
        rng.choice(("统一社会信用代码", "统一社会信用代码", "社会信用代码")),
        record.credit_code,
    )
    representative = _Row(
        "legal_representative", rng.choice(_representative_labels(record, kind)), record.legal_representative
    )
    address = _Row("other", rng.choice(("住所", "地址", "住所")), record.registered_address)
    match kind:
        case CertificateKind.REGISTRATION:
            scope = rng.choice(
                ("扶贫济困、助学助医、社会公益服务", "开展公益活动、接受社会捐赠", "医疗服务、健康教育")
            )
            others = [
                address,
                _Row("other", rng.choice(("成立日期", "登记日期")), _date(record)),
                _Row("other", rng.choice(("业务范围", "经营范围", "宗旨和业务范围")), scope),
                _Row("other", rng.choice(("有效期", "有效期限", "营业期限")), "长期"),
                _Row("other", "登记管理机关", record.account_location[:3] + "民政厅"),
            ]
            keys = [code, name, representative]
        case CertificateKind.LEGAL_PERSON:
            others = [
                address,
                _Row("other", "职务", _POSITIONS[record.org_type]),
                _Row("other", rng.choice(("身份证号码", "证件号码")), resident_id_number(record)),
            ]
            keys = [name, code, representative]
        case CertificateKind.ACCOUNT_PERMIT:
            digits = _digits(record, 13, "permit")
            others = [
                _Row("other", "核准号", f"J{digits}"),
                _Row("other", "编号", f"{digits[:4]}-{digits[4:12]}"),
                _Row("other", rng.choice(("账号", "账号", "账户号码")), account_number(record)),
            ]
            keys = [
                name,
                representative,
                _Row("account_bank", rng.choice(("开户银行", "开户银行", "开户行")), record.account_bank),
                _Row(
                    "account_location",
                    rng.choice(("开户地点", "开户地", "开户地点")),
                    record.account_location,
                ),
            ]
    rows = keys + others[: rng.randint(max(1, len(others) - 2), len(others))]
    head = rows[:1] if kind is CertificateKind.REGISTRATION and rng.random() < 0.5 else []
    rest = rows[len(head) :]
    rng.shuffle(rest)
    return head + rest


# -- drawing --------------------------------------------------------------------------------------


class _Canvas:
    def __init__(self, size: tuple[int, int], font: CertificateFont, rng: random.Random) -> None:
        self.page = Image.new("RGB", size, _PAPER)
        self.draw = ImageDraw.Draw(self.page)
        self.font_choice = font
        self.rng = rng
        self._fonts: dict[int, ImageFont.FreeTypeFont] = {}

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self._fonts:
            self._fonts[size] = ImageFont.truetype(
                str(self.font_choice.path), size, index=self.font_choice.face_index
            )
        return self._fonts[size]

    def width_of(self, text: str, size: int) -> float:
        return self.draw.textlength(text, font=self.font(size))

    def text(self, xy: tuple[float, float], text: str, size: int, fill: tuple[int, int, int] = _INK) -> None:
        self.draw.text(xy, text, font=self.font(size), fill=fill)

    def centred(self, y: float, text: str, size: int) -> None:
        self.text(((self.page.width - self.width_of(text, size)) / 2, y), text, size)

    def spaced_label(self, x: float, y: float, label: str, size: int, width: float) -> None:
        """A label justified to ``width`` (``名    称``), as many certificates print short labels."""
        if len(label) <= 1:
            self.text((x, y), label, size)
            return
        gap = (width - self.width_of(label, size)) / (len(label) - 1)
        for char in label:
            self.text((x, y), char, size)
            x += self.width_of(char, size) + gap

    def wrap(self, text: str, size: int, width: float) -> list[str]:
        lines, line = [], ""
        for char in text:
            if line and self.width_of(line + char, size) > width:
                lines.append(line)
                line = ""
            line += char
        return [*lines, line] if line else lines


def _colon(rng: random.Random) -> str:
    return rng.choice(("：", "：", ":", ""))


def _title(canvas: _Canvas, title: str, y: float, size: int) -> None:
    spaced = " ".join(title) if len(title) <= 5 else title
    canvas.centred(y, spaced, size)


def _draw_two_column(canvas: _Canvas, title: str, rows: list[_Row], rng: random.Random) -> float:
    width, _ = canvas.page.size
    size = rng.randint(26, 32)
    _title(canvas, title, 90, size * 2)
    spaced = rng.random() < 0.4
    colon = _colon(rng)
    labels = [row.label for row in rows]
    label_width = max(canvas.width_of(label, size) for label in labels)
    left = rng.randint(70, 110)
    value_x = left + label_width + canvas.width_of(colon or " ", size) + rng.randint(10, 30)
    value_width = width - value_x - 70
    y = 230.0
    for row in rows:
        if spaced and len(row.label) <= 4:
            canvas.spaced_label(left, y, row.label, size, label_width)
            canvas.text((left + label_width, y), colon, size)
        else:
            canvas.text((left, y), row.label + colon, size)
        for line in canvas.wrap(row.value, size, value_width):
            canvas.text((value_x, y), line, size)
            y += size * 1.45
        y += size * rng.uniform(0.35, 0.7)
    return y


def _draw_table(canvas: _Canvas, title: str, rows: list[_Row], rng: random.Random) -> float:
    width, _ = canvas.page.size
    size = rng.randint(24, 30)
    _title(canvas, title, 80, size * 2)
    left, right = 60, width - 60
    label_width = max(canvas.width_of(row.label, size) for row in rows) + 30
    y = 200.0
    canvas.draw.line((left, y, right, y), fill=_INK, width=2)
    index = 0
    while index < len(rows):
        row = rows[index]
        pair = (
            index + 1 < len(rows)
            and len(row.value) <= 8
            and len(rows[index + 1].value) <= 10
            and (right - left) / 2 - label_width - 30 >= size * 10
            and rng.random() < 0.6
        )
        cells = [row, rows[index + 1]] if pair else [row]
        cell_width = (right - left) / len(cells)
        wrapped = [canvas.wrap(cell.value, size, cell_width - label_width - 30) for cell in cells]
        height = max(len(lines) for lines in wrapped) * size * 1.35 + size * 0.9
        for position, (cell, lines) in enumerate(zip(cells, wrapped, strict=True)):
            x = left + position * cell_width
            canvas.text((x + 12, y + (height - size) / 2), cell.label, size)
            canvas.draw.line((x + label_width, y, x + label_width, y + height), fill=_INK, width=1)
            top = y + (height - len(lines) * size * 1.35) / 2 + 0.15 * size
            for line in lines:
                canvas.text((x + label_width + 14, top), line, size)
                top += size * 1.35
            if position:
                canvas.draw.line((x, y, x, y + height), fill=_INK, width=1)
        y += height
        canvas.draw.line((left, y, right, y), fill=_INK, width=2)
        index += len(cells)
    canvas.draw.line((left, 200, left, y), fill=_INK, width=2)
    canvas.draw.line((right, 200, right, y), fill=_INK, width=2)
    return y + 20


def _sentence(record: RegistryRecord, kind: CertificateKind, rng: random.Random) -> str:
    match kind:
        case CertificateKind.ACCOUNT_PERMIT:
            return f"经审核，{record.name}符合开户条件，准予开立基本存款账户。"
        case CertificateKind.LEGAL_PERSON:
            position = _POSITIONS[record.org_type]
            return rng.choice(
                (
                    f"兹证明{record.legal_representative}同志，在我单位任{position}职务，系{record.name}的法定代表人。",
                    f"兹证明{record.legal_representative}系{record.name}的法定代表人，特此证明。",
                )
            )
        case CertificateKind.REGISTRATION:
            return f"经审查，{record.name}符合登记条件，准予登记，特发此证。"
    raise AssertionError(f"unhandled certificate kind {kind}")  # pragma: no cover


def _draw_sentence(
    canvas: _Canvas,
    title: str,
    rows: list[_Row],
    record: RegistryRecord,
    kind: CertificateKind,
    rng: random.Random,
) -> float:
    width, _ = canvas.page.size
    size = rng.randint(26, 31)
    _title(canvas, title, 90, size * 2)
    left = rng.randint(70, 100)
    y = 230.0
    sentence_keys = {"name"} | ({"legal_representative"} if kind is CertificateKind.LEGAL_PERSON else set())
    text = _sentence(record, kind, rng)
    lines = canvas.wrap("\u3000\u3000" + text, size, width - 2 * left)
    for line in lines:
        canvas.text((left, y), line.replace("\u3000", "  "), size)
        y += size * 1.6
    y += size * 0.8
    colon = _colon(rng) or "："
    for row in rows:
        if row.key in sentence_keys:
            continue
        for line in canvas.wrap(row.label + colon + row.value, size, width - 2 * left):
            canvas.text((left, y), line, size)
            y += size * 1.5
        y += size * 0.3
    return y


def _draw_landscape(canvas: _Canvas, title: str, rows: list[_Row], rng: random.Random) -> float:
    width, height = canvas.page.size
    size = rng.randint(22, 27)
    code = next((row for row in rows if row.key == "credit_code"), None)
    if code is not None:
        if rng.random() < 0.5:
            canvas.text((70, 60), code.label, size - 2)
            canvas.text((70, 60 + size * 1.3), code.value, size)
        else:
            canvas.text((70, 70), f"{code.label}：{code.value}", size - 2)
    _title(canvas, title, 130, size * 2 + 8)
    rest = [row for row in rows if row is not code]
    half = (len(rest) + 1) // 2
    columns = (rest[:half], rest[half:])
    column_width = (width - 160) / 2
    bottom = 0.0
    colon = _colon(rng)
    for column, column_rows in enumerate(columns):
        x = 80 + column * column_width
        labels = [row.label for row in column_rows] or ["名称"]
        label_width = max(canvas.width_of(label + colon, size) for label in labels) + 16
        y = 260.0
        for row in column_rows:
            canvas.text((x, y), row.label + colon, size)
            for line in canvas.wrap(row.value, size, column_width - label_width - 30):
                canvas.text((x + label_width, y), line, size)
                y += size * 1.4
            y += size * 0.6
        bottom = max(bottom, y)
    # a QR code's place at the top right
    qr = 110
    canvas.draw.rectangle((width - 80 - qr, 50, width - 80, 50 + qr), outline=_INK, width=3)
    for i in range(9):
        for j in range(9):
            if canvas.rng.random() < 0.45:
                x0, y0 = width - 80 - qr + 6 + i * 11, 56 + j * 11
                canvas.draw.rectangle((x0, y0, x0 + 10, y0 + 10), fill=_INK)
    del height
    return bottom


def _seal(
    size: tuple[int, int], centre: tuple[float, float], text: str, font: CertificateFont, rng: random.Random
) -> Image.Image:
    """A red seal on a white layer (multiplied onto the page, so the text under it stays visible)."""
    layer = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    x, y = centre
    radius = rng.randint(85, 110)
    colour = (rng.randint(200, 235), rng.randint(30, 80), rng.randint(30, 80))
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=colour, width=rng.randint(4, 7))
    outer, inner = radius * 0.3, radius * 0.12
    star = [
        (
            x + (outer if i % 2 == 0 else inner) * math.sin(math.pi * i / 5),
            y - (outer if i % 2 == 0 else inner) * math.cos(math.pi * i / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=colour)
    text_font = ImageFont.truetype(str(font.path), max(14, radius // 5), index=font.face_index)
    chars = list(text[:18])
    span = math.radians(220)
    for position, char in enumerate(chars):
        angle = -span / 2 + span * position / max(len(chars) - 1, 1)
        cx = x + (radius - radius // 4) * math.sin(angle)
        cy = y - (radius - radius // 4) * math.cos(angle)
        glyph = Image.new("L", (radius // 3, radius // 3), 0)
        ImageDraw.Draw(glyph).text((2, 0), char, font=text_font, fill=255)
        rotated = glyph.rotate(-math.degrees(angle), resample=Image.Resampling.BICUBIC)
        layer.paste(
            Image.new("RGB", rotated.size, colour),
            (int(cx - rotated.width / 2), int(cy - rotated.height / 2)),
            rotated,
        )
    return layer


def render_clean(
    record: RegistryRecord, kind: CertificateKind, style: CertificateStyle = CertificateStyle()
) -> Image.Image:
    """The certificate as a clean scan (RGB): ``style``'s layout, font and wording, a seal over the text."""
    rng = random.Random(f"{style.wording_seed}:{record.credit_code}:{kind.value}:{style.layout.value}")
    size = LANDSCAPE if style.layout is Layout.LANDSCAPE else PORTRAIT
    canvas = _Canvas(size, style.font, rng)
    width, height = size
    border = (190, 40, 40) if kind is CertificateKind.REGISTRATION else (60, 60, 120)
    if rng.random() < 0.8:
        canvas.draw.rectangle((22, 22, width - 23, height - 23), outline=border, width=5)
        canvas.draw.rectangle((36, 36, width - 37, height - 37), outline=border, width=2)
    title = certificate_title(record, kind)
    rows = _rows(record, kind, rng)
    match style.layout:
        case Layout.TWO_COLUMN:
            bottom = _draw_two_column(canvas, title, rows, rng)
        case Layout.TABLE_GRID:
            bottom = _draw_table(canvas, title, rows, rng)
        case Layout.SENTENCE:
            bottom = _draw_sentence(canvas, title, rows, record, kind, rng)
        case Layout.LANDSCAPE:
            bottom = _draw_landscape(canvas, title, rows, rng)
    issuer = (
        f"{record.account_location[:3]}登记管理机关"
        if kind is CertificateKind.REGISTRATION
        else record.name
        if kind is CertificateKind.LEGAL_PERSON
        else f"中国人民银行{record.account_location[:3]}分行"
    )
    date_size = 24
    date_y = min(height - 90, bottom + 60)
    canvas.text((width - 330, date_y), _date(record), date_size)
    # The seal sits over the date and issuer, and often over the last rows of text as well.
    seal_y = date_y - rng.uniform(0, 140) if rng.random() < 0.5 else date_y
    seal = _seal(size, (width - 240 + rng.uniform(-60, 30), seal_y), issuer, style.font, rng)
    return ImageChops.multiply(canvas.page, seal)


# -- degradations ---------------------------------------------------------------------------------


def _gaussian_noise(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    """Zero-mean gaussian noise centred on grey 128, from uniform bytes through the inverse CDF."""
    normal = NormalDist(0.0, sigma)
    table = [max(0, min(255, round(128 + normal.inv_cdf((u + 0.5) / 256)))) for u in range(256)]
    uniform = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    return uniform.point(table)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def _perspective(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    shift = [(rng.uniform(0, 0.06) * width, rng.uniform(0, 0.06) * height) for _ in range(4)]
    # Where each corner of the output comes from in the input (PIL's QUAD transform).
    quad = (
        -shift[0][0], -shift[0][1],
        -shift[1][0], height + shift[1][1],
        width + shift[2][0], height + shift[2][1],
        width + shift[3][0], -shift[3][1],
    )  # fmt: skip
    return image.transform(
        image.size, Image.Transform.QUAD, quad, resample=Image.Resampling.BICUBIC, fillcolor=(120, 110, 100)
    )


def _uneven_light(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    low = rng.uniform(0.5, 0.75)
    horizontal = rng.random() < 0.5
    steps = width if horizontal else height
    ramp = Image.linear_gradient("L").resize((256, 256))
    gradient = ramp.rotate(90 if horizontal else 0).resize((width, height))
    if rng.random() < 0.5:
        gradient = gradient.transpose(
            Image.Transpose.FLIP_TOP_BOTTOM if not horizontal else Image.Transpose.FLIP_LEFT_RIGHT
        )
    light = gradient.point(lambda value: round(255 * (low + (1 - low) * value / 255)))
    shadow = Image.new("L", image.size, 255)
    draw = ImageDraw.Draw(shadow)
    x, y = rng.uniform(0, width), rng.uniform(0, height)
    r = rng.uniform(0.2, 0.4) * max(width, height)
    draw.ellipse((x - r, y - r, x + r, y + r), fill=round(255 * rng.uniform(0.7, 0.85)))
    shadow = shadow.filter(ImageFilter.GaussianBlur(r / 3))
    del steps
    return ImageChops.multiply(image, ImageChops.multiply(light, shadow).convert("RGB"))


def _noise(image: Image.Image, rng: random.Random) -> Image.Image:
    noise = _gaussian_noise(image.size, sigma=rng.uniform(10, 20), rng=rng).convert("RGB")
    noisy = ImageChops.add(image, noise, scale=1.0, offset=-128)
    draw = ImageDraw.Draw(noisy)
    width, height = noisy.size
    for _ in range(rng.randint(150, 400)):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.choice((1, 1, 1, 2))
        shade = rng.randint(0, 90)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(shade, shade, shade))
    return noisy


def degrade(image: Image.Image, degradations: Sequence[Degradation], rng: random.Random) -> Image.Image:
    """Apply ``degradations`` in the order a real upload suffers them: light, geometry, sensor, file."""
    order = list(Degradation)
    result = image.convert("RGB")
    for degradation in sorted(set(degradations), key=order.index):
        match degradation:
            case Degradation.UNEVEN_LIGHT:
                result = _uneven_light(result, rng)
            case Degradation.PERSPECTIVE:
                result = _perspective(result, rng)
            case Degradation.SKEW:
                angle = rng.uniform(0.7, 4.0) * rng.choice((-1, 1))
                result = result.rotate(
                    angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(245, 245, 245)
                )
            case Degradation.ROTATE_90:
                result = result.transpose(Image.Transpose.ROTATE_90)
            case Degradation.ROTATE_180:
                result = result.transpose(Image.Transpose.ROTATE_180)
            case Degradation.ROTATE_270:
                result = result.transpose(Image.Transpose.ROTATE_270)
            case Degradation.LOW_DPI:
                scale = rng.uniform(0.4, 0.55)
                result = result.resize(
                    (round(result.width * scale), round(result.height * scale)), Image.Resampling.BILINEAR
                )
            case Degradation.BLUR:
                result = result.filter(ImageFilter.GaussianBlur(rng.uniform(0.7, 1.4)))
            case Degradation.NOISE:
                result = _noise(result, rng)
            case Degradation.JPEG:
                result = _jpeg(result, rng.randint(18, 35))
    return result


_QUALITY = (
    Degradation.BLUR,
    Degradation.NOISE,
    Degradation.JPEG,
    Degradation.UNEVEN_LIGHT,
    Degradation.LOW_DPI,
)
_TURNS = (Degradation.ROTATE_90, Degradation.ROTATE_180, Degradation.ROTATE_270)


def random_degradations(rng: random.Random) -> tuple[Degradation, ...]:
    """A plausible mix for one upload: one or two quality losses, often a turn, a skew or a slant."""
    chosen = set(rng.sample(_QUALITY, rng.randint(1, 2)))
    if rng.random() < 0.5:
        chosen.add(rng.choice(_TURNS))
    if rng.random() < 0.5:
        chosen.add(Degradation.SKEW)
    elif rng.random() < 0.4:
        chosen.add(Degradation.PERSPECTIVE)
    return tuple(sorted(chosen, key=list(Degradation).index))


def render_certificate(
    record: RegistryRecord,
    kind: CertificateKind,
    style: CertificateStyle = CertificateStyle(),
    degradations: Sequence[Degradation] = (),
    seed: int = 0,
) -> Image.Image:
    """The certificate of ``kind`` for ``record`` in ``style``, spoilt by ``degradations``.

    Deterministic: the degradations' randomness is drawn from ``seed``, the record and the kind.
    """
    page = render_clean(record, kind, style)
    if not degradations:
        return page
    rng = random.Random(f"{seed}:{record.credit_code}:{kind.value}:{','.join(degradations)}")
    return degrade(page, degradations, rng)


def encode(image: Image.Image, degradations: Sequence[Degradation] = ()) -> bytes:
    """The image as the file an applicant would upload: JPEG when degraded by JPEG, PNG otherwise."""
    buffer = io.BytesIO()
    if Degradation.JPEG in degradations:
        image.save(buffer, format="JPEG", quality=95)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def write_certificates(
    record: RegistryRecord,
    directory: Path,
    style: CertificateStyle = CertificateStyle(),
    degradations: Sequence[Degradation] = (),
    seed: int = 0,
    kinds: Sequence[CertificateKind] = tuple(CertificateKind),
) -> list[Path]:
    """Render and save the certificates of ``record`` into ``directory``; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for kind in kinds:
        data = encode(render_certificate(record, kind, style, degradations, seed), degradations)
        suffix = "jpg" if Degradation.JPEG in degradations else "png"
        path = (
            directory / f"{record.credit_code}-{kind.value}-{style.layout.value}-{style.font.value}.{suffix}"
        )
        path.write_bytes(data)
        paths.append(path)
    return paths
