"""``medchain claims …``: plans, catalogue, enrolment, claims, review, appeal, settlement, reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from medchain.core.commands import Context, done, pass_ctx

if TYPE_CHECKING:
    from medchain.claims.client import ClaimsClient


@click.group("claims")
def group() -> None:
    """Claim adjudication: plans, catalogue, claims, review, appeal, settlement and remittance."""


def _client(obj: Context, write: bool = True) -> ClaimsClient:
    from medchain.claims.client import ClaimsClient

    return ClaimsClient(obj.suite(), obj.sender() if write else None)


def _read(path: str) -> str:
    from medchain.core.errors import InvalidInputError

    try:
        return Path(path).read_text()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from None


@group.command("define-plan")
@click.argument("plan_file", metavar="PLAN.json")
@pass_ctx
def define_plan(obj: Context, plan_file: str) -> None:
    """Define a plan of --account (an insurer) from JSON: deductible, out_of_pocket_max,
    benefit_limit (money), coinsurance (percent), copays ({"consultation": "20", …})."""
    from medchain.core.errors import InvalidInputError

    try:
        terms = json.loads(_read(plan_file))
    except ValueError as exc:
        raise InvalidInputError(f"{plan_file} is not valid JSON: {exc}") from None
    if not isinstance(terms, dict):
        raise InvalidInputError(f"{plan_file} must hold a JSON object")
    click.echo(f"plan {_client(obj).define_plan(terms)}")


@group.command("load-catalogue")
@click.argument("csv_file", metavar="CATALOGUE.csv")
@click.option("--effective", required=True, help="Date the version is in force from (YYYY-MM-DD).")
@pass_ctx
def load_catalogue(obj: Context, csv_file: str, effective: str) -> None:
    """Publish a catalogue version of --account (an insurer) from CSV: code, description, covered,
    service_class, categories, max_unit_price, indications."""
    click.echo(f"catalogue version {_client(obj).load_catalogue(_read(csv_file), effective)}")


@group.command("enrol")
@click.argument("plan", type=int)
@click.argument("patient")
@click.option("--start", required=True, help="First day of coverage (YYYY-MM-DD).")
@click.option("--end", required=True, help="Last day of coverage (YYYY-MM-DD), inclusive.")
@pass_ctx
def enrol(obj: Context, plan: int, patient: str, start: str, end: str) -> None:
    """Enrol PATIENT in PLAN (the plan's insurer)."""
    done(_client(obj).enrol(plan, patient, start, end))


# `claims enroll`, the earlier spelling, still works (hidden from the help)
group.add_command(click.Command("enroll", params=enrol.params, callback=enrol.callback, help=enrol.help, hidden=True))


@group.command("network")
@click.argument("provider")
@click.option("--remove", is_flag=True, help="Take the provider out of the network.")
@pass_ctx
def network(obj: Context, provider: str, remove: bool) -> None:
    """Add a hospital or pharmacy to --account's network (an insurer)."""
    done(_client(obj).set_network(provider, not remove))


@group.command("reviewer")
@click.argument("reviewer")
@click.option("--remove", is_flag=True)
@pass_ctx
def reviewer(obj: Context, reviewer: str, remove: bool) -> None:
    """Allow REVIEWER to decide --account's pending lines (an insurer)."""
    done(_client(obj).set_reviewer(reviewer, not remove))


@group.command("submit")
@click.argument("claim_file", metavar="CLAIM.json")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@pass_ctx
def submit(obj: Context, claim_file: str, as_json: bool) -> None:
    """Submit a claim as --account (a network provider); it is adjudicated at once.

    CLAIM.json: {"patient", "plan", "service_date", "diagnoses": [ICD-10…],
    "lines": [{"code": "CPT:99213", "quantity": 1, "billed": "150.00"}], "documents": CID}.
    """
    client = _client(obj)
    result = client.submit(Path(claim_file))
    if as_json:
        click.echo(json.dumps({"claim": result.claim_id, "status": result.status,
                               "lines": [li.as_dict() for li in result.lines]}, indent=2))
        return
    click.echo(f"claim {result.claim_id}: {result.status} (tx {result.tx_hash}, block {result.block})")
    for li in result.lines:
        click.echo(f"  line {li.index} {li.code}: {li.status}" + (f" CARC {li.reason}" if li.reason else "") +
                   f", paid {client.display(li.payer)}, patient {client.display(li.patient_responsibility)}")


@group.command("review")
@click.argument("claim_id")
@click.argument("line", type=int)
@click.option("--approve/--deny", required=True)
@click.option("--reason", type=int, default=0, help="CARC of a denial (e.g. 50).")
@click.option("--note", default="", help="Reviewer's note (kept off chain; its hash is recorded).")
@pass_ctx
def review(obj: Context, claim_id: str, line: int, approve: bool, reason: int, note: str) -> None:
    """Approve or deny a pending LINE of CLAIM_ID (the insurer or its reviewer)."""
    client = _client(obj)
    li = client.review(claim_id, line, approve, reason, note)
    click.echo(f"line {line}: {li.status}" + (f" CARC {li.reason}" if li.reason else "") + f", paid {client.display(li.payer)}")


@group.command("appeal")
@click.argument("claim_id")
@click.argument("line", type=int)
@click.option("--evidence", required=True, help="CID of the new (encrypted) evidence.")
@pass_ctx
def appeal(obj: Context, claim_id: str, line: int, evidence: str) -> None:
    """Appeal a denied LINE once (the claim's provider)."""
    done(_client(obj).appeal(claim_id, line, evidence))


@group.command("fund")
@click.argument("amount")
@pass_ctx
def fund(obj: Context, amount: str) -> None:
    """Move AMOUNT (money) into --account's settlement pool (an insurer)."""
    done(_client(obj).fund(amount))


@group.command("defund")
@click.argument("amount")
@pass_ctx
def defund(obj: Context, amount: str) -> None:
    """Take back AMOUNT of --account's pool that no provider is owed."""
    done(_client(obj).defund(amount))


@group.command("withdraw")
@click.argument("insurer")
@click.option("--amount", default=None, help="Money to withdraw (default: all that is owed).")
@pass_ctx
def withdraw(obj: Context, insurer: str, amount: str | None) -> None:
    """Withdraw what INSURER owes --account (a provider)."""
    done(_client(obj).withdraw(insurer, amount))


@group.command("remittance")
@click.argument("provider")
@click.option("--insurer", default=None)
@click.option("--fhir", "claim_id", default=None, metavar="CLAIM_ID", help="Print this claim as a FHIR ClaimResponse.")
@click.option("--currency", default="USD", show_default=True)
@pass_ctx
def remittance(obj: Context, provider: str, insurer: str | None, claim_id: str | None, currency: str) -> None:
    """Remittance advice of PROVIDER as a table, or one claim as FHIR R4 ClaimResponse JSON."""
    client = _client(obj, write=False)
    if claim_id:
        click.echo(json.dumps(client.claim_response(claim_id, currency), indent=2))
    else:
        click.echo(client.remittance_table(provider, insurer))


@group.command("reconcile")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def reconcile(obj: Context, as_json: bool) -> None:
    """Totals per insurer, provider and patient from events, checked against balances; exits 1 on a mismatch."""
    rec = _client(obj, write=False).reconcile()
    if as_json:
        click.echo(json.dumps({"balanced": rec.balanced, "insurers": rec.insurers, "providers": rec.providers,
                               "patients": rec.patients, "mismatches": rec.mismatches}, indent=2))
    else:
        click.echo(rec.table())
    if not rec.balanced:
        raise SystemExit(1)


@group.command("show")
@click.argument("claim_id")
@pass_ctx
def show(obj: Context, claim_id: str) -> None:
    """Show a claim's on-chain state."""
    client = _client(obj, write=False)
    c = client.claim(claim_id)
    click.echo(json.dumps({**c, "lines": [client.line(claim_id, i) for i in range(c["lines"])]}, indent=2))


COMMANDS = [group]
