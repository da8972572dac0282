"""Bootstrap of the consortium (``api/bootstrap/consortium.py``) and the admin CLI (``chain_client/admin_cli.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from api.bootstrap import MEMBERS, bootstrap_consortium, read_logins
from api.indexer import Directory, open_engine
from chain_client import KeystoreError, connect
from chain_client.__main__ import app as chain_app
from chain_client.contracts import BANK_ROLE, DEFAULT_ADMIN_ROLE, REGULATOR_ROLE
from chain_client.deploy import ledger_at, load_deployment
from tests.conftest import named_account
from tests.ledger_support import TEST_PASSWORD, DemoLedger, ledger_settings


def test_the_members_hold_their_roles_keys_and_names(demo_ledger: DemoLedger) -> None:
    boot = demo_ledger.boot
    consortium = boot.ledger.foundation.consortium
    for member in MEMBERS:
        address = boot.addresses[member.login]
        assert consortium.is_allowed(address)
        role = member.chain_role if member.chain_role is not None else DEFAULT_ADMIN_ROLE
        assert consortium.has_role(role, address)
        assert demo_ledger.client.balance(address) > 0
        assert boot.directory.name_of(address) == (member.name, member.role)
    keystore = boot.wallets.keystore
    assert keystore.load("bank-b", TEST_PASSWORD).address == boot.addresses["bank-b"]
    with pytest.raises(KeystoreError, match="wrong password"):
        keystore.load("bank-b", "not the password")
    settings = demo_ledger.settings
    assert boot.addresses["oracle-1"] != boot.addresses["oracle-2"]
    assert (settings.chain.keystore_dir / "bank-b.json").stat().st_mode & 0o077 == 0
    book = read_logins(settings.data_dir)
    assert book is not None
    assert book.password == TEST_PASSWORD
    logins = {login.login: login for login in book.logins}
    assert logins["bank-a"].role == "bank"
    assert logins["donor-1"].role == "donor"
    assert logins["merchant-1"].address == keystore.address_of("merchant-1")


def test_a_second_bootstrap_changes_nothing(demo_ledger: DemoLedger) -> None:
    client = demo_ledger.client
    head = client.block_number()
    again = bootstrap_consortium(demo_ledger.settings, client, password="ignored: the kept one is used")
    assert client.block_number() == head
    assert again.addresses == demo_ledger.boot.addresses
    assert again.wallets.password == TEST_PASSWORD


@pytest.fixture
def _logging_kept() -> Iterator[None]:
    """The CLI configures logging for its process; put the test session's configuration back afterwards."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


@pytest.mark.usefixtures("_logging_kept")
def test_the_admin_cli_grants_allows_and_funds(tmp_path: Path) -> None:
    settings = ledger_settings(tmp_path)
    client = connect(settings.chain)
    bootstrap_consortium(settings, client, password=TEST_PASSWORD)
    client.close()
    env = {"LEDGER_DATA_DIR": str(tmp_path)}
    runner = CliRunner()
    newcomer = named_account("admin cli newcomer").address

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(chain_app, ["--log-level", "WARNING", "admin", *args], env=env)
        return result.exit_code, result.output

    assert run("grant-role", "regulator", newcomer) == (0, f"granted regulator to {newcomer}\n")
    assert run("grant-role", "regulator", newcomer)[1] == f"{newcomer} already holds regulator\n"
    assert run("allow", newcomer)[0] == 0
    assert run("fund", newcomer, "--ether", "2")[1] == f"sent 2.0 ether to {newcomer}\n"
    assert run("fund", newcomer, "--ether", "2")[1] == f"{newcomer} already holds enough gas money\n"
    code, _ = run("grant-role", "emperor", newcomer)
    assert code == 2
    code, _ = run("allow", "0x1234")
    assert code == 2
    # A bank may allow its customers but cannot grant roles: refused with the contract's error.
    bank_password = f"{TEST_PASSWORD}\n"
    refused = runner.invoke(
        chain_app,
        ["admin", "grant-role", "bank", newcomer, "--keystore", "bank-b"],
        env=env,
        input=bank_password,
    )
    assert refused.exit_code == 1
    assert "AccessControlUnauthorizedAccount" in refused.output

    client = connect(settings.chain)
    try:
        addresses = load_deployment(settings.chain.deployment_path, client)
        assert addresses is not None
        consortium = ledger_at(client, addresses).foundation.consortium
        assert consortium.has_role(REGULATOR_ROLE, newcomer)
        assert not consortium.has_role(BANK_ROLE, newcomer)  # the refused grant changed nothing
        assert consortium.is_allowed(newcomer)
        assert client.balance(newcomer) == 2 * 10**18
    finally:
        client.close()
    assert Directory(open_engine(settings.indexer.url)).name_of(newcomer) is None
