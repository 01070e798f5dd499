"""DrugBatchTracing behaviour (tests/conftest.py: on Anvil): products, batches, custody, cold chain,
dispensing, counterfeits, verification, recall, reorder."""

from __future__ import annotations

import datetime as dt

import pytest

from medchain.core.accounts import dev_account
from medchain.core.contracts import load_artifact
from medchain.core.errors import CounterfeitSuspectedError, GS1Error, InvalidInputError
from medchain.core.standards import gs1
from medchain.core.tx import call, events
from medchain.drugs import (
    NO_RANGE,
    DrugsClient,
    QuarantineState,
    Reading,
    SerialTree,
    ShipmentStatus,
    UnitStatus,
    batch_id,
    day_timestamp,
    gtin_number,
)
from medchain.participants import Role
from tests.helpers import reverts

from .conftest import GTIN, LOT, OTHER_GTIN, SERIALS, Lot, client, reading, today

NEW = 16


def raw(world, who, fname, *args):
    c = world.suite.contract("DrugBatchTracing")
    return world.sender(who).transact(getattr(c.functions, fname)(*args))


def code(lot, serial):
    return gs1.UnitCode(GTIN, lot.lot, lot.expiry, serial=serial)


# ------------------------------------------------------------------ products


def test_a_manufacturer_registers_a_product(world):
    receipt = client(world, "manufacturer").register_product(GTIN, "Vaccine", -2.5, 8.0, 60)
    p = client(world).product(GTIN)
    assert (p.name, p.manufacturer, p.min_temperature_c, p.max_temperature_c, p.max_humidity_pct) == \
        ("Vaccine", world.address("manufacturer"), -2.5, 8.0, 60)
    (ev,) = events(client(world).contract, "ProductRegistered", receipt)
    assert (ev["gtin"], ev["minTemperature"], ev["maxTemperature"]) == (gtin_number(GTIN), -250, 800)


@pytest.mark.parametrize("who", ["distributor", "pharmacy", "hospital_a", "regulator"])
def test_only_manufacturers_register_products(world, who):
    reverts("MissingRole", client(world, who).register_product, GTIN, "X", 2, 8).with_args(
        account=world.address(who), role=int(Role.MANUFACTURER))


def test_gtin_check_digits_are_validated_on_chain_and_in_python(world):
    bad = gtin_number(GTIN) + 1
    assert reverts("InvalidGtin", raw, world, "manufacturer", "registerProduct", bad, "X", 200, 800, 60) == {"gtin": bad}
    reverts("InvalidGtin", raw, world, "manufacturer", "registerProduct", 10**14, "X", 200, 800, 60).with_args(gtin=10**14)
    reverts("InvalidGtin", raw, world, "manufacturer", "registerProduct", 0, "X", 200, 800, 60).with_args(gtin=0)
    with pytest.raises(GS1Error, match="check digit"):
        client(world, "manufacturer").register_product("09506000134353", "X", 2, 8)


def test_gtin_13_and_8_are_accepted_zero_padded(world):
    client(world, "manufacturer").register_product("4006381333931", "Thirteen", 2, 8)
    client(world, "manufacturer").register_product("96385074", "Eight", 2, 8)
    assert client(world).product("00000096385074").name == "Eight"


def test_product_registration_errors(world):
    client(world, "manufacturer").register_product(GTIN, "X", 2, 8)
    reverts("ProductAlreadyRegistered", client(world, "manufacturer").register_product, GTIN, "Y", 2, 8).with_args(
        gtin=gtin_number(GTIN))
    g = gtin_number(OTHER_GTIN)
    assert reverts("InvalidProductName", raw, world, "manufacturer", "registerProduct", g, "", 200, 800, 60) == {"length": 0}
    reverts("InvalidProductName", raw, world, "manufacturer", "registerProduct", g, "x" * 129, 200, 800, 60).with_args(
        length=129)
    for lo, hi, rh in [(800, 200, 60), (200, 800, 0), (200, 800, 101)]:
        args = reverts("InvalidStorageConditions", raw, world, "manufacturer", "registerProduct", g, "X", lo, hi, rh)
        assert args == {"minTemperature": lo, "maxTemperature": hi, "maxHumidity": rh}
    with pytest.raises(InvalidInputError):
        client(world, "manufacturer").register_product(OTHER_GTIN, "X", 8, 2)


# ------------------------------------------------------------------ batches


