"""chain_client/abi.py: decoded values come back in the shape callers compare against."""

from __future__ import annotations

from eth_abi.abi import encode
from eth_utils import to_checksum_address

from chain_client.abi import ContractAbi, _normalise

LOWER = "0x" + "ab" * 20
CHECKSUMMED = to_checksum_address(LOWER)


def test_addresses_are_checksummed_inside_structs_and_arrays() -> None:
    decoded = _normalise("(address,uint256[],(address,bool)[])", (LOWER, [1, 2], [(LOWER, True)]))
    assert decoded == (CHECKSUMMED, (1, 2), ((CHECKSUMMED, True),))


def test_a_call_round_trips_through_encoding() -> None:
    abi = ContractAbi(
        [
            {
                "type": "function",
                "name": "pair",
                "inputs": [{"name": "who", "type": "address"}],
                "outputs": [
                    {
                        "name": "",
                        "type": "tuple",
                        "components": [
                            {"name": "a", "type": "address"},
                            {"name": "n", "type": "uint256"},
                        ],
                    }
                ],
                "stateMutability": "view",
            }
        ]
    )
    encoded = abi.encode_call("pair", LOWER)
    assert encoded == abi.encode_call("pair", CHECKSUMMED)
    assert abi.decode_result("pair", encode(["(address,uint256)"], [(LOWER, 7)])) == (CHECKSUMMED, 7)
