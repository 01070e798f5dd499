"""The `claims` scenario tells the issue's story end to end (embedded chain)."""

from __future__ import annotations

from medchain.core.storage import parse_cid
from medchain.scenarios import run


def test_the_claims_story():
    s = run(["claims"], log=lambda _: None)["claims"]
    assert s["first"] == "approved" and s["deductible_applied"] == 100 * 10**6
    assert s["duplicate_reason"] == 18
    assert s["off_label"] == ("pending", 11, "approved")
    assert s["fee_schedule"] == (25 * 10**6, 45)
    assert s["benefit"] == (119, "denied", 119)
    assert s["paid_hospital"] > 0 and s["paid_pharmacy"] > 0
    assert s["balanced"] and s["accumulator"]["benefit_used"] == 1000 * 10**6
    assert s["claim_response_outcome"] == "complete"
    assert bytes.fromhex(s["documents_digest"][2:]) == parse_cid(s["documents"])[2][2:]
