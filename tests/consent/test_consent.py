"""ConsentRegistry behaviour (tests/conftest.py: on Anvil): grants, amendments, revocation, signatures,
guardians, the access log and break-glass reads."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3 import Web3

from medchain.consent import NO_END, ConsentClient, SignedRequest, consent_id
from medchain.core.accounts import dev_account
from medchain.core.contracts import load_artifact
from medchain.core.errors import InvalidInputError, TransactionError
from medchain.core.standards.consent_codes import Category, Purpose
from medchain.core.tx import Sender, call, events
from medchain.participants import ParticipantsClient
from tests.helpers import reverts, same

DIABETES, CARDIOLOGY = int(Category.ENDOCRINE), int(Category.CARDIOLOGY)
TREAT, RESEARCH = int(Purpose.TREATMENT), int(Purpose.RESEARCH)
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def rid(world, category=DIABETES, patient="patient_1"):
    """A record id of ``patient``'s data of ``category`` (the layout RecordIds reads on chain)."""
    return bytes.fromhex(world.address(patient)[2:]) + b"\x42" * 10 + category.to_bytes(2, "big")


def client(world, who="patient_1"):
    return ConsentClient(world.suite, world.sender(who) if isinstance(who, str) else who)


def raw(world, who, fname, *args, gas=None):
    c = world.suite.contract("ConsentRegistry")
    return world.sender(who).transact(getattr(c.functions, fname)(*args), gas=gas)


def permitted(world, categories=DIABETES, purposes=TREAT, actions=1, grantee="hospital_b"):
    return client(world).check(world.address("patient_1"), world.address(grantee), categories, purposes, actions)


def test_a_grant_is_one_scoped_consent(world):
    now = world.chain.now()
    receipt = client(world).grant(world.address("hospital_b"), "diabetes", "treatment", "read", now, now + 3600)
    (ev,) = events(client(world).contract, "ConsentGranted", receipt)
    assert (ev["patient"], ev["grantee"], ev["version"], ev["categories"], ev["purposes"], ev["actions"], ev["start"],
            ev["end"], ev["by"]) == (world.address("patient_1"), world.address("hospital_b"), 1, DIABETES, TREAT, 1,
                                     now, now + 3600, world.address("patient_1"))
    assert permitted(world)
    assert not permitted(world, CARDIOLOGY) and not permitted(world, DIABETES | CARDIOLOGY)
    assert not permitted(world, purposes=RESEARCH) and not permitted(world, actions=2)
    assert not permitted(world, grantee="hospital_c")


def test_the_consent_is_readable_and_open_ended_by_default(world):
    client(world).grant(world.address("hospital_b"), "diabetes,lab", "treatment,research", "read,write")
    c = client(world).consent(world.address("patient_1"), world.address("hospital_b"))
    assert (c.categories, c.purposes, c.actions, c.end, c.version, c.revoked) == (
        DIABETES | int(Category.LABORATORY), TREAT | RESEARCH, 3, None, 1, False)
    assert c.status(world.chain.now()) == "active"


def test_empty_masks_are_never_permitted(world):
    client(world).grant(world.address("hospital_b"), "all", "all", "all")
    assert permitted(world, 0x7FF, 0xF, 3)
    c, p, g = client(world).contract, world.address("patient_1"), world.address("hospital_b")
    assert [call(c.functions.isPermitted(p, g, *m)) for m in [(0, 1, 1), (1, 0, 1), (1, 1, 0)]] == [False] * 3


@pytest.mark.both_backends
@pytest.mark.parametrize("offset,ok", [(("start", -1), False), (("start", 0), True), (("start", 1), True),
                                       (("end", -1), True), (("end", 0), True), (("end", 1), False)])
