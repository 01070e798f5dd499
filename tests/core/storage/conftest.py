"""Fixtures for the IPFS storage tests: a js-ipfs daemon shared by the session."""

from __future__ import annotations

import pytest

from medchain.core.errors import StorageUnavailableError
from medchain.core.ipfs_daemon import JsIpfsDaemon, find_jsipfs
from medchain.core.storage import EmbeddedStore, KuboStore

try:
    JSIPFS = find_jsipfs()
except StorageUnavailableError as exc:
    JSIPFS = None
    _MISSING = f"js-ipfs daemon unavailable: {exc}"


@pytest.fixture(scope="session")
def ipfs_daemon():
    """One js-ipfs daemon for the whole session (own repo, free ports, offline)."""
    if JSIPFS is None:
        pytest.skip(_MISSING)
    with JsIpfsDaemon(JSIPFS) as daemon:
        yield daemon


@pytest.fixture
def kubo(ipfs_daemon):
    return KuboStore(ipfs_daemon.api_url, timeout=60)


@pytest.fixture
def kubo_v1(ipfs_daemon):
    return KuboStore(ipfs_daemon.api_url, timeout=60, cid_version=1)


@pytest.fixture
def embedded(tmp_path):
    return EmbeddedStore(tmp_path / "store")


@pytest.fixture
def embedded_v1(tmp_path):
    return EmbeddedStore(tmp_path / "store-v1", cid_version=1)
