"""Settlement: the pool, pull payments, never paying twice or more than the pool holds, hostile
tokens and re-entrant receivers, and reconciliation to the cent."""

from __future__ import annotations

import pytest

from medchain.accounts import dev_account
from medchain.claims import encode_code, encode_icd10
from medchain.contracts import decode_revert, load_artifact
from medchain.errors import ClaimsError
from medchain.participants import ParticipantsClient, encryption_key_of
from medchain.token import TokenClient
from medchain.tx import Sender, call, events

from .conftest import M, claim, reverts

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
    reverts("MissingRole", world.sender("hospital_a").transact, c.fund(1))
    reverts("ZeroAmount", world.sender("insurer").transact, c.fund(0))
    reverts("ZeroAmount", world.sender("insurer").transact, c.defund(0))
    reverts("ZeroAmount", world.sender("hospital_a").transact, c.withdraw(world.address("insurer"), 0))


def test_a_pool_above_2_to_the_128_is_refused(world, cw):
    TokenClient(world.suite, world.sender("governance")).mint(world.address("insurer"), 2**128)
    world.sender("insurer").transact(cw.insurer.token.functions.approve(cw.insurer.contract.address, 2**128))
    reverts("AmountTooLarge", world.sender("insurer").transact, cw.insurer.contract.functions.fund(2**128))


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


# ------------------------------------------------------------------ hostile token and receiver
@pytest.fixture
def hostile(world, cw):
    """A second ClaimAdjudication settling in HookToken, with a contract pharmacy that re-enters."""
    gov = world.sender("governance")
    owner = Sender(world.chain, dev_account(17))

    def deploy(name, *args, by=gov):
        art = load_artifact(name)
        return world.chain.w3.eth.contract(address=by.deploy(art["bytecode"], art["abi"], *args).contract_address, abi=art["abi"])

    token = deploy("HookToken")
    adj = deploy("ClaimAdjudication", world.suite.address("ParticipantRegistry"), world.suite.address("ConsentRegistry"),
                 token.address)
    robo = deploy("ReentrantProvider", by=owner)
    ParticipantsClient(world.suite, gov).register_organization(robo.address, "Robo Pharmacy", "pharmacy",
                                                               encryption_key_of(dev_account(17)))
    ins = world.sender("insurer")
    ins.transact(adj.functions.definePlan((0, 0, 10**12, 0, [0] * 8)))
    ins.transact(adj.functions.enroll(1, world.address("patient_1"), 0, 2**40 - 1))
    ins.transact(adj.functions.openCatalogueVersion(0))
    ins.transact(adj.functions.setCatalogueItems(1, [(encode_code("NDC:0002-8215-01"), True, 1, 1 << 1 | 1 << 10, 0, [])]))
    ins.transact(adj.functions.sealCatalogueVersion(1))
    ins.transact(adj.functions.setNetwork(robo.address, True))
    submit = adj.functions.submitClaim((world.address("patient_1"), 1, cw.service_date, [encode_icd10("E11.9")],
                                        [(encode_code("NDC:0002-8215-01"), 1, 50 * M)], b"\0" * 32))
    owner.transact(robo.functions.execute(adj.address, submit._encode_transaction_data()))
    ins.transact(token.functions.mint(world.address("insurer"), 1000 * M))
    ins.transact(token.functions.approve(adj.address, 1000 * M))
    ins.transact(adj.functions.fund(1000 * M))
    return token, adj, robo, owner


def test_a_reentrant_receiver_is_paid_once(world, hostile):
    token, adj, robo, owner = hostile
    insurer = world.address("insurer")
    withdraw = adj.functions.withdraw(insurer, 50 * M)._encode_transaction_data()
    owner.transact(robo.functions.arm(adj.address, withdraw))
    owner.transact(robo.functions.execute(adj.address, withdraw))
    assert call(robo.functions.attempts()) == 1 and not call(robo.functions.lastReentrySucceeded())
    assert decode_revert(call(robo.functions.lastReentryError())).name == "ReentrancyGuardReentrantCall"
    assert call(token.functions.balanceOf(robo.address)) == 50 * M
    assert call(adj.functions.owed(insurer, robo.address)) == 0
    assert tuple(call(adj.functions.pool(insurer))) == (950 * M, 0)


def test_a_reentrant_defund_during_a_withdrawal_is_refused(world, hostile):
    token, adj, robo, owner = hostile
    insurer = world.address("insurer")
    owner.transact(robo.functions.arm(adj.address, adj.functions.defund(1)._encode_transaction_data()))
    owner.transact(robo.functions.execute(adj.address, adj.functions.withdraw(insurer, 20 * M)._encode_transaction_data()))
    assert decode_revert(call(robo.functions.lastReentryError())).name == "ReentrancyGuardReentrantCall"


def test_a_token_that_fails_silently_is_caught(world, hostile):
    token, adj, robo, owner = hostile
    world.sender("insurer").transact(token.functions.setFailTransfers(True))
    args = reverts("SafeERC20FailedOperation", world.sender("insurer").transact, adj.functions.fund(M))
    assert args["token"] == token.address
    withdraw = adj.functions.withdraw(world.address("insurer"), 50 * M)._encode_transaction_data()
    reverts("SafeERC20FailedOperation", owner.transact, robo.functions.execute(adj.address, withdraw))
    assert call(adj.functions.owed(world.address("insurer"), robo.address)) == 50 * M  # nothing lost


def test_deploying_without_a_token_is_refused(world):
    art = load_artifact("ClaimAdjudication")
    reverts("ZeroAddress", world.sender("governance").deploy, art["bytecode"], art["abi"],
            world.suite.address("ParticipantRegistry"), world.suite.address("ConsentRegistry"), "0x" + "00" * 20)