def test_commissioning_puts_every_unit_in_the_makers_stock(world, lot):
    b = client(world).batch(lot.id)
    assert (b.gtin, b.lot, b.units, b.expiry, b.production, b.serials_root) == (
        GTIN,
        LOT,
        40,
        lot.expiry,
        lot.production,
        lot.tree.root,
    )
    assert client(world).stock(lot.id, world.address("manufacturer")).available == 40
    assert client(world).product_stock(world.address("manufacturer"), GTIN) == (40, 0)
    assert lot.id == call(client(world).contract.functions.batchIdOf(gtin_number(GTIN), LOT))


def test_commission_gas_does_not_depend_on_the_unit_count(world):
    small = Lot(world, "SMALL", SERIALS[:2])  # the product's first batch: no extra slot either
    big = Lot(world, "LARGE", [f"B{i}" for i in range(4096)])
    assert abs(small.receipt.gas_used - big.receipt.gas_used) <= 16  # one calldata byte


def test_only_the_products_manufacturer_commissions(world, sender):
    Lot(world)
    from medchain.participants import ParticipantsClient, encryption_key_of

    other = dev_account(NEW)
    ParticipantsClient(world.suite, world.sender("governance")).register_organization(
        other.address, "Other Maker", "manufacturer", encryption_key_of(other)
    )
    args = reverts(
        "NotProductManufacturer",
        DrugsClient(world.suite, sender(NEW)).commission_batch,
        GTIN,
        "L2",
        expiry=today(world) + dt.timedelta(days=9),
        production=today(world),
        serials=["A"],
    )
    assert args == {"gtin": gtin_number(GTIN), "account": other.address}
    reverts(
        "MissingRole",
        client(world, "distributor").commission_batch,
        GTIN,
        "L2",
        expiry=today(world) + dt.timedelta(days=9),
        production=today(world),
        serials=["A"],
    ).with_args(account=world.address("distributor"), role=int(Role.MANUFACTURER))


def test_batch_commissioning_errors(world, lot):
    day = day_timestamp(today(world))
    g = gtin_number(GTIN)
    root = lot.tree.root
    ok = dict(gtin=g, lot="L2", production=day, expiry=day + 86400, units=1, root=root, cid="")

    def commission(**kw):
        a = {**ok, **kw}
        return raw(
            world,
            "manufacturer",
            "commissionBatch",
            a["gtin"],
            a["lot"],
            a["production"],
            a["expiry"],
            a["units"],
            a["root"],
            a["cid"],
        )

    assert reverts("UnknownProduct", commission, gtin=gtin_number(OTHER_GTIN)) == {"gtin": gtin_number(OTHER_GTIN)}
    assert reverts("InvalidLot", commission, lot="") == {"length": 0}
    reverts("InvalidLot", commission, lot="x" * 21).with_args(length=21)
    reverts("InvalidDates", commission, production=day + 1).with_args(day + 1, day + 86400)  # not a whole day
    reverts("InvalidDates", commission, production=day + 86400, expiry=day + 2 * 86400).with_args(
        day + 86400, day + 2 * 86400
    )  # future production
    reverts("InvalidDates", commission, production=day, expiry=day - 86400).with_args(
        day, day - 86400
    )  # expiry before production
    assert reverts("InvalidUnitCount", commission, units=0) == {"units": 0}
    reverts("InvalidUnitCount", commission, units=NO_RANGE).with_args(units=NO_RANGE)
    assert reverts("EmptySerialsRoot", commission, root=b"\0" * 32) == {}
    assert reverts("BatchAlreadyCommissioned", commission, lot=LOT) == {"batchId": lot.id}


def test_an_already_expired_batch_cannot_be_commissioned(world):
    Lot(world, "L0")
    day = day_timestamp(today(world))
    yesterday = day - 86400
    # usable through its expiry day: yesterday's expiry ended at `day`, which has passed
    reverts(
        "InvalidDates",
        raw,
        world,
        "manufacturer",
        "commissionBatch",
        gtin_number(GTIN),
        "OLD",
        yesterday - 86400,
        yesterday,
        1,
        b"\1" * 32,
        "",
    )
    raw(world, "manufacturer", "commissionBatch", gtin_number(GTIN), "TODAY", day, day, 1, b"\1" * 32, "")


def test_python_refuses_bad_batch_input_before_sending(world, lot):
    maker = client(world, "manufacturer")
    with pytest.raises(InvalidInputError, match="twice"):
        maker.commission_batch(GTIN, "L3", expiry=lot.expiry, production=lot.production, serials=["A", "A"])
    with pytest.raises(GS1Error):
        maker.commission_batch(GTIN, "L3 ~", expiry=lot.expiry, production=lot.production, serials=["A"])
    with pytest.raises(InvalidInputError, match="after the expiry"):
        maker.commission_batch(GTIN, "L3", expiry=lot.production, production=lot.expiry, serials=["A"])
    assert client(world).batch(batch_id(GTIN, "L3")) is None


