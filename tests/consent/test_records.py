"""Encrypted records: write, read, amend, re-key, erase; each failure with its own error; the
RecordRegistry's rules (tests/conftest.py: on Anvil)."""

from __future__ import annotations

import hashlib

import pytest

from medchain.consent import ZERO, ConsentClient, RecordsClient, record_id_parts
from medchain.core.contracts import load_artifact
from medchain.core.crypto import EncryptionKeyPair, seal, vault_record_key, wrap_key
from medchain.core.errors import (
    AccessDeniedError,
    ConsentRevokedError,
    DecryptionError,
    FHIRValidationError,
    IntegrityError,
    NotARecipientError,
    RecordErasedError,
    RecordError,
    RekeyIncompleteError,
)
from medchain.core.standards.consent_codes import Category
from medchain.core.tx import call, events
from medchain.participants import ParticipantsClient
from medchain.scenarios.consent import ECG, HBA1C, hba1c
from tests.helpers import reverts

DIABETES = int(Category.ENDOCRINE)


def records(world, store, vault, who="hospital_a"):
    return RecordsClient(world.suite, world.sender(who) if isinstance(who, str) else who, store, vault)


def consent(world, who="patient_1"):
    return ConsentClient(world.suite, world.sender(who))


@pytest.fixture
def written(world, store, vault):
    """Hospital A (read/write consent for everything) wrote an HbA1c record of patient 1."""
    consent(world).grant(world.address("hospital_a"), "all", "treatment", "read,write")
    return records(world, store, vault).put(world.address("patient_1"), HBA1C, "diabetes")


def objects(store):
    return sorted(p.name for p in (store.root / "objects").rglob("*") if p.is_file())


def rid(world, n=9, patient="patient_1", category=DIABETES):
    """A record id: the patient's address, a nonce, the category (the layout RecordIds reads)."""
    return bytes.fromhex(world.address(patient)[2:]) + bytes([n]) * 10 + category.to_bytes(2, "big")


def anchor(world, who, record_id, content=b"\x11" * 32, cid="Qm", supersedes=ZERO):
    c = world.suite.contract("RecordRegistry")
    return world.sender(who).transact(c.functions.anchor(record_id, content, cid, supersedes))


# ---------------------------------------------------------------------- write and read


def test_a_record_round_trips_for_the_patient_and_the_author(world, store, vault, written):
    assert records(world, store, vault, "patient_1").get(written.record_id)["valueQuantity"]["value"] == 8.1
    assert records(world, store, vault).get(written.record_id)["code"]["coding"][0]["code"] == "4548-4"
    info = records(world, store, vault).info(written.record_id)
    assert (info.patient, info.category, info.author, info.erased) == (
        world.address("patient_1"), DIABETES, world.address("hospital_a"), False)
    assert info.content_hash == hashlib.sha256(store.cat(info.cid)).digest()


def test_nothing_on_chain_reveals_the_content(world, store, vault, written):
    tx = world.chain.w3.eth.get_transaction(written.tx_hash)
    blob = store.cat(written.cid)
    assert b"4548-4" not in bytes(tx["input"]) and b"4548-4" not in blob and b"Hemoglobin" not in blob


def test_the_patient_reads_without_logging_and_a_grantee_reads_logged(world, store, vault, written):
    records(world, store, vault, "patient_1").get(written.record_id)
    assert consent(world).accesses(patient=world.address("patient_1")) == []
    records(world, store, vault).get(written.record_id)
    (access,) = consent(world).accesses(patient=world.address("patient_1"))
    assert (access.reader, access.record_id, access.category) == (world.address("hospital_a"), written.record_id,
                                                                  DIABETES)


def test_invalid_fhir_is_refused_before_anything_is_stored(world, store, vault, written):
    before = objects(store)
    with pytest.raises(FHIRValidationError):
        records(world, store, vault).put(world.address("patient_1"), {**HBA1C, "status": "done"}, "diabetes")
    with pytest.raises(FHIRValidationError):
        records(world, store, vault).put(world.address("patient_1"), {"resourceType": "Patient"}, "diabetes")
    assert objects(store) == before


