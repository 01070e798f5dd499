// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title X12 claim adjustment reason codes (CARC) used by the adjudication rules
/// @notice src/medchain/standards/x12.py mirrors them with descriptions and group codes.
library Carc {
    uint16 internal constant DEDUCTIBLE = 1;
    uint16 internal constant COINSURANCE = 2;
    uint16 internal constant COPAY = 3;
    uint16 internal constant DIAGNOSIS_INCONSISTENT = 11; // off-label: sent to manual review
    uint16 internal constant DUPLICATE = 18;
    uint16 internal constant NOT_COVERED_ON_DATE = 27; // expenses incurred after/before coverage
    uint16 internal constant FEE_SCHEDULE = 45; // charge exceeds the fee schedule
    uint16 internal constant NOT_COVERED = 96;
    uint16 internal constant BENEFIT_MAXIMUM = 119;
}

/// @title Service classes: the plan's copay applies per class
library ServiceClass {
    uint8 internal constant CONSULTATION = 0;
    uint8 internal constant PHARMACY = 1;
    uint8 internal constant LABORATORY = 2;
    uint8 internal constant IMAGING = 3;
    uint8 internal constant PROCEDURE = 4;
    uint8 internal constant INPATIENT = 5;
    uint8 internal constant EMERGENCY = 6;
    uint8 internal constant OTHER = 7;
    uint8 internal constant COUNT = 8;
}

/// @title IClaimAdjudication
/// @notice Insurance rules as contract code. Insurers define plans, enrol patients, publish a
/// versioned catalogue (fee schedule, coverage, indications), build a provider network and fund a
/// settlement pool in an ERC-20. A network provider submits a claim and it is adjudicated line by
/// line in the same transaction, with X12 CARC reason codes; approved payer amounts are credited
/// to the provider, who withdraws them (pull payment).
/// @dev Amounts are in the settlement token's base units. Plan amounts and yearly accumulators
/// are uint80 (1.2e24 base units: 1.2e18 for a 6-decimal token). Times are unix seconds; every
/// period bound is inclusive. Accumulators are per patient, plan and calendar year (UTC) of the
/// service date.
interface IClaimAdjudication {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    enum ClaimStatus {
        None,
        Approved,
        PartiallyApproved,
        Denied,
        PendingReview
    }

    enum LineStatus {
        None,
        Approved,
        Denied,
        Pending
    }

    /// @dev `copays[c]` is the copay per line of service class `c`.
    struct PlanTerms {
        uint80 deductible;
        uint80 outOfPocketMax;
        uint80 benefitLimit;
        uint16 coinsuranceBps;
        uint80[8] copays;
    }

    /// @dev Slot 0 holds the insurer and the cost-sharing rates, slot 1 the annual limits.
    struct Plan {
        address insurer;
        uint16 coinsuranceBps;
        uint80 deductible;
        uint80 outOfPocketMax;
        uint80 benefitLimit;
        uint80[8] copays;
    }

    /// @dev `end` 0 means not enrolled.
    struct Enrollment {
        uint40 start;
        uint40 end;
    }

    /// @dev One catalogue entry. `code` is ASCII "SYSTEM:CODE" left-aligned in bytes32 (e.g.
    /// "CPT:99213", "NDC:0002-8215-01", "GTIN:00300028215012"). `maxUnitPrice` 0 means no fee
    /// schedule cap. `indications` are ICD-10 codes (ASCII, e.g. "E11" or "E11.9"); none means any
    /// diagnosis; a claim diagnosis matches an indication equal to it or to its 3-character category.
    struct CatalogueItem {
        bytes32 code;
        bool covered;
        uint8 serviceClass;
        uint16 categories;
        uint96 maxUnitPrice;
        bytes32[] indications;
    }

    /// @dev Stored form of a catalogue entry (one slot).
    struct Item {
        bool listed;
        bool covered;
        bool hasIndications;
        uint8 serviceClass;
        uint16 categories;
        uint96 maxUnitPrice;
    }

    struct CatalogueVersion {
        uint40 effectiveFrom;
        bool isSealed;
        uint32 items;
    }

    struct LineInput {
        bytes32 code;
        uint32 quantity;
        uint96 billed;
    }

    struct ClaimInput {
        address patient;
        uint32 planId;
        uint40 serviceDate;
        bytes32[] diagnoses;
        LineInput[] lines;
        bytes32 documents;
    }

    /// @dev Two slots.
    struct Claim {
        address provider;
        uint40 serviceDate;
        ClaimStatus status;
        uint8 lineCount;
        uint8 pending;
        uint8 approved;
        uint8 denied;
        address patient;
        uint32 planId;
    }

    /// @dev One slot, written only for lines that can still change (pending, denied) and kept after
    /// their review; `allowed` is what review or appeal can pay on.
    struct Line {
        LineStatus status;
        uint16 reason;
        uint8 serviceClass;
        bool appealed;
        uint96 allowed;
        uint96 payer;
    }

    /// @dev The X12 835 / FHIR ClaimResponse amounts of one line.
    struct Outcome {
        LineStatus status;
        uint16 reason;
        uint256 billed;
        uint256 allowed;
        uint256 deductible;
        uint256 copay;
        uint256 coinsurance;
        uint256 patientResponsibility;
        uint256 payer;
    }

    /// @dev One slot: the patient's yearly accumulators in one plan.
    struct Accumulator {
        uint80 deductibleMet;
        uint80 outOfPocket;
        uint80 benefitUsed;
    }

