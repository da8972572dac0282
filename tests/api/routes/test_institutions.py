"""``api/routes/institutions.py``: apply with certificates (OCR), attestation, bank audit."""

from __future__ import annotations

import io

import pytest
from eth_utils import keccak

from api.audit.application import key_info_hash
from api.core.applications import ApplicationRecord
from api.intake.key_info import KeyInformation
from chain_client.contracts import InstitutionKind
from chain_client.contracts.institution_registry import encryption_key
from oracle.registry.certificates import CertificateKind, render_certificate
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord
from tests.api.routes.conftest import CAST, Api, Unchanged

pytestmark = pytest.mark.api


def foundation(records: list[RegistryRecord]) -> RegistryRecord:
    return next(
        record
        for record in records
        if record.org_type is OrgType.FOUNDATION
        and record.status is RegistrationStatus.ACTIVE
        and record.non_profit
    )


def uploads(record: RegistryRecord) -> list[tuple[str, tuple[str, bytes, str]]]:
    files = []
    for kind in CertificateKind:
        buffer = io.BytesIO()
        render_certificate(record, kind).save(buffer, format="PNG")
        files.append(("certificates", (f"{kind.value}.png", buffer.getvalue(), "image/png")))
    return files


def test_an_institution_applies_with_certificates_and_a_bank_approves_it(
    api: Api, unchanged: Unchanged
) -> None:
    record = foundation(api.world.records)
    applied = api.http.post(
        "/institutions/applications",
        data={"kind": "charity"},
        files=uploads(record),
        headers=api.auth("applicant"),
    )
    assert applied.status_code == 201, applied.text
    body = applied.json()
    assert body["key_info"]["credit_code"] == record.credit_code
    assert body["key_info"]["name"] == record.name
    assert len(body["certificate_digests"]) == 3
    assert body["attestation"]["status"] == "valid"
    assert body["attestation"]["signer_count"] == 2
    account = CAST.applicant.address
    assert api.http.get(f"/institutions/{account}").json()["status"] == "pending"
    assert api.http.get(f"/institutions/{account}/attestation").json()["status"] == "valid"

    # The OCR result is for the applicant, banks and regulators only.
    assert (
        api.http.get(f"/institutions/{account}/application", headers=api.auth("applicant")).status_code == 200
    )
    assert (
        api.http.get(f"/institutions/{account}/application", headers=api.auth("regulator")).status_code == 200
    )
    with unchanged:
        nosy = api.http.get(f"/institutions/{account}/application", headers=api.auth("charity"))
        by_charity = api.http.post(f"/institutions/{account}/audit", headers=api.auth("charity"))
        again = api.http.post(
            "/institutions/applications",
            data={"kind": "charity"},
            files=uploads(record),
            headers=api.auth("applicant"),
        )
    assert (nosy.status_code, by_charity.status_code) == (403, 403)
    assert (again.status_code, again.json()["error"]) == (409, "Conflict")

    # A bank (or the applicant) may have the oracles attest the record again; nobody else.
    with unchanged:
        not_allowed = api.http.post(f"/institutions/{account}/attestation", headers=api.auth("charity"))
        no_application = api.http.post(
            f"/institutions/{CAST.hospital.address}/attestation", headers=api.auth("bank")
        )
    assert (not_allowed.status_code, not_allowed.json()["error"]) == (403, "NotYourResource")
    assert (no_application.status_code, no_application.json()["error"]) == (404, "NotFound")
    first_id = body["attestation"]["attestation_id"]
    renewed = api.http.post(f"/institutions/{account}/attestation", headers=api.auth("bank"))
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["status"] == "valid"
    assert renewed.json()["attestation_id"] != first_id

    audited = api.http.post(f"/institutions/{account}/audit", headers=api.auth("bank"))
    assert audited.status_code == 200, audited.text
    assert (audited.json()["decision"], audited.json()["passed"], audited.json()["reasons"]) == (
        "pass",
        True,
        [],
    )
    assert all(check["match"] == "equal" for check in audited.json()["checks"])
    institution = api.http.get(f"/institutions/{account}").json()
    assert (institution["status"], institution["active"], institution["kind"]) == (
        "approved",
        True,
        "charity",
    )
    assert api.http.get("/auth/me", headers=api.auth("applicant")).json()["roles"] == ["charity"]
    with unchanged:
        twice = api.http.post(f"/institutions/{account}/audit", headers=api.auth("bank"))
    assert (twice.status_code, twice.json()["error"]) == (409, "InstitutionNotAwaitingAudit")


