"""Attacks as tests, against every entry point they apply to (issue 8).

- Re-entrancy: a participant that is a contract (``ReentrantProvider``) paid or charged in a token
  with ERC-777-like hooks (``HookToken``) re-enters every token-moving function of the same contract
  from inside every withdrawal, refund and payment: claims (provider ``withdraw``, insurer
  ``defund``, insurer ``fund``) and research (steward and contributor ``withdraw``, researcher
  ``buyLicence``). Each is paid or charged exactly once and the books still balance.
- A legacy ERC-20 that answers ``false`` (``FalseToken``) as the settlement token of claims and of
  research: funding, paying and withdrawing revert with ``SafeERC20FailedOperation`` and move nothing.
- EIP-712 signatures, for every signed entry point (consent ``grantBySig`` and ``revokeBySig``,
  research ``contributeBySig``, trial ``enrol``): replay across nonces, chains (another chain id,
  another Anvil with the suite at the same addresses, a chain-id change under a live contract),
  deployments and contracts; malleable and malformed encodings; front-running; expired deadlines.

Cases a domain test already covers exactly stay there (named where they are left out here).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from eth_abi import encode
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from medchain.claims import encode_code, encode_icd10
from medchain.core.accounts import dev_account
from medchain.core.chain import LocalNode, connect
from medchain.core.contracts import decode_revert, load_artifact
from medchain.core.errors import ContractRevert, TransactionError
from medchain.core.standards.consent_codes import Category, Purpose
from medchain.core.tx import Sender, call, calldata, events
from medchain.participants import ParticipantsClient, encryption_key_of
from medchain.research import Field
from medchain.scenarios import CAST
from tests.conftest import deploy_world, require_node_tool
from tests.helpers import reverts, same

M = 10**6
NO_END = 2**40 - 1
READ = 1
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
OWNER, SUBJECT = 18, 19  # the hostile contracts' owner; a trial subject's pseudonymous key


def deploy(world: Any, name: str, *args: Any, by: Sender | None = None) -> Any:
    art = load_artifact(name)
    sender = by or world.sender("governance")
    address = sender.deploy(art["bytecode"], art["abi"], *args).contract_address
    return world.chain.w3.eth.contract(address=address, abi=art["abi"])


# =============================================================================== hostile markets


@dataclass
class Eoa:
    """A participant that is an externally owned account."""

    sender: Sender

    @property
    def address(self) -> str:
        return self.sender.address

    def send(self, fn: Any) -> Any:
        return self.sender.transact(fn)


@dataclass
class Robo:
    """A participant that is a contract (``ReentrantProvider``), driven by its owner."""

    contract: Any
    owner: Sender

    @property
    def address(self) -> str:
        return self.contract.address

    def send(self, fn: Any) -> Any:
        return self.owner.transact(self.contract.functions.execute(fn.address, calldata(fn)))

    def arm(self, fn: Any) -> None:
        """On the next hook, call ``fn`` (another contract function) from inside the token transfer."""
        self.owner.transact(self.contract.functions.arm(fn.address, calldata(fn)))

    def reentry(self) -> tuple[int, bool, str | None]:
        """(attempts, whether the last one succeeded, the name of its error)."""
        f = self.contract.functions
        error = bytes(call(f.lastReentryError()))
        return call(f.attempts()), call(f.lastReentrySucceeded()), decode_revert(error).name if error else None


CLAIM_CATEGORIES = int(Category.ENDOCRINE | Category.MEDICATION)
DRUG = "NDC:0002-8215-01"
FUNDED, BILLED = 1000 * M, 50 * M
LAB = int(Category.LABORATORY)
FIELDS = int(Field.CODE | Field.VALUE)
PRICE, SHARE, YEAR = 1_000_003, 2500, 365 * 86400


@dataclass
class Market:
    """A stand-alone ClaimAdjudication or ResearchDataLicensing settling in ``token``."""

    contract: Any
    token: Any
    actors: dict[str, Any]

    def balance(self, who: Any) -> int:
        return call(self.token.functions.balanceOf(who if isinstance(who, str) else who.address))

    def books(self) -> tuple[int, int]:
        """(tokens the contract holds, tokens its accounting says it holds)."""
        f = self.contract.functions
        if "insurer" in self.actors:
            pool = call(f.pool(self.actors["insurer"].address))
            assert pool[1] == call(f.owed(self.actors["insurer"].address, self.actors["provider"].address))
            accounted = pool[0]
        else:
            owed = [call(f.pendingRevenue(a.address, 1)) for k, a in self.actors.items() if k != "researcher"]
            accounted = sum(owed)
        return self.balance(self.contract.address), accounted


def claims_market(world: Any, token: Any, insurer: Any, provider: Any) -> Market:
    """A plan paying every covered drug in full, a funded pool, and ``BILLED`` owed to ``provider``."""
    adj = deploy(world, "ClaimAdjudication", world.suite.address("ParticipantRegistry"),
                 world.suite.address("ConsentRegistry"), token.address)
    f = adj.functions
    for fn in (f.definePlan((0, 0, 10**12, 0, [0] * 8)), f.enrol(1, world.address("patient_1"), 0, NO_END),
               f.openCatalogueVersion(0), f.setCatalogueItems(1, [(encode_code(DRUG), True, 1, CLAIM_CATEGORIES, 0, [])]),
               f.sealCatalogueVersion(1), f.setNetwork(provider.address, True)):
        insurer.send(fn)
    consent = world.suite.contract("ConsentRegistry").functions
    world.sender("patient_1").transact(consent.grant(insurer.address, CLAIM_CATEGORIES, int(Purpose.INSURANCE_CLAIMS),
                                                     READ, 0, NO_END))
    world.sender("governance").transact(token.functions.mint(insurer.address, 2 * FUNDED))
    insurer.send(token.functions.approve(adj.address, 2 * FUNDED))
    insurer.send(f.fund(FUNDED))
    provider.send(f.submitClaim((world.address("patient_1"), 1, world.chain.now() - 86400, [encode_icd10("E11.9")],
                                 [(encode_code(DRUG), 1, BILLED)], b"\0" * 32)))
    assert call(f.owed(insurer.address, provider.address)) == BILLED
    return Market(adj, token, {"insurer": insurer, "provider": provider})


def research_market(world: Any, token: Any, steward: Any, contributors: list[Any], researcher: Any) -> Market:
    """Version 1 published with consent-based contributors (weights 1, 2…), one licence sold."""
    lic = deploy(world, "ResearchDataLicensing", world.suite.address("ParticipantRegistry"),
                 world.suite.address("ConsentRegistry"), token.address)
    f, consent = lic.functions, world.suite.contract("ConsentRegistry").functions
    for c in contributors:
        c.send(consent.grant(steward.address, LAB, int(Purpose.RESEARCH), READ, 0, NO_END))
    steward.send(f.registerDataset(("QmManifest", b"\x11" * 32, FIELDS, LAB, PRICE, SHARE, YEAR, 0)))
    for weight, c in enumerate(contributors, start=1):
        steward.send(f.contribute(1, c.address, weight))
    steward.send(f.publish(1))
    world.sender("governance").transact(token.functions.mint(researcher.address, 2 * PRICE))
    researcher.send(token.functions.approve(lic.address, 2 * PRICE))
    researcher.send(f.buyLicence(1, FIELDS))
    actors = {"steward": steward, "researcher": researcher, **{f"contributor_{i}": c for i, c in enumerate(contributors)}}
    return Market(lic, token, actors)


@dataclass
class Arena:
    hook_claims: Market
    hook_research: Market
    false_claims: Market
    false_research: Market


def build_arena(world: Any) -> Arena:
    owner = Sender(world.chain, dev_account(OWNER))
    directory = ParticipantsClient(world.suite, world.sender("governance"))
    registry = world.suite.contract("ParticipantRegistry").functions
    key = encryption_key_of(dev_account(OWNER))

    def robo(roles: str | None) -> Robo:
        r = Robo(deploy(world, "ReentrantProvider", by=owner), owner)
        if roles:
            directory.register_organization(r.address, f"Robo {roles}", roles, key)
        else:
            r.send(registry.registerPatient(key))  # a patient that is a contract (a smart wallet)
        return r

    hook, false = deploy(world, "HookToken"), deploy(world, "FalseToken")
    eoa = lambda who: Eoa(world.sender(who))  # noqa: E731
    return Arena(
        hook_claims=claims_market(world, hook, robo("insurer"), robo("pharmacy")),
        hook_research=research_market(world, hook, robo("hospital"), [robo(None), eoa("patient_1")], robo("researcher")),
        false_claims=claims_market(world, false, eoa("insurer"), eoa("hospital_a")),
        false_research=research_market(world, false, eoa("hospital_a"), [eoa("patient_1"), eoa("patient_2")],
                                        eoa("university")))


@pytest.fixture(scope="module")
def _arena(_deployed):
    snap = _deployed.chain.snapshot()
    yield build_arena(_deployed)
    _deployed.chain.revert(snap)


@pytest.fixture
def arena(_arena, world):
    """Hostile markets (built once per backend), restored before every test."""
    return _arena


# ================================================================================= re-entrancy

# trigger: (market, actor, the call it makes, the change of its token balance when it completes)
TRIGGERS: dict[str, Callable[[Arena], tuple[Market, str, Any, int]]] = {
    "claims-provider-withdraw": lambda a: (a.hook_claims, "provider", a.hook_claims.contract.functions.withdraw(
        a.hook_claims.actors["insurer"].address, BILLED), BILLED),
    "claims-insurer-defund": lambda a: (a.hook_claims, "insurer",
                                        a.hook_claims.contract.functions.defund(FUNDED - BILLED), FUNDED - BILLED),
    "claims-insurer-fund": lambda a: (a.hook_claims, "insurer", a.hook_claims.contract.functions.fund(FUNDED), -FUNDED),
    "research-steward-withdraw": lambda a: (a.hook_research, "steward", a.hook_research.contract.functions.withdraw([1]),
                                            call(a.hook_research.contract.functions.pendingRevenue(
                                                a.hook_research.actors["steward"].address, 1))),
    "research-contributor-withdraw": lambda a: (a.hook_research, "contributor_0",
                                                a.hook_research.contract.functions.withdraw([1]),
                                                call(a.hook_research.contract.functions.pendingRevenue(
                                                    a.hook_research.actors["contributor_0"].address, 1))),
    "research-researcher-buyLicence": lambda a: (a.hook_research, "researcher",
                                                 a.hook_research.contract.functions.buyLicence(1, FIELDS), -PRICE),
}
# re-entry: every token-moving function of the same contract
REENTRIES: dict[str, dict[str, Callable[[Arena], Any]]] = {
    "claims": {"withdraw": lambda a: a.hook_claims.contract.functions.withdraw(a.hook_claims.actors["insurer"].address, 1),
               "defund": lambda a: a.hook_claims.contract.functions.defund(1),
               "fund": lambda a: a.hook_claims.contract.functions.fund(1)},
    "research": {"withdraw": lambda a: a.hook_research.contract.functions.withdraw([1]),
                 "buyLicence": lambda a: a.hook_research.contract.functions.buyLicence(1, FIELDS)},
}


@pytest.mark.parametrize("trigger,reentry", [(t, r) for t in TRIGGERS for r in REENTRIES[t.split("-")[0]]])
def test_a_reentrant_participant_is_paid_or_charged_exactly_once(world, arena, trigger, reentry):
    market, who, fn, delta = TRIGGERS[trigger](arena)
    robo = market.actors[who]
    robo.arm(REENTRIES[trigger.split("-")[0]][reentry](arena))
    before, held = market.balance(robo), market.balance(market.contract.address)
    robo.send(fn)
    assert robo.reentry() == (1, False, "ReentrancyGuardReentrantCall")
    assert market.balance(robo) - before == delta != 0
    assert market.balance(market.contract.address) - held == -delta
    tokens, accounted = market.books()
    assert tokens == accounted


def test_a_reentrant_receiver_cannot_withdraw_twice_what_it_is_owed(world, arena):
    market = arena.hook_claims
    robo, insurer = market.actors["provider"], market.actors["insurer"].address
    robo.arm(market.contract.functions.withdraw(insurer, BILLED))
    robo.send(market.contract.functions.withdraw(insurer, BILLED))
    reverts("InsufficientOwed", robo.send, market.contract.functions.withdraw(insurer, 1)).with_args(
        insurer=insurer, provider=robo.address, owed=0, requested=1)
    assert market.balance(robo) == BILLED and call(market.contract.functions.owed(insurer, robo.address)) == 0


# ======================================================================== a token answering false


def freeze(market: Market) -> None:
    market.actors["insurer" if "insurer" in market.actors else "steward"].send(market.token.functions.setFrozen(True))


def no_allowance(market: Market, who: str) -> None:
    market.actors[who].send(market.token.functions.approve(market.contract.address, 0))


# case: (market, actor, its call, how the token is made to answer false)
FALSE_CASES: dict[str, Callable[[Arena], tuple[Market, str, Any, Callable[[], None]]]] = {
    "claims-fund-without-allowance": lambda a: (a.false_claims, "insurer", a.false_claims.contract.functions.fund(FUNDED),
                                                lambda: no_allowance(a.false_claims, "insurer")),
    "claims-fund-frozen": lambda a: (a.false_claims, "insurer", a.false_claims.contract.functions.fund(FUNDED),
                                     lambda: freeze(a.false_claims)),
    "claims-provider-withdraw-frozen": lambda a: (a.false_claims, "provider", a.false_claims.contract.functions.withdraw(
        a.false_claims.actors["insurer"].address, BILLED), lambda: freeze(a.false_claims)),
    "claims-insurer-defund-frozen": lambda a: (a.false_claims, "insurer", a.false_claims.contract.functions.defund(M),
                                               lambda: freeze(a.false_claims)),
    "research-buyLicence-without-allowance": lambda a: (a.false_research, "researcher",
                                                        a.false_research.contract.functions.buyLicence(1, FIELDS),
                                                        lambda: no_allowance(a.false_research, "researcher")),
    "research-buyLicence-frozen": lambda a: (a.false_research, "researcher",
                                             a.false_research.contract.functions.buyLicence(1, FIELDS),
                                             lambda: freeze(a.false_research)),
    "research-steward-withdraw-frozen": lambda a: (a.false_research, "steward",
                                                   a.false_research.contract.functions.withdraw([1]),
                                                   lambda: freeze(a.false_research)),
    "research-contributor-withdraw-frozen": lambda a: (a.false_research, "contributor_0",
                                                       a.false_research.contract.functions.withdraw([1]),
                                                       lambda: freeze(a.false_research)),
}


def ledger(market: Market) -> tuple[Any, ...]:
    """Every balance and every figure of the contract's books that a payment could change."""
    f = market.contract.functions
    if "insurer" in market.actors:
        ins, prov = market.actors["insurer"].address, market.actors["provider"].address
        books: tuple[Any, ...] = (tuple(call(f.pool(ins))), call(f.owed(ins, prov)))
    else:
        books = (call(f.licenceCount()), *(call(f.pendingRevenue(a.address, 1)) for a in market.actors.values()))
    return (*(market.balance(a) for a in market.actors.values()), market.balance(market.contract.address), *books)


