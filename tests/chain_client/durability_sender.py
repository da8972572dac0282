"""Child process of the kill -9 test: sends transactions to an embedded chain forever and prints each
one as it is acknowledged (its receipt returned), with the block's number and hash.

Run as ``python -m tests.chain_client.durability_sender CHAIN_DB``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eth_utils import to_canonical_address

from chain_client import ChainClient
from chain_client.backends import EmbeddedBackend
from chain_client.embedded.node import EmbeddedNode, Genesis
from tests.conftest import ACCOUNTS, CHAIN_ID

GENESIS = Genesis(chain_id=CHAIN_ID, alloc={to_canonical_address(ACCOUNTS.admin.address): 10**24})


def main(path: Path) -> None:
    client = ChainClient(EmbeddedBackend(EmbeddedNode(path, GENESIS)))
    while True:
        # A few in flight at once, so that kills land inside multi-transaction blocks too.
        pending = [client.submit(ACCOUNTS.admin, ACCOUNTS.bob.address, value=1, gas=21_000) for _ in range(4)]
        for each in pending:
            receipt = each.wait()
            line = {
                "tx": receipt.transaction_hash.hex(),
                "block": receipt.block_number,
                "hash": receipt.block_hash.hex(),
            }
            sys.stdout.write(json.dumps(line) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
