"""ClinicalTrialRegistry.enrolWithProof (issue 18) on every backend: the sponsor sets criteria, a
patient enrols itself with a proof of eligibility; a replayed nullifier, an unknown root, another
enroller's proof, a tampered proof or criteria changed after proving all revert with their error."""

from __future__ import annotations

import pytest

from medchain.core.crypto import EncryptionKeyPair
from medchain.core.errors import ContractRevert
from medchain.core.tx import call, events
from medchain.research import TrialsClient
from medchain.research.eligibility import (
    Attestation,
    AttestationTreeClient,
    Criteria,
    open_attestation,
    patient_public_id,
    prove_eligibility,
)

from .test_eligibility import need_prover

CRITERIA = Criteria(min_age=18, hba1c_min=65, hba1c_max=100, allowed=(250, 251, 7))
SECRET = 0xC0FFEE_0123_4567_89AB_CDEF


def registry(world):
    return world.suite.contract("ClinicalTrialRegistry")


def set_criteria(world, trial_id, c=CRITERIA, who="manufacturer"):
    return world.sender(who).transact(registry(world).functions.setEligibilityCriteria(
        trial_id, c.min_age, c.hba1c_min, c.hba1c_max, list(c.allowed)))


def enrol(world, who, proof, *, root=None, nullifier=None, trial_id=None, gas=None):
    fn = registry(world).functions.enrolWithProof(trial_id or proof.trial_id, proof.proof.packed(),
                                                  proof.root if root is None else root,
                                                  proof.nullifier if nullifier is None else nullifier)
    return world.sender(who).transact(fn, gas=gas)


def reverts(name, fn, *args, **kwargs):
    with pytest.raises(ContractRevert) as info:
        fn(*args, **kwargs)
    assert info.value.name == name, str(info.value)


@pytest.fixture(scope="module")
def proved(_deployed):
    need_prover()
    ctx = _deployed
    snap = ctx.chain.snapshot()
    trial_id, _ = TrialsClient(ctx.suite, ctx.sender("manufacturer")).register_trial("protocol", {"p": 1}, "ZK-1")
    set_criteria(ctx, trial_id)
    hospital = AttestationTreeClient(ctx.suite, ctx.sender("hospital_a"))
    values = Attestation.new(patient_public_id(SECRET), age_years=61, hba1c_times10=82, diagnosis=7)
    sealed, _ = hospital.attest(values, ctx.address("patient_3"))
    opening = open_attestation(sealed, EncryptionKeyPair.from_private_key(bytes(ctx.account("patient_3").key)))
    tree = AttestationTreeClient(ctx.suite).tree()
    proof = prove_eligibility(CRITERIA, trial_id, opening, SECRET, ctx.address("patient_3"), tree)
    other = prove_eligibility(CRITERIA, trial_id, opening, SECRET, ctx.address("patient_4"), tree)
    yield {"trial": trial_id, "proof": proof, "other_enroller": other}
    ctx.chain.revert(snap)


def test_enrol_with_proof_and_its_gas(world, proved):
    proof = proved["proof"]
    receipt = enrol(world, "patient_3", proof, gas=350_000)  # an explicit limit, not an estimate
    print(f"ClinicalTrialRegistry.enrolWithProof (verify + enrol): {receipt.gas_used} gas")
    assert receipt.gas_used <= 350_000
    (event,) = events(registry(world), "SubjectEnrolledWithProof", receipt)
    assert (event["trialId"], event["subject"], event["nullifier"]) == (proof.trial_id, world.address("patient_3"),
                                                                          proof.nullifier)
    assert call(registry(world).functions.nullifierUsed(proof.nullifier))
    assert call(registry(world).functions.subjectOf(proof.trial_id, world.address("patient_3")))[1] > 0
    assert call(registry(world).functions.trial(proof.trial_id))[5] == 1  # enrolled


def test_nullifier_used(world, proved):
    enrol(world, "patient_3", proved["proof"])
    # the same patient from another address, with a proof bound to that address: same nullifier
    reverts("NullifierUsed", enrol, world, "patient_4", proved["other_enroller"])


def test_unknown_root(world, proved):
    reverts("UnknownRoot", enrol, world, "patient_3", proved["proof"], root=proved["proof"].root + 1)


def test_stale_root(world, proved):
    hospital = AttestationTreeClient(world.suite, world.sender("hospital_b"))
    for leaf in range(1, 31):
        hospital.insert(leaf)
    reverts("UnknownRoot", enrol, world, "patient_3", proved["proof"])


def test_another_enroller_fails(world, proved):
    reverts("InvalidProof", enrol, world, "patient_4", proved["proof"])


def test_tampered_proof_fails(world, proved):
    from dataclasses import replace

    proof = proved["proof"]
    a = (proof.proof.a[0], (proof.proof.a[1] + 1))
    reverts("InvalidProof", enrol, world, "patient_3", replace(proof, proof=replace(proof.proof, a=a)))
    reverts("InvalidProof", enrol, world, "patient_3", proof, nullifier=proof.nullifier + 1)


def test_changed_criteria_fail_and_none_set(world, proved):
    set_criteria(world, proved["trial"], Criteria(18, 65, 90, (250, 251, 7)))
    reverts("InvalidProof", enrol, world, "patient_3", proved["proof"])
    trial_id, _ = TrialsClient(world.suite, world.sender("manufacturer")).register_trial("p2", {"p": 2}, "ZK-2")
    reverts("NoCriteria", enrol, world, "patient_3", proved["proof"], trial_id=trial_id)


def test_only_the_sponsor_sets_valid_criteria(world, proved):
    reverts("NotSponsor", set_criteria, world, proved["trial"], who="hospital_a")
    c = registry(world).functions.setEligibilityCriteria
    reverts("InvalidCriteria", world.sender("manufacturer").transact, c(proved["trial"], 18, 90, 80, [7]))
    reverts("InvalidCriteria", world.sender("manufacturer").transact, c(proved["trial"], 18, 60, 80, []))
    reverts("InvalidCriteria", world.sender("manufacturer").transact, c(proved["trial"], 18, 60, 80, [0]))
    reverts("InvalidCriteria", world.sender("manufacturer").transact, c(proved["trial"], 18, 60, 80, list(range(1, 10))))
    assert call(registry(world).functions.eligibilityCriteria(proved["trial"])) == CRITERIA.packed()
