"""``medchain research …``: research datasets, field licences, revenue, extracts, and ``trial`` records.

The account's own secp256k1 key is its encryption key (the default registered key): the steward's
opens its dataset manifests, the licensee's opens its extracts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from medchain.core.commands import Context, done, pass_ctx

if TYPE_CHECKING:
    from medchain.core.crypto import EncryptionKeyPair
    from medchain.research.licensing import ResearchClient
    from medchain.research.trials import TrialsClient


@click.group("research")
@click.option("--store", "store_spec", envvar="MEDCHAIN_STORE", default="embedded", show_default=True,
              help="embedded, embedded:/path, or a Kubo RPC URL (http://127.0.0.1:5001).")
@click.pass_context
def group(ctx: click.Context, store_spec: str) -> None:
    """Research datasets from consenting patients: register, contribute, license, extract, withdraw revenue."""
    ctx.meta["medchain.research.licensing"] = store_spec


def _client(obj: Context, write: bool = True) -> ResearchClient:
    from medchain.core.storage import open_store
    from medchain.research.licensing import ResearchClient

    spec = click.get_current_context().meta["medchain.research.licensing"]
    return ResearchClient(obj.suite(), obj.sender() if write else None, open_store(spec))


def _keypair(obj: Context) -> EncryptionKeyPair:
    from medchain.core.crypto import EncryptionKeyPair

    return EncryptionKeyPair.from_private_key(bytes(obj.sender().account.key))


def _json_file(file: Path) -> Any:
    from medchain.core.errors import InvalidInputError

    try:
        return json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{file} is not a readable JSON file ({exc.__class__.__name__})") from None


def _categories(text: str) -> int:
    from medchain.core.standards.consent_codes import Category

    return int(Category.mask(text))


def _amount(obj: Context, text: str) -> int:
    from medchain.core.token import TokenClient

    return TokenClient(obj.suite()).units(text)


@group.command("register-dataset")
@click.argument("records", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--fields", required=True, help="Fields the dataset holds, e.g. resource_type,code,value,effective_date.")
@click.option("--categories", required=True, help="Consent categories contributors must have consented to (e.g. lab).")
@click.option("--price", required=True, help="Licence price in token units, e.g. 500 or 12.5.")
@click.option("--steward-share", "share_bps", type=int, default=2000, show_default=True, help="Basis points to the steward.")
@click.option("--duration-days", type=int, default=365, show_default=True, help="Licence duration.")
@click.option("--previous", type=int, default=0, help="The version this one replaces.")
@click.option("--contribute/--no-contribute", default=True, show_default=True,
              help="Also record every consenting patient's contribution (weight = rows).")
@pass_ctx
def register_dataset(obj: Context, records: Path, fields: str, categories: str, price: str, share_bps: int,
                     duration_days: int, previous: int, contribute: bool) -> None:
    """Build a dataset version from RECORDS (JSON list of {"patient": address, "resource": FHIR record}),
    keeping only patients with active research consent, and register it (steward)."""
    from medchain.core.errors import InvalidInputError

    data = _json_file(records)
    if not isinstance(data, list) or not all(isinstance(r, dict) and "patient" in r and "resource" in r for r in data):
        raise InvalidInputError(f'{records} must hold a JSON list of {{"patient": address, "resource": record}}')
    client = _client(obj)
    cats = _categories(categories)
    build = client.build_dataset([(r["patient"], r["resource"]) for r in data], fields, cats)
    version, receipt = client.register_dataset(build, categories=cats, price=_amount(obj, price), steward_share_bps=share_bps,
                                               licence_duration=duration_days * 86400, previous_version=previous)
    click.echo(f"version {version}: {len(build.rows)} rows, {len(build.weights())} patients, "
               f"{len(build.excluded)} left out without research consent")
    done(receipt)
    if contribute:
        client.contribute_all(version, build)
        click.echo(f"recorded {len(build.weights())} contributions")


@group.command("contribute")
@click.argument("version", type=int)
@click.argument("patient")
@click.option("--weight", type=int, required=True, help="E.g. the patient's number of rows.")
@click.option("--signature", default=None, help="The patient's EIP-712 signature (hex) instead of a consent record.")
@click.option("--deadline", type=int, default=None, help="The signature's deadline (unix seconds).")
@pass_ctx
def contribute(obj: Context, version: int, patient: str, weight: int, signature: str | None, deadline: int | None) -> None:
    """Record PATIENT's contribution to a draft VERSION (steward)."""
    from medchain.core.errors import InvalidInputError

    client = _client(obj)
    if signature is None:
        done(client.contribute(version, patient, weight))
        return
    if deadline is None:
        raise InvalidInputError("--signature needs --deadline")
    done(client.contribute_by_sig(version, patient, weight, deadline, bytes.fromhex(signature.removeprefix("0x"))))


