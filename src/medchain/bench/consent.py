"""Gas operations of the ConsentRegistry, and (outside ``OPERATIONS``, run on demand) the scale
measurement: gas of a grant, an access log and a record anchor with 10, 1,000 and 10,000 patients,
consents and records already on chain.

Goals (issue 3): a grant at most 50,000 gas including the 21,000 base; an access log at most
32,000; gas flat as the numbers grow. ``python -m medchain.bench.consent`` prints the scale table
and the 1 MB record timings (:func:`medchain.bench.records.put_get_timing`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from eth_account import Account
from eth_utils import keccak

from medchain.consent.client import ConsentClient
from medchain.core.standards.consent_codes import Action, Category, Purpose

#: Fixed terms so every run encodes the same calldata (deterministic gas).
START = 1_767_225_600  # 2026-01-01T00:00:00Z
END = 4_102_444_799  # 2099-12-31T23:59:59Z
DEADLINE = 4_102_444_799
DIABETES, TREATMENT, READ = int(Category.ENDOCRINE), int(Purpose.TREATMENT), int(Action.READ)
GRANT_GOAL, ACCESS_GOAL = 50_000, 32_000


def record_id(patient: str, i: int = 0) -> bytes:
    """A fixed record id of ``patient``'s diabetes data (the on-chain layout: patient, nonce, category)."""
    return bytes.fromhex(patient[2:]) + keccak(b"medchain.bench.record" + i.to_bytes(4, "big"))[:10] + \
        DIABETES.to_bytes(2, "big")


def _consents(ctx: Any, who: str = "patient_1") -> ConsentClient:
    return ConsentClient(ctx.suite, ctx.sender(who))


def _grant_fn(ctx: Any, grantee: str = "hospital_b") -> Any:
    return _consents(ctx).contract.functions.grant(ctx.address(grantee), DIABETES, TREATMENT, READ, START, END)


def grant(ctx: Any) -> Any:
    """A patient's first consent for a grantee (a fresh storage slot)."""
    return ctx.sender("patient_1").transact(_grant_fn(ctx))


def amend(ctx: Any) -> Any:
    """Granting again amends the consent in place."""
    grant(ctx)
    fn = _consents(ctx).contract.functions.grant(ctx.address("hospital_b"), DIABETES | int(Category.LABORATORY),
                                                 TREATMENT, READ, START, END)
    return ctx.sender("patient_1").transact(fn)


def grant_for(ctx: Any) -> Any:
    """A guardian grants for the patient."""
    _consents(ctx).appoint_guardian(ctx.address("patient_2"))
    fn = _consents(ctx).contract.functions.grantFor(ctx.address("patient_1"), ctx.address("hospital_b"), DIABETES,
                                                    TREATMENT, READ, START, END)
    return ctx.sender("patient_2").transact(fn)


def _signed_grant(ctx: Any) -> Any:
    c = _consents(ctx)
    return c.sign_grant(ctx.account("patient_1"), ctx.address("hospital_b"), DIABETES, TREATMENT, READ, START, END,
                        deadline=DEADLINE, nonce=0)


def grant_by_sig(ctx: Any) -> Any:
    """A signed grant relayed by someone else."""
    return _consents(ctx, "hospital_b").relay(_signed_grant(ctx))


def revoke(ctx: Any) -> Any:
    """A revocation by a patient who never signed a request: its nonce slot is written for the first time."""
    grant(ctx)
    return ctx.sender("patient_1").transact(_consents(ctx).contract.functions.revoke(ctx.address("hospital_b")))


def revoke_after_signature(ctx: Any) -> Any:
    """A revocation by a patient whose nonce was used before (a relayed signed grant)."""
    grant_by_sig(ctx)
    return ctx.sender("patient_1").transact(_consents(ctx).contract.functions.revoke(ctx.address("hospital_b")))


def revoke_by_sig(ctx: Any) -> Any:
    grant(ctx)
    c = _consents(ctx)
    signed = c.sign_revoke(ctx.account("patient_1"), ctx.address("hospital_b"), deadline=DEADLINE, nonce=0)
    return _consents(ctx, "hospital_b").relay(signed)


def log_access(ctx: Any) -> Any:
    """A consented read logged by the grantee (an organisation: checked not suspended)."""
    grant(ctx)
    fn = _consents(ctx).contract.functions.logAccess(record_id(ctx.address("patient_1")), TREATMENT)
    return ctx.sender("hospital_b").transact(fn)


def emergency_access(ctx: Any) -> Any:
    fn = _consents(ctx).contract.functions.emergencyAccess(record_id(ctx.address("patient_1")),
                                                           keccak(b"unconscious patient"))
    return ctx.sender("hospital_c").transact(fn)


def appoint_guardian(ctx: Any) -> Any:
    return _consents(ctx).appoint_guardian(ctx.address("patient_2"))


def remove_guardian(ctx: Any) -> Any:
    appoint_guardian(ctx)
    return _consents(ctx).remove_guardian(ctx.address("patient_2"))


OPERATIONS: dict[str, Callable[[Any], Any]] = {
    "consent.grant": grant,
    "consent.amend": amend,
    "consent.grantFor": grant_for,
    "consent.grantBySig": grant_by_sig,
    "consent.revoke": revoke,
    "consent.revokeAfterSignature": revoke_after_signature,
    "consent.revokeBySig": revoke_by_sig,
    "consent.logAccess": log_access,
    "consent.emergencyAccess": emergency_access,
    "consent.appointGuardian": appoint_guardian,
    "consent.removeGuardian": remove_guardian,
}


