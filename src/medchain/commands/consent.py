"""``medchain consent …``: grant, sign, relay, revoke and check consents; guardians; the access log."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import Context, done, pass_ctx
from .records import echo_rekeyed, open_records, storage_options

CATEGORIES = ("Comma-separated data categories: general, endocrine (diabetes), cardiology, oncology, mental_health, "
              "genomics, infectious_disease, reproductive_health, imaging, laboratory, medication, or all.")
PURPOSES = "Comma-separated: treatment, research, insurance_claims, public_health, or all."
ACTIONS = "Comma-separated: read, write."


@click.group("consent")
def group() -> None:
    """Patients' consents (scoped by category, purpose, action, period) and the access log."""


def _client(obj: Context, write: bool = True):  # type: ignore[no-untyped-def]
    from ..consent import ConsentClient

    return ConsentClient(obj.suite(), obj.sender() if write else None)


def _terms(f):  # type: ignore[no-untyped-def]
    f = click.option("--end", default=None, help="Last valid second, inclusive: unix seconds or ISO date (a bare date "
                     "covers its whole day). Default: no end.")(f)
    f = click.option("--start", default=None, help="First valid second: unix seconds or ISO date. Default: now.")(f)
    f = click.option("--actions", default="read", show_default=True, help=ACTIONS)(f)
    f = click.option("--purposes", default="treatment", show_default=True, help=PURPOSES)(f)
    f = click.option("--categories", required=True, help=CATEGORIES)(f)
    return f