@group.command("sign-contribution")
@click.argument("version", type=int)
@click.option("--weight", type=int, required=True)
@click.option("--valid-hours", type=int, default=24, show_default=True)
@pass_ctx
def sign_contribution(obj: Context, version: int, weight: int, valid_hours: int) -> None:
    """Sign, as the patient (--account), a contribution to VERSION; prints deadline and signature."""
    client = _client(obj)
    deadline = obj.chain.now() + valid_hours * 3600
    sig = client.sign_contribution(obj.sender().account, version, weight, deadline)
    click.echo(f"deadline {deadline}\nsignature 0x{sig.hex()}")


@group.command("publish")
@click.argument("version", type=int)
@pass_ctx
def publish(obj: Context, version: int) -> None:
    """Freeze VERSION's contributions and open it to licences (steward)."""
    done(_client(obj).publish(version))


@group.command("retire")
@click.argument("version", type=int)
@pass_ctx
def retire(obj: Context, version: int) -> None:
    """Stop selling licences of VERSION (steward)."""
    done(_client(obj).retire(version))


@group.command("flag-withdrawn")
@click.argument("version", type=int)
@click.argument("patient")
@pass_ctx
def flag_withdrawn(obj: Context, version: int, patient: str) -> None:
    """Take PATIENT out of VERSION once their research consent is revoked (anyone), or in person."""
    done(_client(obj).flag_withdrawn(version, patient))


@group.command("license")
@click.argument("version", type=int)
@click.option("--fields", required=True, help="Licensable fields, e.g. code,value.")
@pass_ctx
def license_(obj: Context, version: int, fields: str) -> None:
    """Buy a licence to FIELDS of VERSION (researcher; approves the price)."""
    licence_id, receipt = _client(obj).buy_licence(version, fields)
    click.echo(f"licence {licence_id}")
    done(receipt)


@group.command("extract")
@click.argument("licence_id", type=int)
@pass_ctx
def extract(obj: Context, licence_id: int) -> None:
    """Build the licensed extract of LICENCE_ID from the version's manifest, encrypt it to the
    licensee, store it and record its CID (steward)."""
    client = _client(obj)
    build = client.load_build(client.licence(licence_id).version, _keypair(obj))
    cid, receipt = client.deliver_extract(build, licence_id)
    click.echo(f"extract {cid}")
    done(receipt)


