"""The contract toolchain: py-solc-x over solcjs and Hardhat compile the same bytecode, offline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version
from solcx.wrapper import get_solc_version

from chain_client.compiler import (
    Artifact,
    ArtifactNotFoundError,
    artifact_names,
    artifacts_dir,
    compile_contracts,
    load_artifact,
)

pytestmark = pytest.mark.contract

REPO_ROOT = Path(__file__).resolve().parents[2]
SOLC_WRAPPER = REPO_ROOT / "chain_client" / "solcjs" / "solc"

# The functions each contract declares itself (beyond OpenZeppelin's): every one needs a @notice.
OWN_FUNCTIONS = {
    "Consortium": {
        "BANK_ROLE()",
        "REGULATOR_ROLE()",
        "ORACLE_ROLE()",
        "GOVERNMENT_ROLE()",
        "allowAccount(address)",
        "disallowAccount(address)",
        "isAllowed(address)",
        "sponsorOf(address)",
        "supportsInterface(bytes4)",
    },
    "DepositToken": {
        "mint(address,uint256,bytes32)",
        "redeem(uint256,address,bytes32)",
        "pause()",
        "unpause()",
        "consortium()",
        "isMintReferenceUsed(address,bytes32)",
        "isRedemptionReferenceUsed(address,bytes32)",
    },
}
OWN_STORAGE = {"Consortium": "_sponsors", "DepositToken": "_mintReferences"}


@pytest.fixture(scope="module")
def artifacts() -> dict[str, Artifact]:
    compile_contracts()
    return {name: load_artifact(name) for name in artifact_names()}


@pytest.fixture(scope="module")
def hardhat_artifacts(artifacts: dict[str, Artifact]) -> dict[str, dict[str, Any]]:
    """Compile with `npx hardhat compile` and read its artifact of each contract py-solc-x compiled."""
    if shutil.which("npx") is None:
        pytest.skip("npx is not on PATH")
    result = subprocess.run(
        ["npx", "--no-install", "hardhat", "compile"],
        cwd=REPO_ROOT,
        env={**os.environ, "CI": "true"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    hardhat_dir = REPO_ROOT / ".hardhat" / "artifacts"
    return {
        name: json.loads((hardhat_dir / artifact["sourceName"] / f"{name}.json").read_text())
        for name, artifact in artifacts.items()
    }


def _signature(entry: dict[str, Any]) -> str:
    return f"{entry['name']}({','.join(param['type'] for param in entry['inputs'])})"


def test_the_wrapper_reports_its_version_like_native_solc() -> None:
    assert get_solc_version(SOLC_WRAPPER, with_commit_hash=True) == Version("0.8.30+commit.73712a01")


def test_every_deployable_contract_has_an_artifact(artifacts: dict[str, Artifact]) -> None:
    assert {"Consortium", "DepositToken"} <= set(artifacts)
    assert not any(name.startswith("I") and name[1:] in artifacts for name in artifacts)
    for name, artifact in artifacts.items():
        assert artifact["contractName"] == name
        assert artifact["sourceName"] == f"contracts/{name}.sol"


def test_hardhat_compiles_byte_identical_bytecode(
    artifacts: dict[str, Artifact], hardhat_artifacts: dict[str, dict[str, Any]]
) -> None:
    differing = [
        name
        for name, artifact in artifacts.items()
        if artifact["deployedBytecode"] != hardhat_artifacts[name]["deployedBytecode"]
        or artifact["bytecode"] != hardhat_artifacts[name]["bytecode"]
    ]
    assert differing == []
    for name, artifact in artifacts.items():
        assert artifact["abi"] == hardhat_artifacts[name]["abi"]


def test_artifacts_carry_bytecode_abi_natspec_and_storage_layout(artifacts: dict[str, Artifact]) -> None:
    for name, functions in OWN_FUNCTIONS.items():
        artifact = artifacts[name]
        for key in ("bytecode", "deployedBytecode"):
            assert artifact[key].startswith("0x")
            assert len(artifact[key]) > 2
            bytes.fromhex(artifact[key][2:])

        abi_functions = {_signature(entry) for entry in artifact["abi"] if entry["type"] == "function"}
        assert functions <= abi_functions
        notices = artifact["userdoc"]["methods"]
        assert {signature for signature in functions if "notice" not in notices.get(signature, {})} == set()
        assert artifact["userdoc"]["notice"]
        assert artifact["devdoc"]["details"]

        own_errors = {
            _signature(entry)
            for entry in artifact["abi"]
            if entry["type"] == "error" and entry["name"].startswith(name)
        }
        assert own_errors
        assert own_errors <= set(artifact["userdoc"]["errors"])
        events = {_signature(entry) for entry in artifact["abi"] if entry["type"] == "event"}
        documented_events = set(artifact["userdoc"].get("events", {})) | set(artifact["devdoc"]["events"])
        assert events <= documented_events

        labels = [slot["label"] for slot in artifact["storageLayout"]["storage"]]
        assert OWN_STORAGE[name] in labels


def test_the_manifest_digests_every_input_including_imports() -> None:
    manifest = json.loads((compile_contracts() / "manifest.json").read_text())
    assert manifest["compiler"] == "0.8.30+commit.73712a01"
    assert manifest["settings"] == {"optimizer": {"enabled": True, "runs": 200}, "evmVersion": "prague"}
    assert {
        "contracts/Consortium.sol",
        "contracts/interfaces/IDepositToken.sol",
        "@openzeppelin/contracts/token/ERC20/ERC20.sol",
    } <= set(manifest["sources"])


def test_a_second_compile_is_a_no_op(artifacts: dict[str, Artifact]) -> None:
    out = artifacts_dir()
    files = [out / "manifest.json", *(out / f"{name}.json" for name in artifacts)]
    before = [path.stat().st_mtime_ns for path in files]

    started = time.perf_counter()
    assert compile_contracts() == out
    elapsed = time.perf_counter() - started

    assert [path.stat().st_mtime_ns for path in files] == before
    assert elapsed < 1.0


def test_a_changed_digest_compiles_again(artifacts: dict[str, Artifact]) -> None:
    manifest_path = artifacts_dir() / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    stale = {**manifest, "digest": "0" * 64}
    manifest_path.write_text(json.dumps(stale))

    compile_contracts()

    assert json.loads(manifest_path.read_text())["digest"] == manifest["digest"]
    assert load_artifact("DepositToken")["deployedBytecode"] == artifacts["DepositToken"]["deployedBytecode"]


@pytest.mark.parametrize("name", ["IConsortium", "NoSuchContract", "../manifest", "manifest"])
def test_loading_an_unknown_artifact_names_what_exists(name: str) -> None:
    with pytest.raises(ArtifactNotFoundError) as caught:
        load_artifact(name)
    assert caught.value.name == name
    assert "Consortium" in caught.value.available
