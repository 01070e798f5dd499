// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IClaimAdjudication, Carc, ServiceClass} from "../interfaces/IClaimAdjudication.sol";
import {IConsentRegistry, ConsentCodes} from "../interfaces/IConsentRegistry.sol";
import {ZeroAddress} from "../interfaces/IErrors.sol";
import {Roles} from "../interfaces/IParticipantRegistry.sol";
import {CivilDate} from "./libraries/CivilDate.sol";
import {CostSharing} from "./libraries/CostSharing.sol";
import {ParticipantGated} from "./utils/ParticipantGated.sol";

/// @title ClaimAdjudication
/// @notice Insurance rules as contract code: plans, enrolment, a versioned catalogue (coverage,
/// fee schedule, indications), a provider network, claims adjudicated line by line in the
/// submitting transaction with X12 CARC reason codes, manual review, one appeal per denied line,
/// and settlement in an ERC-20 pool that providers withdraw from (pull payment).
/// @dev Consent: the patient must have granted the plan's insurer (grantee) the INSURANCE_CLAIMS
/// purpose with READ over every data category the claim reveals: the union of the catalogue
/// categories of its items (GENERAL for an item the catalogue does not list).
///
/// Cost sharing of an approved line ({CostSharing}), in this order: deductible (up to what remains of the annual
/// deductible), the service class's copay, coinsurance on the rest (rounded down, in the
/// patient's favour); the patient's share is capped at what remains of the out-of-pocket maximum
/// (coinsurance is cut first, then copay, then deductible); the payer amount is capped at what
/// remains of the annual benefit limit, the excess becoming patient responsibility (CARC 119).
///
/// Settlement: approved payer amounts become owed to the provider by the insurer's pool
/// (`outstanding`); a provider withdraws at most what it is owed and what the pool holds; an
/// insurer takes back only what is not owed. The token balance of this contract is always the sum
/// of the pools' balances (for tokens without transfer fees; `fund` credits what was received).
contract ClaimAdjudication is IClaimAdjudication, ReentrancyGuard, ParticipantGated {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    uint256 private constant MAX_LINES = 50;
    uint256 private constant MAX_DIAGNOSES = 12;
    uint256 private constant MAX_INDICATIONS = 32;
    uint256 private constant BPS = 10_000;
    uint16 private constant PROVIDER_ROLES = Roles.HOSPITAL | Roles.PHARMACY;
    /// @dev The first three characters of an ICD-10 code: its category ("E11.9" -> "E11").
    bytes32 private constant ICD_CATEGORY = bytes32(uint256(0xFFFFFF) << 232);

    IConsentRegistry private immutable _consent;
    IERC20 private immutable _token;

    uint32 private _planCount;
    mapping(uint32 planId => Plan) private _plans;
    mapping(address patient => mapping(uint32 planId => Enrolment)) private _enrolments;
    mapping(address insurer => mapping(address provider => bool)) private _network;
    mapping(address insurer => mapping(address reviewer => bool)) private _reviewers;
    mapping(address insurer => CatalogueVersion[]) private _versions;
    mapping(bytes32 itemKey => Item) private _items;
    mapping(bytes32 indicationKey => bool) private _indications;
    mapping(bytes32 claimId => Claim) private _claims;
    mapping(bytes32 claimId => mapping(uint256 index => Line)) private _lines;
    mapping(bytes32 contentHash => uint256 count) private _duplicates;
    mapping(address patient => mapping(uint32 planId => mapping(uint16 year => Accumulator))) private _accumulators;
    mapping(address insurer => Pool) private _pools;
    mapping(address insurer => mapping(address provider => uint256)) private _owed;

    /// @dev What the line loop of a submission carries (kept in memory against stack depth).
    struct Context {
        bytes32 claimId;
        address insurer;
        bool duplicate;
        bool covered;
        bool hasVersion;
        uint32 version;
        uint16 categories;
        uint8 approved;
        uint8 denied;
        uint8 pending;
        uint256 payerTotal;
    }

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    /// @dev {onlyAnyRole} for providers (hospitals and pharmacies); without an argument, so the
    /// modifier keeps no stack slot in {submitClaim}, which has none to spare.
    modifier onlyProvider() {
        _checkAnyRole(msg.sender, PROVIDER_ROLES);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param registry_ The participant registry (roles).
    /// @param consent_ The consent registry (the patient's consent for insurance claims).
    /// @param token_ The ERC-20 claims settle in (SettlementToken locally, a stablecoin elsewhere).
    constructor(address registry_, address consent_, address token_) ParticipantGated(registry_) {
        if (registry_ == address(0) || consent_ == address(0) || token_ == address(0)) revert ZeroAddress();
        _consent = IConsentRegistry(consent_);
        _token = IERC20(token_);
    }

    /*//////////////////////////////////////////////////////////////
                          PUBLIC UPDATE: INSURER
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IClaimAdjudication
    function definePlan(PlanTerms calldata terms) external onlyRole(Roles.INSURER) returns (uint32 planId) {
        if (terms.coinsuranceBps > BPS || terms.benefitLimit == 0 || terms.deductible > terms.outOfPocketMax) {
            revert InvalidPlanTerms();
        }
        planId = ++_planCount;
        Plan storage p = _plans[planId];
        p.insurer = msg.sender;
        p.coinsuranceBps = terms.coinsuranceBps;
        p.deductible = terms.deductible;
        p.outOfPocketMax = terms.outOfPocketMax;
        p.benefitLimit = terms.benefitLimit;
        p.copays = terms.copays;
        emit PlanDefined(planId, msg.sender, terms);
    }

    /// @inheritdoc IClaimAdjudication
    function enrol(uint32 planId, address patient, uint40 start, uint40 end) external {
        _planOf(planId);
        if (patient == address(0)) revert ZeroAddress();
        if (start > end || end == 0) revert InvalidPeriod(start, end);
        _enrolments[patient][planId] = Enrolment(start, end);
        emit Enrolled(planId, patient, start, end);
    }

    /// @inheritdoc IClaimAdjudication
    function setNetwork(address provider, bool member) external onlyRole(Roles.INSURER) {
        if (provider == address(0)) revert ZeroAddress();
        if (member) _checkAnyRole(provider, PROVIDER_ROLES);
        _network[msg.sender][provider] = member;
        emit NetworkChanged(msg.sender, provider, member);
    }

    /// @inheritdoc IClaimAdjudication
    function setReviewer(address reviewer, bool allowed) external onlyRole(Roles.INSURER) {
        if (reviewer == address(0)) revert ZeroAddress();
        _reviewers[msg.sender][reviewer] = allowed;
        emit ReviewerChanged(msg.sender, reviewer, allowed);
    }

    /// @inheritdoc IClaimAdjudication
    function openCatalogueVersion(uint40 effectiveFrom) external onlyRole(Roles.INSURER) returns (uint32 version) {
        CatalogueVersion[] storage versions = _versions[msg.sender];
        uint256 n = versions.length;
        if (n > 0) {
            CatalogueVersion storage last = versions[n - 1];
            if (!last.isSealed) revert PreviousVersionOpen(uint32(n));
            if (effectiveFrom <= last.effectiveFrom) revert InvalidEffectiveDate(effectiveFrom, last.effectiveFrom);
        }
        versions.push(CatalogueVersion(effectiveFrom, false, 0));
        version = uint32(n + 1);
        emit CatalogueVersionOpened(msg.sender, version, effectiveFrom);
    }

    /// @inheritdoc IClaimAdjudication
    function setCatalogueItems(uint32 version, CatalogueItem[] calldata items) external onlyRole(Roles.INSURER) {
        CatalogueVersion storage v = _version(msg.sender, version);
        if (v.isSealed) revert VersionSealed(version);
        for (uint256 i; i < items.length; ++i) {
            CatalogueItem calldata it = items[i];
            bytes32 key = _itemKey(msg.sender, version, it.code);
            uint256 nInd = it.indications.length;
            if (
                it.code == bytes32(0) || _items[key].listed || it.serviceClass >= ServiceClass.COUNT
                    || it.categories == 0 || it.categories & ~ConsentCodes.ALL_CATEGORIES != 0 || nInd > MAX_INDICATIONS
            ) revert InvalidItem(it.code);
            _items[key] = Item(true, it.covered, nInd > 0, it.serviceClass, it.categories, it.maxUnitPrice);
            for (uint256 j; j < nInd; ++j) {
                if (it.indications[j] == bytes32(0)) revert InvalidItem(it.code);
                _indications[keccak256(abi.encode(key, it.indications[j]))] = true;
            }
            emit CatalogueItemSet(
                msg.sender, version, it.code, it.covered, it.serviceClass, it.categories, it.maxUnitPrice, it.indications
            );
        }
        v.items += uint32(items.length);
    }

    /// @inheritdoc IClaimAdjudication
    function sealCatalogueVersion(uint32 version) external onlyRole(Roles.INSURER) {
        CatalogueVersion storage v = _version(msg.sender, version);
        if (v.isSealed) revert VersionSealed(version);
        v.isSealed = true;
        emit CatalogueVersionSealed(msg.sender, version, v.items);
    }

    /*//////////////////////////////////////////////////////////////
                    PUBLIC UPDATE: CLAIMS, REVIEW, APPEAL
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IClaimAdjudication
    function submitClaim(ClaimInput calldata c) external onlyProvider returns (bytes32 claimId) {
        Plan storage p = _plans[c.planId];
        Context memory x;
        x.insurer = p.insurer;
        if (x.insurer == address(0)) revert UnknownPlan(c.planId);
        if (!_network[x.insurer][msg.sender]) revert ProviderNotInNetwork(x.insurer, msg.sender);
        _checkClaim(c);

        bytes32 contentHash =
            keccak256(abi.encode(msg.sender, c.patient, c.planId, c.serviceDate, c.diagnoses, c.lines));
        x.claimId = contentHash;
        if (_claims[contentHash].provider != address(0)) {
            x.duplicate = true;
            x.claimId = keccak256(abi.encode(contentHash, ++_duplicates[contentHash]));
        }
        Enrolment memory e = _enrolments[c.patient][c.planId];
        x.covered = e.start <= c.serviceDate && c.serviceDate <= e.end;
        (x.hasVersion, x.version) = versionInForce(x.insurer, c.serviceDate);

        Accumulator memory acc = _accumulators[c.patient][c.planId][CivilDate.yearOf(c.serviceDate)];
        for (uint256 i; i < c.lines.length; ++i) {
            _adjudicateLine(c, i, p, x, acc);
        }

        if (!_consent.isPermitted(c.patient, x.insurer, x.categories, ConsentCodes.INSURANCE_CLAIMS, ConsentCodes.READ))
        {
            revert ConsentMissing(c.patient, x.insurer, x.categories);
        }
        if (x.approved > 0) _accumulators[c.patient][c.planId][CivilDate.yearOf(c.serviceDate)] = acc;
        ClaimStatus status = _status(x.pending, x.approved, x.denied);
        _claims[x.claimId] = Claim(
            msg.sender,
            c.serviceDate,
            status,
            uint8(c.lines.length),
            x.pending,
            x.approved,
            x.denied,
            c.patient,
            c.planId
        );
        emit ClaimSubmitted(
            x.claimId, msg.sender, c.patient, c.planId, c.serviceDate, contentHash, c.documents, c.diagnoses, status
        );
        if (x.payerTotal > 0) _credit(x.insurer, msg.sender, x.claimId, x.payerTotal);
        return x.claimId;
    }

    /// @inheritdoc IClaimAdjudication
    function review(bytes32 claimId, uint256 index, bool approve, uint16 reason, bytes32 noteHash) external {
        Claim storage c = _claim(claimId, index);
        Plan storage p = _plans[c.planId];
        address insurer = p.insurer;
        if (msg.sender != insurer && !_reviewers[insurer][msg.sender]) revert NotReviewer(insurer, msg.sender);
        _checkRole(insurer, Roles.INSURER);
        Line storage l = _lines[claimId][index];
        if (l.status != LineStatus.Pending) revert LineNotPending(claimId, index);
        if (!approve && reason == 0) revert ReasonRequired();

        Outcome memory o;
        o.allowed = l.allowed;
        ClaimStatus before = c.status;
        c.pending -= 1;
        if (approve) {
            uint16 year = CivilDate.yearOf(c.serviceDate);
            Accumulator memory acc = _accumulators[c.patient][c.planId][year];
            CostSharing.share(p, acc, o, l.serviceClass);
            _accumulators[c.patient][c.planId][year] = acc;
        } else {
            _deny(o, reason);
        }
        if (o.status == LineStatus.Approved) c.approved += 1;
        else c.denied += 1;
        l.status = o.status;
        l.reason = o.reason;
        l.payer = uint96(o.payer);
        ClaimStatus status = _status(c.pending, c.approved, c.denied);
        c.status = status;
        emit LineReviewed(claimId, index, msg.sender, approve, reason, noteHash);
        emit LineAdjudicated(claimId, index, bytes32(0), o);
        if (status != before) emit ClaimStatusChanged(claimId, status);
        if (o.payer > 0) _credit(insurer, c.provider, claimId, o.payer);
    }

    /// @inheritdoc IClaimAdjudication
    function appeal(bytes32 claimId, uint256 index, bytes32 evidence) external {
        Claim storage c = _claim(claimId, index);
        if (msg.sender != c.provider) revert NotClaimProvider(claimId, msg.sender);
        _checkAnyRole(msg.sender, PROVIDER_ROLES);
        if (evidence == bytes32(0)) revert InvalidClaim("evidence");
        Line storage l = _lines[claimId][index];
        if (l.status != LineStatus.Denied) revert LineNotDenied(claimId, index);
        if (l.reason == Carc.DUPLICATE) revert DuplicateNotAppealable(claimId, index);
        if (l.appealed) revert AlreadyAppealed(claimId, index);
        l.status = LineStatus.Pending;
        l.appealed = true;
        c.denied -= 1;
        c.pending += 1;
        emit LineAppealed(claimId, index, msg.sender, evidence);
        if (c.status != ClaimStatus.PendingReview) {
            c.status = ClaimStatus.PendingReview;
            emit ClaimStatusChanged(claimId, ClaimStatus.PendingReview);
        }
    }

    /*//////////////////////////////////////////////////////////////
                        PUBLIC UPDATE: SETTLEMENT
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IClaimAdjudication
    function fund(uint256 amount) external nonReentrant onlyRole(Roles.INSURER) {
        if (amount == 0) revert ZeroAmount();
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        Pool storage pl = _pools[msg.sender];
        uint256 balance = pl.balance + received;
        if (received == 0 || balance > type(uint128).max) revert AmountTooLarge(received);
        pl.balance = uint128(balance);
        emit PoolFunded(msg.sender, msg.sender, received);
    }

    /// @inheritdoc IClaimAdjudication
    function defund(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Pool storage pl = _pools[msg.sender];
        uint256 free = pl.balance > pl.outstanding ? pl.balance - pl.outstanding : 0;
        if (amount > free) revert InsufficientPool(msg.sender, free, amount);
        pl.balance -= uint128(amount);
        emit PoolDefunded(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IClaimAdjudication
    function withdraw(address insurer, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 owedNow = _owed[insurer][msg.sender];
        if (amount > owedNow) revert InsufficientOwed(insurer, msg.sender, owedNow, amount);
        Pool storage pl = _pools[insurer];
        if (amount > pl.balance) revert InsufficientPool(insurer, pl.balance, amount);
        _owed[insurer][msg.sender] = owedNow - amount;
        pl.balance -= uint128(amount);
        pl.outstanding -= uint128(amount);
        emit Withdrawn(insurer, msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IClaimAdjudication
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IClaimAdjudication
    function consent() external view returns (address) {
        return address(_consent);
    }

    /// @inheritdoc IClaimAdjudication
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IClaimAdjudication
    function plan(uint32 planId) external view returns (Plan memory) {
        return _plans[planId];
    }

    /// @inheritdoc IClaimAdjudication
    function planCount() external view returns (uint32) {
        return _planCount;
    }

    /// @inheritdoc IClaimAdjudication
    function enrolment(uint32 planId, address patient) external view returns (Enrolment memory) {
        return _enrolments[patient][planId];
    }

    /// @inheritdoc IClaimAdjudication
    function inNetwork(address insurer, address provider) external view returns (bool) {
        return _network[insurer][provider];
    }

    /// @inheritdoc IClaimAdjudication
    function isReviewer(address insurer, address account) external view returns (bool) {
        return _reviewers[insurer][account];
    }

    /// @inheritdoc IClaimAdjudication
    function catalogueVersion(address insurer, uint32 version) external view returns (CatalogueVersion memory) {
        return _version(insurer, version);
    }

    /// @inheritdoc IClaimAdjudication
    function catalogueVersionCount(address insurer) external view returns (uint32) {
        return uint32(_versions[insurer].length);
    }

    /// @inheritdoc IClaimAdjudication
    function versionInForce(address insurer, uint40 date) public view returns (bool found, uint32 version) {
        CatalogueVersion[] storage versions = _versions[insurer];
        for (uint256 i = versions.length; i > 0; --i) {
            CatalogueVersion storage v = versions[i - 1];
            if (v.isSealed && v.effectiveFrom <= date) return (true, uint32(i));
        }
        return (false, 0);
    }

    /// @inheritdoc IClaimAdjudication
    function item(address insurer, uint32 version, bytes32 code) external view returns (Item memory) {
        return _items[_itemKey(insurer, version, code)];
    }

    /// @inheritdoc IClaimAdjudication
    function isIndicated(address insurer, uint32 version, bytes32 code, bytes32 diagnosis) external view returns (bool) {
        bytes32 key = _itemKey(insurer, version, code);
        return !_items[key].hasIndications || _indicatedBy(key, diagnosis);
    }

    /// @inheritdoc IClaimAdjudication
    function claim(bytes32 claimId) external view returns (Claim memory) {
        return _claims[claimId];
    }

    /// @inheritdoc IClaimAdjudication
    function line(bytes32 claimId, uint256 index) external view returns (Line memory l) {
        _claim(claimId, index);
        l = _lines[claimId][index];
        if (l.status == LineStatus.None) l.status = LineStatus.Approved;
    }

    /// @inheritdoc IClaimAdjudication
    function accumulator(address patient, uint32 planId, uint16 year) external view returns (Accumulator memory) {
        return _accumulators[patient][planId][year];
    }

    /// @inheritdoc IClaimAdjudication
    function pool(address insurer) external view returns (Pool memory) {
        return _pools[insurer];
    }

    /// @inheritdoc IClaimAdjudication
    function owed(address insurer, address provider) external view returns (uint256) {
        return _owed[insurer][provider];
    }

    /// @inheritdoc IClaimAdjudication
    function yearOf(uint40 timestamp) public pure returns (uint16) {
        return CivilDate.yearOf(timestamp);
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _checkClaim(ClaimInput calldata c) private view {
        if (c.patient == address(0)) revert InvalidClaim("patient");
        if (c.serviceDate > block.timestamp) revert ServiceDateInFuture(c.serviceDate, block.timestamp);
        uint256 nd = c.diagnoses.length;
        if (nd == 0 || nd > MAX_DIAGNOSES) revert InvalidClaim("diagnoses");
        for (uint256 i; i < nd; ++i) {
            if (c.diagnoses[i] == bytes32(0)) revert InvalidClaim("diagnoses");
        }
        if (c.lines.length == 0 || c.lines.length > MAX_LINES) revert InvalidClaim("lines");
    }

    function _adjudicateLine(
        ClaimInput calldata c,
        uint256 i,
        Plan storage p,
        Context memory x,
        Accumulator memory acc
    ) private {
        LineInput calldata li = c.lines[i];
        if (li.code == bytes32(0) || li.quantity == 0) revert InvalidLine(i);
        bytes32 key = _itemKey(x.insurer, x.version, li.code);
        Item memory it;
        if (x.hasVersion) it = _items[key];
        x.categories |= it.listed ? it.categories : ConsentCodes.GENERAL;

        Outcome memory o;
        o.billed = li.billed;
        o.allowed = li.billed;
        bool cut;
        if (it.maxUnitPrice != 0) {
            uint256 cap = uint256(it.maxUnitPrice) * li.quantity;
            if (cap < li.billed) (o.allowed, cut) = (cap, true);
        }
        uint96 allowed = uint96(o.allowed);

        if (x.duplicate) _deny(o, Carc.DUPLICATE);
        else if (!x.covered) _deny(o, Carc.NOT_COVERED_ON_DATE);
        else if (!it.listed || !it.covered) _deny(o, Carc.NOT_COVERED);
        else if (it.hasIndications && !_indicated(key, c.diagnoses)) _pend(o, Carc.DIAGNOSIS_INCONSISTENT);
        else CostSharing.share(p, acc, o, it.serviceClass);
        if (o.status == LineStatus.Approved && o.reason == 0 && cut) o.reason = Carc.FEE_SCHEDULE;

        if (o.status == LineStatus.Approved) {
            x.approved += 1;
            x.payerTotal += o.payer;
        } else if (o.status == LineStatus.Denied) {
            x.denied += 1;
        } else {
            x.pending += 1;
        }
        // An approved line is final: its amounts live in its event, storage is for lines that can change.
        if (o.status != LineStatus.Approved) {
            _lines[x.claimId][i] = Line(o.status, o.reason, it.serviceClass, false, allowed, 0);
        }
        emit LineAdjudicated(x.claimId, i, li.code, o);
    }

    function _deny(Outcome memory o, uint16 reason) private pure {
        o.status = LineStatus.Denied;
        o.reason = reason;
        o.allowed = 0;
    }

    function _pend(Outcome memory o, uint16 reason) private pure {
        o.status = LineStatus.Pending;
        o.reason = reason;
        o.allowed = 0;
    }

    function _credit(address insurer, address provider, bytes32 claimId, uint256 amount) private {
        _owed[insurer][provider] += amount;
        _pools[insurer].outstanding += uint128(amount);
        emit Credited(insurer, provider, claimId, amount);
    }

    function _status(uint8 pending, uint8 approved, uint8 denied) private pure returns (ClaimStatus) {
        if (pending > 0) return ClaimStatus.PendingReview;
        if (denied == 0) return ClaimStatus.Approved;
        if (approved == 0) return ClaimStatus.Denied;
        return ClaimStatus.PartiallyApproved;
    }

    function _indicated(bytes32 key, bytes32[] calldata diagnoses) private view returns (bool) {
        for (uint256 i; i < diagnoses.length; ++i) {
            if (_indicatedBy(key, diagnoses[i])) return true;
        }
        return false;
    }

    function _indicatedBy(bytes32 key, bytes32 diagnosis) private view returns (bool) {
        if (_indications[keccak256(abi.encode(key, diagnosis))]) return true;
        bytes32 category = diagnosis & ICD_CATEGORY;
        return category != diagnosis && _indications[keccak256(abi.encode(key, category))];
    }

    function _itemKey(address insurer, uint32 version, bytes32 code) private pure returns (bytes32) {
        return keccak256(abi.encode(insurer, version, code));
    }

    function _planOf(uint32 planId) private view returns (Plan storage p) {
        p = _plans[planId];
        if (p.insurer == address(0)) revert UnknownPlan(planId);
        if (p.insurer != msg.sender) revert NotPlanInsurer(planId, msg.sender);
        _checkRole(msg.sender, Roles.INSURER);
    }

    function _version(address insurer, uint32 version) private view returns (CatalogueVersion storage) {
        CatalogueVersion[] storage versions = _versions[insurer];
        if (version == 0 || version > versions.length) revert UnknownVersion(version);
        return versions[version - 1];
    }

    function _claim(bytes32 claimId, uint256 index) private view returns (Claim storage c) {
        c = _claims[claimId];
        if (c.provider == address(0)) revert UnknownClaim(claimId);
        if (index >= c.lineCount) revert UnknownLine(claimId, index);
    }

}
