"""KuboStore and IpfsHttpClientStore against a real js-ipfs daemon (Kubo RPC)."""

from __future__ import annotations

import json
import random
import socket
import time

import ipfshttpclient
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from medchain.core.errors import (
    IntegrityError,
    InvalidCIDError,
    StorageTimeoutError,
    StorageUnavailableError,
)
from medchain.core.ipfs_daemon import JsIpfsDaemon, find_jsipfs
from medchain.core.storage import (
    ContentStore,
    EmbeddedStore,
    IpfsHttpClientStore,
    KuboStore,
    compute_cid,
    normalise_cid,
)

ABSENT = "bafkreie7q3iidccmpvszul7kudcvvuavuo7u6gzlbobczuk5nqk3b4akba"
SIZES = [0, 1, 12, 262143, 262144, 262145, 2**20, 3 * 2**20 + 7]


def pattern(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rpc(daemon: JsIpfsDaemon, command: str, **params) -> dict:
    """Ask the daemon directly, bypassing the code under test."""
    resp = requests.post(f"{daemon.api_url}/api/v0/{command}", params=params, timeout=30)
    return {"status": resp.status_code, "body": resp.text}


# ------------------------------------------------------------- CID agreement


@pytest.mark.ipfs
@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("size", SIZES)
def test_same_cid_everywhere(ipfs_daemon, tmp_path, size, version):
    data = pattern(size, seed=size)
    node = KuboStore(ipfs_daemon.api_url, cid_version=version, timeout=60)
    disk = EmbeddedStore(tmp_path, cid_version=version)
    cid = node.add(data)
    assert cid == disk.add(data) == compute_cid(data, cid_version=version)
    # the daemon's own answer, unfiltered by KuboStore's checks
    resp = requests.post(f"{ipfs_daemon.api_url}/api/v0/add", params={
        "cid-version": version, "pin": "false"},
        files={"file": ("f", data, "application/octet-stream")}, timeout=60)
    assert normalise_cid(resp.json()["Hash"]) == cid
    assert node.cat(cid) == data == disk.cat(cid)


@pytest.mark.ipfs
def test_cidv1_raw_leaves_vector_from_daemon(ipfs_daemon):
    resp = requests.post(f"{ipfs_daemon.api_url}/api/v0/add",
                         params={"cid-version": "1"},
                         files={"file": ("f", b"hello world\n", "text/plain")}, timeout=30)
    daemon_cid = normalise_cid(resp.json()["Hash"])
    assert daemon_cid == "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
    assert compute_cid(b"hello world\n", cid_version=1) == daemon_cid


@pytest.mark.ipfs
@pytest.mark.parametrize("version, raw", [(0, True), (1, False)])
def test_non_default_leaf_formats_agree(ipfs_daemon, version, raw):
    data = pattern(700_000, seed=7)
    node = KuboStore(ipfs_daemon.api_url, cid_version=version, raw_leaves=raw, timeout=60)
    cid = node.add(data)
    assert cid == compute_cid(data, cid_version=version, raw_leaves=raw)
    assert node.cat(cid) == data


@pytest.mark.ipfs
def test_over_one_link_level(ipfs_daemon, tmp_path):
    """175 chunks (~45 MB): the root has two children, the second wraps one leaf."""
    data = pattern(174 * 262144 + 1, seed=175)
    for version in (0, 1):
        node = KuboStore(ipfs_daemon.api_url, cid_version=version, timeout=120)
        disk = EmbeddedStore(tmp_path / f"v{version}", cid_version=version)
        cid = node.add(data, pin=False)
        assert cid == disk.add(data) == compute_cid(data, cid_version=version)
        assert node.cat(cid) == data
        assert disk.cat(cid) == data


@pytest.mark.ipfs
@settings(max_examples=8, deadline=None)
@given(size=st.integers(0, 600_000), seed=st.integers(0, 2**32), version=st.sampled_from([0, 1]))
def test_random_sizes_match_daemon(ipfs_daemon, size, seed, version):
    data = pattern(size, seed)
    node = KuboStore(ipfs_daemon.api_url, cid_version=version, timeout=60)
    assert node.add(data, pin=False) == compute_cid(data, cid_version=version)


# ---------------------------------------------------------------- operations


@pytest.mark.ipfs
def test_round_trip_and_canonical_cids(kubo, kubo_v1):
    assert isinstance(kubo, ContentStore)
    for store in (kubo, kubo_v1):
        data = pattern(1000, seed=store.cid_version)
        cid = store.add(data)
        assert cid == normalise_cid(cid)  # js-ipfs answers v1 in base58; we return base32
        assert store.cat(cid) == data and store.has(cid)
    # any spelling of a CID works
    cid = kubo_v1.add(b"hello world\n")
    assert kubo_v1.cat("zb2rhi36Gc9GJWijLEL6zW45MBux5FcFv5gJmjXA7VAMozEXY") == b"hello world\n"
    assert kubo_v1.cat(cid.upper()) == b"hello world\n"


@pytest.mark.ipfs
def test_pin_unpin_and_gc(ipfs_daemon, kubo):
    data = pattern(300_000, seed=42)
    cid = kubo.add(data, pin=False)
    assert not kubo.is_pinned(cid)
    kubo.pin(cid)
    assert kubo.is_pinned(cid)
    assert cid in json.loads(rpc(ipfs_daemon, "pin/ls", type="recursive")["body"])["Keys"]
    rpc(ipfs_daemon, "repo/gc")
    assert kubo.cat(cid) == data  # pinned content survives gc
    kubo.unpin(cid)
    kubo.unpin(cid)  # idempotent
    assert not kubo.is_pinned(cid)
    rpc(ipfs_daemon, "repo/gc")
    assert not kubo.has(cid, timeout=0.5)
    with pytest.raises(StorageTimeoutError):
        kubo.cat(cid, timeout=1)
    kubo.add(data)  # adding again restores and pins it
    assert kubo.is_pinned(cid) and kubo.cat(cid) == data


@pytest.mark.ipfs
def test_unknown_cid_times_out_quickly(ipfs_daemon):
    store = KuboStore(ipfs_daemon.api_url, timeout=1)
    started = time.monotonic()
    with pytest.raises(StorageTimeoutError, match="timed out"):
        store.cat(ABSENT)
    with pytest.raises(StorageTimeoutError):
        store.pin(ABSENT)
    assert not store.has(ABSENT, timeout=0.5)
    assert time.monotonic() - started < 8


@pytest.mark.parametrize("method", ["cat", "pin", "unpin", "has", "is_pinned"])
def test_invalid_cid_is_rejected_before_the_node(method):
    store = KuboStore(f"http://127.0.0.1:{free_port()}")  # nobody there: must not be called
    with pytest.raises(InvalidCIDError):
        getattr(store, method)("QmNotACid")


class Tamper(requests.adapters.HTTPAdapter):
    """Transport that alters the daemon's answers to one RPC command."""

    def __init__(self, command, edit):
        super().__init__()
        self.command, self.edit = command, edit

    def send(self, request, **kwargs):
        resp = super().send(request, **kwargs)
        if f"/api/v0/{self.command}?" in request.url:
            resp._content = self.edit(resp.content)
        return resp


def lying_store(daemon, command, edit):
    session = requests.Session()
    session.mount("http://", Tamper(command, edit))
    return KuboStore(daemon.api_url, session=session)


@pytest.mark.ipfs
def test_wrong_cid_from_node_raises_integrity_error(ipfs_daemon):
    other = compute_cid(b"something else")
    store = lying_store(ipfs_daemon, "add", lambda body: json.dumps(
        {**json.loads(body), "Hash": other}).encode())
    with pytest.raises(IntegrityError, match=other):
        store.add(b"the record")


@pytest.mark.ipfs
@pytest.mark.parametrize("size", [12, 500_000])
def test_wrong_bytes_from_node_raise_integrity_error(ipfs_daemon, kubo, size):
    cid = kubo.add(pattern(size, seed=size))
    store = lying_store(ipfs_daemon, "cat", lambda body: body[:-1] + bytes([body[-1] ^ 1]))
    with pytest.raises(IntegrityError, match="bad content"):
        store.cat(cid)


def test_connection_refused_names_the_url():
    url = f"http://127.0.0.1:{free_port()}"
    store = KuboStore(url, timeout=2)
    for call in (lambda: store.add(b"x"), lambda: store.cat(ABSENT), store.version):
        with pytest.raises(StorageUnavailableError, match=url):
            call()


def test_silent_node_times_out():
    with socket.socket() as server:  # accepts connections (backlog), never answers
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        store = KuboStore(f"http://127.0.0.1:{server.getsockname()[1]}", timeout=0.5)
        started = time.monotonic()
        with pytest.raises(StorageTimeoutError):
            store.add(b"x")
        assert time.monotonic() - started < 5


@pytest.mark.ipfs
def test_daemon_down_then_up(tmp_path):
    try:
        jsipfs = find_jsipfs()
    except StorageUnavailableError as exc:
        pytest.skip(str(exc))
    with JsIpfsDaemon(jsipfs) as daemon:
        store = KuboStore(daemon.api_url, timeout=10)
        cid = store.add(b"survives a restart")
        url = daemon.api_url
        daemon.stop()
        assert not daemon.running
        with pytest.raises(StorageUnavailableError, match=url):
            store.add(b"while down")
        with pytest.raises(StorageUnavailableError):
            store.cat(cid)
        daemon.start()
        assert daemon.api_url == url and daemon.running
        assert store.cat(cid) == b"survives a restart"
        repo = daemon.repo
    assert not daemon.running and not repo.exists()


def test_daemon_start_failure_is_reported(tmp_path):
    fake = tmp_path / "jsipfs"
    fake.write_text("#!/bin/sh\necho 'repo is broken' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(StorageUnavailableError, match="repo is broken"), \
            JsIpfsDaemon(fake, repo=tmp_path / "repo"):
        pass
    with pytest.raises(StorageUnavailableError, match="not found"):
        find_jsipfs(tmp_path / "missing")


# --------------------------------------------------------- ipfshttpclient


# ipfshttpclient 0.7 passes urllib3 an obsolete argument; not our concern here.
ipfshttpclient_warning = pytest.mark.filterwarnings("ignore:The 'strict' parameter:FutureWarning")


@pytest.fixture
def http_client(ipfs_daemon):
    port = ipfs_daemon.api_url.rsplit(":", 1)[1]
    client = ipfshttpclient.Client(f"/ip4/127.0.0.1/tcp/{port}/http")
    yield client
    client.close()


@pytest.mark.ipfs
@ipfshttpclient_warning
@pytest.mark.parametrize("version", [0, 1])
def test_ipfshttpclient_store(http_client, version):
    store = IpfsHttpClientStore(http_client, cid_version=version, timeout=30)
    assert isinstance(store, ContentStore) and "127.0.0.1" in store.name
    data = pattern(600_000, seed=version)
    cid = store.add(data, pin=False)
    assert cid == compute_cid(data, cid_version=version)
    assert store.cat(cid) == data and store.has(cid)
    assert not store.is_pinned(cid)
    store.pin(cid)
    assert store.is_pinned(cid)
    store.unpin(cid)
    store.unpin(cid)
    assert not store.is_pinned(cid)


@pytest.mark.ipfs
@ipfshttpclient_warning
def test_ipfshttpclient_store_errors(http_client):
    store = IpfsHttpClientStore(http_client, timeout=1)
    with pytest.raises(StorageTimeoutError):
        store.cat(ABSENT)
    assert not store.has(ABSENT, timeout=0.5)
    with pytest.raises(InvalidCIDError):
        store.cat("nope")
    dead = ipfshttpclient.Client(f"/ip4/127.0.0.1/tcp/{free_port()}/http")
    with pytest.raises(StorageUnavailableError):
        IpfsHttpClientStore(dead, timeout=2).add(b"x")
