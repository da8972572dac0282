"""Compile the Solidity contracts offline and keep one JSON artifact per deployable contract.

No native ``solc`` can be downloaded on our machines, so the compiler is solcjs (the WebAssembly build
in ``node_modules/solc``) behind ``chain_client/solcjs/solc``, a small script that answers py-solc-x's
``--version`` and ``--standard-json`` like a native binary. Hardhat (``hardhat.config.js``) compiles
the same sources, under the same source unit names, with the same compiler and settings, so both
produce the same bytecode, metadata hash included; ``tests/contracts/test_toolchain.py`` checks it.

Every source (ours and the OpenZeppelin files they import) is given to the compiler by content, so the
digest of the inputs kept in ``manifest.json`` covers everything that can change the output. When the
digest has not changed, :func:`compile_contracts` returns at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, TypedDict, cast

import solcx
import structlog
from filelock import FileLock
from solcx.exceptions import SolcError

from chain_client.errors import ChainClientError

__all__ = [
    "SOLC_SETTINGS",
    "Artifact",
    "ArtifactNotFoundError",
    "CompilationError",
    "CompilerError",
    "artifact_names",
    "artifacts_dir",
    "compile_contracts",
    "load_artifact",
]

logger = structlog.get_logger(__name__)

_PACKAGE_DIR: Final = Path(__file__).resolve().parent
_REPO_ROOT: Final = _PACKAGE_DIR.parent
_CONTRACTS_DIR: Final = _REPO_ROOT / "contracts"
_NODE_MODULES: Final = _REPO_ROOT / "node_modules"
_SOLC_WRAPPER: Final = _PACKAGE_DIR / "solcjs" / "solc"
_SOLJSON: Final = _NODE_MODULES / "solc" / "soljson.js"
_MANIFEST: Final = "manifest.json"
_LOCK: Final = ".compile.lock"

# Bump when the artifact layout changes, so that old artifacts are rebuilt.
_ARTIFACT_FORMAT: Final = 1

#: Compiler settings that reach the bytecode; hardhat.config.js must use the same ones.
SOLC_SETTINGS: Final[Mapping[str, Any]] = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "prague",
}

_OUTPUTS: Final = (
    "abi",
    "metadata",
    "evm.bytecode.object",
    "evm.deployedBytecode.object",
    "storageLayout",
    "userdoc",
    "devdoc",
)

# Interfaces (and the libraries of constants beside them) are compiled as sources, not as artifacts.
_NOT_DEPLOYED_DIRS: Final = ("contracts/interfaces/",)

_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
# import "x"; import "x" as y; import * as y from "x"; import {a, b as c} from "x";
_IMPORT = re.compile(r"""\bimport\s+(?:[^;"']*?\bfrom\s+)?["']([^"']+)["']""")


class Artifact(TypedDict):
    """One compiled contract, as written to ``chain_client/artifacts/<contractName>.json``.

    The keys are Hardhat's artifact keys; the bytecodes are 0x-prefixed hex.
    """

    contractName: str
    sourceName: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployedBytecode: str
    storageLayout: dict[str, Any]
    userdoc: dict[str, Any]
    devdoc: dict[str, Any]


class _Manifest(TypedDict):
    format: int
    digest: str
    compiler: str
    settings: dict[str, Any]
    sources: dict[str, str]
    artifacts: list[str]
    compileSeconds: float


class CompilerError(ChainClientError):
    """Base class of the errors raised while compiling or loading contract artifacts."""


