"""Typed wrapper of ``contracts/AidDecisions.sol``: aid applications, rule-based decisions, appeals, sign-off.

Scores, thresholds and pass thresholds are integers on the contract's 0-10000 scale (:data:`MAX_SCORE`);
item and reason codes are short ASCII codes stored as bytes32 (:func:`short_code`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client.client import ChainClient, TxResult
from chain_client.contracts.base import ContractWrapper
from chain_client.contracts.institution_registry import decode_short_code, short_code
from chain_client.contracts.payment_order_escrow import PaymentOrder, PaymentOrderEscrow
from chain_client.types import BlockId

MAX_SCORE: Final = 10_000
"""The contract's score scale: 10000 is 100%."""

_ZERO_ADDRESS: Final = "0x" + "00" * 20
_ZERO32: Final = b"\x00" * 32


class AidStrategy(IntEnum):
    """``AidStrategy`` of ``IAidDecisions.sol``: A is every item above its threshold, B the weighted average."""

    NONE = 0
    EVERY_ITEM = 1
    WEIGHTED_AVERAGE = 2


class AidStatus(IntEnum):
    """``AidStatus`` of ``IAidDecisions.sol`` (same order)."""

    NONE = 0
    SUBMITTED = 1
    APPROVED = 2
    REJECTED = 3
    UNDER_APPEAL = 4
    COMPLETED = 5


@dataclass(frozen=True)
class AidRuleTerms:
    """The numeric part of a decision rule as the contract registers it (``IAidDecisions.AidRule``)."""

    strategy: AidStrategy
    pass_threshold: int
    item_codes: tuple[str, ...]
    thresholds: tuple[int, ...]
    weights: tuple[int, ...]

    def as_tuple(self) -> tuple[int, int, list[bytes], list[int], list[int]]:
        return (
            int(self.strategy),
            self.pass_threshold,
            [short_code(code) for code in self.item_codes],
            list(self.thresholds),
            list(self.weights),
        )

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> AidRuleTerms:
        return cls(
            strategy=AidStrategy(value[0]),
            pass_threshold=int(value[1]),
            item_codes=tuple(decode_short_code(bytes(code)) for code in value[2]),
            thresholds=tuple(int(threshold) for threshold in value[3]),
            weights=tuple(int(weight) for weight in value[4]),
        )


@dataclass(frozen=True)
class RegisteredRule:
    terms: AidRuleTerms
    bank: ChecksumAddress
    registered_at: int
    retired: bool


@dataclass(frozen=True)
class AidDecision:
    """A bank's decision (``IAidDecisions.AidDecision``)."""

    rule_digest: bytes
    input_digest: bytes
    scores: tuple[int, ...]
    approved: bool
    reason_codes: tuple[str, ...] = field(default=())

    def as_tuple(self) -> tuple[bytes, bytes, list[int], bool, list[bytes]]:
        return (
            self.rule_digest,
            self.input_digest,
            list(self.scores),
            self.approved,
            [short_code(code) for code in self.reason_codes],
        )

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> AidDecision:
        return cls(
            rule_digest=bytes(value[0]),
            input_digest=bytes(value[1]),
            scores=tuple(int(score) for score in value[2]),
            approved=bool(value[3]),
            reason_codes=tuple(decode_short_code(bytes(code)) for code in value[4]),
        )


@dataclass(frozen=True)
class RecordedDecision:
    decision: AidDecision
    bank: ChecksumAddress
    decided_at: int


@dataclass(frozen=True)
class AidApplication:
    """An application as stored (``IAidDecisions.Application``)."""

    applicant: ChecksumAddress
    status: AidStatus
    appealed: bool
    submitted_at: int
    pool_id: int
    identity_hash: bytes
    document_digests: tuple[bytes, ...]
    hospital: ChecksumAddress | None
    order_id: bytes | None


@dataclass(frozen=True)
class DecidedEvent:
    """An ``AidDecided`` event: the decision as the chain recorded it, and where."""

    application_id: int
    bank: ChecksumAddress
    decision: AidDecision
    failed_items: tuple[str, ...]
    tx_hash: bytes
    block_number: int


