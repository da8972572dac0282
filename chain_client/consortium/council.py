"""A bank joins or leaves on-chain through the banks' council (``contracts/ConsortiumCouncil.sol``).

Once the first bank has handed the consortium over (:func:`hand_over`), every admin action is a council
proposal that a majority of the current banks must approve. A membership change is up to three calls of the
Consortium, each one proposal, proposed together by one bank, approved together by the others (each with its
own account key), and executed in this order once enough banks approved all of them:

- a bank joins: ``grantRole(BANK_ROLE, account)``, ``allowAccount(account)``,
  ``allowNode(enodeId, enodeHost, enodePort, account)`` (``allowNode`` needs the operator to be a bank already);
- a bank leaves: ``disallowNode(...)``, ``disallowAccount(account)``, ``revokeRole(BANK_ROLE, account)``
  (the role goes last, so the leaving bank's own approval counts for the whole change).

Calls already in effect are not proposed again. The approvals a change needs are the council's threshold
(``banks / 2 + 1``, ``IConsortiumCouncil.threshold``); for a joining bank, the threshold once it is a bank,
because the calls after ``grantRole`` are executed with one more bank on the council. Before executing, each
call that does not depend on an earlier one is simulated as the council (``eth_call`` from its address): a call
the Consortium refuses (``ConsortiumLastMember`` for the last bank, ...) stops the change before anything is
sent. The QBFT validator votes are separate (``votes.validator_votes``): the validators cast them on their own
nodes. The command line is ``python -m chain_client consortium council --help``; docs/operations.md describes it
step by step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from functools import partial
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from chain_client.backends.jsonrpc import JsonRpcError
from chain_client.client import ChainClient, TxResult
from chain_client.config import ChainSettings, load_settings
from chain_client.connect import connect
from chain_client.consortium.errors import (
    BankChangeInvalid,
    CouncilRefused,
    DeploymentMismatch,
    KitInvalid,
    NodeUnreachable,
    NotEnoughApprovals,
)
from chain_client.consortium.kit import bank_account
from chain_client.consortium.network import BankNode, Network, load_network
from chain_client.contracts import BANK_ROLE, DEFAULT_ADMIN_ROLE, Consortium, ConsortiumCouncil
from chain_client.contracts.consortium import Enode
from chain_client.contracts.consortium_council import ProposalStatus
from chain_client.deploy import ledger_at, load_deployment
from chain_client.errors import BackendUnavailable, ContractReverted

Report = Callable[[str], None]


def _silent(_: str) -> None:
    return None


class Step(Enum):
    """One Consortium call of a membership change."""

    GRANT_BANK_ROLE = "grant BANK_ROLE to"
    ALLOW_ACCOUNT = "allow-list the account of"
    ALLOW_NODE = "put on the node list the node of"
    DISALLOW_NODE = "take off the node list the node of"
    DISALLOW_ACCOUNT = "take off the allow-list the account of"
    REVOKE_BANK_ROLE = "revoke BANK_ROLE from"


JOIN_STEPS = (Step.GRANT_BANK_ROLE, Step.ALLOW_ACCOUNT, Step.ALLOW_NODE)
LEAVE_STEPS = (Step.DISALLOW_NODE, Step.DISALLOW_ACCOUNT, Step.REVOKE_BANK_ROLE)


@dataclass(frozen=True)
class CouncilCall:
    """One call the council makes to the Consortium: ``data`` is its ABI-encoded calldata."""

    step: Step
    bank: BankNode
    data: bytes

    @property
    def action(self) -> str:
        return f"{self.step.value} {self.bank.name} ({self.bank.account})"


@dataclass(frozen=True)
class BankChange:
    """A bank joining (``joining``) or leaving: its calls, in the order they are executed."""

    bank: BankNode
    joining: bool
    calls: tuple[CouncilCall, ...]

    @property
    def description(self) -> str:
        verb = "joins" if self.joining else "leaves"
        return f"{self.bank.name} {verb} the consortium: account {self.bank.account}, node {self.bank.enode}"

    @property
    def description_digest(self) -> bytes:
        """What every proposal of the change records as its ``descriptionDigest``: keccak256 of the description."""
        return keccak(text=self.description)

    @property
    def option(self) -> str:
        """The command-line option that names this change (``--add bank-5`` or ``--remove bank-2``)."""
        return f"--{'add' if self.joining else 'remove'} {self.bank.name}"


@dataclass(frozen=True)
class CallStatus:
    """Where one call of a change stands: in effect already, or its live proposal (None if not proposed)."""

    call: CouncilCall
    in_effect: bool
    proposal_id: int | None
    approvals: int
    approvers: tuple[str, ...]


@dataclass(frozen=True)
class ChangeStatus:
    """A change on the chain: each call's state, the approvals counted and the approvals needed."""

    change: BankChange
    calls: tuple[CallStatus, ...]
    needed: int
    banks: int
    transactions: tuple[tuple[str, str], ...] = ()
    """What this command sent, in order: (what, tx hash)."""

    @property
    def pending(self) -> tuple[CallStatus, ...]:
        """The calls not yet in effect."""
        return tuple(call for call in self.calls if not call.in_effect)

    @property
    def done(self) -> bool:
        return not self.pending

    @property
    def proposed(self) -> bool:
        return bool(self.pending) and all(call.proposal_id is not None for call in self.pending)

    @property
    def approvals(self) -> int:
        """The approvals every pending proposal has (the least of them): what the change can count on."""
        return min((call.approvals for call in self.pending), default=0)

    @property
    def missing(self) -> int:
        """How many more banks must approve before the change can be executed."""
        return max(0, self.needed - self.approvals)


