// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// solhint-disable-next-line no-unused-import
import {InvalidSignature, SignatureExpired, WrongSigner} from "./IErrors.sol";

/// @title IClinicalTrialRegistry
/// @notice Tamper-evident clinical-trial records: a trial is registered with the hashes of its
/// protocol and pre-specified primary endpoints before its first enrolment; subjects enrol with
/// their signed consent; sites record visits; the sponsor locks the results hash. Any later change
/// of protocol, endpoints or results is an amendment with a reason, kept on chain next to the
/// original, so outcome switching is visible.
interface IClinicalTrialRegistry {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @dev Registered: no subject yet. Enrolling: at least one subject enrolled. Locked: results
    /// locked, nothing but results amendments.
    enum Status {
        None,
        Registered,
        Enrolling,
        Locked
    }

    /// @dev What an amendment changes: the protocol hash, the endpoints hash or the results hash.
    enum AmendmentKind {
        Protocol,
        Endpoints,
        Results
    }

    /// @dev A trial's record: its sponsor, dates, status, counters and the three hashes in force.
    struct Trial {
        address sponsor;
        uint40 registeredAt;
        uint40 firstEnrolmentAt;
        Status status;
        uint40 lockedAt;
        uint32 enrolled;
        uint32 withdrawn;
        uint32 amendments;
        uint32 milestones;
        bytes32 protocolHash;
        bytes32 endpointsHash;
        bytes32 resultsHash;
    }

    /// @dev One slot. `subject` may be a pseudonymous per-trial key; its signature is its consent.
    struct Subject {
        address site;
        uint40 enrolledAt;
        uint40 withdrawnAt;
        uint16 visits;
    }

    /// @dev `afterEnrolment` marks a change made once subjects were enrolled (for endpoints:
    /// outcome switching).
    struct Amendment {
        AmendmentKind kind;
        uint40 at;
        bool afterEnrolment;
        bytes32 previousHash;
        bytes32 newHash;
        bytes32 reasonHash;
    }

    /// @dev What a subject signs with EIP-712 to enrol: the trial, the site that enrols it (the
    /// only one that can relay the signature) and the protocol version it consents to.
    struct EnrolmentConsent {
        uint256 trialId;
        address subject;
        address site;
        bytes32 protocolHash;
        uint256 nonce;
        uint256 deadline;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    // Also raised: {SignatureExpired}, {InvalidSignature}, {WrongSigner} (interfaces/IErrors.sol)
    // by {enrol} (`WrongSigner(subject, signer)`: the signer is not the subject, or the signature
    // is over another trial, site, protocol, nonce, chain or contract), and the participant
    // registry's role errors (`ParticipantNotRegistered`, `NotAnOrganization`,
    // `ParticipantSuspended`, `MissingRole`) by every role check.

    /// @notice A hash argument that must be set is zero, or `newHash` of an amendment is zero.
    error InvalidHash();

    /// @notice A trial title must have 1 to 256 bytes.
    /// @param length The refused title's length in bytes.
    error InvalidTitle(uint256 length);

    /// @notice No trial has this id.
    /// @param trialId The trial id.
    error UnknownTrial(uint256 trialId);

    /// @notice Only the trial's sponsor may do this.
    /// @param caller The refused caller.
    /// @param trialId The trial.
    error NotSponsor(address caller, uint256 trialId);

    /// @notice Only a site of the trial (the subject's site, for a visit) may do this.
    /// @param caller The refused caller.
    /// @param trialId The trial.
    error NotSite(address caller, uint256 trialId);

    /// @notice Only the sponsor or an active site of the trial may record a milestone.
    /// @param caller The refused caller.
    /// @param trialId The trial.
    error NotSponsorOrSite(address caller, uint256 trialId);

    /// @notice `site` already is a site of the trial.
    /// @param trialId The trial.
    /// @param site The site.
    error SiteAlreadyAdded(uint256 trialId, address site);

    /// @notice The trial's results are locked: only results amendments are accepted.
    /// @param trialId The trial.
    error TrialLocked(uint256 trialId);

