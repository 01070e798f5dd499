"""FHIR R4 resources the server builds (OperationOutcome, Bundle, AuditEvent, Provenance,
CapabilityStatement) and the search matching on decrypted records.

Pure: dicts in, dicts out, no chain, no I/O. Nothing here logs: the inputs hold clinical data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from medchain.core.errors import InvalidInputError
from medchain.core.standards.consent_codes import ACTREASON_SYSTEM, CATEGORY_SYSTEM, Category, Purpose
from medchain.core.standards.fhir import ACCEPTED_RECORD_TYPES, ETHEREUM_ADDRESS_SYSTEM, ETHEREUM_TX_SYSTEM

__all__ = [
    "RECORD_ID_SYSTEM",
    "SEARCH_PARAMS",
    "audit_event",
    "bundle",
    "capability_statement",
    "matches",
    "operation_outcome",
    "provenance",
]

RECORD_ID_SYSTEM = "https://medchain.dev/fhir/NamingSystem/record-id"
"""Identifier system of on-chain record ids (value: ``0x`` + 64 hex)."""
_DCM = "http://dicom.nema.org/resources/ontology/DCM"
_AUDIT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
_PROVENANCE_ROLE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
_DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
_SECURITY_ROLE = "http://terminology.hl7.org/CodeSystem/extra-security-role-type"
#: The R4 IssueType codes (an OperationOutcome with another code is a bug).
ISSUE_TYPES = frozenset(
    "invalid structure required value invariant security login unknown expired forbidden suppressed processing "
    "not-supported duplicate multiple-matches not-found deleted too-long code-invalid extension too-costly "
    "business-rule conflict transient lock-error no-store exception timeout incomplete throttled informational".split())
#: The search parameters of every record type.
SEARCH_PARAMS = {"patient": "reference", "category": "token", "code": "token", "date": "date"}

# Where each record type keeps its searchable elements.
_CODE = {"Observation": ("code",), "Condition": ("code",), "DiagnosticReport": ("code",),
         "MedicationStatement": ("medicationCodeableConcept",)}
_CATEGORY = {"Observation": ("category",), "Condition": ("category",), "DiagnosticReport": ("category",),
             "MedicationStatement": ("category",)}
_DATE = {"Observation": ("effectiveDateTime", "effectivePeriod.start", "effectiveInstant", "issued"),
         "Condition": ("onsetDateTime", "onsetPeriod.start", "recordedDate"),
         "DiagnosticReport": ("effectiveDateTime", "effectivePeriod.start", "issued"),
         "MedicationStatement": ("effectiveDateTime", "effectivePeriod.start", "dateAsserted")}
_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?")


def iso(seconds: int) -> str:
    """Unix seconds as a FHIR ``instant`` (UTC)."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def operation_outcome(message: str, *, code: str = "processing", severity: str = "error",
                      expression: str | None = None) -> dict[str, Any]:
    """An OperationOutcome with one issue.

    Args:
        message: ``diagnostics`` (must hold no clinical datum).
        code: The IssueType code (``login``, ``forbidden``, ``not-found``, ``invalid``...).
        expression: The FHIRPath of the offending element, if any.

    Raises:
        ValueError: ``code`` is not an R4 IssueType code (a bug).
    """
    if code not in ISSUE_TYPES:
        raise ValueError(f"{code!r} is not an R4 IssueType code")
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": message}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def bundle(kind: str, entries: Iterable[dict[str, Any]], *, self_url: str, next_url: str | None = None,
           total: int | None = None) -> dict[str, Any]:
    """A ``searchset`` or ``history`` Bundle.

    Args:
        entries: Bundle entries (``fullUrl``, ``resource``, ``search``/``request``...).
        self_url, next_url: The ``self`` and ``next`` links.
    """
    out: dict[str, Any] = {"resourceType": "Bundle", "type": kind,
                           "link": [{"relation": "self", "url": self_url}], "entry": list(entries)}
    if next_url:
        out["link"].append({"relation": "next", "url": next_url})
    if total is not None:
        out["total"] = total
    if not out["entry"]:
        del out["entry"]
    return out


def _eth(address: str, display: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"identifier": {"system": ETHEREUM_ADDRESS_SYSTEM, "value": address}}
    if display and display != address:
        ref["display"] = display
    return ref


