"""contracts/WelfareAssets.sol: typed ERC-1155 points, rights and virtual resources of banks and merchants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_utils import keccak

from chain_client import ContractReverted
from chain_client.contracts import AssetId, AssetKind
from tests.conftest import Accounts
from tests.pools_support import CAST, ZERO32, World

pytestmark = pytest.mark.contract

TERMS = keccak(text="service-hours terms")
REF = keccak(text="issue ref")


def _reverts(call: Callable[[], Any], name: str, *args: object) -> None:
    with pytest.raises(ContractReverted) as raised:
        call()
    assert raised.value.error_name == name
    assert raised.value.args == args


def test_an_asset_id_says_its_kind_issuer_and_serial(world: World, accounts: Accounts) -> None:
    assets = world.welfare.assets
    asset_id, result = assets.define_asset(accounts.supplier, AssetKind.SERVICE_HOURS, TERMS)
    defined = result.event("AssetDefined")
    assert (defined["issuer"], defined["kind"], defined["termsDigest"]) == (
        accounts.supplier.address,
        AssetKind.SERVICE_HOURS,
        TERMS,
    )
    parsed = AssetId.parse(asset_id)
    # The world's Points asset was the supplier's first; this is its second.
    assert parsed == AssetId(AssetKind.SERVICE_HOURS, accounts.supplier.address, 2)
    assert parsed.value == asset_id
    assert assets.asset_id_of(AssetKind.SERVICE_HOURS, accounts.supplier.address, 2) == asset_id
    assert assets.kind_of(asset_id) == AssetKind.SERVICE_HOURS
    assert assets.issuer_of(asset_id) == accounts.supplier.address
    assert assets.is_defined(asset_id)
    assert assets.terms_of(asset_id) == TERMS
    assert not assets.is_defined(asset_id + 1)


def test_the_issuer_issues_and_the_holder_redeems(world: World, accounts: Accounts) -> None:
    assets = world.welfare.assets
    issued = assets.issue(accounts.supplier, world.points, accounts.alice.address, 500, REF)
    event = issued.event("AssetIssued")
    assert (event["assetId"], event["to"], event["amount"], event["ref"]) == (
        world.points,
        accounts.alice.address,
        500,
        REF,
    )
    minted = issued.event("TransferSingle")
    assert (minted["from"], minted["to"], minted["value"]) == ("0x" + "00" * 20, accounts.alice.address, 500)
    redeemed = assets.redeem(accounts.alice, world.points, 200, REF).event("AssetRedeemed")
    assert (redeemed["holder"], redeemed["amount"]) == (accounts.alice.address, 200)
    assert assets.balance_of(accounts.alice.address, world.points) == 300


def test_holders_transfer_freely(world: World, accounts: Accounts) -> None:
    assets = world.welfare.assets
    assets.issue(accounts.bank, world.vouchers, accounts.alice.address, 3, REF)
    assets.safe_transfer_from(
        accounts.alice, accounts.alice.address, accounts.carol.address, world.vouchers, 1
    )
    assert assets.balance_of(accounts.carol.address, world.vouchers) == 1


def test_only_banks_and_active_merchants_define_assets(world: World, accounts: Accounts) -> None:
    assets = world.welfare.assets
    for account in (accounts.alice, accounts.charity, CAST.local_government):
        _reverts(
            lambda account=account: assets.define_asset(account, AssetKind.POINTS, TERMS),
            "WelfareAssetsIssuerNotEligible",
            account.address,
        )
    world.registry.suspend(accounts.regulator, accounts.supplier.address, keccak(text="FRAUD"))
    _reverts(
        lambda: assets.define_asset(accounts.supplier, AssetKind.POINTS, TERMS),
        "WelfareAssetsIssuerNotEligible",
        accounts.supplier.address,
    )
    _reverts(
        lambda: assets.issue(accounts.supplier, world.points, accounts.alice.address, 1, REF),
        "WelfareAssetsIssuerNotEligible",
        accounts.supplier.address,
    )
    assert assets.balance_of(accounts.alice.address, world.points) == 0


def test_a_definition_needs_a_kind_and_terms(world: World, accounts: Accounts) -> None:
    assets = world.welfare.assets
    _reverts(lambda: assets.define_asset(accounts.bank, AssetKind.NONE, TERMS), "WelfareAssetsKindInvalid")
    _reverts(
        lambda: assets.define_asset(accounts.bank, AssetKind.POINTS, ZERO32), "WelfareAssetsTermsMissing"
    )


def test_only_the_issuer_issues_a_defined_asset_in_a_positive_amount(
    world: World, accounts: Accounts
) -> None:
    assets = world.welfare.assets
    _reverts(
        lambda: assets.issue(accounts.bank, world.points, accounts.alice.address, 1, REF),
        "WelfareAssetsNotIssuer",
        world.points,
        accounts.bank.address,
    )
    unknown = world.points + 100
    _reverts(
        lambda: assets.issue(accounts.supplier, unknown, accounts.alice.address, 1, REF),
        "WelfareAssetsUnknownAsset",
        unknown,
    )
    _reverts(
        lambda: assets.issue(accounts.supplier, world.points, accounts.alice.address, 0, REF),
        "WelfareAssetsZeroAmount",
    )
    _reverts(lambda: assets.redeem(accounts.alice, world.points, 0, REF), "WelfareAssetsZeroAmount")
    _reverts(
        lambda: assets.redeem(accounts.alice, world.points, 1, REF),
        "ERC1155InsufficientBalance",
        accounts.alice.address,
        0,
        1,
        world.points,
    )
    assert assets.balance_of(accounts.alice.address, world.points) == 0


def test_deploying_without_a_consortium_or_registry_reverts(world: World, accounts: Accounts) -> None:
    zero = "0x" + "00" * 20
    with pytest.raises(ContractReverted) as raised:
        world.client.deploy("WelfareAssets", accounts.admin, zero, world.registry.address, "")
    assert raised.value.error_name == "WelfareAssetsZeroAddress"
