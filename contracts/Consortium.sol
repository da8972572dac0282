// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlEnumerable} from "@openzeppelin/contracts/access/extensions/AccessControlEnumerable.sol";
import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";

/// @title Consortium
/// @notice The bank consortium's governance: it hands out the roles (banks, regulator, oracles,
/// government departments) and keeps the allow-list of accounts that may transact.
/// @dev Roles are enumerable so that regulators and the indexer can list the members of each role.
/// Every role is administered by DEFAULT_ADMIN_ROLE, which the consortium holds.
contract Consortium is IConsortium, AccessControlEnumerable {
    /// @inheritdoc IConsortium
    bytes32 public constant BANK_ROLE = ConsortiumRoles.BANK_ROLE;
    /// @inheritdoc IConsortium
    bytes32 public constant REGULATOR_ROLE = ConsortiumRoles.REGULATOR_ROLE;
    /// @inheritdoc IConsortium
    bytes32 public constant ORACLE_ROLE = ConsortiumRoles.ORACLE_ROLE;
    /// @inheritdoc IConsortium
    bytes32 public constant GOVERNMENT_ROLE = ConsortiumRoles.GOVERNMENT_ROLE;

    /// @dev Who allowed each account; non-zero exactly while the account is allowed (no sponsor is the zero
    /// address), so one slot answers both {isAllowed} and {sponsorOf}.
    mapping(address account => address sponsor) private _sponsors;

    /// @notice Sets up the consortium with `admin` holding DEFAULT_ADMIN_ROLE.
    /// @dev `admin` is expected to be the consortium's multi-signature account or governance contract.
    /// @param admin The account that administers every role.
    constructor(address admin) {
        if (admin == address(0)) revert ConsortiumZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IConsortium
    function allowAccount(address account) external {
        address caller = _msgSender();
        if (!_isAdminOrBank(caller)) revert ConsortiumUnauthorized(caller);
        if (account == address(0)) revert ConsortiumZeroAddress();
        if (_sponsors[account] != address(0)) revert ConsortiumAccountAlreadyAllowed(account);

        _sponsors[account] = caller;
        emit AccountAllowed(account, caller);
    }

    /// @inheritdoc IConsortium
    function disallowAccount(address account) external {
        address caller = _msgSender();
        // The admin and the regulator may bar anyone; a bank only the accounts it onboarded, so that no bank
        // can cut off another bank's customers or the consortium's own contracts.
        bool overseer = hasRole(DEFAULT_ADMIN_ROLE, caller) || hasRole(REGULATOR_ROLE, caller);
        if (!overseer && !hasRole(BANK_ROLE, caller)) revert ConsortiumUnauthorized(caller);
        address sponsor = _sponsors[account];
        if (sponsor == address(0)) revert ConsortiumAccountNotAllowed(account);
        if (!overseer && sponsor != caller) revert ConsortiumNotSponsor(account, sponsor);

        delete _sponsors[account];
        emit AccountDisallowed(account, caller);
    }

    /// @inheritdoc IConsortium
    function transactionAllowed(address sender, address, uint256, uint256, uint256, bytes calldata)
        external
        view
        returns (bool)
    {
        return _sponsors[sender] != address(0) || hasRole(DEFAULT_ADMIN_ROLE, sender);
    }

    /// @inheritdoc IConsortium
    function isAllowed(address account) external view returns (bool) {
        return _sponsors[account] != address(0);
    }

    /// @inheritdoc IConsortium
    function sponsorOf(address account) external view returns (address) {
        return _sponsors[account];
    }

    /// @inheritdoc IConsortium
    function firstNotAllowed(address first, address second) external view returns (address) {
        if (first != address(0) && _sponsors[first] == address(0)) return first;
        if (second != address(0) && _sponsors[second] == address(0)) return second;
        return address(0);
    }

    /// @notice Whether this contract implements the interface `interfaceId` (ERC-165).
    /// @dev Adds IConsortium to the AccessControlEnumerable interfaces.
    /// @param interfaceId The ERC-165 interface identifier.
    /// @return True if the interface is supported.
    function supportsInterface(bytes4 interfaceId) public view override(AccessControlEnumerable) returns (bool) {
        return interfaceId == type(IConsortium).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev Admins and banks may both onboard accounts: the admin for institutions and contracts,
    /// a bank for its own customers.
    function _isAdminOrBank(address account) private view returns (bool) {
        return hasRole(DEFAULT_ADMIN_ROLE, account) || hasRole(BANK_ROLE, account);
    }
}
