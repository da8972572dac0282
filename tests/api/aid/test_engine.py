"""api/aid/engine.py: strategies A and B on the same inputs, investigation items, and no forgery approved."""

from __future__ import annotations

import pytest

from api.aid.engine import assess
from api.aid.rules import AidRule, RuleLibrary
from chain_client.contracts.aid_decisions import MAX_SCORE
from oracle.aid.population import Forgery, Profile
from tests.aid_cases import case_of, generated, inputs_of

RULES = RuleLibrary()
A = RULES.by_name("every-item")
B = RULES.by_name("weighted-average")


def _outcomes(forgery: Forgery, profile: Profile) -> tuple[bool, bool]:
    case, registered = case_of(forgery, profile)
    inputs = inputs_of(case, registered)
    return assess(inputs, A).approved, assess(inputs, B).approved


def test_a_genuine_eligible_application_is_approved_under_both_strategies() -> None:
    case, registered = case_of(Forgery.NONE)
    for rule in (A, B):
        assessment = assess(inputs_of(case, registered), rule)
        assert assessment.approved
        assert assessment.reasons == ()
        assert len(assessment.scores) == len(rule.items)
        assert all(0 <= score <= MAX_SCORE for score in assessment.scores)


@pytest.mark.parametrize(
    ("profile", "reason"),
    [
        (Profile.INCOME_ABOVE_LIMIT, "INCOME_ABOVE_LIMIT"),
        (Profile.CREDIT_BELOW_THRESHOLD, "CREDIT_BELOW_THRESHOLD"),
        (Profile.NOT_A_CUSTOMER, "INVESTIGATION_MISSING"),
    ],
)
def test_strategy_a_rejects_on_investigation_with_the_reason(profile: Profile, reason: str) -> None:
    case, registered = case_of(Forgery.NONE, profile)
    assessment = assess(inputs_of(case, registered), A)
    assert not assessment.approved
    assert reason in assessment.reasons
    assert assessment.authentic


def test_strategy_a_rejects_where_b_approves_and_the_reverse_on_the_same_inputs() -> None:
    assert _outcomes(Forgery.NONE, Profile.COMPENSATED) == (False, True)
    assert _outcomes(Forgery.NONE, Profile.BORDERLINE) == (True, False)


@pytest.mark.parametrize("rule", [A, B], ids=lambda rule: rule.label)
def test_no_forged_application_is_approved_whatever_the_applicants_means(rule: AidRule) -> None:
    for case in generated().cases:
        if not case.forgery.forged:
            continue
        for profile in (Profile.ELIGIBLE, Profile.COMPENSATED):
            forged, registered = case_of(case.forgery, profile, seed=hash(case.case_id) % 1000)
            assessment = assess(inputs_of(forged, registered), rule)
            assert not assessment.approved, (case.forgery, assessment.reasons)
            assert not assessment.authentic


def test_an_aid_fraud_record_zeroes_the_background() -> None:
    case, registered = case_of(Forgery.NONE)
    inputs = inputs_of(case, registered)
    assert inputs.investigation is not None
    flagged = inputs.model_copy(
        update={"investigation": inputs.investigation.model_copy(update={"aid_fraud_record": True})}
    )
    assessment = assess(flagged, A)
    background = next(item for item in assessment.items if item.code == "BACKGROUND")
    assert (background.score, background.reasons) == (0, ("BACKGROUND_INELIGIBLE",))
    assert not assessment.approved


def test_the_decision_carries_digests_scores_outcome_and_reasons() -> None:
    case, registered = case_of(Forgery.INVOICE_NUMBER_ONE_OFF)
    inputs = inputs_of(case, registered)
    assessment = assess(inputs, A)
    decision = assessment.decision()
    assert (decision.rule_digest, decision.input_digest) == (A.digest(), inputs.digest())
    assert decision.scores == assessment.scores
    assert (decision.approved, decision.reason_codes) == (False, ("INVOICE_NOT_REGISTERED",))
    assert assessment.failed_items == ("INVOICE",)
