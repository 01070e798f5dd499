"""The record flow against a real IPFS node (a js-ipfs daemon speaking the Kubo RPC)."""

from __future__ import annotations

import ipfshttpclient
import pytest

from medchain.consent import ConsentClient, RecordsClient
from medchain.core.errors import StorageUnavailableError
from medchain.core.storage import EmbeddedStore, IpfsHttpClientStore, KuboStore, compute_cid
from medchain.core.tx import call
from medchain.scenarios.consent import HBA1C, hba1c

pytestmark = pytest.mark.ipfs


def setup_writer(world):
    ConsentClient(world.suite, world.sender("patient_1")).grant(world.address("hospital_a"), "all", "treatment",
                                                                 "read,write")


@pytest.mark.parametrize("version", [0, 1])
def test_records_round_trip_through_the_daemon(world, jsipfs, vault, tmp_path, version):
    setup_writer(world)
    kubo = KuboStore(jsipfs.api_url, timeout=60, cid_version=version)
    a = RecordsClient(world.suite, world.sender("hospital_a"), kubo, vault)
    info = a.put(world.address("patient_1"), HBA1C, "diabetes")
    assert kubo.is_pinned(info.cid)
    me = RecordsClient(world.suite, world.sender("patient_1"), kubo, vault)
    assert me.get(info.record_id)["valueQuantity"]["value"] == 8.1
    blob = kubo.cat(info.cid)  # both backends name the ciphertext alike
    assert EmbeddedStore(tmp_path / "e", cid_version=version).add(blob) == info.cid == compute_cid(blob, cid_version=version)
    new = a.amend(info.record_id, hba1c(7.0))
    me.erase(new.record_id)
    assert not kubo.is_pinned(info.cid) and not kubo.is_pinned(new.cid)


def test_a_record_over_one_chunk_round_trips(world, jsipfs, vault):
    setup_writer(world)
    kubo = KuboStore(jsipfs.api_url, timeout=60)
    big = {**HBA1C, "note": [{"text": "x" * 600_000}]}  # > 2 chunks of 256 KiB
    info = RecordsClient(world.suite, world.sender("hospital_a"), kubo, vault).put(world.address("patient_1"), big,
                                                                                  "diabetes")
    assert RecordsClient(world.suite, world.sender("patient_1"), kubo, vault).get(info.record_id)["note"] == big["note"]


@pytest.mark.filterwarnings("ignore:The 'strict' parameter:FutureWarning")
def test_an_existing_ipfshttpclient_works_too(world, jsipfs, vault):
    setup_writer(world)
    port = jsipfs.api_url.rsplit(":", 1)[1]
    with ipfshttpclient.Client(f"/ip4/127.0.0.1/tcp/{port}/http") as client:
        store = IpfsHttpClientStore(client, timeout=30)
        info = RecordsClient(world.suite, world.sender("hospital_a"), store, vault).put(
            world.address("patient_1"), HBA1C, "diabetes")
        assert RecordsClient(world.suite, world.sender("patient_1"), store, vault).get(info.record_id)["status"] == "final"


def test_daemon_down_means_a_clear_error_and_nothing_on_chain(world, jsipfs, vault):
    setup_writer(world)
    registry = world.suite.contract("RecordRegistry")
    before = call(registry.functions.recordCount(world.address("patient_1")))
    jsipfs.stop()
    try:
        kubo = KuboStore(jsipfs.api_url, timeout=5)
        with pytest.raises(StorageUnavailableError, match="cannot be reached"):
            RecordsClient(world.suite, world.sender("hospital_a"), kubo, vault).put(world.address("patient_1"), HBA1C,
                                                                                    "diabetes")
    finally:
        jsipfs.start()
    assert call(registry.functions.recordCount(world.address("patient_1"))) == before
    assert list(vault.root.glob("*.json")) == []  # no keys were handed out either