@group.command("open-extract")
@click.argument("licence_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_ctx
def open_extract(obj: Context, licence_id: int, out: Path) -> None:
    """Fetch and decrypt the extract of LICENCE_ID (licensee) into OUT."""
    data = _client(obj).open_extract(licence_id, _keypair(obj))
    out.write_text(json.dumps(data, indent=2))
    click.echo(f"{len(data['rows'])} rows -> {out}")


@group.command("verify-row")
@click.argument("extract_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--row", type=int, default=0, show_default=True)
@pass_ctx
def verify_row(obj: Context, extract_file: Path, row: int) -> None:
    """Prove that row N of an opened extract belongs to its dataset version (Merkle proof, on chain)."""
    from medchain.core.errors import InvalidInputError

    data = _json_file(extract_file)
    try:
        r = data["rows"][row]
    except (KeyError, IndexError, TypeError):
        raise InvalidInputError(f"{extract_file} has no row {row}") from None
    ok = _client(obj, write=False).verify_row(int(data["version"]), r)
    click.echo(f"row {row}: {'belongs to' if ok else 'is NOT in'} version {data['version']}")
    if not ok:
        raise SystemExit(1)


@group.command("withdraw")
@click.argument("versions", type=int, nargs=-1, required=True)
@pass_ctx
def withdraw(obj: Context, versions: tuple[int, ...]) -> None:
    """Withdraw the revenue owed to --account on VERSIONS (steward or contributor)."""
    from medchain.core.token import TokenClient

    amount, receipt = _client(obj).withdraw(list(versions))
    click.echo(f"withdrew {TokenClient(obj.suite()).display(amount)}")
    done(receipt)


@group.command("show")
@click.argument("version", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def show(obj: Context, version: int, as_json: bool) -> None:
    """Show a dataset version."""
    from medchain.research.licensing import field_names

    d = _client(obj, write=False).dataset(version)
    data = {"version": version, "steward": d.steward, "status": d.status.name.lower(), "fields": field_names(int(d.fields)),
            "categories": int(d.categories), "price": d.price, "stewardShareBps": d.steward_share_bps,
            "licenceDuration": d.licence_duration, "contributors": d.contributors, "totalWeight": d.total_weight,
            "withdrawnContributors": d.withdrawn_contributors, "rowsRoot": "0x" + d.rows_root.hex(),
            "manifestCid": d.manifest_cid, "previousVersion": d.previous_version}
    click.echo(json.dumps(data, indent=2) if as_json else "\n".join(f"{k:22} {v}" for k, v in data.items()))


@group.command("check-licence")
@click.argument("licence_id", type=int)
@pass_ctx
def licence(obj: Context, licence_id: int) -> None:
    """Show a licence and whether it is live (anyone)."""
    from medchain.research.licensing import field_names

    client = _client(obj, write=False)
    lic = client.licence(licence_id)
    live = client.is_licensed(licence_id, lic.licensee, int(lic.fields)) if int(lic.fields) else False
    click.echo(f"licence {licence_id}: {lic.licensee} version {lic.version} fields {','.join(field_names(int(lic.fields)))} "
               f"expires {lic.expires_at} live {live} extract {client.extract_cid(licence_id) or '-'}")


# --------------------------------------------------------------------------- trials


@group.group("trial")
def trial() -> None:
    """Clinical-trial records: register, sites, signed enrolment, visits, milestones, locked results."""


def _trials(obj: Context, write: bool = True) -> TrialsClient:
    from medchain.research.trials import TrialsClient

    return TrialsClient(obj.suite(), obj.sender() if write else None)


def _doc(value: str) -> Any:
    """A document given as @FILE (its bytes), a 0x hash, or literal text."""
    if value.startswith("@"):
        return Path(value[1:]).read_bytes()
    return value


@trial.command("register")
@click.option("--protocol", required=True, help="@FILE, a 0x keccak256, or text.")
@click.option("--endpoints", required=True, help="The pre-specified primary endpoints: @FILE, 0x hash or text.")
@click.option("--title", required=True)
@pass_ctx
def trial_register(obj: Context, protocol: str, endpoints: str, title: str) -> None:
    """Register a trial before its first enrolment (sponsor)."""
    trial_id, receipt = _trials(obj).register_trial(_doc(protocol), _doc(endpoints), title)
    click.echo(f"trial {trial_id}")
    done(receipt)


@trial.command("add-site")
@click.argument("trial_id", type=int)
@click.argument("site")
@pass_ctx
def trial_add_site(obj: Context, trial_id: int, site: str) -> None:
    """Add a hospital as a site (sponsor)."""
    done(_trials(obj).add_site(trial_id, site))


@trial.command("sign-consent")
@click.argument("trial_id", type=int)
@click.option("--site", required=True, help="address of the site that will enrol the subject (the only one that can)")
@click.option("--valid-hours", type=int, default=24, show_default=True)
@pass_ctx
def trial_sign_consent(obj: Context, trial_id: int, site: str, valid_hours: int) -> None:
    """Sign, as the subject (--account), consent to enrol in TRIAL_ID at SITE under its current protocol."""
    deadline = obj.chain.now() + valid_hours * 3600
    sig = _trials(obj, write=False).sign_enrolment(obj.sender().account, trial_id, deadline, site=site)
    click.echo(f"deadline {deadline}\nsignature 0x{sig.hex()}")


@trial.command("enrol")
@click.argument("trial_id", type=int)
@click.argument("subject")
@click.option("--signature", required=True)
@click.option("--deadline", type=int, required=True)
@pass_ctx
def trial_enrol(obj: Context, trial_id: int, subject: str, signature: str, deadline: int) -> None:
    """Enrol SUBJECT with its signed consent (site)."""
    done(_trials(obj).enrol(trial_id, subject, deadline, bytes.fromhex(signature.removeprefix("0x"))))


@trial.command("record")
@click.argument("trial_id", type=int)
@click.option("--visit", "subject", default=None, help="Record a visit of this subject (site).")
@click.option("--milestone", default=None, help="Record a named milestone (sponsor or site).")
@click.option("--data", default="", help="@FILE, 0x hash or text: what the chain commits to.")
@pass_ctx
def trial_record(obj: Context, trial_id: int, subject: str | None, milestone: str | None, data: str) -> None:
    """Record a visit (--visit SUBJECT) or a milestone (--milestone NAME)."""
    from medchain.core.errors import InvalidInputError

    if (subject is None) == (milestone is None):
        raise InvalidInputError("give exactly one of --visit SUBJECT or --milestone NAME")
    if subject is not None:
        if not data:
            raise InvalidInputError("a visit needs --data")
        done(_trials(obj).record_visit(trial_id, subject, _doc(data)))
    else:
        done(_trials(obj).record_milestone(trial_id, milestone or "", _doc(data) if data else b""))


@trial.command("withdraw")
@click.argument("trial_id", type=int)
@click.argument("subject")
@click.option("--reason", default="")
@pass_ctx
def trial_withdraw(obj: Context, trial_id: int, subject: str, reason: str) -> None:
    """Record SUBJECT's withdrawal (the subject or its site)."""
    done(_trials(obj).withdraw_subject(trial_id, subject, reason))


@trial.command("amend")
@click.argument("trial_id", type=int)
@click.argument("kind", type=click.Choice(["protocol", "endpoints", "results"]))
@click.option("--new", "new", required=True, help="@FILE, 0x hash or text.")
@click.option("--reason", required=True)
@pass_ctx
def trial_amend(obj: Context, trial_id: int, kind: str, new: str, reason: str) -> None:
    """Amend protocol, endpoints or (after locking) results, with a reason (sponsor)."""
    done(_trials(obj).amend(trial_id, kind, _doc(new), reason))


@trial.command("lock")
@click.argument("trial_id", type=int)
@click.option("--results", required=True, help="@FILE, 0x hash or text.")
@pass_ctx
def trial_lock(obj: Context, trial_id: int, results: str) -> None:
    """Lock the results hash (sponsor)."""
    done(_trials(obj).lock_results(trial_id, _doc(results)))


@trial.command("show")
@click.argument("trial_id", type=int)
@pass_ctx
def trial_show(obj: Context, trial_id: int) -> None:
    """Show a trial and its amendments."""
    client = _trials(obj, write=False)
    t = client.trial(trial_id)
    click.echo(f"trial {trial_id}: sponsor {t.sponsor} status {t.status.name.lower()} enrolled {t.enrolled} "
               f"withdrawn {t.withdrawn} protocol 0x{t.protocol_hash.hex()} endpoints 0x{t.endpoints_hash.hex()} "
               f"results 0x{t.results_hash.hex()}")
    for n, a in enumerate(client.amendments(trial_id), 1):
        click.echo(f"  amendment {n}: {a.kind.name.lower()} 0x{a.previous_hash.hex()} -> 0x{a.new_hash.hex()} "
                   f"at {a.at}{' (after enrolment)' if a.after_enrolment else ''}")


COMMANDS = [group]


# ---------------------------------------------------------------------------- compute (federated)


@group.group("compute")
def compute() -> None:
    """Federated training on consented records (Flower, SecAgg+): only model updates leave a hospital.

    A site file (JSON, kept at the hospital) names the hospital, the chain, the ConsentRegistry, the
    consent categories and the hospital's rows; every round the hospital trains only on the rows of
    patients whose research consent the chain permits then. Needs Flower (`make flower`).
    """


@compute.command("train")
@click.argument("sites", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rounds", type=click.IntRange(1, 100), default=3, show_default=True)
@click.option("--min-hospitals", type=click.IntRange(1), default=None, help="Hospitals a round needs (default: all).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("model.npz"),
              show_default=True, help="Where the final model goes (numpy .npz: weights, bias).")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the processes' logs (default: a temporary one).")
def compute_train(sites: tuple[Path, ...], rounds: int, min_hospitals: int | None, out: Path, workdir: Path | None) -> None:
    """Train on a local federation: a SuperLink and one SuperNode per SITES file, on 127.0.0.1.

    Prints one line per round (hospitals, rows, model hash) and writes the final model to --out.
    """
    import shutil
    import tempfile

    from medchain.research.federated import Federation, Site

    for s in sites:
        Site.load(s)  # a bad site file is refused before any process starts
    with tempfile.TemporaryDirectory() as tmp:
        with Federation(workdir or Path(tmp), sites) as fed:
            records = fed.run(rounds=rounds, min_hospitals=min_hospitals, on_round=lambda r: click.echo(
                f"round {r.round}: {len(r.participants)} hospital(s), {r.samples} row(s), model 0x{r.model_hash.hex()}"))
        shutil.copyfile(records[-1].model_path, out)
    click.echo(f"ok: model of round {records[-1].round} written to {out}")


@compute.command("node")
@click.argument("site", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--superlink", required=True, help="The aggregator's SuperLink, host:port.")
@click.option("--insecure", is_flag=True, help="Plain HTTP to the SuperLink (local tests only).")
def compute_node(site: Path, superlink: str, insecure: bool) -> None:
    """Serve a hospital's SuperNode for SITE until interrupted (the hospital's side of a compute licence)."""
    import os
    import subprocess

    from medchain.core.errors import InvalidInputError
    from medchain.research.federated import Site, flower_bin

    Site.load(site)
    host, _, port = superlink.rpartition(":")
    if not host or not port.isdigit():
        raise InvalidInputError(f"--superlink must be host:port, not {superlink!r}")
    args = [str(flower_bin() / "flower-supernode"), "--superlink", superlink, "--node-config", f'site="{site.resolve()}"']
    env = dict(os.environ, PATH=f"{flower_bin()}{os.pathsep}{os.environ.get('PATH', '')}")
    try:
        raise SystemExit(subprocess.call(args + (["--insecure"] if insecure else []), env=env))
    except KeyboardInterrupt:
        raise SystemExit(130) from None
