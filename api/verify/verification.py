"""Verify a transaction by its hash: what it was, and the whole flow of its value, from the read model alone.

:func:`verify_transaction` is what a donor holding a receipt (the transaction hash of their gift) calls, and
what the API's verify route serves. It reads nothing from the chain and needs no sign-in; the answer says
which block it is as of, and every edge names the event that proves it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from sqlalchemy import Connection, Row, bindparam, select

from api.indexer.amounts import asset_amount
from api.indexer.models import BlockRef
from api.indexer.read_model import InvalidQuery, ReadModel, event_record, hash32
from api.indexer.schema import blocks, events, transactions
from api.verify.errors import InvalidTransactionHash, TransactionNotIndexed
from api.verify.flow import FlowBuilder
from api.verify.models import EdgeKind, TransactionKind, Verification

__all__ = ["classify", "verify_transaction"]

_GOODS_FORM: Final = 4
_ZERO: Final = "0x" + "00" * 20

_KINDS: Final[tuple[tuple[str, TransactionKind], ...]] = (
    ("OrderReleased", TransactionKind.ORDER_SETTLEMENT),
    ("OrderRefunded", TransactionKind.ORDER_DISPUTE_DECISION),
    ("OrderMismatchRecorded", TransactionKind.ORDER_MISMATCH),
    ("OrderSigned", TransactionKind.ORDER_SIGNATURE),
    ("OrderIssued", TransactionKind.ORDER_ISSUE),
    ("OrderExpired", TransactionKind.ORDER_EXPIRY),
    ("OrderCancelled", TransactionKind.ORDER_CANCELLATION),
    ("OrderFrozen", TransactionKind.ORDER_FREEZE),
    ("DonationReceived", TransactionKind.DONATION),
    ("GoodsPledged", TransactionKind.GOODS_PLEDGE),
    ("RefundPaid", TransactionKind.REFUND),
    ("UnspentMoved", TransactionKind.MOVE),
    ("MovedValueReturned", TransactionKind.MOVE),
    ("GovernmentTransferConfirmed", TransactionKind.GOVERNMENT_TRANSFER),
    ("GovernmentTransferProposed", TransactionKind.GOVERNMENT_TRANSFER_PROPOSAL),
    ("GovernmentTransferRejected", TransactionKind.GOVERNMENT_TRANSFER_REJECTION),
    ("GovernmentTransferAcknowledged", TransactionKind.GOVERNMENT_TRANSFER_ACKNOWLEDGEMENT),
    ("LotOpened", TransactionKind.PURCHASE_LOT),
    ("CheckpointRecorded", TransactionKind.CHECKPOINT),
    ("PlanLaunched", TransactionKind.PLAN_LAUNCH),
    ("PlanAudited", TransactionKind.PLAN_AUDIT),
    ("PlanDecided", TransactionKind.PLAN_DECISION),
    ("PlanClosed", TransactionKind.PLAN_CLOSE),
    ("PlanWoundUp", TransactionKind.PLAN_WIND_UP),
    ("DepositMinted", TransactionKind.DEPOSIT_MINT),
    ("DepositRedeemed", TransactionKind.DEPOSIT_REDEMPTION),
    ("AssetIssued", TransactionKind.ASSET_ISSUE),
    ("AssetRedeemed", TransactionKind.ASSET_REDEMPTION),
    ("InstitutionApplied", TransactionKind.INSTITUTION_APPLICATION),
    ("InstitutionAudited", TransactionKind.INSTITUTION_AUDIT),
    ("InstitutionSuspended", TransactionKind.INSTITUTION_STANDING),
    ("InstitutionReinstated", TransactionKind.INSTITUTION_STANDING),
    ("InstitutionFlagged", TransactionKind.INSTITUTION_STANDING),
    ("RegistryAttested", TransactionKind.REGISTRY_ATTESTATION),
    ("CreditGradeAttested", TransactionKind.REGISTRY_ATTESTATION),
    ("RoleGranted", TransactionKind.ROLE_CHANGE),
    ("RoleRevoked", TransactionKind.ROLE_CHANGE),
    ("AccountAllowed", TransactionKind.ALLOW_LIST),
    ("AccountDisallowed", TransactionKind.ALLOW_LIST),
    ("Transfer", TransactionKind.TRANSFER),
    ("TransferSingle", TransactionKind.TRANSFER),
    ("TransferBatch", TransactionKind.TRANSFER),
)


_TRANSACTION: Final = (
    select(transactions, blocks.c.hash, blocks.c.timestamp)
    .join(blocks, blocks.c.number == transactions.c.block_number)
    .where(transactions.c.tx_hash == bindparam("tx"))
)
_EVENTS_OF: Final = (
    select(events)
    .where(events.c.tx_hash == bindparam("tx"))
    .order_by(events.c.block_number, events.c.log_index)
)


def classify(rows: Sequence[Row[Any]]) -> tuple[TransactionKind, Row[Any] | None]:
    """What a transaction with these events was, and the event that says so (None: no ledger event)."""
    by_name: dict[str, Row[Any]] = {}
    for row in rows:
        by_name.setdefault(row.name, row)
    for name, kind in _KINDS:
        if name not in by_name:
            continue
        row = by_name[name]
        if name == "DonationReceived" and int(row.args["form"]) == _GOODS_FORM:
            return TransactionKind.GOODS_RECEIVED, row
        if name == "LotOpened" and row.order_id is None:
            continue  # a pledge lot is opened by the receipt of the pledge, classified above
        return kind, row
    return TransactionKind.OTHER, rows[0] if rows else None


def verify_transaction(read_model: ReadModel, tx_hash: str) -> Verification:
    """What transaction ``tx_hash`` (0x-hex) was and where its value went, as of the newest indexed block.

    Raises :class:`~api.verify.errors.InvalidTransactionHash` for a malformed hash and
    :class:`~api.verify.errors.TransactionNotIndexed` when the read model holds no ledger event of it (not
    mined, not indexed yet, or not a ledger transaction).
    """
    try:
        key = hash32(tx_hash, "transaction hash")
    except InvalidQuery as exc:
        raise InvalidTransactionHash(str(exc)) from None
    return read_model.read(lambda connection, as_of: _verify(read_model, connection, key, as_of))


def _verify(read_model: ReadModel, connection: Connection, tx_hash: str, as_of: int | None) -> Verification:
    transaction = connection.execute(_TRANSACTION, {"tx": tx_hash}).first()
    if transaction is None:
        raise TransactionNotIndexed(tx_hash, as_of)
    rows = list(
        connection.execute(
            select(events)
            .where(events.c.tx_hash == tx_hash)
            .order_by(events.c.block_number, events.c.log_index)
        )
    )
    kind, main = classify(rows)
    builder = FlowBuilder(read_model, connection)
    summary = _follow(builder, kind, main, rows)
    return Verification(
        tx_hash=tx_hash,
        kind=kind,
        summary=summary,
        block=BlockRef(
            number=transaction.block_number, hash=transaction.hash, timestamp=transaction.timestamp
        ),
        sender=transaction.sender,
        recipient=transaction.recipient,
        recipient_contract=next((row.contract for row in rows if row.address == transaction.recipient), None),
        events=[event_record(row) for row in rows],
        flow=builder.graph(),
        as_of_block=as_of,
    )


def _follow(
    builder: FlowBuilder, kind: TransactionKind, main: Row[Any] | None, rows: Sequence[Row[Any]]
) -> str:
    """Build the flow of ``kind``'s value; returns the one-sentence summary."""
    if main is None:
        return "a transaction without ledger events"
    handler = _HANDLERS.get(kind)
    if handler is not None:
        return handler(builder, main, rows)
    return f"{main.contract}: {main.name}" + (f" (plan #{main.pool_id})" if main.pool_id is not None else "")


