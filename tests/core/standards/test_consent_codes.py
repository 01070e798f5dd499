"""Tests for the consent catalogue (medchain.core.standards.consent_codes)."""

from __future__ import annotations

import pytest

from medchain.core.errors import StandardsError
from medchain.core.standards import consent_codes as cc
from medchain.core.standards.consent_codes import Action, Category, Purpose


def test_bit_indexes_are_the_on_chain_format():
    expected = [
        "general", "endocrine", "cardiology", "oncology", "mental_health", "genomics",
        "infectious_disease", "reproductive_health", "imaging", "laboratory", "medication",
    ]
    assert [Category.from_index(i).key for i in range(11)] == expected
    for i, name in enumerate(expected):
        assert int(Category.parse(name)) == 1 << i and Category.parse(name).index == i
    assert [(p.key, int(p)) for p in Purpose] == [
        ("treatment", 1), ("research", 2), ("insurance_claims", 4), ("public_health", 8)
    ]
    assert [(a.key, int(a)) for a in Action] == [("read", 1), ("write", 2)]


@pytest.mark.parametrize(
    "text, member",
    [
        ("diabetes", Category.ENDOCRINE),
        ("Endocrine", Category.ENDOCRINE),
        ("CARDIOLOGY", Category.CARDIOLOGY),
        ("mental health", Category.MENTAL_HEALTH),
        ("Mental-Health", Category.MENTAL_HEALTH),
        (" genetics ", Category.GENOMICS),
        ("lab", Category.LABORATORY),
        ("infectious disease", Category.INFECTIOUS_DISEASE),
        ("radiology", Category.IMAGING),
    ],
)
def test_category_aliases(text, member):
    assert Category.parse(text) is member


def test_purpose_and_action_names():
    assert Purpose.parse("Insurance claims") is Purpose.INSURANCE_CLAIMS
    assert Purpose.parse("public-health") is Purpose.PUBLIC_HEALTH
    assert Action.parse("READ") is Action.READ
    assert Action.parse("correct") is Action.WRITE


def test_mask_and_names_round_trip():
    m = Category.mask(["diabetes", "cardiology", "genomics"])
    assert m == 0b100110
    assert Category.names(m) == ["endocrine", "cardiology", "genomics"]
    assert cc.mask("lab, imaging") == (1 << 9) | (1 << 8)
    assert cc.names(3) == ["general", "endocrine"]
    assert cc.names(3, Purpose) == ["treatment", "research"]
    assert Category.mask([]) == 0 and Category.names(0) == []
    assert Action.mask(["read", "write"]) == 3
    all_cats = Category.mask([c.key for c in Category])
    assert all_cats == (1 << 11) - 1


def test_unknown_names_are_clear_errors():
    with pytest.raises(StandardsError, match=r"unknown category 'podiatry'.*known: general"):
        Category.parse("podiatry")
    with pytest.raises(StandardsError, match="unknown purpose 'marketing'"):
        Purpose.mask(["treatment", "marketing"])
    with pytest.raises(StandardsError):
        Action.parse(1)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [1 << 11, -1, (1 << 255)])
def test_names_rejects_bits_outside_catalogue(bad):
    with pytest.raises(StandardsError):
        Category.names(bad)


def test_purpose_mask_outside_catalogue():
    with pytest.raises(StandardsError, match="outside the catalogue"):
        Purpose.names(16)


def test_codes():
    assert {p.key: p.code.code for p in Purpose} == {
        "treatment": "TREAT", "research": "HRESCH", "insurance_claims": "CLMATTCH", "public_health": "PUBHLTH"
    }
    assert all(p.code.system == "http://terminology.hl7.org/CodeSystem/v3-ActReason" for p in Purpose)
    assert (Action.READ.code.code, Action.WRITE.code.code) == ("access", "correct")
    assert Action.READ.code.system == "http://terminology.hl7.org/CodeSystem/consentaction"
    assert Category.MENTAL_HEALTH.code.code == "mental-health"
    assert all(c.code.system == "https://medchain.dev/fhir/CodeSystem/data-category" for c in Category)
    assert len({c.code.code for c in Category}) == len(Category)
    labels = {c.key: c.sensitivity.code for c in Category if c.sensitivity}
    assert labels == {"mental_health": "PSY", "genomics": "GDIS", "reproductive_health": "SEX"}
    assert Category.GENOMICS.sensitivity.system == "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    assert Category.LABORATORY.code.coding() == {
        "system": "https://medchain.dev/fhir/CodeSystem/data-category", "code": "laboratory", "display": "Laboratory"
    }