def test_both_bounds_are_inclusive(world, offset, ok):
    now = world.chain.now()
    start, end = now + 1000, now + 2000
    client(world).grant(world.address("hospital_b"), "diabetes", "treatment", "read", start, end)
    when = (start if offset[0] == "start" else end) + offset[1]
    world.chain.set_next_block_timestamp(when)
    c = world.suite.contract("ConsentRegistry")
    fn = c.functions.logAccess(rid(world), TREAT)
    if ok:
        receipt = world.sender("hospital_b").transact(fn, gas=100_000)
        assert world.chain.w3.eth.get_block(receipt.block_number)["timestamp"] == when
        assert len(events(c, "AccessLogged", receipt)) == 1
    else:
        with pytest.raises(TransactionError):  # the receipt fails; the replay may or may not decode it
            world.sender("hospital_b").transact(fn, gas=100_000)
        assert world.chain.now() == when


@pytest.mark.parametrize("scope", [(0, 1, 1), (1 << 11, 1, 1), (1, 0, 1), (1, 16, 1), (1, 1, 0), (1, 1, 4)])
def test_scopes_outside_the_catalogue_are_refused(world, scope):
    args = reverts("InvalidScope", raw, world, "patient_1", "grant", world.address("hospital_b"), *scope, 0, NO_END)
    assert (args["categories"], args["purposes"], args["actions"]) == scope


def test_bad_periods_are_refused(world):
    now = world.chain.now()
    assert reverts("InvalidPeriod", raw, world, "patient_1", "grant", world.address("hospital_b"), 1, 1, 1,
                   now + 10, now + 9) == {"start": now + 10, "end": now + 9}
    reverts("InvalidPeriod", raw, world, "patient_1", "grant", world.address("hospital_b"), 1, 1, 1, 0, now - 1).with_args(
        start=0, end=now - 1)
    with pytest.raises(InvalidInputError, match="ends"):
        client(world).grant(world.address("hospital_b"), "diabetes", start=now + 10, end=now + 9)
    with pytest.raises(InvalidInputError, match="past"):
        client(world).grant(world.address("hospital_b"), "diabetes", start=0, end="2020-01-01")


def test_bad_grantees_are_refused(world):
    zero = "0x" + "00" * 20
    assert reverts("InvalidGrantee", raw, world, "patient_1", "grant", zero, 1, 1, 1, 0, NO_END) == {"grantee": zero}
    reverts("InvalidGrantee", raw, world, "patient_1", "grant", world.address("patient_1"), 1, 1, 1, 0, NO_END).with_args(
        grantee=world.address("patient_1"))
    with pytest.raises(InvalidInputError):
        client(world).grant(world.address("patient_1"), "diabetes")


def test_unknown_names_are_refused_in_python(world):
    with pytest.raises(InvalidInputError, match="unknown category 'podiatry'"):
        client(world).grant(world.address("hospital_b"), "podiatry")
    with pytest.raises(InvalidInputError, match="no category"):
        client(world).grant(world.address("hospital_b"), "")


def test_a_calendar_year_consent_covers_the_whole_last_day(world):
    from medchain.consent import parse_time

    assert parse_time("2024-01-01") == 1704067200 and parse_time("2024-12-31", end=True) == 1735689599


def test_an_amendment_replaces_the_terms_and_keeps_the_history(world):
    me, hb = client(world), world.address("hospital_b")
    me.grant(hb, "diabetes")
    receipt = me.grant(hb, "cardiology")
    assert events(me.contract, "ConsentGranted", receipt)[0]["version"] == 2
    assert permitted(world, CARDIOLOGY) and not permitted(world, DIABETES)
    history = me.history(patient=world.address("patient_1"), grantee=hb)
    assert [(e.kind, e.consent.version, e.consent.categories) for e in history] == [
        ("granted", 1, DIABETES), ("granted", 2, CARDIOLOGY)]


def test_revocation_is_immediate_and_a_new_grant_is_a_new_version(world):
    me, hb = client(world), world.address("hospital_b")
    me.grant(hb, "diabetes")
    receipt = me.revoke(hb)
    assert events(me.contract, "ConsentRevoked", receipt)[0] == {
        "patient": world.address("patient_1"), "grantee": hb, "version": 1, "by": world.address("patient_1")}
    assert not permitted(world) and me.consent(world.address("patient_1"), hb).revoked
    assert reverts("ConsentNotActive", me.revoke, hb) == {"patient": world.address("patient_1"), "grantee": hb}
    me.grant(hb, "diabetes")
    assert permitted(world) and me.consent(world.address("patient_1"), hb).version == 2


