"""The access-control matrix: every state-changing function of every contract, called as every
actor, passes for exactly the actors documented in ``tests.security.access_matrix`` (and
docs/access-control.md); every other actor is refused with the documented error."""

from __future__ import annotations

import pytest

from medchain.core.deploy import SUITE
from medchain.core.errors import ContractRevert
from tests.conftest import ROOT
from tests.security import access_matrix as am

CASES = [(c, f) for c, rules in am.MATRIX.items() for f in sorted(rules)]


@pytest.mark.parametrize("contract", sorted(am.MATRIX))
def test_every_state_changing_function_is_in_the_matrix(contract):
    assert sorted(am.MATRIX[contract]) == am.state_changing(contract)


def test_every_suite_contract_is_in_the_matrix_or_pending():
    names = {spec.name for spec in SUITE}
    assert names - set(am.MATRIX) - set(am.PENDING) == set(), "add a MATRIX entry for each new contract"
    assert set(am.MATRIX).isdisjoint(am.PENDING)


def test_the_committed_doc_is_current():
    assert (ROOT / "docs" / "access-control.md").read_text() == am.render(), \
        "run `python -m tests.security.access_matrix > docs/access-control.md`"


@pytest.mark.both_backends
@pytest.mark.parametrize("contract,function", CASES, ids=[f"{c}.{f}" for c, f in CASES])
def test_exactly_the_documented_actors_pass(world, contract, function):
    rule = am.MATRIX[contract][function]
    env = am.Env(world)
    env.prepare()
    outcome = {}
    for actor in am.ACTORS:
        snap = world.chain.snapshot()
        try:
            if rule.prepare is not None:
                rule.prepare(env, actor)
            env.send(actor, contract, function, *rule.args(env, actor))
            outcome[actor] = "pass"
        except ContractRevert as exc:
            outcome[actor] = exc.name if exc.name in rule.denied else f"unexpected {exc}"
        finally:
            world.chain.revert(snap)
    refused = " or ".join(rule.denied) or "(nobody is refused)"
    expected = {a: "pass" if a in rule.allowed else (outcome[a] if outcome[a] in rule.denied else refused)
                for a in am.ACTORS}
    assert outcome == expected


def test_the_suspended_actor_holds_every_role_but_passes_no_check(world):
    env = am.Env(world)
    env.prepare()
    registry = env.contract("ParticipantRegistry")
    kind, suspended, roles = registry.functions.participant(env.address("suspended")).call()[:3]
    assert (kind, suspended, roles) == (1, True, 0xFF)
    assert not registry.functions.hasAnyRole(env.address("suspended"), 0xFF).call()
