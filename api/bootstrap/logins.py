"""The demo logins file: who can sign in to the demo ledger, as what (``<data_dir>/demo-logins.json``).

Written by the bootstrap (consortium members) and the demo data (institutions and donors), read by
``scripts/run`` to print them. Each login is a keystore under ``<data_dir>/keys`` whose password is the
development password; the file holds names, addresses and roles, never a private key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LOGINS_FILE", "Login", "LoginBook", "logins_path", "read_logins", "record_logins"]

LOGINS_FILE: Final = "demo-logins.json"


class Login(BaseModel):
    """One account a person can sign in as (password sign-in unlocks its keystore ``login``)."""

    model_config = ConfigDict(frozen=True)

    login: str = Field(description="the keystore name, e.g. bank-a, charity-1, donor-1")
    role: str = Field(
        description="consortium-admin, bank, regulator, government, oracle, charity, ..., donor"
    )
    name: str = Field(description="the organisation's public name, or a donor's demo label")
    address: str


class LoginBook(BaseModel):
    password: str = Field(description="the development password of every demo keystore")
    logins: list[Login]


def logins_path(data_dir: Path) -> Path:
    return data_dir / LOGINS_FILE


def read_logins(data_dir: Path) -> LoginBook | None:
    """The demo logins recorded in ``data_dir``, or None if there are none yet."""
    path = logins_path(data_dir)
    if not path.exists():
        return None
    return LoginBook.model_validate_json(path.read_text(encoding="utf-8"))


def record_logins(data_dir: Path, password: str, logins: list[Login]) -> LoginBook:
    """Add (or replace, by login name) ``logins`` in the file; readable by its owner only."""
    book = read_logins(data_dir)
    known = {login.login: login for login in (book.logins if book is not None else [])}
    known.update({login.login: login for login in logins})
    updated = LoginBook(password=password, logins=list(known.values()))
    path = logins_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(updated.model_dump(), ensure_ascii=False, indent=2) + "\n")
    partial.replace(path)
    return updated