def audit_event(access: Mapping[str, Any], *, reader_name: str | None = None) -> dict[str, Any]:
    """An on-chain access (``Access.describe()``) as a FHIR R4 AuditEvent.

    Break-glass reads carry the v3 ActReason ``BTG`` in ``purposeOfEvent`` and ``meta.security``.
    """
    emergency = bool(access["emergency"])
    btg = {"system": ACTREASON_SYSTEM, "code": "BTG", "display": "break the glass"}
    purpose = [{"coding": [btg]}] if emergency else []
    if access.get("purpose"):
        purpose.append({"coding": [Purpose.parse(access["purpose"]).code.coding()]})
    tx = str(access["txHash"])
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": tx.removeprefix("0x")[:64],
        "type": {"system": _DCM, "code": "110110", "display": "Patient Record"},
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": "read", "display": "read"}],
        "action": "R",
        "recorded": iso(int(access["timestamp"])),
        "outcome": "0",
        "agent": [{"who": _eth(access["reader"], reader_name), "requestor": True}],
        "source": {"observer": {"display": "MedChain ConsentRegistry (on-chain access log)"},
                   "type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4",
                             "display": "Application Server"}]},
        "entity": [
            {"what": _eth(access["patient"]),
             "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1",
                      "display": "Person"}},
            {"what": {"identifier": {"system": RECORD_ID_SYSTEM, "value": access["recordId"]}},
             "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2",
                      "display": "System Object"}},
            {"what": {"identifier": {"system": ETHEREUM_TX_SYSTEM, "value": tx}}, "name": "on-chain transaction"},
        ],
    }
    if access.get("category"):
        event["entity"][1]["securityLabel"] = [Category.parse(access["category"]).code.coding()]
    if emergency:
        event["meta"] = {"security": [btg]}
        if access.get("reasonHash"):
            event["entity"].append({"what": {"display": "keccak256 of the break-glass reason"},
                                    "name": str(access["reasonHash"])})
    if purpose:
        event["purposeOfEvent"] = purpose
    return event


def provenance(version: Mapping[str, Any], *, number: int, target: str, author_name: str | None = None,
               previous: str | None = None) -> dict[str, Any]:
    """Who anchored one version of a record, as a FHIR R4 Provenance.

    Args:
        version: ``RecordInfo.describe()`` of the version.
        number: Its 1-based version number in the lineage.
        target: ``Type/id`` of the record (its logical id); ``None`` type: only the identifier.
        previous: The record id of the version it supersedes.
    """
    target_ref: dict[str, Any] = {"identifier": {"system": RECORD_ID_SYSTEM, "value": version["recordId"]}}
    if "/" in target:
        target_ref["reference"] = f"{target}/_history/{number}"
    out: dict[str, Any] = {
        "resourceType": "Provenance",
        "id": f"{str(version['recordId']).removeprefix('0x')[:60]}-p{number}"[-64:],
        "target": [target_ref],
        "recorded": iso(int(version["anchoredAt"])),
        "activity": {"coding": [{"system": _DATA_OPERATION, "code": "CREATE" if number == 1 else "UPDATE"}]},
        "agent": [{"type": {"coding": [{"system": _PROVENANCE_ROLE, "code": "author", "display": "Author"}]},
                   "who": _eth(version["author"], author_name)}],
        "entity": [{"role": "source", "what": {"identifier": {"system": ETHEREUM_TX_SYSTEM,
                                                              "value": version["txHash"]},
                                               "display": f"anchor transaction; ciphertext {version['cid']}"}}],
    }
    if previous:
        out["entity"].append({"role": "revision", "what": {"identifier": {"system": RECORD_ID_SYSTEM, "value": previous}}})
    return out


def capability_statement(base_url: str, token_url: str, *, date: str) -> dict[str, Any]:
    """The server's CapabilityStatement (``GET /fhir/metadata``)."""
    search = [{"name": n, "type": t} for n, t in SEARCH_PARAMS.items()] + [{"name": "_count", "type": "number"}]
    interactions = [{"code": c} for c in ("read", "vread", "history-instance", "search-type", "create", "update")]
    resources = [{"type": t, "versioning": "versioned", "readHistory": True, "updateCreate": False,
                  "interaction": interactions, "searchParam": search} for t in ACCEPTED_RECORD_TYPES]
    resources.append({"type": "Bundle", "interaction": [{"code": "read"}, {"code": "vread"}, {"code": "create"},
                                                         {"code": "update"}, {"code": "history-instance"}]})
    resources += [
        {"type": "Consent", "interaction": [{"code": "search-type"}], "searchParam": [{"name": "patient", "type": "reference"}]},
        {"type": "AuditEvent", "interaction": [{"code": "search-type"}],
         "searchParam": [{"name": "patient", "type": "reference"}]},
        {"type": "Provenance", "interaction": [{"code": "search-type"}],
         "searchParam": [{"name": "target", "type": "reference"}]},
    ]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "MedChain",
        "kind": "instance",
        "software": {"name": "MedChain FHIR server"},
        "implementation": {"description": "MedChain records: encrypted on IPFS, anchored and consent-checked on chain",
                           "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": {
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                         "code": "SMART-on-FHIR"}]}],
                "description": "SMART Backend Services: POST a JWT client assertion signed ES256K with the "
                               "organisation's account key to the token URL; send the bearer token it returns.",
                "extension": [{"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                               "extension": [{"url": "token", "valueUri": token_url}]}],
            },
            "resource": resources,
        }],
    }