@pytest.mark.parametrize("case", FALSE_CASES)
def test_a_token_answering_false_moves_nothing_and_says_so(world, arena, case):
    market, who, fn, make_it_fail = FALSE_CASES[case](arena)
    make_it_fail()
    before = ledger(market)
    assert reverts("SafeERC20FailedOperation", market.actors[who].send, fn) == {"token": market.token.address}
    assert ledger(market) == before


# ===================================================================== a fee-on-transfer token


def test_a_fee_on_transfer_token_keeps_the_research_books_solvent(world):
    fee = deploy(world, "FeeToken")
    eoa = lambda who: Eoa(world.sender(who))  # noqa: E731
    market = research_market(world, fee, eoa("hospital_a"), [eoa("patient_1"), eoa("patient_2")], eoa("university"))
    tokens, accounted = market.books()
    assert tokens == PRICE - PRICE // 100 == accounted  # the 1% fee is not credited to anyone
    for who in ("steward", "contributor_0", "contributor_1"):
        market.actors[who].send(market.contract.functions.withdraw([1]))  # everyone is paid what they are owed
    assert market.books() == (0, 0)  # what arrived, and nothing more, was owed and paid out


def test_a_fee_on_transfer_token_keeps_the_claims_pool_solvent(world):
    fee = deploy(world, "FeeToken")
    market = claims_market(world, fee, Eoa(world.sender("insurer")), Eoa(world.sender("hospital_a")))
    tokens, accounted = market.books()
    assert tokens == FUNDED - FUNDED // 100 == accounted


