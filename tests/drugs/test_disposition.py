"""Shipment slots, cancelling a shipment in transit, and the disposition of quarantined units
(QA release or destruction) (tests/conftest.py: on Anvil)."""

from __future__ import annotations

import hashlib
import json

import pytest

from medchain.core.errors import CounterfeitSuspectedError, InvalidInputError
from medchain.core.standards import epcis
from medchain.core.tx import events
from medchain.drugs import QuarantineState, ShipmentStatus, UnitStatus
from medchain.participants import ParticipantsClient
from tests.helpers import reverts

from .conftest import GTIN, client, reading
from .test_contract import code, raw
from .test_reports import schema  # noqa: F401 - the official EPCIS schema fixture

REVIEW = b"QA review 2026-11: potency 101 %, sterility pass"


def _ship(world, lot, to="distributor", quantity=10, first=0, sender="manufacturer"):
    return client(world, sender).ship(lot.id, world.address(to), quantity, first_unit=first)


def _excursion(world, ref):
    client(world, "sensor_gateway").post_readings(ref, [reading(world.chain.now(), 12.0)])


@pytest.fixture
def held(world, lot):
    """Units 5-14 caught in an excursion, received into the distributor's quarantined stock."""
    ref = _ship(world, lot, first=5)
    _excursion(world, ref)
    client(world, "distributor").receive(ref)
    return ref


def _suspend(world, who):
    ParticipantsClient(world.suite, world.sender("regulator")).suspend(world.address(who), "inspection")


# ------------------------------------------------------------------ shipment slots


def test_a_closed_shipments_slot_is_reused_and_a_busy_one_is_not(world, lot):
    first = _ship(world, lot, quantity=1)
    client(world, "distributor").receive(first)
    again = _ship(world, lot, quantity=1)
    busy = _ship(world, lot, quantity=1)
    assert (first.slot, again.slot, busy.slot) == (0, 0, 1)
    s = client(world).stock(lot.id, world.address("manufacturer"))
    assert (s.shipments_sent, s.slots) == (3, 2)


def test_an_old_ref_does_not_open_the_shipment_now_in_its_slot(world, lot):
    old = _ship(world, lot, quantity=4)
    client(world, "distributor").receive(old)
    new = _ship(world, lot, quantity=4)
    assert new.slot == old.slot and new.id != old.id
    assert reverts("UnknownShipment", client(world, "distributor").receive, old) == {"shipmentId": old.id}
    assert client(world).shipment_status(old) == ShipmentStatus.NONE
    client(world, "distributor").receive(new)
    assert client(world).stock(lot.id, world.address("distributor")).available == 8


def test_slots_are_per_sender_and_batch(world, lot):
    client(world, "distributor").receive(_ship(world, lot, quantity=5))
    theirs = _ship(world, lot, to="pharmacy", quantity=2, sender="distributor")
    mine = _ship(world, lot, to="pharmacy", quantity=2)
    assert (theirs.slot, mine.slot) == (0, 0)
    client(world, "pharmacy").receive(theirs)
    client(world, "pharmacy").receive(mine)
    assert client(world).stock(lot.id, world.address("pharmacy")).available == 4


# ------------------------------------------------------------------ cancel


def test_the_sender_cancels_a_shipment_in_transit(world, lot):
    ref = _ship(world, lot, quantity=15)
    receipt = client(world, "manufacturer").cancel(ref, "truck never left")
    assert client(world).stock(lot.id, world.address("manufacturer")).available == 40
    assert client(world).product_stock(world.address("manufacturer"), GTIN) == (40, 0)
    (ev,) = events(client(world).contract, "ShipmentCancelled", receipt)
    assert (ev["shipmentId"], ev["by"], ev["quantity"], ev["reason"]) == (
        ref.id,
        world.address("manufacturer"),
        15,
        "truck never left",
    )
    assert reverts("UnknownShipment", client(world, "distributor").receive, ref) == {"shipmentId": ref.id}
    reverts("UnknownShipment", client(world, "manufacturer").cancel, ref, "again").with_args(shipmentId=ref.id)


