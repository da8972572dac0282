// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";
import {IInstitutionRegistry, InstitutionKind} from "./interfaces/IInstitutionRegistry.sol";
import {AssetKind, IWelfareAssets} from "./interfaces/IWelfareAssets.sol";

/// @title WelfareAssets
/// @notice Points, rights (vouchers, service hours) and virtual resources issued by banks and merchants,
/// as ERC-1155 tokens whose ids say what they are and who issued them.
/// @dev Issuers are member banks (consortium BANK_ROLE) or active Supplier, Hospital and Logistics
/// institutions of the registry. Transfers are unrestricted: an asset is a claim on its issuer, not money.
contract WelfareAssets is ERC1155, IWelfareAssets {
    uint256 private constant _KIND_SHIFT = 248;
    uint256 private constant _ISSUER_SHIFT = 88;

    IConsortium private immutable _consortium;
    IInstitutionRegistry private immutable _registry;

    mapping(address issuer => uint88 serial) private _lastSerials;
    mapping(uint256 assetId => bytes32 termsDigest) private _terms;

    /// @notice Creates the asset token of the banks of `consortium_` and the merchants of `registry_`.
    /// @param consortium_ The consortium whose banks may issue.
    /// @param registry_ The registry whose active merchants may issue.
    /// @param uri_ The ERC-1155 metadata URI template (`{id}` substituted by wallets).
    constructor(IConsortium consortium_, IInstitutionRegistry registry_, string memory uri_) ERC1155(uri_) {
        if (address(consortium_) == address(0) || address(registry_) == address(0)) {
            revert WelfareAssetsZeroAddress();
        }
        _consortium = consortium_;
        _registry = registry_;
    }

    /// @inheritdoc IWelfareAssets
    function defineAsset(AssetKind kind, bytes32 termsDigest) external returns (uint256 assetId) {
        address issuer = _msgSender();
        if (kind == AssetKind.None) revert WelfareAssetsKindInvalid();
        if (termsDigest == bytes32(0)) revert WelfareAssetsTermsMissing();
        _requireEligible(issuer);

        uint88 serial = _lastSerials[issuer] + 1;
        _lastSerials[issuer] = serial;
        assetId = _assetId(kind, issuer, serial);
        _terms[assetId] = termsDigest;
        emit AssetDefined(assetId, issuer, kind, termsDigest);
    }

    /// @inheritdoc IWelfareAssets
    function issue(uint256 assetId, address to, uint256 amount, bytes32 ref) external {
        address issuer = _msgSender();
        if (_terms[assetId] == bytes32(0)) revert WelfareAssetsUnknownAsset(assetId);
        if (_issuer(assetId) != issuer) revert WelfareAssetsNotIssuer(assetId, issuer);
        if (amount == 0) revert WelfareAssetsZeroAmount();
        _requireEligible(issuer);

        _mint(to, assetId, amount, "");
        emit AssetIssued(assetId, to, amount, ref);
    }

    /// @inheritdoc IWelfareAssets
    function redeem(uint256 assetId, uint256 amount, bytes32 ref) external {
        address holder = _msgSender();
        if (amount == 0) revert WelfareAssetsZeroAmount();

        _burn(holder, assetId, amount);
        emit AssetRedeemed(assetId, holder, amount, ref);
    }

    /// @inheritdoc IWelfareAssets
    function assetIdOf(AssetKind kind, address issuer, uint88 serial) external pure returns (uint256) {
        return _assetId(kind, issuer, serial);
    }

    /// @inheritdoc IWelfareAssets
    function kindOf(uint256 assetId) external pure returns (AssetKind) {
        uint256 kind = assetId >> _KIND_SHIFT;
        return kind > uint256(type(AssetKind).max) ? AssetKind.None : AssetKind(kind);
    }

    /// @inheritdoc IWelfareAssets
    function issuerOf(uint256 assetId) external pure returns (address) {
        return _issuer(assetId);
    }

    /// @inheritdoc IWelfareAssets
    function isDefined(uint256 assetId) external view returns (bool) {
        return _terms[assetId] != bytes32(0);
    }

    /// @inheritdoc IWelfareAssets
    function termsOf(uint256 assetId) external view returns (bytes32) {
        return _terms[assetId];
    }

    /// @inheritdoc IWelfareAssets
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    /// @inheritdoc IWelfareAssets
    function registry() external view returns (IInstitutionRegistry) {
        return _registry;
    }

    /// @notice Whether this contract implements the interface `interfaceId` (ERC-165).
    /// @dev Adds IWelfareAssets to the ERC-1155 interfaces.
    /// @param interfaceId The ERC-165 interface identifier.
    /// @return True if the interface is supported.
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, IERC165) returns (bool) {
        return interfaceId == type(IWelfareAssets).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev Banks issue anything; so do active suppliers, hospitals and logistics firms (the merchants).
    function _requireEligible(address account) private view {
        if (_consortium.hasRole(ConsortiumRoles.BANK_ROLE, account)) return;
        if (_registry.isActive(account)) {
            InstitutionKind kind = _registry.kindOf(account);
            if (
                kind == InstitutionKind.Supplier || kind == InstitutionKind.Hospital
                    || kind == InstitutionKind.Logistics
            ) return;
        }
        revert WelfareAssetsIssuerNotEligible(account);
    }

    function _assetId(AssetKind kind, address issuer, uint88 serial) private pure returns (uint256) {
        return (uint256(kind) << _KIND_SHIFT) | (uint256(uint160(issuer)) << _ISSUER_SHIFT) | uint256(serial);
    }

    function _issuer(uint256 assetId) private pure returns (address) {
        return address(uint160(assetId >> _ISSUER_SHIFT));
    }
}
