// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IParticipantRegistry, Roles} from "../interfaces/IParticipantRegistry.sol";
import {IConsentRegistry, ConsentCodes} from "../interfaces/IConsentRegistry.sol";
import {IResearchDataLicensing, ResearchFields} from "../interfaces/IResearchDataLicensing.sol";

/// @title ResearchDataLicensing
/// @notice Research datasets from consenting patients, licensed by field for a time, revenue
/// shared with the contributors.
///
/// Lifecycle of a dataset version: a steward (an active hospital or research organisation)
/// registers it (Draft) with its encrypted manifest's CID, the Merkle root of its rows, the fields
/// it holds, the consent categories it draws on, the licence price, the steward's share and the
/// licence duration; records each patient's contribution (weight = e.g. rows), authorised by the
/// patient's active research consent for the steward in the ConsentRegistry or by the patient's
/// EIP-712 signature; then publishes it, which freezes the contributions. Registered researchers
/// then buy licences (fields, until when) that anyone can check.
///
/// Withdrawal: a contributor whose research consent is no longer permitted (revoked or expired)
/// is flagged out of a version by anyone with {flagWithdrawn}, which asks the ConsentRegistry on
/// chain; a patient may also flag themselves (the only way out of a signature-based
/// contribution). A version with a flagged contributor sells no licence any more, so every licence
/// sold after a revocation is on chain excludes the patient; the steward publishes a new version
/// without their rows (and {contribute} refuses them there). Licences sold earlier stay valid. A
/// licence sale therefore reads one counter instead of checking every contributor: its gas does
/// not depend on the number of contributors.
///
/// Revenue (in the settlement ERC-20, pull payments): a sale of `price` gives the steward
/// `price * stewardShareBps / 10000`; the rest, the contributors' pool, is divided by the
/// version's total weight into whole token units per unit of weight, added to a revenue-per-weight
/// index; the division's remainder (at most `totalWeight - 1` units) goes to the steward. Nothing
/// is lost or created: every unit paid in is owed to the steward or to a contributor
/// (`weight * (index - indexPaid)`) until withdrawn. {publish} requires the contributors' pool
/// to be at least one unit per unit of weight.
/// @dev Sale path storage: the dataset's terms in one slot, its supply in one, and the ledger
/// (index, steward revenue, withdrawn count, status) in one slot, written once per sale.
contract ResearchDataLicensing is IResearchDataLicensing, ReentrancyGuard, EIP712, Nonces {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    uint256 private constant BPS = 10_000;
    uint256 private constant MAX_CID_LENGTH = 128;
    uint40 private constant MAX_LICENCE_DURATION = 3650 days;
    bytes32 private constant CONTRIBUTION_TYPEHASH =
        keccak256("Contribution(address patient,uint256 version,uint64 weight,uint256 nonce,uint256 deadline)");

    struct Record {
        // slot 0: terms (read by a sale)
        address steward;
        uint16 stewardShareBps;
        uint40 licenceDuration;
        uint24 fields;
        uint16 categories;
        // slot 1: supply (read by a sale)
        uint96 price;
        uint64 totalWeight;
        uint32 contributors;
        uint32 previousVersion;
        // slot 2: ledger (read and written by a sale)
        uint104 revenuePerWeight;
        uint112 stewardRevenue;
        uint32 withdrawn;
        Status status;
        // slots 3+
        bytes32 rowsRoot;
        string manifestCid;
    }

    IParticipantRegistry private immutable _registry;
    IConsentRegistry private immutable _consent;
    IERC20 private immutable _token;

    uint128 private _versionCount;
    uint128 private _licenceCount;
    mapping(uint256 version => Record) private _datasets;
    mapping(uint256 version => mapping(address patient => Contribution)) private _contributions;
    mapping(uint256 licenceId => Licence) private _licences;
    mapping(uint256 licenceId => string) private _extracts;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param participants The participant directory (steward and researcher roles).
    /// @param consents The consent registry (research consent of contributors).
    /// @param settlementToken The ERC-20 licences are paid in.
    constructor(address participants, address consents, address settlementToken)
        EIP712("MedChain ResearchDataLicensing", "1")
    {
        if (participants == address(0) || consents == address(0) || settlementToken == address(0)) {
            revert ZeroAddress();
        }
        _registry = IParticipantRegistry(participants);
        _consent = IConsentRegistry(consents);
        _token = IERC20(settlementToken);
    }

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Registers a dataset version (Draft) and returns its number.
    /// @dev Requirements: the caller is an active hospital or research organisation; the CID has
    /// 1 to 128 bytes; the rows root is non-zero; `fields` is a subset of {ResearchFields.ALL}
    /// holding at least one licensable field; `categories` a non-empty subset of the consent
    /// catalogue; `price` > 0; `stewardShareBps` < 10000; `licenceDuration` in 1 s .. 3650 days;
    /// `previousVersion` is 0 or a version of the same steward. Emits {DatasetRegistered}.
    function registerDataset(Terms calldata terms) external returns (uint256 version) {
        _registry.requireAnyRole(msg.sender, Roles.HOSPITAL | Roles.RESEARCHER);
        _checkCid(terms.manifestCid);
        if (terms.rowsRoot == bytes32(0)) revert InvalidRowsRoot();
        if (terms.fields & ~ResearchFields.ALL != 0 || terms.fields & ~ResearchFields.IDENTITY == 0) {
            revert InvalidFields(terms.fields);
        }
        if (terms.categories == 0 || terms.categories & ~ConsentCodes.ALL_CATEGORIES != 0) {
            revert InvalidCategories(terms.categories);
        }
        if (terms.price == 0) revert InvalidPrice(terms.price);
        if (terms.stewardShareBps >= BPS) revert InvalidStewardShare(terms.stewardShareBps);
        if (terms.licenceDuration == 0 || terms.licenceDuration > MAX_LICENCE_DURATION) {
            revert InvalidLicenceDuration(terms.licenceDuration);
        }
        if (terms.previousVersion != 0) _stewardOf(terms.previousVersion);

        version = ++_versionCount;
        Record storage d = _datasets[version];
        d.steward = msg.sender;
        d.stewardShareBps = terms.stewardShareBps;
        d.licenceDuration = terms.licenceDuration;
        d.fields = terms.fields;
        d.categories = terms.categories;
        d.price = terms.price;
        d.previousVersion = terms.previousVersion;
        d.status = Status.Draft;
        d.rowsRoot = terms.rowsRoot;
        d.manifestCid = terms.manifestCid;
        emit DatasetRegistered(
            version,
            msg.sender,
            terms.previousVersion,
            terms.manifestCid,
            terms.rowsRoot,
            terms.fields,
            terms.categories,
            terms.price,
            terms.stewardShareBps,
            terms.licenceDuration
        );
    }

    /// @notice Records `patient`'s contribution of `weight` to a Draft version, authorised by the
    /// patient's active research consent (READ, RESEARCH, the version's categories) for the steward.
    /// @dev Requirements: the caller is the version's steward and still an active hospital or
    /// research organisation; the version is Draft; `patient` is a registered patient who has not
    /// contributed to it; `weight` > 0; the consent is permitted now. Emits {ContributionAdded}.
    function contribute(uint256 version, address patient, uint64 weight) external {
        Record storage d = _draft(version);
        if (!_consent.isPermitted(patient, msg.sender, d.categories, ConsentCodes.RESEARCH, ConsentCodes.READ)) {
            revert ResearchConsentMissing(patient, msg.sender, d.categories);
        }
        _addContribution(version, d, patient, weight, Basis.Consent);
    }

    /// @notice {contribute} authorised by the patient's EIP-712 signature over
    /// `Contribution(patient, version, weight, nonce, deadline)` instead of a consent record.
    /// @dev Requirements: as {contribute} without the consent; `block.timestamp <= deadline`; the
    /// signature is valid, by `patient`, over the patient's current {nonces}. Emits
    /// {ContributionAdded}.
    function contributeBySig(uint256 version, address patient, uint64 weight, uint256 deadline, bytes calldata signature)
        external
    {
        Record storage d = _draft(version);
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        bytes32 structHash = keccak256(abi.encode(CONTRIBUTION_TYPEHASH, patient, version, weight, _useNonce(patient), deadline));
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(_hashTypedDataV4(structHash), signature);
        if (err != ECDSA.RecoverError.NoError) revert InvalidSignature();
        if (signer != patient) revert WrongSigner(patient, signer);
        _addContribution(version, d, patient, weight, Basis.Signature);
    }

    /// @notice Freezes a Draft version's contributions and opens it to licences.
    /// @dev Requirements: the caller is the steward, an active hospital or research organisation;
    /// the version is Draft with at least one contributor and none withdrawn; the contributors'
    /// pool of one sale is at least one token unit per unit of weight. Emits {DatasetPublished}.
    function publish(uint256 version) external {
        Record storage d = _draft(version);
        if (d.contributors == 0) revert NoContributors(version);
        if (d.withdrawn != 0) revert VersionHasWithdrawnContributors(version, d.withdrawn);
        uint256 pool = d.price - uint256(d.price) * d.stewardShareBps / BPS;
        if (pool < d.totalWeight) revert PriceTooLowForContributors(pool, d.totalWeight);
        d.status = Status.Published;
        emit DatasetPublished(version, d.contributors, d.totalWeight);
    }

    /// @notice Stops licence sales of a version (e.g. replaced by a newer one). Revenue already
    /// earned stays withdrawable.
    /// @dev Requirements: the caller is the steward; the version is Draft or Published. Emits
    /// {DatasetRetired}.
    function retire(uint256 version) external {
        Record storage d = _datasets[version];
        _checkSteward(d, version);
        if (d.status == Status.Retired) revert WrongStatus(version, d.status);
        d.status = Status.Retired;
        emit DatasetRetired(version);
    }

    /// @notice Takes `patient` out of `version`: from now on the version sells no licence.
    /// @dev Requirements: `patient` contributed to the version and is not flagged yet; the caller
    /// is the patient, or the contribution is consent-based and the ConsentRegistry no longer
    /// permits it (revoked, expired or narrowed). Emits {ContributorWithdrawn}.
    function flagWithdrawn(uint256 version, address patient) external {
        Record storage d = _datasets[version];
        if (d.status == Status.None) revert UnknownVersion(version);
        Contribution storage c = _contributions[version][patient];
        if (c.weight == 0) revert NotAContributor(version, patient);
        if (c.withdrawn) revert AlreadyWithdrawn(version, patient);
        if (
            msg.sender != patient
                && (
                    c.basis == Basis.Signature
                        || _consent.isPermitted(patient, d.steward, d.categories, ConsentCodes.RESEARCH, ConsentCodes.READ)
                )
        ) revert ConsentStillActive(version, patient);
        c.withdrawn = true;
        d.withdrawn += 1;
        emit ContributorWithdrawn(version, patient, msg.sender);
    }

    /// @notice Buys a licence to `fields` of a published version for its licence duration, paying
    /// its price in the settlement token (approve it first). Gas does not depend on the number of
    /// contributors.
    /// @dev Requirements: the caller is an active researcher; the version is Published with no
    /// withdrawn contributor; `fields` is a non-empty subset of the version's fields with no
    /// identity field; the token transfer succeeds. Emits {LicenceIssued}.
    function buyLicence(uint256 version, uint24 fields) external nonReentrant returns (uint256 licenceId) {
        _registry.requireRole(msg.sender, Roles.RESEARCHER);
        Record storage d = _datasets[version];
        Status status = d.status;
        if (status != Status.Published) {
            if (status == Status.None) revert UnknownVersion(version);
            revert WrongStatus(version, status);
        }
        if (d.withdrawn != 0) revert VersionHasWithdrawnContributors(version, d.withdrawn);
        _checkLicensable(fields, d.fields);

        uint256 price = d.price;
        uint256 totalWeight = d.totalWeight;
        uint256 stewardCut = price * d.stewardShareBps / BPS;
        uint256 pool = price - stewardCut;
        uint256 perWeight = pool / totalWeight;
        stewardCut += pool - perWeight * totalWeight;
        d.revenuePerWeight = SafeCast.toUint104(d.revenuePerWeight + perWeight);
        d.stewardRevenue = SafeCast.toUint112(d.stewardRevenue + stewardCut);

        uint40 expiresAt = uint40(block.timestamp) + d.licenceDuration;
        licenceId = ++_licenceCount;
        _licences[licenceId] = Licence(msg.sender, expiresAt, fields, uint32(version));
        emit LicenceIssued(licenceId, version, msg.sender, fields, expiresAt, uint96(price), stewardCut, perWeight);
        _token.safeTransferFrom(msg.sender, address(this), price);
    }

    /// @notice Records the CID of the licensed extract delivered for a licence.
    /// @dev Requirements: the licence exists and has not expired; the caller is the steward of its
    /// version; no extract was recorded for it; the CID has 1 to 128 bytes. Emits {ExtractRecorded}.
    function recordExtract(uint256 licenceId, string calldata cid) external {
        Licence storage l = _licences[licenceId];
        if (l.licensee == address(0)) revert UnknownLicence(licenceId);
        _checkSteward(_datasets[l.version], l.version);
        if (block.timestamp >= l.expiresAt) revert LicenceExpired(licenceId, l.expiresAt);
        if (bytes(_extracts[licenceId]).length != 0) revert ExtractAlreadyRecorded(licenceId);
        _checkCid(cid);
        _extracts[licenceId] = cid;
        emit ExtractRecorded(licenceId, cid);
    }

    /// @notice Pays the caller everything it is owed on `versions`, as steward and as
    /// contributor, in one token transfer.
    /// @dev Requirements: every version exists; something is owed. Emits {RevenueWithdrawn} per
    /// version that paid.
    function withdraw(uint256[] calldata versions) external nonReentrant returns (uint256 amount) {
        for (uint256 i; i < versions.length; ++i) {
            uint256 version = versions[i];
            Record storage d = _datasets[version];
            if (d.status == Status.None) revert UnknownVersion(version);
            uint256 owed;
            if (d.steward == msg.sender && d.stewardRevenue != 0) {
                owed = d.stewardRevenue;
                d.stewardRevenue = 0;
            }
            Contribution storage c = _contributions[version][msg.sender];
            uint128 index = d.revenuePerWeight;
            if (c.weight != 0 && c.indexPaid != index) {
                owed += uint256(c.weight) * (index - c.indexPaid);
                c.indexPaid = index;
            }
            if (owed != 0) {
                amount += owed;
                emit RevenueWithdrawn(msg.sender, version, owed);
            }
        }
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _token.safeTransfer(msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice The whole record of a version (status None when unknown).
    function dataset(uint256 version) external view returns (Dataset memory out) {
        Record storage d = _datasets[version];
        out = Dataset({
            steward: d.steward,
            fields: d.fields,
            categories: d.categories,
            stewardShareBps: d.stewardShareBps,
            licenceDuration: d.licenceDuration,
            price: d.price,
            totalWeight: d.totalWeight,
            contributors: d.contributors,
            previousVersion: d.previousVersion,
            status: d.status,
            withdrawnContributors: d.withdrawn,
            revenuePerWeight: d.revenuePerWeight,
            stewardRevenue: d.stewardRevenue,
            rowsRoot: d.rowsRoot,
            manifestCid: d.manifestCid
        });
    }

    /// @notice `patient`'s contribution to `version` (weight 0 when none).
    function contribution(uint256 version, address patient) external view returns (Contribution memory) {
        return _contributions[version][patient];
    }

    /// @notice A licence (licensee zero when unknown).
    function licence(uint256 licenceId) external view returns (Licence memory) {
        return _licences[licenceId];
    }

    /// @notice True when licence `licenceId` belongs to `licensee`, covers every bit of
    /// `fields` (non-empty) and has not expired (`block.timestamp < expiresAt`).
    function isLicensed(uint256 licenceId, address licensee, uint24 fields) external view returns (bool) {
        Licence storage l = _licences[licenceId];
        return l.licensee == licensee && licensee != address(0) && fields != 0 && l.fields & fields == fields
            && block.timestamp < l.expiresAt;
    }

    /// @notice True when `leaf` is a row of `version`: an OpenZeppelin {MerkleProof} (sorted
    /// pairs) from `leaf` to the version's rows root. A row's leaf is
    /// `keccak256(bytes.concat(keccak256(abi.encode(fieldHashes))))` over its 16 salted field
    /// hashes, so a licensee proves a row with its licensed fields and the other fields' hashes.
    function verifyRow(uint256 version, bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        bytes32 root = _datasets[version].rowsRoot;
        return root != bytes32(0) && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @notice The CID of the extract delivered for a licence (empty until recorded).
    function extractCid(uint256 licenceId) external view returns (string memory) {
        return _extracts[licenceId];
    }

    /// @notice What {withdraw} would pay `account` on `version` now.
    function pendingRevenue(address account, uint256 version) external view returns (uint256 owed) {
        Record storage d = _datasets[version];
        if (d.steward == account) owed = d.stewardRevenue;
        Contribution storage c = _contributions[version][account];
        owed += uint256(c.weight) * (d.revenuePerWeight - c.indexPaid);
    }

    function versionCount() external view returns (uint256) {
        return _versionCount;
    }

    function licenceCount() external view returns (uint256) {
        return _licenceCount;
    }

    function nonces(address patient) public view override(IResearchDataLicensing, Nonces) returns (uint256) {
        return super.nonces(patient);
    }

    function token() external view returns (address) {
        return address(_token);
    }

    function registry() external view returns (address) {
        return address(_registry);
    }

    function consentRegistry() external view returns (address) {
        return address(_consent);
    }

    /// @notice The EIP-712 domain separator contribution signatures are made under.
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _draft(uint256 version) private view returns (Record storage d) {
        d = _datasets[version];
        _checkSteward(d, version);
        if (d.status != Status.Draft) revert WrongStatus(version, d.status);
        _registry.requireAnyRole(msg.sender, Roles.HOSPITAL | Roles.RESEARCHER);
    }

    function _stewardOf(uint256 version) private view returns (Record storage d) {
        d = _datasets[version];
        _checkSteward(d, version);
    }

    function _checkSteward(Record storage d, uint256 version) private view {
        if (d.status == Status.None) revert UnknownVersion(version);
        if (d.steward != msg.sender) revert NotSteward(msg.sender, version);
    }

    function _addContribution(uint256 version, Record storage d, address patient, uint64 weight, Basis basis) private {
        if (weight == 0) revert InvalidWeight(weight);
        if (!_registry.isPatient(patient)) revert NotAPatient(patient);
        Contribution storage c = _contributions[version][patient];
        if (c.weight != 0) revert AlreadyContributed(version, patient);
        c.weight = weight;
        c.addedAt = uint40(block.timestamp);
        c.basis = basis;
        d.totalWeight += weight;
        d.contributors += 1;
        emit ContributionAdded(version, patient, weight, basis);
    }

    function _checkLicensable(uint24 fields, uint24 available) private pure {
        if (fields == 0 || fields & ~ResearchFields.ALL != 0) revert InvalidFields(fields);
        if (fields & ResearchFields.IDENTITY != 0) revert IdentityFieldsNotLicensable(fields);
        if (fields & ~available != 0) revert FieldsNotInDataset(fields, available);
    }

    function _checkCid(string calldata cid) private pure {
        uint256 length = bytes(cid).length;
        if (length == 0 || length > MAX_CID_LENGTH) revert InvalidCid(length);
    }
}
