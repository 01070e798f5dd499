"""Ape fixtures for `ape test tests/ape` (not collected by the main pytest run; see README, "Ape").

Ape reverts the chain to its snapshot after every test (its default isolation); the contracts are
deployed once per module from Ape's contract containers (``project.<Name>``), compiled by
ape-solidity.
"""

import pytest

#: Role bits of interfaces/IParticipantRegistry.sol (library Roles).
HOSPITAL, MANUFACTURER, DISTRIBUTOR, PHARMACY, INSURER, RESEARCHER, REGULATOR, SENSOR_GATEWAY = (1 << i for i in range(8))
ALL_ROLES = (1 << 8) - 1
#: Participant kinds (IParticipantRegistry.Kind).
NONE, ORGANIZATION, PATIENT = 0, 1, 2


def key(n: int) -> bytes:
    """A well-formed compressed secp256k1 public key (33 bytes, prefix 02 or 03), distinct per ``n``."""
    return bytes([2 if n % 2 == 0 else 3]) + n.to_bytes(32, "big")


@pytest.fixture(scope="module")
def governance(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def registry(project, governance):
    return project.ParticipantRegistry.deploy(governance, sender=governance)


@pytest.fixture(scope="module")
def hospital(accounts, registry, governance):
    registry.registerOrganization(accounts[1], "Hospital A", HOSPITAL, key(1), sender=governance)
    return accounts[1]


@pytest.fixture(scope="module")
def regulator(accounts, registry, governance):
    registry.registerOrganization(accounts[10], "Regulator", REGULATOR, key(10), sender=governance)
    return accounts[10]