    /// @notice A results amendment needs locked results.
    /// @param trialId The trial.
    error TrialNotLocked(uint256 trialId);

    /// @notice The amendment's new hash is the current one.
    /// @param hash The unchanged hash.
    error NothingAmended(bytes32 hash);

    /// @notice `subject` is already enrolled in the trial (a withdrawn subject cannot re-enrol).
    /// @param trialId The trial.
    /// @param subject The subject.
    error AlreadyEnrolled(uint256 trialId, address subject);

    /// @notice `subject` is not enrolled in the trial.
    /// @param trialId The trial.
    /// @param subject The subject.
    error NotEnrolled(uint256 trialId, address subject);

    /// @notice `subject` has withdrawn from the trial.
    /// @param trialId The trial.
    /// @param subject The subject.
    error SubjectWithdrawn(uint256 trialId, address subject);

    /// @notice Only the subject or the subject's site may record a withdrawal.
    /// @param caller The refused caller.
    /// @param subject The subject.
    error NotSubjectOrSite(address caller, address subject);

    /// @notice The subject consented to another protocol version than the current one.
    /// @param signed The protocol hash the enrolment names.
    /// @param current The trial's current protocol hash.
    error ProtocolChanged(bytes32 signed, bytes32 current);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A trial was registered.
    /// @param trialId The new trial's id.
    /// @param sponsor Its sponsor (the caller).
    /// @param protocolHash The keccak256 of the protocol.
    /// @param endpointsHash The keccak256 of the pre-specified primary endpoints.
    /// @param title The trial's title.
    event TrialRegistered(
        uint256 indexed trialId, address indexed sponsor, bytes32 protocolHash, bytes32 endpointsHash, string title
    );

    /// @notice The sponsor added a site (a hospital) to the trial.
    /// @param trialId The trial.
    /// @param site The site.
    event SiteAdded(uint256 indexed trialId, address indexed site);

    /// @notice A site enrolled a subject with the subject's signed consent.
    /// @param trialId The trial.
    /// @param subject The subject (possibly a pseudonymous per-trial key).
    /// @param site The enrolling site.
    /// @param protocolHash The protocol version the subject consented to.
    event SubjectEnrolled(uint256 indexed trialId, address indexed subject, address indexed site, bytes32 protocolHash);

    /// @notice A subject left the trial.
    /// @param trialId The trial.
    /// @param subject The subject.
    /// @param by The subject or its site.
    /// @param reasonHash The keccak256 of the reason (may be zero).
    event SubjectWithdrew(uint256 indexed trialId, address indexed subject, address by, bytes32 reasonHash);

    /// @notice The subject's site recorded a visit.
    /// @param trialId The trial.
    /// @param subject The subject.
    /// @param visit The visit's number for this subject (from 1).
    /// @param dataHash The keccak256 of the visit's data (kept off chain).
    event VisitRecorded(uint256 indexed trialId, address indexed subject, uint16 visit, bytes32 dataHash);

    /// @notice The sponsor or a site recorded a milestone.
    /// @param trialId The trial.
    /// @param milestone The milestone's name hash (e.g. keccak256("first-subject-in")).
    /// @param by The sponsor or the site.
    /// @param dataHash The keccak256 of its data (may be zero).
    event MilestoneRecorded(uint256 indexed trialId, bytes32 indexed milestone, address by, bytes32 dataHash);

    /// @notice The sponsor locked the results.
    /// @param trialId The trial.
    /// @param resultsHash The keccak256 of the results.
    event ResultsLocked(uint256 indexed trialId, bytes32 resultsHash);

