"""Building the flow graph of a value from the read model (see :mod:`api.verify.models` for the rules).

One :class:`FlowBuilder` works inside one read-model snapshot. Its entry points follow a value from where the
verified transaction put it: a gift (:meth:`FlowBuilder.gift`), a goods pledge (:meth:`FlowBuilder.pledge`), a
payment order (:meth:`FlowBuilder.order`), a goods lot (:meth:`FlowBuilder.lot_origin`), a plan's outflows
(:meth:`FlowBuilder.pool`). Every read is by an indexed key (transaction hash, pool, order, lot, pledge,
transfer, donor), so the cost depends on the size of the value's own flow, not on the length of the history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Connection, Row, and_, bindparam, select

from api.indexer.amounts import Amount, asset_amount, goods_amount
from api.indexer.flows import POOL_TOTAL, FlowKind
from api.indexer.models import EventProof, OrderSummary
from api.indexer.read_model import ReadModel, proof_of
from api.indexer.schema import blocks, events, flow_totals, value_flows
from api.verify.models import EdgeKind, FlowEdge, FlowGraph, FlowNode, NodeKind
from chain_client.contracts.resource_tracker import Checkpoint, LotSource, LotStatus

__all__ = ["MAX_MOVE_DEPTH", "FlowBuilder", "split_pro_rata"]

MAX_MOVE_DEPTH: Final = 8
"""How many moves between plans a value is followed through."""

_CHECKPOINT_STATUS: Final = {
    Checkpoint.SHIPPED: LotStatus.SHIPPED,
    Checkpoint.IN_TRANSIT: LotStatus.IN_TRANSIT,
    Checkpoint.RECEIVED: LotStatus.RECEIVED,
    Checkpoint.HANDED_TO_BENEFICIARY: LotStatus.HANDED_OVER,
    Checkpoint.SIGNED_OFF: LotStatus.DELIVERED,
}
_CHECKPOINT_EDGES: Final = {
    "shipped": EdgeKind.SHIPPED,
    "in_transit": EdgeKind.IN_TRANSIT,
    "received": EdgeKind.RECEIVED_BY_HOLDER,
    "handed_to_beneficiary": EdgeKind.HANDED_TO_BENEFICIARY,
    "signed_off": EdgeKind.SIGNED_OFF,
}


_FLOWS: Final = (
    select(value_flows, events.c.tx_hash, events.c.contract, events.c.name, events.c.args)
    .join(
        events,
        and_(
            events.c.block_number == value_flows.c.block_number, events.c.log_index == value_flows.c.log_index
        ),
    )
    .order_by(value_flows.c.block_number, value_flows.c.log_index)
)
"""Value flows with the events that record them (the proofs)."""
_POOL_OUT: Final = _FLOWS.where(
    value_flows.c.pool_id == bindparam("pool"),
    value_flows.c.asset == bindparam("asset"),
    # Listed, not "not donated": the index then seeks each kind instead of scanning every gift to the pool.
    value_flows.c.kind.in_(
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
    ),
)
_DONOR_REFUNDS: Final = _FLOWS.where(
    value_flows.c.pool_id == bindparam("pool"),
    value_flows.c.asset == bindparam("asset"),
    value_flows.c.kind == FlowKind.REFUNDED.value,
    value_flows.c.ref == bindparam("donor"),
)
_TOTALS: Final = select(flow_totals.c.kind, flow_totals.c.amount).where(
    flow_totals.c.pool_id == bindparam("pool"),
    flow_totals.c.asset == bindparam("asset"),
    flow_totals.c.ref == bindparam("ref"),
)


def split_pro_rata(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole units, by largest remainder (sums to ``total``
    when any weight is positive; all zeros otherwise). Ties go to the earlier weight."""
    weight = sum(weights)
    if total <= 0 or weight <= 0:
        return [0] * len(weights)
    shares = [total * size // weight for size in weights]
    remainders = [total * size % weight for size in weights]
    missing = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:missing]:
        shares[index] += 1
    return shares


@dataclass
class _PendingEdge:
    source: str
    target: str
    kind: EdgeKind
    amount: Amount | None
    share: Amount | None
    proof: EventProof


@dataclass
class _Bucket:
    kind: str
    ref: str
    size: int
    rows: list[Row[Any]] = field(default_factory=list)