# ------------------------------------------------------------------ custody


def test_ship_and_receive_move_exact_quantities(world, lot):
    maker, dist = client(world, "manufacturer"), client(world, "distributor")
    ref = maker.ship(lot.id, world.address("distributor"), 15)
    assert maker.stock(lot.id, world.address("manufacturer")).available == 25
    assert maker.stock(lot.id, world.address("distributor")).available == 0  # nobody holds units in transit
    assert maker.shipment_status(ref) == ShipmentStatus.IN_TRANSIT
    receipt = dist.receive(ref.id)
    assert maker.stock(lot.id, world.address("distributor")).available == 15
    assert maker.shipment_status(ref) == ShipmentStatus.NONE
    (ev,) = events(maker.contract, "ShipmentReceived", receipt)
    assert (ev["shipmentId"], ev["quantity"], ev["quarantined"]) == (ref.id, 15, False)
    assert ref.id == call(maker.contract.functions.shipmentIdOf(ref.as_tuple))


@pytest.mark.parametrize("who", ["distributor", "pharmacy", "hospital_a"])
def test_every_custodian_role_can_ship_and_receive(world, lot, who):
    client(world, who).receive(client(world, "manufacturer").ship(lot.id, world.address(who), 3))
    target = "hospital_b" if who != "hospital_a" else "pharmacy"
    client(world, target).receive(client(world, who).ship(lot.id, world.address(target), 2))
    assert client(world).stock(lot.id, world.address(target)).available == 2


def test_only_the_holder_ships_what_it_holds(world, lot):
    args = reverts("InsufficientStock", client(world, "manufacturer").ship, lot.id, world.address("distributor"), 41)
    assert args == {"batchId": lot.id, "holder": world.address("manufacturer"), "available": 40, "requested": 41}
    reverts("InsufficientStock", client(world, "pharmacy").ship, lot.id, world.address("distributor"), 1).with_args(
        lot.id, world.address("pharmacy"), 0, 1
    )
    custodians = int(Role.MANUFACTURER | Role.DISTRIBUTOR | Role.PHARMACY | Role.HOSPITAL)
    for who in ("sensor_gateway", "regulator"):
        reverts("MissingRole", client(world, who).ship, lot.id, world.address("distributor"), 1).with_args(
            account=world.address(who), role=custodians
        )


def test_recipients_must_be_active_custodians(world, lot):
    maker = client(world, "manufacturer")
    for who in ["insurer", "patient_1", "manufacturer", "sensor_gateway"]:
        assert reverts("InvalidRecipient", maker.ship, lot.id, world.address(who), 1) == {"recipient": world.address(who)}
    reverts("InvalidRecipient", maker.ship, lot.id, dev_account(NEW).address, 1).with_args(recipient=dev_account(NEW).address)
    from medchain.participants import ParticipantsClient

    ParticipantsClient(world.suite, world.sender("regulator")).suspend(world.address("pharmacy"), "inspection")
    reverts("InvalidRecipient", maker.ship, lot.id, world.address("pharmacy"), 1).with_args(recipient=world.address("pharmacy"))


def test_ship_input_errors(world, lot):
    assert reverts("InvalidQuantity", raw, world, "manufacturer", "ship", lot.id, world.address("distributor"), 0, NO_RANGE) == {
        "quantity": 0
    }
    args = reverts("InvalidUnitRange", client(world, "manufacturer").ship, lot.id, world.address("distributor"), 5, first_unit=36)
    assert args == {"firstUnit": 36, "quantity": 5, "units": 40}
    client(world, "manufacturer").ship(lot.id, world.address("distributor"), 5, first_unit=35)
    assert reverts("UnknownBatch", client(world, "manufacturer").ship, b"\7" * 32, world.address("distributor"), 1) == {
        "batchId": b"\7" * 32
    }


def test_only_the_recipient_receives_or_rejects_and_only_once(world, lot):
    ref = client(world, "manufacturer").ship(lot.id, world.address("distributor"), 5)
    args = reverts("NotShipmentRecipient", client(world, "pharmacy").receive, ref)
    assert args == {"shipmentId": ref.id, "account": world.address("pharmacy")}
    reverts("NotShipmentRecipient", client(world, "manufacturer").reject, ref, "no").with_args(
        shipmentId=ref.id, account=world.address("manufacturer")
    )
    client(world, "distributor").receive(ref)
    assert reverts("UnknownShipment", client(world, "distributor").receive, ref) == {"shipmentId": ref.id}
    reverts("UnknownShipment", client(world, "distributor").reject, ref, "again").with_args(shipmentId=ref.id)


