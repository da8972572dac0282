"""Typed wrapper of ``contracts/PaymentOrderEscrow.sol`` and the EIP-712 form of a payment order.

The typed data follows EIP-712 exactly (``chain_client/eip712.py``): :func:`typed_data` is the JSON a
wallet's ``eth_signTypedData_v4`` takes, with ``poolId``, ``asset``, ``amount``, ``deadline`` and ``nonce``
as decimal strings (they may exceed 2^53), so a party may sign its copy in any standard wallet (ethers v6,
viem 2, eth-account sign the same bytes). :func:`order_digest` computes the same digest directly, which is
what the services use on their hot path; the tests hold both to the contract's ``hashOrder``. An order
whose fields do not fit their types cannot be built: :class:`~chain_client.eip712.TypedDataInvalid`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any, Final

from eth_abi.abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address

from chain_client import eip712
from chain_client.client import ChainClient, PendingTransaction, TxResult
from chain_client.contracts.base import ContractWrapper
from chain_client.contracts.welfare_pools import WelfareContracts
from chain_client.types import BlockId

DOMAIN_NAME: Final = "PaymentOrderEscrow"
DOMAIN_VERSION: Final = "1"

PAYMENT_ORDER: Final = eip712.StructType.of(
    "PaymentOrder",
    ("orderId", "bytes32"),
    ("poolId", "uint256"),
    ("charity", "address"),
    ("payee", "address"),
    ("asset", "uint256"),
    ("amount", "uint256"),
    ("purposeDigest", "bytes32"),
    ("deadline", "uint64"),
    ("nonce", "uint256"),
    ("bank", "address"),
)
"""``IPaymentOrderEscrow.PaymentOrder`` as an EIP-712 struct."""
PAYMENT_ORDER_TYPE: Final = PAYMENT_ORDER.encoded
PAYMENT_ORDER_TYPEHASH: Final = PAYMENT_ORDER.typehash

# Gas limits for pipelined sends (no simulation): measured use plus headroom. A revert still surfaces, named,
# when the receipt is awaited.
_RELATED_ARTIFACTS: Final = ("WelfarePools", "DepositToken", "WelfareAssets", "ResourceTracker")

ISSUE_GAS: Final = 250_000
SETTLE_GAS: Final = 250_000


class OrderStatus(IntEnum):
    """``OrderStatus`` of ``IPaymentOrderEscrow.sol`` (same order)."""

    NONE = 0
    ISSUED = 1
    DISPUTED = 2
    RELEASED = 3
    REFUNDED = 4
    EXPIRED = 5
    CANCELLED = 6

    @property
    def is_final(self) -> bool:
        return self in (
            OrderStatus.RELEASED,
            OrderStatus.REFUNDED,
            OrderStatus.EXPIRED,
            OrderStatus.CANCELLED,
        )


class OrderParty(IntEnum):
    """``OrderParty``: whose copy a signature is on."""

    PAYEE = 0
    CHARITY = 1


def order_id_for(bank: str, nonce: int) -> bytes:
    """The id a bank's order with ``nonce`` must carry: ``keccak256(abi.encode(bank, nonce))``."""
    return keccak(abi_encode(["address", "uint256"], [to_checksum_address(bank), nonce]))