@dataclass
class _Chain:
    client: ChainClient
    network: Network
    consortium: Consortium
    council: ConsortiumCouncil
    kit: Path


@contextmanager
def _open(kit: Path, rpc_url: str, receipt_timeout: float) -> Iterator[_Chain]:
    network = load_network(kit)
    settings = load_settings(
        data_dir=kit,
        chain=ChainSettings(backend="jsonrpc", rpc_url=rpc_url, receipt_timeout_s=receipt_timeout),
    ).chain
    try:
        client = connect(settings)
    except BackendUnavailable as exc:
        if isinstance(exc, JsonRpcError):
            raise
        raise NodeUnreachable(f"no node answers at {rpc_url}: {exc}") from None
    try:
        if client.chain_id != network.chain_id:
            raise DeploymentMismatch(
                f"the node at {rpc_url} is chain {client.chain_id}, the kit is chain {network.chain_id}"
            )
        addresses = load_deployment(settings.deployment_path, client)
        if addresses is None:
            raise KitInvalid(
                f"no ledger of this chain is recorded in {settings.deployment_path}: run `consortium deploy` first"
            )
        ledger = ledger_at(client, addresses)
        yield _Chain(client, network, ledger.foundation.consortium, ledger.council, kit)
    finally:
        client.close()


def _account(chain: _Chain, name: str, password: str) -> LocalAccount:
    bank = chain.network.bank(name)  # KitInvalid names the kit's banks
    account = bank_account(chain.kit, name, password)
    if account.address != bank.account:
        raise KitInvalid(f"the account keystore of {name} does not match network.json")
    return account


def _send(what: str, send: Callable[[], TxResult]) -> TxResult:
    """Send one transaction; a revert (the client simulates first, so nothing was sent) becomes ``CouncilRefused``."""
    try:
        return send()
    except ContractReverted as exc:
        raise CouncilRefused(f"the chain refused to {what}: {exc}", exc) from None


def _tx(result: TxResult) -> str:
    return "0x" + result.tx_hash.hex()


def plan_change(network: Network, consortium: Consortium, name: str, *, joining: bool) -> BankChange:
    """The calls that make ``name`` (a bank of the kit's ``network.json``) join or leave; ``KitInvalid`` if the kit
    does not list it (a joining bank runs ``add-bank`` first; a leaving bank leaves on-chain before ``remove-bank``)."""
    if not joining and name in network.removed:
        raise KitInvalid(
            f"{name} is already off the kit (remove-bank ran): its account and node are no longer in network.json; "
            "the on-chain step comes before `consortium remove-bank`"
        )
    if joining and name not in network.names():
        raise KitInvalid(f"no bank named {name!r} in this kit: run `consortium add-bank --name {name}` first")
    bank = network.bank(name)
    enode = Enode.from_url(bank.enode)
    data = {
        Step.GRANT_BANK_ROLE: consortium.grant_role_data(BANK_ROLE, bank.account),
        Step.ALLOW_ACCOUNT: consortium.allow_account_data(bank.account),
        Step.ALLOW_NODE: consortium.allow_node_data(enode, bank.account),
        Step.DISALLOW_NODE: consortium.disallow_node_data(enode),
        Step.DISALLOW_ACCOUNT: consortium.disallow_account_data(bank.account),
        Step.REVOKE_BANK_ROLE: consortium.revoke_role_data(BANK_ROLE, bank.account),
    }
    steps = JOIN_STEPS if joining else LEAVE_STEPS
    return BankChange(bank, joining, tuple(CouncilCall(step, bank, data[step]) for step in steps))


