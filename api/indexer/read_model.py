"""Queries of the read model: lists and searches for the API, each answer saying which block it is as of.

Each method reads in one snapshot (:func:`~api.indexer.database.read_transaction`), so the answer and its
``as_of_block`` always agree. States are rebuilt from events (a plan's status from its audit, decision, close
and wind-up; an order's from its issue, signatures, release, expiry...), as the contracts' events are designed
to allow; nothing is read from the chain. Bad input (a malformed address, hash or status) raises
:class:`InvalidQuery`, a ``ValueError``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, TypeVar

from eth_utils import is_address, to_checksum_address
from sqlalchemy import Connection, Engine, Row, and_, func, select
from sqlalchemy.sql import Select

from api.indexer.amounts import Amount, asset_amount, goods_amount
from api.indexer.database import open_engine, read_transaction
from api.indexer.errors import IndexerError
from api.indexer.flows import POOL_TOTAL, FlowKind
from api.indexer.models import (
    BlockRef,
    CheckpointRecord,
    DonationRecord,
    EventProof,
    EventRecord,
    IndexerStatus,
    InstitutionSummary,
    LotDetail,
    LotSummary,
    OrderDetail,
    OrderSummary,
    Page,
    Party,
    PlanDetail,
    PlanSummary,
    PoolLedger,
    TransactionRecord,
)
from api.indexer.schema import (
    blocks,
    directory,
    event_accounts,
    events,
    flow_totals,
    indexer_state,
    transactions,
)
from chain_client.contracts.institution_registry import InstitutionKind
from chain_client.contracts.payment_order_escrow import OrderParty, OrderStatus
from chain_client.contracts.resource_tracker import Checkpoint, LotSource, LotStatus
from chain_client.contracts.welfare_pools import DonationForm, PlanStatus, UnspentTerms

__all__ = [
    "MAX_PAGE",
    "InvalidQuery",
    "ReadModel",
    "checksum",
    "donation_record",
    "event_record",
    "hash32",
    "proof_of",
]

MAX_PAGE: Final = 500
"""The most items one page holds."""

_PLAN_EVENTS: Final = ("PlanAudited", "PlanDecided", "PlanClosed", "PlanWoundUp")
_ORDER_FINAL: Final = {
    "OrderReleased": OrderStatus.RELEASED,
    "OrderRefunded": OrderStatus.REFUNDED,
    "OrderExpired": OrderStatus.EXPIRED,
    "OrderCancelled": OrderStatus.CANCELLED,
}
_CHECKPOINT_STATUS: Final = {
    Checkpoint.SHIPPED: LotStatus.SHIPPED,
    Checkpoint.IN_TRANSIT: LotStatus.IN_TRANSIT,
    Checkpoint.RECEIVED: LotStatus.RECEIVED,
    Checkpoint.HANDED_TO_BENEFICIARY: LotStatus.HANDED_OVER,
    Checkpoint.SIGNED_OFF: LotStatus.DELIVERED,
}
_INSTITUTION_EVENTS: Final = (
    "InstitutionApplied",
    "InstitutionAudited",
    "InstitutionSuspended",
    "InstitutionReinstated",
    "InstitutionFlagged",
)
_LEDGER_KINDS: Final = tuple(kind.value for kind in FlowKind)

R = TypeVar("R")


class InvalidQuery(IndexerError, ValueError):
    """A query's argument is malformed (an address, a hash, a status or a page size); nothing was read."""


def _name(value: int, enum: Any) -> str:
    return str(enum(value).name.lower())


def checksum(address: str, what: str = "address") -> str:
    """``address`` checksummed, or :class:`InvalidQuery`."""
    if not isinstance(address, str) or not is_address(address):
        raise InvalidQuery(f"{what} {address!r} is not an account address")
    return str(to_checksum_address(address))