def test_the_false_answering_token_pays_normally_when_it_can(world, arena):
    """The control of the cases above: the same markets work while the token can move the funds."""
    claims, research = arena.false_claims, arena.false_research
    claims.actors["provider"].send(claims.contract.functions.withdraw(claims.actors["insurer"].address, BILLED))
    assert claims.balance(claims.actors["provider"]) == BILLED
    research.actors["steward"].send(research.contract.functions.withdraw([1]))
    assert claims.books() == (FUNDED - BILLED, FUNDED - BILLED) and research.books()[0] == research.books()[1]


# ================================================================================ EIP-712 signatures

DOMAIN_FIELDS = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                 {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}]
DOMAIN_TYPEHASH = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
DIABETES, TREATMENT = int(Category.ENDOCRINE), int(Purpose.TREATMENT)
PROTOCOL, ENDPOINTS = keccak(text="protocol v1"), keccak(text="primary endpoints")


def domain_separator(name: str, chain_id: int, contract: str) -> bytes:
    return keccak(encode(["bytes32", "bytes32", "bytes32", "uint256", "address"],
                         [DOMAIN_TYPEHASH, keccak(text=name), keccak(text="1"), chain_id, contract]))


@dataclass(frozen=True)
class SignedEntry:
    """One signed entry point: its contract, its struct, who signs, who relays, and how to use it."""

    contract: str
    domain: str
    primary: str
    fields: list[tuple[str, str]]
    signer: str | int
    relayer: str
    prepare: Callable[[Any, Any], dict[str, Any]]  # (world, contract) -> context
    message: Callable[[Any, dict[str, Any], int], dict[str, Any]]  # (world, context, variant) -> struct without nonce/deadline
    submit: Callable[[Any, dict[str, Any], bytes], Any]  # (contract, struct, signature) -> function
    effect: Callable[[Any, dict[str, Any]], Any]  # (contract, struct) -> the state the signature changes

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self.fields]


