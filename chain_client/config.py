"""The product's settings: one pydantic-settings root, one data directory, a section per package.

Every process of the ledger (the node, the API, the oracle and chain CLIs, the benchmarks) reads the
same :class:`Settings` with :func:`load_settings`. Environment variables override it, with the prefix
``LEDGER_`` and ``__`` between a section and its field: ``LEDGER_DATA_DIR=/srv/ledger``,
``LEDGER_CHAIN__BACKEND=jsonrpc``, ``LEDGER_CHAIN__RPC_URL=http://10.0.0.5:8545``,
``LEDGER_ORACLE__THRESHOLD=3``. Every path derives from ``data_dir``, so moving it moves the chain,
the keystores, the documents, the order deliveries and the feeds together.

The schemas of every section live here, in the package every other one builds on, so that the root can
hold them all without an import cycle; each package takes its own section (``settings.chain``,
``settings.oracle``, ...). The defaults run the embedded chain under ``./var`` with public development
keys; a real deployment sets its own keys and, for a shared node, ``LEDGER_CHAIN__BACKEND`` and
``LEDGER_CHAIN__RPC_URL``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from eth_utils import keccak
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
"""Development only: the first key of the public test mnemonic, funded by anvil and by our genesis."""

DEV_ORACLE_KEYS = tuple(
    SecretStr("0x" + keccak(text=f"welfare-aid-ledger dev oracle {i}").hex()) for i in range(3)
)
"""Development only: three oracle operators' keys."""

DEV_BANK_KEY = SecretStr("0x" + keccak(text="welfare-aid-ledger dev bank").hex())
"""Development only: the bank that attests credit grades."""

DEV_DOCUMENT_KEY = "00" * 32
"""Development only: the AES-256 key of the document store."""

DEV_IDENTITY_SALT = SecretStr(keccak(text="welfare-aid-ledger dev identity salt").hex())
"""Development only: the salt of applicants' identity hashes, shared by the platform and the banks."""

DEFAULT_DATA_DIR = Path("var")


class Section(BaseModel):
    """A package's part of the settings; its paths derive from the root's ``data_dir``."""

    model_config = ConfigDict(extra="forbid")

    _data_dir: Path = PrivateAttr(default=DEFAULT_DATA_DIR)

    @property
    def data_dir(self) -> Path:
        """The one data directory of the whole product (``LEDGER_DATA_DIR``)."""
        return self._data_dir


class ChainSettings(Section):
    """Where the chain is and how to reach it (``LEDGER_CHAIN__*``)."""

    backend: Literal["embedded", "jsonrpc"] = "embedded"
    rpc_url: str = Field("http://127.0.0.1:8545", description="node URL for the jsonrpc backend")
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


class OracleSettings(Section):
    """The registry oracles and the bank feed (``LEDGER_ORACLE__*``)."""

    oracle_keys: list[SecretStr] = Field(default_factory=lambda: list(DEV_ORACLE_KEYS))
    bank_key: SecretStr = DEV_BANK_KEY
    threshold: int = Field(2, ge=1, le=255)
    ttl_seconds: int = Field(30 * 86_400, gt=0)
    recheck_interval_s: float = Field(3_600.0, gt=0)
    service_host: str = "127.0.0.1"
    service_port: int = Field(8600, ge=0, le=65535)

    @property
    def registry_file(self) -> Path:
        """The government-registry stand-in's dataset (JSON lines)."""
        return self.data_dir / "registry.jsonl"

    @property
    def record_book(self) -> Path:
        """Which registry record each oracle last attested."""
        return self.data_dir / "oracle" / "record-book.json"

    @property
    def bank_db(self) -> Path:
        """The bank-system customer feed (SQLite)."""
        return self.data_dir / "bank.db"


class DocumentSettings(Section):
    """The encrypted document store (``LEDGER_DOCUMENTS__*``)."""

    key_hex: SecretStr = Field(
        SecretStr(DEV_DOCUMENT_KEY),
        description="AES-256 key, 64 hex characters; the default is for development only",
    )

    @property
    def directory(self) -> Path:
        """Where the sealed documents are kept."""
        return self.data_dir / "documents"


class OrderSettings(Section):
    """Payment-order delivery and matching (``LEDGER_ORDERS__*``)."""

    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the delivery store; default: SQLite in the data directory"
    )
    order_ttl_seconds: int = Field(7 * 86_400, gt=0, description="default time from issue to deadline")
    matcher_interval_seconds: float = Field(0.5, gt=0, description="pause between matcher cycles when idle")
    matcher_batch: int = Field(200, gt=0, description="most settlements the matcher sends per cycle")
    key_cache_seconds: float = Field(60.0, ge=0, description="how long a party's registered key is reused")

    @property
    def delivery_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'orders.db'}"


