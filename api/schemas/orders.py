"""Payment orders: the EIP-712 order, its sealed deliveries, the parties' signed copies, the outcome."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from api.indexer.amounts import Amount
from api.schemas.common import (
    JSON_SAFE_MAX,
    Address,
    AsOf,
    DecimalAmount,
    Hash32,
    PositiveSafeInt,
    Signature65,
    Transaction,
    UintString,
    hex0x,
)
from api.schemas.plans import AssetRef, GoodsRef
from chain_client.contracts import PaymentOrder

OrderStatusName = Literal["issued", "disputed", "released", "refunded", "expired", "cancelled"]


class OrderMessage(BaseModel):
    """A payment order as EIP-712 signs it (``PaymentOrder`` of ``IPaymentOrderEscrow.sol``); uint256
    values are decimal strings, the amount in the asset's smallest unit."""

    order_id: Hash32
    pool_id: PositiveSafeInt
    charity: Address
    payee: Address
    asset: UintString = Field(description="0 for money, else a welfare asset id")
    amount: UintString = Field(description="smallest units of the asset")
    purpose_digest: Hash32 = Field(description="keccak256 of the order document")
    deadline: int = Field(ge=0, le=JSON_SAFE_MAX, description="unix seconds")
    nonce: UintString
    bank: Address = Field(description="the issuing bank; order_id is keccak256(abi.encode(bank, nonce))")

    @classmethod
    def of(cls, order: PaymentOrder) -> OrderMessage:
        return cls(
            order_id=hex0x(order.order_id),
            pool_id=order.pool_id,
            charity=order.charity,
            payee=order.payee,
            asset=str(order.asset),
            amount=str(order.amount),
            purpose_digest=hex0x(order.purpose_digest),
            deadline=order.deadline,
            nonce=str(order.nonce),
            bank=order.bank,
        )

    def to_order(self) -> PaymentOrder:
        return PaymentOrder(
            order_id=bytes.fromhex(self.order_id[2:]),
            pool_id=self.pool_id,
            charity=self.charity,  # type: ignore[arg-type]
            payee=self.payee,  # type: ignore[arg-type]
            asset=int(self.asset),
            amount=int(self.amount),
            purpose_digest=bytes.fromhex(self.purpose_digest[2:]),
            deadline=self.deadline,
            nonce=int(self.nonce),
            bank=self.bank,  # type: ignore[arg-type]
        )


class OrderIssue(BaseModel):
    """What a charity's plan asks the bank to pay, and the order document the parties will see."""

    pool_id: PositiveSafeInt
    payee: Address = Field(description="a registered supplier, hospital or logistics firm")
    asset: AssetRef = "money"
    amount: DecimalAmount
    document: str = Field(
        min_length=1,
        max_length=20_000,
        description="the order document (goods, quantities, delivery terms); its keccak256 is the purposeDigest",
        examples=["200 bags of rice, 25 kg, delivered to the Xinxiang shelter by 1 June"],
    )
    deadline: PositiveSafeInt | None = Field(None, description="unix seconds; default: now + the order TTL")


class OrderIssued(BaseModel):
    order: OrderMessage
    digest: Hash32 = Field(description="the EIP-712 digest the escrow committed")
    amount: Amount
    transaction: Transaction


class DeliveryOut(BaseModel):
    """A sealed first order addressed to the signed-in party."""

    delivery_id: int
    order_id: Hash32
    digest: Hash32


class Inbox(BaseModel):
    account: Address
    deliveries: list[DeliveryOut]


class SealedCopy(BaseModel):
    """The first order sealed to your registered key (ECIES, secp256k1, AES-256-GCM; eciespy's format):
    decrypt it with your own key to read the envelope JSON."""

    order_id: Hash32
    digest: Hash32
    recipient: Address
    ciphertext: str = Field(description="0x-hex")


class OpenedCopy(BaseModel):
    """Your copy of the first order, opened with the key the platform holds for this session and checked."""

    order: OrderMessage
    digest: Hash32
    bank: Address
    bank_signature: str
    document: str = Field(description="the order document (UTF-8; 0x-hex if it is not text)")
    typed_data: dict[str, Any] = Field(
        description="the EIP-712 typed data for eth_signTypedData_v4 (uint256 values as decimal strings)"
    )
    party: Literal["payee", "charity"]
    acceptable: bool = Field(
        description="whether every check held (signed by a member bank, committed, open…)"
    )
    problems: list[str]


class SignatureSubmission(BaseModel):
    """A party's EIP-712 signature over its copy of the order (what eth_signTypedData_v4 gives)."""

    order: OrderMessage
    signature: Signature65


class SignedCopyOut(BaseModel):
    order_id: Hash32
    party: Literal["payee", "charity"]
    signer: Address
    signature: str
    queued: bool = Field(description="whether the matcher now holds both copies and will settle")


class OrderAction(BaseModel):
    """An action that needs the whole order (the escrow keeps only its commitment): give it, or leave it
    out to use your own delivered copy (password sessions of the charity or the payee)."""

    order: OrderMessage | None = None


class PurchaseLot(OrderAction):
    goods_type: GoodsRef
    quantity: PositiveSafeInt


class MatcherOutcome(BaseModel):
    outcome: str | None = Field(
        description="'released', 'mismatch', 'rejected:<Error>', or null while waiting for both copies"
    )


class OrderStatusOut(BaseModel):
    order_id: Hash32
    status: OrderStatusName | Literal["none"]
    payee_signed: bool = Field(
        description="the payee's signature was submitted on its own (submitSignature) and recorded while the "
        "charity's was missing; a pair submitted together (the matcher's settle) sets neither flag, so a "
        "released order may show both false"
    )
    charity_signed: bool = Field(
        description="the charity's signature was submitted on its own and recorded while the payee's was "
        "missing (as payee_signed)"
    )
    commitment: str = Field(description="the first 29 bytes of the committed digest, 0x-hex")
    mismatches: int
    matcher: MatcherOutcome
    as_of: AsOf


class LotOpened(BaseModel):
    lot_id: int
    transaction: Transaction
