"""X12 CARC codes, 835 adjustments and FHIR ClaimResponse adjudication (pure)."""

from __future__ import annotations

import pytest
from fhir.resources.R4B import get_fhir_model_class

from medchain.core.errors import StandardsError
from medchain.core.standards import x12

APPROVED = {"status": "approved", "reason": 45, "billed": 150, "allowed": 120, "deductible": 100, "copay": 10,
            "coinsurance": 2, "patient_responsibility": 112, "payer": 8}


def test_the_codes_the_rules_produce_are_known_with_their_group():
    assert {c: (x12.reason(c).group) for c in (1, 2, 3, 11, 18, 27, 45, 96, 119)} == {
        1: "PR", 2: "PR", 3: "PR", 11: "CO", 18: "OA", 27: "PR", 45: "CO", 96: "PR", 119: "PR"}
    assert x12.reason(45).coding()["system"] == x12.CARC_SYSTEM
    assert x12.describe(18) == "18 Exact duplicate claim/service" and x12.describe(999) == "CARC 999"


@pytest.mark.parametrize("code", [999, 0, "45", True])
def test_unknown_codes_are_refused(code):
    with pytest.raises(StandardsError, match="unknown CARC"):
        x12.reason(code)


def test_adjustments_explain_billed_minus_paid():
    adj = x12.adjustments(APPROVED)
    assert [(a.group, a.reason, a.amount) for a in adj] == [("CO", 45, 30), ("PR", 1, 100), ("PR", 2, 2), ("PR", 3, 10)]
    assert sum(a.amount for a in adj) == APPROVED["billed"] - APPROVED["payer"]


def test_benefit_overflow_is_patient_responsibility_119():
    line = {**APPROVED, "reason": 119, "patient_responsibility": 117, "payer": 3}
    assert x12.adjustments(line)[-1] == x12.Adjustment("PR", 119, 5)


def test_a_denied_line_is_adjusted_in_full_under_its_reason_group():
    line = {"status": "denied", "reason": 18, "billed": 150, "allowed": 0, "deductible": 0, "copay": 0, "coinsurance": 0,
            "patient_responsibility": 0, "payer": 0}
    assert x12.adjustments(line) == [x12.Adjustment("OA", 18, 150)]
    assert x12.adjustments({**line, "status": "pending", "reason": 11}) == []


def test_inconsistent_amounts_are_refused():
    with pytest.raises(StandardsError, match="payer"):
        x12.adjustments({**APPROVED, "payer": 9})
    with pytest.raises(StandardsError, match="billed"):
        x12.adjustments({**APPROVED, "billed": -1})


def _claim(**over):
    base = {"id": "0x" + "ab" * 32, "status": "approved", "patient": "0x" + "11" * 20, "insurer": "0x" + "22" * 20,
            "provider": "0x" + "33" * 20, "service_date": "2026-03-02", "lines": [APPROVED]}
    return {**base, **over}


def test_claim_response_is_valid_fhir_r4_with_every_category():
    res = x12.claim_response(_claim(), decimals=6)
    get_fhir_model_class("ClaimResponse").model_validate(res)
    cats = {a["category"]["coding"][0]["code"]: a["amount"]["value"] for a in res["item"][0]["adjudication"]}
    assert cats == {"submitted": 0.00015, "eligible": 0.00012, "deductible": 0.0001, "copay": 0.00001,
                    "coinsurance": 0.000002, "memberliability": 0.000112, "benefit": 0.000008}
    assert res["outcome"] == "complete" and res["payment"]["amount"]["value"] == 0.000008
    eligible = res["item"][0]["adjudication"][1]
    assert eligible["reason"]["coding"][0]["code"] == "45"


def test_a_pending_claim_is_a_partial_outcome():
    pending = {**APPROVED, "status": "pending", "reason": 11}
    res = x12.claim_response(_claim(status="pending review", lines=[pending]), decimals=6)
    assert res["outcome"] == "partial" and res["payment"]["amount"]["value"] == 0
    assert [a["category"]["coding"][0]["code"] for a in res["item"][0]["adjudication"]] == ["submitted", "eligible"]


def test_claim_response_names_a_missing_field():
    with pytest.raises(StandardsError, match="lines: missing"):
        x12.claim_response({k: v for k, v in _claim().items() if k != "lines"}, decimals=6)
    with pytest.raises(StandardsError, match="status"):
        x12.claim_response(_claim(status="lost"), decimals=6)
