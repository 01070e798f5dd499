"""EmbeddedStore (local disk) and open_store."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from medchain.core.errors import (
    ConfigurationError,
    ContentNotFoundError,
    IntegrityError,
    InvalidCIDError,
    StorageUnavailableError,
)
from medchain.core.storage import ContentStore, EmbeddedStore, KuboStore, compute_cid, open_store

ABSENT = "bafkreie7q3iidccmpvszul7kudcvvuavuo7u6gzlbobczuk5nqk3b4akba"


def pattern(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def object_path(store: EmbeddedStore, cid: str) -> Path:
    (path,) = (store.root / "objects").glob(f"*/{cid}")
    return path


@pytest.mark.parametrize("size", [0, 1, 12, 262144, 262145, 2**20 + 3])
@pytest.mark.parametrize("version", [0, 1])
def test_round_trip(tmp_path, size, version):
    store = EmbeddedStore(tmp_path, cid_version=version)
    data = pattern(size, seed=size)
    cid = store.add(data)
    assert cid == compute_cid(data, cid_version=version)
    assert store.has(cid) and store.is_pinned(cid)
    assert store.cat(cid) == data
    assert isinstance(store, ContentStore)
    assert store.name == f"embedded:{tmp_path}"


def test_files_are_written_atomically(embedded):
    cid = embedded.add(b"record")
    assert object_path(embedded, cid).read_bytes() == b"record"
    assert list((embedded.root / "tmp").iterdir()) == []  # no temp file left behind
    embedded.add(b"record")  # same content again: same object, still one file
    assert len(list((embedded.root / "objects").glob("*/*"))) == 1


def test_cat_accepts_any_form_of_the_cid(embedded_v1):
    cid = embedded_v1.add(b"hello world\n")
    assert embedded_v1.cat(cid.upper()) == b"hello world\n"
    assert embedded_v1.cat("zb2rhi36Gc9GJWijLEL6zW45MBux5FcFv5gJmjXA7VAMozEXY") == b"hello world\n"


@pytest.mark.parametrize("tamper", [
    lambda b: b[:-1] + bytes([b[-1] ^ 1]),  # one bit flipped
    lambda b: b + b"\0",                     # one byte appended
    lambda b: b"",                           # emptied
])
@pytest.mark.parametrize("size", [10, 600_000])
@pytest.mark.parametrize("version", [0, 1])
def test_tampered_blob_raises_integrity_error(tmp_path, tamper, size, version):
    embedded = EmbeddedStore(tmp_path, cid_version=version)
    data = pattern(size)
    cid = embedded.add(data)
    path = object_path(embedded, cid)
    path.write_bytes(tamper(path.read_bytes()))
    with pytest.raises(IntegrityError, match="altered"):
        embedded.cat(cid)


def test_blob_swapped_for_other_content_is_detected(embedded):
    a, b = embedded.add(b"patient A"), embedded.add(b"patient B")
    object_path(embedded, a).write_bytes(b"patient B")
    assert embedded.cat(b) == b"patient B"
    with pytest.raises(IntegrityError):
        embedded.cat(a)


def test_re_adding_repairs_a_tampered_blob(embedded):
    cid = embedded.add(b"consent form")
    object_path(embedded, cid).write_bytes(b"forged")
    embedded.add(b"consent form")
    assert embedded.cat(cid) == b"consent form"


def test_unknown_cid(embedded):
    assert not embedded.has(ABSENT)
    with pytest.raises(ContentNotFoundError, match=ABSENT):
        embedded.cat(ABSENT)
    with pytest.raises(ContentNotFoundError):
        embedded.pin(ABSENT)


@pytest.mark.parametrize("method", ["cat", "has", "pin", "unpin", "is_pinned"])
def test_invalid_cid(embedded, method):
    with pytest.raises(InvalidCIDError):
        getattr(embedded, method)("Qm-not-a-cid")


def test_cat_refuses_non_file_codecs(embedded):
    dag_cbor = "bafyreigbtj4x7ip5legnfznufuopl4sg4knzc2cof6duas4b3q2fy6swua"
    with pytest.raises(InvalidCIDError, match="codec 0x71"):
        embedded.cat(dag_cbor)


def test_pin_unpin_gc(embedded):
    kept, dropped = embedded.add(b"kept"), embedded.add(b"dropped")
    loose = embedded.add(b"never pinned", pin=False)
    assert not embedded.is_pinned(loose)
    embedded.unpin(dropped)
    embedded.unpin(dropped)  # idempotent
    assert not embedded.is_pinned(dropped)
    assert sorted(embedded.gc()) == sorted([dropped, loose])
    assert embedded.cat(kept) == b"kept"
    assert not embedded.has(dropped) and not embedded.has(loose)
    with pytest.raises(ContentNotFoundError):
        embedded.cat(dropped)
    # pin() protects content added unpinned
    again = embedded.add(b"never pinned", pin=False)
    embedded.pin(again)
    assert embedded.gc() == [] and embedded.cat(again) == b"never pinned"


def test_gc_removes_stale_temp_files(embedded):
    stale = embedded.root / "tmp" / "leftover"
    stale.write_bytes(b"half written")
    os.utime(stale, (0, 0))
    fresh = embedded.root / "tmp" / "in-progress"
    fresh.write_bytes(b"being written")
    embedded.gc()
    assert not stale.exists() and fresh.exists()


def test_unusable_root(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(StorageUnavailableError):
        EmbeddedStore(blocker / "store")


# ------------------------------------------------------------------ open_store


def test_open_store_embedded_default(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDCHAIN_IPFS_DIR", str(tmp_path / "env-dir"))
    store = open_store("embedded")
    assert isinstance(store, EmbeddedStore) and store.root == tmp_path / "env-dir"
    monkeypatch.delenv("MEDCHAIN_IPFS_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert open_store("embedded").root == tmp_path / "home" / ".medchain" / "ipfs"
    assert open_store().root == tmp_path / "home" / ".medchain" / "ipfs"


def test_open_store_embedded_path(tmp_path):
    store = open_store(f"embedded:{tmp_path / 'x'}", cid_version=1)
    assert isinstance(store, EmbeddedStore) and store.root == tmp_path / "x"
    assert store.add(b"") == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


def test_open_store_http():
    store = open_store("http://127.0.0.1:5001/", timeout=3)
    assert isinstance(store, KuboStore)
    assert store.api_url == "http://127.0.0.1:5001" and store.timeout == 3
    assert store.name == "kubo:http://127.0.0.1:5001"


@pytest.mark.parametrize("spec", [
    "", "ipfs", "embedded:", "ftp://host:21", "http://", "http://host:notaport",
    "EMBEDDED", "/ip4/127.0.0.1/tcp/5001", None,
])
def test_open_store_bad_spec(spec):
    with pytest.raises(ConfigurationError):
        open_store(spec)


def test_bad_cid_version(tmp_path):
    with pytest.raises(ConfigurationError):
        EmbeddedStore(tmp_path, cid_version=3)
