"""A ledger history made through the product (deployments, roles, onboarding, a donation with permit, a
payment order issued and released, transfers, a reverted transaction, an empty block), written to the
embedded node through its JSON-RPC endpoint and, when a mirror is given, the very same signed transactions
to anvil, one block each on both, so that the two chains hold the same history.

The JSON-RPC tests (``test_rpc_api.py``) and the differential test against anvil
(``test_rpc_differential.py``) ask their questions of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from eth_utils import keccak

from chain_client import ChainClient, ContractReverted
from chain_client.backends import JsonRpcBackend
from chain_client.contracts import (
    BANK_ROLE,
    GOVERNMENT_ROLE,
    ORACLE_ROLE,
    REGULATOR_ROLE,
    OrderParty,
)
from chain_client.deploy import deploy_foundation
from chain_client.embedded.node import EmbeddedNode
from chain_client.types import Receipt
from tests.conftest import ACCOUNTS, GAS_MONEY
from tests.escrow_support import EscrowWorld, build_escrow_world, funded_pool, make_order
from tests.pools_support import TOKEN

ADMIN_BALANCE = 10_000 * 10**18
"""What anvil gives each of its development accounts, and so what the embedded genesis gives the admin."""


class MirroredBackend(JsonRpcBackend):
    """The embedded node's JSON-RPC, with every signed transaction also sent to ``mirror`` (anvil).

    Each transaction is mined on both before the next is sent (one transaction per block on both chains,
    whatever the product pipelines), and must get the same hash and the same status on both.
    """

    def __init__(self, url: str, node: EmbeddedNode, mirror: JsonRpcBackend | None) -> None:
        super().__init__(url)
        self.node = node
        self.mirror = mirror
        self.sent: list[bytes] = []

    def send_raw_transaction(self, raw: bytes) -> bytes:
        tx_hash = super().send_raw_transaction(raw)
        self.node.wait_for_receipt(tx_hash, 30)  # in-process: no polling delay
        receipt = super().wait_for_receipt(tx_hash, 30)
        if self.mirror is not None:
            assert self.mirror.send_raw_transaction(raw) == tx_hash
            assert self.mirror.wait_for_receipt(tx_hash, 30).status == receipt.status
        self.sent.append(tx_hash)
        return tx_hash


@dataclass
class History:
    """What was done, for the questions: hashes, addresses, the interesting blocks."""

    client: ChainClient
    node: EmbeddedNode
    ew: EscrowWorld
    transactions: list[bytes] = field(default_factory=list)
    reverted: bytes = b""
    transfer: bytes = b""
    release: bytes = b""
    empty_block: int = 0
    addresses: dict[str, str] = field(default_factory=dict)

    @property
    def head(self) -> int:
        return self.client.block_number()


def build_history(client: ChainClient, node: EmbeddedNode, mirror: JsonRpcBackend | None) -> History:
    """Run the product's flows on ``client`` (whose backend is a :class:`MirroredBackend`)."""
    a = ACCOUNTS
    for account in vars(a).values():
        if account is not a.admin:
            client.send_value(a.admin, account.address, GAS_MONEY)
    foundation = deploy_foundation(client, a.admin)
    consortium = foundation.consortium
    for role, holder in [
        (BANK_ROLE, a.bank),
        (REGULATOR_ROLE, a.regulator),
        (ORACLE_ROLE, a.oracle1),
        (ORACLE_ROLE, a.oracle2),
        (GOVERNMENT_ROLE, a.government),
    ]:
        consortium.grant_role(a.admin, role, holder.address)
    for member in (a.admin, a.bank, a.charity, a.supplier, a.alice, a.bob):
        consortium.allow_account(a.admin, member.address)
    ew = build_escrow_world(client, foundation)
    history = History(client=client, node=node, ew=ew)

    pool_id = funded_pool(ew, 50 * TOKEN)  # a donation with a permit
    order = make_order(ew, pool_id, 20 * TOKEN)
    ew.escrow.issue(a.bank, order)
    ew.escrow.submit_signature(
        a.supplier, order.order_id, OrderParty.PAYEE, order, ew.escrow.sign(a.supplier, order)
    )
    released = ew.escrow.submit_signature(
        a.charity, order.order_id, OrderParty.CHARITY, order, ew.escrow.sign(a.charity, order)
    )
    assert released.released
    history.release = released.result.tx_hash

    history.transfer = ew.token.transfer(a.supplier, a.bob.address, 5 * TOKEN).tx_hash
    history.reverted = _reverted_mint(client, ew)

    # An empty block: the embedded node's clock moves (tests only); anvil mines one on request.
    node.advance_time(1)
    if mirror is not None:
        mirror.request("evm_mine")
    history.empty_block = client.block_number()

    assert isinstance(client.backend, MirroredBackend)
    history.transactions = list(client.backend.sent)
    history.addresses = {
        "consortium": consortium.address,
        "token": ew.token.address,
        "pools": ew.pools.address,
        "escrow": ew.escrow.address,
        "registry": ew.world.registry.address,
    }
    return history


def _reverted_mint(client: ChainClient, ew: EscrowWorld) -> bytes:
    """A transaction mined with status 0: alice (no bank) mints, sent with its gas given so nothing simulates."""
    data = ew.token.abi.encode_call("mint", ACCOUNTS.alice.address, 1, keccak(text="not a bank"))
    pending = client.submit(ACCOUNTS.alice, ew.token.address, data, gas=200_000)
    with pytest.raises(ContractReverted, match="DepositTokenUnauthorized"):
        pending.wait()
    return pending.tx_hash


def receipt_of(client: ChainClient, tx_hash: bytes) -> Receipt:
    found = client.backend.get_receipt(tx_hash)
    assert found is not None
    return found


def rpc(backend: JsonRpcBackend, method: str, *params: Any) -> dict[str, Any]:
    """The raw JSON-RPC answer object (``result`` or ``error``), nothing parsed."""
    return backend.raw_request(method, *params)
