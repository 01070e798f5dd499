// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// solhint-disable-next-line no-unused-import
import {ZeroAddress} from "./IErrors.sol";

/// @title Roles of the MedChain participant directory
/// @notice One bit per role; an organisation may hold several. Patients hold none.
library Roles {
    uint16 internal constant HOSPITAL = 1 << 0;
    uint16 internal constant MANUFACTURER = 1 << 1;
    uint16 internal constant DISTRIBUTOR = 1 << 2;
    uint16 internal constant PHARMACY = 1 << 3;
    uint16 internal constant INSURER = 1 << 4;
    uint16 internal constant RESEARCHER = 1 << 5;
    uint16 internal constant REGULATOR = 1 << 6;
    uint16 internal constant SENSOR_GATEWAY = 1 << 7;
    uint16 internal constant ALL = (1 << 8) - 1;
}

/// @title IParticipantRegistry
/// @notice The directory every MedChain contract asks who may do what: organisations with a role
/// bitmap, a name and a secp256k1 encryption key, and patients with their own encryption key.
interface IParticipantRegistry {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @dev None: unknown. Organization: registered by governance, holds roles. Patient:
    /// registered itself, holds no role.
    enum Kind {
        None,
        Organization,
        Patient
    }

    /// @dev Packed in one slot with the key prefix, so a role check reads one slot.
    struct Participant {
        Kind kind;
        bool suspended;
        uint16 roles;
        uint40 registeredAt;
        bytes1 keyPrefix;
        bytes32 keyX;
        string name;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    // Also raised: {ZeroAddress} (interfaces/IErrors.sol) by {registerOrganization}.

    /// @notice `account` is already registered (as an organisation or a patient).
    /// @param account The account being registered.
    error ParticipantAlreadyRegistered(address account);

    /// @notice `account` is not registered at all.
    /// @param account The account looked up.
    error ParticipantNotRegistered(address account);

    /// @notice `account` is registered, but as a patient: it holds no role.
    /// @param account The account looked up.
    error NotAnOrganization(address account);

    /// @notice `account` is a suspended organisation: it passes no role check until reactivated.
    /// @param account The suspended account.
    error ParticipantSuspended(address account);

    /// @notice `account` is not suspended, so it cannot be reactivated.
    /// @param account The account to reactivate.
    error ParticipantNotSuspended(address account);

    /// @notice `roles` is empty or holds a bit outside {Roles.ALL}.
    /// @param roles The refused role bitmap.
    error InvalidRoles(uint16 roles);

    /// @notice `key` is not a 33-byte compressed secp256k1 public key (prefix 0x02 or 0x03).
    /// @param key The refused key.
    error InvalidEncryptionKey(bytes key);

    /// @notice An organisation name must have 1 to 128 bytes.
    /// @param length The refused name's length in bytes.
    error InvalidName(uint256 length);

    /// @notice `account` is an active organisation but lacks `role` (every bit of it for
    /// {requireRole}, any bit for {requireAnyRole}); also raised for an empty `role`.
    /// @param account The account checked.
    /// @param role The role (or roles) required.
    error MissingRole(address account, uint16 role);

    /// @notice Only governance (the owner) or an active regulator may suspend or reactivate.
    /// @param account The refused caller.
    error NotGovernanceOrRegulator(address account);

    /// @notice Governance cannot be renounced: the directory must always have an operator.
    error RenounceDisabled();

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Governance registered an organisation.
    /// @param account The organisation's account.
    /// @param roles Its role bitmap ({Roles}).
    /// @param name Its display name.
    /// @param encryptionKey Its 33-byte compressed secp256k1 encryption key.
    event OrganizationRegistered(address indexed account, uint16 roles, string name, bytes encryptionKey);

    /// @notice Governance replaced an organisation's roles.
    /// @param account The organisation.
    /// @param previousRoles Its roles before.
    /// @param roles Its roles now.
    event RolesChanged(address indexed account, uint16 previousRoles, uint16 roles);

    /// @notice An organisation was suspended: it passes no role check until reactivated.
    /// @param account The organisation.
    /// @param by Governance or the regulator who suspended it.
    /// @param reasonHash The keccak256 of the reason (the text stays off chain).
    event OrganizationSuspended(address indexed account, address indexed by, bytes32 reasonHash);

    /// @notice A suspension was lifted.
    /// @param account The organisation.
    /// @param by Governance or the regulator who reactivated it.
    event OrganizationReactivated(address indexed account, address indexed by);

    /// @notice An account registered itself as a patient.
    /// @param patient The patient's account.
    /// @param encryptionKey Its 33-byte compressed secp256k1 encryption key.
    event PatientRegistered(address indexed patient, bytes encryptionKey);

