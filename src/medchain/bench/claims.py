"""Gas operations of ClaimAdjudication.

Claims are measured in the steady state the goal is about: the provider already has a claim with
the insurer and the patient's accumulators for the year exist (``claims.submit1LineFirstOfYear``
shows the cold case: a new patient's first claim, and a first payment to the provider).
``claims.submit1LineAfter20Claims`` shows that gas does not grow with the number of claims.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medchain.scenarios.claims import ClaimsWorld, setup

VISIT = ("CPT:99214", 1, "140.00")
SERVICE_DATE = 1781481600  # 2026-06-15: a fixed date keeps the calldata, hence the gas, the same every day


def _world(ctx: Any, warm: int = 1, patients: tuple[str, ...] = ("patient_1",)) -> ClaimsWorld:
    w = setup(ctx, patients=patients, service_date=SERVICE_DATE)
    for n in range(warm):  # earlier claims: accumulators, owed and pool slots exist
        w.hospital.submit(w.claim(ctx.address("patient_1"), ["E11.9"], [("CPT:99214", 1, f"{141 + n}.00")]))
    return w


class _Gas:
    """What the bench reads (``gas_used``) of a transaction the client returned a result for."""

    def __init__(self, ctx: Any, tx_hash: str):
        self.gas_used = ctx.chain.w3.eth.get_transaction_receipt(tx_hash)["gasUsed"]


def _receipt(ctx: Any, result: Any) -> Any:
    return _Gas(ctx, result.tx_hash)


def submit_1_line(ctx: Any) -> Any:
    w = _world(ctx)
    return _receipt(ctx, w.hospital.submit(w.claim(ctx.address("patient_1"), ["E11.9"], [VISIT])))


def submit_5_lines(ctx: Any) -> Any:
    w = _world(ctx)
    lines = [("CPT:99214", 1, "140.00"), ("CPT:83036", 1, "20.00"), ("CPT:83036", 2, "40.00"),
             ("CPT:99223", 1, "300.00"), ("CPT:99214", 1, "90.00")]
    return _receipt(ctx, w.hospital.submit(w.claim(ctx.address("patient_1"), ["E11.9"], lines)))


def submit_1_line_first_of_year(ctx: Any) -> Any:
    w = _world(ctx, warm=0, patients=("patient_1", "patient_2"))
    return _receipt(ctx, w.hospital.submit(w.claim(ctx.address("patient_2"), ["E11.9"], [("CPT:99214", 1, "400.00")])))


def submit_1_line_after_20_claims(ctx: Any) -> Any:
    w = _world(ctx, warm=20)
    return _receipt(ctx, w.hospital.submit(w.claim(ctx.address("patient_1"), ["E11.9"], [VISIT])))


def submit_duplicate(ctx: Any) -> Any:
    w = _world(ctx)
    claim = w.claim(ctx.address("patient_1"), ["E11.9"], [VISIT])
    w.hospital.submit(claim)
    return _receipt(ctx, w.hospital.submit(claim))


def _pending(ctx: Any) -> tuple[ClaimsWorld, Any]:
    w = _world(ctx)
    return w, w.pharmacy.submit(w.claim(ctx.address("patient_1"), ["E66.9"], [("NDC:0169-4132-12", 1, "280.00")]))


def review(ctx: Any) -> Any:
    w, pending = _pending(ctx)
    w.reviewer.review(pending.claim_id, 0, True)
    return _Last(ctx)


def _Last(ctx: Any) -> _Gas:
    """The latest transaction's gas (for client calls that return a result, not a receipt)."""
    return _Gas(ctx, ctx.chain.w3.eth.get_block("latest")["transactions"][-1].to_0x_hex())


def appeal(ctx: Any) -> Any:
    w, pending = _pending(ctx)
    w.reviewer.review(pending.claim_id, 0, False, 50, "not medically necessary")
    return w.pharmacy.appeal(pending.claim_id, 0, b"\x11" * 32)


def fund(ctx: Any) -> Any:
    w = _world(ctx)
    from medchain.core.token import TokenClient

    TokenClient(ctx.suite, ctx.sender("governance")).mint(ctx.address("insurer"), w.insurer.units("1000"))
    w.insurer.fund("1000")
    return _Last(ctx)


def withdraw(ctx: Any) -> Any:
    w = _world(ctx, warm=2)
    return w.hospital.withdraw(ctx.address("insurer"))


def define_plan(ctx: Any) -> Any:
    w = _world(ctx, warm=0)
    w.insurer.define_plan({"deductible": "500", "out_of_pocket_max": "3000", "benefit_limit": "100000", "coinsurance": 10,
                           "copays": {"consultation": "25"}})
    return _Last(ctx)


def enrol(ctx: Any) -> Any:
    w = _world(ctx, warm=0)
    return w.insurer.enrol(w.plan, ctx.address("patient_3"), "2026-01-01", "2026-12-31")


OPERATIONS: dict[str, Callable[[Any], Any]] = {
    "claims.submit1Line": submit_1_line,
    "claims.submit5Lines": submit_5_lines,
    "claims.submit1LineFirstOfYear": submit_1_line_first_of_year,
    "claims.submit1LineAfter20Claims": submit_1_line_after_20_claims,
    "claims.submitDuplicate": submit_duplicate,
    "claims.review": review,
    "claims.appeal": appeal,
    "claims.fund": fund,
    "claims.withdraw": withdraw,
    "claims.definePlan": define_plan,
    "claims.enrol": enrol,
}
