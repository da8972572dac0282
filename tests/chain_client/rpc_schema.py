"""The execution-apis specification (vendored in ``tests/chain_client/execution_apis/``) as a validator of
JSON-RPC answers: each method's ``result`` schema, with ``#/components/schemas/...`` references resolved
against the specification's own schema files."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

SPEC_DIR = Path(__file__).resolve().parent / "execution_apis"


@cache
def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for path in sorted((SPEC_DIR / "schemas").glob("*.yaml")):
        schemas.update(yaml.safe_load(path.read_text()))
    # The specification's FilterResults is ``oneOf`` an array of hashes and an array of logs, so an empty
    # array (valid under both) would fail it; what it means is ``anyOf``.
    schemas["FilterResults"] = {**schemas["FilterResults"], "anyOf": schemas["FilterResults"]["oneOf"]}
    del schemas["FilterResults"]["oneOf"]
    return schemas


@cache
def spec_methods() -> dict[str, dict[str, Any]]:
    """Every method the vendored specification describes, by name."""
    methods: dict[str, dict[str, Any]] = {}
    for path in sorted((SPEC_DIR / "eth").glob("*.yaml")):
        for method in yaml.safe_load(path.read_text()):
            methods[method["name"]] = method
    return methods


@cache
def _validator(method: str) -> Draft202012Validator:
    schema = dict(spec_methods()[method]["result"]["schema"])
    schema["components"] = {"schemas": _components()}  # where the '#/components/schemas/X' refs point
    return Draft202012Validator(schema)


def schema_errors(method: str, result: Any) -> list[str]:
    """What is wrong with ``result`` as the answer to ``method`` (empty when it conforms)."""
    return [
        f"{method}: {'/'.join(str(part) for part in error.absolute_path)}: {error.message[:300]}"
        for error in _validator(method).iter_errors(result)
    ]
