"""The bank's pages (``api/pages/views/bank.py``) in Chromium: an institution applies through the API with
certificates whose legal representative is not the registry's; the bank opens the side-by-side page (the
certificate images, what OCR read, the attested registry record, the difference marked) and audits it there:
the decision the page predicted is the one written on-chain."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.audit.application import ApplicationIntake
from api.core.applications import ApplicationRecord
from api.intake.key_info import FieldEvidence, FieldName, KeyInformation, SourceBox
from chain_client.administration import ensure_allowed, ensure_gas
from chain_client.contracts import InstitutionKind, InstitutionStatus
from oracle.registry.certificates import CertificateKind, render_certificate
from oracle.registry.dataset import read_registry
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord
from tests.pages.conftest import PagesWorld, screenshot, sign_in

pytestmark = pytest.mark.browser

NOT_THE_REPRESENTATIVE = "欧阳明远"


_LOADED_WIDTH = """img => img.complete ? img.naturalWidth : new Promise(resolve => {
    img.addEventListener("load", () => resolve(img.naturalWidth));
    img.addEventListener("error", () => resolve(0));
})"""
"""An image's natural width once it has loaded (0 if it failed): a busy machine may still be loading it."""


def _unused_foundation(world: PagesWorld) -> RegistryRecord:
    """An active non-profit foundation of the registry that no institution of the ledger registered as."""
    read_model = world.platform.read_model
    assert read_model is not None
    taken = {institution.name for institution in read_model.institutions(limit=500).items}
    return next(
        record
        for record in read_registry(world.settings.oracle.registry_file)
        if record.org_type is OrgType.FOUNDATION
        and record.status is RegistrationStatus.ACTIVE
        and record.non_profit
        and record.name not in taken
    )


def _apply(world: PagesWorld, login: str, certificates: RegistryRecord) -> str:
    """``login`` (a new keystore, allow-listed by the bank) applies as a charity through the API."""
    address = world.boot.wallets.ensure(login)
    ensure_gas(world.client, world.boot.admin, address)
    ensure_allowed(world.platform.ledger.foundation.consortium, world.boot.wallets.account("bank-a"), address)
    files = []
    for kind in CertificateKind:
        buffer = io.BytesIO()
        render_certificate(certificates, kind).save(buffer, format="PNG")
        files.append(("certificates", (f"{kind.value}.png", buffer.getvalue(), "image/png")))
    answer = httpx.post(
        f"{world.url}/institutions/applications",
        headers={"Authorization": f"Bearer {world.token(login)}"},
        data={"kind": "charity"},
        files=files,
        timeout=300,
    )
    assert answer.status_code == 201, answer.text
    return str(address)


def test_a_bank_audits_an_institution_from_the_side_by_side_page(
    pages_world: PagesWorld, page: Page, tmp_path: Path
) -> None:
    world = pages_world
    record = _unused_foundation(world)
    # The certificates name another legal representative than the registry does.
    forged = record.model_copy(update={"legal_representative": NOT_THE_REPRESENTATIVE})
    applicant = _apply(world, "applicant-1", forged)
    registry = world.platform.ledger.registry
    assert registry.institution_of(applicant).status is InstitutionStatus.PENDING
    world.caught_up()

    sign_in(page, "bank-a")
    page.goto("/pages/bank?lang=en")
    row = page.locator("#pending tr", has=page.locator(f"text={applicant}"))
    expect(row).to_have_count(1)
    row.locator("a").click()
    page.wait_for_url(f"**/pages/bank/institutions/{applicant}**")

    # The certificate images (decrypted from the document store) are shown and load.
    images = page.locator(".certificates img")
    expect(images).to_have_count(len(CertificateKind))
    for index in range(len(CertificateKind)):
        images.nth(index).scroll_into_view_if_needed()
        assert images.nth(index).evaluate(_LOADED_WIDTH) > 100
    # What OCR read and the registry record, side by side: the legal representative differs and is marked.
    legal = page.locator("#comparison tr[data-field=legal_representative]")
    expect(legal).to_have_class("mismatch")
    cells = legal.locator("td")
    assert cells.nth(2).inner_text() == record.legal_representative
    assert cells.nth(1).inner_text() != record.legal_representative
    expect(cells.nth(3)).to_have_text("differs")
    for field in ("name", "credit_code"):
        compared = page.locator(f"#comparison tr[data-field={field}] td")
        assert compared.nth(2).inner_text() == getattr(record, field)
    expect(page.locator("#rule-verdict")).to_have_text("would be rejected")
    screenshot(page, tmp_path, "side-by-side")

    page.click("#audit-form button")
    result = page.locator("#audit-result")
    expect(result).to_contain_text("Audit failed")
    expect(result).to_contain_text("LEGAL_REP_MISMATCH")
    expect(page.locator("#registration-status")).to_have_text("rejected")
    assert registry.institution_of(applicant).status is InstitutionStatus.REJECTED
    screenshot(page, tmp_path, "audited")