def test_a_suspended_recipient_cannot_receive_and_the_sender_takes_the_goods_back(world, lot):
    ref = _ship(world, lot)
    _suspend(world, "distributor")
    assert reverts("ParticipantSuspended", client(world, "distributor").receive, ref) == {"account": world.address("distributor")}
    client(world, "manufacturer").cancel(ref, "recipient suspended")
    assert client(world).stock(lot.id, world.address("manufacturer")).available == 40


def test_a_cancelled_quarantined_shipment_returns_to_the_senders_quarantined_stock(world, lot):
    ref = _ship(world, lot)
    _excursion(world, ref)
    client(world, "manufacturer").cancel(ref, "excursion")
    s = client(world).stock(lot.id, world.address("manufacturer"))
    assert (s.available, s.quarantined) == (30, 10)
    assert client(world).quarantines(lot.id)[0].holder == world.address("manufacturer")


@pytest.mark.parametrize("who", ["distributor", "pharmacy", "regulator"])
def test_only_the_sender_cancels(world, lot, who):
    ref = _ship(world, lot)
    assert reverts("NotShipmentSender", client(world, who).cancel, ref, "mine") == {
        "shipmentId": ref.id,
        "account": world.address(who),
    }


def test_a_suspended_sender_cannot_cancel(world, lot):
    ref = _ship(world, lot)
    _suspend(world, "manufacturer")
    reverts("ParticipantSuspended", client(world, "manufacturer").cancel, ref, "x").with_args(
        account=world.address("manufacturer")
    )


def test_cancel_errors(world, lot):
    ref = _ship(world, lot)
    assert reverts("InvalidReason", raw, world, "manufacturer", "cancelShipment", ref.as_tuple, "") == {}
    assert reverts("InvalidReason", raw, world, "manufacturer", "cancelShipment", ref.as_tuple, "x" * 1001) == {}
    with pytest.raises(InvalidInputError, match="reason"):
        client(world, "manufacturer").cancel(ref, "")
    client(world, "distributor").receive(ref)
    reverts("UnknownShipment", client(world, "manufacturer").cancel, ref, "too late").with_args(shipmentId=ref.id)


def test_a_recalled_batchs_shipment_can_be_cancelled(world, lot):
    ref = _ship(world, lot)
    client(world, "regulator").recall(lot.id, "contamination")
    client(world, "manufacturer").cancel(ref, "recalled")
    assert client(world).stock(lot.id, world.address("manufacturer")).available == 40


# ------------------------------------------------------------------ release


@pytest.mark.parametrize("who", ["manufacturer", "regulator"])
def test_a_qa_release_makes_the_units_sellable_for_their_holder(world, lot, held, who):
    receipt = client(world, who).release_quarantine(lot.id, held, REVIEW)
    (ev,) = events(client(world).contract, "QuarantineReleased", receipt)
    assert (ev["shipmentId"], ev["holder"], ev["by"], ev["quantity"], ev["reviewReportHash"]) == (
        held.id,
        world.address("distributor"),
        world.address(who),
        10,
        hashlib.sha256(REVIEW).digest(),
    )
    s = client(world).stock(lot.id, world.address("distributor"))
    assert (s.available, s.quarantined) == (10, 0)
    assert client(world).product_stock(world.address("distributor"), GTIN) == (10, 0)
    assert client(world).batch(lot.id).quarantined == 0
    assert client(world).quarantines(lot.id)[0].state == QuarantineState.RELEASED
    assert client(world).verify(code(lot, "SN00007"), lot.tree).status == UnitStatus.GENUINE
    client(world, "pharmacy").receive(_ship(world, lot, to="pharmacy", quantity=10, first=5, sender="distributor"))
    client(world, "pharmacy").dispense(lot.id, "SN00007", lot.tree)


@pytest.mark.parametrize("who", ["distributor", "pharmacy", "hospital_a", "insurer", "sensor_gateway"])
def test_only_the_maker_or_a_regulator_releases(world, lot, held, who):
    args = reverts("NotDispositionAuthority", client(world, who).release_quarantine, lot.id, held, REVIEW)
    assert args == {"shipmentId": held.id, "account": world.address(who)}


def test_a_suspended_maker_cannot_release(world, lot, held):
    _suspend(world, "manufacturer")
    reverts("NotDispositionAuthority", client(world, "manufacturer").release_quarantine, lot.id, held, REVIEW).with_args(
        shipmentId=held.id, account=world.address("manufacturer")
    )


