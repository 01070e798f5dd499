"""Fixtures of the record tests: an off-chain store and key vault per test, and one js-ipfs daemon
for the session (the record flow against a real IPFS node)."""

from __future__ import annotations

import pytest

from medchain.core.crypto import KeyVault
from medchain.core.errors import StorageUnavailableError
from medchain.core.ipfs_daemon import JsIpfsDaemon, find_jsipfs
from medchain.core.storage import EmbeddedStore


@pytest.fixture(scope="session")
def jsipfs():
    """One js-ipfs daemon (own repo, free ports, offline) for the whole session."""
    try:
        path = find_jsipfs()
    except StorageUnavailableError as exc:
        pytest.skip(f"js-ipfs daemon unavailable: {exc}")
    with JsIpfsDaemon(path) as daemon:
        yield daemon


@pytest.fixture
def store(tmp_path):
    return EmbeddedStore(tmp_path / "ipfs")


@pytest.fixture
def vault(tmp_path):
    return KeyVault(tmp_path / "vault")
