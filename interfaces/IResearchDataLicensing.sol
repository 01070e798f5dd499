// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// solhint-disable-next-line no-unused-import
import {InvalidSignature, SignatureExpired, WrongSigner, ZeroAddress} from "./IErrors.sol";

/// @title Research dataset field schema
/// @notice One bit per field of a research row (src/medchain/research.py `Field` mirrors it and
/// documents how each field is read from a FHIR record). Bits 0-7 are identity fields: a dataset
/// may declare that it holds them, but they can never be licensed.
library ResearchFields {
    // Identity fields (never licensable)
    uint24 internal constant PATIENT_NAME = 1 << 0;
    uint24 internal constant PATIENT_IDENTIFIER = 1 << 1;
    uint24 internal constant BIRTH_DATE = 1 << 2;
    uint24 internal constant ADDRESS = 1 << 3;
    uint24 internal constant TELECOM = 1 << 4;
    uint24 internal constant SUBJECT_REFERENCE = 1 << 5;
    uint24 internal constant PERFORMER = 1 << 6;
    uint24 internal constant FREE_TEXT = 1 << 7;
    uint24 internal constant IDENTITY = (1 << 8) - 1;
    // Licensable fields
    uint24 internal constant RESOURCE_TYPE = 1 << 8;
    uint24 internal constant CODE = 1 << 9;
    uint24 internal constant VALUE = 1 << 10;
    uint24 internal constant INTERPRETATION = 1 << 11;
    uint24 internal constant EFFECTIVE_DATE = 1 << 12;
    uint24 internal constant STATUS = 1 << 13;
    uint24 internal constant CATEGORY = 1 << 14;
    uint24 internal constant REFERENCE_RANGE = 1 << 15;
    uint24 internal constant ALL = (1 << 16) - 1;
}

/// @title IResearchDataLicensing
/// @notice Research datasets built from consenting patients only, licensed by field and for a
/// time, with revenue shared between the data steward and the contributors by weight.
interface IResearchDataLicensing {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @dev Draft: contributions are recorded. Published: contributions are frozen, licences are
    /// sold. Retired: no more licences (a newer version replaces it).
    enum Status {
        None,
        Draft,
        Published,
        Retired
    }

    /// @dev How a contribution was authorised: the patient's active research consent for the
    /// steward in the ConsentRegistry, or the patient's EIP-712 signature over the contribution.
    enum Basis {
        None,
        Consent,
        Signature
    }

    /// @dev What a steward registers. `rowsRoot` is the OpenZeppelin-compatible Merkle root
    /// (sorted pairs, double-hashed leaves) of the version's rows; `categories` are the
    /// ConsentCodes data categories a contributor's research consent must cover.
    struct Terms {
        string manifestCid;
        bytes32 rowsRoot;
        uint24 fields;
        uint16 categories;
        uint96 price;
        uint16 stewardShareBps;
        uint40 licenceDuration;
        uint32 previousVersion;
    }

    /// @dev The whole record of a dataset version, as {dataset} returns it.
    struct Dataset {
        address steward;
        uint24 fields;
        uint16 categories;
        uint16 stewardShareBps;
        uint40 licenceDuration;
        uint96 price;
        uint64 totalWeight;
        uint32 contributors;
        uint32 previousVersion;
        Status status;
        uint32 withdrawnContributors;
        uint128 revenuePerWeight;
        uint128 stewardRevenue;
        bytes32 rowsRoot;
        string manifestCid;
    }

    /// @dev One slot. `indexPaid` is the revenue-per-weight index the contributor was last paid up to.
    struct Contribution {
        uint64 weight;
        uint128 indexPaid;
        uint40 addedAt;
        Basis basis;
        bool withdrawn;
    }

    /// @dev One slot. Valid while `block.timestamp < expiresAt`.
    struct Licence {
        address licensee;
        uint40 expiresAt;
        uint24 fields;
        uint32 version;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    // Also raised: {ZeroAddress} by the constructor, {SignatureExpired}, {InvalidSignature} and
    // {WrongSigner} by {contributeBySig} (interfaces/IErrors.sol); the participant registry's role
    // errors (`ParticipantNotRegistered`, `NotAnOrganization`, `ParticipantSuspended`,
    // `MissingRole`) by every role check; OpenZeppelin's `SafeERC20FailedOperation` and
    // `SafeCastOverflowedUintDowncast` (token transfers, revenue counters).

