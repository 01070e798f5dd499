"""ClaimAdjudication: every rule and reason code, its boundaries and who may do what (tests/conftest.py: on Anvil)."""

from __future__ import annotations

import pytest

from medchain.claims import encode_code, encode_icd10
from medchain.consent import ConsentClient
from medchain.core.accounts import dev_account
from medchain.core.contracts import load_artifact
from medchain.core.tx import call, events
from medchain.participants import ParticipantsClient, Role
from tests.helpers import reverts

from .conftest import M, claim, client, new_plan

INPATIENT, VISIT, LAB, INSULIN, SEMAGLUTIDE, COSMETIC = (
    "CPT:99223", "CPT:99214", "CPT:83036", "NDC:0002-8215-01", "NDC:0169-4132-12", "CPT:15824")


def amounts(line):
    return (line.status, line.reason, line.allowed // M, line.deductible // M, line.copay // M, line.coinsurance // M,
            line.patient_responsibility // M, line.payer // M)


def acc(world, cw, plan):
    a = cw.insurer.accumulator(world.address("patient_1"), plan, cw.insurer.year_of(cw.service_date))
    return a["deductible"] // M, a["out_of_pocket"] // M, a["benefit_used"] // M


def raw_submit(world, cw, who, patient=None, plan=None, when=None, diagnoses=None, lines=None):
    c = world.suite.contract("ClaimAdjudication")
    t = (patient or world.address("patient_1"), plan or cw.plan, cw.service_date if when is None else when,
         [encode_icd10("E11.9")] if diagnoses is None else diagnoses,
         [(encode_code(VISIT), 1, 100 * M)] if lines is None else lines, b"\0" * 32)
    return world.sender(who).transact(c.functions.submitClaim(t))


# ------------------------------------------------------------------ adjudication rules
def test_a_claim_is_approved_in_its_transaction_with_the_deductible_applied(world, cw):
    r = cw.hospital.submit(claim(world, cw, [(VISIT, 1, "140")]))
    assert r.status == "approved" and amounts(r.lines[0]) == ("approved", 0, 140, 100, 20, 4, 124, 16)
    assert acc(world, cw, cw.plan) == (100, 124, 16)
    assert cw.insurer.owed(world.address("insurer"), world.address("hospital_a")) == 16 * M
    (credit,) = events(cw.insurer.contract, "Credited", _receipt(world, r.tx_hash))
    assert (credit["provider"], credit["amount"]) == (world.address("hospital_a"), 16 * M)


def _receipt(world, tx_hash):
    from medchain.core.tx import Receipt

    r = world.chain.w3.eth.get_transaction_receipt(tx_hash)
    return Receipt(tx_hash, r["blockNumber"], r["gasUsed"], r["status"], None, list(r["logs"]), r)


def test_deductible_exactly_met_then_coinsurance(world, cw):
    plan = new_plan(world, cw)
    first = cw.hospital.submit(claim(world, cw, [(INPATIENT, 1, "100")], plan))
    assert amounts(first.lines[0]) == ("approved", 0, 100, 100, 0, 0, 100, 0)
    second = cw.hospital.submit(claim(world, cw, [(INPATIENT, 1, "50")], plan))
    assert amounts(second.lines[0]) == ("approved", 0, 50, 0, 0, 10, 10, 40)
    assert acc(world, cw, plan) == (100, 110, 40)


def test_out_of_pocket_maximum_caps_the_patient_share(world, cw):
    plan = new_plan(world, cw, benefit_limit="10000")
    big = cw.hospital.submit(claim(world, cw, [(INPATIENT, 1, "2000")], plan))
    assert amounts(big.lines[0]) == ("approved", 0, 2000, 100, 0, 200, 300, 1700)  # coinsurance 380 cut to 200
    after = cw.hospital.submit(claim(world, cw, [(VISIT, 1, "100")], plan))
    assert amounts(after.lines[0]) == ("approved", 0, 100, 0, 0, 0, 0, 100)  # copay waived once the maximum is met
    assert acc(world, cw, plan) == (100, 300, 1800)


def test_benefit_limit_exactly_reached_then_stops_the_next_line(world, cw):
    plan = new_plan(world, cw, deductible="0", out_of_pocket_max="0", coinsurance=0, copays={})
    r = cw.hospital.submit(claim(world, cw, [(INPATIENT, 1, "500"), (INPATIENT, 1, "1")], plan))
    assert [amounts(li) for li in r.lines] == [("approved", 0, 500, 0, 0, 0, 0, 500), ("denied", 119, 0, 0, 0, 0, 0, 0)]
    assert r.status == "partially approved" and acc(world, cw, plan) == (0, 0, 500)


def test_a_line_over_the_remaining_benefit_is_paid_up_to_it(world, cw):
    plan = new_plan(world, cw, deductible="0", out_of_pocket_max="0", coinsurance=0, copays={})
    r = cw.hospital.submit(claim(world, cw, [(INPATIENT, 1, "600")], plan))
    assert amounts(r.lines[0]) == ("approved", 119, 600, 0, 0, 0, 100, 500)


def test_charge_above_the_fee_schedule_is_cut(world, cw):
    r = cw.hospital.submit(claim(world, cw, [(LAB, 1, "40")]))
    assert (r.lines[0].reason, r.lines[0].billed, r.lines[0].allowed) == (45, 40 * M, 25 * M)
    two = cw.pharmacy.submit(claim(world, cw, [(INSULIN, 2, "90")]))
    assert two.lines[0].allowed == 80 * M  # 2 units x 40


def test_a_charge_at_the_fee_schedule_is_not_cut(world, cw):
    r = cw.hospital.submit(claim(world, cw, [(LAB, 1, "25")]))
    assert (r.lines[0].reason, r.lines[0].allowed) == (0, 25 * M)


@pytest.mark.parametrize("code", [COSMETIC, "CPT:00000"])
def test_not_covered_and_unlisted_items_are_denied(world, cw, code):
    r = cw.hospital.submit(claim(world, cw, [(code, 1, "300"), (VISIT, 1, "140")]))
    assert (r.lines[0].status, r.lines[0].reason, r.lines[0].payer) == ("denied", 96, 0)
    assert r.status == "partially approved"


def test_an_exact_duplicate_is_denied_under_a_new_id(world, cw):
    c = claim(world, cw, [(VISIT, 1, "140")])
    first, again, third = (cw.hospital.submit(c) for _ in range(3))
    assert again.status == "denied" and [li.reason for li in again.lines] == [18]
    assert len({first.claim_id, again.claim_id, third.claim_id}) == 3 and again.content_hash == first.claim_id
    assert again.duplicate and not first.duplicate
    assert cw.insurer.owed(world.address("insurer"), world.address("hospital_a")) == first.payer_total


def test_the_same_service_from_another_provider_is_not_a_duplicate(world, cw):
    c = claim(world, cw, [(INSULIN, 1, "40")])
    assert cw.pharmacy.submit(c).status == "approved"
    cw.insurer.set_network(world.address("hospital_b"))
    assert client(world, "hospital_b").submit(c).status == "approved"


def test_off_label_use_goes_to_review(world, cw):
    r = cw.pharmacy.submit(claim(world, cw, [(SEMAGLUTIDE, 1, "280")], diagnoses=["E66.9"]))
    assert (r.status, r.lines[0].status, r.lines[0].reason, r.lines[0].payer) == ("pending review", "pending", 11, 0)
    assert acc(world, cw, cw.plan) == (0, 0, 0)  # nothing applied until decided


def test_an_indication_matches_its_icd10_category(world, cw):
    r = cw.pharmacy.submit(claim(world, cw, [(SEMAGLUTIDE, 1, "280")], diagnoses=["E66.9", "E11.65"]))
    assert r.status == "approved"
    assert call(cw.insurer.contract.functions.isIndicated(world.address("insurer"), cw.version, encode_code(SEMAGLUTIDE),
                                                          encode_icd10("E11.65")))
    assert not call(cw.insurer.contract.functions.isIndicated(world.address("insurer"), cw.version,
                                                              encode_code(SEMAGLUTIDE), encode_icd10("E12")))


def _coverage(world, cw):
    start, end = cw.service_date - 10 * 86400, cw.service_date - 5 * 86400 - 1
    return new_plan(world, cw, start=start, end=end), start, end


@pytest.mark.parametrize("offset,status", [(-1, "denied"), (0, "approved"), (1, "approved")])
def test_coverage_first_day_bounds(world, cw, offset, status):
    plan, start, _ = _coverage(world, cw)
    r = cw.hospital.submit(claim(world, cw, [(VISIT, 1, "140")], plan, when=start + offset))
    assert r.status == status and r.lines[0].reason == (27 if status == "denied" else 0)


@pytest.mark.parametrize("offset,status", [(-1, "approved"), (0, "approved"), (1, "denied")])
def test_coverage_last_day_bounds(world, cw, offset, status):
    plan, _, end = _coverage(world, cw)
    r = cw.hospital.submit(claim(world, cw, [(VISIT, 1, "140")], plan, when=end + offset))
    assert r.status == status and r.lines[0].reason == (27 if status == "denied" else 0)


def test_a_patient_never_enrolled_is_not_covered(world, cw):
    patient = ConsentClient(world.suite, world.sender("patient_2"))
    patient.grant(world.address("insurer"), "all", "insurance_claims", "read", start=0)
    r = cw.hospital.submit(claim(world, cw, [(VISIT, 1, "140")], patient="patient_2"))
    assert (r.status, r.lines[0].reason) == ("denied", 27)


@pytest.mark.both_backends
def test_service_date_time_bounds(world, cw):
    ts = world.chain.now() + 100
    for when, ok in ((ts + 1, False), (ts, True), (ts - 1, True)):
        world.chain.set_next_block_timestamp(ts)
        ts += 10
        fn = world.suite.contract("ClaimAdjudication").functions.submitClaim(
            (world.address("patient_1"), cw.plan, when, [encode_icd10("E11.9")], [(encode_code(VISIT), 1, 100 * M)], b"\0" * 32)
        )
        if ok:
            assert world.sender("hospital_a").transact(fn, gas=1_000_000).status == 1
        else:
            args = reverts("ServiceDateInFuture", world.sender("hospital_a").transact, fn, gas=1_000_000).with_args(
                serviceDate=when
            )
            assert args["now_"] < when  # the block's time (Anvil), or the latest block's where it is replayed (embedded)


@pytest.mark.both_backends
def test_the_catalogue_version_in_force_on_the_service_date_judges(world, cw):
    later = cw.service_date + 86400
    v2 = cw.insurer.load_catalogue(
        f"code,covered,service_class,categories,max_unit_price,indications\n{LAB},yes,laboratory,laboratory,30,\n", later
    )
    assert v2 == cw.version + 1
    old = cw.hospital.submit(claim(world, cw, [(LAB, 1, "40")]))
    assert old.lines[0].allowed == 25 * M  # version 1
    world.chain.mine(later + 60)
    new = cw.hospital.submit(claim(world, cw, [(LAB, 1, "40")], when=later))
    assert new.lines[0].allowed == 30 * M
    before = cw.hospital.submit(claim(world, cw, [(LAB, 1, "40")], when=later - 1))
    assert before.lines[0].allowed == 25 * M  # one second before the new version: the old one
    gone = cw.hospital.submit(claim(world, cw, [(VISIT, 1, "140")], when=later))
    assert gone.lines[0].reason == 96  # not listed in version 2


def test_before_any_catalogue_nothing_is_covered(world, cw):
    plan = new_plan(world, cw, start=0, end=2**40 - 1)
    r = cw.hospital.submit(claim(world, cw, [(VISIT, 1, "140")], plan, when=cw.service_date - 400 * 86400))
    assert (r.status, r.lines[0].reason) == ("denied", 96)  # enrolled, but the first catalogue starts later
    found, _ = call(cw.insurer.contract.functions.versionInForce(world.address("insurer"), cw.service_date - 400 * 86400))
    assert not found


# ------------------------------------------------------------------ consent
def test_consent_is_required(world, cw):
    ConsentClient(world.suite, world.sender("patient_1")).revoke(world.address("insurer"))
    args = reverts("ConsentMissing", cw.hospital.submit, claim(world, cw, [(VISIT, 1, "140")]))
    assert args["insurer"] == world.address("insurer") and args["categories"] == 0b11  # general + endocrine


def test_consent_must_cover_every_category_the_claim_reveals(world, cw):
    ConsentClient(world.suite, world.sender("patient_1")).grant(
        world.address("insurer"), "general,endocrine", "insurance_claims", "read", start=0
    )
    assert cw.hospital.submit(claim(world, cw, [(VISIT, 1, "140")])).status == "approved"
    args = reverts("ConsentMissing", cw.pharmacy.submit, claim(world, cw, [(INSULIN, 1, "40")]))
    assert args["categories"] == (1 << 1) | (1 << 10)  # endocrine + medication


def test_consent_for_another_purpose_does_not_count(world, cw):
    ConsentClient(world.suite, world.sender("patient_1")).grant(
        world.address("insurer"), "all", "treatment,research", "read", start=0
    )
    reverts("ConsentMissing", cw.hospital.submit, claim(world, cw, [(VISIT, 1, "140")])).with_args(
        patient=world.address("patient_1"), insurer=world.address("insurer")
    )


# ------------------------------------------------------------------ review and appeal
def _pending(world, cw):
    return cw.pharmacy.submit(claim(world, cw, [(SEMAGLUTIDE, 1, "280"), (INSULIN, 1, "40")], diagnoses=["E66.9", "E10.9"]))


def test_a_reviewer_approves_a_pending_line_and_it_is_paid(world, cw):
    r = _pending(world, cw)
    assert r.status == "pending review" and r.lines[1].status == "approved"
    line = cw.reviewer.review(r.claim_id, 0, True, note="approved on review")
    assert amounts(line) == ("approved", 0, 280, 60, 10, 42, 112, 168)  # the insulin line took 40 of the deductible
    assert cw.insurer.claim(r.claim_id)["status"] == "approved"
    assert cw.insurer.owed(world.address("insurer"), world.address("pharmacy")) == 168 * M
    assert cw.insurer.line(r.claim_id, 0)["payer"] == 168 * M


def test_the_insurer_itself_may_review_and_deny_with_a_reason(world, cw):
    r = _pending(world, cw)
    line = cw.insurer.review(r.claim_id, 0, False, 50, "not medically necessary")
    assert (line.status, line.reason, line.payer) == ("denied", 50, 0)
    assert cw.insurer.claim(r.claim_id)["status"] == "partially approved"


def test_a_denial_needs_a_reason(world, cw):
    r = _pending(world, cw)
    fn = world.suite.contract("ClaimAdjudication").functions.review(bytes.fromhex(r.claim_id[2:]), 0, False, 0, b"\0" * 32)
    assert reverts("ReasonRequired", world.sender("insurer").transact, fn) == {}


def test_only_the_insurer_and_its_reviewers_review(world, cw):
    r = _pending(world, cw)
    args = reverts("NotReviewer", client(world, "hospital_a").review, r.claim_id, 0, True)
    assert args == {"insurer": world.address("insurer"), "account": world.address("hospital_a")}
    cw.insurer.set_reviewer(cw.reviewer.sender.address, False)
    reverts("NotReviewer", cw.reviewer.review, r.claim_id, 0, True).with_args(
        insurer=world.address("insurer"), account=cw.reviewer.sender.address
    )


def test_a_suspended_insurer_adjudicates_nothing(world, cw):
    r = _pending(world, cw)
    ParticipantsClient(world.suite, world.sender("regulator")).suspend(world.address("insurer"), "insolvency")
    reverts("ParticipantSuspended", cw.reviewer.review, r.claim_id, 0, True).with_args(account=world.address("insurer"))


def test_only_pending_lines_are_reviewed(world, cw):
    r = _pending(world, cw)
    reverts("LineNotPending", cw.reviewer.review, r.claim_id, 1, True).with_args(r.claim_id, 1)
    cw.reviewer.review(r.claim_id, 0, True)
    reverts("LineNotPending", cw.reviewer.review, r.claim_id, 0, True).with_args(r.claim_id, 0)  # never paid twice
    reverts("UnknownLine", cw.reviewer.review, r.claim_id, 2, True).with_args(r.claim_id, 2)
    reverts("UnknownClaim", cw.reviewer.review, "0x" + "00" * 32, 0, True).with_args(b"\0" * 32)


def test_an_approval_on_review_still_respects_the_benefit_limit(world, cw):
    plan = new_plan(world, cw, deductible="0", out_of_pocket_max="0", coinsurance=0, copays={})
    pending = cw.pharmacy.submit(claim(world, cw, [(SEMAGLUTIDE, 1, "280")], plan, diagnoses=["E66.9"]))
    cw.hospital.submit(claim(world, cw, [(INPATIENT, 1, "500")], plan))
    line = cw.reviewer.review(pending.claim_id, 0, True)
    assert (line.status, line.reason) == ("denied", 119)


def test_a_denied_line_is_appealed_once(world, cw):
    r = _pending(world, cw)
    cw.reviewer.review(r.claim_id, 0, False, 50, "no BMI on file")
    receipt = cw.pharmacy.appeal(r.claim_id, 0, b"\x22" * 32)
    assert events(cw.insurer.contract, "ClaimStatusChanged", receipt)[0]["status"] == 4
    assert cw.insurer.line(r.claim_id, 0)["status"] == "pending"
    assert cw.reviewer.review(r.claim_id, 0, True).status == "approved"
    reverts("LineNotDenied", cw.pharmacy.appeal, r.claim_id, 0, b"\x23" * 32).with_args(r.claim_id, 0)


def test_a_second_appeal_is_refused(world, cw):
    r = _pending(world, cw)
    cw.reviewer.review(r.claim_id, 0, False, 50, "x")
    cw.pharmacy.appeal(r.claim_id, 0, b"\x22" * 32)
    cw.reviewer.review(r.claim_id, 0, False, 50, "still no")
    reverts("AlreadyAppealed", cw.pharmacy.appeal, r.claim_id, 0, b"\x24" * 32).with_args(r.claim_id, 0)


def test_a_duplicate_denial_cannot_be_appealed_so_a_service_is_paid_once(world, cw):
    c = claim(world, cw, [(INPATIENT, 1, "300")])
    assert cw.hospital.submit(c).lines[0].payer == 160 * M
    dup = cw.hospital.submit(c)
    assert reverts("DuplicateNotAppealable", cw.hospital.appeal, dup.claim_id, 0, b"\x25" * 32)["index"] == 0
    assert cw.insurer.line(dup.claim_id, 0)["status"] == "denied"


def test_only_the_claims_provider_appeals_with_evidence(world, cw):
    r = cw.hospital.submit(claim(world, cw, [(COSMETIC, 1, "900")]))
    args = reverts("NotClaimProvider", cw.pharmacy.appeal, r.claim_id, 0, b"\x22" * 32)
    assert args["account"] == world.address("pharmacy")
    fn = world.suite.contract("ClaimAdjudication").functions.appeal(bytes.fromhex(r.claim_id[2:]), 0, b"\0" * 32)
    assert reverts("InvalidClaim", world.sender("hospital_a").transact, fn) == {"field": "evidence"}
    ParticipantsClient(world.suite, world.sender("regulator")).suspend(world.address("hospital_a"), "audit")
    reverts("ParticipantSuspended", cw.hospital.appeal, r.claim_id, 0, b"\x22" * 32).with_args(
        account=world.address("hospital_a")
    )


# ------------------------------------------------------------------ roles and inputs
def test_only_active_network_providers_submit(world, cw):
    c = claim(world, cw, [(VISIT, 1, "140")])
    reverts("MissingRole", client(world, "insurer").submit, c).with_args(
        account=world.address("insurer"), role=int(Role.HOSPITAL | Role.PHARMACY)
    )
    args = reverts("ProviderNotInNetwork", client(world, "hospital_b").submit, c)
    assert args == {"insurer": world.address("insurer"), "provider": world.address("hospital_b")}
    cw.insurer.set_network(world.address("hospital_a"), False)
    reverts("ProviderNotInNetwork", cw.hospital.submit, c).with_args(
        insurer=world.address("insurer"), provider=world.address("hospital_a")
    )
    ParticipantsClient(world.suite, world.sender("regulator")).suspend(world.address("pharmacy"), "audit")
    reverts("ParticipantSuspended", cw.pharmacy.submit, c).with_args(account=world.address("pharmacy"))


def test_unknown_plan(world, cw):
    assert reverts("UnknownPlan", cw.hospital.submit, claim(world, cw, [(VISIT, 1, "1")], plan=99)) == {"planId": 99}


@pytest.mark.parametrize(
    "field,kwargs",
    [
        ("patient", {"patient": "0x" + "00" * 20}),
        ("diagnoses", {"diagnoses": []}),
        ("diagnoses", {"diagnoses": [b"\0" * 32]}),
        ("diagnoses", {"diagnoses": [encode_icd10("E11")] * 13}),
        ("lines", {"lines": []}),
        ("lines", {"lines": [(encode_code(VISIT), 1, M)] * 51}),
    ],
)
def test_malformed_claims_are_refused_on_chain(world, cw, field, kwargs):
    assert reverts("InvalidClaim", raw_submit, world, cw, "hospital_a", **kwargs) == {"field": field}


@pytest.mark.parametrize("line", [(b"\0" * 32, 1, M), (encode_code(VISIT), 0, M)])
def test_malformed_lines_are_refused_on_chain(world, cw, line):
    assert reverts("InvalidLine", raw_submit, world, cw, "hospital_a", lines=[(encode_code(VISIT), 1, M), line]) == {"index": 1}


def test_fifty_lines_are_accepted(world, cw):
    plan = new_plan(world, cw, benefit_limit="100000")
    r = cw.hospital.submit(claim(world, cw, [(LAB, 1, f"{10 + i}") for i in range(50)], plan))
    assert len(r.lines) == 50 and r.status == "approved"


def test_only_insurers_set_up_plans_networks_and_catalogues(world, cw):
    h = client(world, "hospital_a")
    not_insurer = {"account": world.address("hospital_a"), "role": int(Role.INSURER)}
    reverts("MissingRole", h.define_plan, {"deductible": "1", "out_of_pocket_max": "1", "benefit_limit": "1"}).with_args(
        **not_insurer
    )
    reverts("MissingRole", h.set_network, world.address("pharmacy")).with_args(**not_insurer)
    reverts("MissingRole", h.set_reviewer, world.address("pharmacy")).with_args(**not_insurer)
    csv = f"code,covered,service_class,categories,max_unit_price,indications\n{VISIT},yes,consultation,general,,\n"
    reverts("MissingRole", h.load_catalogue, csv, "2026-01-01").with_args(**not_insurer)


def test_enrolment_is_the_plans_insurer_only(world, cw):
    gov = world.sender("governance")
    from medchain.participants import encryption_key_of

    other = dev_account(16)
    ParticipantsClient(world.suite, gov).register_organization(
        other.address, "Rival Insurance", "insurer", encryption_key_of(other)
    )
    from medchain.core.tx import Sender

    rival = client(world, Sender(world.chain, other))
    args = reverts("NotPlanInsurer", rival.enrol, cw.plan, world.address("patient_2"), "2026-01-01", "2026-12-31")
    assert args == {"planId": cw.plan, "account": other.address}
    reverts("UnknownPlan", cw.insurer.enrol, 77, world.address("patient_2"), "2026-01-01", "2026-12-31").with_args(planId=77)


def test_enrolment_period_and_addresses_are_checked_on_chain(world, cw):
    c = world.suite.contract("ClaimAdjudication").functions
    ins = world.sender("insurer")
    assert reverts("InvalidPeriod", ins.transact, c.enrol(cw.plan, world.address("patient_2"), 10, 9)) == {"start": 10, "end": 9}
    reverts("InvalidPeriod", ins.transact, c.enrol(cw.plan, world.address("patient_2"), 0, 0)).with_args(start=0, end=0)
    assert reverts("ZeroAddress", ins.transact, c.enrol(cw.plan, "0x" + "00" * 20, 1, 2)) == {}
    assert reverts("ZeroAddress", ins.transact, c.setNetwork("0x" + "00" * 20, True)) == {}
    assert reverts("ZeroAddress", ins.transact, c.setReviewer("0x" + "00" * 20, True)) == {}


def test_only_hospitals_and_pharmacies_join_a_network(world, cw):
    reverts("MissingRole", cw.insurer.set_network, world.address("distributor")).with_args(
        account=world.address("distributor"), role=int(Role.HOSPITAL | Role.PHARMACY)
    )
    cw.insurer.set_network(world.address("hospital_c"))
    assert call(cw.insurer.contract.functions.inNetwork(world.address("insurer"), world.address("hospital_c")))


@pytest.mark.parametrize("terms", [(0, 0, 1, 10_001, [0] * 8), (0, 0, 0, 0, [0] * 8), (101, 100, 1, 0, [0] * 8)])
def test_invalid_plan_terms_are_refused_on_chain(world, cw, terms):
    fn = world.suite.contract("ClaimAdjudication").functions.definePlan(terms)
    assert reverts("InvalidPlanTerms", world.sender("insurer").transact, fn) == {}


def test_catalogue_versions_are_ordered_sealed_and_immutable(world, cw):
    c = world.suite.contract("ClaimAdjudication").functions
    ins = world.sender("insurer")
    first_from = call(c.catalogueVersion(world.address("insurer"), cw.version))[0]
    assert reverts("InvalidEffectiveDate", ins.transact, c.openCatalogueVersion(first_from)) == {
        "effectiveFrom": first_from,
        "previous": first_from,
    }
    reverts("VersionSealed", ins.transact, c.sealCatalogueVersion(cw.version)).with_args(version=cw.version)
    item = (encode_code("CPT:11111"), True, 0, 1, 0, [])
    reverts("VersionSealed", ins.transact, c.setCatalogueItems(cw.version, [item])).with_args(version=cw.version)
    ins.transact(c.openCatalogueVersion(first_from + 1))
    assert reverts("PreviousVersionOpen", ins.transact, c.openCatalogueVersion(first_from + 2)) == {"version": cw.version + 1}
    assert reverts("UnknownVersion", ins.transact, c.setCatalogueItems(9, [item])) == {"version": 9}
    reverts("UnknownVersion", call, c.catalogueVersion(world.address("insurer"), 0)).with_args(version=0)


@pytest.mark.parametrize(
    "item",
    [
        (b"\0" * 32, True, 0, 1, 0, []),
        (encode_code("CPT:1"), True, 8, 1, 0, []),
        (encode_code("CPT:1"), True, 0, 0, 0, []),
        (encode_code("CPT:1"), True, 0, 1 << 11, 0, []),
        (encode_code("CPT:1"), True, 0, 1, 0, [b"\0" * 32]),
        (encode_code("CPT:1"), True, 0, 1, 0, [encode_icd10("E11")] * 33),
    ],
)
def test_invalid_catalogue_items_are_refused(world, cw, item):
    c = world.suite.contract("ClaimAdjudication").functions
    ins = world.sender("insurer")
    ins.transact(c.openCatalogueVersion(cw.service_date + 1))
    reverts("InvalidItem", ins.transact, c.setCatalogueItems(cw.version + 1, [item])).with_args(code=item[0])


def test_an_item_is_listed_once_per_version(world, cw):
    c = world.suite.contract("ClaimAdjudication").functions
    ins = world.sender("insurer")
    ins.transact(c.openCatalogueVersion(cw.service_date + 1))
    item = (encode_code("CPT:11111"), True, 0, 1, 0, [])
    ins.transact(c.setCatalogueItems(cw.version + 1, [item]))
    assert reverts("InvalidItem", ins.transact, c.setCatalogueItems(cw.version + 1, [item]))["code"] == encode_code("CPT:11111")


def test_year_of_matches_the_calendar(world, cw):
    from datetime import datetime, timezone

    f = world.suite.contract("ClaimAdjudication").functions.yearOf
    for ts in (0, 951782399, 951782400, 1709164800, 1735689599, 1735689600, 4102444800, 253402300799):
        assert call(f(ts)) == datetime.fromtimestamp(ts, timezone.utc).year


def test_every_custom_error_is_reached_by_a_test():
    """Each error of the ABI is named in an assertion of this folder (or of the attack tests)."""
    import pathlib

    here = pathlib.Path(__file__).parent
    files = [*here.glob("test_*.py"), here.parent / "security" / "test_attacks.py"]
    source = "".join(p.read_text() for p in files)
    errors = {i["name"] for i in load_artifact("ClaimAdjudication")["abi"] if i["type"] == "error"}
    assert {e for e in errors if f'"{e}"' not in source} == set()
