// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Roles} from "../interfaces/IParticipantRegistry.sol";
import {IConsentRegistry, ConsentCodes} from "../interfaces/IConsentRegistry.sol";
import {ZeroAddress} from "../interfaces/IErrors.sol";
import {IResearchDataLicensing, ResearchFields} from "../interfaces/IResearchDataLicensing.sol";
import {ParticipantGated} from "./utils/ParticipantGated.sol";
import {SignedRequests} from "./utils/SignedRequests.sol";

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
/// contribution). A version with a flagged contributor sells no licence any more; the steward
/// publishes a new version without their rows (and {contribute} refuses them there). Nobody has to
/// flag for a revocation to count: an extract holds only the rows of contributors whose research
/// consent the ConsentRegistry permits when the steward delivers it (`ResearchClient.build_extract`
/// reads the registry then), so every extract delivered after a revocation or an expiry, for a
/// licence sold before or after it, excludes the patient. Licences sold earlier stay valid. A licence sale reads one counter instead of checking every contributor: its gas does not
/// depend on the number of contributors.
///
/// Revenue (in the settlement ERC-20, pull payments): a sale credits what arrived (`received`,
/// the price less any fee a fee-on-transfer token takes) and gives the steward
/// `received * stewardShareBps / 10000`; the rest, the contributors' pool, is divided by the
/// version's total weight into whole token units per unit of weight, added to a revenue-per-weight
/// index; the division's remainder (at most `totalWeight - 1` units) goes to the steward. Nothing
/// is lost or created: every unit paid in is owed to the steward or to a contributor
/// (`weight * (index - indexPaid)`) until withdrawn. {publish} requires the contributors' pool
/// to be at least one unit per unit of weight.
/// @dev Sale path storage: the dataset's terms in one slot, its supply in one, and the ledger
/// (index, steward revenue, withdrawn count, status) in one slot, written once per sale.
contract ResearchDataLicensing is IResearchDataLicensing, ReentrancyGuard, ParticipantGated, SignedRequests {
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
        ParticipantGated(participants)
        SignedRequests("MedChain ResearchDataLicensing")
    {
        if (participants == address(0) || consents == address(0) || settlementToken == address(0)) {
            revert ZeroAddress();
        }
        _consent = IConsentRegistry(consents);
        _token = IERC20(settlementToken);
    }

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IResearchDataLicensing
    function registerDataset(Terms calldata terms)
        external
        onlyAnyRole(Roles.HOSPITAL | Roles.RESEARCHER)
        returns (uint256 version)
    {
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

    /// @inheritdoc IResearchDataLicensing
    function contribute(uint256 version, address patient, uint64 weight) external {
        Record storage d = _draft(version);
        if (!_consent.isPermitted(patient, msg.sender, d.categories, ConsentCodes.RESEARCH, ConsentCodes.READ)) {
            revert ResearchConsentMissing(patient, msg.sender, d.categories);
        }
        _addContribution(version, d, patient, weight, Basis.Consent);
    }

    /// @inheritdoc IResearchDataLicensing
    function contributeBySig(uint256 version, address patient, uint64 weight, uint256 deadline, bytes calldata signature)
        external
    {
        Record storage d = _draft(version);
        _checkDeadline(deadline);
        bytes32 structHash = keccak256(abi.encode(CONTRIBUTION_TYPEHASH, patient, version, weight, _useNonce(patient), deadline));
        _checkSigner(patient, structHash, signature);
        _addContribution(version, d, patient, weight, Basis.Signature);
    }

    /// @inheritdoc IResearchDataLicensing
    function publish(uint256 version) external {
        Record storage d = _draft(version);
        if (d.contributors == 0) revert NoContributors(version);
        if (d.withdrawn != 0) revert VersionHasWithdrawnContributors(version, d.withdrawn);
        uint256 pool = d.price - uint256(d.price) * d.stewardShareBps / BPS;
        if (pool < d.totalWeight) revert PriceTooLowForContributors(pool, d.totalWeight);
        d.status = Status.Published;
        emit DatasetPublished(version, d.contributors, d.totalWeight);
    }

    /// @inheritdoc IResearchDataLicensing
    function retire(uint256 version) external {
        Record storage d = _datasets[version];
        _checkSteward(d, version);
        if (d.status == Status.Retired) revert WrongStatus(version, d.status);
        d.status = Status.Retired;
        emit DatasetRetired(version);
    }

    /// @inheritdoc IResearchDataLicensing
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

    /// @inheritdoc IResearchDataLicensing
    function buyLicence(uint256 version, uint24 fields)
        external
        nonReentrant
        onlyRole(Roles.RESEARCHER)
        returns (uint256 licenceId)
    {
        Record storage d = _datasets[version];
        Status status = d.status;
        if (status != Status.Published) {
            if (status == Status.None) revert UnknownVersion(version);
            revert WrongStatus(version, status);
        }
        if (d.withdrawn != 0) revert VersionHasWithdrawnContributors(version, d.withdrawn);
        _checkLicensable(fields, d.fields);

        // Credit what arrived, not the price asked: a fee-on-transfer token delivers less, and
        // crediting the price would owe more than the contract holds. The pull comes first; the
        // guard keeps a token's hooks from re-entering.
        uint256 price = d.price;
        uint256 received = _pull(price);
        uint256 totalWeight = d.totalWeight;
        uint256 stewardCut = received * d.stewardShareBps / BPS;
        uint256 pool = received - stewardCut;
        uint256 perWeight = pool / totalWeight;
        stewardCut += pool - perWeight * totalWeight;
        d.revenuePerWeight = SafeCast.toUint104(d.revenuePerWeight + perWeight);
        d.stewardRevenue = SafeCast.toUint112(d.stewardRevenue + stewardCut);

        uint40 expiresAt = uint40(block.timestamp) + d.licenceDuration;
        licenceId = ++_licenceCount;
        _licences[licenceId] = Licence(msg.sender, expiresAt, fields, uint32(version));
        emit LicenceIssued(licenceId, version, msg.sender, fields, expiresAt, uint96(price), stewardCut, perWeight);
    }

    /// @inheritdoc IResearchDataLicensing
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

    /// @inheritdoc IResearchDataLicensing
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

    /// @inheritdoc IResearchDataLicensing
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

    /// @inheritdoc IResearchDataLicensing
    function contribution(uint256 version, address patient) external view returns (Contribution memory) {
        return _contributions[version][patient];
    }

    /// @inheritdoc IResearchDataLicensing
    function licence(uint256 licenceId) external view returns (Licence memory) {
        return _licences[licenceId];
    }

    /// @inheritdoc IResearchDataLicensing
    function isLicensed(uint256 licenceId, address licensee, uint24 fields) external view returns (bool) {
        Licence storage l = _licences[licenceId];
        return l.licensee == licensee && licensee != address(0) && fields != 0 && l.fields & fields == fields
            && block.timestamp < l.expiresAt;
    }

    /// @inheritdoc IResearchDataLicensing
    function verifyRow(uint256 version, bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        bytes32 root = _datasets[version].rowsRoot;
        return root != bytes32(0) && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc IResearchDataLicensing
    function extractCid(uint256 licenceId) external view returns (string memory) {
        return _extracts[licenceId];
    }

    /// @inheritdoc IResearchDataLicensing
    function pendingRevenue(address account, uint256 version) external view returns (uint256 owed) {
        Record storage d = _datasets[version];
        if (d.steward == account) owed = d.stewardRevenue;
        Contribution storage c = _contributions[version][account];
        owed += uint256(c.weight) * (d.revenuePerWeight - c.indexPaid);
    }

    /// @inheritdoc IResearchDataLicensing
    function versionCount() external view returns (uint256) {
        return _versionCount;
    }

    /// @inheritdoc IResearchDataLicensing
    function licenceCount() external view returns (uint256) {
        return _licenceCount;
    }

    /// @inheritdoc IResearchDataLicensing
    function nonces(address patient) public view override(IResearchDataLicensing, Nonces) returns (uint256) {
        return super.nonces(patient);
    }

    /// @inheritdoc IResearchDataLicensing
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IResearchDataLicensing
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IResearchDataLicensing
    function consentRegistry() external view returns (address) {
        return address(_consent);
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _draft(uint256 version) private view returns (Record storage d) {
        d = _datasets[version];
        _checkSteward(d, version);
        if (d.status != Status.Draft) revert WrongStatus(version, d.status);
        _checkAnyRole(msg.sender, Roles.HOSPITAL | Roles.RESEARCHER);
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

    /// @dev Pulls `amount` from the caller; returns what arrived (less than `amount` for a
    /// fee-on-transfer token).
    function _pull(uint256 amount) private returns (uint256 received) {
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        received = _token.balanceOf(address(this)) - before;
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
