"""X12 835 remittance codes and FHIR R4 ClaimResponse adjudication (pure: numbers and dicts in, dicts out).

The claim contract records one reason code per line (an X12 Claim Adjustment Reason Code, CARC)
and the line's amounts. This module turns them into what an insurer's integrator expects:

- :data:`CARC`: the reason codes MedChain uses (and common reviewer codes), with their X12
  description and default group code (CO contractual obligation, PR patient responsibility,
  OA other adjustment);
- :func:`adjustments`: the 835 ``CAS`` adjustments of a line (group, reason, amount), which always
  add up to ``billed - payer``;
- :data:`ADJUDICATION`: the FHIR ClaimResponse adjudication categories (HL7 ``adjudication``
  code system; CARIN Blue Button for coinsurance and member liability);
- :func:`line_adjudication` and :func:`claim_response`: a FHIR R4 ``ClaimResponse`` resource.

Amounts are integers in the settlement token's base units; ``decimals`` converts them to money.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from medchain.core.errors import StandardsError

__all__ = [
    "ADJUDICATION",
    "ADJUDICATION_SYSTEM",
    "C4BB_ADJUDICATION_SYSTEM",
    "CARC",
    "CARC_SYSTEM",
    "GROUP_CODES",
    "Adjustment",
    "Reason",
    "adjustments",
    "claim_response",
    "describe",
    "line_adjudication",
    "money",
    "reason",
]

CARC_SYSTEM = "https://x12.org/codes/claim-adjustment-reason-codes"
ADJUDICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/adjudication"
C4BB_ADJUDICATION_SYSTEM = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
OUTCOME_SYSTEM = "http://hl7.org/fhir/remittance-outcome"

#: X12 claim adjustment group codes.
GROUP_CODES = {
    "CO": "Contractual Obligations",
    "PR": "Patient Responsibility",
    "OA": "Other Adjustments",
    "PI": "Payor Initiated Reductions",
    "CR": "Corrections and Reversals",
}


@dataclass(frozen=True)
class Reason:
    """One CARC: its code, X12 description and the group code it is reported under by default."""

    code: int
    description: str
    group: str

    def coding(self) -> dict[str, str]:
        return {"system": CARC_SYSTEM, "code": str(self.code), "display": self.description}


#: The CARCs MedChain's rules produce, plus codes a reviewer commonly gives.
CARC: dict[int, Reason] = {r.code: r for r in [
    Reason(1, "Deductible Amount", "PR"),
    Reason(2, "Coinsurance Amount", "PR"),
    Reason(3, "Co-payment Amount", "PR"),
    Reason(11, "The diagnosis is inconsistent with the procedure", "CO"),
    Reason(16, "Claim/service lacks information or has submission/billing error(s)", "CO"),
    Reason(18, "Exact duplicate claim/service", "OA"),
    Reason(27, "Expenses incurred after coverage terminated", "PR"),
    Reason(29, "The time limit for filing has expired", "CO"),
    Reason(45, "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement", "CO"),
    Reason(50, "These are non-covered services because this is not deemed a 'medical necessity' by the payer", "CO"),
    Reason(96, "Non-covered charge(s)", "PR"),
    Reason(97, "The benefit for this service is included in the payment/allowance for another service", "CO"),
    Reason(119, "Benefit maximum for this time period or occurrence has been reached", "PR"),
    Reason(197, "Precertification/authorization/notification/pre-treatment absent", "CO"),
    Reason(204, "This service/equipment/drug is not covered under the patient's current benefit plan", "PR"),
]}

#: FHIR ClaimResponse adjudication categories: key -> (system, code, display).
ADJUDICATION: dict[str, tuple[str, str, str]] = {
    "submitted": (ADJUDICATION_SYSTEM, "submitted", "Submitted Amount"),
    "eligible": (ADJUDICATION_SYSTEM, "eligible", "Eligible Amount"),
    "deductible": (ADJUDICATION_SYSTEM, "deductible", "Deductible"),
    "copay": (ADJUDICATION_SYSTEM, "copay", "CoPay"),
    "coinsurance": (C4BB_ADJUDICATION_SYSTEM, "coinsurance", "Co-insurance"),
    "memberliability": (C4BB_ADJUDICATION_SYSTEM, "memberliability", "Member liability"),
    "benefit": (ADJUDICATION_SYSTEM, "benefit", "Benefit Amount"),
}

#: Line and claim statuses as the contract numbers them.
LINE_STATUS = {1: "approved", 2: "denied", 3: "pending"}
CLAIM_STATUS = {1: "approved", 2: "partially approved", 3: "denied", 4: "pending review"}


def reason(code: int) -> Reason:
    """The CARC ``code``.

    Raises:
        StandardsError: a code MedChain does not know (the message lists the known ones).
    """
    if isinstance(code, bool) or not isinstance(code, int) or code not in CARC:
        raise StandardsError(f"unknown CARC {code!r} (known: {', '.join(str(c) for c in sorted(CARC))})", "reason")
    return CARC[code]


def describe(code: int) -> str:
    """``"45 Charge exceeds fee schedule…"``; an unknown code is shown as ``CARC <n>``."""
    return f"{code} {CARC[code].description}" if code in CARC else f"CARC {code}"


@dataclass(frozen=True)
class Adjustment:
    """One 835 CAS adjustment."""

    group: str
    reason: int
    amount: int


def adjustments(line: Mapping[str, Any]) -> list[Adjustment]:
    """The 835 adjustments of one adjudicated line.

    Args:
        line: ``status`` (``approved``/``denied``/``pending``), ``reason`` (CARC or 0) and the
            amounts ``billed``, ``allowed``, ``deductible``, ``copay``, ``coinsurance``,
            ``patient_responsibility``, ``payer`` (base units).

    Returns:
        The adjustments; for a decided line their amounts add up to ``billed - payer``. A pending
        line has none (it is not yet adjudicated).

    Raises:
        StandardsError: a missing or negative amount, or amounts that do not add up.
    """
    amounts = {k: _amount(line, k) for k in
               ("billed", "allowed", "deductible", "copay", "coinsurance", "patient_responsibility", "payer")}
    status = line.get("status")
    code = int(line.get("reason") or 0)
    if status == "pending":
        return []
    if status == "denied":
        group = CARC[code].group if code in CARC else "CO"
        return [Adjustment(group, code, amounts["billed"])] if amounts["billed"] else []
    if status != "approved":
        raise StandardsError(f"unknown line status {status!r}", "status")
    out = []
    if amounts["billed"] > amounts["allowed"]:
        out.append(Adjustment("CO", 45, amounts["billed"] - amounts["allowed"]))
    for key, carc in (("deductible", 1), ("coinsurance", 2), ("copay", 3)):
        if amounts[key]:
            out.append(Adjustment("PR", carc, amounts[key]))
    overflow = amounts["patient_responsibility"] - amounts["deductible"] - amounts["copay"] - amounts["coinsurance"]
    if overflow < 0 or amounts["allowed"] - amounts["patient_responsibility"] != amounts["payer"]:
        raise StandardsError("allowed - patient responsibility must equal the payer amount", "payer")
    if overflow:
        out.append(Adjustment("PR", 119, overflow))
    return out


def _amount(line: Mapping[str, Any], key: str) -> int:
    value = line.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise StandardsError(f"must be a non-negative integer amount, got {value!r}", key)
    return value


def money(base_units: int, decimals: int) -> float:
    """Base units as a FHIR Money ``value`` (exact for every amount a 6-decimal token can hold)."""
    return float(Decimal(base_units).scaleb(-decimals))


def _money(base_units: int, decimals: int, currency: str) -> dict[str, Any]:
    return {"value": money(base_units, decimals), "currency": currency}


def line_adjudication(line: Mapping[str, Any], decimals: int, currency: str = "USD") -> list[dict[str, Any]]:
    """The FHIR ``ClaimResponse.item.adjudication`` list of one line: submitted, eligible,
    deductible, copay, coinsurance, member liability and benefit amounts, each with the CARC
    reason where one applies."""
    adj: list[dict[str, Any]] = []
    status = line.get("status")
    code = int(line.get("reason") or 0)

    def add(key: str, amount: int, carc: int | None = None) -> None:
        system, c, display = ADJUDICATION[key]
        entry: dict[str, Any] = {"category": {"coding": [{"system": system, "code": c, "display": display}]},
                                 "amount": _money(amount, decimals, currency)}
        if carc:
            entry["reason"] = {"coding": [CARC[carc].coding() if carc in CARC else
                                          {"system": CARC_SYSTEM, "code": str(carc)}]}
        adj.append(entry)

    add("submitted", _amount(line, "billed"))
    if status == "pending":
        add("eligible", 0, code or None)
        return adj
    add("eligible", _amount(line, "allowed"), code if code and code != 119 else None)
    add("deductible", _amount(line, "deductible"))
    add("copay", _amount(line, "copay"))
    add("coinsurance", _amount(line, "coinsurance"))
    add("memberliability", _amount(line, "patient_responsibility"), 119 if code == 119 else None)
    add("benefit", _amount(line, "payer"))
    return adj


def claim_response(claim: Mapping[str, Any], *, decimals: int, currency: str = "USD",
                   insurer_system: str = "https://ethereum.org/address", created: str | None = None) -> dict[str, Any]:
    """A FHIR R4 ``ClaimResponse`` for one adjudicated claim.

    Args:
        claim: ``id`` (claim id hex), ``status`` (claim status name), ``patient``, ``insurer``,
            ``provider`` (addresses), ``service_date`` (ISO date) and ``lines`` (dicts as for
            :func:`adjustments`, plus ``code``), optionally ``preauth`` etc. ignored.
        decimals: The settlement token's decimals.
        currency: The ISO 4217 currency the token tracks.
        insurer_system: Identifier system for the parties' addresses.
        created: ``ClaimResponse.created`` (ISO date-time; default: the service date).

    Returns:
        The resource as a dict.

    Raises:
        StandardsError: missing fields or inconsistent amounts.
    """
    for key in ("id", "status", "patient", "insurer", "provider", "service_date", "lines"):
        if key not in claim:
            raise StandardsError("missing", key)
    lines: Iterable[Mapping[str, Any]] = claim["lines"]
    items = []
    totals = {"submitted": 0, "eligible": 0, "benefit": 0, "memberliability": 0}
    for n, line in enumerate(lines, start=1):
        adjustments(line)  # validates the amounts
        items.append({"itemSequence": n, "adjudication": line_adjudication(line, decimals, currency)})
        totals["submitted"] += line["billed"]
        if line.get("status") != "pending":
            totals["eligible"] += line["allowed"]
            totals["benefit"] += line["payer"]
            totals["memberliability"] += line["patient_responsibility"]
    pending = claim["status"] == "pending review"
    disposition = {"approved": "Claim approved", "partially approved": "Claim partially approved",
                   "denied": "Claim denied", "pending review": "Claim pended for manual review"}.get(claim["status"])
    if disposition is None:
        raise StandardsError(f"unknown claim status {claim['status']!r}", "status")

    def ref(address: str) -> dict[str, Any]:
        return {"identifier": {"system": insurer_system, "value": address}}

    return {
        "resourceType": "ClaimResponse",
        "id": str(claim["id"]).removeprefix("0x")[:64],
        "identifier": [{"system": "https://medchain.dev/fhir/NamingSystem/claim-id", "value": str(claim["id"])}],
        "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                             "code": "pharmacy" if claim.get("pharmacy") else "professional"}]},
        "use": "claim",
        "patient": ref(claim["patient"]),
        "created": created or f"{claim['service_date']}T00:00:00Z",
        "insurer": ref(claim["insurer"]),
        "requestor": ref(claim["provider"]),
        "outcome": "partial" if pending else "complete",
        "disposition": disposition,
        "item": items,
        "total": [{"category": {"coding": [{"system": ADJUDICATION[k][0], "code": ADJUDICATION[k][1],
                                            "display": ADJUDICATION[k][2]}]},
                   "amount": _money(v, decimals, currency)} for k, v in totals.items()],
        "payment": {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/ex-paymenttype",
                                         "code": "complete" if not pending else "partial"}]},
                    "amount": _money(totals["benefit"], decimals, currency)},
    }