def test_a_provider_without_write_consent_stores_nothing(world, store, vault):
    consent(world).grant(world.address("hospital_b"), "diabetes", "treatment", "read")
    args = reverts("NotAWriter", records(world, store, vault, "hospital_b").put, world.address("patient_1"), HBA1C,
                   "diabetes")
    assert args == {"author": world.address("hospital_b"), "patient": world.address("patient_1"), "category": DIABETES}
    assert objects(store) == [] and vault.readers(vault_record_key(b"\x01" * 32, 0)) == []


def test_write_consent_is_per_category(world, store, vault):
    consent(world).grant(world.address("hospital_b"), "diabetes", "treatment", "write")
    records(world, store, vault, "hospital_b").put(world.address("patient_1"), HBA1C, "diabetes")
    reverts("NotAWriter", records(world, store, vault, "hospital_b").put, world.address("patient_1"), ECG, "cardiology")


def test_the_patient_writes_their_own_records(world, store, vault):
    info = records(world, store, vault, "patient_1").put(world.address("patient_1"), HBA1C, "diabetes")
    assert info.author == world.address("patient_1")


def test_records_are_only_for_registered_patients(world, store, vault):
    reverts("NotAPatient", records(world, store, vault, "hospital_a").put, world.address("hospital_b"), HBA1C, "diabetes")


# ---------------------------------------------------------------------- failures when reading


def test_a_tampered_ciphertext_is_detected(world, store, vault, written):
    path = store._object(written.cid)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))
    with pytest.raises(IntegrityError):
        records(world, store, vault, "patient_1").get(written.record_id)


def test_a_wrong_data_key_is_detected(world, store, vault, written):
    _, other_key = seal(b"{}", written.context())
    patient_key = EncryptionKeyPair.from_private_key(bytes(world.account("patient_1").key)).public_key
    vault.put(vault_record_key(written.record_id, 0), world.address("patient_1"),
              wrap_key(other_key, patient_key, written.context()))
    with pytest.raises(DecryptionError, match="wrong data key"):
        records(world, store, vault, "patient_1").get(written.record_id)


def test_a_reader_with_another_key_pair_is_not_a_recipient(world, store, vault, written):
    client = RecordsClient(world.suite, world.sender("patient_1"), store, vault, EncryptionKeyPair.generate())
    with pytest.raises(NotARecipientError):
        client.get(written.record_id)


def test_an_unauthorised_reader_is_refused_and_nothing_is_logged(world, store, vault, written):
    with pytest.raises(AccessDeniedError, match="endocrine"):
        records(world, store, vault, "hospital_b").get(written.record_id)
    assert consent(world).accesses(reader=world.address("hospital_b")) == []


def test_a_consented_reader_without_a_key_is_not_a_recipient(world, store, vault, written):
    consent(world).grant(world.address("hospital_b"), "diabetes")
    with pytest.raises(NotARecipientError):
        records(world, store, vault, "hospital_b").get(written.record_id)
    records(world, store, vault, "patient_1").share(written.record_id, world.address("hospital_b"))
    assert records(world, store, vault, "hospital_b").get(written.record_id)["status"] == "final"


def test_keys_are_shared_only_with_consented_readers(world, store, vault, written):
    with pytest.raises(AccessDeniedError):
        records(world, store, vault, "patient_1").share(written.record_id, world.address("hospital_b"))
    with pytest.raises(AccessDeniedError):
        records(world, store, vault).put(world.address("patient_1"), HBA1C, "diabetes",
                                         readers=[world.address("hospital_b")])


def test_an_emergency_read_lets_the_key_holder_release_the_key(world, store, vault, written):
    c = records(world, store, vault, "hospital_c")
    with pytest.raises(AccessDeniedError):
        records(world, store, vault).share(written.record_id, world.address("hospital_c"))
    c.consent.emergency_access(written.record_id, "ER admission")
    records(world, store, vault).share(written.record_id, world.address("hospital_c"))
    assert c.decrypt(c.info(written.record_id))["valueQuantity"]["value"] == 8.1


def test_unknown_records_are_named(world, store, vault):
    with pytest.raises(RecordError, match="no record"):
        records(world, store, vault).get(b"\x07" * 32)


# ---------------------------------------------------------------------- versions


def test_an_amendment_is_a_new_version_and_the_old_one_stays(world, store, vault, written):
    new = records(world, store, vault).amend(written.record_id, hba1c(7.4))
    me = records(world, store, vault, "patient_1")
    history = me.history(written.record_id)
    assert [h.record_id for h in history] == [written.record_id, new.record_id]
    assert history[0].superseded and not history[1].superseded and history[1].supersedes == written.record_id
    assert me.get(written.record_id)["valueQuantity"]["value"] == 8.1
    assert me.get(new.record_id)["valueQuantity"]["value"] == 7.4
    assert me.history(new.record_id) == history


