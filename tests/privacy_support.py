"""Scan what a test wrote to the embedded chain for personal data: transaction inputs, logs, storage slots.

Storage slots written in a block are found from the state itself: the block's account trie is compared with its
parent's, and for every account whose storage root changed, the two storage tries are compared leaf by leaf
(the chain's key-value store read through ``chain_client.embedded.store``, the tries with ``trie``, the library
py-evm uses). Every value a block wrote is scanned, including ones a later block overwrote.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import rlp
from eth_utils import keccak
from trie import HexaryTrie
from trie.iter import NodeIterator

from chain_client import ChainClient
from chain_client.backends import EmbeddedBackend
from chain_client.embedded.store import SqliteKeyValueStore, open_database

_BLANK_ROOT = keccak(rlp.encode(b""))


@dataclass(frozen=True)
class Written:
    """One thing the chain recorded: where, and its bytes."""

    where: str
    data: bytes


def _accounts(db: SqliteKeyValueStore, state_root: bytes) -> dict[bytes, bytes]:
    """Account-trie leaves: keccak(address) -> storage root."""
    accounts = {}
    for key, value in NodeIterator(HexaryTrie(db, state_root)).items():
        _nonce, _balance, storage_root, _code_hash = rlp.decode(value)
        accounts[key] = storage_root
    return accounts


def _storage(db: SqliteKeyValueStore, root: bytes) -> dict[bytes, bytes]:
    if root == _BLANK_ROOT:
        return {}
    return {key: rlp.decode(value) for key, value in NodeIterator(HexaryTrie(db, root)).items()}


def written_by_blocks(client: ChainClient, first: int, last: int) -> Iterator[Written]:
    """Every transaction input, log (topics and data) and storage value written in blocks ``first``..``last``."""
    backend = client.backend
    if not isinstance(backend, EmbeddedBackend):
        raise TypeError("storage is scanned on the embedded chain")
    db = SqliteKeyValueStore(open_database(backend.node.path))
    for number in range(first, last + 1):
        block, parent = backend.get_block(number), backend.get_block(number - 1)
        assert block is not None
        assert parent is not None
        for tx_hash in block.transactions:
            transaction = backend.get_transaction(tx_hash)
            assert transaction is not None
            raw_input = transaction.get("input") or transaction.get("data") or b""
            data = bytes.fromhex(raw_input[2:]) if isinstance(raw_input, str) else bytes(raw_input)
            yield Written(f"tx 0x{tx_hash.hex()} input", data)
            receipt = backend.get_receipt(tx_hash)
            assert receipt is not None
            for entry in receipt.logs:
                yield Written(
                    f"log {entry.log_index} of 0x{tx_hash.hex()}", b"".join(entry.topics) + entry.data
                )
        before, after = _accounts(db, parent.state_root), _accounts(db, block.state_root)
        for account, root in after.items():
            if before.get(account) == root:
                continue
            old = _storage(db, before.get(account, _BLANK_ROOT))
            for slot, value in _storage(db, root).items():
                if old.get(slot) != value:
                    yield Written(
                        f"block {number} storage of account-hash 0x{account.hex()[:12]} slot 0x{slot.hex()[:12]}",
                        value,
                    )


def encodings(text: str) -> dict[str, bytes]:
    """The ways ``text`` could be written into chain data: UTF-8 (plain), GBK, UTF-16, hex text of its UTF-8,
    and for digits the number itself as a big-endian integer."""
    utf8 = text.encode("utf-8")
    found = {
        "utf-8": utf8,
        "hex": utf8.hex().encode("ascii"),
        "HEX": utf8.hex().upper().encode("ascii"),
        "utf-16-be": text.encode("utf-16-be"),
    }
    with contextlib.suppress(UnicodeEncodeError):
        found["gbk"] = text.encode("gbk")
    if text.isdigit():
        number = int(text)
        found["integer"] = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return found


def find_personal_data(written: list[Written], secrets: dict[str, str]) -> list[str]:
    """Where any of ``secrets`` (label -> text) occurs in ``written``, in any of its :func:`encodings`."""
    hits = []
    for label, text in secrets.items():
        for encoding, needle in encodings(text).items():
            for item in written:
                if needle and needle in item.data:
                    hits.append(f"{label} ({encoding}) in {item.where}")
    return hits
