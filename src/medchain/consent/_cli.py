"""``medchain consent …`` (grant, sign, relay, revoke and check consents; guardians; the access log) and
``medchain records …`` (encrypted medical records on IPFS, anchored on chain)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from medchain.core.commands import Context, done, pass_ctx

if TYPE_CHECKING:
    from medchain.consent.client import ConsentClient
    from medchain.consent.records import RecordInfo, RecordsClient

F = TypeVar("F", bound=Callable[..., Any])


def storage_options(f: F) -> F:
    """``--store``, ``--vault`` and ``--timeout``: where ciphertexts and wrapped keys live."""
    f = click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per IPFS call.")(f)
    f = click.option("--vault", "vault_dir", envvar="MEDCHAIN_VAULT", type=click.Path(path_type=Path),
                     default=Path("~/.medchain/keyvault"), show_default=True, help="Folder of the wrapped data keys.")(f)
    f = click.option("--store", "store_spec", envvar="MEDCHAIN_STORE", default="embedded", show_default=True,
                     help="embedded, embedded:/path, or a Kubo RPC URL (http://127.0.0.1:5001).")(f)
    return f


def open_records(obj: Context, store_spec: str, vault_dir: Path, timeout: float) -> RecordsClient:
    """A RecordsClient for --account on the given store and vault."""
    from medchain.consent.records import RecordsClient
    from medchain.core.crypto import KeyVault
    from medchain.core.storage import open_store

    options = {"timeout": timeout} if store_spec.startswith("http") else {}
    return RecordsClient(obj.suite(), obj.sender(), open_store(store_spec, **options), KeyVault(vault_dir.expanduser()))


@click.group("records")
@storage_options
@click.pass_context
def records_group(ctx: click.Context, store_spec: str, vault_dir: Path, timeout: float) -> None:
    """Encrypted FHIR records: put, get, list, amend, share, re-key, erase."""
    ctx.meta["medchain.consent.records"] = (store_spec, vault_dir, timeout)


def _records(obj: Context) -> RecordsClient:
    return open_records(obj, *click.get_current_context().meta["medchain.consent.records"])


def echo_rekeyed(infos: Iterable[RecordInfo]) -> None:
    """One line per re-keyed record: the new version and the one it supersedes."""
    for i in infos:
        click.echo(f"ok: new version {i.id_hex} supersedes 0x{i.supersedes.hex() if i.supersedes else ''}")


def _echo_rows(rows: list[dict], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo("  ".join(f"{k}={v}" for k, v in r.items()))


def _load(file: Path) -> dict:
    from medchain.core.errors import InvalidInputError

    try:
        return json.loads(file.read_text())
    except ValueError:
        raise InvalidInputError(f"{file} is not JSON") from None


@records_group.command("put")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--patient", required=True)
@click.option("--category", required=True, help="The record's one data category (e.g. diabetes, cardiology).")
@click.option("--reader", "readers", multiple=True, help="Also wrap the key for this consented reader (repeatable).")
@pass_ctx
def put(obj: Context, file: Path, patient: str, category: str, readers: tuple[str, ...]) -> None:
    """Validate, encrypt, store and anchor the FHIR R4 record in FILE."""
    info = _records(obj).put(patient, _load(file), category, readers=readers)
    click.echo(f"ok: record {info.id_hex} cid {info.cid} (tx {info.tx_hash})")


@records_group.command("get")
@click.argument("record_id")
@click.option("--purpose", default="treatment", show_default=True)
@click.option("--emergency", "reason", default=None, help="Break-glass read (hospitals) with this reason.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write the JSON here (default: stdout).")
@pass_ctx
def get(obj: Context, record_id: str, purpose: str, reason: str | None, out: Path | None) -> None:
    """Read and decrypt a record (the access is logged on chain)."""
    text = json.dumps(_records(obj).get(record_id, purpose=purpose, emergency_reason=reason), indent=2)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n")
        click.echo(f"ok: written to {out}")


@records_group.command("amend")
@click.argument("record_id")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@pass_ctx
def amend(obj: Context, record_id: str, file: Path) -> None:
    """Anchor a corrected version of RECORD_ID (the old version stays)."""
    info = _records(obj).amend(record_id, _load(file))
    click.echo(f"ok: record {info.id_hex} supersedes {record_id}")


@records_group.command("info")
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def info(obj: Context, record_id: str, as_json: bool) -> None:
    """The on-chain anchor of a record."""
    _echo_rows([_records(obj).info(record_id).describe()], as_json)


@records_group.command("list")
@click.argument("patient")
@click.option("--current", is_flag=True, help="Only current, unerased versions.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def records_list(obj: Context, patient: str, current: bool, as_json: bool) -> None:
    """A patient's full index."""
    _echo_rows([r.describe() for r in _records(obj).records(patient, current_only=current)], as_json)


