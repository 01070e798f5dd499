"""Brownie fixtures for `brownie test` (not collected by the main pytest run; see README, "Brownie").

Each test starts from the same chain state (``fn_isolation``); the contracts are deployed once per
module by Brownie's contract containers.
"""

import pytest

#: Role bits of interfaces/IParticipantRegistry.sol (library Roles).
HOSPITAL, MANUFACTURER, DISTRIBUTOR, PHARMACY, INSURER, RESEARCHER, REGULATOR, SENSOR_GATEWAY = (1 << i for i in range(8))
ALL_ROLES = (1 << 8) - 1
#: Participant kinds (IParticipantRegistry.Kind).
NONE, ORGANIZATION, PATIENT = 0, 1, 2


def key(n: int) -> str:
    """A well-formed compressed secp256k1 public key (33 bytes, prefix 02 or 03), distinct per ``n``."""
    return "0x" + ("02" if n % 2 == 0 else "03") + f"{n:064x}"


def error(name: str, *args) -> str:
    """The revert string Brownie reports for custom error ``name(args)`` (addresses in lower case)."""
    return f"{name}: " + ", ".join(getattr(a, "address", str(a)).lower() for a in args)


@pytest.fixture(autouse=True)
def isolate(fn_isolation):
    """Revert to the module's snapshot after every test."""


@pytest.fixture(scope="module")
def governance(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def registry(ParticipantRegistry, governance):
    return ParticipantRegistry.deploy(governance, {"from": governance})


@pytest.fixture(scope="module")
def hospital(accounts, registry, governance):
    registry.registerOrganization(accounts[1], "Hospital A", HOSPITAL, key(1), {"from": governance})
    return accounts[1]


@pytest.fixture(scope="module")
def regulator(accounts, registry, governance):
    registry.registerOrganization(accounts[10], "Regulator", REGULATOR, key(10), {"from": governance})
    return accounts[10]


@pytest.fixture(scope="module")
def token(SettlementToken, governance):
    return SettlementToken.deploy(governance, {"from": governance})
