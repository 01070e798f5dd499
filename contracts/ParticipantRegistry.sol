// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IParticipantRegistry, Roles} from "../interfaces/IParticipantRegistry.sol";
import {ZeroAddress} from "../interfaces/IErrors.sol";

/// @title ParticipantRegistry
/// @notice The MedChain participant directory, run by governance (the owner, transferred in two
/// steps). Governance registers organisations with a role bitmap, a name and a compressed
/// secp256k1 encryption key; governance or an active regulator suspends and reactivates them.
/// Patients register their own encryption key and hold no role.
/// @dev Every field a role check needs sits in one storage slot.
contract ParticipantRegistry is IParticipantRegistry, Ownable2Step {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    uint256 private constant MAX_NAME_LENGTH = 128;

    mapping(address account => Participant) private _participants;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param governance The first governance account (may differ from the deployer).
    constructor(address governance) Ownable(governance) {}

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IParticipantRegistry
    function registerOrganization(address account, string calldata name, uint16 roles, bytes calldata encryptionKey)
        external
        onlyOwner
    {
        if (account == address(0)) revert ZeroAddress();
        Participant storage p = _participants[account];
        if (p.kind != Kind.None) revert ParticipantAlreadyRegistered(account);
        _checkRoles(roles);
        uint256 nameLength = bytes(name).length;
        if (nameLength == 0 || nameLength > MAX_NAME_LENGTH) revert InvalidName(nameLength);
        (bytes1 prefix, bytes32 x) = _splitKey(encryptionKey);

        p.kind = Kind.Organization;
        p.roles = roles;
        p.registeredAt = uint40(block.timestamp);
        p.keyPrefix = prefix;
        p.keyX = x;
        p.name = name;
        emit OrganizationRegistered(account, roles, name, encryptionKey);
    }

    /// @inheritdoc IParticipantRegistry
    function setRoles(address account, uint16 roles) external onlyOwner {
        Participant storage p = _organization(account);
        _checkRoles(roles);
        emit RolesChanged(account, p.roles, roles);
        p.roles = roles;
    }

    /// @inheritdoc IParticipantRegistry
    function suspend(address account, bytes32 reasonHash) external {
        _checkGovernanceOrRegulator();
        Participant storage p = _organization(account);
        if (p.suspended) revert ParticipantSuspended(account);
        p.suspended = true;
        emit OrganizationSuspended(account, msg.sender, reasonHash);
    }

    /// @inheritdoc IParticipantRegistry
    function reactivate(address account) external {
        _checkGovernanceOrRegulator();
        Participant storage p = _organization(account);
        if (!p.suspended) revert ParticipantNotSuspended(account);
        p.suspended = false;
        emit OrganizationReactivated(account, msg.sender);
    }

    /// @inheritdoc IParticipantRegistry
    function registerPatient(bytes calldata encryptionKey) external {
        Participant storage p = _participants[msg.sender];
        if (p.kind != Kind.None) revert ParticipantAlreadyRegistered(msg.sender);
        (bytes1 prefix, bytes32 x) = _splitKey(encryptionKey);
        p.kind = Kind.Patient;
        p.registeredAt = uint40(block.timestamp);
        p.keyPrefix = prefix;
        p.keyX = x;
        emit PatientRegistered(msg.sender, encryptionKey);
    }

    /// @inheritdoc IParticipantRegistry
    function setEncryptionKey(bytes calldata encryptionKey) external {
        Participant storage p = _participants[msg.sender];
        if (p.kind == Kind.None) revert ParticipantNotRegistered(msg.sender);
        if (p.suspended) revert ParticipantSuspended(msg.sender);
        (p.keyPrefix, p.keyX) = _splitKey(encryptionKey);
        emit EncryptionKeyChanged(msg.sender, encryptionKey);
    }

    /// @notice Governance cannot be renounced: the directory must always have an operator.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceDisabled();
    }

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IParticipantRegistry
    function participant(address account) external view returns (Participant memory) {
        return _participants[account];
    }

    /// @inheritdoc IParticipantRegistry
    function hasRole(address account, uint16 role) public view returns (bool) {
        Participant storage p = _participants[account];
        return p.kind == Kind.Organization && !p.suspended && role != 0 && p.roles & role == role;
    }

    /// @inheritdoc IParticipantRegistry
    function hasAnyRole(address account, uint16 roles) public view returns (bool) {
        Participant storage p = _participants[account];
        return p.kind == Kind.Organization && !p.suspended && p.roles & roles != 0;
    }

    /// @inheritdoc IParticipantRegistry
    function requireRole(address account, uint16 role) external view {
        _requireActive(account);
        if (role == 0 || _participants[account].roles & role != role) revert MissingRole(account, role);
    }

    /// @inheritdoc IParticipantRegistry
    function requireAnyRole(address account, uint16 roles) external view {
        _requireActive(account);
        if (_participants[account].roles & roles == 0) revert MissingRole(account, roles);
    }

    /// @inheritdoc IParticipantRegistry
    function isPatient(address account) external view returns (bool) {
        return _participants[account].kind == Kind.Patient;
    }

    /// @inheritdoc IParticipantRegistry
    function encryptionKey(address account) external view returns (bytes memory) {
        Participant storage p = _participants[account];
        if (p.kind == Kind.None) revert ParticipantNotRegistered(account);
        return abi.encodePacked(p.keyPrefix, p.keyX);
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _organization(address account) private view returns (Participant storage p) {
        p = _participants[account];
        if (p.kind == Kind.None) revert ParticipantNotRegistered(account);
        if (p.kind != Kind.Organization) revert NotAnOrganization(account);
    }

    function _requireActive(address account) private view {
        Participant storage p = _participants[account];
        if (p.kind != Kind.Organization) {
            if (p.kind == Kind.None) revert ParticipantNotRegistered(account);
            revert NotAnOrganization(account);
        }
        if (p.suspended) revert ParticipantSuspended(account);
    }

    function _checkGovernanceOrRegulator() private view {
        if (msg.sender != owner() && !hasRole(msg.sender, Roles.REGULATOR)) {
            revert NotGovernanceOrRegulator(msg.sender);
        }
    }

    function _checkRoles(uint16 roles) private pure {
        if (roles == 0 || roles & ~Roles.ALL != 0) revert InvalidRoles(roles);
    }

    function _splitKey(bytes calldata key) private pure returns (bytes1 prefix, bytes32 x) {
        if (key.length != 33 || (key[0] != 0x02 && key[0] != 0x03)) revert InvalidEncryptionKey(key);
        prefix = key[0];
        x = bytes32(key[1:]);
    }
}
