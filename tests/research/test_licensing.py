"""ResearchDataLicensing behaviour (tests/conftest.py: on Anvil): datasets, consent-gated contributions,
withdrawal, field licences and their expiry, revenue to the last unit, licensed extracts."""

from __future__ import annotations

import json

import pytest

from medchain.core.contracts import load_artifact
from medchain.core.crypto import EncryptionKeyPair
from medchain.core.errors import CryptoError, InvalidInputError, StorageError
from medchain.core.token import TokenClient
from medchain.core.tx import call, events
from medchain.research import (
    Basis,
    DatasetBuild,
    Field,
    ResearchClient,
    Status,
    merkle_proof,
    merkle_root,
    split,
    verify_proof,
)
from tests.helpers import reverts

from .conftest import (
    CONSENTING,
    FIELDS,
    LAB,
    PRICE,
    SHARE,
    YEAR,
    at,
    client,
    fails_at,
    grant,
    make_dataset,
    mint,
    observation,
    revoke,
)

NEW = 16
ROOT = b"\x11" * 32


def raw(world, who, fname, *args):
    c = world.suite.contract("ResearchDataLicensing")
    return world.sender(who).transact(getattr(c.functions, fname)(*args))


def terms(**over):
    t = {"cid": "QmManifest", "root": ROOT, "fields": int(Field.CODE | Field.VALUE), "categories": LAB, "price": 10**6,
         "share": 1000, "duration": YEAR, "previous": 0}
    t.update(over)
    return tuple(t.values())


def keypair(world, who):
    return EncryptionKeyPair.from_private_key(bytes(world.account(who).key))


def balance(world, who):
    address = world.suite.address("ResearchDataLicensing") if who == "contract" else world.address(who)
    return TokenClient(world.suite).balance(address)


# ------------------------------------------------------------------------------ datasets


def test_a_steward_registers_a_dataset_version(world, store):
    s = make_dataset(world, store, publish=False)
    d = s.steward.dataset(s.version)
    assert (d.steward, d.fields, d.categories, d.price, d.steward_share_bps, d.licence_duration, d.status) == (
        world.address("hospital_a"), Field(0) | Field.RESOURCE_TYPE | Field.CODE | Field.VALUE | Field.EFFECTIVE_DATE
        | Field.STATUS | Field.SUBJECT_REFERENCE | Field.FREE_TEXT, LAB, PRICE, SHARE, YEAR, Status.DRAFT)
    assert d.rows_root == s.build.root and (d.contributors, d.total_weight) == (3, 4)


def test_the_manifest_is_encrypted_to_the_steward_only(world, store):
    s = make_dataset(world, store, publish=False)
    assert s.steward.load_build(s.version, keypair(world, "hospital_a")).root == s.build.root
    with pytest.raises(CryptoError):
        s.steward.load_build(s.version, keypair(world, "university"))


@pytest.mark.parametrize("who", ["hospital_a", "university"])
def test_hospitals_and_research_organisations_are_stewards(world, who):
    raw(world, who, "registerDataset", terms())
    assert call(world.suite.contract("ResearchDataLicensing").functions.versionCount()) == 1


@pytest.mark.parametrize("who", ["pharmacy", "insurer", "patient_1"])
def test_other_participants_cannot_register(world, who):
    with pytest.raises(Exception) as info:
        raw(world, who, "registerDataset", terms())
    assert info.value.name in ("MissingRole", "NotAnOrganization")


def test_a_suspended_steward_cannot_register(world):
    world.sender("regulator").transact(world.suite.contract("ParticipantRegistry").functions.suspend(
        world.address("hospital_a"), b"\x01" * 32))
    reverts("ParticipantSuspended", raw, world, "hospital_a", "registerDataset", terms())


