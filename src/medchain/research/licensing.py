"""Client of ResearchDataLicensing: datasets from consenting patients, field licences, revenue,
and the licensed extract built from the steward's FHIR records.

Rows and proofs
---------------
A dataset row is one FHIR record (Observation, Condition, MedicationStatement, DiagnosticReport)
of one patient, read into the 16 fields of :class:`Field` (bits 0-7 are identity fields, never
licensable). Each row has a secret 32-byte ``row_key``; field ``i`` is committed as
``keccak256(salt_i || canonical_json(value))`` with ``salt_i = HMAC-SHA256(row_key, "field" || i)``.
The row's leaf is ``keccak256(keccak256(abi.encode(bytes32[16] field_hashes)))`` (OpenZeppelin's
double-hashed leaf) and the rows root is a sorted-pair keccak256 Merkle tree over the sorted
leaves (OpenZeppelin ``MerkleProof``). An extract row carries its licensed values with their
salts, the hashes of the other fields (salted, so they reveal nothing) and its proof: the
licensee verifies it against the root on chain without seeing any other row.

Envelopes
---------
The dataset manifest (every row, its patient and key: the steward's private working copy) and
each licensed extract are stored on IPFS as an *envelope*: JSON ``{"format", "patient",
"record_uid", "category", "blob", "wrapped"}`` holding a :func:`medchain.core.crypto.seal` blob and its
data key wrapped for one reader (the steward for the manifest, the licensee's registered key for
an extract). Patients appear in an extract only as per-licence pseudonyms
``HMAC-SHA256(licence_key, patient)``, unlinkable across licences.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, IntFlag
from typing import Any

from eth_abi import encode as abi_encode
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from medchain.core import merkle
from medchain.core.client import ContractClient
from medchain.core.crypto import EncryptionKeyPair, RecordContext, WrappedKey, open_sealed, seal, unwrap_key, wrap_key
from medchain.core.deploy import Suite
from medchain.core.errors import ContentNotFoundError, CryptoError, InvalidInputError, MedChainError
from medchain.core.registry import check_address
from medchain.core.standards.consent_codes import Action, Category, Purpose
from medchain.core.standards.fhir import validate_record
from medchain.core.storage import ContentStore
from medchain.core.tx import Receipt, Sender, call, events

__all__ = [
    "Basis", "DatasetBuild", "Field", "IDENTITY_FIELDS", "ResearchClient", "Row", "Status",
    "leaf_of", "merkle_proof", "merkle_root", "parse_fields", "verify_proof",
]

ENVELOPE_FORMAT = "medchain-envelope/1"
EXTRACT_FORMAT = "medchain-research-extract/1"
MANIFEST_FORMAT = "medchain-research-manifest/1"
BPS = 10_000
MAX_CID = 128
MAX_DURATION = 3650 * 86400


class Field(IntFlag):
    """Fields of a research row; values are the contract's bits (``ResearchFields``)."""

    PATIENT_NAME = 1 << 0
    PATIENT_IDENTIFIER = 1 << 1
    BIRTH_DATE = 1 << 2
    ADDRESS = 1 << 3
    TELECOM = 1 << 4
    SUBJECT_REFERENCE = 1 << 5
    PERFORMER = 1 << 6
    FREE_TEXT = 1 << 7
    RESOURCE_TYPE = 1 << 8
    CODE = 1 << 9
    VALUE = 1 << 10
    INTERPRETATION = 1 << 11
    EFFECTIVE_DATE = 1 << 12
    STATUS = 1 << 13
    CATEGORY = 1 << 14
    REFERENCE_RANGE = 1 << 15


IDENTITY_FIELDS = Field((1 << 8) - 1)
ALL_FIELDS = Field((1 << 16) - 1)
FIELD_COUNT = 16


class Status(IntEnum):
    NONE = 0
    DRAFT = 1
    PUBLISHED = 2
    RETIRED = 3


class Basis(IntEnum):
    NONE = 0
    CONSENT = 1
    SIGNATURE = 2