def test_a_suspended_recipient_cannot_receive(world, lot):
    from medchain.participants import ParticipantsClient

    ref = client(world, "manufacturer").ship(lot.id, world.address("distributor"), 5)
    ParticipantsClient(world.suite, world.sender("regulator")).suspend(world.address("distributor"), "audit")
    reverts("ParticipantSuspended", client(world, "distributor").receive, ref).with_args(account=world.address("distributor"))


def test_rejected_units_return_to_the_sender(world, lot):
    ref = client(world, "manufacturer").ship(lot.id, world.address("distributor"), 5)
    receipt = client(world, "distributor").reject(ref, "damaged cases")
    assert client(world).stock(lot.id, world.address("manufacturer")).available == 40
    assert events(client(world).contract, "ShipmentRejected", receipt)[0]["reason"] == "damaged cases"
    reverts(
        "InvalidReason",
        raw,
        world,
        "distributor",
        "rejectShipment",
        client(world, "manufacturer").ship(lot.id, world.address("distributor"), 1).as_tuple,
        "",
    )


@pytest.mark.both_backends
def test_forged_shipment_terms_are_unknown(world, lot):
    ref = client(world, "manufacturer").ship(lot.id, world.address("distributor"), 5)
    forged = (ref.batch_id, ref.sender, ref.recipient, 40, ref.first_unit, ref.nonce, ref.slot)
    reverts("UnknownShipment", raw, world, "distributor", "receiveShipment", forged)
    for slot in (ref.slot + 1, 2**32 - 1):  # the right terms in another slot are unknown too
        reverts("UnknownShipment", raw, world, "distributor", "receiveShipment", ref.as_tuple[:-1] + (slot,))


# ------------------------------------------------------------------ cold chain


def _in_transit(world, lot, quantity=10, first=0):
    return client(world, "manufacturer").ship(lot.id, world.address("distributor"), quantity, first_unit=first)


def test_readings_store_a_commitment_and_stay_verifiable_off_chain(world, lot):
    ref = _in_transit(world, lot)
    t = world.chain.now()
    readings = [reading(t + 60 * i, 4 + (i % 40) / 10, 40, 31.2, 121.5) for i in range(96)]
    (receipt,) = client(world, "sensor_gateway").post_readings(ref, readings)
    assert client(world).readings(ref) == readings
    log = call(client(world).contract.functions.readingsLog(ref.id))
    assert (log[1], log[2]) == (96, t + 60 * 95)
    assert not events(client(world).contract, "ExcursionDetected", receipt)
    assert client(world).shipment_status(ref) == ShipmentStatus.IN_TRANSIT


def test_an_excursion_quarantines_the_shipment_and_says_where_and_when(world, lot):
    ref = _in_transit(world, lot, 10, 5)
    t = world.chain.now()
    readings = [reading(t, 5.0), reading(t + 60, 8.01, 40, 31.25, -121.5), reading(t + 120, 1.5)]
    (receipt,) = client(world, "manufacturer").post_readings(ref, readings)  # the carrier itself
    (ev,) = events(client(world).contract, "ExcursionDetected", receipt)
    assert (ev["time"], ev["temperature"], ev["latitude"], ev["longitude"], ev["excursions"]) == (
        t + 60,
        801,
        31_250_000,
        -121_500_000,
        2,
    )
    assert client(world).shipment_status(ref) == ShipmentStatus.QUARANTINED
    assert client(world).batch(lot.id).quarantined == 10
    (q,) = client(world).quarantines(lot.id)
    assert (q.shipment_id, q.first_unit, q.quantity, q.state, q.holder) == (ref.id, 5, 10, QuarantineState.OPEN, None)
    client(world, "distributor").receive(ref)
    s = client(world).stock(lot.id, world.address("distributor"))
    assert (s.available, s.quarantined) == (0, 10)
    assert client(world).quarantines(lot.id)[0].holder == world.address("distributor")
    reverts("InsufficientStock", client(world, "distributor").ship, lot.id, world.address("pharmacy"), 1).with_args(
        lot.id, world.address("distributor"), 0, 1
    )  # the 10 quarantined units are not sellable


@pytest.mark.parametrize(
    "temp,rh,excursion", [(2.0, 60, False), (8.0, 60, False), (1.99, 40, True), (8.01, 40, True), (5.0, 61, True)]
)
def test_range_bounds_are_inclusive(world, lot, temp, rh, excursion):
    ref = _in_transit(world, lot)
    client(world, "sensor_gateway").post_readings(ref, [reading(world.chain.now(), temp, rh)])
    assert (client(world).shipment_status(ref) == ShipmentStatus.QUARANTINED) is excursion


