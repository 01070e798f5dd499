"""FHIR R4 handling for MedChain records and consents (pure: dicts in, dicts out).

Records are pseudonymous clinical payloads: an Observation, Condition,
MedicationStatement or DiagnosticReport, or a Bundle of only those. A Patient (or
another identity resource: RelatedPerson, Person) is refused anywhere in a record,
including in ``contained``. Validation uses ``fhir.resources``' R4B models (the
R4-compatible package in fhir.resources 8; these resources are unchanged between R4
and R4B), plus the required status value sets, which those models do not enforce.

Consents are rendered as FHIR R4 ``Consent`` resources (:func:`consent_to_fhir`).
Ethereum addresses are written as identifiers in :data:`ETHEREUM_ADDRESS_SYSTEM`
with the EIP-55 checksummed address as value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import pydantic
from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from fhir.resources.R4B import get_fhir_model_class

from medchain.core.errors import FHIRValidationError, StandardsError
from medchain.core.standards.consent_codes import Action, Category, Purpose

__all__ = [
    "ACCEPTED_RECORD_TYPES",
    "CONSENT_ID_SYSTEM",
    "ETHEREUM_ADDRESS_SYSTEM",
    "ETHEREUM_TX_SYSTEM",
    "consent_to_fhir",
    "validate_record",
]

ACCEPTED_RECORD_TYPES = ("Observation", "Condition", "MedicationStatement", "DiagnosticReport")
_IDENTITY_TYPES = frozenset({"Patient", "RelatedPerson", "Person"})

ETHEREUM_ADDRESS_SYSTEM = "https://ethereum.org/address"
"""Identifier system for Ethereum account addresses (value: EIP-55 address)."""
ETHEREUM_TX_SYSTEM = "https://ethereum.org/tx"
"""Identifier system for Ethereum transaction hashes (value: ``0x`` + 64 hex)."""
CONSENT_ID_SYSTEM = "https://medchain.dev/fhir/NamingSystem/consent-id"
"""Identifier system for consent ids issued by the MedChain consent contract."""

# Required bindings the R4B models leave unchecked.
_STATUS_CODES: dict[str, tuple[str, frozenset[str]]] = {
    "Observation": ("status", frozenset(
        "registered preliminary final amended corrected cancelled entered-in-error unknown".split())),
    "DiagnosticReport": ("status", frozenset(
        "registered partial preliminary final amended corrected appended cancelled "
        "entered-in-error unknown".split())),
    "MedicationStatement": ("status", frozenset(
        "active completed entered-in-error intended stopped on-hold unknown not-taken".split())),
    "Bundle": ("type", frozenset(
        "document message transaction transaction-response batch batch-response history "
        "searchset collection".split())),
    "Consent": ("status", frozenset("draft proposed active rejected inactive entered-in-error".split())),
}

_LOINC = "http://loinc.org"
_CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
_ACTCODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
_MAX_UNIX = 253402300799  # 9999-12-31T23:59:59Z; larger "end" values mean no end
_ID_RE = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_TX_RE = re.compile(r"0x[0-9a-fA-F]{64}")
#: Deepest JSON nesting accepted in a record (real FHIR resources stay far below it). Deeper input
#: is refused before validation: the models recurse natively and would overflow the C stack.
MAX_NESTING = 48


# ------------------------------------------------------------------ validation


def _path(root: str, loc: tuple[Any, ...], resource: Mapping[str, Any]) -> str:
    """Turn a pydantic ``loc`` into a FHIR-style path, naming entry resource types."""
    out = root
    node: Any = resource
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{'resourceType' if part == 'resource_type' else part}"
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        if part in ("resource",) and isinstance(node, Mapping) and "resourceType" in node:
            out += f"({node['resourceType']})"
    return out


def _message(error: Mapping[str, Any]) -> str:
    # Input values are not echoed: they may be health data and end up in logs.
    kind = error.get("type", "")
    if kind in ("model_field_validation.missing", "missing"):
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known element"
    if kind == "fhir-validation-wrong-resource-type":
        return "has the wrong resourceType"
    msg = " ".join(str(error.get("msg", "is invalid")).split())
    return msg.removeprefix("Value error, ")


def _validate(resource: Mapping[str, Any], root: str) -> Any:
    model = get_fhir_model_class(root)
    try:
        return model.model_validate(dict(resource))
    except pydantic.ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        path = _path(root, tuple(first.get("loc", ())), resource)
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise FHIRValidationError(_message(first) + more, field=path) from None


def _check_nesting(resource: Any, root: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_NESTING` and ``null`` property values (FHIR JSON
    forbids them; the models would silently drop a null required element). Iterative: no recursion
    on input."""
    stack: list[tuple[Any, int, str]] = [(resource, 1, root)]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_NESTING:
            raise FHIRValidationError(f"is nested deeper than {MAX_NESTING} levels", field=path)
        if isinstance(node, Mapping):
            for k, v in node.items():
                if v is None:
                    raise FHIRValidationError("is null (FHIR JSON has no null properties: omit it)", field=f"{path}.{k}")
                if isinstance(v, (Mapping, list, tuple)):
                    stack.append((v, depth + 1, f"{path}.{k}"))
        elif isinstance(node, (list, tuple)):
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(node) if isinstance(v, (Mapping, list, tuple)))


