"""Typed wrapper of ``contracts/WelfarePools.sol``: relief plans, donations, refunds, transfers, escrow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final

from eth_abi.abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client.abi import DecodedEvent
from chain_client.client import ChainClient, TxResult
from chain_client.contracts.base import ContractWrapper
from chain_client.contracts.consortium import LEDGER_CONTRACT_ROLE, Consortium
from chain_client.contracts.deposit_token import DepositToken
from chain_client.contracts.resource_tracker import ResourceTracker
from chain_client.contracts.welfare_assets import WelfareAssets
from chain_client.types import BlockId

MONEY: Final = 0
"""The asset number of the deposit token; every other asset number is a welfare-asset id."""

_ZERO_ADDRESS: Final = "0x" + "00" * 20
_ZERO32: Final = b"\x00" * 32
_PERMIT_TTL: Final = 3_600


class PlanStatus(IntEnum):
    """``PlanStatus`` of ``IWelfarePools.sol`` (same order)."""

    NONE = 0
    LAUNCHED = 1
    AUDITED = 2
    OPEN = 3
    CLOSED = 4
    REJECTED = 5
    WOUND_UP = 6


class UnspentTerms(IntEnum):
    REFUND = 0
    MOVE_TO_PLAN = 1


class DonationForm(IntEnum):
    MONEY = 0
    POINTS = 1
    RIGHTS = 2
    VIRTUAL_RESOURCE = 3
    GOODS = 4


class PledgeStatus(IntEnum):
    NONE = 0
    PLEDGED = 1
    RECEIVED = 2


class GovernmentTransferStatus(IntEnum):
    NONE = 0
    PROPOSED = 1
    CONFIRMED = 2
    REJECTED = 3
    ACKNOWLEDGED = 4


@dataclass(frozen=True)
class InKindItem:
    goods_type: bytes
    quantity: int


@dataclass(frozen=True)
class PlanTerms:
    """What a charity commits to when it launches a plan (``IWelfarePools.PlanTerms``)."""

    purpose_digest: bytes
    deadline: int
    money_target: int = 0
    in_kind: tuple[InKindItem, ...] = ()
    needs_government_approval: bool = False
    government_transfer_allowed: bool = False
    unspent: UnspentTerms = UnspentTerms.REFUND
    warehouse: str | None = None
    successor_pool_id: int = 0
    """With ``MOVE_TO_PLAN`` terms, the existing plan unspent value moves to; 0 with ``REFUND`` terms."""

    def as_tuple(self) -> tuple[Any, ...]:
        return (
            self.purpose_digest,
            self.money_target,
            [(item.goods_type, item.quantity) for item in self.in_kind],
            self.deadline,
            self.needs_government_approval,
            self.government_transfer_allowed,
            int(self.unspent),
            self.warehouse or _ZERO_ADDRESS,
            self.successor_pool_id,
        )


@dataclass(frozen=True)
class Plan:
    charity: ChecksumAddress
    deadline: int
    status: PlanStatus
    needs_government_approval: bool
    government_transfer_allowed: bool
    unspent: UnspentTerms
    warehouse: ChecksumAddress
    successor_pool_id: int
    purpose_digest: bytes
    money_target: int

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> Plan:
        return cls(
            charity=to_checksum_address(value[0]),
            deadline=int(value[1]),
            status=PlanStatus(value[2]),
            needs_government_approval=bool(value[3]),
            government_transfer_allowed=bool(value[4]),
            unspent=UnspentTerms(value[5]),
            warehouse=to_checksum_address(value[6]),
            successor_pool_id=int(value[7]),
            purpose_digest=bytes(value[8]),
            money_target=int(value[9]),
        )


@dataclass(frozen=True)
class Ledger:
    """Where one asset of one pool is; ``inflow == outflow`` always holds."""

    donated: int = 0
    balance: int = 0
    escrowed: int = 0
    paid_out: int = 0
    refunded: int = 0
    to_government: int = 0
    moved_in: int = 0
    moved_out: int = 0

    @property
    def inflow(self) -> int:
        return self.donated + self.moved_in

    @property
    def outflow(self) -> int:
        """Everything the inflow became: still held, in escrow, or gone out one of the permitted ways."""
        return (
            self.balance + self.escrowed + self.paid_out + self.refunded + self.to_government + self.moved_out
        )

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> Ledger:
        return cls(*(int(item) for item in value))


@dataclass(frozen=True)
class Contribution:
    """One contributor's share of one asset of one pool: a donor's gifts (or the value a plan moved in) and what
    was refunded (paid back) of it."""

    donated: int
    refunded: int


@dataclass(frozen=True)
class GoodsLedger:
    wanted: int
    received: int


@dataclass(frozen=True)
class Pledge:
    pool_id: int
    donor: ChecksumAddress
    status: PledgeStatus
    goods_type: bytes
    quantity: int
    received: int
    lot_id: int

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> Pledge:
        return cls(
            pool_id=int(value[0]),
            donor=to_checksum_address(value[1]),
            status=PledgeStatus(value[2]),
            goods_type=bytes(value[3]),
            quantity=int(value[4]),
            received=int(value[5]),
            lot_id=int(value[6]),
        )


@dataclass(frozen=True)
class GovernmentTransfer:
    pool_id: int
    local_government: ChecksumAddress
    status: GovernmentTransferStatus
    asset: int
    amount: int
    purpose_digest: bytes

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> GovernmentTransfer:
        return cls(
            pool_id=int(value[0]),
            local_government=to_checksum_address(value[1]),
            status=GovernmentTransferStatus(value[2]),
            asset=int(value[3]),
            amount=int(value[4]),
            purpose_digest=bytes(value[5]),
        )


@dataclass(frozen=True)
class DonationReceipt:
    """A gift as its donor keeps it: the ``DonationReceived`` event plus the transaction it is in."""

    tx_hash: bytes
    block_number: int
    log_index: int
    pool_id: int
    donor: ChecksumAddress
    form: DonationForm
    asset: int
    amount: int
    pledge_id: int
    gas_used: int = field(default=0, compare=False)

    @classmethod
    def from_event(cls, event: DecodedEvent, gas_used: int = 0) -> DonationReceipt:
        return cls(
            tx_hash=event.log.transaction_hash,
            block_number=event.log.block_number,
            log_index=event.log.log_index,
            pool_id=int(event["poolId"]),
            donor=to_checksum_address(event["donor"]),
            form=DonationForm(event["form"]),
            asset=int(event["asset"]),
            amount=int(event["amount"]),
            pledge_id=int(event["pledgeId"]),
            gas_used=gas_used,
        )


@dataclass(frozen=True)
class Created:
    """A transaction that created something numbered (a pool, a pledge, a lot, a transfer)."""

    id: int
    result: TxResult


class WelfarePools(ContractWrapper):
    """Relief plans and their pools: every way value enters and leaves one."""

    ARTIFACT = "WelfarePools"

    # ------------------------------------------------------------------ plans

    def launch_plan(self, charity: LocalAccount, terms: PlanTerms) -> Created:
        result = self._write(charity, "launchPlan", terms.as_tuple())
        return Created(int(result.event("PlanLaunched")["poolId"]), result)

    def audit_plan(self, bank: LocalAccount, pool_id: int, passed: bool, report_digest: bytes) -> TxResult:
        return self._write(bank, "auditPlan", pool_id, passed, report_digest)

    def decide_plan(
        self, government: LocalAccount, pool_id: int, approved: bool, decision_digest: bytes
    ) -> TxResult:
        return self._write(government, "decidePlan", pool_id, approved, decision_digest)

    def close_plan(self, sender: LocalAccount, pool_id: int) -> TxResult:
        return self._write(sender, "closePlan", pool_id)

    def wind_up(self, sender: LocalAccount, pool_id: int) -> TxResult:
        return self._write(sender, "windUp", pool_id)

    def wind_up_by_decision(self, regulator: LocalAccount, pool_id: int, decision_digest: bytes) -> TxResult:
        """The regulator winds a plan up before its deadline (``PoolDecidedByParty`` if it is the charity)."""
        return self._write(regulator, "windUpByDecision", pool_id, decision_digest)

    # ------------------------------------------------------------------ donations

    def donate(self, donor: LocalAccount, pool_id: int, amount: int) -> DonationReceipt:
        """Give deposit tokens already approved to the pools contract."""
        return self._receipt(self._write(donor, "donate", pool_id, amount))

    def donate_with_permit(
        self,
        donor: LocalAccount,
        pool_id: int,
        amount: int,
        *,
        permit_deadline: int | None = None,
        signature: tuple[int, bytes, bytes] | None = None,
    ) -> DonationReceipt:
        """Give deposit tokens in one transaction, with an EIP-2612 permit for exactly ``amount``.

        ``signature`` is a permit the donor already signed for ``permit_deadline`` (else one is signed here).
        """
        deadline = permit_deadline if permit_deadline is not None else self._latest_timestamp() + _PERMIT_TTL
        v, r, s = signature if signature is not None else self.sign_permit(donor, amount, deadline)
        return self._receipt(self._write(donor, "donateWithPermit", pool_id, amount, deadline, v, r, s))

    def donate_asset(self, donor: LocalAccount, pool_id: int, asset_id: int, amount: int) -> DonationReceipt:
        """Give a welfare asset (points, rights, virtual resources): an ERC-1155 transfer to the pools."""
        assets_abi = self.client.abi("WelfareAssets")
        data = assets_abi.encode_call(
            "safeTransferFrom",
            donor.address,
            self.address,
            asset_id,
            amount,
            abi_encode(["uint256"], [pool_id]),
        )
        result = self.client.transact(donor, self.welfare_assets(), data, abis=[self.abi, assets_abi])
        return self._receipt(result)

    def pledge_goods(
        self, donor: LocalAccount, pool_id: int, goods_type: bytes, quantity: int, details_digest: bytes
    ) -> Created:
        result = self._write(donor, "pledgeGoods", pool_id, goods_type, quantity, details_digest)
        return Created(int(result.event("GoodsPledged")["pledgeId"]), result)

    def receive_pledge(self, warehouse: LocalAccount, pledge_id: int, quantity: int) -> DonationReceipt:
        """The warehouse signs for pledged goods: the gift counts and a lot is opened (``lot_of_pledge``)."""
        return self._receipt(self._write(warehouse, "receivePledge", pledge_id, quantity))

    def sign_permit(self, owner: LocalAccount, amount: int, deadline: int) -> tuple[int, bytes, bytes]:
        """An EIP-2612 permit of the deposit token letting this contract take ``amount`` from ``owner``."""
        return DepositToken(self.client, self.deposit_token()).sign_permit(
            owner, self.address, amount, deadline
        )

    # ------------------------------------------------------------------ refunds, moves, transfers

    def claim_refund(self, sender: LocalAccount, pool_id: int, asset: int, donor: str) -> TxResult:
        return self._write(sender, "claimRefund", pool_id, asset, donor)

    def move_unspent(self, sender: LocalAccount, pool_id: int, asset: int, to_pool_id: int) -> TxResult:
        """Move a wound-up plan's unspent ``asset`` to the successor its terms name (anyone may)."""
        return self._write(sender, "moveUnspent", pool_id, asset, to_pool_id)

    def move_unspent_by_decision(
        self, regulator: LocalAccount, pool_id: int, asset: int, to_pool_id: int, decision_digest: bytes
    ) -> TxResult:
        """The regulator moves a wound-up plan's unspent ``asset`` to another open plan, before any refund."""
        return self._write(regulator, "moveUnspentByDecision", pool_id, asset, to_pool_id, decision_digest)

    def return_moved_value(self, sender: LocalAccount, pool_id: int, asset: int, to_pool_id: int) -> TxResult:
        """Pay plan ``to_pool_id`` back its share of wound-up ``pool_id``'s refund, for the value it moved in."""
        return self._write(sender, "returnMovedValue", pool_id, asset, to_pool_id)

    def propose_government_transfer(
        self,
        charity: LocalAccount,
        pool_id: int,
        local_government: str,
        asset: int,
        amount: int,
        purpose_digest: bytes,
    ) -> Created:
        result = self._write(
            charity, "proposeGovernmentTransfer", pool_id, local_government, asset, amount, purpose_digest
        )
        return Created(int(result.event("GovernmentTransferProposed")["transferId"]), result)

    def confirm_government_transfer(self, bank: LocalAccount, transfer_id: int) -> TxResult:
        return self._write(bank, "confirmGovernmentTransfer", transfer_id)

    def reject_government_transfer(self, bank: LocalAccount, transfer_id: int) -> TxResult:
        return self._write(bank, "rejectGovernmentTransfer", transfer_id)

    def acknowledge_government_transfer(self, local_government: LocalAccount, transfer_id: int) -> TxResult:
        return self._write(local_government, "acknowledgeGovernmentTransfer", transfer_id)

    # ------------------------------------------------------------------ payment-order escrow hooks

    def set_escrow(self, admin: LocalAccount, escrow: str) -> TxResult:
        return self._write(admin, "setEscrow", escrow)

    def lock_for_order(
        self,
        escrow: LocalAccount,
        pool_id: int,
        order_id: bytes,
        asset: int,
        amount: int,
        bank: str,
        deadline: int,
    ) -> TxResult:
        return self._write(escrow, "lockForOrder", pool_id, order_id, asset, amount, bank, deadline)

    def pay_order(
        self,
        escrow: LocalAccount,
        pool_id: int,
        order_id: bytes,
        asset: int,
        amount: int,
        payee: str,
        bank: str,
    ) -> TxResult:
        return self._write(escrow, "payOrder", pool_id, order_id, asset, amount, payee, bank)

    def return_from_order(
        self, escrow: LocalAccount, pool_id: int, order_id: bytes, asset: int, amount: int
    ) -> TxResult:
        return self._write(escrow, "returnFromOrder", pool_id, order_id, asset, amount)

    def lock_for_order_data(
        self, pool_id: int, order_id: bytes, asset: int, amount: int, bank: str, deadline: int
    ) -> bytes:
        """Calldata of ``lockForOrder``, for an escrow contract's own transaction builder or a batch."""
        return self.abi.encode_call("lockForOrder", pool_id, order_id, asset, amount, bank, deadline)

    # ------------------------------------------------------------------ reads

    def plan_of(self, pool_id: int, *, block: BlockId = "latest") -> Plan:
        return Plan.from_tuple(self._read("planOf", pool_id, block=block))

    def charity_of(self, pool_id: int, *, block: BlockId = "latest") -> ChecksumAddress:
        return to_checksum_address(self._read("charityOf", pool_id, block=block))

    def in_kind_of(self, pool_id: int) -> tuple[InKindItem, ...]:
        return tuple(InKindItem(bytes(item[0]), int(item[1])) for item in self._read("inKindOf", pool_id))

    def ledger_of(self, pool_id: int, asset: int = MONEY, *, block: BlockId = "latest") -> Ledger:
        return Ledger.from_tuple(self._read("ledgerOf", pool_id, asset, block=block))

    def contribution_of(
        self, pool_id: int, asset: int, donor: str, *, block: BlockId = "latest"
    ) -> Contribution:
        donated, refunded = self._read("contributionOf", pool_id, asset, donor, block=block)
        return Contribution(int(donated), int(refunded))

    def moved_contribution_of(
        self, pool_id: int, asset: int, from_pool_id: int, *, block: BlockId = "latest"
    ) -> Contribution:
        """What plan ``from_pool_id`` moved into ``pool_id`` (``donated``) and was paid back (``refunded``)."""
        donated, refunded = self._read("movedContributionOf", pool_id, asset, from_pool_id, block=block)
        return Contribution(int(donated), int(refunded))

    def refundable_of(self, pool_id: int, asset: int, donor: str) -> int:
        return int(self._read("refundableOf", pool_id, asset, donor))

    def returnable_of(self, pool_id: int, asset: int, to_pool_id: int) -> int:
        """What ``return_moved_value`` would pay plan ``to_pool_id`` from ``pool_id`` now."""
        return int(self._read("returnableOf", pool_id, asset, to_pool_id))

    def max_plan_duration(self) -> int:
        """The longest a plan may run, in seconds (its deadline is at most this long after its launch)."""
        return int(self._read("MAX_PLAN_DURATION"))

    def order_window(self) -> int:
        """How long after its plan's deadline a payment order may run, in seconds."""
        return int(self._read("ORDER_WINDOW"))

    def goods_of(self, pool_id: int, goods_type: bytes) -> GoodsLedger:
        wanted, received = self._read("goodsOf", pool_id, goods_type)
        return GoodsLedger(int(wanted), int(received))

    def pledge_of(self, pledge_id: int) -> Pledge:
        return Pledge.from_tuple(self._read("pledgeOf", pledge_id))

    def government_transfer_of(self, transfer_id: int) -> GovernmentTransfer:
        return GovernmentTransfer.from_tuple(self._read("governmentTransferOf", transfer_id))

    def pool_count(self) -> int:
        return int(self._read("poolCount"))

    def escrow(self) -> ChecksumAddress | None:
        address = to_checksum_address(self._read("escrow"))
        return None if int(address, 16) == 0 else address

    def deposit_token(self) -> ChecksumAddress:
        return to_checksum_address(self._read("depositToken"))

    def welfare_assets(self) -> ChecksumAddress:
        return to_checksum_address(self._read("welfareAssets"))

    def registry(self) -> ChecksumAddress:
        return to_checksum_address(self._read("registry"))

    def tracker(self) -> ChecksumAddress:
        return to_checksum_address(self._read("tracker"))

    # ------------------------------------------------------------------ helpers

    def _receipt(self, result: TxResult) -> DonationReceipt:
        return DonationReceipt.from_event(result.event("DonationReceived"), result.receipt.gas_used)

    def _latest_timestamp(self) -> int:
        block = self.client.backend.get_block("latest")
        if block is None:
            raise RuntimeError("the chain has no latest block")
        return block.timestamp


