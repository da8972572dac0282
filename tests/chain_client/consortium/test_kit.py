"""chain_client/consortium/kit.py: the generated kit, checked with tools independent of the generator.

The generator derives keys with eth-keys and encodes with the ``rlp`` package through its own codec;
these tests decrypt the keystores with eth-account, derive public keys with coincurve, decode
``extraData`` with ``rlp.decode`` directly, read TOML with ``tomllib``, YAML with PyYAML and check the
compose files against the Compose Specification's JSON schema (as vendored by check-jsonschema).
"""

from __future__ import annotations

import functools
import json
import stat
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import coincurve
import jsonschema
import pytest
import rlp
import structlog
import yaml
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from chain_client import KeystoreError
from chain_client.consortium import KitInvalid, add_bank, export_node_key, remove_bank, rotate_node_key
from tests.chain_client.consortium.conftest import (
    BANKS,
    CHAIN_ID,
    FAST_SCRYPT,
    GeneratedKit,
    init_args,
    run_cli,
)

NAMES = [f"bank-{index}" for index in range(1, BANKS + 1)]


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _decrypt(path: Path, password: str) -> bytes:
    return bytes(Account.decrypt(_json(path), password))


def _enode_id(private_key: bytes) -> str:
    return coincurve.PrivateKey(private_key).public_key.format(compressed=False)[1:].hex()


def _address(private_key: bytes) -> str:
    public = coincurve.PrivateKey(private_key).public_key.format(compressed=False)[1:]
    return to_checksum_address(keccak(public)[-20:])


