"""Payment orders (``contracts/PaymentOrderEscrow.sol``, ``api/orders``): the bank issues; each party lists
its sealed copies, reads its own, and submits its EIP-712 signature; the matcher settles complete pairs and
the chain decides (released, or a mismatch recorded).

A party signs in one of two ways: with a password session, the platform opens the party's copy with the
key it holds for the session, checks it (``GET /orders/{id}/copy``) and signs it (``POST .../sign``); with
its own wallet, the party fetches the sealed copy (``GET .../sealed``), decrypts and signs it itself
(``eth_signTypedData_v4``) and submits the signature (``POST .../signature``). Nobody reads or signs
another party's order: deliveries are addressed to one account and signatures are checked against it.
"""

from __future__ import annotations

from typing import Annotated, Any

from eth_account.signers.local import LocalAccount
from fastapi import APIRouter, Query

from api.core.assets import amount_of, asset_id, goods_type, units_of
from api.core.errors import ERROR_RESPONSES, InvalidInput, NotFound, NotYourResource
from api.core.natspec import describe
from api.core.platform import Platform
from api.deps import BankRoles, CurrentUser, PlatformDep, ReadModelDep, Signer
from api.indexer import MAX_PAGE, OrderDetail, OrderSummary, Page
from api.orders import Delivery, OrderEnvelope, OrderParticipant, OrderRejected, OrderRequest, open_sealed
from api.routes.params import OrderId
from api.schemas.common import JSON_SAFE_MAX, AsOf, Transaction, hex0x, to_bytes
from api.schemas.orders import (
    DeliveryOut,
    Inbox,
    LotOpened,
    MatcherOutcome,
    OpenedCopy,
    OrderAction,
    OrderIssue,
    OrderIssued,
    OrderMessage,
    OrderStatusName,
    OrderStatusOut,
    PurchaseLot,
    SealedCopy,
    SignatureSubmission,
    SignedCopyOut,
)
from api.schemas.plans import Done
from chain_client.contracts import OrderParty, OrderStatus, PaymentOrder
from chain_client.contracts.payment_order_escrow import recover_order_signer

router = APIRouter(prefix="/orders", tags=["orders"], responses=ERROR_RESPONSES)


def _jsonable(value: Any) -> Any:
    """Typed data with every integer above 2^53 as a decimal string (EIP-712 wallets accept both)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > JSON_SAFE_MAX:
        return str(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _party_of(order: PaymentOrder, account: str) -> OrderParty:
    if account == order.payee:
        return OrderParty.PAYEE
    if account == order.charity:
        return OrderParty.CHARITY
    raise NotYourResource(f"{account} is neither the payee nor the charity of order 0x{order.order_id.hex()}")


def _delivery(platform: Platform, order_id: bytes, account: str) -> Delivery:
    delivery = platform.deliveries.fetch_order(order_id, account)
    if delivery is None:
        raise NotFound(f"no copy of order 0x{order_id.hex()} was delivered to {account}")
    return delivery


def _open(platform: Platform, order_id: bytes, key: LocalAccount) -> OrderEnvelope:
    """The caller's copy of ``order_id``, decrypted with the key the platform holds for its session."""
    return open_sealed(bytes(key.key), _delivery(platform, order_id, key.address).ciphertext)


def _participant(platform: Platform, key: LocalAccount, order: PaymentOrder) -> OrderParticipant:
    return OrderParticipant(
        key,
        _party_of(order, key.address),
        platform.ledger.escrow,
        platform.ledger.foundation.consortium,
        platform.deliveries,
    )


def _order_for_action(
    platform: Platform, order_id: bytes, body: OrderAction, signer: LocalAccount
) -> PaymentOrder:
    if body.order is not None:
        order = body.order.to_order()
        if order.order_id != order_id:
            raise InvalidInput("the order in the body has another order id than the path")
        return order
    return _open(platform, order_id, signer).order


@router.post(
    "",
    response_model=OrderIssued,
    status_code=201,
    description=describe(
        "A bank issues a payment order from a plan to a registered third party: it signs the EIP-712 order, "
        "commits its digest and locks the amount in escrow in one transaction, and delivers the order "
        "sealed to the charity's and the payee's registered keys (bank role).",
        ("PaymentOrderEscrow", "issue"),
    ),
)
def issue_order(body: OrderIssue, _: BankRoles, bank: Signer, platform: PlatformDep) -> OrderIssued:
    asset = asset_id(body.asset)
    request = OrderRequest(
        pool_id=body.pool_id,
        payee=body.payee,
        amount=units_of(platform, asset, body.amount),
        document=body.document.encode("utf-8"),
        asset=asset,
        deadline=body.deadline,
    )
    issued = platform.issuer_for(bank).issue(request)
    receipt = platform.client.backend.get_receipt(issued.tx_hash)
    assert receipt is not None  # issue() waited for it
    return OrderIssued(
        order=OrderMessage.of(issued.order),
        digest=hex0x(issued.digest),
        amount=amount_of(platform, asset, issued.order.amount),
        transaction=Transaction.of(receipt),
    )