def _consent_prepare(world: Any, c: Any) -> dict[str, Any]:
    for grantee in ("hospital_b", "hospital_c"):  # something to revoke
        world.sender("patient_1").transact(c.functions.grant(world.address(grantee), DIABETES, TREATMENT, READ, 0, NO_END))
    return {}


def _research_prepare(world: Any, c: Any) -> dict[str, Any]:
    first = call(c.functions.versionCount()) + 1
    for _ in range(2):
        world.sender("hospital_a").transact(c.functions.registerDataset(
            ("QmManifest", b"\x11" * 32, FIELDS, LAB, PRICE, SHARE, YEAR, 0)))
    return {"versions": [first, first + 1]}


def _trials_prepare(world: Any, c: Any) -> dict[str, Any]:
    first = call(c.functions.trialCount()) + 1
    for trial in (first, first + 1):
        world.sender("manufacturer").transact(c.functions.registerTrial(PROTOCOL, ENDPOINTS, f"TRIAL-{trial}"))
        for site in ("hospital_a", "hospital_b"):
            world.sender("manufacturer").transact(c.functions.addSite(trial, world.address(site)))
    return {"trials": [first, first + 1]}


GRANTEES = ("hospital_b", "hospital_c")
SIGNED: dict[str, SignedEntry] = {
    "grant": SignedEntry(
        "ConsentRegistry", "MedChain ConsentRegistry", "SignedGrant",
        [("patient", "address"), ("grantee", "address"), ("categories", "uint16"), ("purposes", "uint8"),
         ("actions", "uint8"), ("start", "uint40"), ("end", "uint40"), ("nonce", "uint256"), ("deadline", "uint256")],
        "patient_1", "insurer", lambda world, c: {},
        lambda world, ctx, v: {"patient": world.address("patient_1"), "grantee": world.address(("hospital_a", "pharmacy")[v]),
                               "categories": DIABETES | LAB, "purposes": TREATMENT, "actions": READ, "start": 0,
                               "end": NO_END},
        lambda c, m, sig: c.functions.grantBySig(tuple(m[k] for k in SIGNED["grant"].names), sig),
        lambda c, m: tuple(call(c.functions.consentOf(m["patient"], m["grantee"])))),
    "revoke": SignedEntry(
        "ConsentRegistry", "MedChain ConsentRegistry", "SignedRevoke",
        [("patient", "address"), ("grantee", "address"), ("nonce", "uint256"), ("deadline", "uint256")],
        "patient_1", "insurer", _consent_prepare,
        lambda world, ctx, v: {"patient": world.address("patient_1"), "grantee": world.address(GRANTEES[v])},
        lambda c, m, sig: c.functions.revokeBySig(tuple(m[k] for k in SIGNED["revoke"].names), sig),
        lambda c, m: tuple(call(c.functions.consentOf(m["patient"], m["grantee"])))),
    "contribute": SignedEntry(
        "ResearchDataLicensing", "MedChain ResearchDataLicensing", "Contribution",
        [("patient", "address"), ("version", "uint256"), ("weight", "uint64"), ("nonce", "uint256"), ("deadline", "uint256")],
        "patient_4", "hospital_a", _research_prepare,
        lambda world, ctx, v: {"patient": world.address("patient_4"), "version": ctx["versions"][v], "weight": 3},
        lambda c, m, sig: c.functions.contributeBySig(m["version"], m["patient"], m["weight"], m["deadline"], sig),
        lambda c, m: tuple(call(c.functions.contribution(m["version"], m["patient"])))),
    "enrol": SignedEntry(
        "ClinicalTrialRegistry", "MedChain ClinicalTrialRegistry", "EnrolmentConsent",
        [("trialId", "uint256"), ("subject", "address"), ("site", "address"), ("protocolHash", "bytes32"),
         ("nonce", "uint256"), ("deadline", "uint256")],
        SUBJECT, "hospital_a", _trials_prepare,
        lambda world, ctx, v: {"trialId": ctx["trials"][v], "subject": dev_account(SUBJECT).address,
                               "site": world.address("hospital_a"), "protocolHash": PROTOCOL},
        lambda c, m, sig: c.functions.enrol(m["trialId"], m["subject"], m["protocolHash"], m["deadline"], sig),
        lambda c, m: tuple(call(c.functions.subjectOf(m["trialId"], m["subject"])))),
}

