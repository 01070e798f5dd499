"""ParticipantRegistry through Ape: deployed from Ape's contract container, custom errors
checked with ``ape.reverts``."""

import ape
from conftest import ALL_ROLES, HOSPITAL, ORGANIZATION, PATIENT, PHARMACY, REGULATOR, key


def test_the_project_compiled_every_contract_with_the_pinned_settings(project):
    for name in ("ParticipantRegistry", "ConsentRegistry", "ClaimAdjudication", "SettlementToken"):
        assert getattr(project, name).contract_type.runtime_bytecode.bytecode
    assert project.ParticipantRegistry.contract_type.source_id == "contracts/ParticipantRegistry.sol"


def test_governance_owns_the_deployed_registry(registry, governance):
    assert registry.owner() == governance.address


def test_governance_registers_an_organisation_with_its_roles(registry, governance, accounts):
    tx = registry.registerOrganization(accounts[6], "Corner Pharmacy", PHARMACY, key(6), sender=governance)
    [event] = [e for e in tx.events if e.event_name == "OrganizationRegistered"]
    assert event.account == accounts[6].address and event.roles == PHARMACY and event.name == "Corner Pharmacy"
    p = registry.participant(accounts[6])
    assert (p.kind, p.roles, p.name, p.suspended) == (ORGANIZATION, PHARMACY, "Corner Pharmacy", False)
    assert registry.hasRole(accounts[6], PHARMACY) and not registry.hasRole(accounts[6], HOSPITAL)


def test_only_governance_registers_organisations(registry, hospital, accounts):
    with ape.reverts(registry.OwnableUnauthorizedAccount, account=hospital.address):
        registry.registerOrganization(accounts[6], "Fake Pharmacy", PHARMACY, key(6), sender=hospital)
    assert not registry.hasRole(accounts[6], PHARMACY)


def test_roles_outside_the_bitmap_are_refused(registry, governance, accounts):
    with ape.reverts(registry.InvalidRoles, roles=ALL_ROLES + 1):
        registry.registerOrganization(accounts[6], "Pharmacy", ALL_ROLES + 1, key(6), sender=governance)


def test_a_patient_registers_itself_once(registry, accounts):
    registry.registerPatient(key(11), sender=accounts[11])
    assert registry.participant(accounts[11]).kind == PATIENT and registry.isPatient(accounts[11])
    with ape.reverts(registry.ParticipantAlreadyRegistered, account=accounts[11].address):
        registry.registerPatient(key(12), sender=accounts[11])


def test_the_regulator_suspends_an_organisation_another_cannot(registry, hospital, regulator, governance, accounts):
    registry.registerOrganization(accounts[2], "Hospital B", HOSPITAL, key(2), sender=governance)
    with ape.reverts(registry.NotGovernanceOrRegulator, account=hospital.address):
        registry.suspend(accounts[2], b"\x00" * 32, sender=hospital)
    registry.suspend(hospital, b"\xab" * 32, sender=regulator)
    assert not registry.hasRole(hospital, HOSPITAL) and registry.hasRole(regulator, REGULATOR)


def test_each_test_starts_from_the_module_state(registry, accounts):
    """Ape's isolation: what the tests above registered is gone again."""
    assert not registry.isPatient(accounts[11]) and not registry.hasRole(accounts[6], PHARMACY)