def test_revoking_what_was_never_granted_is_refused(world):
    reverts("ConsentNotActive", client(world).revoke, world.address("hospital_c")).with_args(
        patient=world.address("patient_1"), grantee=world.address("hospital_c"))


def test_consents_are_queryable_by_patient_and_by_grantee(world):
    client(world).grant(world.address("hospital_b"), "diabetes")
    client(world, "patient_2").grant(world.address("hospital_b"), "oncology")
    client(world).grant(world.address("hospital_c"), "imaging")
    client(world).revoke(world.address("hospital_c"))
    by_grantee = client(world).consents(grantee=world.address("hospital_b"))
    assert {(c.patient, c.categories) for c in by_grantee} == {
        (world.address("patient_1"), DIABETES), (world.address("patient_2"), int(Category.ONCOLOGY))}
    by_patient = client(world).consents(patient=world.address("patient_1"))
    assert {(c.grantee, c.revoked) for c in by_patient} == {(world.address("hospital_b"), False),
                                                            (world.address("hospital_c"), True)}


# ---------------------------------------------------------------------- signatures


@pytest.mark.both_backends
def test_a_signed_grant_is_relayed_by_anyone_and_the_patient_needs_no_ether(world):
    patient = Account.create()
    assert world.chain.w3.eth.get_balance(patient.address) == 0
    relayer = client(world, "insurer")
    signed = relayer.sign_grant(patient, world.address("hospital_b"), "diabetes", end=world.chain.now() + 3600)
    receipt = relayer.relay(SignedRequest.from_dict(signed.to_dict()))
    (ev,) = events(relayer.contract, "ConsentGranted", receipt)
    assert (ev["patient"], ev["by"]) == (patient.address, patient.address)
    assert relayer.check(patient.address, world.address("hospital_b"), "diabetes")
    assert relayer.nonce(patient.address) == 1


@pytest.mark.both_backends
def test_a_signed_revocation_is_relayed(world):
    me = client(world)
    me.grant(world.address("hospital_b"), "diabetes")
    client(world, "insurer").relay(me.sign_revoke(world.account("patient_1"), world.address("hospital_b")))
    assert not permitted(world)


@pytest.mark.both_backends
def test_a_signature_cannot_be_replayed(world):
    me = client(world)
    signed = me.sign_grant(world.account("patient_1"), world.address("hospital_b"), "diabetes")
    me.relay(signed)
    assert reverts("InvalidAccountNonce", client(world, "insurer").relay, signed) == {
        "account": world.address("patient_1"), "currentNonce": 1}


@pytest.mark.both_backends
def test_a_signature_by_someone_else_is_refused(world):
    me = client(world)
    signed = me.sign_grant(world.account("hospital_b"), world.address("hospital_c"), "diabetes",
                           patient=world.address("patient_1"))
    assert reverts("WrongSigner", me.relay, signed) == {"patient": world.address("patient_1"),
                                                        "signer": world.address("hospital_b")}


@pytest.mark.both_backends
def test_a_tampered_request_is_refused(world):
    me = client(world)
    signed = me.sign_grant(world.account("patient_1"), world.address("hospital_b"), "diabetes")
    forged = SignedRequest("grant", {**signed.request, "categories": 0x7FF}, signed.signature)
    args = reverts("WrongSigner", me.relay, forged).with_args(patient=world.address("patient_1"))
    assert not same(args["signer"], world.address("patient_1"))  # the forged terms recover someone else