def test_a_quarantined_shipment_rejected_goes_back_quarantined(world, lot):
    ref = _in_transit(world, lot)
    client(world, "sensor_gateway").post_readings(ref, [reading(world.chain.now(), 12.0)])
    client(world, "distributor").reject(ref, "excursion")
    s = client(world).stock(lot.id, world.address("manufacturer"))
    assert (s.available, s.quarantined) == (30, 10)


def test_readings_errors_and_posters(world, lot):
    ref = _in_transit(world, lot)
    t = world.chain.now()
    args = reverts("NotReadingsPoster", client(world, "hospital_a").post_readings, ref, [reading(t, 5)])
    assert args == {"shipmentId": ref.id, "account": world.address("hospital_a")}
    reverts("NotReadingsPoster", client(world, "distributor").post_readings, ref, [reading(t, 5)]).with_args(
        shipmentId=ref.id, account=world.address("distributor")
    )
    assert reverts("InvalidReadings", raw, world, "sensor_gateway", "postReadings", ref.as_tuple, []) == {"count": 0}
    reverts(
        "InvalidReadings", raw, world, "sensor_gateway", "postReadings", ref.as_tuple, [reading(t, 5).pack()] * 513
    ).with_args(count=513)
    words = [reading(t + 10, 5).pack(), reading(t + 5, 5).pack()]
    assert reverts("ReadingOutOfOrder", raw, world, "sensor_gateway", "postReadings", ref.as_tuple, words) == {
        "index": 1,
        "time": t + 5,
        "previousTime": t + 10,
    }
    client(world, "sensor_gateway").post_readings(ref, [reading(t + 10, 5)])
    reverts("ReadingOutOfOrder", client(world, "sensor_gateway").post_readings, ref, [reading(t + 9, 5)]).with_args(
        index=0, time=t + 9, previousTime=t + 10
    )
    client(world, "distributor").receive(ref)
    reverts("UnknownShipment", client(world, "sensor_gateway").post_readings, ref, [reading(t + 20, 5)]).with_args(
        shipmentId=ref.id
    )
    with pytest.raises(InvalidInputError, match="time order"):
        client(world, "sensor_gateway").post_readings(ref, [reading(t + 9, 5), reading(t, 5)])


def test_readings_csv_and_packing_round_trip(tmp_path):
    from medchain.drugs import read_readings_csv

    path = tmp_path / "r.csv"
    path.write_text(
        "time,temperature_c,humidity_pct,latitude,longitude\n2025-01-11T10:00:00Z,-3.25,41,31.2304,-121.4737\n1736590000,8.5,40,,\n"
    )
    a, b = read_readings_csv(path)
    assert a == Reading(1736589600, -3.25, 41, 31.2304, -121.4737) and Reading.unpack(a.pack()) == a
    assert b.time == 1736590000 and b.temperature_c == 8.5
    path.write_text("time,temperature_c\nyesterday,4\n")
    with pytest.raises(InvalidInputError, match="row 2"):
        read_readings_csv(path)


# ------------------------------------------------------------------ dispensing and counterfeits


def _at_pharmacy(world, lot, quantity=10, first=0):
    ref = client(world, "manufacturer").ship(lot.id, world.address("pharmacy"), quantity, first_unit=first)
    client(world, "pharmacy").receive(ref)
    return client(world, "pharmacy")


def test_a_pharmacy_dispenses_a_unit_by_serial_and_proof(world, lot):
    pharmacy = _at_pharmacy(world, lot)
    result = pharmacy.dispense(lot.id, "SN00007", lot.tree)
    (ev,) = events(pharmacy.contract, "UnitDispensed", result.receipt)
    assert (ev["index"], ev["serial"], ev["dispenser"]) == (7, "SN00007", world.address("pharmacy"))
    assert call(pharmacy.contract.functions.isDispensed(lot.id, 7)) and not call(
        pharmacy.contract.functions.isDispensed(lot.id, 8)
    )
    assert pharmacy.stock(lot.id, world.address("pharmacy")).available == 9


def test_hospitals_dispense_too_but_distributors_do_not(world, lot):
    client(world, "hospital_a").receive(client(world, "manufacturer").ship(lot.id, world.address("hospital_a"), 2))
    client(world, "hospital_a").dispense(lot.id, "SN00001", lot.tree)
    client(world, "distributor").receive(client(world, "manufacturer").ship(lot.id, world.address("distributor"), 2))
    reverts("MissingRole", client(world, "distributor").dispense, lot.id, "SN00002", lot.tree).with_args(
        account=world.address("distributor"), role=int(Role.PHARMACY | Role.HOSPITAL)
    )


