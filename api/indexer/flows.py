"""Which events move value of a welfare pool, and how they add up: the typed tables verify reads.

For every pool and asset the pools contract keeps ``donated + movedIn == balance + escrowed + paidOut +
refunded + toGovernment + movedOut`` (``IWelfarePools.Ledger``). The same ledger is rebuilt here from the
events alone, one :class:`FlowRow` per movement:

============================  =====================  ==========================================
event (``WelfarePools``)      kind                   ref
============================  =====================  ==========================================
``DonationReceived`` (money,  ``donated``            the donor
points, rights, virtual)
``RefundPaid``                ``refunded``           the donor
``OrderFundsLocked``          ``locked``             the payment order id
``OrderFundsPaid``            ``paid``               the payment order id
``OrderFundsReturned``        ``returned``           the payment order id
``GovernmentTransferConfirmed``  ``to_government``   the transfer id
``UnspentMoved``              ``moved_out`` (from),  the other pool's id
                              ``moved_in`` (to)
``MovedValueReturned``        ``moved_back_out``     the other pool's id
                              (the refunding pool),
                              ``moved_back_in`` (the
                              pool that had moved it)
============================  =====================  ==========================================

A wound-up pool's refund pays a pool that moved value into it back its share (``returnMovedValue``): the
contract counts that as the refunding pool's ``refunded`` and takes it off the other pool's ``movedOut``, so
``refunded = refunded(donors) + moved_back_out`` and ``movedOut = moved_out - moved_back_in``.

Goods are not fungible and are followed lot by lot (``LotOpened``, ``CheckpointRecorded``), not here.
:func:`total_keys` says which running totals a row adds to: per pool, asset, kind and reference, and for
donations and refunds also the pool's total (reference ``""``), so a donor's share is read in O(1) rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from api.indexer.catalog import IndexedEvent, hex32

__all__ = ["POOL_TOTAL", "FlowKind", "FlowRow", "flow_rows", "total_keys"]

_POOLS: Final = "WelfarePools"
_GOODS_FORM: Final = 4
POOL_TOTAL: Final = ""
"""The reference of a pool-wide total (all donors' donations, all refunds)."""


class FlowKind(StrEnum):
    DONATED = "donated"
    REFUNDED = "refunded"
    LOCKED = "locked"
    PAID = "paid"
    RETURNED = "returned"
    TO_GOVERNMENT = "to_government"
    MOVED_OUT = "moved_out"
    MOVED_IN = "moved_in"
    MOVED_BACK_OUT = "moved_back_out"
    MOVED_BACK_IN = "moved_back_in"


@dataclass(frozen=True)
class FlowRow:
    """``amount`` of ``asset`` moved in or out of pool ``pool_id`` as ``kind``, by the event at
    (``block_number``, ``log_index``)."""

    block_number: int
    log_index: int
    pool_id: int
    kind: FlowKind
    asset: int
    ref: str
    amount: int


TotalKey = tuple[int, str, str, str]
"""(pool id, asset as decimal text, kind, reference)."""


def flow_rows(event: IndexedEvent) -> list[FlowRow]:
    """The value movements ``event`` records (none for most events)."""
    if event.contract != _POOLS:
        return []
    values = event.values

    def row(pool_id: int, kind: FlowKind, ref: str) -> FlowRow:
        return FlowRow(
            event.block_number,
            event.log_index,
            pool_id,
            kind,
            int(values["asset"]),
            ref,
            int(values["amount"]),
        )

    match event.name:
        case "DonationReceived" if values["form"] != _GOODS_FORM:
            return [row(values["poolId"], FlowKind.DONATED, values["donor"])]
        case "RefundPaid":
            return [row(values["poolId"], FlowKind.REFUNDED, values["donor"])]
        case "OrderFundsLocked":
            return [row(values["poolId"], FlowKind.LOCKED, hex32(values["orderId"]))]
        case "OrderFundsPaid":
            return [row(values["poolId"], FlowKind.PAID, hex32(values["orderId"]))]
        case "OrderFundsReturned":
            return [row(values["poolId"], FlowKind.RETURNED, hex32(values["orderId"]))]
        case "GovernmentTransferConfirmed":
            return [row(values["poolId"], FlowKind.TO_GOVERNMENT, str(values["transferId"]))]
        case "UnspentMoved":
            return [
                row(values["fromPoolId"], FlowKind.MOVED_OUT, str(values["toPoolId"])),
                row(values["toPoolId"], FlowKind.MOVED_IN, str(values["fromPoolId"])),
            ]
        case "MovedValueReturned":
            return [
                row(values["fromPoolId"], FlowKind.MOVED_BACK_OUT, str(values["toPoolId"])),
                row(values["toPoolId"], FlowKind.MOVED_BACK_IN, str(values["fromPoolId"])),
            ]
    return []


def total_keys(row: FlowRow) -> list[TotalKey]:
    """The running totals ``row`` adds to."""
    asset = str(row.asset)
    keys = [(row.pool_id, asset, row.kind.value, row.ref)]
    if row.kind in (FlowKind.DONATED, FlowKind.REFUNDED):
        keys.append((row.pool_id, asset, row.kind.value, POOL_TOTAL))
    return keys
