"""Recompute an aid decision from its inputs: does the ledger's record reproduce?

Anyone holding a decision's inputs (the canonical JSON document; the applicant, the bank and the regulator
have it) and the rule can check a decision recorded on-chain by its transaction hash: the inputs' keccak256
must be the recorded ``inputDigest``, the rule must be the registered ``ruleDigest``, the inputs must be those
of the recorded application (its id, identity hash and document digests), and the rule applied to the inputs
must give the recorded scores, outcome and reasons. :func:`recompute` says which of these hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_utils import keccak

from api.aid.engine import Assessment, assess
from api.aid.errors import DecisionNotFound, InputsInvalid, RuleUnknown
from api.aid.inputs import DecisionInputs
from api.aid.rules import RuleLibrary
from chain_client.contracts.aid_decisions import AidDecisions, DecidedEvent


@dataclass(frozen=True)
class Recomputation:
    """The outcome of a recomputation: ``reproduces`` when nothing differs."""

    tx_hash: bytes
    recorded: DecidedEvent
    input_digest: bytes
    """keccak256 of the inputs given."""
    assessment: Assessment | None
    """The rule applied to the inputs (``None`` when they could not be parsed or the rule is unknown)."""
    differences: tuple[str, ...] = field(default=())

    @property
    def reproduces(self) -> bool:
        return not self.differences

    def report(self) -> dict[str, object]:
        """JSON-ready: what was recorded, what recomputing gives, and what differs."""
        decision = self.recorded.decision
        return {
            "tx_hash": "0x" + self.tx_hash.hex(),
            "application_id": self.recorded.application_id,
            "reproduces": self.reproduces,
            "differences": list(self.differences),
            "recorded": {
                "rule_digest": "0x" + decision.rule_digest.hex(),
                "input_digest": "0x" + decision.input_digest.hex(),
                "scores": list(decision.scores),
                "approved": decision.approved,
                "reasons": list(decision.reason_codes),
            },
            "recomputed": None
            if self.assessment is None
            else {
                "rule": self.assessment.rule.label,
                "input_digest": "0x" + self.input_digest.hex(),
                "scores": list(self.assessment.scores),
                "approved": self.assessment.approved,
                "reasons": list(self.assessment.reasons),
                "items": {item.code: item.score for item in self.assessment.items},
            },
        }


def recompute(aid: AidDecisions, tx_hash: bytes, inputs: bytes, rules: RuleLibrary) -> Recomputation:
    """Recompute the decision recorded in transaction ``tx_hash`` from the canonical ``inputs`` bytes.

    Raises :class:`DecisionNotFound` when the transaction recorded no decision of ``aid``.
    """
    try:
        recorded = aid.decided_in(tx_hash)
    except LookupError as error:
        raise DecisionNotFound(str(error)) from None
    decision = recorded.decision
    digest = keccak(inputs)
    differences: list[str] = []
    if digest != decision.input_digest:
        differences.append(
            f"input digest: the inputs given hash to 0x{digest.hex()}, the decision recorded "
            f"0x{decision.input_digest.hex()}"
        )
    try:
        parsed = DecisionInputs.from_canonical(inputs)
    except InputsInvalid as error:
        return Recomputation(tx_hash, recorded, digest, None, (*differences, f"inputs: {error}"))
    try:
        rule = rules.by_digest(decision.rule_digest)
    except RuleUnknown:
        return Recomputation(
            tx_hash,
            recorded,
            digest,
            None,
            (*differences, f"rule 0x{decision.rule_digest.hex()} is not known here"),
        )
    application = aid.application_of(recorded.application_id, block=recorded.block_number)
    if parsed.application_id != recorded.application_id:
        differences.append(
            f"application: the inputs are of {parsed.application_id}, the decision of {recorded.application_id}"
        )
    if parsed.identity_hash != "0x" + application.identity_hash.hex():
        differences.append("identity hash: the inputs' differs from the application's on-chain")
    if parsed.document_digests != tuple("0x" + d.hex() for d in application.document_digests):
        differences.append("documents: the inputs' digests differ from the application's on-chain")
    if parsed.pool_id != application.pool_id:
        differences.append(f"plan: the inputs say {parsed.pool_id}, the application {application.pool_id}")
    assessment = assess(parsed, rule)
    for item, recorded_score, score in zip(rule.items, decision.scores, assessment.scores, strict=False):
        if recorded_score != score:
            differences.append(f"score of {item.code}: recorded {recorded_score}, recomputed {score}")
    if len(decision.scores) != len(assessment.scores):
        differences.append(
            f"scores: recorded {len(decision.scores)}, the rule has {len(assessment.scores)} items"
        )
    if assessment.approved != decision.approved:
        differences.append(f"outcome: recorded {decision.approved}, recomputed {assessment.approved}")
    if assessment.reasons != decision.reason_codes:
        differences.append(
            f"reasons: recorded {list(decision.reason_codes)}, recomputed {list(assessment.reasons)}"
        )
    return Recomputation(tx_hash, recorded, digest, assessment, tuple(differences))