@pytest.mark.parametrize("over,error,args", [
    ({"cid": ""}, "InvalidCid", (0,)), ({"cid": "Q" * 129}, "InvalidCid", (129,)),
    ({"root": b"\x00" * 32}, "InvalidRowsRoot", ()),
    ({"fields": 0}, "InvalidFields", (0,)),
    ({"fields": int(Field.PATIENT_NAME | Field.BIRTH_DATE)}, "InvalidFields", (int(Field.PATIENT_NAME | Field.BIRTH_DATE),)),
    ({"fields": 1 << 16}, "InvalidFields", (1 << 16,)), ({"categories": 0}, "InvalidCategories", (0,)),
    ({"categories": 1 << 11}, "InvalidCategories", (1 << 11,)), ({"price": 0}, "InvalidPrice", (0,)),
    ({"share": 10_000}, "InvalidStewardShare", (10_000,)), ({"duration": 0}, "InvalidLicenceDuration", (0,)),
    ({"duration": 3650 * 86400 + 1}, "InvalidLicenceDuration", (3650 * 86400 + 1,)),
    ({"previous": 7}, "UnknownVersion", (7,)),
])
def test_bad_terms_are_refused(world, over, error, args):
    reverts(error, raw, world, "hospital_a", "registerDataset", terms(**over)).with_args(*args)


def registered(world, receipt, steward="hospital_a", **over):
    """The ``DatasetRegistered`` event of ``receipt`` and the stored version are ``terms(**over)``; returns the version."""
    cid, root, fields, categories, price, share, duration, previous = terms(**over)
    (ev,) = events(world.suite.contract("ResearchDataLicensing"), "DatasetRegistered", receipt)
    assert (ev["steward"], ev["previousVersion"], ev["manifestCid"], bytes(ev["rowsRoot"]), ev["fields"],
            ev["categories"], ev["price"], ev["stewardShareBps"], ev["licenceDuration"]) == (
        world.address(steward), previous, cid, root, fields, categories, price, share, duration)
    d = client(world, None).dataset(ev["version"])
    assert (d.steward, int(d.fields), int(d.categories), d.price, d.steward_share_bps, d.licence_duration,
            d.previous_version, d.status, d.rows_root, d.manifest_cid, d.contributors) == (
        world.address(steward), fields, categories, price, share, duration, previous, Status.DRAFT, root, cid, 0)
    return ev["version"]


def test_the_longest_licence_duration_and_cid_are_accepted(world):
    longest = {"duration": 3650 * 86400, "cid": "Q" * 128}
    receipt = raw(world, "hospital_a", "registerDataset", terms(**longest))
    assert registered(world, receipt, **longest) == client(world, None).version_count()


def test_a_version_continues_only_its_own_stewards_line(world):
    first = registered(world, raw(world, "hospital_a", "registerDataset", terms()))
    registered(world, raw(world, "hospital_a", "registerDataset", terms(previous=first)), previous=first)
    reverts("NotSteward", raw, world, "university", "registerDataset", terms(previous=first)).with_args(
        caller=world.address("university"), version=first)


def test_a_dataset_may_declare_identity_fields_it_holds(world):
    fields = int(Field.PATIENT_NAME | Field.CODE)
    registered(world, raw(world, "hospital_a", "registerDataset", terms(fields=fields)), fields=fields)


# ------------------------------------------------------------------------- contributions


def test_only_consenting_patients_are_in_the_build(world, store):
    s = make_dataset(world, store, publish=False)
    assert s.build.excluded == [world.address("patient_4")]
    assert set(s.build.weights()) == {world.address(p) for p in CONSENTING}
    assert s.build.weights()[world.address("patient_1")] == 2


def test_a_contribution_records_weight_and_basis(world, store):
    s = make_dataset(world, store, publish=False)
    c = s.steward.contribution(s.version, world.address("patient_1"))
    assert (c.weight, c.basis, c.withdrawn, c.index_paid) == (2, Basis.CONSENT, False, 0)


def test_no_contribution_without_research_consent(world, draft):
    args = reverts("ResearchConsentMissing", draft.steward.contribute, draft.version, world.address("patient_4"), 1)
    assert args == {"patient": world.address("patient_4"), "steward": world.address("hospital_a"), "categories": LAB}


