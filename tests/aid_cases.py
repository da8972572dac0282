"""Generated aid cases for the tests: one registry, the hospitals on and off the ledger, cases of every kind,
and the decision inputs a case gives when its documents are read perfectly (for the pure checks and the engine;
the OCR path is tested on rendered images in ``tests/api/aid/test_reading.py`` and the scene 2 flow)."""

from __future__ import annotations

import datetime
from functools import cache

from eth_utils import keccak

from api.aid.inputs import DecisionInputs, HospitalEvidence, StatedApplication
from api.aid.key_info import DocumentKind, expected_readings
from oracle.aid.hospitals import RecordsHospitalLookup
from oracle.aid.identity_hash import identity_hash
from oracle.aid.investigation import InvestigationRecord
from oracle.aid.invoices import InvoiceRecord, index_invoices
from oracle.aid.population import (
    AidCase,
    Forgery,
    GeneratedAid,
    Profile,
    generate_cases,
    hospitals_of,
    profile_record,
)
from oracle.registry.dataset import generate_registry
from oracle.registry.records import RegistryRecord

TODAY = datetime.date(2026, 6, 1)
SALT = keccak(text="test identity salt")
ONBOARDED = 4
"""The first hospitals of the registry are registered on the ledger; the next two are not."""


@cache
def registry_records() -> tuple[RegistryRecord, ...]:
    return tuple(generate_registry())


@cache
def hospitals() -> tuple[RegistryRecord, ...]:
    return tuple(hospitals_of(registry_records())[:ONBOARDED])


@cache
def unregistered_hospitals() -> tuple[RegistryRecord, ...]:
    return tuple(hospitals_of(registry_records())[ONBOARDED : ONBOARDED + 2])


@cache
def generated(seed: int = 7) -> GeneratedAid:
    """Forty cases with every forgery and every profile."""
    return generate_cases(
        hospitals(),
        40,
        today=TODAY,
        seed=seed,
        unregistered_hospitals=unregistered_hospitals(),
        all_registry_names={record.name for record in registry_records()},
    )


def case_of(
    forgery: Forgery, profile: Profile = Profile.ELIGIBLE, *, seed: int = 11
) -> tuple[AidCase, InvoiceRecord | None]:
    """One case with ``forgery`` for a person of ``profile``, and the invoice registry's record of its bill."""
    mix = {forgery: 1}
    made = generate_cases(
        hospitals(),
        1,
        today=TODAY,
        seed=seed,
        unregistered_hospitals=unregistered_hospitals(),
        all_registry_names={record.name for record in registry_records()},
        mix=mix,
        profiles=[profile],
    )
    [case] = made.cases
    registered = index_invoices(made.invoices).get((case.invoice.code, case.invoice.number))
    if registered is None and made.invoices:
        [registered] = made.invoices  # the registered original a forged number was copied from
        if forgery in (Forgery.INVOICE_NUMBER_ONE_OFF, Forgery.INVOICE_FABRICATED):
            registered = None  # the registry has nothing under the number printed
    return case, registered


def digests_of(case: AidCase) -> dict[DocumentKind, bytes]:
    return {kind: keccak(text=f"{case.case_id} {kind.value}") for kind in DocumentKind}


def investigation_of(case: AidCase) -> InvestigationRecord | None:
    import random

    return profile_record(
        random.Random(case.case_id), case.profile, identity_hash(SALT, case.id_card.id_number), TODAY
    )


def inputs_of(
    case: AidCase,
    registered: InvoiceRecord | None,
    *,
    onboarded: bool | None = None,
    today: datetime.date = TODAY,
    investigation: InvestigationRecord | bool | None = True,
) -> DecisionInputs:
    """The inputs of a decision on ``case`` read perfectly: the registry, the ledger (``onboarded``: whether the
    hospital's account is an active Hospital; default: one of the onboarded hospitals) and the bank answering."""
    digests = digests_of(case)
    readings = expected_readings(case.id_card, case.invoice, case.diagnosis, digests)
    lookup = RecordsHospitalLookup(list(registry_records()))
    record = lookup.find_by_name(case.invoice.issuer_name)
    if onboarded is None:
        onboarded = record is not None and record.credit_code in {h.credit_code for h in hospitals()}
    hospital = HospitalEvidence(
        name=case.invoice.issuer_name,
        record=record,
        account="0x" + "11" * 20 if record is not None and onboarded else None,
        kind="Hospital" if record is not None and onboarded else None,
        active=bool(record is not None and onboarded),
    )
    return DecisionInputs(
        application_id=1,
        identity_hash="0x" + identity_hash(SALT, case.id_card.id_number).hex(),
        document_digests=tuple("0x" + digest.hex() for digest in digests.values()),
        pool_id=1,
        stated=StatedApplication(
            name=case.id_card.name, id_number=case.id_card.id_number, amount_asked_fen=case.amount_asked_fen
        ),
        today=today,
        documents=readings,
        hospital=hospital,
        invoice_registry=registered,
        investigation=investigation_of(case) if investigation is True else investigation or None,
    )
