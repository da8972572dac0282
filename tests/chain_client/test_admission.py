"""chain_client/embedded/admission.py: a node's admission rules at submission, each with its standard
message; a refused transaction is not queued and takes no nonce, and the sender's next one goes through.
Account permissioning by the Consortium's ``transactionAllowed``; free gas."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import to_canonical_address

from chain_client import ChainClient, SenderNotPermitted, TransactionRejected
from chain_client.backends import EmbeddedBackend
from chain_client.contracts import Consortium
from chain_client.embedded.admission import MAX_NONCE_GAP, AccountPermissioning
from chain_client.embedded.node import EmbeddedNode, Genesis
from tests.conftest import ACCOUNTS, CHAIN_ID

SENDER = ACCOUNTS.alice
GWEI = 10**9
BASE_FEE = GWEI


def _sign(account: LocalAccount = SENDER, **fields: Any) -> bytes:
    tx: dict[str, Any] = {
        "type": 2,
        "chainId": CHAIN_ID,
        "nonce": 0,
        "gas": 21_000,
        "maxFeePerGas": 4 * GWEI,
        "maxPriorityFeePerGas": 0,
        "to": ACCOUNTS.bob.address,
        "value": 1,
    }
    tx.update(fields)
    tx = {key: value for key, value in tx.items() if value is not None}
    return bytes(account.sign_transaction(tx).raw_transaction)


@pytest.fixture
def node() -> Iterator[EmbeddedNode]:
    genesis = Genesis(
        chain_id=CHAIN_ID,
        base_fee=BASE_FEE,
        alloc={
            to_canonical_address(SENDER.address): 10**20,
            to_canonical_address(ACCOUNTS.admin.address): 10**24,
        },
    )
    with EmbeddedNode(None, genesis) as opened:
        yield opened


def _next_goes_through(node: EmbeddedNode, account: LocalAccount = SENDER) -> None:
    nonce = node.get_nonce(to_canonical_address(account.address), "pending")
    receipt = node.wait_for_receipt(node.send_raw_transaction(_sign(account, nonce=nonce)), 30)
    assert receipt["status"] == "0x1"
    assert node.get_nonce(to_canonical_address(account.address)) == nonce + 1


REFUSALS: list[tuple[str, Callable[[], bytes], str]] = [
    ("oversized", lambda: _sign(data=b"\x01" * 140_000, gas=59_000_000), "oversized data"),
    (
        "blob transaction",
        lambda: bytes(
            SENDER.sign_transaction(
                {
                    "type": 3,
                    "chainId": CHAIN_ID,
                    "nonce": 0,
                    "gas": 21_000,
                    "maxFeePerGas": 4 * GWEI,
                    "maxPriorityFeePerGas": 0,
                    "to": ACCOUNTS.bob.address,
                    "value": 0,
                    "maxFeePerBlobGas": 1,
                    "blobVersionedHashes": [b"\x01" + b"\x00" * 31],
                }
            ).raw_transaction
        ),
        "transaction type not supported",
    ),
    (
        "no replay protection",
        lambda: bytes(
            SENDER.sign_transaction(
                {"nonce": 0, "gas": 21_000, "gasPrice": 4 * GWEI, "to": ACCOUNTS.bob.address, "value": 1}
            ).raw_transaction
        ),
        "only replay-protected",
    ),
    ("wrong chain id", lambda: _sign(chainId=CHAIN_ID + 1), "invalid chain id for signer"),
    (
        "initcode too large",
        lambda: _sign(to=None, data=b"\x00" * 49_153, gas=2_000_000),
        "max initcode size exceeded",
    ),
    ("gas above the block limit", lambda: _sign(gas=60_000_001), "exceeds block gas limit"),
    ("tip above fee cap", lambda: _sign(maxPriorityFeePerGas=5 * GWEI), "max priority fee per gas higher"),
    ("gas below 21,000", lambda: _sign(gas=20_999), "intrinsic gas too low"),
    # 100 non-zero bytes: 21,000 + 1,600 intrinsic; the EIP-7623 floor is 21,000 + 4,000
    (
        "calldata cost",
        lambda: _sign(data=b"\x01" * 100, gas=22_599),
        "intrinsic gas too low: gas 22599, minimum needed 22600",
    ),
    (
        "calldata floor",
        lambda: _sign(data=b"\x01" * 100, gas=24_999),
        "insufficient gas for floor data gas cost",
    ),
    (
        "access list cost",
        lambda: _sign(
            accessList=[{"address": ACCOUNTS.bob.address, "storageKeys": ["0x" + "00" * 32]}], gas=25_299
        ),
        "intrinsic gas too low: gas 25299, minimum needed 25300",
    ),
    # a creation: 53,000, plus 4 for the zero byte, plus one initcode word (2)
    (
        "creation cost",
        lambda: _sign(to=None, data=b"\x00", gas=53_005),
        "intrinsic gas too low: gas 53005, minimum needed 53006",
    ),
    ("nonce too far ahead", lambda: _sign(nonce=MAX_NONCE_GAP), "nonce too high"),
    ("fee cap below the base fee", lambda: _sign(maxFeePerGas=1), "max fee per gas less than block base fee"),
    ("insufficient funds", lambda: _sign(value=10**20), "insufficient funds for gas * price + value"),
    ("malformed", lambda: b"\x02\xf0garbage", "invalid transaction"),
]


@pytest.mark.parametrize(
    ("raw", "message"), [pytest.param(raw, message, id=name) for name, raw, message in REFUSALS]
)
def test_a_refused_transaction_leaves_no_trace(
    node: EmbeddedNode, raw: Callable[[], bytes], message: str
) -> None:
    head = node.block_number()
    with pytest.raises(TransactionRejected, match=re.escape(message)):
        node.send_raw_transaction(raw())
    assert node.block_number() == head
    assert node.get_nonce(to_canonical_address(SENDER.address), "pending") == 0
    _next_goes_through(node)


def test_a_known_transaction_and_a_taken_nonce_are_refused(node: EmbeddedNode) -> None:
    first = _sign(nonce=0)
    with node._write_lock:  # hold the miner, as a long block would: the first one stays queued
        node.send_raw_transaction(first)
        with pytest.raises(TransactionRejected, match="already known"):
            node.send_raw_transaction(first)
        with pytest.raises(TransactionRejected, match="replacement transaction underpriced"):
            node.send_raw_transaction(_sign(nonce=0, value=2))
    node.wait_for_receipt(node.send_raw_transaction(_sign(nonce=1)), 30)
    with pytest.raises(TransactionRejected, match="already known"):
        node.send_raw_transaction(first)
    with pytest.raises(TransactionRejected, match=r"nonce too low: address 0x\w+, tx: 0 state: 2"):
        node.send_raw_transaction(_sign(nonce=0, value=3))
    _next_goes_through(node)


def test_a_nonce_gap_is_held_until_it_fills(node: EmbeddedNode) -> None:
    sender = to_canonical_address(SENDER.address)
    later = node.send_raw_transaction(_sign(nonce=2))
    assert node.get_nonce(sender, "pending") == 0  # the gapless run only, as geth counts it
    node.wait_for_receipt(node.send_raw_transaction(_sign(nonce=0)), 30)
    assert node.get_receipt(later) is None
    assert node.get_nonce(sender, "pending") == 1
    node.send_raw_transaction(_sign(nonce=1))
    assert node.wait_for_receipt(later, 30)["status"] == "0x1"
    assert node.get_nonce(sender) == 3


def test_free_gas_zero_price_transactions_and_a_base_fee_that_stays_zero() -> None:
    genesis = Genesis(chain_id=CHAIN_ID, base_fee=0, gas_limit=1_000_000)
    stranger = ACCOUNTS.carol  # no ether at all
    with EmbeddedNode(None, genesis) as node:
        assert node.get_balance(to_canonical_address(stranger.address)) == 0
        # blocks far more than half full would raise an EIP-1559 base fee: this one stays zero
        raws = [
            _sign(stranger, nonce=n, maxFeePerGas=0, value=0, data=b"\x01" * 4_000, gas=200_000)
            for n in range(8)
        ]
        with node._write_lock:
            hashes = [node.send_raw_transaction(raw) for raw in raws]
        receipts = [node.wait_for_receipt(tx_hash, 30) for tx_hash in hashes]
        assert all(receipt["status"] == "0x1" for receipt in receipts)
        blocks = [node.get_block(number) for number in {int(r["blockNumber"], 16) for r in receipts}]
        fullest = max(int(block["gasUsed"], 16) for block in blocks if block is not None)
        assert fullest > 1_000_000 // 2  # more than half full: EIP-1559 would raise the base fee
        assert node.next_base_fee() == 0
        node.wait_for_receipt(
            node.send_raw_transaction(_sign(stranger, nonce=8, maxFeePerGas=0, value=0)), 30
        )
        assert node.get_block("latest")["baseFeePerGas"] == "0x0"  # type: ignore[index]


def test_account_permissioning_asks_the_consortium() -> None:
    admin = ACCOUNTS.admin
    where: dict[str, bytes] = {}
    permissioning = AccountPermissioning(
        operator=to_canonical_address(admin.address), consortium=lambda: where.get("consortium")
    )
    genesis = Genesis(chain_id=CHAIN_ID, base_fee=0, alloc={to_canonical_address(admin.address): 10**24})
    with EmbeddedNode(None, genesis, permissioning=permissioning) as node:
        client = ChainClient(EmbeddedBackend(node, owns_node=False))
        # Before the Consortium exists only the genesis operator may send.
        with pytest.raises(
            SenderNotPermitted, match="until the Consortium is deployed only the genesis operator"
        ):
            node.send_raw_transaction(_sign(ACCOUNTS.bob, maxFeePerGas=0, value=0))
        consortium = Consortium.deploy(client, admin, admin.address)
        where["consortium"] = to_canonical_address(consortium.address)
        consortium.allow_account(admin, ACCOUNTS.alice.address)
        # allowed: alice (allow-listed, zero balance, zero price) and the admin (DEFAULT_ADMIN_ROLE)
        _next_goes_through_free(node, ACCOUNTS.alice)
        _next_goes_through_free(node, admin)
        head = node.block_number()
        with pytest.raises(SenderNotPermitted, match="Sender account not authorized to send transactions"):
            node.send_raw_transaction(_sign(ACCOUNTS.bob, maxFeePerGas=0, value=0))
        assert node.block_number() == head
        assert node.get_nonce(to_canonical_address(ACCOUNTS.bob.address), "pending") == 0
        consortium.disallow_account(admin, ACCOUNTS.alice.address)
        with pytest.raises(SenderNotPermitted):
            node.send_raw_transaction(_sign(ACCOUNTS.alice, nonce=1, maxFeePerGas=0, value=0))
        before = node.snapshot()
        consortium.allow_account(admin, ACCOUNTS.alice.address)
        _next_goes_through_free(node, ACCOUNTS.alice)  # the answer is remembered...
        node.revert(before)  # ...until the chain it was read from is no longer the chain
        with pytest.raises(SenderNotPermitted):
            node.send_raw_transaction(_sign(ACCOUNTS.alice, nonce=1, maxFeePerGas=0, value=0))


def _next_goes_through_free(node: EmbeddedNode, account: LocalAccount) -> None:
    nonce = node.get_nonce(to_canonical_address(account.address), "pending")
    raw = _sign(account, nonce=nonce, maxFeePerGas=0, value=0)
    assert node.wait_for_receipt(node.send_raw_transaction(raw), 30)["status"] == "0x1"
