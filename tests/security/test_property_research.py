"""Stateful property test of ResearchDataLicensing: revenue shares always sum to what was paid,
and licences never include a withdrawn patient.

Random sequences of research consents granted and revoked, dataset versions registered (prices
and steward shares that leave rounding remainders), contributions (consent-based and signed),
publication, retirement, withdrawal flags (by the patient or by anyone once the consent is gone),
licence purchases and revenue withdrawals by the steward and the contributors, against a model of
the revenue-per-weight ledger. "Withdrawn" is the contract's documented notion: a contributor
flagged out of a version (anyone may flag one whose consent is no longer permitted); from then on
the version sells no licence.

After every step each version's status, contributors, weight, withdrawn count and ledger, every
account's pending revenue and every licence equal the model; pending plus withdrawn revenue is
exactly what licensees paid, and the contract holds exactly what is still owed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from medchain.consent import NO_END, ConsentClient
from medchain.core.standards.consent_codes import Category
from medchain.core.storage import EmbeddedStore
from medchain.core.token import TokenClient
from medchain.core.tx import call, events
from medchain.research import DatasetBuild, ResearchClient, Status

from .stateful import ChainMachine, embedded_world, outcome, run

STEWARD = "hospital_a"
RESEARCHER = "university"
PATIENTS = ("patient_1", "patient_2", "patient_3")
LAB = int(Category.LABORATORY)
BPS = 10_000
YEAR = 365 * 86400
LICENSED = "code,value"
MAX_VERSIONS = 3
SEED_TERMS = (1_000_003, 2500)  # price, steward share (bps) of the published version every example starts with


def observation(value: float) -> dict:
    return {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4", "display": "HbA1c"}]},
            "valueQuantity": {"value": value, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"},
            "effectiveDateTime": "2025-03-04"}


@dataclass
class Version:
    price: int
    share_bps: int
    status: Status = Status.DRAFT
    contributions: dict[str, list] = field(default_factory=dict)  # patient -> [weight, signed, withdrawn, index_paid]
    index: int = 0
    steward_revenue: int = 0

    @property
    def total_weight(self) -> int:
        return sum(c[0] for c in self.contributions.values())

    @property
    def withdrawn(self) -> int:
        return sum(c[2] for c in self.contributions.values())

    def owed(self, who: str) -> int:
        c = self.contributions.get(who)
        return (self.steward_revenue if who == STEWARD else 0) + (c[0] * (self.index - c[3]) if c else 0)


class ResearchMachine(ChainMachine):
    build: DatasetBuild
    store: EmbeddedStore
    seed: int  # the Draft version the fixture registered

    def __init__(self) -> None:
        super().__init__()
        self.addr = {who: self.ctx.address(who) for who in (STEWARD, RESEARCHER, *PATIENTS)}
        self.research = {who: ResearchClient(self.ctx.suite, self.ctx.sender(who), self.store) for who in self.addr}
        self.token = self.ctx.suite.contract("SettlementToken")
        # the fixture's state: every patient consents to research; version `seed` is published, with
        # every patient's contribution (weights 1, 2, 3; the last one signed)
        self.base = self.seed - 1
        seed = Version(*SEED_TERMS, status=Status.PUBLISHED)
        for i, p in enumerate(PATIENTS):
            seed.contributions[p] = [i + 1, i == len(PATIENTS) - 1, False, 0]
        self.versions: dict[int, Version] = {self.seed: seed}
        self.consenting: set[str] = set(PATIENTS)
        self.paid = 0
        self.withdrawn = {who: 0 for who in (STEWARD, *PATIENTS)}
        self.licences: list[tuple[int, int, int]] = []  # (licence id, version, withdrawn contributors then)
        self.held = int(call(self.token.functions.balanceOf(self.research[STEWARD].contract.address)))

    def _version(self, pick: int) -> tuple[int, Version]:
        v = sorted(self.versions)[pick % len(self.versions)]
        return v, self.versions[v]

    # ------------------------------------------------------------------ rules
    @rule(patient=st.sampled_from(PATIENTS))
    def patient_toggles_research_consent(self, patient):
        self.tick()
        consent = ConsentClient(self.ctx.suite, self.ctx.sender(patient))
        if patient in self.consenting:
            consent.revoke(self.addr[STEWARD])
            self.consenting.discard(patient)
        else:
            consent.grant(self.addr[STEWARD], LAB, "research", "read", 0, NO_END)
            self.consenting.add(patient)

    @precondition(lambda self: len(self.versions) < MAX_VERSIONS)
    @rule(price=st.sampled_from([1_000_003, 997, 7, 3]), share=st.sampled_from([0, 2500, 9999]))
    def register(self, price, share):
        self.tick()
        version, _ = self.research[STEWARD].register_dataset(self.build, categories=LAB, price=price,
                                                              steward_share_bps=share, licence_duration=YEAR)
        assert version == self.base + len(self.versions) + 1
        self.versions[version] = Version(price, share)

    @precondition(lambda self: self.versions)
    @rule(pick=st.integers(0, 9), patient=st.sampled_from(PATIENTS), weight=st.integers(1, 3), signed=st.booleans())
    def contribute(self, pick, patient, weight, signed):
        v, d = self._version(pick)
        steward = self.research[STEWARD]
        if d.status != Status.DRAFT:
            expected = "WrongStatus"
        elif not signed and patient not in self.consenting:
            expected = "ResearchConsentMissing"
        elif patient in d.contributions:
            expected = "AlreadyContributed"
        else:
            expected = None
        now = self.tick()
        if signed:
            signature = steward.sign_contribution(self.ctx.account(patient), v, weight, now + 3600)
            outcome(expected, steward.contribute_by_sig, v, self.addr[patient], weight, now + 3600, signature)
        else:
            outcome(expected, steward.contribute, v, self.addr[patient], weight)
        if expected is None:
            d.contributions[patient] = [weight, signed, False, d.index]

    @precondition(lambda self: self.versions)
    @rule(pick=st.integers(0, 9))
    def publish(self, pick):
        v, d = self._version(pick)
        pool = d.price - d.price * d.share_bps // BPS
        if d.status != Status.DRAFT:
            expected = "WrongStatus"
        elif not d.contributions:
            expected = "NoContributors"
        elif d.withdrawn:
            expected = "VersionHasWithdrawnContributors"
        elif pool < d.total_weight:
            expected = "PriceTooLowForContributors"
        else:
            expected = None
        self.tick()
        outcome(expected, self.research[STEWARD].publish, v)
        if expected is None:
            d.status = Status.PUBLISHED

    @precondition(lambda self: self.versions)
    @rule(pick=st.integers(0, 9))
    def retire(self, pick):
        v, d = self._version(pick)
        self.tick()
        expected = "WrongStatus" if d.status == Status.RETIRED else None
        outcome(expected, self.research[STEWARD].retire, v)
        if expected is None:
            d.status = Status.RETIRED

    @precondition(lambda self: self.versions)
    @rule(pick=st.integers(0, 9), patient=st.sampled_from(PATIENTS), by_patient=st.booleans())
    def flag_withdrawn(self, pick, patient, by_patient):
        v, d = self._version(pick)
        c = d.contributions.get(patient)
        if c is None:
            expected = "NotAContributor"
        elif c[2]:
            expected = "AlreadyWithdrawn"
        elif not by_patient and (c[1] or patient in self.consenting):
            expected = "ConsentStillActive"
        else:
            expected = None
        self.tick()
        outcome(expected, self.research[patient if by_patient else RESEARCHER].flag_withdrawn, v, self.addr[patient])
        if expected is None:
            c[2] = True
        if c is not None:
            assert self.research[RESEARCHER].contribution(v, self.addr[patient]).withdrawn == c[2]

    @precondition(lambda self: self.versions)
    @rule(pick=st.integers(0, 9))
    def buy_licence(self, pick):
        v, d = self._version(pick)
        if d.status != Status.PUBLISHED:
            expected = "WrongStatus"
        elif d.withdrawn:
            expected = "VersionHasWithdrawnContributors"
        else:
            expected = None
        self.tick()
        result = outcome(expected, self.research[RESEARCHER].buy_licence, v, LICENSED)
        if expected is not None:
            return
        licence_id, receipt = result
        cut = d.price * d.share_bps // BPS
        pool = d.price - cut
        per_weight = pool // d.total_weight
        cut += pool - per_weight * d.total_weight
        (ev,) = events(self.research[RESEARCHER].contract, "LicenceIssued", receipt)
        assert (ev["version"], ev["licensee"], ev["price"], ev["stewardCut"], ev["perWeight"]) == (
            v, self.addr[RESEARCHER], d.price, cut, per_weight)
        assert cut + per_weight * d.total_weight == d.price
        lic = self.research[RESEARCHER].licence(licence_id)
        assert (lic.licensee, lic.version) == (self.addr[RESEARCHER], v)
        d.index += per_weight
        d.steward_revenue += cut
        self.paid += d.price
        # the version's withdrawn contributors as the chain counts them, just after the sale
        self.licences.append((licence_id, v, self.research[RESEARCHER].dataset(v).withdrawn_contributors))

    @precondition(lambda self: self.versions)
    @rule(who=st.sampled_from((STEWARD, *PATIENTS)))
    def withdraw_revenue(self, who):
        owed = sum(d.owed(who) for d in self.versions.values())
        self.tick()
        result = outcome(None if owed else "NothingToWithdraw", self.research[who].withdraw, sorted(self.versions))
        if not owed:
            return
        amount, _ = result
        assert amount == owed
        self.withdrawn[who] += owed
        for d in self.versions.values():
            if who == STEWARD:
                d.steward_revenue = 0
            if who in d.contributions:
                d.contributions[who][3] = d.index

    # ------------------------------------------------------------------ invariants
    @invariant()
    def versions_follow_the_model(self):
        reader = self.research[RESEARCHER]
        for v, d in self.versions.items():
            ds = reader.dataset(v)
            assert (ds.status, ds.contributors, ds.total_weight, ds.withdrawn_contributors, ds.revenue_per_weight,
                    ds.steward_revenue) == (d.status, len(d.contributions), d.total_weight, d.withdrawn, d.index,
                                            d.steward_revenue)

    @invariant()
    def revenue_shares_sum_to_what_was_paid(self):
        reader = self.research[RESEARCHER]
        pending = 0
        for v, d in self.versions.items():
            if not d.index and not d.steward_revenue and not any(c[3] for c in d.contributions.values()):
                continue  # never sold: nothing is owed on it (the ledger fields are checked above)
            for who in (STEWARD, *PATIENTS):
                owed = reader.pending_revenue(self.addr[who], v)
                assert owed == d.owed(who), (v, who)
                pending += owed
        assert pending + sum(self.withdrawn.values()) == self.paid
        held = int(call(self.token.functions.balanceOf(reader.contract.address)))
        assert held - self.held == self.paid - sum(self.withdrawn.values()) == pending

    @invariant()
    def licences_never_include_a_withdrawn_patient(self):
        """No licence was sold for a version while one of its contributors was withdrawn (flagged),
        as the chain counted them right after each sale."""
        for licence_id, v, flagged in self.licences:
            assert not flagged, f"licence {licence_id} of version {v} includes withdrawn {flagged}"


@pytest.fixture(scope="module")
def research_world():
    for ctx in embedded_world():
        ResearchMachine.store = EmbeddedStore(ctx.workdir / "ipfs")
        ResearchMachine.build = DatasetBuild.from_records(
            [(ctx.address(p), observation(6.0 + i)) for i, p in enumerate(PATIENTS)], "resource_type,code,value")
        TokenClient(ctx.suite, ctx.sender("governance")).mint(ctx.address(RESEARCHER), 10**15)
        for p in PATIENTS:
            ConsentClient(ctx.suite, ctx.sender(p)).grant(ctx.address(STEWARD), LAB, "research", "read", 0, NO_END)
        steward = ResearchClient(ctx.suite, ctx.sender(STEWARD), ResearchMachine.store)
        ResearchMachine.seed, _ = steward.register_dataset(
            ResearchMachine.build, categories=LAB, price=SEED_TERMS[0], steward_share_bps=SEED_TERMS[1],
            licence_duration=YEAR)
        for i, p in enumerate(PATIENTS):
            if i == len(PATIENTS) - 1:
                deadline = ctx.chain.now() + 3600
                signature = steward.sign_contribution(ctx.account(p), ResearchMachine.seed, i + 1, deadline)
                steward.contribute_by_sig(ResearchMachine.seed, ctx.address(p), i + 1, deadline, signature)
            else:
                steward.contribute(ResearchMachine.seed, ctx.address(p), i + 1)
        steward.publish(ResearchMachine.seed)
        yield ctx


def test_property_research_revenue_sums_to_what_was_paid_and_licences_exclude_withdrawn(research_world):
    run(ResearchMachine, research_world, steps=10)
