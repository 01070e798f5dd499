"""``medchain drugs …``: drug products, batches, custody, cold chain, dispensing, recall."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from medchain.core.commands import Context, done, pass_ctx
from medchain.drugs.portal.qr import DEFAULT_PORT


@click.group("drugs")
@click.option("--store", "store_spec", envvar="MEDCHAIN_STORE", default="embedded", show_default=True,
              help="Where sealed QC reports live: embedded, embedded:/path, or a Kubo RPC URL.")
@click.option("--vault", "vault_dir", envvar="MEDCHAIN_VAULT", type=click.Path(path_type=Path),
              default=Path("~/.medchain/keyvault"), show_default=True, help="Folder of the wrapped data keys.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per IPFS call.")
@click.pass_context
def group(ctx: click.Context, store_spec: str, vault_dir: Path, timeout: float) -> None:
    """Drug batch tracing: one drug, one code, from factory to patient."""
    ctx.meta["medchain.drugs.client"] = (store_spec, vault_dir.expanduser(), timeout)


def _client(obj: Context, write: bool = True, qc: bool = False):
    """A drugs client; with ``qc``, holding the QC-report store and key vault of the group options."""
    from medchain.drugs.client import DrugsClient

    if not qc:
        return DrugsClient(obj.suite(), obj.sender() if write else None)
    from medchain.core.crypto import KeyVault
    from medchain.core.storage import open_store

    store_spec, vault_dir, timeout = click.get_current_context().meta["medchain.drugs.client"]
    options = {"timeout": timeout} if store_spec.startswith("http") else {}
    return DrugsClient(obj.suite(), obj.sender() if write else None, store=open_store(store_spec, **options),
                       vault=KeyVault(vault_dir))


def _date(text: str, what: str) -> dt.date:
    from medchain.core.errors import InvalidInputError

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{what} {text!r} is not a date YYYY-MM-DD") from None


def _batch(gtin: str, lot: str) -> bytes:
    from medchain.drugs.client import batch_id

    return batch_id(gtin, lot)


def _tree(gtin: str, lot: str, serials: Path):
    from medchain.drugs.client import SerialTree, read_serials

    return SerialTree(_batch(gtin, lot), read_serials(serials))


def _shipment(shipment_id: str) -> bytes:
    from medchain.core.errors import InvalidInputError

    try:
        raw = bytes.fromhex(shipment_id.removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise InvalidInputError(f"shipment id {shipment_id!r} is not 32 bytes of hex")
    return raw


SERIALS = click.option("--serials", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
                       help="The batch's serial file (one serial per line, in unit order).")


@group.command("register-product")
@click.argument("gtin")
@click.option("--name", required=True)
@click.option("--min-temp", type=float, required=True, help="Lowest storage temperature, °C.")
@click.option("--max-temp", type=float, required=True, help="Highest storage temperature, °C.")
@click.option("--max-humidity", type=int, default=100, show_default=True, help="Highest relative humidity, %.")
@pass_ctx
def register_product(obj: Context, gtin: str, name: str, min_temp: float, max_temp: float, max_humidity: int) -> None:
    """Register a product by GTIN (manufacturer)."""
    done(_client(obj).register_product(gtin, name, min_temp, max_temp, max_humidity))


@group.command("commission")
@click.argument("gtin")
@click.argument("lot")
@click.option("--expiry", required=True, help="Expiry date YYYY-MM-DD.")
@click.option("--production", required=True, help="Production date YYYY-MM-DD.")
@SERIALS
@click.option("--qc-report", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The quality-control report: sealed, stored, its key wrapped for you and every regulator.")
@click.option("--qc-cid", default="", help="Instead: CID of a QC report sealed and stored elsewhere.")
@pass_ctx
def commission(obj: Context, gtin: str, lot: str, expiry: str, production: str, serials: Path,
               qc_report: Path | None, qc_cid: str) -> None:
    """Commission a batch whose units are the serials of --serials (manufacturer)."""
    from medchain.drugs.client import read_serials

    result = _client(obj, qc=qc_report is not None).commission_batch(
        gtin, lot, expiry=_date(expiry, "expiry"), production=_date(production, "production"),
        serials=read_serials(serials), qc_report_cid=qc_cid,
        qc_report=qc_report.read_bytes() if qc_report is not None else None)
    click.echo(f"batch 0x{result.batch_id.hex()}: {len(result.tree)} units, root 0x{result.tree.root.hex()}")
    done(result.receipt)


@group.command("ship")
@click.argument("gtin")
@click.argument("lot")
@click.option("--to", "to", required=True, help="Recipient address.")
@click.option("--quantity", type=int, required=True)
@click.option("--first-unit", type=int, default=None, help="First unit index of a contiguous range shipped.")
@pass_ctx
def ship(obj: Context, gtin: str, lot: str, to: str, quantity: int, first_unit: int | None) -> None:
    """Ship units of a batch from --account's stock (and wrap its QC report key for the
    recipient when the vault holds yours)."""
    ref = _client(obj, qc=True).ship(_batch(gtin, lot), to, quantity, first_unit=first_unit)
    click.echo(f"shipment 0x{ref.id.hex()}")
    done(ref.receipt)


@group.command("receive")
@click.argument("shipment_id")
@pass_ctx
def receive(obj: Context, shipment_id: str) -> None:
    """Intake scan of a shipment (its recipient)."""
    done(_client(obj).receive(_shipment(shipment_id)))


@group.command("reject")
@click.argument("shipment_id")
@click.option("--reason", required=True)
@pass_ctx
def reject(obj: Context, shipment_id: str, reason: str) -> None:
    """Refuse a shipment: its units return to the sender."""
    done(_client(obj).reject(_shipment(shipment_id), reason))


@group.command("cancel")
@click.argument("shipment_id")
@click.option("--reason", required=True)
@pass_ctx
def cancel(obj: Context, shipment_id: str, reason: str) -> None:
    """Take back a shipment not yet received (its sender): the units return to your stock."""
    done(_client(obj).cancel(_shipment(shipment_id), reason))


@group.command("release")
@click.argument("shipment_id")
@click.option("--review-report", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The QA review report (its SHA-256 goes on chain).")
@pass_ctx
def release(obj: Context, shipment_id: str, review_report: Path) -> None:
    """QA release of a quarantined shipment's units: sellable again for their holder (the
    batch's manufacturer or a regulator)."""
    client = _client(obj)
    ref = client.shipment(_shipment(shipment_id))
    done(client.release_quarantine(ref.batch_id, ref, review_report.read_bytes()))


