"""ClinicalTrialRegistry behaviour (tests/conftest.py: on Anvil): registration before enrolment, signed
enrolment, visits, withdrawal, locked results and amendments that never overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest
from web3 import Web3

from medchain.core.accounts import dev_account
from medchain.core.contracts import load_artifact
from medchain.core.errors import InvalidInputError
from medchain.core.tx import Sender, events
from medchain.research import AmendmentKind, TrialsClient, TrialStatus, document_hash
from tests.helpers import reverts

from .conftest import at, fails_at

PROTOCOL = "Protocol v1: HbA1c over 24 weeks, drug X vs placebo"
ENDPOINTS = {"primary": ["HbA1c change from baseline at week 24"]}
SUBJECT, OTHER = 17, 18  # pseudonymous per-trial keys, outside the cast


def tc(world, who):
    return TrialsClient(world.suite, world.sender(who) if isinstance(who, str) else Sender(world.chain, dev_account(who)))


def raw(world, who, fname, *args):
    c = world.suite.contract("ClinicalTrialRegistry")
    return world.sender(who).transact(getattr(c.functions, fname)(*args))


@pytest.fixture
def trial(world):
    trial_id, _ = tc(world, "manufacturer").register_trial(PROTOCOL, ENDPOINTS, "DRUG-X-301")
    tc(world, "manufacturer").add_site(trial_id, world.address("hospital_a"))
    return trial_id


def enrol(world, trial_id, subject=SUBJECT, site="hospital_a"):
    deadline = world.chain.now() + 3600
    sig = tc(world, site).sign_enrolment(dev_account(subject), trial_id, deadline)
    return tc(world, site).enrol(trial_id, dev_account(subject).address, deadline, sig)


def test_a_sponsor_registers_a_trial_before_enrolment(world):
    trial_id, receipt = tc(world, "manufacturer").register_trial(PROTOCOL, ENDPOINTS, "DRUG-X-301")
    t = tc(world, "manufacturer").trial(trial_id)
    assert (t.sponsor, t.status, t.protocol_hash, t.endpoints_hash, t.first_enrolment_at) == (
        world.address("manufacturer"), TrialStatus.REGISTERED, document_hash(PROTOCOL), document_hash(ENDPOINTS), 0)
    assert events(tc(world, "manufacturer").contract, "TrialRegistered", receipt)[0]["title"] == "DRUG-X-301"


@pytest.mark.parametrize("who", ["manufacturer", "hospital_b", "university"])
def test_manufacturers_hospitals_and_researchers_sponsor(world, who):
    assert tc(world, who).register_trial(PROTOCOL, ENDPOINTS, "T")[0] == 1


@pytest.mark.parametrize("who", ["pharmacy", "insurer"])
def test_other_roles_cannot_sponsor(world, who):
    reverts("MissingRole", tc(world, who).register_trial, PROTOCOL, ENDPOINTS, "T")


def test_registration_needs_hashes_and_a_title(world):
    assert reverts("InvalidHash", raw, world, "manufacturer", "registerTrial", b"\x00" * 32, b"\x01" * 32, "T") == {}
    assert reverts("InvalidTitle", raw, world, "manufacturer", "registerTrial", b"\x01" * 32, b"\x01" * 32, "") == {"length": 0}
    reverts("InvalidTitle", raw, world, "manufacturer", "registerTrial", b"\x01" * 32, b"\x01" * 32, "t" * 257).with_args(
        length=257
    )
    raw(world, "manufacturer", "registerTrial", b"\x01" * 32, b"\x01" * 32, "t" * 256)
    with pytest.raises(InvalidInputError):
        tc(world, "manufacturer").register_trial(PROTOCOL, ENDPOINTS, "")


def test_sites_are_hospitals_added_by_the_sponsor(world, trial):
    assert tc(world, "manufacturer").is_site(trial, world.address("hospital_a"))
    reverts("NotSponsor", tc(world, "hospital_b").add_site, trial, world.address("hospital_b")).with_args(
        caller=world.address("hospital_b"), trialId=trial
    )
    reverts("MissingRole", tc(world, "manufacturer").add_site, trial, world.address("pharmacy"))
    reverts("SiteAlreadyAdded", tc(world, "manufacturer").add_site, trial, world.address("hospital_a")).with_args(
        trialId=trial, site=world.address("hospital_a")
    )
    reverts("UnknownTrial", tc(world, "manufacturer").add_site, 9, world.address("hospital_b")).with_args(trialId=9)


@pytest.mark.both_backends
def test_a_site_enrols_a_subject_with_signed_consent(world, trial):
    receipt = enrol(world, trial)
    s = tc(world, "hospital_a").subject(trial, dev_account(SUBJECT).address)
    t = tc(world, "hospital_a").trial(trial)
    now = world.chain.w3.eth.get_block(receipt.block_number)["timestamp"]
    assert (s.site, s.enrolled_at, s.visits, t.status, t.enrolled, t.first_enrolment_at) == (
        world.address("hospital_a"),
        now,
        0,
        TrialStatus.ENROLLING,
        1,
        now,
    )
    reverts("AlreadyEnrolled", enrol, world, trial).with_args(trialId=trial, subject=dev_account(SUBJECT).address)


def test_only_sites_enrol(world, trial):
    reverts("NotSite", enrol, world, trial, site="hospital_b").with_args(caller=world.address("hospital_b"), trialId=trial)


@pytest.mark.both_backends
def test_a_consent_signed_by_someone_else_is_refused(world, trial):
    deadline = world.chain.now() + 3600
    forged = tc(world, "hospital_a").sign_enrolment(dev_account(OTHER), trial, deadline)
    args = reverts("WrongSigner", tc(world, "hospital_a").enrol, trial, dev_account(SUBJECT).address, deadline, forged)
    subject, signer = args.values()  # (the selector is shared with other contracts' WrongSigner)
    assert subject == dev_account(SUBJECT).address and signer != subject  # signed over another subject's consent
    assert (
        reverts("InvalidSignature", tc(world, "hospital_a").enrol, trial, dev_account(SUBJECT).address, deadline, b"\x00" * 65)
        == {}
    )


@pytest.mark.both_backends
def test_consent_to_an_older_protocol_is_refused(world, trial):
    deadline = world.chain.now() + 3600
    sig = tc(world, "hospital_a").sign_enrolment(dev_account(SUBJECT), trial, deadline)
    old = tc(world, "hospital_a").trial(trial).protocol_hash
    tc(world, "manufacturer").amend(trial, "protocol", "Protocol v2", "dose adjusted after DSMB review")
    args = reverts("ProtocolChanged", tc(world, "hospital_a").enrol, trial, dev_account(SUBJECT).address, deadline, sig, old)
    assert args == {"signed": old, "current": document_hash("Protocol v2")}


@pytest.mark.both_backends
@pytest.mark.parametrize("delta,ok", [(-1, True), (0, True), (1, False)])
def test_the_consent_deadline_is_inclusive(world, trial, delta, ok):
    deadline = world.chain.now() + 100
    sig = tc(world, "hospital_a").sign_enrolment(dev_account(SUBJECT), trial, deadline)
    args = (trial, dev_account(SUBJECT).address, document_hash(PROTOCOL), deadline, sig)
    if ok:
        at(world, deadline + delta, "hospital_a", "enrol", *args, contract="ClinicalTrialRegistry")
    else:
        fails_at(world, deadline + delta, "SignatureExpired", "hospital_a", "enrol", *args, contract="ClinicalTrialRegistry")
        reverts(
            "SignatureExpired",
            raw,
            world,
            "hospital_a",
            "enrol",
            trial,
            dev_account(SUBJECT).address,
            document_hash(PROTOCOL),
            world.chain.now() - 1,
            sig,
        )


def test_the_site_records_visits(world, trial):
    enrol(world, trial)
    subject = dev_account(SUBJECT).address
    receipt = tc(world, "hospital_a").record_visit(trial, subject, {"week": 4, "hba1c": 7.1})
    (ev,) = events(tc(world, "hospital_a").contract, "VisitRecorded", receipt)
    assert (ev["visit"], ev["dataHash"]) == (1, document_hash({"week": 4, "hba1c": 7.1}))
    tc(world, "hospital_a").record_visit(trial, subject, "week 8")
    assert tc(world, "hospital_a").subject(trial, subject).visits == 2
    tc(world, "manufacturer").add_site(trial, world.address("hospital_b"))
    reverts("NotSite", tc(world, "hospital_b").record_visit, trial, subject, "x").with_args(
        caller=world.address("hospital_b"), trialId=trial
    )
    assert reverts("InvalidHash", raw, world, "hospital_a", "recordVisit", trial, subject, b"\x00" * 32) == {}
    reverts("NotEnrolled", tc(world, "hospital_a").record_visit, trial, dev_account(OTHER).address, "x").with_args(
        trialId=trial, subject=dev_account(OTHER).address
    )


def test_a_suspended_site_cannot_record(world, trial):
    enrol(world, trial)
    world.sender("regulator").transact(
        world.suite.contract("ParticipantRegistry").functions.suspend(world.address("hospital_a"), b"\x01" * 32)
    )
    reverts("ParticipantSuspended", tc(world, "hospital_a").record_visit, trial, dev_account(SUBJECT).address, "x").with_args(
        account=world.address("hospital_a")
    )


@pytest.mark.parametrize("who", ["subject", "hospital_a"])
def test_the_subject_or_its_site_records_a_withdrawal(world, trial, who):
    enrol(world, trial)
    subject = dev_account(SUBJECT).address
    if who == "subject":
        world.sender("governance").transact(to=subject, value=10**18)
    receipt = tc(world, SUBJECT if who == "subject" else who).withdraw_subject(trial, subject, "moved abroad")
    (ev,) = events(tc(world, "hospital_a").contract, "SubjectWithdrew", receipt)
    assert ev["reasonHash"] == document_hash("moved abroad")
    assert tc(world, "hospital_a").subject(trial, subject).withdrawn_at > 0
    assert tc(world, "hospital_a").trial(trial).withdrawn == 1
    reverts("SubjectWithdrawn", tc(world, "hospital_a").record_visit, trial, subject, "x").with_args(
        trialId=trial, subject=subject
    )


def test_nobody_else_records_a_withdrawal(world, trial):
    enrol(world, trial)
    reverts("NotSubjectOrSite", tc(world, "manufacturer").withdraw_subject, trial, dev_account(SUBJECT).address).with_args(
        caller=world.address("manufacturer"), subject=dev_account(SUBJECT).address
    )


def test_milestones_come_from_the_sponsor_or_a_site(world, trial):
    receipt = tc(world, "manufacturer").record_milestone(trial, "first-subject-in")
    assert events(tc(world, "hospital_a").contract, "MilestoneRecorded", receipt)[0]["milestone"] == Web3.keccak(
        text="first-subject-in"
    )
    tc(world, "hospital_a").record_milestone(trial, "site-initiated", {"visit": "SIV"})
    assert tc(world, "hospital_a").trial(trial).milestones == 2
    reverts("NotSponsorOrSite", tc(world, "hospital_b").record_milestone, trial, "x").with_args(
        caller=world.address("hospital_b"), trialId=trial
    )
    assert reverts("InvalidHash", raw, world, "manufacturer", "recordMilestone", trial, b"\x00" * 32, b"\x00" * 32) == {}


def test_amendments_keep_the_original_and_flag_outcome_switching(world, trial):
    tc(world, "manufacturer").amend(trial, AmendmentKind.PROTOCOL, "Protocol v2", "typo in dosing table")
    enrol(world, trial)
    receipt = tc(world, "manufacturer").amend(trial, "endpoints", {"primary": ["fasting glucose"]}, "recruitment slow")
    first, second = tc(world, "manufacturer").amendments(trial)
    assert (first.kind, first.after_enrolment, first.previous_hash, first.new_hash) == (
        AmendmentKind.PROTOCOL,
        False,
        document_hash(PROTOCOL),
        document_hash("Protocol v2"),
    )
    assert (second.kind, second.after_enrolment, second.previous_hash, second.reason_hash) == (
        AmendmentKind.ENDPOINTS,
        True,
        document_hash(ENDPOINTS),
        document_hash("recruitment slow"),
    )
    assert events(tc(world, "manufacturer").contract, "Amended", receipt)[0]["afterEnrolment"] is True
    assert tc(world, "manufacturer").trial(trial).endpoints_hash == document_hash({"primary": ["fasting glucose"]})


def test_amendment_rules(world, trial):
    reverts("NotSponsor", tc(world, "hospital_a").amend, trial, "protocol", "v2", "why").with_args(
        caller=world.address("hospital_a"), trialId=trial
    )
    reverts("NothingAmended", tc(world, "manufacturer").amend, trial, "protocol", PROTOCOL, "same").with_args(
        hash=document_hash(PROTOCOL)
    )
    assert reverts("InvalidHash", raw, world, "manufacturer", "amend", trial, 0, b"\x01" * 32, b"\x00" * 32) == {}
    reverts("TrialNotLocked", tc(world, "manufacturer").amend, trial, "results", "r2", "why").with_args(trialId=trial)
    with pytest.raises(InvalidInputError):
        tc(world, "manufacturer").amend(trial, "title", "x", "why")


def test_locked_results_change_only_by_amendment(world, trial):
    enrol(world, trial)
    receipt = tc(world, "manufacturer").lock_results(trial, {"hba1c_delta": -0.9})
    assert events(tc(world, "manufacturer").contract, "ResultsLocked", receipt)[0]["resultsHash"] == document_hash(
        {"hba1c_delta": -0.9}
    )
    t = tc(world, "manufacturer").trial(trial)
    assert (t.status, t.results_hash) == (TrialStatus.LOCKED, document_hash({"hba1c_delta": -0.9}))
    reverts("TrialLocked", tc(world, "manufacturer").lock_results, trial, "other").with_args(trialId=trial)
    reverts("TrialLocked", tc(world, "manufacturer").amend, trial, "protocol", "v9", "late").with_args(trialId=trial)
    reverts("TrialLocked", tc(world, "hospital_a").record_visit, trial, dev_account(SUBJECT).address, "x").with_args(
        trialId=trial
    )
    reverts("TrialLocked", enrol, world, trial, OTHER).with_args(trialId=trial)
    reverts("TrialLocked", tc(world, "manufacturer").add_site, trial, world.address("hospital_b")).with_args(trialId=trial)
    tc(world, "manufacturer").amend(trial, "results", {"hba1c_delta": -0.8}, "data-entry error at site 1")
    (a,) = tc(world, "manufacturer").amendments(trial)
    assert (a.kind, a.previous_hash, a.new_hash) == (
        AmendmentKind.RESULTS,
        document_hash({"hba1c_delta": -0.9}),
        document_hash({"hba1c_delta": -0.8}),
    )


def test_only_the_sponsor_locks(world, trial):
    reverts("NotSponsor", tc(world, "hospital_a").lock_results, trial, "r").with_args(
        caller=world.address("hospital_a"), trialId=trial
    )
    assert reverts("InvalidHash", raw, world, "manufacturer", "lockResults", trial, b"\x00" * 32) == {}


def test_every_custom_error_is_reached_by_a_test():
    here = Path(__file__).parent  # this file and the private (zero-knowledge) enrolment's tests
    source = "".join((here / name).read_text() for name in ("test_trials.py", "test_private_enrolment.py"))
    errors = {i["name"] for i in load_artifact("ClinicalTrialRegistry")["abi"] if i["type"] == "error"}
    ours = errors - {
        "ECDSAInvalidSignature",
        "ECDSAInvalidSignatureLength",
        "ECDSAInvalidSignatureS",
        "InvalidAccountNonce",
        "InvalidShortString",
        "StringTooLong",
    }
    assert {e for e in ours if f'"{e}"' not in source} == set()


def suspend(world, who):
    world.sender("regulator").transact(
        world.suite.contract("ParticipantRegistry").functions.suspend(world.address(who), b"\x01" * 32)
    )


def test_a_suspended_sponsor_cannot_change_its_trial(world, trial):
    suspend(world, "manufacturer")
    sponsor = tc(world, "manufacturer")
    reverts("ParticipantSuspended", sponsor.add_site, trial, world.address("hospital_b")).with_args(
        account=world.address("manufacturer")
    )
    reverts("ParticipantSuspended", sponsor.amend, trial, AmendmentKind.PROTOCOL, "Protocol v2", "dose change").with_args(
        account=world.address("manufacturer")
    )
    reverts("ParticipantSuspended", sponsor.record_milestone, trial, "first-subject-in", "x").with_args(
        account=world.address("manufacturer")
    )


def test_a_suspended_sponsor_still_discloses_its_results(world, trial):
    suspend(world, "manufacturer")
    sponsor = tc(world, "manufacturer")
    sponsor.lock_results(trial, "results v1")
    sponsor.amend(trial, AmendmentKind.RESULTS, "results v2", "late lab data")
    assert sponsor.trial(trial).results_hash == document_hash("results v2")