# The error a refused signature gets where the recovered signer is not the patient, or its nonce was used.
USED_NONCE = {"grant": "InvalidAccountNonce", "revoke": "InvalidAccountNonce", "contribute": "WrongSigner",
              "enrol": "WrongSigner"}


def signer_of(entry: SignedEntry) -> Any:
    return dev_account(entry.signer if isinstance(entry.signer, int) else CAST[entry.signer])


@dataclass
class Signing:
    """A signed entry point prepared on one deployment of one chain."""

    world: Any
    entry: SignedEntry
    contract: Any
    ctx: dict[str, Any]

    def nonce(self) -> int:
        return call(self.contract.functions.nonces(signer_of(self.entry).address))

    def message(self, variant: int = 0, *, nonce: int | None = None, deadline: int | None = None) -> dict[str, Any]:
        m = self.entry.message(self.world, self.ctx, variant)
        return {**m, "nonce": self.nonce() if nonce is None else nonce,
                "deadline": self.world.chain.now() + 3600 if deadline is None else deadline}

    def sign(self, message: dict[str, Any], *, chain_id: int | None = None, contract: str | None = None,
             name: str | None = None) -> bytes:
        domain = {"name": name or self.entry.domain, "version": "1",
                  "chainId": self.world.chain.chain_id if chain_id is None else chain_id,
                  "verifyingContract": contract or self.contract.address}
        typed = {"types": {"EIP712Domain": DOMAIN_FIELDS,
                           self.entry.primary: [{"name": n, "type": t} for n, t in self.entry.fields]},
                 "primaryType": self.entry.primary, "domain": domain, "message": message}
        return bytes(signer_of(self.entry).sign_message(encode_typed_data(full_message=typed)).signature)

    def fn(self, message: dict[str, Any], signature: bytes) -> Any:
        return self.entry.submit(self.contract, message, signature)

    def submit(self, message: dict[str, Any], signature: bytes, by: str | None = None, **kw: Any) -> Any:
        return self.world.sender(by or self.entry.relayer).transact(self.fn(message, signature), **kw)

    def effect(self, message: dict[str, Any]) -> Any:
        return self.entry.effect(self.contract, message)

    def refused(self, error: str, message: dict[str, Any], signature: bytes, by: str | None = None,
                **expected: Any) -> dict[str, Any]:
        """The submission reverts with ``error`` and changes neither the effect nor the nonce. The
        error's arguments are ``expected`` and, for the signature errors, what the request implies:
        ``WrongSigner`` names the account the request speaks for and another signer,
        ``InvalidAccountNonce`` that account and its current nonce, ``AlreadyEnrolled`` the trial
        and the subject, ``NotSteward`` the relayer and the version, ``InvalidSignature`` nothing."""
        effect, nonce = self.effect(message), self.nonce()
        args = reverts(error, self.submit, message, signature, by).with_args(**expected)
        claimant = message["subject" if "subject" in message else "patient"]
        if error == "WrongSigner":
            claimed, signer = args.values()
            assert same(claimed, claimant) and not same(signer, claimant), args
        elif error == "InvalidAccountNonce":
            args.with_args(account=claimant, currentNonce=nonce)
        elif error == "AlreadyEnrolled":
            args.with_args(message["trialId"], claimant)
        elif error == "NotSteward":
            args.with_args(caller=self.world.address(by or self.entry.relayer), version=message["version"])
        elif error == "InvalidSignature":
            assert args == {}, args
        assert (self.effect(message), self.nonce()) == (effect, nonce)
        return args


