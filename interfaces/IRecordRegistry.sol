// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Record ids
/// @notice A record id names its patient and its data category: bits 96-255 are the patient's
/// address, bits 16-95 a nonce the writer picks at random, bits 0-15 the category (one
/// {ConsentCodes} bit). {IRecordRegistry.anchor} takes both from the id, so the ConsentRegistry can
/// log a read under the record's own patient and category without reading the record.
library RecordIds {
    function patient(bytes32 recordId) internal pure returns (address) {
        return address(uint160(uint256(recordId) >> 96));
    }

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

    error RecordExists(bytes32 recordId);
    error UnknownRecord(bytes32 recordId);
    error RecordIsErased(bytes32 recordId);
    error AlreadySuperseded(bytes32 recordId);
    error PatientMismatch(bytes32 supersedes, address patient);
    error InvalidCategory(uint16 category);
    error InvalidAnchor(bytes32 recordId, bytes32 contentHash, uint256 cidLength);
    error NotAPatient(address patient);
    error NotAWriter(address author, address patient, uint16 category);
    error NotPatientOrGuardian(address caller, address patient);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A record (or a new version of one, when `supersedes` is not zero) was anchored.
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
    event RecordErased(address indexed patient, bytes32 indexed recordId, address by);

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    function anchor(bytes32 recordId, bytes32 contentHash, string calldata cid, bytes32 supersedes) external;
    function erase(bytes32 recordId) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    function record(bytes32 recordId) external view returns (Record memory);
    function recordCount(address patient) external view returns (uint256);
    function recordsOf(address patient, uint256 offset, uint256 limit) external view returns (bytes32[] memory);
    function consents() external view returns (address);
    function registry() external view returns (address);
}
