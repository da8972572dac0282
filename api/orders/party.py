"""A party's side of a payment order: open the delivery, check it, sign its own copy (the second or third order).

The payee (after fulfilling the order) and the charity each read the sealed first order with their own key,
check it against what they expect and against the commitment on-chain, and sign their copy with EIP-712. The
signed copy goes to the delivery store, where the matcher picks up complete pairs. A party that rejects an
order signs nothing; the order then expires or is disputed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from api.orders.delivery import Delivery, DeliveryStore
from api.orders.envelope import OrderEnvelope, open_sealed
from api.orders.errors import OrderRejected
from chain_client.contracts.consortium import BANK_ROLE, Consortium
from chain_client.contracts.payment_order_escrow import (
    OrderParty,
    OrderStatus,
    PaymentOrder,
    PaymentOrderEscrow,
    recover_order_signer,
)
from chain_client.eip712 import SignatureInvalid


@dataclass(frozen=True)
class Expectation:
    """What a party expects of an order; ``None`` fields are not checked."""

    pool_id: int | None = None
    payee: str | None = None
    charity: str | None = None
    asset: int | None = None
    amount: int | None = None
    purpose_digest: bytes | None = None

    def differences(self, order: PaymentOrder) -> list[str]:
        wanted = {
            "pool_id": self.pool_id,
            "payee": None if self.payee is None else to_checksum_address(self.payee),
            "charity": None if self.charity is None else to_checksum_address(self.charity),
            "asset": self.asset,
            "amount": self.amount,
            "purpose_digest": self.purpose_digest,
        }
        return [
            f"{name} is {getattr(order, name)!r}, expected {value!r}"
            for name, value in wanted.items()
            if value is not None and getattr(order, name) != value
        ]


@dataclass(frozen=True)
class ReceivedOrder:
    delivery: Delivery
    envelope: OrderEnvelope


class OrderParticipant:
    """The charity or the payee of payment orders, acting with its own key."""

    def __init__(
        self,
        account: LocalAccount,
        party: OrderParty,
        escrow: PaymentOrderEscrow,
        consortium: Consortium,
        store: DeliveryStore,
        *,
        role_cache_seconds: float = 60.0,
    ) -> None:
        self.account = account
        self.party = party
        self.escrow = escrow
        self.consortium = consortium
        self.store = store
        self.role_cache_seconds = role_cache_seconds
        self._banks: dict[str, float] = {}

    def inbox(self, *, after_id: int = 0) -> list[ReceivedOrder]:
        """Every first order delivered to this party after ``after_id``, opened."""
        return [
            ReceivedOrder(delivery, self.open(delivery))
            for delivery in self.store.inbox(self.account.address, after_id=after_id)
        ]

    def open(self, delivery: Delivery) -> OrderEnvelope:
        return open_sealed(bytes(self.account.key), delivery.ciphertext)

    def check(self, envelope: OrderEnvelope, expect: Expectation | None = None) -> PaymentOrder:
        """The order, if it holds: for this ledger, signed by a member bank, about this party, with the document
        it names, committed on-chain and still open, and as expected. Raises :class:`OrderRejected` otherwise."""
        order = envelope.order
        reasons: list[str] = []
        if envelope.chain_id != self.escrow.client.chain_id or envelope.escrow != self.escrow.address:
            reasons.append(f"for escrow {envelope.escrow} on chain {envelope.chain_id}, not this ledger's")
        try:
            signer = recover_order_signer(order, envelope.bank_signature, envelope.chain_id, envelope.escrow)
        except SignatureInvalid as exc:
            reasons.append(f"bank signature malformed ({exc.reason})")
        else:
            if signer != envelope.bank:
                reasons.append(f"signed by {signer}, not by the bank {envelope.bank} it names")
            elif not self._is_bank(signer):
                reasons.append(f"signed by {signer}, which is not a member bank")
        if envelope.document_digest != order.purpose_digest:
            reasons.append("the document does not match the order's purposeDigest")
        me = order.payee if self.party is OrderParty.PAYEE else order.charity
        if me != self.account.address:
            reasons.append(f"the order's {self.party.name.lower()} is {me}, not this party")
        latest = self.escrow.client.backend.get_block("latest")
        if latest is not None and order.deadline < latest.timestamp:
            reasons.append(f"its deadline {order.deadline} has passed")
        if expect is not None:
            reasons.extend(expect.differences(order))
        record = self.escrow.order_of(order.order_id)
        if not record.commits_to(envelope.digest):
            reasons.append("it is not the order committed on-chain")
        elif record.status is not OrderStatus.ISSUED:
            reasons.append(f"it is {record.status.name.lower()} on-chain")
        if reasons:
            raise OrderRejected(order.order_id, reasons)
        return order

    def _is_bank(self, account: str) -> bool:
        """Whether ``account`` holds BANK_ROLE; a yes is reused for ``role_cache_seconds`` (the escrow itself
        checks the role of whoever issues, so this check only keeps a party from signing a forged order)."""
        now = time.monotonic()
        if now - self._banks.get(account, -self.role_cache_seconds - 1) <= self.role_cache_seconds:
            return True
        if not self.consortium.has_role(BANK_ROLE, account):
            return False
        self._banks[account] = now
        return True

    def sign(self, order: PaymentOrder) -> bytes:
        """This party's EIP-712 signature over its copy (what ``eth_signTypedData_v4`` would give)."""
        return self.escrow.sign(self.account, order)

    def answer(self, envelope: OrderEnvelope, expect: Expectation | None = None) -> bytes:
        """Check the order, sign this party's copy and hand it to the matcher; returns the signature."""
        order = self.check(envelope, expect)
        signature = self.sign(order)
        self.store.put_signed_copy(order.order_id, self.party, order, signature)
        return signature
