"""``medchain serve``: the drug verification portal (web pages and JSON API) on 127.0.0.1, and with
``--fhir`` the FHIR R4 server of the medical records under ``/fhir`` (off by default: it holds
decryption keys; see SECURITY.md)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from medchain.core.commands import Context, pass_ctx
from medchain.drugs.portal.qr import DEFAULT_PORT

if TYPE_CHECKING:
    from fastapi import FastAPI

    from medchain.core.deploy import Suite


@click.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port on 127.0.0.1.")
@click.option("--serials", "serials_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("serials"),
              show_default=True, help="Folder of the batches' serial lists (<GTIN-14>_<lot>.txt, one serial a line).")
@click.option("--base-url", default=None, help="Public base URL of the portal (default http://127.0.0.1:PORT).")
@click.option("--demo", is_flag=True,
              help="First deploy a fresh suite on the (local) chain and create the drug situations: genuine, "
                   "dispensed, unknown serial, recalled, quarantined and expired packs.")
@click.option("--fhir", "fhir", is_flag=True,
              help="Also serve the FHIR R4 server of the medical records under /fhir, acting as the organisations "
                   "of --fhir-key (default: --account) and holding their decryption keys.")
@click.option("--fhir-key", "fhir_keys", multiple=True, metavar="ACCOUNT",
              help="An organisation the FHIR server serves (dev:N, keystore:PATH, env:VAR); repeatable.")
@click.option("--store", "store_spec", envvar="MEDCHAIN_STORE", default="embedded", show_default=True,
              help="With --fhir: the record store (embedded[:DIR] or a Kubo RPC URL).")
@click.option("--vault", "vault_dir", envvar="MEDCHAIN_VAULT", type=click.Path(path_type=Path),
              default=Path("~/.medchain/keyvault"), show_default=True, help="With --fhir: the folder of wrapped data keys.")
@pass_ctx
def serve(obj: Context, port: int, serials_dir: Path, base_url: str | None, demo: bool, fhir: bool,
          fhir_keys: tuple[str, ...], store_spec: str, vault_dir: Path) -> None:
    """Serve the verification portal: /01/<GTIN>/10/<lot>/21/<serial>?17=<YYMMDD> tells whether a pack is genuine.

    With --fhir, also the FHIR R4 API of the records at /fhir (SMART Backend Services sign-in at
    /fhir/auth/token; capability statement at /fhir/metadata).
    """
    from medchain.core.extras import require

    for module in ("fastapi", "jinja2", "uvicorn"):
        require(module, "portal", "the verification portal")
    if fhir:
        require("jwt", "fhir", "the FHIR server")
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
        if fhir:
            _mount_fhir(obj, app, suite, fhir_keys, store_spec, vault_dir, f"{base}/fhir")
        click.echo(f"verification portal on http://127.0.0.1:{port} (chain {obj.chain.chain_id}, "
                   f"{len(store.batches())} serial lists); Ctrl-C to stop", err=True)
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    finally:
        if tmp is not None:
            tmp.cleanup()


def _mount_fhir(obj: Context, app: FastAPI, suite: Suite, keys: tuple[str, ...], store_spec: str, vault_dir: Path,
                fhir_url: str) -> None:
    """Mount the FHIR server at /fhir of the portal ``app``, acting as the organisations of ``keys``."""
    from medchain.consent.fhir.app import mount
    from medchain.consent.fhir.service import FhirService
    from medchain.core.accounts import load_account
    from medchain.core.crypto import KeyVault
    from medchain.core.storage import open_store

    accounts = [load_account(k, obj.chain) for k in keys] or [obj.sender().account]
    service = FhirService(suite, open_store(store_spec), KeyVault(vault_dir.expanduser()), accounts)
    mount(app, service, base_url=fhir_url)
    click.echo(f"FHIR R4 server on {fhir_url} for {', '.join(sorted(service.addresses))}; "
               f"sign in at {fhir_url}/auth/token", err=True)
