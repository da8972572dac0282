// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ConsortiumRoles, IConsortium} from "./interfaces/IConsortium.sol";
import {IDepositToken} from "./interfaces/IDepositToken.sol";

/// @title DepositToken
/// @notice A bank-issued deposit token: minted by member banks against real deposits, burned when
/// a holder redeems, held and moved only by accounts on the consortium's allow-list.
/// @dev Has no roles of its own: it asks the consortium. Every balance change (mint, burn,
/// transfer, transferFrom) goes through {_update}, which enforces the pause and the allow-list; every
/// allowance set by {approve} or {permit} goes through {_approve}, which enforces the allow-list for the owner
/// and the spender; {transferFrom} checks the spender too. The consortium's own contracts that take tokens by
/// `transferFrom` (the pools) are allow-listed like anyone else, so there is no exception.
/// IDepositToken comes last among the bases: it restates IERC20Permit, which ERC20Permit puts after ERC20.
contract DepositToken is ERC20, ERC20Permit, IDepositToken {
    /// @inheritdoc IDepositToken
    uint64 public constant MAX_PAUSE_DURATION = 7 days;

    IConsortium private immutable _consortium;

    uint64 private _pausedUntil;

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
        address admin = _msgSender();
        _requireRole(ConsortiumRoles.DEFAULT_ADMIN_ROLE, admin);

        uint64 until = uint64(block.timestamp) + MAX_PAUSE_DURATION;
        _pausedUntil = until;
        emit TransfersPaused(admin, until);
    }

    /// @inheritdoc IDepositToken
    function unpause() external {
        address admin = _msgSender();
        _requireRole(ConsortiumRoles.DEFAULT_ADMIN_ROLE, admin);
        if (!paused()) revert DepositTokenNotPaused();

        _pausedUntil = 0;
        emit TransfersResumed(admin);
    }

    /// @inheritdoc IDepositToken
    function paused() public view returns (bool) {
        return block.timestamp < _pausedUntil;
    }

    /// @inheritdoc IDepositToken
    function pausedUntil() external view returns (uint64) {
        return _pausedUntil;
    }

    /// @notice Moves `value` of `from`'s tokens to `to` under the allowance `from` gave the caller.
    /// @dev As ERC-20 `transferFrom`, and the caller (the spender) must be allow-listed
    /// ({DepositTokenAccountNotAllowed}), like the owner and the recipient.
    /// @param from The owner.
    /// @param to The recipient.
    /// @param value The amount.
    /// @return True.
    function transferFrom(address from, address to, uint256 value) public override(ERC20, IERC20) returns (bool) {
        address spender = _msgSender();
        if (!_consortium.isAllowed(spender)) revert DepositTokenAccountNotAllowed(spender);
        return super.transferFrom(from, to, value);
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
    function _update(address from, address to, uint256 value) internal override {
        uint64 until = _pausedUntil;
        if (block.timestamp < until) revert DepositTokenPaused(until);
        address notAllowed = _consortium.firstNotAllowed(from, to);
        if (notAllowed != address(0)) revert DepositTokenAccountNotAllowed(notAllowed);
        super._update(from, to, value);
    }

    /// @dev Every allowance passes here. A new allowance (from {approve} or {permit}: `emitEvent`) needs the owner and
    /// the spender allow-listed, unless it is zero: withdrawing an allowance is always possible. Spending one
    /// (`emitEvent` false, from {transferFrom}) was checked there.
    function _approve(address owner, address spender, uint256 value, bool emitEvent) internal override {
        if (emitEvent && value != 0) {
            address notAllowed = _consortium.firstNotAllowed(owner, spender);
            if (notAllowed != address(0)) revert DepositTokenAccountNotAllowed(notAllowed);
        }
        super._approve(owner, spender, value, emitEvent);
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
