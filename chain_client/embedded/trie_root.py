"""A block's transaction and receipt trie roots in one pass, with the trie nodes py-evm stores.

The roots are those of the Merkle-Patricia trie of the Yellow Paper (appendix D) keyed by
``rlp(index)``, as every Ethereum client computes them (``transactionsRoot``, ``receiptsRoot``).
py-evm builds them by inserting the items one by one into a ``HexaryTrie``, rewriting the nodes on
the path each time, which costs more per item as the block grows (25 ms for 100 items, 500 ms for
1,000 on these machines). Here the keys are sorted once and every node is built exactly once, bottom
up, so the cost grows linearly with the block. The nodes returned are the ones py-evm's builder
leaves behind (every node of 32 bytes or more, and the root), keyed by their keccak, so py-evm can
read the block back from the database exactly as if it had built the trie itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import rlp
from eth_hash.auto import keccak
from eth_typing import Hash32

BLANK_ROOT_HASH = Hash32(keccak(rlp.encode(b"")))
"""The root of the empty trie: keccak(rlp(b""))."""

_Node = list[object]
_Reference = bytes | list[object]


def trie_root_and_nodes(items: Sequence[bytes]) -> tuple[Hash32, dict[Hash32, bytes]]:
    """Root of the trie mapping ``rlp(i)`` to ``items[i]``, and its nodes as ``{keccak(node): node}``.

    ``items`` are the encoded transactions or receipts of one block, in block order (EIP-2718 typed
    items are their type byte followed by the payload, as ``item.encode()`` gives them).
    """
    if not items:
        return BLANK_ROOT_HASH, {}
    entries = sorted((_nibbles(rlp.encode(index)), item) for index, item in enumerate(items))
    nodes: dict[Hash32, bytes] = {}
    root_rlp = rlp.encode(_build(entries, 0, len(entries), 0, nodes))
    root_hash = Hash32(keccak(root_rlp))
    nodes[root_hash] = root_rlp  # the root is stored under its hash even when shorter than 32 bytes
    return root_hash, nodes


def _nibbles(key: bytes) -> bytes:
    return bytes(nibble for byte in key for nibble in (byte >> 4, byte & 0x0F))


def _hex_prefix(nibbles: bytes, leaf: bool) -> bytes:
    """The compact (hex-prefix) encoding of a node's key path (Yellow Paper appendix C)."""
    flag = 2 if leaf else 0
    if len(nibbles) % 2:
        packed = bytes([(flag + 1) << 4 | nibbles[0]])
        rest = nibbles[1:]
    else:
        packed = bytes([flag << 4])
        rest = nibbles
    return packed + bytes(rest[i] << 4 | rest[i + 1] for i in range(0, len(rest), 2))


def _reference(node: _Node, nodes: dict[Hash32, bytes]) -> _Reference:
    """How a parent refers to ``node``: inline when its encoding is under 32 bytes, else by hash."""
    encoded = rlp.encode(node)
    if len(encoded) < 32:
        return node
    node_hash = Hash32(keccak(encoded))
    nodes[node_hash] = encoded
    return node_hash


def _build(
    entries: list[tuple[bytes, bytes]], start: int, stop: int, depth: int, nodes: dict[Hash32, bytes]
) -> _Node:
    """The node for the sorted ``entries[start:stop]``, which share their first ``depth`` nibbles."""
    first_key = entries[start][0]
    if stop - start == 1:
        return [_hex_prefix(first_key[depth:], leaf=True), entries[start][1]]
    last_key = entries[stop - 1][0]
    # Sorted keys: the prefix shared by all is the one the first and the last share.
    shared = depth
    limit = min(len(first_key), len(last_key))
    while shared < limit and first_key[shared] == last_key[shared]:
        shared += 1
    if shared > depth:
        child = _build(entries, start, stop, shared, nodes)
        return [_hex_prefix(first_key[depth:shared], leaf=False), _reference(child, nodes)]
    branch: _Node = [b""] * 17
    index = start
    if len(first_key) == depth:  # a key that ends here: its value sits in the branch itself
        branch[16] = entries[start][1]
        index += 1
    while index < stop:
        nibble = entries[index][0][depth]
        group_end = index + 1
        while group_end < stop and entries[group_end][0][depth] == nibble:
            group_end += 1
        branch[nibble] = _reference(_build(entries, index, group_end, depth + 1, nodes), nodes)
        index = group_end
    return branch
