"""Settlement: the pool, pull payments, never paying twice or more than the pool holds, and
reconciliation to the cent (hostile tokens and re-entrant receivers: tests/security/test_attacks.py)."""

from __future__ import annotations

import pytest

from medchain.core.contracts import load_artifact
from medchain.core.errors import ClaimsError
from medchain.core.token import TokenClient
from medchain.core.tx import events
from medchain.participants import ParticipantsClient, Role
from tests.helpers import reverts

from .conftest import M, claim

INPATIENT = "CPT:99223"


def paid_claim(world, cw, billed="300", who=None):
    """An approved inpatient claim; the patient's deductible (100) is taken on the first."""
    return (who or cw.hospital).submit(claim(world, cw, [(INPATIENT, 1, billed)]))


def test_funding_credits_the_pool(world, cw):
    before = cw.insurer.pool(world.address("insurer"))["balance"]
    TokenClient(world.suite, world.sender("governance")).mint(world.address("insurer"), 250 * M)
    receipt = cw.insurer.fund("250")
    assert cw.insurer.pool(world.address("insurer"))["balance"] == before + 250 * M
    assert events(cw.insurer.contract, "PoolFunded", receipt)[0]["amount"] == 250 * M


def test_only_insurers_fund_and_amounts_are_positive(world, cw):
    c = world.suite.contract("ClaimAdjudication").functions
    reverts("MissingRole", world.sender("hospital_a").transact, c.fund(1)).with_args(
        account=world.address("hospital_a"), role=int(Role.INSURER))
    assert reverts("ZeroAmount", world.sender("insurer").transact, c.fund(0)) == {}
    assert reverts("ZeroAmount", world.sender("insurer").transact, c.defund(0)) == {}
    assert reverts("ZeroAmount", world.sender("hospital_a").transact, c.withdraw(world.address("insurer"), 0)) == {}


def test_a_pool_above_2_to_the_128_is_refused(world, cw):
    TokenClient(world.suite, world.sender("governance")).mint(world.address("insurer"), 2**128)
    world.sender("insurer").transact(cw.insurer.token.functions.approve(cw.insurer.contract.address, 2**128))
    reverts("AmountTooLarge", world.sender("insurer").transact, cw.insurer.contract.functions.fund(2**128)).with_args(2**128)


def test_a_provider_withdraws_what_it_is_owed_once(world, cw):
    r = paid_claim(world, cw)
    token = TokenClient(world.suite)
    before = token.balance(world.address("hospital_a"))
    receipt = cw.hospital.withdraw(world.address("insurer"))
    assert token.balance(world.address("hospital_a")) - before == r.payer_total == 160 * M
    assert events(cw.insurer.contract, "Withdrawn", receipt)[0]["amount"] == 160 * M
    assert cw.insurer.pool(world.address("insurer")) == {"balance": 4840 * M, "outstanding": 0}
    with pytest.raises(ClaimsError, match="owes"):
        cw.hospital.withdraw(world.address("insurer"))
    args = reverts("InsufficientOwed", cw.hospital.withdraw, world.address("insurer"), "1")
    assert (args["owed"], args["requested"]) == (0, M)


def test_a_partial_withdrawal_leaves_the_rest_owed(world, cw):
    paid_claim(world, cw)
    cw.hospital.withdraw(world.address("insurer"), "60.5")
    assert cw.hospital.owed(world.address("insurer"), world.address("hospital_a")) == 99_500_000


def test_the_pool_never_pays_more_than_it_holds(world, cw):
    cw.insurer.defund("5000")
    paid_claim(world, cw)
    args = reverts("InsufficientPool", cw.hospital.withdraw, world.address("insurer"))
    assert (args["available"], args["requested"]) == (0, 160 * M)
    TokenClient(world.suite, world.sender("governance")).mint(world.address("insurer"), 100 * M)
    cw.insurer.fund("100")
    cw.hospital.withdraw(world.address("insurer"), "100")
    assert cw.insurer.pool(world.address("insurer")) == {"balance": 0, "outstanding": 60 * M}


def test_an_insurer_takes_back_only_what_no_provider_is_owed(world, cw):
    paid_claim(world, cw)
    args = reverts("InsufficientPool", cw.insurer.defund, "4841")
    assert (args["available"], args["requested"]) == (4840 * M, 4841 * M)
    cw.insurer.defund("4840")
    assert cw.insurer.pool(world.address("insurer")) == {"balance": 160 * M, "outstanding": 160 * M}


def test_a_suspended_provider_still_collects_what_it_is_owed(world, cw):
    paid_claim(world, cw)
    ParticipantsClient(world.suite, world.sender("regulator")).suspend(world.address("hospital_a"), "audit")
    cw.hospital.withdraw(world.address("insurer"))
    assert cw.hospital.owed(world.address("insurer"), world.address("hospital_a")) == 0


def test_reconciliation_balances_to_the_cent(world, cw):
    paid_claim(world, cw, "333.33")
    paid_claim(world, cw, "123.45", cw.hospital)
    cw.pharmacy.submit(claim(world, cw, [("NDC:0002-8215-01", 3, "99.99")]))
    cw.pharmacy.withdraw(world.address("insurer"))
    cw.hospital.withdraw(world.address("insurer"), "1.01")
    rec = cw.insurer.reconcile()
    assert rec.balanced, rec.mismatches
    assert {r["name"]: r["owed"] for r in rec.providers} == {
        "Hospital A (Shanghai General)": cw.hospital.owed(world.address("insurer"), world.address("hospital_a")),
        "Corner Pharmacy": 0}
    assert "BALANCED" in rec.table()


def test_reconciliation_reports_tokens_that_no_pool_accounts_for(world, cw):
    TokenClient(world.suite, world.sender("governance")).mint(cw.insurer.contract.address, 1)
    rec = cw.insurer.reconcile()
    assert not rec.balanced and "holds" in rec.mismatches[0]


# Re-entrant receivers and tokens answering false: tests/security/test_attacks.py (every withdrawal).


def test_deploying_without_a_token_is_refused(world):
    art = load_artifact("ClaimAdjudication")
    reverts("ZeroAddress", world.sender("governance").deploy, art["bytecode"], art["abi"],
            world.suite.address("ParticipantRegistry"), world.suite.address("ConsentRegistry"), "0x" + "00" * 20)