def test_treatment_consent_or_another_category_is_not_research_consent(world, draft):
    grant(world, "patient_4", purposes=1)
    reverts("ResearchConsentMissing", draft.steward.contribute, draft.version, world.address("patient_4"), 1)
    grant(world, "patient_4", categories=int(1 << 2))
    reverts("ResearchConsentMissing", draft.steward.contribute, draft.version, world.address("patient_4"), 1)
    grant(world, "patient_4", categories=LAB | (1 << 2))
    draft.steward.contribute(draft.version, world.address("patient_4"), 1)


def test_consent_given_to_another_steward_does_not_count(world, draft):
    grant(world, "patient_4", grantee="hospital_b")
    reverts("ResearchConsentMissing", draft.steward.contribute, draft.version, world.address("patient_4"), 1)


def test_contribution_rules(world, draft):
    reverts("AlreadyContributed", draft.steward.contribute, draft.version, world.address("patient_1"), 1)
    grant(world, "pharmacy")
    reverts("NotAPatient", draft.steward.contribute, draft.version, world.address("pharmacy"), 1)
    grant(world, "patient_4")
    reverts("InvalidWeight", raw, world, "hospital_a", "contribute", draft.version, world.address("patient_4"), 0)
    with pytest.raises(InvalidInputError):
        draft.steward.contribute(draft.version, world.address("patient_4"), 0)
    grant(world, "patient_4", grantee="hospital_b")
    reverts("NotSteward", client(world, "hospital_b").contribute, draft.version, world.address("patient_4"), 1)
    reverts("UnknownVersion", draft.steward.contribute, 99, world.address("patient_4"), 1)


def test_no_contribution_after_publication(world, published):
    grant(world, "patient_4")
    args = reverts("WrongStatus", published.steward.contribute, published.version, world.address("patient_4"), 1)
    assert args["status"] == int(Status.PUBLISHED)


@pytest.mark.both_backends
def test_a_signed_contribution_needs_no_consent_record(world, draft):
    deadline = world.chain.now() + 3600
    sig = draft.steward.sign_contribution(world.account("patient_4"), draft.version, 3, deadline)
    draft.steward.contribute_by_sig(draft.version, world.address("patient_4"), 3, deadline, sig)
    c = draft.steward.contribution(draft.version, world.address("patient_4"))
    assert (c.weight, c.basis) == (3, Basis.SIGNATURE)
    assert call(draft.steward.contract.functions.nonces(world.address("patient_4"))) == 1


@pytest.mark.both_backends
@pytest.mark.parametrize("delta,ok", [(-1, True), (0, True), (1, False)])
def test_a_signature_deadline_is_inclusive(world, draft, delta, ok):
    deadline = world.chain.now() + 100
    sig = draft.steward.sign_contribution(world.account("patient_4"), draft.version, 1, deadline)
    args = (draft.version, world.address("patient_4"), 1, deadline, sig)
    if ok:
        at(world, deadline + delta, "hospital_a", "contributeBySig", *args)
        assert draft.steward.contribution(draft.version, world.address("patient_4")).weight == 1
    else:
        fails_at(world, deadline + delta, "SignatureExpired", "hospital_a", "contributeBySig", *args)
    reverts("SignatureExpired", draft.steward.contribute_by_sig, draft.version, world.address("patient_4"), 1,
            world.chain.now() - 1, sig)


@pytest.mark.both_backends
def test_a_signature_by_someone_else_or_replayed_is_refused(world, draft):
    deadline = world.chain.now() + 3600
    forged = draft.steward.sign_contribution(world.account("patient_3"), draft.version, 1, deadline)
    args = reverts("WrongSigner", draft.steward.contribute_by_sig, draft.version, world.address("patient_4"), 1, deadline, forged)
    assert args["patient"] == world.address("patient_4")
    patient = world.address("patient_4")
    reverts("InvalidSignature", draft.steward.contribute_by_sig, draft.version, patient, 1, deadline, b"\x01" * 65)
    sig = draft.steward.sign_contribution(world.account("patient_4"), draft.version, 1, deadline)
    draft.steward.contribute_by_sig(draft.version, world.address("patient_4"), 1, deadline, sig)
    sig_other_weight = draft.steward.sign_contribution(world.account("patient_4"), draft.version, 1, deadline)
    reverts(
        "AlreadyContributed",
        draft.steward.contribute_by_sig,
        draft.version,
        world.address("patient_4"),
        1,
        deadline,
        sig_other_weight,
    )


