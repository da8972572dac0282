// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IAccessControlEnumerable} from "@openzeppelin/contracts/access/extensions/IAccessControlEnumerable.sol";

/// @title Role identifiers of the bank consortium
/// @notice The roles the consortium hands out; every other contract asks the consortium for them.
/// @dev Compile-time constants so that contracts checking a role need no call to read its id.
/// They equal the `X_ROLE()` getters of {Consortium}.
library ConsortiumRoles {
    /// @notice The consortium itself: grants and revokes every other role, pauses the deposit token.
    bytes32 internal constant DEFAULT_ADMIN_ROLE = 0x00;
    /// @notice A member bank: issues and redeems deposit tokens, onboards its customers.
    bytes32 internal constant BANK_ROLE = keccak256("BANK_ROLE");
    /// @notice The supervising authority: may bar accounts from transacting.
    bytes32 internal constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    /// @notice A registry oracle: publishes government-registry and bank-system attestations.
    bytes32 internal constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @notice A government department: receives approved transfers and decides on aid.
    bytes32 internal constant GOVERNMENT_ROLE = keccak256("GOVERNMENT_ROLE");
}

/// @title The bank consortium's roles and its allow-list of accounts
/// @notice Who may do what on the ledger, and which accounts may hold and move deposit tokens.
/// @dev Other contracts take their authorisation from here: `hasRole` for roles, `isAllowed` for
/// the allow-list. Roles are administered with the OpenZeppelin AccessControl functions
/// (`grantRole`, `revokeRole`, `renounceRole`), whose `RoleGranted`/`RoleRevoked` events record them.
interface IConsortium is IAccessControlEnumerable {
    /// @notice `account` was added to the allow-list by `by` (an admin or a bank).
    event AccountAllowed(address indexed account, address indexed by);

    /// @notice `account` was removed from the allow-list by `by` (an admin, a regulator, or the bank that
    /// allowed it).
    event AccountDisallowed(address indexed account, address indexed by);

    /// @notice `account` holds none of the roles the action needs.
    error ConsortiumUnauthorized(address account);

    /// @notice `account` is already on the allow-list.
    error ConsortiumAccountAlreadyAllowed(address account);

    /// @notice `account` is not on the allow-list.
    error ConsortiumAccountNotAllowed(address account);

    /// @notice `account` was allowed by `sponsor`: a bank may only disallow the accounts it allowed itself.
    error ConsortiumNotSponsor(address account, address sponsor);

    /// @notice The zero address was given where an account is needed.
    error ConsortiumZeroAddress();

    /// @notice The role of a member bank, `keccak256("BANK_ROLE")`.
    function BANK_ROLE() external view returns (bytes32);

    /// @notice The role of the supervising authority, `keccak256("REGULATOR_ROLE")`.
    function REGULATOR_ROLE() external view returns (bytes32);

    /// @notice The role of a registry oracle, `keccak256("ORACLE_ROLE")`.
    function ORACLE_ROLE() external view returns (bytes32);

    /// @notice The role of a government department, `keccak256("GOVERNMENT_ROLE")`.
    function GOVERNMENT_ROLE() external view returns (bytes32);

    /// @notice Adds `account` to the allow-list, so that it may hold and move deposit tokens.
    /// @dev Callable by the consortium admin or a bank (a bank onboards its own customers). The caller
    /// becomes the account's sponsor ({sponsorOf}). Emits {AccountAllowed}.
    /// @param account The account to allow.
    function allowAccount(address account) external;

    /// @notice Removes `account` from the allow-list: it can no longer send or receive deposit tokens.
    /// @dev Callable by the consortium admin or a regulator for any account, and by a bank only for the
    /// accounts it allowed ({ConsortiumNotSponsor} otherwise): no bank can cut off another bank's customers
    /// or the consortium's contracts. Clears the sponsor. Tokens already held stay where they are, frozen
    /// until the account is allowed again. Emits {AccountDisallowed}.
    /// @param account The account to disallow.
    function disallowAccount(address account) external;

    /// @notice Whether a transaction from `sender` may enter the ledger: Besu's on-chain account permissioning
    /// (the `AccountRulesProxy` interface of Besu's permissioning contracts), asked by every node before it admits
    /// a transaction, so that one rule decides who may transact on every backend.
    /// @dev Allowed when `sender` is on the allow-list or holds DEFAULT_ADMIN_ROLE (so the consortium can always
    /// administer the ledger). The target, value, gas price, gas limit and payload do not matter today; they are
    /// Besu's interface.
    /// @param sender The account that signed the transaction.
    /// @param target The account or contract it is sent to (the zero address for a contract creation).
    /// @param value The ether value it carries, in wei.
    /// @param gasPrice Its gas price, in wei.
    /// @param gasLimit Its gas limit.
    /// @param payload Its data.
    /// @return True if the node may admit it.
    function transactionAllowed(
        address sender,
        address target,
        uint256 value,
        uint256 gasPrice,
        uint256 gasLimit,
        bytes calldata payload
    ) external view returns (bool);

    /// @notice Whether `account` is on the allow-list.
    /// @param account The account to look up.
    /// @return True if `account` may transact.
    function isAllowed(address account) external view returns (bool);

    /// @notice Who put `account` on the allow-list (an admin or a bank), while it is on it.
    /// @param account The account to look up.
    /// @return The sponsor, or the zero address if `account` is not allowed.
    function sponsorOf(address account) external view returns (address);

    /// @notice The first of `first` and `second` that is not on the allow-list, or the zero address
    /// if both are (a zero argument counts as allowed: it stands for a mint or a burn).
    /// @dev One call where a token transfer needs both parties checked; the EVM then enters this
    /// contract once per transfer instead of twice.
    /// @param first Checked first (the sender of a transfer).
    /// @param second Checked second (the recipient).
    /// @return The first account not allowed, or `address(0)`.
    function firstNotAllowed(address first, address second) external view returns (address);
}
