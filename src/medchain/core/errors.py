"""Typed exceptions raised by the ``medchain`` package.

Every error a user can cause derives from :class:`MedChainError`, so an
integrator can catch one type; the CLI turns any of them into a one-line
reason and a non-zero exit code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class MedChainError(Exception):
    """Base class of every error the package raises on purpose."""


class ConfigurationError(MedChainError):
    """Bad configuration or input given by the user (unknown chain, bad option...)."""


class MissingExtraError(ConfigurationError):
    """An optional feature whose extra is not installed (the message names it)."""


class InvalidInputError(MedChainError, ValueError):
    """A value given by the user is malformed (an address, a role name, a date...)."""


class ChainError(MedChainError):
    """The chain cannot be reached or answered something unexpected."""


class ChainUnreachableError(ChainError):
    """No node answers at the given endpoint."""


class WrongChainError(ChainError):
    """The node's chain id is not the one the deployment manifest was written for."""


class NodeStartError(ChainError):
    """A local node (Anvil, Ganache) could not be started."""


class AccountError(MedChainError):
    """An account could not be loaded (missing keystore, wrong password, bad key...)."""


class TransactionError(MedChainError):
    """A transaction could not be sent or did not succeed."""


class InsufficientFundsError(TransactionError):
    """The sending account cannot pay for the transaction."""


class NonceError(TransactionError):
    """The node rejected the transaction's nonce and the sender could not recover."""


class ContractRevert(TransactionError):
    """A contract call reverted.

    Attributes:
        name: The Solidity custom error's name (``"Error"`` for ``require`` strings,
            ``"Panic"`` for panics, ``None`` when the revert data is unknown).
        args: The decoded error arguments, by parameter name.
        data: The raw revert data as hex.
    """

    def __init__(self, name: str | None, args: Mapping[str, Any] | None = None, data: str = "0x"):
        self.name = name
        self.args_by_name = dict(args or {})
        self.data = data
        super().__init__(self._describe())

    def _describe(self) -> str:
        if self.name is None:
            return f"execution reverted without a known error (data {self.data})"
        inner = ", ".join(f"{k}={_fmt(v)}" for k, v in self.args_by_name.items())
        return f"{self.name}({inner})"


def _fmt(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


class ArtifactError(MedChainError):
    """A compiled contract artifact is missing or does not match its source."""


class CompilationError(MedChainError):
    """The Solidity compiler reported errors; the message lists them readably."""


class DeploymentError(MedChainError):
    """The deployment manifest is missing, stale or inconsistent with the chain."""


class StorageError(MedChainError):
    """Off-chain content storage (IPFS) failed."""


class StorageUnavailableError(StorageError):
    """The IPFS node cannot be reached."""


class StorageTimeoutError(StorageError):
    """The IPFS node did not answer in time (e.g. content nobody provides)."""


class ContentNotFoundError(StorageError):
    """The store has no content for the requested CID."""


class IntegrityError(StorageError):
    """Content does not match the CID or hash it was requested by (tampering)."""


class InvalidCIDError(StorageError, ValueError):
    """A string is not a valid CID."""


class CryptoError(MedChainError):
    """Encryption or decryption failed."""


class DecryptionError(CryptoError):
    """The ciphertext or its authentication tag did not verify (tampered, or wrong key)."""


class NotARecipientError(CryptoError):
    """The reader holds no wrapped key for this record."""


class InvalidKeyError(CryptoError, ValueError):
    """A key is malformed (not a valid secp256k1 point, wrong length...)."""


class StandardsError(MedChainError, ValueError):
    """Input that does not follow a health or supply-chain standard (GS1, FHIR, EPCIS, X12).

    Attributes:
        field: The name of the offending field, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message if field is None else f"{field}: {message}")


class GS1Error(StandardsError):
    """A GS1 element string, DataMatrix payload or Digital Link is invalid."""


class FHIRValidationError(StandardsError):
    """A FHIR resource is invalid or of a type MedChain does not accept."""


class RecordError(MedChainError):
    """A medical record cannot be written or read (unknown record, bad lineage...)."""


class RecordErasedError(RecordError):
    """The record was erased on chain (crypto-shredded): its content is gone for good."""


class AccessDeniedError(RecordError):
    """The reader holds no valid consent for the record (the chain refused to log the access)."""


class DrugTracingError(MedChainError):
    """A drug-tracing request cannot be served (unknown shipment, no history, bad readings...)."""


class CounterfeitSuspectedError(DrugTracingError):
    """A presented serial is unknown or already dispensed: the chain recorded it as a suspected
    counterfeit (with who presented it) and refused to dispense.

    Attributes:
        serial: The presented serial. status: ``unknown serial`` or ``dispensed``.
        receipt: The transaction that recorded the attempt.
    """

    def __init__(self, serial: str, status: str, receipt: object = None):
        self.serial = serial
        self.status = status
        self.receipt = receipt
        super().__init__(f"serial {serial!r} refused as a suspected counterfeit ({status}); the attempt is recorded on chain")


class ClaimsError(MedChainError):
    """A claims request cannot be served (unknown claim or plan, nothing owed...)."""


class VerificationUnavailableError(DrugTracingError):
    """The verification service cannot check a batch's serials: it holds no serial list for the
    batch, or one whose Merkle root differs from the batch's on chain (a genuine pack would
    otherwise be called counterfeit)."""


class ConsentRevokedError(AccessDeniedError):
    """The reader's consent for the record was revoked: the chain refused to log the access."""


class RekeyIncompleteError(RecordError):
    """A revocation was recorded on chain but not every record it concerns was re-keyed yet.

    Running the same revocation again resumes: it re-keys only what is still readable.

    Attributes:
        pending: Ids of the current records the revoked reader can still decrypt.
        rekeyed: The new versions anchored before the failure.
    """

    def __init__(self, message: str, pending: list[bytes], rekeyed: Sequence[object]):
        self.pending = pending
        self.rekeyed = rekeyed
        super().__init__(message)