def test_a_used_serial_is_recorded_as_suspected_counterfeit_and_refused(world, lot):
    pharmacy = _at_pharmacy(world, lot)
    pharmacy.dispense(lot.id, "SN00003", lot.tree)
    with pytest.raises(CounterfeitSuspectedError) as info:
        pharmacy.dispense(lot.id, "SN00003", lot.tree)
    (ev,) = events(pharmacy.contract, "CounterfeitSuspected", info.value.receipt)
    assert (ev["presenter"], ev["serial"], ev["status"]) == (world.address("pharmacy"), "SN00003", UnitStatus.DISPENSED)
    assert pharmacy.stock(lot.id, world.address("pharmacy")).available == 9 and pharmacy.batch(lot.id).suspects == 1


def test_an_unknown_serial_is_recorded_and_refused(world, lot):
    pharmacy = _at_pharmacy(world, lot)
    with pytest.raises(CounterfeitSuspectedError, match="unknown serial"):
        pharmacy.dispense(lot.id, "FAKE001", lot.tree)
    # a genuine serial with another unit's index or proof is unknown too
    with pytest.raises(CounterfeitSuspectedError):
        pharmacy.dispense(lot.id, "SN00004", index=5, proof=lot.tree.proof(5))
    with pytest.raises(CounterfeitSuspectedError):
        pharmacy.dispense(b"\5" * 32, "SN00004", index=4, proof=lot.tree.proof(4))
    assert pharmacy.batch(lot.id).suspects == 2 and pharmacy.stock(lot.id, world.address("pharmacy")).available == 10


def test_dispensing_needs_stock_and_an_unquarantined_unit(world, lot):
    reverts("InsufficientStock", client(world, "pharmacy").dispense, lot.id, "SN00001", lot.tree).with_args(
        lot.id, world.address("pharmacy"), 0, 1
    )
    ref = client(world, "manufacturer").ship(lot.id, world.address("pharmacy"), 5, first_unit=0)
    client(world, "sensor_gateway").post_readings(ref, [reading(world.chain.now(), 30.0)])
    _at_pharmacy(world, lot, 5, 10)
    assert reverts("UnitQuarantined", client(world, "pharmacy").dispense, lot.id, "SN00002", lot.tree) == {
        "batchId": lot.id,
        "index": 2,
    }
    client(world, "pharmacy").dispense(lot.id, "SN00012", lot.tree)


def test_a_shipment_without_a_declared_range_quarantines_every_unit(world, lot):
    ref = _in_transit(world, lot, 3, None)
    client(world, "sensor_gateway").post_readings(ref, [reading(world.chain.now(), 30.0)])
    assert client(world).verify(code(lot, "SN00039"), lot.tree).status == UnitStatus.QUARANTINED


def test_merkle_proofs_match_openzeppelin_for_odd_sizes(world):
    Lot(world, "ODD", [f"U{i}" for i in range(7)])
    tree = SerialTree(batch_id(GTIN, "ODD"), [f"U{i}" for i in range(7)])
    for i in range(7):
        expiry = client(world).batch(tree.batch).expiry
        assert client(world).verify(gs1.UnitCode(GTIN, "ODD", expiry, serial=f"U{i}"), tree).status == UnitStatus.GENUINE
    Lot(world, "ONE", ["ONLY"])
    one = SerialTree(batch_id(GTIN, "ONE"), ["ONLY"])
    assert one.proof(0) == [] and one.root == client(world).batch(one.batch).serials_root


# ------------------------------------------------------------------ verification


def test_verification_statuses(world, lot):
    reader = client(world)
    assert reader.verify(code(lot, "SN00001"), lot.tree).status == UnitStatus.GENUINE
    assert reader.verify(code(lot, "NOPE"), lot.tree).status == UnitStatus.UNKNOWN_SERIAL
    wrong_expiry = gs1.UnitCode(GTIN, LOT, lot.expiry + dt.timedelta(days=1), serial="SN00001")
    assert reader.verify(wrong_expiry, lot.tree).status == UnitStatus.UNKNOWN_SERIAL
    unknown_lot = reader.verify(gs1.UnitCode(GTIN, "NOLOT", lot.expiry, serial="SN00001"), lot.tree)
    assert (unknown_lot.status, unknown_lot.batch, unknown_lot.custody_path) == (UnitStatus.UNKNOWN_SERIAL, None, [])
    _at_pharmacy(world, lot).dispense(lot.id, "SN00001", lot.tree)
    assert reader.verify(code(lot, "SN00001"), lot.tree).status == UnitStatus.DISPENSED
    client(world, "manufacturer").recall(lot.id, "contamination")
    assert reader.verify(code(lot, "SN00002"), lot.tree).status == UnitStatus.RECALLED


