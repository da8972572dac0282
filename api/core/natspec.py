"""The contracts' NatSpec ``@notice`` texts, read from the compiled artifacts, for route docs and errors.

solc puts the user documentation of every external function and custom error in the artifact's
``userdoc`` (``methods``: ``"launchPlan((bytes32,...))": {"notice": ...}``; ``errors``: a list per
signature). Routes quote the notice of the function they call (:func:`notice`), and the error handler
quotes the notice of the custom error a revert named (:func:`error_notice`).
"""

from __future__ import annotations

from functools import cache

from chain_client.compiler import ArtifactNotFoundError, artifact_names, load_artifact


@cache
def _methods(contract: str) -> dict[str, str]:
    try:
        userdoc = load_artifact(contract)["userdoc"]
    except ArtifactNotFoundError:
        return {}
    found: dict[str, str] = {}
    for signature, doc in userdoc.get("methods", {}).items():
        if isinstance(doc, dict) and "notice" in doc:
            found.setdefault(signature.split("(", 1)[0], str(doc["notice"]))
    return found


@cache
def _errors() -> dict[str, str]:
    found: dict[str, str] = {}
    for contract in artifact_names():
        for signature, docs in load_artifact(contract)["userdoc"].get("errors", {}).items():
            for doc in docs:
                if "notice" in doc:
                    found.setdefault(signature.split("(", 1)[0], str(doc["notice"]))
    return found


@cache
def _error_inputs() -> dict[str, tuple[tuple[str, str], ...]]:
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for contract in artifact_names():
        for entry in load_artifact(contract)["abi"]:
            if entry.get("type") == "error":
                found.setdefault(
                    entry["name"],
                    tuple(
                        (str(arg["name"]), str(arg.get("internalType", arg["type"])))
                        for arg in entry["inputs"]
                    ),
                )
    return found


def error_inputs(error_name: str) -> tuple[tuple[str, str], ...]:
    """The custom error's parameters as ``(name, internalType)`` pairs (``("status", "enum PlanStatus")``), or
    ``()`` when no compiled contract declares it."""
    try:
        return _error_inputs().get(error_name, ())
    except ArtifactNotFoundError:
        return ()


def notice(contract: str, function: str) -> str:
    """The ``@notice`` of ``contract.function`` (by name, the first overload), or ``""``."""
    return _methods(contract).get(function, "")


def error_notice(error_name: str) -> str | None:
    """The ``@notice`` of the custom error ``error_name`` in any compiled contract, or None."""
    try:
        return _errors().get(error_name)
    except ArtifactNotFoundError:
        return None


def describe(text: str, *calls: tuple[str, str]) -> str:
    """A route description: ``text``, then each called contract function's notice, quoted."""
    parts = [text.strip()]
    for contract, function in calls:
        found = notice(contract, function)
        if found:
            parts.append(f"On-chain: `{contract}.{function}`: {found}")
    return "\n\n".join(parts)
