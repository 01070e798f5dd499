"""The access-control matrix: who may call each state-changing function of each contract.

One documented table, :data:`MATRIX`: for every contract, every state-changing function of its
ABI maps to a :class:`Rule` (the actors allowed, the rule in words, the custom errors a refused
caller gets, and how to build valid arguments, so that authorisation is the only reason a call
can fail). ``tests/security/test_access_matrix.py`` calls every function as every actor of
:data:`ACTORS` (each registry role, governance, a patient, an unregistered account and a
suspended organisation holding every role) and checks that exactly the documented actors pass.
A function missing from the table, or a suite contract neither in it nor in :data:`PENDING`, fails
that test. ``python -m tests.security.access_matrix > docs/access-control.md`` prints the table.

Adding a contract is one entry of :data:`MATRIX` (and removing it from :data:`PENDING`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from medchain.core.accounts import dev_account
from medchain.core.contracts import load_artifact
from medchain.participants import Role, encryption_key_of

if TYPE_CHECKING:  # pragma: no cover
    from medchain.core.tx import Sender
    from medchain.scenarios import ScenarioContext

#: Columns of the matrix: actor → who plays it. Cast roles come from ``scenarios.CAST``.
ACTORS: dict[str, str] = {
    "governance": "governance (owner of the registry and the token)",
    "hospital": "hospital_a (HOSPITAL)",
    "manufacturer": "manufacturer (MANUFACTURER)",
    "distributor": "distributor (DISTRIBUTOR)",
    "pharmacy": "pharmacy (PHARMACY)",
    "insurer": "insurer (INSURER)",
    "researcher": "university (RESEARCHER)",
    "regulator": "regulator (REGULATOR)",
    "sensor_gateway": "sensor_gateway (SENSOR_GATEWAY)",
    "patient": "patient_1 (a registered patient)",
    "unregistered": "development account 16 (not in the directory)",
    "suspended": "development account 17 (an organisation holding every role, suspended)",
}
_CAST_ROLE = {"hospital": "hospital_a", "researcher": "university", "patient": "patient_1"}
UNREGISTERED = 16
SUSPENDED = 17
#: Accounts the rules use as third parties (never an actor).
OUTSIDER_A, OUTSIDER_B = 18, 19

ALL = frozenset(ACTORS)
ORGANISATIONS = frozenset({"hospital", "manufacturer", "distributor", "pharmacy", "insurer", "researcher",
                           "regulator", "sensor_gateway"})
OWNABLE = ("OwnableUnauthorizedAccount",)
#: What a role check of the participant registry refuses with.
ROLE_REFUSED = ("MissingRole", "NotAnOrganization", "ParticipantNotRegistered", "ParticipantSuspended")


class Env:
    """The world a rule runs in: a deployed suite with the cast registered, plus the unregistered
    and the suspended actors (:meth:`prepare` registers and suspends the latter, idempotently)."""

    def __init__(self, ctx: ScenarioContext):
        self.ctx = ctx
        self.suite = ctx.suite

    def address(self, who: str | int) -> str:
        if isinstance(who, int):
            return dev_account(who).address
        if who == "unregistered":
            return dev_account(UNREGISTERED).address
        if who == "suspended":
            return dev_account(SUSPENDED).address
        return self.ctx.address(_CAST_ROLE.get(who, who))

    def sender(self, who: str | int) -> Sender:
        from medchain.core.tx import Sender

        if isinstance(who, int) or who in ("unregistered", "suspended"):
            index = who if isinstance(who, int) else (UNREGISTERED if who == "unregistered" else SUSPENDED)
            return Sender(self.ctx.chain, dev_account(index))
        return self.ctx.sender(_CAST_ROLE.get(who, who))

    def contract(self, name: str) -> Any:
        return self.suite.contract(name)

    def send(self, who: str | int, contract: str, function: str, *args: Any) -> Any:
        c = self.contract(contract)
        return self.sender(who).transact(getattr(c.functions, function)(*args))

    def prepare(self) -> None:
        """Register account 17 with every role and suspend it (skipped when already done)."""
        registry = self.contract("ParticipantRegistry")
        account = self.address("suspended")
        if registry.functions.participant(account).call()[0] == 0:
            self.send("governance", "ParticipantRegistry", "registerOrganization", account, "Suspended Org",
                      int(Role(0xFF)), encryption_key_of(dev_account(SUSPENDED)))
            self.send("governance", "ParticipantRegistry", "suspend", account, b"\x00" * 32)


@dataclass(frozen=True)
class Rule:
    """Who may call one function.

    Attributes:
        allowed: The actors whose call succeeds.
        who: The rule in words (the documentation's column).
        args: Valid arguments for a call by ``actor``.
        denied: Custom errors a refused actor gets (authorisation errors).
        prepare: State to set up first (by other accounts) so that only authorisation decides.
    """

    allowed: frozenset[str]
    who: str
    args: Callable[[Env, str], tuple[Any, ...]]
    denied: tuple[str, ...] = ()
    prepare: Callable[[Env, str], None] | None = None


def _key(env: Env, actor: str) -> bytes:
    """A fresh valid encryption key (account 18's)."""
    return encryption_key_of(dev_account(OUTSIDER_A))


def _suspend_hospital_c(env: Env, actor: str) -> None:
    env.send("governance", "ParticipantRegistry", "suspend", env.address("hospital_c"), b"\x01" * 32)


def _nominate_regulator(env: Env, actor: str) -> None:
    env.send("governance", "ParticipantRegistry", "transferOwnership", env.address("regulator"))


def _mint_to_actor(env: Env, actor: str) -> None:
    env.send("governance", "SettlementToken", "mint", env.address(actor), 1)


def _allowance_for_actor(env: Env, actor: str) -> None:
    env.send("governance", "SettlementToken", "mint", env.address(OUTSIDER_B), 5)
    env.send(OUTSIDER_B, "SettlementToken", "approve", env.address(actor), 1)


#: Consent terms the consent and record rules use: diabetes (ConsentCodes.ENDOCRINE), treatment,
#: read, from time 0 with no end.
DIABETES, TREATMENT, READ, WRITE, NO_END = 1 << 1, 1, 1, 2, 2**40 - 1


def _record_id(env: Env) -> bytes:
    """A diabetes record id of patient_1 (RecordIds: patient address, nonce, category)."""
    return bytes.fromhex(env.address("patient")[2:]) + b"\x5a" * 10 + DIABETES.to_bytes(2, "big")


def _terms(env: Env, grantee: str | int = OUTSIDER_A, actions: int = READ) -> tuple[Any, ...]:
    return (env.address(grantee), DIABETES, TREATMENT, actions, 0, NO_END)


def _signed(env: Env, kind: str) -> tuple[Any, ...]:
    """A grant or revocation for account 18 signed off chain by patient_1 (EIP-712)."""
    from medchain.consent import ConsentClient

    client, signer = ConsentClient(env.suite), env.ctx.account("patient_1")
    signed = (client.sign_grant(signer, env.address(OUTSIDER_A), DIABETES, deadline=NO_END, nonce=0) if kind == "grant"
              else client.sign_revoke(signer, env.address(OUTSIDER_A), deadline=NO_END, nonce=0))
    return tuple(signed.request.values()), signed.signature


def _guardian(env: Env, actor: str) -> None:
    """patient_1 appoints the unregistered account (a parent, say) as guardian."""
    env.send("patient", "ConsentRegistry", "appointGuardian", env.address("unregistered"))


def _patient_grants(env: Env, actor: str) -> None:
    env.send("patient", "ConsentRegistry", "grant", *_terms(env))


def _patient_grants_and_guardian(env: Env, actor: str) -> None:
    _patient_grants(env, actor)
    _guardian(env, actor)


def _actor_grants(env: Env, actor: str) -> None:
    env.send(actor, "ConsentRegistry", "grant", *_terms(env))


def _actor_appoints(env: Env, actor: str) -> None:
    env.send(actor, "ConsentRegistry", "appointGuardian", env.address(OUTSIDER_A))


def _readers(env: Env, actor: str) -> None:
    for grantee in ("hospital", "unregistered", "suspended"):
        env.send("patient", "ConsentRegistry", "grant", *_terms(env, grantee))


def _writer(env: Env, actor: str) -> None:
    env.send("patient", "ConsentRegistry", "grant", *_terms(env, "hospital", READ | WRITE))


def _anchored(env: Env, actor: str) -> None:
    env.send("patient", "RecordRegistry", "anchor", _record_id(env), b"\x11" * 32, "Qm", bytes(32))
    _guardian(env, actor)


PATIENT_OR_GUARDIAN = frozenset({"patient", "unregistered"})
GUARDIAN_WORDS = "the patient or one of their guardians (here account 16, appointed by patient_1)"

#: contract → state-changing function → rule.
MATRIX: dict[str, dict[str, Rule]] = {
    "ParticipantRegistry": {
        "registerOrganization": Rule(
            frozenset({"governance"}), "governance", denied=OWNABLE,
            args=lambda e, a: (e.address(OUTSIDER_A), "Matrix Clinic", int(Role.HOSPITAL), _key(e, a))),
        "setRoles": Rule(
            frozenset({"governance"}), "governance", denied=OWNABLE,
            args=lambda e, a: (e.address("hospital_b"), int(Role.HOSPITAL | Role.RESEARCHER))),
        "suspend": Rule(
            frozenset({"governance", "regulator"}), "governance or an active regulator",
            denied=("NotGovernanceOrRegulator",),
            args=lambda e, a: (e.address("hospital_c"), b"\x01" * 32)),
        "reactivate": Rule(
            frozenset({"governance", "regulator"}), "governance or an active regulator",
            denied=("NotGovernanceOrRegulator",), prepare=_suspend_hospital_c,
            args=lambda e, a: (e.address("hospital_c"),)),
        "registerPatient": Rule(
            frozenset({"governance", "unregistered"}), "any account not yet in the directory (for itself)",
            denied=("ParticipantAlreadyRegistered",), args=lambda e, a: (_key(e, a),)),
        "setEncryptionKey": Rule(
            ORGANISATIONS | {"patient"}, "any registered, not suspended participant (its own key)",
            denied=("ParticipantNotRegistered", "ParticipantSuspended"), args=lambda e, a: (_key(e, a),)),
        "transferOwnership": Rule(
            frozenset({"governance"}), "governance (first step of a hand-over)", denied=OWNABLE,
            args=lambda e, a: (e.address("regulator"),)),
        "acceptOwnership": Rule(
            frozenset({"regulator"}), "the nominated next governance only (here the regulator)",
            denied=OWNABLE, prepare=_nominate_regulator, args=lambda e, a: ()),
    },
    "SettlementToken": {
        "mint": Rule(frozenset({"governance"}), "the owner (governance; a local-chain faucet)", denied=OWNABLE,
                     args=lambda e, a: (e.address(OUTSIDER_B), 1)),
        "transferOwnership": Rule(frozenset({"governance"}), "the owner", denied=OWNABLE,
                                  args=lambda e, a: (e.address("regulator"),)),
        "renounceOwnership": Rule(frozenset({"governance"}), "the owner", denied=OWNABLE, args=lambda e, a: ()),
        "approve": Rule(ALL, "anyone (ERC-20: its own allowance)", args=lambda e, a: (e.address(OUTSIDER_B), 1)),
        "transfer": Rule(ALL, "anyone holding the amount (ERC-20)", prepare=_mint_to_actor,
                         args=lambda e, a: (e.address(OUTSIDER_B), 1)),
        "transferFrom": Rule(ALL, "anyone holding an allowance (ERC-20)", prepare=_allowance_for_actor,
                             args=lambda e, a: (e.address(OUTSIDER_B), e.address(OUTSIDER_A), 1)),
    },
    "ConsentRegistry": {
        "grant": Rule(ALL, "anyone, over its own data (it matters for a registered patient's records)",
                      args=lambda e, a: _terms(e)),
        "grantFor": Rule(PATIENT_OR_GUARDIAN, GUARDIAN_WORDS, denied=("NotPatientOrGuardian",), prepare=_guardian,
                         args=lambda e, a: (e.address("patient"), *_terms(e))),
        "grantBySig": Rule(ALL, "anyone relaying a grant signed by the patient or a guardian (EIP-712)",
                           args=lambda e, a: _signed(e, "grant")),
        "revoke": Rule(ALL, "anyone, its own consent (here each actor granted one first)", prepare=_actor_grants,
                       args=lambda e, a: (e.address(OUTSIDER_A),)),
        "revokeFor": Rule(PATIENT_OR_GUARDIAN, GUARDIAN_WORDS, denied=("NotPatientOrGuardian",),
                          prepare=_patient_grants_and_guardian,
                          args=lambda e, a: (e.address("patient"), e.address(OUTSIDER_A))),
        "revokeBySig": Rule(ALL, "anyone relaying a revocation signed by the patient or a guardian (EIP-712)",
                            prepare=_patient_grants, args=lambda e, a: _signed(e, "revoke")),
        "appointGuardian": Rule(ALL, "anyone, for itself", args=lambda e, a: (e.address(OUTSIDER_A),)),
        "removeGuardian": Rule(ALL, "anyone, its own guardians (here each actor appointed one first)",
                               prepare=_actor_appoints, args=lambda e, a: (e.address(OUTSIDER_A),)),
        "logAccess": Rule(
            frozenset({"hospital", "unregistered", "suspended"}),
            "a grantee with the patient's read consent for the record's category and the purpose (here "
            "patient_1 consented to hospital_a, account 16 and account 17); a suspended one's read is logged "
            "as evidence (the client refuses it before)",
            denied=("AccessNotPermitted",), prepare=_readers,
            args=lambda e, a: (_record_id(e), TREATMENT)),
        "emergencyAccess": Rule(
            frozenset({"hospital"}), "an active hospital (break-glass: no consent, a distinct event)",
            denied=ROLE_REFUSED,
            args=lambda e, a: (_record_id(e), b"\x01" * 32)),
    },
    "RecordRegistry": {
        "anchor": Rule(
            frozenset({"patient", "hospital"}),
            "the patient, or a provider with the patient's write consent for the record's category "
            "(here hospital_a)", denied=("NotAWriter",), prepare=_writer,
            args=lambda e, a: (_record_id(e), b"\x11" * 32, "Qm", bytes(32))),
        "erase": Rule(PATIENT_OR_GUARDIAN, GUARDIAN_WORDS, denied=("NotPatientOrGuardian",), prepare=_anchored,
                      args=lambda e, a: (_record_id(e),)),
    },
}

# DrugBatchTracing: the manufacturer's product and 10-unit batch; stock, shipments and a received
# quarantine are put where each rule needs them (by the actor only when it is an active custodian).
DRUG_GTIN, DRUG_LOT, NO_RANGE = 9506000134352, "MATRIX", 2**32 - 1
DRUG_CUSTODIANS = frozenset({"manufacturer", "distributor", "pharmacy", "hospital"})


def _drug_tree(env: Env) -> Any:
    from medchain.drugs import SerialTree, batch_id

    return SerialTree(batch_id(DRUG_GTIN, DRUG_LOT), [f"M{i}" for i in range(10)])


def _drug_product(env: Env, actor: str) -> None:
    env.send("manufacturer", "DrugBatchTracing", "registerProduct", DRUG_GTIN, "Matrix Vaccine", 200, 800, 60)


def _drug_batch(env: Env, actor: str) -> None:
    _drug_product(env, actor)
    day = env.ctx.chain.now() // 86400 * 86400
    env.send("manufacturer", "DrugBatchTracing", "commissionBatch", DRUG_GTIN, DRUG_LOT, day, day + 365 * 86400, 10,
             _drug_tree(env).root, "")


def _custodian(env: Env, who: str) -> bool:
    roles = int(Role.MANUFACTURER | Role.DISTRIBUTOR | Role.PHARMACY | Role.HOSPITAL)
    return env.contract("ParticipantRegistry").functions.hasAnyRole(env.address(who), roles).call()


def _drug_ship(env: Env, sender: str, to: str, quantity: int = 1) -> tuple[Any, ...]:
    env.send(sender, "DrugBatchTracing", "ship", _drug_tree(env).batch, env.address(to), quantity, NO_RANGE)
    return _drug_ref(env)


def _drug_ref(env: Env) -> tuple[Any, ...]:
    """The terms of the latest shipment."""
    from medchain.drugs import DrugsClient, ShipmentRef

    return ShipmentRef.from_event(DrugsClient(env.suite).logs("ShipmentSent")[-1]["args"]["ref"]).as_tuple


def _drug_stock(env: Env, actor: str) -> None:
    _drug_batch(env, actor)
    if actor != "manufacturer" and _custodian(env, actor):
        env.send(actor, "DrugBatchTracing", "receiveShipment", _drug_ship(env, "manufacturer", actor, 5))


def _drug_inbound(env: Env, actor: str) -> None:
    """A shipment to the actor when it can receive one (else to the distributor)."""
    _drug_stock(env, "distributor" if actor == "manufacturer" else actor)
    if actor == "manufacturer":
        _drug_ship(env, "distributor", "manufacturer")
    else:
        _drug_ship(env, "manufacturer", actor if _custodian(env, actor) else "distributor")


def _drug_outbound(env: Env, actor: str) -> None:
    """A shipment from the actor when it can ship (else from the manufacturer)."""
    _drug_stock(env, actor)
    if _custodian(env, actor):
        _drug_ship(env, actor, "pharmacy" if actor == "distributor" else "distributor")
    else:
        _drug_ship(env, "manufacturer", "distributor")


def _drug_transit(env: Env, actor: str) -> None:
    _drug_batch(env, actor)
    _drug_ship(env, "manufacturer", "distributor", 5)


def _reading(env: Env, centi_celsius: int) -> int:
    return env.ctx.chain.now() | centi_celsius << 32 | 40 << 48


def _drug_quarantined(env: Env, actor: str) -> None:
    """The distributor received a shipment caught in an excursion."""
    _drug_transit(env, actor)
    ref = _drug_ref(env)
    env.send("sensor_gateway", "DrugBatchTracing", "postReadings", ref, [_reading(env, 1200)])
    env.send("distributor", "DrugBatchTracing", "receiveShipment", ref)


def _drug_quarantine_id(env: Env) -> tuple[bytes, bytes]:
    from medchain.drugs import ShipmentRef

    ref = ShipmentRef(*_drug_ref(env))
    return ref.batch_id, ref.id


MATRIX["DrugBatchTracing"] = {
    "registerProduct": Rule(frozenset({"manufacturer"}), "an active manufacturer", denied=ROLE_REFUSED,
                            args=lambda e, a: (4006381333931, "Matrix Drug", 200, 800, 60)),
    "commissionBatch": Rule(
        frozenset({"manufacturer"}), "the product's manufacturer, active", denied=ROLE_REFUSED,
        prepare=_drug_product, args=lambda e, a: (
            DRUG_GTIN, DRUG_LOT, e.ctx.chain.now() // 86400 * 86400, e.ctx.chain.now() // 86400 * 86400 + 86400, 10,
            _drug_tree(e).root, "")),
    "ship": Rule(DRUG_CUSTODIANS, "an active custodian (manufacturer, distributor, pharmacy, hospital) holding the units",
                 denied=ROLE_REFUSED, prepare=_drug_stock, args=lambda e, a: (
                     _drug_tree(e).batch, e.address("pharmacy" if a == "distributor" else "distributor"), 1, NO_RANGE)),
    "receiveShipment": Rule(DRUG_CUSTODIANS, "the shipment's recipient, an active custodian",
                            denied=("NotShipmentRecipient",), prepare=_drug_inbound, args=lambda e, a: (_drug_ref(e),)),
    "rejectShipment": Rule(DRUG_CUSTODIANS, "the shipment's recipient, an active custodian",
                           denied=("NotShipmentRecipient",), prepare=_drug_inbound,
                           args=lambda e, a: (_drug_ref(e), "damaged")),
    "cancelShipment": Rule(DRUG_CUSTODIANS, "the shipment's sender, an active custodian", denied=("NotShipmentSender",),
                           prepare=_drug_outbound, args=lambda e, a: (_drug_ref(e), "truck never left")),
    "postReadings": Rule(frozenset({"sensor_gateway", "manufacturer"}),
                         "an active sensor gateway, or the shipment's sender (here the manufacturer)",
                         denied=("NotReadingsPoster",), prepare=_drug_transit,
                         args=lambda e, a: (_drug_ref(e), [_reading(e, 500)])),
    "dispense": Rule(frozenset({"pharmacy", "hospital"}), "an active pharmacy or hospital holding units of the batch",
                     denied=ROLE_REFUSED, prepare=_drug_stock,
                     args=lambda e, a: (_drug_tree(e).batch, 0, "M0", _drug_tree(e).proof(0))),
    "recall": Rule(frozenset({"manufacturer", "regulator"}), "the batch's manufacturer (active) or an active regulator",
                   denied=("NotRecallAuthority",), prepare=_drug_batch,
                   args=lambda e, a: (_drug_tree(e).batch, "contamination")),
    "setReorderThreshold": Rule(DRUG_CUSTODIANS, "an active custodian (its own threshold)", denied=ROLE_REFUSED,
                                prepare=_drug_product, args=lambda e, a: (DRUG_GTIN, 5)),
    "releaseQuarantine": Rule(frozenset({"manufacturer", "regulator"}),
                              "the batch's manufacturer (active) or an active regulator (QA release)",
                              denied=("NotDispositionAuthority",), prepare=_drug_quarantined,
                              args=lambda e, a: (*_drug_quarantine_id(e), b"\x0a" * 32)),
    "destroyQuarantine": Rule(frozenset({"manufacturer", "regulator", "distributor"}),
                              "the units' holder (here the distributor) while an active custodian, the batch's "
                              "manufacturer (active) or an active regulator", denied=("NotDispositionAuthority",),
                              prepare=_drug_quarantined, args=lambda e, a: (*_drug_quarantine_id(e), "excursion")),
}

# --- claims, research, trials ---
# A function acting on the caller's own object (its plan, claim, pool, dataset, trial...) is
# prepared with that object built for the actor itself whenever its roles let it build one, and
# for a fixed cast member otherwise. The suspended actor (holding every role) builds its object
# while briefly reactivated, so its column shows what an organisation can still do with what it
# owns once suspended ("also while suspended" in the rule's words). Set-up transactions skip gas
# estimation (half the time on the embedded chain).

_CLAIMS, _RESEARCH, _TRIALS = "ClaimAdjudication", "ResearchDataLicensing", "ClinicalTrialRegistry"
_INSURER, _PROVIDER, _SITE = int(Role.INSURER), int(Role.HOSPITAL | Role.PHARMACY), int(Role.HOSPITAL)
_STEWARD, _SPONSOR = int(Role.HOSPITAL | Role.RESEARCHER), int(Role.HOSPITAL | Role.MANUFACTURER | Role.RESEARCHER)
_GENERAL, _LAB, _RESEARCH_USE, _CLAIMS_USE = 1, 1 << 9, 1 << 1, 1 << 2  # ConsentCodes
_CODE, _ICD_I10, _ICD_E11 = (s.ljust(32, b"\0") for s in (b"CPT:99213", b"I10", b"E11"))
_FIELDS, _PRICE = (1 << 9) | (1 << 10), 100  # research fields CODE | VALUE; a dataset's price
_PROTOCOL = b"\x01" * 32
#: A dataset's terms: manifest CID, rows root, fields, categories, price, steward share, licence duration, previous.
_DATASET_TERMS = ("bafkreimatrix", b"\x01" * 32, _FIELDS, _LAB, _PRICE, 2500, 86400, 0)


def _tx(env: Env, who: str, contract: str, function: str, *args: Any) -> None:
    """A set-up transaction, with a fixed gas limit."""
    env.sender(who).transact(getattr(env.contract(contract).functions, function)(*args), gas=1_000_000)


def _owner(env: Env, actor: str, roles: int, default: str) -> str:
    """``actor`` when its directory roles include one of ``roles`` (it may own the object), else ``default``."""
    record = env.contract("ParticipantRegistry").functions.participant(env.address(actor)).call()
    return actor if record[2] & roles else default


def _reactivated(prepare: Callable[[Env, str], None]) -> Callable[[Env, str], None]:
    """``prepare`` run with the suspended actor reactivated, suspended again afterwards."""

    def run(env: Env, actor: str) -> None:
        if actor == "suspended":
            _tx(env, "governance", "ParticipantRegistry", "reactivate", env.address(actor))
        prepare(env, actor)
        if actor == "suspended":
            _tx(env, "governance", "ParticipantRegistry", "suspend", env.address(actor), b"\x02" * 32)

    return run


def _read(env: Env, contract: str, function: str, *args: Any) -> Any:
    return getattr(env.contract(contract).functions, function)(*args).call()


def _pay(env: Env, who: str, spender: str, amount: int) -> None:
    """Mint ``amount`` to ``who``, who approves contract ``spender`` for it."""
    _tx(env, "governance", "SettlementToken", "mint", env.address(who), amount)
    _tx(env, who, "SettlementToken", "approve", env.contract(spender).address, amount)


def _consent(env: Env, grantee: str, categories: int, purpose: int) -> None:
    _tx(env, "patient", "ConsentRegistry", "grant", env.address(grantee), categories, purpose, READ, 0, NO_END)


def _plan(env: Env, insurer: str, *, claimable: bool = False) -> None:
    """A plan of ``insurer`` (no cost sharing); ``claimable``: patient_1 consents to claims for it."""
    _tx(env, insurer, _CLAIMS, "definePlan", (0, 0, 10**9, 0, [0] * 8))
    if claimable:
        _consent(env, insurer, _GENERAL, _CLAIMS_USE)


def _claim_input(env: Env) -> tuple[Any, ...]:
    """A one-line claim for patient_1 on the latest plan, served now."""
    plan = _read(env, _CLAIMS, "planCount")
    return (env.address("patient"), plan, env.ctx.chain.now(), [_ICD_I10], [(_CODE, 1, 100)], b"\0" * 32)


def _claim(env: Env, insurer: str, provider: str, indications: list[bytes] | None = None) -> None:
    """``provider``'s claim on a plan of ``insurer``: its line denied (``indications`` None: no
    catalogue nor enrolment), approved (``[]``: a covered item) or pending review (its indications miss I10)."""
    _plan(env, insurer, claimable=True)
    _tx(env, insurer, _CLAIMS, "setNetwork", env.address(provider), True)
    if indications is not None:
        _tx(env, insurer, _CLAIMS, "enrol", _read(env, _CLAIMS, "planCount"), env.address("patient"), 0, NO_END)
        _tx(env, insurer, _CLAIMS, "openCatalogueVersion", 0)
        _tx(env, insurer, _CLAIMS, "setCatalogueItems", 1, [(_CODE, True, 0, _GENERAL, 0, indications)])
        _tx(env, insurer, _CLAIMS, "sealCatalogueVersion", 1)
    _tx(env, provider, _CLAIMS, "submitClaim", _claim_input(env))


def _last_claim(env: Env) -> bytes:
    return env.contract(_CLAIMS).events.ClaimSubmitted.get_logs(from_block=0)[-1]["args"]["claimId"]


@_reactivated
def _own_plan(env: Env, actor: str) -> None:
    _plan(env, _owner(env, actor, _INSURER, "insurer"))


@_reactivated
def _own_open_version(env: Env, actor: str) -> None:
    _tx(env, _owner(env, actor, _INSURER, "insurer"), _CLAIMS, "openCatalogueVersion", 0)


@_reactivated
def _in_network(env: Env, actor: str) -> None:
    _plan(env, "insurer", claimable=True)
    if _owner(env, actor, _PROVIDER, "") == actor:
        _tx(env, "insurer", _CLAIMS, "setNetwork", env.address(actor), True)


@_reactivated
def _pending_line_of_own_plan(env: Env, actor: str) -> None:
    _claim(env, _owner(env, actor, _INSURER, "insurer"), "hospital", [_ICD_E11])


@_reactivated
def _denied_line_of_own_claim(env: Env, actor: str) -> None:
    _claim(env, "insurer", _owner(env, actor, _PROVIDER, "hospital"))


def _funds_to_pool(env: Env, actor: str) -> None:
    _pay(env, actor, _CLAIMS, 1)


@_reactivated
def _own_free_pool(env: Env, actor: str) -> None:
    if _owner(env, actor, _INSURER, "") == actor:
        _pay(env, actor, _CLAIMS, 1)
        _tx(env, actor, _CLAIMS, "fund", 1)


@_reactivated
def _owed_for_own_claim(env: Env, actor: str) -> None:
    _claim(env, "insurer", _owner(env, actor, _PROVIDER, "hospital"), [])
    _pay(env, "insurer", _CLAIMS, 100)
    _tx(env, "insurer", _CLAIMS, "fund", 100)


def _version(env: Env) -> int:
    return _read(env, _RESEARCH, "versionCount")


def _dataset(env: Env, steward: str, *, contributed: bool = True, published: bool = False) -> None:
    """A dataset version of ``steward``; patient_1 consents to research by it and (unless told not) contributes."""
    _tx(env, steward, _RESEARCH, "registerDataset", _DATASET_TERMS)
    version = _version(env)
    _consent(env, steward, _LAB, _RESEARCH_USE)
    if contributed:
        _tx(env, steward, _RESEARCH, "contribute", version, env.address("patient"), 1)
    if published:
        _tx(env, steward, _RESEARCH, "publish", version)


@_reactivated
def _own_empty_draft(env: Env, actor: str) -> None:
    _dataset(env, _owner(env, actor, _STEWARD, "hospital"), contributed=False)


@_reactivated
def _own_draft(env: Env, actor: str) -> None:
    _dataset(env, _owner(env, actor, _STEWARD, "hospital"))


@_reactivated
def _own_licensed_dataset(env: Env, actor: str) -> None:
    _dataset(env, _owner(env, actor, _STEWARD, "hospital"), published=True)
    _pay(env, "researcher", _RESEARCH, _PRICE)
    _tx(env, "researcher", _RESEARCH, "buyLicence", _version(env), _FIELDS)


def _licence_on_sale(env: Env, actor: str) -> None:
    _dataset(env, "hospital", published=True)
    _pay(env, actor, _RESEARCH, _PRICE)


def _contribution_signed(env: Env, actor: str) -> tuple[Any, ...]:
    from medchain.research import ResearchClient

    version, patient = _version(env), env.ctx.account("patient_1")
    signature = ResearchClient(env.suite).sign_contribution(patient, version, 1, NO_END)
    return (version, patient.address, 1, NO_END, signature)


def _trial_id(env: Env) -> int:
    return _read(env, _TRIALS, "trialCount")


def _trial(env: Env, sponsor: str) -> int:
    _tx(env, sponsor, _TRIALS, "registerTrial", _PROTOCOL, b"\x02" * 32, "Matrix trial")
    return _trial_id(env)


def _enrolment(env: Env, actor: str, subject: Any) -> tuple[Any, ...]:
    """Arguments of ``enrol`` by ``actor`` in the latest trial for ``subject`` (a local account), with
    its consent signed for that site."""
    from medchain.research import TrialsClient

    trial = _trial_id(env)
    signature = TrialsClient(env.suite).sign_enrolment(subject, trial, NO_END, site=env.address(actor))
    return (trial, subject.address, _PROTOCOL, NO_END, signature)


@_reactivated
def _own_trial(env: Env, actor: str) -> None:
    _trial(env, _owner(env, actor, _SPONSOR, "researcher"))


@_reactivated
def _own_site(env: Env, actor: str) -> None:
    trial = _trial(env, "researcher")
    _tx(env, "researcher", _TRIALS, "addSite", trial, env.address(_owner(env, actor, _SITE, "hospital")))


@_reactivated
def _subject_of_own_site(env: Env, actor: str) -> None:
    site = _owner(env, actor, _SITE, "hospital")
    trial = _trial(env, "researcher")
    _tx(env, "researcher", _TRIALS, "addSite", trial, env.address(site))
    _tx(env, site, _TRIALS, "enrol", *_enrolment(env, site, env.ctx.account("patient_1")))


MATRIX["ClaimAdjudication"] = {
    "definePlan": Rule(
        frozenset({"insurer"}), "an active insurer (its own plan)", denied=ROLE_REFUSED,
        args=lambda e, a: ((0, 0, 10**9, 0, [0] * 8),)),
    "enrol": Rule(
        frozenset({"insurer"}), "the plan's insurer, while active", denied=("NotPlanInsurer", "ParticipantSuspended"),
        prepare=_own_plan, args=lambda e, a: (_read(e, _CLAIMS, "planCount"), e.address(OUTSIDER_A), 0, NO_END)),
    "setNetwork": Rule(
        frozenset({"insurer"}), "an active insurer (its own network)", denied=ROLE_REFUSED,
        args=lambda e, a: (e.address("hospital_b"), True)),
    "setReviewer": Rule(
        frozenset({"insurer"}), "an active insurer (its own reviewers)", denied=ROLE_REFUSED,
        args=lambda e, a: (e.address(OUTSIDER_A), True)),
    "openCatalogueVersion": Rule(
        frozenset({"insurer"}), "an active insurer (its own catalogue)", denied=ROLE_REFUSED, args=lambda e, a: (0,)),
    "setCatalogueItems": Rule(
        frozenset({"insurer"}), "an active insurer (its own open version)", denied=ROLE_REFUSED,
        prepare=_own_open_version, args=lambda e, a: (1, [(_CODE, True, 0, _GENERAL, 0, [])])),
    "sealCatalogueVersion": Rule(
        frozenset({"insurer"}), "an active insurer (its own open version)", denied=ROLE_REFUSED,
        prepare=_own_open_version, args=lambda e, a: (1,)),
    "submitClaim": Rule(
        frozenset({"hospital", "pharmacy"}), "an active hospital or pharmacy in the plan insurer's network",
        denied=ROLE_REFUSED, prepare=_in_network, args=lambda e, a: (_claim_input(e),)),
    "review": Rule(
        frozenset({"insurer"}), "the plan's insurer, while active, or a reviewer it appointed (none here)",
        denied=("NotReviewer", "ParticipantSuspended"), prepare=_pending_line_of_own_plan,
        args=lambda e, a: (_last_claim(e), 0, True, 0, b"\0" * 32)),
    "appeal": Rule(
        frozenset({"hospital", "pharmacy"}), "the claim's provider, while an active hospital or pharmacy",
        denied=("NotClaimProvider", "ParticipantSuspended"), prepare=_denied_line_of_own_claim,
        args=lambda e, a: (_last_claim(e), 0, b"\x01" * 32)),
    "fund": Rule(
        frozenset({"insurer"}), "an active insurer (into its own pool)", denied=ROLE_REFUSED,
        prepare=_funds_to_pool, args=lambda e, a: (1,)),
    "defund": Rule(
        frozenset({"insurer", "suspended"}), "the pool's insurer, what no provider is owed (also while suspended)",
        denied=("InsufficientPool",), prepare=_own_free_pool, args=lambda e, a: (1,)),
    "withdraw": Rule(
        frozenset({"hospital", "pharmacy", "suspended"}), "a provider, what the insurer owes it (also while suspended)",
        denied=("InsufficientOwed",), prepare=_owed_for_own_claim, args=lambda e, a: (e.address("insurer"), 1)),
}

MATRIX["ResearchDataLicensing"] = {
    "registerDataset": Rule(
        frozenset({"hospital", "researcher"}), "an active hospital or researcher (becomes the steward)",
        denied=ROLE_REFUSED, args=lambda e, a: (_DATASET_TERMS,)),
    "contribute": Rule(
        frozenset({"hospital", "researcher"}), "the steward, while active (the patient's research consent)",
        denied=("NotSteward", "ParticipantSuspended"), prepare=_own_empty_draft,
        args=lambda e, a: (_version(e), e.address("patient"), 1)),
    "contributeBySig": Rule(
        frozenset({"hospital", "researcher"}), "the steward, while active (the patient's signature)",
        denied=("NotSteward", "ParticipantSuspended"), prepare=_own_empty_draft, args=_contribution_signed),
    "publish": Rule(
        frozenset({"hospital", "researcher"}), "the steward, while active",
        denied=("NotSteward", "ParticipantSuspended"), prepare=_own_draft, args=lambda e, a: (_version(e),)),
    "retire": Rule(
        frozenset({"hospital", "researcher", "suspended"}), "the steward (also while suspended: it only stops sales)",
        denied=("NotSteward",), prepare=_own_draft, args=lambda e, a: (_version(e),)),
    "flagWithdrawn": Rule(
        frozenset({"patient"}), "the contributing patient; anyone once its consent no longer permits",
        denied=("ConsentStillActive",), prepare=lambda e, a: _dataset(e, "hospital"),
        args=lambda e, a: (_version(e), e.address("patient"))),
    "buyLicence": Rule(
        frozenset({"researcher"}), "an active researcher (pays the price)", denied=ROLE_REFUSED,
        prepare=_licence_on_sale, args=lambda e, a: (_version(e), _FIELDS)),
    "recordExtract": Rule(
        frozenset({"hospital", "researcher", "suspended"}),
        "the version's steward (also while suspended: it delivers what was paid for)", denied=("NotSteward",),
        prepare=_own_licensed_dataset, args=lambda e, a: (_read(e, _RESEARCH, "licenceCount"), "bafkreiextract")),
    "withdraw": Rule(
        frozenset({"hospital", "researcher", "suspended", "patient"}),
        "a steward or contributor, what it earned (also while suspended)", denied=("NothingToWithdraw",),
        prepare=_own_licensed_dataset, args=lambda e, a: ([_version(e)],)),
}

#: Trial sponsors: the sponsor must be active to change its trial, not to disclose results.
_SPONSORS = frozenset({"hospital", "manufacturer", "researcher"})
_ACTIVE_SPONSOR = "the sponsor, while active"
_SPONSOR_REFUSED = ("NotSponsor", "ParticipantSuspended")

MATRIX["ClinicalTrialRegistry"] = {
    "registerTrial": Rule(
        _SPONSORS, "an active hospital, manufacturer or researcher (becomes the sponsor)",
        denied=ROLE_REFUSED, args=lambda e, a: (_PROTOCOL, b"\x02" * 32, "Matrix trial")),
    "addSite": Rule(_SPONSORS, _ACTIVE_SPONSOR, denied=_SPONSOR_REFUSED, prepare=_own_trial,
                    args=lambda e, a: (_trial_id(e), e.address("hospital_b"))),
    "amend": Rule(_SPONSORS, _ACTIVE_SPONSOR + " (a results amendment also while suspended)",
                  denied=_SPONSOR_REFUSED, prepare=_own_trial,
                  args=lambda e, a: (_trial_id(e), 0, b"\x03" * 32, b"\x04" * 32)),
    "lockResults": Rule(_SPONSORS | {"suspended"}, "the sponsor (also while suspended: disclosure is a duty)",
                        denied=("NotSponsor",), prepare=_own_trial,
                        args=lambda e, a: (_trial_id(e), b"\x05" * 32)),
    "recordMilestone": Rule(_SPONSORS, _ACTIVE_SPONSOR + " or an active site",
                            denied=("NotSponsorOrSite", "ParticipantSuspended"),
                            prepare=_own_trial, args=lambda e, a: (_trial_id(e), b"\x06" * 32, b"\0" * 32)),
    "enrol": Rule(
        frozenset({"hospital"}), "a site of the trial, while an active hospital (the subject's signature)",
        denied=("NotSite", "ParticipantSuspended"), prepare=_own_site,
        args=lambda e, a: _enrolment(e, a, dev_account(OUTSIDER_A))),
    "withdrawSubject": Rule(
        frozenset({"hospital", "patient", "suspended"}), "the subject or its site (also while suspended)",
        denied=("NotSubjectOrSite",), prepare=_subject_of_own_site,
        args=lambda e, a: (_trial_id(e), e.address("patient"), b"\x07" * 32)),
    "recordVisit": Rule(
        frozenset({"hospital"}), "the subject's site, while an active hospital",
        denied=("NotSite", "ParticipantSuspended"), prepare=_subject_of_own_site,
        args=lambda e, a: (_trial_id(e), e.address("patient"), b"\x08" * 32)),
}

# Private enrolment (issue 18): enrolWithProof needs a proof bound to the caller's address, made by
# snarkjs per actor; its behaviour is tested in tests/research/test_private_enrolment.py. Here every
# actor reaches the first check that does not depend on who calls: the trial has no criteria.
MATRIX["ClinicalTrialRegistry"].update({
    "setEligibilityCriteria": Rule(_SPONSORS, _ACTIVE_SPONSOR, denied=_SPONSOR_REFUSED, prepare=_own_trial,
                                   args=lambda e, a: (_trial_id(e), 18, 65, 100, [250])),
    "enrolWithProof": Rule(frozenset(), "anyone, with a proof of eligibility bound to its own address",
                           denied=("NoCriteria",), prepare=_own_trial,
                           args=lambda e, a: (_trial_id(e), [0] * 8, 1, 1)),
})

MATRIX["AttestationTree"] = {
    "insert": Rule(frozenset({"hospital"}), "an active hospital", denied=ROLE_REFUSED, args=lambda e, a: (12345,)),
}

MATRIX["EligibilityVerifier"] = {}

#: Suite contracts whose domain is still being built: their rows are added when they land.
PENDING: dict[str, str] = {}


def state_changing(contract: str) -> list[str]:
    """Names of the non-view functions in the ABI of ``contract``'s committed artifact."""
    abi = load_artifact(contract)["abi"]
    return sorted({i["name"] for i in abi if i["type"] == "function" and i["stateMutability"] in ("nonpayable", "payable")})


def render() -> str:
    """The matrix as Markdown (the content of ``docs/access-control.md``)."""
    actors = list(ACTORS)
    lines = [
        "# Access-control matrix",
        "",
        "Generated by `python -m tests.security.access_matrix > docs/access-control.md` from",
        "`src/medchain/access_matrix.py`; `tests/security/test_access_matrix.py` calls every state-changing",
        "function of every contract below as every actor (on the embedded chain and on Anvil) and checks that",
        "exactly the marked actors pass and every other one is refused with the listed error. A test fails when",
        "a contract's ABI gains a state-changing function this table does not list, and when this file is stale.",
        "",
        "`✓` the call succeeds, `·` it reverts with the refusal error.",
        "",
        "Actors:",
        "",
    ]
    lines += [f"- **{a}**: {d}" for a, d in ACTORS.items()]
    for contract, rules in MATRIX.items():
        lines += ["", f"## {contract}", "",
                  "| function | " + " | ".join(actors) + " | who may call | refusal |",
                  "|---|" + "|".join(":-:" for _ in actors) + "|---|---|"]
        for name in sorted(rules):
            rule = rules[name]
            cells = " | ".join("✓" if a in rule.allowed else "·" for a in actors)
            refusal = ", ".join(f"`{d}`" for d in rule.denied) or "(none: nobody is refused)"
            lines.append(f"| `{name}` | {cells} | {rule.who} | {refusal} |")
    if PENDING:
        lines += ["", "## Not yet in the matrix", ""]
        lines += [f"- {c}: {why}" for c, why in PENDING.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
