// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IDrugBatchTracing
/// @notice Drug batches from factory to patient, following GS1 and DSCSA concepts: products by
/// GTIN-14, batches (lots) whose unit serial numbers are committed as a Merkle root ("one drug,
/// one code" without a storage slot per unit), quantity custody per holder and batch, shipments
/// identified by the hash of their terms, cold-chain readings with excursion quarantine and its
/// disposition (QA release or destruction), unit dispensing by serial and proof with counterfeit
/// detection, recalls and reorder alerts.
/// @dev Temperatures are hundredths of a degree Celsius, humidity whole percent, dates unix
/// seconds at 00:00 UTC of the day. A batch is identified by `keccak256(abi.encodePacked(gtin,
/// lot))` (gtin as uint64). A unit leaf is `keccak256(bytes.concat(keccak256(abi.encode(batchId,
/// index, serial))))`, the tree built with sorted pairs (OpenZeppelin `MerkleProof`).
interface IDrugBatchTracing {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot: a custody check or a range check reads it once.
    struct Product {
        address manufacturer;
        int16 minTemperature; // hundredths of °C
        int16 maxTemperature; // hundredths of °C
        uint8 maxHumidity; // percent relative humidity
    }

    /// @dev Slot 0 holds everything a custody check needs; slot 1 the serials' Merkle root;
    /// slot 2 (written only by a destruction) the units written off.
    struct Batch {
        uint64 gtin;
        uint32 production; // unix seconds, 00:00 UTC
        uint32 expiry; // unix seconds, 00:00 UTC of the expiry date; usable through that day
        uint32 units;
        uint32 quarantined; // units in an open quarantine (cold-chain excursion not yet decided)
        uint32 suspects; // suspected counterfeits presented
        bool recalled;
        uint24 quarantines; // quarantine records of the batch (see {quarantines})
        bytes32 serialsRoot;
        uint32 destroyed; // units written off: they left the batch's live count
    }

    /// @dev One slot: a holder's quantities of one batch, the nonce of its next shipment of it, and
    /// its shipment slots (`slots` allocated; `cursor` the one the next shipment tries to reuse).
    struct Stock {
        uint64 available;
        uint64 quarantined;
        uint64 nonce;
        uint32 cursor;
        uint32 slots;
    }

    /// @notice The terms of a shipment; its id is `keccak256(abi.encode(ref))`. The contract
    /// stores only the id (254 bits of it) and the status, in the sender's shipment slot `slot` of
    /// the batch: callers pass the terms back (they are in {ShipmentSent}).
    /// @dev `firstUnit` is the batch index of the first unit of a contiguous range of `quantity`
    /// units (case or pallet aggregation), or `NO_RANGE` when the sender does not declare it.
    /// `nonce` makes every id unique; `slot` is recycled once the shipment is closed.
    struct ShipmentRef {
        bytes32 batchId;
        address from;
        address to;
        uint32 quantity;
        uint32 firstUnit;
        uint64 nonce;
        uint32 slot;
    }

    enum ShipmentStatus {
        None, // unknown, or closed: received, rejected or cancelled
        InTransit,
        Quarantined
    }

    enum QuarantineState {
        Open, // awaiting a decision (in transit while `holder` is zero)
        Released, // QA review passed: the units became sellable for their holder
        Destroyed // written off
    }

    /// @dev The units of one shipment caught in a cold-chain excursion (one slot). `firstUnit` is
    /// the shipment's (`NO_RANGE`: any unit of the batch may be one of them); `holder` is zero
    /// while the shipment is in transit, then whoever took the units into quarantined stock.
    struct Quarantine {
        bytes32 shipmentId;
        uint32 firstUnit;
        uint32 quantity;
        QuarantineState state;
        address holder;
    }

    /// @dev The commitment to a shipment's readings: a running keccak over every posting.
    struct ReadingsLog {
        bytes24 digest;
        uint32 count;
        uint32 lastTime;
    }