    /// @notice The protocol, the endpoints or the results were amended; the previous hash is kept.
    /// @param trialId The trial.
    /// @param number The amendment's number in the trial (from 1).
    /// @param kind What was amended.
    /// @param previousHash The hash replaced.
    /// @param newHash The hash now in force.
    /// @param reasonHash The keccak256 of the reason.
    /// @param afterEnrolment True when subjects were already enrolled (for endpoints: outcome switching).
    event Amended(
        uint256 indexed trialId,
        uint32 indexed number,
        AmendmentKind kind,
        bytes32 previousHash,
        bytes32 newHash,
        bytes32 reasonHash,
        bool afterEnrolment
    );

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Registers a trial before any enrolment; the caller becomes its sponsor.
    /// @dev Requirements:
    /// - the caller is an active hospital, manufacturer or research organisation (registry errors);
    /// - `protocolHash` and `endpointsHash` are non-zero ({InvalidHash});
    /// - `title` has 1 to 256 bytes ({InvalidTitle}).
    /// Emits {TrialRegistered}.
    /// @param protocolHash The keccak256 of the protocol.
    /// @param endpointsHash The keccak256 of the pre-specified primary endpoints.
    /// @param title The trial's title.
    /// @return trialId The new trial's id (from 1).
    function registerTrial(bytes32 protocolHash, bytes32 endpointsHash, string calldata title)
        external
        returns (uint256 trialId);

    /// @notice Adds a site to a trial.
    /// @dev Requirements:
    /// - the trial exists ({UnknownTrial}); the caller is its sponsor ({NotSponsor}), still an
    ///   active hospital, manufacturer or research organisation (registry errors);
    /// - the trial is not locked ({TrialLocked});
    /// - `site` is an active hospital (registry errors, for `site`) and not yet a site
    ///   ({SiteAlreadyAdded}).
    /// Emits {SiteAdded}.
    /// @param trialId The trial.
    /// @param site The hospital added.
    function addSite(uint256 trialId, address site) external;

    /// @notice Amends the protocol, the primary endpoints or the results: the previous hash stays
    /// on chain in the numbered amendment, with the hash of the reason.
    /// @dev Requirements:
    /// - the trial exists ({UnknownTrial}) and the caller is its sponsor ({NotSponsor}), still
    ///   active (registry errors) except for a results amendment: a suspended sponsor keeps its
    ///   duty to disclose results;
    /// - `newHash` and `reasonHash` are non-zero ({InvalidHash});
    /// - protocol and endpoint amendments before the results are locked ({TrialLocked}), results
    ///   amendments after ({TrialNotLocked});
    /// - `newHash` differs from the current hash ({NothingAmended}).
    /// Emits {Amended}.
    /// @param trialId The trial.
    /// @param kind What is amended.
    /// @param newHash The new hash.
    /// @param reasonHash The keccak256 of the reason.
    function amend(uint256 trialId, AmendmentKind kind, bytes32 newHash, bytes32 reasonHash) external;

    /// @notice Enrols `subject`, who signed {EnrolmentConsent} for this trial, this site (the
    /// caller: no other site can relay the signature) and the trial's current protocol hash.
    /// @dev Requirements:
    /// - the trial exists ({UnknownTrial}) and is not locked ({TrialLocked});
    /// - the caller is a site of the trial ({NotSite}) and an active hospital (registry errors);
    /// - `subject` is not enrolled yet ({AlreadyEnrolled});
    /// - `protocolHash` is the current one ({ProtocolChanged});
    /// - `block.timestamp <= deadline` ({SignatureExpired});
    /// - `signature` is well formed ({InvalidSignature}) and by `subject` over this trial, site,
    ///   protocol hash, deadline and the subject's current {nonces}, under this contract's domain
    ///   on this chain ({WrongSigner}); the nonce is used.
    /// The first enrolment moves the trial to Enrolling. Emits {SubjectEnrolled}.
    /// @param trialId The trial.
    /// @param subject The subject (its key signed the consent).
    /// @param protocolHash The protocol hash the subject consented to.
    /// @param deadline The signature's deadline (inclusive).
    /// @param signature The subject's EIP-712 signature over {EnrolmentConsent}.
    function enrol(uint256 trialId, address subject, bytes32 protocolHash, uint256 deadline, bytes calldata signature)
        external;

