"""Faults on the core: a node that dies in the middle of a batch or a transaction, a dropped or
replaced transaction, an IPFS node that is down or too slow. The client fails with one clear typed
error and the work can be resumed without duplicating what is already on chain."""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import threading
import time

import pytest

from medchain.consent import ConsentClient, RecordsClient
from medchain.core.accounts import dev_account
from medchain.core.chain import LocalNode, connect, free_port
from medchain.core.contracts import load_artifact
from medchain.core.crypto import KeyVault
from medchain.core.errors import ChainError, StorageError, StorageTimeoutError, StorageUnavailableError, TransactionError
from medchain.core.storage import EmbeddedStore, KuboStore, compute_cid
from medchain.core.tx import Sender, call
from medchain.participants import Role, encryption_key_of
from medchain.scenarios.consent import HBA1C, hba1c
from tests.conftest import require_node_tool

pytestmark = pytest.mark.both_backends  # failures seen through each node (tests/conftest.py)

ORGS = [(dev_account(i).address, f"Org {i}", int(Role.HOSPITAL), encryption_key_of(dev_account(i))) for i in range(1, 13)]


class PersistentAnvil(LocalNode):
    """An Anvil that writes its state when it is stopped and can start again from it."""

    def __init__(self, state, port=None):
        super().__init__("anvil", port)
        self.state = state

    def command(self):
        extra = ["--dump-state", str(self.state)]
        if self.state.exists():
            extra += ["--load-state", str(self.state)]
        return [a for a in super().command() if a != "--prune-history"] + extra


def registry_on(chain, gov, address=None):
    art = load_artifact("ParticipantRegistry")
    if address is None:
        address = gov.deploy(art["bytecode"], art["abi"], gov.address).contract_address
    return chain.w3.eth.contract(address=address, abi=art["abi"])


def register_missing(chain, registry, gov):
    """The idempotent step a resumed scenario runs: register whoever is not registered yet."""
    with gov.bulk() as batch:
        for org in ORGS:
            if registry.functions.participant(org[0]).call()[0] == 0:
                batch.add(registry.functions.registerOrganization(*org))
    return len(batch.hashes)


@pytest.mark.anvil
def test_anvil_killed_mid_batch_fails_clearly_and_the_batch_resumes_without_duplicates(tmp_path):
    require_node_tool("anvil")
    node = PersistentAnvil(tmp_path / "state.json")
    node.start()
    try:
        chain = connect(node.url)
        gov = Sender(chain, dev_account(0))
        registry = registry_on(chain, gov)
        batch = gov.bulk()
        batch.batch_size = 4
        with pytest.raises(ChainError, match=node.url):
            for i, org in enumerate(ORGS):
                batch.add(registry.functions.registerOrganization(*org))
                if i == 5:  # four sent, two signed and queued: the node goes away
                    node.stop()
        landed = 4
    finally:
        node.stop()
    node.start()  # same port, state as it was when the node stopped
    try:
        chain = connect(node.url)
        gov = Sender(chain, dev_account(0))
        registry = registry_on(chain, gov, registry.address)
        assert sum(registry.functions.participant(o[0]).call()[0] == 1 for o in ORGS) == landed
        assert register_missing(chain, registry, gov) == len(ORGS) - landed
        assert all(registry.functions.participant(o[0]).call()[0] == 1 for o in ORGS)
        assert register_missing(chain, registry, gov) == 0
    finally:
        node.stop()