@pytest.mark.both_backends
def test_a_replayed_signature_is_refused_on_the_next_version(world, draft):
    deadline = world.chain.now() + 3600
    sig = draft.steward.sign_contribution(world.account("patient_4"), draft.version, 1, deadline)
    draft.steward.contribute_by_sig(draft.version, world.address("patient_4"), 1, deadline, sig)
    raw(world, "hospital_a", "registerDataset", terms())
    reverts("WrongSigner", draft.steward.contribute_by_sig, draft.version + 1, world.address("patient_4"), 1, deadline, sig)


# --------------------------------------------------------------------------- publication


def test_publication_rules(world, store):
    raw(world, "hospital_a", "registerDataset", terms())
    steward = client(world, "hospital_a", store)
    reverts("NoContributors", steward.publish, 1)
    reverts("NotSteward", client(world, "hospital_b").publish, 1)
    grant(world, "patient_1")
    steward.contribute(1, world.address("patient_1"), 10**6)
    args = reverts("PriceTooLowForContributors", steward.publish, 1)
    assert args == {"contributorsShare": 900_000, "totalWeight": 10**6}


def test_a_draft_with_a_withdrawn_contributor_cannot_be_published(world, draft):
    revoke(world, "patient_2")
    draft.university.flag_withdrawn(draft.version, world.address("patient_2"))
    assert reverts("VersionHasWithdrawnContributors", draft.steward.publish, draft.version)["withdrawn"] == 1


def test_retiring_stops_sales(world, published):
    reverts("NotSteward", client(world, "hospital_b").retire, published.version)
    published.steward.retire(published.version)
    reverts("WrongStatus", published.steward.retire, published.version)
    reverts("WrongStatus", published.university.buy_licence, published.version, "code")
    reverts("WrongStatus", published.steward.publish, published.version)


# ------------------------------------------------------------------------------ licences


def test_a_researcher_buys_a_time_bounded_field_licence(world, published):
    licence_id, receipt = published.university.buy_licence(published.version, "code,value")
    lic = published.university.licence(licence_id)
    now = world.chain.w3.eth.get_block(receipt.block_number)["timestamp"]
    assert (lic.licensee, lic.fields, lic.version, lic.expires_at) == (
        world.address("university"),
        Field.CODE | Field.VALUE,
        published.version,
        now + YEAR,
    )
    (ev,) = events(published.university.contract, "LicenceIssued", receipt)
    assert (ev["price"], ev["stewardCut"], ev["perWeight"]) == (PRICE, *split(PRICE, SHARE, 4))
    assert client(world, None).is_licensed(licence_id, world.address("university"), "code")
    assert not client(world, None).is_licensed(licence_id, world.address("university"), "effective_date")
    assert not client(world, None).is_licensed(licence_id, world.address("hospital_b"), "code")


@pytest.mark.parametrize("who", ["hospital_b", "insurer", "patient_1"])
def test_only_researchers_buy_licences(world, published, who):
    mint(world, who)
    with pytest.raises(Exception) as info:
        client(world, who).buy_licence(published.version, "code")
    assert info.value.name in ("MissingRole", "NotAnOrganization")


def test_identity_fields_can_never_be_licensed(world, published):
    fields = int(Field.SUBJECT_REFERENCE | Field.CODE)
    world.sender("university").transact(
        world.suite.contract("SettlementToken").functions.approve(world.suite.address("ResearchDataLicensing"), PRICE)
    )
    assert reverts("IdentityFieldsNotLicensable", raw, world, "university", "buyLicence", published.version, fields) == {
        "fields": fields
    }
    with pytest.raises(InvalidInputError, match="subject_reference"):
        published.university.buy_licence(published.version, "subject_reference,code")


