"""``medchain serve``: the drug verification portal (web pages and JSON API) on 127.0.0.1."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from medchain.core.commands import Context, pass_ctx
from medchain.drugs.portal.qr import DEFAULT_PORT


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
    from medchain.core.extras import require

    for module in ("fastapi", "jinja2", "uvicorn"):
        require(module, "portal", "the verification portal")
    import uvicorn

    from medchain.core.standards import gs1
    from medchain.drugs.portal.app import create_app
    from medchain.drugs.portal.service import SerialStore

    base = base_url or f"http://127.0.0.1:{port}"
    gs1._check_base(base)  # a bad --base-url is an error now, not in every QR link
    tmp = tempfile.TemporaryDirectory(prefix="medchain-portal-") if demo else None
    try:
        if tmp is not None:
            from medchain.scenarios.portal import seed

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