class AidDecisions(ContractWrapper):
    """Individual aid on-chain: applications, decisions under registered rules, appeals, hospital payment."""

    ARTIFACT = "AidDecisions"

    # ------------------------------------------------------------------ writes

    def register_rule(self, bank: LocalAccount, rule_digest: bytes, terms: AidRuleTerms) -> TxResult:
        """A bank registers rule ``rule_digest`` with its numeric terms, before any decision uses it."""
        return self._write(bank, "registerRule", rule_digest, terms.as_tuple())

    def retire_rule(self, bank: LocalAccount, rule_digest: bytes) -> TxResult:
        return self._write(bank, "retireRule", rule_digest)

    def submit_application(
        self, applicant: LocalAccount, pool_id: int, identity_hash: bytes, document_digests: Sequence[bytes]
    ) -> tuple[int, TxResult]:
        """``applicant`` applies to plan ``pool_id`` (0: the platform); returns the application id."""
        result = self._write(applicant, "submitApplication", pool_id, identity_hash, list(document_digests))
        return int(result.event("AidApplied")["applicationId"]), result

    def decide(self, bank: LocalAccount, application_id: int, decision: AidDecision) -> TxResult:
        return self._write(bank, "decide", application_id, decision.as_tuple())

    def appeal(self, applicant: LocalAccount, application_id: int, grounds_digest: bytes) -> TxResult:
        return self._write(applicant, "appeal", application_id, grounds_digest)

    def decide_appeal(
        self, regulator: LocalAccount, application_id: int, approved: bool, decision_digest: bytes
    ) -> TxResult:
        return self._write(regulator, "decideAppeal", application_id, approved, decision_digest)

    def assign_hospital(self, sender: LocalAccount, application_id: int, hospital: str) -> TxResult:
        return self._write(sender, "assignHospital", application_id, to_checksum_address(hospital))

    def link_order(self, bank: LocalAccount, application_id: int, order: PaymentOrder) -> TxResult:
        return self._write(bank, "linkOrder", application_id, order.as_tuple())

    def confirm_treatment(
        self, applicant: LocalAccount, application_id: int, evidence_digest: bytes
    ) -> TxResult:
        return self._write(applicant, "confirmTreatment", application_id, evidence_digest)

    # ------------------------------------------------------------------ reads

    def rule_of(self, rule_digest: bytes, *, block: BlockId = "latest") -> RegisteredRule | None:
        """The registered rule, or None if ``rule_digest`` was never registered."""
        terms, bank, registered_at, retired = self._read("ruleOf", rule_digest, block=block)
        if int(bank, 16) == 0:
            return None
        return RegisteredRule(
            AidRuleTerms.from_tuple(terms), to_checksum_address(bank), int(registered_at), bool(retired)
        )

    def evaluate(self, rule_digest: bytes, scores: Sequence[int]) -> tuple[bool, tuple[str, ...]]:
        """The contract's outcome for ``scores`` under a registered rule, and the items that fell short."""
        approved, failed = self._read("evaluate", rule_digest, list(scores))
        return bool(approved), tuple(decode_short_code(bytes(code)) for code in failed)

    def application_of(self, application_id: int, *, block: BlockId = "latest") -> AidApplication:
        value = self._read("applicationOf", application_id, block=block)
        hospital = to_checksum_address(value[7])
        order_id = bytes(value[8])
        return AidApplication(
            applicant=to_checksum_address(value[0]),
            status=AidStatus(value[1]),
            appealed=bool(value[2]),
            submitted_at=int(value[3]),
            pool_id=int(value[4]),
            identity_hash=bytes(value[5]),
            document_digests=tuple(bytes(digest) for digest in value[6]),
            hospital=None if int(hospital, 16) == 0 else hospital,
            order_id=None if order_id == _ZERO32 else order_id,
        )

    def decision_of(self, application_id: int, *, block: BlockId = "latest") -> RecordedDecision | None:
        """The bank's decision on the application, or None before there is one."""
        decision, bank, decided_at = self._read("decisionOf", application_id, block=block)
        if int(bank, 16) == 0:
            return None
        return RecordedDecision(AidDecision.from_tuple(decision), to_checksum_address(bank), int(decided_at))

    def open_application_of(self, identity_hash: bytes) -> int | None:
        application_id = int(self._read("openApplicationOf", identity_hash))
        return application_id or None

    def application_count(self) -> int:
        return int(self._read("applicationCount"))

    def escrow(self) -> ChecksumAddress:
        return to_checksum_address(self._read("escrow"))

    def decided_in(self, tx_hash: bytes) -> DecidedEvent:
        """The ``AidDecided`` event of transaction ``tx_hash`` (raises ``LookupError`` if it has none)."""
        receipt = self.client.backend.get_receipt(tx_hash)
        if receipt is None:
            raise LookupError(f"no transaction 0x{tx_hash.hex()} on this chain")
        topic = self.abi.event_topic("AidDecided")
        for entry in receipt.logs:
            if entry.address != self.address or not entry.topics or entry.topics[0] != topic:
                continue
            event = self.abi.decode_log(entry)
            if event is None:
                continue
            return DecidedEvent(
                application_id=int(event["applicationId"]),
                bank=to_checksum_address(event["bank"]),
                decision=AidDecision(
                    rule_digest=bytes(event["ruleDigest"]),
                    input_digest=bytes(event["inputDigest"]),
                    scores=tuple(int(score) for score in event["scores"]),
                    approved=bool(event["approved"]),
                    reason_codes=tuple(decode_short_code(bytes(code)) for code in event["reasonCodes"]),
                ),
                failed_items=tuple(decode_short_code(bytes(code)) for code in event["failedItems"]),
                tx_hash=tx_hash,
                block_number=entry.block_number,
            )
        raise LookupError(f"transaction 0x{tx_hash.hex()} recorded no aid decision of {self.address}")


def deploy_aid_decisions(
    client: ChainClient, admin: LocalAccount, escrow: PaymentOrderEscrow | str
) -> AidDecisions:
    """Deploy AidDecisions over ``escrow`` (its pools, registry and consortium are taken from it)."""
    address = escrow.address if isinstance(escrow, PaymentOrderEscrow) else to_checksum_address(escrow)
    return AidDecisions.deploy(client, admin, address)