def _check_type(resource: Any, path: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(resource, Mapping):
        raise FHIRValidationError(f"must be a JSON object, not {type(resource).__name__}", field=path or None)
    rtype = resource.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise FHIRValidationError("is missing", field=f"{path}.resourceType".lstrip("."))
    if rtype not in allowed:
        why = " (records are pseudonymous; identity resources are not allowed)" if rtype in _IDENTITY_TYPES else ""
        raise FHIRValidationError(
            f"resource type {rtype!r} is not accepted{why}; accepted: {', '.join(allowed)}",
            field=f"{path}.resourceType".lstrip("."),
        )
    return rtype


def _check_semantics(resource: Mapping[str, Any], rtype: str, path: str) -> None:
    """Status value sets and identity resources hidden in ``contained``."""
    element, codes = _STATUS_CODES.get(rtype, ("", frozenset()))
    value = resource.get(element) if element else None
    if isinstance(value, str) and value not in codes:  # other types: left to the model
        raise FHIRValidationError(
            f"{value[:40]!r} is not in the required value set ({', '.join(sorted(codes))})",
            field=f"{path}.{element}",
        )
    contained = resource.get("contained")
    for i, inner in enumerate(contained if isinstance(contained, list) else []):
        if isinstance(inner, Mapping) and inner.get("resourceType") in _IDENTITY_TYPES:
            raise FHIRValidationError(
                f"contained {inner['resourceType']} is not allowed (records are pseudonymous)",
                field=f"{path}.contained[{i}]",
            )


def validate_record(resource: dict) -> dict:
    """Validate a record payload and return its canonical dict.

    Args:
        resource: A FHIR R4 resource as parsed JSON: Observation, Condition,
            MedicationStatement, DiagnosticReport, or a Bundle whose entries all
            carry one of those.

    Returns:
        The canonical JSON dict (empty elements dropped, primitives normalised),
        ready for ``json.dumps(..., sort_keys=True, separators=(",", ":"))``.

    Raises:
        FHIRValidationError: Wrong or missing resource type (a Patient anywhere
            included), or an invalid element; ``field`` holds the path, e.g.
            ``Bundle.entry[0].resource(Observation).valueQuantity.value``; or JSON
            nested deeper than :data:`MAX_NESTING` levels, or a ``null`` property.
    """
    rtype = _check_type(resource, "", ACCEPTED_RECORD_TYPES + ("Bundle",))
    _check_nesting(resource, rtype)
    if rtype == "Bundle":
        entries = resource.get("entry")
        if not isinstance(entries, list) or not entries:
            raise FHIRValidationError("a record Bundle needs at least one entry", field="Bundle.entry")
        for i, entry in enumerate(entries):
            where = f"Bundle.entry[{i}]"
            if not isinstance(entry, Mapping) or "resource" not in entry:
                raise FHIRValidationError("has no resource", field=where)
            inner = _check_type(entry["resource"], f"{where}.resource", ACCEPTED_RECORD_TYPES)
            _check_semantics(entry["resource"], inner, f"{where}.resource({inner})")
    _check_semantics(resource, rtype, rtype)
    model = _validate(resource, rtype)
    return json.loads(model.model_dump_json())


# ---------------------------------------------------------------------- consent


def _address(value: Any, field: str) -> str:
    if not isinstance(value, str) or not is_hex_address(value):
        raise StandardsError(f"{value!r} is not a 20-byte hex address", field=field)
    body = value[2:] if value[:2].lower() == "0x" else value
    if body not in (body.lower(), body.upper()) and not is_checksum_address(value):
        raise StandardsError(f"{value!r} has a bad EIP-55 checksum", field=field)
    return to_checksum_address(value)


def _timestamp(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_UNIX:
        raise StandardsError(f"must be unix seconds between 0 and {_MAX_UNIX}, got {value!r}", field=field)
    return value


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _mask(consent: Mapping[str, Any], key: str, kind: type[Category | Purpose | Action]) -> list:
    try:
        members = kind.members(consent.get(key))
    except StandardsError as exc:
        raise StandardsError(str(exc), field=key) from None
    if not members:
        raise StandardsError(f"the mask grants no {kind.__name__.lower()}", field=key)
    return members


def _eth_identifier(address: str) -> dict[str, str]:
    return {"system": ETHEREUM_ADDRESS_SYSTEM, "value": address}


def consent_to_fhir(consent: Mapping[str, Any]) -> dict:
    """Render a MedChain consent as a FHIR R4 ``Consent`` resource.

    Args:
        consent: ``{id, patient, grantee, grantee_name?, categories, purposes,
            actions, start, end, status, granted_at, tx_hash?}``. ``id`` is the
            contract's consent id (int or FHIR id string); ``patient``/``grantee``
            are addresses; the three masks follow
            :mod:`medchain.core.standards.consent_codes`; ``start``/``end``/``granted_at``
            are unix seconds, ``end`` inclusive (FHIR ``Period.end`` is inclusive
            too) and ``None``/``0``/beyond year 9999 meaning no end; ``status`` is an
            R4 Consent status (``draft``, ``proposed``, ``active``, ``rejected``,
            ``inactive``, ``entered-in-error``); ``"revoked"`` and ``"expired"``
            are accepted and written as ``inactive`` (R4: "terminated or replaced").

    Returns:
        The Consent as a JSON dict, already validated with fhir.resources.

    Raises:
        StandardsError: A missing or invalid input field (``field`` names it).
        FHIRValidationError: The built resource does not validate (a bug).
    """
    if not isinstance(consent, Mapping):
        raise StandardsError("consent must be a mapping")
    for key in ("id", "patient", "grantee", "categories", "purposes", "actions", "start", "status", "granted_at"):
        if consent.get(key) is None:
            raise StandardsError("is required", field=key)

    raw_id = consent["id"]
    cid = str(raw_id) if isinstance(raw_id, int) and not isinstance(raw_id, bool) and raw_id >= 0 else raw_id
    if not isinstance(cid, str) or not _ID_RE.fullmatch(cid):
        raise StandardsError(f"{raw_id!r} is not a valid FHIR id", field="id")

    patient = _address(consent["patient"], "patient")
    grantee = _address(consent["grantee"], "grantee")
    categories = _mask(consent, "categories", Category)
    purposes = _mask(consent, "purposes", Purpose)
    actions = _mask(consent, "actions", Action)

    start = _timestamp(consent["start"], "start")
    period = {"start": _iso(start)}
    end = consent.get("end")
    if end not in (None, 0) and not (isinstance(end, int) and not isinstance(end, bool) and end > _MAX_UNIX):
        end = _timestamp(end, "end")
        if end < start:
            raise StandardsError(f"ends ({end}) before it starts ({start})", field="end")
        period["end"] = _iso(end)

    status = consent["status"]
    status = {"revoked": "inactive", "expired": "inactive"}.get(status, status)
    if status not in _STATUS_CODES["Consent"][1]:
        raise StandardsError(
            f"{consent['status']!r} is not an R4 Consent status "
            f"({', '.join(sorted(_STATUS_CODES['Consent'][1]))}, or revoked/expired)",
            field="status",
        )

    # No Reference.type: the grantee may be a practitioner, an organisation or a device.
    grantee_ref: dict[str, Any] = {"identifier": _eth_identifier(grantee)}
    name = consent.get("grantee_name")
    if name is not None:
        if not isinstance(name, str) or not name.strip():
            raise StandardsError("must be a non-empty string", field="grantee_name")
        grantee_ref["display"] = name.strip()

    identifiers = [{"use": "official", "system": CONSENT_ID_SYSTEM, "value": cid}]
    tx_hash = consent.get("tx_hash")
    if tx_hash is not None:
        if not isinstance(tx_hash, str) or not _TX_RE.fullmatch(tx_hash):
            raise StandardsError(f"{tx_hash!r} is not a 32-byte 0x hex hash", field="tx_hash")
        identifiers.append({"use": "secondary", "system": ETHEREUM_TX_SYSTEM, "value": tx_hash.lower()})

    labels = [c.sensitivity.coding() for c in categories if c.sensitivity is not None]
    provision: dict[str, Any] = {
        "type": "permit",
        "period": period,
        "actor": [{
            "role": {"coding": [{"system": _PARTICIPATION, "code": "IRCP", "display": "information recipient"}]},
            "reference": grantee_ref,
        }],
        "action": [{"coding": [a.code.coding()]} for a in actions],
        "purpose": [p.code.coding() for p in purposes],
        "class": [c.code.coding() for c in categories],
    }
    if labels:
        provision["securityLabel"] = labels

    resource = {
        "resourceType": "Consent",
        "id": cid,
        "identifier": identifiers,
        "status": status,
        "scope": {"coding": [{"system": _CONSENT_SCOPE, "code": "patient-privacy", "display": "Privacy Consent"}]},
        "category": [{"coding": [{"system": _LOINC, "code": "59284-0", "display": "Patient Consent"}]}],
        "patient": {"type": "Patient", "identifier": _eth_identifier(patient)},
        "dateTime": _iso(_timestamp(consent["granted_at"], "granted_at")),
        "policyRule": {"coding": [{"system": _ACTCODE, "code": "OPTIN", "display": "opt-in"}]},
        "provision": provision,
    }
    return json.loads(_validate(resource, "Consent").model_dump_json())
