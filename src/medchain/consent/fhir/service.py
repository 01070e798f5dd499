"""What the FHIR server does, as the signed-in organisation: reads, searches and writes go through
:class:`~medchain.consent.RecordsClient` (consent checked, the access logged on chain, the ciphertext
verified and decrypted); consents, the access log and record provenance come from the chain.

Trust model: the service holds the account keys of the organisations it serves (``accounts``),
because unwrapping a record's data key needs the reader's private key. It acts only as the
organisation a request's bearer token names, and serves no other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from medchain.consent.client import ConsentClient, parse_category, record_key
from medchain.consent.fhir.auth import AuthError
from medchain.consent.fhir.resources import (
    audit_event,
    check_date_param,
    iso,
    matches,
    provenance,
)
from medchain.consent.records import RecordInfo, RecordsClient
from medchain.core.crypto import KeyVault, vault_record_key
from medchain.core.deploy import Suite
from medchain.core.errors import (
    AccessDeniedError,
    ContractRevert,
    FHIRValidationError,
    IntegrityError,
    InvalidInputError,
    NotARecipientError,
    RecordErasedError,
    RecordError,
    StorageError,
)
from medchain.core.registry import Kind
from medchain.core.standards.consent_codes import CATEGORY_SYSTEM, Action, Category, Purpose
from medchain.core.standards.fhir import ACCEPTED_RECORD_TYPES, ETHEREUM_ADDRESS_SYSTEM, validate_record
from medchain.core.storage import ContentStore
from medchain.core.tx import Sender

__all__ = ["FhirError", "FhirService", "Page", "RECORD_TYPES"]

log = logging.getLogger(__name__)

#: Resource types served as records (read, write, history); all but Bundle are searchable.
RECORD_TYPES = (*ACCEPTED_RECORD_TYPES, "Bundle")


class FhirError(Exception):
    """A request the server refuses, as an HTTP status and an OperationOutcome issue.

    Attributes:
        status: 400, 403, 404, 410, 422, 502, 503.
        code: The OperationOutcome IssueType code.
        expression: The offending element's FHIRPath, if any.
    """

    def __init__(self, status: int, message: str, *, code: str = "processing", expression: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.expression = expression


@dataclass(frozen=True)
class Page:
    """One page of search results.

    Attributes:
        resources: The matching resources, decorated with ``id`` and ``meta``.
        next_offset: Where the next page starts in the candidate list (``None``: no more).
    """

    resources: list[dict[str, Any]]
    next_offset: int | None


def fhir_id(record_id: bytes) -> str:
    """A record id as a FHIR id: its 64 hex digits (FHIR ids are at most 64 characters)."""
    return record_id.hex()


def parse_fhir_id(value: str) -> bytes:
    """The record id a FHIR id (64 hex, ``0x`` optional) names.

    Raises:
        FhirError: 404, not a record id.
    """
    try:
        return record_key(value if value.startswith("0x") else "0x" + value)
    except InvalidInputError:
        raise FhirError(404, f"{value[:70]!r} is not a MedChain record id (64 hex digits)", code="not-found") from None


def parse_patient(value: str) -> str:
    """A patient search value (``0x…``, ``Patient/0x…`` or ``<ETHEREUM_ADDRESS_SYSTEM>|0x…``) as an address.

    Raises:
        FhirError: 400, not an address.
    """
    text = value.strip()
    if "|" in text:
        system, _, text = text.partition("|")
        if system and system != ETHEREUM_ADDRESS_SYSTEM:
            raise FhirError(400, f"patient identifiers are in {ETHEREUM_ADDRESS_SYSTEM}", code="invalid",
                            expression="patient")
    text = text.removeprefix("Patient/")
    try:
        return to_checksum_address(text)
    except (ValueError, TypeError):
        raise FhirError(400, "patient must be an Ethereum address (0x + 40 hex), Patient/<address> or "
                             f"{ETHEREUM_ADDRESS_SYSTEM}|<address>", code="invalid", expression="patient") from None


class FhirService:
    """The FHIR operations over the chain, the store and the vault.

    Args:
        suite: The deployed suite.
        store: The ciphertext store.
        vault: The wrapped data keys.
        accounts: The organisations' account keys this server acts with (its keystore).

    All chain work is serialised by one lock (the embedded chain is not thread-safe and each
    organisation's nonces must stay in order).
    """

    def __init__(self, suite: Suite, store: ContentStore, vault: KeyVault, accounts: Iterable[LocalAccount]):
        self.suite = suite
        self.store = store
        self.vault = vault
        self._clients: dict[str, RecordsClient] = {
            str(a.address): RecordsClient(suite, Sender(suite.chain, a), store, vault) for a in accounts}
        self.chain_reader = ConsentClient(suite)
        self.lock = threading.RLock()

    @property
    def addresses(self) -> set[str]:
        """The organisations this server serves."""
        return set(self._clients)

    # ------------------------------------------------------------------ identity
    def refusal(self, address: str) -> AuthError | None:
        """Why ``address`` may not use the server now, or ``None`` when it is an active organisation.

        Returns:
            401 when unregistered or not an organisation, 403 when suspended.
        """
        with self.lock:
            p = self.chain_reader.participant(address)
        if p.kind == Kind.NONE:
            return AuthError(f"{address} is not registered in the participant registry")
        if p.kind != Kind.ORGANIZATION:
            return AuthError(f"{address} is not an organisation (only organisations sign in)")
        if p.suspended:
            return AuthError(f"{address} is suspended in the participant registry", status=403, code="forbidden",
                             oauth="unauthorized_client")
        return None

    def _client(self, org: str) -> RecordsClient:
        client = self._clients.get(org)
        if client is None:  # the authenticator refuses such tokens; a second check costs nothing
            raise FhirError(403, f"this server holds no key for {org}", code="forbidden")
        return client

    # ------------------------------------------------------------------ helpers
    def _lineage(self, rc: RecordsClient, rid: bytes) -> list[RecordInfo]:
        try:
            return rc.history(rid)
        except RecordError:
            raise FhirError(404, f"no record {fhir_id(rid)}", code="not-found") from None

    def _get(self, rc: RecordsClient, info: RecordInfo) -> dict[str, Any]:
        """``RecordsClient.get`` (a logged read) with its errors as FHIR errors."""
        try:
            return rc.get(info.record_id)
        except RecordErasedError:
            raise FhirError(410, f"record {fhir_id(info.record_id)} was erased", code="deleted") from None
        except AccessDeniedError as exc:
            raise FhirError(403, str(exc), code="forbidden") from None
        except NotARecipientError:
            raise FhirError(403, f"{rc.sender.address} holds no data key for record {fhir_id(info.record_id)}: "
                                 "the patient (or the author) must share it", code="forbidden") from None
        except IntegrityError as exc:
            raise FhirError(502, f"record {fhir_id(info.record_id)} failed verification: {exc}", code="exception") from None
        except StorageError as exc:
            raise FhirError(503, f"the record store cannot deliver the record: {type(exc).__name__}",
                            code="transient") from None
        except ContractRevert as exc:
            raise FhirError(403, f"the chain refused to log the access: {exc}", code="forbidden") from None

    @staticmethod
    def _decorate(resource: dict[str, Any], lineage: list[RecordInfo], index: int) -> dict[str, Any]:
        """Set the logical id (the lineage's first record id), ``meta.versionId`` and ``lastUpdated``."""
        info = lineage[index]
        out = dict(resource)
        out["id"] = fhir_id(lineage[0].record_id)
        meta = dict(out.get("meta") or {})
        meta["versionId"] = str(index + 1)
        meta["lastUpdated"] = iso(info.anchored_at)
        tag = Category(info.category).code.coding()
        tags = [t for t in meta.get("tag", []) if not (isinstance(t, Mapping) and t.get("system") == CATEGORY_SYSTEM)]
        meta["tag"] = [*tags, tag]
        out["meta"] = meta
        return out

    def _may_read(self, rc: RecordsClient, info: RecordInfo) -> bool:
        c = rc.consent.consent(info.patient, rc.sender.address)
        return (c.covers(info.category, int(Purpose.TREATMENT), int(Action.READ), self.suite.chain.now())
                and rc.sender.address in self.vault.readers(vault_record_key(info.record_id, 0)))

    # ------------------------------------------------------------------ reads
    def read(self, org: str, rtype: str, rid: str, version: int | None = None) -> dict[str, Any]:
        """One record (its current version, or version ``version``), a logged read.

        Raises:
            FhirError: 404 unknown (or of another type), 410 erased, 403 no consent or key.
        """
        with self.lock:
            rc = self._client(org)
            lineage = self._lineage(rc, parse_fhir_id(rid))
            if version is not None and not 1 <= version <= len(lineage):
                raise FhirError(404, f"record {rid} has no version {version}", code="not-found")
            index = len(lineage) - 1 if version is None else version - 1
            if lineage[index].erased:
                raise FhirError(410, f"record {rid} was erased", code="deleted")
            resource = self._get(rc, lineage[index])
        if resource.get("resourceType") != rtype:
            raise FhirError(404, f"record {rid} is not a {rtype}", code="not-found")
        log.info("%s read a %s record (version %d)", org, rtype, index + 1)
        return self._decorate(resource, lineage, index)

    def history(self, org: str, rtype: str, rid: str) -> list[tuple[dict[str, Any], RecordInfo, int]]:
        """Every readable version of a record, newest first (each a logged read).

        Returns:
            ``(resource, version info, version number)`` triples.

        Raises:
            FhirError: as :meth:`read`.
        """
        with self.lock:
            rc = self._client(org)
            lineage = self._lineage(rc, parse_fhir_id(rid))
            if all(v.erased for v in lineage):
                raise FhirError(410, f"record {rid} was erased", code="deleted")
            out = []
            for index in reversed(range(len(lineage))):
                if lineage[index].erased:
                    continue
                resource = self._get(rc, lineage[index])
                if resource.get("resourceType") != rtype:
                    raise FhirError(404, f"record {rid} is not a {rtype}", code="not-found")
                out.append((self._decorate(resource, lineage, index), lineage[index], index + 1))
        return out

    def search(self, org: str, rtype: str, params: Mapping[str, list[str]], *, offset: int, count: int) -> Page:
        """Search the records of one patient that ``org`` may read.

        Only records whose category ``org`` holds an active read consent for, and whose data key it
        holds, are candidates; each candidate decrypted is a logged read (the type, codes and dates
        are inside the ciphertext). Pages resume in the candidate list, so no candidate is decrypted
        twice by paging.

        Args:
            params: ``patient`` (required), ``category``, ``code``, ``date`` (each value list ANDed).
            offset: Where to start in the candidate list. count: Page size.

        Raises:
            FhirError: 400 no or bad patient, bad date.
        """
        if not params.get("patient"):
            raise FhirError(400, "a search needs patient=<address>", code="required", expression="patient")
        patients = {parse_patient(p) for p in params["patient"]}
        if len(patients) != 1:
            raise FhirError(400, "search one patient at a time", code="not-supported", expression="patient")
        patient = patients.pop()
        for value in params.get("date", []):
            try:
                check_date_param(value)
            except InvalidInputError as exc:
                raise FhirError(400, str(exc), code="invalid", expression="date") from None
        only = _medchain_categories(params.get("category", []))
        hits: list[dict[str, Any]] = []
        with self.lock:
            rc = self._client(org)
            infos = [i for i in rc.records(patient, current_only=True) if only is None or i.category & only]
            candidates = [i for i in infos if self._may_read(rc, i)]
            position = offset
            while position < len(candidates) and len(hits) < count:
                info = candidates[position]
                position += 1
                try:
                    resource = self._get(rc, info)
                except FhirError as exc:
                    log.warning("search by %s skipped a record it could not read (%d)", org, exc.status)
                    continue
                if matches(resource, rtype, params, info.category):
                    lineage = rc.history(info.record_id)
                    hits.append(self._decorate(resource, lineage, len(lineage) - 1))
        log.info("%s searched %s: %d candidate(s) read, %d hit(s)", org, rtype, position - offset, len(hits))
        return Page(hits, position if position < len(candidates) else None)

    # ------------------------------------------------------------------ writes
    def create(self, org: str, rtype: str, body: Any, *, patient: str | None, category: str | None) -> dict[str, Any]:
        """Validate, encrypt, store and anchor a new record as ``org`` (it needs a write consent).

        The patient is the ``patient`` argument or the resource's ``subject.identifier`` in the
        Ethereum address system; the category the ``category`` argument or a ``meta.tag`` in the
        MedChain data-category system.

        Returns:
            The stored resource with its id and meta.

        Raises:
            FhirError: 422 invalid resource (``expression`` names the element), no patient or
                category; 403 no write consent; 503 store down. Nothing is anchored then.
        """
        resource = _clean(body, rtype)
        who = parse_patient(patient) if patient else _subject_address(resource, rtype)
        cat = self._category(category or _category_tag(resource, rtype), rtype)
        with self.lock:
            rc = self._client(org)
            info = self._write(rc, lambda: rc.put(who, resource, cat), who, cat)
        log.info("%s wrote a %s record", org, rtype)
        return self._decorate(validate_record(resource), [info], 0)

    def update(self, org: str, rtype: str, rid: str, body: Any) -> dict[str, Any]:
        """Anchor a new version of a record (``RecordsClient.amend``) as ``org``.

        When ``org`` may read the current version, it is read first (a logged read) to check that
        it is of type ``rtype``; a writer without read consent amends without that check.

        Raises:
            FhirError: 404 unknown, 410 erased, 400 id mismatch, and as :meth:`create`.
        """
        resource = _clean(body, rtype, expected_id=rid)
        with self.lock:
            rc = self._client(org)
            lineage = self._lineage(rc, parse_fhir_id(rid))
            latest = lineage[-1]
            if latest.erased:
                raise FhirError(410, f"record {rid} was erased", code="deleted")
            if self._may_read(rc, latest) and self._get(rc, latest).get("resourceType") != rtype:
                # the type is inside the ciphertext: checked (a logged read) when the writer may read
                raise FhirError(404, f"record {rid} is not a {rtype}", code="not-found")
            info = self._write(rc, lambda: rc.amend(latest.record_id, resource), latest.patient, latest.category)
        log.info("%s amended a %s record (version %d)", org, rtype, len(lineage) + 1)
        return self._decorate(validate_record(resource), [*lineage, info], len(lineage))

    @staticmethod
    def _category(value: str | None, rtype: str) -> int:
        if not value:
            raise FhirError(422, "name the record's data category: ?category=<name> or a meta.tag with system "
                                 f"{CATEGORY_SYSTEM}", code="required", expression=f"{rtype}.meta.tag")
        try:
            return parse_category(value)
        except InvalidInputError as exc:
            raise FhirError(422, str(exc), code="code-invalid", expression="category") from None

    @staticmethod
    def _write(rc: RecordsClient, action: Any, patient: str, category: int) -> RecordInfo:
        what = f"{Category.names(category)[0]} data"
        try:
            info: RecordInfo = action()
            return info
        except FHIRValidationError as exc:
            raise FhirError(422, str(exc), code="invalid", expression=exc.field) from None
        except ContractRevert as exc:
            if exc.name == "NotAWriter":
                raise FhirError(403, f"{rc.sender.address} holds no write consent of {patient} for {what}",
                                code="forbidden") from None
            if exc.name == "NotAPatient":
                raise FhirError(422, f"{patient} is not a registered patient", code="invalid",
                                expression="patient") from None
            raise FhirError(403, f"the chain refused the anchor: {exc}", code="forbidden") from None
        except AccessDeniedError as exc:
            raise FhirError(403, str(exc), code="forbidden") from None
        except InvalidInputError as exc:
            raise FhirError(422, str(exc), code="invalid") from None
        except StorageError as exc:
            raise FhirError(503, f"the record store failed ({type(exc).__name__}); nothing was anchored",
                            code="transient") from None

    # ------------------------------------------------------------------ chain views
    def consents(self, patient: str) -> list[dict[str, Any]]:
        """The patient's consents (the latest version for each grantee) as FHIR Consent resources."""
        address = parse_patient(patient)
        with self.lock:
            return [self.chain_reader.to_fhir(address, c.grantee, grantee_name=self.chain_reader.name_of(c.grantee))
                    for c in self.chain_reader.consents(patient=address)]

    def audit_events(self, patient: str) -> list[dict[str, Any]]:
        """The patient's on-chain access log as AuditEvents (break-glass reads marked ``BTG``)."""
        address = parse_patient(patient)
        with self.lock:
            return [audit_event(a.describe(), reader_name=self.chain_reader.name_of(a.reader))
                    for a in self.chain_reader.accesses(patient=address)]

    def provenance(self, org: str, target: str) -> list[dict[str, Any]]:
        """Who anchored each version of a record (``Type/id`` or a bare id), oldest first.

        Raises:
            FhirError: 404 unknown record.
        """
        rtype, _, rid = target.rpartition("/")
        if rtype and rtype not in RECORD_TYPES:
            raise FhirError(400, "target must be <record type>/<id>, e.g. Observation/<id>", code="invalid",
                            expression="target")
        with self.lock:
            rc = self._client(org)
            lineage = self._lineage(rc, parse_fhir_id(rid))
            logical = f"{rtype}/{fhir_id(lineage[0].record_id)}" if rtype else fhir_id(lineage[0].record_id)
            return [provenance(v.describe(), number=n, target=logical, author_name=rc.name_of(v.author),
                               previous=lineage[n - 2].id_hex if n > 1 else None)
                    for n, v in enumerate(lineage, start=1)]


def _medchain_categories(values: list[str]) -> int | None:
    """The MedChain categories a ``category`` search restricts to without decrypting: only values
    whose every alternative is ``<CATEGORY_SYSTEM>|<code>`` (``None``: no restriction)."""
    mask: int | None = None
    for value in values:
        alts = value.split(",")
        if not all(a.startswith(CATEGORY_SYSTEM + "|") for a in alts):
            continue
        try:
            cats = 0
            for a in alts:
                cats |= parse_category(a.split("|", 1)[1])
        except InvalidInputError as exc:
            raise FhirError(400, str(exc), code="code-invalid", expression="category") from None
        mask = cats if mask is None else mask & cats
    return mask


def _clean(body: Any, rtype: str, *, expected_id: str | None = None) -> dict[str, Any]:
    """The resource to store: its type checked, ``id`` and server-set ``meta`` removed.

    Raises:
        FhirError: 422 not an object or another type; 400 an ``id`` that is not the URL's.
    """
    if not isinstance(body, dict):
        raise FhirError(422, "the body must be a FHIR resource (a JSON object)", code="structure")
    if body.get("resourceType") != rtype:
        raise FhirError(422, f"resourceType must be {rtype} (the URL's type)", code="invalid", expression="resourceType")
    resource = dict(body)
    rid = resource.pop("id", None)
    if expected_id is not None and rid is not None and rid != expected_id.removeprefix("0x"):
        raise FhirError(400, "the resource's id is not the id in the URL", code="invalid", expression=f"{rtype}.id")
    meta = resource.get("meta")
    if isinstance(meta, dict):
        meta = {k: v for k, v in meta.items() if k not in ("versionId", "lastUpdated")}
        if meta:
            resource["meta"] = meta
        else:
            del resource["meta"]
    return resource


def _subject_address(resource: Mapping[str, Any], rtype: str) -> str:
    subject = resource.get("subject")
    ident = subject.get("identifier") if isinstance(subject, Mapping) else None
    if isinstance(ident, Mapping) and ident.get("system") == ETHEREUM_ADDRESS_SYSTEM and isinstance(ident.get("value"), str):
        return parse_patient(ident["value"])
    raise FhirError(422, "name the patient: ?patient=<address>, or subject.identifier with system "
                         f"{ETHEREUM_ADDRESS_SYSTEM}", code="required", expression=f"{rtype}.subject.identifier")


def _category_tag(resource: Mapping[str, Any], rtype: str) -> str | None:
    meta = resource.get("meta")
    for tag in meta.get("tag", []) if isinstance(meta, Mapping) else []:
        if isinstance(tag, Mapping) and tag.get("system") == CATEGORY_SYSTEM and isinstance(tag.get("code"), str):
            return str(tag["code"])
    return None

