// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IConsortium} from "./IConsortium.sol";
import {IInstitutionRegistry} from "./IInstitutionRegistry.sol";

/// @notice What a welfare asset is. `None` is never a defined asset.
/// @dev Points and the two kinds of rights (vouchers, service hours) are issued by a bank or a merchant;
/// virtual resources (e.g. cloud credits, data allowances) likewise.
enum AssetKind {
    None,
    Points,
    Voucher,
    ServiceHours,
    VirtualResource
}

/// @title Welfare assets: points, rights and virtual resources as typed ERC-1155 tokens
/// @notice Banks and merchants define assets (points, vouchers, service hours, virtual resources), issue
/// them to holders and take them back on redemption. Holders donate them to a welfare pool by sending
/// them to the pools contract with the pool id as data.
/// @dev An asset id is typed: bits 255..248 hold the {AssetKind}, bits 247..88 the issuer's address and
/// bits 87..0 the issuer's serial (from 1), so the kind and the issuer of any id can be read without a
/// storage access and no id is zero (zero stands for the deposit token in the pools).
interface IWelfareAssets is IERC1155 {
    /// @notice `issuer` defined the asset `assetId` of `kind` under the terms document `termsDigest`.
    event AssetDefined(uint256 indexed assetId, address indexed issuer, AssetKind kind, bytes32 termsDigest);

    /// @notice The asset's issuer issued `amount` of `assetId` to `to` under its reference `ref`.
    event AssetIssued(uint256 indexed assetId, address indexed to, uint256 amount, bytes32 indexed ref);

    /// @notice `holder` redeemed `amount` of `assetId` with its issuer under reference `ref`.
    event AssetRedeemed(uint256 indexed assetId, address indexed holder, uint256 amount, bytes32 indexed ref);

    /// @notice `account` is neither a member bank nor an active merchant (supplier, hospital, logistics firm).
    error WelfareAssetsIssuerNotEligible(address account);

    /// @notice `AssetKind.None` cannot be defined.
    error WelfareAssetsKindInvalid();

    /// @notice The asset `assetId` was never defined.
    error WelfareAssetsUnknownAsset(uint256 assetId);

    /// @notice `account` is not the issuer of `assetId`.
    error WelfareAssetsNotIssuer(uint256 assetId, address account);

    /// @notice An asset needs the digest of its terms; zero was given.
    error WelfareAssetsTermsMissing();

    /// @notice The amount was zero.
    error WelfareAssetsZeroAmount();

    /// @notice The zero address was given for the consortium or the registry.
    error WelfareAssetsZeroAddress();

    /// @notice Defines a new asset of `kind` issued by you, under the terms document `termsDigest`.
    /// @dev Only a member bank or an active Supplier, Hospital or Logistics institution. Emits {AssetDefined}.
    /// @param kind The asset's kind.
    /// @param termsDigest Digest of the asset's terms (what a point buys, what a voucher entitles to); not zero.
    /// @return assetId The new typed id.
    function defineAsset(AssetKind kind, bytes32 termsDigest) external returns (uint256 assetId);

    /// @notice Issues `amount` of your asset `assetId` to `to`.
    /// @dev Only the asset's issuer, while still eligible. Emits {IERC1155-TransferSingle} and {AssetIssued}.
    /// @param assetId The asset.
    /// @param to The holder credited (an account, or a contract implementing IERC1155Receiver).
    /// @param amount The amount.
    /// @param ref The issuer's reference (e.g. the hash of a loyalty-programme entry).
    function issue(uint256 assetId, address to, uint256 amount, bytes32 ref) external;

    /// @notice Redeems `amount` of your holding of `assetId` with its issuer (burns it).
    /// @dev Emits {IERC1155-TransferSingle} and {AssetRedeemed}.
    /// @param assetId The asset.
    /// @param amount The amount.
    /// @param ref The reference under which the issuer honours the redemption.
    function redeem(uint256 assetId, uint256 amount, bytes32 ref) external;

    /// @notice The typed id of the `serial`-th asset of `kind` defined by `issuer`.
    /// @param kind The kind.
    /// @param issuer The issuer.
    /// @param serial The issuer's serial (from 1).
    /// @return The asset id.
    function assetIdOf(AssetKind kind, address issuer, uint88 serial) external pure returns (uint256);

    /// @notice The kind encoded in `assetId`.
    /// @param assetId The asset id.
    /// @return The kind.
    function kindOf(uint256 assetId) external pure returns (AssetKind);

    /// @notice The issuer encoded in `assetId`.
    /// @param assetId The asset id.
    /// @return The issuer.
    function issuerOf(uint256 assetId) external pure returns (address);

    /// @notice Whether `assetId` has been defined.
    /// @param assetId The asset id.
    /// @return True if defined.
    function isDefined(uint256 assetId) external view returns (bool);

    /// @notice The digest of the terms of `assetId` (zero if not defined).
    /// @param assetId The asset id.
    /// @return The terms digest.
    function termsOf(uint256 assetId) external view returns (bytes32);

    /// @notice The consortium whose banks may issue assets.
    /// @return The consortium.
    function consortium() external view returns (IConsortium);

    /// @notice The registry that says which merchants are active.
    /// @return The registry.
    function registry() external view returns (IInstitutionRegistry);
}