@router.get("/inbox", response_model=Inbox)
def inbox(
    user: CurrentUser,
    platform: PlatformDep,
    after_id: Annotated[int, Query(ge=0, le=JSON_SAFE_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> Inbox:
    """The sealed first orders delivered to the signed-in account (as charity or payee), oldest first."""
    deliveries = platform.deliveries.inbox(user.account, after_id=after_id, limit=limit)
    return Inbox(
        account=user.account,
        deliveries=[
            DeliveryOut(delivery_id=d.id, order_id=hex0x(d.order_id), digest=hex0x(d.digest))
            for d in deliveries
        ],
    )


@router.get("", response_model=Page[OrderSummary])
def list_orders(
    read_model: ReadModelDep,
    party: Annotated[
        str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$", description="the charity, payee or issuing bank")
    ] = None,
    pool_id: Annotated[int | None, Query(ge=1, le=JSON_SAFE_MAX)] = None,
    status: Annotated[OrderStatusName | None, Query()] = None,
    offset: Annotated[int, Query(ge=0, le=JSON_SAFE_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[OrderSummary]:
    """Payment orders from the read model (no sign-in: parties, amounts and status are on-chain; the order
    document stays sealed), optionally of one party, plan or status; ``as_of_block`` says which block."""
    return read_model.orders(party=party, pool_id=pool_id, status=status, offset=offset, limit=limit)


@router.get("/{order_id}/history", response_model=OrderDetail)
def order_history(order_id: OrderId, read_model: ReadModelDep) -> OrderDetail:
    """An order's every event (issued, signatures, settlement or mismatch, expiry, dispute) and its lots."""
    found = read_model.order(order_id)
    if found is None:
        raise NotFound(f"the read model has no order {order_id} (as of block {read_model.as_of_block()})")
    return found


@router.get("/{order_id}", response_model=OrderStatusOut)
def order_status(order_id: OrderId, platform: PlatformDep) -> OrderStatusOut:
    """Where an order stands on-chain, and what the matcher last got for it (no sign-in: the escrow holds
    only the commitment, never the order's content)."""
    escrow = platform.ledger.escrow
    block = platform.client.block_number()
    raw_id = to_bytes(order_id)
    record = escrow.order_of(raw_id, block=block)
    if record.status is OrderStatus.NONE:
        raise NotFound(f"no order {order_id}")
    return OrderStatusOut(
        order_id=order_id.lower(),
        status=record.status.name.lower(),
        payee_signed=record.payee_signed,
        charity_signed=record.charity_signed,
        commitment=hex0x(record.commitment),
        mismatches=escrow.mismatch_of(raw_id, block=block).count,
        matcher=MatcherOutcome(outcome=platform.deliveries.outcome_of(raw_id)),
        as_of=AsOf(block_number=block),
    )


@router.get("/{order_id}/sealed", response_model=SealedCopy)
def sealed_copy(order_id: OrderId, user: CurrentUser, platform: PlatformDep) -> SealedCopy:
    """Your sealed copy of the first order (404 unless it was delivered to you)."""
    delivery = _delivery(platform, to_bytes(order_id), user.account)
    return SealedCopy(
        order_id=hex0x(delivery.order_id),
        digest=hex0x(delivery.digest),
        recipient=delivery.recipient,
        ciphertext=hex0x(delivery.ciphertext),
    )


@router.get("/{order_id}/copy", response_model=OpenedCopy)
def opened_copy(order_id: OrderId, key: Signer, platform: PlatformDep) -> OpenedCopy:
    """Your copy opened with the key the platform holds for your session, with every check's result:
    signed by a member bank, for this ledger, about you, committed on-chain and still open."""
    envelope = _open(platform, to_bytes(order_id), key)
    order = envelope.order
    participant = _participant(platform, key, order)
    try:
        participant.check(envelope)
        problems: list[str] = []
    except OrderRejected as exc:
        problems = list(exc.reasons)
    try:
        document = envelope.document.decode("utf-8")
    except UnicodeDecodeError:
        document = hex0x(envelope.document)
    return OpenedCopy(
        order=OrderMessage.of(order),
        digest=hex0x(envelope.digest),
        bank=envelope.bank,
        bank_signature=hex0x(envelope.bank_signature),
        document=document,
        typed_data=_jsonable(envelope.typed_data()),
        party="payee" if participant.party is OrderParty.PAYEE else "charity",
        acceptable=not problems,
        problems=problems,
    )


@router.post("/{order_id}/sign", response_model=SignedCopyOut)
def sign_copy(order_id: OrderId, key: Signer, platform: PlatformDep) -> SignedCopyOut:
    """Check your copy and sign it with the key the platform holds for your session (the payee after
    fulfilling the order, the charity to confirm it); the matcher settles once both copies are in. An
    order that fails a check is not signed (409 naming each problem)."""
    raw_id = to_bytes(order_id)
    envelope = _open(platform, raw_id, key)
    participant = _participant(platform, key, envelope.order)
    signature = participant.answer(envelope)
    return SignedCopyOut(
        order_id=hex0x(raw_id),
        party="payee" if participant.party is OrderParty.PAYEE else "charity",
        signer=key.address,
        signature=hex0x(signature),
        queued=len(platform.deliveries.signed_copies(raw_id)) == 2,
    )


@router.post("/{order_id}/signature", response_model=SignedCopyOut)
def submit_signature(
    order_id: OrderId, body: SignatureSubmission, user: CurrentUser, platform: PlatformDep
) -> SignedCopyOut:
    """Submit the EIP-712 signature you made over your copy in your own wallet. It must be yours (the
    signed-in account) and you must be the copy's payee or charity; the matcher submits both copies and
    the escrow pays only if they match the committed order (else it records the mismatch)."""
    raw_id = to_bytes(order_id)
    order = body.order.to_order()
    if order.order_id != raw_id:
        raise InvalidInput("the order in the body has another order id than the path")
    escrow = platform.ledger.escrow
    try:
        signer = recover_order_signer(
            order, to_bytes(body.signature), platform.client.chain_id, escrow.address
        )
    except ValueError as exc:
        raise InvalidInput(f"malformed signature: {exc}") from None
    if signer != user.account:
        raise NotYourResource(f"the copy is signed by {signer}, not by the signed-in {user.account}")
    party = _party_of(order, signer)
    record = escrow.order_of(raw_id)
    if record.status is OrderStatus.NONE:
        raise NotFound(f"no order {order_id}")
    if record.status is not OrderStatus.ISSUED:
        raise OrderRejected(raw_id, [f"it is {record.status.name.lower()} on-chain"])
    platform.deliveries.put_signed_copy(raw_id, party, order, to_bytes(body.signature))
    return SignedCopyOut(
        order_id=hex0x(raw_id),
        party="payee" if party is OrderParty.PAYEE else "charity",
        signer=signer,
        signature=body.signature,
        queued=len(platform.deliveries.signed_copies(raw_id)) == 2,
    )


@router.post(
    "/{order_id}/cancel",
    response_model=Done,
    description=describe(
        "The issuing bank or the charity cancels an order nobody has signed: its amount returns to the plan.",
        ("PaymentOrderEscrow", "cancel"),
    ),
)
def cancel(order_id: OrderId, body: OrderAction, signer: Signer, platform: PlatformDep) -> Done:
    order = _order_for_action(platform, to_bytes(order_id), body, signer)
    return Done(transaction=Transaction.of(platform.ledger.escrow.cancel(signer, order).receipt))


@router.post(
    "/{order_id}/expire",
    response_model=Done,
    description=describe(
        "Anyone expires an order past its deadline: its amount returns to the plan.",
        ("PaymentOrderEscrow", "expire"),
    ),
)
def expire(order_id: OrderId, body: OrderAction, signer: Signer, platform: PlatformDep) -> Done:
    order = _order_for_action(platform, to_bytes(order_id), body, signer)
    return Done(transaction=Transaction.of(platform.ledger.escrow.expire(signer, order).receipt))


@router.post(
    "/{order_id}/purchase-lot",
    response_model=LotOpened,
    status_code=201,
    description=describe(
        "The payee records the goods it bought for the order as a lot in its custody, to be followed to "
        "the beneficiary's sign-off (POST /lots/{id}/checkpoints).",
        ("PaymentOrderEscrow", "openPurchaseLot"),
    ),
)
def purchase_lot(order_id: OrderId, body: PurchaseLot, payee: Signer, platform: PlatformDep) -> LotOpened:
    order = _order_for_action(platform, to_bytes(order_id), body, payee)
    lot_id, result = platform.ledger.escrow.open_purchase_lot(
        payee, order, goods_type(body.goods_type), body.quantity
    )
    return LotOpened(lot_id=lot_id, transaction=Transaction.of(result.receipt))
