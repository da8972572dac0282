// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IAccessControlEnumerable} from "@openzeppelin/contracts/access/extensions/IAccessControlEnumerable.sol";

/// @title Role identifiers of the bank consortium
/// @notice The roles the consortium hands out; every other contract asks the consortium for them.
/// @dev Compile-time constants so that contracts checking a role need no call to read its id.
/// They equal the `X_ROLE()` getters of {Consortium}.
library ConsortiumRoles {
    /// @notice The consortium itself: grants and revokes every other role, pauses the deposit token. Held by the
    /// banks' council ({IConsortiumCouncil}) once the deployer has handed over.
    bytes32 internal constant DEFAULT_ADMIN_ROLE = 0x00;
    /// @notice A member bank: issues and redeems deposit tokens, onboards its customers, sits on the council.
    bytes32 internal constant BANK_ROLE = keccak256("BANK_ROLE");
    /// @notice The supervising authority: may bar accounts from transacting.
    bytes32 internal constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    /// @notice A registry oracle: publishes government-registry and bank-system attestations.
    bytes32 internal constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @notice A government department: receives approved transfers and decides on aid.
    bytes32 internal constant GOVERNMENT_ROLE = keccak256("GOVERNMENT_ROLE");
    /// @notice One of the consortium's own contracts (pools, escrow, tracker, registry...): only the consortium
    /// (DEFAULT_ADMIN_ROLE) may bar it from the allow-list.
    bytes32 internal constant LEDGER_CONTRACT_ROLE = keccak256("LEDGER_CONTRACT_ROLE");
}

/// @title The bank consortium's roles, its allow-list of accounts and its list of nodes
/// @notice Who may do what on the ledger, which accounts may transact and hold deposit tokens, and which nodes may
/// join the network.
/// @dev Other contracts take their authorisation from here: `hasRole` for roles, `isAllowed` for the allow-list.
/// Roles are administered with the OpenZeppelin AccessControl functions (`grantRole`, `revokeRole`,
/// `renounceRole`), whose `RoleGranted`/`RoleRevoked` events record them; the last holder of DEFAULT_ADMIN_ROLE
/// and the last holder of BANK_ROLE cannot leave ({ConsortiumLastMember}), so the consortium can never lock
/// itself out. Besu asks {transactionAllowed} (account permissioning, `AccountRulesProxy`) and {connectionAllowed}
/// (node permissioning, `NodeRulesProxy` version 2) of this contract.
interface IConsortium is IAccessControlEnumerable {
    /// @notice A node (enode) on the consortium's list: Besu's node permissioning lets it connect.
    /// @param enodeId The node's public key: 128 lowercase hexadecimal characters, without `0x`.
    /// @param enodeHost The node's address as Besu passes it: `0x` and the hexadecimal of the address text's
    /// bytes (for 127.0.0.1, `0x3132372e302e302e31`).
    /// @param enodePort The node's P2P listening port.
    /// @param operator The member bank that runs the node.
    struct Node {
        string enodeId;
        string enodeHost;
        uint16 enodePort;
        address operator;
    }

    /// @notice `account` was added to the allow-list by `by` (an admin or a bank).
    event AccountAllowed(address indexed account, address indexed by);

    /// @notice `account` was removed from the allow-list by `by` (an admin, a regulator, or the bank that
    /// allowed it).
    event AccountDisallowed(address indexed account, address indexed by);

    /// @notice The consortium (`by`, its admin) put node `nodeKey` (`enodeId`@`enodeHost`:`enodePort`, run by
    /// `operator`) on the node list.
    event NodeAllowed(
        bytes32 indexed nodeKey,
        string enodeId,
        string enodeHost,
        uint16 enodePort,
        address indexed operator,
        address indexed by
    );

    /// @notice The consortium (`by`) took node `nodeKey` (`enodeId`@`enodeHost`:`enodePort`) off the node list.
    event NodeDisallowed(
        bytes32 indexed nodeKey, string enodeId, string enodeHost, uint16 enodePort, address indexed by
    );

    /// @notice `account` holds none of the roles the action needs.
    error ConsortiumUnauthorized(address account);

    /// @notice `account` is already on the allow-list.
    error ConsortiumAccountAlreadyAllowed(address account);

    /// @notice `account` is not on the allow-list.
    error ConsortiumAccountNotAllowed(address account);

    /// @notice `account` was allowed by `sponsor`: a bank may only disallow the accounts it allowed itself.
    error ConsortiumNotSponsor(address account, address sponsor);

    /// @notice `account` is one of the consortium's own contracts: only the consortium (DEFAULT_ADMIN_ROLE) may
    /// bar it.
    error ConsortiumLedgerContract(address account);

    /// @notice `account` is the last holder of `role` (DEFAULT_ADMIN_ROLE or BANK_ROLE): it cannot leave or be
    /// removed, or nobody could administer the consortium again.
    error ConsortiumLastMember(bytes32 role, address account);

    /// @notice The zero address was given where an account is needed.
    error ConsortiumZeroAddress();

    /// @notice The enode `enodeId`@`enodeHost`:`enodePort` is malformed (the id must be 128 lowercase hexadecimal
    /// characters, the host non-empty, the port non-zero) or, for `operator`, not run by a member bank.
    error ConsortiumNodeInvalid(string enodeId, string enodeHost, uint16 enodePort, address operator);