def test_licensed_fields_must_be_in_the_dataset(world, published):
    args = reverts("FieldsNotInDataset", published.university.buy_licence, published.version, "interpretation")
    assert args["requested"] == int(Field.INTERPRETATION)
    reverts("InvalidFields", raw, world, "university", "buyLicence", published.version, 0)
    reverts("InvalidFields", raw, world, "university", "buyLicence", published.version, 1 << 16)


def test_no_licence_for_a_draft_or_an_unknown_version(world, draft):
    reverts("WrongStatus", draft.university.buy_licence, draft.version, "code")
    reverts("UnknownVersion", raw, world, "university", "buyLicence", 99, int(Field.CODE))


def test_a_licence_must_be_paid(world, published):
    reverts("ERC20InsufficientAllowance", published.university.buy_licence, published.version, "code", approve=False)


@pytest.mark.both_backends
@pytest.mark.parametrize("delta,valid", [(-1, True), (0, False), (1, False)])
def test_a_licence_expires_at_its_end(world, published, delta, valid):
    licence_id, _ = published.university.buy_licence(published.version, "code")
    expires = published.university.licence(licence_id).expires_at
    if valid:
        at(world, expires + delta, "hospital_a", "recordExtract", licence_id, "QmExtract")
        assert published.steward.extract_cid(licence_id) == "QmExtract"
    else:
        fails_at(world, expires + delta, "LicenceExpired", "hospital_a", "recordExtract", licence_id, "QmExtract")
        assert reverts("LicenceExpired", published.steward.record_extract, licence_id, "QmX")["expiresAt"] == expires


@pytest.mark.both_backends
@pytest.mark.parametrize("delta,valid", [(-1, True), (0, False), (1, False)])
def test_anyone_can_check_whether_a_licence_is_live(world, published, delta, valid):
    licence_id, _ = published.university.buy_licence(published.version, "code")
    expires = published.university.licence(licence_id).expires_at
    world.chain.mine(expires + delta)
    assert client(world, None).is_licensed(licence_id, world.address("university"), "code") is valid


# ------------------------------------------------------------------------------- revenue


def test_revenue_is_split_to_the_last_unit(world, published):
    before = {w: balance(world, w) for w in ("hospital_a", *CONSENTING, "university")}
    for _ in range(2):
        published.university.buy_licence(published.version, "code")
    steward_cut, per_weight = split(PRICE, SHARE, 4)
    assert (steward_cut, per_weight) == (250_003, 187_500)  # 250000 share + 3 units of remainder
    expected = {
        "hospital_a": 2 * steward_cut,
        "patient_1": 2 * 2 * per_weight,
        "patient_2": 2 * per_weight,
        "patient_3": 2 * per_weight,
    }
    assert sum(expected.values()) == 2 * PRICE == balance(world, "contract")
    for who, amount in expected.items():
        assert published.university.pending_revenue(world.address(who), published.version) == amount
        got, _ = client(world, who).withdraw([published.version])
        assert got == amount and balance(world, who) == before[who] + amount
    assert balance(world, "contract") == 0
    assert balance(world, "university") == before["university"] - 2 * PRICE


def test_revenue_accrues_across_sales_and_withdrawals(world, published):
    published.university.buy_licence(published.version, "code")
    first, _ = client(world, "patient_2").withdraw([published.version])
    published.university.buy_licence(published.version, "value")
    second, _ = client(world, "patient_2").withdraw([published.version])
    assert first == second == split(PRICE, SHARE, 4)[1]
    reverts("NothingToWithdraw", client(world, "patient_2").withdraw, [published.version])


def test_nothing_to_withdraw_for_strangers_or_unknown_versions(world, published):
    published.university.buy_licence(published.version, "code")
    assert reverts("NothingToWithdraw", client(world, "patient_4").withdraw, [published.version]) == {
        "account": world.address("patient_4")
    }
    reverts("UnknownVersion", client(world, "patient_1").withdraw, [published.version, 42])