@dataclass(frozen=True)
class PaymentOrder:
    """A payment order (``IPaymentOrderEscrow.PaymentOrder``): the first order as issued, or a party's copy."""

    order_id: bytes
    pool_id: int
    charity: ChecksumAddress
    payee: ChecksumAddress
    asset: int
    amount: int
    purpose_digest: bytes
    deadline: int
    nonce: int
    bank: ChecksumAddress
    """The issuing bank: ``order_id`` is derived from it and ``nonce``."""

    def __post_init__(self) -> None:
        eip712.check_values(PAYMENT_ORDER, self.values())

    def values(self) -> dict[str, Any]:
        """The order's EIP-712 members by name, typed (bytes, ints, checksummed addresses)."""
        return dict(zip((member.name for member in PAYMENT_ORDER.fields), self.as_tuple(), strict=True))

    @classmethod
    def new(
        cls,
        *,
        bank: str,
        nonce: int,
        pool_id: int,
        charity: str,
        payee: str,
        asset: int,
        amount: int,
        purpose_digest: bytes,
        deadline: int,
    ) -> PaymentOrder:
        """An order of ``bank`` with its id derived from the bank and ``nonce``, as the escrow requires."""
        return cls(
            bank=to_checksum_address(bank),
            order_id=order_id_for(bank, nonce),
            pool_id=pool_id,
            charity=to_checksum_address(charity),
            payee=to_checksum_address(payee),
            asset=asset,
            amount=amount,
            purpose_digest=purpose_digest,
            deadline=deadline,
            nonce=nonce,
        )

    def as_tuple(self) -> tuple[Any, ...]:
        return (
            self.order_id,
            self.pool_id,
            self.charity,
            self.payee,
            self.asset,
            self.amount,
            self.purpose_digest,
            self.deadline,
            self.nonce,
            self.bank,
        )

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> PaymentOrder:
        return cls(
            order_id=bytes(value[0]),
            pool_id=int(value[1]),
            charity=to_checksum_address(value[2]),
            payee=to_checksum_address(value[3]),
            asset=int(value[4]),
            amount=int(value[5]),
            purpose_digest=bytes(value[6]),
            deadline=int(value[7]),
            nonce=int(value[8]),
            bank=to_checksum_address(value[9]),
        )

    def message(self) -> dict[str, Any]:
        """The EIP-712 ``message``, JSON-ready: bytes32 as 0x-hex, every integer as a decimal string."""
        message: dict[str, Any] = eip712.typed_data(_ANY_DOMAIN, PAYMENT_ORDER, self.values())["message"]
        return message

    @classmethod
    def from_message(cls, message: Any) -> PaymentOrder:
        """The order of a received EIP-712 ``message`` (the inverse of :meth:`message`; integers may also be
        JSON numbers or 0x-hex). Raises :class:`~chain_client.eip712.TypedDataInvalid` naming the bad field."""
        return cls.from_values(eip712.decode_message(PAYMENT_ORDER, message))

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> PaymentOrder:
        return cls.from_tuple([values[member.name] for member in PAYMENT_ORDER.fields])


_ANY_DOMAIN: Final = eip712.Domain(DOMAIN_NAME, DOMAIN_VERSION, 1, to_checksum_address("0x" + "00" * 20))
"""Only to render a message, which does not depend on the domain."""


def escrow_domain(chain_id: int, escrow: str) -> eip712.Domain:
    """The escrow's EIP-712 domain: ``("PaymentOrderEscrow", "1", chain id, escrow address)``."""
    return _domain(chain_id, to_checksum_address(escrow))


@lru_cache(maxsize=64)
def _domain(chain_id: int, escrow: ChecksumAddress) -> eip712.Domain:
    return eip712.Domain(DOMAIN_NAME, DOMAIN_VERSION, chain_id, escrow)


def typed_data(order: PaymentOrder, chain_id: int, escrow: str) -> dict[str, Any]:
    """The full EIP-712 typed data of ``order`` (types with EIP712Domain, primaryType, domain, message).

    Exactly what ``eth_signTypedData_v4`` takes: a wallet signing it produces the signature the escrow accepts.
    """
    return eip712.typed_data(escrow_domain(chain_id, escrow), PAYMENT_ORDER, order.values())


def order_from_typed_data(payload: Any) -> tuple[eip712.Domain, PaymentOrder]:
    """The domain and order of a received ``eth_signTypedData_v4`` payload of a payment order.

    Raises :class:`~chain_client.eip712.TypedDataInvalid` unless it is exactly a ``PaymentOrder`` under a
    ``PaymentOrderEscrow`` version 1 domain with every field in range.
    """
    domain, values = eip712.parse_typed_data(payload, PAYMENT_ORDER)
    if (domain.name, domain.version) != (DOMAIN_NAME, DOMAIN_VERSION):
        raise eip712.TypedDataInvalid(
            "domain",
            f"is {domain.name!r} version {domain.version!r}, not {DOMAIN_NAME!r} version {DOMAIN_VERSION!r}",
        )
    return domain, PaymentOrder.from_values(values)


def domain_separator(chain_id: int, escrow: str) -> bytes:
    """The escrow's EIP-712 domain separator on chain ``chain_id``."""
    return escrow_domain(chain_id, escrow).separator


def order_digest(order: PaymentOrder, chain_id: int, escrow: str) -> bytes:
    """The EIP-712 digest of ``order``: what the bank commits and each party signs."""
    return eip712.digest(escrow_domain(chain_id, escrow), PAYMENT_ORDER, order.values())