def hash32(value: str, what: str = "hash") -> str:
    """``value`` as lower-case 0x-hex of 32 bytes, or :class:`InvalidQuery`."""
    text = value.lower() if isinstance(value, str) else ""
    if len(text) != 66 or not text.startswith("0x") or any(c not in "0123456789abcdef" for c in text[2:]):
        raise InvalidQuery(f"{what} {value!r} is not 0x followed by 64 hex digits")
    return text


def _page_bounds(offset: int, limit: int) -> None:
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidQuery(f"offset must be >= 0 and limit between 1 and {MAX_PAGE}")


def event_record(row: Row[Any]) -> EventRecord:
    return EventRecord(
        block_number=row.block_number,
        log_index=row.log_index,
        tx_hash=row.tx_hash,
        tx_index=row.tx_index,
        contract=row.contract,
        address=row.address,
        name=row.name,
        args=row.args,
    )


def proof_of(row: Row[Any]) -> EventProof:
    return EventProof(
        block_number=row.block_number,
        tx_hash=row.tx_hash,
        log_index=row.log_index,
        contract=row.contract,
        event=row.name,
    )


def _naming(query: Select[Any], account: str) -> Select[Any]:
    """``query`` of events narrowed to those naming ``account`` in any argument."""
    named = (
        select(event_accounts.c.block_number, event_accounts.c.log_index)
        .where(event_accounts.c.account == account)
        .distinct()
        .subquery()
    )
    return query.join(
        named, and_(named.c.block_number == events.c.block_number, named.c.log_index == events.c.log_index)
    )


def _chain_order(query: Select[Any]) -> Select[Any]:
    return query.order_by(events.c.block_number, events.c.log_index)


