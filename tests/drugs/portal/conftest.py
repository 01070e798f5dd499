"""Portal fixtures: one embedded chain per session with every drug situation (``portal.demo``),
the app on it (FastAPI's TestClient), and ``medchain serve --demo`` as a real server process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from medchain.core.chain import connect, free_port
from medchain.core.standards import gs1
from medchain.drugs.portal.app import create_app
from medchain.scenarios.portal import seed
from tests.conftest import ROOT, node_tool

ARTIFACTS = ROOT / "test-artifacts" / "portal"


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The seeded suite, serial store and one code per situation."""
    chain = connect("embedded")
    yield seed(chain, tmp_path_factory.mktemp("portal"))
    chain.close()


@pytest.fixture(scope="session")
def client(demo):
    with TestClient(create_app(demo.suite, demo.store)) as c:
        yield c


def link(unit: gs1.UnitCode) -> str:
    """The Digital Link path of a code on the portal."""
    return gs1.to_digital_link(unit, base_uri="http://portal").removeprefix("http://portal")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """``medchain serve --demo`` on 127.0.0.1 and a free port: ``(base URL, {situation: URL})``;
    stopped (by its process id) at the end of the session. It runs on an Anvil it starts when
    node_modules has one (reads in milliseconds), else on its embedded chain."""
    port = free_port()
    chain = "anvil" if node_tool("anvil").exists() else "embedded"
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "medchain.cli", "--chain", chain, "serve", "--demo",
                                 "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                pytest.fail(f"medchain serve exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"medchain serve did not answer within 300 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        urls = dict(re.findall(r"^  (\w+)\s+(http://\S+)$", log.read_text(), re.M))
        yield base, urls
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
