"""The `emr` scenario end to end, on every backend."""

from __future__ import annotations

import pytest

from medchain.scenarios import run

pytestmark = pytest.mark.both_backends  # the whole story, like tests/scenarios (tests/conftest.py)


def test_the_emr_story(world, tmp_path):
    summary = run(["consent"], chain=world.chain, log=lambda _: None, workdir=tmp_path)["consent"]
    assert summary["refused_cardiology"] == summary["after_expiry"] == "AccessDeniedError"
    assert summary["after_revoke"] == "ConsentRevokedError" and summary["kept_reader_reads"] == "Condition"
    assert (summary["reads"], summary["emergency_reads"], summary["rekeyed"]) == (3, 1, 3)  # A's read logged too
    assert summary["readers"] == sorted(world.address(h) for h in ("hospital_a", "hospital_b", "hospital_c"))
    assert summary["fhir_statuses"] == ["active", "inactive"]