def signing(world: Any, name: str, contract: Any = None) -> Signing:
    entry = SIGNED[name]
    c = contract or world.suite.contract(entry.contract)
    return Signing(world, entry, c, entry.prepare(world, c))


def deploy_again(world: Any, entry: SignedEntry) -> Any:
    """Another deployment of the same contract on the same chain (same constructor arguments)."""
    s = world.suite
    args = {"ConsentRegistry": [s.address("ParticipantRegistry")],
            "ResearchDataLicensing": [s.address("ParticipantRegistry"), s.address("ConsentRegistry"),
                                      s.address("SettlementToken")],
            "ClinicalTrialRegistry": [s.address("ParticipantRegistry"), s.address("AttestationTree"),
                                      s.address("EligibilityVerifier")]}[entry.contract]
    return deploy(world, entry.contract, *args)


ALL = list(SIGNED)
CONTRACTS = {e.contract: e.domain for e in SIGNED.values()}


@pytest.mark.both_backends
@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_the_domain_separator_binds_name_version_chain_and_contract(world, name):
    c = world.suite.contract(name)
    assert bytes(call(c.functions.DOMAIN_SEPARATOR())) == domain_separator(CONTRACTS[name], world.chain.chain_id,
                                                                           c.address)


# consent grant: tests/consent/test_consent.py::test_a_signature_cannot_be_replayed
@pytest.mark.both_backends
@pytest.mark.parametrize("name,error", [("revoke", "InvalidAccountNonce"), ("contribute", "WrongSigner"),
                                        ("enrol", "AlreadyEnrolled")])
def test_a_signature_works_once(world, name, error):
    s = signing(world, name)
    m = s.message()
    sig = s.sign(m)
    before = s.effect(m)
    s.submit(m, sig)
    after = s.effect(m)
    assert after != before and s.nonce() == m["nonce"] + 1
    s.refused(error, m, sig)
    assert s.effect(m) == after


@pytest.mark.both_backends
@pytest.mark.parametrize("name", ALL)
def test_a_signature_over_a_nonce_already_used_is_refused(world, name):
    """Two requests signed with the same nonce (another grantee, dataset or trial): only the first relayed counts."""
    s = signing(world, name)
    first, second = s.message(0), s.message(1)
    sig_first, sig_second = s.sign(first), s.sign(second)
    s.submit(second, sig_second)
    s.refused(USED_NONCE[name], first, sig_first)


@pytest.mark.both_backends
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("chain_id", [1, "next"])
def test_a_signature_for_another_chain_id_is_refused(world, name, chain_id):
    s = signing(world, name)
    m = s.message()
    other = world.chain.chain_id + 1 if chain_id == "next" else chain_id
    args = s.refused("WrongSigner", m, s.sign(m, chain_id=other))
    assert args["signer"] != signer_of(s.entry).address
    s.submit(m, s.sign(m))  # the same request signed for this chain is fine


@pytest.mark.both_backends
@pytest.mark.parametrize("name", ALL)
def test_a_signature_for_another_deployment_of_the_contract_is_refused(world, name):
    here = signing(world, name)
    there = signing(world, name, deploy_again(world, here.entry))
    m = here.message()
    sig = here.sign(m)
    assert there.message() == m  # the very same request, only the verifying contract differs
    there.refused("WrongSigner", m, sig)
    here.submit(m, sig)


