"""FHIR server sign-in (SMART Backend Services, ES256K client assertions): every refusal with its
status and OperationOutcome, over real HTTP; token expiry with an injected clock (TestClient)."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir.resources.R4B import get_fhir_model_class

from medchain.consent.fhir.app import create_app
from medchain.consent.fhir.auth import ASSERTION_TYPE, TOKEN_LIFETIME, make_client_assertion
from medchain.consent.fhir.service import FhirService
from medchain.core.accounts import dev_account
from medchain.core.crypto import KeyVault
from medchain.core.storage import EmbeddedStore
from medchain.participants import ParticipantsClient
from tests.consent.fhir_support import assertion_form, serve

PATIENT = "patient_1"


@pytest.fixture
def fhir(world, tmp_path):
    """A FHIR server over HTTP serving hospitals A and B."""
    yield from serve(world, EmbeddedStore(tmp_path / "ipfs"), KeyVault(tmp_path / "vault"))


def outcome(response: requests.Response | object, status: int, code: str | None = None) -> str:
    """Assert an OperationOutcome error response; return its diagnostics."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["resourceType"] == "OperationOutcome"
    get_fhir_model_class("OperationOutcome").model_validate(body)
    issue = body["issue"][0]
    if code:
        assert issue["code"] == code, issue
    return str(issue["diagnostics"])


