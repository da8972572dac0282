"""chain_client/keys.py: one encrypted keystore per organisation account."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from chain_client import Keystore, KeystoreError

FAST_SCRYPT = 2**10  # the production default (2**18) is deliberately slow


@pytest.fixture
def keystore(tmp_path: Path) -> Keystore:
    return Keystore(tmp_path / "keys", scrypt_n=FAST_SCRYPT)


def test_a_created_key_loads_with_its_password(keystore: Keystore) -> None:
    account = keystore.create("charity-a", "correct horse")
    loaded = keystore.load("charity-a", "correct horse")
    assert loaded.address == account.address
    assert loaded.key == account.key
    assert keystore.address_of("charity-a") == account.address
    assert keystore.names() == ["charity-a"]


def test_the_key_file_is_encrypted_and_private(keystore: Keystore) -> None:
    account = keystore.create("bank-1", "s3cret")
    path = keystore.directory / "bank-1.json"
    assert account.key.hex() not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_wrong_password_is_refused(keystore: Keystore) -> None:
    keystore.create("bank-1", "s3cret")
    with pytest.raises(KeystoreError, match="wrong password"):
        keystore.load("bank-1", "guess")


def test_an_existing_key_is_never_overwritten(keystore: Keystore) -> None:
    first = keystore.create("bank-1", "s3cret")
    with pytest.raises(KeystoreError, match="already exists"):
        keystore.create("bank-1", "other")
    assert keystore.load("bank-1", "s3cret").address == first.address


@pytest.mark.parametrize("name", ["", "../escape", "UPPER", "a" * 65, "sp ace"])
def test_bad_names_are_refused(keystore: Keystore, name: str) -> None:
    with pytest.raises(KeystoreError, match="invalid key name"):
        keystore.create(name, "pw")


def test_missing_keys_and_empty_passwords_are_refused(keystore: Keystore) -> None:
    with pytest.raises(KeystoreError, match="no key named"):
        keystore.load("nobody", "pw")
    with pytest.raises(KeystoreError, match="must not be empty"):
        keystore.create("someone", "")


def test_an_existing_private_key_is_imported(keystore: Keystore) -> None:
    imported = keystore.import_key("oracle-1", b"\x05" * 32, "pw")
    assert keystore.load("oracle-1", "pw").address == imported.address
