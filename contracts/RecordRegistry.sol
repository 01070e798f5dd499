// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRecordRegistry, RecordIds} from "../interfaces/IRecordRegistry.sol";
import {IConsentRegistry, ConsentCodes} from "../interfaces/IConsentRegistry.sol";
import {ParticipantGated} from "./utils/ParticipantGated.sol";

/// @title RecordRegistry
/// @notice "One person, one lifelong file": the on-chain index of a patient's encrypted records.
/// A record is written by the patient, or by a provider holding a write consent (purpose
/// treatment) for its category; amendments are new records that supersede the old one, never
/// overwrites. A record id carries its patient and category ({RecordIds}). Erasure ("right to be forgotten") is crypto-shredding: the keys are destroyed off
/// chain and the record is flagged erased here.
contract RecordRegistry is IRecordRegistry, ParticipantGated {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    IConsentRegistry private immutable _consents;

    mapping(bytes32 recordId => Record) private _records;
    mapping(address patient => bytes32[]) private _index;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param participantRegistry The participant directory (patients must be registered).
    /// @param consentRegistry The consent registry (write consents of providers).
    constructor(address participantRegistry, address consentRegistry) ParticipantGated(participantRegistry) {
        _consents = IConsentRegistry(consentRegistry);
    }

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRecordRegistry
    function anchor(bytes32 recordId, bytes32 contentHash, string calldata cid, bytes32 supersedes) external {
        if (recordId == 0 || contentHash == 0 || bytes(cid).length == 0) {
            revert InvalidAnchor(recordId, contentHash, bytes(cid).length);
        }
        uint16 category = RecordIds.category(recordId);
        if (category == 0 || category & (category - 1) != 0 || category & ~ConsentCodes.ALL_CATEGORIES != 0) {
            revert InvalidCategory(category);
        }
        address patient = RecordIds.patient(recordId);
        Record storage r = _records[recordId];
        if (r.patient != address(0)) revert RecordExists(recordId);
        if (!_registry.isPatient(patient)) revert NotAPatient(patient);
        if (
            msg.sender != patient
                && !_consents.isPermitted(patient, msg.sender, category, ConsentCodes.TREATMENT, ConsentCodes.WRITE)
        ) revert NotAWriter(msg.sender, patient, category);
        if (supersedes != 0) {
            Record storage old = _records[supersedes];
            if (old.patient == address(0)) revert UnknownRecord(supersedes);
            if (old.patient != patient) revert PatientMismatch(supersedes, patient);
            if (old.erased) revert RecordIsErased(supersedes);
            if (old.superseded) revert AlreadySuperseded(supersedes);
            old.superseded = true;
        }
        _records[recordId] = Record(patient, category, uint40(block.timestamp), false, false, contentHash);
        _index[patient].push(recordId);
        emit RecordAnchored(patient, recordId, supersedes, category, msg.sender, contentHash, cid);
    }

    /// @inheritdoc IRecordRegistry
    function erase(bytes32 recordId) external {
        Record storage r = _records[recordId];
        address patient = r.patient;
        if (patient == address(0)) revert UnknownRecord(recordId);
        if (msg.sender != patient && !_consents.isGuardian(patient, msg.sender)) {
            revert NotPatientOrGuardian(msg.sender, patient);
        }
        if (r.erased) revert RecordIsErased(recordId);
        r.erased = true;
        emit RecordErased(patient, recordId, msg.sender);
    }

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRecordRegistry
    function record(bytes32 recordId) external view returns (Record memory) {
        return _records[recordId];
    }

    /// @inheritdoc IRecordRegistry
    function recordCount(address patient) external view returns (uint256) {
        return _index[patient].length;
    }

    /// @inheritdoc IRecordRegistry
    function recordsOf(address patient, uint256 offset, uint256 limit) external view returns (bytes32[] memory ids) {
        bytes32[] storage all = _index[patient];
        uint256 count = offset < all.length ? all.length - offset : 0;
        ids = new bytes32[](limit < count ? limit : count);
        for (uint256 i = 0; i < ids.length; ++i) {
            ids[i] = all[offset + i];
        }
    }

    /// @inheritdoc IRecordRegistry
    function consents() external view returns (address) {
        return address(_consents);
    }

    /// @inheritdoc IRecordRegistry
    function registry() external view returns (address) {
        return address(_registry);
    }
}
