// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IConsentRegistry, ConsentCodes} from "../interfaces/IConsentRegistry.sol";
import {IParticipantRegistry, Roles} from "../interfaces/IParticipantRegistry.sol";
import {RecordIds} from "../interfaces/IRecordRegistry.sol";

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
contract ConsentRegistry is IConsentRegistry, EIP712, Nonces {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "SignedGrant(address patient,address grantee,uint16 categories,uint8 purposes,uint8 actions,uint40 start,"
        "uint40 end,uint256 nonce,uint256 deadline)"
    );
    bytes32 public constant REVOKE_TYPEHASH =
        keccak256("SignedRevoke(address patient,address grantee,uint256 nonce,uint256 deadline)");

    IParticipantRegistry private immutable _registry;

    // A consent packed in one word (one SLOAD per check, one SSTORE per grant): bits 0-15
    // categories, 16-23 purposes, 24-31 actions, 32-71 start, 72-111 end, 112-143 version,
    // 144 revoked. Solidity writes a storage struct field by field; one word is ~1,300 gas cheaper.
    mapping(address patient => mapping(address grantee => uint256 packed)) private _consents;
    mapping(address patient => mapping(address guardian => bool)) private _guardians;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param participantRegistry The participant directory (asked for the hospital role of
    /// emergency readers).
    constructor(address participantRegistry) EIP712("MedChain ConsentRegistry", "1") {
        _registry = IParticipantRegistry(participantRegistry);
    }

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Grants `grantee` consent to `actions` on `categories` for `purposes` from `start`
    /// to `end` (inclusive), replacing any consent the caller gave `grantee` before.
    /// @dev Requirements: `grantee` is neither zero nor the caller; each mask is a non-empty
    /// subset of its catalogue ({ConsentCodes}); `start <= end` and `end` is not past.
    /// Emits {ConsentGranted}.
    function grant(address grantee, uint16 categories, uint8 purposes, uint8 actions, uint40 start, uint40 end)
        external
    {
        _grant(msg.sender, grantee, categories, purposes, actions, start, end, msg.sender);
    }

    /// @notice {grant} on behalf of `patient`, by the patient or one of their guardians.
    /// @dev Requirements: the caller is `patient` or a guardian of `patient`; as {grant}.
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

    /// @notice {grant} signed off chain (EIP-712 `SignedGrant`) by the patient or a guardian and
    /// relayed by anyone, so the patient needs no ether.
    /// @dev Requirements: `block.timestamp <= request.deadline`; `request.nonce` is the patient's
    /// current nonce (a signature is usable once); `signature` is a 65-byte, low-s signature by
    /// the patient or one of their guardians; as {grant}. Emits {ConsentGranted} with the signer
    /// as `by`.
    function grantBySig(SignedGrant calldata request, bytes calldata signature) external {
        if (block.timestamp > request.deadline) revert SignatureExpired(request.deadline);
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

    /// @notice Revokes the caller's consent for `grantee` at once, and voids every signed request
    /// of the caller not yet relayed.
    /// @dev Uses the patient's nonce, so the grantee cannot relay a signed grant it holds to re-grant itself.
    /// Requirements: the consent exists and is not revoked (an expired one may still be
    /// revoked). Emits {ConsentRevoked}.
    function revoke(address grantee) external {
        _revoke(msg.sender, grantee, msg.sender);
        _useNonce(msg.sender);
    }

    /// @notice {revoke} on behalf of `patient`, by the patient or one of their guardians; voids
    /// the patient's signed requests not yet relayed, as {revoke}.
    function revokeFor(address patient, address grantee) external {
        _checkPatientOrGuardian(patient, msg.sender);
        _revoke(patient, grantee, msg.sender);
        _useNonce(patient);
    }

    /// @notice {revoke} signed off chain (EIP-712 `SignedRevoke`) and relayed by anyone; the
    /// signature's nonce is used, so it too voids the patient's other pending signed requests.
    /// @dev Requirements: as {grantBySig} for the signature; as {revoke}.
    function revokeBySig(SignedRevoke calldata request, bytes calldata signature) external {
        if (block.timestamp > request.deadline) revert SignatureExpired(request.deadline);
        bytes32 structHash = keccak256(
            abi.encode(REVOKE_TYPEHASH, request.patient, request.grantee, request.nonce, request.deadline)
        );
        address signer = _signer(request.patient, structHash, signature);
        _useCheckedNonce(request.patient, request.nonce);
        _revoke(request.patient, request.grantee, signer);
    }

    /// @notice Appoints `guardian` (a parent, a legal representative) to grant and revoke on the
    /// caller's behalf.
    /// @dev Requirements: `guardian` is neither zero nor the caller, and not yet appointed.
    /// Emits {GuardianAppointed}.
    function appointGuardian(address guardian) external {
        if (guardian == address(0) || guardian == msg.sender) revert InvalidGuardian(guardian);
        if (_guardians[msg.sender][guardian]) revert GuardianAlreadyAppointed(msg.sender, guardian);
        _guardians[msg.sender][guardian] = true;
        emit GuardianAppointed(msg.sender, guardian);
    }

    /// @notice Removes a guardian of the caller.
    /// @dev Requirements: `guardian` is a guardian of the caller. Emits {GuardianRemoved}.
    function removeGuardian(address guardian) external {
        if (!_guardians[msg.sender][guardian]) revert GuardianNotAppointed(msg.sender, guardian);
        _guardians[msg.sender][guardian] = false;
        emit GuardianRemoved(msg.sender, guardian);
    }

    /// @notice Records that the caller reads record `recordId` for `purpose`; call it before every
    /// read. The event is the audit trail.
    /// @dev The patient and the data category are those of the record id ({RecordIds}), which the
    /// RecordRegistry enforces when it anchors the record, so a read can never be logged under
    /// another patient or category than the record's own. Requirements: the patient has an active
    /// consent for the caller covering the category, `purpose` and {ConsentCodes.READ}
    /// ({AccessNotPermitted}). Emits {AccessLogged}.
    /// A suspended organisation is not refused here, by design: the log records reads, it does not
    /// gate decryption (the wrapped keys do), so a read by a suspended grantee is logged as evidence
    /// of it (auditors match it against the registry's suspensions), the client refuses before
    /// logging, and the patient's revocation re-keys; an on-chain check would cost a cold call
    /// (about 6,000 gas, taking the log over its 32,000 budget).
    function logAccess(bytes32 recordId, uint8 purpose) external {
        address patient = RecordIds.patient(recordId);
        uint16 category = RecordIds.category(recordId);
        if (!_permitted(patient, msg.sender, category, purpose, ConsentCodes.READ)) {
            revert AccessNotPermitted(patient, msg.sender, category, purpose);
        }
        emit AccessLogged(patient, msg.sender, recordId, category, purpose);
    }

    /// @notice Break-glass: a registered hospital reads `recordId` without consent.
    /// @dev The patient is the record id's ({RecordIds}). Requirements: the caller is an active
    /// organisation with the hospital role (the registry's errors otherwise). Emits {EmergencyAccess}.
    function emergencyAccess(bytes32 recordId, bytes32 reasonHash) external {
        _registry.requireRole(msg.sender, Roles.HOSPITAL);
        emit EmergencyAccess(RecordIds.patient(recordId), msg.sender, recordId, reasonHash);
    }

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IConsentRegistry
    /// @dev False when any of the three masks is empty.
    function isPermitted(address patient, address grantee, uint16 categories, uint8 purposes, uint8 actions)
        external
        view
        returns (bool)
    {
        return _permitted(patient, grantee, categories, purposes, actions);
    }

    /// @notice The current consent of `patient` for `grantee` (version 0 when there never was one).
    function consentOf(address patient, address grantee) external view returns (Consent memory c) {
        uint256 w = _consents[patient][grantee];
        c.categories = uint16(w);
        c.purposes = uint8(w >> 16);
        c.actions = uint8(w >> 24);
        c.start = uint40(w >> 32);
        c.end = uint40(w >> 72);
        c.version = uint32(w >> 112);
        c.revoked = (w >> 144) & 1 == 1;
    }

    /// @notice True when `guardian` may grant and revoke for `patient`.
    function isGuardian(address patient, address guardian) external view returns (bool) {
        return _guardians[patient][guardian];
    }

    /// @notice The patient's next signature nonce.
    function nonces(address patient) public view override(IConsentRegistry, Nonces) returns (uint256) {
        return super.nonces(patient);
    }

    /// @notice The participant directory.
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @notice The EIP-712 domain separator of this chain and contract.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
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
        mapping(address => uint256) storage ofPatient = _consents[patient];
        uint32 version = uint32(ofPatient[grantee] >> 112) + 1;
        ofPatient[grantee] = uint256(categories) | uint256(purposes) << 16 | uint256(actions) << 24
            | uint256(start) << 32 | uint256(end) << 72 | uint256(version) << 112;
        emit ConsentGranted(patient, grantee, version, categories, purposes, actions, start, end, by);
    }

    function _revoke(address patient, address grantee, address by) private {
        uint256 w = _consents[patient][grantee];
        uint32 version = uint32(w >> 112);
        if (version == 0 || (w >> 144) & 1 == 1) revert ConsentNotActive(patient, grantee);
        _consents[patient][grantee] = w | 1 << 144;
        emit ConsentRevoked(patient, grantee, version, by);
    }

    function _permitted(address patient, address grantee, uint16 categories, uint8 purposes, uint8 actions)
        private
        view
        returns (bool)
    {
        uint256 w = _consents[patient][grantee];
        return uint32(w >> 112) != 0 && (w >> 144) & 1 == 0 && uint40(w >> 32) <= block.timestamp
            && block.timestamp <= uint40(w >> 72) && categories != 0 && uint16(w) & categories == categories
            && purposes != 0 && uint8(w >> 16) & purposes == purposes && actions != 0
            && uint8(w >> 24) & actions == actions;
    }

    function _checkPatientOrGuardian(address patient, address caller) private view {
        if (caller != patient && !_guardians[patient][caller]) revert NotPatientOrGuardian(caller, patient);
    }

    /// @dev The signer of `structHash` under this domain; must be `patient` or a guardian.
    function _signer(address patient, bytes32 structHash, bytes calldata signature) private view returns (address) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(_hashTypedDataV4(structHash), signature);
        if (err != ECDSA.RecoverError.NoError) revert InvalidSignature();
        if (signer != patient && !_guardians[patient][signer]) revert WrongSigner(patient, signer);
        return signer;
    }
}