@pytest.mark.both_backends
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("other", sorted(CONTRACTS))
def test_a_signature_for_another_contract_is_refused(world, name, other):
    s = signing(world, name)
    m = s.message()
    if other == s.entry.contract:  # the same struct under a domain naming this contract at another address
        sig = s.sign(m, contract=world.suite.address("ParticipantRegistry"))
    else:
        sig = s.sign(m, contract=world.suite.address(other), name=CONTRACTS[other])
    s.refused("WrongSigner", m, sig)


# ------------------------------------------------------------------- the same suite on another chain


@pytest.fixture(scope="module")
def _elsewhere(chain):
    """The suite deployed, from the same deployer, on a second Anvil with another chain id: the same
    contracts at the same addresses."""
    require_node_tool("anvil")
    node = LocalNode("anvil", chain_id=1337 if chain.chain_id != 1337 else 31337)
    node.start()
    other = connect(node.url)
    ctx = deploy_world(other)
    yield ctx
    shutil.rmtree(ctx.workdir, ignore_errors=True)
    node.stop()


@pytest.fixture
def elsewhere(_elsewhere, world):
    snap = _elsewhere.chain.snapshot()
    yield _elsewhere
    _elsewhere.chain.revert(snap)


@pytest.mark.both_backends
@pytest.mark.anvil
@pytest.mark.parametrize("name", ALL)
def test_a_signature_for_the_same_contract_on_another_chain_is_refused(world, elsewhere, name):
    here, there = signing(world, name), signing(elsewhere, name)
    assert here.contract.address == there.contract.address and world.chain.chain_id != elsewhere.chain.chain_id
    m = here.message()
    assert there.message(deadline=m["deadline"]) == m
    sig_here, sig_there = here.sign(m), there.sign(m)
    there.refused("WrongSigner", m, sig_here)
    here.refused("WrongSigner", m, sig_there)
    here.submit(m, sig_here)
    there.submit(m, sig_there)


@pytest.mark.both_backends
@pytest.mark.anvil
@pytest.mark.parametrize("name", ALL)
def test_the_domain_separator_follows_a_chain_id_change(world, name):
    """After a fork changes the chain id, the contract verifies under the new id only (OpenZeppelin
    rebuilds the cached separator when block.chainid differs). Checked with calls: the node's
    transactions would need the new id too."""
    if world.chain.kind != "anvil":
        pytest.skip("only Anvil can change the chain id of a running chain")
    s = signing(world, name)
    m = s.message()
    old, new = world.chain.chain_id, world.chain.chain_id + 1000
    sig_old, sig_new = s.sign(m), s.sign(m, chain_id=new)
    relayer = world.address(s.entry.relayer)
    world.chain._rpc("anvil_setChainId", [new])
    try:
        assert bytes(call(s.contract.functions.DOMAIN_SEPARATOR())) == domain_separator(s.entry.domain, new,
                                                                                        s.contract.address)
        claimed, signer = reverts("WrongSigner", call, s.fn(m, sig_old), sender=relayer).values()
        assert same(claimed, m["subject" if "subject" in m else "patient"]) and not same(signer, claimed)
        call(s.fn(m, sig_new), sender=relayer)  # would succeed
    finally:
        world.chain._rpc("anvil_setChainId", [old])
    assert bytes(call(s.contract.functions.DOMAIN_SEPARATOR())) == domain_separator(s.entry.domain, old,
                                                                                    s.contract.address)


# ------------------------------------------------------------------------- malleability, encodings


def malleate(sig: bytes, form: str) -> bytes:
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    return {
        "high-s": r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v]),  # the same signature, mirrored
        "v-0-1": sig[:64] + bytes([v - 27]),
        "v-29": sig[:64] + bytes([29]),
        "eip-2098-compact": r + (s | (v - 27) << 255).to_bytes(32, "big"),  # 64 bytes (OpenZeppelin 5 refuses it)
        "66-bytes": sig + b"\x00",
        "empty": b"",
    }[form]


FORMS = ["high-s", "v-0-1", "v-29", "eip-2098-compact", "66-bytes", "empty"]


# consent grant, high-s: tests/consent/test_consent.py::test_malleable_and_malformed_signatures_are_refused
@pytest.mark.both_backends
@pytest.mark.parametrize("name,form", [(n, f) for n in ALL for f in FORMS if (n, f) != ("grant", "high-s")])
def test_malleable_and_malformed_signatures_are_refused(world, name, form):
    s = signing(world, name)
    m = s.message()
    sig = s.sign(m)
    s.refused("InvalidSignature", m, malleate(sig, form))
    s.submit(m, sig)  # the original is still good


# --------------------------------------------------------------------------------- deadlines
# grant: tests/consent/test_consent.py::test_the_deadline_is_inclusive; contribute:
# tests/research/test_licensing.py::test_a_signature_deadline_is_inclusive; enrol:
# tests/research/test_trials.py::test_the_consent_deadline_is_inclusive


