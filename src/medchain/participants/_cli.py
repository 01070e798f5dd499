"""``medchain participants …``: the participant directory."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from medchain.core.commands import Context, done, pass_ctx

if TYPE_CHECKING:
    from medchain.participants.client import ParticipantsClient


@click.group("participants")
def group() -> None:
    """The participant directory (organisations, roles, patients)."""


def _participants(obj: Context, write: bool = True) -> ParticipantsClient:
    from medchain.participants.client import ParticipantsClient

    return ParticipantsClient(obj.suite(), obj.sender() if write else None)


@group.command("register-org")
@click.argument("address")
@click.option("--name", required=True)
@click.option("--roles", required=True, help="Comma-separated: hospital, manufacturer, distributor, pharmacy, "
              "insurer, researcher, regulator, sensor_gateway.")
@click.option("--key", "key", required=True, help="The organisation's secp256k1 encryption public key (hex).")
@pass_ctx
def register_org(obj: Context, address: str, name: str, roles: str, key: str) -> None:
    """Register an organisation (governance)."""
    done(_participants(obj).register_organization(address, name, roles, key))


@group.command("register-patient")
@click.option("--key", default=None, help="Encryption public key (hex); default: the account's own public key.")
@pass_ctx
def register_patient(obj: Context, key: str | None) -> None:
    """Register --account as a patient."""
    done(_participants(obj).register_patient(key))


@group.command("set-roles")
@click.argument("address")
@click.option("--roles", required=True)
@pass_ctx
def set_roles(obj: Context, address: str, roles: str) -> None:
    """Replace an organisation's roles (governance)."""
    done(_participants(obj).set_roles(address, roles))


@group.command("suspend")
@click.argument("address")
@click.option("--reason", required=True, help="Kept off chain; its keccak256 is recorded.")
@pass_ctx
def suspend(obj: Context, address: str, reason: str) -> None:
    """Suspend an organisation (governance or a regulator)."""
    done(_participants(obj).suspend(address, reason))


@group.command("reactivate")
@click.argument("address")
@pass_ctx
def reactivate(obj: Context, address: str) -> None:
    """Lift a suspension (governance or a regulator)."""
    done(_participants(obj).reactivate(address))


@group.command("show")
@click.argument("address")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def show(obj: Context, address: str, as_json: bool) -> None:
    """Show a participant."""
    p = _participants(obj, write=False).get(address)
    roles = [name.lower() for name, r in type(p.roles).__members__.items() if r in p.roles]
    data = {"address": p.address, "kind": p.kind.name.lower(), "suspended": p.suspended,
            "roles": roles, "registeredAt": p.registered_at,
            "encryptionKey": "0x" + p.encryption_key.hex(), "name": p.name}
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        for k, v in data.items():
            click.echo(f"{k:14} {v}")


COMMANDS = [group]