class ApiSettings(Section):
    """The HTTP API (``LEDGER_API__*``): where it listens, its sessions and what it runs beside itself."""

    host: str = Field("127.0.0.1", description="where the API listens")
    port: int = Field(8000, ge=0, le=65535)
    public_url: str | None = Field(
        None, description="the URL users reach the API at (EIP-4361 domain and URI); default http://host:port"
    )
    session_secret: SecretStr | None = Field(
        None,
        description="HMAC key of the session tokens (32+ bytes); default: a random key per process start",
    )
    session_ttl_seconds: int = Field(900, ge=30, le=86_400, description="lifetime of a session token")
    challenge_ttl_seconds: int = Field(300, ge=10, le=3_600, description="lifetime of an EIP-4361 challenge")
    max_upload_bytes: int = Field(10 * 2**20, gt=0, description="largest certificate upload accepted")
    run_indexer: bool = Field(True, description="follow the chain into the read model in a background thread")
    run_matcher: bool = Field(True, description="settle matched payment orders in a background thread")
    matcher_key: SecretStr | None = Field(
        None, description="account that sends settlements; default: the chain operator's"
    )

    @property
    def url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def database_url(self) -> str:
        """The API's own records (which sealed document holds each application's OCR result)."""
        return f"sqlite:///{self.data_dir / 'api.db'}"


class IndexerSettings(Section):
    """The read model the indexer keeps of the chain's events (``LEDGER_INDEXER__*``)."""

    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL (sqlite:///... or postgresql+psycopg://...); default: SQLite in the data directory",
    )
    batch_blocks: int = Field(500, gt=0, le=100_000, description="most blocks read and written per batch")
    max_batches_per_cycle: int = Field(
        20, gt=0, description="batches one run_once() takes before it returns (a bounded catch-up step)"
    )
    poll_interval_seconds: float = Field(0.5, gt=0, description="pause of run_forever() when caught up")
    start_block: int = Field(0, ge=0, description="first block read into an empty read model")

    @property
    def url(self) -> str:
        """The read model's SQLAlchemy URL."""
        return self.database_url or f"sqlite:///{self.data_dir / 'indexer.db'}"


class AidSettings(Section):
    """Individual aid (``LEDGER_AID__*``): the identity salt, the invoice registry, the investigation feed."""

    identity_salt: SecretStr = Field(
        DEV_IDENTITY_SALT,
        description="hex key of the salted identity hash (HMAC-SHA256), at least 16 bytes; shared with the banks",
    )
    invoice_registry_url: str | None = Field(
        None,
        description="URL of an invoice registry service; default: the generated file in the data directory",
    )
    default_rule: str = Field(
        "every-item", description="the rule `python -m api.aid decide` applies by default"
    )

    @property
    def identity_salt_bytes(self) -> bytes:
        return bytes.fromhex(self.identity_salt.get_secret_value().removeprefix("0x"))

    @property
    def directory(self) -> Path:
        return self.data_dir / "aid"

    @property
    def invoice_registry_file(self) -> Path:
        """The medical-invoice registry stand-in (JSON lines)."""
        return self.directory / "invoices.jsonl"

    @property
    def investigation_db(self) -> Path:
        """The bank's investigation feed of applicants (SQLite)."""
        return self.directory / "investigation.db"


class Settings(BaseSettings):
    """The root: the data directory and one section per package."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(DEFAULT_DATA_DIR, description="chain, keys, documents, deliveries, feeds")
    chain: ChainSettings = Field(default_factory=ChainSettings)
    oracle: OracleSettings = Field(default_factory=OracleSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    orders: OrderSettings = Field(default_factory=OrderSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    indexer: IndexerSettings = Field(default_factory=IndexerSettings)
    aid: AidSettings = Field(default_factory=AidSettings)

    def model_post_init(self, context: object, /) -> None:
        for name in type(self).model_fields:
            section = getattr(self, name)
            if isinstance(section, Section):
                section._data_dir = self.data_dir


def load_settings(**overrides: object) -> Settings:
    """The settings from the environment (``LEDGER_*``), with ``overrides`` taking precedence."""
    return Settings(**overrides)  # type: ignore[arg-type]
