"""chain_client's settings: one pydantic-settings class, overridable by ``LEDGER_CHAIN_*`` variables.

The defaults run the embedded chain under ``./var`` with the well-known development operator key,
so that ``scripts/run`` works with no configuration. A real deployment sets ``LEDGER_CHAIN_BACKEND``,
``LEDGER_CHAIN_RPC_URL`` and a real operator key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
"""Development only: the first key of the public test mnemonic, funded by anvil and by our genesis."""


class ChainSettings(BaseSettings):
    """Where the chain is and how to reach it."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_CHAIN_", extra="ignore")

    backend: Literal["embedded", "jsonrpc"] = "embedded"
    rpc_url: str = Field("http://127.0.0.1:8545", description="node URL for the jsonrpc backend")
    data_dir: Path = Field(Path("var"), description="chain database, deployment record, keys, locks")
    chain_id: int = Field(1337, gt=0)
    block_gas_limit: int = Field(60_000_000, ge=1_000_000)
    operator_key: SecretStr = Field(
        SecretStr(DEV_OPERATOR_KEY), description="funded account that deploys contracts and pays for gas"
    )
    operator_balance_wei: int = Field(10**27, description="the operator's balance in the embedded genesis")
    rpc_host: str = Field("127.0.0.1", description="where the embedded node's JSON-RPC listens")
    rpc_port: int = Field(8545, ge=0, le=65535)
    receipt_timeout_s: float = Field(60.0, gt=0)
    keystore_scrypt_n: int = Field(2**18, ge=2**10, description="scrypt cost of the organisation keystores")

    @property
    def chain_db_path(self) -> Path:
        return self.data_dir / "chain" / "chain.db"

    @property
    def deployment_path(self) -> Path:
        return self.data_dir / "deployment.json"

    @property
    def keystore_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def nonce_lock_dir(self) -> Path:
        return self.data_dir / "nonce-locks"
