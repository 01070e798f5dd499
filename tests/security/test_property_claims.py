"""Stateful property test of ClaimAdjudication: a claim is never paid twice and the pool never pays
more than it was funded.

Random claims from two network providers (fresh ones and exact resubmissions, off-label lines that
pend, lines the plan does not cover, dates outside the coverage or in the future, a provider out
of the network, a patient who revokes her consent), reviews by the reviewer, the insurer or a
stranger, one appeal per denied line, funding, defunding and provider withdrawals against a model
of the plan: every line's outcome and payer amount (deductible, copay, coinsurance, out-of-pocket
maximum, benefit limit, per patient and year), what each provider is owed and the pool.

After every step the pool, what each provider is owed, the contract's token balance, the
providers' token balances, the accumulators and every claim's counters equal the model; what
was credited to each claim (``Credited`` events) is the sum of its approved lines, credited once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from medchain.claims import SERVICE_CLASSES, ClaimsClient, parse_catalogue_csv
from medchain.consent import ConsentClient
from medchain.core.errors import ClaimsError
from medchain.core.token import TokenClient
from medchain.core.tx import call
from medchain.scenarios.claims import CATALOGUE, CONSENT_CATEGORIES, setup

from .stateful import ChainMachine, embedded_world, outcome, run

PROVIDERS = ("hospital_a", "pharmacy")
PATIENTS = ("patient_1", "patient_2")
CODES = ("CPT:99214", "CPT:83036", "CPT:99223", "NDC:0002-8215-01", "NDC:0169-4132-12", "CPT:15824", "CPT:99999")
DIAGNOSES = ("E11.9", "E66.9")
BILLED = ("12.00", "45.50", "150.00", "420.00", "1500.00")
DAY = 86400
M = 10**6
DUPLICATE, NOT_COVERED_ON_DATE, NOT_COVERED, DIAGNOSIS_INCONSISTENT, FEE_SCHEDULE, BENEFIT_MAXIMUM = 18, 27, 96, 11, 45, 119


@dataclass
class Line:
    code: str
    status: str
    reason: int
    allowed: int  # as adjudicated (0 for a line denied or pending)
    base: int  # what a later approval shares: the allowed amount before the denial or pend
    service_class: int = 0  # the catalogue's (0 for a code not listed in the version in force)
    payer: int = 0
    appealed: bool = False


@dataclass
class Claim:
    claim_id: str
    provider: str
    patient: str
    service_date: int
    lines: list[Line]
    diagnoses: tuple[str, ...]
    submitted_lines: tuple
    duplicate: bool
    credited: int = 0  # from the Credited events

    @property
    def status(self) -> str:
        counts = {s: sum(li.status == s for li in self.lines) for s in ("approved", "denied", "pending")}
        if counts["pending"]:
            return "pending review"
        if not counts["denied"]:
            return "approved"
        return "denied" if not counts["approved"] else "partially approved"


def year_of(ts: int) -> int:
    return datetime.fromtimestamp(ts, timezone.utc).year


@st.composite
def claim_lines(draw):
    return tuple((draw(st.sampled_from(CODES)), draw(st.integers(1, 2)), draw(st.sampled_from(BILLED)))
                 for _ in range(draw(st.integers(1, 2))))


class ClaimsMachine(ChainMachine):
    # Built once per module by the fixture (what no rule changes): the scenario's claims world,
    # clients, the plan, the catalogue, the enrolments and the pool and balances at the start.
    world: Any
    client: dict[str, ClaimsClient]
    plan: dict[str, Any]
    items: dict[str, Any]
    items_effective: int
    enrolment: dict[str, tuple[int, int]]
    start: dict[str, int]

    def __init__(self) -> None:
        super().__init__()
        self.insurer_address = self.ctx.address("insurer")
        self.token = self.world.insurer.token
        self.balance, self.outstanding = self.start["balance"], 0
        self.funded = self.balance
        self.owed = {p: 0 for p in PROVIDERS}
        self.withdrawn = {p: 0 for p in PROVIDERS}
        self.accumulators: dict[tuple[str, int], list[int]] = {}
        self.claims: list[Claim] = []
        self.submitted: set[tuple] = set()
        self.consenting = set(PATIENTS)

    def _token_balance(self, who: str) -> int:
        return int(call(self.token.functions.balanceOf(who)))

    # ------------------------------------------------------------------ the plan's rules
    def _share(self, acc: list[int], allowed: int, service_class: int) -> tuple[str, int, int]:
        """``(status, reason, payer)`` of an approved-for-payment line; updates ``acc`` like the contract."""
        p = self.plan
        benefit_left = p["benefit_limit"] - acc[2]
        if benefit_left == 0:
            return "denied", BENEFIT_MAXIMUM, 0
        deductible = min(allowed, p["deductible"] - acc[0])
        rest = allowed - deductible
        copay = min(p["copays"][SERVICE_CLASSES[service_class]], rest)
        coinsurance = (rest - copay) * p["coinsurance_bps"] // 10_000
        oop_left = p["out_of_pocket_max"] - acc[1]
        share = deductible + copay + coinsurance
        if share > oop_left:
            excess = share - oop_left
            cut = min(excess, coinsurance)
            coinsurance, excess = coinsurance - cut, excess - cut
            cut = min(excess, copay)
            copay -= cut
            deductible -= excess - cut
            share = oop_left
        payer, reason = allowed - share, 0
        if payer > benefit_left:
            payer, reason = benefit_left, BENEFIT_MAXIMUM
        acc[0] += deductible
        acc[1] += share
        acc[2] += payer
        return "approved", reason, payer

    def _adjudicate(self, patient: str, when: int, diagnoses: tuple[str, ...], lines: tuple, duplicate: bool) -> list[Line]:
        start, end = self.enrolment[patient]
        acc = list(self.accumulators.get((patient, year_of(when)), [0, 0, 0]))
        in_force = when >= self.items_effective  # the catalogue version's effective date
        out = []
        for code, qty, billed in lines:
            billed_units = int(Decimal(billed) * M)
            item = self.items.get(code) if in_force else None
            cls = item.service_class if item is not None else 0
            allowed, cut = billed_units, False
            if item is not None and item.max_unit_price and item.max_unit_price * qty < billed_units:
                allowed, cut = item.max_unit_price * qty, True
            if duplicate:
                out.append(Line(code, "denied", DUPLICATE, 0, allowed, cls))
            elif not start <= when <= end:
                out.append(Line(code, "denied", NOT_COVERED_ON_DATE, 0, allowed, cls))
            elif item is None or not item.covered:
                out.append(Line(code, "denied", NOT_COVERED, 0, allowed, cls))
            elif item.indications and not any(d[:3] == i[:3] for d in diagnoses for i in item.indications):
                out.append(Line(code, "pending", DIAGNOSIS_INCONSISTENT, 0, allowed, cls))
            else:
                status, reason, payer = self._share(acc, allowed, item.service_class)
                reason = FEE_SCHEDULE if status == "approved" and reason == 0 and cut else reason
                out.append(Line(code, status, reason, allowed if status == "approved" else 0, allowed, cls, payer))
        if any(li.status == "approved" for li in out):
            self.accumulators[(patient, year_of(when))] = acc
        return out

    def _credit(self, claim: Claim) -> None:
        """Book the ``Credited`` events of the latest block (the claim's submission or review)."""
        block = self.chain.w3.eth.block_number
        for log in self.client["insurer"].contract.events.Credited.get_logs(from_block=block, to_block=block):
            e = log["args"]
            assert (e["insurer"], e["provider"], "0x" + bytes(e["claimId"]).hex()) == (
                self.insurer_address, self.ctx.address(claim.provider), claim.claim_id)
            claim.credited += e["amount"]
            self.owed[claim.provider] += e["amount"]
            self.outstanding += e["amount"]

    # ------------------------------------------------------------------ rules
    @rule(provider=st.sampled_from((*PROVIDERS, "hospital_b")), patient=st.sampled_from(PATIENTS),
          day=st.sampled_from([0, 0, -1, -400, +1]), diagnoses=st.sampled_from([("E11.9",), ("E66.9",), DIAGNOSES]),
          lines=claim_lines())
    def submit(self, provider, patient, day, diagnoses, lines):
        self._submit(provider, patient, self.world.service_date + day * DAY, diagnoses, lines)

    @precondition(lambda self: self.claims)
    @rule(pick=st.integers(0, 1000))
    def resubmit_exactly(self, pick):
        c = self.claims[pick % len(self.claims)]
        self._submit(c.provider, c.patient, c.service_date, c.diagnoses, c.submitted_lines)

    def _submit(self, provider, patient, when, diagnoses, lines):
        key = (provider, patient, when, diagnoses, lines)
        now = self.tick()
        claim = self.world.claim(self.ctx.address(patient), list(diagnoses), list(lines))
        claim["service_date"] = when
        if provider not in PROVIDERS:
            expected = "ProviderNotInNetwork"
        elif when > now:
            expected = "ServiceDateInFuture"
        else:
            expected = None if patient in self.consenting else "ConsentMissing"
        result = outcome(expected, self.client[provider].submit, claim)
        if expected is not None:
            return
        duplicate = key in self.submitted
        lines_model = self._adjudicate(patient, when, diagnoses, lines, duplicate)
        got = [(li.status, li.reason, li.allowed, li.payer) for li in result.lines]
        assert got == [(li.status, li.reason, li.allowed, li.payer) for li in lines_model], f"{key}: {got}"
        assert result.duplicate == duplicate
        self.submitted.add(key)
        c = Claim(result.claim_id, provider, patient, when, lines_model, diagnoses, lines, duplicate)
        assert result.status == c.status
        self._credit(c)
        self.claims.append(c)
        self._claim_on_chain(c)

    @rule(patient=st.sampled_from(PATIENTS))
    def patient_toggles_consent(self, patient):
        self.tick()
        consent = ConsentClient(self.ctx.suite, self.ctx.sender(patient))
        if patient in self.consenting:
            consent.revoke(self.insurer_address)
            self.consenting.discard(patient)
        else:
            start, end = self.enrolment[patient]
            consent.grant(self.insurer_address, CONSENT_CATEGORIES, "insurance_claims", "read", start, end)
            self.consenting.add(patient)

    def _line(self, pick: int) -> tuple[Claim, int, Line] | None:
        lines = [(c, i, li) for c in self.claims for i, li in enumerate(c.lines)]
        return lines[pick % len(lines)] if lines else None

    @precondition(lambda self: self.claims)
    @rule(pick=st.integers(0, 1000), approve=st.booleans(), by=st.sampled_from(["reviewer", "insurer", "hospital_b"]))
    def review(self, pick, approve, by):
        c, i, li = self._line(pick)
        self.tick()
        expected = "NotReviewer" if by == "hospital_b" else None if li.status == "pending" else "LineNotPending"
        result = outcome(expected, self.client[by].review, c.claim_id, i, approve, 0 if approve else 50)
        if expected is not None:
            return
        if approve:
            acc = self.accumulators.setdefault((c.patient, year_of(c.service_date)), [0, 0, 0])
            li.status, li.reason, li.payer = self._share(acc, li.base, li.service_class)
        else:
            li.status, li.reason, li.payer = "denied", 50, 0
        assert (result.status, result.reason, result.payer) == (li.status, li.reason, li.payer)
        self._credit(c)
        self._claim_on_chain(c)

    @precondition(lambda self: self.claims)
    @rule(pick=st.integers(0, 1000))
    def appeal(self, pick):
        c, i, li = self._line(pick)
        self.tick()
        expected = ("LineNotDenied" if li.status != "denied" else "DuplicateNotAppealable" if li.reason == DUPLICATE
                    else "AlreadyAppealed" if li.appealed else None)
        outcome(expected, self.client[c.provider].appeal, c.claim_id, i, b"\x11" * 32)
        if expected is None:
            li.status, li.appealed = "pending", True
            self._claim_on_chain(c)

    @rule(amount=st.sampled_from(["1", "50", "400"]))
    def fund(self, amount):
        self.tick()
        self.client["insurer"].fund(amount)
        self.balance += int(amount) * M
        self.funded += int(amount) * M

    @rule(amount=st.sampled_from(["1", "50", "400"]))
    def defund(self, amount):
        units = int(amount) * M
        free = max(self.balance - self.outstanding, 0)
        self.tick()
        outcome(None if units <= free else "InsufficientPool", self.client["insurer"].defund, amount)
        if units <= free:
            self.balance -= units
            self.funded -= units

    @rule(provider=st.sampled_from(PROVIDERS), amount=st.sampled_from([None, "1", "100000"]))
    def withdraw(self, provider, amount):
        owed = self.owed[provider]
        units = owed if amount is None else int(amount) * M
        self.tick()
        if units == 0:
            expected = ClaimsError
        elif units > owed:
            expected = "InsufficientOwed"
        elif units > self.balance:
            expected = "InsufficientPool"
        else:
            expected = None
        outcome(expected, self.client[provider].withdraw, self.insurer_address, amount)
        if expected is None:
            self.owed[provider] -= units
            self.withdrawn[provider] += units
            self.balance -= units
            self.outstanding -= units
        paid = self._token_balance(self.ctx.address(provider)) - self.start[provider]
        assert paid == self.withdrawn[provider], f"{provider} received {paid}, withdrew {self.withdrawn[provider]}"

    def _claim_on_chain(self, c: Claim) -> None:
        """A claim's counters and its patient's accumulator on chain equal the model (after each
        rule that changes them)."""
        reader = self.client["insurer"]
        on_chain = reader.claim(c.claim_id)
        counts = [sum(li.status == s for li in c.lines) for s in ("pending", "approved", "denied")]
        assert (on_chain["status"], on_chain["pending"], on_chain["approved"], on_chain["denied"]) == (c.status, *counts)
        year = year_of(c.service_date)
        acc = self.accumulators.get((c.patient, year), [0, 0, 0])
        assert reader.accumulator(self.ctx.address(c.patient), self.world.plan, year) == dict(
            zip(("deductible", "out_of_pocket", "benefit_used"), acc, strict=True))

    # ------------------------------------------------------------------ invariants
    @invariant()
    def the_pool_never_pays_more_than_it_was_funded(self):
        reader = self.client["insurer"]
        assert reader.pool(self.insurer_address) == {"balance": self.balance, "outstanding": self.outstanding}
        assert self._token_balance(reader.contract.address) == self.balance
        assert self.funded == self.balance + sum(self.withdrawn.values()) >= sum(self.withdrawn.values())
        for p in PROVIDERS:
            assert reader.owed(self.insurer_address, self.ctx.address(p)) == self.owed[p]

    @invariant()
    def no_claim_is_paid_twice(self):
        """What was credited to each claim (its ``Credited`` events) is what its approved lines pay,
        and each patient's yearly benefit stays within the plan's limit (model only: no calls)."""
        for c in self.claims:
            assert c.credited == sum(li.payer for li in c.lines if li.status == "approved")
            assert not (c.duplicate and c.credited), (
                f"claim {c.claim_id}, an exact duplicate (CARC 18) of an earlier claim, was paid {c.credited}")
        assert sum(c.credited for c in self.claims) == sum(self.owed.values()) + sum(self.withdrawn.values())
        for acc in self.accumulators.values():
            assert acc[2] <= self.plan["benefit_limit"]


@pytest.fixture(scope="module")
def claims_world():
    for ctx in embedded_world():
        world = setup(ctx, fund="300", patients=PATIENTS)
        insurer = world.insurer
        TokenClient(ctx.suite, ctx.sender("governance")).mint(ctx.address("insurer"), 10**6 * M)
        m = ClaimsMachine
        m.world = world
        m.client = {who: ClaimsClient(ctx.suite, ctx.sender(who)) for who in (*PROVIDERS, "insurer", "hospital_b")}
        m.client["reviewer"] = world.reviewer
        m.plan = insurer.plan(world.plan)
        m.items = {e.code: e for e in parse_catalogue_csv(CATALOGUE, insurer.decimals)}
        m.items_effective = call(insurer.contract.functions.catalogueVersion(ctx.address("insurer"), world.version))[0]
        m.enrolment = {p: insurer.enrolment(world.plan, ctx.address(p)) for p in PATIENTS}
        assert insurer.pool(ctx.address("insurer"))["outstanding"] == 0
        m.start = {"balance": insurer.pool(ctx.address("insurer"))["balance"],
                   **{p: int(call(insurer.token.functions.balanceOf(ctx.address(p)))) for p in PROVIDERS}}
        yield ctx


def test_property_claims_are_never_paid_twice_and_the_pool_never_overpays(claims_world):
    run(ClaimsMachine, claims_world)


def test_property_claims_a_duplicate_is_never_paid_after_an_appeal(claims_world):
    """The shortest sequence found: a paid claim, its exact resubmission (denied, CARC 18), the
    provider's appeal of that line, the reviewer's approval."""
    ClaimsMachine.ctx = claims_world
    machine = ClaimsMachine()
    try:
        machine.submit(provider="hospital_a", patient="patient_1", day=0, diagnoses=("E11.9",),
                       lines=(("CPT:99214", 1, "150.00"),))
        machine.resubmit_exactly(pick=0)
        machine.appeal(pick=1)
        machine.review(pick=1, approve=True, by="reviewer")
        machine.no_claim_is_paid_twice()
    finally:
        machine.teardown()