    /// @notice `fields` is empty, holds a bit outside {ResearchFields.ALL}, or (for a dataset)
    /// holds no licensable field.
    /// @param fields The refused field bitmap.
    error InvalidFields(uint24 fields);

    /// @notice Identity fields ({ResearchFields.IDENTITY}) are never licensed.
    /// @param fields The requested fields.
    error IdentityFieldsNotLicensable(uint24 fields);

    /// @notice A licence may only cover fields the dataset holds.
    /// @param requested The requested fields.
    /// @param available The dataset's fields.
    error FieldsNotInDataset(uint24 requested, uint24 available);

    /// @notice `categories` is empty or holds a bit outside the consent catalogue.
    /// @param categories The refused categories.
    error InvalidCategories(uint16 categories);

    /// @notice A CID must have 1 to 128 bytes.
    /// @param length The refused CID's length in bytes.
    error InvalidCid(uint256 length);

    /// @notice The rows' Merkle root must be non-zero.
    error InvalidRowsRoot();

    /// @notice The licence price must be positive.
    /// @param price The refused price.
    error InvalidPrice(uint256 price);

    /// @notice The steward's share must be below 10000 basis points.
    /// @param bps The refused share.
    error InvalidStewardShare(uint16 bps);

    /// @notice The licence duration must be 1 second to 3650 days.
    /// @param duration The refused duration in seconds.
    error InvalidLicenceDuration(uint40 duration);

    /// @notice No dataset version has this number.
    /// @param version The version.
    error UnknownVersion(uint256 version);

    /// @notice Only the version's steward may do this.
    /// @param caller The refused caller.
    /// @param version The version.
    error NotSteward(address caller, uint256 version);

    /// @notice The version is not in the status this needs (Draft to contribute or publish,
    /// Published to sell, not Retired to retire).
    /// @param version The version.
    /// @param status Its current status.
    error WrongStatus(uint256 version, Status status);

    /// @notice A contribution's weight must be positive.
    /// @param weight The refused weight.
    error InvalidWeight(uint256 weight);

    /// @notice `patient` already contributed to the version.
    /// @param version The version.
    /// @param patient The patient.
    error AlreadyContributed(uint256 version, address patient);

    /// @notice Only registered patients contribute.
    /// @param account The refused account.
    error NotAPatient(address account);

    /// @notice The patient has no active research consent (READ, RESEARCH, the version's
    /// categories) for the steward.
    /// @param patient The patient.
    /// @param steward The steward.
    /// @param categories The version's categories.
    error ResearchConsentMissing(address patient, address steward, uint16 categories);

    /// @notice A version without contributors cannot be published.
    /// @param version The version.
    error NoContributors(uint256 version);

    /// @notice One sale's contributors' pool must pay at least one token unit per unit of weight.
    /// @param contributorsShare The contributors' pool of one sale.
    /// @param totalWeight The version's total weight.
    error PriceTooLowForContributors(uint256 contributorsShare, uint256 totalWeight);

    /// @notice `account` did not contribute to the version.
    /// @param version The version.
    /// @param account The account.
    error NotAContributor(uint256 version, address account);

    /// @notice `patient` is already flagged out of the version.
    /// @param version The version.
    /// @param patient The patient.
    error AlreadyWithdrawn(uint256 version, address patient);

    /// @notice Someone other than the patient may flag a contributor only once the ConsentRegistry
    /// no longer permits the contribution (never for a signature-based one).
    /// @param version The version.
    /// @param patient The patient.
    error ConsentStillActive(uint256 version, address patient);

    /// @notice A version with a flagged contributor is neither published nor sold.
    /// @param version The version.
    /// @param withdrawn How many contributors are flagged out of it.
    error VersionHasWithdrawnContributors(uint256 version, uint32 withdrawn);

    /// @notice No licence has this id.
    /// @param licenceId The licence id.
    error UnknownLicence(uint256 licenceId);

    /// @notice The licence has expired.
    /// @param licenceId The licence id.
    /// @param expiresAt Its expiry (exclusive).
    error LicenceExpired(uint256 licenceId, uint40 expiresAt);