def parse_fields(value: str | int | Field) -> Field:
    """``"code,value"`` → ``Field.CODE | Field.VALUE``.

    Raises:
        InvalidInputError: empty, or an unknown field name.
    """
    if isinstance(value, int):
        if value < 0 or value & ~int(ALL_FIELDS):
            raise InvalidInputError(f"field bitmap {value:#x} has bits outside the schema")
        return Field(value)
    names = [n.strip().upper().replace("-", "_") for n in value.split(",") if n.strip()]
    if not names:
        raise InvalidInputError("no field given; fields: " + ", ".join(str(f.name).lower() for f in Field))
    out = Field(0)
    for n in names:
        if n not in Field.__members__:
            raise InvalidInputError(f"unknown field {n.lower()!r}; fields: " + ", ".join(str(f.name).lower() for f in Field))
        out |= Field[n]
    return out


def field_names(mask: int) -> list[str]:
    return [str(f.name).lower() for f in Field if int(f) & int(mask)]


# ---------------------------------------------------------------------------- FHIR → row


def _coding(concept: Any) -> Any:
    if not isinstance(concept, Mapping):
        return None
    codings = [{k: c[k] for k in ("system", "code", "display") if k in c} for c in concept.get("coding", [])
               if isinstance(c, Mapping)]
    return codings or concept.get("text")


