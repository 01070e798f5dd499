"""The medchain package drives contracts Ape deployed, on Ape's own node (Anvil, started by
ape-foundry): the same accounts, the same chain, reverts decoded by medchain as by Ape; and
`medchain deploy` reuses a whole suite Ape deployed (same code, other metadata hash)."""

import json

import pytest

from medchain.core.accounts import dev_account
from medchain.core.chain import connect
from medchain.core.contracts import load_artifact, runtime_matches
from medchain.core.deploy import SUITE, Suite, deploy
from medchain.core.errors import ContractRevert
from medchain.core.scripting import ape_endpoint
from medchain.core.tx import Sender
from medchain.participants import ParticipantsClient, Role


@pytest.fixture(scope="module")
def medchain_chain():
    """medchain's connection to the node Ape is connected to (found as `ape run` scripts find it)."""
    url = ape_endpoint()
    assert url is not None and url.startswith("http://127.0.0.1:"), url
    chain = connect(url)
    yield chain
    chain.close()


@pytest.fixture
def medchain_on(medchain_chain, registry, governance):
    """A medchain client of the Ape-deployed registry."""
    suite = Suite(medchain_chain, {"chainId": medchain_chain.chain_id, "governance": governance.address,
                                   "contracts": {"ParticipantRegistry": {"address": registry.address}}})
    return lambda index: ParticipantsClient(suite, Sender(medchain_chain, dev_account(index)))


def test_ape_accounts_are_the_medchain_development_accounts(accounts):
    assert [a.address for a in accounts[:15]] == [dev_account(i).address for i in range(15)]


def test_ape_and_medchain_see_one_chain(chain, medchain_chain):
    assert medchain_chain.chain_id == chain.chain_id == 31337
    assert medchain_chain.w3.eth.block_number == chain.blocks.head.number


def test_medchain_reads_and_writes_what_ape_deployed(medchain_on, registry, hospital):
    assert medchain_on(0).get(hospital.address).name == "Hospital A"
    medchain_on(0).suspend(hospital.address, "licence audit")
    assert registry.participant(hospital).suspended and not registry.hasRole(hospital, int(Role.HOSPITAL))


def test_medchain_decodes_the_revert_ape_sees(medchain_on, hospital, accounts):
    with pytest.raises(ContractRevert) as info:
        medchain_on(1).suspend(accounts[2].address, "rivalry")
    assert info.value.name == "NotGovernanceOrRegulator" and info.value.args_by_name == {"account": hospital.address}


def test_medchain_deploy_reuses_the_suite_ape_deployed(project, governance, medchain_chain, tmp_path):
    addresses: dict[str, str] = {}
    for spec in SUITE:  # medchain's order and constructor arguments, deployed by Ape
        addresses[spec.name] = getattr(project, spec.name).deploy(*spec.args(addresses, governance.address),
                                                                  sender=governance).address
    # Ape's build hashes other metadata than the package's artifacts: the raw code differs.
    code = bytes(medchain_chain.w3.eth.get_code(addresses["ParticipantRegistry"]))
    assert code != bytes.fromhex(load_artifact("ParticipantRegistry")["deployedBytecode"][2:])
    assert runtime_matches("ParticipantRegistry", code)

    manifest = {"version": 1, "chainId": medchain_chain.chain_id, "chain": "url", "governance": governance.address,
                "contracts": {name: {"address": address} for name, address in addresses.items()}}
    (tmp_path / f"{medchain_chain.chain_id}.json").write_text(json.dumps(manifest))
    report = deploy(medchain_chain, Sender(medchain_chain, dev_account(0)), directory=tmp_path)
    assert report.reused == [spec.name for spec in SUITE] and report.deployed == []
    assert report.suite.address("ClaimAdjudication") == addresses["ClaimAdjudication"]
