"""A 4-bank consortium kit, generated once per session through the command line as an operator would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from chain_client.__main__ import app

PASSWORD = "kit password for tests"
FAST_SCRYPT = 2**10  # the production default (2**18) is deliberately slow
BANKS = 4
CHAIN_ID = 4242


@dataclass(frozen=True)
class GeneratedKit:
    path: Path
    password: str


def run_cli(*args: str, input_text: str | None = None) -> str:
    """Run ``python -m chain_client ARGS`` in-process; return its output, failing on a non-zero exit."""
    logging_before = structlog.get_config()  # the command points logging at the runner's own stderr
    try:
        result = CliRunner().invoke(app, list(args), input=input_text, catch_exceptions=False)
    finally:
        structlog.configure(**logging_before)
    assert result.exit_code == 0, result.output
    return result.output


def init_args(out: Path, *extra: str) -> list[str]:
    return [
        "consortium",
        "init",
        "--banks",
        str(BANKS),
        "--out",
        str(out),
        "--chain-id",
        str(CHAIN_ID),
        "--block-period",
        "3",
        "--epoch-length",
        "1000",
        "--request-timeout",
        "6",
        "--scrypt-n",
        str(FAST_SCRYPT),
        *extra,
    ]


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> GeneratedKit:
    out = tmp_path_factory.mktemp("consortium") / "kit"
    run_cli(*init_args(out), input_text=f"{PASSWORD}\n{PASSWORD}\n")
    return GeneratedKit(out, PASSWORD)