class CompilationError(CompilerError):
    """The contracts could not be compiled; ``errors`` holds the compiler's error entries."""

    def __init__(self, message: str, errors: Iterable[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.errors: list[Mapping[str, Any]] = list(errors)


class ArtifactNotFoundError(CompilerError, LookupError):
    """No deployable contract of that name was compiled."""

    def __init__(self, name: str, available: Iterable[str]) -> None:
        self.name = name
        self.available = sorted(available)
        compiled = ", ".join(self.available) or "none"
        super().__init__(f"No artifact for contract {name!r}; compiled: {compiled}")


def artifacts_dir() -> Path:
    """The directory holding the artifacts and their manifest (``chain_client/artifacts``)."""
    return _PACKAGE_DIR / "artifacts"


def compile_contracts(force: bool = False) -> Path:
    """Compile every deployable contract under ``contracts/`` unless nothing changed since the last run.

    Args:
        force: compile even when the inputs' digest matches the manifest.

    Returns:
        The artifacts directory.

    Raises:
        CompilationError: the compiler reported errors, or could not be run.
    """
    out = artifacts_dir()
    out.mkdir(parents=True, exist_ok=True)
    # Test workers and services may compile at the same time: one compiles, the others then find it done.
    with FileLock(str(out / _LOCK), timeout=600):
        sources = _collect_sources()
        digest = _digest(sources)
        if not force and _is_current(out, digest):
            return out
        _compile(out, sources, digest)
    return out


def load_artifact(name: str) -> Artifact:
    """Return the artifact of the deployable contract ``name`` (e.g. ``"DepositToken"``).

    Compiles first if a source changed since the artifacts were written.

    Raises:
        ArtifactNotFoundError: no deployable contract has that name.
        CompilationError: the contracts had to be compiled and could not be.
    """
    out = compile_contracts()
    names = _artifact_names(out)
    if name not in names:
        raise ArtifactNotFoundError(name, names)
    return cast(Artifact, json.loads((out / f"{name}.json").read_text(encoding="utf-8")))


def artifact_names() -> list[str]:
    """The names of the compiled deployable contracts, sorted (compiles first if needed)."""
    return _artifact_names(compile_contracts())


def _artifact_names(out: Path) -> list[str]:
    manifest = _read_manifest(out)
    return sorted(manifest["artifacts"]) if manifest else []


def _collect_sources() -> dict[str, str]:
    """Read every ``contracts/**/*.sol`` and, transitively, what they import, keyed by source unit name.

    Source unit names are what Hardhat uses too: ``contracts/X.sol`` for ours, the npm path
    (``@openzeppelin/contracts/...``) for packages; relative imports are resolved against the
    importing unit's name.
    """
    pending = sorted(path.relative_to(_REPO_ROOT).as_posix() for path in _CONTRACTS_DIR.rglob("*.sol"))
    sources: dict[str, str] = {}
    while pending:
        unit = pending.pop()
        if unit in sources:
            continue
        content = _read_source(unit)
        sources[unit] = content
        for imported in _IMPORT.findall(_COMMENT.sub("", content)):
            if imported.startswith(("./", "../")):
                imported = posixpath.normpath(posixpath.join(posixpath.dirname(unit), imported))
            pending.append(imported)
    return dict(sorted(sources.items()))


def _read_source(unit: str) -> str:
    for root in (_REPO_ROOT, _NODE_MODULES):
        path = root / unit
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise CompilationError(f"Source {unit!r} not found under {_REPO_ROOT} or {_NODE_MODULES}")


def _compiler_identity() -> str:
    if not _SOLJSON.is_file():
        raise CompilationError(f"solcjs not found at {_SOLJSON}: run `npm install`")
    return hashlib.sha256(_SOLJSON.read_bytes()).hexdigest()


def _digest(sources: Mapping[str, str]) -> str:
    inputs = {
        "format": _ARTIFACT_FORMAT,
        "compiler": _compiler_identity(),
        "wrapper": hashlib.sha256(_SOLC_WRAPPER.read_bytes()).hexdigest(),
        "settings": SOLC_SETTINGS,
        "outputs": _OUTPUTS,
        "sources": {unit: _sha256(content) for unit, content in sources.items()},
    }
    return _sha256(json.dumps(inputs, sort_keys=True, separators=(",", ":")))


def _is_current(out: Path, digest: str) -> bool:
    manifest = _read_manifest(out)
    return (
        manifest is not None
        and manifest["digest"] == digest
        and all((out / f"{name}.json").is_file() for name in manifest["artifacts"])
    )


def _read_manifest(out: Path) -> _Manifest | None:
    try:
        manifest = json.loads((out / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != _ARTIFACT_FORMAT:
        return None
    return cast(_Manifest, manifest)


def _compile(out: Path, sources: Mapping[str, str], digest: str) -> None:
    if shutil.which("node") is None:
        raise CompilationError("node is not on PATH: it runs the solcjs compiler")
    started = time.perf_counter()
    deployable = [unit for unit in sources if unit.startswith("contracts/") and not _is_interface(unit)]
    standard_input = {
        "language": "Solidity",
        "sources": {unit: {"content": content} for unit, content in sources.items()},
        "settings": {
            **SOLC_SETTINGS,
            "outputSelection": {unit: {"*": list(_OUTPUTS)} for unit in deployable},
        },
    }
    try:
        output: dict[str, Any] = solcx.compile_standard(standard_input, solc_binary=_SOLC_WRAPPER)
    except SolcError as exc:
        raise CompilationError(exc.message, exc.error_dict or ()) from exc
    _log_warnings(output.get("errors", ()))
    unexpected = sorted(set(output.get("sources", {})) - set(sources))
    if unexpected:
        # The wrapper's import callback found them, so the digest misses them: every call will compile.
        logger.warning("imports not resolved by compiler.py", sources=unexpected)

    artifacts = _artifacts(output, deployable)
    compiler = _compiler_version(output, artifacts)
    # Remove the manifest first: if we die half way, the next call compiles again.
    (out / _MANIFEST).unlink(missing_ok=True)
    for artifact in artifacts.values():
        _write_json(out / f"{artifact['contractName']}.json", artifact)
    for stale in out.glob("*.json"):
        if stale.name != _MANIFEST and stale.stem not in artifacts:
            stale.unlink()
    elapsed = round(time.perf_counter() - started, 3)
    manifest: _Manifest = {
        "format": _ARTIFACT_FORMAT,
        "digest": digest,
        "compiler": compiler,
        "settings": dict(SOLC_SETTINGS),
        "sources": {unit: _sha256(content) for unit, content in sources.items()},
        "artifacts": sorted(artifacts),
        "compileSeconds": elapsed,
    }
    _write_json(out / _MANIFEST, manifest)
    logger.info("contracts compiled", contracts=sorted(artifacts), seconds=elapsed, compiler=compiler)


def _artifacts(output: Mapping[str, Any], deployable: Iterable[str]) -> dict[str, Artifact]:
    artifacts: dict[str, Artifact] = {}
    compiled = output.get("contracts", {})
    for unit in deployable:
        for name, contract in compiled.get(unit, {}).items():
            evm = contract["evm"]
            deployed = evm["deployedBytecode"]["object"]
            if not deployed:  # abstract contract
                continue
            if name in artifacts:
                raise CompilationError(
                    f"Contract name {name!r} is used in {artifacts[name]['sourceName']} and {unit}"
                )
            artifacts[name] = {
                "contractName": name,
                "sourceName": unit,
                "abi": contract["abi"],
                "bytecode": "0x" + evm["bytecode"]["object"],
                "deployedBytecode": "0x" + deployed,
                "storageLayout": contract["storageLayout"],
                "userdoc": contract["userdoc"],
                "devdoc": contract["devdoc"],
            }
    return artifacts


def _compiler_version(output: Mapping[str, Any], artifacts: Mapping[str, Artifact]) -> str:
    artifact = next(iter(artifacts.values()), None)
    if artifact is None:
        return "unknown"
    contract = output["contracts"][artifact["sourceName"]][artifact["contractName"]]
    return str(json.loads(contract["metadata"])["compiler"]["version"])


def _log_warnings(entries: Iterable[Mapping[str, Any]]) -> None:
    for entry in entries:
        if entry.get("severity") != "error":
            logger.warning("solc " + str(entry.get("severity")), message=entry.get("formattedMessage"))


def _is_interface(unit: str) -> bool:
    return unit.startswith(_NOT_DEPLOYED_DIRS)


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write atomically, so that a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp creates 0600; artifacts are for everyone to read
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=False)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
