"""A Hypothesis stateful test of ParticipantRegistry: random sequences of registrations, role
changes, suspensions and reactivations by random callers, checked against a Python model after
every step (what is on chain, who holds which role, who is refused)."""

import brownie
from brownie.test import strategy
from conftest import ALL_ROLES, NONE, ORGANIZATION, PATIENT, REGULATOR, error, key

REASON = "0x" + "5e" * 32


class RegistryModel:
    """The registry as a dict: account -> {kind, roles, suspended}."""

    st_who = strategy("uint8", max_value=7)  # accounts[1..8]: organisations, patients or nobody
    st_caller = strategy("uint8", max_value=8)  # 0 is governance
    st_roles = strategy("uint16", max_value=ALL_ROLES + 2)  # includes 0 and out-of-range bitmaps

    def __init__(cls, accounts, registry):
        cls.accounts = accounts
        cls.registry = registry

    def setup(self):
        self.model = {}

    def _acct(self, i):
        return self.accounts[1 + i]

    def _caller(self, i):
        return self.accounts[i]

    def _is_gov_or_regulator(self, caller):
        if caller == self.accounts[0]:
            return True
        p = self.model.get(caller)
        return p is not None and p["kind"] == ORGANIZATION and not p["suspended"] and p["roles"] & REGULATOR

    def rule_register_organisation(self, st_who, st_roles):
        who = self._acct(st_who)
        ok = who not in self.model and 0 < st_roles <= ALL_ROLES
        if ok:
            self.registry.registerOrganization(who, f"Org {st_who}", st_roles, key(st_who), {"from": self.accounts[0]})
            self.model[who] = {"kind": ORGANIZATION, "roles": st_roles, "suspended": False}
        else:
            with brownie.reverts():
                self.registry.registerOrganization(who, f"Org {st_who}", st_roles, key(st_who), {"from": self.accounts[0]})

    def rule_register_patient(self, st_who):
        who = self._acct(st_who)
        if who in self.model:
            with brownie.reverts(error("ParticipantAlreadyRegistered", who)):
                self.registry.registerPatient(key(100 + st_who), {"from": who})
        else:
            self.registry.registerPatient(key(100 + st_who), {"from": who})
            self.model[who] = {"kind": PATIENT, "roles": 0, "suspended": False}

    def rule_set_roles(self, st_who, st_roles):
        who = self._acct(st_who)
        p = self.model.get(who)
        if p is not None and p["kind"] == ORGANIZATION and 0 < st_roles <= ALL_ROLES:
            self.registry.setRoles(who, st_roles, {"from": self.accounts[0]})
            p["roles"] = st_roles
        else:
            with brownie.reverts():
                self.registry.setRoles(who, st_roles, {"from": self.accounts[0]})

    def rule_suspend(self, st_caller, st_who):
        caller, who = self._caller(st_caller), self._acct(st_who)
        p = self.model.get(who)
        if self._is_gov_or_regulator(caller) and p is not None and p["kind"] == ORGANIZATION and not p["suspended"]:
            self.registry.suspend(who, REASON, {"from": caller})
            p["suspended"] = True
        else:
            with brownie.reverts():
                self.registry.suspend(who, REASON, {"from": caller})

    def rule_reactivate(self, st_caller, st_who):
        caller, who = self._caller(st_caller), self._acct(st_who)
        p = self.model.get(who)
        if self._is_gov_or_regulator(caller) and p is not None and p["kind"] == ORGANIZATION and p["suspended"]:
            self.registry.reactivate(who, {"from": caller})
            p["suspended"] = False
        else:
            with brownie.reverts():
                self.registry.reactivate(who, {"from": caller})

    def invariant_the_chain_matches_the_model(self):
        for i in range(8):
            who = self._acct(i)
            p = self.model.get(who, {"kind": NONE, "roles": 0, "suspended": False})
            on_chain = self.registry.participant(who)
            assert (on_chain["kind"], on_chain["roles"], on_chain["suspended"]) == (p["kind"], p["roles"], p["suspended"])
            active = p["kind"] == ORGANIZATION and not p["suspended"]
            assert self.registry.hasAnyRole(who, ALL_ROLES) == (active and p["roles"] != 0)
            assert self.registry.hasRole(who, REGULATOR) == (active and bool(p["roles"] & REGULATOR))


def test_the_registry_follows_its_model(state_machine, accounts, registry):
    state_machine(RegistryModel, accounts, registry)