def _first(resource: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if resource.get(k) not in (None, "", [], {}):
            return resource[k]
    return None


def fields_of_record(resource: Mapping[str, Any]) -> dict[str, Any]:
    """Read a validated FHIR record into the 16 row fields (``None`` where absent).

    Identity fields: the record's ``subject``/``patient`` reference, its ``performer``/
    ``asserter``/``recorder`` and free text (``note``, ``text``). Records carry no Patient
    resource (refused by :func:`medchain.core.standards.fhir.validate_record`), so name, identifier,
    birth date, address and telecom stay empty unless the steward adds them.
    """
    r = resource
    value = None
    for k, v in r.items():
        if k.startswith("value") and k != "valueSet":
            value = {k: v}
    if value is None and r.get("resourceType") == "MedicationStatement":
        value = _first(r, "dosage")
    return {
        "patient_name": None, "patient_identifier": None, "birth_date": None, "address": None, "telecom": None,
        "subject_reference": _first(r, "subject", "patient"),
        "performer": _first(r, "performer", "asserter", "recorder", "informationSource"),
        "free_text": _first(r, "note", "text"),
        "resource_type": r.get("resourceType"),
        "code": _coding(_first(r, "code", "medicationCodeableConcept")),
        "value": value,
        "interpretation": [_coding(i) for i in r.get("interpretation", [])] or None,
        "effective_date": _first(r, "effectiveDateTime", "onsetDateTime", "recordedDate", "effectivePeriod",
                                 "dateAsserted", "issued"),
        "status": _first(r, "status", "clinicalStatus"),
        "category": [_coding(c) for c in r.get("category", [])] or None,
        "reference_range": _first(r, "referenceRange"),
    }


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _salt(row_key: bytes, index: int) -> bytes:
    return hmac.new(row_key, b"field" + bytes([index]), hashlib.sha256).digest()


def field_hash(salt: bytes, value: Any) -> bytes:
    """``keccak256(salt || canonical_json(value))``."""
    return keccak(salt + _canonical(value))


def leaf_of(field_hashes: Sequence[bytes]) -> bytes:
    """OpenZeppelin double-hashed leaf of a row's 16 field hashes."""
    if len(field_hashes) != FIELD_COUNT:
        raise InvalidInputError(f"a row has {FIELD_COUNT} field hashes, not {len(field_hashes)}")
    return keccak(keccak(abi_encode(["bytes32[16]"], [list(field_hashes)])))


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """Root of the sorted-pair tree over the sorted leaves (an odd node is carried up)."""
    if not leaves:
        raise InvalidInputError("a dataset needs at least one row")
    return merkle.root(sorted(leaves))


def merkle_proof(leaves: Sequence[bytes], leaf: bytes) -> list[bytes]:
    """The proof of ``leaf`` in :func:`merkle_root`'s tree (OpenZeppelin ``MerkleProof.verify``)."""
    level = sorted(leaves)
    if leaf not in level:
        raise InvalidInputError("the leaf is not in the tree")
    return merkle.proof(merkle.levels(level), level.index(leaf))


#: OpenZeppelin ``MerkleProof.verify(proof, root, leaf)`` in Python (:func:`medchain.core.merkle.verify`).
verify_proof = merkle.verify


@dataclass
class Row:
    """One row: its patient (never exported), its secret key and its 16 field values."""

    patient: str
    row_key: bytes
    values: dict[str, Any]

    def salts(self) -> list[bytes]:
        return [_salt(self.row_key, i) for i in range(FIELD_COUNT)]

    def hashes(self) -> list[bytes]:
        names = field_names(int(ALL_FIELDS))
        return [field_hash(s, self.values.get(n)) for s, n in zip(self.salts(), names, strict=True)]

    def leaf(self) -> bytes:
        return leaf_of(self.hashes())


@dataclass
class DatasetBuild:
    """The steward's private working copy of a dataset version (stored encrypted as its manifest).

    Attributes:
        fields: The fields the dataset holds (identity fields included only if it holds them).
        rows: The rows, from consenting patients only.
        secret: 32 random bytes from which each licence's pseudonym key is derived.
        excluded: Patients whose records were left out (no research consent).
    """

    fields: Field
    rows: list[Row]
    secret: bytes = field(default_factory=lambda: os.urandom(32))
    excluded: list[str] = field(default_factory=list)

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, Mapping[str, Any]]], fields: Field | str | int) -> DatasetBuild:
        """Build rows from ``(patient address, FHIR record)`` pairs (a Bundle gives one row per entry).

        Raises:
            InvalidInputError: no record, a bad address, or fields without a licensable one.
            FHIRValidationError: a record is not a valid MedChain FHIR record.
        """
        mask = parse_fields(fields)
        if not int(mask) & ~int(IDENTITY_FIELDS):
            raise InvalidInputError("a dataset must hold at least one licensable (non-identity) field")
        names = field_names(int(mask))
        rows = []
        for patient, record in records:
            patient = check_address(patient, "patient")
            canonical = validate_record(dict(record))
            inner = [e["resource"] for e in canonical["entry"]] if canonical["resourceType"] == "Bundle" else [canonical]
            for res in inner:
                values = {k: (v if k in names else None) for k, v in fields_of_record(res).items()}
                rows.append(Row(patient, os.urandom(32), values))
        if not rows:
            raise InvalidInputError("a dataset needs at least one row")
        return cls(mask, rows)

    @property
    def leaves(self) -> list[bytes]:
        return [r.leaf() for r in self.rows]

    @property
    def root(self) -> bytes:
        return merkle_root(self.leaves)

    def weights(self) -> dict[str, int]:
        """Rows per patient: each contribution's weight."""
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.patient] = out.get(r.patient, 0) + 1
        return out

    def without(self, patients: Iterable[str]) -> DatasetBuild:
        """A new build without ``patients``' rows (for the next version after a withdrawal)."""
        gone = {check_address(p) for p in patients}
        return DatasetBuild(self.fields, [r for r in self.rows if r.patient not in gone], os.urandom(32),
                            self.excluded + sorted(gone))

    def to_json(self) -> dict[str, Any]:
        return {"format": MANIFEST_FORMAT, "fields": int(self.fields), "secret": self.secret.hex(),
                "excluded": self.excluded, "root": "0x" + self.root.hex(),
                "rows": [{"patient": r.patient, "rowKey": r.row_key.hex(), "values": r.values} for r in self.rows]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DatasetBuild:
        if not isinstance(data, Mapping) or data.get("format") != MANIFEST_FORMAT:
            raise InvalidInputError("not a MedChain research manifest")
        try:
            rows = [Row(r["patient"], bytes.fromhex(r["rowKey"]), r["values"]) for r in data["rows"]]
            return cls(Field(data["fields"]), rows, bytes.fromhex(data["secret"]), list(data.get("excluded", [])))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"malformed research manifest: {type(exc).__name__} {exc}") from None


# ------------------------------------------------------------------------------ envelopes