# ---------------------------------------------------------------------------- scale


def _patient(i: int) -> Any:
    return Account.from_key(keccak(b"medchain.bench.patient" + i.to_bytes(4, "big")))


def _grantee(i: int) -> str:
    return Account.from_key(keccak(b"medchain.bench.grantee" + i.to_bytes(4, "big"))).address


def scale(sizes: tuple[int, ...] = (10, 1_000, 10_000), chain_spec: str = "anvil",
          log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Gas of a grant, an access log and a record anchor as patients, consents and records grow.

    For each size N the chain holds N patients who signed a consent for hospital B (relayed in bulk,
    the patients hold no ether), N consents of patient 1 (to N grantees) and N records of patient 1;
    then, each from the same snapshot: a new patient's first grant, an amendment, a logged access
    and a record anchor are measured.

    Returns:
        ``{"sizes": [...], "gas": {operation: [gas at each size]}, "seconds": fill time}``.
    """
    import tempfile
    from pathlib import Path

    from medchain.core.accounts import dev_account
    from medchain.core.chain import connect
    from medchain.core.deploy import deploy
    from medchain.core.tx import Sender
    from medchain.scenarios import CAST, ScenarioContext
    from medchain.scenarios.participants import setup

    gas: dict[str, list[int]] = {"grant": [], "amend": [], "logAccess": [], "anchor": []}
    started = time.perf_counter()
    with connect(chain_spec) as chain, tempfile.TemporaryDirectory() as tmp:
        gov = Sender(chain, dev_account(CAST["governance"]))
        suite = deploy(chain, gov, fresh=True, directory=Path(tmp)).suite
        ctx = ScenarioContext(chain, suite, Path(tmp), log=log)
        ctx._senders["governance"] = gov
        setup(ctx)
        consents = suite.contract("ConsentRegistry")
        records = suite.contract("RecordRegistry")
        relayer, patient = ctx.sender("insurer"), ctx.sender("patient_1")
        signer = ConsentClient(suite, relayer)
        done = 0
        for n in sizes:
            for chunk in range(done, n, 500):  # fixed gas limits: no estimate races the miner
                upto = min(chunk + 500, n)
                with relayer.bulk() as relays:
                    for i in range(chunk, upto):
                        s = signer.sign_grant(_patient(i), ctx.address("hospital_b"), DIABETES, TREATMENT, READ,
                                              START, END, deadline=DEADLINE, nonce=0)
                        relays.add(consents.functions.grantBySig(tuple(s.request.values()), s.signature), gas=150_000)
                with patient.bulk() as grants:
                    for i in range(chunk, upto):
                        grants.add(consents.functions.grant(_grantee(i), DIABETES, TREATMENT, READ, START, END), gas=100_000)
                with patient.bulk() as anchors:
                    for i in range(chunk, upto):
                        anchors.add(records.functions.anchor(record_id(patient.address, i + 1),
                                                             keccak(b"c" + i.to_bytes(32, "big")), "QmBenchRecord",
                                                             b"\0" * 32), gas=250_000)
            done = n
            log(f"{n} patients, consents and records on chain ({time.perf_counter() - started:.0f} s)")
            for name, run in (
                ("grant", lambda: ctx.sender("patient_2").transact(
                    consents.functions.grant(ctx.address("hospital_b"), DIABETES, TREATMENT, READ, START, END))),
                ("amend", lambda: patient.transact(
                    consents.functions.grant(_grantee(0), DIABETES | 1, TREATMENT, READ, START, END))),
                ("logAccess", lambda: ctx.sender("hospital_b").transact(
                    consents.functions.logAccess(record_id(_patient(0).address), TREATMENT))),
                ("anchor", lambda: patient.transact(records.functions.anchor(
                    record_id(patient.address), keccak(b"bench"), "QmBenchRecord", b"\0" * 32))),
            ):
                snap = chain.snapshot()
                try:
                    gas[name].append(run().gas_used)
                finally:
                    chain.revert(snap)
    return {"sizes": list(sizes), "gas": gas, "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:  # pragma: no cover - a report for humans
    import argparse

    from medchain.bench.records import put_get_timing

    parser = argparse.ArgumentParser(description="consent/records scale and 1 MB record timings")
    parser.add_argument("--chain", default="anvil")
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    if not args.skip_scale:
        result = scale(tuple(int(s) for s in args.sizes.split(",")), args.chain, log=print)
        print(f"gas with N patients / consents / records already on chain ({args.chain}, filled in {result['seconds']} s)")
        print(f"  {'N':>22}" + "".join(f"{n:>10,}" for n in result["sizes"]))
        for name, values in result["gas"].items():
            print(f"  {name:>22}" + "".join(f"{v:>10,}" for v in values))
    for row in put_get_timing(args.chain):
        print(f"1 MB record on {args.chain}, {row['backend']:>8}: put {row['put_s']*1000:7.0f} ms, "
              f"get {row['get_s']*1000:7.0f} ms (median of {row['runs']})")


if __name__ == "__main__":  # pragma: no cover
    main()