@pytest.mark.both_backends
@pytest.mark.parametrize("delta,ok", [(-1, True), (0, True), (1, False)])
def test_the_deadline_is_inclusive(world, delta, ok):
    me = client(world)
    deadline = world.chain.now() + 100
    signed = me.sign_grant(world.account("patient_1"), world.address("hospital_b"), "diabetes", deadline=deadline)
    world.chain.set_next_block_timestamp(deadline + delta)
    c = me.contract
    request = tuple(signed.request[k] for k in ("patient", "grantee", "categories", "purposes", "actions", "start",
                                                "end", "nonce", "deadline"))
    fn = c.functions.grantBySig(request, signed.signature)
    if ok:
        world.sender("insurer").transact(fn, gas=200_000)
        assert permitted(world)
    else:
        with pytest.raises(TransactionError):
            world.sender("insurer").transact(fn, gas=200_000)
        assert not permitted(world)


@pytest.mark.both_backends
def test_an_expired_signature_names_its_deadline(world):
    me = client(world)
    signed = me.sign_grant(world.account("patient_1"), world.address("hospital_b"), "diabetes",
                           deadline=world.chain.now() - 1)
    assert reverts("SignatureExpired", me.relay, signed) == {"deadline": world.chain.now() - 1}


@pytest.mark.both_backends
def test_malleable_and_malformed_signatures_are_refused(world):
    me = client(world)
    signed = me.sign_grant(world.account("patient_1"), world.address("hospital_b"), "diabetes")
    sig = signed.signature
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    high_s = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])  # the same signature, mirrored
    assert reverts("InvalidSignature", me.relay, SignedRequest("grant", signed.request, high_s)) == {}
    assert reverts("InvalidSignature", me.relay, SignedRequest("grant", signed.request, sig[:64])) == {}
    me.relay(signed)  # the original is still good


# ---------------------------------------------------------------------- guardians


def test_a_guardian_grants_and_revokes_for_the_patient(world):
    me, guardian = client(world), client(world, "patient_2")
    receipt = me.appoint_guardian(world.address("patient_2"))
    assert events(me.contract, "GuardianAppointed", receipt)[0] == {
        "patient": world.address("patient_1"), "guardian": world.address("patient_2")}
    receipt = guardian.grant(world.address("hospital_b"), "diabetes", patient=world.address("patient_1"))
    assert events(me.contract, "ConsentGranted", receipt)[0]["by"] == world.address("patient_2")
    assert permitted(world)
    guardian.revoke(world.address("hospital_b"), patient=world.address("patient_1"))
    assert not permitted(world)
    assert me.guardians(world.address("patient_1")) == [world.address("patient_2")]


@pytest.mark.both_backends
def test_a_guardian_may_sign_for_the_patient(world):
    me = client(world)
    me.appoint_guardian(world.address("patient_2"))
    signed = me.sign_grant(world.account("patient_2"), world.address("hospital_b"), "diabetes",
                           patient=world.address("patient_1"))
    receipt = client(world, "insurer").relay(signed)
    assert events(me.contract, "ConsentGranted", receipt)[0]["by"] == world.address("patient_2")


def test_a_removed_guardian_can_no_longer_act(world):
    me, guardian = client(world), client(world, "patient_2")
    me.appoint_guardian(world.address("patient_2"))
    receipt = me.remove_guardian(world.address("patient_2"))
    assert len(events(me.contract, "GuardianRemoved", receipt)) == 1
    assert reverts("NotPatientOrGuardian", guardian.grant, world.address("hospital_b"), "diabetes",
                   patient=world.address("patient_1")) == {"caller": world.address("patient_2"),
                                                           "patient": world.address("patient_1")}
    me.grant(world.address("hospital_b"), "diabetes")
    reverts("NotPatientOrGuardian", guardian.revoke, world.address("hospital_b"), patient=world.address("patient_1")).with_args(
        caller=world.address("patient_2"), patient=world.address("patient_1"))
    assert me.guardians(world.address("patient_1")) == []


def test_strangers_cannot_act_for_a_patient(world):
    reverts("NotPatientOrGuardian", client(world, "hospital_b").grant, world.address("hospital_b"), "diabetes",
            patient=world.address("patient_1")).with_args(caller=world.address("hospital_b"),
                                                          patient=world.address("patient_1"))


