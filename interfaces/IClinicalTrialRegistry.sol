// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

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

    enum AmendmentKind {
        Protocol,
        Endpoints,
        Results
    }

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

    error InvalidHash();
    error InvalidTitle(uint256 length);
    error UnknownTrial(uint256 trialId);
    error NotSponsor(address caller, uint256 trialId);
    error NotSite(address caller, uint256 trialId);
    error NotSponsorOrSite(address caller, uint256 trialId);
    error SiteAlreadyAdded(uint256 trialId, address site);
    error TrialLocked(uint256 trialId);
    error TrialNotLocked(uint256 trialId);
    error NothingAmended(bytes32 hash);
    error AlreadyEnrolled(uint256 trialId, address subject);
    error NotEnrolled(uint256 trialId, address subject);
    error SubjectWithdrawn(uint256 trialId, address subject);
    error NotSubjectOrSite(address caller, address subject);
    error ProtocolChanged(bytes32 signed, bytes32 current);
    error SignatureExpired(uint256 deadline);
    error InvalidSignature();
    error WrongSigner(address subject, address signer);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    event TrialRegistered(
        uint256 indexed trialId, address indexed sponsor, bytes32 protocolHash, bytes32 endpointsHash, string title
    );
    event SiteAdded(uint256 indexed trialId, address indexed site);
    event SubjectEnrolled(uint256 indexed trialId, address indexed subject, address indexed site, bytes32 protocolHash);
    event SubjectWithdrew(uint256 indexed trialId, address indexed subject, address by, bytes32 reasonHash);
    event VisitRecorded(uint256 indexed trialId, address indexed subject, uint16 visit, bytes32 dataHash);
    event MilestoneRecorded(uint256 indexed trialId, bytes32 indexed milestone, address by, bytes32 dataHash);
    event ResultsLocked(uint256 indexed trialId, bytes32 resultsHash);
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

    function registerTrial(bytes32 protocolHash, bytes32 endpointsHash, string calldata title)
        external
        returns (uint256 trialId);
    function addSite(uint256 trialId, address site) external;
    function amend(uint256 trialId, AmendmentKind kind, bytes32 newHash, bytes32 reasonHash) external;
    function enrol(uint256 trialId, address subject, bytes32 protocolHash, uint256 deadline, bytes calldata signature)
        external;
    function withdrawSubject(uint256 trialId, address subject, bytes32 reasonHash) external;
    function recordVisit(uint256 trialId, address subject, bytes32 dataHash) external;
    function recordMilestone(uint256 trialId, bytes32 milestone, bytes32 dataHash) external;
    function lockResults(uint256 trialId, bytes32 resultsHash) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    function trial(uint256 trialId) external view returns (Trial memory);
    function subjectOf(uint256 trialId, address subject) external view returns (Subject memory);
    function amendment(uint256 trialId, uint256 number) external view returns (Amendment memory);
    function isSite(uint256 trialId, address site) external view returns (bool);
    function trialCount() external view returns (uint256);
    function nonces(address subject) external view returns (uint256);
    function registry() external view returns (address);
}
