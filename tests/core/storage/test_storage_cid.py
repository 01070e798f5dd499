"""compute_cid / parse_cid: pure-Python CIDs identical to Kubo's `ipfs add`."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medchain.core.errors import ConfigurationError, InvalidCIDError
from medchain.core.storage import (
    DAG_PB,
    RAW,
    EmbeddedStore,
    compute_cid,
    normalise_cid,
    parse_cid,
)

HELLO = b"hello world\n"


def zeros(n: int) -> bytes:
    return bytes(n)


def ramp(n: int) -> bytes:
    return (bytes(range(256)) * (n // 256 + 1))[:n]


# Known CIDs. The first ones are Kubo's published vectors; the multi-chunk ones were
# produced by js-ipfs (same importer defaults as Kubo) and also checked live against
# the daemon in test_kubo.py.
VECTORS = [
    (HELLO, 0, None, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"),
    (b"", 0, None, "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"),
    (b"", 1, None, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
    (HELLO, 1, None, "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"),
    # raw leaves are CIDv1 even with cid_version 0: a single chunk is a raw CID
    (HELLO, 0, True, "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"),
    (zeros(262145), 0, None, "QmbVuw4C4vcmVKqxoWtgDVobvcHrSn51qsmQmyxjk4sB2Q"),
    (zeros(262145), 1, None, "bafybeigllfqgfpqydppr6cmv56g7ax4wyhruzswvcefv6j5kj77nzttfki"),
    (ramp(3 * 2**20 + 7), 0, None, "Qmd4rtiYGAEANtaJuZ7psvMrLxNYfciafcme8rCXc9YwFv"),
    (ramp(3 * 2**20 + 7), 1, None, "bafybeidinh3dauvwalhlask6qiyxhxhl3lgncj4lebrg53d2kj5434qy2a"),
]


@pytest.mark.parametrize("data, version, raw, expected", VECTORS,
                         ids=[f"{len(v[0])}B-v{v[1]}-{v[2]}" for v in VECTORS])
def test_known_vectors(data, version, raw, expected):
    assert compute_cid(data, cid_version=version, raw_leaves=raw) == expected


def test_two_link_levels_vector():
    """175 chunks: the root links a full 174-leaf node and a node with one leaf."""
    data = zeros(174 * 262144 + 1)
    assert compute_cid(data) == "QmehMASWcBsX7VcEQqs6rpR5AHoBfKyBVEgmkJHjpPg8jq"
    assert compute_cid(data, cid_version=1) == (
        "bafybeihqwzd3o6q6v3pmwhzjy22vokhr767burokmqemg63hptx2nqd7ym")


def test_single_chunk_v0_is_a_unixfs_leaf():
    """The CID is the sha256 of PBNode{Data: UnixFS{File, data, filesize}} - by hand."""
    data = b"abc"
    unixfs = bytes([0x08, 0x02, 0x12, 3]) + data + bytes([0x18, 3])
    block = bytes([0x0A, len(unixfs)]) + unixfs
    version, codec, multihash = parse_cid(compute_cid(data))
    assert (version, codec) == (0, DAG_PB)
    assert multihash == b"\x12\x20" + hashlib.sha256(block).digest()


def test_single_chunk_v1_raw_is_sha256_of_data():
    data = b"x" * 262144
    assert parse_cid(compute_cid(data, cid_version=1)) == (
        1, RAW, b"\x12\x20" + hashlib.sha256(data).digest())


def test_chunk_boundaries_change_the_cid():
    a, b = compute_cid(zeros(262144)), compute_cid(zeros(262145))
    assert a != b and parse_cid(a)[1] == DAG_PB
    # a chunk size is part of the layout
    assert compute_cid(zeros(1000), chunk_size=100) != compute_cid(zeros(1000))


def test_v1_without_raw_leaves_is_dag_pb():
    version, codec, _ = parse_cid(compute_cid(HELLO, cid_version=1, raw_leaves=False))
    assert (version, codec) == (1, DAG_PB)
    # same block as the v0 leaf, other CID version
    assert parse_cid(compute_cid(HELLO, cid_version=1, raw_leaves=False))[2] == parse_cid(
        compute_cid(HELLO))[2]


@pytest.mark.parametrize("bad", [{"cid_version": 2}, {"chunk_size": 0}])
def test_bad_options(bad):
    with pytest.raises(ConfigurationError):
        compute_cid(HELLO, **bad)


def test_parse_and_normalise_forms():
    v1 = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
    parsed = parse_cid(v1)
    assert parse_cid("zb2rhi36Gc9GJWijLEL6zW45MBux5FcFv5gJmjXA7VAMozEXY") == parsed
    assert parse_cid(v1.upper()) == parsed
    hexa = "f01551220" + parsed[2][2:].hex()
    assert parse_cid(hexa) == parsed
    assert normalise_cid(hexa) == v1
    assert normalise_cid("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o") == (
        "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")


@pytest.mark.parametrize("bad, why", [
    ("", "non-empty"),
    (None, "non-empty"),
    ("hello", "multibase"),
    ("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff50", "base58btc character"),  # '0'
    ("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5", "multibase"),  # 45 chars
    ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2k", "digest"),  # truncated
    ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei", "base32"),
    ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4aa", "digest"),  # extra
    ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2DEVEI4", "multibase"),  # mixed case
    ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei!", "base32"),
    ("f0155zz", "non-hexadecimal"),
    ("f0255", "version 2"),
    ("zQmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "CIDv0 .*multibase"),
])
def test_invalid_cids(bad, why):
    with pytest.raises(InvalidCIDError, match=why):
        parse_cid(bad)


def test_invalid_cid_is_a_value_error():
    with pytest.raises(ValueError):
        parse_cid("not-a-cid")


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), version=st.sampled_from([0, 1]),
       chunk=st.sampled_from([256, 1000, 262144]))
def test_compute_cid_matches_embedded_store(tmp_path_factory, data, version, chunk):
    store = EmbeddedStore(tmp_path_factory.mktemp("hyp"), cid_version=version)
    if chunk == 262144:
        cid = store.add(data)
        assert cid == compute_cid(data, cid_version=version)
        assert store.cat(cid) == data
    # small chunk sizes exercise multi-level trees on tiny inputs
    many = compute_cid(data, cid_version=version, chunk_size=chunk)
    if len(data) <= chunk:
        assert many == compute_cid(data, cid_version=version)
    else:
        assert many != compute_cid(data, cid_version=version)
