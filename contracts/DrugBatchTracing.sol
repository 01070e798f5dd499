// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IParticipantRegistry, Roles} from "../interfaces/IParticipantRegistry.sol";
import {IDrugBatchTracing} from "../interfaces/IDrugBatchTracing.sol";
import {ParticipantGated} from "./utils/ParticipantGated.sol";

/// @title DrugBatchTracing
/// @notice One drug, one code, from factory to patient. Manufacturers register products (GTIN-14,
/// storage conditions) and commission batches whose unit serials are committed as a Merkle root;
/// custodians (manufacturers, distributors, pharmacies, hospitals) ship and receive quantities;
/// sensor gateways or the shipper post cold-chain readings, an excursion quarantines the
/// shipment's units until the manufacturer or a regulator releases them (QA review) or they are
/// destroyed; the sender may cancel a shipment not yet received; pharmacies and hospitals dispense
/// units by serial and proof, a used, unknown or destroyed serial is recorded as a suspected
/// counterfeit and refused; the manufacturer or a regulator recalls a batch; holders get
/// replenishment events below their reorder threshold.
/// @dev Storage is sized for flat gas: no per-unit slot (a dispensed-units bitmap by index), one
/// slot per holder and batch, one per holder and product, and one per shipment in transit, recycled:
/// a shipment's terms are hashed into its id (callers pass them back) and the id with the status
/// lives in one of the sender's shipment slots of the batch; a closed slot is never zeroed but
/// marked `CLOSED`, and the sender's next shipment reuses it (2,900 gas instead of 22,100), trying
/// its slots in turn from a cursor kept in its `Stock` slot and opening a new slot only when the
/// slot under the cursor still carries a shipment.
contract DrugBatchTracing is IDrugBatchTracing, ParticipantGated {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `firstUnit` of a shipment whose unit range is not declared.
    uint32 public constant NO_RANGE = type(uint32).max;
    /// @notice Most readings accepted in one transaction.
    uint256 public constant MAX_READINGS = 512;
    uint16 internal constant CUSTODIANS = Roles.MANUFACTURER | Roles.DISTRIBUTOR | Roles.PHARMACY | Roles.HOSPITAL;
    uint16 internal constant DISPENSERS = Roles.PHARMACY | Roles.HOSPITAL;
    uint64 internal constant GTIN_LIMIT = 1e14;
    uint256 internal constant MAX_NAME_LENGTH = 128;
    uint256 internal constant MAX_LOT_LENGTH = 20; // GS1 AI (10)
    uint256 internal constant MAX_REASON_LENGTH = 1000;
    /// @dev Low 2 bits of a shipment slot: the status (1 in transit, 2 quarantined, 3 closed); the
    /// other 254 bits are those of the shipment id, which authenticate every term of the ref.
    uint256 internal constant STATUS_BITS = 3;
    uint256 internal constant CLOSED = 3;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    mapping(uint64 gtin => Product) private _products;
    mapping(uint64 gtin => string) private _productNames;
    mapping(bytes32 batchId => Batch) private _batches;
    mapping(bytes32 batchId => mapping(address holder => Stock)) private _stock;
    /// @dev Sellable stock per holder and product (every batch), with the holder's reorder threshold.
    mapping(address holder => mapping(uint64 gtin => ProductStock)) private _productStock;
    /// @dev Shipment slots of a sender for a batch: `(id & ~3) | status` while open, `CLOSED` after.
    mapping(bytes32 batchId => mapping(address from => mapping(uint256 slot => uint256 word))) private _shipments;
    mapping(bytes32 shipmentId => ReadingsLog) private _readings;
    /// @dev Every quarantine of a batch, in order (what verification scans), and where each is.
    mapping(bytes32 batchId => Quarantine[]) private _quarantines;
    mapping(bytes32 shipmentId => uint256 indexPlusOne) private _quarantineIndex;
    /// @dev Dispensed units: bit `index % 256` of word `index / 256`.
    mapping(bytes32 batchId => mapping(uint256 word => uint256 bits)) private _dispensed;

    struct ProductStock {
        uint64 stock;
        uint64 threshold;
        bool opened; // set for the manufacturer at registration, so commissioning never creates the slot
    }

    /*//////////////////////////////////////////////////////////////
                                MODIFIERS
    //////////////////////////////////////////////////////////////*/

    /// @dev {onlyRole} for manufacturers; without an argument, so the modifier keeps no stack
    /// slot in {commissionBatch}, which has none to spare.
    modifier onlyManufacturer() {
        _checkRole(msg.sender, Roles.MANUFACTURER);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param participantRegistry The MedChain participant directory.
    constructor(address participantRegistry) ParticipantGated(participantRegistry) {}

    /*//////////////////////////////////////////////////////////////
                              PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IDrugBatchTracing
    function registerProduct(uint64 gtin, string calldata name, int16 minTemperature, int16 maxTemperature, uint8 maxHumidity)
        external
        onlyManufacturer
    {
        if (!_validGtin(gtin)) revert InvalidGtin(gtin);
        Product storage p = _products[gtin];
        if (p.manufacturer != address(0)) revert ProductAlreadyRegistered(gtin);
        uint256 length = bytes(name).length;
        if (length == 0 || length > MAX_NAME_LENGTH) revert InvalidProductName(length);
        if (minTemperature > maxTemperature || maxHumidity == 0 || maxHumidity > 100) {
            revert InvalidStorageConditions(minTemperature, maxTemperature, maxHumidity);
        }
        p.manufacturer = msg.sender;
        p.minTemperature = minTemperature;
        p.maxTemperature = maxTemperature;
        p.maxHumidity = maxHumidity;
        _productNames[gtin] = name;
        _productStock[msg.sender][gtin].opened = true;
        emit ProductRegistered(gtin, msg.sender, name, minTemperature, maxTemperature, maxHumidity);
    }

    /// @inheritdoc IDrugBatchTracing
    function commissionBatch(
        uint64 gtin,
        string calldata lot,
        uint32 production,
        uint32 expiry,
        uint32 units,
        bytes32 serialsRoot,
        string calldata qcReportCid
    ) external onlyManufacturer returns (bytes32 batchId) {
        address maker = _products[gtin].manufacturer;
        if (maker == address(0)) revert UnknownProduct(gtin);
        if (maker != msg.sender) revert NotProductManufacturer(gtin, msg.sender);
        if (bytes(lot).length == 0 || bytes(lot).length > MAX_LOT_LENGTH) revert InvalidLot(bytes(lot).length);
        if (
            production % 1 days != 0 || expiry % 1 days != 0 || production > block.timestamp || expiry < production
                || uint256(expiry) + 1 days <= block.timestamp
        ) revert InvalidDates(production, expiry);
        if (units == 0 || units == NO_RANGE) revert InvalidUnitCount(units);
        if (serialsRoot == bytes32(0)) revert EmptySerialsRoot();
        batchId = keccak256(abi.encodePacked(gtin, lot));
        Batch storage b = _batches[batchId];
        if (b.gtin != 0) revert BatchAlreadyCommissioned(batchId);
        b.gtin = gtin;
        b.production = production;
        b.expiry = expiry;
        b.units = units;
        b.serialsRoot = serialsRoot;
        _stock[batchId][msg.sender].available = units;
        ProductStock storage ps = _productStock[msg.sender][gtin];
        ps.stock += units;
        emit BatchCommissioned(batchId, gtin, msg.sender, lot, production, expiry, units, serialsRoot, qcReportCid);
    }

    /// @inheritdoc IDrugBatchTracing
    function ship(bytes32 batchId, address to, uint32 quantity, uint32 firstUnit)
        external
        onlyAnyRole(CUSTODIANS)
        returns (bytes32 shipmentId)
    {
        if (to == msg.sender || !_registry.hasAnyRole(to, CUSTODIANS)) revert InvalidRecipient(to);
        Batch storage b = _batches[batchId];
        _checkUsable(batchId, b);
        if (quantity == 0) revert InvalidQuantity(quantity);
        if (firstUnit != NO_RANGE && uint256(firstUnit) + quantity > b.units) {
            revert InvalidUnitRange(firstUnit, quantity, b.units);
        }
        Stock memory s = _stock[batchId][msg.sender];
        if (s.available < quantity) revert InsufficientStock(batchId, msg.sender, s.available, quantity);
        mapping(uint256 => uint256) storage slots = _shipments[batchId][msg.sender];
        uint32 slot = s.cursor;
        if (s.slots == 0 || slots[slot] != CLOSED) slot = s.slots++; // the cursor's slot is busy: open one
        ShipmentRef memory ref = ShipmentRef(batchId, msg.sender, to, quantity, firstUnit, s.nonce, slot);
        unchecked {
            s.cursor = uint32((uint256(s.cursor) + 1) % s.slots);
            s.available -= quantity;
            ++s.nonce;
        }
        _storeStock(_stock[batchId][msg.sender], s);
        _takeProductStock(msg.sender, b.gtin, quantity);
        shipmentId = keccak256(abi.encode(ref));
        slots[slot] = _word(shipmentId, ShipmentStatus.InTransit);
        emit ShipmentSent(batchId, shipmentId, to, ref);
    }

    /// @inheritdoc IDrugBatchTracing
    function receiveShipment(ShipmentRef calldata ref) external {
        (bytes32 shipmentId, ShipmentStatus status) = _openShipment(ref, ref.to);
        if (_batches[ref.batchId].recalled) revert RecalledBatch(ref.batchId);
        bool quarantined = _close(ref, shipmentId, status, msg.sender);
        emit ShipmentReceived(ref.batchId, shipmentId, msg.sender, ref.quantity, quarantined);
    }

    /// @inheritdoc IDrugBatchTracing
    function rejectShipment(ShipmentRef calldata ref, string calldata reason) external {
        _checkReason(reason);
        (bytes32 shipmentId, ShipmentStatus status) = _openShipment(ref, ref.to);
        _close(ref, shipmentId, status, ref.from);
        emit ShipmentRejected(ref.batchId, shipmentId, msg.sender, ref.quantity, reason);
    }

    /// @inheritdoc IDrugBatchTracing
    function cancelShipment(ShipmentRef calldata ref, string calldata reason) external {
        _checkReason(reason);
        (bytes32 shipmentId, ShipmentStatus status) = _openShipment(ref, ref.from);
        _close(ref, shipmentId, status, ref.from);
        emit ShipmentCancelled(ref.batchId, shipmentId, msg.sender, ref.quantity, reason);
    }

    /// @inheritdoc IDrugBatchTracing
    function postReadings(ShipmentRef calldata ref, uint256[] calldata readings) external returns (uint32 excursions) {
        (bytes32 shipmentId, ShipmentStatus status) = _status(ref);
        if (status == ShipmentStatus.None) revert UnknownShipment(shipmentId);
        if (msg.sender != ref.from && !_registry.hasRole(msg.sender, Roles.SENSOR_GATEWAY)) {
            revert NotReadingsPoster(shipmentId, msg.sender);
        }
        uint256 count = readings.length;
        if (count == 0 || count > MAX_READINGS) revert InvalidReadings(count);
        ReadingsLog memory log = _readings[shipmentId];
        uint256 firstExcursion;
        (excursions, firstExcursion, log.lastTime) = _scan(ref.batchId, readings, log.lastTime);
        bytes32 readingsHash = keccak256(abi.encodePacked(readings));
        log.digest = bytes24(keccak256(abi.encodePacked(log.digest, shipmentId, readingsHash)));
        log.count += uint32(count);
        _readings[shipmentId] = log;
        emit ReadingsPosted(ref.batchId, shipmentId, msg.sender, uint32(count), readingsHash, log.digest);
        if (excursions != 0) _excursion(ref, shipmentId, status, firstExcursion, excursions);
    }

    /// @inheritdoc IDrugBatchTracing
    function dispense(bytes32 batchId, uint256 index, string calldata serial, bytes32[] calldata proof)
        external
        onlyAnyRole(DISPENSERS)
        returns (bool dispensed)
    {
        Batch storage b = _batches[batchId];
        UnitStatus status = _unitStatus(batchId, b, index, serial, proof);
        if (status == UnitStatus.UnknownSerial || status == UnitStatus.Dispensed || status == UnitStatus.Destroyed) {
            if (b.gtin != 0) ++b.suspects;
            emit CounterfeitSuspected(batchId, msg.sender, index, serial, status);
            return false;
        }
        _checkUsable(batchId, b);
        if (status == UnitStatus.Quarantined) revert UnitQuarantined(batchId, index);
        Stock storage s = _stock[batchId][msg.sender];
        uint64 available = s.available;
        if (available == 0) revert InsufficientStock(batchId, msg.sender, 0, 1);
        unchecked {
            s.available = available - 1;
        }
        _dispensed[batchId][index >> 8] |= 1 << (index & 0xff);
        _takeProductStock(msg.sender, b.gtin, 1);
        emit UnitDispensed(batchId, index, msg.sender, serial);
        return true;
    }

    /// @inheritdoc IDrugBatchTracing
    function recall(bytes32 batchId, string calldata reason) external {
        Batch storage b = _batches[batchId];
        if (b.gtin == 0) revert UnknownBatch(batchId);
        if (!_isMakerOrRegulator(b.gtin)) revert NotRecallAuthority(batchId, msg.sender);
        if (b.recalled) revert RecalledBatch(batchId);
        _checkReason(reason);
        b.recalled = true;
        emit BatchRecalled(batchId, msg.sender, reason);
    }

    /// @inheritdoc IDrugBatchTracing
    function releaseQuarantine(bytes32 batchId, bytes32 shipmentId, bytes32 reviewReportHash) external {
        Quarantine storage q = _quarantine(batchId, shipmentId);
        Batch storage b = _batches[batchId];
        if (!_isMakerOrRegulator(b.gtin)) revert NotDispositionAuthority(shipmentId, msg.sender);
        _requireDecidable(q, shipmentId);
        if (b.recalled) revert RecalledBatch(batchId);
        if (reviewReportHash == bytes32(0)) revert EmptyReviewReport();
        (address holder, uint32 quantity) = (q.holder, q.quantity);
        q.state = QuarantineState.Released;
        b.quarantined -= quantity;
        Stock storage s = _stock[batchId][holder];
        s.quarantined -= quantity;
        s.available += quantity;
        _productStock[holder][b.gtin].stock += quantity;
        emit QuarantineReleased(batchId, shipmentId, holder, msg.sender, quantity, reviewReportHash);
    }

    /// @inheritdoc IDrugBatchTracing
    function destroyQuarantine(bytes32 batchId, bytes32 shipmentId, string calldata reason) external {
        Quarantine storage q = _quarantine(batchId, shipmentId);
        Batch storage b = _batches[batchId];
        address holder = q.holder;
        bool byHolder = msg.sender == holder && _registry.hasAnyRole(msg.sender, CUSTODIANS);
        if (!byHolder && !_isMakerOrRegulator(b.gtin)) revert NotDispositionAuthority(shipmentId, msg.sender);
        _requireDecidable(q, shipmentId);
        _checkReason(reason);
        uint32 quantity = q.quantity;
        q.state = QuarantineState.Destroyed;
        b.quarantined -= quantity;
        b.destroyed += quantity;
        _stock[batchId][holder].quarantined -= quantity;
        emit QuarantineDestroyed(batchId, shipmentId, holder, msg.sender, quantity, reason);
    }

    /// @inheritdoc IDrugBatchTracing
    function setReorderThreshold(uint64 gtin, uint64 threshold) external onlyAnyRole(CUSTODIANS) {
        if (_products[gtin].manufacturer == address(0)) revert UnknownProduct(gtin);
        ProductStock storage ps = _productStock[msg.sender][gtin];
        ps.threshold = threshold;
        emit ReorderThresholdSet(msg.sender, gtin, threshold);
        if (ps.stock < threshold) emit ReplenishmentNeeded(msg.sender, gtin, ps.stock, threshold);
    }

    /*//////////////////////////////////////////////////////////////
                               PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice The MedChain participant directory.
    function registry() external view returns (IParticipantRegistry) {
        return _registry;
    }

    /// @inheritdoc IDrugBatchTracing
    function product(uint64 gtin) external view returns (Product memory, string memory name) {
        return (_products[gtin], _productNames[gtin]);
    }

    /// @inheritdoc IDrugBatchTracing
    function batch(bytes32 batchId) external view returns (Batch memory) {
        return _batches[batchId];
    }

    /// @inheritdoc IDrugBatchTracing
    function batchIdOf(uint64 gtin, string calldata lot) external pure returns (bytes32) {
        return keccak256(abi.encodePacked(gtin, lot));
    }

    /// @inheritdoc IDrugBatchTracing
    function stockOf(bytes32 batchId, address holder) external view returns (Stock memory) {
        return _stock[batchId][holder];
    }

    /// @inheritdoc IDrugBatchTracing
    function productStock(address holder, uint64 gtin) external view returns (uint64 stock, uint64 threshold) {
        ProductStock storage ps = _productStock[holder][gtin];
        return (ps.stock, ps.threshold);
    }

    /// @inheritdoc IDrugBatchTracing
    function shipmentStatus(ShipmentRef calldata ref) external view returns (ShipmentStatus status) {
        (, status) = _status(ref);
    }

    /// @inheritdoc IDrugBatchTracing
    function shipmentIdOf(ShipmentRef calldata ref) external pure returns (bytes32) {
        return keccak256(abi.encode(ref));
    }

    /// @inheritdoc IDrugBatchTracing
    function readingsLog(bytes32 shipmentId) external view returns (ReadingsLog memory) {
        return _readings[shipmentId];
    }

    /// @inheritdoc IDrugBatchTracing
    function quarantines(bytes32 batchId) external view returns (Quarantine[] memory) {
        return _quarantines[batchId];
    }

    /// @inheritdoc IDrugBatchTracing
    function quarantineOf(bytes32 batchId, bytes32 shipmentId) external view returns (Quarantine memory) {
        return _quarantine(batchId, shipmentId);
    }

    /// @inheritdoc IDrugBatchTracing
    function isDispensed(bytes32 batchId, uint256 index) public view returns (bool) {
        return _dispensed[batchId][index >> 8] & (1 << (index & 0xff)) != 0;
    }

    /// @inheritdoc IDrugBatchTracing
    function verify(uint64 gtin, string calldata lot, uint32 expiry, string calldata serial, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (UnitStatus)
    {
        bytes32 batchId = keccak256(abi.encodePacked(gtin, lot));
        Batch storage b = _batches[batchId];
        if (b.expiry != expiry) return UnitStatus.UnknownSerial;
        return _unitStatus(batchId, b, index, serial, proof);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _unitStatus(bytes32 batchId, Batch storage b, uint256 index, string calldata serial, bytes32[] calldata proof)
        private
        view
        returns (UnitStatus)
    {
        if (b.gtin == 0 || index >= b.units) return UnitStatus.UnknownSerial;
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(batchId, index, serial))));
        if (!MerkleProof.verifyCalldata(proof, b.serialsRoot, leaf)) return UnitStatus.UnknownSerial;
        if (b.recalled) return UnitStatus.Recalled;
        if (isDispensed(batchId, index)) return UnitStatus.Dispensed;
        if (uint256(b.expiry) + 1 days <= block.timestamp) return UnitStatus.Expired;
        if (b.quarantines != 0) return _quarantineStatus(batchId, index);
        return UnitStatus.Genuine;
    }

    /// @dev Destroyed when the unit is in a written-off declared range, Quarantined when it may be
    /// in an open quarantine (every unit, for a shipment without a declared range), else Genuine.
    function _quarantineStatus(bytes32 batchId, uint256 index) private view returns (UnitStatus status) {
        Quarantine[] storage list = _quarantines[batchId];
        uint256 count = list.length;
        for (uint256 i; i < count; ++i) {
            Quarantine storage q = list[i];
            (uint32 first, QuarantineState state) = (q.firstUnit, q.state);
            if (state == QuarantineState.Released) continue;
            bool inside = first == NO_RANGE || (index >= first && index < uint256(first) + q.quantity);
            if (!inside) continue;
            if (state == QuarantineState.Open) status = UnitStatus.Quarantined;
            else if (first != NO_RANGE) return UnitStatus.Destroyed;
        }
    }

    function _checkUsable(bytes32 batchId, Batch storage b) private view {
        if (b.gtin == 0) revert UnknownBatch(batchId);
        if (b.recalled) revert RecalledBatch(batchId);
        if (uint256(b.expiry) + 1 days <= block.timestamp) revert BatchExpired(batchId, b.expiry);
    }

    /// @dev An open shipment whose `party` (its recipient or its sender) is the caller.
    function _openShipment(ShipmentRef calldata ref, address party)
        private
        view
        returns (bytes32 shipmentId, ShipmentStatus status)
    {
        (shipmentId, status) = _status(ref);
        if (status == ShipmentStatus.None) revert UnknownShipment(shipmentId);
        if (msg.sender != party) {
            if (party == ref.to) revert NotShipmentRecipient(shipmentId, msg.sender);
            revert NotShipmentSender(shipmentId, msg.sender);
        }
        _checkAnyRole(msg.sender, CUSTODIANS);
    }

    /// @dev Closes a shipment (its slot becomes reusable) and credits its units to `holder`:
    /// sellable, or quarantined (the quarantine then knows its holder). Returns whether quarantined.
    function _close(ShipmentRef calldata ref, bytes32 shipmentId, ShipmentStatus status, address holder)
        private
        returns (bool quarantined)
    {
        _shipments[ref.batchId][ref.from][ref.slot] = CLOSED;
        Stock storage s = _stock[ref.batchId][holder];
        quarantined = status == ShipmentStatus.Quarantined;
        if (quarantined) {
            s.quarantined += ref.quantity;
            _quarantine(ref.batchId, shipmentId).holder = holder;
        } else {
            s.available += ref.quantity;
            _productStock[holder][_batches[ref.batchId].gtin].stock += ref.quantity;
        }
    }

    function _quarantine(bytes32 batchId, bytes32 shipmentId) private view returns (Quarantine storage q) {
        uint256 i = _quarantineIndex[shipmentId];
        Quarantine[] storage list = _quarantines[batchId];
        if (i == 0 || i > list.length || list[i - 1].shipmentId != shipmentId) revert UnknownQuarantine(shipmentId);
        return list[i - 1];
    }

    function _requireDecidable(Quarantine storage q, bytes32 shipmentId) private view {
        if (q.state != QuarantineState.Open || q.holder == address(0)) {
            revert QuarantineNotDecidable(shipmentId, q.state, q.holder);
        }
    }

    /// @dev The caller is the active manufacturer of product `gtin`, or an active regulator.
    function _isMakerOrRegulator(uint64 gtin) private view returns (bool) {
        return (msg.sender == _products[gtin].manufacturer && _registry.hasRole(msg.sender, Roles.MANUFACTURER))
            || _registry.hasRole(msg.sender, Roles.REGULATOR);
    }

    function _checkReason(string calldata reason) private pure {
        if (bytes(reason).length == 0 || bytes(reason).length > MAX_REASON_LENGTH) revert InvalidReason();
    }

    /// @dev Checks time order and counts readings outside the product's range.
    function _scan(bytes32 batchId, uint256[] calldata readings, uint32 previous)
        private
        view
        returns (uint32 excursions, uint256 firstExcursion, uint32 last)
    {
        Product memory p = _products[_batches[batchId].gtin];
        uint256 count = readings.length;
        for (uint256 i; i < count; ++i) {
            uint256 word = readings[i];
            uint32 time = uint32(word);
            if (time < previous) revert ReadingOutOfOrder(i, time, previous);
            previous = time;
            int16 temperature = int16(uint16(word >> 32));
            if (temperature < p.minTemperature || temperature > p.maxTemperature || uint8(word >> 48) > p.maxHumidity) {
                if (excursions == 0) firstExcursion = word;
                unchecked {
                    ++excursions;
                }
            }
        }
        last = previous;
    }

    /// @dev Reports where and when, and quarantines the shipment's units at its first excursion.
    function _excursion(ShipmentRef calldata ref, bytes32 shipmentId, ShipmentStatus status, uint256 word, uint32 excursions)
        private
    {
        emit ExcursionDetected(
            ref.batchId,
            shipmentId,
            uint32(word),
            int16(uint16(word >> 32)),
            uint8(word >> 48),
            int32(uint32(word >> 56)),
            int32(uint32(word >> 88)),
            excursions
        );
        if (status != ShipmentStatus.InTransit) return;
        _shipments[ref.batchId][ref.from][ref.slot] = _word(shipmentId, ShipmentStatus.Quarantined);
        Batch storage b = _batches[ref.batchId];
        b.quarantined += ref.quantity;
        ++b.quarantines;
        _quarantines[ref.batchId].push(Quarantine(shipmentId, ref.firstUnit, ref.quantity, QuarantineState.Open, address(0)));
        _quarantineIndex[shipmentId] = _quarantines[ref.batchId].length;
        emit ShipmentQuarantined(ref.batchId, shipmentId, ref.quantity, ref.firstUnit);
    }

    /// @dev The id of `ref` and its status: None unless the ref's slot holds this very id, open.
    function _status(ShipmentRef calldata ref) private view returns (bytes32 shipmentId, ShipmentStatus status) {
        shipmentId = keccak256(abi.encode(ref));
        uint256 word = _shipments[ref.batchId][ref.from][ref.slot];
        if (word == CLOSED || word & ~STATUS_BITS != uint256(shipmentId) & ~STATUS_BITS) return (shipmentId, ShipmentStatus.None);
        status = ShipmentStatus(word & STATUS_BITS);
    }

    /// @dev Writes a whole `Stock` in one SSTORE (a struct copy writes it field by field).
    function _storeStock(Stock storage target, Stock memory s) private {
        uint256 word = uint256(s.available) | uint256(s.quarantined) << 64 | uint256(s.nonce) << 128
            | uint256(s.cursor) << 192 | uint256(s.slots) << 224;
        assembly ("memory-safe") {
            sstore(target.slot, word)
        }
    }

    function _word(bytes32 shipmentId, ShipmentStatus status) private pure returns (uint256) {
        return (uint256(shipmentId) & ~STATUS_BITS) | uint256(status);
    }

    function _takeProductStock(address holder, uint64 gtin, uint64 quantity) private {
        ProductStock storage ps = _productStock[holder][gtin];
        uint64 before = ps.stock;
        uint64 remaining = before - quantity;
        ps.stock = remaining;
        uint64 threshold = ps.threshold;
        if (remaining < threshold && before >= threshold) emit ReplenishmentNeeded(holder, gtin, remaining, threshold);
    }

    /// @dev GS1 mod-10 check digit over the 13 digits before the last one (GTIN-8/12/13 are
    /// zero-padded to 14, which leaves their check digits valid).
    function _validGtin(uint64 gtin) private pure returns (bool) {
        if (gtin == 0 || gtin >= GTIN_LIMIT) return false;
        uint256 body = gtin / 10;
        uint256 sum;
        for (uint256 i; i < 13; ++i) {
            sum += (body % 10) * (i % 2 == 0 ? 3 : 1);
            body /= 10;
        }
        return (10 - sum % 10) % 10 == gtin % 10;
    }
}
