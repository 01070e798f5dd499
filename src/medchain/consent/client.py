"""Client of the ConsentRegistry: grants (direct, by a guardian, or signed off chain and relayed),
revocation, checks, the access log, emergency (break-glass) reads, and FHIR Consent export.

A patient holds at most one consent per grantee; granting again amends it (the version
increments) and every version stays in the events, which :meth:`ConsentClient.history` reads.
Validity is ``start <= block time <= end``: both bounds are inclusive; ``end=None`` means no end.

Masks are given as catalogue names (``"diabetes,cardiology"``, ``["treatment"]``), members of
:mod:`medchain.core.standards.consent_codes` or ints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from medchain.core.client import ContractClient
from medchain.core.deploy import Suite
from medchain.core.errors import InvalidInputError, StandardsError
from medchain.core.registry import check_address
from medchain.core.standards.consent_codes import Action, Category, Purpose
from medchain.core.standards.fhir import consent_to_fhir
from medchain.core.times import to_unix
from medchain.core.tx import Receipt, Sender, call

CONTRACT = "ConsentRegistry"
NO_END = 2**40 - 1
DOMAIN_NAME = "MedChain ConsentRegistry"
DOMAIN_VERSION = "1"
#: Default lifetime of an off-chain signature when no deadline is given.
SIGNATURE_LIFETIME = 7 * 24 * 3600

_GRANT_FIELDS = [
    {"name": "patient", "type": "address"}, {"name": "grantee", "type": "address"},
    {"name": "categories", "type": "uint16"}, {"name": "purposes", "type": "uint8"},
    {"name": "actions", "type": "uint8"}, {"name": "start", "type": "uint40"}, {"name": "end", "type": "uint40"},
    {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"},
]
_REVOKE_FIELDS = [
    {"name": "patient", "type": "address"}, {"name": "grantee", "type": "address"},
    {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"},
]


# --------------------------------------------------------------------------- parsing


def parse_mask(value: str | int | Iterable[Any], kind: type[Category | Purpose | Action] = Category) -> int:
    """A non-empty catalogue mask from names (``"all"`` for the whole catalogue), members or an int.

    Raises:
        InvalidInputError: unknown names, bits outside the catalogue, or an empty mask.
    """
    what = kind.__name__.lower()
    try:
        if isinstance(value, bool):
            raise InvalidInputError(f"{what} mask must not be a bool")
        if isinstance(value, str) and value.strip().lower() == "all":
            value = [m.name for m in kind]
        mask = int(value) if isinstance(value, int) else kind.mask(value)
        kind.members(mask)  # bits outside the catalogue
    except StandardsError as exc:
        raise InvalidInputError(str(exc)) from None
    except TypeError:
        raise InvalidInputError(f"{what} must be names, catalogue members or an int, not {value!r}") from None
    if mask == 0:
        raise InvalidInputError(f"no {what} given; known: " + ", ".join(name.lower() for name in kind.__members__))
    return mask


def parse_category(value: str | int) -> int:
    """Exactly one data category (its bit value), e.g. ``"diabetes"`` → 2.

    Raises:
        InvalidInputError: unknown, empty or more than one category.
    """
    mask = parse_mask(value, Category)
    if mask & (mask - 1):
        raise InvalidInputError(f"a record has exactly one category, got {Category.names(mask)}")
    return mask


def parse_time(value: int | str | datetime | date | None, *, end: bool = False) -> int | None:
    """Unix seconds, or ``None`` for ``None`` (see :func:`medchain.core.times.to_unix`)."""
    return None if value is None else to_unix(value, end=end)


def consent_id(patient: str, grantee: str, version: int) -> str:
    """A stable FHIR id for one version of a consent: ``<16 bytes of keccak(patient, grantee)>-v<version>``."""
    pair = keccak(bytes.fromhex(check_address(patient)[2:]) + bytes.fromhex(check_address(grantee)[2:]))
    return f"{pair[:16].hex()}-v{version}"


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Consent:
    """One version of a consent.

    Attributes:
        end: Inclusive; ``None`` when the consent has no end.
        version: 0 when the patient never granted the grantee anything.
        granted_at, tx_hash: when read from the events (``None`` from :meth:`ConsentClient.consent`).
    """

    patient: str
    grantee: str
    categories: int
    purposes: int
    actions: int
    start: int
    end: int | None
    version: int
    revoked: bool
    by: str | None = None
    granted_at: int | None = None
    tx_hash: str | None = None

    def status(self, now: int) -> str:
        """``none``, ``revoked``, ``expired``, ``pending`` (not started) or ``active`` at ``now``."""
        if self.version == 0:
            return "none"
        if self.revoked:
            return "revoked"
        if self.end is not None and now > self.end:
            return "expired"
        return "pending" if now < self.start else "active"

    def covers(self, categories: int, purposes: int, actions: int, now: int) -> bool:
        """What the contract's ``isPermitted`` answers at block time ``now``."""
        return (self.status(now) == "active" and all(m != 0 for m in (categories, purposes, actions))
                and self.categories & categories == categories and self.purposes & purposes == purposes
                and self.actions & actions == actions)

    def describe(self) -> dict[str, Any]:
        """A JSON-able summary with catalogue names."""
        return {"patient": self.patient, "grantee": self.grantee, "version": self.version,
                "categories": Category.names(self.categories), "purposes": Purpose.names(self.purposes),
                "actions": Action.names(self.actions), "start": self.start, "end": self.end,
                "revoked": self.revoked, "by": self.by, "grantedAt": self.granted_at, "txHash": self.tx_hash}