@functools.cache
def _compose_validator() -> Any:
    """The Compose Specification's JSON schema, as check-jsonschema vendors it (no download)."""
    schema = json.loads(
        (resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json").read_text()
    )
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _node_ids_by_bank(kit: GeneratedKit) -> dict[str, str]:
    return {
        name: _enode_id(_decrypt(kit.path / "keys" / f"{name}-node.json", kit.password)) for name in NAMES
    }


def test_every_keystore_decrypts_to_the_key_whose_address_and_enode_the_kit_lists(kit: GeneratedKit) -> None:
    network = _json(kit.path / "network.json")
    assert sorted(p.name for p in (kit.path / "keys").iterdir()) == sorted(
        f"{name}-{kind}.json" for name in NAMES for kind in ("account", "node")
    )
    for bank in network["banks"]:
        account_key = _decrypt(kit.path / "keys" / f"{bank['name']}-account.json", kit.password)
        node_key = _decrypt(kit.path / "keys" / f"{bank['name']}-node.json", kit.password)
        assert _address(account_key) == bank["account"]
        assert _address(node_key) == bank["validator"]
        assert bank["node_id"] == _enode_id(node_key)
        assert account_key != node_key
    with pytest.raises(ValueError, match="MAC mismatch"):
        Account.decrypt(_json(kit.path / "keys" / "bank-1-node.json"), "wrong password")


def test_the_genesis_extra_data_decodes_to_exactly_the_banks_node_key_addresses(kit: GeneratedKit) -> None:
    genesis = _json(kit.path / "genesis.json")
    vanity, validators, vote, round_number, seals = rlp.decode(bytes.fromhex(genesis["extraData"][2:]))
    node_addresses = {
        bytes.fromhex(_address(_decrypt(kit.path / "keys" / f"{name}-node.json", kit.password))[2:])
        for name in NAMES
    }
    assert vanity == bytes(32)
    assert set(validators) == node_addresses
    assert len(validators) == BANKS
    assert validators == sorted(validators)  # ascending, as Besu's docs ask for genesis
    assert (vote, round_number, seals) == ([], b"", [])


def test_the_genesis_is_besu_qbft_with_free_gas_and_the_parameters_given(kit: GeneratedKit) -> None:
    genesis = _json(kit.path / "genesis.json")
    config = genesis["config"]
    assert config["chainId"] == CHAIN_ID
    assert config["qbft"] == {"blockperiodseconds": 3, "epochlength": 1000, "requesttimeoutseconds": 6}
    assert config["zeroBaseFee"] is True
    assert config["londonBlock"] == 0
    assert config["cancunTime"] == 0
    assert "pragueTime" not in config  # Besu would need the Prague system contracts in genesis
    assert genesis["difficulty"] == "0x1"
    assert genesis["mixHash"] == "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
    assert genesis["alloc"] == {}  # free gas: nobody needs a balance; contracts come after start
    assert int(genesis["gasLimit"], 16) == 60_000_000
    for name in NAMES:  # every node starts from the same genesis, byte for byte
        assert (kit.path / "nodes" / name / "genesis.json").read_bytes() == (
            kit.path / "genesis.json"
        ).read_bytes()


def test_every_node_config_binds_json_rpc_and_metrics_to_loopback(kit: GeneratedKit) -> None:
    node_ids = _node_ids_by_bank(kit)
    for name in NAMES:
        config = tomllib.loads((kit.path / "nodes" / name / "config.toml").read_text())
        assert config["rpc-http-enabled"] is True
        assert config["rpc-http-host"] == "127.0.0.1"
        assert config["metrics-enabled"] is True
        assert config["metrics-host"] == "127.0.0.1"
        assert config["rpc-ws-enabled"] is False
        assert config["graphql-http-enabled"] is False
        assert set(config["rpc-http-api"]) == {"ETH", "NET", "WEB3", "QBFT", "TXPOOL"}
        assert config["min-gas-price"] == 0
        assert config["tx-pool-min-gas-price"] == 0
        assert config["node-private-key-file"] == "key"
        assert config["genesis-file"] == "genesis.json"
        assert config["permissions-nodes-config-file-enabled"] is True
        assert config["permissions-accounts-config-file-enabled"] is True
        assert config["discovery-enabled"] is False
        own = f"enode://{node_ids[name]}@{config['p2p-host']}:{config['p2p-port']}"
        static = _json(kit.path / "nodes" / name / config["static-nodes-file"])
        others = {f"enode://{node_ids[o]}@" for o in NAMES if o != name}
        assert own not in static
        assert {enode.split("@")[0] + "@" for enode in static} == others


def test_the_permissions_files_list_exactly_the_consortium(kit: GeneratedKit) -> None:
    node_ids = _node_ids_by_bank(kit)
    accounts = {
        _address(_decrypt(kit.path / "keys" / f"{name}-account.json", kit.password)) for name in NAMES
    }
    for path in [kit.path / "permissions_config.toml"] + [
        kit.path / "nodes" / name / "permissions_config.toml" for name in NAMES
    ]:
        permissions = tomllib.loads(path.read_text())
        assert set(permissions["accounts-allowlist"]) == accounts
        assert {
            enode.split("@")[0].removeprefix("enode://") for enode in permissions["nodes-allowlist"]
        } == set(node_ids.values())
        assert len(permissions["nodes-allowlist"]) == BANKS


def test_the_rehearsal_compose_file_is_valid_compose_and_runs_every_node_on_loopback(
    kit: GeneratedKit,
) -> None:
    compose = yaml.safe_load((kit.path / "docker-compose.yml").read_text())
    _compose_validator().validate(compose)
    assert sorted(compose["services"]) == NAMES
    subnet = compose["networks"]["consortium"]["ipam"]["config"][0]["subnet"]
    for name, service in compose["services"].items():
        assert service["labels"]["welfare-aid.bank"] == name
        assert service["image"] == "hyperledger/besu:25.5.0"
        [volume] = service["volumes"]
        source, target = volume.split(":")
        assert (kit.path / source / "config.toml").is_file()
        assert service["working_dir"] == target
        assert all(port.startswith("127.0.0.1:") for port in service["ports"])
        address = service["networks"]["consortium"]["ipv4_address"]
        assert address.startswith(subnet.rsplit(".", 1)[0] + ".")
        config = tomllib.loads((kit.path / source / "config.toml").read_text())
        assert config["p2p-host"] == address  # the address in the node's enode
        assert "test -s key" in service["entrypoint"][2]  # no start without the bank's node key


def test_each_banks_own_compose_file_uses_the_host_network_and_keeps_rpc_on_loopback(
    kit: GeneratedKit,
) -> None:
    for name in NAMES:
        compose = yaml.safe_load((kit.path / "nodes" / name / "docker-compose.yml").read_text())
        _compose_validator().validate(compose)
        [service] = compose["services"].values()
        assert service["network_mode"] == "host"
        assert service["environment"]["BESU_RPC_HTTP_HOST"] == "127.0.0.1"
        assert "ports" not in service
        assert service["volumes"] == ["./:/opt/besu/node"] or service["volumes"] == [".:/opt/besu/node"]


def test_a_node_key_is_exported_for_besu_only_with_the_password(kit: GeneratedKit, tmp_path: Path) -> None:
    node_ids = _node_ids_by_bank(kit)
    key_file = kit.path / "nodes" / "bank-2" / "key"
    with pytest.raises(KeystoreError, match="wrong password"):
        export_node_key(kit.path, "bank-2", "not the password")
    assert not key_file.exists()
    output = run_cli(
        "consortium", "node-key", "--kit", str(kit.path), "--bank", "bank-2", input_text=f"{kit.password}\n"
    )
    assert str(key_file) in output.replace("\n", "")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    text = key_file.read_text().strip()
    assert text.startswith("0x")
    assert _enode_id(bytes.fromhex(text[2:])) == node_ids["bank-2"]
    assert export_node_key(kit.path, "bank-2", kit.password) == key_file  # again: same key, no change


def test_init_refuses_bad_parameters_and_changes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from chain_client.__main__ import app

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "something").write_text("mine")
    cases = [
        (init_args(occupied, "--dev-password"), "not empty"),
        (init_args(tmp_path / "a", "--dev-password", "--p2p-hosts", "10.0.0.1"), "one p2p host per bank"),
        (init_args(tmp_path / "b", "--dev-password", "--request-timeout", "2"), "requesttimeoutseconds"),
        (init_args(tmp_path / "c", "--dev-password", "--names", "Bank A,b,c,d"), "invalid bank name"),
        (init_args(tmp_path / "d", "--dev-password", "--p2p-hosts", "a,b,c,d"), "must be an IP address"),
    ]
    for args, reason in cases:
        logging_before = structlog.get_config()
        result = CliRunner().invoke(app, args)
        structlog.configure(**logging_before)
        assert isinstance(result.exception, KitInvalid), (args, result.output)
        assert reason in str(result.exception)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["occupied"]
    assert [p.name for p in occupied.iterdir()] == ["something"]