def test_verification_returns_product_batch_and_custody_path(world, lot):
    client(world, "distributor").receive(client(world, "manufacturer").ship(lot.id, world.address("distributor"), 5))
    v = client(world).verify(gs1.to_digital_link(code(lot, "SN00009")), lot.tree)
    assert v.genuine and v.unit_index == 9 and v.product.name.startswith("VaxCo") and v.batch.lot == LOT
    assert [(s.kind, s.party, s.quantity) for s in v.custody_path] == [
        ("commissioned", world.address("manufacturer"), 40),
        ("shipped", world.address("manufacturer"), 5),
        ("received", world.address("distributor"), 5),
    ]
    with pytest.raises(GS1Error):
        client(world).verify("(01)09506000134352(17)271231(10)LOT42", lot.tree)


@pytest.mark.both_backends
def test_expiry_bounds_one_second_before_at_and_after(world, lot):
    end = day_timestamp(lot.expiry) + 86400  # usable through the expiry day
    pharmacy = _at_pharmacy(world, lot)
    world.chain.set_next_block_timestamp(end - 1)
    pharmacy.dispense(lot.id, "SN00001", lot.tree)  # mined at end - 1
    assert client(world).verify(code(lot, "SN00002"), lot.tree).status == UnitStatus.GENUINE
    world.chain.mine(end)
    assert client(world).verify(code(lot, "SN00002"), lot.tree).status == UnitStatus.EXPIRED
    world.chain.set_next_block_timestamp(end + 1)
    args = reverts("BatchExpired", pharmacy.dispense, lot.id, "SN00002", lot.tree)
    assert args == {"batchId": lot.id, "expiry": day_timestamp(lot.expiry)}
    reverts("BatchExpired", client(world, "manufacturer").ship, lot.id, world.address("distributor"), 1).with_args(
        batchId=lot.id, expiry=day_timestamp(lot.expiry)
    )


# ------------------------------------------------------------------ recall


@pytest.mark.parametrize("who", ["manufacturer", "regulator"])
def test_maker_and_regulator_recall_and_everything_stops(world, lot, who):
    ref = client(world, "manufacturer").ship(lot.id, world.address("pharmacy"), 5)
    pharmacy = _at_pharmacy(world, lot, 5, 20)
    receipt = client(world, who).recall(lot.id, "sterility failure")
    (ev,) = events(pharmacy.contract, "BatchRecalled", receipt)
    assert (ev["by"], ev["reason"]) == (world.address(who), "sterility failure")
    assert reverts("RecalledBatch", client(world, "manufacturer").ship, lot.id, world.address("distributor"), 1) == {
        "batchId": lot.id
    }
    reverts("RecalledBatch", pharmacy.receive, ref).with_args(batchId=lot.id)
    reverts("RecalledBatch", pharmacy.dispense, lot.id, "SN00021", lot.tree).with_args(batchId=lot.id)
    reverts("RecalledBatch", client(world, who).recall, lot.id, "again").with_args(batchId=lot.id)
    pharmacy.reject(ref, "recalled")  # goods may go back


@pytest.mark.parametrize("who", ["distributor", "pharmacy", "hospital_a", "insurer"])
def test_others_cannot_recall(world, lot, who):
    assert reverts("NotRecallAuthority", client(world, who).recall, lot.id, "x") == {
        "batchId": lot.id,
        "account": world.address(who),
    }


def test_recall_errors(world, lot):
    reverts("UnknownBatch", client(world, "regulator").recall, b"\3" * 32, "x").with_args(batchId=b"\3" * 32)
    assert reverts("InvalidReason", raw, world, "regulator", "recall", lot.id, "") == {}


def test_recall_report_lists_holders_transit_and_dispensed_units(world, lot):
    maker = client(world, "manufacturer")
    client(world, "distributor").receive(maker.ship(lot.id, world.address("distributor"), 12))
    pharmacy = _at_pharmacy(world, lot, 8, 20)
    pharmacy.dispense(lot.id, "SN00021", lot.tree)
    quarantined = client(world, "distributor").ship(lot.id, world.address("hospital_a"), 4, first_unit=0)
    client(world, "sensor_gateway").post_readings(quarantined, [reading(world.chain.now(), 20)])
    pending = maker.ship(lot.id, world.address("hospital_b"), 3)
    with pytest.raises(CounterfeitSuspectedError):
        pharmacy.dispense(lot.id, "SN00021", lot.tree)
    client(world, "regulator").recall(lot.id, "x")
    report = client(world).recall_report(lot.id)
    positions = {h: (p.available, p.quarantined, p.dispensed) for h, p in report.holders.items()}
    assert positions == {
        world.address("manufacturer"): (17, 0, 0),
        world.address("distributor"): (8, 0, 0),
        world.address("pharmacy"): (7, 0, 1),
    }
    assert {(r.id, s) for r, s in report.in_transit} == {
        (quarantined.id, ShipmentStatus.QUARANTINED),
        (pending.id, ShipmentStatus.IN_TRANSIT),
    }
    assert report.dispensed == [(21, "SN00021", world.address("pharmacy"))] and report.recalled
    assert report.suspected_counterfeits == [("SN00021", world.address("pharmacy"), UnitStatus.DISPENSED)]
    for holder, (available, q, _) in positions.items():  # the events agree with the chain's state
        s = client(world).stock(lot.id, holder)
        assert (s.available, s.quarantined) == (available, q)
    assert report.total_held + 4 + 3 + 1 == 40


