// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// solhint-disable-next-line no-unused-import
import {ZeroAddress} from "./IErrors.sol";

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
    struct Enrolment {
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

    // Also raised: {ZeroAddress} (interfaces/IErrors.sol) by the constructor, {enrol},
    // {setNetwork} and {setReviewer}; the participant registry's role errors
    // (`ParticipantNotRegistered`, `NotAnOrganization`, `ParticipantSuspended`, `MissingRole`,
    // "registry errors" below) by every role check; OpenZeppelin's `ReentrancyGuardReentrantCall`
    // and `SafeERC20FailedOperation` by the settlement functions.

    /// @notice Plan terms need coinsurance <= 10000 bps, a positive benefit limit and a deductible
    /// no larger than the out-of-pocket maximum.
    error InvalidPlanTerms();

    /// @notice No plan has this id.
    /// @param planId The plan id.
    error UnknownPlan(uint32 planId);

    /// @notice Only the plan's insurer may do this.
    /// @param planId The plan.
    /// @param account The refused caller.
    error NotPlanInsurer(uint32 planId, address account);

    /// @notice A coverage period needs `start <= end` and `end > 0`.
    /// @param start The first covered second.
    /// @param end The last covered second.
    error InvalidPeriod(uint40 start, uint40 end);

    /// @notice A new catalogue version must take effect strictly after the previous one.
    /// @param effectiveFrom The refused date.
    /// @param previous The previous version's date.
    error InvalidEffectiveDate(uint40 effectiveFrom, uint40 previous);

    /// @notice The previous catalogue version is not sealed yet.
    /// @param version The open version.
    error PreviousVersionOpen(uint32 version);

    /// @notice The insurer has no catalogue version with this number (versions count from 1).
    /// @param version The version.
    error UnknownVersion(uint32 version);

    /// @notice The catalogue version is sealed: it can no longer change.
    /// @param version The version.
    error VersionSealed(uint32 version);

    /// @notice A catalogue item needs a non-zero code new in its version, a service class below 8,
    /// a non-empty subset of the consent categories and at most 32 non-zero indications.
    /// @param code The refused item's code.
    error InvalidItem(bytes32 code);

    /// @notice A claim field is invalid: "patient" (zero), "diagnoses" (none, more than 12, or a
    /// zero code), "lines" (none or more than 50), "evidence" (an appeal without evidence).
    /// @param field The field's name.
    error InvalidClaim(string field);

    /// @notice A claim line needs a non-zero code and quantity.
    /// @param index The line's index.
    error InvalidLine(uint256 index);

    /// @notice The service date is in the future.
    /// @param serviceDate The claim's service date.
    /// @param now_ The block's timestamp.
    error ServiceDateInFuture(uint40 serviceDate, uint256 now_);

    /// @notice The provider is not in the plan insurer's network.
    /// @param insurer The insurer.
    /// @param provider The refused provider.
    error ProviderNotInNetwork(address insurer, address provider);

    /// @notice The patient has not granted the insurer INSURANCE_CLAIMS + READ over every category
    /// the claim reveals.
    /// @param patient The patient.
    /// @param insurer The insurer (the consent's grantee).
    /// @param categories The categories the claim reveals.
    error ConsentMissing(address patient, address insurer, uint16 categories);

    /// @notice No claim has this id.
    /// @param claimId The claim id.
    error UnknownClaim(bytes32 claimId);

    /// @notice The claim has no line with this index.
    /// @param claimId The claim.
    /// @param index The line's index.
    error UnknownLine(bytes32 claimId, uint256 index);

    /// @notice Only the plan's insurer or one of its reviewers decides pending lines.
    /// @param insurer The insurer.
    /// @param account The refused caller.
    error NotReviewer(address insurer, address account);

    /// @notice The line is not pending review.
    /// @param claimId The claim.
    /// @param index The line.
    error LineNotPending(bytes32 claimId, uint256 index);

    /// @notice Only a denied line can be appealed.
    /// @param claimId The claim.
    /// @param index The line.
    error LineNotDenied(bytes32 claimId, uint256 index);

    /// @notice A line is appealed at most once.
    /// @param claimId The claim.
    /// @param index The line.
    error AlreadyAppealed(bytes32 claimId, uint256 index);

    /// @notice A line denied as an exact duplicate (CARC 18) cannot be appealed: approving the copy
    /// would pay the service twice.
    /// @param claimId The claim.
    /// @param index The line.
    error DuplicateNotAppealable(bytes32 claimId, uint256 index);

    /// @notice Only the claim's provider may appeal.
    /// @param claimId The claim.
    /// @param account The refused caller.
    error NotClaimProvider(bytes32 claimId, address account);

    /// @notice A denial needs a CARC reason.
    error ReasonRequired();

    /// @notice The amount must be positive.
    error ZeroAmount();

    /// @notice Nothing arrived, or the pool would reach 2^128.
    /// @param amount The amount received.
    error AmountTooLarge(uint256 amount);

    /// @notice The provider is owed less than it asks for.
    /// @param insurer The insurer.
    /// @param provider The provider.
    /// @param owed What it is owed.
    /// @param requested What it asked for.
    error InsufficientOwed(address insurer, address provider, uint256 owed, uint256 requested);

    /// @notice The pool holds less than asked for (for {defund}: less that no provider is owed).
    /// @param insurer The insurer.
    /// @param available What can be paid out.
    /// @param requested What was asked for.
    error InsufficientPool(address insurer, uint256 available, uint256 requested);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice An insurer defined a plan.
    /// @param planId The new plan's id.
    /// @param insurer The insurer.
    /// @param terms Its terms.
    event PlanDefined(uint32 indexed planId, address indexed insurer, PlanTerms terms);

    /// @notice A patient was enrolled in a plan (replacing any previous period).
    /// @param planId The plan.
    /// @param patient The patient.
    /// @param start The first covered second.
    /// @param end The last covered second.
    event Enrolled(uint32 indexed planId, address indexed patient, uint40 start, uint40 end);

    /// @notice An insurer added a provider to, or removed it from, its network.
    /// @param insurer The insurer.
    /// @param provider The provider.
    /// @param member Whether it is in the network now.
    event NetworkChanged(address indexed insurer, address indexed provider, bool member);

    /// @notice An insurer allowed or stopped a reviewer.
    /// @param insurer The insurer.
    /// @param reviewer The reviewer.
    /// @param allowed Whether it may review now.
    event ReviewerChanged(address indexed insurer, address indexed reviewer, bool allowed);

    /// @notice An insurer opened a catalogue version.
    /// @param insurer The insurer.
    /// @param version The version's number.
    /// @param effectiveFrom When it takes effect once sealed.
    event CatalogueVersionOpened(address indexed insurer, uint32 indexed version, uint40 effectiveFrom);

    /// @notice An item was added to an open catalogue version.
    /// @param insurer The insurer.
    /// @param version The version.
    /// @param code The item's code ("SYSTEM:CODE").
    /// @param covered Whether the plan covers it.
    /// @param serviceClass Its service class ({ServiceClass}).
    /// @param categories The consent categories a claim for it reveals.
    /// @param maxUnitPrice The fee schedule's unit price cap (0: none).
    /// @param indications The ICD-10 codes it is indicated for (none: any).
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

    /// @notice A catalogue version was sealed: it judges claims from its date.
    /// @param insurer The insurer.
    /// @param version The version.
    /// @param items Its number of items.
    event CatalogueVersionSealed(address indexed insurer, uint32 indexed version, uint32 items);

    /// @notice A claim was submitted and adjudicated. `contentHash` identifies the claim's
    /// content; a duplicate carries the original's.
    /// @param claimId The claim's id (the content hash, or one derived from it for a duplicate).
    /// @param provider The submitting provider.
    /// @param patient The patient.
    /// @param planId The plan.
    /// @param serviceDate The service date.
    /// @param contentHash The keccak256 of the claim's content.
    /// @param documents The digest of the claim's documents.
    /// @param diagnoses The ICD-10 diagnoses.
    /// @param status The claim's status after adjudication.
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
    /// @param claimId The claim.
    /// @param index The line.
    /// @param code The line's code (0 after a review).
    /// @param outcome The status, CARC reason and amounts.
    event LineAdjudicated(bytes32 indexed claimId, uint256 index, bytes32 code, Outcome outcome);

    /// @notice A claim's status changed after submission (review or appeal).
    /// @param claimId The claim.
    /// @param status Its new status.
    event ClaimStatusChanged(bytes32 indexed claimId, ClaimStatus status);

    /// @notice A pending line was decided.
    /// @param claimId The claim.
    /// @param index The line.
    /// @param reviewer The insurer or reviewer who decided.
    /// @param approved Whether it was approved (it may still be denied past the benefit limit).
    /// @param reason The CARC reason of a denial (0 for an approval).
    /// @param noteHash The keccak256 of the reviewer's note.
    event LineReviewed(
        bytes32 indexed claimId, uint256 index, address indexed reviewer, bool approved, uint16 reason, bytes32 noteHash
    );

    /// @notice A denied line was appealed: it is pending review again.
    /// @param claimId The claim.
    /// @param index The line.
    /// @param provider The claim's provider.
    /// @param evidence The digest of the new evidence.
    event LineAppealed(bytes32 indexed claimId, uint256 index, address indexed provider, bytes32 evidence);

    /// @notice An insurer's pool was funded with what actually arrived.
    /// @param insurer The insurer.
    /// @param from Who paid (the insurer).
    /// @param amount The token units credited.
    event PoolFunded(address indexed insurer, address indexed from, uint256 amount);

    /// @notice An insurer took back pool funds no provider is owed.
    /// @param insurer The insurer.
    /// @param amount The token units returned.
    event PoolDefunded(address indexed insurer, uint256 amount);

    /// @notice A provider became owed an approved payer amount by the insurer's pool.
    /// @param insurer The insurer.
    /// @param provider The provider.
    /// @param claimId The claim.
    /// @param amount The token units credited.
    event Credited(address indexed insurer, address indexed provider, bytes32 indexed claimId, uint256 amount);

    /// @notice A provider withdrew what it was owed.
    /// @param insurer The insurer whose pool paid.
    /// @param provider The provider.
    /// @param amount The token units paid.
    event Withdrawn(address indexed insurer, address indexed provider, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Defines a plan of the caller (an insurer); plans are immutable (define a new one).
    /// @dev Requirements: the caller is an active insurer (registry errors); coinsurance <= 10000
    /// bps, benefit limit > 0, deductible <= out-of-pocket maximum ({InvalidPlanTerms}).
    /// Emits {PlanDefined}.
    /// @param terms The plan's cost-sharing terms.
    /// @return planId The new plan's id (from 1).
    function definePlan(PlanTerms calldata terms) external returns (uint32 planId);

    /// @notice Enrols `patient` in `planId` for the coverage period [`start`, `end`] (inclusive),
    /// replacing any previous period of that patient in that plan.
    /// @dev Requirements: the plan exists ({UnknownPlan}); the caller is its insurer
    /// ({NotPlanInsurer}), an active insurer (registry errors); `patient` is non-zero
    /// ({ZeroAddress}); `start <= end` and `end > 0` ({InvalidPeriod}). Emits {Enrolled}.
    /// @param planId The plan.
    /// @param patient The patient.
    /// @param start The first covered second.
    /// @param end The last covered second.
    function enrol(uint32 planId, address patient, uint40 start, uint40 end) external;

    /// @notice Adds a hospital or pharmacy to (or removes it from) the caller's network.
    /// @dev Requirements: the caller is an active insurer (registry errors); `provider` is non-zero
    /// ({ZeroAddress}); an added provider is an active hospital or pharmacy (registry errors, for
    /// `provider`). Emits {NetworkChanged}.
    /// @param provider The provider.
    /// @param member Whether it is in the network.
    function setNetwork(address provider, bool member) external;

    /// @notice Allows (or stops) `reviewer` to decide the caller's pending lines.
    /// @dev Requirements: the caller is an active insurer (registry errors); `reviewer` is non-zero
    /// ({ZeroAddress}). Emits {ReviewerChanged}.
    /// @param reviewer The reviewer.
    /// @param allowed Whether it may review.
    function setReviewer(address reviewer, bool allowed) external;

    /// @notice Opens the caller's next catalogue version, in force from `effectiveFrom` once sealed.
    /// @dev Requirements: the caller is an active insurer (registry errors); its previous version is
    /// sealed ({PreviousVersionOpen}) and takes effect strictly earlier ({InvalidEffectiveDate}).
    /// Emits {CatalogueVersionOpened}.
    /// @param effectiveFrom When the version takes effect.
    /// @return version The new version's number (from 1).
    function openCatalogueVersion(uint40 effectiveFrom) external returns (uint32 version);

    /// @notice Adds items to an open catalogue version of the caller.
    /// @dev Requirements: the caller is an active insurer (registry errors); the version exists
    /// ({UnknownVersion}) and is not sealed ({VersionSealed}); each code is non-zero and new in the
    /// version, its service class below 8, its categories a non-empty subset of the consent
    /// catalogue, with at most 32 non-zero indications ({InvalidItem}). Emits {CatalogueItemSet} per item.
    /// @param version The open version.
    /// @param items The items.
    function setCatalogueItems(uint32 version, CatalogueItem[] calldata items) external;

    /// @notice Seals a catalogue version: it can no longer change and judges claims from its date.
    /// @dev Requirements: the caller is an active insurer (registry errors); the version exists
    /// ({UnknownVersion}) and is not sealed ({VersionSealed}). Emits {CatalogueVersionSealed}.
    /// @param version The version.
    function sealCatalogueVersion(uint32 version) external;

    /// @notice Submits a claim and adjudicates it line by line. The claim id is the keccak256 of
    /// its content (provider, patient, plan, service date, diagnoses, lines); an exact duplicate
    /// of an earlier claim is recorded under a derived id with every line denied (CARC 18).
    /// Each line is judged by the catalogue version in force on the service date: not covered on
    /// that date (CARC 27), not listed or not covered (CARC 96), off-label (pending review, CARC 11),
    /// or approved with the plan's cost sharing (see the contract) and the fee schedule cap (CARC 45).
    /// @dev Requirements:
    /// - the caller is an active hospital or pharmacy (registry errors);
    /// - the plan exists ({UnknownPlan}) and the caller is in its insurer's network ({ProviderNotInNetwork});
    /// - `patient` is non-zero, the service date not in the future ({ServiceDateInFuture}), 1 to 12
    ///   non-zero diagnoses, 1 to 50 lines ({InvalidClaim}), each with a non-zero code and
    ///   quantity ({InvalidLine});
    /// - the patient granted the insurer INSURANCE_CLAIMS + READ over every category the claim
    ///   reveals ({ConsentMissing}).
    /// Emits {ClaimSubmitted}, {LineAdjudicated} per line, {Credited} when something is paid.
    /// @param claim The claim.
    /// @return claimId The claim's id.
    function submitClaim(ClaimInput calldata claim) external returns (bytes32 claimId);

    /// @notice Decides a pending line (off-label, or appealed): approval applies the plan's cost
    /// sharing with the accumulators as they are now (a line past the benefit limit is still
    /// denied, CARC 119); a denial carries a CARC `reason`. `noteHash` is the keccak256 of the
    /// reviewer's note, kept off chain.
    /// @dev Requirements: the claim and line exist ({UnknownClaim}, {UnknownLine}); the caller is the
    /// plan's insurer or one of its reviewers ({NotReviewer}); the insurer is an active insurer
    /// (registry errors, for the insurer); the line is pending ({LineNotPending}); a denial has a
    /// non-zero reason ({ReasonRequired}). Emits {LineReviewed}, {LineAdjudicated},
    /// {ClaimStatusChanged} when the claim's status changes, {Credited} when something is paid.
    /// @param claimId The claim.
    /// @param index The line.
    /// @param approve Approve (true) or deny.
    /// @param reason The CARC reason of a denial.
    /// @param noteHash The keccak256 of the reviewer's note.
    function review(bytes32 claimId, uint256 index, bool approve, uint16 reason, bytes32 noteHash) external;

    /// @notice Appeals a denied line once, with new evidence (e.g. the digest of an encrypted
    /// document's CID): the line goes back to review.
    /// @dev Requirements: the claim and line exist ({UnknownClaim}, {UnknownLine}); the caller is the
    /// claim's provider ({NotClaimProvider}), an active hospital or pharmacy (registry errors);
    /// `evidence` is non-zero ({InvalidClaim} "evidence"); the line is denied ({LineNotDenied}), not
    /// as an exact duplicate ({DuplicateNotAppealable}), and was not appealed ({AlreadyAppealed}).
    /// Emits {LineAppealed}, {ClaimStatusChanged} when the claim's status changes.
    /// @param claimId The claim.
    /// @param index The line.
    /// @param evidence The digest of the new evidence.
    function appeal(bytes32 claimId, uint256 index, bytes32 evidence) external;

    /// @notice Moves `amount` tokens from the caller (an insurer, who approved this contract) into
    /// its pool; the pool is credited with what actually arrived.
    /// @dev Requirements: no reentrancy; the caller is an active insurer (registry errors);
    /// `amount > 0` ({ZeroAmount}); the transfer succeeds; something arrived and the pool stays
    /// below 2^128 ({AmountTooLarge}). Emits {PoolFunded}.
    /// @param amount The token units to move.
    function fund(uint256 amount) external;

    /// @notice Returns `amount` of the caller's pool that no provider is owed.
    /// @dev Requirements: no reentrancy; `amount > 0` ({ZeroAmount}); `amount` <= pool balance -
    /// outstanding ({InsufficientPool}); no role is needed (a suspended insurer gets its free funds
    /// back). Emits {PoolDefunded}.
    /// @param amount The token units to return.
    function defund(uint256 amount) external;

    /// @notice Withdraws `amount` of what `insurer` owes the caller, from the insurer's pool.
    /// @dev Requirements: no reentrancy; `amount > 0` ({ZeroAmount}); `amount` <= what is owed
    /// ({InsufficientOwed}) and <= the pool balance ({InsufficientPool}: the pool never pays more
    /// than it holds). A suspended provider still collects what it is owed. Emits {Withdrawn}.
    /// @param insurer The insurer whose pool pays.
    /// @param amount The token units to withdraw.
    function withdraw(address insurer, uint256 amount) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice The participant directory (roles).
    /// @return The ParticipantRegistry's address.
    function registry() external view returns (address);

    /// @notice The consent registry (the patients' consents for insurance claims).
    /// @return The ConsentRegistry's address.
    function consent() external view returns (address);

    /// @notice The ERC-20 claims settle in.
    /// @return The token's address.
    function token() external view returns (address);

    /// @notice A plan.
    /// @param planId The plan id.
    /// @return The plan (insurer zero when unknown).
    function plan(uint32 planId) external view returns (Plan memory);

    /// @notice How many plans were defined (ids run from 1 to this).
    /// @return The number of plans.
    function planCount() external view returns (uint32);

    /// @notice A patient's coverage period in a plan.
    /// @param planId The plan.
    /// @param patient The patient.
    /// @return The enrolment (`end` 0: not enrolled).
    function enrolment(uint32 planId, address patient) external view returns (Enrolment memory);

    /// @notice True when `provider` is in `insurer`'s network.
    /// @param insurer The insurer.
    /// @param provider The provider.
    /// @return Whether it is a member.
    function inNetwork(address insurer, address provider) external view returns (bool);

    /// @notice True when `account` may decide `insurer`'s pending lines.
    /// @param insurer The insurer.
    /// @param account The account.
    /// @return Whether it is a reviewer.
    function isReviewer(address insurer, address account) external view returns (bool);

    /// @notice A catalogue version of an insurer.
    /// @dev Requirements: the version exists ({UnknownVersion}; versions count from 1).
    /// @param insurer The insurer.
    /// @param version The version.
    /// @return The version's date, seal and item count.
    function catalogueVersion(address insurer, uint32 version) external view returns (CatalogueVersion memory);

    /// @notice How many catalogue versions an insurer opened.
    /// @param insurer The insurer.
    /// @return The number of versions.
    function catalogueVersionCount(address insurer) external view returns (uint32);

    /// @notice The latest sealed version of `insurer`'s catalogue in force on `date`.
    /// @param insurer The insurer.
    /// @param date The date (unix seconds).
    /// @return found Whether a sealed version is in force then.
    /// @return version Its number (0 when none).
    function versionInForce(address insurer, uint40 date) external view returns (bool found, uint32 version);

    /// @notice A catalogue item.
    /// @param insurer The insurer.
    /// @param version The version.
    /// @param code The item's code.
    /// @return The item (`listed` false when unknown).
    function item(address insurer, uint32 version, bytes32 code) external view returns (Item memory);

    /// @notice True when `diagnosis` (or its ICD-10 category) is an indication of the item, or the
    /// item lists no indications.
    /// @param insurer The insurer.
    /// @param version The version.
    /// @param code The item's code.
    /// @param diagnosis The ICD-10 code.
    /// @return Whether the item is indicated for it.
    function isIndicated(address insurer, uint32 version, bytes32 code, bytes32 diagnosis) external view returns (bool);

    /// @notice A claim.
    /// @param claimId The claim id.
    /// @return The claim (provider zero when unknown).
    function claim(bytes32 claimId) external view returns (Claim memory);

    /// @notice A line's state. A line approved at submission is final and not stored: it reads as
    /// Approved with zero amounts (its amounts are in its {LineAdjudicated} event); pending,
    /// denied and reviewed lines carry their allowed and payer amounts.
    /// @dev Requirements: the claim and line exist ({UnknownClaim}, {UnknownLine}).
    /// @param claimId The claim.
    /// @param index The line.
    /// @return The line.
    function line(bytes32 claimId, uint256 index) external view returns (Line memory);

    /// @notice A patient's yearly accumulators in a plan.
    /// @param patient The patient.
    /// @param planId The plan.
    /// @param year The calendar year (UTC) of the service dates.
    /// @return The deductible met, the out-of-pocket spent and the benefit used.
    function accumulator(address patient, uint32 planId, uint16 year) external view returns (Accumulator memory);

    /// @notice An insurer's pool.
    /// @param insurer The insurer.
    /// @return The balance and how much of it is owed to providers.
    function pool(address insurer) external view returns (Pool memory);

    /// @notice What `insurer`'s pool owes `provider`.
    /// @param insurer The insurer.
    /// @param provider The provider.
    /// @return The token units owed.
    function owed(address insurer, address provider) external view returns (uint256);

    /// @notice The UTC calendar year of a unix time (H. Hinnant's civil-from-days algorithm):
    /// the year accumulators are kept under.
    /// @param timestamp The unix time.
    /// @return The year.
    function yearOf(uint40 timestamp) external pure returns (uint16);
}
