"""Drug batch tracing: products, batches, custody, cold chain, recalls, verification and the portal.

The public names of the domain, re-exported: ``from medchain.drugs import …``.
"""

from __future__ import annotations

from medchain.drugs.client import (NO_RANGE, MAX_READINGS, READINGS_PER_TX, DAY, UnitStatus, QuarantineState, ShipmentStatus, gtin_number, gtin_text, batch_id, day_timestamp, timestamp_day, unit_leaf, SerialTree, verify_proof, read_serials, Reading, read_readings_csv, Product, Batch, Stock, Quarantine, ShipmentRef, CustodyStep, Verification, HolderPosition, RecallReport, DispenseResult, CommissionResult, DrugsClient, qc_context)
from medchain.drugs.chart import (temperature_chart)

__all__ = ['Batch', 'CommissionResult', 'CustodyStep', 'DAY', 'DispenseResult', 'DrugsClient', 'HolderPosition', 'MAX_READINGS', 'NO_RANGE', 'Product', 'Quarantine', 'QuarantineState', 'READINGS_PER_TX', 'Reading', 'RecallReport', 'SerialTree', 'ShipmentRef', 'ShipmentStatus', 'Stock', 'UnitStatus', 'Verification', 'batch_id', 'day_timestamp', 'gtin_number', 'gtin_text', 'qc_context', 'read_readings_csv', 'read_serials', 'temperature_chart', 'timestamp_day', 'unit_leaf', 'verify_proof']
