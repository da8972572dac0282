"""Organisation keys: one encrypted eth-account keystore (V3 JSON) per organisation account.

Private keys never sit on disk in the clear: each is a keystore file encrypted with the
organisation's password (scrypt), readable only by the owner (mode 0600).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client.errors import KeystoreError

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class Keystore:
    """A directory of encrypted keystores, one per named organisation account."""

    def __init__(self, directory: Path, *, scrypt_n: int = 2**18) -> None:
        self.directory = directory
        self._scrypt_n = scrypt_n

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise KeystoreError(f"invalid key name {name!r}: use 1-64 of a-z, 0-9, '-' and '_'")
        return self.directory / f"{name}.json"

    def create(self, name: str, password: str) -> LocalAccount:
        """Generate a new key for ``name`` and store it encrypted."""
        account: LocalAccount = Account.create()
        self._write(name, bytes(account.key), password)
        return account

    def import_key(self, name: str, private_key: bytes, password: str) -> LocalAccount:
        """Store an existing private key under ``name``."""
        account: LocalAccount = Account.from_key(private_key)
        self._write(name, private_key, password)
        return account

    def _write(self, name: str, private_key: bytes, password: str) -> None:
        if not password:
            raise KeystoreError("a keystore password must not be empty")
        path = self._path(name)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        encrypted = Account.encrypt(private_key, password, kdf="scrypt", iterations=self._scrypt_n)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise KeystoreError(f"a key named {name!r} already exists in {self.directory}") from None
        with os.fdopen(descriptor, "w") as handle:
            json.dump(encrypted, handle)

    def load(self, name: str, password: str) -> LocalAccount:
        """Decrypt ``name``'s key; a wrong password raises ``KeystoreError``."""
        path = self._path(name)
        try:
            encrypted = json.loads(path.read_text())
        except FileNotFoundError:
            raise KeystoreError(f"no key named {name!r} in {self.directory}") from None
        try:
            private_key = Account.decrypt(encrypted, password)
        except ValueError:
            raise KeystoreError(f"wrong password for key {name!r}") from None
        account: LocalAccount = Account.from_key(private_key)
        return account

    def address_of(self, name: str) -> ChecksumAddress:
        """The account address of ``name``, read without the password."""
        path = self._path(name)
        try:
            return to_checksum_address(json.loads(path.read_text())["address"])
        except FileNotFoundError:
            raise KeystoreError(f"no key named {name!r} in {self.directory}") from None

    def names(self) -> list[str]:
        if not self.directory.exists():
            return []
        return sorted(path.stem for path in self.directory.glob("*.json"))