    /// @notice An extract was already recorded for the licence.
    /// @param licenceId The licence id.
    error ExtractAlreadyRecorded(uint256 licenceId);

    /// @notice Nothing is owed to `account` on the versions given.
    /// @param account The caller.
    error NothingToWithdraw(address account);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A steward registered a dataset version (Draft).
    /// @param version The new version's number.
    /// @param steward The steward (the caller).
    /// @param previousVersion The version it follows (0: none).
    /// @param manifestCid The CID of its encrypted manifest.
    /// @param rowsRoot The Merkle root of its rows.
    /// @param fields The fields it holds ({ResearchFields}).
    /// @param categories The consent categories it draws on.
    /// @param price The licence price in token units.
    /// @param stewardShareBps The steward's share of a sale in basis points.
    /// @param licenceDuration How long a licence lasts, in seconds.
    event DatasetRegistered(
        uint256 indexed version,
        address indexed steward,
        uint32 indexed previousVersion,
        string manifestCid,
        bytes32 rowsRoot,
        uint24 fields,
        uint16 categories,
        uint96 price,
        uint16 stewardShareBps,
        uint40 licenceDuration
    );

    /// @notice A patient's contribution was recorded.
    /// @param version The version.
    /// @param patient The contributor.
    /// @param weight Its weight (e.g. rows).
    /// @param basis What authorised it: a consent or a signature.
    event ContributionAdded(uint256 indexed version, address indexed patient, uint64 weight, Basis basis);

    /// @notice A version was published: contributions are frozen, licences are sold.
    /// @param version The version.
    /// @param contributors How many patients contributed.
    /// @param totalWeight Their total weight.
    event DatasetPublished(uint256 indexed version, uint32 contributors, uint64 totalWeight);

    /// @notice A version was retired: no more licences.
    /// @param version The version.
    event DatasetRetired(uint256 indexed version);

    /// @notice `patient` is out of `version`: no licence for it is sold any more. `by` proved it
    /// (anyone, from the ConsentRegistry) or is the patient.
    /// @param version The version.
    /// @param patient The contributor flagged out.
    /// @param by Who flagged it.
    event ContributorWithdrawn(uint256 indexed version, address indexed patient, address by);

    /// @notice A licence was sold: `price` split into `stewardCut` (share plus rounding remainder)
    /// and `perWeight` units for every unit of contribution weight.
    /// @param licenceId The new licence's id.
    /// @param version The version licensed.
    /// @param licensee The researcher who bought it.
    /// @param fields The fields licensed.
    /// @param expiresAt When it expires (exclusive).
    /// @param price What the licensee paid (a fee-on-transfer token may deliver less; the split is
    /// of what arrived).
    /// @param stewardCut What the steward earned.
    /// @param perWeight What each unit of contribution weight earned.
    event LicenceIssued(
        uint256 indexed licenceId,
        uint256 indexed version,
        address indexed licensee,
        uint24 fields,
        uint40 expiresAt,
        uint96 price,
        uint256 stewardCut,
        uint256 perWeight
    );

    /// @notice The steward recorded the CID of the extract delivered for a licence.
    /// @param licenceId The licence.
    /// @param cid The extract's CID.
    event ExtractRecorded(uint256 indexed licenceId, string cid);

