// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";
import {IDepositToken} from "./interfaces/IDepositToken.sol";

/// @title DepositToken
/// @notice A bank-issued deposit token: minted by member banks against real deposits, burned when
/// a holder redeems, held and moved only by accounts on the consortium's allow-list.
/// @dev Has no roles of its own: it asks the consortium. Every balance change (mint, burn,
/// transfer, transferFrom) goes through {_update}, which enforces the pause and the allow-list.
/// IDepositToken comes last among the bases: it restates IERC20Permit, which ERC20Permit puts after ERC20.
contract DepositToken is ERC20, ERC20Permit, Pausable, IDepositToken {
    IConsortium private immutable _consortium;

    mapping(address bank => mapping(bytes32 bankRef => bool used)) private _mintReferences;
    mapping(address bank => mapping(bytes32 bankRef => bool used)) private _redemptionReferences;

    /// @notice Creates the deposit token of the banks of `consortium_`, named `name_` with symbol `symbol_`.
    /// @dev `name_` is also the EIP-712 domain name of the permits (version "1").
    /// @param consortium_ The consortium whose roles and allow-list govern the token.
    /// @param name_ The token name.
    /// @param symbol_ The token symbol.
    constructor(IConsortium consortium_, string memory name_, string memory symbol_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        if (address(consortium_) == address(0)) revert DepositTokenZeroAddress();
        _consortium = consortium_;
    }

    /// @inheritdoc IDepositToken
    function mint(address to, uint256 amount, bytes32 bankRef) external {
        address bank = _msgSender();
        _requireRole(ConsortiumRoles.BANK_ROLE, bank);
        if (amount == 0) revert DepositTokenZeroAmount();
        _useBankReference(_mintReferences[bank], bank, bankRef);

        _mint(to, amount);
        emit DepositMinted(bank, to, amount, bankRef);
    }

    /// @inheritdoc IDepositToken
    function redeem(uint256 amount, address bank, bytes32 bankRef) external {
        if (amount == 0) revert DepositTokenZeroAmount();
        if (!_consortium.hasRole(ConsortiumRoles.BANK_ROLE, bank)) revert DepositTokenNotABank(bank);
        _useBankReference(_redemptionReferences[bank], bank, bankRef);

        address holder = _msgSender();
        _burn(holder, amount);
        emit DepositRedeemed(holder, bank, amount, bankRef);
    }

    /// @inheritdoc IDepositToken
    function pause() external {
        _requireRole(ConsortiumRoles.DEFAULT_ADMIN_ROLE, _msgSender());
        _pause();
    }

    /// @inheritdoc IDepositToken
    function unpause() external {
        _requireRole(ConsortiumRoles.DEFAULT_ADMIN_ROLE, _msgSender());
        _unpause();
    }

    /// @inheritdoc IDepositToken
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    /// @inheritdoc IDepositToken
    function isMintReferenceUsed(address bank, bytes32 bankRef) external view returns (bool) {
        return _mintReferences[bank][bankRef];
    }

    /// @inheritdoc IDepositToken
    function isRedemptionReferenceUsed(address bank, bytes32 bankRef) external view returns (bool) {
        return _redemptionReferences[bank][bankRef];
    }

    /// @inheritdoc IERC20Permit
    /// @dev Resolves the definition inherited twice, from ERC20Permit and through IDepositToken.
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    /// @dev The one place balances change: refuses while paused and whenever the sender or the
    /// recipient (the zero address stands for a mint or a burn) is not allow-listed.
    function _update(address from, address to, uint256 value) internal override whenNotPaused {
        address notAllowed = _consortium.firstNotAllowed(from, to);
        if (notAllowed != address(0)) revert DepositTokenAccountNotAllowed(notAllowed);
        super._update(from, to, value);
    }

    /// @dev Reverts with {DepositTokenUnauthorized} unless `account` holds `role` in the consortium.
    function _requireRole(bytes32 role, address account) private view {
        if (!_consortium.hasRole(role, account)) revert DepositTokenUnauthorized(account, role);
    }

    /// @dev Marks `bankRef` used in `used` (`bank`'s mint or redemption references), reverting if it is zero or
    /// already used there. Mints and redemptions have separate namespaces so that a holder, who chooses the
    /// reference of a redemption, cannot use up a reference a bank is about to mint under.
    function _useBankReference(mapping(bytes32 => bool) storage used, address bank, bytes32 bankRef) private {
        if (bankRef == bytes32(0)) revert DepositTokenBankReferenceMissing();
        if (used[bankRef]) revert DepositTokenBankReferenceUsed(bank, bankRef);
        used[bankRef] = true;
    }
}
