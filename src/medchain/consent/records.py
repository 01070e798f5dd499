"""Encrypted medical records: FHIR R4 JSON sealed off chain (IPFS), anchored on chain by hash.

Writing (:meth:`RecordsClient.put`): the FHIR resource is validated, serialised canonically and
sealed under a fresh AES-256-GCM data key bound to (patient, record id, category); the data key is
wrapped (ECIES over secp256k1) for the patient, the author and any reader given, to the keys in the
participant registry, into the :class:`~medchain.core.crypto.KeyVault`. The anchor is simulated first,
then the ciphertext is stored, then the keys, and only then the anchor is sent: a store that is
down or a refused anchor leaves nothing on chain (and a failed anchor removes the keys again).

Reading (:meth:`RecordsClient.get`): the anchor is read from the chain (an erased record stops
here), a reader other than the patient logs the access on the ConsentRegistry before anything is
fetched (refused without a consent for the record's own category, which its id carries, or when the
reader is a suspended organisation), the ciphertext is fetched by CID, its SHA-256 checked against
the chain, the data key unwrapped with the reader's key, and the record decrypted.

Revoking (:meth:`RecordsClient.revoke`): the consent is revoked on chain, then every current record
the revoked reader could decrypt is re-keyed (new data key, new ciphertext, new anchor), one atomic
re-key at a time; a failure names the records still to re-key and running it again resumes.

Each anchored version is its own record (own id, own data key); an amendment or a re-key anchors a
new record that supersedes the previous one. Erasure destroys every version's keys (crypto-shredding)
and flags them erased on chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from medchain.consent.client import ConsentClient, new_record_id, parse_category, parse_mask, record_key
from medchain.core.client import ContractClient
from medchain.core.crypto import (
    EncryptionKeyPair,
    KeyVault,
    RecordContext,
    open_sealed,
    seal,
    unwrap_key,
    vault_record_key,
    wrap_key,
)
from medchain.core.deploy import Suite
from medchain.core.errors import (
    AccessDeniedError,
    ConsentRevokedError,
    ContractRevert,
    IntegrityError,
    InvalidInputError,
    MedChainError,
    NotARecipientError,
    RecordErasedError,
    RecordError,
    RekeyIncompleteError,
    StorageError,
)
from medchain.core.registry import check_address
from medchain.core.standards.consent_codes import Action, Category, Purpose
from medchain.core.standards.fhir import validate_record
from medchain.core.storage import ContentStore, compute_cid, normalise_cid
from medchain.core.tx import Receipt, Sender, call

CONTRACT = "RecordRegistry"
ZERO = b"\0" * 32


@dataclass(frozen=True)
class RecordInfo:
    """One anchored record (one version of a lineage).

    Attributes:
        supersedes: The record this one replaces (``None`` for a first version).
        superseded: A later version replaced it.
    """

    record_id: bytes
    patient: str
    category: int
    author: str
    content_hash: bytes
    cid: str
    supersedes: bytes | None
    anchored_at: int
    erased: bool
    superseded: bool
    tx_hash: str
    block: int

    @property
    def id_hex(self) -> str:
        return "0x" + self.record_id.hex()

    def context(self) -> RecordContext:
        """The encryption context (patient, record id, category index) of this record."""
        return RecordContext(self.patient, self.record_id, Category(self.category).index)

    def describe(self) -> dict[str, Any]:
        return {"recordId": self.id_hex, "patient": self.patient, "category": Category.names(self.category)[0],
                "author": self.author, "cid": self.cid, "sha256": "0x" + self.content_hash.hex(),
                "supersedes": "0x" + self.supersedes.hex() if self.supersedes else None,
                "anchoredAt": self.anchored_at, "erased": self.erased, "superseded": self.superseded,
                "txHash": self.tx_hash}


@dataclass(frozen=True)
class Revocation:
    """What :meth:`RecordsClient.revoke` did.

    Attributes:
        receipt: The revocation's transaction; ``None`` when the consent was already revoked (a
            resumed run).
        rekeyed: The new versions (each ``supersedes`` the record the grantee could read).
    """

    grantee: str
    receipt: Receipt | None
    rekeyed: list[RecordInfo]


def canonical_json(resource: dict[str, Any]) -> bytes:
    """The validated FHIR resource as canonical JSON bytes (sorted keys, no spaces).

    Raises:
        FHIRValidationError: not an accepted, valid FHIR R4 record.
    """
    return json.dumps(validate_record(resource), sort_keys=True, separators=(",", ":")).encode()


class RecordsClient(ContractClient):
    """Put, get, list, re-key and erase encrypted records.

    Args:
        suite: The deployed suite.
        sender: The acting account (patient, provider, reader).
        store: Where ciphertexts live (:func:`medchain.core.storage.open_store`).
        vault: Where wrapped data keys live (shared by the readers' key service).
        keypair: The sender's encryption key pair (default: derived from the account's key,
            which is what ``participants register-*`` publishes by default).
    """

    CONTRACT = CONTRACT

    def __init__(self, suite: Suite, sender: Sender, store: ContentStore, vault: KeyVault,
                 keypair: EncryptionKeyPair | None = None):
        super().__init__(suite, sender)
        self.sender: Sender = sender
        self.store = store
        self.vault = vault
        self.keypair = keypair or EncryptionKeyPair.from_private_key(bytes(sender.account.key))
        self.consent = ConsentClient(suite, sender)

    # ------------------------------------------------------------------ helpers
    def _public_key(self, account: str) -> bytes:
        try:
            return self.encryption_key(account)
        except ContractRevert as exc:
            raise InvalidInputError(f"{account} has no encryption key in the participant registry ({exc.name})") from None

    def _may_read(self, patient: str, reader: str, category: int) -> bool:
        c = self.consent.consent(patient, reader)
        return c.covers(category, c.purposes or 1, int(Action.READ), self.suite.chain.now())

    @staticmethod
    def _what(info: RecordInfo, purpose: Any) -> str:
        return f"{Category.names(info.category)[0]} data for {Purpose.names(parse_mask(purpose, Purpose))[0]}"

    def _denied(self, info: RecordInfo, reader: str, purpose: Any) -> AccessDeniedError:
        what = self._what(info, purpose)
        c = self.consent.consent(info.patient, reader)
        status = c.status(self.suite.chain.now())
        if status == "revoked":
            return ConsentRevokedError(f"{info.patient} revoked the consent of {reader} (version {c.version}): "
                                       f"it may no longer read {what}")
        if status in ("expired", "pending"):
            return AccessDeniedError(f"the consent of {info.patient} for {reader} is {status}: it may not read {what} now")
        return AccessDeniedError(f"{reader} holds no consent of {info.patient} to read {what}")

    # ------------------------------------------------------------------ read
    def info(self, record_id: bytes | str) -> RecordInfo:
        """The anchor of a record, from the chain.

        Raises:
            RecordError: no such record.
        """
        rid = record_key(record_id)
        patient, category, anchored_at, erased, superseded, content_hash = call(self.contract.functions.record(rid))
        if int(patient, 16) == 0:
            raise RecordError(f"no record 0x{rid.hex()} on chain")
        logs = self.logs("RecordAnchored", recordId=rid)
        if not logs:
            raise RecordError(f"record 0x{rid.hex()} has no anchor event (node without logs?)")
        a = logs[0]["args"]
        sup = bytes(a["supersedes"])
        return RecordInfo(rid, patient, category, a["author"], bytes(content_hash), a["cid"], sup if any(sup) else None,
                          anchored_at, erased, superseded, logs[0]["transactionHash"].to_0x_hex(),
                          logs[0]["blockNumber"])

    def records(self, patient: str, *, current_only: bool = False) -> list[RecordInfo]:
        """The patient's full index, oldest first (every version, or only current, unerased ones)."""
        patient = check_address(patient, "patient")
        count = int(call(self.contract.functions.recordCount(patient)))
        ids = call(self.contract.functions.recordsOf(patient, 0, count)) if count else []
        infos = [self.info(bytes(i)) for i in ids]
        return [i for i in infos if not (i.superseded or i.erased)] if current_only else infos

    def history(self, record_id: bytes | str) -> list[RecordInfo]:
        """Every version of the record's lineage, oldest first."""
        info = self.info(record_id)
        chain = [info]
        while chain[0].supersedes:
            chain.insert(0, self.info(chain[0].supersedes))
        while chain[-1].superseded:
            nxt = self.logs("RecordAnchored", supersedes=chain[-1].record_id)
            if not nxt:
                break
            chain.append(self.info(bytes(nxt[0]["args"]["recordId"])))
        return chain

    def latest(self, record_id: bytes | str) -> RecordInfo:
        """The current version of the record's lineage."""
        return self.history(record_id)[-1]

    def get(self, record_id: bytes | str, *, purpose: Any = "treatment", emergency_reason: str | None = None) -> dict[str, Any]:
        """Read and decrypt a record as the sender.

        A reader who is not the patient logs the access first (or, with ``emergency_reason``, a
        break-glass access, hospitals only).

        Returns:
            The FHIR resource.

        Raises:
            RecordError: unknown record. RecordErasedError: erased on chain.
            AccessDeniedError: the reader is a suspended organisation (checked here, before
                logging: the chain logs such a read as evidence rather than refusing it), or the
                chain refused to log the access (no valid consent); ConsentRevokedError (a
                subclass): the consent was revoked.
            StorageError: the store cannot deliver it; IntegrityError: the ciphertext does not
                match its CID or the SHA-256 anchored on chain (tampered).
            NotARecipientError: no data key for this reader. DecryptionError: wrong key.
        """
        info = self.info(record_id)
        if info.erased:
            raise RecordErasedError(f"record {info.id_hex} was erased on chain; its content is gone")
        me = self.sender.address
        if me != info.patient:
            if emergency_reason is None and self.participant(me).suspended:
                raise AccessDeniedError(f"{me} is suspended in the participant registry and may not read "
                                        f"{self._what(info, purpose)}")
            try:
                if emergency_reason is not None:
                    self.consent.emergency_access(info.record_id, emergency_reason)
                else:
                    self.consent.log_access(info.record_id, purpose)
            except ContractRevert as exc:
                if exc.name == "AccessNotPermitted" and emergency_reason is None:
                    raise self._denied(info, me, purpose) from None
                raise
        return self.decrypt(info)

    def decrypt(self, info: RecordInfo) -> dict[str, Any]:
        """Fetch, verify and decrypt a record without logging (the patient's own reads, tools).

        Raises:
            as :meth:`get`, except the access checks.
        """
        blob = self.store.cat(info.cid)
        digest = hashlib.sha256(blob).digest()
        if digest != info.content_hash:
            raise IntegrityError(f"ciphertext of record {info.id_hex} does not match the SHA-256 anchored on chain")
        wrapped = self.vault.get(vault_record_key(info.record_id, 0), self.sender.address)
        ctx = info.context()
        data_key = unwrap_key(wrapped, self.keypair, ctx)
        return json.loads(open_sealed(blob, data_key, ctx))

    # ------------------------------------------------------------------ write
    def put(self, patient: str, resource: dict[str, Any], category: Any, *, readers: Iterable[str] = (),
            supersedes: bytes | str | None = None) -> RecordInfo:
        """Validate, encrypt, store and anchor a record.

        Args:
            patient: Whose record it is (a registered patient).
            resource: FHIR R4 Observation, Condition, MedicationStatement, DiagnosticReport or Bundle.
            category: Its one data category (``"diabetes"``, ``Category.CARDIOLOGY``, 2...).
            readers: Other accounts to wrap the key for; each needs an active read consent for the
                category now (the patient and the author always get a key).
            supersedes: The record this one amends (a new version; the old one stays).

        Returns:
            The anchored record.

        Raises:
            FHIRValidationError: invalid resource. InvalidInputError: bad category or reader.
            AccessDeniedError: a reader without read consent.
            ContractRevert: the anchor would be refused (``NotAWriter``, ``NotAPatient``...): nothing
                was stored. StorageError (e.g. StorageUnavailableError): the store failed: nothing
                was anchored.
        """
        patient = check_address(patient, "patient")
        cat = parse_category(category)
        plaintext = canonical_json(resource)
        author = self.sender.address
        extra = [check_address(r, "reader") for r in readers]
        for reader in extra:
            if reader not in (patient, author) and not self._may_read(patient, reader, cat):
                raise AccessDeniedError(f"{reader} holds no read consent of {patient} for {Category.names(cat)[0]} data")
        return self._put(patient, plaintext, cat, list(dict.fromkeys([patient, author, *extra])),
                         record_key(supersedes) if supersedes is not None else None)

    def _put(self, patient: str, plaintext: bytes, cat: int, readers: list[str], supersedes: bytes | None) -> RecordInfo:
        record_id = new_record_id(patient, cat)
        ctx = RecordContext(patient, record_id, Category(cat).index)
        blob, data_key = seal(plaintext, ctx)
        wrapped = {r: wrap_key(data_key, self._public_key(r), ctx) for r in readers}
        content_hash = hashlib.sha256(blob).digest()
        cid = compute_cid(blob, cid_version=getattr(self.store, "cid_version", 0),
                          raw_leaves=getattr(self.store, "raw_leaves", None))
        fn = self.contract.functions.anchor(record_id, content_hash, cid, supersedes or ZERO)
        call(fn, sender=self.sender.address)  # refused anchors stop here, before anything is stored
        stored = self.store.add(blob)
        if normalise_cid(stored) != normalise_cid(cid):
            raise IntegrityError(f"{self.store.name} stored the ciphertext as {stored}, expected {cid}")
        key = vault_record_key(record_id, 0)
        for reader, w in wrapped.items():
            self.vault.put(key, reader, w)
        try:
            receipt = self.sender.transact(fn)
        except Exception:
            self.vault.shred(key)
            try:
                self.store.unpin(cid)
            except StorageError:
                pass
            raise
        assert isinstance(receipt, Receipt)
        return RecordInfo(record_id, patient, cat, self.sender.address, content_hash, cid, supersedes,
                          self.block_time(receipt.block_number), False, False,
                          receipt.tx_hash, receipt.block_number)

    def amend(self, record_id: bytes | str, resource: dict[str, Any], *, readers: Iterable[str] | None = None) -> RecordInfo:
        """Anchor a corrected version of a record (the old version stays in the history).

        By default the new version is readable by the same readers as the old one who may still
        read the category.
        """
        old = self.latest(record_id)
        keep = readers if readers is not None else [
            r for r in self.vault.readers(vault_record_key(old.record_id, 0))
            if r not in (old.patient, self.sender.address) and self._may_read(old.patient, r, old.category)]
        return self.put(old.patient, resource, old.category, readers=keep, supersedes=old.record_id)

    def share(self, record_id: bytes | str, reader: str) -> None:
        """Wrap a record's data key for another reader (by a key holder: the patient or the author).

        The reader must hold an active read consent for the category, or have logged an
        emergency access to this record.

        Raises:
            AccessDeniedError: neither. NotARecipientError: the sender holds no key itself.
            RecordErasedError: erased.
        """
        info = self.latest(record_id)
        if info.erased:
            raise RecordErasedError(f"record {info.id_hex} was erased on chain")
        reader = check_address(reader, "reader")
        emergency = any(a.emergency and a.record_id == info.record_id
                        for a in self.consent.accesses(patient=info.patient, reader=reader))
        if not emergency and not self._may_read(info.patient, reader, info.category):
            raise AccessDeniedError(f"{reader} holds no read consent of {info.patient} for this record")
        ctx = info.context()
        key = vault_record_key(info.record_id, 0)
        data_key = unwrap_key(self.vault.get(key, self.sender.address), self.keypair, ctx)
        self.vault.put(key, reader, wrap_key(data_key, self._public_key(reader), ctx))

    def rekey(self, record_id: bytes | str, *, drop: Iterable[str] = ()) -> RecordInfo:
        """Re-encrypt the current version under a new data key and anchor it as a new version.

        Readers of the old version keep a key only if they still hold a read consent for the
        category and are not in ``drop``; the dropped readers' keys of the old version are deleted
        too (a key they already unwrapped cannot be taken back, but the new version is out of reach).
        Patient (or a writer) only.

        Returns:
            The new version.
        """
        old = self.latest(record_id)
        if old.erased:
            raise RecordErasedError(f"record {old.id_hex} was erased on chain")
        plaintext = json.dumps(self.decrypt(old), sort_keys=True, separators=(",", ":")).encode()
        dropped = {check_address(d) for d in drop}
        key = vault_record_key(old.record_id, 0)
        previous = self.vault.readers(key)
        keep = [r for r in previous if r == old.patient or (r not in dropped and self._may_read(old.patient, r, old.category))]
        new = self._put(old.patient, plaintext, old.category, list(dict.fromkeys([old.patient, self.sender.address, *keep])),
                        old.record_id)
        for r in previous:
            if r not in keep and r != self.sender.address:
                try:
                    self.vault.revoke(key, r)
                except NotARecipientError:
                    pass
        return new

    def rekey_without(self, reader: str) -> list[RecordInfo]:
        """Re-key every current record of the sender (a patient) that ``reader`` can decrypt, leaving
        ``reader`` out of the new versions, and delete ``reader``'s keys to earlier versions.

        Each re-key is atomic (:meth:`rekey`: stored, then anchored). Running it again after a
        failure resumes with the records ``reader`` can still decrypt.

        Returns:
            The new versions, in the order they were anchored.

        Raises:
            RekeyIncompleteError: a re-key failed (its cause chained); ``pending`` names the records
                still to re-key, ``rekeyed`` the new versions anchored before the failure.
        """
        reader = check_address(reader, "reader")
        infos = self.records(self.sender.address)
        pending = [i for i in infos if not (i.superseded or i.erased)
                   and reader in self.vault.readers(vault_record_key(i.record_id, 0))]
        out: list[RecordInfo] = []
        for info in pending:
            try:
                out.append(self.rekey(info.record_id, drop=[reader]))
            except MedChainError as exc:
                left = [i.record_id for i in pending[len(out):]]
                raise RekeyIncompleteError(
                    f"{len(left)} record(s) still readable by {reader}, not re-keyed yet: "
                    f"{', '.join('0x' + r.hex() for r in left)} ({type(exc).__name__}: {exc}); "
                    "run the revocation again to resume", left, out) from exc
        for info in infos:  # superseded versions (a re-key interrupted after its anchor, older amendments)
            key = vault_record_key(info.record_id, 0)
            if info.superseded and reader in self.vault.readers(key):
                self.vault.revoke(key, reader)
        return out

    def revoke(self, grantee: str) -> Revocation:
        """Revoke the sender's (a patient's) consent for ``grantee`` and re-key every current record
        ``grantee`` could decrypt, so that it cannot read the new versions.

        The revocation comes first (from then on the chain refuses to log the grantee's reads), then
        the re-keys (:meth:`rekey_without`). Running it again after a failure resumes: a consent
        already revoked is not revoked again, and only what the grantee can still decrypt is
        re-keyed. Acting for a patient as a guardian is :meth:`ConsentClient.revoke` (a guardian
        holds no record keys; the patient re-keys with :meth:`rekey_without`).

        Returns:
            The revocation (its receipt, ``None`` when resuming) and the new versions.

        Raises:
            ContractRevert: ``ConsentNotActive`` when the sender never granted ``grantee`` anything.
            RekeyIncompleteError: as :meth:`rekey_without` (the consent is revoked by then).
        """
        grantee = check_address(grantee, "grantee")
        receipt = None
        if not self.consent.consent(self.sender.address, grantee).revoked:
            receipt = self.consent.revoke(grantee)
        return Revocation(grantee, receipt, self.rekey_without(grantee))

    def erase(self, record_id: bytes | str) -> list[Receipt]:
        """Erase a record and all its versions ("right to be forgotten") by crypto-shredding:
        every version's keys are destroyed, the ciphertext unpinned, and each version flagged erased
        on chain. Patient or guardian only (checked on chain before anything is destroyed).

        Raises:
            ContractRevert: ``NotPatientOrGuardian``, ``RecordIsErased``.
        """
        versions = [v for v in self.history(record_id) if not v.erased]
        if not versions:
            raise RecordErasedError(f"record 0x{record_key(record_id).hex()} is already erased")
        for v in versions:
            call(self.contract.functions.erase(v.record_id), sender=self.sender.address)
        receipts: list[Receipt] = []
        for v in versions:
            self.vault.shred(vault_record_key(v.record_id, 0))
            try:
                self.store.unpin(v.cid)
            except StorageError:
                pass  # the content is unreadable without its keys anyway
            receipts.append(self.sender.transact(self.contract.functions.erase(v.record_id)))
        return receipts