def _in_effect(consortium: Consortium, call: CouncilCall) -> bool:
    account = call.bank.account
    match call.step:
        case Step.GRANT_BANK_ROLE:
            return consortium.has_role(BANK_ROLE, account)
        case Step.REVOKE_BANK_ROLE:
            return not consortium.has_role(BANK_ROLE, account)
        case Step.ALLOW_ACCOUNT:
            return consortium.is_allowed(account)
        case Step.DISALLOW_ACCOUNT:
            return not consortium.is_allowed(account)
        case Step.ALLOW_NODE:
            return consortium.node_allowed(Enode.from_url(call.bank.enode))
        case Step.DISALLOW_NODE:
            return not consortium.node_allowed(Enode.from_url(call.bank.enode))


def _live_proposals(chain: _Chain) -> dict[bytes, int]:
    """Calldata -> id of the newest proposal to the Consortium that can still be approved and executed."""
    latest = chain.client.backend.get_block("latest")
    now = latest.timestamp if latest is not None else 0
    lifetime = chain.council.proposal_lifetime()
    live: dict[bytes, int] = {}
    for proposal_id in range(1, chain.council.proposal_count() + 1):
        proposal = chain.council.proposal_of(proposal_id)
        if (
            proposal.status == ProposalStatus.PROPOSED
            and proposal.target == chain.consortium.address
            and now <= proposal.proposed_at + lifetime
        ):
            live[proposal.data] = proposal_id
    return live


def _status(
    chain: _Chain, change: BankChange, transactions: tuple[tuple[str, str], ...] = ()
) -> ChangeStatus:
    live = _live_proposals(chain)
    banks = chain.consortium.role_member_count(BANK_ROLE)
    calls = []
    for call in change.calls:
        in_effect = _in_effect(chain.consortium, call)
        proposal_id = None if in_effect else live.get(call.data)
        approvals, approvers = 0, tuple[str, ...]()
        if proposal_id is not None:
            approvals = chain.council.approvals_of(proposal_id)
            approvers = tuple(
                bank.name
                for bank in chain.network.banks
                if chain.council.has_approved(proposal_id, bank.account)
            )
        calls.append(CallStatus(call, in_effect, proposal_id, approvals, approvers))
    grant_pending = any(c.call.step is Step.GRANT_BANK_ROLE and not c.in_effect for c in calls)
    needed = (banks + 1) // 2 + 1 if grant_pending else chain.council.threshold()
    return ChangeStatus(change, tuple(calls), needed, banks, transactions)


def _require_council_in_charge(chain: _Chain) -> None:
    if not chain.consortium.has_role(DEFAULT_ADMIN_ROLE, chain.council.address):
        raise BankChangeInvalid(
            f"the council ({chain.council.address}) does not administer the consortium yet: the first bank runs "
            "`consortium council hand-over` once after `consortium deploy`"
        )


def _preflight(chain: _Chain, status: ChangeStatus) -> None:
    """Simulate each pending call as the council would make it; ``CouncilRefused`` names the Consortium's error."""
    grant_pending = any(c.call.step is Step.GRANT_BANK_ROLE for c in status.pending)
    for pending in status.pending:
        if pending.call.step is Step.ALLOW_NODE and grant_pending:
            continue  # needs the bank's role, granted by the call before it
        try:
            chain.client.call(chain.consortium.address, pending.call.data, sender=chain.council.address)
        except ContractReverted as exc:
            raise CouncilRefused(
                f"the consortium refuses to {pending.call.action}: {exc}; nothing was sent", exc
            ) from None


def _propose(chain: _Chain, account: LocalAccount, data: bytes, digest: bytes) -> TxResult:
    return chain.council.propose(account, chain.consortium.address, data, digest).result


def _summary(status: ChangeStatus) -> str:
    ids = ", ".join(str(c.proposal_id) for c in status.pending if c.proposal_id is not None)
    return (
        f"approvals {status.approvals} of {status.needed} needed ({status.banks} banks now; proposals {ids})"
        + ("" if status.missing == 0 else f": {status.missing} more bank(s) must approve")
    )