@dataclass(frozen=True)
class ConsentEvent:
    """A grant, amendment or revocation, from the events."""

    kind: str  # "granted" | "revoked"
    consent: Consent
    by: str
    block: int
    timestamp: int
    tx_hash: str


@dataclass(frozen=True)
class Access:
    """One entry of the audit trail."""

    patient: str
    reader: str
    record_id: bytes
    emergency: bool
    category: int | None
    purpose: int | None
    reason_hash: bytes | None
    block: int
    timestamp: int
    tx_hash: str

    def describe(self) -> dict[str, Any]:
        return {"patient": self.patient, "reader": self.reader, "recordId": "0x" + self.record_id.hex(),
                "emergency": self.emergency,
                "category": Category.names(self.category)[0] if self.category else None,
                "purpose": Purpose.names(self.purpose)[0] if self.purpose else None,
                "reasonHash": "0x" + self.reason_hash.hex() if self.reason_hash else None,
                "timestamp": self.timestamp, "txHash": self.tx_hash}


@dataclass(frozen=True)
class SignedRequest:
    """An EIP-712 grant or revocation signed off chain, to be relayed by anyone.

    ``request`` holds the struct fields (addresses checksummed, ints); ``signature`` is 65 bytes.
    """

    kind: str  # "grant" | "revoke"
    request: dict[str, Any]
    signature: bytes

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "request": dict(self.request), "signature": "0x" + self.signature.hex()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SignedRequest:
        """Parse :meth:`to_dict` output (e.g. a JSON file).

        Raises:
            InvalidInputError: missing or malformed fields.
        """
        try:
            kind = data["kind"]
            fields = _GRANT_FIELDS if kind == "grant" else _REVOKE_FIELDS if kind == "revoke" else None
            if fields is None:
                raise InvalidInputError(f"unknown signed request kind {kind!r} (grant or revoke)")
            req = data["request"]
            request = {f["name"]: (check_address(req[f["name"]]) if f["type"] == "address" else int(req[f["name"]]))
                       for f in fields}
            signature = bytes.fromhex(str(data["signature"]).removeprefix("0x"))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"malformed signed consent request: {exc}") from None
        return cls(kind, request, signature)


# --------------------------------------------------------------------------- client