@records_group.command("history")
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def history(obj: Context, record_id: str, as_json: bool) -> None:
    """Every version of a record, oldest first."""
    _echo_rows([r.describe() for r in _records(obj).history(record_id)], as_json)


@records_group.command("share")
@click.argument("record_id")
@click.argument("reader")
@pass_ctx
def share(obj: Context, record_id: str, reader: str) -> None:
    """Wrap the record's key for READER (consented, or after a logged emergency read)."""
    _records(obj).share(record_id, reader)
    click.echo(f"ok: {reader} can decrypt {record_id}")


@records_group.command("rekey")
@click.argument("record_id", required=False)
@click.option("--drop", multiple=True, help="Reader to leave out of the new version (repeatable).")
@click.option("--without", "without", default=None, help="Re-key every current record READER could decrypt.")
@pass_ctx
def rekey(obj: Context, record_id: str | None, drop: tuple[str, ...], without: str | None) -> None:
    """Re-encrypt under a new key and anchor a new version (`consent revoke` does it for you)."""
    from medchain.core.errors import InvalidInputError

    client = _records(obj)
    if without:
        infos = client.rekey_without(without)
    elif record_id:
        infos = [client.rekey(record_id, drop=drop)]
    else:
        raise InvalidInputError("give RECORD_ID or --without READER")
    echo_rekeyed(infos)


@records_group.command("erase")
@click.argument("record_id")
@pass_ctx
def erase(obj: Context, record_id: str) -> None:
    """Erase a record and all its versions (crypto-shredding; patient or guardian)."""
    for r in _records(obj).erase(record_id):
        done(r)


# ------------------------------------------------------------------ consent
CATEGORIES = ("Comma-separated data categories: general, endocrine (diabetes), cardiology, oncology, mental_health, "
              "genomics, infectious_disease, reproductive_health, imaging, laboratory, medication, or all.")
PURPOSES = "Comma-separated: treatment, research, insurance_claims, public_health, or all."
ACTIONS = "Comma-separated: read, write."


@click.group("consent")
def consent_group() -> None:
    """Patients' consents (scoped by category, purpose, action, period) and the access log."""


def _consents(obj: Context, write: bool = True) -> ConsentClient:
    from medchain.consent.client import ConsentClient

    return ConsentClient(obj.suite(), obj.sender() if write else None)


def _terms(f: F) -> F:
    f = click.option("--end", default=None, help="Last valid second, inclusive: unix seconds or ISO date (a bare date "
                     "covers its whole day). Default: no end.")(f)
    f = click.option("--start", default=None, help="First valid second: unix seconds or ISO date. Default: now.")(f)
    f = click.option("--actions", default="read", show_default=True, help=ACTIONS)(f)
    f = click.option("--purposes", default="treatment", show_default=True, help=PURPOSES)(f)
    f = click.option("--categories", required=True, help=CATEGORIES)(f)
    return f


