"""The `emr` scenario end to end, on every backend."""

from __future__ import annotations

from medchain.scenarios import run


def test_the_emr_story(world, tmp_path):
    summary = run(["emr"], chain=world.chain, log=lambda _: None, workdir=tmp_path)["emr"]
    assert summary["refused_cardiology"] == summary["after_expiry"] == summary["after_revoke"] == "AccessDeniedError"
    assert (summary["reads"], summary["emergency_reads"], summary["rekeyed"]) == (2, 1, 3)
    assert summary["readers"] == sorted([world.address("hospital_b"), world.address("hospital_c")])
    assert summary["fhir_statuses"] == ["active", "inactive"]