    /// @notice `account` was paid what it was owed on `version`.
    /// @param account The steward or contributor paid.
    /// @param version The version.
    /// @param amount The token units paid.
    event RevenueWithdrawn(address indexed account, uint256 indexed version, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Registers a dataset version (Draft) and returns its number.
    /// @dev Requirements:
    /// - the caller is an active hospital or research organisation (registry errors);
    /// - `manifestCid` has 1 to 128 bytes ({InvalidCid}); `rowsRoot` is non-zero ({InvalidRowsRoot});
    /// - `fields` is a subset of {ResearchFields.ALL} holding at least one licensable field
    ///   ({InvalidFields});
    /// - `categories` is a non-empty subset of the consent catalogue ({InvalidCategories});
    /// - `price > 0` ({InvalidPrice}); `stewardShareBps < 10000` ({InvalidStewardShare});
    /// - `licenceDuration` is 1 s to 3650 days ({InvalidLicenceDuration});
    /// - `previousVersion` is 0 or a version of the caller ({UnknownVersion}, {NotSteward}).
    /// Emits {DatasetRegistered}.
    /// @param terms The version's terms.
    /// @return version The new version's number (from 1).
    function registerDataset(Terms calldata terms) external returns (uint256 version);

    /// @notice Records `patient`'s contribution of `weight` to a Draft version, authorised by the
    /// patient's active research consent (READ, RESEARCH, the version's categories) for the steward.
    /// @dev Requirements:
    /// - the version exists ({UnknownVersion}), the caller is its steward ({NotSteward}), it is
    ///   Draft ({WrongStatus}) and the caller still an active hospital or research organisation
    ///   (registry errors);
    /// - the consent is permitted now ({ResearchConsentMissing});
    /// - `weight > 0` ({InvalidWeight}); `patient` is a registered patient ({NotAPatient}) who has
    ///   not contributed to the version ({AlreadyContributed}).
    /// Emits {ContributionAdded} (basis Consent).
    /// @param version The Draft version.
    /// @param patient The contributor.
    /// @param weight Its weight (e.g. rows).
    function contribute(uint256 version, address patient, uint64 weight) external;

    /// @notice {contribute} authorised by the patient's EIP-712 signature over
    /// `Contribution(patient, version, weight, nonce, deadline)` instead of a consent record.
    /// @dev Requirements:
    /// - as {contribute} for the version and the caller;
    /// - `block.timestamp <= deadline` ({SignatureExpired});
    /// - `signature` is well formed ({InvalidSignature}) and by `patient` over these values and the
    ///   patient's current {nonces}, under this contract's domain on this chain ({WrongSigner});
    ///   the nonce is used;
    /// - as {contribute} for the weight and the patient.
    /// Emits {ContributionAdded} (basis Signature).
    /// @param version The Draft version.
    /// @param patient The contributor (the signer).
    /// @param weight Its weight.
    /// @param deadline The signature's deadline (inclusive).
    /// @param signature The patient's signature.
    function contributeBySig(uint256 version, address patient, uint64 weight, uint256 deadline, bytes calldata signature)
        external;

    /// @notice Freezes a Draft version's contributions and opens it to licences.
    /// @dev Requirements:
    /// - as {contribute} for the version and the caller (steward, Draft, active role);
    /// - at least one contributor ({NoContributors}) and none flagged out
    ///   ({VersionHasWithdrawnContributors});
    /// - one sale's contributors' pool is at least one token unit per unit of weight
    ///   ({PriceTooLowForContributors}).
    /// Emits {DatasetPublished}.
    /// @param version The Draft version.
    function publish(uint256 version) external;

    /// @notice Stops licence sales of a version (e.g. replaced by a newer one). Revenue already
    /// earned stays withdrawable.
    /// @dev Requirements: the version exists ({UnknownVersion}); the caller is its steward
    /// ({NotSteward}; no role needed); it is not retired yet ({WrongStatus}). Emits {DatasetRetired}.
    /// @param version The version.
    function retire(uint256 version) external;

    /// @notice Takes `patient` out of `version`: from now on the version sells no licence.
    /// @dev Requirements: the version exists ({UnknownVersion}); `patient` contributed to it
    /// ({NotAContributor}) and is not flagged yet ({AlreadyWithdrawn}); the caller is the patient,
    /// or the contribution is consent-based and the ConsentRegistry no longer permits it (revoked,
    /// expired or narrowed) ({ConsentStillActive}). Emits {ContributorWithdrawn}.
    /// @param version The version.
    /// @param patient The contributor.
    function flagWithdrawn(uint256 version, address patient) external;

    /// @notice Buys a licence to `fields` of a published version for its licence duration, paying
    /// its price in the settlement token (approve it first). Gas does not depend on the number of
    /// contributors.
    /// @dev Requirements:
    /// - the caller is an active researcher (registry errors);
    /// - the version exists ({UnknownVersion}) and is Published ({WrongStatus}) with no flagged
    ///   contributor ({VersionHasWithdrawnContributors});
    /// - `fields` is a non-empty subset of {ResearchFields.ALL} ({InvalidFields}) with no identity
    ///   field ({IdentityFieldsNotLicensable}) and within the version's fields ({FieldsNotInDataset});
    /// - the token transfer of the price succeeds (`SafeERC20FailedOperation` or the token's error).
    /// Emits {LicenceIssued}.
    /// @param version The version.
    /// @param fields The fields licensed.
    /// @return licenceId The new licence's id (from 1).
    function buyLicence(uint256 version, uint24 fields) external returns (uint256 licenceId);

    /// @notice Records the CID of the licensed extract delivered for a licence.
    /// @dev Requirements: the licence exists ({UnknownLicence}); the caller is the steward of its
    /// version ({NotSteward}); it has not expired ({LicenceExpired}); no extract was recorded for it
    /// ({ExtractAlreadyRecorded}); the CID has 1 to 128 bytes ({InvalidCid}). Emits {ExtractRecorded}.
    /// @param licenceId The licence.
    /// @param cid The extract's CID.
    function recordExtract(uint256 licenceId, string calldata cid) external;

    /// @notice Pays the caller everything it is owed on `versions`, as steward and as
    /// contributor, in one token transfer.
    /// @dev Requirements: every version exists ({UnknownVersion}); something is owed
    /// ({NothingToWithdraw}). Emits {RevenueWithdrawn} per version that paid.
    /// @param versions The versions to collect on.
    /// @return amount The token units paid.
    function withdraw(uint256[] calldata versions) external returns (uint256 amount);

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice The whole record of a version.
    /// @param version The version.
    /// @return The dataset (status None when unknown).
    function dataset(uint256 version) external view returns (Dataset memory);

    /// @notice `patient`'s contribution to `version`.
    /// @param version The version.
    /// @param patient The patient.
    /// @return The contribution (weight 0 when none).
    function contribution(uint256 version, address patient) external view returns (Contribution memory);

    /// @notice A licence.
    /// @param licenceId The licence id.
    /// @return The licence (licensee zero when unknown).
    function licence(uint256 licenceId) external view returns (Licence memory);

    /// @notice True when licence `licenceId` belongs to `licensee`, covers every bit of
    /// `fields` (non-empty) and has not expired (`block.timestamp < expiresAt`).
    /// @param licenceId The licence id.
    /// @param licensee The account claiming it.
    /// @param fields The fields it must cover.
    /// @return Whether the licence is valid for them now.
    function isLicensed(uint256 licenceId, address licensee, uint24 fields) external view returns (bool);

    /// @notice The CID of the extract delivered for a licence.
    /// @param licenceId The licence id.
    /// @return The CID (empty until recorded).
    function extractCid(uint256 licenceId) external view returns (string memory);

    /// @notice True when `leaf` is a row of `version`: an OpenZeppelin {MerkleProof} (sorted
    /// pairs) from `leaf` to the version's rows root. A row's leaf is
    /// `keccak256(bytes.concat(keccak256(abi.encode(fieldHashes))))` over its 16 salted field
    /// hashes, so a licensee proves a row with its licensed fields and the other fields' hashes.
    /// @param version The version.
    /// @param proof The Merkle proof.
    /// @param leaf The row's leaf.
    /// @return Whether the proof holds (false for an unknown version).
    function verifyRow(uint256 version, bytes32[] calldata proof, bytes32 leaf) external view returns (bool);

    /// @notice What {withdraw} would pay `account` on `version` now.
    /// @param account The steward or contributor.
    /// @param version The version.
    /// @return The token units owed.
    function pendingRevenue(address account, uint256 version) external view returns (uint256);

    /// @notice How many versions were registered (numbers run from 1 to this).
    /// @return The number of versions.
    function versionCount() external view returns (uint256);

    /// @notice How many licences were sold (ids run from 1 to this).
    /// @return The number of licences.
    function licenceCount() external view returns (uint256);

    /// @notice The patient's next signature nonce (for {contributeBySig}).
    /// @param patient The patient.
    /// @return The nonce the next signed contribution must carry.
    function nonces(address patient) external view returns (uint256);

    /// @notice The ERC-20 licences are paid in.
    /// @return The token's address.
    function token() external view returns (address);

    /// @notice The participant directory (steward and researcher roles, patients).
    /// @return The ParticipantRegistry's address.
    function registry() external view returns (address);

    /// @notice The consent registry (research consents of contributors).
    /// @return The ConsentRegistry's address.
    function consentRegistry() external view returns (address);
}