    /// @notice Node `nodeKey` is already on the node list.
    error ConsortiumNodeAlreadyAllowed(bytes32 nodeKey);

    /// @notice Node `nodeKey` is not on the node list.
    error ConsortiumNodeNotAllowed(bytes32 nodeKey);

    /// @notice The role of a member bank, `keccak256("BANK_ROLE")`.
    function BANK_ROLE() external view returns (bytes32);

    /// @notice The role of the supervising authority, `keccak256("REGULATOR_ROLE")`.
    function REGULATOR_ROLE() external view returns (bytes32);

    /// @notice The role of a registry oracle, `keccak256("ORACLE_ROLE")`.
    function ORACLE_ROLE() external view returns (bytes32);

    /// @notice The role of a government department, `keccak256("GOVERNMENT_ROLE")`.
    function GOVERNMENT_ROLE() external view returns (bytes32);

    /// @notice The role of the consortium's own contracts, `keccak256("LEDGER_CONTRACT_ROLE")`.
    function LEDGER_CONTRACT_ROLE() external view returns (bytes32);

    /// @notice Adds `account` to the allow-list, so that it may transact and hold and move deposit tokens.
    /// @dev Callable by the consortium admin or a bank (a bank onboards its own customers). The caller becomes the
    /// account's sponsor ({sponsorOf}), except for the consortium's own contracts (LEDGER_CONTRACT_ROLE), whose
    /// sponsor is always this contract: whoever re-allows one cannot later bar it alone. Emits {AccountAllowed}.
    /// @param account The account to allow.
    function allowAccount(address account) external;

    /// @notice Removes `account` from the allow-list: it can no longer transact, send or receive deposit tokens.
    /// @dev The consortium admin may bar any account; the regulator any account but the consortium's own contracts
    /// ({ConsortiumLedgerContract}); a bank only the accounts it sponsored ({ConsortiumNotSponsor}), so that no
    /// bank can cut off another bank's customers or the consortium's contracts. Clears the sponsor. Tokens
    /// already held stay where they are, frozen until the account is allowed again. Emits {AccountDisallowed}.
    /// @param account The account to disallow.
    function disallowAccount(address account) external;

    /// @notice Puts a bank's node on the node list, so that Besu's node permissioning lets it connect.
    /// @dev Only the consortium (DEFAULT_ADMIN_ROLE: the council's k-of-N decision once handed over). `operator`
    /// must be a member bank. Emits {NodeAllowed}.
    /// @param enodeId The node's public key, 128 lowercase hexadecimal characters without `0x`.
    /// @param enodeHost The node's address, encoded as Besu encodes it (see {Node}).
    /// @param enodePort The node's P2P port.
    /// @param operator The bank that runs it.
    /// @return nodeKey `keccak256(abi.encode(enodeId, enodeHost, enodePort))`.
    function allowNode(string calldata enodeId, string calldata enodeHost, uint16 enodePort, address operator)
        external
        returns (bytes32 nodeKey);

    /// @notice Takes a node off the node list: Besu's node permissioning refuses its connections from then on.
    /// @dev Only the consortium (DEFAULT_ADMIN_ROLE). Emits {NodeDisallowed}.
    /// @param enodeId The node's public key.
    /// @param enodeHost The node's address, as in {allowNode}.
    /// @param enodePort The node's P2P port.
    function disallowNode(string calldata enodeId, string calldata enodeHost, uint16 enodePort) external;

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

    /// @notice Whether the node `enodeId`@`enodeHost`:`enodePort` may connect: Besu's on-chain node permissioning,
    /// version 2 (`--permissions-nodes-contract-version=2`, EEA client specification v6), which asks it once for
    /// each end of a connection.
    /// @dev True exactly when the node is on the consortium's node list. Besu passes the node id as unprefixed
    /// lowercase hexadecimal and the host as `0x` plus the hexadecimal of the address text (see {Node}).
    /// @param enodeId The node's public key.
    /// @param enodeHost The node's address.
    /// @param enodePort The node's P2P port (0 if it has none).
    /// @return True if the node is allowed.
    function connectionAllowed(string calldata enodeId, string calldata enodeHost, uint16 enodePort)
        external
        view
        returns (bool);

    /// @notice Every node on the consortium's node list, in no particular order.
    /// @return The nodes.
    function nodes() external view returns (Node[] memory);

    /// @notice The key under which the node list stores `enodeId`@`enodeHost`:`enodePort`.
    /// @param enodeId The node's public key.
    /// @param enodeHost The node's address.
    /// @param enodePort The node's P2P port.
    /// @return `keccak256(abi.encode(enodeId, enodeHost, enodePort))`.
    function nodeKeyOf(string calldata enodeId, string calldata enodeHost, uint16 enodePort)
        external
        pure
        returns (bytes32);

    /// @notice Whether `account` is on the allow-list.
    /// @param account The account to look up.
    /// @return True if `account` may transact.
    function isAllowed(address account) external view returns (bool);

    /// @notice Who put `account` on the allow-list (an admin or a bank; this contract for the consortium's own
    /// contracts), while it is on it.
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