def sign_order(signer: LocalAccount, order: PaymentOrder, chain_id: int, escrow: str) -> bytes:
    """``signer``'s 65-byte EIP-712 signature (r, s, v) over ``order``: what a wallet's signTypedData_v4 gives."""
    return eip712.sign(bytes(signer.key), order_digest(order, chain_id, escrow))


def recover_order_signer(
    order: PaymentOrder, signature: bytes, chain_id: int, escrow: str
) -> ChecksumAddress:
    """The address whose key made ``signature`` over ``order``; a malformed signature raises
    :class:`~chain_client.eip712.SignatureInvalid` (a ``ValueError``)."""
    return eip712.recover_signer(order_digest(order, chain_id, escrow), signature)


COMMITMENT_BYTES: Final = 29
"""How much of an order's digest the escrow stores: ``OrderRecord.commitment`` is its first 29 bytes."""


@dataclass(frozen=True)
class OrderRecord:
    """An order as the escrow stores it: a prefix of the committed digest and where the order stands."""

    commitment: bytes
    status: OrderStatus
    payee_signed: bool
    charity_signed: bool

    def commits_to(self, digest: bytes) -> bool:
        """Whether ``digest`` is the digest of the committed order."""
        return self.status is not OrderStatus.NONE and digest[:COMMITMENT_BYTES] == self.commitment

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> OrderRecord:
        return cls(bytes(value[0]), OrderStatus(value[1]), bool(value[2]), bool(value[3]))


@dataclass(frozen=True)
class Mismatch:
    """The latest recorded mismatch of an order (zero digests where a copy was not presented)."""

    payee_digest: bytes
    charity_digest: bytes
    count: int


@dataclass(frozen=True)
class Settlement:
    """The outcome of a settlement or signature submission: paid, or a mismatch recorded."""

    released: bool
    result: TxResult