def test_guardian_state_errors(world):
    me = client(world)
    zero = "0x" + "00" * 20
    assert reverts("InvalidGuardian", raw, world, "patient_1", "appointGuardian", zero) == {"guardian": zero}
    reverts("InvalidGuardian", me.appoint_guardian, world.address("patient_1")).with_args(guardian=world.address("patient_1"))
    me.appoint_guardian(world.address("patient_2"))
    reverts("GuardianAlreadyAppointed", me.appoint_guardian, world.address("patient_2")).with_args(
        patient=world.address("patient_1"), guardian=world.address("patient_2"))
    reverts("GuardianNotAppointed", me.remove_guardian, world.address("patient_3")).with_args(
        patient=world.address("patient_1"), guardian=world.address("patient_3"))


# ---------------------------------------------------------------------- access log


def test_a_read_with_consent_is_logged(world):
    client(world).grant(world.address("hospital_b"), "diabetes")
    receipt = client(world, "hospital_b").log_access(rid(world))
    assert events(client(world).contract, "AccessLogged", receipt)[0] == {
        "patient": world.address("patient_1"), "grantee": world.address("hospital_b"), "recordId": rid(world),
        "category": DIABETES, "purpose": TREAT}
    (access,) = client(world).accesses(patient=world.address("patient_1"))
    assert (access.reader, access.record_id, access.emergency) == (world.address("hospital_b"), rid(world), False)


@pytest.mark.parametrize("grant,category,purpose", [
    (None, DIABETES, "treatment"),                                  # no consent
    (("diabetes", "treatment", "read"), CARDIOLOGY, "treatment"),   # a record of another category
    (("diabetes", "treatment", "read"), DIABETES, "research"),      # other purpose
    (("diabetes", "treatment", "write"), DIABETES, "treatment"),    # write-only consent
])
def test_a_read_without_a_matching_consent_is_refused(world, grant, category, purpose):
    if grant:
        client(world).grant(world.address("hospital_b"), *grant)
    args = reverts("AccessNotPermitted", client(world, "hospital_b").log_access, rid(world, category), purpose)
    assert args == {"patient": world.address("patient_1"), "grantee": world.address("hospital_b"),
                    "category": category, "purpose": Purpose.mask([purpose])}
    assert client(world).accesses(patient=world.address("patient_1")) == []


def test_the_patient_and_category_logged_are_the_record_ids_own(world):
    client(world).grant(world.address("hospital_b"), "diabetes")
    client(world, "patient_2").grant(world.address("hospital_b"), "all")
    receipt = client(world, "hospital_b").log_access(rid(world, CARDIOLOGY, patient="patient_2"))
    (ev,) = events(client(world).contract, "AccessLogged", receipt)
    assert (ev["patient"], ev["category"]) == (world.address("patient_2"), CARDIOLOGY)
    # patient 1's consent covers diabetes only: their cardiology record cannot be logged as anything else
    reverts("AccessNotPermitted", client(world, "hospital_b").log_access, rid(world, CARDIOLOGY)).with_args(
        patient=world.address("patient_1"), grantee=world.address("hospital_b"), category=CARDIOLOGY)


def test_a_read_by_a_suspended_grantee_is_logged_as_evidence_not_refused(world):
    client(world).grant(world.address("hospital_b"), "diabetes")
    ParticipantsClient(world.suite, world.sender("governance")).suspend(world.address("hospital_b"), "audit")
    receipt = client(world, "hospital_b").log_access(rid(world))
    (ev,) = events(client(world).contract, "AccessLogged", receipt)
    assert ev["grantee"] == world.address("hospital_b")  # auditors match it against the suspension