@group.command("destroy")
@click.argument("shipment_id")
@click.option("--reason", required=True)
@pass_ctx
def destroy(obj: Context, shipment_id: str, reason: str) -> None:
    """Write off a quarantined shipment's units (their holder, the manufacturer or a regulator)."""
    client = _client(obj)
    ref = client.shipment(_shipment(shipment_id))
    done(client.destroy_quarantine(ref.batch_id, ref, reason))


@group.command("qc-report")
@click.argument("gtin")
@click.argument("lot")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File (default: stdout).")
@pass_ctx
def qc_report(obj: Context, gtin: str, lot: str, out: Path | None) -> None:
    """Fetch a batch's QC report, check it against the chain and decrypt it with your key."""
    data = _client(obj, qc=True).qc_report(_batch(gtin, lot))
    if out is None:
        click.echo(data.decode("utf-8", errors="replace"))
    else:
        out.write_bytes(data)
        click.echo(f"wrote {out} ({len(data)} bytes, verified against the chain)")


@group.command("qc-share")
@click.argument("gtin")
@click.argument("lot")
@click.option("--reader", required=True, help="A regulator or a custodian the batch was shipped to.")
@pass_ctx
def qc_share(obj: Context, gtin: str, lot: str, reader: str) -> None:
    """Wrap a batch's QC report key for another entitled reader (by a key holder)."""
    _client(obj, qc=True).share_qc_report(_batch(gtin, lot), reader)
    click.echo(f"shared the QC report of lot {lot} with {reader}")


@group.command("post-readings")
@click.argument("shipment_id")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--per-tx", type=int, default=96, show_default=True, help="Readings per transaction.")
@pass_ctx
def post_readings(obj: Context, shipment_id: str, csv_file: Path, per_tx: int) -> None:
    """Post a shipment's readings from a CSV (time,temperature_c[,humidity_pct,latitude,longitude])."""
    from medchain.drugs.client import read_readings_csv

    receipts = _client(obj).post_readings(_shipment(shipment_id), read_readings_csv(csv_file), per_tx=per_tx)
    for r in receipts:
        done(r)