def test_a_version_is_superseded_once(world, store, vault, written):
    records(world, store, vault).amend(written.record_id, hba1c(7.4))
    assert reverts("AlreadySuperseded", anchor, world, "patient_1", rid(world), supersedes=written.record_id) == {
        "recordId": written.record_id}


def test_superseding_needs_a_known_record_of_the_same_patient(world, store, vault, written):
    reverts("UnknownRecord", anchor, world, "patient_1", rid(world), supersedes=rid(world, 8))
    assert reverts("PatientMismatch", anchor, world, "patient_2", rid(world, patient="patient_2"),
                   supersedes=written.record_id) == {"supersedes": written.record_id,
                                                     "patient": world.address("patient_2")}


def test_anchors_are_checked(world, written):
    reverts("RecordExists", anchor, world, "patient_1", written.record_id)
    assert reverts("InvalidAnchor", anchor, world, "patient_1", ZERO) == {"recordId": ZERO,
                                                                         "contentHash": b"\x11" * 32, "cidLength": 2}
    reverts("InvalidAnchor", anchor, world, "patient_1", rid(world), content=ZERO)
    reverts("InvalidAnchor", anchor, world, "patient_1", rid(world), cid="")
    for bad in (0, DIABETES | int(Category.CARDIOLOGY), 1 << 11):
        assert reverts("InvalidCategory", anchor, world, "patient_1", rid(world, category=bad)) == {"category": bad}


def test_a_record_id_carries_its_patient_and_category(world, written):
    assert record_id_parts(written.record_id) == (world.address("patient_1"), DIABETES)
    args = reverts("NotAPatient", anchor, world, "hospital_a", rid(world, patient="hospital_b"))
    assert list(args.values()) == [world.address("hospital_b")]  # (another contract names the argument "account")
    # hospital A may write any category of patient 1, so only the id decides whose record it is
    assert reverts("NotAWriter", anchor, world, "hospital_a", rid(world, patient="patient_2")) == {
        "author": world.address("hospital_a"), "patient": world.address("patient_2"), "category": DIABETES}


def test_the_index_is_listable_and_paged(world, store, vault, written):
    second = records(world, store, vault).put(world.address("patient_1"), ECG, "cardiology")
    me = records(world, store, vault, "patient_1")
    assert [r.record_id for r in me.records(world.address("patient_1"))] == [written.record_id, second.record_id]
    c = world.suite.contract("RecordRegistry")
    assert [bytes(x) for x in call(c.functions.recordsOf(world.address("patient_1"), 1, 5))] == [second.record_id]
    assert call(c.functions.recordsOf(world.address("patient_1"), 5, 2**256 - 1)) == []
    assert call(c.functions.recordCount(world.address("patient_2"))) == 0


# ---------------------------------------------------------------------- revocation and erasure


@pytest.fixture
def shared(world, store, vault, written):
    """Hospital B holds a diabetes read consent and the keys of two records (one written by the
    patient); a cardiology record stays out of its reach."""
    me, hb = records(world, store, vault, "patient_1"), world.address("hospital_b")
    consent(world).grant(hb, "diabetes")
    own = me.put(world.address("patient_1"), hba1c(7.9), "diabetes", readers=[hb])
    me.share(written.record_id, hb)
    records(world, store, vault).put(world.address("patient_1"), ECG, "cardiology")
    return [written, own]


def test_revoking_re_keys_every_record_the_grantee_could_read(world, store, vault, shared):
    hb, b = world.address("hospital_b"), records(world, store, vault, "hospital_b")
    result = records(world, store, vault, "patient_1").revoke(hb)
    assert events(consent(world).contract, "ConsentRevoked", result.receipt)[0]["grantee"] == hb
    assert [n.supersedes for n in result.rekeyed] == [r.record_id for r in shared]
    for old, new in zip(shared, result.rekeyed, strict=True):
        assert new.content_hash != old.content_hash and new.cid != old.cid
        with pytest.raises(ConsentRevokedError, match="revoked the consent"):
            b.get(new.record_id)
        with pytest.raises(NotARecipientError):  # no key either, for the new version or the old one
            b.decrypt(new)
        with pytest.raises(NotARecipientError):
            b.decrypt(old)
    assert records(world, store, vault).get(result.rekeyed[0].record_id)["valueQuantity"]["value"] == 8.1
    assert records(world, store, vault, "patient_1").get(result.rekeyed[1].record_id)["valueQuantity"]["value"] == 7.9