@pytest.mark.parametrize("who", [16, "patient_2"])
def test_grantees_outside_the_organisations_log_reads_too(world, who):
    sender = world.sender(who) if isinstance(who, str) else Sender(world.chain, dev_account(who))
    client(world).grant(sender.address, "diabetes")
    receipt = ConsentClient(world.suite, sender).log_access(rid(world))
    assert events(client(world).contract, "AccessLogged", receipt)[0]["grantee"] == sender.address


@pytest.mark.parametrize("bad", [b"\x42" * 32, b"\x01" * 30 + b"\x00\x00", bytes(30) + (1 << 11).to_bytes(2, "big")])
def test_ids_that_are_no_record_ids_are_refused_before_sending(world, bad):
    with pytest.raises(InvalidInputError, match="not a record id"):
        client(world, "hospital_b").log_access(bad)
    with pytest.raises(InvalidInputError):
        client(world, "hospital_c").emergency_access(bad, "ER")


def test_an_emergency_read_by_a_hospital_is_logged_apart(world):
    receipt = client(world, "hospital_c").emergency_access(rid(world), "unconscious, ER")
    (ev,) = events(client(world).contract, "EmergencyAccess", receipt)
    assert ev == {"patient": world.address("patient_1"), "hospital": world.address("hospital_c"),
                  "recordId": rid(world), "reasonHash": Web3.keccak(text="unconscious, ER")}
    assert events(client(world).contract, "AccessLogged", receipt) == []
    (access,) = client(world).accesses(patient=world.address("patient_1"))
    assert access.emergency and access.reason_hash == Web3.keccak(text="unconscious, ER")


@pytest.mark.parametrize("who,error", [("pharmacy", "MissingRole"), ("patient_2", "NotAnOrganization"),
                                       (16, "ParticipantNotRegistered")])
def test_only_hospitals_break_the_glass(world, who, error):
    sender = world.sender(who) if isinstance(who, str) else Sender(world.chain, dev_account(who))
    reverts(error, ConsentClient(world.suite, sender).emergency_access, rid(world), "x")


def test_a_suspended_hospital_cannot_break_the_glass(world):
    ParticipantsClient(world.suite, world.sender("governance")).suspend(world.address("hospital_c"), "audit")
    reverts("ParticipantSuspended", client(world, "hospital_c").emergency_access, rid(world), "x").with_args(
        account=world.address("hospital_c"))


def test_an_emergency_needs_a_reason(world):
    with pytest.raises(InvalidInputError):
        client(world, "hospital_c").emergency_access(rid(world), " ")


# ---------------------------------------------------------------------- FHIR


def test_consents_export_as_fhir(world):
    me, hb = client(world), world.address("hospital_b")
    receipt = me.grant(hb, "diabetes,mental health", "treatment", "read", "2026-01-01", "2099-12-31")
    res = me.to_fhir(world.address("patient_1"), hb, grantee_name="Hospital B")
    assert (res["resourceType"], res["status"], res["id"]) == ("Consent", "active",
                                                               consent_id(world.address("patient_1"), hb, 1))
    prov = res["provision"]
    assert prov["period"] == {"start": "2026-01-01T00:00:00Z", "end": "2099-12-31T23:59:59Z"}
    assert [c["code"] for c in prov["class"]] == ["endocrine", "mental-health"]
    assert prov["purpose"][0]["code"] == "TREAT" and prov["action"][0]["coding"][0]["code"] == "access"
    assert prov["actor"][0]["reference"]["identifier"]["value"] == hb
    assert res["identifier"][1]["value"] == receipt.tx_hash
    me.revoke(hb)
    assert me.to_fhir(world.address("patient_1"), hb)["status"] == "inactive"


#: OpenZeppelin's ShortStrings errors (inherited through EIP712) fire only for a domain name or
#: version given at deployment that does not fit; ours are constants.
UNREACHABLE = {"InvalidShortString", "StringTooLong"}


def test_every_custom_error_is_reached_by_a_test():
    source = open(__file__).read()
    errors = {i["name"] for i in load_artifact("ConsentRegistry")["abi"] if i["type"] == "error"} - UNREACHABLE
    assert {e for e in errors if f'"{e}"' not in source} == set()
