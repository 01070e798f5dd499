"""Drug batch tracing: products, batches, custody, cold chain, recalls, verification and the portal.

The public names of the domain, re-exported: ``from medchain.drugs import …``. The modules:
:mod:`~medchain.drugs.model` (records, serial trees, readings), :mod:`~medchain.drugs.client`
(the contract client), :mod:`~medchain.drugs.history` (reports from a batch's events),
:mod:`~medchain.drugs.qc` (sealed QC reports) and :mod:`~medchain.drugs.chart`.
"""

from __future__ import annotations

from medchain.drugs.chart import temperature_chart
from medchain.drugs.client import CommissionResult, DispenseResult, DrugsClient, Verification
from medchain.drugs.history import (
    BatchEvent,
    CustodyStep,
    HolderPosition,
    RecallReport,
    custody_path,
    decode_events,
    epcis_document,
    epcis_trace,
    posted_readings,
    recall_report,
)
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

__all__ = [
    "DAY", "MAX_READINGS", "NO_RANGE", "READINGS_PER_TX", "Batch", "BatchEvent", "CommissionResult", "CustodyStep",
    "DispenseResult", "DrugsClient", "HolderPosition", "Product", "QCReports", "Quarantine", "QuarantineState", "Reading",
    "RecallReport", "SerialTree", "ShipmentRef", "ShipmentStatus", "Stock", "UnitStatus", "Verification", "batch_id",
    "custody_path", "day_timestamp", "decode_events", "epcis_document", "epcis_trace", "gtin_number", "gtin_text",
    "posted_readings", "qc_context", "read_readings_csv", "read_serials", "recall_report", "temperature_chart",
    "timestamp_day", "unit_leaf", "verify_proof",
]