# ------------------------------------------------------------------ reorder


def test_stock_falling_below_the_threshold_asks_for_replenishment(world, lot):
    pharmacy = _at_pharmacy(world, lot, 10, 0)
    receipt = pharmacy.set_reorder_threshold(GTIN, 9)
    assert events(pharmacy.contract, "ReorderThresholdSet", receipt)[0]["threshold"] == 9
    r1 = pharmacy.dispense(lot.id, "SN00001", lot.tree).receipt  # 9: not below
    assert not events(pharmacy.contract, "ReplenishmentNeeded", r1)
    r2 = pharmacy.dispense(lot.id, "SN00002", lot.tree).receipt  # 8 < 9
    (ev,) = events(pharmacy.contract, "ReplenishmentNeeded", r2)
    assert (ev["holder"], ev["stock"], ev["threshold"]) == (world.address("pharmacy"), 8, 9)
    r3 = pharmacy.dispense(lot.id, "SN00003", lot.tree).receipt  # once per crossing
    assert not events(pharmacy.contract, "ReplenishmentNeeded", r3)
    assert len(pharmacy.reorder_alerts(world.address("pharmacy"))) == 1


def test_product_stock_sums_every_batch(world, lot):
    other = Lot(world, "LOT43", ["X1", "X2", "X3"])
    maker = client(world, "manufacturer")
    hospital = client(world, "hospital_a")
    hospital.receive(maker.ship(lot.id, world.address("hospital_a"), 4))
    hospital.receive(maker.ship(other.id, world.address("hospital_a"), 2))
    assert hospital.product_stock(world.address("hospital_a"), GTIN) == (6, 0)
    receipt = hospital.set_reorder_threshold(GTIN, 10)  # already below: asks at once
    assert events(hospital.contract, "ReplenishmentNeeded", receipt)[0]["stock"] == 6


def test_reorder_threshold_errors(world):
    reverts("UnknownProduct", client(world, "pharmacy").set_reorder_threshold, GTIN, 5).with_args(gtin=gtin_number(GTIN))
    reverts("MissingRole", client(world, "insurer").set_reorder_threshold, GTIN, 5).with_args(
        account=world.address("insurer"), role=int(Role.MANUFACTURER | Role.DISTRIBUTOR | Role.PHARMACY | Role.HOSPITAL)
    )


def _steady_ship_and_receive(world, lot, maker):
    """A shipment reusing the slot of a received one, and its receipt: (ship gas, receive gas)."""
    ref = maker.ship(lot.id, world.address("distributor"), 1)
    return ref.receipt.gas_used, client(world, "distributor").receive(ref).gas_used


def test_gas_stays_flat_as_batches_and_holders_grow(world, lot):
    maker = client(world, "manufacturer")
    client(world, "distributor").receive(maker.ship(lot.id, world.address("distributor"), 1))
    first = _steady_ship_and_receive(world, lot, maker)
    for i in range(3):
        Lot(world, f"G{i}", ["A", "B"])
    for who in ["pharmacy", "hospital_a", "hospital_b"]:
        client(world, who).receive(maker.ship(lot.id, world.address(who), 1))
    later = _steady_ship_and_receive(world, lot, maker)
    assert all(abs(a - b) <= 50 for a, b in zip(first, later, strict=True)), (first, later)


def test_deploying_binds_the_registry(world):
    c = world.suite.contract("DrugBatchTracing")
    assert call(c.functions.registry()) == world.suite.address("ParticipantRegistry")


def test_every_custom_error_is_reached_by_a_test():
    """Keeps these files honest: each error of the ABI is named in an assertion of a drugs test."""
    from pathlib import Path

    source = "".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    errors = {i["name"] for i in load_artifact("DrugBatchTracing")["abi"] if i["type"] == "error"}
    assert {e for e in errors if f'"{e}"' not in source} == set()
