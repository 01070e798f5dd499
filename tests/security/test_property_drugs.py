"""Stateful property test of DrugBatchTracing: a unit is never dispensed twice and no quantity is
ever held twice.

Random shipments of one commissioned batch between the manufacturer, the distributor, a pharmacy
and a hospital (in any direction between custodians), intake, rejection and cancellation of each
shipment (and of shipments already settled), and dispensing by the pharmacy and the hospital of
known, unknown and already dispensed serials, against a model: each holder's sellable stock, the
units in transit and the set of dispensed serials.

After every step the stock of each holder the step touched equals the model, stock + units in
transit + dispensed units is exactly the batch's size and the batch's suspect count is the model's;
every dispensing of a used or unknown serial is refused and recorded as a suspected counterfeit.
At the end of each example every holder's stock and the whole batch (its commissioning event's
lot and manufacturer too, which never change) are checked against the model.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from medchain.core.errors import CounterfeitSuspectedError
from medchain.core.tx import call
from medchain.drugs import DrugsClient, ShipmentStatus
from tests.helpers import same

from .stateful import ChainMachine, embedded_world, outcome, reached, run

GTIN = "09506000134352"
LOT = "PROP1"
UNITS = 8
SEEDED = {"manufacturer": 4, "pharmacy": 2, "hospital_a": 2}  # what each holds when an example starts
SERIALS = [f"SN{i:03d}" for i in range(UNITS)]
HOLDERS = ("manufacturer", "distributor", "pharmacy", "hospital_a")
DISPENSERS = ("pharmacy", "hospital_a")


class DrugsMachine(ChainMachine):
    batch: bytes
    tree: object
    client: dict[str, DrugsClient]
    addr: dict[str, str]  # read once by the fixture, like the clients

    def __init__(self) -> None:
        super().__init__()
        self.stock = {h: SEEDED.get(h, 0) for h in HOLDERS}
        self.shipments: list[tuple[object, str, str, int, str]] = []  # (ref, from, to, quantity, state)
        self.dispensed: set[str] = set()
        self.suspects = 0
        self.touched: tuple[str, ...] = ()  # the holders whose stock the last step may have changed

    # ------------------------------------------------------------------ rules
    @rule(sender=st.sampled_from(HOLDERS), to=st.sampled_from(HOLDERS), quantity=st.integers(1, 3))
    def ship(self, sender, to, quantity):
        if to == sender:
            expected = "InvalidRecipient"
        elif self.stock[sender] < quantity:
            expected = "InsufficientStock"
        else:
            expected = None
        self.tick()
        ref = outcome(expected, self.client[sender].ship, self.batch, self.addr[to], quantity)
        self.touched = (sender, to)
        if expected is None:
            self.stock[sender] -= quantity
            self.shipments.append([ref, sender, to, quantity, "in transit"])

    @precondition(lambda self: self.shipments)
    @rule(pick=st.integers(0, 100), action=st.sampled_from(["receive", "reject", "cancel"]))
    def settle(self, pick, action):
        shipment = self.shipments[pick % len(self.shipments)]
        ref, sender, to, quantity, state = shipment
        expected = None if state == "in transit" else "UnknownShipment"
        self.touched = (sender, to)
        self.tick()
        if action == "receive":
            outcome(expected, self.client[to].receive, ref)
        elif action == "reject":
            outcome(expected, self.client[to].reject, ref, "damaged")
        else:
            outcome(expected, self.client[sender].cancel, ref, "truck never left")
        if expected is None:
            self.stock[to if action == "receive" else sender] += quantity
            shipment[4] = action
        assert self.client["manufacturer"].shipment_status(ref) == (
            ShipmentStatus.IN_TRANSIT if shipment[4] == "in transit" else ShipmentStatus.NONE)

    @rule(by=st.sampled_from(DISPENSERS), unit=st.integers(0, UNITS))
    def dispense(self, by, unit):
        serial = SERIALS[unit] if unit < UNITS else "FAKE001"  # unit == UNITS: a serial the batch never had
        self.tick()
        self.touched = (by,)
        if serial in self.dispensed or unit == UNITS:
            reached("dispense: counterfeit suspected (" + ("unknown serial)" if unit == UNITS else "used serial)"))
            err = outcome(CounterfeitSuspectedError, self.client[by].dispense, self.batch, serial, self.tree)
            assert err.receipt is not None  # the attempt is on chain
            self.suspects += 1
        elif self.stock[by] == 0:
            reached("dispense: out of stock")
            outcome("InsufficientStock", self.client[by].dispense, self.batch, serial, self.tree)
        else:
            reached("dispense: dispensed")
            self.client[by].dispense(self.batch, serial, self.tree)
            self.stock[by] -= 1
            self.dispensed.add(serial)

    # ------------------------------------------------------------------ invariants
    def _holdings(self, holders) -> None:
        reader = self.client["manufacturer"]
        for h in holders:
            assert reader.stock(self.batch, self.addr[h]).available == self.stock[h], h
        in_transit = sum(s[3] for s in self.shipments if s[4] == "in transit")
        assert sum(self.stock.values()) + in_transit + len(self.dispensed) == UNITS

    @invariant()
    def no_quantity_is_held_twice(self):
        """After each step: the holders it touched, the conservation of units, the batch's counters
        (one view call, not :meth:`DrugsClient.batch`, whose commissioning event never changes)."""
        self._holdings(self.touched)
        (_, _, _, units, _, suspects, *_) = call(self.client["manufacturer"].contract.functions.batch(self.batch))
        assert (units, suspects) == (UNITS, self.suspects)

    def teardown(self):
        """Every holder, and the whole batch as the client reads it, at the end of the example."""
        try:
            self._holdings(HOLDERS)
            batch = self.client["manufacturer"].batch(self.batch)
            assert (batch.units, batch.suspects, batch.lot, batch.destroyed, batch.recalled) == (
                UNITS, self.suspects, LOT, 0, False)
            assert same(batch.manufacturer, self.addr["manufacturer"]) and batch.serials_root == self.tree.root
            for hit, what in ((self.dispensed, "a unit dispensed"), (self.suspects, "a counterfeit suspected"),
                                  ([s for s in self.shipments if s[4] != "in transit"], "a shipment settled")):
                if hit:
                    reached(f"example reached: {what}")
        finally:
            super().teardown()


@pytest.fixture(scope="module")
def drugs_world():
    for ctx in embedded_world():
        maker = DrugsClient(ctx.suite, ctx.sender("manufacturer"))
        if maker.product(GTIN) is None:
            maker.register_product(GTIN, "VaxCo Influenza Vaccine 0.5 ml", 2.0, 8.0, 60)
        today = dt.datetime.fromtimestamp(ctx.chain.now(), dt.timezone.utc).date()
        result = maker.commission_batch(GTIN, LOT, expiry=today + dt.timedelta(days=365), production=today,
                                        serials=SERIALS)
        DrugsMachine.batch, DrugsMachine.tree = result.batch_id, result.tree
        DrugsMachine.client = {h: DrugsClient(ctx.suite, ctx.sender(h)) for h in HOLDERS}
        DrugsMachine.addr = {h: ctx.address(h) for h in HOLDERS}
        for holder, quantity in SEEDED.items():
            if holder != "manufacturer":
                DrugsMachine.client[holder].receive(maker.ship(result.batch_id, ctx.address(holder), quantity))
        yield ctx


def test_property_drugs_a_unit_is_never_dispensed_twice_and_no_quantity_is_held_twice(drugs_world):
    run(DrugsMachine, drugs_world, steps=10)
