"""The medchain package drives contracts Brownie deployed, on Brownie's own node: the same
accounts, the same chain, reverts decoded by medchain as by Brownie."""

import pytest

from medchain.core.accounts import dev_account
from medchain.core.chain import connect
from medchain.core.deploy import Suite
from medchain.core.errors import ContractRevert
from medchain.core.scripting import brownie_endpoint
from medchain.core.tx import Sender
from medchain.participants import ParticipantsClient, Role


@pytest.fixture
def medchain_on(web3, registry, governance):
    """A medchain client of the Brownie-deployed registry, on the node Brownie is connected to."""
    chain = connect(brownie_endpoint())
    suite = Suite(chain, {"chainId": chain.chain_id, "governance": governance.address,
                          "contracts": {"ParticipantRegistry": {"address": registry.address}}})
    return lambda index: ParticipantsClient(suite, Sender(chain, dev_account(index)))


def test_brownie_accounts_are_the_medchain_development_accounts(accounts):
    assert [a.address for a in accounts[:15]] == [dev_account(i).address for i in range(15)]


def test_medchain_reads_and_writes_what_brownie_deployed(medchain_on, registry, hospital):
    assert medchain_on(0).get(hospital.address).name == "Hospital A"
    medchain_on(0).suspend(hospital.address, "licence audit")
    assert registry.participant(hospital)["suspended"] and not registry.hasRole(hospital, int(Role.HOSPITAL))


def test_medchain_decodes_the_revert_brownie_sees(medchain_on, hospital, accounts):
    with pytest.raises(ContractRevert) as info:
        medchain_on(1).suspend(accounts[2].address, "rivalry")
    assert info.value.name == "NotGovernanceOrRegulator" and info.value.args_by_name == {"account": hospital.address}
