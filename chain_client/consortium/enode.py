"""Node identities: a secp256k1 node key gives the node's enode URL and its QBFT validator address.

An enode URL is ``enode://<node id>@<host>:<port>`` where the node id is the 64-byte uncompressed
public key in hex without the ``04`` prefix (devp2p, ethereum/devp2p ``enr.md`` and Besu's
``EnodeURLImpl``). In Besu QBFT the validator address is the address of the node key
(besu-docs ``private-networks/how-to/configure/consensus/qbft.md``: "node addresses are validator addresses").
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from eth_keys.datatypes import PrivateKey
from eth_typing import ChecksumAddress

from chain_client.consortium.errors import KitInvalid

_ENODE = re.compile(r"^enode://(?P<node_id>[0-9a-f]{128})@(?P<host>[^:@/]+):(?P<port>\d{1,5})$")


@dataclass(frozen=True)
class NodeIdentity:
    """What a node key makes public: the node id (hex, 128 characters) and the validator address."""

    node_id: str
    validator: ChecksumAddress


def node_identity(private_key: bytes) -> NodeIdentity:
    """The public identity of a 32-byte secp256k1 node key."""
    public_key = PrivateKey(private_key).public_key
    return NodeIdentity(node_id=public_key.to_bytes().hex(), validator=public_key.to_checksum_address())


def enode_url(node_id: str, host: str, port: int) -> str:
    """``enode://<node id>@<host>:<port>``; ``host`` must be an IP address (Besu needs one unless
    its DNS option is on)."""
    url = f"enode://{node_id}@{host}:{port}"
    parse_enode(url)
    return url


def parse_enode(url: str) -> tuple[str, str, int]:
    """(node id, host, port) of an enode URL; raises ``KitInvalid`` if it is malformed."""
    match = _ENODE.match(url)
    if match is None:
        raise KitInvalid(f"not an enode URL: {url!r}")
    host, port = match["host"], int(match["port"])
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise KitInvalid(f"enode host must be an IP address, got {host!r}") from None
    if not 0 < port < 65536:
        raise KitInvalid(f"enode port out of range: {port}")
    return match["node_id"], host, port