def test_metadata_is_open_and_a_valid_capability_statement(fhir):
    r = requests.get(f"{fhir.base}/metadata", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    cap = r.json()
    get_fhir_model_class("CapabilityStatement").model_validate(cap)
    token = cap["rest"][0]["security"]["extension"][0]["extension"][0]["valueUri"]
    assert token == fhir.token_url


def test_a_request_without_a_token_is_401_with_an_operation_outcome(fhir):
    patient = fhir.world.address(PATIENT)
    r = requests.get(f"{fhir.base}/Observation", params={"patient": patient}, timeout=30)
    assert "bearer token is required" in outcome(r, 401, "login")
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = requests.get(f"{fhir.base}/Observation", params={"patient": patient},
                     headers={"Authorization": "Bearer not-a-token"}, timeout=30)
    assert "unknown bearer token" in outcome(r, 401)


def test_a_signed_assertion_buys_a_short_lived_token(fhir):
    r = requests.post(fhir.token_url, data=assertion_form(fhir.world.account("hospital_a"), fhir.token_url), timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and 0 < body["expires_in"] <= TOKEN_LIFETIME
    assert r.headers["cache-control"] == "no-store"
    r = requests.get(f"{fhir.base}/Consent", params={"patient": fhir.world.address(PATIENT)},
                     headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=30)
    assert r.status_code == 200 and r.json()["type"] == "searchset"


def test_a_replayed_assertion_is_401(fhir):
    form = assertion_form(fhir.world.account("hospital_a"), fhir.token_url)
    assert requests.post(fhir.token_url, data=form, timeout=30).status_code == 200
    assert "replayed" in outcome(requests.post(fhir.token_url, data=form, timeout=30), 401, "security")


@pytest.mark.parametrize("case", ["expired", "too-long", "wrong-aud", "other-key", "iss-not-sub", "hs256", "garbage",
                                  "wrong-type"])
def test_a_bad_assertion_is_401(fhir, case):
    a = fhir.world.account("hospital_a")
    url = fhir.token_url
    form = assertion_form(a, url)
    now = int(time.time())
    if case == "expired":
        form = assertion_form(a, url, now=now - 600)
    elif case == "too-long":
        form = assertion_form(a, url, lifetime=3600)
    elif case == "wrong-aud":
        form = assertion_form(a, "http://elsewhere.example/token")
    elif case == "other-key":  # claims to be hospital A, signed by hospital B's key
        b = fhir.world.account("hospital_b")
        claims = {"iss": a.address, "sub": a.address, "aud": url, "exp": now + 120, "jti": "x1"}
        from medchain.consent.fhir.auth import _private_key

        form["client_assertion"] = jwt.encode(claims, _private_key(b), algorithm="ES256K")
    elif case == "iss-not-sub":
        from medchain.consent.fhir.auth import _private_key

        claims = {"iss": a.address, "sub": fhir.world.address("hospital_b"), "aud": url, "exp": now + 120, "jti": "x2"}
        form["client_assertion"] = jwt.encode(claims, _private_key(a), algorithm="ES256K")
    elif case == "hs256":
        claims = {"iss": a.address, "sub": a.address, "aud": url, "exp": now + 120, "jti": "x3"}
        form["client_assertion"] = jwt.encode(claims, "shared-secret-guess-" * 2, algorithm="HS256")
    elif case == "garbage":
        form["client_assertion"] = "not.a.jwt"
    elif case == "wrong-type":
        form["client_assertion_type"] = "urn:example:password"
    r = requests.post(url, data=form, timeout=30)
    outcome(r, 400 if case == "wrong-type" else 401)


def test_a_suspended_organisation_is_403_at_sign_in_and_at_once_on_its_token(fhir):
    token = fhir.token("hospital_b")
    ParticipantsClient(fhir.world.suite, fhir.world.sender("governance")).suspend(
        fhir.world.address("hospital_b"), "audit")
    r = requests.get(f"{fhir.base}/Consent", params={"patient": fhir.world.address(PATIENT)},
                     headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert "suspended" in outcome(r, 403, "forbidden")
    r = requests.post(fhir.token_url, data=assertion_form(fhir.world.account("hospital_b"), fhir.token_url), timeout=30)
    assert "suspended" in outcome(r, 403)


def test_an_organisation_whose_key_the_server_lacks_is_403(fhir):
    r = requests.post(fhir.token_url, data=assertion_form(fhir.world.account("hospital_c"), fhir.token_url), timeout=30)
    assert "holds no key" in outcome(r, 403, "forbidden")
    r = requests.post(fhir.token_url, data=assertion_form(dev_account(77), fhir.token_url), timeout=30)
    assert outcome(r, 403)  # not served either: the key check comes first, it needs no chain call


def test_a_patient_key_held_by_the_server_still_cannot_sign_in(world, tmp_path):
    base = "http://testserver/fhir"
    service = FhirService(world.suite, EmbeddedStore(tmp_path / "ipfs"), KeyVault(tmp_path / "v"),
                          [world.account(PATIENT), dev_account(77)])
    client = TestClient(_mounted(service, base))
    r = client.post("/fhir/auth/token", data=assertion_form(world.account(PATIENT), f"{base}/auth/token"))
    assert "not an organisation" in outcome(r, 401)
    r = client.post("/fhir/auth/token", data=assertion_form(dev_account(77), f"{base}/auth/token"))
    assert "not registered" in outcome(r, 401)


def _mounted(service: FhirService, base: str, clock=time.time) -> FastAPI:  # type: ignore[no-untyped-def]
    root = FastAPI()
    root.mount("/fhir", create_app(service, base_url=base, clock=clock))
    return root


def test_an_expired_token_is_401(world, tmp_path):
    now = [time.time()]
    base = "http://testserver/fhir"
    service = FhirService(world.suite, EmbeddedStore(tmp_path / "ipfs"), KeyVault(tmp_path / "v"),
                          [world.account("hospital_a")])
    client = TestClient(_mounted(service, base, clock=lambda: now[0]))
    form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": make_client_assertion(world.account("hospital_a"), f"{base}/auth/token")}
    token = client.post("/fhir/auth/token", data=form).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    params = {"patient": world.address(PATIENT)}
    assert client.get("/fhir/AuditEvent", params=params, headers=headers).status_code == 200
    now[0] += TOKEN_LIFETIME + 1
    assert "expired" in outcome(client.get("/fhir/AuditEvent", params=params, headers=headers), 401, "expired")


def test_serve_mounts_the_fhir_server_ahead_of_the_portals_catch_all(world, tmp_path):
    from medchain.consent.fhir.app import mount
    from medchain.drugs.portal.app import create_app as portal_app
    from medchain.drugs.portal.service import SerialStore

    portal = portal_app(world.suite, SerialStore(tmp_path / "serials"), base_url="http://testserver")
    service = FhirService(world.suite, EmbeddedStore(tmp_path / "ipfs"), KeyVault(tmp_path / "v"),
                          [world.account("hospital_a")])
    mount(portal, service, base_url="http://testserver/fhir")
    client = TestClient(portal)
    r = client.get("/fhir/metadata")
    assert r.status_code == 200 and r.json()["resourceType"] == "CapabilityStatement"
    outcome(client.get("/fhir/Observation", params={"patient": world.address(PATIENT)}), 401, "login")
    form = assertion_form(world.account("hospital_a"), "http://testserver/fhir/auth/token")
    assert client.post("/fhir/auth/token", data=form).status_code == 200
    assert client.get("/").status_code == 200  # the portal still answers


def test_an_unexpected_error_is_a_500_outcome_logged_by_type_only(world, tmp_path, caplog):
    base = "http://testserver/fhir"
    service = FhirService(world.suite, EmbeddedStore(tmp_path / "ipfs"), KeyVault(tmp_path / "v"),
                          [world.account("hospital_a")])

    def crash(patient):  # type: ignore[no-untyped-def]
        raise RuntimeError("HbA1c 8.1 % for the patient")  # a message that quotes clinical data

    service.audit_events = crash  # type: ignore[method-assign]
    client = TestClient(_mounted(service, base), raise_server_exceptions=False)
    token = client.post("/fhir/auth/token", data=assertion_form(world.account("hospital_a"),
                                                                 f"{base}/auth/token")).json()["access_token"]
    r = client.get("/fhir/AuditEvent", params={"patient": world.address(PATIENT)},
                   headers={"Authorization": f"Bearer {token}"})
    assert "RuntimeError" in outcome(r, 500, "exception")
    assert "HbA1c" not in r.text and "HbA1c" not in caplog.text and "RuntimeError" in caplog.text


def test_an_oversized_token_request_is_refused(world, tmp_path):
    service = FhirService(world.suite, EmbeddedStore(tmp_path / "ipfs"), KeyVault(tmp_path / "v"),
                          [world.account("hospital_a")])
    client = TestClient(_mounted(service, "http://testserver/fhir"))
    outcome(client.post("/fhir/auth/token", content=b"a=" + b"x" * 20_000), 400, "too-long")
