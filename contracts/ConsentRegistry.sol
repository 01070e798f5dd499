// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IConsentRegistry, ConsentCodes} from "../interfaces/IConsentRegistry.sol";
import {WrongSigner} from "../interfaces/IErrors.sol";
import {Roles} from "../interfaces/IParticipantRegistry.sol";
import {RecordIds} from "../interfaces/IRecordRegistry.sol";
import {ConsentWord, packConsent} from "./types/ConsentWord.sol";
import {ParticipantGated} from "./utils/ParticipantGated.sol";
import {SignedRequests} from "./utils/SignedRequests.sol";

/// @title ConsentRegistry
/// @notice Patients' consents to share their medical data, and the audit trail of every read.
/// A patient holds at most one consent per grantee, scoped by data categories, purposes, actions
/// and a validity period; granting again amends it in place (the version increments, every
/// version stays in the events). Patients act themselves, through a guardian they appointed, or
/// by an EIP-712 signature anyone may relay. Grantees log each read with {logAccess}, which
/// reverts without a valid consent for the record's own category (carried by its id); a registered
/// hospital may read without consent in an emergency ({emergencyAccess}), which leaves a distinct
/// event.
/// @dev Validity is `start <= block.timestamp <= end` (both bounds inclusive). A consent is one
/// storage slot keyed by (patient, grantee), so a check reads one slot and a grant writes one.
contract ConsentRegistry is IConsentRegistry, ParticipantGated, SignedRequests {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice The EIP-712 type hash of {IConsentRegistry.SignedGrant}.
    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "SignedGrant(address patient,address grantee,uint16 categories,uint8 purposes,uint8 actions,uint40 start,"
        "uint40 end,uint256 nonce,uint256 deadline)"
    );
    /// @notice The EIP-712 type hash of {IConsentRegistry.SignedRevoke}.
    bytes32 public constant REVOKE_TYPEHASH =
        keccak256("SignedRevoke(address patient,address grantee,uint256 nonce,uint256 deadline)");

    /// @dev One {ConsentWord} per (patient, grantee): one SLOAD per check, one SSTORE per grant.
    mapping(address patient => mapping(address grantee => ConsentWord)) private _consents;
    mapping(address patient => mapping(address guardian => bool)) private _guardians;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param participantRegistry The participant directory (asked for the hospital role of
    /// emergency readers).
    constructor(address participantRegistry)
        ParticipantGated(participantRegistry)
        SignedRequests("MedChain ConsentRegistry")
    {}

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IConsentRegistry
    function grant(address grantee, uint16 categories, uint8 purposes, uint8 actions, uint40 start, uint40 end)
        external
    {
        _grant(msg.sender, grantee, categories, purposes, actions, start, end, msg.sender);
    }

    /// @inheritdoc IConsentRegistry
    function grantFor(
        address patient,
        address grantee,
        uint16 categories,
        uint8 purposes,
        uint8 actions,
        uint40 start,
        uint40 end
    ) external {
        _checkPatientOrGuardian(patient, msg.sender);
        _grant(patient, grantee, categories, purposes, actions, start, end, msg.sender);
    }

    /// @inheritdoc IConsentRegistry
    function grantBySig(SignedGrant calldata request, bytes calldata signature) external {
        _checkDeadline(request.deadline);
        bytes32 structHash = keccak256(
            abi.encode(
                GRANT_TYPEHASH,
                request.patient,
                request.grantee,
                request.categories,
                request.purposes,
                request.actions,
                request.start,
                request.end,
                request.nonce,
                request.deadline
            )
        );
        address signer = _signer(request.patient, structHash, signature);
        _useCheckedNonce(request.patient, request.nonce);
        _grant(
            request.patient,
            request.grantee,
            request.categories,
            request.purposes,
            request.actions,
            request.start,
            request.end,
            signer
        );
    }

    /// @inheritdoc IConsentRegistry
    function revoke(address grantee) external {
        _revoke(msg.sender, grantee, msg.sender);
        _useNonce(msg.sender);
    }

    /// @inheritdoc IConsentRegistry
    function revokeFor(address patient, address grantee) external {
        _checkPatientOrGuardian(patient, msg.sender);
        _revoke(patient, grantee, msg.sender);
        _useNonce(patient);
    }

    /// @inheritdoc IConsentRegistry
    function revokeBySig(SignedRevoke calldata request, bytes calldata signature) external {
        _checkDeadline(request.deadline);
        bytes32 structHash = keccak256(
            abi.encode(REVOKE_TYPEHASH, request.patient, request.grantee, request.nonce, request.deadline)
        );
        address signer = _signer(request.patient, structHash, signature);
        _useCheckedNonce(request.patient, request.nonce);
        _revoke(request.patient, request.grantee, signer);
    }

    /// @inheritdoc IConsentRegistry
    function appointGuardian(address guardian) external {
        if (guardian == address(0) || guardian == msg.sender) revert InvalidGuardian(guardian);
        if (_guardians[msg.sender][guardian]) revert GuardianAlreadyAppointed(msg.sender, guardian);
        _guardians[msg.sender][guardian] = true;
        emit GuardianAppointed(msg.sender, guardian);
    }

    /// @inheritdoc IConsentRegistry
    function removeGuardian(address guardian) external {
        if (!_guardians[msg.sender][guardian]) revert GuardianNotAppointed(msg.sender, guardian);
        _guardians[msg.sender][guardian] = false;
        emit GuardianRemoved(msg.sender, guardian);
    }

    /// @inheritdoc IConsentRegistry
    function logAccess(bytes32 recordId, uint8 purpose) external {
        address patient = RecordIds.patient(recordId);
        uint16 category = RecordIds.category(recordId);
        if (!_permitted(patient, msg.sender, category, purpose, ConsentCodes.READ)) {
            revert AccessNotPermitted(patient, msg.sender, category, purpose);
        }
        emit AccessLogged(patient, msg.sender, recordId, category, purpose);
    }

    /// @inheritdoc IConsentRegistry
    function emergencyAccess(bytes32 recordId, bytes32 reasonHash) external onlyRole(Roles.HOSPITAL) {
        emit EmergencyAccess(RecordIds.patient(recordId), msg.sender, recordId, reasonHash);
    }

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IConsentRegistry
    function isPermitted(address patient, address grantee, uint16 categories, uint8 purposes, uint8 actions)
        external
        view
        returns (bool)
    {
        return _permitted(patient, grantee, categories, purposes, actions);
    }

    /// @inheritdoc IConsentRegistry
    function consentOf(address patient, address grantee) external view returns (Consent memory c) {
        ConsentWord w = _consents[patient][grantee];
        c.categories = w.categories();
        c.purposes = w.purposes();
        c.actions = w.actions();
        c.start = w.start();
        c.end = w.end();
        c.version = w.version();
        c.revoked = w.revoked();
    }

    /// @inheritdoc IConsentRegistry
    function isGuardian(address patient, address guardian) external view returns (bool) {
        return _guardians[patient][guardian];
    }

    /// @inheritdoc IConsentRegistry
    function nonces(address patient) public view override(IConsentRegistry, Nonces) returns (uint256) {
        return super.nonces(patient);
    }

    /// @inheritdoc IConsentRegistry
    function registry() external view returns (address) {
        return address(_registry);
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _grant(
        address patient,
        address grantee,
        uint16 categories,
        uint8 purposes,
        uint8 actions,
        uint40 start,
        uint40 end,
        address by
    ) private {
        if (grantee == address(0) || grantee == patient) revert InvalidGrantee(grantee);
        if (
            categories == 0 || categories & ~ConsentCodes.ALL_CATEGORIES != 0 || purposes == 0
                || purposes & ~ConsentCodes.ALL_PURPOSES != 0 || actions == 0 || actions & ~ConsentCodes.ALL_ACTIONS != 0
        ) revert InvalidScope(categories, purposes, actions);
        if (start > end || end < block.timestamp) revert InvalidPeriod(start, end);
        mapping(address => ConsentWord) storage ofPatient = _consents[patient];
        uint32 version = ofPatient[grantee].version() + 1;
        ofPatient[grantee] = packConsent(categories, purposes, actions, start, end, version);
        emit ConsentGranted(patient, grantee, version, categories, purposes, actions, start, end, by);
    }

    function _revoke(address patient, address grantee, address by) private {
        ConsentWord w = _consents[patient][grantee];
        uint32 version = w.version();
        if (version == 0 || w.revoked()) revert ConsentNotActive(patient, grantee);
        _consents[patient][grantee] = w.setRevoked();
        emit ConsentRevoked(patient, grantee, version, by);
    }

    function _permitted(address patient, address grantee, uint16 categories, uint8 purposes, uint8 actions)
        private
        view
        returns (bool)
    {
        ConsentWord w = _consents[patient][grantee];
        return w.version() != 0 && !w.revoked() && w.start() <= block.timestamp && block.timestamp <= w.end()
            && categories != 0 && w.categories() & categories == categories && purposes != 0
            && w.purposes() & purposes == purposes && actions != 0 && w.actions() & actions == actions;
    }

    function _checkPatientOrGuardian(address patient, address caller) private view {
        if (caller != patient && !_guardians[patient][caller]) revert NotPatientOrGuardian(caller, patient);
    }

    /// @dev The signer of `structHash` under this domain; must be `patient` or a guardian.
    function _signer(address patient, bytes32 structHash, bytes calldata signature) private view returns (address) {
        address signer = _recoverSigner(structHash, signature);
        if (signer != patient && !_guardians[patient][signer]) revert WrongSigner(patient, signer);
        return signer;
    }
}
