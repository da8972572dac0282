"""contracts/ResourceTracker.sol: goods lots and the custody checkpoints each holder signs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_utils import keccak

from chain_client import ContractReverted
from chain_client.contracts import Checkpoint, LotSource, LotStatus, ResourceTracker
from tests.conftest import Accounts
from tests.pools_support import CAST, RICE, World, open_plan, terms

pytestmark = pytest.mark.contract

WAYBILL = keccak(text="waybill 0001")
ORDER = keccak(text="order-7")


def _reverts(call: Callable[[], Any], name: str, *args: object) -> None:
    with pytest.raises(ContractReverted) as raised:
        call()
    assert raised.value.error_name == name
    assert raised.value.args == args


def _pledged_lot(world: World, accounts: Accounts) -> int:
    pools = world.welfare.pools
    pool_id = open_plan(world, terms(world.client))
    pledge_id = pools.pledge_goods(accounts.bob, pool_id, RICE, 20, keccak(text="rice"))
    return pools.pledge_of(pools.receive_pledge(CAST.warehouse, pledge_id.id, 20).pledge_id).lot_id


def _tracker(world: World) -> ResourceTracker:
    return world.welfare.tracker


def test_a_lot_goes_from_warehouse_to_beneficiary_and_each_holder_signs(
    world: World, accounts: Accounts
) -> None:
    tracker = _tracker(world)
    lot_id = _pledged_lot(world, accounts)
    steps = [
        (CAST.warehouse, Checkpoint.SHIPPED, CAST.carrier.address, CAST.carrier.address, LotStatus.SHIPPED),
        (CAST.carrier, Checkpoint.IN_TRANSIT, None, CAST.carrier.address, LotStatus.IN_TRANSIT),
        (
            CAST.carrier,
            Checkpoint.IN_TRANSIT,
            accounts.charity.address,
            accounts.charity.address,
            LotStatus.IN_TRANSIT,
        ),
        (accounts.charity, Checkpoint.RECEIVED, None, accounts.charity.address, LotStatus.RECEIVED),
        (
            accounts.charity,
            Checkpoint.HANDED_TO_BENEFICIARY,
            CAST.beneficiary.address,
            CAST.beneficiary.address,
            LotStatus.HANDED_OVER,
        ),
        (CAST.beneficiary, Checkpoint.SIGNED_OFF, None, CAST.beneficiary.address, LotStatus.DELIVERED),
    ]
    for signer, checkpoint, next_holder, holder, status in steps:
        result = tracker.record_checkpoint(signer, lot_id, checkpoint, next_holder, WAYBILL)
        event = result.event("CheckpointRecorded")
        assert (
            event["lotId"],
            event["by"],
            event["checkpoint"],
            event["holder"],
            event["evidenceDigest"],
        ) == (
            lot_id,
            signer.address,
            checkpoint,
            holder,
            WAYBILL,
        )
        lot = tracker.lot_of(lot_id)
        assert (lot.holder, lot.status) == (holder, status)
        assert result.receipt.gas_used <= 50_000


def test_a_third_party_cannot_sign_for_a_lot_it_does_not_hold(world: World, accounts: Accounts) -> None:
    tracker = _tracker(world)
    lot_id = _pledged_lot(world, accounts)
    _reverts(
        lambda: tracker.record_checkpoint(CAST.carrier, lot_id, Checkpoint.SHIPPED, CAST.carrier.address),
        "LotNotHeld",
        lot_id,
        CAST.carrier.address,
        CAST.warehouse.address,
    )
    tracker.record_checkpoint(CAST.warehouse, lot_id, Checkpoint.SHIPPED, CAST.carrier.address)
    _reverts(
        lambda: tracker.record_checkpoint(CAST.warehouse, lot_id, Checkpoint.IN_TRANSIT),
        "LotNotHeld",
        lot_id,
        CAST.warehouse.address,
        CAST.carrier.address,
    )
    lot = tracker.lot_of(lot_id)
    assert (lot.holder, lot.status) == (CAST.carrier.address, LotStatus.SHIPPED)


def test_checkpoints_follow_their_order(world: World, accounts: Accounts) -> None:
    tracker = _tracker(world)
    lot_id = _pledged_lot(world, accounts)
    w = CAST.warehouse
    _reverts(
        lambda: tracker.record_checkpoint(w, lot_id, Checkpoint.RECEIVED),
        "LotCheckpointOutOfOrder",
        lot_id,
        LotStatus.STORED,
        Checkpoint.RECEIVED,
    )
    _reverts(
        lambda: tracker.record_checkpoint(w, lot_id, Checkpoint.IN_TRANSIT),
        "LotCheckpointOutOfOrder",
        lot_id,
        LotStatus.STORED,
        Checkpoint.IN_TRANSIT,
    )
    _reverts(
        lambda: tracker.record_checkpoint(w, lot_id, Checkpoint.SIGNED_OFF),
        "LotCheckpointOutOfOrder",
        lot_id,
        LotStatus.STORED,
        Checkpoint.SIGNED_OFF,
    )
    _reverts(
        lambda: tracker.record_checkpoint(w, lot_id, Checkpoint.SHIPPED),
        "LotNextHolderMissing",
        lot_id,
        Checkpoint.SHIPPED,
    )
    _reverts(
        lambda: tracker.record_checkpoint(w, lot_id, Checkpoint.HANDED_TO_BENEFICIARY),
        "LotNextHolderMissing",
        lot_id,
        Checkpoint.HANDED_TO_BENEFICIARY,
    )
    tracker.record_checkpoint(w, lot_id, Checkpoint.SHIPPED, CAST.carrier.address)
    _reverts(
        lambda: tracker.record_checkpoint(
            CAST.carrier, lot_id, Checkpoint.HANDED_TO_BENEFICIARY, CAST.beneficiary.address
        ),
        "LotCheckpointOutOfOrder",
        lot_id,
        LotStatus.SHIPPED,
        Checkpoint.HANDED_TO_BENEFICIARY,
    )
    _reverts(
        lambda: tracker.record_checkpoint(CAST.carrier, lot_id, Checkpoint.SHIPPED, CAST.carrier.address),
        "LotCheckpointOutOfOrder",
        lot_id,
        LotStatus.SHIPPED,
        Checkpoint.SHIPPED,
    )
    _reverts(lambda: tracker.record_checkpoint(CAST.carrier, 99, Checkpoint.RECEIVED), "LotUnknown", 99)
    assert tracker.lot_of(lot_id).status == LotStatus.SHIPPED


def test_a_delivered_lot_takes_no_more_checkpoints(world: World, accounts: Accounts) -> None:
    tracker = _tracker(world)
    lot_id = _pledged_lot(world, accounts)
    tracker.record_checkpoint(
        CAST.warehouse, lot_id, Checkpoint.HANDED_TO_BENEFICIARY, CAST.beneficiary.address
    )
    tracker.record_checkpoint(CAST.beneficiary, lot_id, Checkpoint.SIGNED_OFF)
    for checkpoint in Checkpoint:
        _reverts(
            lambda checkpoint=checkpoint: tracker.record_checkpoint(
                CAST.beneficiary, lot_id, checkpoint, CAST.carrier.address
            ),
            "LotCheckpointOutOfOrder",
            lot_id,
            LotStatus.DELIVERED,
            checkpoint,
        )


def test_only_allowed_sources_open_lots(world: World, accounts: Accounts) -> None:
    tracker = _tracker(world)
    _reverts(
        lambda: tracker.open_lot(
            accounts.charity, 1, LotSource.PURCHASE, ORDER, RICE, 5, accounts.supplier.address
        ),
        "LotSourceNotAllowed",
        accounts.charity.address,
    )
    _reverts(
        lambda: tracker.set_lot_source(accounts.bank, accounts.bank.address, True),
        "LotTrackerUnauthorized",
        accounts.bank.address,
    )
    changed = tracker.set_lot_source(accounts.admin, CAST.escrow.address, True).event("LotSourceChanged")
    assert (changed["source"], changed["allowed"], changed["by"]) == (
        CAST.escrow.address,
        True,
        accounts.admin.address,
    )
    lot_id, opened = tracker.open_lot(
        CAST.escrow, 1, LotSource.PURCHASE, ORDER, RICE, 5, accounts.supplier.address
    )
    event = opened.event("LotOpened")
    assert (event["poolId"], event["sourceRef"], event["source"], event["quantity"], event["holder"]) == (
        1,
        ORDER,
        LotSource.PURCHASE,
        5,
        accounts.supplier.address,
    )
    assert tracker.is_lot_source(CAST.escrow.address)
    _reverts(
        lambda: tracker.open_lot(CAST.escrow, 1, LotSource.NONE, ORDER, RICE, 5, accounts.supplier.address),
        "LotInvalid",
    )
    _reverts(
        lambda: tracker.open_lot(
            CAST.escrow, 1, LotSource.PURCHASE, ORDER, RICE, 0, accounts.supplier.address
        ),
        "LotInvalid",
    )
    _reverts(
        lambda: tracker.open_lot(CAST.escrow, 1, LotSource.PURCHASE, ORDER, RICE, 5, "0x" + "00" * 20),
        "LotZeroAddress",
    )
    _reverts(lambda: tracker.set_lot_source(accounts.admin, "0x" + "00" * 20, True), "LotZeroAddress")
    assert tracker.lot_count() == lot_id == 1