    enum UnitStatus {
        Genuine, // known serial, available: not dispensed, recalled, expired or quarantined
        UnknownSerial,
        Dispensed,
        Recalled,
        Expired,
        Quarantined,
        Destroyed // its quarantined range was written off: a pack presenting it is suspect
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    error InvalidGtin(uint64 gtin);
    error ProductAlreadyRegistered(uint64 gtin);
    error InvalidProductName(uint256 length);
    error InvalidStorageConditions(int16 minTemperature, int16 maxTemperature, uint8 maxHumidity);
    error UnknownProduct(uint64 gtin);
    error NotProductManufacturer(uint64 gtin, address account);
    error InvalidLot(uint256 length);
    error InvalidDates(uint32 production, uint32 expiry);
    error InvalidUnitCount(uint32 units);
    error EmptySerialsRoot();
    error BatchAlreadyCommissioned(bytes32 batchId);
    error UnknownBatch(bytes32 batchId);
    error RecalledBatch(bytes32 batchId);
    error BatchExpired(bytes32 batchId, uint32 expiry);
    error InvalidQuantity(uint32 quantity);
    error InvalidUnitRange(uint32 firstUnit, uint32 quantity, uint32 units);
    error InsufficientStock(bytes32 batchId, address holder, uint64 available, uint64 requested);
    error InvalidRecipient(address recipient);
    error UnknownShipment(bytes32 shipmentId);
    error NotShipmentRecipient(bytes32 shipmentId, address account);
    error NotReadingsPoster(bytes32 shipmentId, address account);
    error InvalidReadings(uint256 count);
    error ReadingOutOfOrder(uint256 index, uint32 time, uint32 previousTime);
    error UnitQuarantined(bytes32 batchId, uint256 index);
    error NotRecallAuthority(bytes32 batchId, address account);
    error InvalidReason();
    error NotShipmentSender(bytes32 shipmentId, address account);
    error UnknownQuarantine(bytes32 shipmentId);
    error QuarantineNotDecidable(bytes32 shipmentId, QuarantineState state, address holder);
    error NotDispositionAuthority(bytes32 shipmentId, address account);
    error EmptyReviewReport();

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    event ProductRegistered(
        uint64 indexed gtin,
        address indexed manufacturer,
        string name,
        int16 minTemperature,
        int16 maxTemperature,
        uint8 maxHumidity
    );
    event BatchCommissioned(
        bytes32 indexed batchId,
        uint64 indexed gtin,
        address indexed manufacturer,
        string lot,
        uint32 production,
        uint32 expiry,
        uint32 units,
        bytes32 serialsRoot,
        string qcReportCid
    );
    event ShipmentSent(bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed to, ShipmentRef ref);
    event ShipmentReceived(bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed to, uint32 quantity, bool quarantined);
    event ShipmentRejected(bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed by, uint32 quantity, string reason);
    event ShipmentCancelled(bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed by, uint32 quantity, string reason);
    event ReadingsPosted(bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed poster, uint32 count, bytes32 readingsHash, bytes24 digest);
    event ExcursionDetected(
        bytes32 indexed batchId,
        bytes32 indexed shipmentId,
        uint32 time,
        int16 temperature,
        uint8 humidity,
        int32 latitude,
        int32 longitude,
        uint32 excursions
    );
    event ShipmentQuarantined(bytes32 indexed batchId, bytes32 indexed shipmentId, uint32 quantity, uint32 firstUnit);
    event QuarantineReleased(
        bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed holder, address by, uint32 quantity, bytes32 reviewReportHash
    );
    event QuarantineDestroyed(
        bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed holder, address by, uint32 quantity, string reason
    );
    event UnitDispensed(bytes32 indexed batchId, uint256 indexed index, address indexed dispenser, string serial);
    event CounterfeitSuspected(bytes32 indexed batchId, address indexed presenter, uint256 index, string serial, UnitStatus status);
    event BatchRecalled(bytes32 indexed batchId, address indexed by, string reason);
    event ReorderThresholdSet(address indexed holder, uint64 indexed gtin, uint64 threshold);
    event ReplenishmentNeeded(address indexed holder, uint64 indexed gtin, uint64 stock, uint64 threshold);

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    function registerProduct(uint64 gtin, string calldata name, int16 minTemperature, int16 maxTemperature, uint8 maxHumidity)
        external;
    function commissionBatch(
        uint64 gtin,
        string calldata lot,
        uint32 production,
        uint32 expiry,
        uint32 units,
        bytes32 serialsRoot,
        string calldata qcReportCid
    ) external returns (bytes32 batchId);
    function ship(bytes32 batchId, address to, uint32 quantity, uint32 firstUnit) external returns (bytes32 shipmentId);
    function receiveShipment(ShipmentRef calldata ref) external;
    function rejectShipment(ShipmentRef calldata ref, string calldata reason) external;
    function cancelShipment(ShipmentRef calldata ref, string calldata reason) external;
    function postReadings(ShipmentRef calldata ref, uint256[] calldata readings) external returns (uint32 excursions);
    function releaseQuarantine(bytes32 batchId, bytes32 shipmentId, bytes32 reviewReportHash) external;
    function destroyQuarantine(bytes32 batchId, bytes32 shipmentId, string calldata reason) external;
    function dispense(bytes32 batchId, uint256 index, string calldata serial, bytes32[] calldata proof)
        external
        returns (bool dispensed);
    function recall(bytes32 batchId, string calldata reason) external;
    function setReorderThreshold(uint64 gtin, uint64 threshold) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    function product(uint64 gtin) external view returns (Product memory, string memory name);
    function batch(bytes32 batchId) external view returns (Batch memory);
    function batchIdOf(uint64 gtin, string calldata lot) external pure returns (bytes32);
    function stockOf(bytes32 batchId, address holder) external view returns (Stock memory);
    function productStock(address holder, uint64 gtin) external view returns (uint64 stock, uint64 threshold);
    function shipmentStatus(ShipmentRef calldata ref) external view returns (ShipmentStatus);
    function shipmentIdOf(ShipmentRef calldata ref) external pure returns (bytes32);
    function readingsLog(bytes32 shipmentId) external view returns (ReadingsLog memory);
    function quarantines(bytes32 batchId) external view returns (Quarantine[] memory);
    function quarantineOf(bytes32 batchId, bytes32 shipmentId) external view returns (Quarantine memory);
    function isDispensed(bytes32 batchId, uint256 index) external view returns (bool);
    function verify(uint64 gtin, string calldata lot, uint32 expiry, string calldata serial, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (UnitStatus);
}
