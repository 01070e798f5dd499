// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

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

    error ZeroAddress();
    error InvalidFields(uint24 fields);
    error IdentityFieldsNotLicensable(uint24 fields);
    error FieldsNotInDataset(uint24 requested, uint24 available);
    error InvalidCategories(uint16 categories);
    error InvalidCid(uint256 length);
    error InvalidRowsRoot();
    error InvalidPrice(uint256 price);
    error InvalidStewardShare(uint16 bps);
    error InvalidLicenceDuration(uint40 duration);
    error UnknownVersion(uint256 version);
    error NotSteward(address caller, uint256 version);
    error WrongStatus(uint256 version, Status status);
    error InvalidWeight(uint256 weight);
    error AlreadyContributed(uint256 version, address patient);
    error NotAPatient(address account);
    error ResearchConsentMissing(address patient, address steward, uint16 categories);
    error SignatureExpired(uint256 deadline);
    error InvalidSignature();
    error WrongSigner(address patient, address signer);
    error NoContributors(uint256 version);
    error PriceTooLowForContributors(uint256 contributorsShare, uint256 totalWeight);
    error NotAContributor(uint256 version, address account);
    error AlreadyWithdrawn(uint256 version, address patient);
    error ConsentStillActive(uint256 version, address patient);
    error VersionHasWithdrawnContributors(uint256 version, uint32 withdrawn);
    error UnknownLicence(uint256 licenceId);
    error LicenceExpired(uint256 licenceId, uint40 expiresAt);
    error ExtractAlreadyRecorded(uint256 licenceId);
    error NothingToWithdraw(address account);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

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
    event ContributionAdded(uint256 indexed version, address indexed patient, uint64 weight, Basis basis);
    event DatasetPublished(uint256 indexed version, uint32 contributors, uint64 totalWeight);
    event DatasetRetired(uint256 indexed version);
    /// @notice `patient` is out of `version`: no licence for it is sold any more. `by` proved it
    /// (anyone, from the ConsentRegistry) or is the patient.
    event ContributorWithdrawn(uint256 indexed version, address indexed patient, address by);
    /// @notice A licence was sold: `price` split into `stewardCut` (share plus rounding remainder)
    /// and `perWeight` units for every unit of contribution weight.
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
    event ExtractRecorded(uint256 indexed licenceId, string cid);
    event RevenueWithdrawn(address indexed account, uint256 indexed version, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    function registerDataset(Terms calldata terms) external returns (uint256 version);
    function contribute(uint256 version, address patient, uint64 weight) external;
    function contributeBySig(uint256 version, address patient, uint64 weight, uint256 deadline, bytes calldata signature)
        external;
    function publish(uint256 version) external;
    function retire(uint256 version) external;
    function flagWithdrawn(uint256 version, address patient) external;
    function buyLicence(uint256 version, uint24 fields) external returns (uint256 licenceId);
    function recordExtract(uint256 licenceId, string calldata cid) external;
    function withdraw(uint256[] calldata versions) external returns (uint256 amount);

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    function dataset(uint256 version) external view returns (Dataset memory);
    function contribution(uint256 version, address patient) external view returns (Contribution memory);
    function licence(uint256 licenceId) external view returns (Licence memory);
    function isLicensed(uint256 licenceId, address licensee, uint24 fields) external view returns (bool);
    function extractCid(uint256 licenceId) external view returns (string memory);
    function verifyRow(uint256 version, bytes32[] calldata proof, bytes32 leaf) external view returns (bool);
    function pendingRevenue(address account, uint256 version) external view returns (uint256);
    function versionCount() external view returns (uint256);
    function licenceCount() external view returns (uint256);
    function nonces(address patient) external view returns (uint256);
    function token() external view returns (address);
    function registry() external view returns (address);
    function consentRegistry() external view returns (address);
}