@group.command("chart")
@click.argument("shipment_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="PNG file to write.")
@pass_ctx
def chart(obj: Context, shipment_id: str, out: Path) -> None:
    """Draw a shipment's temperature chart with the allowed range and the excursions."""
    from medchain.drugs.chart import temperature_chart

    client = _client(obj, write=False)
    ref = client.shipment(_shipment(shipment_id))
    batch = client.batch(ref.batch_id)
    product = client.product(batch.gtin)
    click.echo(temperature_chart(client.readings(ref), out, min_c=product.min_temperature_c,
                                 max_c=product.max_temperature_c, title=f"{product.name}, lot {batch.lot}"))


@group.command("dispense")
@click.argument("gtin")
@click.argument("lot")
@click.argument("serial")
@SERIALS
@pass_ctx
def dispense(obj: Context, gtin: str, lot: str, serial: str, serials: Path) -> None:
    """Dispense one unit by serial (pharmacy or hospital); a used or unknown serial is refused and recorded."""
    done(_client(obj).dispense(_batch(gtin, lot), serial, _tree(gtin, lot, serials)).receipt)


@group.command("verify")
@click.argument("code")
@SERIALS
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def verify(obj: Context, code: str, serials: Path, as_json: bool) -> None:
    """Verify a pack: CODE is an element string, a raw DataMatrix payload or a GS1 Digital Link."""
    from medchain.core.standards import gs1

    unit = gs1.parse_any(code)
    v = _client(obj, write=False).verify(unit, _tree(unit.gtin, unit.lot, serials))
    data = {"status": v.status.name.lower(), "gtin": unit.gtin, "lot": unit.lot, "serial": unit.serial,
            "expiry": unit.expiry.isoformat(), "product": v.product.name if v.product else None,
            "custodyPath": [{"step": s.kind, "party": s.party, "to": s.counterparty, "quantity": s.quantity,
                             "time": s.time} for s in v.custody_path]}
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"{data['status']}: {data['product'] or 'unknown product'} lot {unit.lot} serial {unit.serial}")
    for s in v.custody_path:
        click.echo(f"  {s.kind:12} {s.party} {('-> ' + s.counterparty) if s.counterparty else ''} {s.quantity or ''}")


@group.command("recall")
@click.argument("gtin")
@click.argument("lot")
@click.option("--reason", required=True)
@pass_ctx
def recall(obj: Context, gtin: str, lot: str, reason: str) -> None:
    """Recall a batch (its manufacturer or a regulator)."""
    done(_client(obj).recall(_batch(gtin, lot), reason))


@group.command("recall-report")
@click.argument("gtin")
@click.argument("lot")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def recall_report(obj: Context, gtin: str, lot: str, as_json: bool) -> None:
    """Who holds which quantity of a batch, what is in transit, what was dispensed where."""
    r = _client(obj, write=False).recall_report(_batch(gtin, lot))
    data = {"recalled": r.recalled, "units": r.units,
            "holders": [{"holder": h.holder, "available": h.available, "quarantined": h.quarantined,
                         "dispensed": h.dispensed, "destroyed": h.destroyed} for h in r.holders.values()],
            "inTransit": [{"shipment": "0x" + ref.id.hex(), "from": ref.sender, "to": ref.recipient,
                           "quantity": ref.quantity, "status": s.name.lower()} for ref, s in r.in_transit],
            "dispensed": [{"index": i, "serial": s, "by": by} for i, s, by in r.dispensed]}
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"recalled: {r.recalled}; {r.units} units; {len(r.dispensed)} dispensed; {r.destroyed} destroyed")
    for h in data["holders"]:
        click.echo(f"  {h['holder']}  sellable {h['available']:>7}  quarantined {h['quarantined']:>7}  "
                   f"dispensed {h['dispensed']:>6}  destroyed {h['destroyed']:>6}")
    for t in data["inTransit"]:
        click.echo(f"  in transit {t['quantity']} {t['from']} -> {t['to']} ({t['status']})")


