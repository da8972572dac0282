"""The platform's keystores of the demo ledger's organisations and donors, under one development password.

Keys the settings already name are imported, so that every command agrees on them: the operator key is the
consortium admin's (it deployed the contracts), the oracle keys are the three oracles', the oracle section's
bank key is the first bank's. Every other key is generated. The password is generated once and kept beside
the keystores (``<data_dir>/keys/development-password.txt``, owner-only); ``scripts/run`` prints it. A real
deployment gives each organisation its own password and keeps none of them on disk.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Final

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from chain_client.keys import Keystore

__all__ = ["PASSWORD_FILE", "Wallets", "development_password"]

PASSWORD_FILE: Final = "development-password.txt"  # noqa: S105 - a file name


def development_password(keystore_dir: Path, chosen: str | None = None) -> str:
    """The development password of the keystores in ``keystore_dir``: the one kept there, else ``chosen``
    (or a new random one), which is then kept."""
    path = keystore_dir / PASSWORD_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = chosen or secrets.token_urlsafe(12)
    keystore_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    return password


class Wallets:
    """Named accounts in encrypted keystores, created on first use and unlocked on demand (scrypt is slow)."""

    def __init__(self, keystore: Keystore, password: str) -> None:
        self.keystore = keystore
        self.password = password
        self._unlocked: dict[str, LocalAccount] = {}

    def ensure(self, login: str, private_key: bytes | None = None) -> ChecksumAddress:
        """The address of keystore ``login``, created (from ``private_key``, or a new key) if missing."""
        if login in self.keystore.names():
            return self.keystore.address_of(login)
        if private_key is not None:
            account = self.keystore.import_key(login, private_key, self.password)
        else:
            account = self.keystore.create(login, self.password)
        self._unlocked[login] = account
        return account.address

    def account(self, login: str) -> LocalAccount:
        """The unlocked account of keystore ``login`` (``KeystoreError`` if missing)."""
        if login not in self._unlocked:
            self._unlocked[login] = self.keystore.load(login, self.password)
        return self._unlocked[login]

    def add_known(self, login: str, private_key: bytes) -> None:
        """Keep an account whose key the settings give, without a scrypt round (it must match the keystore)."""
        account: LocalAccount = Account.from_key(private_key)
        if self.keystore.address_of(login) != account.address:
            raise ValueError(f"the keystore {login!r} holds another key than the settings give")
        self._unlocked[login] = account
