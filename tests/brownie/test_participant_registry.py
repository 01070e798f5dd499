"""ParticipantRegistry through Brownie: who may register, suspend and read what."""

import brownie
from conftest import ALL_ROLES, HOSPITAL, ORGANIZATION, PATIENT, PHARMACY, RESEARCHER, error, key


def test_governance_registers_an_organisation_with_its_roles(registry, governance, accounts):
    tx = registry.registerOrganization(accounts[6], "Corner Pharmacy", PHARMACY, key(6), {"from": governance})
    assert tx.events["OrganizationRegistered"]["account"] == accounts[6]
    p = registry.participant(accounts[6])
    assert (p["kind"], p["roles"], p["name"], p["suspended"]) == (ORGANIZATION, PHARMACY, "Corner Pharmacy", False)
    assert registry.hasRole(accounts[6], PHARMACY) and not registry.hasRole(accounts[6], HOSPITAL)


def test_only_governance_registers_organisations(registry, hospital, accounts):
    with brownie.reverts(error("OwnableUnauthorizedAccount", hospital)):
        registry.registerOrganization(accounts[6], "Fake Pharmacy", PHARMACY, key(6), {"from": hospital})


def test_roles_outside_the_bitmap_are_refused(registry, governance, accounts):
    with brownie.reverts(error("InvalidRoles", ALL_ROLES + 1)):
        registry.registerOrganization(accounts[6], "Pharmacy", ALL_ROLES + 1, key(6), {"from": governance})


def test_a_patient_registers_itself_once(registry, accounts):
    registry.registerPatient(key(11), {"from": accounts[11]})
    assert registry.participant(accounts[11])["kind"] == PATIENT and registry.isPatient(accounts[11])
    assert registry.encryptionKey(accounts[11]) == key(11)
    with brownie.reverts(error("ParticipantAlreadyRegistered", accounts[11])):
        registry.registerPatient(key(12), {"from": accounts[11]})


def test_a_malformed_encryption_key_is_refused(registry, accounts):
    with brownie.reverts():
        registry.registerPatient("0x04" + "11" * 32, {"from": accounts[11]})
    assert not registry.isPatient(accounts[11])


def test_the_regulator_suspends_and_reactivates_an_organisation(registry, hospital, regulator):
    tx = registry.suspend(hospital, "0x" + "ab" * 32, {"from": regulator})
    assert tx.events["OrganizationSuspended"]["by"] == regulator
    assert not registry.hasRole(hospital, HOSPITAL)
    with brownie.reverts(error("ParticipantSuspended", hospital)):
        registry.requireRole(hospital, HOSPITAL)
    registry.reactivate(hospital, {"from": regulator})
    assert registry.hasRole(hospital, HOSPITAL)


def test_an_organisation_cannot_suspend_another(registry, hospital, governance, accounts):
    registry.registerOrganization(accounts[2], "Hospital B", HOSPITAL, key(2), {"from": governance})
    with brownie.reverts(error("NotGovernanceOrRegulator", hospital)):
        registry.suspend(accounts[2], "0x" + "00" * 32, {"from": hospital})


def test_roles_change_and_the_change_is_logged(registry, hospital, governance):
    tx = registry.setRoles(hospital, HOSPITAL | RESEARCHER, {"from": governance})
    assert (tx.events["RolesChanged"]["previousRoles"], tx.events["RolesChanged"]["roles"]) == (HOSPITAL, HOSPITAL | RESEARCHER)
    assert registry.hasRole(hospital, RESEARCHER) and registry.hasAnyRole(hospital, PHARMACY | RESEARCHER)


def test_isolation_reverts_what_the_previous_tests_did(registry, accounts):
    assert registry.participant(accounts[6])["kind"] == 0 and not registry.isPatient(accounts[11])
