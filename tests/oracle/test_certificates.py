"""oracle/registry/certificates.py: certificate images in four layouts and six fonts, degraded on
demand, split into tuning and held-out looks."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from oracle.registry.certificates import (
    LANDSCAPE,
    PORTRAIT,
    CertificateFont,
    CertificateKind,
    CertificateStyle,
    Degradation,
    Layout,
    Split,
    account_number,
    certificate_title,
    combinations,
    missing_fonts,
    random_degradations,
    render_certificate,
    resident_id_number,
    write_certificates,
)
from oracle.registry.dataset import generate_registry
from oracle.registry.records import OrgType, RegistryRecord

pytestmark = pytest.mark.skipif(bool(missing_fonts()), reason="needs the CJK fonts scripts/setup installs")


@pytest.fixture(scope="module")
def record() -> RegistryRecord:
    return generate_registry(10)[5]


def _fingerprint(image: Image.Image) -> str:
    return hashlib.sha256(image.tobytes()).hexdigest()


def _difference(a: Image.Image, b: Image.Image) -> float:
    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean))


def test_the_splits_share_no_layout_font_pair_but_every_layout_and_font() -> None:
    tuning, held_out = set(combinations(Split.TUNING)), set(combinations(Split.HELD_OUT))
    assert not tuning & held_out
    assert len(tuning | held_out) == len(Layout) * len(CertificateFont)
    for split in (tuning, held_out):
        assert {layout for layout, _ in split} == set(Layout)
        assert {font for _, font in split} == set(CertificateFont)
    assert len(CertificateFont) >= 5


@pytest.mark.parametrize("layout", list(Layout))
def test_each_layout_draws_a_page_of_its_own_shape(record: RegistryRecord, layout: Layout) -> None:
    page = render_certificate(record, CertificateKind.ACCOUNT_PERMIT, CertificateStyle(layout))
    assert page.size == (LANDSCAPE if layout is Layout.LANDSCAPE else PORTRAIT)
    assert page.mode == "RGB"
    darkest, _ = page.convert("L").getextrema()
    assert darkest < 60
    red, green, blue = page.split()
    seal = ImageChops.subtract(red, ImageChops.lighter(green, blue)).point(lambda v: 255 if v > 60 else 0)
    assert ImageStat.Stat(seal).mean[0] > 0.2  # some of the page is seal red


def test_fonts_and_wording_seeds_change_the_page(record: RegistryRecord) -> None:
    kind = CertificateKind.REGISTRATION
    base = render_certificate(
        record, kind, CertificateStyle(Layout.TWO_COLUMN, CertificateFont.WQY_ZENHEI, 1)
    )
    again = render_certificate(
        record, kind, CertificateStyle(Layout.TWO_COLUMN, CertificateFont.WQY_ZENHEI, 1)
    )
    other_font = render_certificate(
        record, kind, CertificateStyle(Layout.TWO_COLUMN, CertificateFont.AR_PL_UKAI, 1)
    )
    other_words = render_certificate(
        record, kind, CertificateStyle(Layout.TWO_COLUMN, CertificateFont.WQY_ZENHEI, 2)
    )
    assert _fingerprint(base) == _fingerprint(again)
    assert _fingerprint(base) != _fingerprint(other_font)
    assert _fingerprint(base) != _fingerprint(other_words)


@pytest.mark.parametrize(
    ("degradation", "size"),
    [
        (Degradation.ROTATE_90, "turned"),
        (Degradation.ROTATE_180, "same"),
        (Degradation.ROTATE_270, "turned"),
        (Degradation.LOW_DPI, "half"),
    ],
)
def test_geometric_degradations_change_the_size_as_named(
    record: RegistryRecord, degradation: Degradation, size: str
) -> None:
    clean = render_certificate(record, CertificateKind.LEGAL_PERSON)
    spoilt = render_certificate(record, CertificateKind.LEGAL_PERSON, degradations=(degradation,), seed=1)
    width, height = clean.size
    expected = {"turned": (height, width), "same": (width, height), "half": (width // 2, height // 2)}[size]
    assert abs(spoilt.width - expected[0]) <= 0.1 * clean.width
    assert abs(spoilt.height - expected[1]) <= 0.1 * clean.height
    if degradation is Degradation.ROTATE_180:
        assert _fingerprint(spoilt) == _fingerprint(clean.transpose(Image.Transpose.ROTATE_180))


@pytest.mark.parametrize(
    "degradation",
    [
        Degradation.BLUR,
        Degradation.NOISE,
        Degradation.JPEG,
        Degradation.UNEVEN_LIGHT,
        Degradation.PERSPECTIVE,
    ],
)
def test_image_degradations_are_deterministic_and_visible(
    record: RegistryRecord, degradation: Degradation
) -> None:
    clean = render_certificate(record, CertificateKind.REGISTRATION)
    first = render_certificate(record, CertificateKind.REGISTRATION, degradations=(degradation,), seed=3)
    again = render_certificate(record, CertificateKind.REGISTRATION, degradations=(degradation,), seed=3)
    assert _fingerprint(first) == _fingerprint(again)
    assert first.size == clean.size
    assert _difference(clean, first) > 0.5


def test_skew_turns_the_page_by_a_few_degrees(record: RegistryRecord) -> None:
    clean = render_certificate(record, CertificateKind.REGISTRATION)
    skewed = render_certificate(
        record, CertificateKind.REGISTRATION, degradations=(Degradation.SKEW,), seed=3
    )
    assert clean.width < skewed.width < clean.width * 1.1


def test_random_degradations_mix_quality_losses_and_turns() -> None:
    rng = random.Random(4)
    drawn = [random_degradations(rng) for _ in range(60)]
    assert all(
        1
        <= len(
            set(mix)
            & {
                Degradation.BLUR,
                Degradation.NOISE,
                Degradation.JPEG,
                Degradation.UNEVEN_LIGHT,
                Degradation.LOW_DPI,
            }
        )
        <= 2
        for mix in drawn
    )
    assert {Degradation.ROTATE_90, Degradation.ROTATE_180, Degradation.ROTATE_270} <= {
        d for mix in drawn for d in mix
    }


def test_the_registration_certificate_is_titled_by_the_kind_of_institution() -> None:
    registry = generate_registry(200)
    titles = {
        (record.org_type, record.non_profit, record.credit_code[:2]): certificate_title(
            record, CertificateKind.REGISTRATION
        )
        for record in registry
    }
    assert titles[(OrgType.FOUNDATION, True, "53")] == "基金会法人登记证书"
    assert titles[(OrgType.SOCIAL_ORGANIZATION, True, "51")] == "社会团体法人登记证书"
    assert titles[(OrgType.SOCIAL_ORGANIZATION, True, "52")] == "民办非企业单位登记证书"
    assert titles[(OrgType.HOSPITAL, True, "12")] == "事业单位法人证书"
    assert titles[(OrgType.HOSPITAL, False, "91")] == "营业执照"
    assert certificate_title(registry[0], CertificateKind.ACCOUNT_PERMIT) == "开户许可证"


def test_the_distractor_numbers_are_what_they_claim(record: RegistryRecord) -> None:
    from oracle.aid.resident_id import is_well_formed as is_valid

    assert is_valid(resident_id_number(record))
    assert len(account_number(record)) == 19
    assert account_number(record).isdigit()


def test_write_certificates_saves_one_file_per_kind(tmp_path: Path, record: RegistryRecord) -> None:
    style = CertificateStyle(Layout.TABLE_GRID, CertificateFont.NOTO_SANS_CJK)
    clean = write_certificates(record, tmp_path, style)
    spoilt = write_certificates(
        record, tmp_path, style, (Degradation.JPEG,), kinds=[CertificateKind.ACCOUNT_PERMIT]
    )
    assert [path.name for path in clean] == [
        f"{record.credit_code}-{kind.value}-table_grid-noto_sans_cjk.png" for kind in CertificateKind
    ]
    assert [path.suffix for path in spoilt] == [".jpg"]
    with Image.open(spoilt[0]) as image:
        assert image.format == "JPEG"
        assert image.size == PORTRAIT
