"""Client of DrugBatchTracing: drug products, batches, custody, cold chain, dispensing, recall.

The domain is split by job; this client sends the transactions and reads the contract, and its
report methods are thin fronts over the modules that do the work:

* :mod:`medchain.drugs.model`: products, batches, shipments, readings, the serial tree (one
  drug, one code: a batch's serials are committed on chain as a Merkle root);
* :mod:`medchain.drugs.history`: the reports rebuilt from a batch's events, all of which carry the
  batch id as their first topic, so one ``eth_getLogs`` (:meth:`DrugsClient.history`) decoded
  once (:meth:`DrugsClient.batch_events`) serves the custody path, the recall report, the EPCIS
  2.0 export and the readings, which the chain keeps only as transaction input and a digest;
* :mod:`medchain.drugs.qc`: the batch's sealed quality-control report on IPFS, its data key
  wrapped for the manufacturer, every regulator and each custodian the batch is shipped to.

Units: temperatures in °C (hundredths on chain), humidity in percent, dates as ``datetime.date``
(00:00 UTC on chain; a batch is usable through its expiry day).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak
from web3 import Web3

from medchain.core.client import ContractClient
from medchain.core.crypto import EncryptionKeyPair, KeyVault
from medchain.core.deploy import Suite
from medchain.core.errors import CounterfeitSuspectedError, DrugTracingError, GS1Error, InvalidInputError, StandardsError
from medchain.core.registry import check_address
from medchain.core.standards import gs1
from medchain.core.storage import ContentStore
from medchain.core.tx import Receipt, Sender, call, events
from medchain.drugs import history as _history
from medchain.drugs.history import BatchEvent, CustodyStep, HolderPosition, RecallReport, posted_readings
from medchain.drugs.model import (
    DAY,
    MAX_READINGS,
    NO_RANGE,
    READINGS_PER_TX,
    Batch,
    Product,
    Quarantine,
    QuarantineState,
    Reading,
    SerialTree,
    ShipmentRef,
    ShipmentStatus,
    Stock,
    UnitStatus,
    _b32,
    batch_id,
    day_timestamp,
    gtin_number,
    gtin_text,
    read_readings_csv,
    read_serials,
    timestamp_day,
    unit_leaf,
    verify_proof,
)
from medchain.drugs.qc import QCReports, qc_context

CONTRACT = "DrugBatchTracing"


@dataclass(frozen=True)
class Verification:
    """What a pack's scan tells (the verification portal's answer).

    Attributes:
        status: The unit's status.
        code: The scanned identity (GTIN, lot, expiry, serial).
        product: The registered product, or ``None`` when the GTIN is unknown.
        batch: The batch, or ``None`` when GTIN and lot name no batch.
        custody_path: The batch's moves, oldest first (empty for an unknown batch).
        unit_index: The unit's index in the batch, when the serial is known.
    """

    status: UnitStatus
    code: gs1.UnitCode
    product: Product | None
    batch: Batch | None
    custody_path: list[CustodyStep]
    unit_index: int | None = None

    @property
    def genuine(self) -> bool:
        return self.status == UnitStatus.GENUINE




@dataclass(frozen=True)
class DispenseResult:
    receipt: Receipt
    index: int


@dataclass
class CommissionResult:
    receipt: Receipt
    batch_id: bytes
    tree: SerialTree



# ------------------------------------------------------------------------------------ client


class DrugsClient(ContractClient):
    """Drive DrugBatchTracing.

    Args:
        suite: The deployed suite.
        sender: Who signs (``None`` for a read-only client: verification, reports, exports).
        store: Where sealed QC reports live (needed to commission with a report or read one).
        vault: Where their wrapped data keys live (needed to wrap, share or read a QC report).
        keypair: The sender's encryption key pair (default: derived from the account's key, which
            is what ``participants register-*`` publishes by default).
    """

    CONTRACT = CONTRACT

    def __init__(self, suite: Suite, sender: Sender | None = None, *, store: ContentStore | None = None,
                 vault: KeyVault | None = None, keypair: EncryptionKeyPair | None = None):
        super().__init__(suite, sender)
        self.store = store
        self.vault = vault
        self._keypair = keypair
        #: The batches' QC reports (sealed on IPFS, keys in :attr:`vault`).
        self.qc = QCReports(self)

    # ------------------------------------------------------------------------- update
    def register_product(self, gtin: str, name: str, min_temperature_c: float, max_temperature_c: float,
                         max_humidity_pct: int = 100) -> Receipt:
        """Register a product (manufacturer).

        Raises:
            GS1Error: bad GTIN. InvalidInputError: bad name or conditions.
            ContractRevert: ``ProductAlreadyRegistered``, ``MissingRole``…
        """
        g = gtin_number(gtin)
        if not name or len(name.encode()) > 128:
            raise InvalidInputError("product name must have 1 to 128 bytes")
        lo, hi = round(min_temperature_c * 100), round(max_temperature_c * 100)
        if not (-32768 <= lo <= hi <= 32767):
            raise InvalidInputError(f"storage range {min_temperature_c}..{max_temperature_c} °C is not a range")
        if not 1 <= int(max_humidity_pct) <= 100:
            raise InvalidInputError(f"maximum humidity {max_humidity_pct} % must be 1..100")
        return self._send(self.contract.functions.registerProduct(g, name, lo, hi, int(max_humidity_pct)))

    def commission_batch(self, gtin: str, lot: str, *, expiry: dt.date, production: dt.date,
                         serials: Sequence[str], qc_report_cid: str = "",
                         qc_report: bytes | None = None) -> CommissionResult:
        """Commission a batch of ``len(serials)`` units (manufacturer of the product).

        Args:
            qc_report: The quality-control report (any bytes, e.g. a PDF): sealed, stored and its
                key wrapped for the manufacturer and every regulator (needs ``store`` and
                ``vault``). The commissioning is simulated first; a refused one stores nothing,
                and a failed one removes the keys again.
            qc_report_cid: Instead, the CID of a report sealed and stored elsewhere.

        Returns:
            The receipt, the batch id and the serial tree (keep it: proofs come from it).

        Raises:
            GS1Error: bad GTIN, lot or serial. InvalidInputError: bad dates or CID, both report
                forms, or a report without store and vault. StorageError: the store failed.
            ContractRevert: ``BatchAlreadyCommissioned``, ``NotProductManufacturer``…
        """
        g = gtin_number(gtin)
        gs1._check_text(lot, "10")
        if production > expiry:
            raise InvalidInputError(f"production date {production} is after the expiry date {expiry}")
        if qc_report is not None and qc_report_cid:
            raise InvalidInputError("give the QC report or its CID, not both")
        if qc_report_cid:
            from medchain.core.storage import parse_cid

            parse_cid(qc_report_cid)
        bid = batch_id(g, lot)
        tree = SerialTree(bid, serials)
        if qc_report is None:
            receipt = self._send(self.contract.functions.commissionBatch(
                g, lot, day_timestamp(production), day_timestamp(expiry), len(tree), tree.root, qc_report_cid))
            return CommissionResult(receipt, bid, tree)
        receipt = self.qc.commission(bid, qc_report, lambda cid: self.contract.functions.commissionBatch(
            g, lot, day_timestamp(production), day_timestamp(expiry), len(tree), tree.root, cid))
        return CommissionResult(receipt, bid, tree)

    def ship(self, batch: bytes, to: str, quantity: int, *, first_unit: int | None = None,
             share_qc: bool | None = None) -> ShipmentRef:
        """Ship ``quantity`` units to ``to``; ``first_unit`` declares the contiguous unit range
        shipped (so a quarantine is precise to the unit).

        Args:
            share_qc: Wrap the batch's QC report key for the recipient. ``None`` (default): when
                this client has a vault holding the sender's key of a report; ``True``: required
                (checked before shipping); ``False``: never.

        Returns:
            The shipment's terms (``.id`` is its id).

        Raises:
            ContractRevert: ``InsufficientStock``, ``InvalidRecipient``, ``RecalledBatch``…
            NotARecipientError: ``share_qc=True`` but the sender holds no key of the report.
        """
        if not isinstance(quantity, int) or not 0 < quantity < 2**32:
            raise InvalidInputError(f"quantity must be a positive integer, got {quantity!r}")
        first = NO_RANGE if first_unit is None else int(first_unit)
        bid, to = _b32(batch), check_address(to, "recipient")
        qc = self.qc.sender_key(bid, required=bool(share_qc)) if share_qc is not False else None
        receipt = self._send(self.contract.functions.ship(bid, to, quantity, first))
        (ev,) = events(self.contract, "ShipmentSent", receipt)
        ref = ShipmentRef.from_event(ev["ref"])
        if qc is not None:
            self.qc.wrap(qc, to)
        return dataclasses.replace(ref, receipt=receipt)

    def receive(self, shipment: ShipmentRef | bytes) -> Receipt:
        """Intake scan of a shipment by its recipient."""
        return self._send(self.contract.functions.receiveShipment(self._ref(shipment).as_tuple))

    def reject(self, shipment: ShipmentRef | bytes, reason: str) -> Receipt:
        """Refuse a shipment (recipient); its units go back to the sender."""
        _check_reason(reason, "a rejection")
        return self._send(self.contract.functions.rejectShipment(self._ref(shipment).as_tuple, reason))

    def cancel(self, shipment: ShipmentRef | bytes, reason: str) -> Receipt:
        """Take back a shipment not yet received (its sender): the units return to the sender's
        stock (quarantined units to its quarantined stock); the recipient can no longer receive it.

        Raises:
            ContractRevert: ``NotShipmentSender``, ``UnknownShipment`` (received, rejected or
                cancelled already)…
        """
        _check_reason(reason, "a cancellation")
        return self._send(self.contract.functions.cancelShipment(self._ref(shipment).as_tuple, reason))

    def release_quarantine(self, batch: bytes, shipment: ShipmentRef | bytes, review_report: bytes) -> Receipt:
        """QA review passed: a quarantined shipment's units become sellable for their holder
        (the batch's manufacturer or a regulator).

        Args:
            review_report: The QA review report (its SHA-256 goes on chain), or its 32-byte hash.

        Raises:
            ContractRevert: ``NotDispositionAuthority``, ``QuarantineNotDecidable`` (in transit or
                decided already), ``UnknownQuarantine``, ``RecalledBatch``.
        """
        if not review_report:
            raise InvalidInputError("a release needs the QA review report (or its hash)")
        digest = bytes(review_report) if len(review_report) == 32 else hashlib.sha256(review_report).digest()
        return self._send(self.contract.functions.releaseQuarantine(_b32(batch), self._sid(shipment), digest))

    def destroy_quarantine(self, batch: bytes, shipment: ShipmentRef | bytes, reason: str) -> Receipt:
        """Write off a quarantined shipment's units (their holder, the batch's manufacturer or a
        regulator): they leave the holder's stock and the batch's live count.

        Raises:
            ContractRevert: ``NotDispositionAuthority``, ``QuarantineNotDecidable``, ``UnknownQuarantine``.
        """
        _check_reason(reason, "a destruction")
        return self._send(self.contract.functions.destroyQuarantine(_b32(batch), self._sid(shipment), reason))

    def post_readings(self, shipment: ShipmentRef | bytes, readings: Sequence[Reading], *,
                      per_tx: int = READINGS_PER_TX) -> list[Receipt]:
        """Post readings, ``per_tx`` per transaction, in time order.

        Returns:
            One receipt per transaction.

        Raises:
            InvalidInputError: no readings, or out of time order.
        """
        if not readings:
            raise InvalidInputError("no readings to post")
        if not 1 <= per_tx <= MAX_READINGS:
            raise InvalidInputError(f"readings per transaction must be 1..{MAX_READINGS}")
        words = [r.pack() for r in readings]
        times = [r.time for r in readings]
        if times != sorted(times):
            raise InvalidInputError("readings must be in time order")
        ref = self._ref(shipment).as_tuple
        return [self._send(self.contract.functions.postReadings(ref, words[i:i + per_tx]))
                for i in range(0, len(words), per_tx)]

    def dispense(self, batch: bytes, serial: str, tree: SerialTree | None = None, *, index: int | None = None,
                 proof: Sequence[bytes] | None = None) -> DispenseResult:
        """Dispense one unit by serial (pharmacy or hospital).

        Give the batch's ``tree`` (index and proof are taken from it) or ``index`` and ``proof``.
        A serial the tree does not know is still presented to the contract (with an empty
        proof), so the attempt is recorded.

        Raises:
            CounterfeitSuspectedError: the serial is unknown or already dispensed; the contract
                recorded the attempt (``receipt`` attribute) and refused it.
            ContractRevert: ``RecalledBatch``, ``BatchExpired``, ``UnitQuarantined``,
                ``InsufficientStock``, ``MissingRole``…
        """
        gs1._check_text(serial, "21")
        if tree is not None:
            found = tree.index_of(serial)
            index, proof = (found, tree.proof(found)) if found is not None else (0, [])
        if index is None or proof is None:
            raise InvalidInputError("give the batch's serial tree, or the unit's index and proof")
        receipt = self._send(self.contract.functions.dispense(_b32(batch), int(index), serial, list(proof)))
        suspected = events(self.contract, "CounterfeitSuspected", receipt)
        if suspected:
            status = UnitStatus(suspected[0]["status"])
            raise CounterfeitSuspectedError(serial, status.name.lower().replace("_", " "), receipt)
        return DispenseResult(receipt, int(index))

    def recall(self, batch: bytes, reason: str) -> Receipt:
        """Recall a batch (its manufacturer or a regulator)."""
        _check_reason(reason, "a recall")
        return self._send(self.contract.functions.recall(_b32(batch), reason))

    def set_reorder_threshold(self, gtin: str, threshold: int) -> Receipt:
        """Ask for a :meth:`reorder_alerts` event when the sender's stock of ``gtin`` falls below ``threshold``."""
        if not isinstance(threshold, int) or not 0 <= threshold < 2**64:
            raise InvalidInputError(f"threshold must be a non-negative integer, got {threshold!r}")
        return self._send(self.contract.functions.setReorderThreshold(gtin_number(gtin), threshold))

    # ------------------------------------------------------------------------- read
    def product(self, gtin: str | int) -> Product | None:
        """The registered product, or ``None``."""
        g = gtin_number(gtin)
        (maker, lo, hi, rh), name = call(self.contract.functions.product(g))
        if int(maker, 16) == 0:
            return None
        return Product(gtin_text(g), name, Web3.to_checksum_address(maker), lo / 100, hi / 100, rh)

    def batch(self, batch: bytes) -> Batch | None:
        """The batch, or ``None`` when it was never commissioned."""
        bid = _b32(batch)
        (gtin, production, expiry, units, quarantined, suspects, recalled, quarantines, root,
         destroyed) = call(self.contract.functions.batch(bid))
        if gtin == 0:
            return None
        (ev,) = self.logs("BatchCommissioned", batchId=bid) or [None]
        lot = ev["args"]["lot"] if ev else ""
        maker = ev["args"]["manufacturer"] if ev else ""
        cid = ev["args"]["qcReportCid"] if ev else ""
        return Batch(bid, gtin_text(gtin), lot, timestamp_day(production), timestamp_day(expiry), units, quarantined,
                     suspects, recalled, bytes(root), maker, cid, quarantines, destroyed)

    def stock(self, batch: bytes, holder: str) -> Stock:
        return Stock(*call(self.contract.functions.stockOf(_b32(batch), check_address(holder, "holder"))))

    def quarantines(self, batch: bytes) -> list[Quarantine]:
        """Every quarantine of a batch, oldest first, with its state and holder."""
        return [Quarantine.from_chain(q) for q in call(self.contract.functions.quarantines(_b32(batch)))]

    def product_stock(self, holder: str, gtin: str) -> tuple[int, int]:
        """``(sellable stock of every batch, reorder threshold)`` of ``holder`` for ``gtin``."""
        s, t = call(self.contract.functions.productStock(check_address(holder, "holder"), gtin_number(gtin)))
        return int(s), int(t)

    def shipment_status(self, shipment: ShipmentRef | bytes) -> ShipmentStatus:
        return ShipmentStatus(call(self.contract.functions.shipmentStatus(self._ref(shipment).as_tuple)))

    def shipment(self, shipment_id: bytes) -> ShipmentRef:
        """The terms of a shipment, from its ``ShipmentSent`` event.

        Raises:
            DrugTracingError: no such shipment.
        """
        logs = self.logs("ShipmentSent", shipmentId=_b32(shipment_id))
        if not logs:
            raise DrugTracingError(f"no shipment 0x{_b32(shipment_id).hex()} on this chain")
        return ShipmentRef.from_event(logs[0]["args"]["ref"])

    def _ref(self, shipment: ShipmentRef | bytes) -> ShipmentRef:
        return shipment if isinstance(shipment, ShipmentRef) else self.shipment(shipment)

    @staticmethod
    def _sid(shipment: ShipmentRef | bytes) -> bytes:
        return shipment.id if isinstance(shipment, ShipmentRef) else _b32(shipment)

    # ------------------------------------------------------------------------- QC report (medchain.drugs.qc)
    @property
    def keypair(self) -> EncryptionKeyPair:
        """The sender's encryption key pair."""
        return self.qc.keypair

    def regulators(self) -> list[str]:
        """The active regulators now (from the registry's events, checked against its state)."""
        return self.qc.regulators()

    def qc_entitled(self, batch: bytes) -> list[str]:
        """Who may read the batch's QC report: its manufacturer, the active regulators, and every
        custodian a shipment of the batch was sent to."""
        return self.qc.entitled(batch)

    def share_qc_report(self, batch: bytes, reader: str) -> None:
        """Wrap the batch's QC report key for ``reader`` (by anyone holding a key: the
        manufacturer, a regulator, a custodian). ``reader`` must be entitled (:meth:`qc_entitled`).

        Raises:
            AccessDeniedError: ``reader`` is not entitled. NotARecipientError: the sender holds no key.
            DrugTracingError: unknown batch, or no QC report.
        """
        self.qc.share(batch, reader)

    def qc_report(self, batch: bytes) -> bytes:
        """The batch's QC report in clear: fetched by its CID, checked against the CID on chain
        (the content hash) and decrypted with the sender's key.

        Raises:
            DrugTracingError: unknown batch, or no QC report. NotARecipientError: no key for the
            sender. IntegrityError: the store returned other content. DecryptionError: tampered.
        """
        return self.qc.read(batch)

    # ------------------------------------------------------------------------- alerts and readings
    def reorder_alerts(self, holder: str | None = None) -> list[dict[str, Any]]:
        """``ReplenishmentNeeded`` events (of ``holder`` when given), oldest first."""
        return [dict(e["args"], gtin=gtin_text(e["args"]["gtin"]), block=e["blockNumber"])
                for e in self.logs("ReplenishmentNeeded", holder=check_address(holder, "holder") if holder else None)]

    def readings(self, shipment: ShipmentRef | bytes) -> list[Reading]:
        """Every reading posted for a shipment, recovered from the posting transactions' input and
        checked against the hash each ``ReadingsPosted`` event carries.

        Raises:
            DrugTracingError: a transaction's readings do not match their on-chain hash.
        """
        out: list[Reading] = []
        for log in self.logs("ReadingsPosted", shipmentId=self._sid(shipment)):
            out.extend(self._posted_readings(log))
        return out

    def _posted_readings(self, log: Any) -> list[Reading]:
        """The readings of one ``ReadingsPosted`` log, from its transaction's input."""
        tx = self.suite.chain.w3.eth.get_transaction(log["transactionHash"])
        _, args = self.contract.decode_function_input(tx["input"])
        return posted_readings(args["readings"], log["args"]["readingsHash"], log["transactionHash"])

    # ------------------------------------------------------------------------- verification
    def verify(self, code: gs1.UnitCode | str, tree: SerialTree | None = None) -> Verification:
        """Verify a scanned pack (anyone; no transaction).

        Args:
            code: A :class:`~medchain.core.standards.gs1.UnitCode` or any GS1 form of it (element
                string, raw DataMatrix, Digital Link URI); it must carry a serial.
            tree: The batch's serial tree (the verification service's copy). Without it, or
                when it does not know the serial, the answer is ``UNKNOWN_SERIAL``.

        Returns:
            The status, with the product, the batch and its custody path.

        Raises:
            GS1Error: the code is malformed or has no serial.
        """
        unit = gs1.parse_any(code) if isinstance(code, str) else code
        if unit.serial is None:
            raise GS1Error("serial number missing: a pack is verified by its serial", "21")
        bid = batch_id(unit.gtin, unit.lot)
        product = self.product(unit.gtin)
        batch = self.batch(bid)
        index = tree.index_of(unit.serial) if tree is not None and tree.batch == bid else None
        if batch is None or index is None:
            status = UnitStatus.UNKNOWN_SERIAL
        else:
            status = UnitStatus(call(self.contract.functions.verify(
                gtin_number(unit.gtin), unit.lot, day_timestamp(unit.expiry), unit.serial, index, tree.proof(index))))  # type: ignore[union-attr]
        path = self.custody_path(bid) if batch is not None else []
        return Verification(status, unit, product, batch, path, index)

    # ------------------------------------------------------------------------- history
    def history(self, batch: bytes) -> list[tuple[str, Any]]:
        """Every event of a batch as ``(event name, decoded log)``, in chain order: one
        ``eth_getLogs`` (the batch id is every such event's first topic)."""
        bid = _b32(batch)
        w3 = self.suite.chain.w3
        raw = w3.eth.get_logs({"address": self.contract.address, "fromBlock": self.from_block, "toBlock": "latest",
                               "topics": [None, "0x" + bid.hex()]})
        by_topic: dict[bytes, tuple[str, Any]] = {}
        for item in self.contract.abi:
            if item["type"] == "event":
                by_topic[_topic(item)] = (item["name"], getattr(self.contract.events, item["name"])())
        out = []
        for log in raw:
            hit = by_topic.get(bytes(log["topics"][0]))
            if hit is not None:
                out.append((hit[0], hit[1].process_log(log)))
        return out

    def batch_events(self, batch: bytes, history: list[tuple[str, Any]] | None = None, *, times: bool = True,
                     readings: bool = False) -> list[BatchEvent]:
        """The batch's events decoded once for the reports (:func:`medchain.drugs.history.decode_events`).

        Args:
            history: The batch's :meth:`history`, when already fetched.
            times: Attach each event's block time (cached per block).
            readings: Attach the posted readings (one ``eth_getTransaction`` per posting).
        """
        return _history.decode_events(self.history(batch) if history is None else history,
                                      block_time=self.block_time if times else None,
                                      readings=self._posted_readings if readings else None)

    def custody_path(self, batch: bytes, history: list[tuple[str, Any]] | None = None) -> list[CustodyStep]:
        """The batch's moves: commissioned, shipped, received, rejected, cancelled, quarantined,
        released, destroyed, recalled (:func:`medchain.drugs.history.custody_path`)."""
        return _history.custody_path(self.batch_events(batch, history))

    def recall_report(self, batch: bytes, history: list[tuple[str, Any]] | None = None) -> RecallReport:
        """Who holds which quantity of the batch (sellable and quarantined), what is in transit,
        which units were dispensed and where, and every suspected counterfeit: from the events,
        with one ``eth_getLogs`` (:func:`medchain.drugs.history.recall_report`)."""
        bid = _b32(batch)
        return _history.recall_report(self.batch_events(bid, history, times=False), bid)

    # ------------------------------------------------------------------------- EPCIS
    def _epcis_input(self, batch: bytes) -> tuple[list[BatchEvent], Batch, Product | None]:
        bid = _b32(batch)
        decoded = self.batch_events(bid, readings=True)
        if not decoded:
            raise DrugTracingError(f"batch 0x{bid.hex()} has no history on this chain")
        info = self.batch(bid)
        assert info is not None
        return decoded, info, self.product(info.gtin)

    def epcis_trace(self, batch: bytes, *, company_prefix_length: int = 7,
                    glns: dict[str, str] | None = None) -> dict[str, Any]:
        """The trace description :func:`medchain.core.standards.epcis.build_epcis_document` takes,
        built from the chain's events (and the readings from the posting transactions).

        Raises:
            DrugTracingError: unknown batch, or readings that do not match their on-chain hash.
        """
        return _history.epcis_trace(*self._epcis_input(batch), company_prefix_length=company_prefix_length, glns=glns)

    def epcis_document(self, batch: bytes, *, company_prefix_length: int = 7, glns: dict[str, str] | None = None,
                       id_scheme: str = "urn", created: Any = None) -> dict[str, Any]:
        """The batch's trace as an EPCIS 2.0 JSON-LD document (CBV vocabulary).

        Raises:
            DrugTracingError: unknown batch. StandardsError: data EPCIS cannot carry.
        """
        return _history.epcis_document(*self._epcis_input(batch), company_prefix_length=company_prefix_length,
                                       glns=glns, id_scheme=id_scheme, created=created)


def _check_reason(reason: str, what: str) -> None:
    if not isinstance(reason, str) or not reason or len(reason.encode()) > 1000:
        raise InvalidInputError(f"{what} needs a reason of 1 to 1000 bytes")


def _topic(item: Any) -> bytes:
    from medchain.core.contracts import _abi_type

    return keccak(text=f"{item['name']}({','.join(_abi_type(i) for i in item['inputs'])})")


# The domain's names, importable from here as before the split (``medchain.drugs`` re-exports them).
__all__ = [
    "DAY", "MAX_READINGS", "NO_RANGE", "READINGS_PER_TX", "Batch", "BatchEvent", "CommissionResult", "CustodyStep",
    "DispenseResult", "DrugsClient", "GS1Error", "HolderPosition", "Product", "QCReports", "Quarantine", "QuarantineState",
    "Reading", "RecallReport", "SerialTree", "ShipmentRef", "ShipmentStatus", "StandardsError", "Stock", "UnitStatus",
    "Verification", "batch_id", "day_timestamp", "gtin_number", "gtin_text", "qc_context", "read_readings_csv",
    "read_serials", "timestamp_day", "unit_leaf", "verify_proof",
]
