"""Compiled artifacts, typed contract handles and revert decoding."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector
from web3 import Web3
from web3.contract import Contract

from medchain.core.errors import ArtifactError, ContractRevert
from medchain.core.project import ARTIFACTS_DIR

PANIC_CODES = {
    0x01: "assertion failed", 0x11: "arithmetic overflow or underflow", 0x12: "division by zero",
    0x21: "invalid enum value", 0x22: "bad storage byte array", 0x31: "pop on empty array",
    0x32: "array index out of bounds", 0x41: "out of memory", 0x51: "call to an uninitialised function",
}


@functools.cache
def load_artifact(name: str) -> dict[str, Any]:
    """The committed artifact of contract ``name``.

    Raises:
        ArtifactError: no such artifact (run `medchain compile`).
    """
    path = ARTIFACTS_DIR / f"{name}.json"
    double = ARTIFACTS_DIR / "test" / f"{name}.json"  # test doubles: in a checkout, not in the wheel
    for candidate in (path, double):
        if candidate.is_file():
            return json.loads(candidate.read_text())
    raise ArtifactError(f"no compiled artifact for {name} (expected {path}); run `medchain compile`")


def artifact_names() -> list[str]:
    """Names of every committed artifact."""
    return sorted(p.stem for p in ARTIFACTS_DIR.glob("*.json"))


def artifact_hash(name: str) -> str:
    """sha256 of the artifact's creation bytecode: what the deployment manifest records."""
    return "0x" + hashlib.sha256(bytes.fromhex(load_artifact(name)["bytecode"][2:])).hexdigest()


def _without_metadata(code: bytes) -> bytes:
    """``code`` without solc's CBOR metadata trailer (its length is in the last 2 bytes), else as is.

    The trailer hashes the metadata JSON (source paths, settings text), so the same contract
    compiled by Brownie, Ape or ``medchain compile`` differs there only.
    """
    if len(code) < 2:
        return code
    end = len(code) - 2 - int.from_bytes(code[-2:], "big")
    if end < 0 or not 0xA0 <= code[end] <= 0xBF:  # no trailer: the CBOR is a map (major type 5)
        return code
    return code[:end]


def runtime_matches(name: str, onchain_code: bytes) -> bool:
    """True when ``onchain_code`` is the artifact's runtime code, compared without the CBOR
    metadata trailer (so a suite deployed by Brownie or Ape matches) and with immutables masked."""
    art = load_artifact(name)
    expected = bytearray(_without_metadata(bytes.fromhex(art["deployedBytecode"][2:])))
    actual = bytearray(_without_metadata(bytes(onchain_code)))
    if len(expected) != len(actual):
        return False
    for refs in art.get("immutableReferences", {}).values():
        for ref in refs:
            start, length = ref["start"], ref["length"]
            actual[start : start + length] = expected[start : start + length]
    return expected == actual


def contract_at(w3: Web3, name: str, address: str) -> Contract:
    """A web3 contract handle for the deployed ``name`` at ``address``."""
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact(name)["abi"])


@functools.lru_cache(maxsize=1)
def _error_table() -> dict[bytes, tuple[str, list[dict[str, Any]]]]:
    table: dict[bytes, tuple[str, list[dict[str, Any]]]] = {}
    for name in artifact_names():
        for item in load_artifact(name)["abi"]:
            if item["type"] == "error":
                sig = f"{item['name']}({','.join(_abi_type(i) for i in item['inputs'])})"
                table[function_signature_to_4byte_selector(sig)] = (item["name"], item["inputs"])
    table[bytes.fromhex("08c379a0")] = ("Error", [{"name": "message", "type": "string"}])
    table[bytes.fromhex("4e487b71")] = ("Panic", [{"name": "code", "type": "uint256"}])
    return table


def _abi_type(item: dict[str, Any]) -> str:
    t = item["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in item["components"]) + ")" + t[5:]
    return t


def decode_revert(data: bytes | str | None) -> ContractRevert:
    """Turn revert data into a :class:`ContractRevert` carrying the custom error's name and arguments."""
    if isinstance(data, str):
        data = bytes.fromhex(data[2:] if data.startswith("0x") else data)
    data = data or b""
    hexdata = "0x" + data.hex()
    entry = _error_table().get(data[:4]) if len(data) >= 4 else None
    if entry is None:
        return ContractRevert(None, data=hexdata)
    name, inputs = entry
    try:
        values = abi_decode([_abi_type(i) for i in inputs], data[4:])
    except Exception:  # noqa: BLE001 - malformed revert data
        return ContractRevert(None, data=hexdata)
    args = {i["name"] or f"arg{n}": _normalise(v) for n, (i, v) in enumerate(zip(inputs, values, strict=True))}
    if name == "Panic":
        args["reason"] = PANIC_CODES.get(args["code"], "unknown panic")
    return ContractRevert(name, args, hexdata)


def _normalise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return Web3.to_checksum_address(value)
    if isinstance(value, tuple):
        return tuple(_normalise(v) for v in value)
    return value
