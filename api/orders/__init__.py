"""Electronic payment orders off-chain: issuance by the bank, sealed delivery, the parties' copies, matching.

The contract side is ``contracts/PaymentOrderEscrow.sol`` (wrapped by
``chain_client.contracts.payment_order_escrow``); see ``docs/payment_orders.md`` for the whole flow.
"""

from api.orders.delivery import Delivery, DeliveryStore, ReadyPair, SignedCopy, open_delivery_store
from api.orders.envelope import OrderEnvelope, open_sealed, seal
from api.orders.errors import (
    DeliveryNotFound,
    EnvelopeUnreadable,
    OrderError,
    OrderRejected,
    RecipientKeyMissing,
)
from api.orders.issuance import IssuedOrder, OrderIssuer, OrderRequest, OrdersNotIssued
from api.orders.matcher import MISMATCH, RELEASED, MatchOutcome, OrderMatcher
from api.orders.party import Expectation, OrderParticipant, ReceivedOrder

__all__ = [
    "MISMATCH",
    "RELEASED",
    "Delivery",
    "DeliveryNotFound",
    "DeliveryStore",
    "EnvelopeUnreadable",
    "Expectation",
    "IssuedOrder",
    "MatchOutcome",
    "OrderEnvelope",
    "OrderError",
    "OrderIssuer",
    "OrderMatcher",
    "OrderParticipant",
    "OrderRejected",
    "OrderRequest",
    "OrdersNotIssued",
    "ReadyPair",
    "ReceivedOrder",
    "RecipientKeyMissing",
    "SignedCopy",
    "open_delivery_store",
    "open_sealed",
    "seal",
]