@pytest.mark.anvil
def test_anvil_killed_mid_scenario_fails_clearly_and_the_scenario_resumes_without_duplicates(tmp_path):
    """The participants scenario's directory build (the step every other scenario starts with) is cut
    by a dying node; run again on the same deployment, it finishes and registers nobody twice."""
    from medchain.core.deploy import deploy
    from medchain.scenarios import CAST, ScenarioContext
    from medchain.scenarios.participants import ORGANISATIONS, PATIENTS, setup

    require_node_tool("anvil")
    node = PersistentAnvil(tmp_path / "state.json")
    cast = len(ORGANISATIONS) + len(PATIENTS)

    def context():
        chain = connect(node.url)
        gov = Sender(chain, dev_account(CAST["governance"]))
        report = deploy(chain, gov, directory=tmp_path / "deployments")
        ctx = ScenarioContext(chain, report.suite, tmp_path, log=lambda _: None)
        ctx._senders["governance"] = gov
        return chain, report, ctx

    def registered(registry):
        orgs = [e["args"]["account"] for e in registry.events.OrganizationRegistered().get_logs(from_block=0)]
        patients = [e["args"]["patient"] for e in registry.events.PatientRegistered().get_logs(from_block=0)]
        return orgs, patients

    node.start()
    try:
        chain, report, ctx = context()
        stop_at = chain.w3.eth.block_number + cast // 2  # halfway through the cast's registrations

        def kill_halfway():
            while chain.w3.eth.block_number < stop_at:
                time.sleep(0.002)
            node.stop()

        killer = threading.Thread(target=kill_halfway)
        killer.start()
        with pytest.raises(ChainError, match=node.url):
            setup(ctx)
        killer.join()
    finally:
        node.stop()
    node.start()  # same port, the state it had when it died
    try:
        chain, again, ctx = context()
        assert again.deployed == [] and set(again.reused) == set(report.deployed)
        registry = ctx.suite.contract("ParticipantRegistry")
        assert 0 < sum(map(len, registered(registry))) < cast  # some landed before the node died, not all
        setup(ctx)
        orgs, patients = registered(registry)
        assert sorted(orgs) == sorted(ctx.address(r) for r, _, _ in ORGANISATIONS)  # each exactly once
        assert sorted(patients) == sorted(ctx.address(r) for r in PATIENTS)
    finally:
        node.stop()


@pytest.mark.anvil
@pytest.mark.parametrize("gas", [None, 200_000], ids=["estimated", "fixed-gas"])
def test_a_node_killed_before_a_transaction_is_a_chain_error(gas):
    require_node_tool("anvil")
    chain = connect("anvil")
    gov = Sender(chain, dev_account(0))
    registry = registry_on(chain, gov)
    os.killpg(chain._process.process.pid, signal.SIGKILL)
    try:
        with pytest.raises(ChainError, match="stopped answering|cannot be reached"):
            gov.transact(registry.functions.registerOrganization(*ORGS[0]), gas=gas)
    finally:
        chain.close()


@pytest.fixture
def anvil_no_automine():
    require_node_tool("anvil")
    chain = connect("anvil")
    chain._rpc("evm_setAutomine", [False])
    yield chain
    chain.close()


@pytest.mark.anvil
def test_a_dropped_transaction_is_noticed_and_its_nonce_recovered(anvil_no_automine):
    chain = anvil_no_automine
    gov = Sender(chain, dev_account(0))
    tx_hash = gov.send(to=dev_account(1).address, value=1, gas=21_000)
    chain._rpc("anvil_dropTransaction", [tx_hash])
    with pytest.raises(TransactionError, match="dropped or replaced"):
        gov.wait(tx_hash, timeout=0.5)
    assert chain.nonces.get(gov.address) is None  # forgotten: the next send re-reads it
    again = gov.send(to=dev_account(1).address, value=1, gas=21_000)
    chain.mine()
    receipt = gov.wait(again)
    assert chain.w3.eth.get_transaction(again)["nonce"] == 0 and receipt.status == 1


@pytest.mark.anvil
def test_a_replaced_transaction_is_noticed_and_the_sender_continues(anvil_no_automine):
    chain = anvil_no_automine
    gov = Sender(chain, dev_account(0))
    original = gov.send(to=dev_account(1).address, value=1, gas=21_000)
    # The same key replaces it elsewhere (another wallet, a higher fee): same nonce, another transaction.
    fees = {k: v * 3 for k, v in gov.fees().items()}
    replacement = dev_account(0).sign_transaction({"to": dev_account(2).address, "value": 2, "gas": 21_000, "nonce": 0,
                                                   "chainId": chain.chain_id, "type": 2, **fees})
    chain.w3.eth.send_raw_transaction(replacement.raw_transaction)
    chain.mine()
    with pytest.raises(TransactionError, match="dropped or replaced"):
        gov.wait(original, timeout=0.5)
    follow_up = gov.send(to=dev_account(1).address, value=1, gas=21_000)
    chain.mine()
    assert gov.wait(follow_up).status == 1 and chain.w3.eth.get_transaction(follow_up)["nonce"] == 1


