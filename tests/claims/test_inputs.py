"""Claim JSON, catalogue CSV and plan parsing: clear errors naming the field or row (pure)."""

from __future__ import annotations

import json

import pytest

from medchain.claims import decode_code, encode_code, normalise_icd10, parse_catalogue_csv, parse_claim, parse_date, parse_plan
from medchain.core.errors import InvalidInputError

PATIENT = "0x" + "11" * 20
GOOD = {"patient": PATIENT, "plan": 1, "service_date": "2026-03-02", "diagnoses": ["e119"],
        "lines": [{"code": "CPT:99213", "quantity": 1, "billed": "150.25"}]}
HEADER = "code,description,covered,service_class,categories,max_unit_price,indications\n"


def test_a_claim_is_parsed_into_base_units_and_utc_dates():
    c = parse_claim(json.dumps(GOOD), 6)
    assert (c.plan, c.service_date, c.diagnoses, c.lines[0].billed) == (1, 1772409600, ("E11.9",), 150_250_000)


def test_a_claim_file_is_read(tmp_path):
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(GOOD))
    assert parse_claim(str(path), 6).lines[0].code == "CPT:99213"
    with pytest.raises(InvalidInputError, match="claim file"):
        parse_claim(str(tmp_path / "missing.json"), 6)


@pytest.mark.parametrize("change,message", [
    ({"lines": [{"code": "CPT:99213", "quantity": 0, "billed": "1"}]}, "lines[0].quantity"),
    ({"lines": [{"code": "99213", "quantity": 1, "billed": "1"}]}, "lines[0].code"),
    ({"lines": [{"code": "CPT:1", "quantity": 1, "billed": "1.0000001"}]}, "lines[0].billed"),
    ({"lines": [{"code": "CPT:1", "quantity": 1, "billed": "-1"}]}, "lines[0].billed"),
    ({"lines": [{"code": "CPT:1", "quantity": 1}]}, "lines[0].billed is required"),
    ({"lines": []}, "lines must be a list of 1 to 50"),
    ({"diagnoses": ["E11.9", "diabetes"]}, "diagnoses[1]"),
    ({"service_date": "02/03/2026"}, "service_date"),
    ({"patient": "0x12"}, "patient"),
    ({"plan": 0}, "plan"),
    ({"documents": "not-a-cid"}, "documents"),
    ({"colour": "blue"}, "unknown field(s) colour"),
])
def test_bad_claims_name_the_field(change, message):
    with pytest.raises(InvalidInputError) as info:
        parse_claim({**GOOD, **change}, 6)
    assert message in str(info.value)


def test_bad_json_is_reported():
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        parse_claim("{not json", 6)


def test_a_catalogue_is_parsed():
    (visit, insulin) = parse_catalogue_csv(HEADER + "CPT:99214,Visit,yes,consultation,general,150,\n"
                                           "NDC:0002-8215-01,Insulin,no,pharmacy,diabetes;medication,40.5,E10;e119\n", 6)
    assert (visit.covered, visit.service_class, visit.categories, visit.max_unit_price, visit.indications) == (
        True,
        0,
        1,
        150 * 10**6,
        (),
    )
    assert (insulin.covered, insulin.service_class, insulin.categories, insulin.indications) == (
        False,
        1,
        2 | 1024,
        ("E10", "E11.9"),
    )


@pytest.mark.parametrize(
    "row,message",
    [
        ("CPT 99214,V,yes,consultation,general,1,", "row 2, column code"),
        ("CPT:1,V,maybe,consultation,general,1,", "row 2, column covered"),
        ("CPT:1,V,yes,surgery,general,1,", "row 2, column service_class"),
        ("CPT:1,V,yes,consultation,podiatry,1,", "row 2, column categories"),
        ("CPT:1,V,yes,consultation,,1,", "row 2, column categories"),
        ("CPT:1,V,yes,consultation,general,abc,", "row 2, column max_unit_price"),
        ("CPT:1,V,yes,consultation,general,1,E11;X", "row 2, column indications"),
    ],
)
def test_bad_catalogue_rows_are_named(row, message):
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(")):
        parse_catalogue_csv(HEADER + row + "\n", 6)


def test_a_repeated_code_names_both_rows():
    with pytest.raises(InvalidInputError, match="row 3, column code: CPT:1 already listed in row 2"):
        parse_catalogue_csv(HEADER + "CPT:1,,yes,other,general,,\nCPT:1,,yes,other,general,,\n", 6)


def test_a_missing_column_is_named():
    with pytest.raises(InvalidInputError, match="missing column.*covered"):
        parse_catalogue_csv("code,service_class,categories,max_unit_price,indications\n", 6)


def test_plan_terms_from_money_and_percent():
    t = parse_plan(
        {
            "deductible": "100",
            "out_of_pocket_max": "2000",
            "benefit_limit": "1e4",
            "coinsurance": 12.5,
            "copays": {"pharmacy": "7.5"},
        },
        6,
    )
    assert (t.deductible, t.benefit_limit, t.coinsurance_bps, t.copays[1]) == (100 * 10**6, 10**10, 1250, 7_500_000)


@pytest.mark.parametrize(
    "change,message",
    [
        ({"coinsurance": 101}, "coinsurance"),
        ({"deductible": "3000"}, "deductible cannot exceed"),
        ({"benefit_limit": "0"}, "benefit_limit"),
        ({"copays": {"dentist": "1"}}, "copays.dentist"),
        ({"bonus": 1}, "bonus"),
    ],
)
def test_bad_plans_name_the_field(change, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_plan({"deductible": "100", "out_of_pocket_max": "2000", "benefit_limit": "1000", **change}, 6)


def test_codes_round_trip_and_icd10_is_normalised():
    assert decode_code(encode_code("GTIN:00300028215012")) == "GTIN:00300028215012"
    assert normalise_icd10(" e11.65 ") == "E11.65" and normalise_icd10("E1165") == "E11.65"
    with pytest.raises(InvalidInputError):
        encode_code("CPT:" + "9" * 30)


def test_an_end_date_covers_its_whole_day():
    assert parse_date("2026-12-31", "end", end=True) - parse_date("2026-12-31", "start") == 86399
