"""Throughput of the bulk sender beside raw pre-signed ``eth_sendRawTransaction`` in the same run."""

from __future__ import annotations

import time
from typing import Any

from eth_account import Account
from eth_utils import keccak
from web3.types import RPCEndpoint

from medchain.core.accounts import dev_account
from medchain.core.chain import connect
from medchain.core.contracts import contract_at, load_artifact
from medchain.core.errors import ConfigurationError, TransactionError
from medchain.core.registry import Role
from medchain.core.tx import Sender, batch_provider, fetch_receipts


def _orgs(n: int, salt: int) -> list[tuple[str, bytes]]:
    from coincurve import PrivateKey

    out = []
    for i in range(n):
        acct = Account.from_key((salt * 1_000_003 + i + 1).to_bytes(32, "big"))
        out.append((acct.address, PrivateKey(bytes(acct.key)).public_key.format(compressed=True)))
    return out


def compare(chain_spec: str = "anvil", n: int = 400) -> dict[str, Any]:
    """Register ``n`` organisations three times: as raw transactions signed before the clock starts,
    sent one request each and awaited one receipt each (the plain loop); the same sent and awaited in
    JSON-RPC batches (the fastest a client can go); and through the bulk sender, which encodes,
    estimates, signs, sends and awaits inside the clock."""
    with connect(chain_spec) as chain:
        gov = Sender(chain, dev_account(0))
        registry = _deploy(chain, gov)
        w3 = chain.w3

        def presigned(salt: int) -> list[bytes]:
            fees = gov.fees()
            out = []
            for address, key in _orgs(n, salt):
                fn = registry.functions.registerOrganization(address, "Raw Org", int(Role.HOSPITAL), key)
                data = fn._encode_transaction_data()
                out.append(gov.sign({"to": registry.address, "data": data, "value": 0, "gas": 200_000,
                                     "chainId": chain.chain_id, **fees}))
            return out

        # Raw baselines: everything prepared and signed before the clock starts.
        raw = presigned(1)
        t0 = time.perf_counter()
        hashes = [w3.eth.send_raw_transaction(r) for r in raw]
        for h in hashes:
            w3.eth.wait_for_transaction_receipt(h, poll_latency=0.01)
        raw_s = time.perf_counter() - t0

        rpc = batch_provider(chain)
        if rpc is None:
            raise ConfigurationError(f"the throughput benchmark sends JSON-RPC batches: {chain_spec} takes none")
        raw = presigned(3)
        t0 = time.perf_counter()
        for i in range(0, n, 64):
            rpc.make_batch_request([(RPCEndpoint("eth_sendRawTransaction"), ["0x" + r.hex()]) for r in raw[i : i + 64]])
        fetch_receipts(w3, ["0x" + keccak(r).hex() for r in raw])
        raw_batched_s = time.perf_counter() - t0

        # Bulk sender: encodes, estimates (once per function), signs and sends inside the clock.
        items = _orgs(n, salt=2)
        t0 = time.perf_counter()
        with gov.bulk() as batch:
            for address, key in items:
                batch.add(registry.functions.registerOrganization(address, "Bulk Org", int(Role.HOSPITAL), key))
        bulk_s = time.perf_counter() - t0
    return {"chain": chain_spec, "transactions": n, "raw_seconds": round(raw_s, 3), "bulk_seconds": round(bulk_s, 3),
            "raw_batched_seconds": round(raw_batched_s, 3), "raw_tps": n / raw_s, "raw_batched_tps": n / raw_batched_s,
            "bulk_tps": n / bulk_s, "ratio": raw_s / bulk_s, "ratio_batched": raw_batched_s / bulk_s}


def _deploy(chain: Any, gov: Sender) -> Any:
    art = load_artifact("ParticipantRegistry")
    receipt = gov.deploy(art["bytecode"], art["abi"], gov.address)
    if receipt.contract_address is None:
        raise TransactionError(f"deployment {receipt.tx_hash} created no contract")
    return contract_at(chain.w3, "ParticipantRegistry", receipt.contract_address)
