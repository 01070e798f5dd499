"""The batch's quality-control report: sealed on IPFS, its key wrapped for whoever is entitled
(manufacturer, regulators, custodians it is shipped to), read back verified against the chain."""

from __future__ import annotations

import datetime as dt

import pytest

from medchain.core.crypto import KeyVault, vault_record_key
from medchain.core.errors import (
    AccessDeniedError,
    ContractRevert,
    DrugTracingError,
    IntegrityError,
    InvalidInputError,
    NotARecipientError,
)
from medchain.core.storage import EmbeddedStore
from medchain.drugs import DrugsClient, batch_id

from .conftest import GTIN, SERIALS, client, today

REPORT = b"%PDF-1.7 QC certificate LOT42: sterility pass, potency 102 %, endotoxin < 0.5 EU/ml"


@pytest.fixture
def qc(world, tmp_path):
    """``qc(who)``: a drugs client of ``who`` sharing one IPFS store and one key vault."""
    store, vault = EmbeddedStore(tmp_path / "ipfs"), KeyVault(tmp_path / "vault")

    def make(who=None):
        return DrugsClient(world.suite, world.sender(who) if who else None, store=store, vault=vault)

    make.store, make.vault = store, vault
    return make


def _commission(world, qc, lot="QC1"):
    maker = qc("manufacturer")
    if maker.product(GTIN) is None:
        maker.register_product(GTIN, "VaxCo Influenza Vaccine 0.5 ml", 2.0, 8.0, 60)
    day = today(world)
    return maker.commission_batch(GTIN, lot, expiry=day + dt.timedelta(days=300), production=day, serials=SERIALS,
                                  qc_report=REPORT)


def test_the_maker_and_every_regulator_read_the_report(world, qc):
    result = _commission(world, qc)
    assert qc("manufacturer").qc_report(result.batch_id) == REPORT
    assert qc("regulator").qc_report(result.batch_id) == REPORT
    cid = client(world).batch(result.batch_id).qc_report_cid
    assert REPORT not in qc.store.cat(cid)  # IPFS holds only the sealed blob


def test_a_custodian_reads_it_once_shipped_to(world, qc):
    result = _commission(world, qc)
    with pytest.raises(NotARecipientError):
        qc("distributor").qc_report(result.batch_id)
    ref = qc("manufacturer").ship(result.batch_id, world.address("distributor"), 10)
    assert qc("distributor").qc_report(result.batch_id) == REPORT
    qc("distributor").receive(ref)
    qc("distributor").ship(result.batch_id, world.address("pharmacy"), 2)  # the holder passes it on
    assert qc("pharmacy").qc_report(result.batch_id) == REPORT
    with pytest.raises(NotARecipientError):
        qc("hospital_a").qc_report(result.batch_id)


def test_a_holder_shares_only_with_the_entitled(world, qc):
    result = _commission(world, qc)
    qc("manufacturer").ship(result.batch_id, world.address("distributor"), 10, share_qc=False)
    with pytest.raises(NotARecipientError):
        qc("distributor").qc_report(result.batch_id)
    qc("regulator").share_qc_report(result.batch_id, world.address("distributor"))
    assert qc("distributor").qc_report(result.batch_id) == REPORT
    with pytest.raises(AccessDeniedError):
        qc("manufacturer").share_qc_report(result.batch_id, world.address("insurer"))
    with pytest.raises(NotARecipientError):  # entitled, but the sharer holds no key itself
        qc("hospital_a").share_qc_report(result.batch_id, world.address("regulator"))


def test_shipping_with_share_qc_required_checks_first(world, qc):
    result = _commission(world, qc)
    client(world, "distributor").receive(client(world, "manufacturer").ship(result.batch_id, world.address("distributor"), 5))
    with pytest.raises(NotARecipientError):
        qc("distributor").ship(result.batch_id, world.address("pharmacy"), 1, share_qc=True)
    assert client(world).stock(result.batch_id, world.address("distributor")).available == 5


def test_content_that_does_not_match_the_chain_is_refused(world, qc):
    result = _commission(world, qc)
    cid = client(world).batch(result.batch_id).qc_report_cid
    path = next(p for p in (qc.store.root / "objects").rglob("*") if p.is_file() and p.name == cid)
    path.write_bytes(b"forged report")
    with pytest.raises(IntegrityError):
        qc("regulator").qc_report(result.batch_id)


def test_a_refused_commissioning_stores_nothing(world, qc):
    client(world, "manufacturer").register_product(GTIN, "Vaccine", 2.0, 8.0)
    day = today(world)
    with pytest.raises(ContractRevert, match="MissingRole"):
        qc("distributor").commission_batch(GTIN, "QC9", expiry=day + dt.timedelta(days=9), production=day,
                                           serials=SERIALS, qc_report=REPORT)
    assert qc.vault.readers(vault_record_key(batch_id(GTIN, "QC9"), 0)) == []
    assert not any(p.is_file() for p in (qc.store.root / "objects").rglob("*"))


def test_qc_report_input_errors(world, qc, lot):
    with pytest.raises(DrugTracingError, match="no QC report"):
        qc("regulator").qc_report(lot.id)
    with pytest.raises(DrugTracingError, match="no batch"):
        qc("regulator").qc_report(b"\1" * 32)
    with pytest.raises(InvalidInputError, match="store"):
        client(world, "regulator").qc_report(lot.id)
    with pytest.raises(InvalidInputError, match="not both"):
        qc("manufacturer").commission_batch(GTIN, "QC2", expiry=lot.expiry, production=lot.production,
                                            serials=SERIALS, qc_report=REPORT, qc_report_cid="x")
