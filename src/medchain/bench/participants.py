"""Gas operations of the ParticipantRegistry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medchain.core.accounts import dev_account
from medchain.core.registry import Role, encryption_key_of
from medchain.core.tx import Sender
from medchain.participants.client import ParticipantsClient

NEWCOMER = 16  # a development account outside the cast


def _gov(ctx: Any) -> ParticipantsClient:
    return ParticipantsClient(ctx.suite, ctx.sender("governance"))


def register_organization(ctx: Any) -> Any:
    acct = dev_account(NEWCOMER)
    return _gov(ctx).register_organization(acct.address, "Newcomer Hospital", Role.HOSPITAL, encryption_key_of(acct))


def register_patient(ctx: Any) -> Any:
    return ParticipantsClient(ctx.suite, Sender(ctx.chain, dev_account(NEWCOMER))).register_patient()


def set_roles(ctx: Any) -> Any:
    return _gov(ctx).set_roles(ctx.address("hospital_a"), Role.HOSPITAL | Role.RESEARCHER)


def suspend(ctx: Any) -> Any:
    return ParticipantsClient(ctx.suite, ctx.sender("regulator")).suspend(ctx.address("pharmacy"), "inspection")


def reactivate(ctx: Any) -> Any:
    suspend(ctx)
    return ParticipantsClient(ctx.suite, ctx.sender("regulator")).reactivate(ctx.address("pharmacy"))


def set_encryption_key(ctx: Any) -> Any:
    return ParticipantsClient(ctx.suite, ctx.sender("hospital_a")).set_encryption_key(encryption_key_of(dev_account(NEWCOMER)))


def transfer_governance(ctx: Any) -> Any:
    return _gov(ctx).transfer_governance(ctx.address("regulator"))


def accept_governance(ctx: Any) -> Any:
    transfer_governance(ctx)
    return ParticipantsClient(ctx.suite, ctx.sender("regulator")).accept_governance()


OPERATIONS: dict[str, Callable[[Any], Any]] = {
    "registry.registerOrganization": register_organization,
    "registry.registerPatient": register_patient,
    "registry.setRoles": set_roles,
    "registry.suspend": suspend,
    "registry.reactivate": reactivate,
    "registry.setEncryptionKey": set_encryption_key,
    "registry.transferGovernance": transfer_governance,
    "registry.acceptGovernance": accept_governance,
}
