"""The oracle's settings (``LEDGER_ORACLE_*``), with development defaults for the embedded chain."""

from __future__ import annotations

from pathlib import Path

from eth_utils import keccak
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_ORACLE_KEYS = tuple(
    SecretStr("0x" + keccak(text=f"welfare-aid-ledger dev oracle {i}").hex()) for i in range(3)
)
"""Development only: three oracle operators' keys."""
DEV_BANK_KEY = SecretStr("0x" + keccak(text="welfare-aid-ledger dev bank").hex())
"""Development only: the bank that attests credit grades."""


class OracleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_ORACLE_", extra="ignore")

    oracle_keys: list[SecretStr] = Field(default_factory=lambda: list(DEV_ORACLE_KEYS))
    bank_key: SecretStr = DEV_BANK_KEY
    threshold: int = Field(2, ge=1, le=255)
    ttl_seconds: int = Field(30 * 86_400, gt=0)
    registry_file: Path = Path("var/registry.jsonl")
    record_book: Path = Path("var/oracle/record-book.json")
    bank_db: Path = Path("var/bank.db")
    recheck_interval_s: float = Field(3_600.0, gt=0)
    service_host: str = "127.0.0.1"
    service_port: int = Field(8600, ge=0, le=65535)