    /// @notice Records that `subject` left the trial (their data so far stays in the record).
    /// @dev Requirements: the trial exists ({UnknownTrial}) and is not locked ({TrialLocked});
    /// `subject` is enrolled ({NotEnrolled}) and not withdrawn ({SubjectWithdrawn}); the caller is
    /// the subject or the subject's site ({NotSubjectOrSite}); no role is required.
    /// Emits {SubjectWithdrew}.
    /// @param trialId The trial.
    /// @param subject The subject.
    /// @param reasonHash The keccak256 of the reason (may be zero).
    function withdrawSubject(uint256 trialId, address subject, bytes32 reasonHash) external;

    /// @notice Records a visit of `subject` (the hash of the visit's data; the data stays off chain).
    /// @dev Requirements: the trial exists ({UnknownTrial}) and is not locked ({TrialLocked});
    /// the subject is enrolled ({NotEnrolled}) and not withdrawn ({SubjectWithdrawn}); the caller
    /// is the subject's site ({NotSite}) and an active hospital (registry errors); `dataHash` is
    /// non-zero ({InvalidHash}). Emits {VisitRecorded}.
    /// @param trialId The trial.
    /// @param subject The subject.
    /// @param dataHash The keccak256 of the visit's data.
    function recordVisit(uint256 trialId, address subject, bytes32 dataHash) external;

    /// @notice Records a milestone (e.g. keccak256("first-subject-in")) with the hash of its data.
    /// @dev Requirements: the trial exists ({UnknownTrial}) and is not locked ({TrialLocked});
    /// the caller is the sponsor, still an active hospital, manufacturer or research organisation
    /// (registry errors), or a site of the trial that is an active hospital ({NotSponsorOrSite});
    /// `milestone` is non-zero ({InvalidHash}). Emits {MilestoneRecorded}.
    /// @param trialId The trial.
    /// @param milestone The milestone's name hash.
    /// @param dataHash The keccak256 of its data (may be zero).
    function recordMilestone(uint256 trialId, bytes32 milestone, bytes32 dataHash) external;

    /// @notice Locks the results hash: from now on the trial only takes results amendments.
    /// @dev Requirements: the trial exists ({UnknownTrial}); the caller is its sponsor
    /// ({NotSponsor}), also while suspended (disclosing results is a duty, not a privilege); the
    /// trial is not locked ({TrialLocked}); `resultsHash` is non-zero ({InvalidHash}).
    /// Emits {ResultsLocked}.
    /// @param trialId The trial.
    /// @param resultsHash The keccak256 of the results.
    function lockResults(uint256 trialId, bytes32 resultsHash) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice A trial's record.
    /// @param trialId The trial.
    /// @return The trial (status None when unknown).
    function trial(uint256 trialId) external view returns (Trial memory);

    /// @notice The enrolment record of `subject`.
    /// @param trialId The trial.
    /// @param subject The subject.
    /// @return The subject's record (enrolledAt 0 when not enrolled).
    function subjectOf(uint256 trialId, address subject) external view returns (Subject memory);

    /// @notice An amendment of a trial.
    /// @param trialId The trial.
    /// @param number The amendment's number (1-based).
    /// @return The amendment (all zero when there is none).
    function amendment(uint256 trialId, uint256 number) external view returns (Amendment memory);

    /// @notice True when `site` is a site of the trial (whatever its current role status).
    /// @param trialId The trial.
    /// @param site The account checked.
    /// @return Whether `site` was added to the trial.
    function isSite(uint256 trialId, address site) external view returns (bool);

    /// @notice How many trials were registered (ids run from 1 to this).
    /// @return The number of trials.
    function trialCount() external view returns (uint256);

    /// @notice The subject's next signature nonce ({EnrolmentConsent.nonce}).
    /// @param subject The subject.
    /// @return The nonce the next enrolment consent must carry.
    function nonces(address subject) external view returns (uint256);

    /// @notice The participant directory (sponsor and site roles).
    /// @return The ParticipantRegistry's address.
    function registry() external view returns (address);
}
