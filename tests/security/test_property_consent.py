"""Stateful property test of ConsentRegistry: consent never permits after revocation or outside
its period.

Random sequences of grants and amendments (by the patient, a guardian, or an EIP-712 signature
relayed by a third party, including replays), revocations, guardian changes, time jumps landing
on the period's bounds (1 s before, at, 1 s after) and logged reads, against a model: one
consent per (patient, grantee), valid while not revoked and ``start <= block time <= end``.
After every step, the stored consent, the nonce and the guardian of the pair the step acted on,
and ``isPermitted`` at the latest block for that pair, must equal the model; at the end of each
example, the same for every pair. Every read is mined at the chosen second and succeeds exactly
when the model permits it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from medchain.consent import NO_END, ConsentClient, new_record_id
from medchain.core.errors import InvalidInputError
from medchain.core.standards.consent_codes import Action, Category, Purpose
from medchain.core.tx import events

from .stateful import ChainMachine, block_time, embedded_world, outcome, reached, run

PATIENTS = ("patient_1", "patient_2")
GRANTEES = ("hospital_a", "hospital_b")
GUARDIAN = "patient_3"
RELAYER = "hospital_c"
CATS = (Category.GENERAL, Category.ENDOCRINE, Category.CARDIOLOGY)
PURPOSES = (Purpose.TREATMENT, Purpose.RESEARCH)
ACTIONS = (Action.READ, Action.WRITE)


def mask(members: st.SearchStrategy) -> st.SearchStrategy[int]:
    return st.sets(members, min_size=1).map(lambda s: sum(int(m) for m in s))


@dataclass
class Terms:
    categories: int
    purposes: int
    actions: int
    start: int
    end: int
    version: int
    revoked: bool = False

    def permits(self, categories: int, purposes: int, actions: int, when: int) -> bool:
        return (not self.revoked and self.start <= when <= self.end and self.categories & categories == categories
                and self.purposes & purposes == purposes and self.actions & actions == actions)

    def bounds(self) -> list[int]:
        edges = [self.start - 1, self.start, self.start + 1]
        if self.end != NO_END:
            edges += [self.end - 1, self.end, self.end + 1]
        return edges


PAIRS = tuple((p, g) for p in PATIENTS for g in GRANTEES)


class ConsentMachine(ChainMachine):
    # what every example starts from, read once by the fixture: addresses, clients, nonces
    addr: dict[str, str]
    client: dict[str, ConsentClient]
    start_nonces: dict[str, int]

    def __init__(self) -> None:
        super().__init__()
        self.consents: dict[tuple[str, str], Terms] = {}
        self.nonces = dict(self.start_nonces)
        self.touched: tuple[tuple[str, str], ...] = ()  # the pairs the last step acted on
        self.guardians: set[str] = set()  # patients whose guardian GUARDIAN is
        self.last_signed = None

    # ------------------------------------------------------------------ time
    def _when(self, pair: tuple[str, str], pick: int) -> int:
        """A future second: one of the pair's period bounds (±1 s) when any is ahead, else soon."""
        now = self.chain.now()
        terms = self.consents.get(pair)
        ahead = sorted(t for t in (terms.bounds() if terms else []) if t > now)
        return ahead[pick % len(ahead)] if ahead else now + 1 + pick

    def _by(self, patient: str, via: str) -> tuple[str | None, ConsentClient]:
        """The error a non-guardian gets (or None) and the client acting for ``patient``."""
        if via == "patient":
            return None, self.client[patient]
        return (None if patient in self.guardians else "NotPatientOrGuardian"), self.client[GUARDIAN]

    # ------------------------------------------------------------------ rules
    @rule(patient=st.sampled_from(PATIENTS), grantee=st.sampled_from(GRANTEES), categories=mask(st.sampled_from(CATS)),
          purposes=mask(st.sampled_from(PURPOSES)), actions=mask(st.sampled_from(ACTIONS)),
          start=st.sampled_from([-3600, -1, 0, 1, 2, 30, 3600]), length=st.sampled_from([None, -1, 0, 1, 2, 60, 86400]),
          via=st.sampled_from(["patient", "guardian", "signature"]))
    def grant(self, patient, grantee, categories, purposes, actions, start, length, via):
        now = self.chain.now()
        s = now + start
        e = NO_END if length is None else s + length
        tx_time = self.tick()
        terms = Terms(categories, purposes, actions, s, e, 0)
        # the client refuses a period ending before it starts or in the past; the contract also
        # refuses one ending before the block the grant is mined in
        expected = InvalidInputError if s > e or e < now else "InvalidPeriod" if e < tx_time else None
        args = (self.addr[grantee], categories, purposes, actions, s, None if e == NO_END else e)
        signed = None
        if via == "signature":
            signer = self.ctx.account(patient)
            if expected is InvalidInputError:
                outcome(expected, self.client[RELAYER].sign_grant, signer, *args)
                return
            signed = self.client[RELAYER].sign_grant(signer, *args)
            receipt = outcome(expected, self.client[RELAYER].relay, signed)
            by = self.addr[patient]
        else:
            refused, acting = self._by(patient, via)
            expected = expected if expected is InvalidInputError else refused or expected
            receipt = outcome(expected, acting.grant, *args, patient=self.addr[patient])
            by = acting.sender.address
        reached(f"grant via {via}: {getattr(expected, '__name__', expected) or 'granted'}")
        if expected is None:
            previous = self.consents.get((patient, grantee))
            terms.version = previous.version + 1 if previous else 1
            self.consents[(patient, grantee)] = terms
            self._signed(signed, patient, grantee)
            (ev,) = events(self.client[patient].contract, "ConsentGranted", receipt)
            assert (ev["patient"], ev["grantee"], ev["version"], ev["start"], ev["end"], ev["by"]) == (
                self.addr[patient], self.addr[grantee], terms.version, s, e, by)
            assert block_time(self.ctx, receipt) == tx_time
        self._stored(patient, grantee)

    @rule(patient=st.sampled_from(PATIENTS), grantee=st.sampled_from(GRANTEES),
          via=st.sampled_from(["patient", "guardian", "signature"]))
    def revoke(self, patient, grantee, via):
        terms = self.consents.get((patient, grantee))
        expected = None if terms is not None and not terms.revoked else "ConsentNotActive"
        self.tick()
        signed = None
        if via == "signature":
            signed = self.client[RELAYER].sign_revoke(self.ctx.account(patient), self.addr[grantee])
            receipt = outcome(expected, self.client[RELAYER].relay, signed)
            by = self.addr[patient]
        else:
            refused, acting = self._by(patient, via)
            expected = refused or expected
            receipt = outcome(expected, acting.revoke, self.addr[grantee], patient=self.addr[patient])
            by = acting.sender.address
        reached(f"revoke via {via}: {expected or 'revoked'}")
        if expected is None:
            terms.revoked = True
            self.nonces[patient] += signed is None  # a direct revocation uses the nonce too
            self._signed(signed, patient, grantee)
            (ev,) = events(self.client[patient].contract, "ConsentRevoked", receipt)
            assert (ev["patient"], ev["grantee"], ev["version"], ev["by"]) == (
                self.addr[patient], self.addr[grantee], terms.version, by)
        self._stored(patient, grantee)

    def _signed(self, signed, patient: str, grantee: str) -> None:
        if signed is not None:
            self.nonces[patient] += 1
            self.last_signed = (signed, patient, grantee)

    @precondition(lambda self: self.last_signed is not None)
    @rule()
    def replay_the_last_signature(self):
        signed, patient, grantee = self.last_signed
        self.tick()
        outcome("InvalidAccountNonce", self.client[RELAYER].relay, signed)
        self._stored(patient, grantee)

    @rule(patient=st.sampled_from(PATIENTS))
    def appoint_or_remove_guardian(self, patient):
        self.tick()
        if patient in self.guardians:
            self.client[patient].remove_guardian(self.addr[GUARDIAN])
            self.guardians.discard(patient)
        else:
            self.client[patient].appoint_guardian(self.addr[GUARDIAN])
            self.guardians.add(patient)
        self._stored(patient, GRANTEES[0])

    @rule(patient=st.sampled_from(PATIENTS), grantee=st.sampled_from(GRANTEES), pick=st.integers(0, 5))
    def time_passes(self, patient, grantee, pick):
        when = self._when((patient, grantee), pick)
        self.chain.mine(when)
        assert self.chain.now() == when
        self.touched = ((patient, grantee),)

    @rule(patient=st.sampled_from(PATIENTS), grantee=st.sampled_from(GRANTEES), category=st.sampled_from(CATS),
          purpose=st.sampled_from(PURPOSES), pick=st.integers(0, 5))
    def read(self, patient, grantee, category, purpose, pick):
        when = self._when((patient, grantee), pick)
        terms = self.consents.get((patient, grantee))
        ok = terms is not None and terms.permits(int(category), int(purpose), int(Action.READ), when)
        self.at(when)
        reader = self.client[grantee]
        record = new_record_id(self.addr[patient], int(category))
        reached(f"read: {'permitted' if ok else 'refused'}" + (" (revoked)" if terms and terms.revoked else ""))
        receipt = outcome(None if ok else "AccessNotPermitted", reader.log_access, record, int(purpose))
        if ok:
            assert block_time(self.ctx, receipt) == when
            (ev,) = events(reader.contract, "AccessLogged", receipt)
            assert (ev["patient"], ev["grantee"], bytes(ev["recordId"]), ev["category"], ev["purpose"]) == (
                self.addr[patient], self.addr[grantee], record, int(category), int(purpose))
        else:
            self.chain.mine(when)  # the refused read was judged at `when`; the view is now checked there too
        self.touched = ((patient, grantee),)

    # ------------------------------------------------------------------ invariants
    def _stored(self, patient: str, grantee: str) -> None:
        """The pair's stored consent is the model's (checked by every rule that sends something for
        it, which makes it the pair :meth:`permitted_exactly_while_active_and_in_period` checks)."""
        self.touched = ((patient, grantee),)
        terms = self.consents.get((patient, grantee))
        c = self.client[RELAYER].consent(self.addr[patient], self.addr[grantee])
        expected = (0, False) if terms is None else (terms.version, terms.revoked)
        assert (c.version, c.revoked) == expected
        if terms is not None:
            assert (c.categories, c.purposes, c.actions, c.start, NO_END if c.end is None else c.end) == (
                terms.categories, terms.purposes, terms.actions, terms.start, terms.end)
        assert self.client[RELAYER].nonce(self.addr[patient]) == self.nonces[patient]
        assert self.client[RELAYER].is_guardian(self.addr[patient], self.addr[GUARDIAN]) == (patient in self.guardians)

    def _permitted(self, pairs) -> None:
        """``isPermitted`` at the latest block, for ``pairs``: the granted scope (or everything
        when nothing was granted) and one narrower probe."""
        now = self.chain.now()
        reader = self.client[RELAYER]
        for patient, grantee in pairs:
            terms = self.consents.get((patient, grantee))
            p, g = self.addr[patient], self.addr[grantee]
            if terms is None:
                assert not reader.check(p, g, int(Category.GENERAL), "treatment", "read")
                continue
            cats, purp, acts = terms.categories, terms.purposes, terms.actions
            if now % 2:  # alternate with a one-bit probe, inside or outside the scope
                cats, purp, acts = int(Category.ENDOCRINE), int(Purpose.TREATMENT), int(Action.READ)
            assert reader.check(p, g, cats, purp, acts) == terms.permits(cats, purp, acts, now), (
                f"isPermitted({patient}, {grantee}, {cats}, {purp}, {acts}) at {now}: model {terms}")

    @invariant()
    def permitted_exactly_while_active_and_in_period(self):
        """After each step, for the pair it acted on (every pair in :meth:`teardown`)."""
        self._permitted(self.touched)

    def teardown(self):
        """Every pair's stored consent, nonce, guardian and ``isPermitted`` at the end of the example."""
        try:
            for patient, grantee in PAIRS:
                self._stored(patient, grantee)
            self._permitted(PAIRS)
            for hit, what in ((any(t.revoked for t in self.consents.values()), "a consent revoked"),
                                  (self.last_signed, "a signature relayed"), (self.guardians, "a guardian appointed")):
                if hit:
                    reached(f"example reached: {what}")
        finally:
            super().teardown()


@pytest.fixture(scope="module")
def consent_world():
    for ctx in embedded_world():
        m = ConsentMachine
        m.addr = {who: ctx.address(who) for who in (*PATIENTS, *GRANTEES, GUARDIAN, RELAYER)}
        m.client = {who: ConsentClient(ctx.suite, ctx.sender(who)) for who in m.addr}
        m.start_nonces = {p: m.client[p].nonce(m.addr[p]) for p in PATIENTS}
        yield ctx


def test_property_consent_never_permits_after_revocation_or_outside_its_period(consent_world):
    run(ConsentMachine, consent_world)