def _donation(builder: FlowBuilder, main: Row[Any], rows: Sequence[Row[Any]]) -> str:
    gifts = [row for row in rows if row.name == "DonationReceived"]
    for gift in gifts:
        builder.gift(gift)
    amounts = ", ".join(
        f"{asset_amount(int(g.args['asset']), int(g.args['amount'])).value} "
        f"{asset_amount(int(g.args['asset']), int(g.args['amount'])).unit}"
        for g in gifts
    )
    return f"a donation of {amounts} to plan #{main.pool_id}, followed to where it went"


def _goods(builder: FlowBuilder, main: Row[Any], rows: Sequence[Row[Any]]) -> str:
    pledge_id = main.pledge_id if main.pledge_id is not None else int(main.args.get("pledgeId", "0"))
    builder.pledge(pledge_id)
    if main.name == "GoodsPledged":
        return f"a pledge of {main.args['quantity']} goods to plan #{main.pool_id} (pledge #{pledge_id})"
    return f"pledge #{pledge_id} received into plan #{main.pool_id}: {main.args['amount']} goods"


def _order(builder: FlowBuilder, main: Row[Any], rows: Sequence[Row[Any]]) -> str:
    builder.order(main.order_id)
    verb = {
        "OrderIssued": "issued",
        "OrderSigned": "signed by a party",
        "OrderReleased": "settled: the payee was paid",
        "OrderMismatchRecorded": "presented with copies that did not match: nothing moved",
        "OrderExpired": "expired: the amount went back to the plan",
        "OrderCancelled": "cancelled: the amount went back to the plan",
        "OrderFrozen": "frozen by the regulator",
        "OrderRefunded": "refunded to the plan by the regulator's decision",
    }[main.name]
    return f"payment order {main.order_id} {verb}"