def _file_with_a_doubt(world: PagesWorld, login: str, record: RegistryRecord) -> str:
    """``login`` applies as a charity with key information whose legal representative differs from the
    registry's in one character OCR doubted (what PP-OCR gives for a smudged character): filed through the
    application intake, kept in the platform's records and attested by the oracles, as the apply route does."""
    platform = world.platform
    address = world.boot.wallets.ensure(login)
    ensure_gas(world.client, world.boot.admin, address)
    ensure_allowed(platform.ledger.foundation.consortium, world.boot.wallets.account("bank-a"), address)
    images = []
    for kind in CertificateKind:
        buffer = io.BytesIO()
        render_certificate(record, kind).save(buffer, format="PNG")
        images.append(buffer.getvalue())
    misread = record.legal_representative[0] + "乂" + record.legal_representative[2:]
    doubt = FieldEvidence(
        confidence=0.41,
        sources=("image-2",),
        agreement=1.0,
        doubtful_characters=(1,),
        boxes=(SourceBox(document="image-2", quad=((300, 250), (700, 250), (700, 300), (300, 300))),),
    )
    key_info = KeyInformation(
        name=record.name,
        credit_code=record.credit_code,
        legal_representative=misread,
        account_bank=record.account_bank,
        account_location=record.account_location,
        evidence={FieldName.LEGAL_REPRESENTATIVE: doubt},
    )
    applicant = world.boot.wallets.account(login)
    submitted = ApplicationIntake(platform.ledger.registry, platform.documents).submit(
        applicant, InstitutionKind.CHARITY, images, key_info=key_info
    )
    platform.applications.put(
        ApplicationRecord(
            account=applicant.address,
            kind=InstitutionKind.CHARITY,
            key_info=submitted.key_info,
            salt=submitted.salt,
            certificate_digests=submitted.certificate_digests,
            application_digest=submitted.application_digest,
        )
    )
    platform.publisher().publish(record.credit_code)
    return str(address)


def test_a_bank_officer_settles_a_doubtful_field_on_the_side_by_side_page(
    pages_world: PagesWorld, page: Page, tmp_path: Path
) -> None:
    world = pages_world
    read_model = world.platform.read_model
    assert read_model is not None
    taken = {institution.name for institution in read_model.institutions(limit=500).items}
    record = [
        candidate
        for candidate in read_registry(world.settings.oracle.registry_file)
        if candidate.org_type is OrgType.SOCIAL_ORGANIZATION
        and candidate.status is RegistrationStatus.ACTIVE
        and candidate.non_profit
        and candidate.name not in taken
    ][-1]
    applicant = _file_with_a_doubt(world, "applicant-2", record)
    sign_in(page, "bank-a")
    page.goto(f"/pages/bank/institutions/{applicant}?lang=en")
    expect(page.locator("#comparison tr[data-field=legal_representative]")).to_have_class("doubtful")
    expect(page.locator("#rule-verdict")).to_have_attribute("data-decision", "MANUAL_REVIEW")
    assert page.locator("#audit-form").count() == 0  # the rule cannot decide: an officer must
    crop = page.locator("#review [data-review=legal_representative] img").first
    crop.scroll_into_view_if_needed()
    assert crop.evaluate(_LOADED_WIDTH) > 100
    screenshot(page, tmp_path, "review")
    page.check("#review-form input[value=approve]")
    page.fill("#review-form input[name=officer]", "ICBC-XX-0042")
    page.click("#review-form button")
    result = page.locator("#review-result")
    expect(result).to_contain_text("Approved on review")
    expect(result).to_contain_text("MANUAL_APPROVED")
    expect(page.locator("#registration-status")).to_have_text("approved")
    assert world.platform.ledger.registry.institution_of(applicant).status is InstitutionStatus.APPROVED
    screenshot(page, tmp_path, "reviewed")


def test_only_banks_see_the_side_by_side_page(pages_world: PagesWorld, page: Page) -> None:
    bank = pages_world.boot.addresses["bank-a"]
    sign_in(page, "donor-1")
    answer = page.goto(f"/pages/bank/institutions/{bank}?lang=en")
    assert answer is not None
    assert answer.status == 403
    assert "needs one of these roles" in page.inner_text("main")
    answer = page.goto(f"/pages/bank/institutions/{bank}/certificates/0?lang=en")
    assert answer is not None
    assert answer.status == 403
