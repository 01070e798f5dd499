"""Deployment manifest: reuse, mismatch, wrong chain — on a real Anvil."""

from __future__ import annotations

import json

import pytest

from medchain.core.accounts import dev_account
from medchain.core.chain import connect
from medchain.core.contracts import artifact_hash
from medchain.core.deploy import SUITE, deploy, load_suite
from medchain.core.errors import DeploymentError, WrongChainError
from medchain.core.tx import Sender
from tests.conftest import require_node_tool

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def anvil():
    require_node_tool("anvil")
    with connect("anvil") as c:
        yield c


def test_deploy_writes_a_manifest_and_reuses_matching_code(anvil, tmp_path):
    gov = Sender(anvil, dev_account(0))
    first = deploy(anvil, gov, directory=tmp_path, fresh=True)
    manifest = json.loads((tmp_path / f"{anvil.chain_id}.json").read_text())
    entry = manifest["contracts"]["ParticipantRegistry"]
    assert manifest["chainId"] == 31337 and manifest["deployer"] == gov.address
    assert entry["artifactHash"] == artifact_hash("ParticipantRegistry")
    assert anvil.w3.eth.get_transaction_receipt(entry["txHash"])["contractAddress"] == entry["address"]
    assert entry["block"] == anvil.w3.eth.get_transaction(entry["txHash"])["blockNumber"]
    again = deploy(anvil, gov, directory=tmp_path)
    names = [spec.name for spec in SUITE]
    assert (first.deployed, again.deployed, again.reused) == (names, [], names)
    assert load_suite(anvil, directory=tmp_path).address("ParticipantRegistry") == entry["address"]


def test_a_contract_whose_code_differs_is_named(anvil, tmp_path):
    gov = Sender(anvil, dev_account(0))
    deploy(anvil, gov, directory=tmp_path, fresh=True)
    path = tmp_path / f"{anvil.chain_id}.json"
    manifest = json.loads(path.read_text())
    other = gov.deploy("0x600a600c600039600a6000f3602a60005260206000f3", [])  # a tiny foreign contract
    manifest["contracts"]["ParticipantRegistry"]["address"] = other.contract_address
    path.write_text(json.dumps(manifest))
    with pytest.raises(DeploymentError, match="ParticipantRegistry at .* differs from the compiled artifact"):
        deploy(anvil, gov, directory=tmp_path)


def test_a_manifest_of_another_chain_is_refused(anvil, tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"chainId": 1, "contracts": {}}))
    with pytest.raises(WrongChainError, match="chain id 1, but the node .* is chain id 31337"):
        load_suite(anvil, path=path)


def test_a_missing_manifest_says_what_to_do(anvil, tmp_path):
    with pytest.raises(DeploymentError, match="run `medchain deploy`"):
        load_suite(anvil, directory=tmp_path)


def test_a_manifest_whose_contracts_vanished_is_refused(anvil, tmp_path):
    path = tmp_path / "stale.json"
    path.write_text(json.dumps({"chainId": 31337, "contracts": {"ParticipantRegistry": {"address": "0x" + "12" * 20}}}))
    with pytest.raises(DeploymentError, match="has no code"):
        load_suite(anvil, path=path)
