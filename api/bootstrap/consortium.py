"""Bootstrap of a new ledger's consortium: deployed contracts, members' keystores, roles, allow-list, gas.

:func:`bootstrap_consortium` is idempotent: on a ledger already bootstrapped it checks and changes nothing.
The members: the consortium admin, two banks, a regulator, a government and three registry oracles; their
public names go into the read model's directory so that answers name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import structlog
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from api.bootstrap.logins import Login, record_logins
from api.bootstrap.wallets import Wallets, development_password
from api.indexer.database import open_engine
from api.indexer.directory import Directory
from chain_client.administration import ensure_allowed, ensure_gas, ensure_role
from chain_client.client import ChainClient
from chain_client.config import Settings
from chain_client.connect import operator_account
from chain_client.contracts.consortium import BANK_ROLE, GOVERNMENT_ROLE, ORACLE_ROLE, REGULATOR_ROLE
from chain_client.deploy import Ledger, deploy_ledger, ledger_at, load_deployment, save_deployment
from chain_client.keys import Keystore

__all__ = ["MEMBERS", "Bootstrapped", "Member", "bootstrap_consortium", "open_wallets"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Member:
    login: str
    role: str
    name: str
    chain_role: bytes | None
    key: str | None
    """Where the key comes from: ``operator``, ``bank``, ``oracle:N`` (the settings), or None (generated)."""


MEMBERS: Final = (
    Member("consortium-admin", "consortium-admin", "银行联盟管理委员会", None, "operator"),
    Member("bank-a", "bank", "中国工商银行新乡分行", BANK_ROLE, "bank"),
    Member("bank-b", "bank", "中国建设银行郑州分行", BANK_ROLE, None),
    Member("regulator", "regulator", "河南省民政厅慈善监管处", REGULATOR_ROLE, None),
    Member("government", "government", "新乡市人民政府", GOVERNMENT_ROLE, None),
    Member("oracle-1", "oracle", "政务数据预言机一号", ORACLE_ROLE, "oracle:0"),
    Member("oracle-2", "oracle", "政务数据预言机二号", ORACLE_ROLE, "oracle:1"),
    Member("oracle-3", "oracle", "政务数据预言机三号", ORACLE_ROLE, "oracle:2"),
)


@dataclass(frozen=True)
class Bootstrapped:
    """A bootstrapped ledger: its contracts, the platform's wallets and the members' addresses."""

    settings: Settings
    client: ChainClient
    ledger: Ledger
    wallets: Wallets
    addresses: dict[str, ChecksumAddress]
    directory: Directory
    """The read model's directory, where the platform names the institutions it knows."""

    @property
    def admin(self) -> LocalAccount:
        return self.wallets.account("consortium-admin")


def _settings_key(settings: Settings, source: str | None) -> bytes | None:
    if source is None:
        return None
    if source == "operator":
        secret = settings.chain.operator_key
    elif source == "bank":
        secret = settings.oracle.bank_key
    else:
        secret = settings.oracle.oracle_keys[int(source.split(":")[1])]
    return bytes.fromhex(secret.get_secret_value().removeprefix("0x"))


def open_wallets(settings: Settings, password: str | None = None) -> Wallets:
    """The platform's keystores under ``<data_dir>/keys``, with the development password."""
    chain = settings.chain
    keystore = Keystore(chain.keystore_dir, scrypt_n=chain.keystore_scrypt_n)
    return Wallets(keystore, development_password(chain.keystore_dir, password))


def _ledger(settings: Settings, client: ChainClient) -> Ledger:
    addresses = load_deployment(settings.chain.deployment_path, client)
    if addresses is not None:
        return ledger_at(client, addresses)
    ledger = deploy_ledger(client, operator_account(settings.chain))
    save_deployment(settings.chain.deployment_path, client, ledger.addresses())
    log.info("ledger deployed", contracts=len(ledger.addresses()))
    return ledger


def bootstrap_consortium(
    settings: Settings, client: ChainClient, *, password: str | None = None
) -> Bootstrapped:
    """Deploy the ledger if none is recorded; create the members' keystores; grant their roles, allow-list them
    and give them gas money; name them in the directory; record their logins. Idempotent.

    ``password``: the development password for a first bootstrap (default: a new random one).
    """
    wallets = open_wallets(settings, password)
    ledger = _ledger(settings, client)
    addresses: dict[str, ChecksumAddress] = {}
    for member in MEMBERS:
        key = _settings_key(settings, member.key)
        addresses[member.login] = wallets.ensure(member.login, key)
        if key is not None:
            wallets.add_known(member.login, key)
    admin = wallets.account("consortium-admin")
    consortium = ledger.foundation.consortium
    changed = 0
    for member in MEMBERS:
        address = addresses[member.login]
        changed += ensure_gas(client, admin, address)
        changed += ensure_allowed(consortium, admin, address)
        if member.chain_role is not None:
            changed += ensure_role(consortium, admin, member.chain_role, address)
    directory = Directory(open_engine(settings.indexer.url))
    bootstrapped = Bootstrapped(settings, client, ledger, wallets, addresses, directory)
    for member in MEMBERS:
        directory.record(addresses[member.login], member.name, kind=member.role)
    record_logins(
        settings.data_dir,
        wallets.password,
        [Login(login=m.login, role=m.role, name=m.name, address=addresses[m.login]) for m in MEMBERS],
    )
    log.info("consortium bootstrapped", members=len(MEMBERS), changes=changed)
    return bootstrapped