class ConsentClient(ContractClient):
    """Grant, revoke and check consents; log and list accesses.

    Args:
        suite: The deployed suite.
        sender: Who signs transactions (the patient, a guardian, a grantee, a relayer); ``None``
            for a read-only client.
    """

    CONTRACT = CONTRACT

    def __init__(self, suite: Suite, sender: Sender | None = None):
        super().__init__(suite, sender)
        self.chain = suite.chain

    # ------------------------------------------------------------------ validation
    def _terms(self, grantee: str, patient: str, categories: Any, purposes: Any, actions: Any,
               start: Any, end: Any) -> tuple[str, int, int, int, int, int]:
        grantee = check_address(grantee, "grantee")
        if int(grantee, 16) == 0 or grantee == patient:
            raise InvalidInputError(f"grantee {grantee} must be another account than the patient")
        cats = parse_mask(categories, Category)
        purp = parse_mask(purposes, Purpose)
        acts = parse_mask(actions, Action)
        s = parse_time(start)
        e = parse_time(end, end=True)
        s = self.chain.now() if s is None else s
        e = NO_END if e is None else e
        if s > e:
            raise InvalidInputError(f"the consent ends ({e}) before it starts ({s})")
        if e < self.chain.now():
            raise InvalidInputError(f"the consent would end in the past ({e} < block time {self.chain.now()})")
        return grantee, cats, purp, acts, s, e

    # ------------------------------------------------------------------ update
    def grant(self, grantee: str, categories: Any, purposes: Any = "treatment", actions: Any = "read",
              start: Any = None, end: Any = None, *, patient: str | None = None) -> Receipt:
        """Grant (or amend) the consent of ``patient`` (default: the sender) for ``grantee``.

        Args:
            grantee: Who receives the consent (an organisation or any address).
            categories, purposes, actions: Catalogue names, members or masks (none may be empty).
            start: First valid second (default: now); int, ISO date/time or datetime.
            end: Last valid second, inclusive (default: no end); a bare date means its last second.
            patient: Grant on behalf of this patient (the sender must be one of its guardians).

        Returns:
            The receipt.

        Raises:
            InvalidInputError: bad grantee, masks or period.
            ContractRevert: ``NotPatientOrGuardian`` and the contract's other checks.
        """
        me = self.me
        patient = check_address(patient or me, "patient")
        terms = self._terms(grantee, patient, categories, purposes, actions, start, end)
        if patient == me:
            return self._send(self.contract.functions.grant(*terms))
        return self._send(self.contract.functions.grantFor(patient, *terms))

    def revoke(self, grantee: str, *, patient: str | None = None) -> Receipt:
        """Revoke the consent of ``patient`` (default: the sender) for ``grantee`` at once.

        This uses the patient's nonce: every request the patient signed and nobody relayed yet
        (a signed grant handed to ``grantee`` included) is void and must be signed again.

        Raises:
            ContractRevert: ``ConsentNotActive`` (none or already revoked), ``NotPatientOrGuardian``.
        """
        me = self.me
        patient = check_address(patient or me, "patient")
        grantee = check_address(grantee, "grantee")
        if patient == me:
            return self._send(self.contract.functions.revoke(grantee))
        return self._send(self.contract.functions.revokeFor(patient, grantee))

    def _domain(self) -> dict[str, Any]:
        return {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": self.chain.chain_id,
                "verifyingContract": self.contract.address}

    def _sign(self, signer: LocalAccount, kind: str, request: dict[str, Any]) -> SignedRequest:
        primary, fields = ("SignedGrant", _GRANT_FIELDS) if kind == "grant" else ("SignedRevoke", _REVOKE_FIELDS)
        message = {
            "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                       {"name": "chainId", "type": "uint256"},
                                       {"name": "verifyingContract", "type": "address"}],
                      primary: fields},
            "primaryType": primary, "domain": self._domain(), "message": request,
        }
        signed = Account.sign_message(encode_typed_data(full_message=message), signer.key)
        return SignedRequest(kind, request, bytes(signed.signature))

    def _nonce_deadline(self, patient: str, nonce: int | None, deadline: Any) -> tuple[int, int]:
        n = self.nonce(patient) if nonce is None else int(nonce)
        d = parse_time(deadline)
        return n, (self.chain.now() + SIGNATURE_LIFETIME if d is None else d)

    def sign_grant(self, signer: LocalAccount, grantee: str, categories: Any, purposes: Any = "treatment",
                   actions: Any = "read", start: Any = None, end: Any = None, *, patient: str | None = None,
                   deadline: Any = None, nonce: int | None = None) -> SignedRequest:
        """Sign a grant off chain (EIP-712) for anyone to relay with :meth:`relay`; no transaction.

        Args:
            signer: The patient's account, or a guardian's (then give ``patient``).
            deadline: Last second the signature is valid (inclusive; default: one week from now).
            nonce: The patient's nonce (default: the current one, read from the chain).

        Raises:
            InvalidInputError: as :meth:`grant`.
        """
        patient = check_address(patient or signer.address, "patient")
        grantee, cats, purp, acts, s, e = self._terms(grantee, patient, categories, purposes, actions, start, end)
        n, d = self._nonce_deadline(patient, nonce, deadline)
        request = {"patient": patient, "grantee": grantee, "categories": cats, "purposes": purp, "actions": acts,
                   "start": s, "end": e, "nonce": n, "deadline": d}
        return self._sign(signer, "grant", request)

    def sign_revoke(self, signer: LocalAccount, grantee: str, *, patient: str | None = None, deadline: Any = None,
                    nonce: int | None = None) -> SignedRequest:
        """Sign a revocation off chain (EIP-712) for anyone to relay."""
        patient = check_address(patient or signer.address, "patient")
        n, d = self._nonce_deadline(patient, nonce, deadline)
        request = {"patient": patient, "grantee": check_address(grantee, "grantee"), "nonce": n, "deadline": d}
        return self._sign(signer, "revoke", request)

    def relay(self, signed: SignedRequest | Mapping[str, Any]) -> Receipt:
        """Send a signed grant or revocation (the sender pays the gas, the patient needs no ether).

        Raises:
            InvalidInputError: malformed request, or a deadline already past.
            ContractRevert: ``SignatureExpired``, ``InvalidAccountNonce`` (replay), ``WrongSigner``,
                ``InvalidSignature`` (malformed or malleable), and the grant's own checks.
        """
        if not isinstance(signed, SignedRequest):
            signed = SignedRequest.from_dict(signed)
        fields = _GRANT_FIELDS if signed.kind == "grant" else _REVOKE_FIELDS
        request = tuple(signed.request[f["name"]] for f in fields)
        fn = self.contract.functions.grantBySig if signed.kind == "grant" else self.contract.functions.revokeBySig
        return self._send(fn(request, signed.signature))

    def appoint_guardian(self, guardian: str) -> Receipt:
        """Appoint ``guardian`` to grant and revoke for the sender.

        Raises:
            ContractRevert: ``InvalidGuardian``, ``GuardianAlreadyAppointed``.
        """
        return self._send(self.contract.functions.appointGuardian(check_address(guardian, "guardian")))

    def remove_guardian(self, guardian: str) -> Receipt:
        """Remove a guardian of the sender.

        Raises:
            ContractRevert: ``GuardianNotAppointed``.
        """
        return self._send(self.contract.functions.removeGuardian(check_address(guardian, "guardian")))

    def log_access(self, record_id: bytes | str, purpose: Any = "treatment") -> Receipt:
        """Record, before reading it, that the sender reads ``record_id``.

        The patient and the category are the record id's own (:func:`record_id_parts`): the chain
        checks the consent against them, so a read is never logged under another category.

        Raises:
            InvalidInputError: bad record id (not a record id: no patient or not one category), or
                not exactly one purpose.
            ContractRevert: ``AccessNotPermitted`` without an active consent covering it. (A
                suspended organisation's read is logged, as evidence; ``RecordsClient.get`` refuses
                it before logging.)
        """
        purp = parse_mask(purpose, Purpose)
        if purp & (purp - 1):
            raise InvalidInputError("an access has exactly one purpose")
        rid = record_key(record_id)
        record_id_parts(rid)
        return self._send(self.contract.functions.logAccess(rid, purp))

    def emergency_access(self, record_id: bytes | str, reason: str) -> Receipt:
        """Break-glass read by a registered hospital: no consent needed, a distinct event that the
        patient (the record id's) sees; the reason stays off chain, its keccak256 is recorded.

        Raises:
            InvalidInputError: empty reason, bad record id.
            ContractRevert: the registry's ``MissingRole``/``ParticipantNotRegistered``/
                ``NotAnOrganization``/``ParticipantSuspended`` when the sender is no active hospital.
        """
        if not reason or not reason.strip():
            raise InvalidInputError("an emergency access needs a reason")
        rid = record_key(record_id)
        record_id_parts(rid)
        return self._send(self.contract.functions.emergencyAccess(rid, Web3.keccak(text=reason)))

    # ------------------------------------------------------------------ read
    def check(self, patient: str, grantee: str, categories: Any, purposes: Any = "treatment",
              actions: Any = "read") -> bool:
        """The contract's ``isPermitted`` at the latest block."""
        return bool(call(self.contract.functions.isPermitted(
            check_address(patient, "patient"), check_address(grantee, "grantee"), parse_mask(categories, Category),
            parse_mask(purposes, Purpose), parse_mask(actions, Action))))

    def consent(self, patient: str, grantee: str) -> Consent:
        """The current consent of ``patient`` for ``grantee`` (version 0 when none)."""
        patient, grantee = check_address(patient, "patient"), check_address(grantee, "grantee")
        cats, purp, acts, start, end, version, revoked = call(self.contract.functions.consentOf(patient, grantee))
        return Consent(patient, grantee, cats, purp, acts, start, None if end == NO_END else end, version, revoked)

    def is_guardian(self, patient: str, guardian: str) -> bool:
        return bool(call(self.contract.functions.isGuardian(check_address(patient), check_address(guardian))))

    def nonce(self, patient: str) -> int:
        """The patient's next signature nonce."""
        return int(call(self.contract.functions.nonces(check_address(patient, "patient"))))

    def history(self, *, patient: str | None = None, grantee: str | None = None) -> list[ConsentEvent]:
        """Every grant, amendment and revocation, oldest first, for a patient and/or a grantee."""
        p = check_address(patient, "patient") if patient else None
        g = check_address(grantee, "grantee") if grantee else None
        out: list[tuple[tuple[int, int], ConsentEvent]] = []
        versions: dict[tuple[str, str, int], Consent] = {}
        for log in self.logs("ConsentGranted", patient=p, grantee=g):
            a = log["args"]
            ts = self.block_time(log["blockNumber"])
            c = Consent(a["patient"], a["grantee"], a["categories"], a["purposes"], a["actions"], a["start"],
                        None if a["end"] == NO_END else a["end"], a["version"], False, a["by"], ts,
                        log["transactionHash"].to_0x_hex())
            versions[(c.patient, c.grantee, c.version)] = c
            out.append(((log["blockNumber"], log["logIndex"]), ConsentEvent("granted", c, a["by"], log["blockNumber"], ts,
                                                                             c.tx_hash or "")))
        for log in self.logs("ConsentRevoked", patient=p, grantee=g):
            a = log["args"]
            base = versions[(a["patient"], a["grantee"], a["version"])]
            ts = self.block_time(log["blockNumber"])
            out.append(((log["blockNumber"], log["logIndex"]),
                        ConsentEvent("revoked", replace(base, revoked=True), a["by"], log["blockNumber"], ts,
                                     log["transactionHash"].to_0x_hex())))
        return [e for _, e in sorted(out, key=lambda x: x[0])]

    def consents(self, *, patient: str | None = None, grantee: str | None = None) -> list[Consent]:
        """The current consent of every (patient, grantee) pair seen in the events, with its grant's
        time and transaction."""
        latest: dict[tuple[str, str], Consent] = {}
        for e in self.history(patient=patient, grantee=grantee):
            key = (e.consent.patient, e.consent.grantee)
            latest[key] = e.consent if e.kind == "granted" else replace(latest[key], revoked=True)
        return list(latest.values())

    def accesses(self, *, patient: str | None = None, reader: str | None = None) -> list[Access]:
        """The audit trail, oldest first: consented reads and emergency reads."""
        p = check_address(patient, "patient") if patient else None
        r = check_address(reader, "reader") if reader else None
        out = []
        for log in self.logs("AccessLogged", patient=p, grantee=r):
            a = log["args"]
            out.append(Access(a["patient"], a["grantee"], bytes(a["recordId"]), False, a["category"], a["purpose"],
                              None, log["blockNumber"], self.block_time(log["blockNumber"]),
                              log["transactionHash"].to_0x_hex()))
        for log in self.logs("EmergencyAccess", patient=p, hospital=r):
            a = log["args"]
            out.append(Access(a["patient"], a["hospital"], bytes(a["recordId"]), True, None, None,
                              bytes(a["reasonHash"]), log["blockNumber"], self.block_time(log["blockNumber"]),
                              log["transactionHash"].to_0x_hex()))
        return sorted(out, key=lambda x: (x.block, x.tx_hash))

    def guardians(self, patient: str) -> list[str]:
        """The current guardians of ``patient`` (from the events, confirmed on chain)."""
        p = check_address(patient, "patient")
        seen = [log["args"]["guardian"] for log in self.logs("GuardianAppointed", patient=p)]
        return [g for g in dict.fromkeys(seen) if self.is_guardian(p, g)]

    def to_fhir(self, patient: str, grantee: str, version: int | None = None, *,
                grantee_name: str | None = None) -> dict[str, Any]:
        """A FHIR R4 ``Consent`` for one version (default: the latest) of a consent.

        Status: ``active`` (current, within or before its period), ``inactive`` (revoked, expired,
        or replaced by a later version).

        Raises:
            InvalidInputError: no such consent version.
        """
        patient, grantee = check_address(patient, "patient"), check_address(grantee, "grantee")
        events = self.history(patient=patient, grantee=grantee)
        grants = {e.consent.version: e.consent for e in events if e.kind == "granted"}
        if not grants:
            raise InvalidInputError(f"{patient} never granted {grantee} a consent")
        version = max(grants) if version is None else version
        if version not in grants:
            raise InvalidInputError(f"no version {version} of the consent of {patient} for {grantee}")
        c = grants[version]
        revoked = any(e.kind == "revoked" and e.consent.version == version for e in events)
        status = self.chain.now()
        state = "revoked" if revoked else "inactive" if version < max(grants) else \
            ("expired" if c.end is not None and status > c.end else "active")
        data = {"id": consent_id(patient, grantee, version), "patient": patient, "grantee": grantee,
                "categories": c.categories, "purposes": c.purposes, "actions": c.actions, "start": c.start,
                "end": c.end, "status": state, "granted_at": c.granted_at, "tx_hash": c.tx_hash}
        if grantee_name:
            data["grantee_name"] = grantee_name
        return consent_to_fhir(data)