def test_one_withdrawal_pays_several_versions(world, store):
    a = make_dataset(world, store)
    b = make_dataset(world, store, build=a.build.without([]))
    a.university.buy_licence(a.version, "code")
    a.university.buy_licence(b.version, "code")
    amount, receipt = client(world, "patient_1").withdraw([a.version, b.version])
    assert amount == 2 * 2 * split(PRICE, SHARE, 4)[1]
    assert len(events(a.steward.contract, "RevenueWithdrawn", receipt)) == 2


@pytest.mark.parametrize(
    "price,share,weights", [(1, 0, [1]), (10**6 + 7, 0, [3, 4]), (999_999_999, 9999, [1]), (123_456_789, 1234, [5, 7, 11, 13])]
)
def test_split_never_loses_or_creates_units(price, share, weights):
    steward, per_weight = split(price, share, sum(weights))
    assert steward + per_weight * sum(weights) == price and 0 <= steward - price * share // 10_000 < sum(weights)


# ---------------------------------------------------------------------------- withdrawal


def test_a_revocation_stops_licences_of_the_version(world, published):
    old, _ = published.university.buy_licence(published.version, "code")
    reverts("ConsentStillActive", published.university.flag_withdrawn, published.version, world.address("patient_2"))
    revoke(world, "patient_2")
    receipt = published.university.flag_withdrawn(published.version, world.address("patient_2"))
    (ev,) = events(published.university.contract, "ContributorWithdrawn", receipt)
    assert (ev["patient"], ev["by"]) == (world.address("patient_2"), world.address("university"))
    reverts("VersionHasWithdrawnContributors", published.university.buy_licence, published.version, "code")
    assert published.university.is_licensed(old, world.address("university"), "code")  # sold before: still valid
    reverts("AlreadyWithdrawn", published.university.flag_withdrawn, published.version, world.address("patient_2"))


@pytest.mark.both_backends
def test_an_expired_consent_also_takes_the_patient_out(world, published):
    end = world.chain.now() + 100
    grant(world, "patient_3", end=end)
    fails_at(world, end, "ConsentStillActive", "university", "flagWithdrawn", published.version, world.address("patient_3"))
    at(world, end + 1, "university", "flagWithdrawn", published.version, world.address("patient_3"))
    assert published.steward.contribution(published.version, world.address("patient_3")).withdrawn


def test_the_next_version_leaves_the_patient_out(world, published):
    revoke(world, "patient_2")
    published.university.flag_withdrawn(published.version, world.address("patient_2"))
    nxt = published.build.without([world.address("patient_2")])
    version, _ = published.steward.register_dataset(
        nxt, categories=LAB, price=PRICE, steward_share_bps=SHARE, licence_duration=YEAR, previous_version=published.version
    )
    reverts("ResearchConsentMissing", published.steward.contribute, version, world.address("patient_2"), 1)
    published.steward.contribute_all(version, nxt)
    published.steward.publish(version)
    licence_id, _ = published.university.buy_licence(version, "code,value")
    published.steward.deliver_extract(nxt, licence_id)
    assert len(published.university.open_extract(licence_id, keypair(world, "university"))["rows"]) == 3


def _rows(published, licence_id):
    return published.steward.build_extract(published.build, licence_id)["rows"]


def test_a_licence_sold_after_a_revocation_excludes_the_patient_without_a_flag(world, published):
    revoke(world, "patient_2")  # nobody calls flagWithdrawn
    licence_id, _ = published.university.buy_licence(published.version, "code")
    assert len(_rows(published, licence_id)) == 3  # patient_1's two rows and patient_3's


def test_an_extract_built_after_a_revocation_excludes_the_patient_even_for_an_earlier_licence(world, published):
    licence_id, _ = published.university.buy_licence(published.version, "code")
    before = len(_rows(published, licence_id))
    revoke(world, "patient_2")
    assert (before, len(_rows(published, licence_id))) == (4, 3)
    assert published.university.is_licensed(licence_id, world.address("university"), "code")  # the licence stays valid