def _execute(
    chain: _Chain, executor: LocalAccount, executor_name: str, change: BankChange, report: Report
) -> list[tuple[str, str]]:
    status = _status(chain, change)
    _preflight(chain, status)
    sent = []
    for pending in status.pending:
        proposal_id = pending.proposal_id
        if proposal_id is None:
            raise BankChangeInvalid(f"'{pending.call.action}' is not proposed")
        result = _send(
            f"execute proposal {proposal_id}", partial(chain.council.execute, executor, proposal_id)
        )
        event = result.event("ProposalExecuted")
        report(
            f"{executor_name} executed proposal {proposal_id}: {pending.call.action} "
            f"({event['approvals']} approvals of {event['threshold']} needed), tx {_tx(result)}"
        )
        sent.append((f"execute {proposal_id}", _tx(result)))
    return sent


def hand_over(
    kit: Path, rpc_url: str, password: str, *, report: Report = _silent, receipt_timeout: float = 60.0
) -> None:
    """End the bootstrap: the first bank (the deployer) grants the council DEFAULT_ADMIN_ROLE and renounces its own,
    so that every later admin action needs a majority of the banks. Does nothing if the council already holds it
    alone; ``BankChangeInvalid`` if someone else administers the consortium."""
    with _open(kit, rpc_url, receipt_timeout) as chain:
        first = chain.network.banks[0]
        admins = chain.consortium.role_members(DEFAULT_ADMIN_ROLE)
        if admins == [chain.council.address]:
            report(f"the council ({chain.council.address}) already administers the consortium alone")
            return
        if first.account not in admins:
            raise BankChangeInvalid(f"{first.name} does not administer the consortium (its admins: {admins})")
        admin = _account(chain, first.name, password)
        if not chain.consortium.has_role(DEFAULT_ADMIN_ROLE, chain.council.address):
            result = _send(
                "grant the council DEFAULT_ADMIN_ROLE",
                lambda: chain.consortium.grant_role(admin, DEFAULT_ADMIN_ROLE, chain.council.address),
            )
            report(
                f"{first.name} granted DEFAULT_ADMIN_ROLE to the council ({chain.council.address}), tx {_tx(result)}"
            )
        result = _send(
            "renounce DEFAULT_ADMIN_ROLE", lambda: chain.consortium.renounce_role(admin, DEFAULT_ADMIN_ROLE)
        )
        report(f"{first.name} renounced DEFAULT_ADMIN_ROLE, tx {_tx(result)}")
        report(
            f"the council administers the consortium: every admin action needs {chain.council.threshold()} "
            f"of the {chain.consortium.role_member_count(BANK_ROLE)} banks"
        )


def propose_bank_change(
    kit: Path,
    rpc_url: str,
    proposer: str,
    password: str,
    name: str,
    *,
    joining: bool,
    report: Report = _silent,
    receipt_timeout: float = 60.0,
) -> ChangeStatus:
    """Bank ``proposer`` proposes that ``name`` join (``joining``) or leave: one proposal per call not yet in
    effect, its own approval counted. Executes at once if that is already a majority (a one-bank consortium).

    Raises ``KitInvalid`` (unknown bank, wrong keystore), ``KeystoreError`` (wrong password), ``NodeUnreachable``,
    ``BankChangeInvalid`` (the council is not in charge, the change is already proposed or already done),
    ``CouncilRefused`` (the chain refuses: the Consortium's error, e.g. ``ConsortiumLastMember``, or the council's,
    e.g. ``CouncilNotBank``), before anything is sent.
    """
    with _open(kit, rpc_url, receipt_timeout) as chain:
        change = plan_change(chain.network, chain.consortium, name, joining=joining)
        account = _account(chain, proposer, password)
        _require_council_in_charge(chain)
        status = _status(chain, change)
        if status.done:
            raise BankChangeInvalid(f"nothing to propose: every call of '{change.description}' is in effect")
        if status.proposed:
            ids = ", ".join(str(c.proposal_id) for c in status.pending)
            raise BankChangeInvalid(
                f"the change is already proposed (proposals {ids}): approve it with "
                f"`consortium council approve {change.option}`"
            )
        _preflight(chain, status)
        report(f"{proposer} proposes: {change.description}")
        sent = []
        for pending in status.pending:
            if pending.proposal_id is not None:  # an earlier, interrupted proposal: it stands
                report(f"  proposal {pending.proposal_id}: {pending.call.action} (proposed before)")
                continue
            proposed = _send(
                f"propose to {pending.call.action}",
                partial(_propose, chain, account, pending.call.data, change.description_digest),
            )
            proposal_id = int(proposed.event("ProposalCreated")["proposalId"])
            report(f"  proposal {proposal_id}: {pending.call.action}, tx {_tx(proposed)}")
            sent.append((f"propose {proposal_id}", _tx(proposed)))
        status = _status(chain, change)
        report(_summary(status))
        if status.missing == 0:
            sent += _execute(chain, account, proposer, change, report)
        return _status(chain, change, tuple(sent))


