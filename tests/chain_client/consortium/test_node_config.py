"""chain_client/consortium/node_config.py: every option is one Besu knows; on-chain permissioning config.

``BESU_OPTIONS`` is copied from Besu 25.5.0's ``besu/src/test/resources/everything_config.toml`` (the
file Besu's own tests use to check that every option parses), the options of the groups we set.
"""

from __future__ import annotations

import tomllib

import pytest
from eth_utils import to_checksum_address

from chain_client.consortium import OnchainPermissioning, load_network
from chain_client.consortium.node_config import render_config
from tests.chain_client.consortium.conftest import GeneratedKit

_EVERYTHING_CONFIG_KEYS = """data-path discovery-enabled genesis-file graphql-http-enabled host-allowlist logging metrics-category
    metrics-enabled metrics-host metrics-port metrics-protocol metrics-push-enabled metrics-push-host
    metrics-push-interval metrics-push-port metrics-push-prometheus-job min-gas-price node-private-key-file
    p2p-enabled p2p-host p2p-interface p2p-port permissions-accounts-config-file
    permissions-accounts-config-file-enabled permissions-accounts-contract-address
    permissions-accounts-contract-enabled permissions-nodes-config-file permissions-nodes-config-file-enabled
    permissions-nodes-contract-address permissions-nodes-contract-enabled permissions-nodes-contract-version
    rpc-http-api rpc-http-api-method-no-auth rpc-http-api-methods-no-auth rpc-http-apis
    rpc-http-authentication-credentials-file rpc-http-authentication-enabled rpc-http-authentication-jwt-algorithm
    rpc-http-authentication-jwt-public-key-file rpc-http-cors-origins rpc-http-enabled rpc-http-host
    rpc-http-max-active-connections rpc-http-max-batch-size rpc-http-max-request-content-length rpc-http-port
    rpc-ws-enabled static-nodes-file tx-pool-min-gas-price"""
BESU_OPTIONS = set(_EVERYTHING_CONFIG_KEYS.split())
BESU_RPC_APIS = {"ETH", "DEBUG", "MINER", "NET", "PERM", "WEB3", "ADMIN", "EEA", "PRIV", "TXPOOL", "TRACE"}
BESU_RPC_APIS |= {"PLUGINS", "CLIQUE", "IBFT", "ENGINE", "QBFT"}  # Besu 25.5.0 RpcApis
CONSORTIUM = to_checksum_address("0x" + "ab" * 20)


@pytest.mark.parametrize(
    "onchain",
    [
        None,
        OnchainPermissioning(CONSORTIUM, CONSORTIUM, 1),
        OnchainPermissioning(CONSORTIUM, None),
        OnchainPermissioning(None, CONSORTIUM, 2),
    ],
)
def test_every_rendered_option_is_a_besu_option_and_rpc_stays_on_loopback(
    kit: GeneratedKit, onchain: OnchainPermissioning | None
) -> None:
    for bank in load_network(kit.path).banks:
        config = tomllib.loads(render_config(bank, onchain))
        assert set(config) <= BESU_OPTIONS, set(config) - BESU_OPTIONS
        assert set(config["rpc-http-api"]) <= BESU_RPC_APIS
        assert (config["rpc-http-host"], config["metrics-host"]) == ("127.0.0.1", "127.0.0.1")


def test_on_chain_permissioning_points_besu_at_the_consortium_and_keeps_a_file_for_the_rest(
    kit: GeneratedKit,
) -> None:
    bank = load_network(kit.path).banks[0]
    both = tomllib.loads(render_config(bank, OnchainPermissioning(CONSORTIUM, CONSORTIUM, 1)))
    assert both["permissions-accounts-contract-enabled"] is True
    assert both["permissions-accounts-contract-address"] == CONSORTIUM
    assert both["permissions-nodes-contract-enabled"] is True
    assert both["permissions-nodes-contract-address"] == CONSORTIUM
    assert both["permissions-nodes-contract-version"] == 1
    assert not any(key.startswith("permissions-") and "config-file" in key for key in both)

    accounts_only = tomllib.loads(render_config(bank, OnchainPermissioning(CONSORTIUM, None)))
    assert accounts_only["permissions-accounts-contract-address"] == CONSORTIUM
    assert accounts_only["permissions-nodes-config-file-enabled"] is True
    assert "permissions-nodes-contract-enabled" not in accounts_only