def test_an_extract_built_after_a_consent_expired_excludes_the_patient(world, published):
    end = world.chain.now() + 100
    grant(world, "patient_3", end=end)
    licence_id, _ = published.university.buy_licence(published.version, "code")
    before = len(_rows(published, licence_id))
    world.chain.mine(end + 1)
    assert (before, len(_rows(published, licence_id))) == (4, 3)


def test_a_withdrawn_patient_keeps_what_was_earned(world, published):
    published.university.buy_licence(published.version, "code")
    revoke(world, "patient_2")
    published.university.flag_withdrawn(published.version, world.address("patient_2"))
    assert client(world, "patient_2").withdraw([published.version])[0] == split(PRICE, SHARE, 4)[1]


@pytest.mark.both_backends
def test_a_signature_contributor_withdraws_in_person(world, draft):
    deadline = world.chain.now() + 3600
    sig = draft.steward.sign_contribution(world.account("patient_4"), draft.version, 1, deadline)
    draft.steward.contribute_by_sig(draft.version, world.address("patient_4"), 1, deadline, sig)
    reverts("ConsentStillActive", draft.university.flag_withdrawn, draft.version, world.address("patient_4"))
    client(world, "patient_4").flag_withdrawn(draft.version, world.address("patient_4"))
    assert draft.steward.contribution(draft.version, world.address("patient_4")).withdrawn


def test_flagging_needs_a_contributor_of_a_known_version(world, published):
    reverts("NotAContributor", published.university.flag_withdrawn, published.version, world.address("patient_4"))
    reverts("UnknownVersion", published.university.flag_withdrawn, 99, world.address("patient_4"))


# ------------------------------------------------------------------------------ extracts


def test_the_extract_holds_only_licensed_fields_under_pseudonyms(world, published):
    licence_id, _ = published.university.buy_licence(published.version, "code,value")
    cid, _ = published.steward.deliver_extract(published.build, licence_id)
    assert published.university.extract_cid(licence_id) == cid
    extract = published.university.open_extract(licence_id, keypair(world, "university"))
    assert len(extract["rows"]) == 4 and all(set(r["fields"]) == {"code", "value"} for r in extract["rows"])
    text = json.dumps(extract).lower()
    for who in ("patient_1", "patient_2", "patient_3", "patient_4"):
        assert world.address(who).lower()[2:] not in text
    assert "mrn-0042" not in text and "called the patient" not in text and "8.8" not in text
    assert len({r["pseudonym"] for r in extract["rows"]}) == 3


def test_pseudonyms_differ_between_licences(world, published):
    ids = [published.university.buy_licence(published.version, "code")[0] for _ in range(2)]
    names = [{r["pseudonym"] for r in published.steward.build_extract(published.build, i)["rows"]} for i in ids]
    assert not names[0] & names[1]


def test_only_the_licensee_can_open_the_extract(world, published):
    licence_id, _ = published.university.buy_licence(published.version, "code")
    published.steward.deliver_extract(published.build, licence_id)
    with pytest.raises(CryptoError):
        published.university.open_extract(licence_id, keypair(world, "hospital_b"))


def test_a_licensee_proves_a_row_without_the_others(world, published):
    licence_id, _ = published.university.buy_licence(published.version, "code,value")
    rows = published.steward.build_extract(published.build, licence_id)["rows"]
    assert all(published.university.verify_row(published.version, r) for r in rows)
    assert all(published.university.verify_row(published.version, r, on_chain=False) for r in rows)
    forged = json.loads(json.dumps(rows[0]))
    forged["fields"]["value"]["valueQuantity"]["value"] = 9.9
    assert not published.university.verify_row(published.version, forged)
    assert not published.university.verify_row(published.version + 1, rows[0])


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_merkle_proofs_match_openzeppelin(world, store, n):
    grant(world, "patient_1")
    build = DatasetBuild.from_records([(world.address("patient_1"), observation(i)) for i in range(n)], FIELDS)
    version, _ = client(world, "hospital_a", store).register_dataset(
        build, categories=LAB, price=PRICE, steward_share_bps=SHARE, licence_duration=YEAR
    )
    c = world.suite.contract("ResearchDataLicensing")
    for leaf in build.leaves:
        proof = merkle_proof(build.leaves, leaf)
        assert verify_proof(proof, merkle_root(build.leaves), leaf)
        assert call(c.functions.verifyRow(version, proof, leaf))
    assert not call(c.functions.verifyRow(version, [], b"\x05" * 32))


