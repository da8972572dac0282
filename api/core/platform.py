"""The platform the routes act through: one chain client, the ledger's wrappers and the off-chain stores.

A :class:`Platform` is built once per process (:meth:`Platform.open` from the settings: ``connect()`` to
the configured chain, the recorded deployment, the keystores, the document and delivery stores) and handed
to the app factory; tests build one over an in-process embedded chain and inject it. Routes reach it only
through the dependencies in :mod:`api.deps`.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from eth_account import Account
from eth_account.signers.local import LocalAccount

from api.core.applications import ApplicationRecords
from api.core.roles import RoleReader
from api.core.security import SessionManager
from api.documents.store import DocumentStore
from api.indexer import ReadModel, open_indexer, open_read_model
from api.orders.delivery import DeliveryStore, open_delivery_store
from api.orders.issuance import OrderIssuer
from api.orders.matcher import OrderMatcher
from chain_client.client import ChainClient
from chain_client.config import Settings
from chain_client.connect import connect, operator_account
from chain_client.deploy import Ledger, ledger_at, load_deployment
from chain_client.errors import ChainClientError
from chain_client.keys import Keystore
from oracle.publisher import AttestationPublisher, OracleOperator, RecordBook
from oracle.registry.adapters import FileRegistryAdapter, HttpRegistryAdapter, RegistryAdapter
from oracle.registry.dataset import ensure_registry


class LedgerNotDeployed(ChainClientError):
    """The chain has no recorded deployment of the ledger's contracts."""


class BackgroundLoop(Protocol):
    """A service loop (the indexer, the order matcher): ``run_forever(stop)`` until ``stop`` is set."""

    def run_forever(self, stop: threading.Event | None = None) -> None: ...


@dataclass(frozen=True)
class TokenInfo:
    symbol: str
    decimals: int


@dataclass
class Platform:
    """Everything a request may need, shared by all requests of the process (thread-safe parts only)."""

    settings: Settings
    client: ChainClient
    ledger: Ledger
    keystore: Keystore
    documents: DocumentStore
    deliveries: DeliveryStore
    applications: ApplicationRecords
    sessions: SessionManager
    roles: RoleReader
    registry_source: RegistryAdapter
    oracles: tuple[LocalAccount, ...]
    record_book: RecordBook
    matcher_account: LocalAccount
    read_model: ReadModel | None = None
    """The indexer's read model, when this process has one (list, search and verify routes need it)."""
    background: list[BackgroundLoop] = field(default_factory=list)
    _issuers: dict[str, OrderIssuer] = field(default_factory=dict)
    _money: TokenInfo | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(
        cls,
        settings: Settings,
        client: ChainClient,
        ledger: Ledger,
        *,
        in_memory: bool = False,
        registry_source: RegistryAdapter | None = None,
        session_secret: bytes | None = None,
        clock: Callable[[], float] | None = None,
    ) -> Platform:
        """A platform over an open client and ledger; its stores live in the settings' data directory
        (``in_memory``: the delivery and application tables in memory, e.g. for tests)."""
        api = settings.api
        keystore = Keystore(settings.chain.keystore_dir, scrypt_n=settings.chain.keystore_scrypt_n)
        documents = DocumentStore.from_settings(settings.documents)
        secret = session_secret or (
            api.session_secret.get_secret_value().encode() if api.session_secret else secrets.token_bytes(32)
        )
        sessions = SessionManager(
            secret=secret,
            url=api.url,
            chain_id=client.chain_id,
            keystore=keystore,
            session_ttl=api.session_ttl_seconds,
            challenge_ttl=api.challenge_ttl_seconds,
            **({"clock": clock} if clock is not None else {}),
        )
        oracles = tuple(_account(key.get_secret_value()) for key in settings.oracle.oracle_keys)
        matcher = (
            _account(api.matcher_key.get_secret_value())
            if api.matcher_key is not None
            else operator_account(settings.chain)
        )
        return cls(
            settings=settings,
            client=client,
            ledger=ledger,
            keystore=keystore,
            documents=documents,
            deliveries=open_delivery_store(None if in_memory else settings.orders.delivery_database_url),
            applications=ApplicationRecords(documents, None if in_memory else api.database_url),
            sessions=sessions,
            roles=RoleReader(client, ledger.foundation.consortium, ledger.registry),
            registry_source=registry_source
            if registry_source is not None
            else FileRegistryAdapter(ensure_registry(settings.oracle.registry_file)),
            oracles=oracles,
            record_book=RecordBook(settings.oracle.record_book),
            matcher_account=matcher,
        )

    @classmethod
    def open(cls, settings: Settings, *, client: ChainClient | None = None) -> Platform:
        """The platform of the configured chain (or of ``client``'s) and its recorded ledger, with the
        background loops the settings ask for. Raises :class:`LedgerNotDeployed`."""
        client = client or connect(settings.chain)
        addresses = load_deployment(settings.chain.deployment_path, client)
        if addresses is None:
            client.close()
            raise LedgerNotDeployed(
                f"no ledger recorded in {settings.chain.deployment_path} for chain {client.chain_id}: "
                "run `python -m api run` (it bootstraps a fresh ledger) first"
            )
        registry_source: RegistryAdapter = HttpRegistryAdapter(
            f"http://{settings.oracle.service_host}:{settings.oracle.service_port}"
        )
        platform = cls.build(settings, client, ledger_at(client, addresses), registry_source=registry_source)
        platform.read_model = open_read_model(settings)
        if settings.api.run_indexer:
            platform.background.append(open_indexer(settings, client))
        if settings.api.run_matcher:
            platform.background.append(platform.matcher())
        return platform

    # ------------------------------------------------------------------ shared helpers

    @property
    def money(self) -> TokenInfo:
        """The deposit token's symbol and decimals (read once)."""
        if self._money is None:
            token = self.ledger.foundation.deposit_token
            self._money = TokenInfo(token.symbol(), token.decimals())
        return self._money

    def issuer_for(self, bank: LocalAccount) -> OrderIssuer:
        """The order issuer of ``bank`` (kept, so that its key and charity caches are reused)."""
        with self._lock:
            issuer = self._issuers.get(bank.address)
            if issuer is None:
                issuer = OrderIssuer(
                    self.ledger.escrow,
                    self.ledger.registry,
                    self.ledger.welfare.pools,
                    bank,
                    self.deliveries,
                    ttl_seconds=self.settings.orders.order_ttl_seconds,
                    key_cache_seconds=self.settings.orders.key_cache_seconds,
                )
                self._issuers[bank.address] = issuer
            return issuer

    def publisher(self) -> AttestationPublisher:
        """The platform-run oracle operators (``LEDGER_ORACLE__ORACLE_KEYS``), each reading the registry."""
        operators = [OracleOperator(oracle, self.registry_source) for oracle in self.oracles]
        return AttestationPublisher(
            self.ledger.registry,
            operators,
            self.oracles[0],
            book=self.record_book,
            ttl_seconds=self.settings.oracle.ttl_seconds,
        )

    def matcher(self) -> OrderMatcher:
        return OrderMatcher(
            self.ledger.escrow,
            self.deliveries,
            self.matcher_account,
            batch=self.settings.orders.matcher_batch,
            interval_seconds=self.settings.orders.matcher_interval_seconds,
        )

    def close(self) -> None:
        close = getattr(self.registry_source, "close", None)
        if callable(close):
            close()
        self.client.close()


def _account(key: str) -> LocalAccount:
    account: LocalAccount = Account.from_key(key)
    return account


__all__ = ["LedgerNotDeployed", "Platform", "TokenInfo", "ledger_at"]
