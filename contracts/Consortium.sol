// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlEnumerable} from "@openzeppelin/contracts/access/extensions/AccessControlEnumerable.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";

/// @title Consortium
/// @notice The bank consortium's governance: it hands out the roles (banks, regulator, oracles, government
/// departments, the ledger's own contracts), keeps the allow-list of accounts that may transact and the list of
/// nodes that may join the network, and answers Besu's permissioning questions from them.
/// @dev Roles are enumerable so that regulators, the indexer and the council can list and count the members of
/// each role. Every role is administered by DEFAULT_ADMIN_ROLE: the deployer at first (bootstrap), then the banks'
/// council ({ConsortiumCouncil}), which acts only on k of N banks' approval. The last DEFAULT_ADMIN_ROLE holder and
/// the last bank cannot leave or be removed ({_revokeRole}).
contract Consortium is IConsortium, AccessControlEnumerable {
    using EnumerableSet for EnumerableSet.Bytes32Set;

    /// @inheritdoc IConsortium
    bytes32 public constant BANK_ROLE = ConsortiumRoles.BANK_ROLE;
    /// @inheritdoc IConsortium
    bytes32 public constant REGULATOR_ROLE = ConsortiumRoles.REGULATOR_ROLE;
    /// @inheritdoc IConsortium
    bytes32 public constant ORACLE_ROLE = ConsortiumRoles.ORACLE_ROLE;
    /// @inheritdoc IConsortium
    bytes32 public constant GOVERNMENT_ROLE = ConsortiumRoles.GOVERNMENT_ROLE;
    /// @inheritdoc IConsortium
    bytes32 public constant LEDGER_CONTRACT_ROLE = ConsortiumRoles.LEDGER_CONTRACT_ROLE;

    uint256 private constant _ENODE_ID_LENGTH = 128;

    /// @dev Who allowed each account; non-zero exactly while the account is allowed (no sponsor is the zero
    /// address), so one slot answers both {isAllowed} and {sponsorOf}.
    mapping(address account => address sponsor) private _sponsors;

    EnumerableSet.Bytes32Set private _nodeKeys;
    mapping(bytes32 nodeKey => Node) private _nodes;

    /// @notice Sets up the consortium with `admin` holding DEFAULT_ADMIN_ROLE.
    /// @dev `admin` is the deployer during bootstrap; it hands over to the banks' council by granting it
    /// DEFAULT_ADMIN_ROLE and renouncing its own (see docs/contracts.md).
    /// @param admin The account that administers every role.
    constructor(address admin) {
        if (admin == address(0)) revert ConsortiumZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------ the allow-list

    /// @inheritdoc IConsortium
    function allowAccount(address account) external {
        address caller = _msgSender();
        if (!hasRole(DEFAULT_ADMIN_ROLE, caller) && !hasRole(BANK_ROLE, caller)) {
            revert ConsortiumUnauthorized(caller);
        }
        if (account == address(0)) revert ConsortiumZeroAddress();
        if (_sponsors[account] != address(0)) revert ConsortiumAccountAlreadyAllowed(account);

        _sponsors[account] = hasRole(LEDGER_CONTRACT_ROLE, account) ? address(this) : caller;
        emit AccountAllowed(account, caller);
    }

    /// @inheritdoc IConsortium
    function disallowAccount(address account) external {
        address caller = _msgSender();
        bool admin = hasRole(DEFAULT_ADMIN_ROLE, caller);
        bool regulator = !admin && hasRole(REGULATOR_ROLE, caller);
        if (!admin && !regulator && !hasRole(BANK_ROLE, caller)) revert ConsortiumUnauthorized(caller);
        address sponsor = _sponsors[account];
        if (sponsor == address(0)) revert ConsortiumAccountNotAllowed(account);
        // Barring one of the ledger's own contracts freezes every donation, refund and payout: only the
        // consortium's own decision may do it, never one party alone.
        if (!admin && hasRole(LEDGER_CONTRACT_ROLE, account)) revert ConsortiumLedgerContract(account);
        if (!admin && !regulator && sponsor != caller) revert ConsortiumNotSponsor(account, sponsor);

        delete _sponsors[account];
        emit AccountDisallowed(account, caller);
    }

    // ------------------------------------------------------------------ the node list

    /// @inheritdoc IConsortium
    function allowNode(string calldata enodeId, string calldata enodeHost, uint16 enodePort, address operator)
        external
        returns (bytes32 nodeKey)
    {
        _requireAdmin();
        if (!_isEnodeId(enodeId) || bytes(enodeHost).length == 0 || enodePort == 0 || !hasRole(BANK_ROLE, operator)) {
            revert ConsortiumNodeInvalid(enodeId, enodeHost, enodePort, operator);
        }
        nodeKey = _nodeKey(enodeId, enodeHost, enodePort);
        if (!_nodeKeys.add(nodeKey)) revert ConsortiumNodeAlreadyAllowed(nodeKey);

        _nodes[nodeKey] = Node({enodeId: enodeId, enodeHost: enodeHost, enodePort: enodePort, operator: operator});
        emit NodeAllowed(nodeKey, enodeId, enodeHost, enodePort, operator, _msgSender());
    }

    /// @inheritdoc IConsortium
    function disallowNode(string calldata enodeId, string calldata enodeHost, uint16 enodePort)
        external
    {
        _requireAdmin();
        bytes32 nodeKey = _nodeKey(enodeId, enodeHost, enodePort);
        if (!_nodeKeys.remove(nodeKey)) revert ConsortiumNodeNotAllowed(nodeKey);

        delete _nodes[nodeKey];
        emit NodeDisallowed(nodeKey, enodeId, enodeHost, enodePort, _msgSender());
    }

    // ------------------------------------------------------------------ Besu's permissioning questions

    /// @inheritdoc IConsortium
    function transactionAllowed(address sender, address, uint256, uint256, uint256, bytes calldata)
        external
        view
        returns (bool)
    {
        return _sponsors[sender] != address(0) || hasRole(DEFAULT_ADMIN_ROLE, sender);
    }

    /// @inheritdoc IConsortium
    function connectionAllowed(string calldata enodeId, string calldata enodeHost, uint16 enodePort)
        external
        view
        returns (bool)
    {
        return _nodeKeys.contains(_nodeKey(enodeId, enodeHost, enodePort));
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IConsortium
    function nodes() external view returns (Node[] memory list) {
        uint256 count = _nodeKeys.length();
        list = new Node[](count);
        for (uint256 i = 0; i < count; ++i) {
            list[i] = _nodes[_nodeKeys.at(i)];
        }
    }

    /// @inheritdoc IConsortium
    function nodeKeyOf(string calldata enodeId, string calldata enodeHost, uint16 enodePort)
        external
        pure
        returns (bytes32)
    {
        return _nodeKey(enodeId, enodeHost, enodePort);
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

    // ------------------------------------------------------------------ internals

    /// @dev Granting LEDGER_CONTRACT_ROLE to an allowed account makes the consortium its sponsor, so that the bank
    /// that allowed it cannot bar it alone later.
    function _grantRole(bytes32 role, address account) internal override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (granted && role == LEDGER_CONTRACT_ROLE && _sponsors[account] != address(0)) {
            _sponsors[account] = address(this);
        }
    }

    /// @dev Every revocation and renunciation passes here: the last DEFAULT_ADMIN_ROLE holder and the last bank (whose
    /// council holds DEFAULT_ADMIN_ROLE) stay, so that the consortium can always unpause, grant roles and mint.
    function _revokeRole(bytes32 role, address account) internal override returns (bool) {
        if (
            (role == DEFAULT_ADMIN_ROLE || role == BANK_ROLE) && getRoleMemberCount(role) == 1
                && hasRole(role, account)
        ) {
            revert ConsortiumLastMember(role, account);
        }
        return super._revokeRole(role, account);
    }

    function _requireAdmin() private view {
        address caller = _msgSender();
        if (!hasRole(DEFAULT_ADMIN_ROLE, caller)) revert ConsortiumUnauthorized(caller);
    }

    function _nodeKey(string calldata enodeId, string calldata enodeHost, uint16 enodePort)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(enodeId, enodeHost, enodePort));
    }

    /// @dev 128 lowercase hexadecimal characters: how Besu passes a node id (`toUnprefixedHexString`).
    function _isEnodeId(string calldata enodeId) private pure returns (bool) {
        bytes calldata id = bytes(enodeId);
        if (id.length != _ENODE_ID_LENGTH) return false;
        for (uint256 i = 0; i < _ENODE_ID_LENGTH; ++i) {
            bytes1 c = id[i];
            if (!((c >= "0" && c <= "9") || (c >= "a" && c <= "f"))) return false;
        }
        return true;
    }
}