def test_an_application_needs_images_and_a_known_kind(api: Api, unchanged: Unchanged) -> None:
    with unchanged:
        none = api.http.post(
            "/institutions/applications", data={"kind": "charity"}, headers=api.auth("applicant")
        )
        empty = api.http.post(
            "/institutions/applications",
            data={"kind": "charity"},
            files=[("certificates", ("a.png", b"", "image/png"))],
            headers=api.auth("applicant"),
        )
        kind = api.http.post(
            "/institutions/applications",
            data={"kind": "bank"},
            files=[("certificates", ("a.png", b"x", "image/png"))],
            headers=api.auth("applicant"),
        )
        garbage = api.http.post(
            "/institutions/applications",
            data={"kind": "charity"},
            files=[("certificates", ("a.png", b"not an image", "image/png"))],
            headers=api.auth("applicant"),
        )
    assert none.status_code == 422
    assert empty.status_code == 422
    assert kind.status_code == 422
    assert garbage.status_code == 422
    assert garbage.json()["error"] in {"UnreadableImage", "NoKeyInformation"}
    assert api.http.get(f"/institutions/{CAST.applicant.address}/attestation").status_code == 404
    assert api.http.get(f"/institutions/{CAST.applicant.address}").json()["status"] == "none"


def test_institutions_are_listed_by_kind(api: Api) -> None:
    api.world.indexed()
    charities = api.http.get("/institutions", params={"kind": "charity"}).json()["items"]
    assert {item["address"] for item in charities} == {CAST.charity.address, CAST.charity2.address}
    assert {item["status"] for item in charities} == {"approved"}
    assert api.http.get("/institutions", params={"kind": "bank"}).status_code == 422


def test_a_field_ocr_could_not_read_goes_to_a_bank_officer(api: Api, unchanged: Unchanged) -> None:
    world, platform = api.world, api.platform
    record = foundation(world.records)
    # An application whose legal representative OCR did not read (filed directly, without images).
    key_info = KeyInformation(
        name=record.name,
        credit_code=record.credit_code,
        account_bank=record.account_bank,
        account_location=record.account_location,
    )
    registry = world.ledger.registry
    salt = b"\x01" * 32
    applied = registry.apply_for_registration(
        CAST.applicant,
        InstitutionKind.CHARITY,
        [keccak(text="certificate")],
        key_info_hash(key_info, salt),
        encryption_key(CAST.applicant),
    )
    platform.applications.put(
        ApplicationRecord(
            account=CAST.applicant.address,
            kind=InstitutionKind.CHARITY,
            key_info=key_info,
            salt=salt,
            certificate_digests=(keccak(text="certificate"),),
            application_digest=bytes(applied.event("InstitutionApplied")["applicationDigest"]),
        )
    )
    account = CAST.applicant.address
    assert (
        api.http.post(f"/institutions/{account}/attestation", headers=api.auth("applicant")).status_code
        == 200
    )

    with unchanged:
        audited = api.http.post(f"/institutions/{account}/audit", headers=api.auth("bank"))
        by_charity = api.http.post(
            f"/institutions/{account}/review",
            json={"approve": True, "officer": "X-1"},
            headers=api.auth("charity"),
        )
    assert audited.status_code == 200, audited.text
    body = audited.json()
    assert (body["decision"], body["transaction"], body["reasons"]) == (
        "manual_review",
        None,
        ["LEGAL_REP_UNREADABLE"],
    )
    assert [item["field"] for item in body["review"]] == ["legal_representative"]
    assert (by_charity.status_code, by_charity.json()["error"]) == (403, "RoleRequired")

    reviewed = api.http.post(
        f"/institutions/{account}/review",
        json={"approve": True, "officer": "XX-0042"},
        headers=api.auth("bank"),
    )
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["transaction"] is not None
    assert {"MANUAL_REVIEW", "MANUAL_APPROVED"} <= set(reviewed.json()["reasons"])
    assert api.http.get(f"/institutions/{account}").json()["status"] == "approved"
    with unchanged:
        again = api.http.post(
            f"/institutions/{account}/review",
            json={"approve": True, "officer": "XX-0042"},
            headers=api.auth("bank"),
        )
    assert again.status_code == 409
