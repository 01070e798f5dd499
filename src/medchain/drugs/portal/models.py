"""The portal's answers, as pydantic models: the JSON API returns them (and OpenAPI documents
them), the HTML templates render the very same objects."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from medchain.drugs.portal.texts import Text

Status = Literal["genuine", "unknown_serial", "dispensed", "recalled", "expired", "quarantined", "destroyed"]
Reason = Literal["genuine", "unknown_product", "unknown_batch", "expiry_mismatch", "unknown_serial", "dispensed",
                 "recalled", "expired", "quarantined", "destroyed"]


class Party(BaseModel):
    """An account, with its name in the participant directory when it has one."""

    address: str
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.address


class CodeOut(BaseModel):
    """The scanned identity, and its canonical GS1 forms."""

    gtin: str
    lot: str
    expiry: dt.date
    serial: str | None = None
    element_string: str
    digital_link: str = Field(description="The GS1 Digital Link path on this portal (no host).")


class ProductOut(BaseModel):
    gtin: str
    name: str
    manufacturer: Party
    min_temperature_c: float
    max_temperature_c: float
    max_humidity_pct: int


class BatchOut(BaseModel):
    id: str = Field(description="The batch id on chain: keccak256(gtin, lot), hex.")
    gtin: str
    lot: str
    production: dt.date
    expiry: dt.date
    units: int
    quarantined: int
    suspected_counterfeits: int
    recalled: bool
    recall_reason: str | None = None
    recalled_at: dt.datetime | None = None
    recalled_by: Party | None = None
    manufacturer: Party
    qc_report_cid: str = ""


class Excursion(BaseModel):
    time: dt.datetime
    temperature_c: float
    humidity_pct: int
    latitude: float
    longitude: float


class ShipmentOut(BaseModel):
    id: str
    sender: Party
    recipient: Party
    quantity: int
    first_unit: int | None = Field(None, description="First unit index shipped, when the range was declared.")
    status: str = Field(description="in_transit, received, rejected, cancelled, quarantined (in transit), "
                                    "quarantined_received, released or destroyed.")
    readings: int
    excursion: Excursion | None = None
    chart_url: str | None = Field(None, description="PNG chart of the readings with the allowed range.")


class CustodyStepOut(BaseModel):
    kind: str = Field(description="commissioned, shipped, received, rejected, cancelled, quarantined, released, "
                                  "destroyed or recalled.")
    label: Text
    time: dt.datetime
    block: int
    party: Party | None = None
    counterparty: Party | None = None
    quantity: int | None = None
    shipment_id: str | None = None


class DispensedOut(BaseModel):
    index: int
    serial: str
    by: Party
    time: dt.datetime | None = None


class SuspectOut(BaseModel):
    serial: str
    presenter: Party
    status: Status


class VerificationOut(BaseModel):
    """What a scanned pack's verification tells, in plain language (English and Chinese)."""

    status: Status
    genuine: bool
    reason: Reason = Field(description="Why, as a code: unknown_* and expiry_mismatch all mean 'not issued by the maker'.")
    headline: Text
    reasons: list[Text]
    advice: Text
    code: CodeOut
    unit_index: int | None = None
    product: ProductOut | None = None
    batch: BatchOut | None = None
    custody_path: list[CustodyStepOut] = Field(description="The moves of this pack's units, oldest first.")
    shipments: list[ShipmentOut] = Field(description="The shipments that carried this pack.")
    dispensed: DispensedOut | None = None


class LotOut(BaseModel):
    """What a batch-level code (no serial) tells."""

    recalled: bool | None
    headline: Text
    reasons: list[Text]
    code: CodeOut
    product: ProductOut | None = None
    batch: BatchOut | None = None
    custody_path: list[CustodyStepOut]


class HolderOut(BaseModel):
    holder: Party
    sellable: int
    quarantined: int
    dispensed: int


class RecallReportOut(BaseModel):
    """Who holds which quantity of a batch, what is in transit, what was dispensed where."""

    batch: BatchOut
    product: ProductOut | None
    holders: list[HolderOut]
    total_held: int
    in_transit: list[ShipmentOut]
    dispensed: list[DispensedOut]
    suspected_counterfeits: list[SuspectOut]


class Health(BaseModel):
    chain_id: int
    block: int
    contract: str
    batches_with_serials: int


class ErrorOut(BaseModel):
    """A refused request: HTTP status, a machine code, the offending field, and a readable message."""

    status: int
    error: str = Field(description="bad_code, not_found, method_not_allowed, invalid_request, unavailable")
    field: str | None = Field(None, description="The GS1 Application Identifier or parameter at fault.")
    message: Text
