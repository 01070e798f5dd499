"""The access-control matrix: who may call each state-changing function of each contract.

One documented table, :data:`MATRIX`: for every contract, every state-changing function of its
ABI maps to a :class:`Rule` (the actors allowed, the rule in words, the custom errors a refused
caller gets, and how to build valid arguments, so that authorisation is the only reason a call
can fail). ``tests/security/test_access_matrix.py`` calls every function as every actor of
:data:`ACTORS` (each registry role, governance, a patient, an unregistered account and a
suspended organisation holding every role) and checks that exactly the documented actors pass.
A function missing from the table, or a suite contract neither in it nor in :data:`PENDING`, fails
that test. ``python -m medchain.access_matrix > docs/access-control.md`` prints the table.

Adding a contract is one entry of :data:`MATRIX` (and removing it from :data:`PENDING`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from .accounts import dev_account
from .contracts import load_artifact
from .participants import Role, encryption_key_of

if TYPE_CHECKING:  # pragma: no cover
    from .scenarios import ScenarioContext
    from .tx import Sender

#: Columns of the matrix: actor → who plays it. Cast roles come from ``scenarios.CAST``.
ACTORS: dict[str, str] = {
    "governance": "governance (owner of the registry and the token)",
    "hospital": "hospital_a (HOSPITAL)",
    "manufacturer": "manufacturer (MANUFACTURER)",
    "distributor": "distributor (DISTRIBUTOR)",
    "pharmacy": "pharmacy (PHARMACY)",
    "insurer": "insurer (INSURER)",
    "researcher": "university (RESEARCHER)",
    "regulator": "regulator (REGULATOR)",
    "sensor_gateway": "sensor_gateway (SENSOR_GATEWAY)",
    "patient": "patient_1 (a registered patient)",
    "unregistered": "development account 16 (not in the directory)",
    "suspended": "development account 17 (an organisation holding every role, suspended)",
}
_CAST_ROLE = {"hospital": "hospital_a", "researcher": "university", "patient": "patient_1"}
UNREGISTERED = 16
SUSPENDED = 17
#: Accounts the rules use as third parties (never an actor).
OUTSIDER_A, OUTSIDER_B = 18, 19

ALL = frozenset(ACTORS)
ORGANISATIONS = frozenset({"hospital", "manufacturer", "distributor", "pharmacy", "insurer", "researcher",
                           "regulator", "sensor_gateway"})
OWNABLE = ("OwnableUnauthorizedAccount",)


class Env:
    """The world a rule runs in: a deployed suite with the cast registered, plus the unregistered
    and the suspended actors (:meth:`prepare` registers and suspends the latter, idempotently)."""

    def __init__(self, ctx: "ScenarioContext"):
        self.ctx = ctx
        self.suite = ctx.suite

    def address(self, who: str | int) -> str:
        if isinstance(who, int):
            return dev_account(who).address
        if who == "unregistered":
            return dev_account(UNREGISTERED).address
        if who == "suspended":
            return dev_account(SUSPENDED).address
        return self.ctx.address(_CAST_ROLE.get(who, who))

    def sender(self, who: str | int) -> "Sender":
        from .tx import Sender

        if isinstance(who, int) or who in ("unregistered", "suspended"):
            index = who if isinstance(who, int) else (UNREGISTERED if who == "unregistered" else SUSPENDED)
            return Sender(self.ctx.chain, dev_account(index))
        return self.ctx.sender(_CAST_ROLE.get(who, who))

    def contract(self, name: str) -> Any:
        return self.suite.contract(name)

    def send(self, who: str | int, contract: str, function: str, *args: Any) -> Any:
        c = self.contract(contract)
        return self.sender(who).transact(getattr(c.functions, function)(*args))

    def prepare(self) -> None:
        """Register account 17 with every role and suspend it (skipped when already done)."""
        registry = self.contract("ParticipantRegistry")
        account = self.address("suspended")
        if registry.functions.participant(account).call()[0] == 0:
            self.send("governance", "ParticipantRegistry", "registerOrganization", account, "Suspended Org",
                      int(Role(0xFF)), encryption_key_of(dev_account(SUSPENDED)))
            self.send("governance", "ParticipantRegistry", "suspend", account, b"\x00" * 32)


@dataclass(frozen=True)
class Rule:
    """Who may call one function.

    Attributes:
        allowed: The actors whose call succeeds.
        who: The rule in words (the documentation's column).
        args: Valid arguments for a call by ``actor``.
        denied: Custom errors a refused actor gets (authorisation errors).
        prepare: State to set up first (by other accounts) so that only authorisation decides.
    """

    allowed: frozenset[str]
    who: str
    args: Callable[[Env, str], tuple[Any, ...]]
    denied: tuple[str, ...] = ()
    prepare: Callable[[Env, str], None] | None = None


def _key(env: Env, actor: str) -> bytes:
    """A fresh valid encryption key (account 18's)."""
    return encryption_key_of(dev_account(OUTSIDER_A))


def _suspend_hospital_c(env: Env, actor: str) -> None:
    env.send("governance", "ParticipantRegistry", "suspend", env.address("hospital_c"), b"\x01" * 32)


def _nominate_regulator(env: Env, actor: str) -> None:
    env.send("governance", "ParticipantRegistry", "transferOwnership", env.address("regulator"))


def _mint_to_actor(env: Env, actor: str) -> None:
    env.send("governance", "SettlementToken", "mint", env.address(actor), 1)


def _allowance_for_actor(env: Env, actor: str) -> None:
    env.send("governance", "SettlementToken", "mint", env.address(OUTSIDER_B), 5)
    env.send(OUTSIDER_B, "SettlementToken", "approve", env.address(actor), 1)


#: contract → state-changing function → rule.
MATRIX: dict[str, dict[str, Rule]] = {
    "ParticipantRegistry": {
        "registerOrganization": Rule(
            frozenset({"governance"}), "governance", denied=OWNABLE,
            args=lambda e, a: (e.address(OUTSIDER_A), "Matrix Clinic", int(Role.HOSPITAL), _key(e, a))),
        "setRoles": Rule(
            frozenset({"governance"}), "governance", denied=OWNABLE,
            args=lambda e, a: (e.address("hospital_b"), int(Role.HOSPITAL | Role.RESEARCHER))),
        "suspend": Rule(
            frozenset({"governance", "regulator"}), "governance or an active regulator",
            denied=("NotGovernanceOrRegulator",),
            args=lambda e, a: (e.address("hospital_c"), b"\x01" * 32)),
        "reactivate": Rule(
            frozenset({"governance", "regulator"}), "governance or an active regulator",
            denied=("NotGovernanceOrRegulator",), prepare=_suspend_hospital_c,
            args=lambda e, a: (e.address("hospital_c"),)),
        "registerPatient": Rule(
            frozenset({"governance", "unregistered"}), "any account not yet in the directory (for itself)",
            denied=("ParticipantAlreadyRegistered",), args=lambda e, a: (_key(e, a),)),
        "setEncryptionKey": Rule(
            ORGANISATIONS | {"patient"}, "any registered, not suspended participant (its own key)",
            denied=("ParticipantNotRegistered", "ParticipantSuspended"), args=lambda e, a: (_key(e, a),)),
        "transferOwnership": Rule(
            frozenset({"governance"}), "governance (first step of a hand-over)", denied=OWNABLE,
            args=lambda e, a: (e.address("regulator"),)),
        "acceptOwnership": Rule(
            frozenset({"regulator"}), "the nominated next governance only (here the regulator)",
            denied=OWNABLE, prepare=_nominate_regulator, args=lambda e, a: ()),
    },
    "SettlementToken": {
        "mint": Rule(frozenset({"governance"}), "the owner (governance; a local-chain faucet)", denied=OWNABLE,
                     args=lambda e, a: (e.address(OUTSIDER_B), 1)),
        "transferOwnership": Rule(frozenset({"governance"}), "the owner", denied=OWNABLE,
                                  args=lambda e, a: (e.address("regulator"),)),
        "renounceOwnership": Rule(frozenset({"governance"}), "the owner", denied=OWNABLE, args=lambda e, a: ()),
        "approve": Rule(ALL, "anyone (ERC-20: its own allowance)", args=lambda e, a: (e.address(OUTSIDER_B), 1)),
        "transfer": Rule(ALL, "anyone holding the amount (ERC-20)", prepare=_mint_to_actor,
                         args=lambda e, a: (e.address(OUTSIDER_B), 1)),
        "transferFrom": Rule(ALL, "anyone holding an allowance (ERC-20)", prepare=_allowance_for_actor,
                             args=lambda e, a: (e.address(OUTSIDER_B), e.address(OUTSIDER_A), 1)),
    },
}

#: Suite contracts whose domain is still being built: their rows are added when they land.
PENDING: dict[str, str] = {
    "ConsentRegistry": "consent/records domain in progress",
    "RecordRegistry": "consent/records domain in progress",
    "DrugBatchTracing": "drug tracing domain in progress",
    "ClaimAdjudication": "claims domain in progress",
    "ResearchDataLicensing": "research domain in progress",
    "ClinicalTrialRegistry": "research domain in progress",
}


def state_changing(contract: str) -> list[str]:
    """Names of the non-view functions in the ABI of ``contract``'s committed artifact."""
    abi = load_artifact(contract)["abi"]
    return sorted({i["name"] for i in abi if i["type"] == "function" and i["stateMutability"] in ("nonpayable", "payable")})


def render() -> str:
    """The matrix as Markdown (the content of ``docs/access-control.md``)."""
    actors = list(ACTORS)
    lines = [
        "# Access-control matrix",
        "",
        "Generated by `python -m medchain.access_matrix > docs/access-control.md` from",
        "`src/medchain/access_matrix.py`; `tests/security/test_access_matrix.py` calls every state-changing",
        "function of every contract below as every actor (on the embedded chain and on Anvil) and checks that",
        "exactly the marked actors pass and every other one is refused with the listed error. A test fails when",
        "a contract's ABI gains a state-changing function this table does not list, and when this file is stale.",
        "",
        "`✓` the call succeeds, `·` it reverts with the refusal error.",
        "",
        "Actors:",
        "",
    ]
    lines += [f"- **{a}**: {d}" for a, d in ACTORS.items()]
    for contract, rules in MATRIX.items():
        lines += ["", f"## {contract}", "",
                  "| function | " + " | ".join(actors) + " | who may call | refusal |",
                  "|---|" + "|".join(":-:" for _ in actors) + "|---|---|"]
        for name in sorted(rules):
            rule = rules[name]
            cells = " | ".join("✓" if a in rule.allowed else "·" for a in actors)
            refusal = ", ".join(f"`{d}`" for d in rule.denied) or "(none: nobody is refused)"
            lines.append(f"| `{name}` | {cells} | {rule.who} | {refusal} |")
    if PENDING:
        lines += ["", "## Not yet in the matrix", ""]
        lines += [f"- {c}: {why}" for c, why in PENDING.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
