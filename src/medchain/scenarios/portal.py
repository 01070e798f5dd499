"""The drug situations the portal demo and tests serve: the ``drugs`` scenario (a recalled
batch with a quarantined truck, a dispensed unit and a copied serial), then a clean batch (genuine,
dispensed and copied, quarantined units), and a batch that expires (the chain's clock is moved
past its expiry, so this needs a local development chain).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from medchain.core.accounts import dev_account
from medchain.core.chain import Chain
from medchain.core.deploy import Suite, deploy
from medchain.core.errors import ConfigurationError, CounterfeitSuspectedError, DrugTracingError
from medchain.core.standards import gs1
from medchain.core.tx import Sender
from medchain.drugs.client import DAY, DrugsClient, Reading, batch_id
from medchain.drugs.portal.service import SerialStore
from medchain.scenarios import CAST, ScenarioContext
from medchain.scenarios import drugs as cold_chain

GTIN = cold_chain.GTIN
CLEAN_LOT, EXPIRING_LOT = "FLU24B", "FLU24C"


@dataclass
class DemoData:
    """The seeded suite, the serial store, and one pack code per situation."""

    suite: Suite
    store: SerialStore
    codes: dict[str, gs1.UnitCode]


def seed(chain: Chain, workdir: Path, log: Callable[[str], None] = lambda _: None) -> DemoData:
    """Deploy a fresh suite on ``chain`` and create every situation a pack can be in.

    Args:
        chain: A local development chain (the clock is moved forward two days).
        workdir: Folder for the serial store, the scenario's IPFS store and files.
        log: Where progress lines go.

    Returns:
        The suite, the store and the codes: ``genuine``, ``dispensed``, ``unknown_serial``,
        ``recalled``, ``quarantined``, ``expired``, ``expiry_mismatch``, ``batch``.

    Raises:
        ConfigurationError: not a local development chain.
    """
    if not chain.is_local:
        raise ConfigurationError("the demo moves the chain's clock: it needs a local development chain")
    governance = Sender(chain, dev_account(CAST["governance"]))
    suite = deploy(chain, governance, fresh=True, directory=workdir / "deployments").suite
    ctx = ScenarioContext(chain, suite, workdir, log)
    ctx._senders["governance"] = governance
    log(f"== drugs: {cold_chain.TITLE}")
    cold_chain.run(ctx)
    store = SerialStore(workdir / "serials")
    store.add(GTIN, cold_chain.LOT, [f"FLU{i:06d}" for i in range(cold_chain.UNITS)])
    recalled = DrugsClient(suite).batch(batch_id(GTIN, cold_chain.LOT))
    if recalled is None:
        raise DrugTracingError(f"the cold-chain story commissioned no lot {cold_chain.LOT}")
    recalled_expiry = recalled.expiry

    maker, dist, gateway, pharmacy, hosp_b = (DrugsClient(suite, ctx.sender(r)) for r in
                                              ("manufacturer", "distributor", "sensor_gateway", "pharmacy", "hospital_b"))
    today = dt.datetime.fromtimestamp(chain.now(), dt.timezone.utc).date()
    clean = [f"FLB{i:06d}" for i in range(100)]
    expiry = today + dt.timedelta(days=365)
    commissioned = maker.commission_batch(GTIN, CLEAN_LOT, expiry=expiry, production=today, serials=clean)
    b, tree = commissioned.batch_id, commissioned.tree
    store.add(GTIN, CLEAN_LOT, clean)
    dist.receive(maker.ship(b, ctx.address("distributor"), 80, first_unit=0))
    to_pharmacy = dist.ship(b, ctx.address("pharmacy"), 40, first_unit=40)
    start = chain.now()
    gateway.post_readings(to_pharmacy, [Reading(start + 900 * i, 3.8 + (i % 12) / 5, 45, 31.2, 121.4) for i in range(48)])
    pharmacy.receive(to_pharmacy)
    to_b = dist.ship(b, ctx.address("hospital_b"), 20, first_unit=0)
    gateway.post_readings(to_b, [Reading(start + 900 * i, 5.0 if i < 30 else 11.5, 50, 39.9, 116.4) for i in range(48)])
    hosp_b.receive(to_b)
    pharmacy.dispense(b, clean[45], tree)
    try:
        pharmacy.dispense(b, clean[45], tree)
    except CounterfeitSuspectedError:
        log(f"  - a copy of {clean[45]} was presented again and recorded")
    log(f"  - lot {CLEAN_LOT}: 80 units to the distributor, 40 to the pharmacy (good readings), "
        f"20 to hospital B (quarantined), {clean[45]} dispensed")

    short = [f"FLC{i:06d}" for i in range(10)]
    c = maker.commission_batch(GTIN, EXPIRING_LOT, expiry=today, production=today, serials=short).batch_id
    store.add(GTIN, EXPIRING_LOT, short)
    dist.receive(maker.ship(c, ctx.address("distributor"), 10, first_unit=0))
    chain.mine(chain.now() + 2 * DAY)
    log(f"  - lot {EXPIRING_LOT} expired on {today}; the chain's clock is now two days later")

    def code(lot: str, serial: str, exp: dt.date = expiry) -> gs1.UnitCode:
        return gs1.UnitCode(GTIN, lot, exp, serial=serial)

    codes = {
        "genuine": code(CLEAN_LOT, clean[50]), "dispensed": code(CLEAN_LOT, clean[45]),
        "unknown_serial": code(CLEAN_LOT, "FLB999999"), "quarantined": code(CLEAN_LOT, clean[10]),
        "recalled": code(cold_chain.LOT, "FLU000100", recalled_expiry), "expired": code(EXPIRING_LOT, short[3], today),
        "expiry_mismatch": code(CLEAN_LOT, clean[51], expiry + dt.timedelta(days=1)),
        "batch": gs1.UnitCode(GTIN, CLEAN_LOT, expiry),
    }
    return DemoData(suite, store, codes)