@pytest.mark.both_backends
@pytest.mark.parametrize("name", ["revoke"])
@pytest.mark.parametrize("delta,ok", [(-1, True), (0, True), (1, False)])
def test_a_signature_is_usable_until_its_deadline_inclusive(world, name, delta, ok):
    s = signing(world, name)
    m = s.message(deadline=world.chain.now() + 100)
    sig = s.sign(m)
    before = s.effect(m)
    world.chain.set_next_block_timestamp(m["deadline"] + delta)
    if ok:
        s.submit(m, sig, gas=300_000)
        assert s.effect(m) != before
    else:
        with pytest.raises(TransactionError) as info:  # mined and failed; decoded where the backend replays it
            s.submit(m, sig, gas=300_000)
        assert not isinstance(info.value, ContractRevert) or info.value.name == "SignatureExpired"
        assert world.chain.now() == m["deadline"] + 1 and s.effect(m) == before
        assert reverts("SignatureExpired", s.submit, m, sig) == {"deadline": m["deadline"]}


# ------------------------------------------------------------------------------- front-running


def consent_state(world: Any, s: Signing, m: dict[str, Any], attacker: str) -> tuple[Any, ...]:
    c = s.contract.functions
    return (tuple(call(c.consentOf(m["patient"], world.address(attacker)))),
            *(tuple(call(c.consentOf(m["patient"], world.address(g)))) for g in ("hospital_a", *GRANTEES)
              if world.address(g) != m["grantee"]),
            call(c.nonces(world.address(attacker))), call(c.nonces(world.address(s.entry.relayer))))


@pytest.mark.both_backends
@pytest.mark.parametrize("name", ["grant", "revoke"])
def test_a_front_run_signed_consent_does_exactly_what_the_patient_signed(world, name):
    s = signing(world, name)
    m = s.message()
    sig = s.sign(m)
    others = consent_state(world, s, m, "distributor")
    receipt = s.submit(m, sig, by="distributor")  # the attacker saw it in the mempool and relayed it first
    event = "ConsentGranted" if name == "grant" else "ConsentRevoked"
    (ev,) = events(s.contract, event, receipt)
    assert (ev["patient"], ev["grantee"], ev["by"]) == (m["patient"], m["grantee"], m["patient"])
    consent = call(s.contract.functions.consentOf(m["patient"], m["grantee"]))
    if name == "grant":
        assert (consent[0], consent[1], consent[2], consent[3], consent[4], consent[6]) == (
            m["categories"], m["purposes"], m["actions"], m["start"], m["end"], False)
    else:
        assert consent[6] is True
    assert s.refused("InvalidAccountNonce", m, sig) == {"account": m["patient"], "currentNonce": m["nonce"] + 1}
    assert consent_state(world, s, m, "distributor") == others


@pytest.mark.both_backends
def test_only_the_steward_can_relay_a_signed_contribution(world):
    s = signing(world, "contribute")
    m = s.message()
    sig = s.sign(m)
    assert s.refused("NotSteward", m, sig, by="hospital_b") == {"caller": world.address("hospital_b"),
                                                               "version": m["version"]}
    s.submit(m, sig)
    assert s.effect(m)[0] == m["weight"]


@pytest.mark.both_backends
def test_a_front_run_enrolment_by_another_site_is_refused(world):
    s = signing(world, "enrol")
    m = s.message()
    sig = s.sign(m)
    s.refused("WrongSigner", m, sig, by="hospital_b")  # another site of the trial: nothing changes
    s.submit(m, sig)  # the site the subject named
    site, enrolled_at, withdrawn_at, visits = s.effect(m)
    assert (site, enrolled_at, withdrawn_at, visits) == (world.address("hospital_a"), world.chain.now(), 0, 0)
    assert s.effect(s.message(1))[1] == 0  # and only in the signed trial
    assert s.nonce() == m["nonce"] + 1


@pytest.mark.both_backends
@pytest.mark.parametrize("by", ["patient", "guardian"])
def test_a_revocation_voids_the_patients_outstanding_signed_grants(world, by):
    consent = world.suite.contract("ConsentRegistry").functions
    patient, hospital = world.sender("patient_1"), world.address("hospital_b")
    patient.transact(consent.grant(hospital, DIABETES, TREATMENT, READ, 0, NO_END))
    s = signing(world, "grant")
    m = {**s.message(), "grantee": hospital}
    sig = s.sign(m)  # e.g. an extension the patient signed and handed to the hospital, not relayed yet
    if by == "patient":
        patient.transact(consent.revoke(hospital))
    else:
        patient.transact(consent.appointGuardian(world.address("patient_2")))
        world.sender("patient_2").transact(consent.revokeFor(patient.address, hospital))
    assert s.nonce() == m["nonce"] + 1
    s.refused("InvalidAccountNonce", m, sig, by="hospital_b")
    assert s.effect(m)[-1] is True  # still revoked