def seal_envelope(payload: Mapping[str, Any], owner: str, recipient_key: bytes) -> bytes:
    """Seal ``payload`` (JSON) for one reader's public key; ``owner`` is bound into the context."""
    context = RecordContext.new(owner, 0)
    blob, data_key = seal(_canonical(payload), context)
    wrapped = wrap_key(data_key, recipient_key, context)
    return _canonical({"format": ENVELOPE_FORMAT, "owner": context.patient, "recordUid": context.record_uid.hex(),
                       "blob": blob.hex(), "wrapped": wrapped.to_dict()})


def open_envelope(data: bytes, keypair: EncryptionKeyPair) -> dict[str, Any]:
    """Open an envelope with the reader's key pair.

    Raises:
        CryptoError: not an envelope, not for this key, or tampered.
    """
    try:
        env = json.loads(data)
        if env.get("format") != ENVELOPE_FORMAT:
            raise ValueError
        context = RecordContext(env["owner"], bytes.fromhex(env["recordUid"]), 0)
        blob, wrapped = bytes.fromhex(env["blob"]), WrappedKey.from_dict(env["wrapped"])
    except (ValueError, KeyError, TypeError, MedChainError):
        raise CryptoError("not a MedChain envelope") from None
    return json.loads(open_sealed(blob, unwrap_key(wrapped, keypair, context), context))


# ------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Dataset:
    version: int
    steward: str
    fields: Field
    categories: Category
    steward_share_bps: int
    licence_duration: int
    price: int
    total_weight: int
    contributors: int
    previous_version: int
    status: Status
    withdrawn_contributors: int
    revenue_per_weight: int
    steward_revenue: int
    rows_root: bytes
    manifest_cid: str


@dataclass(frozen=True)
class Contribution:
    weight: int
    index_paid: int
    added_at: int
    basis: Basis
    withdrawn: bool


@dataclass(frozen=True)
class Licence:
    licence_id: int
    licensee: str
    expires_at: int
    fields: Field
    version: int


# -------------------------------------------------------------------------------- client