class ReadModel:
    """Read-only queries of the indexed ledger (see the module docstring). Thread-safe."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> ReadModel:
        """The read model at SQLAlchemy ``url`` (``IndexerSettings.url``)."""
        return cls(open_engine(url))

    # ------------------------------------------------------------------ snapshot helpers

    def read(self, query: Callable[[Connection, int | None], R]) -> R:
        """Run ``query(connection, as_of_block)`` in one snapshot (for composite answers, e.g. verify)."""
        with read_transaction(self.engine) as connection:
            return query(connection, self._as_of(connection))

    @staticmethod
    def _as_of(connection: Connection) -> int | None:
        value = connection.execute(select(func.max(blocks.c.number))).scalar()
        return None if value is None else int(value)

    def as_of_block(self) -> int | None:
        """The newest block indexed (None while nothing is)."""
        return self.read(lambda _, as_of: as_of)

    # ------------------------------------------------------------------ names

    @staticmethod
    def names(connection: Connection, subjects: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """Directory names of ``subjects`` (checksummed addresses or goods types): subject -> (name, kind)."""
        wanted = sorted(set(subjects))
        found: dict[str, tuple[str, str | None]] = {}
        for start in range(0, len(wanted), 500):
            for row in connection.execute(
                select(directory.c.subject, directory.c.name, directory.c.kind).where(
                    directory.c.subject.in_(wanted[start : start + 500])
                )
            ):
                found[row.subject] = (row.name, row.kind)
        return found

    @staticmethod
    def party(address: str, names: dict[str, tuple[str, str | None]]) -> Party:
        named = names.get(address)
        return Party(address=address, name=named[0] if named else None, kind=named[1] if named else None)

    # ------------------------------------------------------------------ status, transactions, events

    def status(self) -> IndexerStatus:
        """How far the read model is, and of which chain and contracts."""

        def query(connection: Connection, as_of: int | None) -> IndexerStatus:
            state = {row.key: row.value for row in connection.execute(select(indexer_state))}
            newest = (
                connection.execute(select(blocks).where(blocks.c.number == as_of)).first()
                if as_of is not None
                else None
            )
            return IndexerStatus(
                chain_id=int(state["chain_id"]) if "chain_id" in state else None,
                contracts=json.loads(state["contracts"]) if "contracts" in state else {},
                as_of_block=as_of,
                as_of_hash=newest.hash if newest is not None else None,
                as_of_timestamp=newest.timestamp if newest is not None else None,
                events=int(connection.execute(select(func.count()).select_from(events)).scalar() or 0),
                transactions=int(
                    connection.execute(select(func.count()).select_from(transactions)).scalar() or 0
                ),
            )

        return self.read(query)

    def transaction(self, tx_hash: str) -> TransactionRecord | None:
        """The transaction ``tx_hash`` with every ledger event it emitted; None if the read model has none
        (not mined yet, not indexed yet, or it emitted no ledger event)."""
        key = hash32(tx_hash, "transaction hash")
        return self.read(lambda connection, as_of: self.transaction_in(connection, key, as_of))

    def transaction_in(
        self, connection: Connection, tx_hash: str, as_of: int | None
    ) -> TransactionRecord | None:
        row = connection.execute(
            select(transactions, blocks.c.hash, blocks.c.timestamp)
            .join(blocks, blocks.c.number == transactions.c.block_number)
            .where(transactions.c.tx_hash == tx_hash)
        ).first()
        if row is None:
            return None
        emitted = [
            event_record(event)
            for event in connection.execute(_chain_order(select(events).where(events.c.tx_hash == tx_hash)))
        ]
        contract = next((event.contract for event in emitted if event.address == row.recipient), None)
        return TransactionRecord(
            tx_hash=row.tx_hash,
            block=BlockRef(number=row.block_number, hash=row.hash, timestamp=row.timestamp),
            tx_index=row.tx_index,
            sender=row.sender,
            recipient=row.recipient,
            recipient_contract=contract,
            events=emitted,
            as_of_block=as_of,
        )

    def events(
        self,
        *,
        account: str | None = None,
        contract: str | None = None,
        name: str | None = None,
        pool_id: int | None = None,
        order_id: str | None = None,
        lot_id: int | None = None,
        from_block: int | None = None,
        to_block: int | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> Page[EventRecord]:
        """Events matching every filter given, oldest first. ``account``: events naming that address in any
        argument (donor, payee, charity, bank, holder, by...)."""
        _page_bounds(offset, limit)
        query = select(events)
        if account is not None:
            wanted = checksum(account, "account")
            query = _naming(query, wanted)
        if contract is not None:
            query = query.where(events.c.contract == contract)
        if name is not None:
            query = query.where(events.c.name == name)
        if pool_id is not None:
            query = query.where(events.c.pool_id == pool_id)
        if order_id is not None:
            query = query.where(events.c.order_id == hash32(order_id, "order id"))
        if lot_id is not None:
            query = query.where(events.c.lot_id == lot_id)
        if from_block is not None:
            query = query.where(events.c.block_number >= from_block)
        if to_block is not None:
            query = query.where(events.c.block_number <= to_block)
        query = _chain_order(query).offset(offset).limit(limit + 1)

        def run(connection: Connection, as_of: int | None) -> Page[EventRecord]:
            rows = [event_record(row) for row in connection.execute(query)]
            return Page[EventRecord](
                items=rows[:limit],
                next_offset=offset + limit if len(rows) > limit else None,
                as_of_block=as_of,
            )

        return self.read(run)

    # ------------------------------------------------------------------ plans

    def plans(
        self, *, charity: str | None = None, status: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[PlanSummary]:
        """Relief plans by pool id, optionally of one charity and in one status (``open``, ``wound_up``...)."""
        _page_bounds(offset, limit)
        wanted_charity = checksum(charity, "charity") if charity is not None else None
        if status is not None and status.upper() not in PlanStatus.__members__:
            raise InvalidQuery(f"unknown plan status {status!r}")

        def run(connection: Connection, as_of: int | None) -> Page[PlanSummary]:
            query = select(events).where(events.c.name == "PlanLaunched")
            if wanted_charity is not None:
                query = query.join(
                    event_accounts,
                    and_(
                        event_accounts.c.block_number == events.c.block_number,
                        event_accounts.c.log_index == events.c.log_index,
                        event_accounts.c.arg == "charity",
                    ),
                ).where(event_accounts.c.account == wanted_charity)
            query = query.order_by(events.c.pool_id)
            if status is None:
                query = query.offset(offset).limit(limit + 1)
            launched = list(connection.execute(query))
            summaries = self.plan_summaries(connection, launched)
            if status is not None:
                summaries = [plan for plan in summaries if plan.status == status.lower()][
                    offset : offset + limit + 1
                ]
            return Page[PlanSummary](
                items=summaries[:limit],
                next_offset=offset + limit if len(summaries) > limit else None,
                as_of_block=as_of,
            )

        return self.read(run)

    def plan_summaries(self, connection: Connection, launched: Sequence[Row[Any]]) -> list[PlanSummary]:
        pool_ids = [row.pool_id for row in launched]
        statuses: dict[int, PlanStatus] = {pool_id: PlanStatus.LAUNCHED for pool_id in pool_ids}
        donated: dict[int, int] = defaultdict(int)
        for start in range(0, len(pool_ids), 500):
            chunk = pool_ids[start : start + 500]
            for row in connection.execute(
                _chain_order(
                    select(events).where(events.c.pool_id.in_(chunk), events.c.name.in_(_PLAN_EVENTS))
                )
            ):
                statuses[row.pool_id] = _plan_status_after(row)
            for row in connection.execute(
                select(flow_totals.c.pool_id, flow_totals.c.amount).where(
                    flow_totals.c.pool_id.in_(chunk),
                    flow_totals.c.asset == "0",
                    flow_totals.c.kind == FlowKind.DONATED.value,
                    flow_totals.c.ref == POOL_TOTAL,
                )
            ):
                donated[row.pool_id] = int(row.amount)
        names = self.names(connection, (row.args["charity"] for row in launched))
        return [
            self._plan_summary(row, statuses[row.pool_id], donated[row.pool_id], names) for row in launched
        ]

    def _plan_summary(
        self, row: Row[Any], status: PlanStatus, donated: int, names: dict[str, tuple[str, str | None]]
    ) -> PlanSummary:
        terms = row.args["terms"]
        return PlanSummary(
            pool_id=row.pool_id,
            charity=self.party(row.args["charity"], names),
            status=status.name.lower(),
            deadline=int(terms["deadline"]),
            money_target=asset_amount(0, int(terms["moneyTarget"])),
            needs_government_approval=terms["needsGovernmentApproval"],
            government_transfer_allowed=terms["governmentTransferAllowed"],
            unspent=_name(int(terms["unspent"]), UnspentTerms),
            warehouse=terms["warehouse"],
            purpose_digest=terms["purposeDigest"],
            launched=proof_of(row),
            donated=asset_amount(0, donated),
        )

    def plan(self, pool_id: int) -> PlanDetail | None:
        """Plan ``pool_id`` with its terms, in-kind list, per-asset ledgers and history; None if unknown."""

        def run(connection: Connection, as_of: int | None) -> PlanDetail | None:
            launched = connection.execute(
                select(events).where(events.c.name == "PlanLaunched", events.c.pool_id == pool_id)
            ).first()
            if launched is None:
                return None
            (summary,) = self.plan_summaries(connection, [launched])
            history = [
                event_record(row)
                for row in connection.execute(
                    _chain_order(
                        select(events).where(
                            events.c.pool_id == pool_id, events.c.name.in_(("PlanLaunched", *_PLAN_EVENTS))
                        )
                    )
                )
            ]
            in_kind = launched.args["terms"]["inKind"]
            goods_names = self.names(connection, (item["goodsType"] for item in in_kind))
            return PlanDetail(
                **summary.model_dump(),
                in_kind=[
                    {
                        "goods_type": item["goodsType"],
                        "quantity": item["quantity"],
                        **(
                            {"name": goods_names[item["goodsType"]][0]}
                            if item["goodsType"] in goods_names
                            else {}
                        ),
                    }
                    for item in in_kind
                ],
                ledgers=self.pool_ledgers(connection, pool_id),
                history=history,
                as_of_block=as_of,
            )

        return self.read(run)

    @staticmethod
    def pool_ledgers(connection: Connection, pool_id: int) -> list[PoolLedger]:
        """Every asset's conservation ledger of pool ``pool_id``, from the indexed value flows."""
        totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_LEDGER_KINDS, 0))
        for row in connection.execute(
            select(flow_totals.c.asset, flow_totals.c.kind, flow_totals.c.amount).where(
                flow_totals.c.pool_id == pool_id,
                flow_totals.c.kind.in_(
                    [
                        FlowKind.LOCKED.value,
                        FlowKind.PAID.value,
                        FlowKind.RETURNED.value,
                        FlowKind.TO_GOVERNMENT.value,
                        FlowKind.MOVED_OUT.value,
                        FlowKind.MOVED_IN.value,
                        FlowKind.MOVED_BACK_OUT.value,
                        FlowKind.MOVED_BACK_IN.value,
                    ]
                )
                | (flow_totals.c.ref == POOL_TOTAL),
            )
        ):
            totals[row.asset][row.kind] += int(row.amount)
        ledgers = []
        for asset_text, kinds in sorted(totals.items(), key=lambda item: int(item[0])):
            asset = int(asset_text)
            escrowed = kinds["locked"] - kinds["paid"] - kinds["returned"]
            refunded = kinds["refunded"] + kinds["moved_back_out"]  # donors' refunds and plans paid back
            moved_out = kinds["moved_out"] - kinds["moved_back_in"]  # what came back is not out any more
            balance = (
                kinds["donated"]
                + kinds["moved_in"]
                - escrowed
                - kinds["paid"]
                - refunded
                - kinds["to_government"]
            ) - moved_out

            def amount(value: int, asset: int = asset) -> Amount:
                return asset_amount(asset, value)

            ledgers.append(
                PoolLedger(
                    asset=asset_text,
                    donated=amount(kinds["donated"]),
                    moved_in=amount(kinds["moved_in"]),
                    balance=amount(balance),
                    escrowed=amount(escrowed),
                    paid_out=amount(kinds["paid"]),
                    refunded=amount(refunded),
                    to_government=amount(kinds["to_government"]),
                    moved_out=amount(moved_out),
                )
            )
        return ledgers

    # ------------------------------------------------------------------ donations

    def donations(
        self, *, donor: str | None = None, pool_id: int | None = None, offset: int = 0, limit: int = 100
    ) -> Page[DonationRecord]:
        """Gifts (``DonationReceived``), oldest first, of one donor and/or to one pool."""
        _page_bounds(offset, limit)
        query = select(events).where(events.c.name == "DonationReceived")
        if donor is not None:
            query = query.join(
                event_accounts,
                and_(
                    event_accounts.c.block_number == events.c.block_number,
                    event_accounts.c.log_index == events.c.log_index,
                    event_accounts.c.arg == "donor",
                ),
            ).where(event_accounts.c.account == checksum(donor, "donor"))
        if pool_id is not None:
            query = query.where(events.c.pool_id == pool_id)
        query = _chain_order(query).offset(offset).limit(limit + 1)

        def run(connection: Connection, as_of: int | None) -> Page[DonationRecord]:
            rows = [donation_record(row) for row in connection.execute(query)]
            return Page[DonationRecord](
                items=rows[:limit],
                next_offset=offset + limit if len(rows) > limit else None,
                as_of_block=as_of,
            )

        return self.read(run)

    # ------------------------------------------------------------------ payment orders

    def orders(
        self,
        *,
        party: str | None = None,
        pool_id: int | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> Page[OrderSummary]:
        """Payment orders, oldest first: of one party (its payee, charity or issuing bank), one pool, one status."""
        _page_bounds(offset, limit)
        if status is not None and status.upper() not in OrderStatus.__members__:
            raise InvalidQuery(f"unknown order status {status!r}")
        query = select(events).where(events.c.name == "OrderIssued")
        if party is not None:
            query = _naming(query, checksum(party, "party"))
        if pool_id is not None:
            query = query.where(events.c.pool_id == pool_id)
        query = _chain_order(query)
        if status is None:
            query = query.offset(offset).limit(limit + 1)

        def run(connection: Connection, as_of: int | None) -> Page[OrderSummary]:
            summaries = self.order_summaries(connection, list(connection.execute(query)))
            if status is not None:
                summaries = [order for order in summaries if order.status == status.lower()][
                    offset : offset + limit + 1
                ]
            return Page[OrderSummary](
                items=summaries[:limit],
                next_offset=offset + limit if len(summaries) > limit else None,
                as_of_block=as_of,
            )

        return self.read(run)

    def order_summaries(self, connection: Connection, issued: Sequence[Row[Any]]) -> list[OrderSummary]:
        order_ids = [row.order_id for row in issued]
        later: dict[str, list[Row[Any]]] = defaultdict(list)
        for start in range(0, len(order_ids), 500):
            for row in connection.execute(
                _chain_order(
                    select(events).where(
                        events.c.order_id.in_(order_ids[start : start + 500]),
                        events.c.contract == "PaymentOrderEscrow",
                        events.c.name != "OrderIssued",
                    )
                )
            ):
                later[row.order_id].append(row)
        names = self.names(
            connection,
            (row.args[key] for row in issued for key in ("charity", "payee", "bank")),
        )
        return [self.order_summary(row, later[row.order_id], names) for row in issued]

    def order_summary(
        self, row: Row[Any], later: Sequence[Row[Any]], names: dict[str, tuple[str, str | None]]
    ) -> OrderSummary:
        args = row.args
        status = OrderStatus.ISSUED
        payee_signed = charity_signed = False
        mismatches = 0
        closed: EventProof | None = None
        for event in later:
            if event.name == "OrderFrozen":
                status = OrderStatus.DISPUTED
            elif event.name == "OrderSigned":
                if int(event.args["party"]) == OrderParty.PAYEE:
                    payee_signed = True
                else:
                    charity_signed = True
            elif event.name == "OrderMismatchRecorded":
                mismatches = int(event.args["count"])
            elif event.name in _ORDER_FINAL:
                status = _ORDER_FINAL[event.name]
                closed = proof_of(event)
        if status is OrderStatus.RELEASED:
            payee_signed = charity_signed = True
        return OrderSummary(
            order_id=row.order_id,
            pool_id=row.pool_id,
            charity=self.party(args["charity"], names),
            payee=self.party(args["payee"], names),
            bank=self.party(args["bank"], names),
            amount=asset_amount(int(args["asset"]), int(args["amount"])),
            deadline=int(args["deadline"]),
            status=status.name.lower(),
            payee_signed=payee_signed,
            charity_signed=charity_signed,
            mismatches=mismatches,
            issued=proof_of(row),
            closed=closed,
        )

    def order(self, order_id: str) -> OrderDetail | None:
        """Payment order ``order_id`` with its history (escrow and pools events) and purchase lots."""
        key = hash32(order_id, "order id")

        def run(connection: Connection, as_of: int | None) -> OrderDetail | None:
            rows = list(connection.execute(_chain_order(select(events).where(events.c.order_id == key))))
            issued = next((row for row in rows if row.name == "OrderIssued"), None)
            if issued is None:
                return None
            (summary,) = self.order_summaries(connection, [issued])
            lot_rows = [row for row in rows if row.name == "LotOpened"]
            return OrderDetail(
                **summary.model_dump(),
                purpose_digest=issued.args["purposeDigest"],
                digest=issued.args["digest"],
                history=[event_record(row) for row in rows if row.name != "LotOpened"],
                lots=[lot.model_copy() for lot in self.lot_summaries(connection, lot_rows)],
                as_of_block=as_of,
            )

        return self.read(run)

    # ------------------------------------------------------------------ goods lots

    def lots(
        self, *, pool_id: int | None = None, involving: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[LotSummary]:
        """Goods lots by id: of one pool, and/or that an account held or handled (``involving``)."""
        _page_bounds(offset, limit)
        query = select(events).where(events.c.name == "LotOpened")
        if pool_id is not None:
            query = query.where(events.c.pool_id == pool_id)
        if involving is not None:
            account = checksum(involving, "account")
            handled = (
                select(events.c.lot_id)
                .join(
                    event_accounts,
                    and_(
                        event_accounts.c.block_number == events.c.block_number,
                        event_accounts.c.log_index == events.c.log_index,
                    ),
                )
                .where(event_accounts.c.account == account, events.c.lot_id.is_not(None))
            )
            query = query.where(events.c.lot_id.in_(handled))
        query = query.order_by(events.c.lot_id).offset(offset).limit(limit + 1)

        def run(connection: Connection, as_of: int | None) -> Page[LotSummary]:
            summaries = self.lot_summaries(connection, list(connection.execute(query)))
            return Page[LotSummary](
                items=summaries[:limit],
                next_offset=offset + limit if len(summaries) > limit else None,
                as_of_block=as_of,
            )

        return self.read(run)

    def lot(self, lot_id: int) -> LotDetail | None:
        """Goods lot ``lot_id`` with every custody checkpoint; None if unknown."""

        def run(connection: Connection, as_of: int | None) -> LotDetail | None:
            opened = connection.execute(
                select(events).where(events.c.name == "LotOpened", events.c.lot_id == lot_id)
            ).first()
            if opened is None:
                return None
            (summary,) = self.lot_summaries(connection, [opened])
            return LotDetail(
                **summary.model_dump(),
                checkpoints=self.checkpoints(connection, [lot_id])[lot_id],
                as_of_block=as_of,
            )

        return self.read(run)

    def checkpoints(
        self, connection: Connection, lot_ids: Sequence[int]
    ) -> dict[int, list[CheckpointRecord]]:
        """The custody checkpoints of each lot, in order."""
        rows: list[Row[Any]] = []
        for start in range(0, len(lot_ids), 500):
            rows += connection.execute(
                _chain_order(
                    select(events).where(
                        events.c.lot_id.in_(lot_ids[start : start + 500]),
                        events.c.name == "CheckpointRecorded",
                    )
                )
            )
        names = self.names(connection, (row.args[key] for row in rows for key in ("by", "holder")))
        found: dict[int, list[CheckpointRecord]] = {lot_id: [] for lot_id in lot_ids}
        for row in rows:
            found[row.lot_id].append(
                CheckpointRecord(
                    checkpoint=_name(int(row.args["checkpoint"]), Checkpoint),
                    by=self.party(row.args["by"], names),
                    holder=self.party(row.args["holder"], names),
                    evidence_digest=row.args["evidenceDigest"],
                    proof=proof_of(row),
                )
            )
        return found

    def lot_summaries(self, connection: Connection, opened: Sequence[Row[Any]]) -> list[LotSummary]:
        lot_ids = [row.lot_id for row in opened]
        checkpoints = self.checkpoints(connection, lot_ids)
        holders = {
            row.lot_id: checkpoints[row.lot_id][-1].holder.address
            if checkpoints[row.lot_id]
            else row.args["holder"]
            for row in opened
        }
        names = self.names(connection, [*holders.values(), *(row.args["goodsType"] for row in opened)])
        summaries = []
        for row in opened:
            source = LotSource(int(row.args["source"]))
            status = LotStatus.STORED
            for checkpoint in checkpoints[row.lot_id]:
                status = _CHECKPOINT_STATUS[Checkpoint[checkpoint.checkpoint.upper()]]
            summaries.append(
                LotSummary(
                    lot_id=row.lot_id,
                    pool_id=row.pool_id,
                    source=source.name.lower(),
                    order_id=row.order_id,
                    pledge_id=row.pledge_id,
                    goods=goods_amount(row.args["goodsType"], int(row.args["quantity"])),
                    holder=self.party(holders[row.lot_id], names),
                    status=status.name.lower(),
                    opened=proof_of(row),
                )
            )
        return summaries

    # ------------------------------------------------------------------ institutions

    def institutions(
        self,
        *,
        kind: str | None = None,
        status: str | None = None,
        name_contains: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> Page[InstitutionSummary]:
        """Institutions that applied to the registry, in order of first application, filtered by kind
        (``charity``, ``supplier``...), status (``pending``, ``approved``, ``rejected``, ``suspended``,
        ``flagged``) and a part of the name the platform knows."""
        _page_bounds(offset, limit)
        if kind is not None and kind.upper() not in InstitutionKind.__members__:
            raise InvalidQuery(f"unknown institution kind {kind!r}")

        def run(connection: Connection, as_of: int | None) -> Page[InstitutionSummary]:
            rows = list(
                connection.execute(
                    _chain_order(
                        select(events).where(
                            events.c.contract == "InstitutionRegistry", events.c.name.in_(_INSTITUTION_EVENTS)
                        )
                    )
                )
            )
            by_account: dict[str, list[Row[Any]]] = {}
            for row in rows:
                by_account.setdefault(row.args["account"], []).append(row)
            names = self.names(connection, by_account)
            found = [self._institution(account, history, names) for account, history in by_account.items()]
            found = [
                item
                for item in found
                if (kind is None or item.kind == kind.lower())
                and (status is None or item.status == status.lower())
                and (name_contains is None or (item.name is not None and name_contains in item.name))
            ]
            return Page[InstitutionSummary](
                items=found[offset : offset + limit],
                next_offset=offset + limit if len(found) > offset + limit else None,
                as_of_block=as_of,
            )

        return self.read(run)

    @staticmethod
    def _institution(
        account: str, history: Sequence[Row[Any]], names: dict[str, tuple[str, str | None]]
    ) -> InstitutionSummary:
        applied = history[0]
        audited: Row[Any] | None = None
        status = "pending"
        kind = InstitutionKind.NONE
        for row in history:
            if row.name == "InstitutionApplied":
                applied, audited, status = row, None, "pending"
                kind = InstitutionKind(int(row.args["kind"]))
            elif row.name == "InstitutionAudited":
                audited = row
                status = "approved" if row.args["passed"] else "rejected"
            elif row.name == "InstitutionSuspended":
                status = "suspended"
            elif row.name == "InstitutionReinstated":
                status = "approved"
            elif row.name == "InstitutionFlagged":
                status = "flagged"
        named = names.get(account)
        return InstitutionSummary(
            address=account,
            name=named[0] if named else None,
            kind=kind.name.lower(),
            status=status,
            applied=proof_of(applied),
            audited=proof_of(audited) if audited is not None else None,
        )


def donation_record(row: Row[Any]) -> DonationRecord:
    """A ``DonationReceived`` event row as a donation."""
    form = DonationForm(int(row.args["form"]))
    amount = (
        goods_amount("0x" + int(row.args["asset"]).to_bytes(32, "big").hex(), int(row.args["amount"]))
        if form is DonationForm.GOODS
        else asset_amount(int(row.args["asset"]), int(row.args["amount"]))
    )
    return DonationRecord(
        pool_id=row.pool_id,
        donor=row.args["donor"],
        form=form.name.lower(),
        amount=amount,
        pledge_id=row.pledge_id,
        proof=proof_of(row),
    )


def _plan_status_after(row: Row[Any]) -> PlanStatus:
    if row.name in ("PlanAudited", "PlanDecided"):
        return PlanStatus(int(row.args["status"]))
    return PlanStatus.CLOSED if row.name == "PlanClosed" else PlanStatus.WOUND_UP
