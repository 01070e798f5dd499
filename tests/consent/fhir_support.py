"""Shared fixtures of the FHIR server tests: the server in process (uvicorn on 127.0.0.1, a free
port), sign-in helpers, and records written the way the server stores them."""

from __future__ import annotations

import copy
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests

from medchain.consent import ConsentClient, RecordsClient
from medchain.consent.fhir.auth import ASSERTION_TYPE, make_client_assertion
from medchain.core.crypto import KeyVault
from medchain.core.standards.consent_codes import CATEGORY_SYSTEM
from medchain.core.standards.fhir import ETHEREUM_ADDRESS_SYSTEM
from medchain.core.storage import EmbeddedStore
from medchain.scenarios import ScenarioContext

#: The organisations whose keys the test server holds.
SERVED = ("hospital_a", "hospital_b")


@dataclass
class Server:
    """A running FHIR server and what it works on."""

    base: str
    world: ScenarioContext
    store: EmbeddedStore
    vault: KeyVault
    service: Any

    @property
    def token_url(self) -> str:
        return f"{self.base}/auth/token"

    def token(self, who: str = "hospital_a") -> str:
        """Sign in as ``who`` (a cast role) and return the bearer token."""
        r = requests.post(self.token_url, data=assertion_form(self.world.account(who), self.token_url), timeout=30)
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def records(self, who: str = "hospital_a") -> RecordsClient:
        return RecordsClient(self.world.suite, self.world.sender(who), self.store, self.vault)

    def consent(self, who: str = "patient_1") -> ConsentClient:
        return ConsentClient(self.world.suite, self.world.sender(who))


def assertion_form(account: Any, token_url: str, **kwargs: Any) -> dict[str, str]:
    """The token request's form fields for ``account``."""
    return {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": make_client_assertion(account, token_url, **kwargs)}


def tagged(resource: dict[str, Any], patient: str, category: str) -> dict[str, Any]:
    """``resource`` naming its patient (subject.identifier) and MedChain category (meta.tag) in itself."""
    out = copy.deepcopy(resource)
    out["subject"] = {**out.get("subject", {}), "identifier": {"system": ETHEREUM_ADDRESS_SYSTEM, "value": patient}}
    out["meta"] = {"tag": [{"system": CATEGORY_SYSTEM, "code": category}]}
    return out


def serve(world: ScenarioContext, store: EmbeddedStore, vault: KeyVault, served=SERVED):  # type: ignore[no-untyped-def]
    """Start the FHIR server (mounted at /fhir as ``medchain serve --fhir`` does); a generator that stops it."""
    import uvicorn
    from fastapi import FastAPI

    from medchain.consent.fhir.app import create_app
    from medchain.consent.fhir.service import FhirService

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}/fhir"
    service = FhirService(world.suite, store, vault, [world.account(r) for r in served])
    root = FastAPI()
    root.mount("/fhir", create_app(service, base_url=base))
    server = uvicorn.Server(uvicorn.Config(root, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the FHIR server did not start"
        time.sleep(0.02)
    try:
        yield Server(base, world, store, vault, service)
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()
