// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Record ids
/// @notice A record id names its patient and its data category: bits 96-255 are the patient's
/// address, bits 16-95 a nonce the writer picks at random, bits 0-15 the category (one
/// {ConsentCodes} bit). {IRecordRegistry.anchor} takes both from the id, so the ConsentRegistry can
/// log a read under the record's own patient and category without reading the record.
library RecordIds {
    /// @notice The patient a record id names (bits 96-255).
    /// @param recordId The record id.
    /// @return The patient's address.
    function patient(bytes32 recordId) internal pure returns (address) {
        return address(uint160(uint256(recordId) >> 96));
    }

    /// @notice The data category a record id names (bits 0-15; one {ConsentCodes} bit when anchored).
    /// @param recordId The record id.
    /// @return The category bitmap.
    function category(bytes32 recordId) internal pure returns (uint16) {
        return uint16(uint256(recordId));
    }
}

/// @title IRecordRegistry
/// @notice Anchors of encrypted medical records stored off chain (IPFS): who the record is about,
/// its data category, the CID and SHA-256 of the ciphertext, its author and the version it
/// supersedes. Nothing here reveals the content.
interface IRecordRegistry {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @dev Slot 0: patient, category (one {ConsentCodes} category bit), anchoredAt, erased,
    /// superseded. Slot 1: the SHA-256 of the ciphertext. The CID, author and supersedes link are
    /// in {RecordAnchored}.
    struct Record {
        address patient;
        uint16 category;
        uint40 anchoredAt;
        bool erased;
        bool superseded;
        bytes32 contentHash;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A record with this id is already anchored (ids are never reused).
    /// @param recordId The record id.
    error RecordExists(bytes32 recordId);

    /// @notice No record is anchored under this id.
    /// @param recordId The record id.
    error UnknownRecord(bytes32 recordId);

    /// @notice The record is erased (crypto-shredded): it can neither be erased again nor superseded.
    /// @param recordId The record id.
    error RecordIsErased(bytes32 recordId);

    /// @notice The record already has a newer version.
    /// @param recordId The superseded record.
    error AlreadySuperseded(bytes32 recordId);

    /// @notice The record to supersede belongs to another patient than the new record's id names.
    /// @param supersedes The record to supersede.
    /// @param patient The new record's patient.
    error PatientMismatch(bytes32 supersedes, address patient);

    /// @notice A record id's category must be exactly one bit of the consent catalogue.
    /// @param category The id's category bits.
    error InvalidCategory(uint16 category);

    /// @notice The record id, the content hash and the CID must all be non-empty.
    /// @param recordId The record id given.
    /// @param contentHash The content hash given.
    /// @param cidLength The CID's length in bytes.
    error InvalidAnchor(bytes32 recordId, bytes32 contentHash, uint256 cidLength);

    /// @notice The patient a record id names is not a registered patient.
    /// @param patient The id's patient.
    error NotAPatient(address patient);

    /// @notice The caller is not the patient and holds no write consent (treatment, the record's
    /// category) of the patient.
    /// @param author The refused caller.
    /// @param patient The record's patient.
    /// @param category The record's category.
    error NotAWriter(address author, address patient, uint16 category);

    /// @notice Only the patient or one of their guardians (in the ConsentRegistry) may erase.
    /// @param caller The refused caller.
    /// @param patient The record's patient.
    error NotPatientOrGuardian(address caller, address patient);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A record (or a new version of one, when `supersedes` is not zero) was anchored.
    /// @param patient The record's patient.
    /// @param recordId The record id.
    /// @param supersedes The record it replaces (zero for a new record).
    /// @param category Its data category.
    /// @param author The patient or the provider who wrote it.
    /// @param contentHash The SHA-256 of the ciphertext.
    /// @param cid The IPFS CID of the ciphertext.
    event RecordAnchored(
        address indexed patient,
        bytes32 indexed recordId,
        bytes32 indexed supersedes,
        uint16 category,
        address author,
        bytes32 contentHash,
        string cid
    );

    /// @notice The record's keys were destroyed off chain (crypto-shredding); it is unreadable.
    /// @param patient The record's patient.
    /// @param recordId The record id.
    /// @param by The patient or the guardian who erased it.
    event RecordErased(address indexed patient, bytes32 indexed recordId, address by);

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Anchors record `recordId`: the SHA-256 and CID of its ciphertext, and the record it
    /// supersedes (zero for a new record). The patient and the category are the id's ({RecordIds}).
    /// @dev Requirements:
    /// - `recordId`, `contentHash` and `cid` are non-empty ({InvalidAnchor});
    /// - the id's category is exactly one catalogue bit ({InvalidCategory});
    /// - `recordId` is new ({RecordExists});
    /// - the id's patient is a registered patient ({NotAPatient});
    /// - the caller is the patient or holds the patient's active consent for the category,
    ///   treatment, WRITE ({NotAWriter});
    /// - a non-zero `supersedes` exists ({UnknownRecord}), belongs to the same patient
    ///   ({PatientMismatch}), is not erased ({RecordIsErased}) nor superseded ({AlreadySuperseded}).
    /// Emits {RecordAnchored}.
    /// @param recordId The new record's id (patient, random nonce, category).
    /// @param contentHash The SHA-256 of the ciphertext.
    /// @param cid The IPFS CID of the ciphertext.
    /// @param supersedes The record this one replaces, or zero.
    function anchor(bytes32 recordId, bytes32 contentHash, string calldata cid, bytes32 supersedes) external;

    /// @notice Flags `recordId` erased once its keys are destroyed off chain (crypto-shredding).
    /// @dev Requirements: the record exists ({UnknownRecord}); the caller is its patient or one of
    /// the patient's guardians ({NotPatientOrGuardian}); it is not erased yet ({RecordIsErased}).
    /// Emits {RecordErased}.
    /// @param recordId The record to flag.
    function erase(bytes32 recordId) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice The anchor of a record.
    /// @param recordId The record id.
    /// @return The record (patient zero when unknown).
    function record(bytes32 recordId) external view returns (Record memory);

    /// @notice How many records (every version) `patient` has.
    /// @param patient The patient.
    /// @return The number of record ids of the patient.
    function recordCount(address patient) external view returns (uint256);

    /// @notice Up to `limit` record ids of `patient` from position `offset`, oldest first.
    /// @param patient The patient.
    /// @param offset The first position (0-based).
    /// @param limit The most ids returned.
    /// @return The ids (fewer, or none, past the end).
    function recordsOf(address patient, uint256 offset, uint256 limit) external view returns (bytes32[] memory);

    /// @notice The consent registry (write consents of providers, guardians).
    /// @return The ConsentRegistry's address.
    function consents() external view returns (address);

    /// @notice The participant directory (patients must be registered).
    /// @return The ParticipantRegistry's address.
    function registry() external view returns (address);
}