class SlowHandler(http.server.BaseHTTPRequestHandler):
    """An IPFS API that answers too late, or starts answering and then stalls."""

    delay = 3.0
    stall_body = False

    def do_POST(self):  # noqa: N802 - http.server's naming
        if not self.stall_body:
            time.sleep(self.delay)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"partial")
            self.wfile.flush()
            time.sleep(self.delay)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_slowly(stall_body):
    handler = type("Handler", (SlowHandler,), {"stall_body": stall_body})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=[False, True], ids=["no-answer", "stalled-body"])
def slow_ipfs(request):
    with serve_slowly(request.param) as url:
        yield url


def test_a_slow_ipfs_node_times_out_with_a_storage_error(slow_ipfs):
    store = KuboStore(slow_ipfs, timeout=0.5)
    with pytest.raises(StorageError):
        store.add(b"record")
    with pytest.raises((StorageTimeoutError, StorageError)):
        store.cat(compute_cid(b"record"))


def test_a_slow_ipfs_node_never_yields_unverified_content(slow_ipfs):
    """A node that answers partially must not make a store return bytes that do not match the CID."""
    store = KuboStore(slow_ipfs, timeout=0.5)
    with pytest.raises(StorageError):
        store.cat(compute_cid(b"x" * 1000), timeout=0.5)


@pytest.fixture(params=["down", "no-answer", "stalled-body"])
def failing_ipfs(request):
    """An IPFS API that is down (nothing listens), or too slow: (its URL, the error a write gets).
    A node that stalls mid-answer may also drop the connection: any storage error naming it."""
    if request.param == "down":
        yield f"http://127.0.0.1:{free_port()}", StorageUnavailableError
        return
    with serve_slowly(request.param == "stalled-body") as url:
        yield url, StorageTimeoutError if request.param == "no-answer" else StorageError


def on_chain(world, patient):
    """Everything a record write could leave on chain: the patient's index, the anchor events, the writer's nonce."""
    registry = world.suite.contract("RecordRegistry")
    return (call(registry.functions.recordCount(patient)), len(registry.events.RecordAnchored().get_logs(from_block=0)),
            world.chain.w3.eth.get_transaction_count(world.address("hospital_a")))


@pytest.mark.parametrize("write", ["new", "amendment"])
def test_a_record_write_with_ipfs_down_or_slow_fails_clearly_and_anchors_nothing(world, tmp_path, failing_ipfs, write):
    url, error = failing_ipfs
    patient = world.address("patient_1")
    ConsentClient(world.suite, world.sender("patient_1")).grant(world.address("hospital_a"), "all", "treatment",
                                                                 "read,write")
    vault = KeyVault(tmp_path / "vault")
    good = RecordsClient(world.suite, world.sender("hospital_a"), EmbeddedStore(tmp_path / "ipfs"), vault)
    first = good.put(patient, HBA1C, "diabetes") if write == "amendment" else None
    keys = sorted(vault.root.glob("*.json"))
    before = on_chain(world, patient)
    writer = RecordsClient(world.suite, world.sender("hospital_a"), KuboStore(url, timeout=0.5), vault)
    with pytest.raises(error, match=url.removeprefix("http://")):
        if first is None:
            writer.put(patient, HBA1C, "diabetes")
        else:
            writer.amend(first.record_id, hba1c(7.0))
    assert on_chain(world, patient) == before  # no anchor, no event, not even a transaction sent
    assert sorted(vault.root.glob("*.json")) == keys  # and no data key handed out
    if first is not None:
        assert good.latest(first.record_id).record_id == first.record_id
