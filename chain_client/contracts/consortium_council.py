"""Typed wrapper of ``contracts/ConsortiumCouncil.sol``: the consortium's admin actions, taken by k of N banks.

An admin action is one call the council makes once a majority of the current banks approved it. Build the call
with the target wrapper's ``*_data`` method, then::

    proposed = council.propose(bank_a, consortium.address, consortium.grant_role_data(BANK_ROLE, new_bank), digest)
    council.approve(bank_b, proposed.proposal_id)
    council.execute(bank_a, proposed.proposal_id)

or :meth:`ConsortiumCouncil.decide` for all three steps. During bootstrap the deployer holds DEFAULT_ADMIN_ROLE
and acts alone; :func:`hand_over_to_council` ends that (see docs/contracts.md, "Governance").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client.client import ChainClient, TxResult
from chain_client.contracts.base import ContractWrapper
from chain_client.contracts.consortium import BANK_ROLE, DEFAULT_ADMIN_ROLE, Consortium

# The contracts a proposal usually calls: their events are decoded in an execution's result.
_TARGET_ARTIFACTS: Final = (
    "Consortium",
    "DepositToken",
    "InstitutionRegistry",
    "WelfarePools",
    "ResourceTracker",
)


class ProposalStatus(IntEnum):
    """``ProposalStatus`` of ``IConsortiumCouncil.sol`` (same order)."""

    NONE = 0
    PROPOSED = 1
    EXECUTED = 2
    CANCELLED = 3


@dataclass(frozen=True)
class Proposal:
    """A council proposal (``IConsortiumCouncil.Proposal``)."""

    proposer: ChecksumAddress
    status: ProposalStatus
    proposed_at: int
    target: ChecksumAddress
    data: bytes
    description_digest: bytes

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> Proposal:
        return cls(
            proposer=to_checksum_address(value[0]),
            status=ProposalStatus(value[1]),
            proposed_at=int(value[2]),
            target=to_checksum_address(value[3]),
            data=bytes(value[4]),
            description_digest=bytes(value[5]),
        )


@dataclass(frozen=True)
class Proposed:
    """A new proposal: its id and the transaction that made it."""

    proposal_id: int
    result: TxResult


class ConsortiumCouncil(ContractWrapper):
    """The banks' council: propose, approve and execute the consortium's admin actions."""

    ARTIFACT = "ConsortiumCouncil"

    def _write(self, sender: LocalAccount, function: str, *args: Any, value: int = 0) -> TxResult:
        """As the base, but the target contracts' events in the same transaction are decoded too."""
        result = super()._write(sender, function, *args, value=value)
        abis = [self.abi, *(self.client.abi(name) for name in _TARGET_ARTIFACTS)]
        return TxResult(receipt=result.receipt, events=self.client.decode_events(result.receipt.logs, abis))

    # ------------------------------------------------------------------ writes

    def propose(self, bank: LocalAccount, target: str, data: bytes, description_digest: bytes) -> Proposed:
        """``bank`` proposes that the council call ``target`` with ``data``; its approval counts.

        Raises ``ContractReverted("CouncilNotBank", ...)`` if ``bank`` is not a member bank.
        """
        result = self._write(bank, "propose", target, data, description_digest)
        return Proposed(int(result.event("ProposalCreated")["proposalId"]), result)

    def approve(self, bank: LocalAccount, proposal_id: int) -> TxResult:
        return self._write(bank, "approve", proposal_id)

    def revoke_approval(self, bank: LocalAccount, proposal_id: int) -> TxResult:
        return self._write(bank, "revokeApproval", proposal_id)

    def execute(self, bank: LocalAccount, proposal_id: int) -> TxResult:
        """Make the proposal's call; ``CouncilThresholdNotReached`` until a majority of the banks approved."""
        return self._write(bank, "execute", proposal_id)

    def cancel(self, proposer: LocalAccount, proposal_id: int) -> TxResult:
        return self._write(proposer, "cancel", proposal_id)

    def decide(
        self, banks: Sequence[LocalAccount], target: str, data: bytes, description_digest: bytes
    ) -> TxResult:
        """Take one admin action: ``banks[0]`` proposes, the next banks approve until the threshold, and
        ``banks[0]`` executes. Returns the execution's result (with the target's events decoded).

        Raises ``ValueError`` (before sending anything) if ``banks`` are fewer than the threshold.
        """
        needed = self.threshold()
        if len(banks) < needed:
            raise ValueError(f"the council needs {needed} banks' approval; {len(banks)} given")
        proposal_id = self.propose(banks[0], target, data, description_digest).proposal_id
        for bank in banks[1:needed]:
            self.approve(bank, proposal_id)
        return self.execute(banks[0], proposal_id)

    # ------------------------------------------------------------------ reads

    def threshold(self) -> int:
        """How many current banks' approvals a proposal needs: ``banks // 2 + 1``."""
        return int(self._read("threshold"))

    def approvals_of(self, proposal_id: int) -> int:
        """How many of the proposal's approvers are banks now."""
        return int(self._read("approvalsOf", proposal_id))

    def has_approved(self, proposal_id: int, bank: str) -> bool:
        return bool(self._read("hasApproved", proposal_id, bank))

    def proposal_of(self, proposal_id: int) -> Proposal:
        return Proposal.from_tuple(self._read("proposalOf", proposal_id))

    def proposal_count(self) -> int:
        return int(self._read("proposalCount"))

    def proposal_lifetime(self) -> int:
        """How long a proposal may gather approvals and be executed, in seconds."""
        return int(self._read("PROPOSAL_LIFETIME"))

    def consortium(self) -> ChecksumAddress:
        return to_checksum_address(self._read("consortium"))


def deploy_consortium_council(
    client: ChainClient, deployer: LocalAccount, consortium: Consortium
) -> ConsortiumCouncil:
    """Deploy the council of ``consortium``'s banks (it acts once it holds DEFAULT_ADMIN_ROLE)."""
    return ConsortiumCouncil.deploy(client, deployer, consortium.address)


def hand_over_to_council(consortium: Consortium, admin: LocalAccount, council: ConsortiumCouncil) -> None:
    """End the bootstrap: ``admin`` grants the council DEFAULT_ADMIN_ROLE and renounces its own, so that from now
    on every admin action needs a majority of the banks. The consortium must already have its banks."""
    if consortium.role_member_count(BANK_ROLE) == 0:
        raise ValueError("grant BANK_ROLE to the consortium's banks before handing over to their council")
    consortium.grant_role(admin, DEFAULT_ADMIN_ROLE, council.address)
    consortium.renounce_role(admin, DEFAULT_ADMIN_ROLE)
