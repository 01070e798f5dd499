"""Research fixtures: consenting patients, a steward's FHIR records, a registered dataset."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from medchain.core.errors import ContractRevert
from medchain.core.standards.consent_codes import Category, Purpose
from medchain.core.storage import EmbeddedStore
from medchain.core.token import TokenClient
from medchain.research import DatasetBuild, ResearchClient

LAB = int(Category.LABORATORY)
NO_END = 2**40 - 1
PRICE = 1_000_003  # 1.000003 MCUSD: leaves a rounding remainder on purpose
SHARE = 2500
YEAR = 365 * 86400
FIELDS = "resource_type,code,value,effective_date,status,subject_reference,free_text"
CONSENTING = ("patient_1", "patient_2", "patient_3")


def grant(world, patient, grantee="hospital_a", categories=LAB, purposes=int(Purpose.RESEARCH), end=NO_END):
    consent = world.suite.contract("ConsentRegistry")
    return world.sender(patient).transact(
        consent.functions.grant(world.address(grantee), categories, purposes, 1, 0, end))


def revoke(world, patient, grantee="hospital_a"):
    consent = world.suite.contract("ConsentRegistry")
    return world.sender(patient).transact(consent.functions.revoke(world.address(grantee)))


def observation(value, code="4548-4", note="called the patient at home"):
    return {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": "HbA1c"}]},
            "valueQuantity": {"value": value, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"},
            "effectiveDateTime": "2025-03-04", "subject": {"reference": "Patient/mrn-0042"},
            "note": [{"text": note}]}


def steward_records(world):
    """Hospital A's records: patient_1 has two rows, patients 2-4 one each (patient_4 never consents)."""
    return [(world.address("patient_1"), observation(6.1)), (world.address("patient_1"), observation(6.4)),
            (world.address("patient_2"), observation(7.2)), (world.address("patient_3"), observation(5.9)),
            (world.address("patient_4"), observation(8.8))]


def client(world, who, store=None):
    return ResearchClient(world.suite, world.sender(who) if who else None, store)


def mint(world, who, amount=10**12):
    TokenClient(world.suite, world.sender("governance")).mint(world.address(who), amount)


@dataclass
class Setup:
    version: int
    build: DatasetBuild
    steward: ResearchClient
    university: ResearchClient
    store: EmbeddedStore


@pytest.fixture
def store(tmp_path):
    return EmbeddedStore(tmp_path / "ipfs")


def make_dataset(world, store, *, publish=True, price=PRICE, share=SHARE, patients=CONSENTING, previous=0, build=None):
    for p in patients:
        grant(world, p)
    steward = client(world, "hospital_a", store)
    build = build or steward.build_dataset(steward_records(world), FIELDS, LAB)
    version, _ = steward.register_dataset(build, categories=LAB, price=price, steward_share_bps=share,
                                          licence_duration=YEAR, previous_version=previous)
    steward.contribute_all(version, build)
    if publish:
        steward.publish(version)
    mint(world, "university")
    return Setup(version, build, steward, client(world, "university", store), store)


@pytest.fixture
def draft(world, store):
    return make_dataset(world, store, publish=False)


@pytest.fixture
def published(world, store):
    return make_dataset(world, store)


def at(world, ts, who, fname, *args, contract="ResearchDataLicensing", gas=400_000):
    """Send ``fname(*args)`` mined in a block at timestamp ``ts`` (explicit gas: no estimate)."""
    world.chain.set_next_block_timestamp(ts)
    c = world.suite.contract(contract)
    receipt = world.sender(who).transact(getattr(c.functions, fname)(*args), gas=gas)
    assert world.chain.w3.eth.get_block(receipt.block_number)["timestamp"] == ts
    return receipt


def fails_at(world, ts, error, who, fname, *args, contract="ResearchDataLicensing"):
    """``fname`` fails in a block at ``ts``; where the backend's replay decodes the revert, it is ``error``."""
    from medchain.core.errors import TransactionError

    with pytest.raises(TransactionError) as info:
        at(world, ts, who, fname, *args, contract=contract)
    if isinstance(info.value, ContractRevert):
        assert info.value.name == error, str(info.value)
    assert world.chain.now() == ts
