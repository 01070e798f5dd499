"""A batch's quality-control report: sealed on IPFS, its data key wrapped for those entitled.

The report is sealed (:func:`medchain.core.crypto.seal`, bound to the manufacturer and the batch
id: :func:`qc_context`) and stored on IPFS; the chain carries its CID, which is also its hash. Its
data key is wrapped (ECIES) in a :class:`~medchain.core.crypto.KeyVault` for those entitled to read
it: the manufacturer, every regulator, and each custodian the batch is shipped to (the shipping
client wraps it for the recipient; a holder can share it). :meth:`QCReports.read` fetches it,
checks it against the CID on chain and decrypts it.

:class:`QCReports` works through a :class:`~medchain.drugs.client.DrugsClient` (its account,
store, vault and key pair); the client's ``qc_report``, ``share_qc_report``, ``qc_entitled`` and
``regulators`` are its thin front.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from web3.contract.contract import ContractFunction

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
from medchain.core.errors import (
    AccessDeniedError,
    ContractRevert,
    DrugTracingError,
    IntegrityError,
    InvalidInputError,
    NotARecipientError,
    StorageError,
)
from medchain.core.registry import Role, check_address
from medchain.core.storage import ContentStore, compute_cid, normalise_cid, verify_content
from medchain.core.tx import Receipt, call
from medchain.drugs.model import Batch, ShipmentRef, _b32

if TYPE_CHECKING:
    from medchain.drugs.client import DrugsClient

__all__ = ["QCReports", "qc_context"]

#: A QC report's data key: the batch's key, and the sender's unwrapped data key.
QCKey = tuple[Batch, bytes]


def qc_context(manufacturer: str, batch: bytes) -> RecordContext:
    """What a batch's sealed QC report and its wrapped keys are bound to: the manufacturer, the
    batch id, category index 0 (a QC report is no patient data; the index only fills the field)."""
    return RecordContext(manufacturer, _b32(batch), 0)


def _vault_key(batch: bytes) -> str:
    return vault_record_key(_b32(batch), 0)


class QCReports:
    """The QC reports of a :class:`~medchain.drugs.client.DrugsClient`'s batches."""

    def __init__(self, client: DrugsClient):
        self.client = client

    @property
    def keypair(self) -> EncryptionKeyPair:
        """The sender's encryption key pair (default: derived from the account's key)."""
        c = self.client
        if c._keypair is None:
            if c.sender is None:
                raise InvalidInputError("this client was opened read-only (no account, no key)")
            c._keypair = EncryptionKeyPair.from_private_key(bytes(c.sender.account.key))
        return c._keypair

    def storage(self) -> tuple[ContentStore, KeyVault]:
        c = self.client
        if c.store is None or c.vault is None or c.sender is None:
            raise InvalidInputError("QC reports need a client with an account, a store and a key vault")
        return c.store, c.vault

    def public_key(self, account: str) -> bytes:
        try:
            return self.client.encryption_key(account)
        except ContractRevert as exc:
            raise InvalidInputError(f"{account} has no encryption key in the participant registry ({exc.name})") from None

    def regulators(self) -> list[str]:
        """The active regulators now (from the registry's events, checked against its state)."""
        c = self.client
        start = int(c.suite.manifest["contracts"].get("ParticipantRegistry", {}).get("block", 0))
        seen = [e["args"]["account"] for name in ("OrganizationRegistered", "RolesChanged")
                for e in c.logs(name, from_block=start, contract=c.registry)]
        return [a for a in dict.fromkeys(seen) if c.has_role(a, Role.REGULATOR)]

    def commission(self, batch: bytes, report: bytes, commissioning: Callable[[str], ContractFunction]) -> Receipt:
        """Seal and store ``report``, wrap its key for the manufacturer (the sender) and every
        regulator, then send ``commissioning(cid)``. The commissioning is simulated first (a
        refused one stores nothing); a failed one removes the keys and unpins the report again."""
        c = self.client
        store, vault = self.storage()
        maker = c.me
        ctx = qc_context(maker, batch)
        blob, data_key = seal(bytes(report), ctx)
        cid = compute_cid(blob, cid_version=getattr(store, "cid_version", 0), raw_leaves=getattr(store, "raw_leaves", None))
        fn = commissioning(cid)
        call(fn, sender=maker)  # a refused commissioning stops here, before anything is stored
        readers = list(dict.fromkeys([maker, *self.regulators()]))
        wrapped = {r: wrap_key(data_key, self.public_key(r), ctx) for r in readers}
        stored = store.add(blob)
        if normalise_cid(stored) != normalise_cid(cid):
            raise IntegrityError(f"{store.name} stored the QC report as {stored}, expected {cid}")
        key = _vault_key(batch)
        for reader, w in wrapped.items():
            vault.put(key, reader, w)
        try:
            return c._send(fn)
        except Exception:  # the commissioning failed after all: take the report back, then re-raise
            for reader in wrapped:
                vault.revoke(key, reader)
            try:
                store.unpin(cid)
            except StorageError:
                pass
            raise

    def batch_with_report(self, batch: bytes) -> Batch:
        """The batch, which must have a QC report on chain.

        Raises:
            DrugTracingError: unknown batch, or no QC report.
        """
        info = self.client.batch(batch)
        if info is None:
            raise DrugTracingError(f"no batch 0x{_b32(batch).hex()} on this chain")
        if not info.qc_report_cid:
            raise DrugTracingError(f"batch {info.lot} has no QC report on chain")
        return info

    def sender_key(self, batch: bytes, *, required: bool) -> QCKey | None:
        """The batch and the report's data key, as the sender can unwrap it (``None`` when it
        cannot and ``required`` is false)."""
        c = self.client
        if c.vault is None or c.sender is None:
            if required:
                raise InvalidInputError("sharing the QC report needs a client with an account and a key vault")
            return None
        info = c.batch(batch)
        if info is None or not info.qc_report_cid:
            if required:
                self.batch_with_report(batch)
            return None
        try:
            wrapped = c.vault.get(_vault_key(info.id), c.sender.address)
        except NotARecipientError:
            if required:
                raise
            return None
        return info, unwrap_key(wrapped, self.keypair, qc_context(info.manufacturer, info.id))

    def wrap(self, qc: QCKey, reader: str) -> None:
        """Wrap the data key of :meth:`sender_key` for ``reader``."""
        info, data_key = qc
        vault = self.client.vault
        assert vault is not None  # sender_key found the key in it
        vault.put(_vault_key(info.id), reader,
                  wrap_key(data_key, self.public_key(reader), qc_context(info.manufacturer, info.id)))

    def entitled(self, batch: bytes) -> list[str]:
        """Who may read the batch's QC report: its manufacturer, the active regulators, and every
        custodian a shipment of the batch was sent to."""
        bid = _b32(batch)
        info = self.batch_with_report(bid)
        recipients = [ShipmentRef.from_event(e["args"]["ref"]).recipient
                      for e in self.client.logs("ShipmentSent", batchId=bid)]
        return list(dict.fromkeys([info.manufacturer, *self.regulators(), *recipients]))

    def share(self, batch: bytes, reader: str) -> None:
        """Wrap the batch's QC report key for ``reader`` (by anyone holding a key).

        Raises:
            AccessDeniedError: ``reader`` is not entitled. NotARecipientError: the sender holds no key.
            DrugTracingError: unknown batch, or no QC report.
        """
        bid = _b32(batch)
        reader = check_address(reader, "reader")
        if reader not in self.entitled(bid):
            raise AccessDeniedError(f"{reader} is neither the manufacturer, a regulator nor a custodian of this batch")
        qc = self.sender_key(bid, required=True)
        assert qc is not None  # required: raises instead
        self.wrap(qc, reader)

    def read(self, batch: bytes) -> bytes:
        """The batch's QC report in clear: fetched by its CID, checked against the CID on chain
        (the content hash) and decrypted with the sender's key.

        Raises:
            DrugTracingError: unknown batch, or no QC report. NotARecipientError: no key for the
            sender. IntegrityError: the store returned other content. DecryptionError: tampered.
        """
        store, vault = self.storage()
        info = self.batch_with_report(batch)
        blob = store.cat(info.qc_report_cid)
        verify_content(info.qc_report_cid, blob)
        ctx = qc_context(info.manufacturer, info.id)
        data_key = unwrap_key(vault.get(_vault_key(info.id), self.client.me), self.keypair, ctx)
        return open_sealed(blob, data_key, ctx)
