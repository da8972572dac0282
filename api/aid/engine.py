"""The decision engine [800]: authenticity and investigation split into audit items, scored, decided.

:func:`assess` is a pure function of a decision's canonical inputs and a rule: it runs the authenticity checks,
reads the investigation record, scores every item of the rule, applies the rule's strategy and collects the
named reasons. The same function serves the bank deciding and anyone recomputing the decision
(:mod:`api.aid.recompute`); the contract checks the outcome against the scores once more when it is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.aid.authenticity import CheckResult, check_authenticity
from api.aid.inputs import DecisionInputs
from api.aid.rules import AidRule, PassFail, PiecewiseLinear, Strategy, Table
from chain_client.contracts.aid_decisions import MAX_SCORE, AidDecision
from oracle.aid.investigation import InvestigationRecord


@dataclass(frozen=True)
class ItemScore:
    code: str
    score: int
    threshold: int
    weight: int
    reasons: tuple[str, ...]
    """Why the item scored what it did, when that is at or below the threshold."""

    @property
    def passed(self) -> bool:
        return self.score > self.threshold


@dataclass(frozen=True)
class Assessment:
    """A rule applied to a decision's inputs."""

    rule: AidRule
    rule_digest: bytes
    input_digest: bytes
    checks: tuple[CheckResult, ...]
    items: tuple[ItemScore, ...]
    approved: bool

    @property
    def scores(self) -> tuple[int, ...]:
        return tuple(item.score for item in self.items)

    @property
    def failed_items(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items if not item.passed)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every named finding, item by item (empty when every item passed)."""
        return tuple(dict.fromkeys(reason for item in self.items for reason in item.reasons))

    @property
    def authentic(self) -> bool:
        """Whether every authenticity check passed (whatever the applicant's means)."""
        return all(check.passed for check in self.checks)

    def decision(self) -> AidDecision:
        """The decision as the contract records it."""
        return AidDecision(
            rule_digest=self.rule_digest,
            input_digest=self.input_digest,
            scores=self.scores,
            approved=self.approved,
            reason_codes=self.reasons,
        )


def _investigation_value(record: InvestigationRecord, field: str) -> int | str:
    match field:
        case "background":
            return "fraud_record" if record.aid_fraud_record else record.employment.value
        case "income_per_capita_yuan":
            return record.income_per_capita_yuan
        case _:
            value = getattr(record, field, None)
            if not isinstance(value, int | str):
                raise ValueError(f"the investigation record has no field {field!r}")
            return value


def _score(
    rule_item_source: str,
    scoring: PassFail | PiecewiseLinear | Table,
    inputs: DecisionInputs,
    checks: dict[str, CheckResult],
    missing: int,
) -> tuple[int, tuple[str, ...]]:
    origin, _, name = rule_item_source.partition(":")
    if origin == "check":
        check = checks.get(name)
        if check is None:
            raise ValueError(f"no authenticity check {name!r}")
        return (MAX_SCORE if check.passed else 0), check.reasons
    record = inputs.investigation
    if record is None:
        return missing, ("INVESTIGATION_MISSING",)
    value = _investigation_value(record, name)
    if isinstance(scoring, PiecewiseLinear):
        if not isinstance(value, int):
            raise ValueError(f"{name} is not a number")
        return scoring.score(value), ()
    if isinstance(scoring, Table):
        return scoring.score(str(value)), ()
    raise ValueError(f"an investigation item cannot score {scoring.kind}")


def assess(inputs: DecisionInputs, rule: AidRule) -> Assessment:
    """Score ``inputs`` under ``rule`` and decide (deterministic: integers only)."""
    checks = check_authenticity(inputs)
    by_item = {check.item: check for check in checks}
    items = []
    for item in rule.items:
        score, reasons = _score(item.source, item.scoring, inputs, by_item, item.missing_score)
        if score > item.threshold:
            reasons = ()
        elif not reasons and item.reason is not None:
            reasons = (item.reason,)
        items.append(ItemScore(item.code, score, item.threshold, item.weight, reasons))
    if rule.strategy is Strategy.EVERY_ITEM:
        approved = all(item.passed for item in items)
    else:
        total_weight = sum(item.weight for item in items)
        approved = sum(item.weight * item.score for item in items) > rule.pass_threshold * total_weight
    return Assessment(
        rule=rule,
        rule_digest=rule.digest(),
        input_digest=inputs.digest(),
        checks=tuple(checks),
        items=tuple(items),
        approved=approved,
    )
