"""``medchain serve``: the drug verification portal (web pages and JSON API) on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import click

from . import Context, pass_ctx

DEFAULT_PORT = 8765  # the portal.qr default base URL points here


@click.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port on 127.0.0.1.")
@click.option("--serials", "serials_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("serials"),
              show_default=True, help="Folder of the batches' serial lists (<GTIN-14>_<lot>.txt, one serial a line).")
@click.option("--base-url", default=None, help="Public base URL of the portal (default http://127.0.0.1:PORT).")
@click.option("--demo", is_flag=True,
              help="First deploy a fresh suite on the (local) chain and create the drug situations: genuine, "
                   "dispensed, unknown serial, recalled, quarantined and expired packs.")
@pass_ctx
def serve(obj: Context, port: int, serials_dir: Path, base_url: str | None, demo: bool) -> None:
    """Serve the verification portal: /01/<GTIN>/10/<lot>/21/<serial>?17=<YYMMDD> tells whether a pack is genuine."""
    import uvicorn

    from ..portal.app import create_app
    from ..portal.service import SerialStore
    from ..standards import gs1

    base = base_url or f"http://127.0.0.1:{port}"
    gs1._check_base(base)  # a bad --base-url is an error now, not in every QR link
    tmp = tempfile.TemporaryDirectory(prefix="medchain-portal-") if demo else None
    try:
        if tmp is not None:
            from ..portal.demo import seed

            data = seed(obj.chain, Path(tmp.name), log=lambda line: click.echo(line, err=True))
            suite, store = data.suite, data.store
            click.echo("demo packs:")
            for name, unit in data.codes.items():
                click.echo(f"  {name:16} {gs1.to_digital_link(unit, base_uri=base)}")
        else:
            suite, store = obj.suite(), SerialStore(serials_dir)
        app = create_app(suite, store, base_url=base)
        click.echo(f"verification portal on http://127.0.0.1:{port} (chain {obj.chain.chain_id}, "
                   f"{len(store.batches())} serial lists); Ctrl-C to stop", err=True)
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    finally:
        if tmp is not None:
            tmp.cleanup()


@click.command("qr")
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
    from ..drugs import DrugsClient, batch_id, read_serials
    from ..errors import InvalidInputError
    from ..portal.qr import DEFAULT_BASE_URL, write_codes
    from ..standards import gs1

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


def _register_qr() -> None:
    from .drugs import group

    group.add_command(qr)


_register_qr()  # `medchain drugs qr` lives here, beside the portal it feeds
