"""The first payment order as delivered: the bank-signed order and its document, sealed to one party.

An envelope carries the order as full EIP-712 typed data (what ``eth_signTypedData_v4`` takes, so a party can
sign its copy in a wallet), the issuing bank's signature over it, and the order document whose digest is the
order's ``purposeDigest`` (goods, quantities, delivery address: the part that stays off-chain). It is sealed
with ECIES (secp256k1, AES-256-GCM; ``eciespy``) to the recipient's key registered in the institution
registry, so only the charity and the payee can read it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import ecies
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address

from api.orders.errors import EnvelopeUnreadable
from chain_client.contracts.payment_order_escrow import (
    PaymentOrder,
    order_digest,
    order_from_typed_data,
    typed_data,
)

ENVELOPE_VERSION = 1


@dataclass(frozen=True)
class OrderEnvelope:
    """The bank's first order, as each party receives it."""

    chain_id: int
    escrow: ChecksumAddress
    bank: ChecksumAddress
    order: PaymentOrder
    bank_signature: bytes
    document: bytes

    @property
    def digest(self) -> bytes:
        """The order's EIP-712 digest (what the escrow committed)."""
        return order_digest(self.order, self.chain_id, self.escrow)

    @property
    def document_digest(self) -> bytes:
        return keccak(self.document)

    def typed_data(self) -> dict[str, Any]:
        """The ``eth_signTypedData_v4`` payload of the order."""
        return typed_data(self.order, self.chain_id, self.escrow)

    def to_bytes(self) -> bytes:
        body = {
            "version": ENVELOPE_VERSION,
            "bank": self.bank,
            "bankSignature": "0x" + self.bank_signature.hex(),
            "typedData": self.typed_data(),
            "document": base64.b64encode(self.document).decode("ascii"),
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> OrderEnvelope:
        """Read an envelope someone sent. Anything malformed or out of range (a field that does not fit its
        EIP-712 type, typed data that is not exactly a payment order) raises :class:`EnvelopeUnreadable`."""
        try:
            body = json.loads(raw.decode("utf-8"))
            if not isinstance(body, dict):
                raise EnvelopeUnreadable("not a JSON object")
            if body.get("version") != ENVELOPE_VERSION:
                raise EnvelopeUnreadable(f"unknown envelope version {body.get('version')!r}")
            typed = body["typedData"]
            if not isinstance(typed, dict) or typed.get("primaryType") != "PaymentOrder":
                raise EnvelopeUnreadable("not a payment order's typed data")
            domain, order = order_from_typed_data(typed)
            signature = body["bankSignature"]
            if not isinstance(signature, str) or not signature.startswith("0x"):
                raise EnvelopeUnreadable("the bank signature is not 0x-hex")
            return cls(
                chain_id=domain.chain_id,
                escrow=domain.verifying_contract,
                bank=to_checksum_address(str(body["bank"])),
                order=order,
                bank_signature=bytes.fromhex(signature[2:]),
                document=base64.b64decode(str(body["document"]), validate=True),
            )
        except EnvelopeUnreadable:
            raise
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            # ValueError covers eip712.TypedDataInvalid, bad hex, bad base64 and bad UTF-8.
            raise EnvelopeUnreadable(f"malformed envelope ({exc})") from None


def seal(envelope: OrderEnvelope, public_key: bytes) -> bytes:
    """``envelope`` encrypted to the 64-byte secp256k1 ``public_key`` (ECIES)."""
    sealed: bytes = ecies.encrypt(public_key, envelope.to_bytes())
    return sealed


def open_sealed(private_key: bytes, ciphertext: bytes) -> OrderEnvelope:
    """Decrypt a sealed envelope with the recipient's private key."""
    try:
        raw: bytes = ecies.decrypt(private_key, ciphertext)
    except (ValueError, TypeError) as exc:
        raise EnvelopeUnreadable(f"does not decrypt under this key ({exc})") from None
    return OrderEnvelope.from_bytes(raw)