def test_the_extract_leaves_out_patients_withdrawn_since_the_sale(world, published):
    licence_id, _ = published.university.buy_licence(published.version, "code")
    revoke(world, "patient_1")
    published.university.flag_withdrawn(published.version, world.address("patient_1"))
    assert len(published.steward.build_extract(published.build, licence_id)["rows"]) == 2


def test_extract_recording_rules(world, published):
    licence_id, _ = published.university.buy_licence(published.version, "code")
    reverts("NotSteward", client(world, "hospital_b").record_extract, licence_id, "QmX")
    reverts("UnknownLicence", published.steward.record_extract, 99, "QmX")
    reverts("InvalidCid", raw, world, "hospital_a", "recordExtract", licence_id, "")
    published.steward.record_extract(licence_id, "QmX")
    reverts("ExtractAlreadyRecorded", published.steward.record_extract, licence_id, "QmY")


def test_the_extract_needs_the_versions_own_build(world, published):
    licence_id, _ = published.university.buy_licence(published.version, "code")
    other = DatasetBuild.from_records([(world.address("patient_1"), observation(1))], FIELDS)
    with pytest.raises(InvalidInputError, match="rows root"):
        published.steward.build_extract(other, licence_id)


class FailingStore:
    def add(self, data, *, pin=True):
        raise StorageError("IPFS is down")


def test_nothing_is_anchored_when_storage_fails(world, published):
    broken = ResearchClient(world.suite, world.sender("hospital_a"), FailingStore())
    with pytest.raises(StorageError):
        broken.register_dataset(published.build, categories=LAB, price=PRICE, steward_share_bps=SHARE, licence_duration=YEAR)
    assert broken.version_count() == 1
    licence_id, _ = published.university.buy_licence(published.version, "code")
    with pytest.raises(StorageError):
        broken.deliver_extract(published.build, licence_id)
    assert broken.extract_cid(licence_id) == ""


def test_client_side_validation(world, published):
    with pytest.raises(InvalidInputError):
        published.steward.register_dataset(
            published.build, categories=LAB, price=0, steward_share_bps=SHARE, licence_duration=YEAR
        )
    with pytest.raises(InvalidInputError):
        published.steward.register_dataset(
            published.build, categories=LAB, price=1, steward_share_bps=10_000, licence_duration=YEAR
        )
    with pytest.raises(InvalidInputError, match="unknown field"):
        published.university.buy_licence(published.version, "blood_type")
    with pytest.raises(InvalidInputError):
        DatasetBuild.from_records([(world.address("patient_1"), observation(1))], "patient_name")


def test_the_constructor_refuses_zero_addresses(world):
    art = load_artifact("ResearchDataLicensing")
    reverts(
        "ZeroAddress",
        world.sender("governance").deploy,
        art["bytecode"],
        art["abi"],
        world.suite.address("ParticipantRegistry"),
        "0x" + "00" * 20,
        world.suite.address("SettlementToken"),
    )


def test_every_custom_error_is_reached_by_a_test():
    source = open(__file__).read()
    errors = {i["name"] for i in load_artifact("ResearchDataLicensing")["abi"] if i["type"] == "error"}
    ours = errors - {
        "ReentrancyGuardReentrantCall",
        "SafeERC20FailedOperation",
        "ECDSAInvalidSignature",
        "ECDSAInvalidSignatureLength",
        "ECDSAInvalidSignatureS",
        "InvalidAccountNonce",
        "InvalidShortString",
        "StringTooLong",
        "SafeCastOverflowedUintDowncast",
    }
    assert {e for e in ours if f'"{e}"' not in source} == set()