class PaymentOrderEscrow(ContractWrapper):
    """Payment orders: issued by a bank, released when the payee's and the charity's copies match."""

    ARTIFACT = "PaymentOrderEscrow"

    def _write(self, sender: LocalAccount, function: str, *args: Any, value: int = 0) -> TxResult:
        """As the base, but the pools' and the tokens' events in the same transaction are decoded too."""
        result = super()._write(sender, function, *args, value=value)
        abis = [self.abi, *(self.client.abi(name) for name in _RELATED_ARTIFACTS)]
        return TxResult(receipt=result.receipt, events=self.client.decode_events(result.receipt.logs, abis))

    # ------------------------------------------------------------------ EIP-712

    def digest(self, order: PaymentOrder) -> bytes:
        """The order's EIP-712 digest under this escrow's domain (computed locally)."""
        return order_digest(order, self.client.chain_id, self.address)

    def typed_data(self, order: PaymentOrder) -> dict[str, Any]:
        """The ``eth_signTypedData_v4`` payload of ``order`` for this escrow."""
        return typed_data(order, self.client.chain_id, self.address)

    def sign(self, signer: LocalAccount, order: PaymentOrder) -> bytes:
        return sign_order(signer, order, self.client.chain_id, self.address)

    # ------------------------------------------------------------------ writes

    def issue(self, bank: LocalAccount, order: PaymentOrder) -> TxResult:
        """A bank commits ``order`` and locks its amount from the pool into escrow."""
        return self._write(bank, "issue", order.as_tuple())

    def issue_data(self, order: PaymentOrder) -> bytes:
        return self.abi.encode_call("issue", order.as_tuple())

    def submit_issue(self, bank: LocalAccount, order: PaymentOrder) -> PendingTransaction:
        """Send ``issue`` without simulating or waiting (for pipelined issuance)."""
        return self.client.submit(bank, self.address, self.issue_data(order), gas=ISSUE_GAS)

    def settle(
        self,
        sender: LocalAccount,
        order_id: bytes,
        payee_copy: PaymentOrder,
        payee_signature: bytes,
        charity_copy: PaymentOrder,
        charity_signature: bytes,
    ) -> Settlement:
        """Submit both signed copies; the payee is paid when they match the commitment."""
        result = self._write(
            sender,
            "settle",
            order_id,
            payee_copy.as_tuple(),
            payee_signature,
            charity_copy.as_tuple(),
            charity_signature,
        )
        return Settlement(released=bool(result.events_named("OrderReleased")), result=result)

    def settle_data(
        self,
        order_id: bytes,
        payee_copy: PaymentOrder,
        payee_signature: bytes,
        charity_copy: PaymentOrder,
        charity_signature: bytes,
    ) -> bytes:
        return self.abi.encode_call(
            "settle",
            order_id,
            payee_copy.as_tuple(),
            payee_signature,
            charity_copy.as_tuple(),
            charity_signature,
        )

    def submit_signature(
        self, sender: LocalAccount, order_id: bytes, party: OrderParty, copy: PaymentOrder, signature: bytes
    ) -> Settlement:
        """Submit one party's signed copy; the second matching one pays the payee."""
        result = self._write(sender, "submitSignature", order_id, int(party), copy.as_tuple(), signature)
        return Settlement(released=bool(result.events_named("OrderReleased")), result=result)

    def open_purchase_lot(
        self, payee: LocalAccount, order: PaymentOrder, goods_type: bytes, quantity: int
    ) -> tuple[int, TxResult]:
        """The payee records the goods it bought for ``order``: returns the tracker's new lot id."""
        result = self._write(payee, "openPurchaseLot", order.as_tuple(), goods_type, quantity)
        return int(result.event("LotOpened")["lotId"]), result

    def expire(self, sender: LocalAccount, order: PaymentOrder) -> TxResult:
        return self._write(sender, "expire", order.as_tuple())

    def cancel(self, sender: LocalAccount, order: PaymentOrder) -> TxResult:
        """Cancel an unsigned order: its amount goes back to the pool.

        The issuing bank (while a bank) or the charity may; once the issuing bank has lost its role, any other bank
        that is not the payee, or the consortium, may (``OrderNotIssuerOrCharity`` / ``OrderDecidedByParty``).
        """
        return self._write(sender, "cancel", order.as_tuple())

    def freeze(self, regulator: LocalAccount, order_id: bytes, reason_digest: bytes) -> TxResult:
        return self._write(regulator, "freeze", order_id, reason_digest)

    def resolve_dispute(
        self, regulator: LocalAccount, order: PaymentOrder, release: bool, decision_digest: bytes
    ) -> TxResult:
        return self._write(regulator, "resolveDispute", order.as_tuple(), release, decision_digest)

    # ------------------------------------------------------------------ reads

    def hash_order(self, order: PaymentOrder, *, block: BlockId = "latest") -> bytes:
        """The digest as the contract computes it."""
        return bytes(self._read("hashOrder", order.as_tuple(), block=block))

    def order_id_for(self, bank: str, nonce: int) -> bytes:
        return bytes(self._read("orderIdFor", bank, nonce))

    def order_of(self, order_id: bytes, *, block: BlockId = "latest") -> OrderRecord:
        return OrderRecord.from_tuple(self._read("orderOf", order_id, block=block))

    def mismatch_of(self, order_id: bytes, *, block: BlockId = "latest") -> Mismatch:
        payee, charity, count = self._read("mismatchOf", order_id, block=block)
        return Mismatch(bytes(payee), bytes(charity), int(count))

    def domain_separator(self) -> bytes:
        return bytes(self._read("domainSeparator"))

    def pools(self) -> ChecksumAddress:
        return to_checksum_address(self._read("pools"))

    def registry(self) -> ChecksumAddress:
        return to_checksum_address(self._read("registry"))

    def tracker(self) -> ChecksumAddress:
        return to_checksum_address(self._read("tracker"))

    def consortium(self) -> ChecksumAddress:
        return to_checksum_address(self._read("consortium"))


def deploy_payment_order_escrow(
    client: ChainClient, admin: LocalAccount, welfare: WelfareContracts
) -> PaymentOrderEscrow:
    """Deploy the escrow of ``welfare.pools``, make it the pools' escrow and a lot source of the tracker (for
    purchase lots). It holds no tokens (the pools keep custody), so it is not allow-listed.

    ``admin`` must hold the consortium's DEFAULT_ADMIN_ROLE.
    """
    escrow = PaymentOrderEscrow.deploy(client, admin, welfare.pools.address)
    welfare.pools.set_escrow(admin, escrow.address)
    welfare.tracker.set_lot_source(admin, escrow.address, True)
    return escrow
