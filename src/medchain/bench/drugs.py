"""Gas operations of DrugBatchTracing, and the recall-report timing on Anvil.

Goals (issue 4): commissioning <= 120,000 whatever the unit count; ship and receive <= 60,000
each; dispensing with a proof for a 16,384-unit batch <= 70,000; 96 readings in one transaction.
Operations come in first-time and steady-state variants, because the first write of a storage
slot costs 20,000 gas more than later ones (a holder's first stock of a batch or product, the first
unit dispensed in a 256-unit bitmap word, a sender's first shipment slot of a batch). ``ship`` is
the steady state: the sender's previous shipment of the batch was received, so its slot is reused;
``shipNewSlot`` is a shipment while every slot of the sender still carries one in transit.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from medchain.core.errors import CounterfeitSuspectedError
from medchain.drugs.client import DrugsClient, Reading, SerialTree

GTIN = "09506000134352"
BIG = 16_384
READINGS_START = 1_900_000_000


def _maker(ctx: Any) -> DrugsClient:
    return DrugsClient(ctx.suite, ctx.sender("manufacturer"))


def _product(ctx: Any) -> Any:
    return _maker(ctx).register_product(GTIN, "VaxCo Influenza Vaccine 0.5 ml", 2.0, 8.0, 60)


#: Fixed dates, so the calldata (and so the gas) does not depend on the day the bench runs.
PRODUCTION = dt.date(2025, 1, 1)
EXPIRY = dt.date(2099, 12, 31)


def _commission(ctx: Any, lot: str, units: int) -> Any:
    return _maker(ctx).commission_batch(GTIN, lot, expiry=EXPIRY, production=PRODUCTION,
                                        serials=[f"SN{i:06d}" for i in range(units)])


def register_product(ctx: Any) -> Any:
    return _product(ctx)


def commission_batch(ctx: Any) -> Any:
    _product(ctx)
    return _commission(ctx, "L1", 100).receipt


def commission_big_batch(ctx: Any) -> Any:
    _product(ctx)
    return _commission(ctx, "L1", BIG).receipt


def commission_next_batch(ctx: Any) -> Any:
    _product(ctx)
    _commission(ctx, "L1", 100)
    return _commission(ctx, "L2", 100).receipt


def ship(ctx: Any) -> Any:
    _product(ctx)
    bid = _commission(ctx, "L1", 100).batch_id
    maker = _maker(ctx)
    DrugsClient(ctx.suite, ctx.sender("distributor")).receive(maker.ship(bid, ctx.address("distributor"), 10))
    return maker.ship(bid, ctx.address("distributor"), 10).receipt


def ship_new_slot(ctx: Any) -> Any:
    _product(ctx)
    bid = _commission(ctx, "L1", 100).batch_id
    maker = _maker(ctx)
    maker.ship(bid, ctx.address("distributor"), 10)
    return maker.ship(bid, ctx.address("distributor"), 10).receipt


def ship_first(ctx: Any) -> Any:
    _product(ctx)
    bid = _commission(ctx, "L1", 100).batch_id
    return _maker(ctx).ship(bid, ctx.address("distributor"), 10).receipt


def _shipped(ctx: Any, first_receive: bool) -> tuple[Any, DrugsClient]:
    _product(ctx)
    maker = _maker(ctx)
    bid = _commission(ctx, "L1", 100).batch_id
    dist = DrugsClient(ctx.suite, ctx.sender("distributor"))
    if not first_receive:
        dist.receive(maker.ship(bid, ctx.address("distributor"), 10))
    return maker.ship(bid, ctx.address("distributor"), 10), dist


def receive(ctx: Any) -> Any:
    ref, dist = _shipped(ctx, first_receive=False)
    return dist.receive(ref)


def receive_first(ctx: Any) -> Any:
    ref, dist = _shipped(ctx, first_receive=True)
    return dist.receive(ref)


def reject(ctx: Any) -> Any:
    ref, dist = _shipped(ctx, first_receive=False)
    return dist.reject(ref, "damaged cases")


def cancel(ctx: Any) -> Any:
    ref, _ = _shipped(ctx, first_receive=False)
    return _maker(ctx).cancel(ref, "recipient suspended")


def _quarantined_at_distributor(ctx: Any) -> tuple[Any, Any]:
    """A shipment of 10 units (0-9) whose readings breached the range, received by the distributor."""
    _product(ctx)
    maker = _maker(ctx)
    bid = _commission(ctx, "L1", 100).batch_id
    ref = maker.ship(bid, ctx.address("distributor"), 10, first_unit=0)
    DrugsClient(ctx.suite, ctx.sender("sensor_gateway")).post_readings(ref, [Reading(READINGS_START, 12.0, 45)])
    DrugsClient(ctx.suite, ctx.sender("distributor")).receive(ref)
    return bid, ref


def release_quarantine(ctx: Any) -> Any:
    bid, ref = _quarantined_at_distributor(ctx)
    return _maker(ctx).release_quarantine(bid, ref, b"QA review: potency within specification")


def destroy_quarantine(ctx: Any) -> Any:
    bid, ref = _quarantined_at_distributor(ctx)
    return DrugsClient(ctx.suite, ctx.sender("distributor")).destroy_quarantine(bid, ref, "excursion above 8 C")


def post_readings(ctx: Any) -> Any:
    ref, _ = _shipped(ctx, first_receive=False)
    now = READINGS_START  # fixed: the calldata (and so the gas) must not depend on the clock
    readings = [Reading(now + 900 * i, 4.0 + (i % 30) / 10, 45, 31.2304, 121.4737) for i in range(96)]
    return DrugsClient(ctx.suite, ctx.sender("sensor_gateway")).post_readings(ref, readings)[0]


def post_readings_excursion(ctx: Any) -> Any:
    ref, _ = _shipped(ctx, first_receive=False)
    now = READINGS_START  # fixed: the calldata (and so the gas) must not depend on the clock
    readings = [Reading(now + 900 * i, 9.5 if i > 60 else 5.0, 45, 31.2304, 121.4737) for i in range(96)]
    return DrugsClient(ctx.suite, ctx.sender("sensor_gateway")).post_readings(ref, readings)[0]


def _pharmacy_with_big_batch(ctx: Any) -> tuple[DrugsClient, bytes, SerialTree]:
    _product(ctx)
    result = _commission(ctx, "L1", BIG)
    pharmacy = DrugsClient(ctx.suite, ctx.sender("pharmacy"))
    pharmacy.receive(_maker(ctx).ship(result.batch_id, ctx.address("pharmacy"), 100))
    return pharmacy, result.batch_id, result.tree


def dispense(ctx: Any) -> Any:
    """Steady state: another unit of the same 256-unit bitmap word was dispensed before."""
    pharmacy, bid, tree = _pharmacy_with_big_batch(ctx)
    pharmacy.dispense(bid, "SN000100", tree)
    return pharmacy.dispense(bid, "SN000101", tree).receipt


def dispense_first_in_word(ctx: Any) -> Any:
    pharmacy, bid, tree = _pharmacy_with_big_batch(ctx)
    return pharmacy.dispense(bid, "SN000100", tree).receipt


def counterfeit_attempt(ctx: Any) -> Any:
    pharmacy, bid, tree = _pharmacy_with_big_batch(ctx)
    pharmacy.dispense(bid, "SN000100", tree)
    try:
        pharmacy.dispense(bid, "SN000100", tree)
    except CounterfeitSuspectedError as exc:  # it carries the receipt of the recorded attempt
        return exc.receipt
    raise AssertionError("a used serial was dispensed twice")


def recall(ctx: Any) -> Any:
    _product(ctx)
    bid = _commission(ctx, "L1", 100).batch_id
    return DrugsClient(ctx.suite, ctx.sender("regulator")).recall(bid, "sterility failure")


def set_reorder_threshold(ctx: Any) -> Any:
    _product(ctx)
    return DrugsClient(ctx.suite, ctx.sender("hospital_a")).set_reorder_threshold(GTIN, 50)


OPERATIONS: dict[str, Callable[[Any], Any]] = {
    "drugs.registerProduct": register_product,
    "drugs.commissionBatch": commission_batch,
    "drugs.commissionBatch16384": commission_big_batch,
    "drugs.commissionNextBatch": commission_next_batch,
    "drugs.ship": ship,
    "drugs.shipFirstOfBatch": ship_first,
    "drugs.shipNewSlot": ship_new_slot,
    "drugs.receive": receive,
    "drugs.receiveFirstStock": receive_first,
    "drugs.reject": reject,
    "drugs.cancel": cancel,
    "drugs.releaseQuarantine": release_quarantine,
    "drugs.destroyQuarantine": destroy_quarantine,
    "drugs.postReadings96": post_readings,
    "drugs.postReadings96Excursion": post_readings_excursion,
    "drugs.dispense16384": dispense,
    "drugs.dispense16384FirstInWord": dispense_first_in_word,
    "drugs.counterfeitAttempt": counterfeit_attempt,
    "drugs.recall": recall,
    "drugs.setReorderThreshold": set_reorder_threshold,
}


def recall_report_timing(units: int = 10_000, holders: int = 50, chain_spec: str = "anvil",
                         dispensed: int = 200) -> dict[str, Any]:
    """Build a batch of ``units`` spread over ``holders`` holders (and ``dispensed`` units
    dispensed) on a fresh chain, then time :meth:`DrugsClient.recall_report`.

    Returns:
        ``{"seconds": …, "holders": …, "units": …, "events": …}``.
    """
    import tempfile
    from pathlib import Path

    from medchain.core.accounts import dev_account
    from medchain.core.chain import connect
    from medchain.core.deploy import deploy
    from medchain.core.registry import Role, encryption_key_of
    from medchain.core.tx import Sender
    from medchain.participants.client import ParticipantsClient
    from medchain.scenarios import CAST, ScenarioContext
    from medchain.scenarios.participants import setup

    with connect(chain_spec) as chain, tempfile.TemporaryDirectory() as tmp:
        gov = Sender(chain, dev_account(CAST["governance"]))
        suite = deploy(chain, gov, fresh=True, directory=Path(tmp)).suite
        ctx = ScenarioContext(chain, suite, Path(tmp), log=lambda _: None)
        ctx._senders["governance"] = gov
        setup(ctx)
        directory = ParticipantsClient(suite, gov)
        accounts = [dev_account(100 + i) for i in range(holders)]
        with gov.bulk() as batch:
            for a in accounts:
                batch.add(directory.contract.functions.registerOrganization(
                    a.address, f"Pharmacy {a.address[:8]}", int(Role.PHARMACY), encryption_key_of(a)))
            for a in accounts:  # gas money
                batch.add(to=a.address, value=10**18, gas=21_000)
        _product(ctx)
        result = _commission(ctx, "RECALL", units)
        maker = _maker(ctx)
        share = units // holders
        with ctx.sender("manufacturer").bulk() as batch:
            for i, a in enumerate(accounts):
                batch.add(maker.contract.functions.ship(result.batch_id, a.address, share, i * share))
        refs = [e for e in maker.history(result.batch_id) if e[0] == "ShipmentSent"]
        from medchain.drugs.client import ShipmentRef

        per_holder = max(1, dispensed // holders)
        for (_, log), a in zip(refs, accounts, strict=True):  # one shipment per holder, just sent
            ref = ShipmentRef.from_event(log["args"]["ref"])
            sender = Sender(chain, a)
            client = DrugsClient(suite, sender)
            with sender.bulk() as batch:
                batch.add(client.contract.functions.receiveShipment(ref.as_tuple))
                for k in range(per_holder):
                    index = ref.first_unit + k
                    batch.add(client.contract.functions.dispense(
                        result.batch_id, index, result.tree.serials[index], result.tree.proof(index)))
        DrugsClient(suite, ctx.sender("regulator")).recall(result.batch_id, "timing run")
        reader = DrugsClient(suite)
        started = time.perf_counter()
        report = reader.recall_report(result.batch_id)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "holders": len([h for h in report.holders.values() if h.available]),
                "units": report.units, "dispensed": len(report.dispensed), "chain": chain_spec}


if __name__ == "__main__":  # python -m medchain.bench.drugs
    print(recall_report_timing())
