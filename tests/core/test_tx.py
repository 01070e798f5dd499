"""The transaction path: nonces, bulk mode, reverts, funds — on every backend."""

from __future__ import annotations

import pytest
from eth_account import Account

from medchain.core.accounts import dev_account
from medchain.core.errors import ContractRevert, InsufficientFundsError, TransactionError
from medchain.core.tx import BulkError, Sender, call, fetch_receipts
from medchain.participants import ParticipantsClient, Role, encryption_key_of

pytestmark = pytest.mark.both_backends  # transactions, nonces, revert decoding: each node's RPC


def _orgs(n, start=1000):
    accts = [Account.from_key((start + i).to_bytes(32, "big")) for i in range(n)]
    return [(a.address, encryption_key_of(a)) for a in accts]


def test_bulk_sends_many_transactions_in_flight_with_sequential_nonces(world):
    registry = world.suite.contract("ParticipantRegistry")
    gov = world.sender("governance")
    before = world.chain.w3.eth.get_transaction_count(gov.address)
    orgs = _orgs(150)
    with gov.bulk() as batch:
        for address, key in orgs:
            batch.add(registry.functions.registerOrganization(address, "Bulk Org", int(Role.PHARMACY), key))
    assert len(batch.receipts) == 150 and all(r.status == 1 for r in batch.receipts)
    assert world.chain.w3.eth.get_transaction_count(gov.address) == before + 150
    assert all(call(registry.functions.hasRole(a, int(Role.PHARMACY))) for a, _ in orgs)


def test_a_failing_transaction_in_a_batch_is_reported_and_the_others_land(world):
    registry = world.suite.contract("ParticipantRegistry")
    orgs = _orgs(3)
    batch = world.sender("governance").bulk()
    batch.add(registry.functions.registerOrganization(orgs[0][0], "A", 1, orgs[0][1]))
    batch.add(registry.functions.registerOrganization(orgs[0][0], "A again", 1, orgs[0][1]), gas=300_000)
    batch.add(registry.functions.registerOrganization(orgs[1][0], "B", 1, orgs[1][1]))
    with pytest.raises(BulkError) as info:
        batch.wait()
    assert list(info.value.failures) == [1]
    assert isinstance(info.value.failures[1], ContractRevert) and info.value.failures[1].name == "ParticipantAlreadyRegistered"
    assert call(registry.functions.hasRole(orgs[1][0], 1))


def test_a_mined_revert_is_decoded(world):
    registry = world.suite.contract("ParticipantRegistry")
    with pytest.raises(ContractRevert) as info:
        world.sender("hospital_a").transact(registry.functions.suspend(world.address("pharmacy"), b"\0" * 32), gas=200_000)
    assert info.value.name == "NotGovernanceOrRegulator"
    assert info.value.args_by_name == {"account": world.address("hospital_a")}


def test_the_sender_recovers_when_its_nonce_was_used_elsewhere(world):
    gov = world.sender("governance")
    p = ParticipantsClient(world.suite, gov)
    p.set_roles(world.address("hospital_a"), "hospital")  # caches the nonce
    # The same key sends a transaction through another path: the cached nonce is now stale.
    w3 = world.chain.w3
    tx = {"to": gov.address, "value": 0, "gas": 21000, "chainId": world.chain.chain_id,
          "nonce": w3.eth.get_transaction_count(gov.address), **gov.fees()}
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(dev_account(0).sign_transaction(tx).raw_transaction))
    receipt = p.set_roles(world.address("hospital_a"), "hospital,researcher")
    assert receipt.status == 1 and p.get(world.address("hospital_a")).roles == Role.HOSPITAL | Role.RESEARCHER


def test_a_dropped_transaction_frees_its_nonce_after_resync(world):
    gov = world.sender("governance")
    gov.resync_nonce()
    world.chain.nonces[gov.address] = world.chain.w3.eth.get_transaction_count(gov.address) + 3  # a gap
    gov.resync_nonce()
    assert ParticipantsClient(world.suite, gov).set_roles(world.address("hospital_a"), "hospital").status == 1


def test_an_unfunded_account_gets_a_clear_error(world):
    broke = Sender(world.chain, Account.create())
    with pytest.raises(InsufficientFundsError, match="cannot pay"):
        broke.transact(to=world.address("hospital_a"), value=10**18, gas=21000)


def test_views_raise_decoded_reverts(world):
    registry = world.suite.contract("ParticipantRegistry")
    with pytest.raises(ContractRevert, match=r"ParticipantNotRegistered\(account=0x"):
        call(registry.functions.encryptionKey(dev_account(19).address))


def test_a_bulk_batch_rebroadcasts_a_transaction_the_node_dropped(world):
    if world.chain.kind == "embedded":
        pytest.skip("the embedded chain mines every transaction as it is sent; only a node's pool can drop one")
    w3, registry, gov = world.chain.w3, world.suite.contract("ParticipantRegistry"), world.sender("governance")
    orgs = _orgs(4, start=3000)
    batch = gov.bulk()
    for address, key in orgs:
        batch.add(registry.functions.registerOrganization(address, "Dropped", int(Role.PHARMACY), key), gas=400_000)
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        batch.flush()
        w3.provider.make_request("anvil_dropTransaction", [batch.hashes[1]])  # a gap: nonces 2 and 3 now wait behind it
        w3.provider.make_request("evm_setIntervalMining", [1])
        receipts = batch.wait()
    finally:
        w3.provider.make_request("evm_setIntervalMining", [0])
        w3.provider.make_request("evm_setAutomine", [True])
    assert [r.status for r in receipts] == [1, 1, 1, 1]
    assert all(call(registry.functions.hasRole(a, int(Role.PHARMACY))) for a, _ in orgs)


class _Node:
    """A node that mines nothing until a rebroadcast, to test the stall logic without a chain."""

    def __init__(self):
        self.resent: list[list[str]] = []

    def make_batch_request(self, requests):
        return [{"id": i, "result": {"h": h} if self.resent else None} for i, (_, [h]) in enumerate(requests)]


def test_receipts_that_stall_are_rebroadcast_once_per_stall_in_order():
    node = _Node()
    w3 = type("W3", (), {"provider": node})()
    found = fetch_receipts(w3, ["0xa", "0xb"], timeout=5, stall=0.05, resend=node.resent.append)
    assert node.resent == [["0xa", "0xb"]] and set(found) == {"0xa", "0xb"}


def test_receipts_that_never_come_time_out_with_the_count():
    node = _Node()
    w3 = type("W3", (), {"provider": node})()
    with pytest.raises(TransactionError, match="2 transactions were not mined within 0 s"):
        fetch_receipts(w3, ["0xa", "0xb"], timeout=0.1, stall=10, resend=node.resent.append)
    assert node.resent == []