def _echo(data: dict[str, Any] | list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    for item in data if isinstance(data, list) else [data]:
        click.echo("  ".join(f"{k}={v}" for k, v in item.items()))


@consent_group.command("grant")
@click.argument("grantee")
@_terms
@click.option("--patient", default=None, help="Act as a guardian of this patient (default: --account is the patient).")
@pass_ctx
def grant(obj: Context, grantee: str, categories: str, purposes: str, actions: str, start: str | None,
          end: str | None, patient: str | None) -> None:
    """Grant (or amend) a consent for GRANTEE."""
    done(_consents(obj).grant(grantee, categories, purposes, actions, start, end, patient=patient))


@consent_group.command("revoke")
@click.argument("grantee")
@click.option("--patient", default=None, help="Act as a guardian of this patient.")
@click.option("--rekey/--no-rekey", default=None,
              help="Then re-key every current record GRANTEE could decrypt (new key, new version GRANTEE cannot "
                   "read). Default: on when --account is the patient and has records on chain.")
@storage_options
@pass_ctx
def revoke(obj: Context, grantee: str, patient: str | None, rekey: bool | None, store_spec: str, vault_dir: Path,
           timeout: float) -> None:
    """Revoke the consent for GRANTEE at once, then re-key the records GRANTEE could read.

    If a re-key fails, the error names the records still to re-key; run the same command again to
    resume (the revocation is not repeated).
    """
    from medchain.core.errors import InvalidInputError
    from medchain.core.tx import call

    consents = _consents(obj)
    if rekey is None:
        records = obj.suite().contract("RecordRegistry")
        rekey = patient is None and call(records.functions.recordCount(consents.me)) > 0
    if rekey and patient is not None:
        raise InvalidInputError("only the patient holds the record keys: re-key as the patient, or use --no-rekey")
    if not rekey:
        done(consents.revoke(grantee, patient=patient))
        return
    result = open_records(obj, store_spec, vault_dir, timeout).revoke(grantee)
    if result.receipt is None:
        click.echo(f"ok: the consent for {grantee} was already revoked")
    else:
        done(result.receipt)
    echo_rekeyed(result.rekeyed)
    click.echo(f"ok: {len(result.rekeyed)} record(s) re-keyed without {grantee}")


@consent_group.command("sign")
@click.argument("grantee")
@_terms
@click.option("--patient", default=None, help="The patient, when --account is a guardian.")
@click.option("--deadline", default=None, help="Last second the signature is valid (default: one week).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Where to write the signed request (JSON).")
@pass_ctx
def sign(obj: Context, grantee: str, categories: str, purposes: str, actions: str, start: str | None, end: str | None,
         patient: str | None, deadline: str | None, out: Path) -> None:
    """Sign a grant off chain (EIP-712); anyone relays it with `consent relay`. No transaction."""
    from medchain.core.accounts import load_account

    signer = load_account(obj.account_spec, obj.chain)
    signed = _consents(obj, write=False).sign_grant(signer, grantee, categories, purposes, actions, start, end,
                                                  patient=patient, deadline=deadline)
    out.write_text(json.dumps(signed.to_dict(), indent=2) + "\n")
    click.echo(f"ok: signed grant for {grantee} written to {out}")


@consent_group.command("sign-revoke")
@click.argument("grantee")
@click.option("--patient", default=None, help="The patient, when --account is a guardian.")
@click.option("--deadline", default=None, help="Last second the signature is valid (default: one week).")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@pass_ctx
def sign_revoke(obj: Context, grantee: str, patient: str | None, deadline: str | None, out: Path) -> None:
    """Sign a revocation off chain (EIP-712) for anyone to relay."""
    from medchain.core.accounts import load_account

    signer = load_account(obj.account_spec, obj.chain)
    signed = _consents(obj, write=False).sign_revoke(signer, grantee, patient=patient, deadline=deadline)
    out.write_text(json.dumps(signed.to_dict(), indent=2) + "\n")
    click.echo(f"ok: signed revocation for {grantee} written to {out}")


@consent_group.command("relay")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@pass_ctx
def relay(obj: Context, file: Path) -> None:
    """Send a signed grant or revocation (--account pays the gas)."""
    from medchain.core.errors import InvalidInputError

    try:
        data = json.loads(file.read_text())
    except ValueError:
        raise InvalidInputError(f"{file} is not JSON") from None
    done(_consents(obj).relay(data))


@consent_group.command("check")
@click.argument("patient")
@click.argument("grantee")
@click.option("--categories", required=True, help=CATEGORIES)
@click.option("--purposes", default="treatment", show_default=True, help=PURPOSES)
@click.option("--actions", default="read", show_default=True, help=ACTIONS)
@pass_ctx
def check(obj: Context, patient: str, grantee: str, categories: str, purposes: str, actions: str) -> None:
    """Whether PATIENT's consent lets GRANTEE do this now (exit code 1 when not)."""
    ok = _consents(obj, write=False).check(patient, grantee, categories, purposes, actions)
    click.echo("permitted" if ok else "not permitted")
    if not ok:
        raise SystemExit(1)


@consent_group.command("show")
@click.argument("patient")
@click.argument("grantee")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def show(obj: Context, patient: str, grantee: str, as_json: bool) -> None:
    """The current consent of PATIENT for GRANTEE."""
    c = _consents(obj, write=False)
    consent = c.consent(patient, grantee)
    _echo({**consent.describe(), "status": consent.status(obj.chain.now())}, as_json)


@consent_group.command("list")
@click.option("--patient", default=None)
@click.option("--grantee", default=None)
@click.option("--history", "full", is_flag=True, help="Every grant, amendment and revocation, not only current ones.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def consent_list(obj: Context, patient: str | None, grantee: str | None, full: bool, as_json: bool) -> None:
    """Consents by patient and/or grantee, from the events."""
    from medchain.core.errors import InvalidInputError

    if not patient and not grantee:
        raise InvalidInputError("give --patient and/or --grantee")
    c = _consents(obj, write=False)
    if full:
        rows = [{"event": e.kind, "block": e.block, **e.consent.describe(), "by": e.by}
                for e in c.history(patient=patient, grantee=grantee)]
    else:
        now = obj.chain.now()
        rows = [{**x.describe(), "status": x.status(now)} for x in c.consents(patient=patient, grantee=grantee)]
    _echo(rows, as_json)


@consent_group.command("export-fhir")
@click.argument("patient")
@click.argument("grantee")
@click.option("--version", "version", type=int, default=None, help="A past version (default: the latest).")
@click.option("--name", default=None, help="The grantee's display name.")
@pass_ctx
def export_fhir(obj: Context, patient: str, grantee: str, version: int | None, name: str | None) -> None:
    """Print a consent as a FHIR R4 Consent resource (JSON)."""
    click.echo(json.dumps(_consents(obj, write=False).to_fhir(patient, grantee, version, grantee_name=name), indent=2))


@consent_group.command("guardian-add")
@click.argument("guardian")
@pass_ctx
def guardian_add(obj: Context, guardian: str) -> None:
    """Appoint GUARDIAN to grant and revoke for --account."""
    done(_consents(obj).appoint_guardian(guardian))


@consent_group.command("guardian-remove")
@click.argument("guardian")
@pass_ctx
def guardian_remove(obj: Context, guardian: str) -> None:
    """Remove a guardian of --account."""
    done(_consents(obj).remove_guardian(guardian))


@consent_group.command("log-access")
@click.argument("record_id")
@click.option("--purpose", default="treatment", show_default=True)
@pass_ctx
def log_access(obj: Context, record_id: str, purpose: str) -> None:
    """Log a read of RECORD_ID by --account (refused without consent for the record's category)."""
    done(_consents(obj).log_access(record_id, purpose))


@consent_group.command("emergency")
@click.argument("record_id")
@click.option("--reason", required=True, help="Kept off chain; its keccak256 is recorded.")
@pass_ctx
def emergency(obj: Context, record_id: str, reason: str) -> None:
    """Break-glass read of RECORD_ID by a hospital, without consent (a distinct event)."""
    done(_consents(obj).emergency_access(record_id, reason))


@consent_group.command("accesses")
@click.option("--patient", default=None)
@click.option("--reader", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def accesses(obj: Context, patient: str | None, reader: str | None, as_json: bool) -> None:
    """The audit trail: who read what, when (emergency reads marked)."""
    from medchain.core.errors import InvalidInputError

    if not patient and not reader:
        raise InvalidInputError("give --patient and/or --reader")
    _echo([a.describe() for a in _consents(obj, write=False).accesses(patient=patient, reader=reader)], as_json)


COMMANDS = [consent_group, records_group]
