"""GS1 identifiers: GTIN, dates, element strings, DataMatrix, Digital Link, EPC URIs."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medchain.core.errors import GS1Error, StandardsError
from medchain.core.standards import gs1
from medchain.core.standards.gs1 import GS, UnitCode

TODAY = dt.date(2025, 6, 1)  # fixed reference year for the century window


def unit(**changes) -> UnitCode:
    fields = dict(gtin="09506000134352", lot="LOT42", expiry=dt.date(2026, 12, 31), serial="SN0001")
    fields.update(changes)
    return UnitCode(**fields)


def raises_field(field: str, fragment: str = ""):
    """Context manager: a GS1Error naming ``field`` (and containing ``fragment``)."""

    class _Check:
        def __enter__(self):
            self._ctx = pytest.raises(GS1Error)
            self.info = self._ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self._ctx.__exit__(*exc)
            err = self.info.value
            assert err.field == field, f"field {err.field!r} != {field!r} in {err}"
            assert str(err).startswith(f"{field}: ")
            assert fragment in str(err), f"{fragment!r} not in {err}"
            return handled

    return _Check()


# --------------------------------------------------------------------------- GTIN


@pytest.mark.parametrize(
    ("body", "digit"),
    [("0950600013435", 2), ("400638133393", 1), ("03600029145", 2), ("9638507", 4), ("0", 0)],
)
def test_check_digit_of_known_gtins(body, digit):
    assert gs1.gtin_check_digit(body) == digit


@pytest.mark.parametrize(
    ("gtin", "gtin14"),
    [
        ("09506000134352", "09506000134352"),  # GS1 example GTIN-14
        ("4006381333931", "04006381333931"),  # GTIN-13
        ("036000291452", "00036000291452"),  # GTIN-12 (UPC-A)
        ("96385074", "00000096385074"),  # GTIN-8
    ],
)
def test_validate_gtin_normalises_to_gtin14(gtin, gtin14):
    assert gs1.validate_gtin(gtin) == gtin14


@pytest.mark.parametrize(
    ("gtin", "fragment"),
    [
        ("09506000134353", "check digit is 3, expected 2"),
        ("4006381333932", "check digit is 2, expected 1"),
        ("4006381333930", "check digit is 0, expected 1"),  # GTIN-13
        ("950600013", "9 digits, expected 8/12/13/14"),
        ("095060001343520", "15 digits"),
        ("", "digits only"),
        ("0950600013435X", "digits only"),
        ("٠٩٥٠٦٠٠٠١٣٤٣٥٢", "digits only"),  # Arabic-Indic digits are not GS1 digits
        (9506000134352, "must be a string"),
    ],
)
def test_validate_gtin_errors_name_gtin(gtin, fragment):
    with raises_field("gtin", fragment):
        gs1.validate_gtin(gtin)


def test_check_digit_rejects_non_digits():
    with raises_field("gtin"):
        gs1.gtin_check_digit("12a")


def test_gs1_error_is_a_standards_value_error():
    with pytest.raises(ValueError):
        gs1.validate_gtin("1")
    with pytest.raises(StandardsError):
        gs1.validate_gtin("1")


def test_validate_gln():
    assert gs1.validate_gln("9506000134352") == "9506000134352"
    with raises_field("gln", "check digit"):
        gs1.validate_gln("9506000134353")
    with raises_field("gln", "13"):
        gs1.validate_gln("09506000134352")


# --------------------------------------------------------------------------- dates


def expiry_of(yymmdd: str, today: dt.date = TODAY) -> dt.date:
    return gs1.parse_element_string(f"(01)09506000134352(17){yymmdd}(10)L", today=today).expiry


@pytest.mark.parametrize(
    ("yymmdd", "expected"),
    [
        ("261231", dt.date(2026, 12, 31)),
        ("260200", dt.date(2026, 2, 28)),  # day 00: last day of the month
        ("240200", dt.date(2024, 2, 29)),  # ... of a leap February
        ("000200", dt.date(2000, 2, 29)),  # 2000 is a leap year (divisible by 400)
        ("240229", dt.date(2024, 2, 29)),
        ("250400", dt.date(2025, 4, 30)),
        ("251200", dt.date(2025, 12, 31)),
    ],
)
def test_date_rules(yymmdd, expected):
    assert expiry_of(yymmdd) == expected


@pytest.mark.parametrize(
    ("yymmdd", "fragment"),
    [
        ("251301", "month 13 out of range"),
        ("250001", "month 00 out of range"),
        ("250229", "day 29 out of range for 2025-02"),  # 2025 is not a leap year
        ("250431", "day 31 out of range for 2025-04"),
        ("2512", "expected 6 digits"),
        ("25123A", "expected 6 digits"),
    ],
)
def test_bad_dates_name_ai_17(yymmdd, fragment):
    with raises_field("17", fragment):
        expiry_of(yymmdd)


@pytest.mark.parametrize(
    ("today", "yy", "year"),
    [
        (dt.date(2025, 1, 1), "75", 2075),  # 50 years ahead: same century
        (dt.date(2025, 1, 1), "76", 1976),  # 51 ahead: previous century
        (dt.date(2025, 1, 1), "99", 1999),
        (dt.date(2025, 1, 1), "00", 2000),
        (dt.date(2060, 1, 1), "10", 2110),  # 50 behind: next century
        (dt.date(2060, 1, 1), "11", 2011),  # 49 behind: same century
        (dt.date(2099, 1, 1), "48", 2148),
        (dt.date(2099, 1, 1), "50", 2050),
        (dt.date(2000, 1, 1), "50", 2050),
        (dt.date(2000, 1, 1), "51", 1951),
    ],
)
def test_century_sliding_window(today, yy, year):
    assert expiry_of(f"{yy}0101", today).year == year


def test_production_date_day_00_and_leap():
    code = gs1.parse_element_string("(01)09506000134352(11)240200(17)270100(10)L", today=TODAY)
    assert code.production == dt.date(2024, 2, 29)
    assert code.expiry == dt.date(2027, 1, 31)
    with raises_field("11", "month 14"):
        gs1.parse_element_string("(01)09506000134352(11)241401(17)270100(10)L", today=TODAY)


def test_producing_a_date_outside_the_window_fails():
    with raises_field("17", "outside the GS1 two-digit-year window 1976-2075"):
        gs1.to_element_string(unit(expiry=dt.date(2080, 1, 1)), today=TODAY)
    with raises_field("11", "window"):
        gs1.to_datamatrix(unit(production=dt.date(1970, 1, 1)), today=TODAY)


# --------------------------------------------------------------------------- UnitCode


def test_unitcode_normalises_and_is_frozen():
    code = unit(gtin="4006381333931")
    assert code.gtin == "04006381333931"
    with pytest.raises(AttributeError):
        code.lot = "X"  # type: ignore[misc]
    assert hash(code) == hash(unit(gtin="04006381333931"))


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"gtin": "09506000134353"}, "01", "check digit is 3, expected 2"),
        ({"lot": ""}, "10", "is empty"),
        ({"lot": "L" * 21}, "10", "21 characters, at most 20"),
        ({"lot": "LOT 42"}, "10", "character ' ' not allowed"),
        ({"serial": "S€"}, "21", "character '€' not allowed"),
        ({"serial": "S#1"}, "21", "character '#' not allowed"),
        ({"expiry": "2026-12-31"}, "17", "expected a datetime.date"),
        ({"expiry": dt.datetime(2026, 1, 1)}, "17", "expected a datetime.date"),
        ({"expiry": None}, "17", "missing"),
        ({"production": 20250101}, "11", "expected a datetime.date"),
    ],
)
def test_unitcode_rejects_bad_fields(changes, field, fragment):
    with raises_field(field, fragment):
        unit(**changes)


# --------------------------------------------------------------------------- the three forms

CODES = [
    unit(),
    unit(serial=None),
    unit(gtin="4006381333931", lot="A1", serial="12345678901234567890", production=dt.date(2025, 1, 15)),
    unit(lot="L(1)", serial="S(2)"),  # parentheses must be escaped in the element string
    unit(lot="A/B%C&D?E=F", serial='x"y<z>!'),  # percent-encoded in the Digital Link
    unit(lot="-._:;+,'*", serial="_"),
    unit(expiry=dt.date(2024, 2, 29), production=dt.date(2000, 2, 29)),
]


@pytest.mark.parametrize("code", CODES, ids=range(len(CODES)))
def test_round_trip_through_all_forms(code):
    hri = gs1.to_element_string(code, today=TODAY)
    raw = gs1.to_datamatrix(code, symbology_id="]d2", today=TODAY)
    link = gs1.to_digital_link(code, today=TODAY)
    for text, parse in (
        (hri, gs1.parse_element_string),
        (raw, gs1.parse_datamatrix),
        (link, gs1.parse_digital_link),
    ):
        assert parse(text, today=TODAY) == code
        assert gs1.parse_any(text, today=TODAY) == code
    # and back: the produced strings are stable
    again = gs1.parse_any(link, today=TODAY)
    assert gs1.to_element_string(again, today=TODAY) == hri
    assert gs1.to_datamatrix(again, symbology_id="]d2", today=TODAY) == raw


def test_known_strings():
    code = unit(production=dt.date(2025, 1, 2))
    assert gs1.to_element_string(code, today=TODAY) == (
        "(01)09506000134352(17)261231(11)250102(10)LOT42(21)SN0001"
    )
    assert gs1.to_datamatrix(code, today=TODAY) == (
        "01095060001343521726123111250102" "10LOT42" + GS + "21SN0001"
    )
    assert gs1.to_datamatrix(unit(serial=None), symbology_id="]C1", today=TODAY) == (
        "]C1010950600013435217261231" "10LOT42"
    )
    assert gs1.to_digital_link(code, today=TODAY) == (
        "https://id.gs1.org/01/09506000134352/10/LOT42/21/SN0001?17=261231&11=250102"
    )
    assert gs1.to_element_string(unit(lot="L(1)"), today=TODAY).count("\\(") == 1


def test_percent_encoding_of_special_characters():
    code = unit(lot="A/B%C&D", serial='"?')
    link = gs1.to_digital_link(code, base_uri="https://id.example.com/dl/", today=TODAY)
    assert link == "https://id.example.com/dl/01/09506000134352/10/A%2FB%25C%26D/21/%22%3F?17=261231"
    assert gs1.parse_digital_link(link, today=TODAY) == code
    lower_hex = "HTTPS://X.example/01/09506000134352/10/A%2fB%25C%26D/21/%22%3f?17=261231"
    assert gs1.parse_any(lower_hex, today=TODAY) == code


# --------------------------------------------------------------------------- element string


def test_element_string_tolerates_surrounding_whitespace_and_any_order():
    text = "  (21)SN0001(10)LOT42(17)261231(01)09506000134352\r\n"
    assert gs1.parse_element_string(text, today=TODAY) == unit()


def test_element_string_ignores_but_checks_other_pharma_ais():
    text = "(01)09506000134352(17)261231(10)LOT42(21)SN0001(714)1234567(15)260100"
    assert gs1.parse_any(text, today=TODAY) == unit()
    with raises_field("15", "month 13"):
        gs1.parse_any("(01)09506000134352(17)261231(10)L(15)261301", today=TODAY)


# --------------------------------------------------------------------------- raw DataMatrix


@pytest.mark.parametrize("prefix", ["", "]d2", "]C1", "]Q3", "]e0", GS, "]d2" + GS])
def test_datamatrix_symbology_identifiers(prefix):
    raw = prefix + "0109506000134352" + "17261231" + "10LOT42" + GS + "21SN0001"
    assert gs1.parse_datamatrix(raw, today=TODAY) == unit()


def test_datamatrix_variable_fields_first_and_redundant_gs():
    raw = "21SN0001" + GS + "10LOT42" + GS + "0109506000134352" + GS + "17261231"
    assert gs1.parse_any(raw, today=TODAY) == unit()


def test_datamatrix_missing_separator_is_reported():
    with raises_field("10", "missing GS separator"):
        gs1.parse_datamatrix("010950600013435217261231" "10LOT42" "21SN000123456789")
    with raises_field("17", "missing"):  # lot swallowed the rest: no expiry left
        gs1.parse_datamatrix("0109506000134352" "10LOT42" "17261231", today=TODAY)


# --------------------------------------------------------------------------- Digital Link


@pytest.mark.parametrize(
    "link",
    [
        "https://id.gs1.org/01/09506000134352/10/LOT42/21/SN0001?17=261231",
        "https://brand.example.com/some/prefix/01/09506000134352/10/LOT42/21/SN0001?17=261231",
        "http://id.example.com:8080/01/9506000134352/10/LOT42/21/SN0001/?17=261231&linkType=gs1:pip",
        "https://id.example.com/01/09506000134352/10/LOT42/21/SN0001?linkType=all&17=261231#frag",
        "https://id.example.com/gtin/09506000134352/lot/LOT42/ser/SN0001?17=261231",
        "https://x.example/01/x/01/09506000134352/10/LOT%34%32/21/SN%300%301?17=261231",
    ],
)
def test_digital_link_variants(link):
    assert gs1.parse_digital_link(link, today=TODAY) == unit()


def test_digital_link_short_gtins_are_zero_padded():
    link = "https://id.example.com/01/4006381333931/10/A?17=260100"
    code = gs1.parse_any(link, today=TODAY)
    assert code.gtin == "04006381333931"
    assert "/01/04006381333931/" in gs1.to_digital_link(code, today=TODAY)
    code8 = gs1.parse_any("https://id.example.com/01/96385074/10/A?17=260100", today=TODAY)
    assert code8.gtin == "00000096385074"


def test_digital_link_base_uri_is_checked():
    with raises_field("base_uri"):
        gs1.to_digital_link(unit(), base_uri="ftp://id.example.com")
    with raises_field("base_uri"):
        gs1.to_digital_link(unit(), base_uri="https://id.example.com/?a=1")


# --------------------------------------------------------------------------- every error names its field


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        ("(01)09506000134353(17)261231(10)L", "01", "check digit is 3, expected 2"),
        ("(01)0950600013435(17)261231(10)L", "01", "expected 14 digits"),
        ("(01)09506000134352(17)261331(10)L", "17", "month 13 out of range"),
        ("(01)09506000134352(17)261231(10)L(21)S€", "21", "character '€' not allowed"),
        ("(01)09506000134352(17)261231(10)" + "L" * 21, "10", "at most 20"),
        ("(01)09506000134352(17)261231(10)", "10", "is empty"),
        ("(01)09506000134352(17)261231(10)L(10)L", "10", "appears more than once"),
        ("(01)09506000134352(17)261231", "10", "lot/batch number missing"),
        ("(01)09506000134352(10)L", "17", "expiry date missing"),
        ("(17)261231(10)L", "01", "GTIN missing"),
        ("(01)09506000134352(17)261231(10)L(99)X", "99", "unsupported Application Identifier"),
        ("(01)09506000134352(17)261231(10)L\\x", "10", "character '\\\\' not allowed"),
        ("(01)09506000134352 (17)261231(10)L", "01", "expected 14 digits"),
        ("(1)09506000134352", "element_string", "expected '(AI)' at position 0"),
        ("0109506000134352172613311" "0L", "17", "month 13"),
        ("01095060001343521726123110L" + GS + "99X", "datamatrix", "unsupported Application Identifier"),
        ("010950600013435", "01", "expected 14 digits"),
        ("]d1010950600013435217261231" "10L", "datamatrix", "does not carry GS1 data"),
        ("]d2", "datamatrix", "no data"),
        ("01095060001343521726123110L" + GS + "21", "21", "is empty"),
        ("01095060001343521726123110L" + GS + "21A\x00B", "21", "character '\\x00' not allowed"),
        ("https://id.gs1.org/01/09506000134353/10/L?17=261231", "01", "check digit is 3"),
        ("https://id.gs1.org/01/09506000134352/10/L?17=261232&17=261231", "17", "more than once"),
        ("https://id.gs1.org/01/09506000134352/10/L", "17", "expiry date missing"),
        ("https://id.gs1.org/01/09506000134352/21/S?17=261231", "10", "lot/batch number missing"),
        ("https://id.gs1.org/01/09506000134352/21/S/10/L?17=261231", "10", "out of order"),
        ("https://id.gs1.org/01/09506000134352/10/L?17=261231&21=S", "21", "belongs in the URI path"),
        ("https://id.gs1.org/01/09506000134352/10/L%2?17=261231", "10", "malformed percent-encoding"),
        ("https://id.gs1.org/01/09506000134352/10/L%FF?17=261231", "10", "not valid UTF-8"),
        ("https://id.gs1.org/01/09506000134352/10/%E2%82%AC?17=261231", "10", "character '€'"),
        ("https://id.gs1.org/01/09506000134352/22/V/10/L?17=261231", "digital_link", "not supported"),
        ("https://id.gs1.org/414/9506000134352", "digital_link", "no /01/{gtin}"),
        ("https://id gs1.org/01/09506000134352/10/L?17=261231", "digital_link", "bad host"),
        ("https:/id.gs1.org/01/09506000134352/10/L?17=261231", "digital_link", "not an http(s) URI"),
        ("urn:epc:id:sgtin:9506000.013435.SN0001", "input", "not a GS1 element string"),
        ("", "input", "is empty"),
        ("   \r\n", "input", "is empty"),
    ],
)
def test_every_error_names_its_field(text, field, fragment):
    with raises_field(field, fragment):
        gs1.parse_any(text, today=TODAY)


@pytest.mark.parametrize("value", [None, 42, b"(01)09506000134352", ["x"]])
def test_non_strings_are_gs1_errors(value):
    with raises_field("input", "expected a string"):
        gs1.parse_any(value)  # type: ignore[arg-type]


def test_huge_input_is_refused_fast():
    start = time.perf_counter()
    with raises_field("input", "longer than 4096"):
        gs1.parse_any("(01)" + "9" * 1_000_000)
    with raises_field("10", "at most 20"):
        gs1.parse_any("0109506000134352" "17261231" "10" + "A" * 4000)
    assert time.perf_counter() - start < 0.5


# --------------------------------------------------------------------------- EPC URIs


def test_sgtin_and_lgtin_uris():
    # EPC Tag Data Standard example: GTIN 80614141123458, company prefix 0614141
    assert gs1.sgtin_uri("80614141123458", "6789") == "urn:epc:id:sgtin:0614141.812345.6789"
    assert gs1.sgtin_uri("09506000134352", "SN0001", 7) == "urn:epc:id:sgtin:9506000.013435.SN0001"
    assert gs1.sgtin_uri("09506000134352", "1", 9) == "urn:epc:id:sgtin:950600013.0435.1"
    assert gs1.lgtin_uri("09506000134352", "LOT42") == "urn:epc:class:lgtin:9506000.013435.LOT42"
    assert gs1.lgtin_uri("4006381333931", "L1", 12) == "urn:epc:class:lgtin:400638133393.0.L1"


def test_epc_uri_escapes_and_parses_back():
    serial = 'A/B"C%D&E<F>G?H'
    uri = gs1.sgtin_uri("09506000134352", serial)
    assert uri == "urn:epc:id:sgtin:9506000.013435.A%2FB%22C%25D%26E%3CF%3EG%3FH"
    assert gs1.parse_sgtin_uri(uri) == ("09506000134352", serial)
    assert gs1.parse_sgtin_uri("urn:epc:id:sgtin:0614141.812345.6789") == ("80614141123458", "6789")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: gs1.sgtin_uri("09506000134352", "S", 5), "company_prefix_length"),
        (lambda: gs1.sgtin_uri("09506000134352", "S", 13), "company_prefix_length"),
        (lambda: gs1.sgtin_uri("09506000134353", "S"), "gtin"),
        (lambda: gs1.sgtin_uri("09506000134352", "S S"), "21"),
        (lambda: gs1.lgtin_uri("09506000134352", ""), "10"),
        (lambda: gs1.parse_sgtin_uri("urn:epc:id:sgtin:0614141.81234.6789"), "sgtin"),
        (lambda: gs1.parse_sgtin_uri("urn:epc:id:sgtin:0614141.812345.67%2"), "21"),
        (lambda: gs1.gln_uri("123"), "gln"),
    ],
)
def test_epc_errors_name_their_field(call, field):
    with raises_field(field):
        call()


def test_digital_link_identifiers_for_epcis():
    assert gs1.dl_sgtin("4006381333931", "S/1") == "https://id.gs1.org/01/04006381333931/21/S%2F1"
    assert gs1.dl_lgtin("09506000134352", "LOT42") == "https://id.gs1.org/01/09506000134352/10/LOT42"
    assert gs1.gln_uri("9506000134352") == "https://id.gs1.org/414/9506000134352"
    assert gs1.gln_uri("9506000134352", party=True) == "https://id.gs1.org/417/9506000134352"


# --------------------------------------------------------------------------- property tests

CSET82_SORTED = "".join(sorted(gs1.CSET82))
low_year, high_year = TODAY.year - 49, TODAY.year + 50


@st.composite
def gtins(draw) -> str:
    body = draw(st.text("0123456789", min_size=13, max_size=13))
    return body + str(gs1.gtin_check_digit(body))


unit_codes = st.builds(
    UnitCode,
    gtin=gtins(),
    lot=st.text(CSET82_SORTED, min_size=1, max_size=20),
    expiry=st.dates(dt.date(low_year, 1, 1), dt.date(high_year, 12, 31)),
    serial=st.none() | st.text(CSET82_SORTED, min_size=1, max_size=20),
    production=st.none() | st.dates(dt.date(low_year, 1, 1), dt.date(high_year, 12, 31)),
)


@settings(max_examples=300, deadline=200)
@given(code=unit_codes, symbology=st.sampled_from([None, "]d2", "]C1", "]Q3"]))
def test_random_units_round_trip_all_forms(code, symbology):
    forms = [
        gs1.to_element_string(code, today=TODAY),
        gs1.to_datamatrix(code, symbology_id=symbology, today=TODAY),
        gs1.to_digital_link(code, base_uri="https://id.example.com/x", today=TODAY),
    ]
    for text in forms:
        assert gs1.parse_any(text, today=TODAY) == code


def _parse_or_gs1_error(text: str) -> None:
    try:
        result = gs1.parse_any(text, today=TODAY)
    except GS1Error as exc:
        assert exc.field, f"no field named in {exc!r}"
    else:
        assert isinstance(result, UnitCode)


@settings(max_examples=500, deadline=200)
@given(text=st.text(max_size=200))
def test_random_text_gives_unit_or_gs1_error(text):
    _parse_or_gs1_error(text)


GS1ISH = "()\\0123456789]dCQ2LOTSN%/?&=:#.-hpstxyz" + GS + "\u20ac"


@settings(max_examples=500, deadline=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    head=st.sampled_from(["", "(01)", "]d2", "01", "https://id.gs1.org/01/", "(", "http://x/01/0950600013435"]),
    text=st.text(GS1ISH, max_size=80),
)
def test_gs1_shaped_text_gives_unit_or_gs1_error(head, text):
    _parse_or_gs1_error(head + text)


@settings(max_examples=300, deadline=200)
@given(
    code=unit_codes,
    form=st.integers(0, 2),
    data=st.data(),
)
def test_mutated_valid_codes_give_unit_or_gs1_error(code, form, data):
    text = [gs1.to_element_string, gs1.to_datamatrix, gs1.to_digital_link][form](code, today=TODAY)
    pos = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.text(GS1ISH, max_size=3))
    cut = data.draw(st.integers(0, 3))
    _parse_or_gs1_error(text[:pos] + insert + text[pos + cut :])