def approve_bank_change(
    kit: Path,
    rpc_url: str,
    approver: str,
    password: str,
    name: str,
    *,
    joining: bool,
    report: Report = _silent,
    receipt_timeout: float = 60.0,
) -> ChangeStatus:
    """Bank ``approver`` approves every pending proposal of the change; when that makes a majority, it executes them.

    Raises as :func:`propose_bank_change`, and ``BankChangeInvalid`` if nothing is proposed for the change,
    ``CouncilRefused`` with ``CouncilAlreadyApproved`` if ``approver`` has already approved all of it.
    """
    with _open(kit, rpc_url, receipt_timeout) as chain:
        change = plan_change(chain.network, chain.consortium, name, joining=joining)
        account = _account(chain, approver, password)
        status = _require_proposed(chain, change)
        todo = [c for c in status.pending if approver not in c.approvers]
        first = status.pending[0].proposal_id
        if not todo and first is not None:
            # The council's own answer: CouncilAlreadyApproved(proposalId, bank), found by simulation (nothing sent).
            _send(f"approve proposal {first} again", partial(chain.council.approve, account, first))
        sent = []
        for pending in todo:
            proposal_id = pending.proposal_id
            if proposal_id is None:
                raise BankChangeInvalid(f"'{pending.call.action}' is not proposed")
            result = _send(
                f"approve proposal {proposal_id}", partial(chain.council.approve, account, proposal_id)
            )
            report(f"{approver} approved proposal {proposal_id}: {pending.call.action}, tx {_tx(result)}")
            sent.append((f"approve {proposal_id}", _tx(result)))
        status = _status(chain, change)
        report(_summary(status))
        if status.missing == 0:
            sent += _execute(chain, account, approver, change, report)
        return _status(chain, change, tuple(sent))


def execute_bank_change(
    kit: Path,
    rpc_url: str,
    executor: str,
    password: str,
    name: str,
    *,
    joining: bool,
    report: Report = _silent,
    receipt_timeout: float = 60.0,
) -> ChangeStatus:
    """Bank ``executor`` executes the change's pending proposals (``approve`` does it by itself when it makes the
    majority; this is for a change whose execution was interrupted). ``NotEnoughApprovals`` says how many more
    banks must approve; otherwise raises as :func:`approve_bank_change`."""
    with _open(kit, rpc_url, receipt_timeout) as chain:
        change = plan_change(chain.network, chain.consortium, name, joining=joining)
        account = _account(chain, executor, password)
        status = _require_proposed(chain, change)
        if status.missing:
            raise NotEnoughApprovals(
                f"not enough approvals yet: {_summary(status)} (`consortium council approve {change.option}`)",
                approvals=status.approvals,
                needed=status.needed,
            )
        sent = _execute(chain, account, executor, change, report)
        return _status(chain, change, tuple(sent))


def bank_change_status(
    kit: Path, rpc_url: str, name: str, *, joining: bool, receipt_timeout: float = 60.0
) -> ChangeStatus:
    """Where the change stands on the chain (no key needed)."""
    with _open(kit, rpc_url, receipt_timeout) as chain:
        return _status(chain, plan_change(chain.network, chain.consortium, name, joining=joining))


def _require_proposed(chain: _Chain, change: BankChange) -> ChangeStatus:
    _require_council_in_charge(chain)
    status = _status(chain, change)
    if status.done:
        raise BankChangeInvalid(f"nothing to do: every call of '{change.description}' is in effect")
    if not status.proposed:
        raise BankChangeInvalid(
            f"the change is not (fully) proposed: a bank proposes it first with "
            f"`consortium council propose {change.option}`"
        )
    return status
