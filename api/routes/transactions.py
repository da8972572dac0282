"""Transactions signed in the user's own wallet, relayed to the node (``eth_sendRawTransaction``).

A session from EIP-4361 sign-in holds no key on the platform: its owner signs each transaction (any
wallet or library: ethers, web3.py) and sends it here, or straight to the node's JSON-RPC endpoint. The
relay checks that the signer is the signed-in account, simulates the transaction so that a contract
refusal answers a 4xx naming the custom error with nothing sent, then sends it and waits for its receipt.
The node admits it only from an account the Consortium allow-lists.
"""

from __future__ import annotations

from typing import Any

import rlp
from eth_account import Account
from eth_account.typed_transactions import TypedTransaction
from eth_utils import to_checksum_address
from fastapi import APIRouter
from hexbytes import HexBytes

from api.core.errors import ERROR_RESPONSES, InvalidInput, NotFound, NotYourResource
from api.deps import CurrentUser, PlatformDep
from api.schemas.common import Hash32, Transaction, hex0x, to_bytes
from api.schemas.transactions import DecodedEvent, RawTransaction, ReceiptOut, RelayedTransaction
from chain_client.abi import DecodedEvent as ChainEvent
from chain_client.client import ChainClient
from chain_client.compiler import artifact_names
from chain_client.types import CallParams, Log

router = APIRouter(prefix="/transactions", tags=["transactions"], responses=ERROR_RESPONSES)


def _decode(raw: bytes) -> tuple[str, CallParams]:
    """The sender and the call of a signed transaction (422 if it is not one)."""
    try:
        sender = to_checksum_address(Account.recover_transaction(raw))
        if raw and raw[0] <= 0x7F:
            fields = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()
            to, data, value = fields.get("to"), bytes(fields.get("data", b"")), int(fields.get("value", 0))
        else:
            items = rlp.decode(raw)
            to, value, data = items[3], int.from_bytes(items[4], "big"), bytes(items[5])
    except Exception as exc:  # eth-account and rlp raise many types for malformed input
        raise InvalidInput(f"not a signed transaction: {exc}") from None
    target = to_checksum_address(bytes(to)) if to else None
    return sender, CallParams(to=target, data=data, sender=to_checksum_address(sender), value=value)


def _jsonable(value: Any) -> str | bool | list[str]:
    if isinstance(value, bool):
        return value
    if isinstance(value, bytes):
        return hex0x(value)
    if isinstance(value, list | tuple):
        return [str(_jsonable(item)) for item in value]
    return str(value)


def decode_events(client: ChainClient, logs: tuple[Log, ...]) -> list[DecodedEvent]:
    """Every log the ledger's contracts know, decoded; unknown logs are left out."""
    events: tuple[ChainEvent, ...] = client.decode_events(
        logs, [client.abi(name) for name in artifact_names()]
    )
    return [
        DecodedEvent(
            contract=event.log.address,
            name=event.name,
            log_index=event.log.log_index,
            args={name: _jsonable(value) for name, value in event.args.items()},
        )
        for event in events
    ]


@router.post("", response_model=RelayedTransaction, status_code=201)
def relay(body: RawTransaction, user: CurrentUser, platform: PlatformDep) -> RelayedTransaction:
    """Send a transaction the signed-in account signed itself; answers with its receipt and events.

    Refused (nothing sent) when another account signed it (403), when the contract would revert (the
    custom error, 4xx), or when the node refuses it (not allow-listed, bad nonce or chain id: 403)."""
    raw = to_bytes(body.raw)
    sender, params = _decode(raw)
    if sender != user.account:
        raise NotYourResource(f"the transaction is signed by {sender}, not by the signed-in {user.account}")
    client = platform.client
    client.estimate_gas(params)
    receipt = client.send_raw(raw, params).wait()
    return RelayedTransaction(
        transaction=Transaction.of(receipt), to=receipt.to, events=decode_events(client, receipt.logs)
    )


@router.get("/{tx_hash}", response_model=ReceiptOut)
def receipt(tx_hash: Hash32, platform: PlatformDep) -> ReceiptOut:
    """A transaction's receipt with its decoded events (no sign-in)."""
    client = platform.client
    found = client.backend.get_receipt(to_bytes(tx_hash))
    if found is None:
        raise NotFound(f"no mined transaction {tx_hash}")
    return ReceiptOut(
        tx_hash=hex0x(found.transaction_hash),
        status="succeeded" if found.succeeded else "failed",
        block_number=found.block_number,
        block_hash=hex0x(found.block_hash),
        sender=found.sender,
        to=found.to,
        gas_used=found.gas_used,
        events=decode_events(client, found.logs),
    )
