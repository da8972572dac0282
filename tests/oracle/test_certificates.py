"""Certificate images rendered from registry records: content, variants, determinism."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from oracle.registry.certificates import (
    FONT_PATH,
    PAGE_SIZE,
    CertificateKind,
    Distortion,
    certificate_lines,
    certificate_title,
    render_certificate,
    write_certificates,
)
from oracle.registry.dataset import generate_registry
from oracle.registry.records import OrgType, RegistryRecord

pytestmark = pytest.mark.skipif(not FONT_PATH.exists(), reason="needs the Debian package fonts-wqy-zenhei")


@pytest.fixture(scope="module")
def record() -> RegistryRecord:
    return generate_registry(10)[5]


def _fingerprint(image: Image.Image) -> str:
    return hashlib.sha256(image.tobytes()).hexdigest()


def _difference(a: Image.Image, b: Image.Image) -> float:
    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean))


@pytest.mark.parametrize("kind", list(CertificateKind))
def test_each_certificate_prints_the_fields_it_carries(record: RegistryRecord, kind: CertificateKind) -> None:
    printed = dict(certificate_lines(record, kind))
    expected = {
        CertificateKind.REGISTRATION: {"统一社会信用代码": record.credit_code, "名称": record.name},
        CertificateKind.LEGAL_PERSON: {"统一社会信用代码": record.credit_code, "单位名称": record.name},
        CertificateKind.ACCOUNT_PERMIT: {
            "名称": record.name,
            "开户银行": record.account_bank,
            "开户地": record.account_location,
            "法定代表人（单位负责人）": record.legal_representative,
        },
    }[kind]
    assert expected.items() <= printed.items()


@pytest.mark.parametrize("distortion", list(Distortion))
def test_rendering_is_deterministic_in_the_seed(record: RegistryRecord, distortion: Distortion) -> None:
    first = render_certificate(record, CertificateKind.REGISTRATION, distortion, seed=3)
    again = render_certificate(record, CertificateKind.REGISTRATION, distortion, seed=3)
    assert _fingerprint(first) == _fingerprint(again)
    if distortion is not Distortion.CLEAN:
        other = render_certificate(record, CertificateKind.REGISTRATION, distortion, seed=4)
        assert _fingerprint(first) != _fingerprint(other)


def test_the_clean_page_is_a_landscape_a4_with_dark_text(record: RegistryRecord) -> None:
    page = render_certificate(record, CertificateKind.ACCOUNT_PERMIT)
    assert page.size == PAGE_SIZE
    assert page.mode == "RGB"
    darkest, _ = page.convert("L").getextrema()
    assert darkest < 60


def test_the_variants_degrade_the_page_as_named(record: RegistryRecord) -> None:
    clean = render_certificate(record, CertificateKind.REGISTRATION)
    noisy = render_certificate(record, CertificateKind.REGISTRATION, Distortion.NOISY)
    rotated = render_certificate(record, CertificateKind.REGISTRATION, Distortion.ROTATED)
    low_res = render_certificate(record, CertificateKind.REGISTRATION, Distortion.LOW_RES)
    assert noisy.size == clean.size
    assert _difference(clean, noisy) > 5
    assert rotated.width > clean.width
    assert rotated.height > clean.height
    assert 0.4 * clean.width < low_res.width < 0.6 * clean.width


def test_the_registration_certificate_is_titled_by_the_kind_of_institution() -> None:
    registry = generate_registry(200)
    titles = {
        (record.org_type, record.non_profit): certificate_title(record, CertificateKind.REGISTRATION)
        for record in registry
    }
    assert titles[(OrgType.FOUNDATION, True)] == "基金会法人登记证书"
    assert titles[(OrgType.HOSPITAL, True)] == "事业单位法人证书"
    assert titles[(OrgType.HOSPITAL, False)] == "营业执照"
    assert titles[(OrgType.LOGISTICS, False)] == "营业执照"
    assert certificate_title(registry[0], CertificateKind.ACCOUNT_PERMIT) == "开户许可证"


def test_write_certificates_saves_one_file_per_kind(tmp_path: Path, record: RegistryRecord) -> None:
    clean = write_certificates(record, tmp_path, Distortion.CLEAN)
    noisy = write_certificates(record, tmp_path, Distortion.NOISY, kinds=[CertificateKind.ACCOUNT_PERMIT])
    assert [path.name for path in clean] == [
        f"{record.credit_code}-{kind.value}-clean.png" for kind in CertificateKind
    ]
    assert [path.suffix for path in noisy] == [".jpg"]
    with Image.open(noisy[0]) as image:
        assert image.format == "JPEG"
        assert image.size == PAGE_SIZE
