"""Private trial eligibility (issue 18): a patient proves they meet a trial's criteria without
revealing their values, their hospital or which attestation is theirs.

Roles and data flow:

* The **patient** keeps a random ``patient_secret`` (a field element) and gives its hospital only
  ``patient_public_id = Poseidon(patient_secret)`` (:func:`patient_public_id`).
* The **hospital** attests the patient's values (:meth:`Attestation.new`): the commitment
  ``leaf = Poseidon(patient_public_id, age_years, hba1c_times10, diagnosis, salt)`` is appended to the
  on-chain ``AttestationTree`` (:meth:`AttestationTreeClient.attest`), whose event carries the leaf
  index and the commitment only; the **opening** (values, salt, index) is sealed for the patient with
  the project's record encryption (AES-256-GCM under a fresh data key, the key wrapped to the
  patient's published secp256k1 key by ECIES: :func:`medchain.core.crypto.seal` and ``wrap_key``).
* The **patient** opens it (:func:`open_attestation`) and, for a trial, proves eligibility
  (:func:`prove_eligibility`): a Groth16 proof that some leaf of a recent root opens to values that
  meet the trial's :class:`Criteria`, with ``nullifier = Poseidon(patient_secret, trial_id)`` (one
  enrolment per patient and trial, unlinkable across trials, and not computable by the hospital)
  and bound to the enrolling address. The values are checked first, client side: a patient who
  does not meet a criterion gets :class:`NotEligibleError` naming it, before any proof is attempted.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from medchain.core import zk
from medchain.core.client import ContractClient
from medchain.core.crypto import EncryptionKeyPair, RecordContext, WrappedKey, open_sealed, seal, unwrap_key, wrap_key
from medchain.core.errors import InvalidInputError, MedChainError
from medchain.core.poseidon import FIELD, poseidon
from medchain.core.registry import check_address
from medchain.core.standards.consent_codes import Category
from medchain.core.tx import Receipt, call, events

log = logging.getLogger(__name__)

#: The attestation tree's depth (``AttestationTree.DEPTH``, the circuit's ``DEPTH``).
DEPTH = 16
#: Allowed diagnosis codes per trial (the circuit's ``NCODES``); unused slots are 0.
MAX_CODES = 8
#: The format tag of a sealed opening's plaintext.
OPENING_FORMAT = "medchain.eligibility.opening.v1"


class EligibilityError(MedChainError):
    """Base of the eligibility errors."""


class NotEligibleError(EligibilityError):
    """The patient's attested values do not meet a trial criterion (found before any proof).

    Attributes:
        criterion: Which one: ``age``, ``hba1c_min``, ``hba1c_max`` or ``diagnosis``.
    """

    def __init__(self, criterion: str, detail: str):
        self.criterion = criterion
        super().__init__(f"not eligible: {criterion} ({detail})")


class AttestationNotFoundError(EligibilityError):
    """The opening's leaf is not in the tree at its index (or the tree has no such index)."""


