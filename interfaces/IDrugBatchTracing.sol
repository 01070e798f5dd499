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

    /// @dev The status of a shipment (its slot's low two bits).
    enum ShipmentStatus {
        None, // unknown, or closed: received, rejected or cancelled
        InTransit,
        Quarantined
    }

    /// @dev The disposition of a quarantine.
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

    /// @dev What {verify} and {dispense} find for a unit.
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

    // Also raised by every role check: the participant registry's `ParticipantNotRegistered`,
    // `NotAnOrganization`, `ParticipantSuspended` and `MissingRole` ("registry errors" below).

    /// @notice A GTIN must be 1 to 14 digits with a valid GS1 check digit.
    /// @param gtin The refused GTIN.
    error InvalidGtin(uint64 gtin);

    /// @notice The product is already registered.
    /// @param gtin The GTIN.
    error ProductAlreadyRegistered(uint64 gtin);

    /// @notice A product name must have 1 to 128 bytes.
    /// @param length The refused name's length in bytes.
    error InvalidProductName(uint256 length);

    /// @notice Storage conditions need `minTemperature <= maxTemperature` and a humidity of 1 to 100 %.
    /// @param minTemperature The minimum (hundredths of °C).
    /// @param maxTemperature The maximum (hundredths of °C).
    /// @param maxHumidity The maximum relative humidity (%).
    error InvalidStorageConditions(int16 minTemperature, int16 maxTemperature, uint8 maxHumidity);

    /// @notice No product has this GTIN.
    /// @param gtin The GTIN.
    error UnknownProduct(uint64 gtin);

    /// @notice Only the product's manufacturer commissions its batches.
    /// @param gtin The product.
    /// @param account The refused caller.
    error NotProductManufacturer(uint64 gtin, address account);

    /// @notice A lot number must have 1 to 20 bytes (GS1 AI 10).
    /// @param length The refused lot's length in bytes.
    error InvalidLot(uint256 length);

    /// @notice Dates must be whole UTC days, production not in the future, expiry neither before
    /// production nor past.
    /// @param production The production date.
    /// @param expiry The expiry date.
    error InvalidDates(uint32 production, uint32 expiry);

    /// @notice A batch has 1 to 2^32 - 2 units.
    /// @param units The refused count.
    error InvalidUnitCount(uint32 units);

    /// @notice The serials' Merkle root must be non-zero.
    error EmptySerialsRoot();

    /// @notice A batch with this GTIN and lot already exists.
    /// @param batchId The batch id.
    error BatchAlreadyCommissioned(bytes32 batchId);

    /// @notice No batch has this id.
    /// @param batchId The batch id.
    error UnknownBatch(bytes32 batchId);

    /// @notice The batch is recalled.
    /// @param batchId The batch id.
    error RecalledBatch(bytes32 batchId);

    /// @notice The batch is past its expiry day.
    /// @param batchId The batch id.
    /// @param expiry Its expiry date (00:00 UTC; usable through that day).
    error BatchExpired(bytes32 batchId, uint32 expiry);

    /// @notice A shipment carries at least one unit.
    /// @param quantity The refused quantity.
    error InvalidQuantity(uint32 quantity);

    /// @notice The declared unit range goes past the batch's last unit.
    /// @param firstUnit The range's first unit.
    /// @param quantity Its length.
    /// @param units The batch's unit count.
    error InvalidUnitRange(uint32 firstUnit, uint32 quantity, uint32 units);

    /// @notice `holder` has fewer sellable units of the batch than requested.
    /// @param batchId The batch.
    /// @param holder The holder.
    /// @param available Its sellable units.
    /// @param requested The units requested.
    error InsufficientStock(bytes32 batchId, address holder, uint64 available, uint64 requested);

    /// @notice The recipient is the sender, or not an active custodian.
    /// @param recipient The refused recipient.
    error InvalidRecipient(address recipient);

    /// @notice The terms name no open shipment (unknown, or already closed).
    /// @param shipmentId The id of the terms given.
    error UnknownShipment(bytes32 shipmentId);

    /// @notice Only the shipment's recipient may receive or reject it.
    /// @param shipmentId The shipment.
    /// @param account The refused caller.
    error NotShipmentRecipient(bytes32 shipmentId, address account);

    /// @notice Only the shipment's sender or an active sensor gateway posts readings.
    /// @param shipmentId The shipment.
    /// @param account The refused caller.
    error NotReadingsPoster(bytes32 shipmentId, address account);

    /// @notice A posting has 1 to 512 readings.
    /// @param count The refused count.
    error InvalidReadings(uint256 count);

    /// @notice Readings must be in non-decreasing time order, from the previous posting's last one.
    /// @param index The reading's index in the posting.
    /// @param time Its time.
    /// @param previousTime The time before it.
    error ReadingOutOfOrder(uint256 index, uint32 time, uint32 previousTime);

    /// @notice The unit may be in an open quarantine: it cannot be dispensed.
    /// @param batchId The batch.
    /// @param index The unit's index.
    error UnitQuarantined(bytes32 batchId, uint256 index);

    /// @notice Only the batch's active manufacturer or an active regulator recalls it.
    /// @param batchId The batch.
    /// @param account The refused caller.
    error NotRecallAuthority(bytes32 batchId, address account);

    /// @notice A reason must have 1 to 1000 bytes.
    error InvalidReason();

    /// @notice Only the shipment's sender may cancel it.
    /// @param shipmentId The shipment.
    /// @param account The refused caller.
    error NotShipmentSender(bytes32 shipmentId, address account);

    /// @notice The shipment has no quarantine in this batch.
    /// @param shipmentId The shipment.
    error UnknownQuarantine(bytes32 shipmentId);

    /// @notice The quarantine is decided already, or its units are still in transit (no holder yet).
    /// @param shipmentId The shipment.
    /// @param state The quarantine's state.
    /// @param holder Its holder (zero while in transit).
    error QuarantineNotDecidable(bytes32 shipmentId, QuarantineState state, address holder);

    /// @notice Only the batch's active manufacturer or an active regulator (or, to destroy, the
    /// units' holder while an active custodian) decides a quarantine.
    /// @param shipmentId The shipment.
    /// @param account The refused caller.
    error NotDispositionAuthority(bytes32 shipmentId, address account);

    /// @notice A release needs the hash of the QA review report.
    error EmptyReviewReport();

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A manufacturer registered a product.
    /// @param gtin The GTIN-14.
    /// @param manufacturer The manufacturer.
    /// @param name The product's name.
    /// @param minTemperature The lowest storage temperature (hundredths of °C).
    /// @param maxTemperature The highest storage temperature (hundredths of °C).
    /// @param maxHumidity The highest relative humidity (%).
    event ProductRegistered(
        uint64 indexed gtin,
        address indexed manufacturer,
        string name,
        int16 minTemperature,
        int16 maxTemperature,
        uint8 maxHumidity
    );

    /// @notice A batch was commissioned into its manufacturer's stock.
    /// @param batchId The batch id.
    /// @param gtin The product.
    /// @param manufacturer The manufacturer.
    /// @param lot The lot number.
    /// @param production The production date.
    /// @param expiry The expiry date.
    /// @param units The number of units.
    /// @param serialsRoot The Merkle root of the unit serials.
    /// @param qcReportCid The CID of the (encrypted) quality-control report (may be empty).
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

    /// @notice A shipment left its sender's stock.
    /// @param batchId The batch.
    /// @param shipmentId The shipment's id (`keccak256(abi.encode(ref))`).
    /// @param to The recipient.
    /// @param ref The shipment's terms (pass them back to act on it).
    event ShipmentSent(bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed to, ShipmentRef ref);

    /// @notice The recipient took a shipment into its stock.
    /// @param batchId The batch.
    /// @param shipmentId The shipment.
    /// @param to The recipient.
    /// @param quantity The units received.
    /// @param quarantined True when they went into quarantined stock.
    event ShipmentReceived(bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed to, uint32 quantity, bool quarantined);

    /// @notice The recipient refused a shipment; its units went back to the sender.
    /// @param batchId The batch.
    /// @param shipmentId The shipment.
    /// @param by The recipient.
    /// @param quantity The units returned.
    /// @param reason Why.
    event ShipmentRejected(bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed by, uint32 quantity, string reason);

    /// @notice The sender took back a shipment not yet received.
    /// @param batchId The batch.
    /// @param shipmentId The shipment.
    /// @param by The sender.
    /// @param quantity The units returned.
    /// @param reason Why.
    event ShipmentCancelled(bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed by, uint32 quantity, string reason);

    /// @notice Cold-chain readings of a shipment were posted.
    /// @param batchId The batch.
    /// @param shipmentId The shipment.
    /// @param poster The sensor gateway or the sender.
    /// @param count The readings in this posting.
    /// @param readingsHash The keccak256 of the posting's packed readings.
    /// @param digest The shipment's running digest after this posting.
    event ReadingsPosted(bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed poster, uint32 count, bytes32 readingsHash, bytes24 digest);

    /// @notice A posting held readings outside the product's storage conditions: the first one.
    /// @param batchId The batch.
    /// @param shipmentId The shipment.
    /// @param time The first excursion's time.
    /// @param temperature Its temperature (hundredths of °C).
    /// @param humidity Its relative humidity (%).
    /// @param latitude Its latitude (micro-degrees).
    /// @param longitude Its longitude (micro-degrees).
    /// @param excursions How many readings of the posting were excursions.
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

    /// @notice A shipment's units were quarantined (first excursion while in transit).
    /// @param batchId The batch.
    /// @param shipmentId The shipment.
    /// @param quantity Its units.
    /// @param firstUnit Its declared first unit (`NO_RANGE`: not declared).
    event ShipmentQuarantined(bytes32 indexed batchId, bytes32 indexed shipmentId, uint32 quantity, uint32 firstUnit);

    /// @notice QA review passed: the quarantined units became sellable for their holder.
    /// @param batchId The batch.
    /// @param shipmentId The shipment.
    /// @param holder The units' holder.
    /// @param by The manufacturer or regulator who released them.
    /// @param quantity The units released.
    /// @param reviewReportHash The hash of the QA review report.
    event QuarantineReleased(
        bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed holder, address by, uint32 quantity, bytes32 reviewReportHash
    );

    /// @notice The quarantined units were written off.
    /// @param batchId The batch.
    /// @param shipmentId The shipment.
    /// @param holder The units' holder.
    /// @param by The holder, manufacturer or regulator who destroyed them.
    /// @param quantity The units destroyed.
    /// @param reason Why.
    event QuarantineDestroyed(
        bytes32 indexed batchId, bytes32 indexed shipmentId, address indexed holder, address by, uint32 quantity, string reason
    );

    /// @notice A unit was dispensed to a patient.
    /// @param batchId The batch.
    /// @param index The unit's index in the batch.
    /// @param dispenser The pharmacy or hospital.
    /// @param serial The unit's serial.
    event UnitDispensed(bytes32 indexed batchId, uint256 indexed index, address indexed dispenser, string serial);

    /// @notice A pack with an unknown, already dispensed or destroyed serial was presented.
    /// @param batchId The batch named.
    /// @param presenter Who presented it.
    /// @param index The unit index presented.
    /// @param serial The serial presented.
    /// @param status Why it is suspect.
    event CounterfeitSuspected(bytes32 indexed batchId, address indexed presenter, uint256 index, string serial, UnitStatus status);

    /// @notice A batch was recalled.
    /// @param batchId The batch.
    /// @param by The manufacturer or regulator.
    /// @param reason Why.
    event BatchRecalled(bytes32 indexed batchId, address indexed by, string reason);

    /// @notice A holder set its reorder threshold for a product.
    /// @param holder The holder.
    /// @param gtin The product.
    /// @param threshold The threshold (0: no watch).
    event ReorderThresholdSet(address indexed holder, uint64 indexed gtin, uint64 threshold);

    /// @notice A holder's sellable stock of a product fell below its reorder threshold.
    /// @param holder The holder.
    /// @param gtin The product.
    /// @param stock Its sellable stock now.
    /// @param threshold Its threshold.
    event ReplenishmentNeeded(address indexed holder, uint64 indexed gtin, uint64 stock, uint64 threshold);

    /*//////////////////////////////////////////////////////////////
                             PUBLIC UPDATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Registers a product (a GTIN-14) with its storage conditions.
    /// @dev Requirements:
    /// - the caller is an active manufacturer (registry errors);
    /// - `gtin` has 14 digits at most and a valid GS1 check digit ({InvalidGtin}) and is not
    ///   registered ({ProductAlreadyRegistered});
    /// - `name` has 1 to 128 bytes ({InvalidProductName});
    /// - `minTemperature <= maxTemperature` and `maxHumidity` is 1 to 100 ({InvalidStorageConditions}).
    /// Emits {ProductRegistered}.
    /// @param gtin The GTIN-14 (GTIN-8/12/13 zero-padded).
    /// @param name The product's name.
    /// @param minTemperature The lowest storage temperature (hundredths of °C).
    /// @param maxTemperature The highest storage temperature (hundredths of °C).
    /// @param maxHumidity The highest relative humidity (%).
    function registerProduct(uint64 gtin, string calldata name, int16 minTemperature, int16 maxTemperature, uint8 maxHumidity)
        external;

    /// @notice Commissions a batch: its units are created in the manufacturer's stock. Gas does
    /// not depend on `units`.
    /// @dev Requirements:
    /// - the caller is an active manufacturer (registry errors) and the product's manufacturer
    ///   ({UnknownProduct}, {NotProductManufacturer});
    /// - `lot` has 1 to 20 bytes ({InvalidLot});
    /// - dates are whole UTC days, production not in the future, expiry not before production and
    ///   not past ({InvalidDates});
    /// - `units` is positive and not `NO_RANGE` ({InvalidUnitCount});
    /// - `serialsRoot` is non-zero ({EmptySerialsRoot});
    /// - the lot is new for this GTIN ({BatchAlreadyCommissioned}).
    /// Emits {BatchCommissioned}.
    /// @param gtin The product.
    /// @param lot The lot number.
    /// @param production The production date (00:00 UTC).
    /// @param expiry The expiry date (00:00 UTC; usable through that day).
    /// @param units The number of units.
    /// @param serialsRoot The Merkle root of the unit leaves.
    /// @param qcReportCid The CID of the encrypted quality-control report (may be empty).
    /// @return batchId `keccak256(abi.encodePacked(gtin, lot))`.
    function commissionBatch(
        uint64 gtin,
        string calldata lot,
        uint32 production,
        uint32 expiry,
        uint32 units,
        bytes32 serialsRoot,
        string calldata qcReportCid
    ) external returns (bytes32 batchId);

    /// @notice Ships `quantity` units of a batch from the caller's sellable stock to `to`. The
    /// units leave the caller's stock at once and are nobody's until received, rejected or cancelled.
    /// @dev Requirements:
    /// - the caller is an active custodian (registry errors);
    /// - `to` is another active custodian ({InvalidRecipient});
    /// - the batch exists ({UnknownBatch}), is not recalled ({RecalledBatch}) nor expired ({BatchExpired});
    /// - `quantity > 0` ({InvalidQuantity}); `firstUnit` is `NO_RANGE` or starts a range inside
    ///   the batch ({InvalidUnitRange});
    /// - the caller holds `quantity` sellable units ({InsufficientStock}).
    /// Emits {ShipmentSent} (and {ReplenishmentNeeded} when the caller's stock falls below its threshold).
    /// @param batchId The batch.
    /// @param to The recipient.
    /// @param quantity The units shipped.
    /// @param firstUnit The first unit of a declared contiguous range, or `NO_RANGE`.
    /// @return shipmentId The shipment's id (its terms are in {ShipmentSent}).
    function ship(bytes32 batchId, address to, uint32 quantity, uint32 firstUnit) external returns (bytes32 shipmentId);

    /// @notice Intake scan: the recipient takes a shipment into its stock (quarantined units into
    /// its quarantined stock). The shipment is closed (its history stays in events).
    /// @dev Requirements: `ref` names an open shipment (in transit or quarantined) ({UnknownShipment});
    /// the caller is `ref.to` ({NotShipmentRecipient}) and an active custodian (registry errors);
    /// the batch is not recalled ({RecalledBatch}). Emits {ShipmentReceived}.
    /// @param ref The shipment's terms.
    function receiveShipment(ShipmentRef calldata ref) external;

    /// @notice The recipient refuses a shipment: its units return to the sender's stock
    /// (quarantined units to the sender's quarantined stock). Allowed for a recalled batch (the
    /// goods go back).
    /// @dev Requirements: `reason` has 1 to 1000 bytes ({InvalidReason}); as {receiveShipment}
    /// for the shipment and the caller. Emits {ShipmentRejected}.
    /// @param ref The shipment's terms.
    /// @param reason Why.
    function rejectShipment(ShipmentRef calldata ref, string calldata reason) external;

    /// @notice The sender takes back a shipment not yet received (the recipient was suspended, the
    /// truck never left…): its units return to the sender's stock (quarantined units to its
    /// quarantined stock) and the recipient can no longer receive it. Allowed for a recalled batch.
    /// @dev Requirements: `reason` has 1 to 1000 bytes ({InvalidReason}); `ref` names an open
    /// shipment ({UnknownShipment}); the caller is `ref.from` ({NotShipmentSender}) and an active
    /// custodian (registry errors). Emits {ShipmentCancelled}.
    /// @param ref The shipment's terms.
    /// @param reason Why.
    function cancelShipment(ShipmentRef calldata ref, string calldata reason) external;

    /// @notice Posts cold-chain readings of an open shipment. Each reading is one word:
    /// bits 0-31 time, 32-47 temperature (int16, hundredths of °C), 48-55 relative humidity (%),
    /// 56-87 latitude and 88-119 longitude (int32, micro-degrees). Only a running digest, the count
    /// and the last time are stored. A reading outside the product's range is an excursion: the
    /// first one while in transit quarantines the shipment's units.
    /// @dev Requirements:
    /// - `ref` names an open shipment ({UnknownShipment});
    /// - the caller is the shipment's sender or an active sensor gateway ({NotReadingsPoster});
    /// - 1 to 512 readings ({InvalidReadings}) in non-decreasing time order, not before the previous
    ///   posting's last reading ({ReadingOutOfOrder}).
    /// Emits {ReadingsPosted}, and on excursions {ExcursionDetected} (the posting's first excursion)
    /// and {ShipmentQuarantined} (when the shipment was in transit).
    /// @param ref The shipment's terms.
    /// @param readings The packed readings.
    /// @return excursions How many readings were outside the product's storage conditions.
    function postReadings(ShipmentRef calldata ref, uint256[] calldata readings) external returns (uint32 excursions);

    /// @notice QA review passed: the quarantined units of a shipment become sellable for their
    /// holder (and count toward its reorder threshold again).
    /// @dev Requirements:
    /// - the shipment has a quarantine in the batch ({UnknownQuarantine});
    /// - the caller is the batch's manufacturer while an active manufacturer, or an active
    ///   regulator ({NotDispositionAuthority});
    /// - the quarantine is open and its units were taken into someone's quarantined stock
    ///   (received, rejected or cancelled) ({QuarantineNotDecidable});
    /// - the batch is not recalled ({RecalledBatch}); `reviewReportHash` is non-zero ({EmptyReviewReport}).
    /// Emits {QuarantineReleased}.
    /// @param batchId The batch.
    /// @param shipmentId The quarantined shipment.
    /// @param reviewReportHash The hash of the QA review report.
    function releaseQuarantine(bytes32 batchId, bytes32 shipmentId, bytes32 reviewReportHash) external;

    /// @notice Writes off the quarantined units of a shipment: they leave their holder's stock and
    /// the batch's live count; a pack presenting one of them (declared unit range) is then suspect.
    /// Allowed for a recalled batch.
    /// @dev Requirements:
    /// - the shipment has a quarantine in the batch ({UnknownQuarantine});
    /// - the caller is the units' holder while an active custodian, the batch's manufacturer while
    ///   an active manufacturer, or an active regulator ({NotDispositionAuthority});
    /// - the quarantine is open and its units are in the holder's quarantined stock ({QuarantineNotDecidable});
    /// - `reason` has 1 to 1000 bytes ({InvalidReason}).
    /// Emits {QuarantineDestroyed}.
    /// @param batchId The batch.
    /// @param shipmentId The quarantined shipment.
    /// @param reason Why.
    function destroyQuarantine(bytes32 batchId, bytes32 shipmentId, string calldata reason) external;

    /// @notice Dispenses one unit to a patient by its serial and Merkle proof. A serial that is
    /// unknown (bad proof, unknown batch), already dispensed or written off (destroyed) is NOT a
    /// revert: it is recorded as a suspected counterfeit with its presenter ({CounterfeitSuspected},
    /// the batch's suspect count) and refused (returns false).
    /// @dev Requirements:
    /// - the caller is an active pharmacy or hospital (registry errors), checked before the serial;
    /// and for a serial that is not refused as suspect:
    /// - the batch is not recalled ({RecalledBatch}) nor expired ({BatchExpired});
    /// - the unit is not in an open quarantine ({UnitQuarantined});
    /// - the caller holds a sellable unit of the batch ({InsufficientStock}).
    /// Emits {UnitDispensed} (and {ReplenishmentNeeded}), or {CounterfeitSuspected}.
    /// @param batchId The batch.
    /// @param index The unit's index in the batch.
    /// @param serial The unit's serial.
    /// @param proof The Merkle proof of the unit's leaf.
    /// @return dispensed True when dispensed, false when refused as a suspected counterfeit.
    function dispense(bytes32 batchId, uint256 index, string calldata serial, bytes32[] calldata proof)
        external
        returns (bool dispensed);

    /// @notice Recalls a batch: shipping, receiving and dispensing its units stop at once.
    /// @dev Requirements: the batch exists ({UnknownBatch}); the caller is its manufacturer while
    /// an active manufacturer, or an active regulator ({NotRecallAuthority}); it is not recalled
    /// yet ({RecalledBatch}); `reason` has 1 to 1000 bytes ({InvalidReason}). Emits {BatchRecalled}.
    /// @param batchId The batch.
    /// @param reason Why.
    function recall(bytes32 batchId, string calldata reason) external;

    /// @notice Sets the caller's reorder threshold for a product (0 turns the watch off): when
    /// its sellable stock of the product falls below it, {ReplenishmentNeeded} is emitted.
    /// @dev Requirements: the caller is an active custodian (registry errors); the product is
    /// registered ({UnknownProduct}). Emits {ReorderThresholdSet}, and {ReplenishmentNeeded} at
    /// once if the stock is already below.
    /// @param gtin The product.
    /// @param threshold The threshold.
    function setReorderThreshold(uint64 gtin, uint64 threshold) external;

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice A product and its name.
    /// @param gtin The GTIN.
    /// @return The product (manufacturer zero when unknown).
    /// @return name Its name.
    function product(uint64 gtin) external view returns (Product memory, string memory name);

    /// @notice A batch.
    /// @param batchId The batch id.
    /// @return The batch (gtin 0 when unknown).
    function batch(bytes32 batchId) external view returns (Batch memory);

    /// @notice The id of the batch `lot` of product `gtin`.
    /// @param gtin The GTIN.
    /// @param lot The lot number.
    /// @return `keccak256(abi.encodePacked(gtin, lot))`.
    function batchIdOf(uint64 gtin, string calldata lot) external pure returns (bytes32);

    /// @notice A holder's stock of a batch.
    /// @param batchId The batch.
    /// @param holder The holder.
    /// @return The holder's sellable and quarantined units, next shipment nonce and slots.
    function stockOf(bytes32 batchId, address holder) external view returns (Stock memory);

    /// @notice A holder's sellable stock of a product (every batch) and its reorder threshold.
    /// @param holder The holder.
    /// @param gtin The product.
    /// @return stock The sellable units.
    /// @return threshold The reorder threshold (0: none).
    function productStock(address holder, uint64 gtin) external view returns (uint64 stock, uint64 threshold);

    /// @notice The status of the shipment `ref` names.
    /// @param ref The shipment's terms.
    /// @return The status (None when unknown or closed).
    function shipmentStatus(ShipmentRef calldata ref) external view returns (ShipmentStatus);

    /// @notice The id of a shipment's terms.
    /// @param ref The shipment's terms.
    /// @return `keccak256(abi.encode(ref))`.
    function shipmentIdOf(ShipmentRef calldata ref) external pure returns (bytes32);

    /// @notice The commitment to a shipment's readings.
    /// @param shipmentId The shipment.
    /// @return The running digest, the count and the last reading's time.
    function readingsLog(bytes32 shipmentId) external view returns (ReadingsLog memory);

    /// @notice Every quarantine of a batch, oldest first, with its state and holder.
    /// @param batchId The batch.
    /// @return The quarantines.
    function quarantines(bytes32 batchId) external view returns (Quarantine[] memory);

    /// @notice The quarantine of a shipment.
    /// @dev Requirements: there is one ({UnknownQuarantine}).
    /// @param batchId The batch.
    /// @param shipmentId The shipment.
    /// @return The quarantine.
    function quarantineOf(bytes32 batchId, bytes32 shipmentId) external view returns (Quarantine memory);

    /// @notice True when unit `index` of the batch was dispensed.
    /// @param batchId The batch.
    /// @param index The unit's index.
    /// @return Whether it was dispensed.
    function isDispensed(bytes32 batchId, uint256 index) external view returns (bool);

    /// @notice What a patient scanning a pack learns: genuine and available, unknown serial
    /// (also when the expiry printed on the pack differs from the batch's), recalled, already
    /// dispensed, expired, destroyed or quarantined, in that order of precedence after authenticity.
    /// @param gtin The GTIN on the pack.
    /// @param lot The lot on the pack.
    /// @param expiry The expiry on the pack (00:00 UTC).
    /// @param serial The serial on the pack.
    /// @param index The unit's index in the batch.
    /// @param proof The Merkle proof of the unit's leaf.
    /// @return The unit's status.
    function verify(uint64 gtin, string calldata lot, uint32 expiry, string calldata serial, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (UnitStatus);
}
