"""contracts/AidDecisions.sol: rules registered before use, applications, decisions checked against their rule,
one appeal decided by a regulator, the hospital assigned and paid through a committed order, the sign-off.

Every refusal asserts its named error with its values and that nothing changed (the application as stored).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

import pytest
from eth_utils import keccak

from chain_client import ContractReverted
from chain_client.contracts import (
    BANK_ROLE,
    REGULATOR_ROLE,
    AidDecision,
    AidStatus,
    AidStrategy,
    OrderStatus,
    PaymentOrder,
)
from chain_client.contracts.aid_decisions import MAX_SCORE
from chain_client.contracts.institution_registry import short_code
from tests.aid_support import (
    APPLICANT,
    EVERY_ITEM_TERMS,
    RULE_A,
    RULE_B,
    SECOND_APPLICANT,
    WEIGHTED_TERMS,
    AidWorld,
    documents,
    identity,
    register_test_rules,
)
from tests.conftest import ACCOUNTS
from tests.escrow_support import HOSPITAL, funded_pool, make_order
from tests.pools_support import TOKEN

pytestmark = pytest.mark.contract

ZERO32 = b"\x00" * 32
INPUTS = keccak(text="canonical inputs")
PASSING = (9_000, 9_000, 9_000)


def _reverts(call: Callable[[], Any], name: str, *args: object) -> None:
    with pytest.raises(ContractReverted) as raised:
        call()
    assert (raised.value.error_name, raised.value.args) == (name, args)


def _apply(aw: AidWorld, label: str = "alice", pool_id: int = 0, applicant: Any = APPLICANT) -> int:
    application_id, _ = aw.aid.submit_application(applicant, pool_id, identity(label), documents(label))
    return application_id


def _decision(scores: tuple[int, ...] = PASSING, approved: bool = True, rule: bytes = RULE_A) -> AidDecision:
    return AidDecision(rule, INPUTS, scores, approved, () if approved else ("INCOME",))


def _approved(aw: AidWorld, pool_id: int = 0) -> int:
    register_test_rules(aw)
    application_id = _apply(aw, pool_id=pool_id)
    aw.aid.decide(ACCOUNTS.bank, application_id, _decision())
    return application_id


# ------------------------------------------------------------------ rules


def test_a_bank_registers_a_rule_and_anyone_reads_it(aw: AidWorld) -> None:
    result = aw.aid.register_rule(ACCOUNTS.bank, RULE_A, EVERY_ITEM_TERMS)
    event = result.event("AidRuleRegistered")
    assert (event["ruleDigest"], event["bank"], event["strategy"], event["passThreshold"]) == (
        RULE_A,
        ACCOUNTS.bank.address,
        AidStrategy.EVERY_ITEM,
        0,
    )
    assert event["itemCodes"] == tuple(short_code(code) for code in EVERY_ITEM_TERMS.item_codes)
    registered = aw.aid.rule_of(RULE_A)
    assert registered is not None
    assert (registered.terms, registered.bank, registered.retired) == (
        EVERY_ITEM_TERMS,
        ACCOUNTS.bank.address,
        False,
    )
    assert aw.aid.rule_of(RULE_B) is None


def test_only_a_bank_registers_once_a_consistent_rule(aw: AidWorld) -> None:
    _reverts(
        lambda: aw.aid.register_rule(ACCOUNTS.charity, RULE_A, EVERY_ITEM_TERMS),
        "AidUnauthorized",
        ACCOUNTS.charity.address,
        BANK_ROLE,
    )
    _reverts(lambda: aw.aid.register_rule(ACCOUNTS.bank, ZERO32, EVERY_ITEM_TERMS), "AidRuleDigestMissing")
    invalid = {
        "strategy": replace(EVERY_ITEM_TERMS, strategy=AidStrategy.NONE),
        "items": replace(EVERY_ITEM_TERMS, item_codes=(), thresholds=(), weights=()),
        "lengths": replace(EVERY_ITEM_TERMS, thresholds=(1, 2)),
        "threshold": replace(EVERY_ITEM_TERMS, thresholds=(1, MAX_SCORE + 1, 1)),
        "pass threshold": replace(EVERY_ITEM_TERMS, pass_threshold=5_000),
        "weights": replace(WEIGHTED_TERMS, weights=(0, 0, 0)),
    }
    for reason, terms in invalid.items():
        _reverts(
            partial(aw.aid.register_rule, ACCOUNTS.bank, RULE_A, terms), "AidRuleInvalid", short_code(reason)
        )
    _reverts(
        lambda: aw.aid.register_rule(
            ACCOUNTS.bank, RULE_A, replace(WEIGHTED_TERMS, pass_threshold=MAX_SCORE + 1)
        ),
        "AidRuleInvalid",
        short_code("pass threshold"),
    )
    assert aw.aid.rule_of(RULE_A) is None
    aw.aid.register_rule(ACCOUNTS.bank, RULE_A, EVERY_ITEM_TERMS)
    _reverts(
        lambda: aw.aid.register_rule(ACCOUNTS.bank2, RULE_A, WEIGHTED_TERMS),
        "AidRuleAlreadyRegistered",
        RULE_A,
    )
    assert aw.aid.rule_of(RULE_A).terms == EVERY_ITEM_TERMS  # type: ignore[union-attr]


def test_a_retired_rule_decides_nothing_more(aw: AidWorld) -> None:
    register_test_rules(aw)
    application_id = _apply(aw)
    _reverts(
        lambda: aw.aid.retire_rule(ACCOUNTS.bank2, RULE_A),
        "AidRuleNotRegisteredBy",
        RULE_A,
        ACCOUNTS.bank2.address,
    )
    _reverts(
        lambda: aw.aid.retire_rule(ACCOUNTS.bank, keccak(text="never")),
        "AidRuleUnknown",
        keccak(text="never"),
    )
    aw.aid.retire_rule(ACCOUNTS.bank, RULE_A)
    _reverts(lambda: aw.aid.retire_rule(ACCOUNTS.bank, RULE_A), "AidRuleRetiredAlready", RULE_A)
    _reverts(
        lambda: aw.aid.decide(ACCOUNTS.bank, application_id, _decision()), "AidRuleRetiredAlready", RULE_A
    )
    assert aw.aid.application_of(application_id).status == AidStatus.SUBMITTED
    aw.aid.decide(ACCOUNTS.bank, application_id, _decision(rule=RULE_B))


def test_strategies_are_strict_and_integer(aw: AidWorld) -> None:
    register_test_rules(aw)
    # A: every score must exceed its threshold; a score at the threshold fails and is named.
    assert aw.aid.evaluate(RULE_A, (5_001, 5_001, 4_001)) == (True, ())
    assert aw.aid.evaluate(RULE_A, (5_001, 5_000, 4_001)) == (False, ("INVOICE",))
    # B: 2*s1 + 2*s2 + s3 > 6000 * 5; exactly at the threshold fails.
    assert aw.aid.evaluate(RULE_B, (6_000, 6_000, 6_001)) == (True, ())
    assert aw.aid.evaluate(RULE_B, (6_000, 6_000, 6_000)) == (False, ())
    # A rejects where B passes, and the reverse, on the same scores.
    assert aw.aid.evaluate(RULE_A, (10_000, 10_000, 3_000))[0] is False
    assert aw.aid.evaluate(RULE_B, (10_000, 10_000, 3_000)) == (True, ("INCOME",))
    assert aw.aid.evaluate(RULE_A, (5_500, 5_500, 5_500))[0] is True
    assert aw.aid.evaluate(RULE_B, (5_500, 5_500, 5_500))[0] is False
    _reverts(lambda: aw.aid.evaluate(RULE_A, (1, 2)), "AidScoresLength", RULE_A, 3, 2)
    _reverts(lambda: aw.aid.evaluate(keccak(text="x"), (1, 2, 3)), "AidRuleUnknown", keccak(text="x"))


# ------------------------------------------------------------------ applications


def test_an_applicant_applies_with_hashes_and_digests_only(aw: AidWorld) -> None:
    pool_id = funded_pool(aw.escrow_world, 0)
    application_id, result = aw.aid.submit_application(
        APPLICANT, pool_id, identity("alice"), documents("alice")
    )
    assert application_id == aw.aid.application_count()
    event = result.event("AidApplied")
    assert (event["applicationId"], event["applicant"], event["poolId"], event["identityHash"]) == (
        application_id,
        APPLICANT.address,
        pool_id,
        identity("alice"),
    )
    stored = aw.aid.application_of(application_id)
    assert (stored.status, stored.pool_id, stored.document_digests, stored.hospital, stored.order_id) == (
        AidStatus.SUBMITTED,
        pool_id,
        tuple(documents("alice")),
        None,
        None,
    )
    assert aw.aid.open_application_of(identity("alice")) == application_id


def test_bad_applications_are_refused(aw: AidWorld) -> None:
    count = aw.aid.application_count()
    submit = aw.aid.submit_application
    _reverts(lambda: submit(APPLICANT, 0, ZERO32, documents("a")), "AidIdentityHashMissing")
    _reverts(lambda: submit(APPLICANT, 0, identity("a"), []), "AidDocumentsInvalid", 0)
    _reverts(lambda: submit(APPLICANT, 0, identity("a"), [*documents("a"), ZERO32]), "AidDocumentsInvalid", 4)
    _reverts(lambda: submit(APPLICANT, 0, identity("a"), documents("a", 17)), "AidDocumentsInvalid", 17)
    _reverts(lambda: submit(APPLICANT, 999, identity("a"), documents("a")), "AidPlanUnknown", 999)
    first = _apply(aw, "a")
    # One open application per identity, whoever submits it.
    _reverts(
        lambda: submit(SECOND_APPLICANT, 0, identity("a"), documents("b")),
        "AidApplicationOpen",
        identity("a"),
        first,
    )
    assert aw.aid.application_count() == count + 1


# ------------------------------------------------------------------ decisions


def test_a_bank_approves_and_the_record_holds_every_score(aw: AidWorld) -> None:
    register_test_rules(aw)
    application_id = _apply(aw)
    result = aw.aid.decide(ACCOUNTS.bank, application_id, _decision())
    event = result.event("AidDecided")
    assert (
        event["ruleDigest"],
        event["inputDigest"],
        event["scores"],
        event["approved"],
        event["failedItems"],
    ) == (
        RULE_A,
        INPUTS,
        PASSING,
        True,
        (),
    )
    recorded = aw.aid.decision_of(application_id)
    assert recorded is not None
    assert (recorded.decision, recorded.bank) == (_decision(), ACCOUNTS.bank.address)
    assert aw.aid.application_of(application_id).status == AidStatus.APPROVED
    assert aw.aid.decided_in(result.tx_hash).decision == _decision()


def test_a_rejection_names_its_items_and_frees_the_identity(aw: AidWorld) -> None:
    register_test_rules(aw)
    application_id = _apply(aw)
    rejection = AidDecision(RULE_A, INPUTS, (9_000, 9_000, 1_000), False, ("INCOME_ABOVE_LIMIT",))
    event = aw.aid.decide(ACCOUNTS.bank, application_id, rejection).event("AidDecided")
    assert (event["approved"], event["failedItems"], event["reasonCodes"]) == (
        False,
        (short_code("INCOME"),),
        (short_code("INCOME_ABOVE_LIMIT"),),
    )
    assert aw.aid.application_of(application_id).status == AidStatus.REJECTED
    assert aw.aid.open_application_of(identity("alice")) is None
    assert _apply(aw) == application_id + 1  # the person may apply again


def test_decisions_are_checked_against_their_rule(aw: AidWorld) -> None:
    register_test_rules(aw)
    application_id = _apply(aw)
    decide = aw.aid.decide
    _reverts(
        lambda: decide(ACCOUNTS.charity, application_id, _decision()),
        "AidUnauthorized",
        ACCOUNTS.charity.address,
        BANK_ROLE,
    )
    _reverts(lambda: decide(ACCOUNTS.bank, 999, _decision()), "AidApplicationUnknown", 999)
    unknown = keccak(text="unregistered rule")
    _reverts(
        lambda: decide(ACCOUNTS.bank, application_id, _decision(rule=unknown)), "AidRuleUnknown", unknown
    )
    _reverts(
        lambda: decide(ACCOUNTS.bank, application_id, replace(_decision(), input_digest=ZERO32)),
        "AidInputDigestMissing",
    )
    _reverts(
        lambda: decide(ACCOUNTS.bank, application_id, _decision((1, 2))), "AidScoresLength", RULE_A, 3, 2
    )
    _reverts(
        lambda: decide(ACCOUNTS.bank, application_id, _decision((1, MAX_SCORE + 1, 1))),
        "AidScoreOutOfRange",
        1,
        MAX_SCORE + 1,
    )
    # An approval the scores do not carry, under A and under B, and a rejection they do not carry.
    _reverts(
        lambda: decide(ACCOUNTS.bank, application_id, _decision((9_000, 9_000, 4_000))),
        "AidOutcomeInconsistent",
        False,
        True,
    )
    _reverts(
        lambda: decide(ACCOUNTS.bank, application_id, _decision((6_000,) * 3, rule=RULE_B)),
        "AidOutcomeInconsistent",
        False,
        True,
    )
    _reverts(
        lambda: decide(ACCOUNTS.bank, application_id, _decision(approved=False)),
        "AidOutcomeInconsistent",
        True,
        False,
    )
    without_reason = AidDecision(RULE_A, INPUTS, (1, 1, 1), False, ())
    _reverts(
        lambda: decide(ACCOUNTS.bank, application_id, without_reason),
        "AidRejectionWithoutReason",
        application_id,
    )
    assert aw.aid.decision_of(application_id) is None
    assert aw.aid.application_of(application_id).status == AidStatus.SUBMITTED
    decide(ACCOUNTS.bank, application_id, _decision())
    _reverts(
        lambda: decide(ACCOUNTS.bank2, application_id, _decision()),
        "AidApplicationNotInStatus",
        application_id,
        AidStatus.APPROVED,
    )


# ------------------------------------------------------------------ appeals


def test_one_appeal_decided_by_a_regulator_is_final(aw: AidWorld) -> None:
    register_test_rules(aw)
    application_id = _apply(aw)
    grounds = keccak(text="appeal grounds")
    _reverts(
        lambda: aw.aid.appeal(APPLICANT, application_id, grounds),
        "AidApplicationNotInStatus",
        application_id,
        AidStatus.SUBMITTED,
    )
    aw.aid.decide(ACCOUNTS.bank, application_id, _decision((1, 1, 1), approved=False))
    _reverts(
        lambda: aw.aid.appeal(SECOND_APPLICANT, application_id, grounds),
        "AidNotApplicant",
        application_id,
        SECOND_APPLICANT.address,
    )
    event = aw.aid.appeal(APPLICANT, application_id, grounds).event("AidAppealed")
    assert (event["applicationId"], event["applicant"], event["groundsDigest"]) == (
        application_id,
        APPLICANT.address,
        grounds,
    )
    assert aw.aid.application_of(application_id).status == AidStatus.UNDER_APPEAL
    assert aw.aid.open_application_of(identity("alice")) == application_id
    _reverts(
        lambda: aw.aid.decide_appeal(ACCOUNTS.bank, application_id, True, grounds),
        "AidUnauthorized",
        ACCOUNTS.bank.address,
        REGULATOR_ROLE,
    )
    aw.aid.decide_appeal(ACCOUNTS.regulator, application_id, False, keccak(text="upheld"))
    stored = aw.aid.application_of(application_id)
    assert (stored.status, stored.appealed) == (AidStatus.REJECTED, True)
    _reverts(lambda: aw.aid.appeal(APPLICANT, application_id, grounds), "AidAlreadyAppealed", application_id)
    _reverts(
        lambda: aw.aid.decide_appeal(ACCOUNTS.regulator, application_id, True, grounds),
        "AidApplicationNotInStatus",
        application_id,
        AidStatus.REJECTED,
    )


def test_a_regulator_can_grant_the_aid_on_appeal(aw: AidWorld) -> None:
    register_test_rules(aw)
    application_id = _apply(aw)
    aw.aid.decide(ACCOUNTS.bank, application_id, _decision((1, 1, 1), approved=False))
    aw.aid.appeal(APPLICANT, application_id, keccak(text="new income proof"))
    event = aw.aid.decide_appeal(ACCOUNTS.regulator, application_id, True, keccak(text="granted")).event(
        "AidAppealDecided"
    )
    assert (event["regulator"], event["approved"]) == (ACCOUNTS.regulator.address, True)
    assert aw.aid.application_of(application_id).status == AidStatus.APPROVED


# ------------------------------------------------------------------ hospital, order, sign-off


def test_only_a_registered_hospital_is_assigned_by_the_applicant_or_a_bank(aw: AidWorld) -> None:
    register_test_rules(aw)
    application_id = _apply(aw)
    _reverts(
        lambda: aw.aid.assign_hospital(APPLICANT, application_id, HOSPITAL.address),
        "AidApplicationNotInStatus",
        application_id,
        AidStatus.SUBMITTED,
    )
    aw.aid.decide(ACCOUNTS.bank, application_id, _decision())
    _reverts(
        lambda: aw.aid.assign_hospital(ACCOUNTS.outsider, application_id, HOSPITAL.address),
        "AidAssignerNotAllowed",
        application_id,
        ACCOUNTS.outsider.address,
    )
    for not_a_hospital in (ACCOUNTS.supplier.address, ACCOUNTS.outsider.address):
        _reverts(
            partial(aw.aid.assign_hospital, APPLICANT, application_id, not_a_hospital),
            "AidHospitalNotRegistered",
            not_a_hospital,
        )
    assert aw.aid.application_of(application_id).hospital is None
    event = aw.aid.assign_hospital(APPLICANT, application_id, HOSPITAL.address).event("AidHospitalAssigned")
    assert (event["hospital"], event["by"]) == (HOSPITAL.address, APPLICANT.address)
    aw.aid.assign_hospital(ACCOUNTS.bank, application_id, HOSPITAL.address)
    assert aw.aid.application_of(application_id).hospital == HOSPITAL.address


def _hospital_order(aw: AidWorld, pool_id: int, amount: int = 10 * TOKEN) -> PaymentOrder:
    order = make_order(aw.escrow_world, pool_id, amount, payee=HOSPITAL)
    aw.escrow_world.escrow.issue(ACCOUNTS.bank, order)
    return order


def _pay(aw: AidWorld, order: PaymentOrder) -> None:
    escrow = aw.escrow_world.escrow
    settled = escrow.settle(
        ACCOUNTS.outsider,
        order.order_id,
        order,
        escrow.sign(HOSPITAL, order),
        order,
        escrow.sign(ACCOUNTS.charity, order),
    )
    assert settled.released


def test_only_a_committed_order_to_the_hospital_from_the_plan_is_linked(aw: AidWorld) -> None:
    pool_id = funded_pool(aw.escrow_world, 100 * TOKEN)
    other_pool = funded_pool(aw.escrow_world, 100 * TOKEN)
    application_id = _approved(aw, pool_id)
    order = _hospital_order(aw, pool_id)
    _reverts(
        lambda: aw.aid.link_order(ACCOUNTS.bank, application_id, order),
        "AidHospitalNotAssigned",
        application_id,
    )
    aw.aid.assign_hospital(APPLICANT, application_id, HOSPITAL.address)
    _reverts(
        lambda: aw.aid.link_order(APPLICANT, application_id, order),
        "AidUnauthorized",
        APPLICANT.address,
        BANK_ROLE,
    )
    tampered = replace(order, amount=order.amount + 1)
    _reverts(
        lambda: aw.aid.link_order(ACCOUNTS.bank, application_id, tampered),
        "AidOrderNotCommitted",
        order.order_id,
    )
    never_issued = make_order(aw.escrow_world, pool_id, TOKEN, payee=HOSPITAL)
    _reverts(
        lambda: aw.aid.link_order(ACCOUNTS.bank, application_id, never_issued),
        "AidOrderNotCommitted",
        never_issued.order_id,
    )
    to_supplier = make_order(aw.escrow_world, pool_id, TOKEN)
    aw.escrow_world.escrow.issue(ACCOUNTS.bank, to_supplier)
    _reverts(
        lambda: aw.aid.link_order(ACCOUNTS.bank, application_id, to_supplier),
        "AidOrderMismatch",
        application_id,
        short_code("payee"),
    )
    from_other_plan = _hospital_order(aw, other_pool)
    _reverts(
        lambda: aw.aid.link_order(ACCOUNTS.bank, application_id, from_other_plan),
        "AidOrderMismatch",
        application_id,
        short_code("pool"),
    )
    assert aw.aid.application_of(application_id).order_id is None

    event = aw.aid.link_order(ACCOUNTS.bank, application_id, order).event("AidOrderLinked")
    assert (event["orderId"], event["poolId"], event["bank"]) == (
        order.order_id,
        pool_id,
        ACCOUNTS.bank.address,
    )
    # A live order blocks another order and another hospital; one that ended unpaid does not.
    second = _hospital_order(aw, pool_id)
    _reverts(
        lambda: aw.aid.link_order(ACCOUNTS.bank, application_id, second),
        "AidOrderAlreadyLinked",
        application_id,
        order.order_id,
    )
    _reverts(
        lambda: aw.aid.assign_hospital(APPLICANT, application_id, HOSPITAL.address),
        "AidOrderAlreadyLinked",
        application_id,
        order.order_id,
    )
    aw.escrow_world.escrow.cancel(ACCOUNTS.bank, order)
    assert aw.escrow_world.escrow.order_of(order.order_id).status == OrderStatus.CANCELLED
    aw.aid.link_order(ACCOUNTS.bank, application_id, second)
    assert aw.aid.application_of(application_id).order_id == second.order_id


def test_the_aid_completes_only_when_the_hospital_was_paid_and_the_applicant_signs(aw: AidWorld) -> None:
    pool_id = funded_pool(aw.escrow_world, 100 * TOKEN)
    application_id = _approved(aw, pool_id)
    receipt = keccak(text="signed treatment receipt")
    _reverts(
        lambda: aw.aid.confirm_treatment(APPLICANT, application_id, receipt),
        "AidOrderNotReleased",
        application_id,
        ZERO32,
    )
    aw.aid.assign_hospital(ACCOUNTS.bank, application_id, HOSPITAL.address)
    order = _hospital_order(aw, pool_id)
    aw.aid.link_order(ACCOUNTS.bank, application_id, order)
    _reverts(
        lambda: aw.aid.confirm_treatment(APPLICANT, application_id, receipt),
        "AidOrderNotReleased",
        application_id,
        order.order_id,
    )
    _pay(aw, order)
    _reverts(
        lambda: aw.aid.confirm_treatment(SECOND_APPLICANT, application_id, receipt),
        "AidNotApplicant",
        application_id,
        SECOND_APPLICANT.address,
    )
    assert aw.aid.application_of(application_id).status == AidStatus.APPROVED
    event = aw.aid.confirm_treatment(APPLICANT, application_id, receipt).event("AidCompleted")
    assert (event["applicationId"], event["orderId"], event["evidenceDigest"]) == (
        application_id,
        order.order_id,
        receipt,
    )
    assert aw.aid.application_of(application_id).status == AidStatus.COMPLETED
    assert aw.aid.open_application_of(identity("alice")) is None
    _reverts(
        lambda: aw.aid.confirm_treatment(APPLICANT, application_id, receipt),
        "AidApplicationNotInStatus",
        application_id,
        AidStatus.COMPLETED,
    )
