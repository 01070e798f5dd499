"""Scenario ``participants``: governance builds the directory every other contract relies on."""

from __future__ import annotations

from typing import Any

from medchain.core.errors import ContractRevert
from medchain.core.registry import Role, encryption_key_of
from medchain.participants.client import ParticipantsClient
from medchain.scenarios import ScenarioContext

TITLE = "the participant directory: organisations, roles, patients, suspension, governance hand-over"

ORGANISATIONS = [
    ("hospital_a", "Hospital A (Shanghai General)", Role.HOSPITAL),
    ("hospital_b", "Hospital B (Beijing Union)", Role.HOSPITAL),
    ("hospital_c", "Hospital C (Emergency Centre)", Role.HOSPITAL),
    ("manufacturer", "VaxCo Manufacturing", Role.MANUFACTURER),
    ("distributor", "ColdLine Distribution", Role.DISTRIBUTOR),
    ("pharmacy", "Corner Pharmacy", Role.PHARMACY),
    ("insurer", "HealthShield Insurance", Role.INSURER),
    ("university", "University Research Institute", Role.RESEARCHER),
    ("sensor_gateway", "ColdLine Sensor Gateway", Role.SENSOR_GATEWAY),
    ("regulator", "National Medical Products Administration", Role.REGULATOR),
]
PATIENTS = ["patient_1", "patient_2", "patient_3", "patient_4"]


def setup(ctx: ScenarioContext) -> ParticipantsClient:
    """Register the whole cast (idempotent: skips who is already registered). Other scenarios call it."""
    gov = ParticipantsClient(ctx.suite, ctx.sender("governance"))
    for role, name, roles in ORGANISATIONS:
        if gov.get(ctx.address(role)).kind == 0:
            gov.register_organization(ctx.address(role), name, roles, encryption_key_of(ctx.account(role)))
    for role in PATIENTS:
        if gov.get(ctx.address(role)).kind == 0:
            ParticipantsClient(ctx.suite, ctx.sender(role)).register_patient()
    return gov


def run(ctx: ScenarioContext) -> dict[str, Any]:
    gov = setup(ctx)
    ctx.step(f"governance registered {len(ORGANISATIONS)} organisations and {len(PATIENTS)} patients registered their keys")

    pharmacy = ctx.address("pharmacy")
    regulator = ParticipantsClient(ctx.suite, ctx.sender("regulator"))
    regulator.suspend(pharmacy, "licence inspection pending")
    suspended = gov.get(pharmacy).suspended
    ctx.step(f"the regulator suspended the pharmacy: pharmacy role check now {gov.has_role(pharmacy, Role.PHARMACY)}")
    refused = None
    try:
        ParticipantsClient(ctx.suite, ctx.sender("hospital_a")).suspend(ctx.address("hospital_b"), "rivalry")
    except ContractRevert as exc:
        refused = exc.name
        ctx.step(f"hospital A tried to suspend hospital B and was refused: {exc}")
    regulator.reactivate(pharmacy)
    ctx.step(f"the regulator reactivated the pharmacy: role check {gov.has_role(pharmacy, Role.PHARMACY)}")

    gov.set_roles(ctx.address("hospital_a"), Role.HOSPITAL | Role.RESEARCHER)
    ctx.step("hospital A now also acts as a research organisation")

    new_gov = ctx.address("regulator")
    gov.transfer_governance(new_gov)
    ParticipantsClient(ctx.suite, ctx.sender("regulator")).accept_governance()
    ParticipantsClient(ctx.suite, ctx.sender("regulator")).transfer_governance(ctx.address("governance"))
    gov.accept_governance()
    ctx.step("governance was handed to the regulator in two steps and handed back")
    return {"organisations": len(ORGANISATIONS), "patients": len(PATIENTS), "suspended": suspended,
            "refused": refused, "governance": gov.governance(),
            "hospital_a_roles": int(gov.get(ctx.address("hospital_a")).roles)}
