// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Roles} from "../interfaces/IParticipantRegistry.sol";
import {IClinicalTrialRegistry} from "../interfaces/IClinicalTrialRegistry.sol";
import {ParticipantGated} from "./utils/ParticipantGated.sol";
import {SignedRequests} from "./utils/SignedRequests.sol";
import {IAttestationTree} from "../interfaces/IAttestationTree.sol";
import {IEligibilityVerifier, IPrivateEnrolment} from "../interfaces/IPrivateEnrolment.sol";

/// @title ClinicalTrialRegistry
/// @notice Tamper-evident clinical-trial records. A sponsor (an active hospital, manufacturer or
/// research organisation) registers a trial with the keccak256 of its protocol and of its
/// pre-specified primary endpoints before any enrolment; it adds its sites (active hospitals).
/// A site enrols a subject with the subject's EIP-712 signature over the trial and the current
/// protocol hash (subjects may be pseudonymous per-trial keys), records the subject's visits and
/// the trial's milestones; a subject (or its site) records a withdrawal. The sponsor locks the
/// results hash at the end. Nothing is overwritten: a change of protocol, endpoints or results is
/// an amendment carrying the previous hash, the new one and the hash of the reason, numbered and
/// kept on chain; an endpoint change after the first enrolment is flagged.
/// A patient may also enrol itself with a zero-knowledge proof of eligibility against the
/// sponsor's published criteria ({enrolWithProof}, {IPrivateEnrolment}).
contract ClinicalTrialRegistry is IClinicalTrialRegistry, IPrivateEnrolment, ParticipantGated, SignedRequests {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    uint256 private constant MAX_TITLE_LENGTH = 256;
    uint16 private constant SPONSORS = Roles.HOSPITAL | Roles.MANUFACTURER | Roles.RESEARCHER;
    bytes32 private constant ENROLMENT_TYPEHASH = keccak256(
        "EnrolmentConsent(uint256 trialId,address subject,address site,bytes32 protocolHash,uint256 nonce,uint256 deadline)"
    );

    uint256 private _trialCount;
    mapping(uint256 trialId => Trial) private _trials;
    mapping(uint256 trialId => mapping(address site => bool)) private _sites;
    mapping(uint256 trialId => mapping(address subject => Subject)) private _subjects;
    mapping(uint256 trialId => mapping(uint256 number => Amendment)) private _amendments;
    // private enrolment (issue 18)
    uint256 private constant MAX_DIAGNOSES = 8;
    IAttestationTree private immutable _attestations;
    IEligibilityVerifier private immutable _verifier;
    mapping(uint256 trialId => uint256 packed) private _criteria;
    mapping(uint256 nullifier => bool) private _nullifiers;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param participantRegistry The participant directory (sponsor and site roles).
    /// @param attestationTree The hospitals' attestation tree (roots accepted by {enrolWithProof}).
    /// @param eligibilityVerifier The Groth16 verifier of circuits/eligibility.circom.
    constructor(address participantRegistry, address attestationTree, address eligibilityVerifier)
        ParticipantGated(participantRegistry)
        SignedRequests("MedChain ClinicalTrialRegistry")
    {
        _attestations = IAttestationTree(attestationTree);
        _verifier = IEligibilityVerifier(eligibilityVerifier);
    }

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IClinicalTrialRegistry
    function registerTrial(bytes32 protocolHash, bytes32 endpointsHash, string calldata title)
        external
        onlyAnyRole(SPONSORS)
        returns (uint256 trialId)
    {
        if (protocolHash == bytes32(0) || endpointsHash == bytes32(0)) revert InvalidHash();
        uint256 length = bytes(title).length;
        if (length == 0 || length > MAX_TITLE_LENGTH) revert InvalidTitle(length);
        trialId = ++_trialCount;
        Trial storage t = _trials[trialId];
        t.sponsor = msg.sender;
        t.registeredAt = uint40(block.timestamp);
        t.status = Status.Registered;
        t.protocolHash = protocolHash;
        t.endpointsHash = endpointsHash;
        emit TrialRegistered(trialId, msg.sender, protocolHash, endpointsHash, title);
    }

    /// @inheritdoc IClinicalTrialRegistry
    function addSite(uint256 trialId, address site) external {
        Trial storage t = _activeSponsored(trialId);
        if (t.status == Status.Locked) revert TrialLocked(trialId);
        _checkRole(site, Roles.HOSPITAL);
        if (_sites[trialId][site]) revert SiteAlreadyAdded(trialId, site);
        _sites[trialId][site] = true;
        emit SiteAdded(trialId, site);
    }

    /// @inheritdoc IClinicalTrialRegistry
    function amend(uint256 trialId, AmendmentKind kind, bytes32 newHash, bytes32 reasonHash) external {
        Trial storage t = kind == AmendmentKind.Results ? _sponsored(trialId) : _activeSponsored(trialId);
        if (newHash == bytes32(0) || reasonHash == bytes32(0)) revert InvalidHash();
        bytes32 previous;
        if (kind == AmendmentKind.Results) {
            if (t.status != Status.Locked) revert TrialNotLocked(trialId);
            previous = t.resultsHash;
            t.resultsHash = newHash;
        } else {
            if (t.status == Status.Locked) revert TrialLocked(trialId);
            if (kind == AmendmentKind.Protocol) {
                previous = t.protocolHash;
                t.protocolHash = newHash;
            } else {
                previous = t.endpointsHash;
                t.endpointsHash = newHash;
            }
        }
        if (previous == newHash) revert NothingAmended(newHash);
        uint32 number = ++t.amendments;
        bool afterEnrolment = t.firstEnrolmentAt != 0;
        _amendments[trialId][number] = Amendment(kind, uint40(block.timestamp), afterEnrolment, previous, newHash, reasonHash);
        emit Amended(trialId, number, kind, previous, newHash, reasonHash, afterEnrolment);
    }

    /// @inheritdoc IClinicalTrialRegistry
    function enrol(uint256 trialId, address subject, bytes32 protocolHash, uint256 deadline, bytes calldata signature)
        external
    {
        Trial storage t = _open(trialId);
        _checkSite(trialId);
        if (_subjects[trialId][subject].enrolledAt != 0) revert AlreadyEnrolled(trialId, subject);
        if (protocolHash != t.protocolHash) revert ProtocolChanged(protocolHash, t.protocolHash);
        _checkDeadline(deadline);
        bytes32 structHash =
            keccak256(abi.encode(ENROLMENT_TYPEHASH, trialId, subject, msg.sender, protocolHash, _useNonce(subject), deadline));
        _checkSigner(subject, structHash, signature);
        _subjects[trialId][subject] = Subject(msg.sender, uint40(block.timestamp), 0, 0);
        if (t.firstEnrolmentAt == 0) {
            t.firstEnrolmentAt = uint40(block.timestamp);
            t.status = Status.Enrolling;
        }
        t.enrolled += 1;
        emit SubjectEnrolled(trialId, subject, msg.sender, protocolHash);
    }

    /// @inheritdoc IClinicalTrialRegistry
    function withdrawSubject(uint256 trialId, address subject, bytes32 reasonHash) external {
        Trial storage t = _open(trialId);
        Subject storage s = _enrolled(trialId, subject);
        if (msg.sender != subject && msg.sender != s.site) revert NotSubjectOrSite(msg.sender, subject);
        s.withdrawnAt = uint40(block.timestamp);
        t.withdrawn += 1;
        emit SubjectWithdrew(trialId, subject, msg.sender, reasonHash);
    }

    /// @inheritdoc IClinicalTrialRegistry
    function recordVisit(uint256 trialId, address subject, bytes32 dataHash) external {
        _open(trialId);
        Subject storage s = _enrolled(trialId, subject);
        if (s.site != msg.sender) revert NotSite(msg.sender, trialId);
        _checkRole(msg.sender, Roles.HOSPITAL);
        if (dataHash == bytes32(0)) revert InvalidHash();
        uint16 visit = ++s.visits;
        emit VisitRecorded(trialId, subject, visit, dataHash);
    }

    /// @inheritdoc IClinicalTrialRegistry
    function recordMilestone(uint256 trialId, bytes32 milestone, bytes32 dataHash) external {
        Trial storage t = _open(trialId);
        if (msg.sender == t.sponsor) {
            _checkAnyRole(msg.sender, SPONSORS);
        } else {
            if (!_sites[trialId][msg.sender] || !_registry.hasRole(msg.sender, Roles.HOSPITAL)) {
                revert NotSponsorOrSite(msg.sender, trialId);
            }
        }
        if (milestone == bytes32(0)) revert InvalidHash();
        t.milestones += 1;
        emit MilestoneRecorded(trialId, milestone, msg.sender, dataHash);
    }

    /// @inheritdoc IClinicalTrialRegistry
    function lockResults(uint256 trialId, bytes32 resultsHash) external {
        Trial storage t = _sponsored(trialId);
        if (t.status == Status.Locked) revert TrialLocked(trialId);
        if (resultsHash == bytes32(0)) revert InvalidHash();
        t.status = Status.Locked;
        t.lockedAt = uint40(block.timestamp);
        t.resultsHash = resultsHash;
        emit ResultsLocked(trialId, resultsHash);
    }

    /// @notice Sets the trial's eligibility criteria for {enrolWithProof}: minimum age, HbA1c range
    /// (tenths of a percent, inclusive) and 1 to 8 allowed diagnosis codes (non-zero).
    /// @dev Requirements: the caller is the active sponsor; the trial is not locked;
    /// hba1cMin <= hba1cMax. Emits {EligibilityCriteriaSet} with the packed criteria.
    function setEligibilityCriteria(
        uint256 trialId,
        uint8 minAge,
        uint16 hba1cMin,
        uint16 hba1cMax,
        uint16[] calldata allowedDiagnoses
    ) external {
        Trial storage t = _activeSponsored(trialId);
        if (t.status == Status.Locked) revert TrialLocked(trialId);
        uint256 n = allowedDiagnoses.length;
        if (hba1cMin > hba1cMax || n == 0 || n > MAX_DIAGNOSES) revert InvalidCriteria();
        uint256 packed = uint256(minAge) | (uint256(hba1cMin) << 8) | (uint256(hba1cMax) << 24);
        for (uint256 i = 0; i < n; ++i) {
            if (allowedDiagnoses[i] == 0) revert InvalidCriteria();
            packed |= uint256(allowedDiagnoses[i]) << (40 + 16 * i);
        }
        _criteria[trialId] = packed;
        emit EligibilityCriteriaSet(trialId, packed);
    }

    /// @notice Enrols the caller with a proof that a recent attestation meets the trial's criteria.
    /// @dev The public inputs are rebuilt from this contract's state: (root, trialId, nullifier,
    /// msg.sender, the trial's criteria), so a proof made for another enroller, trial or criteria
    /// fails. Requirements: the trial is not locked and has criteria; `root` is one of the tree's
    /// recent roots; `nullifier` is unused; the caller is not enrolled; the proof verifies.
    /// Reverts `UnknownRoot`, `NullifierUsed` or `InvalidProof` (also for a malformed proof).
    /// Emits {SubjectEnrolledWithProof}. The subject has no site.
    function enrolWithProof(uint256 trialId, uint256[8] calldata proof, uint256 root, uint256 nullifier) external {
        Trial storage t = _open(trialId);
        uint256 criteria = _criteria[trialId];
        if (criteria == 0) revert NoCriteria(trialId);
        if (_nullifiers[nullifier]) revert NullifierUsed(nullifier);
        if (!_attestations.isKnownRoot(root)) revert UnknownRoot(root);
        if (_subjects[trialId][msg.sender].enrolledAt != 0) revert AlreadyEnrolled(trialId, msg.sender);
        uint256[5] memory input = [root, trialId, nullifier, uint256(uint160(msg.sender)), criteria];
        bool valid;
        try _verifier.verifyProof(
            [proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], input
        ) returns (bool ok) {
            valid = ok;
        } catch {
            valid = false;
        }
        if (!valid) revert InvalidProof();
        _nullifiers[nullifier] = true;
        _subjects[trialId][msg.sender] = Subject(address(0), uint40(block.timestamp), 0, 0);
        if (t.firstEnrolmentAt == 0) {
            t.firstEnrolmentAt = uint40(block.timestamp);
            t.status = Status.Enrolling;
        }
        t.enrolled += 1;
        emit SubjectEnrolledWithProof(trialId, msg.sender, nullifier, root);
    }

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice The trial's packed eligibility criteria (0: none set).
    function eligibilityCriteria(uint256 trialId) external view returns (uint256) {
        return _criteria[trialId];
    }

    function nullifierUsed(uint256 nullifier) external view returns (bool) {
        return _nullifiers[nullifier];
    }

    /// @inheritdoc IClinicalTrialRegistry
    function trial(uint256 trialId) external view returns (Trial memory) {
        return _trials[trialId];
    }

    /// @inheritdoc IClinicalTrialRegistry
    function subjectOf(uint256 trialId, address subject) external view returns (Subject memory) {
        return _subjects[trialId][subject];
    }

    /// @inheritdoc IClinicalTrialRegistry
    function amendment(uint256 trialId, uint256 number) external view returns (Amendment memory) {
        return _amendments[trialId][number];
    }

    /// @inheritdoc IClinicalTrialRegistry
    function isSite(uint256 trialId, address site) external view returns (bool) {
        return _sites[trialId][site];
    }

    /// @inheritdoc IClinicalTrialRegistry
    function trialCount() external view returns (uint256) {
        return _trialCount;
    }

    /// @inheritdoc IClinicalTrialRegistry
    function nonces(address subject) public view override(IClinicalTrialRegistry, Nonces) returns (uint256) {
        return super.nonces(subject);
    }

    /// @inheritdoc IClinicalTrialRegistry
    function registry() external view returns (address) {
        return address(_registry);
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _trial(uint256 trialId) private view returns (Trial storage t) {
        t = _trials[trialId];
        if (t.status == Status.None) revert UnknownTrial(trialId);
    }

    function _sponsored(uint256 trialId) private view returns (Trial storage t) {
        t = _trial(trialId);
        if (t.sponsor != msg.sender) revert NotSponsor(msg.sender, trialId);
    }

    function _activeSponsored(uint256 trialId) private view returns (Trial storage t) {
        t = _sponsored(trialId);
        _checkAnyRole(msg.sender, SPONSORS);
    }

    function _open(uint256 trialId) private view returns (Trial storage t) {
        t = _trial(trialId);
        if (t.status == Status.Locked) revert TrialLocked(trialId);
    }

    function _checkSite(uint256 trialId) private view {
        if (!_sites[trialId][msg.sender]) revert NotSite(msg.sender, trialId);
        _checkRole(msg.sender, Roles.HOSPITAL);
    }

    function _enrolled(uint256 trialId, address subject) private view returns (Subject storage s) {
        s = _subjects[trialId][subject];
        if (s.enrolledAt == 0) revert NotEnrolled(trialId, subject);
        if (s.withdrawnAt != 0) revert SubjectWithdrawn(trialId, subject);
    }
}
