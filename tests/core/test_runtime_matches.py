"""`runtime_matches`: the code of a suite compiled elsewhere (Brownie, Ape) is the artifact's code.

Every solc build appends a CBOR metadata trailer to the runtime code: a map holding the IPFS hash
of the metadata JSON (source paths, settings text) and the compiler version, followed by the
trailer's length in 2 bytes. The same sources built by Brownie or Ape hash other paths, so only
the trailer differs; `runtime_matches` compares the code without it, immutables masked.
"""

from __future__ import annotations

import pytest

from medchain.core.contracts import _without_metadata, load_artifact, runtime_matches

#: A contract with immutables (EIP-712 domain, registry address) and one without.
WITH_IMMUTABLES = "ConsentRegistry"
WITHOUT_IMMUTABLES = "ParticipantRegistry"


def runtime(name: str) -> bytes:
    return bytes.fromhex(load_artifact(name)["deployedBytecode"][2:])


def trailer_length(code: bytes) -> int:
    return int.from_bytes(code[-2:], "big") + 2


def with_other_metadata_hash(code: bytes) -> bytes:
    """``code`` whose metadata trailer names another IPFS hash (as a build from other paths does)."""
    start = len(code) - trailer_length(code)
    trailer = code[start:]
    marker = bytes.fromhex("6469706673") + bytes.fromhex("58221220")  # "ipfs": bytes(34) of a sha2-256 multihash
    at = trailer.index(marker) + len(marker)
    digest = bytes(b ^ 0xFF for b in trailer[at : at + 32])
    return code[:start] + trailer[:at] + digest + trailer[at + 32 :]


def with_immutables_set(name: str, code: bytes) -> bytes:
    """``code`` as deployed: every immutable slot holds a value (the artifact has zeros there)."""
    out = bytearray(code)
    for refs in load_artifact(name)["immutableReferences"].values():
        for ref in refs:
            out[ref["start"] : ref["start"] + ref["length"]] = bytes([0xAB]) * ref["length"]
    return bytes(out)


def test_the_artifact_has_an_ipfs_metadata_trailer():
    code = runtime(WITH_IMMUTABLES)
    assert code[-2:] == bytes.fromhex("0033") and code[-trailer_length(code)] == 0xA2  # a map of 2: ipfs, solc
    assert _without_metadata(code) == code[: -trailer_length(code)]


@pytest.mark.parametrize("name", [WITH_IMMUTABLES, WITHOUT_IMMUTABLES])
def test_the_artifact_code_matches_itself(name):
    assert runtime_matches(name, runtime(name))


@pytest.mark.parametrize("name", [WITH_IMMUTABLES, WITHOUT_IMMUTABLES])
def test_code_whose_metadata_hash_differs_matches(name):
    other = with_other_metadata_hash(runtime(name))
    assert other != runtime(name) and len(other) == len(runtime(name))
    assert runtime_matches(name, other)


def test_deployed_code_with_immutables_and_another_metadata_hash_matches():
    deployed = with_immutables_set(WITH_IMMUTABLES, with_other_metadata_hash(runtime(WITH_IMMUTABLES)))
    assert deployed != runtime(WITH_IMMUTABLES)
    assert runtime_matches(WITH_IMMUTABLES, deployed)


def test_a_shorter_trailer_matches_too():
    """A build with ``bytecodeHash: none`` appends only ``{"solc": version}``: same code, other trailer."""
    code = runtime(WITHOUT_IMMUTABLES)
    solc_only = bytes.fromhex("a164736f6c634300081c") + (10).to_bytes(2, "big")
    assert runtime_matches(WITHOUT_IMMUTABLES, _without_metadata(code) + solc_only)


def test_a_changed_instruction_does_not_match_even_with_the_same_trailer():
    code = bytearray(runtime(WITHOUT_IMMUTABLES))
    code[10] ^= 0x01
    assert not runtime_matches(WITHOUT_IMMUTABLES, bytes(code))


def test_another_contract_or_truncated_code_does_not_match():
    assert not runtime_matches(WITHOUT_IMMUTABLES, runtime("SettlementToken"))
    code = runtime(WITHOUT_IMMUTABLES)
    end = len(code) - trailer_length(code)
    assert not runtime_matches(WITHOUT_IMMUTABLES, code[: end - 1] + code[end:])  # one code byte fewer
    assert not runtime_matches(WITHOUT_IMMUTABLES, b"")


def test_code_without_a_cbor_trailer_is_compared_whole():
    assert _without_metadata(bytes.fromhex("6080604052")) == bytes.fromhex("6080604052")
    assert _without_metadata(b"\x00") == b"\x00"
