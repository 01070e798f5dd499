"""Client of ClinicalTrialRegistry: trials registered before enrolment, signed enrolment consent,
visits and milestones, locked results and amendments that never overwrite.

Documents (protocol, endpoints, visit data, results, reasons) stay off chain; the chain holds
their keccak256 (:func:`document_hash`: bytes as given, text UTF-8, dicts as canonical JSON).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from medchain.core.client import ContractClient
from medchain.core.errors import InvalidInputError
from medchain.core.registry import check_address
from medchain.core.tx import Receipt, call, events

ZERO = "0x" + "00" * 20


class TrialStatus(IntEnum):
    NONE = 0
    REGISTERED = 1
    ENROLLING = 2
    LOCKED = 3


class AmendmentKind(IntEnum):
    PROTOCOL = 0
    ENDPOINTS = 1
    RESULTS = 2


def document_hash(document: bytes | str | Mapping[str, Any] | list[Any]) -> bytes:
    """keccak256 of a document: bytes as given, text as UTF-8, JSON values canonically encoded.

    Raises:
        InvalidInputError: an empty document.
    """
    if isinstance(document, (dict, list)) or isinstance(document, Mapping):
        data = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    elif isinstance(document, str):
        data = document.encode()
    else:
        data = bytes(document)
    if not data:
        raise InvalidInputError("an empty document has nothing to commit to")
    return keccak(data)


def _hash(value: bytes | str | Mapping[str, Any] | list[Any]) -> bytes:
    """A 32-byte hash given as bytes or 0x-hex stays as is; anything else is hashed."""
    if isinstance(value, bytes) and len(value) == 32:
        return value
    if isinstance(value, str) and value.startswith("0x") and len(value) == 66:
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    return document_hash(value)


@dataclass(frozen=True)
class Trial:
    trial_id: int
    sponsor: str
    registered_at: int
    first_enrolment_at: int
    status: TrialStatus
    locked_at: int
    enrolled: int
    withdrawn: int
    amendments: int
    milestones: int
    protocol_hash: bytes
    endpoints_hash: bytes
    results_hash: bytes


@dataclass(frozen=True)
class Subject:
    site: str
    enrolled_at: int
    withdrawn_at: int
    visits: int


@dataclass(frozen=True)
class Amendment:
    kind: AmendmentKind
    at: int
    after_enrolment: bool
    previous_hash: bytes
    new_hash: bytes
    reason_hash: bytes


class TrialsClient(ContractClient):
    """Register and run clinical trials.

    Args:
        suite: The deployed suite.
        sender: The sponsor, a site or a subject; ``None`` to read.
    """

    CONTRACT = "ClinicalTrialRegistry"

    # ------------------------------------------------------------ sponsor
    def register_trial(self, protocol: Any, endpoints: Any, title: str) -> tuple[int, Receipt]:
        """Register a trial with its protocol and pre-specified primary endpoints (documents or hashes).

        Returns:
            ``(trial_id, receipt)``.
        """
        if not title or len(title.encode()) > 256:
            raise InvalidInputError("a trial title has 1 to 256 bytes")
        receipt = self._send(self.contract.functions.registerTrial(_hash(protocol), _hash(endpoints), title))
        (ev,) = events(self.contract, "TrialRegistered", receipt)
        return int(ev["trialId"]), receipt

    def add_site(self, trial_id: int, site: str) -> Receipt:
        return self._send(self.contract.functions.addSite(trial_id, check_address(site, "site")))

    def amend(self, trial_id: int, kind: AmendmentKind | str, new: Any, reason: str) -> Receipt:
        """Amend the protocol, the endpoints or (after locking) the results, with a reason (hashed)."""
        if isinstance(kind, str):
            try:
                kind = AmendmentKind[kind.upper()]
            except KeyError:
                raise InvalidInputError(f"unknown amendment kind {kind!r}: protocol, endpoints or results") from None
        if not reason:
            raise InvalidInputError("an amendment needs a reason")
        return self._send(self.contract.functions.amend(trial_id, int(kind), _hash(new), document_hash(reason)))

    def lock_results(self, trial_id: int, results: Any) -> Receipt:
        return self._send(self.contract.functions.lockResults(trial_id, _hash(results)))

    # ------------------------------------------------------------ subjects and sites
    def sign_enrolment(self, subject: LocalAccount, trial_id: int, deadline: int, site: str | None = None) -> bytes:
        """The subject's EIP-712 consent to enrol in ``trial_id`` at ``site`` under its current protocol.

        Args:
            subject: The subject's (pseudonymous) account, which signs.
            trial_id: The trial.
            deadline: Last second (unix) at which the site may relay the signature.
            site: The enrolling site, the only one that can relay it; by default this client's sender.

        Raises:
            InvalidInputError: No site given and this client has no sender.
        """
        if site is None:
            if self.sender is None:
                raise InvalidInputError("an enrolment consent names its site: pass site=")
            site = self.sender.address
        site = check_address(site, "site")
        protocol = self.trial(trial_id).protocol_hash
        nonce = int(call(self.contract.functions.nonces(subject.address)))
        typed = {
            "types": {
                "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                 {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
                "EnrolmentConsent": [{"name": "trialId", "type": "uint256"}, {"name": "subject", "type": "address"},
                                     {"name": "site", "type": "address"}, {"name": "protocolHash", "type": "bytes32"},
                                     {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}],
            },
            "primaryType": "EnrolmentConsent",
            "domain": {"name": "MedChain ClinicalTrialRegistry", "version": "1", "chainId": self.suite.chain.chain_id,
                       "verifyingContract": self.contract.address},
            "message": {"trialId": trial_id, "subject": subject.address, "site": site, "protocolHash": protocol, "nonce": nonce,
                        "deadline": deadline},
        }
        return bytes(subject.sign_message(encode_typed_data(full_message=typed)).signature)

    def enrol(self, trial_id: int, subject: str, deadline: int, signature: bytes, protocol_hash: bytes | None = None) -> Receipt:
        """Enrol a subject with its signed consent (a site)."""
        protocol = protocol_hash if protocol_hash is not None else self.trial(trial_id).protocol_hash
        return self._send(self.contract.functions.enrol(trial_id, check_address(subject, "subject"), protocol, deadline,
                                                        signature))

    def withdraw_subject(self, trial_id: int, subject: str, reason: str = "") -> Receipt:
        """Record a subject's withdrawal (the subject or its site); the reason's hash goes on chain."""
        reason_hash = document_hash(reason) if reason else b"\x00" * 32
        return self._send(self.contract.functions.withdrawSubject(trial_id, check_address(subject, "subject"), reason_hash))

    def record_visit(self, trial_id: int, subject: str, data: Any) -> Receipt:
        return self._send(self.contract.functions.recordVisit(trial_id, check_address(subject, "subject"), _hash(data)))

    def record_milestone(self, trial_id: int, milestone: str, data: Any = b"") -> Receipt:
        """Record a named milestone (e.g. ``first-subject-in``), with the hash of its data if any."""
        if not milestone:
            raise InvalidInputError("a milestone needs a name")
        data_hash = _hash(data) if data not in (b"", "", None) else b"\x00" * 32
        return self._send(self.contract.functions.recordMilestone(trial_id, keccak(text=milestone), data_hash))

    # ------------------------------------------------------------ reads
    def trial(self, trial_id: int) -> Trial:
        t = call(self.contract.functions.trial(trial_id))
        return Trial(trial_id, t[0], t[1], t[2], TrialStatus(t[3]), t[4], t[5], t[6], t[7], t[8], bytes(t[9]),
                     bytes(t[10]), bytes(t[11]))

    def subject(self, trial_id: int, subject: str) -> Subject:
        s = call(self.contract.functions.subjectOf(trial_id, check_address(subject)))
        return Subject(s[0], s[1], s[2], s[3])

    def amendment(self, trial_id: int, number: int) -> Amendment:
        a = call(self.contract.functions.amendment(trial_id, number))
        return Amendment(AmendmentKind(a[0]), a[1], a[2], bytes(a[3]), bytes(a[4]), bytes(a[5]))

    def amendments(self, trial_id: int) -> list[Amendment]:
        return [self.amendment(trial_id, n) for n in range(1, self.trial(trial_id).amendments + 1)]

    def is_site(self, trial_id: int, site: str) -> bool:
        return bool(call(self.contract.functions.isSite(trial_id, check_address(site))))