class FlowBuilder:
    """Accumulates the nodes and edges of one value's flow, read in one snapshot."""

    def __init__(self, read_model: ReadModel, connection: Connection) -> None:
        self.read_model = read_model
        self.connection = connection
        self._nodes: dict[str, dict[str, Any]] = {}
        self._edges: list[_PendingEdge] = []
        self._orders_done: set[str] = set()
        self._lots_done: set[int] = set()
        self._orders: dict[str, list[Row[Any]]] = {}
        self._checkpoints: dict[int, list[Row[Any]]] = {}

    # ------------------------------------------------------------------ graph primitives

    def _node(
        self, node_id: str, kind: NodeKind, label: str, address: str | None = None, **details: Any
    ) -> str:
        node = self._nodes.setdefault(
            node_id, {"id": node_id, "kind": kind, "label": label, "address": address, "details": {}}
        )
        node["details"].update(details)
        return node_id

    def account(self, address: str, kind: NodeKind = NodeKind.ACCOUNT) -> str:
        return self._node(f"account:{address}", kind, address, address)

    def plan_node(self, pool_id: int) -> str:
        node_id = f"plan:{pool_id}"
        if node_id not in self._nodes:
            self._node(node_id, NodeKind.PLAN, f"plan #{pool_id}", None, pool_id=pool_id)
        return node_id

    def _edge(
        self,
        source: str,
        target: str,
        kind: EdgeKind,
        proof: EventProof,
        amount: Amount | None = None,
        share: Amount | None = None,
    ) -> None:
        self._edges.append(_PendingEdge(source, target, kind, amount, share, proof))

    # ------------------------------------------------------------------ gifts

    def gift(self, donation: Row[Any]) -> None:
        """A gift of money, points, rights or a virtual resource (a ``DonationReceived`` row), followed pro rata."""
        pool_id, asset, amount = donation.pool_id, int(donation.args["asset"]), int(donation.args["amount"])
        donor = self.account(donation.args["donor"], NodeKind.DONOR)
        plan = self.plan_node(pool_id)
        value = asset_amount(asset, amount)
        self._edge(donor, plan, EdgeKind.DONATED, proof_of(donation), value, value)
        contributed, refunds = self._donor_refunds(pool_id, asset, donation.args["donor"])
        refunded = sum(int(row.amount) for row in refunds) * amount // contributed if contributed else 0
        for row, share in zip(
            refunds, split_pro_rata(refunded, [int(row.amount) for row in refunds]), strict=True
        ):
            self._edge(
                plan,
                donor,
                EdgeKind.REFUNDED,
                self._flow_proof(row),
                asset_amount(asset, int(row.amount)),
                asset_amount(asset, share),
            )
        self.pool(pool_id, asset, amount - refunded, include_refunds=False)

    def _donor_refunds(self, pool_id: int, asset: int, donor: str) -> tuple[int, list[Row[Any]]]:
        key = {"pool": pool_id, "asset": str(asset)}
        totals = {
            row.kind: int(row.amount) for row in self.connection.execute(_TOTALS, {**key, "ref": donor})
        }
        refunds = (
            list(self.connection.execute(_DONOR_REFUNDS, {**key, "donor": donor}))
            if totals.get(FlowKind.REFUNDED.value)
            else []
        )
        return totals.get(FlowKind.DONATED.value, 0), refunds

    @staticmethod
    def _flow_proof(row: Row[Any]) -> EventProof:
        return EventProof(
            block_number=row.block_number,
            tx_hash=row.tx_hash,
            log_index=row.log_index,
            contract=row.contract,
            event=row.name,
        )

    # ------------------------------------------------------------------ a pool's outflows

    def pool(
        self, pool_id: int, asset: int, value: int | None, *, include_refunds: bool = True, depth: int = 0
    ) -> None:
        """Where pool ``pool_id``'s ``asset`` went; ``value`` (base units) of it is the verified value, split pro
        rata (None: the plan's own overview, amounts only). ``include_refunds``: whether the pool's refunds to
        its donors take a share (true for value moved in from another plan, which its donors may be refunded)."""
        plan = self.plan_node(pool_id)
        key = {"pool": pool_id, "asset": str(asset)}
        rows = list(self.connection.execute(_POOL_OUT, key))
        totals = {
            row.kind: int(row.amount) for row in self.connection.execute(_TOTALS, {**key, "ref": POOL_TOTAL})
        }
        donated, refunded = totals.get(FlowKind.DONATED.value, 0), totals.get(FlowKind.REFUNDED.value, 0)
        by_kind: dict[str, dict[str, _Bucket]] = defaultdict(dict)
        for row in rows:
            bucket = by_kind[row.kind].setdefault(row.ref, _Bucket(row.kind, row.ref, 0))
            bucket.size += int(row.amount)
            bucket.rows.append(row)
        locked, paid, returned = (
            by_kind[kind.value] for kind in (FlowKind.LOCKED, FlowKind.PAID, FlowKind.RETURNED)
        )
        moved_in = sum(bucket.size for bucket in by_kind[FlowKind.MOVED_IN.value].values())
        buckets: list[tuple[str, str, int]] = []
        for order_id, bucket in locked.items():
            paid_size = paid[order_id].size if order_id in paid else 0
            returned_size = returned[order_id].size if order_id in returned else 0
            buckets.append(("paid", order_id, paid_size))
            buckets.append(("escrowed", order_id, bucket.size - paid_size - returned_size))
        # Value a plan moved out and was paid back (returnMovedValue) is no longer out: the move counts net.
        for ref, bucket in by_kind[FlowKind.MOVED_BACK_IN.value].items():
            if ref in by_kind[FlowKind.MOVED_OUT.value]:
                by_kind[FlowKind.MOVED_OUT.value][ref].size -= bucket.size
        for kind in (FlowKind.TO_GOVERNMENT.value, FlowKind.MOVED_OUT.value, FlowKind.MOVED_BACK_OUT.value):
            buckets += [(kind, ref, bucket.size) for ref, bucket in by_kind[kind].items()]
        held = donated + moved_in - refunded - sum(size for _, _, size in buckets)
        if include_refunds:
            buckets.append(("refunds", "", refunded))
        buckets.append(("held", "", held))
        shares = dict(
            zip(
                ((kind, ref) for kind, ref, _ in buckets),
                split_pro_rata(value, [size for _, _, size in buckets])
                if value is not None
                else [0] * len(buckets),
                strict=True,
            )
        )

        def share(*keys: tuple[str, str]) -> Amount | None:
            return None if value is None else asset_amount(asset, sum(shares[key] for key in keys))

        self._nodes[plan]["details"].setdefault("held", []).append(
            {
                "amount": asset_amount(asset, held).model_dump(),
                "share": None if value is None else asset_amount(asset, shares[("held", "")]).model_dump(),
            }
        )
        self._order_rows(list(locked))
        for order_id, bucket in locked.items():
            order_node = self.order(order_id, with_plan=False)
            self._edge(
                plan,
                order_node,
                EdgeKind.LOCKED,
                self._flow_proof(bucket.rows[0]),
                asset_amount(asset, bucket.size),
                share(("paid", order_id), ("escrowed", order_id)),
            )
            if order_id in paid:
                for row in paid[order_id].rows:
                    self._edge(
                        order_node,
                        self.account(row.args["payee"], NodeKind.PAYEE),
                        EdgeKind.PAID,
                        self._flow_proof(row),
                        asset_amount(asset, int(row.amount)),
                        share(("paid", order_id)),
                    )
            if order_id in returned:
                for row in returned[order_id].rows:
                    self._edge(
                        order_node,
                        plan,
                        EdgeKind.RETURNED,
                        self._flow_proof(row),
                        asset_amount(asset, int(row.amount)),
                    )
        for ref, bucket in by_kind[FlowKind.TO_GOVERNMENT.value].items():
            recipient = self._government_of(int(ref))
            for row in bucket.rows:
                self._edge(
                    plan,
                    self.account(recipient, NodeKind.LOCAL_GOVERNMENT),
                    EdgeKind.TO_GOVERNMENT,
                    self._flow_proof(row),
                    asset_amount(asset, int(row.amount)),
                    share((FlowKind.TO_GOVERNMENT.value, ref)),
                )
        if include_refunds and refunded:
            latest = self.connection.execute(
                _FLOWS.where(
                    value_flows.c.pool_id == pool_id,
                    value_flows.c.asset == str(asset),
                    value_flows.c.kind == FlowKind.REFUNDED.value,
                )
                .order_by(None)
                .order_by(value_flows.c.block_number.desc(), value_flows.c.log_index.desc())
                .limit(1)
            ).first()
            if latest is not None:
                refunds = self._node(
                    f"refunds:{pool_id}",
                    NodeKind.REFUNDED_DONORS,
                    f"refunded to the donors of plan #{pool_id}",
                    count=int(self._count(pool_id, asset, FlowKind.REFUNDED.value)),
                )
                self._edge(
                    plan,
                    refunds,
                    EdgeKind.REFUNDED,
                    self._flow_proof(latest),
                    asset_amount(asset, refunded),
                    share(("refunds", "")),
                )
        for ref, bucket in by_kind[FlowKind.MOVED_OUT.value].items():
            target = self.plan_node(int(ref))
            moved_share = shares[(FlowKind.MOVED_OUT.value, ref)] if value is not None else None
            for row in bucket.rows:
                self._edge(
                    plan,
                    target,
                    EdgeKind.MOVED,
                    self._flow_proof(row),
                    asset_amount(asset, int(row.amount)),
                    share((FlowKind.MOVED_OUT.value, ref)),
                )
            if moved_share and depth < MAX_MOVE_DEPTH:
                self.pool(int(ref), asset, moved_share, include_refunds=True, depth=depth + 1)

    def _count(self, pool_id: int, asset: int, kind: str) -> int:
        value = self.connection.execute(
            select(flow_totals.c.event_count).where(
                flow_totals.c.pool_id == pool_id,
                flow_totals.c.asset == str(asset),
                flow_totals.c.kind == kind,
                flow_totals.c.ref == POOL_TOTAL,
            )
        ).scalar()
        return int(value or 0)

    def _government_of(self, transfer_id: int) -> str:
        proposed = self.connection.execute(
            select(events).where(
                events.c.transfer_id == transfer_id, events.c.name == "GovernmentTransferProposed"
            )
        ).first()
        return str(proposed.args["localGovernment"]) if proposed is not None else "0x" + "00" * 20

    # ------------------------------------------------------------------ payment orders and lots

    def _order_rows(self, order_ids: Sequence[str]) -> dict[str, list[Row[Any]]]:
        """The events of each order (escrow, pools and purchase lots), read in one query for all not yet read."""
        missing = [order_id for order_id in order_ids if order_id not in self._orders]
        if missing:
            for order_id in missing:
                self._orders[order_id] = []
            for start in range(0, len(missing), 500):
                for row in self.connection.execute(
                    select(events)
                    .where(events.c.order_id.in_(missing[start : start + 500]))
                    .order_by(events.c.block_number, events.c.log_index)
                ):
                    self._orders[row.order_id].append(row)
        return {order_id: self._orders[order_id] for order_id in order_ids}

    def _checkpoint_rows(self, lot_ids: Sequence[int]) -> dict[int, list[Row[Any]]]:
        missing = [lot_id for lot_id in lot_ids if lot_id not in self._checkpoints]
        if missing:
            for lot_id in missing:
                self._checkpoints[lot_id] = []
            for start in range(0, len(missing), 500):
                for row in self.connection.execute(
                    select(events)
                    .where(
                        events.c.lot_id.in_(missing[start : start + 500]),
                        events.c.name == "CheckpointRecorded",
                    )
                    .order_by(events.c.block_number, events.c.log_index)
                ):
                    self._checkpoints[row.lot_id].append(row)
        return {lot_id: self._checkpoints[lot_id] for lot_id in lot_ids}

    def order(self, order_id: str, *, with_plan: bool = True) -> str:
        """Payment order ``order_id``: its node, and (once) its payment, return and purchase lots."""
        node_id = f"order:{order_id}"
        if order_id in self._orders_done:
            return node_id
        self._orders_done.add(order_id)
        rows = self._order_rows([order_id])[order_id]
        issued = next((row for row in rows if row.name == "OrderIssued"), None)
        summary: OrderSummary | None = None
        if issued is not None:
            later = [
                row for row in rows if row.contract == "PaymentOrderEscrow" and row.name != "OrderIssued"
            ]
            summary = self.read_model.order_summary(issued, later, {})
        self._node(
            node_id,
            NodeKind.ORDER,
            f"payment order {order_id[:10]}…",
            None,
            **(
                {
                    "status": summary.status,
                    "amount": summary.amount.model_dump(),
                    "deadline": summary.deadline,
                    "payee": summary.payee.address,
                    "bank": summary.bank.address,
                    "issued": summary.issued.model_dump(),
                }
                if summary is not None
                else {}
            ),
        )
        if with_plan and summary is not None:
            plan = self.plan_node(summary.pool_id)
            for row in rows:
                amount = asset_amount(int(row.args.get("asset", "0")), int(row.args.get("amount", "0")))
                if row.name == "OrderFundsLocked":
                    self._edge(plan, node_id, EdgeKind.LOCKED, proof_of(row), amount)
                elif row.name == "OrderFundsPaid":
                    payee = self.account(row.args["payee"], NodeKind.PAYEE)
                    self._edge(node_id, payee, EdgeKind.PAID, proof_of(row), amount)
                elif row.name == "OrderFundsReturned":
                    self._edge(node_id, plan, EdgeKind.RETURNED, proof_of(row), amount)
        if summary is not None:
            payee = self.account(summary.payee.address, NodeKind.PAYEE)
            self._lots([row for row in rows if row.name == "LotOpened"], payee)
        return node_id

    def _lots(self, opened: Sequence[Row[Any]], origin: str) -> None:
        checkpoints = self._checkpoint_rows([row.lot_id for row in opened])
        for row in opened:
            self.lot(row, checkpoints[row.lot_id], origin)

    def lot(self, opened: Row[Any], checkpoints: Sequence[Row[Any]], origin: str) -> None:
        """Lot ``opened`` (its ``LotOpened`` row) from ``origin`` (the payee's or the plan's node), and its
        custody checkpoints to the end."""
        if opened.lot_id in self._lots_done:
            return
        self._lots_done.add(opened.lot_id)
        goods = goods_amount(opened.args["goodsType"], int(opened.args["quantity"]))
        status = LotStatus.STORED
        for checkpoint in checkpoints:
            status = _CHECKPOINT_STATUS[Checkpoint(int(checkpoint.args["checkpoint"]))]
        node_id = self._node(
            f"lot:{opened.lot_id}",
            NodeKind.LOT,
            f"goods lot #{opened.lot_id}",
            None,
            status=status.name.lower(),
            goods=goods.model_dump(),
            source=LotSource(int(opened.args["source"])).name.lower(),
        )
        self._edge(origin, node_id, EdgeKind.LOT_OPENED, proof_of(opened), goods)
        previous = node_id
        for step, checkpoint in enumerate(checkpoints, 1):
            name = Checkpoint(int(checkpoint.args["checkpoint"])).name.lower()
            holder = checkpoint.args["holder"]
            current = self._node(
                f"lot:{opened.lot_id}:step:{step}",
                NodeKind.HOLDER,
                f"{name.replace('_', ' ')}: {holder}",
                holder,
                checkpoint=name,
                by=checkpoint.args["by"],
                evidence_digest=checkpoint.args["evidenceDigest"],
            )
            self._edge(previous, current, _CHECKPOINT_EDGES[name], proof_of(checkpoint), goods)
            previous = current

    def lot_origin(self, lot_id: int) -> None:
        """Lot ``lot_id`` from where it came: the payment order it was bought under, or the pledge it was given as."""
        opened = self.connection.execute(
            select(events).where(events.c.name == "LotOpened", events.c.lot_id == lot_id)
        ).first()
        if opened is None:
            return
        if opened.order_id is not None:
            self.order(opened.order_id)
        elif opened.pledge_id is not None:
            self.pledge(opened.pledge_id)
        else:
            self._lots([opened], self.plan_node(opened.pool_id))

    def pledge(self, pledge_id: int) -> None:
        """A goods pledge: pledged, received by the warehouse (the gift counts), its lot's custody to the end."""
        rows = list(
            self.connection.execute(
                select(events)
                .where(
                    events.c.pledge_id == pledge_id,
                    events.c.contract.in_(("WelfarePools", "ResourceTracker")),
                )
                .order_by(events.c.block_number, events.c.log_index)
            )
        )
        pledged = next((row for row in rows if row.name == "GoodsPledged"), None)
        if pledged is None:
            return
        donor = self.account(pledged.args["donor"], NodeKind.DONOR)
        plan = self.plan_node(pledged.pool_id)
        goods_type = pledged.args["goodsType"]
        self._edge(
            donor,
            plan,
            EdgeKind.PLEDGED,
            proof_of(pledged),
            goods_amount(goods_type, int(pledged.args["quantity"])),
        )
        for row in rows:
            if row.name == "DonationReceived":
                self._edge(
                    donor,
                    plan,
                    EdgeKind.RECEIVED,
                    proof_of(row),
                    goods_amount(goods_type, int(row.args["amount"])),
                )
        self._lots([row for row in rows if row.name == "LotOpened"], plan)

    # ------------------------------------------------------------------ refunds, moves, transfers

    def transfer_from_plan(
        self, pool_id: int, to: str, kind: EdgeKind, row: Row[Any], amount: Amount
    ) -> None:
        """Value of plan ``pool_id`` that ``row`` sent to ``to`` (a refund to its donor)."""
        self._edge(
            self.plan_node(pool_id), self.account(to, NodeKind.DONOR), kind, proof_of(row), amount, amount
        )

    def move(self, row: Row[Any], asset: int, amount: int) -> None:
        """An ``UnspentMoved`` of ``amount``: from plan to plan, and on through the receiving plan's outflows."""
        source, target = row.args["fromPoolId"], row.args["toPoolId"]
        value = asset_amount(asset, amount)
        self._edge(
            self.plan_node(int(source)),
            self.plan_node(int(target)),
            EdgeKind.MOVED,
            proof_of(row),
            value,
            value,
        )
        self.pool(int(target), asset, amount, include_refunds=True, depth=1)

    def government_transfer(self, transfer_id: int) -> None:
        """Transfer ``transfer_id`` to a local government: proposed, confirmed (the value moves), acknowledged."""
        rows = list(
            self.connection.execute(
                select(events)
                .where(events.c.transfer_id == transfer_id, events.c.contract == "WelfarePools")
                .order_by(events.c.block_number, events.c.log_index)
            )
        )
        proposed = next((row for row in rows if row.name == "GovernmentTransferProposed"), None)
        if proposed is None:
            return
        plan = self.plan_node(proposed.pool_id)
        amount = asset_amount(int(proposed.args["asset"]), int(proposed.args["amount"]))
        recipient = self.account(proposed.args["localGovernment"], NodeKind.LOCAL_GOVERNMENT)
        steps = {
            row.name.removeprefix("GovernmentTransfer").lower(): proof_of(row).model_dump() for row in rows
        }
        self._node(recipient, NodeKind.LOCAL_GOVERNMENT, proposed.args["localGovernment"], transfer=steps)
        for row in rows:
            if row.name == "GovernmentTransferConfirmed":
                self._edge(plan, recipient, EdgeKind.TO_GOVERNMENT, proof_of(row), amount, amount)

    # ------------------------------------------------------------------ plain transfers

    def transfer(self, source: str, target: str, kind: EdgeKind, row: Row[Any], amount: Amount) -> None:
        self._edge(self.account(source), self.account(target), kind, proof_of(row), amount)

    # ------------------------------------------------------------------ the result

    def graph(self) -> FlowGraph:
        """The nodes (named from the directory) and the edges (with their blocks' times)."""
        plan_ids = [
            node["details"]["pool_id"] for node in self._nodes.values() if node["kind"] is NodeKind.PLAN
        ]
        if plan_ids:
            for row in self.connection.execute(
                select(events.c.pool_id, events.c.args).where(
                    events.c.name == "PlanLaunched", events.c.pool_id.in_(plan_ids)
                )
            ):
                self._nodes[f"plan:{row.pool_id}"]["details"]["charity"] = row.args["charity"]
        addresses = {node["address"] for node in self._nodes.values() if node["address"]}
        charities = {node["details"].get("charity") for node in self._nodes.values()} - {None}
        names = self.read_model.names(self.connection, [*addresses, *charities])
        numbers = sorted({edge.proof.block_number for edge in self._edges})
        times: dict[int, int] = {}
        for start in range(0, len(numbers), 500):
            for row in self.connection.execute(
                select(blocks.c.number, blocks.c.timestamp).where(
                    blocks.c.number.in_(numbers[start : start + 500])
                )
            ):
                times[row.number] = row.timestamp
        nodes = []
        for node in self._nodes.values():
            named = names.get(node["address"]) if node["address"] else None
            label = node["label"]
            details = dict(node["details"])
            if node["kind"] is NodeKind.PLAN and details.get("charity") in names:
                details["charity_name"] = names[details["charity"]][0]
                label = f"{label} of {names[details['charity']][0]}"
            elif named is not None:
                label = named[0]
            nodes.append(
                FlowNode(
                    id=node["id"],
                    kind=node["kind"],
                    label=label,
                    address=node["address"],
                    name=named[0] if named else None,
                    details=details,
                )
            )
        edges = [
            FlowEdge(
                source=edge.source,
                target=edge.target,
                kind=edge.kind,
                amount=edge.amount,
                share=edge.share,
                proof=edge.proof,
                timestamp=times.get(edge.proof.block_number, 0),
            )
            for edge in sorted(self._edges, key=lambda edge: (edge.proof.block_number, edge.proof.log_index))
        ]
        return FlowGraph(nodes=nodes, edges=edges)
