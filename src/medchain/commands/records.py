"""``medchain records …``: encrypted medical records on IPFS, anchored on chain."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import Context, done, pass_ctx


def storage_options(f):  # type: ignore[no-untyped-def]
    """``--store``, ``--vault`` and ``--timeout``: where ciphertexts and wrapped keys live."""
    f = click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per IPFS call.")(f)
    f = click.option("--vault", "vault_dir", envvar="MEDCHAIN_VAULT", type=click.Path(path_type=Path),
                     default=Path("~/.medchain/keyvault"), show_default=True, help="Folder of the wrapped data keys.")(f)
    f = click.option("--store", "store_spec", envvar="MEDCHAIN_STORE", default="embedded", show_default=True,
                     help="embedded, embedded:/path, or a Kubo RPC URL (http://127.0.0.1:5001).")(f)
    return f


def open_records(obj: Context, store_spec: str, vault_dir: Path, timeout: float):  # type: ignore[no-untyped-def]
    """A RecordsClient for --account on the given store and vault."""
    from ..crypto import KeyVault
    from ..records import RecordsClient
    from ..storage import open_store

    options = {"timeout": timeout} if store_spec.startswith("http") else {}
    return RecordsClient(obj.suite(), obj.sender(), open_store(store_spec, **options), KeyVault(vault_dir.expanduser()))


@click.group("records")
@storage_options
@click.pass_context
def group(ctx: click.Context, store_spec: str, vault_dir: Path, timeout: float) -> None:
    """Encrypted FHIR records: put, get, list, amend, share, re-key, erase."""
    ctx.meta["medchain.records"] = (store_spec, vault_dir, timeout)


def _client(obj: Context):  # type: ignore[no-untyped-def]
    return open_records(obj, *click.get_current_context().meta["medchain.records"])


def echo_rekeyed(infos) -> None:  # type: ignore[no-untyped-def]
    """One line per re-keyed record: the new version and the one it supersedes."""
    for i in infos:
        click.echo(f"ok: new version {i.id_hex} supersedes 0x{i.supersedes.hex() if i.supersedes else ''}")


def _echo(rows: list[dict], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo("  ".join(f"{k}={v}" for k, v in r.items()))


def _load(file: Path) -> dict:
    from ..errors import InvalidInputError

    try:
        return json.loads(file.read_text())
    except ValueError:
        raise InvalidInputError(f"{file} is not JSON") from None


@group.command("put")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--patient", required=True)
@click.option("--category", required=True, help="The record's one data category (e.g. diabetes, cardiology).")
@click.option("--reader", "readers", multiple=True, help="Also wrap the key for this consented reader (repeatable).")
@pass_ctx
def put(obj: Context, file: Path, patient: str, category: str, readers: tuple[str, ...]) -> None:
    """Validate, encrypt, store and anchor the FHIR R4 record in FILE."""
    info = _client(obj).put(patient, _load(file), category, readers=readers)
    click.echo(f"ok: record {info.id_hex} cid {info.cid} (tx {info.tx_hash})")


@group.command("get")
@click.argument("record_id")
@click.option("--purpose", default="treatment", show_default=True)
@click.option("--emergency", "reason", default=None, help="Break-glass read (hospitals) with this reason.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write the JSON here (default: stdout).")
@pass_ctx
def get(obj: Context, record_id: str, purpose: str, reason: str | None, out: Path | None) -> None:
    """Read and decrypt a record (the access is logged on chain)."""
    text = json.dumps(_client(obj).get(record_id, purpose=purpose, emergency_reason=reason), indent=2)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n")
        click.echo(f"ok: written to {out}")


@group.command("amend")
@click.argument("record_id")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@pass_ctx
def amend(obj: Context, record_id: str, file: Path) -> None:
    """Anchor a corrected version of RECORD_ID (the old version stays)."""
    info = _client(obj).amend(record_id, _load(file))
    click.echo(f"ok: record {info.id_hex} supersedes {record_id}")


@group.command("info")
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def info(obj: Context, record_id: str, as_json: bool) -> None:
    """The on-chain anchor of a record."""
    _echo([_client(obj).info(record_id).describe()], as_json)


@group.command("list")
@click.argument("patient")
@click.option("--current", is_flag=True, help="Only current, unerased versions.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def list_(obj: Context, patient: str, current: bool, as_json: bool) -> None:
    """A patient's full index."""
    _echo([r.describe() for r in _client(obj).records(patient, current_only=current)], as_json)


@group.command("history")
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def history(obj: Context, record_id: str, as_json: bool) -> None:
    """Every version of a record, oldest first."""
    _echo([r.describe() for r in _client(obj).history(record_id)], as_json)


@group.command("share")
@click.argument("record_id")
@click.argument("reader")
@pass_ctx
def share(obj: Context, record_id: str, reader: str) -> None:
    """Wrap the record's key for READER (consented, or after a logged emergency read)."""
    _client(obj).share(record_id, reader)
    click.echo(f"ok: {reader} can decrypt {record_id}")


@group.command("rekey")
@click.argument("record_id", required=False)
@click.option("--drop", multiple=True, help="Reader to leave out of the new version (repeatable).")
@click.option("--without", "without", default=None, help="Re-key every current record READER could decrypt.")
@pass_ctx
def rekey(obj: Context, record_id: str | None, drop: tuple[str, ...], without: str | None) -> None:
    """Re-encrypt under a new key and anchor a new version (`consent revoke` does it for you)."""
    from ..errors import InvalidInputError

    client = _client(obj)
    if without:
        infos = client.rekey_without(without)
    elif record_id:
        infos = [client.rekey(record_id, drop=drop)]
    else:
        raise InvalidInputError("give RECORD_ID or --without READER")
    echo_rekeyed(infos)


@group.command("erase")
@click.argument("record_id")
@pass_ctx
def erase(obj: Context, record_id: str) -> None:
    """Erase a record and all its versions (crypto-shredding; patient or guardian)."""
    for r in _client(obj).erase(record_id):
        done(r)