def test_release_errors(world, lot, held):
    maker = client(world, "manufacturer")
    assert reverts("EmptyReviewReport", raw, world, "manufacturer", "releaseQuarantine", lot.id, held.id, b"\0" * 32) == {}
    with pytest.raises(InvalidInputError):
        maker.release_quarantine(lot.id, held, b"")
    assert reverts("UnknownQuarantine", maker.release_quarantine, lot.id, b"\4" * 32, REVIEW) == {"shipmentId": b"\4" * 32}
    maker.release_quarantine(lot.id, held, REVIEW)
    args = reverts("QuarantineNotDecidable", maker.release_quarantine, lot.id, held, REVIEW)
    assert args == {"shipmentId": held.id, "state": QuarantineState.RELEASED, "holder": world.address("distributor")}


def test_a_quarantine_in_transit_cannot_be_decided_yet(world, lot):
    ref = _ship(world, lot)
    _excursion(world, ref)
    args = reverts("QuarantineNotDecidable", client(world, "regulator").release_quarantine, lot.id, ref, REVIEW)
    assert args == {"shipmentId": ref.id, "state": QuarantineState.OPEN, "holder": "0x" + "0" * 40}
    reverts("QuarantineNotDecidable", client(world, "regulator").destroy_quarantine, lot.id, ref, "x").with_args(
        ref.id, QuarantineState.OPEN, "0x" + "0" * 40
    )


def test_a_quarantine_is_named_with_its_own_batch(world, lot, held):
    from .conftest import Lot

    other = Lot(world, "OTHER", ["X1", "X2"])
    reverts("UnknownQuarantine", client(world, "regulator").release_quarantine, other.id, held, REVIEW).with_args(
        shipmentId=held.id
    )


def test_a_recalled_batch_is_not_released(world, lot, held):
    client(world, "manufacturer").recall(lot.id, "potency")
    reverts("RecalledBatch", client(world, "manufacturer").release_quarantine, lot.id, held, REVIEW).with_args(batchId=lot.id)


# ------------------------------------------------------------------ destroy


@pytest.mark.parametrize("who", ["distributor", "manufacturer", "regulator"])
def test_destroyed_units_leave_the_stock_and_the_live_count(world, lot, held, who):
    receipt = client(world, who).destroy_quarantine(lot.id, held, "excursion above 8 C")
    (ev,) = events(client(world).contract, "QuarantineDestroyed", receipt)
    assert (ev["shipmentId"], ev["holder"], ev["by"], ev["quantity"], ev["reason"]) == (
        held.id,
        world.address("distributor"),
        world.address(who),
        10,
        "excursion above 8 C",
    )
    s = client(world).stock(lot.id, world.address("distributor"))
    assert (s.available, s.quarantined) == (0, 0)
    b = client(world).batch(lot.id)
    assert (b.quarantined, b.destroyed, b.quarantines) == (0, 10, 1)
    assert client(world).quarantines(lot.id)[0].state == QuarantineState.DESTROYED


def test_a_destroyed_unit_verifies_as_destroyed_and_is_refused_as_suspect(world, lot, held):
    client(world, "distributor").destroy_quarantine(lot.id, held, "excursion")
    assert client(world).verify(code(lot, "SN00005"), lot.tree).status == UnitStatus.DESTROYED
    assert client(world).verify(code(lot, "SN00015"), lot.tree).status == UnitStatus.GENUINE
    with pytest.raises(CounterfeitSuspectedError, match="destroyed"):
        client(world, "pharmacy").dispense(lot.id, "SN00014", lot.tree)
    assert client(world).batch(lot.id).suspects == 1


def test_a_destroyed_shipment_without_a_declared_range_names_no_unit(world, lot):
    ref = _ship(world, lot, quantity=3, first=None)
    _excursion(world, ref)
    assert client(world).verify(code(lot, "SN00030"), lot.tree).status == UnitStatus.QUARANTINED
    client(world, "distributor").receive(ref)
    client(world, "distributor").destroy_quarantine(lot.id, ref, "excursion")
    assert client(world).verify(code(lot, "SN00030"), lot.tree).status == UnitStatus.GENUINE


@pytest.mark.parametrize("who", ["pharmacy", "hospital_a", "insurer", "sensor_gateway"])
def test_others_cannot_destroy(world, lot, held, who):
    args = reverts("NotDispositionAuthority", client(world, who).destroy_quarantine, lot.id, held, "x")
    assert args == {"shipmentId": held.id, "account": world.address(who)}


