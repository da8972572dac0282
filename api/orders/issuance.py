"""The bank's side of a payment order: build the first order, sign it, commit it on-chain, deliver it sealed.

One issuance (S302-S303) is: build the EIP-712 order for a pool's charity and a registered payee; sign it as
the bank (the parties check that signature); send ``issue`` to the escrow, which commits the digest and locks
the amount from the pool in the same transaction; seal the envelope to the charity's and the payee's registered
keys and leave both ciphertexts in the delivery store under the order's digest.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address

from api.orders.delivery import DeliveryStore
from api.orders.envelope import OrderEnvelope, seal
from api.orders.errors import OrderError, RecipientKeyMissing
from chain_client.client import PendingTransaction
from chain_client.contracts.institution_registry import InstitutionRegistry
from chain_client.contracts.payment_order_escrow import PaymentOrder, PaymentOrderEscrow
from chain_client.contracts.welfare_pools import MONEY, WelfarePools
from chain_client.errors import ContractReverted

log = structlog.get_logger(__name__)

_NONCE_BITS = 128


@dataclass(frozen=True)
class OrderRequest:
    """What the charity's plan asks the bank to pay: ``amount`` of ``asset`` from ``pool_id`` to ``payee``.

    ``document`` is the order document (goods, quantities, delivery terms); its keccak256 becomes the order's
    ``purposeDigest``. ``deadline`` defaults to the chain's time plus the issuer's time to live.
    """

    pool_id: int
    payee: str
    amount: int
    document: bytes
    asset: int = MONEY
    deadline: int | None = None


@dataclass(frozen=True)
class IssuedOrder:
    envelope: OrderEnvelope
    tx_hash: bytes
    delivery_ids: tuple[int, ...]

    @property
    def order(self) -> PaymentOrder:
        return self.envelope.order

    @property
    def digest(self) -> bytes:
        return self.envelope.digest


class OrdersNotIssued(OrderError):
    """Some orders of a batch were refused on-chain; the others were issued and delivered."""

    def __init__(self, failures: dict[int, ContractReverted], issued: list[IssuedOrder]) -> None:
        names = ", ".join(f"#{index}: {error.error_name}" for index, error in sorted(failures.items()))
        super().__init__(f"{len(failures)} order(s) not issued ({names})")
        self.failures = failures
        self.issued = issued


class OrderIssuer:
    """Issues payment orders as ``bank``."""

    def __init__(
        self,
        escrow: PaymentOrderEscrow,
        registry: InstitutionRegistry,
        pools: WelfarePools,
        bank: LocalAccount,
        store: DeliveryStore,
        *,
        ttl_seconds: int = 7 * 86_400,
        key_cache_seconds: float = 60.0,
    ) -> None:
        self.escrow = escrow
        self.registry = registry
        self.pools = pools
        self.bank = bank
        self.store = store
        self.ttl_seconds = ttl_seconds
        self.key_cache_seconds = key_cache_seconds
        self._keys: dict[str, tuple[float, bytes]] = {}
        self._charities: dict[int, ChecksumAddress] = {}

    def prepare(self, request: OrderRequest) -> OrderEnvelope:
        """The signed first order for ``request`` (nothing sent yet)."""
        order = PaymentOrder.new(
            bank=self.bank.address,
            nonce=secrets.randbits(_NONCE_BITS),
            pool_id=request.pool_id,
            charity=self._charity_of(request.pool_id),
            payee=request.payee,
            asset=request.asset,
            amount=request.amount,
            purpose_digest=keccak(request.document),
            deadline=request.deadline
            if request.deadline is not None
            else self._chain_now() + self.ttl_seconds,
        )
        return OrderEnvelope(
            chain_id=self.escrow.client.chain_id,
            escrow=self.escrow.address,
            bank=self.bank.address,
            order=order,
            bank_signature=self.escrow.sign(self.bank, order),
            document=request.document,
        )

    def issue(self, request: OrderRequest) -> IssuedOrder:
        """Issue one order: simulated first, so a refusal raises ``ContractReverted`` and nothing is sent."""
        envelope = self.prepare(request)
        result = self.escrow.issue(self.bank, envelope.order)
        return self._deliver([(envelope, result.tx_hash)])[0]

    def issue_many(self, requests: Sequence[OrderRequest]) -> list[IssuedOrder]:
        """Issue a batch, pipelined (all sent, then all awaited); each issued order is delivered.

        Raises :class:`OrdersNotIssued` after delivering the others if any order was refused on-chain.
        """
        envelopes = [self.prepare(request) for request in requests]
        pending: list[PendingTransaction] = [
            self.escrow.submit_issue(self.bank, env.order) for env in envelopes
        ]
        done: list[tuple[OrderEnvelope, bytes]] = []
        failures: dict[int, ContractReverted] = {}
        for index, (envelope, sent) in enumerate(zip(envelopes, pending, strict=True)):
            try:
                sent.wait()
            except ContractReverted as exc:
                failures[index] = exc
                log.warning(
                    "order not issued", order_id="0x" + envelope.order.order_id.hex(), error=exc.error_name
                )
                continue
            done.append((envelope, sent.tx_hash))
        issued = self._deliver(done)
        if failures:
            raise OrdersNotIssued(failures, issued)
        return issued

    def _deliver(self, issued: Sequence[tuple[OrderEnvelope, bytes]]) -> list[IssuedOrder]:
        rows: list[tuple[bytes, bytes, str, bytes]] = []
        for envelope, _ in issued:
            order = envelope.order
            for recipient in (order.charity, order.payee):
                rows.append(
                    (order.order_id, envelope.digest, recipient, seal(envelope, self._key_of(recipient)))
                )
        ids = self.store.deliver_many(rows)
        result = []
        for index, (envelope, tx_hash) in enumerate(issued):
            result.append(IssuedOrder(envelope, tx_hash, tuple(ids[2 * index : 2 * index + 2])))
            log.info(
                "order issued",
                order_id="0x" + envelope.order.order_id.hex(),
                pool_id=envelope.order.pool_id,
                payee=envelope.order.payee,
                amount=envelope.order.amount,
            )
        return result

    def _chain_now(self) -> int:
        """The latest block's time: order deadlines are in chain time (the escrow compares them with it)."""
        block = self.escrow.client.backend.get_block("latest")
        if block is None:
            raise RuntimeError("the chain has no latest block")
        return block.timestamp

    def _charity_of(self, pool_id: int) -> ChecksumAddress:
        # A plan's charity never changes once launched.
        if pool_id not in self._charities:
            self._charities[pool_id] = to_checksum_address(self.pools.plan_of(pool_id).charity)
        return self._charities[pool_id]

    def _key_of(self, account: str) -> bytes:
        now = time.monotonic()
        cached = self._keys.get(account)
        if cached is not None and now - cached[0] <= self.key_cache_seconds:
            return cached[1]
        key = self.registry.encryption_key_of(account)
        if len(key) != 64:
            raise RecipientKeyMissing(account)
        self._keys[account] = (now, key)
        return key
