"""The ledger through ethers v6 and viem 2 (``tests/tooling/wallet_tools.mjs``), on the embedded node's
JSON-RPC and on anvil: reads, event decoding with the product's ABI, log filters polled as each library
polls them, a transaction an ethers wallet signed itself, and the payee's signature over the payment order's
typed data as the product hands it out. The signatures of ethers, viem and eth-account are byte-identical;
the ethers one submitted through the product releases the escrow; one over a tampered amount moves nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from eth_utils import keccak

from api.orders import MISMATCH, RELEASED, OrderMatcher, open_delivery_store
from chain_client import ChainClient
from chain_client.backends import EmbeddedBackend, JsonRpcBackend
from chain_client.contracts import OrderParty, OrderStatus
from chain_client.embedded.rpc_server import RpcServer
from tests.conftest import ACCOUNTS
from tests.escrow_support import EscrowWorld, funded_pool, make_order
from tests.pools_support import TOKEN

SCRIPT = Path(__file__).resolve().parent / "wallet_tools.mjs"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is installed by scripts/setup")


@contextmanager
def _url(client: ChainClient) -> Iterator[str]:
    """The JSON-RPC URL of the chain under ``client``: the embedded node's endpoint, or anvil's."""
    backend = client.backend
    if isinstance(backend, EmbeddedBackend):
        with RpcServer(backend.node, port=0) as server:
            yield server.url
    else:
        assert isinstance(backend, JsonRpcBackend)
        yield backend.url


def _run_tools(tmp_path: Path, payload: dict[str, object]) -> dict[str, dict[str, object]]:
    request = tmp_path / "input.json"
    request.write_text(json.dumps(payload))
    process = subprocess.Popen(
        [str(NODE), str(SCRIPT), str(request)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=SCRIPT.parent,
    )
    try:
        stdout, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise AssertionError(f"wallet_tools.mjs timed out:\n{stderr}") from None
    assert process.returncode == 0, stderr
    answer: dict[str, dict[str, object]] = json.loads(stdout.strip().splitlines()[-1])
    return answer


def test_ethers_and_viem_read_decode_poll_sign_and_the_escrow_releases(
    ew: EscrowWorld, tmp_path: Path
) -> None:
    a = ACCOUNTS
    token, escrow = ew.token, ew.escrow
    known = token.mint(a.bank, a.alice.address, 7 * TOKEN, keccak(text=f"tooling {tmp_path.name}"))
    pool_id = funded_pool(ew, 40 * TOKEN)
    order = make_order(ew, pool_id, 25 * TOKEN)
    escrow.issue(a.bank, order)
    typed = escrow.typed_data(order)  # what the product hands the payee

    with _url(ew.client) as url:
        out = _run_tools(
            tmp_path,
            {
                "url": url,
                "token": token.address,
                "tokenAbi": ew.client.abi("DepositToken").entries,
                "knownTx": "0x" + known.tx_hash.hex(),
                "senderKey": "0x" + bytes(a.alice.key).hex(),
                "recipient": a.bob.address,
                "payeeKey": "0x" + bytes(a.supplier.key).hex(),
                "typedData": typed,
            },
        )

    # reads and decoding agree with the product's own view
    ethers, viem = out["ethers"], out["viem"]
    assert ethers["chainId"] == viem["chainId"] == ew.client.chain_id
    expected = {"blockNumber": known.receipt.block_number, "logs": len(known.receipt.logs)}
    assert ethers["receipt"] == {**expected, "status": 1}
    assert viem["receipt"] == {**expected, "status": "success"}
    assert ethers["block"] == viem["block"]
    assert ethers["block"]["first"] == "0x" + known.tx_hash.hex()  # type: ignore[index]
    assert ethers["transfers"] == viem["transfers"]
    minted = {"from": "0x" + "00" * 20, "to": a.alice.address, "value": str(7 * TOKEN)}
    assert minted in ethers["transfers"]  # type: ignore[operator]
    # the filters both saw the transfer the ethers wallet signed and sent
    sent = out["sent"]
    assert sent["status"] == 1
    assert ethers["filtered"] == viem["filtered"] == [{"tx": sent["hash"], "to": a.bob.address, "value": "1"}]
    assert ew.client.backend.get_receipt(bytes.fromhex(str(sent["hash"])[2:])) is not None

    # one signature, byte for byte, from ethers, viem and eth-account; one digest with the contract
    ours = escrow.sign(a.supplier, order)
    assert bytes.fromhex(str(ethers["signature"])[2:]) == bytes.fromhex(str(viem["signature"])[2:]) == ours
    assert bytes.fromhex(str(ethers["digest"])[2:]) == escrow.digest(order) == escrow.hash_order(order)

    # through the product: a tampered amount moves nothing, the ethers signature releases the escrow
    store = open_delivery_store()
    matcher = OrderMatcher(escrow, store, a.outsider)
    charity_signature = escrow.sign(a.charity, order)
    tampered_copy = type(order).from_values({**order.values(), "amount": int(str(out["tampered"]["amount"]))})
    store.put_signed_copy(
        order.order_id, OrderParty.PAYEE, tampered_copy, bytes.fromhex(str(out["tampered"]["signature"])[2:])
    )
    store.put_signed_copy(order.order_id, OrderParty.CHARITY, order, charity_signature)
    payee_before = token.balance_of(a.supplier.address)
    (outcome,) = matcher.run_once()
    assert outcome.outcome == MISMATCH
    assert token.balance_of(a.supplier.address) == payee_before
    assert escrow.order_of(order.order_id).status is OrderStatus.ISSUED

    store.put_signed_copy(
        order.order_id, OrderParty.PAYEE, order, bytes.fromhex(str(ethers["signature"])[2:])
    )
    (outcome,) = matcher.run_once()
    assert outcome.outcome == RELEASED
    assert token.balance_of(a.supplier.address) == payee_before + order.amount
    assert escrow.order_of(order.order_id).status is OrderStatus.RELEASED