def _lot(builder: FlowBuilder, main: Row[Any], rows: Sequence[Row[Any]]) -> str:
    builder.lot_origin(main.lot_id)
    if main.name == "LotOpened":
        return f"goods lot #{main.lot_id} opened for payment order {main.order_id}"
    return f"a custody checkpoint of goods lot #{main.lot_id}, followed from where the goods came from"


def _refund(builder: FlowBuilder, main: Row[Any], rows: Sequence[Row[Any]]) -> str:
    args = main.args
    amount = asset_amount(int(args["asset"]), int(args["amount"]))
    builder.transfer_from_plan(main.pool_id, args["donor"], EdgeKind.REFUNDED, main, amount)
    return f"a refund of {amount.value} {amount.unit} from plan #{main.pool_id} to a donor"


def _move(builder: FlowBuilder, main: Row[Any], rows: Sequence[Row[Any]]) -> str:
    args = main.args
    asset, amount = int(args["asset"]), int(args["amount"])
    builder.move(main, asset, amount)
    value = asset_amount(asset, amount)
    return f"{value.value} {value.unit} of plan #{args['fromPoolId']} moved to plan #{args['toPoolId']}, followed on"


def _government(builder: FlowBuilder, main: Row[Any], rows: Sequence[Row[Any]]) -> str:
    builder.government_transfer(main.transfer_id)
    return f"transfer #{main.transfer_id} of plan #{main.pool_id} to a local government: {main.name}"


def _plan(builder: FlowBuilder, main: Row[Any], rows: Sequence[Row[Any]]) -> str:
    builder.pool(main.pool_id, 0, None)
    return f"plan #{main.pool_id}: {main.name}; where its money went"


def _deposit(builder: FlowBuilder, main: Row[Any], rows: Sequence[Row[Any]]) -> str:
    args = main.args
    amount = asset_amount(0, int(args["amount"]))
    if main.name == "DepositMinted":
        builder.transfer(args["bank"], args["to"], EdgeKind.MINTED, main, amount)
        return f"a bank issued {amount.value} {amount.unit} against a deposit"
    builder.transfer(args["holder"], args["bank"], EdgeKind.REDEEMED, main, amount)
    return f"{amount.value} {amount.unit} redeemed at a bank"


def _transfer(builder: FlowBuilder, main: Row[Any], rows: Sequence[Row[Any]]) -> str:
    args = main.args
    if main.name == "Transfer":
        amount = asset_amount(0, int(args["value"]))
    elif main.name == "TransferSingle":
        amount = asset_amount(int(args["id"]), int(args["value"]))
    else:
        return "a batch transfer of welfare assets"
    if _ZERO not in (args["from"], args["to"]):
        builder.transfer(args["from"], args["to"], EdgeKind.TRANSFERRED, main, amount)
    return f"a transfer of {amount.value} {amount.unit}"


_HANDLERS: Final[dict[TransactionKind, Callable[[FlowBuilder, Row[Any], Sequence[Row[Any]]], str]]] = {
    TransactionKind.DONATION: _donation,
    TransactionKind.GOODS_PLEDGE: _goods,
    TransactionKind.GOODS_RECEIVED: _goods,
    TransactionKind.ORDER_ISSUE: _order,
    TransactionKind.ORDER_SIGNATURE: _order,
    TransactionKind.ORDER_SETTLEMENT: _order,
    TransactionKind.ORDER_MISMATCH: _order,
    TransactionKind.ORDER_EXPIRY: _order,
    TransactionKind.ORDER_CANCELLATION: _order,
    TransactionKind.ORDER_FREEZE: _order,
    TransactionKind.ORDER_DISPUTE_DECISION: _order,
    TransactionKind.PURCHASE_LOT: _lot,
    TransactionKind.CHECKPOINT: _lot,
    TransactionKind.REFUND: _refund,
    TransactionKind.MOVE: _move,
    TransactionKind.GOVERNMENT_TRANSFER: _government,
    TransactionKind.GOVERNMENT_TRANSFER_PROPOSAL: _government,
    TransactionKind.GOVERNMENT_TRANSFER_REJECTION: _government,
    TransactionKind.GOVERNMENT_TRANSFER_ACKNOWLEDGEMENT: _government,
    TransactionKind.PLAN_LAUNCH: _plan,
    TransactionKind.PLAN_AUDIT: _plan,
    TransactionKind.PLAN_DECISION: _plan,
    TransactionKind.PLAN_CLOSE: _plan,
    TransactionKind.PLAN_WIND_UP: _plan,
    TransactionKind.DEPOSIT_MINT: _deposit,
    TransactionKind.DEPOSIT_REDEMPTION: _deposit,
    TransactionKind.TRANSFER: _transfer,
}
