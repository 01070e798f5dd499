"""Gas operations of ResearchDataLicensing and ClinicalTrialRegistry, and the licence-gas scaling run.

Goal (issue 6): buying a licence costs at most 120,000 gas and the same for 10 and for 10,000
contributors. ``OPERATIONS`` measure a 10-contributor dataset on the embedded chain; the first sale
of the suite also pays for the licensing contract's first token balance (a zero-to-non-zero
write), so ``buyLicence`` (first sale) and ``buyLicenceAgain`` (steady state) are both named.
:func:`licence_gas_by_contributors` (``python -m medchain.bench.research``) repeats both sales on
Anvil for datasets of 10 and 10,000 contributors; it is kept out of ``OPERATIONS`` because it sends
about 30,000 transactions.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_utils import keccak

from medchain.core.standards.consent_codes import Category, Purpose
from medchain.core.storage import EmbeddedStore
from medchain.core.token import TokenClient
from medchain.core.tx import Sender
from medchain.research.licensing import Field, ResearchClient
from medchain.research.trials import TrialsClient

LAB = int(Category.LABORATORY)
NO_END = 2**40 - 1
PRICE = 1_000_000_000  # 1,000 MCUSD
SHARE = 1000
YEAR = 365 * 86400
FIELDS = Field.RESOURCE_TYPE | Field.CODE | Field.VALUE | Field.EFFECTIVE_DATE
MANIFEST_CID = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
CAST_PATIENTS = ["patient_1", "patient_2", "patient_3", "patient_4"]


def _store(ctx: Any) -> EmbeddedStore:
    return EmbeddedStore(Path(ctx.workdir) / "bench-ipfs")


def _steward(ctx: Any) -> ResearchClient:
    return ResearchClient(ctx.suite, ctx.sender("hospital_a"), _store(ctx))


def _university(ctx: Any) -> ResearchClient:
    return ResearchClient(ctx.suite, ctx.sender("university"), _store(ctx))


def bench_patients(count: int, offset: int = 0) -> list[Any]:
    """Deterministic patient accounts for benchmarks (not development accounts)."""
    return [Account.from_key(keccak(text=f"medchain-bench-patient-{offset + i}")) for i in range(count)]


def enlist_patients(ctx: Any, accounts: list[Any], steward: str) -> None:
    """Fund, register and give research consent to ``steward`` for each account, in JSON-RPC batches."""
    from medchain.core.registry import encryption_key_of

    chain = ctx.chain
    registry = ctx.suite.contract("ParticipantRegistry")
    consent = ctx.suite.contract("ConsentRegistry")
    if chain.kind == "embedded":
        gov = ctx.sender("governance")
        for a in accounts:
            gov.transact(to=a.address, value=10**17)
    else:
        batch = [("anvil_setBalance", [a.address, hex(10**18)]) for a in accounts]
        for i in range(0, len(batch), 1000):
            chain.w3.provider.make_batch_request(batch[i:i + 1000])
    fees = ctx.sender("governance").fees()
    raws: list[bytes] = []
    for a in accounts:
        calls = [registry.functions.registerPatient(encryption_key_of(a)),
                 consent.functions.grant(steward, LAB, int(Purpose.RESEARCH), 1, 0, NO_END)]
        for nonce, fn in enumerate(calls):
            tx = {"to": fn.address, "data": fn._encode_transaction_data(), "value": 0, "gas": 200_000, "nonce": nonce,
                  "chainId": chain.chain_id, "type": 2, **fees}
            raws.append(bytes(a.sign_transaction(tx).raw_transaction))
    flood(ctx, raws)


def flood(ctx: Any, raws: list[bytes]) -> None:
    """Send pre-signed transactions and wait until all are mined successfully.

    On Anvil, automining is paused so each block takes as many transactions as fit (one block per
    transaction makes 30,000 transactions take minutes); elsewhere they are sent one by one.

    Raises:
        TransactionError: a transaction failed.
    """
    from medchain.core.errors import TransactionError

    chain = ctx.chain
    if chain.kind != "anvil":
        sender = ctx.sender("governance")
        for r in raws:
            sender.wait(chain.w3.eth.send_raw_transaction(r).to_0x_hex())
        return
    rpc = chain.w3.provider
    rpc.make_request("evm_setAutomine", [False])
    hashes: list[str] = []
    try:
        for i in range(0, len(raws), 250):
            answers = rpc.make_batch_request([("eth_sendRawTransaction", ["0x" + r.hex()]) for r in raws[i:i + 250]])
            bad = [a["error"] for a in answers if "error" in a]
            if bad:
                raise TransactionError(f"{len(bad)} transactions refused, first: {bad[0]}")
            hashes += [a["result"] for a in answers]
            _mine(rpc)
        for _ in range(len(raws)):
            if not int(rpc.make_request("txpool_status", [])["result"]["pending"], 16):
                break
            _mine(rpc)
    finally:
        rpc.make_request("evm_setAutomine", [True])
    for i in range(0, len(hashes), 500):
        receipts = rpc.make_batch_request([("eth_getTransactionReceipt", [h]) for h in hashes[i:i + 500]])
        failed = [r for r in receipts if not r.get("result") or int(r["result"]["status"], 16) != 1]
        if failed:
            raise TransactionError(f"{len(failed)} transactions failed or are missing")


def _mine(rpc: Any) -> None:
    # Full blocks raise the base fee 12.5 % each: keep it at zero so no pre-signed fee goes stale.
    rpc.make_request("anvil_setNextBlockBaseFeePerGas", ["0x0"])
    rpc.make_request("evm_mine", [])


def _register(ctx: Any, weights: dict[str, int]) -> int:
    """A draft version of hospital A with random rows root, contributions of ``weights``."""
    steward = _steward(ctx)
    root = keccak(text=f"bench-root-{len(weights)}")
    receipt = ctx.sender("hospital_a").transact(steward.contract.functions.registerDataset(
        ("QmBenchManifest", root, int(FIELDS), LAB, PRICE, SHARE, YEAR, 0)))
    version = int(steward.contract.events.DatasetRegistered().process_log(receipt.logs[0])["args"]["version"])
    if len(weights) <= 16:
        for patient, weight in weights.items():
            steward.contribute(version, patient, weight)
        return version
    sender, fees = ctx.sender("hospital_a"), ctx.sender("hospital_a").fees()
    raws = []
    for patient, weight in weights.items():
        fn = steward.contract.functions.contribute(version, patient, weight)
        raws.append(sender.sign({"from": sender.address, "to": fn.address, "data": fn._encode_transaction_data(),
                                 "value": 0, "gas": 200_000, "chainId": ctx.chain.chain_id, **fees}))
    flood(ctx, raws)
    return version


def _cast_consents(ctx: Any, patients: list[str]) -> None:
    consent = ctx.suite.contract("ConsentRegistry")
    for p in patients:
        ctx.sender(p).transact(consent.functions.grant(ctx.address("hospital_a"), LAB, int(Purpose.RESEARCH), 1, 0, NO_END))


def published_dataset(ctx: Any, contributors: int = 10) -> int:
    """A published version with ``contributors`` contributors (the cast's patients, then bench patients)."""
    cast = CAST_PATIENTS[:contributors]
    _cast_consents(ctx, cast)
    extra = bench_patients(max(0, contributors - len(cast)))
    if extra:
        enlist_patients(ctx, extra, ctx.address("hospital_a"))
    weights = {ctx.address(p): 1 for p in cast} | {a.address: 1 for a in extra}
    version = _register(ctx, weights)
    _steward(ctx).publish(version)
    TokenClient(ctx.suite, ctx.sender("governance")).mint(ctx.address("university"), 100 * PRICE)
    return version


# ----------------------------------------------------------------------------- operations


def register_dataset(ctx: Any) -> Any:
    # Fixed terms: a real build's manifest CID and rows root are random, and calldata gas depends
    # on their zero bytes; the snapshot must be deterministic.
    steward = _steward(ctx)
    return ctx.sender("hospital_a").transact(steward.contract.functions.registerDataset(
        (MANIFEST_CID, keccak(text="bench-rows"), int(FIELDS), LAB, PRICE, SHARE, YEAR, 0)))


def contribute(ctx: Any) -> Any:
    _cast_consents(ctx, ["patient_1", "patient_2"])
    version = _register(ctx, {ctx.address("patient_1"): 3})
    return _steward(ctx).contribute(version, ctx.address("patient_2"), 2)


def contribute_by_sig(ctx: Any) -> Any:
    _cast_consents(ctx, ["patient_1"])
    version = _register(ctx, {ctx.address("patient_1"): 3})
    steward = _steward(ctx)
    deadline = NO_END  # fixed, so the signature (and its calldata gas) is the same on every run
    sig = steward.sign_contribution(ctx.account("patient_2"), version, 2, deadline)
    return steward.contribute_by_sig(version, ctx.address("patient_2"), 2, deadline, sig)


def publish(ctx: Any) -> Any:
    _cast_consents(ctx, CAST_PATIENTS)
    version = _register(ctx, {ctx.address(p): 1 for p in CAST_PATIENTS})
    return _steward(ctx).publish(version)


def buy_licence(ctx: Any) -> Any:
    version = published_dataset(ctx, 10)
    return _university(ctx).buy_licence(version, Field.CODE | Field.VALUE)[1]


def buy_licence_again(ctx: Any) -> Any:
    version = published_dataset(ctx, 10)
    _university(ctx).buy_licence(version, Field.CODE)
    return _university(ctx).buy_licence(version, Field.CODE | Field.VALUE)[1]


def flag_withdrawn(ctx: Any) -> Any:
    version = published_dataset(ctx, 4)
    ctx.sender("patient_2").transact(ctx.suite.contract("ConsentRegistry").functions.revoke(ctx.address("hospital_a")))
    return _university(ctx).flag_withdrawn(version, ctx.address("patient_2"))


def record_extract(ctx: Any) -> Any:
    version = published_dataset(ctx, 4)
    licence_id, _ = _university(ctx).buy_licence(version, Field.CODE)
    return _steward(ctx).record_extract(licence_id, "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")


def withdraw_share(ctx: Any) -> Any:
    version = published_dataset(ctx, 4)
    _university(ctx).buy_licence(version, Field.CODE)
    return ResearchClient(ctx.suite, ctx.sender("patient_1")).withdraw([version])[1]


def withdraw_steward(ctx: Any) -> Any:
    version = published_dataset(ctx, 4)
    _university(ctx).buy_licence(version, Field.CODE)
    return _steward(ctx).withdraw([version])[1]


def _trial(ctx: Any, site: bool = True) -> tuple[TrialsClient, int]:
    sponsor = TrialsClient(ctx.suite, ctx.sender("manufacturer"))
    trial_id, _ = sponsor.register_trial("protocol v1", "primary endpoints v1", "BENCH-TRIAL")
    if site:
        sponsor.add_site(trial_id, ctx.address("hospital_a"))
    return sponsor, trial_id


def _enrolled(ctx: Any) -> tuple[TrialsClient, int, Any]:
    sponsor, trial_id = _trial(ctx)
    site = TrialsClient(ctx.suite, ctx.sender("hospital_a"))
    subject = bench_patients(1, offset=10**6)[0]
    deadline = NO_END  # fixed, so the signature (and its calldata gas) is the same on every run
    receipt = site.enrol(trial_id, subject.address, deadline, site.sign_enrolment(subject, trial_id, deadline))
    return site, trial_id, (subject, receipt)


def trial_register(ctx: Any) -> Any:
    return TrialsClient(ctx.suite, ctx.sender("manufacturer")).register_trial("protocol v1", "endpoints v1", "BENCH-TRIAL")[1]


def trial_add_site(ctx: Any) -> Any:
    sponsor, trial_id = _trial(ctx, site=False)
    return sponsor.add_site(trial_id, ctx.address("hospital_a"))


def trial_enrol(ctx: Any) -> Any:
    return _enrolled(ctx)[2][1]


def trial_record_visit(ctx: Any) -> Any:
    site, trial_id, (subject, _) = _enrolled(ctx)
    return site.record_visit(trial_id, subject.address, {"week": 4})


def trial_record_milestone(ctx: Any) -> Any:
    sponsor, trial_id = _trial(ctx)
    return sponsor.record_milestone(trial_id, "first-subject-in", {"date": "2025-01-01"})


def trial_withdraw_subject(ctx: Any) -> Any:
    site, trial_id, (subject, _) = _enrolled(ctx)
    return site.withdraw_subject(trial_id, subject.address, "moved away")


def trial_amend(ctx: Any) -> Any:
    sponsor, trial_id = _trial(ctx)
    return sponsor.amend(trial_id, "protocol", "protocol v2", "dosing table corrected")


def trial_lock_results(ctx: Any) -> Any:
    sponsor, trial_id = _trial(ctx)
    return sponsor.lock_results(trial_id, {"primary": -0.9})


OPERATIONS: dict[str, Callable[[Any], Any]] = {
    "research.registerDataset": register_dataset,
    "research.contribute": contribute,
    "research.contributeBySig": contribute_by_sig,
    "research.publish": publish,
    "research.buyLicence": buy_licence,
    "research.buyLicenceAgain": buy_licence_again,
    "research.flagWithdrawn": flag_withdrawn,
    "research.recordExtract": record_extract,
    "research.withdrawShare": withdraw_share,
    "research.withdrawSteward": withdraw_steward,
    "research.trial.register": trial_register,
    "research.trial.addSite": trial_add_site,
    "research.trial.enrol": trial_enrol,
    "research.trial.recordVisit": trial_record_visit,
    "research.trial.recordMilestone": trial_record_milestone,
    "research.trial.withdrawSubject": trial_withdraw_subject,
    "research.trial.amend": trial_amend,
    "research.trial.lockResults": trial_lock_results,
}


# --------------------------------------------------------------------------- scaling run


def licence_gas_by_contributors(counts: tuple[int, ...] = (10, 10_000), chain_spec: str = "anvil",
                                log: Callable[[str], None] = print) -> dict[int, dict[str, int]]:
    """Gas of a first and a second licence sale on datasets of ``counts`` contributors.

    Every dataset lives on one fresh suite; a warm-up sale on a separate one-contributor dataset
    gives the licensing contract its first token balance, so each measured sale pays the same
    storage costs whatever the dataset.

    Returns:
        ``{contributors: {"first": gas, "again": gas}}``.
    """
    from medchain.core.accounts import dev_account
    from medchain.core.chain import connect
    from medchain.core.deploy import deploy
    from medchain.scenarios import CAST, ScenarioContext
    from medchain.scenarios.participants import setup

    with connect(chain_spec, timeout=120) as chain, tempfile.TemporaryDirectory() as tmp:
        gov = Sender(chain, dev_account(CAST["governance"]))
        report = deploy(chain, gov, fresh=True, directory=Path(tmp))
        ctx = ScenarioContext(chain, report.suite, Path(tmp), log=lambda _: None)
        ctx._senders["governance"] = gov
        setup(ctx)
        TokenClient(ctx.suite, gov).mint(ctx.address("university"), 1000 * PRICE)
        _cast_consents(ctx, ["patient_1"])
        warm = _register(ctx, {ctx.address("patient_1"): 1})
        _steward(ctx).publish(warm)
        _university(ctx).buy_licence(warm, Field.CODE)
        out: dict[int, dict[str, int]] = {}
        offset = 0
        for n in counts:
            started = time.perf_counter()
            accounts = bench_patients(n, offset)
            offset += n
            enlist_patients(ctx, accounts, ctx.address("hospital_a"))
            version = _register(ctx, {a.address: 1 for a in accounts})
            _steward(ctx).publish(version)
            assert _steward(ctx).dataset(version).contributors == n
            first = _university(ctx).buy_licence(version, Field.CODE | Field.VALUE)[1].gas_used
            again = _university(ctx).buy_licence(version, Field.CODE | Field.VALUE)[1].gas_used
            out[n] = {"first": first, "again": again}
            log(f"{n:>6} contributors: buyLicence {first:,} gas, again {again:,} gas "
                f"(set-up {time.perf_counter() - started:.0f} s)")
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description="licence gas for datasets of different contributor counts")
    parser.add_argument("--chain", default="anvil")
    parser.add_argument("--counts", default="10,10000")
    args = parser.parse_args()
    licence_gas_by_contributors(tuple(int(c) for c in args.counts.split(",")), args.chain)


if __name__ == "__main__":
    main()
