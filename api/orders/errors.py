"""Errors of the payment-order services: why an order could not be issued, read, checked or matched.

They share one base, :class:`OrderError`, which the HTTP routes map to a 4xx with the message as the reason.
"""

from __future__ import annotations

from collections.abc import Sequence


class OrderError(Exception):
    """Base of every payment-order error."""


class RecipientKeyMissing(OrderError):
    """The registry has no encryption key for a party, so nothing can be sealed to it."""

    def __init__(self, account: str) -> None:
        super().__init__(f"{account} has no registered encryption key")
        self.account = account


class EnvelopeUnreadable(OrderError):
    """A delivery does not decrypt under the recipient's key, or is not an order envelope."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"order envelope unreadable: {reason}")
        self.reason = reason


class DeliveryNotFound(OrderError):
    """No delivery of that digest is addressed to that recipient."""

    def __init__(self, digest: bytes, recipient: str) -> None:
        super().__init__(f"no delivery 0x{digest.hex()} for {recipient}")
        self.digest = digest
        self.recipient = recipient


class OrderRejected(OrderError):
    """A party checked an order and will not sign it: each reason says what did not hold."""

    def __init__(self, order_id: bytes, reasons: Sequence[str]) -> None:
        super().__init__(f"order 0x{order_id.hex()} rejected: {'; '.join(reasons)}")
        self.order_id = order_id
        self.reasons = tuple(reasons)
