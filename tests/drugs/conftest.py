"""Drug-tracing fixtures: a registered product and a commissioned batch on the shared world."""

from __future__ import annotations

import datetime as dt

import pytest

from medchain.drugs import DrugsClient, Reading

GTIN = "09506000134352"
OTHER_GTIN = "04006381333931"
LOT = "LOT42"
SERIALS = [f"SN{i:05d}" for i in range(40)]


def client(world, who=None):
    return DrugsClient(world.suite, world.sender(who) if isinstance(who, str) else who)


def today(world) -> dt.date:
    return dt.datetime.fromtimestamp(world.chain.now(), dt.timezone.utc).date()


class Lot:
    """A commissioned batch: ids, tree, and its dates."""

    def __init__(self, world, lot=LOT, serials=SERIALS, days=365):
        maker = client(world, "manufacturer")
        if maker.product(GTIN) is None:
            maker.register_product(GTIN, "VaxCo Influenza Vaccine 0.5 ml", 2.0, 8.0, 60)
        self.production = today(world)
        self.expiry = self.production + dt.timedelta(days=days)
        result = maker.commission_batch(GTIN, lot, expiry=self.expiry, production=self.production, serials=serials)
        self.receipt, self.id, self.tree = result.receipt, result.batch_id, result.tree
        self.lot = lot


@pytest.fixture
def lot(world):
    return Lot(world)


def reading(t, temp, rh=40, lat=0.0, lon=0.0):
    return Reading(t, temp, rh, lat, lon)