class ResearchClient(ContractClient):
    """Datasets, contributions, licences, revenue and licensed extracts.

    Args:
        suite: The deployed suite.
        sender: Who signs transactions (a steward, a patient or a researcher); ``None`` to read.
        store: Where manifests and extracts are stored (needed for register/extract).
    """

    CONTRACT = "ResearchDataLicensing"

    def __init__(self, suite: Suite, sender: Sender | None = None, store: ContentStore | None = None):
        super().__init__(suite, sender)
        self.store = store

    def _store(self) -> ContentStore:
        if self.store is None:
            raise InvalidInputError("this operation needs a content store (IPFS)")
        return self.store

    # ------------------------------------------------------------ steward: datasets
    def consenting(self, patients: Iterable[str], categories: Category | int, steward: str | None = None) -> list[str]:
        """The patients whose research consent (READ, RESEARCH, ``categories``) for the steward is active now."""
        steward = check_address(steward or self.me)
        consent = self.suite.contract("ConsentRegistry")
        return [p for p in (check_address(x, "patient") for x in patients)
                if call(consent.functions.isPermitted(p, steward, int(categories), int(Purpose.RESEARCH), int(Action.READ)))]

    def build_dataset(self, records: Iterable[tuple[str, Mapping[str, Any]]], fields: Field | str | int,
                      categories: Category | int) -> DatasetBuild:
        """Build a dataset from the steward's records, keeping only patients with active research consent.

        Returns:
            The build; ``excluded`` lists the patients left out.
        """
        records = [(check_address(p, "patient"), r) for p, r in records]
        allowed = set(self.consenting({p for p, _ in records}, categories))
        build = DatasetBuild.from_records([(p, r) for p, r in records if p in allowed], fields)
        build.excluded = sorted({p for p, _ in records} - allowed)
        return build

    def register_dataset(self, build: DatasetBuild, *, categories: Category | int, price: int, steward_share_bps: int,
                         licence_duration: int, previous_version: int = 0) -> tuple[int, Receipt]:
        """Store the build's manifest (encrypted to the steward) and register the version on chain.

        Nothing is registered if storing fails.

        Returns:
            ``(version, receipt)``.

        Raises:
            InvalidInputError: bad terms. StorageError: the manifest could not be stored.
            ContractRevert: e.g. ``MissingRole``, ``InvalidFields``.
        """
        if not 0 < price < 2**96:
            raise InvalidInputError("price must be a positive amount of token base units")
        if not 0 <= steward_share_bps < BPS:
            raise InvalidInputError("steward share must be 0 to 9999 basis points")
        if not 0 < licence_duration <= MAX_DURATION:
            raise InvalidInputError("licence duration must be 1 s to 3650 days")
        if not int(categories) or int(categories) & ~int(sum(Category)):
            raise InvalidInputError("categories must be a non-empty consent category mask")
        me = self.me
        key = self._registry_key(me)
        cid = self._store().add(seal_envelope(build.to_json(), me, key))
        terms = (cid, build.root, int(build.fields), int(categories), price, steward_share_bps, licence_duration,
                 previous_version)
        receipt = self._send(self.contract.functions.registerDataset(terms))
        (ev,) = events(self.contract, "DatasetRegistered", receipt)
        return int(ev["version"]), receipt

    def load_build(self, version: int, keypair: EncryptionKeyPair) -> DatasetBuild:
        """Fetch and decrypt a version's manifest (the steward's key pair)."""
        cid = self.dataset(version).manifest_cid
        return DatasetBuild.from_json(open_envelope(self._store().cat(cid), keypair))

    def contribute(self, version: int, patient: str, weight: int) -> Receipt:
        """Record a consent-based contribution (steward)."""
        _check_weight(weight)
        return self._send(self.contract.functions.contribute(version, check_address(patient, "patient"), weight))

    def sign_contribution(self, patient: LocalAccount, version: int, weight: int, deadline: int) -> bytes:
        """The patient's EIP-712 signature over a contribution (nonce read from the chain)."""
        _check_weight(weight)
        nonce = int(call(self.contract.functions.nonces(patient.address)))
        typed = {
            "types": {
                "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                 {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
                "Contribution": [{"name": "patient", "type": "address"}, {"name": "version", "type": "uint256"},
                                 {"name": "weight", "type": "uint64"}, {"name": "nonce", "type": "uint256"},
                                 {"name": "deadline", "type": "uint256"}],
            },
            "primaryType": "Contribution",
            "domain": {"name": "MedChain ResearchDataLicensing", "version": "1", "chainId": self.suite.chain.chain_id,
                       "verifyingContract": self.contract.address},
            "message": {"patient": patient.address, "version": version, "weight": weight, "nonce": nonce,
                        "deadline": deadline},
        }
        return bytes(patient.sign_message(encode_typed_data(full_message=typed)).signature)

    def contribute_by_sig(self, version: int, patient: str, weight: int, deadline: int, signature: bytes) -> Receipt:
        """Record a contribution authorised by the patient's signature (steward)."""
        _check_weight(weight)
        return self._send(self.contract.functions.contributeBySig(version, check_address(patient, "patient"), weight,
                                                                  deadline, signature))

    def contribute_all(self, version: int, build: DatasetBuild) -> list[Receipt]:
        """Record every patient of ``build`` with its row count as weight (consent-based)."""
        return [self.contribute(version, p, w) for p, w in build.weights().items()]

    def publish(self, version: int) -> Receipt:
        return self._send(self.contract.functions.publish(version))

    def retire(self, version: int) -> Receipt:
        return self._send(self.contract.functions.retire(version))

    def flag_withdrawn(self, version: int, patient: str) -> Receipt:
        """Take ``patient`` out of ``version`` (anyone, once their consent is no longer permitted; or the patient)."""
        return self._send(self.contract.functions.flagWithdrawn(version, check_address(patient, "patient")))

    # ------------------------------------------------------------ researchers: licences
    def buy_licence(self, version: int, fields: Field | str | int, *, approve: bool = True) -> tuple[int, Receipt]:
        """Buy a licence to ``fields`` of ``version`` (approves the price first unless told not to).

        Raises:
            InvalidInputError: identity fields requested. ContractRevert: e.g. ``VersionHasWithdrawnContributors``.
        """
        mask = parse_fields(fields)
        if int(mask) & int(IDENTITY_FIELDS):
            raise InvalidInputError("identity fields can never be licensed: " + ", ".join(
                field_names(int(mask) & int(IDENTITY_FIELDS))))
        if approve:
            price = self.dataset(version).price
            token = self.suite.contract("SettlementToken")
            allowance = int(call(token.functions.allowance(self.me, self.contract.address)))
            if allowance < price:
                self._send(token.functions.approve(self.contract.address, price))
        receipt = self._send(self.contract.functions.buyLicence(version, int(mask)))
        (ev,) = events(self.contract, "LicenceIssued", receipt)
        return int(ev["licenceId"]), receipt

    def build_extract(self, build: DatasetBuild, licence_id: int) -> dict[str, Any]:
        """The licensed extract (plaintext): only licensed fields, per-licence pseudonyms, proofs.

        Rows of patients without a live contribution to the version (never contributed, or
        withdrawn) are left out, and so are the rows of consent-based contributors whose research
        consent for the steward is not permitted now (revoked, narrowed or expired), read from the
        ConsentRegistry at delivery: a revocation counts without anyone flagging it, for every
        extract built after it, including one of a licence sold before it. (The chain's present
        state is used, not the state of the block that sold the licence: nodes that are not
        archives keep no old state, and a patient's later "no" is honoured too.)

        Raises:
            InvalidInputError: unknown or expired licence, or the build is not the version's.
        """
        lic = self.licence(licence_id)
        if lic.licensee == "0x" + "00" * 20:
            raise InvalidInputError(f"licence {licence_id} does not exist")
        if not self.is_licensed(licence_id, lic.licensee, lic.fields):
            raise InvalidInputError(f"licence {licence_id} has expired")
        ds = self.dataset(lic.version)
        if build.root != ds.rows_root:
            raise InvalidInputError(f"this build is not dataset version {lic.version} (rows root differs)")
        leaves = build.leaves
        pseudonym_key = hmac.new(build.secret, b"licence" + licence_id.to_bytes(32, "big"), hashlib.sha256).digest()
        contributions = {p: self.contribution(lic.version, p) for p in build.weights()}
        live = {p for p, c in contributions.items() if c.weight and not c.withdrawn}
        by_consent = [p for p in live if contributions[p].basis == Basis.CONSENT]
        permitted = set(self.consenting(by_consent, ds.categories, ds.steward))
        live -= set(by_consent) - permitted
        names = field_names(int(ALL_FIELDS))
        licensed = set(field_names(int(lic.fields)))
        rows = []
        for row, leaf in zip(build.rows, leaves, strict=True):
            if row.patient not in live:
                continue
            salts, hashes = row.salts(), row.hashes()
            rows.append({
                "pseudonym": hmac.new(pseudonym_key, bytes.fromhex(row.patient[2:]), hashlib.sha256).hexdigest(),
                "fields": {n: row.values.get(n) for n in names if n in licensed},
                "salts": {n: "0x" + salts[i].hex() for i, n in enumerate(names) if n in licensed},
                "hashes": {n: "0x" + hashes[i].hex() for i, n in enumerate(names) if n not in licensed},
                "proof": ["0x" + p.hex() for p in merkle_proof(leaves, leaf)],
            })
        return {"format": EXTRACT_FORMAT, "licenceId": licence_id, "version": lic.version, "fields": field_names(int(lic.fields)),
                "rowsRoot": "0x" + ds.rows_root.hex(), "expiresAt": lic.expires_at, "rows": rows}

    def deliver_extract(self, build: DatasetBuild, licence_id: int) -> tuple[str, Receipt]:
        """Build the extract, encrypt it to the licensee's registered key, store it, record its CID.

        Nothing is recorded on chain if storing fails.

        Returns:
            ``(cid, receipt)``.
        """
        extract = self.build_extract(build, licence_id)
        key = self._registry_key(self.licence(licence_id).licensee)
        cid = self._store().add(seal_envelope(extract, self.me, key))
        return cid, self._send(self.contract.functions.recordExtract(licence_id, cid))

    def open_extract(self, licence_id: int, keypair: EncryptionKeyPair) -> dict[str, Any]:
        """Fetch and decrypt the extract recorded for a licence (the licensee's key pair).

        Raises:
            ContentNotFoundError: no extract recorded yet. CryptoError: not for this key.
        """
        cid = self.extract_cid(licence_id)
        if not cid:
            raise ContentNotFoundError(f"no extract recorded for licence {licence_id}")
        return open_envelope(self._store().cat(cid), keypair)

    def verify_row(self, version: int, row: Mapping[str, Any], *, on_chain: bool = True) -> bool:
        """Check that an extract row belongs to ``version``: recompute its leaf from the licensed
        values and salts and the other fields' hashes, then verify the Merkle proof against the
        root on chain (``on_chain``: by the contract's ``verifyRow``)."""
        try:
            hashes = []
            for n in field_names(int(ALL_FIELDS)):
                if n in row["fields"]:
                    hashes.append(field_hash(bytes.fromhex(row["salts"][n][2:]), row["fields"][n]))
                else:
                    hashes.append(bytes.fromhex(row["hashes"][n][2:]))
            leaf = leaf_of(hashes)
            proof = [bytes.fromhex(p[2:]) for p in row["proof"]]
        except (KeyError, ValueError, TypeError, AttributeError):
            return False
        if on_chain:
            return bool(call(self.contract.functions.verifyRow(version, proof, leaf)))
        return verify_proof(proof, self.dataset(version).rows_root, leaf)

    def record_extract(self, licence_id: int, cid: str) -> Receipt:
        if not 0 < len(cid.encode()) <= MAX_CID:
            raise InvalidInputError("a CID has 1 to 128 bytes")
        return self._send(self.contract.functions.recordExtract(licence_id, cid))

    # ------------------------------------------------------------ revenue
    def withdraw(self, versions: Sequence[int]) -> tuple[int, Receipt]:
        """Withdraw everything owed to the sender on ``versions``; returns ``(amount, receipt)``."""
        if not versions:
            raise InvalidInputError("give at least one dataset version")
        receipt = self._send(self.contract.functions.withdraw(list(versions)))
        return sum(int(e["amount"]) for e in events(self.contract, "RevenueWithdrawn", receipt)), receipt

    def pending_revenue(self, account: str, version: int) -> int:
        return int(call(self.contract.functions.pendingRevenue(check_address(account), version)))

    # ------------------------------------------------------------ reads
    def dataset(self, version: int) -> Dataset:
        d = call(self.contract.functions.dataset(version))
        return Dataset(version, d[0], Field(d[1]), Category(d[2]), d[3], d[4], d[5], d[6], d[7], d[8], Status(d[9]),
                       d[10], d[11], d[12], bytes(d[13]), d[14])

    def contribution(self, version: int, patient: str) -> Contribution:
        c = call(self.contract.functions.contribution(version, check_address(patient)))
        return Contribution(c[0], c[1], c[2], Basis(c[3]), c[4])

    def licence(self, licence_id: int) -> Licence:
        lic = call(self.contract.functions.licence(licence_id))
        return Licence(licence_id, lic[0], lic[1], Field(lic[2]), lic[3])

    def is_licensed(self, licence_id: int, licensee: str, fields: Field | str | int) -> bool:
        return bool(call(self.contract.functions.isLicensed(licence_id, check_address(licensee), int(parse_fields(fields)))))

    def extract_cid(self, licence_id: int) -> str:
        return str(call(self.contract.functions.extractCid(licence_id)))

    def version_count(self) -> int:
        return int(call(self.contract.functions.versionCount()))

    # ------------------------------------------------------------ helpers
    def _registry_key(self, account: str) -> bytes:
        return self.encryption_key(account)


def _check_weight(weight: int) -> None:
    if isinstance(weight, bool) or not isinstance(weight, int) or not 0 < weight < 2**64:
        raise InvalidInputError("a contribution weight is a positive integer below 2**64")


def split(price: int, share_bps: int, total_weight: int) -> tuple[int, int]:
    """What one sale gives: ``(steward cut incl. rounding remainder, units per unit of weight)``."""
    steward = price * share_bps // BPS
    per_weight = (price - steward) // total_weight
    return price - per_weight * total_weight, per_weight
