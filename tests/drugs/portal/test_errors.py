"""Bad input gets a helpful page (HTML) or JSON error and a 4xx, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GOOD = "/01/09506000134352/10/FLU24B/21/FLB000050?17=271231"
BAD = [  # path, status, field
    ("/01/0950600013435/10/A/21/B?17=271231", 400, "01"),  # 13 digits: not a GTIN-13 check digit
    ("/01/09506000134353/10/A/21/B?17=271231", 400, "01"),  # wrong check digit
    ("/01/095060001343AB/10/A/21/B?17=271231", 400, "digital_link"),  # letters: no /01/{gtin} key
    ("/01/09506000134352/10/A/21/B?17=271332", 400, "17"),  # month 13
    ("/01/09506000134352/10/A/21/B?17=270231", 400, "17"),  # 31 February
    ("/01/09506000134352/10/A/21/B?17=2712", 400, "17"),
    ("/01/09506000134352/10/A/21/B", 400, "17"),  # no expiry
    ("/01/09506000134352/10/" + "L" * 21 + "/21/B?17=271231", 400, "10"),
    ("/01/09506000134352/10/A/21/%ZZ?17=271231", 400, "21"),
    ("/01/09506000134352/21/B/10/A?17=271231", 400, "10"),  # out of order
    ("/01/09506000134352/10/A/21/B?10=X&17=271231", 400, "10"),
    ("/nothing/here", 404, None),
    ("/batches/09506000134352/NOLOT", 404, None),
    ("/batches/09506000134353/FLU24B", 400, "gtin"),
    ("/shipments/0x12/chart.png", 400, None),
    ("/shipments/0x" + "00" * 32 + "/chart.png", 404, None),
]


@pytest.mark.parametrize("path,status,field", BAD)
def test_bad_input_gets_a_helpful_page_and_a_4xx(client, path, status, field):
    page = client.get(path)
    assert page.status_code == status and "text/html" in page.headers["content-type"]
    assert 'data-status="error"' in page.text and "无法处理此请求" in page.text


@pytest.mark.parametrize("path,status,field", [case for case in BAD if case[0].startswith("/01/")])
def test_a_bad_link_gets_a_json_error_naming_the_field_under_api(client, path, status, field):
    answer = client.get("/api" + path)
    body = answer.json()
    assert answer.status_code == body["status"] == status and body["field"] == field
    assert body["message"]["en"] and body["message"]["zh"]


def test_the_error_names_the_bad_field(client):
    body = client.get("/api/01/09506000134353/10/A/21/B?17=271231").json()
    assert body["field"] == "01" and "check digit" in body["message"]["en"]


def test_an_unknown_product_is_an_answer_not_an_error(client):
    body = client.get("/api/01/04006381333931/10/A/21/B?17=271231").json()
    assert body["status"] == "unknown_serial" and body["reason"] == "unknown_product"


def test_markup_in_a_code_is_shown_as_text_not_run(client):
    page = client.get("/01/09506000134352/10/%3Cscript%3E/21/B?17=271231").text
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_post_is_refused_with_405(client):
    assert client.post(GOOD).status_code == 405 and client.post("/api" + GOOD).json()["error"] == "method_not_allowed"


SEGMENT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=24).map(lambda s: quote(s, safe=""))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gtin=st.one_of(SEGMENT, st.from_regex(r"[0-9]{8,15}", fullmatch=True)), lot=SEGMENT, serial=SEGMENT,
       expiry=st.one_of(SEGMENT, st.from_regex(r"[0-9]{6}", fullmatch=True)), api=st.booleans())
def test_no_link_makes_the_portal_fail(client, gtin, lot, serial, expiry, api):
    answer = client.get(f"{'/api' if api else ''}/01/{gtin}/10/{lot}/21/{serial}?17={expiry}")
    assert answer.status_code in (200, 400, 404, 503)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(SEGMENT.filter(bool), max_size=6).map("/".join))
def test_no_path_makes_the_portal_fail(client, path):
    assert client.get("/" + path).status_code in (200, 303, 400, 404, 503)