    /// @notice A participant rotated its encryption key.
    /// @param account The participant.
    /// @param encryptionKey The new 33-byte compressed key.
    event EncryptionKeyChanged(address indexed account, bytes encryptionKey);

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Registers an organisation with its roles, name and encryption key.
    /// @dev Requirements:
    /// - the caller is governance (the owner; `OwnableUnauthorizedAccount` otherwise);
    /// - `account` is not zero ({ZeroAddress}) and not registered ({ParticipantAlreadyRegistered});
    /// - `roles` is a non-empty subset of {Roles.ALL} ({InvalidRoles});
    /// - `name` has 1 to 128 bytes ({InvalidName});
    /// - `encryptionKey` is a 33-byte compressed secp256k1 key ({InvalidEncryptionKey}).
    /// Emits {OrganizationRegistered}.
    /// @param account The organisation's account.
    /// @param name Its display name.
    /// @param roles Its role bitmap ({Roles}).
    /// @param encryptionKey Its 33-byte compressed secp256k1 public key.
    function registerOrganization(address account, string calldata name, uint16 roles, bytes calldata encryptionKey)
        external;

    /// @notice Replaces an organisation's roles.
    /// @dev Requirements:
    /// - the caller is governance (`OwnableUnauthorizedAccount` otherwise);
    /// - `account` is registered ({ParticipantNotRegistered}) as an organisation ({NotAnOrganization});
    /// - `roles` is a non-empty subset of {Roles.ALL} ({InvalidRoles}).
    /// A suspended organisation's roles may be changed (it stays suspended). Emits {RolesChanged}.
    /// @param account The organisation.
    /// @param roles Its new role bitmap.
    function setRoles(address account, uint16 roles) external;

    /// @notice Suspends an organisation: it keeps its data but passes no role check.
    /// @dev Requirements:
    /// - the caller is governance or an active regulator ({NotGovernanceOrRegulator});
    /// - `account` is a registered organisation ({ParticipantNotRegistered}, {NotAnOrganization});
    /// - it is not suspended yet ({ParticipantSuspended}).
    /// Emits {OrganizationSuspended}.
    /// @param account The organisation to suspend.
    /// @param reasonHash The keccak256 of the reason (the text stays off chain).
    function suspend(address account, bytes32 reasonHash) external;

    /// @notice Lifts a suspension.
    /// @dev Requirements:
    /// - the caller is governance or an active regulator ({NotGovernanceOrRegulator});
    /// - `account` is a registered organisation ({ParticipantNotRegistered}, {NotAnOrganization});
    /// - it is suspended ({ParticipantNotSuspended}).
    /// Emits {OrganizationReactivated}.
    /// @param account The organisation to reactivate.
    function reactivate(address account) external;

    /// @notice Registers the caller as a patient with its encryption key. Patients hold no role.
    /// @dev Requirements:
    /// - the caller is not registered ({ParticipantAlreadyRegistered});
    /// - `encryptionKey` is a 33-byte compressed secp256k1 key ({InvalidEncryptionKey}).
    /// Emits {PatientRegistered}.
    /// @param encryptionKey The patient's 33-byte compressed secp256k1 public key.
    function registerPatient(bytes calldata encryptionKey) external;

    /// @notice Rotates the caller's encryption key.
    /// @dev Requirements:
    /// - the caller is registered ({ParticipantNotRegistered}) and not suspended ({ParticipantSuspended});
    /// - `encryptionKey` is a 33-byte compressed secp256k1 key ({InvalidEncryptionKey}).
    /// Emits {EncryptionKeyChanged}.
    /// @param encryptionKey The new 33-byte compressed key.
    function setEncryptionKey(bytes calldata encryptionKey) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice The full record of `account`.
    /// @param account The account looked up.
    /// @return The participant record (kind None when unknown).
    function participant(address account) external view returns (Participant memory);

    /// @notice True when `account` is an active (not suspended) organisation holding every bit of
    /// `role`; false for an empty `role`.
    /// @param account The account checked.
    /// @param role The role bits required.
    /// @return Whether `account` actively holds `role`.
    function hasRole(address account, uint16 role) external view returns (bool);

    /// @notice True when `account` is an active organisation holding at least one bit of `roles`.
    /// @param account The account checked.
    /// @param roles The role bits, any of which suffices.
    /// @return Whether `account` actively holds one of `roles`.
    function hasAnyRole(address account, uint16 roles) external view returns (bool);

    /// @notice Reverts with the precise reason unless `account` is an active holder of every bit of
    /// `role`: {ParticipantNotRegistered}, {NotAnOrganization}, {ParticipantSuspended}, then
    /// {MissingRole} (also for an empty `role`). What every MedChain contract's role check calls.
    /// @param account The account checked.
    /// @param role The role bits required.
    function requireRole(address account, uint16 role) external view;

    /// @notice {requireRole} for "any bit of `roles`": reverts with {ParticipantNotRegistered},
    /// {NotAnOrganization}, {ParticipantSuspended} or {MissingRole}.
    /// @param account The account checked.
    /// @param roles The role bits, any of which suffices.
    function requireAnyRole(address account, uint16 roles) external view;

    /// @notice True when `account` registered itself as a patient.
    /// @param account The account checked.
    /// @return Whether `account` is a patient.
    function isPatient(address account) external view returns (bool);

    /// @notice The 33-byte compressed encryption key of `account`.
    /// @dev Requirements: `account` is registered ({ParticipantNotRegistered}).
    /// @param account A registered participant.
    /// @return The compressed secp256k1 public key (prefix byte, then the x coordinate).
    function encryptionKey(address account) external view returns (bytes memory);
}