def test_the_development_password_is_used_and_printed_only_when_asked(tmp_path: Path) -> None:
    output = run_cli(*init_args(tmp_path / "dev", "--dev-password"))
    assert "welfare-aid development kit" in output
    Account.decrypt(_json(tmp_path / "dev" / "keys" / "bank-1-account.json"), "welfare-aid development kit")
    quiet = run_cli(*init_args(tmp_path / "quiet"), input_text="another secret\nanother secret\n")
    assert "welfare-aid development kit" not in quiet
    assert "another secret" not in quiet


def test_given_p2p_hosts_go_into_the_enodes_and_no_rehearsal_compose_is_written(tmp_path: Path) -> None:
    hosts = ["10.1.0.1", "10.2.0.1", "10.3.0.1", "10.4.0.1"]
    run_cli(*init_args(tmp_path / "prod", "--dev-password", "--p2p-hosts", ",".join(hosts)))
    static = _json(tmp_path / "prod" / "static-nodes.json")
    assert [enode.split("@")[1] for enode in static] == [f"{host}:30303" for host in hosts]
    assert not (tmp_path / "prod" / "docker-compose.yml").exists()
    assert (tmp_path / "prod" / "nodes" / "bank-1" / "docker-compose.yml").is_file()


def test_a_bank_joins_and_leaves_the_kit_with_the_genesis_unchanged(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    run_cli(*init_args(kit, "--dev-password"))
    genesis = (kit / "genesis.json").read_bytes()

    output = run_cli(
        "consortium", "add-bank", "--kit", str(kit), "--name", "bank-5", "--dev-password",
        "--scrypt-n", str(FAST_SCRYPT),
    )  # fmt: skip
    joined = _address(_decrypt(kit / "keys" / "bank-5-node.json", "welfare-aid development kit"))
    joined_id = _enode_id(_decrypt(kit / "keys" / "bank-5-node.json", "welfare-aid development kit"))
    assert output.count("qbft_proposeValidatorVote") == BANKS  # each existing validator proposes
    assert f'"params": ["{joined}", true]' in output
    assert "at least 3 of the 4 current validators" in output
    assert (kit / "genesis.json").read_bytes() == genesis  # validators join by vote, not by genesis
    for name in [*NAMES, "bank-5"]:
        permissions = tomllib.loads((kit / "nodes" / name / "permissions_config.toml").read_text())
        assert any(joined_id in enode for enode in permissions["nodes-allowlist"])
        assert (kit / "nodes" / name / "genesis.json").read_bytes() == genesis
    assert any(joined_id in enode for enode in _json(kit / "nodes" / "bank-1" / "static-nodes.json"))
    compose = yaml.safe_load((kit / "docker-compose.yml").read_text())
    assert sorted(compose["services"]) == [*NAMES, "bank-5"]

    leaving = _json(kit / "network.json")["banks"][1]
    output = run_cli("consortium", "remove-bank", "--kit", str(kit), "--name", "bank-2")
    assert f'"params": ["{leaving["validator"]}", false]' in output
    assert "at least 3 of the 5 current validators" in output
    for name in ["bank-1", "bank-3", "bank-4", "bank-5"]:
        permissions = tomllib.loads((kit / "nodes" / name / "permissions_config.toml").read_text())
        assert not any(leaving["node_id"] in enode for enode in permissions["nodes-allowlist"])
        assert leaving["account"] not in permissions["accounts-allowlist"]
    assert (kit / "genesis.json").read_bytes() == genesis

    with pytest.raises(KitInvalid, match="is or was in this consortium"):
        add_bank(kit, "bank-2", "welfare-aid development kit", scrypt_n=FAST_SCRYPT)
    with pytest.raises(KitInvalid, match="no bank named"):
        remove_bank(kit, "bank-9")


def test_the_compose_schema_check_does_refuse_a_malformed_compose_file(kit: GeneratedKit) -> None:
    compose = yaml.safe_load((kit.path / "docker-compose.yml").read_text())
    compose["services"]["bank-1"]["imag"] = compose["services"]["bank-1"].pop("image")
    with pytest.raises(jsonschema.ValidationError, match="imag"):
        _compose_validator().validate(compose)


def test_a_validator_key_is_rotated_by_removing_the_old_address_and_adding_the_new(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    run_cli(*init_args(kit, "--dev-password"))
    genesis = (kit / "genesis.json").read_bytes()
    old = _json(kit / "network.json")["banks"][2]
    old_key = _decrypt(kit / "keys" / "bank-3-node.json", "welfare-aid development kit")
    with pytest.raises(KeystoreError, match="wrong password"):
        rotate_node_key(kit, "bank-3", "not the password", scrypt_n=FAST_SCRYPT)
    assert _json(kit / "network.json")["banks"][2] == old  # a refused rotation changes nothing

    output = run_cli(
        "consortium", "rotate-node-key", "--kit", str(kit), "--bank", "bank-3", "--dev-password",
        "--scrypt-n", str(FAST_SCRYPT),
    )  # fmt: skip
    new_key = _decrypt(kit / "keys" / "bank-3-node.json", "welfare-aid development kit")
    retired = _decrypt(kit / "keys" / "bank-3-node-retired-1.json", "welfare-aid development kit")
    assert retired == old_key != new_key
    new = _json(kit / "network.json")["banks"][2]
    assert (new["validator"], new["node_id"]) == (_address(new_key), _enode_id(new_key))
    assert new["account"] == old["account"]  # the bank's account does not change
    remove_old = f'"params": ["{old["validator"]}", false]'
    add_new = f'"params": ["{new["validator"]}", true]'
    assert output.count(remove_old) == BANKS - 1
    assert output.count(add_new) == BANKS - 1
    assert output.index(remove_old) < output.index(add_new)  # remove first: the others stay a quorum
    assert "step 1 needs 3 of the 4 current validators" in output
    for name in NAMES:
        permissions = tomllib.loads((kit / "nodes" / name / "permissions_config.toml").read_text())
        assert any(new["node_id"] in enode for enode in permissions["nodes-allowlist"])
        assert not any(old["node_id"] in enode for enode in permissions["nodes-allowlist"])
    assert (kit / "genesis.json").read_bytes() == genesis


def test_once_on_chain_permissioning_is_recorded_every_node_including_a_new_one_gets_its_config(
    tmp_path: Path,
) -> None:
    kit = tmp_path / "kit"
    run_cli(*init_args(kit, "--dev-password"))
    consortium = "0x" + "ab" * 20
    record = {"accountsContract": consortium, "nodesContract": consortium, "nodesContractVersion": 2}
    (kit / "deployment.json").write_text(json.dumps({"chainId": CHAIN_ID, "besuPermissioning": record}))
    add_bank(kit, "bank-5", "welfare-aid development kit", scrypt_n=FAST_SCRYPT)
    for name in [*NAMES, "bank-5"]:
        config = tomllib.loads((kit / "nodes" / name / "config.onchain.toml").read_text())
        assert config["permissions-accounts-contract-address"] == consortium
        assert config["permissions-nodes-contract-address"] == consortium
        assert config["permissions-nodes-contract-version"] == 2
        assert config["rpc-http-host"] == "127.0.0.1"


def test_show_prints_every_bank_account_and_validator_address_whole_on_a_narrow_output(
    kit: GeneratedKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # a pipe or a small terminal: rich lays the table out in 80 columns
    output = run_cli("consortium", "show", "--kit", str(kit.path))
    network = _json(kit.path / "network.json")
    for bank in network["banks"]:
        row = next(line for line in output.splitlines() if f" {bank['name']} " in line and "0x" in line)
        assert bank["account"] in row, row
        assert bank["validator"] in row, row
