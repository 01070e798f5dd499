"""Gas operations of the RecordRegistry, and (on demand) the end-to-end time to put and get a 1 MB
record with each storage backend."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_utils import keccak

from medchain.bench.consent import record_id
from medchain.consent.client import ConsentClient

#: A CIDv0 is what the default store gives (46 characters).
CID = "QmYxzJXWu351BHgoXb7Spscg2o8wFxLHtxRcrMkmwfU3fs"


def _anchor_fn(ctx: Any, version: int = 0, supersedes: bytes = b"\0" * 32) -> Any:
    rid = record_id(ctx.address("patient_1"), version)
    return ctx.suite.contract("RecordRegistry").functions.anchor(rid, keccak(rid + b"ciphertext"), CID, supersedes)


def _writer(ctx: Any) -> None:
    ConsentClient(ctx.suite, ctx.sender("patient_1")).grant(ctx.address("hospital_a"), "all", "treatment",
                                                            "read,write", 0, None)


def anchor(ctx: Any) -> Any:
    """A provider with write consent anchors a patient's record."""
    _writer(ctx)
    return ctx.sender("hospital_a").transact(_anchor_fn(ctx))


def anchor_by_patient(ctx: Any) -> Any:
    """The patient anchors their own record (no consent check)."""
    return ctx.sender("patient_1").transact(_anchor_fn(ctx))


def amend(ctx: Any) -> Any:
    """A new version superseding the first one."""
    anchor(ctx)
    return ctx.sender("hospital_a").transact(_anchor_fn(ctx, 1, record_id(ctx.address("patient_1"))))


def erase(ctx: Any) -> Any:
    anchor(ctx)
    rid = record_id(ctx.address("patient_1"))
    return ctx.sender("patient_1").transact(ctx.suite.contract("RecordRegistry").functions.erase(rid))


OPERATIONS: dict[str, Callable[[Any], Any]] = {
    "records.anchor": anchor,
    "records.anchorByPatient": anchor_by_patient,
    "records.amend": amend,
    "records.erase": erase,
}


def put_get_timing(chain_spec: str = "anvil", size: int = 1_000_000, runs: int = 3) -> list[dict[str, Any]]:
    """End-to-end seconds to put (validate, encrypt, store, anchor) and get (log access, fetch,
    verify against the chain, decrypt) a ``size``-byte FHIR record, with the embedded store and with
    a js-ipfs daemon over the Kubo RPC (skipped when js-ipfs is not installed).

    Returns:
        One row per backend: ``{"backend", "put_s", "get_s", "runs"}`` (medians).
    """
    from medchain.consent.records import RecordsClient
    from medchain.core.accounts import dev_account
    from medchain.core.chain import connect
    from medchain.core.crypto import KeyVault
    from medchain.core.deploy import deploy
    from medchain.core.errors import StorageUnavailableError
    from medchain.core.ipfs_daemon import JsIpfsDaemon
    from medchain.core.storage import ContentStore, EmbeddedStore, KuboStore
    from medchain.core.tx import Sender
    from medchain.scenarios import CAST, ScenarioContext
    from medchain.scenarios.consent import HBA1C
    from medchain.scenarios.participants import setup

    record = {**HBA1C, "note": [{"text": "x" * (size - 600)}]}
    rows = []
    with connect(chain_spec) as chain, tempfile.TemporaryDirectory() as tmp:
        gov = Sender(chain, dev_account(CAST["governance"]))
        suite = deploy(chain, gov, fresh=True, directory=Path(tmp)).suite
        ctx = ScenarioContext(chain, suite, Path(tmp), log=lambda _: None)
        ctx._senders["governance"] = gov
        setup(ctx)
        _writer(ctx)
        try:
            daemon: JsIpfsDaemon | None = JsIpfsDaemon().start()
        except StorageUnavailableError:
            daemon = None
        try:
            stores: list[tuple[str, ContentStore]] = [("embedded", EmbeddedStore(Path(tmp) / "ipfs"))]
            if daemon is not None:
                if daemon.api_url is None:  # start() configures it
                    raise StorageUnavailableError("the js-ipfs daemon started without an API address")
                stores.append(("js-ipfs", KuboStore(daemon.api_url, timeout=120)))
            for name, store in stores:
                vault = KeyVault(Path(tmp) / f"vault-{name}")
                writer = RecordsClient(suite, ctx.sender("hospital_a"), store, vault)
                puts, gets = [], []
                for _ in range(runs):
                    t0 = time.perf_counter()
                    info = writer.put(ctx.address("patient_1"), record, "diabetes")
                    t1 = time.perf_counter()
                    writer.get(info.record_id)
                    gets.append(time.perf_counter() - t1)
                    puts.append(t1 - t0)
                rows.append({"backend": name, "put_s": statistics.median(puts), "get_s": statistics.median(gets),
                             "runs": runs})
        finally:
            if daemon is not None:
                daemon.close()
    return rows