def test_a_failed_re_key_names_the_records_left_and_a_second_run_resumes(world, store, vault, shared):
    hb, me = world.address("hospital_b"), records(world, store, vault, "patient_1")
    path = store._object(shared[1].cid)
    original = path.read_bytes()
    path.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # the second ciphertext is damaged
    count = me.contract.functions.recordCount(world.address("patient_1")).call()
    with pytest.raises(RekeyIncompleteError, match="run the revocation again") as info:
        me.revoke(hb)
    assert info.value.pending == [shared[1].record_id] and isinstance(info.value.__cause__, IntegrityError)
    assert [n.supersedes for n in info.value.rekeyed] == [shared[0].record_id]
    assert me.contract.functions.recordCount(world.address("patient_1")).call() == count + 1  # nothing half-anchored
    assert consent(world).consent(world.address("patient_1"), hb).revoked  # the revocation came first
    path.write_bytes(original)
    resumed = me.revoke(hb)
    assert resumed.receipt is None and [n.supersedes for n in resumed.rekeyed] == [shared[1].record_id]
    assert me.revoke(hb).rekeyed == []


def test_a_suspended_reader_is_refused_with_its_own_message(world, store, vault, shared):
    ParticipantsClient(world.suite, world.sender("governance")).suspend(world.address("hospital_b"), "audit")
    with pytest.raises(AccessDeniedError, match="is suspended"):
        records(world, store, vault, "hospital_b").get(shared[0].record_id)
    assert consent(world).accesses(patient=world.address("patient_1")) == []  # refused before logging


@pytest.mark.both_backends
def test_an_expired_consent_is_named(world, store, vault, written):
    now = world.chain.now()
    consent(world).grant(world.address("hospital_b"), "diabetes", "treatment", "read", now, now + 100)
    world.chain.mine(now + 101)
    with pytest.raises(AccessDeniedError, match="is expired"):
        records(world, store, vault, "hospital_b").get(written.record_id)


def test_erasure_shreds_every_version(world, store, vault, written):
    new = records(world, store, vault).amend(written.record_id, hba1c(7.4))
    me = records(world, store, vault, "patient_1")
    receipts = me.erase(new.record_id)
    assert [events(me.contract, "RecordErased", r)[0]["recordId"] for r in receipts] == [written.record_id,
                                                                                         new.record_id]
    for version in (written, new):
        assert vault.is_shredded(vault_record_key(version.record_id, 0)) and me.info(version.record_id).erased
        with pytest.raises(RecordErasedError):
            me.get(version.record_id)
    with pytest.raises(NotARecipientError):  # the ciphertext is unreadable everywhere: the keys are gone
        RecordsClient(world.suite, world.sender("hospital_a"), store, vault).decrypt(new)
    assert reverts("RecordIsErased", world.sender("patient_1").transact,
                   me.contract.functions.erase(new.record_id)) == {"recordId": new.record_id}
    reverts("RecordIsErased", anchor, world, "patient_1", rid(world), supersedes=new.record_id)
    with pytest.raises(RecordErasedError):
        me.erase(new.record_id)


def test_only_the_patient_or_a_guardian_erases(world, store, vault, written):
    assert reverts("NotPatientOrGuardian", records(world, store, vault).erase, written.record_id) == {
        "caller": world.address("hospital_a"), "patient": world.address("patient_1")}
    assert not vault.is_shredded(vault_record_key(written.record_id, 0))  # checked before any key is destroyed
    consent(world).appoint_guardian(world.address("patient_2"))
    records(world, store, vault, "patient_2").erase(written.record_id)
    assert records(world, store, vault).info(written.record_id).erased
    reverts("UnknownRecord", world.sender("patient_1").transact,
            world.suite.contract("RecordRegistry").functions.erase(rid(world, 5)))


def test_every_custom_error_is_reached_by_a_test():
    source = open(__file__).read()
    errors = {i["name"] for i in load_artifact("RecordRegistry")["abi"] if i["type"] == "error"}
    assert {e for e in errors if f'"{e}"' not in source} == set()
