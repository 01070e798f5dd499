"""Claims fixtures: the scenario's insurer set-up (plan, catalogue, network, reviewer, consent,
funded pool) built once per module on the shared world, restored before every test."""

from __future__ import annotations

import pytest

from medchain.claims import ClaimsClient
from medchain.scenarios.claims import setup

M = 10**6  # base units per MCUSD


@pytest.fixture(scope="module")
def _claims_base(_deployed):
    snap = _deployed.chain.snapshot()
    built = setup(_deployed)
    yield built
    _deployed.chain.revert(snap)


@pytest.fixture
def cw(_claims_base, world):
    """The claims world (``cw.insurer``, ``cw.hospital``, ``cw.pharmacy``, ``cw.reviewer``, ``cw.plan``…)."""
    return _claims_base


def client(world, who):
    return ClaimsClient(world.suite, world.sender(who) if isinstance(who, str) else who)


def new_plan(world, cw, patient="patient_1", start=None, end=None, **terms):
    """A plan of the insurer with ``terms`` (money; defaults: deductible 100, 20 %, OOP 300,
    benefit 500, copays consultation 20 / pharmacy 10), the patient enrolled for the year."""
    base = {"deductible": "100", "out_of_pocket_max": "300", "benefit_limit": "500", "coinsurance": 20,
            "copays": {"consultation": "20", "pharmacy": "10"}}
    plan = cw.insurer.define_plan({**base, **terms})
    from medchain.scenarios.claims import year_bounds

    s, e = year_bounds(cw.service_date)
    cw.insurer.enrol(plan, world.address(patient), start if start is not None else s, end if end is not None else e)
    return plan


def claim(world, cw, lines, plan=None, diagnoses=("E11.9",), patient="patient_1", when=None):
    return {"patient": world.address(patient), "plan": plan or cw.plan, "service_date": cw.service_date if when is None else when,
            "diagnoses": list(diagnoses), "lines": [{"code": c, "quantity": q, "billed": b} for c, q, b in lines]}
