// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

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

    error ParticipantAlreadyRegistered(address account);
    error ParticipantNotRegistered(address account);
    error NotAnOrganization(address account);
    error ParticipantSuspended(address account);
    error ParticipantNotSuspended(address account);
    error InvalidRoles(uint16 roles);
    error InvalidEncryptionKey(bytes key);
    error InvalidName(uint256 length);
    error ZeroAddress();
    error MissingRole(address account, uint16 role);
    error NotGovernanceOrRegulator(address account);
    error RenounceDisabled();

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    event OrganizationRegistered(address indexed account, uint16 roles, string name, bytes encryptionKey);
    event RolesChanged(address indexed account, uint16 previousRoles, uint16 roles);
    event OrganizationSuspended(address indexed account, address indexed by, bytes32 reasonHash);
    event OrganizationReactivated(address indexed account, address indexed by);
    event PatientRegistered(address indexed patient, bytes encryptionKey);
    event EncryptionKeyChanged(address indexed account, bytes encryptionKey);

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    function registerOrganization(address account, string calldata name, uint16 roles, bytes calldata encryptionKey)
        external;
    function setRoles(address account, uint16 roles) external;
    function suspend(address account, bytes32 reasonHash) external;
    function reactivate(address account) external;
    function registerPatient(bytes calldata encryptionKey) external;
    function setEncryptionKey(bytes calldata encryptionKey) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    function participant(address account) external view returns (Participant memory);
    function hasRole(address account, uint16 role) external view returns (bool);
    function hasAnyRole(address account, uint16 roles) external view returns (bool);
    function requireRole(address account, uint16 role) external view;
    function requireAnyRole(address account, uint16 roles) external view;
    function isPatient(address account) external view returns (bool);
    function encryptionKey(address account) external view returns (bytes memory);
}