def _field(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < FIELD:
        raise InvalidInputError(f"{what} must be a field element (an int in [0, p))")
    return value


def _bits(value: int, bits: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise InvalidInputError(f"{what} must be an integer in [0, {(1 << bits) - 1}]")
    return value


def new_patient_secret() -> int:
    """A fresh patient secret: a uniformly random field element the patient never shares."""
    return secrets.randbelow(FIELD - 1) + 1


def patient_public_id(patient_secret: int) -> int:
    """``Poseidon(patient_secret)``: what the patient gives its hospital to attest against."""
    return poseidon([_field(patient_secret, "patient_secret")])


def nullifier(patient_secret: int, trial_id: int) -> int:
    """``Poseidon(patient_secret, trial_id)``: one per patient and trial, unlinkable across trials."""
    return poseidon([_field(patient_secret, "patient_secret"), _field(trial_id, "trial_id")])


@dataclass(frozen=True)
class Criteria:
    """A trial's public eligibility criteria.

    Attributes:
        min_age: Minimum age in years (0-255).
        hba1c_min: Minimum HbA1c in tenths of a percent (0-65535), inclusive.
        hba1c_max: Maximum HbA1c in tenths of a percent (0-65535), inclusive.
        allowed: 1 to 8 allowed diagnosis codes (1-65535).

    Raises:
        InvalidInputError: a value out of range, no code, a zero code or more than 8.
    """

    min_age: int
    hba1c_min: int
    hba1c_max: int
    allowed: tuple[int, ...]

    def __post_init__(self) -> None:
        _bits(self.min_age, 8, "min_age")
        _bits(self.hba1c_min, 16, "hba1c_min")
        _bits(self.hba1c_max, 16, "hba1c_max")
        codes = tuple(self.allowed)
        if not 1 <= len(codes) <= MAX_CODES:
            raise InvalidInputError(f"a trial allows 1 to {MAX_CODES} diagnosis codes, not {len(codes)}")
        for code in codes:
            if _bits(code, 16, "a diagnosis code") == 0:
                raise InvalidInputError("diagnosis code 0 is reserved (an unused slot)")
        object.__setattr__(self, "allowed", codes)

    @property
    def slots(self) -> list[int]:
        """The allowed codes padded with 0 to :data:`MAX_CODES`."""
        return list(self.allowed) + [0] * (MAX_CODES - len(self.allowed))

    def packed(self) -> int:
        """The circuit's public ``criteria``: min_age | hba1c_min << 8 | hba1c_max << 24 | code_i << (40 + 16 i)."""
        value = self.min_age | self.hba1c_min << 8 | self.hba1c_max << 24
        for i, code in enumerate(self.slots):
            value |= code << (40 + 16 * i)
        return value

    def check(self, values: Attestation) -> None:
        """Raise :class:`NotEligibleError` for the first criterion ``values`` do not meet."""
        if values.age_years < self.min_age:
            raise NotEligibleError("age", f"{values.age_years} < minimum {self.min_age}")
        if values.hba1c_times10 < self.hba1c_min:
            raise NotEligibleError("hba1c_min", f"HbA1c {values.hba1c_times10 / 10}% < {self.hba1c_min / 10}%")
        if values.hba1c_times10 > self.hba1c_max:
            raise NotEligibleError("hba1c_max", f"HbA1c {values.hba1c_times10 / 10}% > {self.hba1c_max / 10}%")
        if values.diagnosis not in self.allowed:
            raise NotEligibleError("diagnosis", "the diagnosis is not one the trial allows")


@dataclass(frozen=True)
class Attestation:
    """The opening of one leaf: attested values, the patient's public id, the salt and the leaf index.

    Attributes:
        patient_public_id: ``Poseidon(patient_secret)``.
        age_years: Age in years (0-255).
        hba1c_times10: HbA1c in tenths of a percent (0-65535).
        diagnosis: The diagnosis code (1-65535).
        salt: A random field element hiding the values in the commitment.
        index: The leaf index in the tree (``-1`` before insertion).
    """

    patient_public_id: int
    age_years: int
    hba1c_times10: int
    diagnosis: int
    salt: int
    index: int = -1

    def __post_init__(self) -> None:
        _field(self.patient_public_id, "patient_public_id")
        _bits(self.age_years, 8, "age_years")
        _bits(self.hba1c_times10, 16, "hba1c_times10")
        if _bits(self.diagnosis, 16, "diagnosis") == 0:
            raise InvalidInputError("diagnosis code 0 is reserved")
        _field(self.salt, "salt")

    @classmethod
    def new(cls, patient_public_id: int, *, age_years: int, hba1c_times10: int, diagnosis: int) -> Attestation:
        """A hospital's attestation of a patient's values with a fresh random salt."""
        return cls(patient_public_id, age_years, hba1c_times10, diagnosis, secrets.randbelow(FIELD))

    @property
    def leaf(self) -> int:
        """The commitment: ``Poseidon(patient_public_id, age_years, hba1c_times10, diagnosis, salt)``."""
        return poseidon([self.patient_public_id, self.age_years, self.hba1c_times10, self.diagnosis, self.salt])

    def to_json(self) -> bytes:
        """The canonical plaintext of a sealed opening."""
        return json.dumps({"format": OPENING_FORMAT, **{k: str(v) for k, v in asdict(self).items()}},
                          sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Attestation:
        """Parse :meth:`to_json` output.

        Raises:
            InvalidInputError: not an opening.
        """
        try:
            obj = json.loads(data)
            if obj.pop("format") != OPENING_FORMAT:
                raise ValueError("format")
            return cls(**{k: int(v) for k, v in obj.items()})
        except (ValueError, TypeError, KeyError, AttributeError):
            raise InvalidInputError("not a MedChain eligibility opening") from None


@dataclass(frozen=True)
class SealedOpening:
    """An opening sealed for its patient: the ciphertext and the data key wrapped to the patient.

    Attributes:
        patient: The patient's address.
        blob: The sealed opening (:func:`medchain.core.crypto.seal`).
        wrapped_key: The data key, ECIES-wrapped to the patient's encryption key.
    """

    patient: str
    blob: bytes
    wrapped_key: WrappedKey

    def to_dict(self) -> dict[str, Any]:
        return {"patient": self.patient, "blob": "0x" + self.blob.hex(), "wrappedKey": self.wrapped_key.to_dict()}


def seal_opening(attestation: Attestation, patient: str, patient_encryption_key: bytes) -> SealedOpening:
    """Seal ``attestation`` for ``patient`` (ECIES to its published key).

    Args:
        attestation: The opening, with its leaf index.
        patient: The patient's address (bound to the ciphertext).
        patient_encryption_key: The patient's secp256k1 public key (from the participant registry).

    Returns:
        The sealed opening to hand to the patient (off chain).
    """
    context = RecordContext.new(patient, Category.ENDOCRINE)
    blob, data_key = seal(attestation.to_json(), context)
    return SealedOpening(context.patient, blob, wrap_key(data_key, patient_encryption_key, context))


def open_attestation(sealed: SealedOpening, keypair: EncryptionKeyPair) -> Attestation:
    """The patient's side: unwrap the data key and open the attestation.

    Raises:
        DecryptionError: not sealed for this key, or tampered.
        InvalidInputError: the plaintext is not an opening.
    """
    context = RecordContext.from_blob(sealed.blob, sealed.patient)
    data_key = unwrap_key(sealed.wrapped_key, keypair, context)
    return Attestation.from_json(open_sealed(sealed.blob, data_key, context))


# ------------------------------------------------------------------------------ the tree


def zero_hashes(depth: int = DEPTH) -> list[int]:
    """The roots of empty subtrees: zero(0) = 0, zero(l + 1) = Poseidon(zero(l), zero(l))."""
    zeros = [0]
    for _ in range(depth):
        zeros.append(poseidon([zeros[-1], zeros[-1]]))
    return zeros


class MerkleTree:
    """The off-chain mirror of ``AttestationTree``: the same leaves give the same root.

    Args:
        leaves: The leaves in insertion order.
        depth: The tree's depth.
    """

    def __init__(self, leaves: Iterable[int] = (), depth: int = DEPTH):
        self.depth = depth
        self._zeros = zero_hashes(depth)
        self._levels: list[list[int]] = [[] for _ in range(depth + 1)]
        for leaf in leaves:
            self.append(leaf)

    def __len__(self) -> int:
        return len(self._levels[0])

    def append(self, leaf: int) -> int:
        """Append ``leaf``; return its index."""
        index = len(self)
        if index >= 1 << self.depth:
            raise InvalidInputError("the tree is full")
        self._levels[0].append(_field(leaf, "leaf"))
        i = index
        for level in range(self.depth):
            row = self._levels[level]
            left = row[i & ~1]
            right = row[i | 1] if (i | 1) < len(row) else self._zeros[level]
            parent = poseidon([left, right])
            up = self._levels[level + 1]
            if i >> 1 < len(up):
                up[i >> 1] = parent
            else:
                up.append(parent)
            i >>= 1
        return index

    @property
    def root(self) -> int:
        """The root (the empty tree's is zero(depth))."""
        return self._levels[self.depth][0] if len(self) else self._zeros[self.depth]

    def leaf(self, index: int) -> int:
        return self._levels[0][index]

    def path(self, index: int) -> tuple[list[int], list[int]]:
        """The siblings and the path bits (0: the node is a left child) of leaf ``index``.

        Raises:
            AttestationNotFoundError: no such leaf.
        """
        if not 0 <= index < len(self):
            raise AttestationNotFoundError(f"the tree has no leaf {index}")
        siblings, bits = [], []
        i = index
        for level in range(self.depth):
            row = self._levels[level]
            j = i ^ 1
            siblings.append(row[j] if j < len(row) else self._zeros[level])
            bits.append(i & 1)
            i >>= 1
        return siblings, bits


class AttestationTreeClient(ContractClient):
    """Client of ``AttestationTree``: hospitals append commitments; anyone reads the leaves."""

    CONTRACT: ClassVar[str] = "AttestationTree"

    def insert(self, leaf: int) -> tuple[int, Receipt]:
        """Append ``leaf`` (the sender must be an active hospital).

        Returns:
            The leaf index and the receipt.

        Raises:
            ContractRevert: ``MissingRole`` / ``ParticipantSuspended`` for a non-hospital, ``LeafNotInField``.
        """
        receipt = self._send(self.contract.functions.insert(_field(leaf, "leaf")))
        (event,) = events(self.contract, "LeafInserted", receipt)
        return int(event["index"]), receipt

    def attest(self, attestation: Attestation, patient: str) -> tuple[SealedOpening, Receipt]:
        """Append ``attestation``'s commitment and seal its opening (with the index) for ``patient``.

        Args:
            attestation: The values (from :meth:`Attestation.new`).
            patient: The patient's address; its encryption key is read from the participant registry.

        Returns:
            The sealed opening for the patient, and the insertion's receipt.
        """
        patient = check_address(patient, "patient")
        key = self.encryption_key(patient)
        index, receipt = self.insert(attestation.leaf)
        placed = Attestation(**{**asdict(attestation), "index": index})
        log.info("attestation appended at leaf %d", index)
        return seal_opening(placed, patient, key), receipt

    def leaves(self) -> list[int]:
        """Every leaf, in index order, from the ``LeafInserted`` events."""
        logs = sorted(self.logs("LeafInserted"), key=lambda e: int(e["args"]["index"]))
        return [int(e["args"]["leaf"]) for e in logs]

    def tree(self) -> MerkleTree:
        """The off-chain mirror of the tree."""
        return MerkleTree(self.leaves())

    def root(self) -> int:
        return int(call(self.contract.functions.root()))

    def is_known_root(self, root: int) -> bool:
        return bool(call(self.contract.functions.isKnownRoot(root)))


# ------------------------------------------------------------------------------ proving


@dataclass(frozen=True)
class EligibilityProof:
    """A proof of eligibility with what ``enrolWithProof`` takes besides it.

    Attributes:
        proof: The Groth16 proof (``proof.packed()`` is the ``uint256[8]`` argument).
        trial_id: The trial.
        root: The tree root it was proved against.
        nullifier: ``Poseidon(patient_secret, trial_id)``.
        enroller: The address bound into the proof (the one that must send the enrolment).
        criteria: The packed criteria proved against.
    """

    proof: zk.Proof
    trial_id: int
    root: int
    nullifier: int
    enroller: str
    criteria: int

    @property
    def public_inputs(self) -> list[int]:
        """The public inputs in the circuit's order: root, trialId, nullifier, enroller, criteria."""
        return [self.root, self.trial_id, self.nullifier, int(self.enroller, 16), self.criteria]


def circuit_inputs(criteria: Criteria, trial_id: int, attestation: Attestation, patient_secret: int, enroller: str,
                   path: tuple[Sequence[int], Sequence[int]], root: int) -> dict[str, Any]:
    """Every input of ``circuits/eligibility.circom`` by signal name."""
    siblings, bits = path
    return {
        "root": root, "trialId": trial_id, "nullifier": nullifier(patient_secret, trial_id),
        "enroller": int(check_address(enroller, "enroller"), 16), "criteria": criteria.packed(),
        "patientSecret": patient_secret, "ageYears": attestation.age_years, "hba1cTimes10": attestation.hba1c_times10,
        "diagnosis": attestation.diagnosis, "salt": attestation.salt, "pathElements": list(siblings),
        "pathIndices": list(bits), "minAge": criteria.min_age, "hba1cMin": criteria.hba1c_min,
        "hba1cMax": criteria.hba1c_max, "allowed": criteria.slots,
    }


def prove_eligibility(criteria: Criteria, trial_id: int, attestation: Attestation, patient_secret: int, enroller: str,
                      tree: MerkleTree) -> EligibilityProof:
    """The patient's proof that their attestation meets ``criteria``, for ``trial_id`` and ``enroller``.

    Args:
        criteria: The trial's criteria (as the registry stores them).
        trial_id: The trial.
        attestation: The patient's opening (from :func:`open_attestation`).
        patient_secret: The patient's secret (``patient_public_id(secret)`` must be the attested id).
        enroller: The address that will send ``enrolWithProof``.
        tree: The tree's current leaves (:meth:`AttestationTreeClient.tree`).

    Returns:
        The proof with its root and nullifier.

    Raises:
        NotEligibleError: a criterion is not met (checked before any proof is attempted).
        AttestationNotFoundError: the opening's leaf is not in ``tree`` at its index.
        InvalidInputError: the secret is not the one the attestation was made for.
        ProofError: snarkjs refused the witness (should not happen once the checks above pass).
    """
    criteria.check(attestation)
    if patient_public_id(patient_secret) != attestation.patient_public_id:
        raise InvalidInputError("this secret is not the one the attestation was made for")
    if not 0 <= attestation.index < len(tree) or tree.leaf(attestation.index) != attestation.leaf:
        raise AttestationNotFoundError(f"leaf {attestation.index} of the tree is not this attestation")
    _field(trial_id, "trial_id")
    root = tree.root
    inputs = circuit_inputs(criteria, trial_id, attestation, patient_secret, enroller, tree.path(attestation.index), root)
    proof = zk.prove(inputs)
    return EligibilityProof(proof, trial_id, root, inputs["nullifier"], check_address(enroller, "enroller"),
                            criteria.packed())


class PrivateEnrolmentClient(ContractClient):
    """``ClinicalTrialRegistry``'s private enrolment: the sponsor's criteria and ``enrolWithProof``."""

    CONTRACT: ClassVar[str] = "ClinicalTrialRegistry"

    def set_criteria(self, trial_id: int, criteria: Criteria) -> Receipt:
        """Publish ``criteria`` for ``trial_id`` (the sender must be the trial's active sponsor).

        Raises:
            ContractRevert: ``NotSponsor``, ``TrialLocked``, ``InvalidCriteria``.
        """
        return self._send(self.contract.functions.setEligibilityCriteria(
            trial_id, criteria.min_age, criteria.hba1c_min, criteria.hba1c_max, list(criteria.allowed)))

    def criteria(self, trial_id: int) -> Criteria | None:
        """The trial's published criteria (``None``: none set)."""
        packed = int(call(self.contract.functions.eligibilityCriteria(trial_id)))
        if packed == 0:
            return None
        codes = tuple(c for c in ((packed >> (40 + 16 * i)) & 0xFFFF for i in range(MAX_CODES)) if c)
        return Criteria(packed & 0xFF, (packed >> 8) & 0xFFFF, (packed >> 24) & 0xFFFF, codes)

    def enrol(self, proof: EligibilityProof, *, gas: int | None = None) -> Receipt:
        """Enrol the sender with ``proof`` (made for the sender's address).

        Args:
            proof: From :func:`prove_eligibility` with ``enroller`` = the sender.
            gas: An explicit gas limit (default: estimated).

        Raises:
            InvalidInputError: the proof is bound to another address.
            ContractRevert: ``InvalidProof``, ``NullifierUsed``, ``UnknownRoot``, ``NoCriteria``...
        """
        if check_address(proof.enroller) != self.me:
            raise InvalidInputError(f"this proof enrols {proof.enroller}, not the sender {self.me}")
        fn = self.contract.functions.enrolWithProof(proof.trial_id, proof.proof.packed(), proof.root, proof.nullifier)
        if self.sender is None:
            raise InvalidInputError("this client was opened read-only (no account)")
        receipt = self.sender.transact(fn, gas=gas)
        assert isinstance(receipt, Receipt)
        return receipt

    def nullifier_used(self, value: int) -> bool:
        return bool(call(self.contract.functions.nullifierUsed(value)))
