"""ParticipantRegistry behaviour (tests/conftest.py: on Anvil)."""

from __future__ import annotations

import pytest
from web3 import Web3

from medchain.core.accounts import dev_account
from medchain.core.contracts import load_artifact
from medchain.core.errors import InvalidInputError, InvalidKeyError
from medchain.core.tx import call, events
from medchain.participants import Kind, ParticipantsClient, Role, encryption_key_of
from tests.helpers import reverts

NEW = 16  # development accounts 15..19 are outside the cast
KEY = encryption_key_of(dev_account(NEW))


def client(world, who="governance"):
    return ParticipantsClient(world.suite, world.sender(who) if isinstance(who, str) else who)


def raw(world, who, fname, *args):
    """Call the contract directly (bypassing the client's own checks)."""
    c = world.suite.contract("ParticipantRegistry")
    return world.sender(who).transact(getattr(c.functions, fname)(*args))


def test_governance_registers_an_organisation(world):
    new = dev_account(NEW).address
    receipt = client(world).register_organization(new, "New Clinic", "hospital,pharmacy", KEY)
    p = client(world).get(new)
    assert (p.kind, p.roles, p.name, p.encryption_key, p.suspended) == (
        Kind.ORGANIZATION,
        Role.HOSPITAL | Role.PHARMACY,
        "New Clinic",
        KEY,
        False,
    )
    assert p.registered_at == world.chain.w3.eth.get_block(receipt.block_number)["timestamp"]
    (ev,) = events(client(world).contract, "OrganizationRegistered", receipt)
    assert (ev["account"], ev["roles"], ev["name"], ev["encryptionKey"]) == (new, 9, "New Clinic", KEY)


def test_only_governance_registers(world):
    args = reverts(
        "OwnableUnauthorizedAccount",
        client(world, "hospital_a").register_organization,
        dev_account(NEW).address,
        "X",
        "hospital",
        KEY,
    )
    assert args["account"] == world.address("hospital_a")


def test_registering_twice_is_refused(world):
    args = reverts(
        "ParticipantAlreadyRegistered", client(world).register_organization, world.address("hospital_a"), "Again", "hospital", KEY
    )
    assert args == {"account": world.address("hospital_a")}


def test_a_patient_cannot_become_an_organisation(world):
    reverts("ParticipantAlreadyRegistered", client(world).register_organization, world.address("patient_1"), "P", "hospital", KEY)


def test_zero_address_is_refused(world):
    reverts("ZeroAddress", raw, world, "governance", "registerOrganization", "0x" + "00" * 20, "Z", 1, KEY)


@pytest.mark.parametrize("roles", [0, 1 << 8, 0xFFFF])
def test_invalid_role_bitmaps_are_refused(world, roles):
    assert reverts(
        "InvalidRoles", raw, world, "governance", "registerOrganization", dev_account(NEW).address, "X", roles, KEY
    ) == {"roles": roles}


@pytest.mark.parametrize("name", ["", "x" * 129])
def test_invalid_names_are_refused_on_chain_and_in_python(world, name):
    assert reverts("InvalidName", raw, world, "governance", "registerOrganization", dev_account(NEW).address, name, 1, KEY) == {
        "length": len(name)
    }
    with pytest.raises(InvalidInputError):
        client(world).register_organization(dev_account(NEW).address, name, "hospital", KEY)


def test_a_128_byte_name_is_the_longest_allowed(world):
    client(world).register_organization(dev_account(NEW).address, "x" * 128, "hospital", KEY)
    assert client(world).get(dev_account(NEW).address).name == "x" * 128


@pytest.mark.parametrize("key", [b"\x02" + b"\x11" * 31, b"\x04" + b"\x11" * 32, b"\x02" + b"\x11" * 33])
def test_malformed_keys_are_refused_on_chain(world, key):
    assert reverts(
        "InvalidEncryptionKey", raw, world, "governance", "registerOrganization", dev_account(NEW).address, "X", 1, key
    ) == {"key": key}


def test_keys_off_the_curve_are_refused_in_python(world):
    with pytest.raises(InvalidKeyError):
        client(world).register_organization(dev_account(NEW).address, "X", "hospital", b"\x02" + b"\xff" * 32)


def test_unknown_role_names_are_refused_in_python(world):
    with pytest.raises(InvalidInputError, match="unknown role 'surgeon'"):
        client(world).register_organization(dev_account(NEW).address, "X", "surgeon", KEY)


def test_uncompressed_keys_are_stored_compressed(world):
    from coincurve import PublicKey

    full = PublicKey(KEY).format(compressed=False)
    client(world).register_organization(dev_account(NEW).address, "X", "hospital", full)
    assert client(world).encryption_key(dev_account(NEW).address) == KEY


def test_governance_and_regulators_suspend(world):
    pharmacy = world.address("pharmacy")
    receipt = client(world, "regulator").suspend(pharmacy, "inspection")
    assert client(world).get(pharmacy).suspended and not client(world).has_role(pharmacy, Role.PHARMACY)
    (ev,) = events(client(world).contract, "OrganizationSuspended", receipt)
    assert (ev["account"], ev["by"], ev["reasonHash"]) == (pharmacy, world.address("regulator"), Web3.keccak(text="inspection"))
    client(world).reactivate(pharmacy)
    assert client(world).has_role(pharmacy, Role.PHARMACY)


def test_other_roles_cannot_suspend(world):
    assert reverts("NotGovernanceOrRegulator", client(world, "hospital_a").suspend, world.address("pharmacy"), "x") == {
        "account": world.address("hospital_a")
    }


