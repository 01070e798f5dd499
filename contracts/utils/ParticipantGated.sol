// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IParticipantRegistry} from "../../interfaces/IParticipantRegistry.sol";

/// @title ParticipantGated
/// @notice What every MedChain domain contract shares to ask the participant directory who may do
/// what: the directory's address and the role checks, as modifiers for the functions that open
/// with one and as internal functions for checks made later in a function.
/// @dev Every check is the directory's own {IParticipantRegistry.requireRole} or
/// {IParticipantRegistry.requireAnyRole}, so a refusal carries the directory's errors
/// (`ParticipantNotRegistered`, `NotAnOrganization`, `ParticipantSuspended`, `MissingRole`)
/// with the same arguments. The checks are internal functions the modifiers call, so each
/// contract holds one copy of the external call however many functions are gated.
abstract contract ParticipantGated {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev The participant directory (roles, patients).
    IParticipantRegistry internal immutable _registry;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param participantRegistry The participant directory.
    constructor(address participantRegistry) {
        _registry = IParticipantRegistry(participantRegistry);
    }

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    /// @dev The caller is an active organisation holding every bit of `role`.
    modifier onlyRole(uint16 role) {
        _checkRole(msg.sender, role);
        _;
    }

    /// @dev The caller is an active organisation holding at least one bit of `roles`.
    modifier onlyAnyRole(uint16 roles) {
        _checkAnyRole(msg.sender, roles);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Reverts with the directory's reason unless `account` actively holds `role`.
    function _checkRole(address account, uint16 role) internal view {
        _registry.requireRole(account, role);
    }

    /// @dev Reverts with the directory's reason unless `account` actively holds one of `roles`.
    function _checkAnyRole(address account, uint16 roles) internal view {
        _registry.requireAnyRole(account, roles);
    }
}
