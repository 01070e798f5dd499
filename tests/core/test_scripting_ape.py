"""Scripts under `ape run`: the chain is Ape's connected provider, found through
``ape.chain.provider.web3``. Ape is not installed here: a fake ``ape`` module stands in for it
(only its presence in ``sys.modules`` and ``ape.chain.provider`` are used)."""

from __future__ import annotations

import sys
import types

import pytest

import medchain.scenarios as scenarios
from medchain.core import scripting
from medchain.core.errors import ConfigurationError

URL = "http://127.0.0.1:41234"


class NotConnected(Exception):
    """What Ape raises when ``chain.provider`` is read with no provider connected."""


def fake_ape(*, url: str | None = URL, connected: bool = True, provider: bool = True) -> types.ModuleType:
    module = types.ModuleType("ape")

    class Chain:
        @property
        def provider(self):
            if not provider:
                raise NotConnected("no provider")
            web3_provider = types.SimpleNamespace(**({"endpoint_uri": url} if url is not None else {}))
            return types.SimpleNamespace(name="foundry" if url else "test", is_connected=connected,
                                         web3=types.SimpleNamespace(provider=web3_provider))

    module.chain = Chain()  # type: ignore[attr-defined]
    return module


@pytest.fixture(autouse=True)
def no_framework(monkeypatch):
    """Neither Brownie nor Ape in this process unless a test installs the fake."""
    monkeypatch.delitem(sys.modules, "brownie", raising=False)
    monkeypatch.delitem(sys.modules, "ape", raising=False)
    monkeypatch.setattr(sys, "argv", ["ape", "run", "participants"])


def test_without_ape_the_script_takes_its_chain_and_its_options():
    assert scripting.ape_endpoint() is None
    assert scripting.script_chain(None) == "embedded" and scripting.script_chain("anvil") == "anvil"
    assert scripting.script_argv(None) == ["run", "participants"]


def test_under_ape_run_the_chain_is_apes_provider(monkeypatch):
    monkeypatch.setitem(sys.modules, "ape", fake_ape())
    assert scripting.ape_endpoint() == URL
    assert scripting.script_chain(None) == URL and scripting.script_chain(URL) == URL
    assert scripting.script_argv(None) == []  # Ape's own command line is no script option
    assert scripting.script_argv(["--chain", "anvil"]) == ["--chain", "anvil"]


def test_a_websocket_provider_is_used_by_its_url(monkeypatch):
    monkeypatch.setitem(sys.modules, "ape", fake_ape(url="ws://127.0.0.1:8546"))
    assert scripting.script_chain(None) == "ws://127.0.0.1:8546"


@pytest.mark.parametrize("state", [{"provider": False}, {"connected": False}])
def test_ape_imported_but_not_connected_is_no_ape_run(monkeypatch, state):
    monkeypatch.setitem(sys.modules, "ape", fake_ape(**state))
    assert scripting.ape_endpoint() is None
    assert scripting.script_chain("anvil") == "anvil"


def test_an_explicit_other_chain_under_ape_run_is_refused(monkeypatch):
    monkeypatch.setitem(sys.modules, "ape", fake_ape())
    with pytest.raises(ConfigurationError, match=r"--chain anvil given under `ape run`.*ape run --network"):
        scripting.script_chain("anvil")


def test_apes_in_process_test_provider_has_no_url_to_share(monkeypatch):
    monkeypatch.setitem(sys.modules, "ape", fake_ape(url=None))
    with pytest.raises(ConfigurationError, match=r"Ape's provider 'test' has no HTTP or WebSocket URL.*foundry"):
        scripting.script_chain(None)


def test_a_half_imported_ape_is_ignored(monkeypatch):
    monkeypatch.setitem(sys.modules, "ape", types.ModuleType("ape"))  # no `chain` attribute
    assert scripting.ape_endpoint() is None


def test_brownie_comes_first_when_both_are_connected(monkeypatch):
    monkeypatch.setitem(sys.modules, "ape", fake_ape())
    monkeypatch.setattr(scripting, "brownie_endpoint", lambda: "http://127.0.0.1:8545")
    assert scripting.script_chain(None) == "http://127.0.0.1:8545"


def test_a_scenario_script_runs_on_apes_provider(monkeypatch):
    monkeypatch.setitem(sys.modules, "ape", fake_ape())
    calls = []
    monkeypatch.setattr(scenarios, "run", lambda names, chain: calls.append((names, chain)) or {names[0]: {"ok": True}})
    assert scenarios.script_main("participants") == {"ok": True}
    assert calls == [(["participants"], URL)]