@dataclass(frozen=True)
class WelfareContracts:
    """The pools and the two contracts beside them."""

    pools: WelfarePools
    assets: WelfareAssets
    tracker: ResourceTracker

    def addresses(self) -> dict[str, ChecksumAddress]:
        return {
            "WelfarePools": self.pools.address,
            "WelfareAssets": self.assets.address,
            "ResourceTracker": self.tracker.address,
        }


def deploy_welfare_pools(
    client: ChainClient,
    admin: LocalAccount,
    consortium: Consortium,
    deposit_token: str,
    registry: str,
    *,
    assets_uri: str = "",
) -> WelfareContracts:
    """Deploy WelfareAssets, ResourceTracker and WelfarePools, and wire them up.

    ``admin`` must hold the consortium's DEFAULT_ADMIN_ROLE: it makes the pools a lot source of the
    tracker, gives the three contracts LEDGER_CONTRACT_ROLE (so that only the consortium may bar them) and puts
    the pools on the allow-list so that they may hold deposit tokens.
    """
    assets = WelfareAssets.deploy(client, admin, consortium.address, registry, assets_uri)
    tracker = ResourceTracker.deploy(client, admin, consortium.address)
    pools = WelfarePools.deploy(
        client, admin, consortium.address, deposit_token, assets.address, registry, tracker.address
    )
    tracker.set_lot_source(admin, pools.address, True)
    for contract in (pools, assets, tracker):
        consortium.grant_role(admin, LEDGER_CONTRACT_ROLE, contract.address)
    consortium.allow_account(admin, pools.address)
    return WelfareContracts(pools=pools, assets=assets, tracker=tracker)