# ------------------------------------------------------------------ search matching


def _values(resource: Mapping[str, Any], path: str) -> list[Any]:
    nodes: list[Any] = [resource]
    for part in path.split("."):
        nxt: list[Any] = []
        for node in nodes:
            value = node.get(part) if isinstance(node, Mapping) else None
            nxt.extend(value if isinstance(value, list) else [value] if value is not None else [])
        nodes = nxt
    return nodes


def _codings(resource: Mapping[str, Any], paths: Iterable[str]) -> list[tuple[str | None, str | None]]:
    out = []
    for path in paths:
        for concept in _values(resource, path):
            for coding in concept.get("coding", []) if isinstance(concept, Mapping) else []:
                if isinstance(coding, Mapping):
                    out.append((coding.get("system"), coding.get("code")))
    return out


def _token_matches(value: str, codings: list[tuple[str | None, str | None]]) -> bool:
    """FHIR token search: ``code``, ``system|code``, ``|code`` (no system), ``system|``; commas OR."""
    for alt in value.split(","):
        if "|" in alt:
            system, code = alt.split("|", 1)
            if any((s or "") == system and (not code or c == code) for s, c in codings):
                return True
        elif any(c == alt for _, c in codings):
            return True
    return False


def parse_date(text: str) -> tuple[datetime, datetime]:
    """A FHIR date/dateTime as the half-open interval its precision covers (UTC).

    Raises:
        InvalidInputError: not a FHIR date or dateTime.
    """
    m = _DATE_RE.fullmatch(text.strip())
    if not m:
        raise InvalidInputError(f"{text[:40]!r} is not a FHIR date or dateTime")
    y, mo, d, h, mi, s, tz = m.groups()
    try:
        if mo is None:
            lo = datetime(int(y), 1, 1, tzinfo=timezone.utc)
            return lo, lo.replace(year=lo.year + 1)
        if d is None:
            lo = datetime(int(y), int(mo), 1, tzinfo=timezone.utc)
            return lo, (lo.replace(year=lo.year + 1, month=1) if lo.month == 12 else lo.replace(month=lo.month + 1))
        if h is None:
            lo = datetime(int(y), int(mo), int(d), tzinfo=timezone.utc)
            return lo, lo + timedelta(days=1)
        zone = timezone.utc if tz in (None, "Z") else datetime.strptime(tz.replace(":", ""), "%z").tzinfo
        lo = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=zone).astimezone(timezone.utc)
        return lo, lo + (timedelta(seconds=1) if s is not None else timedelta(minutes=1))
    except ValueError:
        raise InvalidInputError(f"{text[:40]!r} is not a valid date") from None


def check_date_param(value: str) -> tuple[str, tuple[datetime, datetime]]:
    """Split a ``date`` search value into its prefix and interval.

    Raises:
        InvalidInputError: bad prefix or date.
    """
    prefix = value[:2] if value[:2] in _PREFIXES else "eq"
    return prefix, parse_date(value[2:] if value[:2] in _PREFIXES else value)


def _date_matches(value: str, resource: Mapping[str, Any], rtype: str) -> bool:
    prefix, (lo, hi) = check_date_param(value)
    for path in _DATE.get(rtype, ()):
        for text in _values(resource, path):
            try:
                t = parse_date(str(text))[0]
            except InvalidInputError:
                continue
            hit = {"eq": lo <= t < hi, "ne": not lo <= t < hi, "lt": t < lo, "le": t < hi,
                   "gt": t >= hi, "ge": t >= lo}[prefix]
            if hit:
                return True
    return False


def matches(resource: Mapping[str, Any], rtype: str, params: Mapping[str, list[str]], category: int) -> bool:
    """Whether a decrypted record of MedChain ``category`` matches the search ``params``.

    ``category`` matches the resource's own category codings, or (a token in
    :data:`~medchain.core.standards.consent_codes.CATEGORY_SYSTEM`, or a bare MedChain category code)
    the record's MedChain data category. ``code`` and ``date`` as in FHIR R4 search; several values
    of one parameter are ANDed, commas within one value ORed.
    """
    if resource.get("resourceType") != rtype:
        return False
    medchain: list[tuple[str | None, str | None]] = [(CATEGORY_SYSTEM, Category(category).code.code)]
    for value in params.get("category", []):
        if not _token_matches(value, _codings(resource, _CATEGORY.get(rtype, ())) + medchain):
            return False
    for value in params.get("code", []):
        if not _token_matches(value, _codings(resource, _CODE.get(rtype, ()))):
            return False
    return all(_date_matches(value, resource, rtype) for value in params.get("date", []))