def record_key(record_id: bytes | str) -> bytes:
    """A 32-byte record id from bytes or ``0x`` hex.

    Raises:
        InvalidInputError: not 32 bytes.
    """
    if isinstance(record_id, str):
        try:
            record_id = bytes.fromhex(record_id.removeprefix("0x"))
        except ValueError:
            raise InvalidInputError(f"record id {record_id!r} is not hex") from None
    if not isinstance(record_id, (bytes, bytearray)) or len(record_id) != 32 or not any(record_id):
        raise InvalidInputError("a record id is 32 bytes, not all zero (0x + 64 hex digits)")
    return bytes(record_id)


def new_record_id(patient: str, category: Any) -> bytes:
    """A fresh record id for ``patient``'s record of one ``category``: the patient's 20 address
    bytes, 10 random bytes, the category's 2 bytes (the layout ``RecordIds`` reads on chain).

    Raises:
        InvalidInputError: bad address or not exactly one category.
    """
    return (bytes.fromhex(check_address(patient, "patient")[2:]) + os.urandom(10)
            + parse_category(category).to_bytes(2, "big"))


def record_id_parts(record_id: bytes | str) -> tuple[str, int]:
    """The patient (checksummed) and the category bit a record id carries.

    Raises:
        InvalidInputError: not 32 bytes, or not one catalogue category in its low 16 bits.
    """
    rid = record_key(record_id)
    category = int.from_bytes(rid[30:], "big")
    if category == 0 or category & (category - 1) or category >= 1 << len(Category):
        raise InvalidInputError(f"0x{rid.hex()} is not a record id: its last 2 bytes must be one data category")
    return Web3.to_checksum_address(rid[:20]), category