@group.command("stock")
@click.argument("gtin")
@click.argument("lot", required=False)
@click.option("--holder", default=None, help="Whose stock (default: --account).")
@pass_ctx
def stock(obj: Context, gtin: str, lot: str | None, holder: str | None) -> None:
    """A holder's stock of a batch, or of a product (every batch) with its reorder threshold."""
    client = _client(obj, write=holder is None)
    who = holder or client.sender.address
    if lot:
        s = client.stock(_batch(gtin, lot), who)
        click.echo(f"sellable {s.available}  quarantined {s.quarantined}")
    else:
        total, threshold = client.product_stock(who, gtin)
        click.echo(f"sellable {total}  reorder threshold {threshold}")


@group.command("reorder")
@click.argument("gtin")
@click.option("--threshold", type=int, required=True, help="0 turns the watch off.")
@pass_ctx
def reorder(obj: Context, gtin: str, threshold: int) -> None:
    """Set --account's reorder threshold for a product."""
    done(_client(obj).set_reorder_threshold(gtin, threshold))


@group.command("reorder-watch")
@click.option("--holder", default=None, help="Whose alerts (default: every holder).")
@pass_ctx
def reorder_watch(obj: Context, holder: str | None) -> None:
    """List replenishment requests (stock fell below a reorder threshold)."""
    for a in _client(obj, write=False).reorder_alerts(holder):
        click.echo(f"block {a['block']}: {a['holder']} GTIN {a['gtin']} stock {a['stock']} < {a['threshold']}")


@group.command("export-epcis")
@click.argument("gtin")
@click.argument("lot")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File (default: stdout).")
@click.option("--id-scheme", type=click.Choice(["urn", "dl"]), default="urn", show_default=True)
@pass_ctx
def export_epcis(obj: Context, gtin: str, lot: str, out: Path | None, id_scheme: str) -> None:
    """Export the batch's trace as an EPCIS 2.0 JSON-LD document."""
    doc = json.dumps(_client(obj, write=False).epcis_document(_batch(gtin, lot), id_scheme=id_scheme), indent=2)
    if out is None:
        click.echo(doc)
    else:
        out.write_text(doc + "\n")
        click.echo(f"wrote {out}")


@group.command("qr")
@click.argument("gtin")
@click.argument("lot")
@click.option("--serial", "serials", multiple=True, help="A pack's serial (repeat for several).")
@click.option("--serials", "serials_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A serial file: one code per serial in it.")
@click.option("--expiry", default=None, help="Expiry date YYYY-MM-DD (default: the batch's, read from the chain).")
@click.option("--base-url", envvar="MEDCHAIN_PORTAL_URL", default=None,
              help=f"The portal's public base URL (MEDCHAIN_PORTAL_URL; default http://127.0.0.1:{DEFAULT_PORT}).")
@click.option("--format", "fmt", type=click.Choice(["png", "svg"]), default="png", show_default=True)
@click.option("--scale", type=click.IntRange(1, 50), default=4, show_default=True, help="Pixels per module.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into.")
@pass_ctx
def qr(obj: Context, gtin: str, lot: str, serials: tuple[str, ...], serials_file: Path | None, expiry: str | None,
       base_url: str | None, fmt: str, scale: int, out: Path) -> None:
    """QR codes (GS1 Digital Link) of packs, or of the batch when no serial is given."""
    from medchain.core.errors import InvalidInputError
    from medchain.core.standards import gs1
    from medchain.drugs.client import DrugsClient, batch_id, read_serials
    from medchain.drugs.portal.qr import DEFAULT_BASE_URL, write_codes

    if expiry is not None:
        try:
            day = dt.date.fromisoformat(expiry)
        except ValueError:
            raise InvalidInputError(f"expiry {expiry!r} is not a date YYYY-MM-DD") from None
    else:
        batch = DrugsClient(obj.suite()).batch(batch_id(gtin, lot))
        if batch is None:
            raise InvalidInputError(f"no batch {lot} of GTIN {gtin} on this chain: give --expiry")
        day = batch.expiry
    wanted = list(serials) + (read_serials(serials_file) if serials_file else [])
    units = [gs1.UnitCode(gtin, lot, day, serial=s) for s in wanted] or [gs1.UnitCode(gtin, lot, day)]
    for uri, path in write_codes(units, out, base_url=base_url or DEFAULT_BASE_URL, fmt=fmt, scale=scale):
        click.echo(f"{path}  {uri}")


COMMANDS = [group]
