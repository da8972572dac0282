"""Render an institution's certificates from its registry record, clean or as a poor scan.

Onboarding reads the *first key information* from certificate images by OCR; tests and the OCR
benchmark need such images with a known truth, and real certificates cannot be shipped. These are laid
out like the Chinese originals (title, "label：value" lines, a red seal) with the WenQuanYi Zen Hei
font, and can be degraded the ways uploads are: sensor noise and speckles, slight blur and JPEG
artefacts, a few degrees of rotation, or low resolution. Everything is drawn from a seeded
``random.Random`` (Pillow's own noise generator is not seedable), so the same seed gives the same
pixels.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from statistics import NormalDist

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from oracle.registry.records import OrgType, RegistryRecord

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
"""The CJK font the certificates are drawn with (Debian package ``fonts-wqy-zenhei``)."""

PAGE_SIZE = (1240, 877)
"""A4 landscape at about 105 dpi: the size a phone photo or office scan of a certificate is read at."""

_PAPER = (250, 248, 240)
_INK = (25, 25, 25)
_SEAL = (200, 30, 30)
_FIELD_SIZE = 32
_TITLE_SIZE = 56


class CertificateKind(StrEnum):
    """The three documents an institution uploads at onboarding."""

    REGISTRATION = "registration"
    """Registration certificate (登记证书 / 营业执照 / 事业单位法人证书)."""
    LEGAL_PERSON = "legal_person"
    """Legal-person identification page (法定代表人身份证明书)."""
    ACCOUNT_PERMIT = "account_permit"
    """Account-opening permit (开户许可证)."""


class Distortion(StrEnum):
    """How an image departs from a clean scan."""

    CLEAN = "clean"
    NOISY = "noisy"
    """Gaussian noise, speckles, slight blur and JPEG artefacts."""
    ROTATED = "rotated"
    """Turned by 1.5-4 degrees either way, as when a page is photographed slightly askew."""
    LOW_RES = "low_res"
    """Downscaled to about half size, as a thumbnail or a distant photo."""


_REGISTRATION_TITLES: dict[OrgType, str] = {
    OrgType.FOUNDATION: "基金会法人登记证书",
    OrgType.SOCIAL_ORGANIZATION: "社会组织法人登记证书",
    OrgType.GOVERNMENT_AGENCY: "统一社会信用代码证书",
    OrgType.LOCAL_GOVERNMENT: "统一社会信用代码证书",
    OrgType.HOSPITAL: "事业单位法人证书",
    OrgType.ENTERPRISE: "营业执照",
    OrgType.LOGISTICS: "营业执照",
}

_POSITIONS: dict[OrgType, str] = {
    OrgType.FOUNDATION: "理事长",
    OrgType.SOCIAL_ORGANIZATION: "会长",
    OrgType.GOVERNMENT_AGENCY: "局长",
    OrgType.LOCAL_GOVERNMENT: "主任",
    OrgType.HOSPITAL: "院长",
    OrgType.ENTERPRISE: "总经理",
    OrgType.LOGISTICS: "执行董事",
}


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size, index=0)


def certificate_title(record: RegistryRecord, kind: CertificateKind) -> str:
    """The title printed at the top: the registration certificate's depends on the kind of institution."""
    match kind:
        case CertificateKind.REGISTRATION:
            if record.org_type is OrgType.HOSPITAL and not record.non_profit:
                return "营业执照"
            return _REGISTRATION_TITLES[record.org_type]
        case CertificateKind.LEGAL_PERSON:
            return "法定代表人身份证明书"
        case CertificateKind.ACCOUNT_PERMIT:
            return "开户许可证"
    raise AssertionError(f"unhandled certificate kind {kind}")  # pragma: no cover


def certificate_lines(record: RegistryRecord, kind: CertificateKind) -> list[tuple[str, str]]:
    """The ``(label, value)`` lines printed on a certificate; an empty label is a line of prose.

    The labels are the ones printed on the real documents, so the OCR parser is tested against the
    wording it will meet (法定代表人（单位负责人）on the permit, 住所 on the certificate).
    """
    digits = str(int(record.digest().hex()[:12], 16)).zfill(16)[:16]
    match kind:
        case CertificateKind.REGISTRATION:
            return [
                ("统一社会信用代码", record.credit_code),
                ("名称", record.name),
                ("住所", record.registered_address),
                ("法定代表人", record.legal_representative),
                (
                    "成立日期",
                    f"{record.registered_on.year}年{record.registered_on.month}月{record.registered_on.day}日",
                ),
            ]
        case CertificateKind.LEGAL_PERSON:
            return [
                ("单位名称", record.name),
                ("统一社会信用代码", record.credit_code),
                ("住所", record.registered_address),
                ("法定代表人", record.legal_representative),
                ("职务", _POSITIONS[record.org_type]),
                ("", f"兹证明{record.legal_representative}同志系本单位法定代表人。"),
                ("", "特此证明。"),
            ]
        case CertificateKind.ACCOUNT_PERMIT:
            return [
                ("核准号", f"J{digits[:13]}"),
                ("编号", f"{digits[:4]}-{digits[4:12]}"),
                ("", "经审核，下列存款人符合开户条件，准予开立基本存款账户。"),
                ("名称", record.name),
                ("法定代表人（单位负责人）", record.legal_representative),
                ("开户银行", record.account_bank),
                ("开户地", record.account_location),
                ("账号", " ".join(digits[i : i + 4] for i in range(0, 16, 4))),
            ]
    raise AssertionError(f"unhandled certificate kind {kind}")  # pragma: no cover