def _echo(data: object, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    for item in data if isinstance(data, list) else [data]:
        click.echo("  ".join(f"{k}={v}" for k, v in item.items()))  # type: ignore[union-attr]


@group.command("grant")
@click.argument("grantee")
@_terms
@click.option("--patient", default=None, help="Act as a guardian of this patient (default: --account is the patient).")
@pass_ctx
def grant(obj: Context, grantee: str, categories: str, purposes: str, actions: str, start: str | None,
          end: str | None, patient: str | None) -> None:
    """Grant (or amend) a consent for GRANTEE."""
    done(_client(obj).grant(grantee, categories, purposes, actions, start, end, patient=patient))


@group.command("revoke")
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
    from ..errors import InvalidInputError
    from ..tx import call

    consents = _client(obj)
    if rekey is None:
        records = obj.suite().contract("RecordRegistry")
        rekey = patient is None and call(records.functions.recordCount(consents.sender.address)) > 0
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


@group.command("sign")
@click.argument("grantee")
@_terms
@click.option("--patient", default=None, help="The patient, when --account is a guardian.")
@click.option("--deadline", default=None, help="Last second the signature is valid (default: one week).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Where to write the signed request (JSON).")
@pass_ctx
def sign(obj: Context, grantee: str, categories: str, purposes: str, actions: str, start: str | None, end: str | None,
         patient: str | None, deadline: str | None, out: Path) -> None:
    """Sign a grant off chain (EIP-712); anyone relays it with `consent relay`. No transaction."""
    from ..accounts import load_account

    signer = load_account(obj.account_spec, obj.chain)
    signed = _client(obj, write=False).sign_grant(signer, grantee, categories, purposes, actions, start, end,
                                                  patient=patient, deadline=deadline)
    out.write_text(json.dumps(signed.to_dict(), indent=2) + "\n")
    click.echo(f"ok: signed grant for {grantee} written to {out}")


@group.command("sign-revoke")
@click.argument("grantee")
@click.option("--patient", default=None, help="The patient, when --account is a guardian.")
@click.option("--deadline", default=None, help="Last second the signature is valid (default: one week).")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@pass_ctx
def sign_revoke(obj: Context, grantee: str, patient: str | None, deadline: str | None, out: Path) -> None:
    """Sign a revocation off chain (EIP-712) for anyone to relay."""
    from ..accounts import load_account

    signer = load_account(obj.account_spec, obj.chain)
    signed = _client(obj, write=False).sign_revoke(signer, grantee, patient=patient, deadline=deadline)
    out.write_text(json.dumps(signed.to_dict(), indent=2) + "\n")
    click.echo(f"ok: signed revocation for {grantee} written to {out}")


@group.command("relay")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@pass_ctx
def relay(obj: Context, file: Path) -> None:
    """Send a signed grant or revocation (--account pays the gas)."""
    from ..errors import InvalidInputError

    try:
        data = json.loads(file.read_text())
    except ValueError:
        raise InvalidInputError(f"{file} is not JSON") from None
    done(_client(obj).relay(data))


@group.command("check")
@click.argument("patient")
@click.argument("grantee")
@click.option("--categories", required=True, help=CATEGORIES)
@click.option("--purposes", default="treatment", show_default=True, help=PURPOSES)
@click.option("--actions", default="read", show_default=True, help=ACTIONS)
@pass_ctx
def check(obj: Context, patient: str, grantee: str, categories: str, purposes: str, actions: str) -> None:
    """Whether PATIENT's consent lets GRANTEE do this now (exit code 1 when not)."""
    ok = _client(obj, write=False).check(patient, grantee, categories, purposes, actions)
    click.echo("permitted" if ok else "not permitted")
    if not ok:
        raise SystemExit(1)


@group.command("show")
@click.argument("patient")
@click.argument("grantee")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def show(obj: Context, patient: str, grantee: str, as_json: bool) -> None:
    """The current consent of PATIENT for GRANTEE."""
    c = _client(obj, write=False)
    consent = c.consent(patient, grantee)
    _echo({**consent.describe(), "status": consent.status(obj.chain.now())}, as_json)


@group.command("list")
@click.option("--patient", default=None)
@click.option("--grantee", default=None)
@click.option("--history", "full", is_flag=True, help="Every grant, amendment and revocation, not only current ones.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def list_(obj: Context, patient: str | None, grantee: str | None, full: bool, as_json: bool) -> None:
    """Consents by patient and/or grantee, from the events."""
    from ..errors import InvalidInputError

    if not patient and not grantee:
        raise InvalidInputError("give --patient and/or --grantee")
    c = _client(obj, write=False)
    if full:
        rows = [{"event": e.kind, "block": e.block, **e.consent.describe(), "by": e.by}
                for e in c.history(patient=patient, grantee=grantee)]
    else:
        now = obj.chain.now()
        rows = [{**x.describe(), "status": x.status(now)} for x in c.consents(patient=patient, grantee=grantee)]
    _echo(rows, as_json)


@group.command("export-fhir")
@click.argument("patient")
@click.argument("grantee")
@click.option("--version", "version", type=int, default=None, help="A past version (default: the latest).")
@click.option("--name", default=None, help="The grantee's display name.")
@pass_ctx
def export_fhir(obj: Context, patient: str, grantee: str, version: int | None, name: str | None) -> None:
    """Print a consent as a FHIR R4 Consent resource (JSON)."""
    click.echo(json.dumps(_client(obj, write=False).to_fhir(patient, grantee, version, grantee_name=name), indent=2))


@group.command("guardian-add")
@click.argument("guardian")
@pass_ctx
def guardian_add(obj: Context, guardian: str) -> None:
    """Appoint GUARDIAN to grant and revoke for --account."""
    done(_client(obj).appoint_guardian(guardian))


@group.command("guardian-remove")
@click.argument("guardian")
@pass_ctx
def guardian_remove(obj: Context, guardian: str) -> None:
    """Remove a guardian of --account."""
    done(_client(obj).remove_guardian(guardian))


@group.command("log-access")
@click.argument("record_id")
@click.option("--purpose", default="treatment", show_default=True)
@pass_ctx
def log_access(obj: Context, record_id: str, purpose: str) -> None:
    """Log a read of RECORD_ID by --account (refused without consent for the record's category)."""
    done(_client(obj).log_access(record_id, purpose))


@group.command("emergency")
@click.argument("record_id")
@click.option("--reason", required=True, help="Kept off chain; its keccak256 is recorded.")
@pass_ctx
def emergency(obj: Context, record_id: str, reason: str) -> None:
    """Break-glass read of RECORD_ID by a hospital, without consent (a distinct event)."""
    done(_client(obj).emergency_access(record_id, reason))


@group.command("accesses")
@click.option("--patient", default=None)
@click.option("--reader", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def accesses(obj: Context, patient: str | None, reader: str | None, as_json: bool) -> None:
    """The audit trail: who read what, when (emergency reads marked)."""
    from ..errors import InvalidInputError

    if not patient and not reader:
        raise InvalidInputError("give --patient and/or --reader")
    _echo([a.describe() for a in _client(obj, write=False).accesses(patient=patient, reader=reader)], as_json)