def test_a_suspended_regulator_cannot_suspend(world):
    client(world).suspend(world.address("regulator"), "misconduct")
    reverts("NotGovernanceOrRegulator", client(world, "regulator").suspend, world.address("pharmacy"), "x")


def test_suspension_state_errors(world):
    reverts("ParticipantNotSuspended", client(world).reactivate, world.address("pharmacy"))
    client(world).suspend(world.address("pharmacy"), "x")
    reverts("ParticipantSuspended", client(world).suspend, world.address("pharmacy"), "x")
    reverts("ParticipantNotRegistered", client(world).suspend, dev_account(NEW).address, "x")
    reverts("NotAnOrganization", client(world).suspend, world.address("patient_1"), "x")


def test_role_checks_say_why(world):
    c = client(world).contract
    def check(who, role):
        return call(c.functions.requireRole(who, role))

    assert reverts("MissingRole", check, world.address("hospital_a"), int(Role.PHARMACY)) == {
        "account": world.address("hospital_a"),
        "role": int(Role.PHARMACY),
    }
    reverts("ParticipantNotRegistered", check, dev_account(NEW).address, 1)
    reverts("NotAnOrganization", check, world.address("patient_1"), 1)
    reverts("MissingRole", check, world.address("hospital_a"), 0)
    client(world).suspend(world.address("hospital_a"), "x")
    reverts("ParticipantSuspended", check, world.address("hospital_a"), int(Role.HOSPITAL))


def test_has_any_role(world):
    from medchain.core.tx import call

    c = client(world).contract
    assert call(c.functions.hasAnyRole(world.address("pharmacy"), int(Role.PHARMACY | Role.HOSPITAL)))
    assert not call(c.functions.hasAnyRole(world.address("pharmacy"), int(Role.INSURER)))
    reverts("MissingRole", call, c.functions.requireAnyRole(world.address("pharmacy"), int(Role.INSURER)))
    call(c.functions.requireAnyRole(world.address("pharmacy"), int(Role.PHARMACY | Role.INSURER)))


def test_set_roles_records_the_previous_roles(world):
    receipt = client(world).set_roles(world.address("hospital_a"), "hospital,researcher")
    (ev,) = events(client(world).contract, "RolesChanged", receipt)
    assert (ev["previousRoles"], ev["roles"]) == (int(Role.HOSPITAL), int(Role.HOSPITAL | Role.RESEARCHER))
    reverts("NotAnOrganization", client(world).set_roles, world.address("patient_1"), "hospital")
    reverts("ParticipantNotRegistered", client(world).set_roles, dev_account(NEW).address, "hospital")
    reverts("OwnableUnauthorizedAccount", client(world, "regulator").set_roles, world.address("hospital_a"), "hospital")


def test_patients_register_themselves(world, sender):
    p = ParticipantsClient(world.suite, sender(NEW))
    p.register_patient()
    got = p.get(dev_account(NEW).address)
    assert (got.kind, got.roles, got.encryption_key) == (Kind.PATIENT, Role(0), KEY)
    assert not p.has_role(dev_account(NEW).address, Role.HOSPITAL)
    reverts("ParticipantAlreadyRegistered", p.register_patient)
    reverts("ParticipantAlreadyRegistered", client(world, "hospital_a").register_patient)


def test_key_rotation(world, sender):
    new_key = encryption_key_of(dev_account(17))
    receipt = client(world, "hospital_a").set_encryption_key(new_key)
    assert client(world).encryption_key(world.address("hospital_a")) == new_key
    assert events(client(world).contract, "EncryptionKeyChanged", receipt)[0]["encryptionKey"] == new_key
    reverts("ParticipantNotRegistered", ParticipantsClient(world.suite, sender(NEW)).set_encryption_key, new_key)
    client(world).suspend(world.address("pharmacy"), "x")
    reverts("ParticipantSuspended", client(world, "pharmacy").set_encryption_key, new_key)
    reverts("ParticipantNotRegistered", client(world).encryption_key, dev_account(NEW).address)


def test_governance_moves_in_two_steps(world):
    gov, new = client(world), client(world, "regulator")
    gov.transfer_governance(world.address("regulator"))
    assert gov.governance() == world.address("governance")  # not yet
    reverts("OwnableUnauthorizedAccount", client(world, "hospital_a").accept_governance)
    new.accept_governance()
    assert gov.governance() == world.address("regulator")
    reverts("OwnableUnauthorizedAccount", gov.set_roles, world.address("hospital_a"), "hospital")
    new.set_roles(world.address("hospital_a"), "hospital")


def test_governance_cannot_be_renounced(world):
    fn = client(world).contract.functions.renounceOwnership()
    reverts("RenounceDisabled", world.sender("governance").transact, fn)
    reverts("OwnableUnauthorizedAccount", world.sender("hospital_a").transact, fn)


def test_deploying_with_zero_governance_is_refused(world):
    art = load_artifact("ParticipantRegistry")
    reverts("OwnableInvalidOwner", world.sender("governance").deploy, art["bytecode"], art["abi"], "0x" + "00" * 20)


def test_every_custom_error_is_reached_by_a_test():
    """Keeps this file honest: each error of the ABI is named in an assertion above."""
    source = open(__file__).read()
    errors = {i["name"] for i in load_artifact("ParticipantRegistry")["abi"] if i["type"] == "error"}
    assert {e for e in errors if f'"{e}"' not in source} == set()