def _draw_seal(draw: ImageDraw.ImageDraw, centre: tuple[int, int], text: str) -> None:
    x, y = centre
    radius = 95
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=_SEAL, width=6)
    outer, inner = 30, 12
    star = [
        (
            x + (outer if i % 2 == 0 else inner) * math.sin(math.pi * i / 5),
            y - 15 - (outer if i % 2 == 0 else inner) * math.cos(math.pi * i / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=_SEAL)
    size = 22
    while size > 10 and draw.textlength(text, font=_font(size)) > 1.5 * radius:
        size -= 1
    font = _font(size)
    draw.text((x - draw.textlength(text, font=font) / 2, y + 30), text, font=font, fill=_SEAL)


def render_clean(record: RegistryRecord, kind: CertificateKind) -> Image.Image:
    """The certificate as a clean scan (RGB)."""
    page = Image.new("RGB", PAGE_SIZE, _PAPER)
    draw = ImageDraw.Draw(page)
    width, height = PAGE_SIZE
    border = (200, 40, 40) if kind is CertificateKind.REGISTRATION else (60, 60, 120)
    draw.rectangle((24, 24, width - 25, height - 25), outline=border, width=6)
    draw.rectangle((40, 40, width - 41, height - 41), outline=border, width=2)

    title_font = _font(_TITLE_SIZE)
    title = certificate_title(record, kind)
    spaced = " ".join(title) if len(title) <= 5 else title
    draw.text(
        ((width - draw.textlength(spaced, font=title_font)) / 2, 80), spaced, font=title_font, fill=_INK
    )

    font = _font(_FIELD_SIZE)
    labels = [label for label, _ in certificate_lines(record, kind) if label]
    value_x = 110 + max(draw.textlength(label + "：", font=font) for label in labels) + 16
    y = 200
    for label, value in certificate_lines(record, kind):
        if label:
            draw.text((110, y), label + "：", font=font, fill=_INK)
            draw.text((value_x, y), value, font=font, fill=_INK)
        else:
            draw.text((110, y), value, font=font, fill=_INK)
        y += int(_FIELD_SIZE * 1.75)

    issuer = f"{record.account_location}登记管理机关" if kind is CertificateKind.REGISTRATION else record.name
    _draw_seal(draw, (width - 230, height - 150), issuer)
    date_font = _font(26)
    date = f"{record.registered_on.year}年{record.registered_on.month}月{record.registered_on.day}日"
    draw.text((width - 330, height - 90), date, font=date_font, fill=_INK)
    return page


def _gaussian_noise(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    """Zero-mean gaussian noise centred on grey 128, from uniform bytes through the inverse CDF."""
    normal = NormalDist(0.0, sigma)
    table = [max(0, min(255, round(128 + normal.inv_cdf((u + 0.5) / 256)))) for u in range(256)]
    uniform = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    return uniform.point(table)


def _add_noise(image: Image.Image, rng: random.Random) -> Image.Image:
    noise = _gaussian_noise(image.size, sigma=rng.uniform(12, 22), rng=rng).convert("RGB")
    noisy = ImageChops.add(image, noise, scale=1.0, offset=-128)
    draw = ImageDraw.Draw(noisy)
    width, height = noisy.size
    for _ in range(rng.randint(250, 500)):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.choice((1, 1, 1, 2))
        shade = rng.randint(0, 90)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(shade, shade, shade))
    blurred = noisy.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.8)))
    buffer = io.BytesIO()
    blurred.save(buffer, format="JPEG", quality=rng.randint(30, 45))
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def distort(image: Image.Image, distortion: Distortion, rng: random.Random) -> Image.Image:
    """Apply one :class:`Distortion` to a rendered page."""
    match distortion:
        case Distortion.CLEAN:
            return image.copy()
        case Distortion.NOISY:
            return _add_noise(image, rng)
        case Distortion.ROTATED:
            angle = rng.uniform(1.5, 4.0) * rng.choice((-1, 1))
            return image.rotate(
                angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255)
            )
        case Distortion.LOW_RES:
            scale = rng.uniform(0.45, 0.55)
            size = (round(image.width * scale), round(image.height * scale))
            return image.resize(size, Image.Resampling.BILINEAR)
    raise AssertionError(f"unhandled distortion {distortion}")  # pragma: no cover


def render_certificate(
    record: RegistryRecord, kind: CertificateKind, distortion: Distortion = Distortion.CLEAN, seed: int = 0
) -> Image.Image:
    """The certificate of ``kind`` for ``record``, degraded by ``distortion``; deterministic in ``seed``."""
    rng = random.Random(f"{seed}:{record.credit_code}:{kind.value}:{distortion.value}")
    return distort(render_clean(record, kind), distortion, rng)


def write_certificates(
    record: RegistryRecord,
    directory: Path,
    distortion: Distortion = Distortion.CLEAN,
    seed: int = 0,
    kinds: Sequence[CertificateKind] = tuple(CertificateKind),
) -> list[Path]:
    """Render and save the certificates of ``record`` into ``directory``; returns the files written.

    Clean, rotated and low-resolution pages are saved as PNG; noisy ones are already JPEG-degraded
    and are saved as high-quality JPEG so the file keeps exactly those artefacts.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for kind in kinds:
        image = render_certificate(record, kind, distortion, seed)
        suffix = "jpg" if distortion is Distortion.NOISY else "png"
        path = directory / f"{record.credit_code}-{kind.value}-{distortion.value}.{suffix}"
        if suffix == "jpg":
            image.save(path, format="JPEG", quality=95)
        else:
            image.save(path, format="PNG")
        paths.append(path)
    return paths