def test_a_suspended_holder_cannot_destroy(world, lot, held):
    _suspend(world, "distributor")
    reverts("NotDispositionAuthority", client(world, "distributor").destroy_quarantine, lot.id, held, "x").with_args(
        shipmentId=held.id, account=world.address("distributor")
    )


def test_destroy_errors(world, lot, held):
    assert reverts("InvalidReason", raw, world, "distributor", "destroyQuarantine", lot.id, held.id, "") == {}
    with pytest.raises(InvalidInputError):
        client(world, "distributor").destroy_quarantine(lot.id, held, "")
    client(world, "distributor").destroy_quarantine(lot.id, held, "excursion")
    args = reverts("QuarantineNotDecidable", client(world, "regulator").destroy_quarantine, lot.id, held, "again")
    assert args == {"shipmentId": held.id, "state": QuarantineState.DESTROYED, "holder": world.address("distributor")}
    reverts("QuarantineNotDecidable", client(world, "regulator").release_quarantine, lot.id, held, REVIEW).with_args(
        held.id, QuarantineState.DESTROYED, world.address("distributor")
    )


def test_a_recalled_batchs_quarantined_units_can_be_destroyed(world, lot, held):
    client(world, "regulator").recall(lot.id, "potency")
    client(world, "distributor").destroy_quarantine(lot.id, held, "recalled and out of range")
    assert client(world).batch(lot.id).destroyed == 10


# ------------------------------------------------------------------ reports


def test_recall_report_and_custody_path_follow_cancel_release_and_destroy(world, lot, held):
    maker = client(world, "manufacturer")
    maker.cancel(_ship(world, lot, to="pharmacy", quantity=3, first=20), "order withdrawn")
    other = _ship(world, lot, to="hospital_a", quantity=4, first=30)
    _excursion(world, other)
    client(world, "hospital_a").receive(other)
    maker.release_quarantine(lot.id, held, REVIEW)
    client(world, "hospital_a").destroy_quarantine(lot.id, other, "excursion")
    report = client(world).recall_report(lot.id)
    positions = {h: (p.available, p.quarantined, p.destroyed) for h, p in report.holders.items()}
    assert positions == {
        world.address("manufacturer"): (26, 0, 0),
        world.address("distributor"): (10, 0, 0),
        world.address("hospital_a"): (0, 0, 4),
    }
    for holder, (available, quarantined, _) in positions.items():
        s = client(world).stock(lot.id, holder)
        assert (s.available, s.quarantined) == (available, quarantined)
    assert report.destroyed == 4 and report.total_held + report.destroyed == 40 and not report.in_transit
    kinds = [s.kind for s in client(world).custody_path(lot.id)]
    assert {"cancelled", "released", "destroyed"} <= set(kinds)


def test_epcis_export_carries_cancel_release_and_destroy(world, lot, held, schema):  # noqa: F811
    maker = client(world, "manufacturer")
    maker.cancel(_ship(world, lot, to="pharmacy", quantity=3, first=20), "order withdrawn")
    maker.release_quarantine(lot.id, held, REVIEW)
    other = _ship(world, lot, to="hospital_a", quantity=4, first=30)
    _excursion(world, other)
    client(world, "hospital_a").receive(other)
    client(world, "regulator").destroy_quarantine(lot.id, other, "excursion")
    document = client(world).epcis_document(lot.id, created="2026-01-01T00:00:00Z")
    assert epcis.validate_document(json.loads(json.dumps(document)), schema) == []
    events_ = document["epcisBody"]["eventList"]
    by_step = {e.get("bizStep"): e for e in events_}
    assert by_step["void_shipping"]["medchain:reason"] == "order withdrawn"
    release = next(e for e in events_ if e.get("disposition") == "sellable_accessible")
    assert release["medchain:reviewReportHash"] == "0x" + hashlib.sha256(REVIEW).hexdigest()
    destroy = by_step["destroying"]
    assert (destroy["action"], destroy["disposition"], destroy["quantityList"][0]["quantity"]) == ("DELETE", "destroyed", 4)
    assert destroy["medchain:decidedBy"].endswith(world.address("regulator").lower())