    /// @dev One slot: what the pool holds, and how much of it is owed to providers.
    struct Pool {
        uint128 balance;
        uint128 outstanding;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    error ZeroAddress();
    error InvalidPlanTerms();
    error UnknownPlan(uint32 planId);
    error NotPlanInsurer(uint32 planId, address account);
    error InvalidPeriod(uint40 start, uint40 end);
    error InvalidEffectiveDate(uint40 effectiveFrom, uint40 previous);
    error PreviousVersionOpen(uint32 version);
    error UnknownVersion(uint32 version);
    error VersionSealed(uint32 version);
    error InvalidItem(bytes32 code);
    error InvalidClaim(string field);
    error InvalidLine(uint256 index);
    error ServiceDateInFuture(uint40 serviceDate, uint256 now_);
    error ProviderNotInNetwork(address insurer, address provider);
    error ConsentMissing(address patient, address insurer, uint16 categories);
    error UnknownClaim(bytes32 claimId);
    error UnknownLine(bytes32 claimId, uint256 index);
    error NotReviewer(address insurer, address account);
    error LineNotPending(bytes32 claimId, uint256 index);
    error LineNotDenied(bytes32 claimId, uint256 index);
    error AlreadyAppealed(bytes32 claimId, uint256 index);
    error DuplicateNotAppealable(bytes32 claimId, uint256 index);
    error NotClaimProvider(bytes32 claimId, address account);
    error ReasonRequired();
    error ZeroAmount();
    error AmountTooLarge(uint256 amount);
    error InsufficientOwed(address insurer, address provider, uint256 owed, uint256 requested);
    error InsufficientPool(address insurer, uint256 available, uint256 requested);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    event PlanDefined(uint32 indexed planId, address indexed insurer, PlanTerms terms);
    event Enrolled(uint32 indexed planId, address indexed patient, uint40 start, uint40 end);
    event NetworkChanged(address indexed insurer, address indexed provider, bool member);
    event ReviewerChanged(address indexed insurer, address indexed reviewer, bool allowed);
    event CatalogueVersionOpened(address indexed insurer, uint32 indexed version, uint40 effectiveFrom);
    event CatalogueItemSet(
        address indexed insurer,
        uint32 indexed version,
        bytes32 indexed code,
        bool covered,
        uint8 serviceClass,
        uint16 categories,
        uint96 maxUnitPrice,
        bytes32[] indications
    );
    event CatalogueVersionSealed(address indexed insurer, uint32 indexed version, uint32 items);
    /// @notice `contentHash` identifies the claim's content; a duplicate carries the original's.
    event ClaimSubmitted(
        bytes32 indexed claimId,
        address indexed provider,
        address indexed patient,
        uint32 planId,
        uint40 serviceDate,
        bytes32 contentHash,
        bytes32 documents,
        bytes32[] diagnoses,
        ClaimStatus status
    );
    /// @notice The outcome of a line: at submission (`code` set), and again after a review
    /// (`code` and `outcome.billed` 0: the submission's event carries them).
    event LineAdjudicated(bytes32 indexed claimId, uint256 index, bytes32 code, Outcome outcome);
    event ClaimStatusChanged(bytes32 indexed claimId, ClaimStatus status);
    event LineReviewed(
        bytes32 indexed claimId, uint256 index, address indexed reviewer, bool approved, uint16 reason, bytes32 noteHash
    );
    event LineAppealed(bytes32 indexed claimId, uint256 index, address indexed provider, bytes32 evidence);
    event PoolFunded(address indexed insurer, address indexed from, uint256 amount);
    event PoolDefunded(address indexed insurer, uint256 amount);
    event Credited(address indexed insurer, address indexed provider, bytes32 indexed claimId, uint256 amount);
    event Withdrawn(address indexed insurer, address indexed provider, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    function definePlan(PlanTerms calldata terms) external returns (uint32 planId);
    function enroll(uint32 planId, address patient, uint40 start, uint40 end) external;
    function setNetwork(address provider, bool member) external;
    function setReviewer(address reviewer, bool allowed) external;
    function openCatalogueVersion(uint40 effectiveFrom) external returns (uint32 version);
    function setCatalogueItems(uint32 version, CatalogueItem[] calldata items) external;
    function sealCatalogueVersion(uint32 version) external;
    function submitClaim(ClaimInput calldata claim) external returns (bytes32 claimId);
    function review(bytes32 claimId, uint256 index, bool approve, uint16 reason, bytes32 noteHash) external;
    function appeal(bytes32 claimId, uint256 index, bytes32 evidence) external;
    function fund(uint256 amount) external;
    function defund(uint256 amount) external;
    function withdraw(address insurer, uint256 amount) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    function registry() external view returns (address);
    function consent() external view returns (address);
    function token() external view returns (address);
    function plan(uint32 planId) external view returns (Plan memory);
    function planCount() external view returns (uint32);
    function enrollment(uint32 planId, address patient) external view returns (Enrollment memory);
    function inNetwork(address insurer, address provider) external view returns (bool);
    function isReviewer(address insurer, address account) external view returns (bool);
    function catalogueVersion(address insurer, uint32 version) external view returns (CatalogueVersion memory);
    function catalogueVersionCount(address insurer) external view returns (uint32);
    function versionInForce(address insurer, uint40 date) external view returns (bool found, uint32 version);
    function item(address insurer, uint32 version, bytes32 code) external view returns (Item memory);
    function isIndicated(address insurer, uint32 version, bytes32 code, bytes32 diagnosis) external view returns (bool);
    function claim(bytes32 claimId) external view returns (Claim memory);
    function line(bytes32 claimId, uint256 index) external view returns (Line memory);
    function accumulator(address patient, uint32 planId, uint16 year) external view returns (Accumulator memory);
    function pool(address insurer) external view returns (Pool memory);
    function owed(address insurer, address provider) external view returns (uint256);
    function yearOf(uint40 timestamp) external pure returns (uint16);
}
