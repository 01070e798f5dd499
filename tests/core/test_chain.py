"""Chains: connection by URL (http and ws), local node lifecycle, time control."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from medchain.core.chain import LocalNode, connect, free_port
from medchain.core.errors import ChainUnreachableError, ConfigurationError
from tests.conftest import require_node_tool

pytestmark = pytest.mark.both_backends  # snapshots, time travel and mining differ between nodes (tests/conftest.py)

# A program that starts Anvil the way a user's script does. Ctrl-C is restored to Python's own
# handler first: a shell that starts a job in the background hands it SIGINT ignored, as a terminal
# never would.
CHILD = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from medchain.core.chain import connect
chain = connect("anvil")
print(chain.endpoint, flush=True)
sys.stdin.readline()
if sys.argv[1] == "raise":
    raise RuntimeError("boom")
time.sleep(60)
"""


def answers(url: str) -> bool:
    try:
        return requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=1).ok
    except requests.RequestException:
        return False


def _start_child(mode: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:") and answers(url)
    return proc, url


def _gone(url: str, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not answers(url):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.anvil
@pytest.mark.parametrize("how", ["exception", "ctrl-c", "parent killed"])
def test_a_started_node_stops_with_the_process_that_started_it(how):
    require_node_tool("anvil")
    proc, url = _start_child("raise" if how == "exception" else "sleep")
    if how == "exception":
        proc.stdin.write("go\n")
        proc.stdin.flush()
    elif how == "ctrl-c":
        proc.send_signal(signal.SIGINT)
    elif how == "parent killed":
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert _gone(url), f"the node at {url} outlived its parent ({how})"


@pytest.mark.anvil
def test_nodes_bind_loopback_on_a_free_port():
    require_node_tool("anvil")
    with LocalNode("anvil") as a, LocalNode("anvil") as b:
        assert a.port != b.port and a.url.startswith("http://127.0.0.1:") and answers(a.url) and answers(b.url)


@pytest.mark.anvil
def test_websocket_urls_work():
    require_node_tool("anvil")
    with LocalNode("anvil") as node:
        chain = connect(node.url.replace("http://", "ws://"))
        assert (chain.kind, chain.chain_id) == ("url", 31337) and chain.w3.eth.block_number == 0


def test_unknown_specs_and_dead_urls_are_clear_errors():
    with pytest.raises(ConfigurationError, match="unknown chain 'ropsten'"):
        connect("ropsten")
    with pytest.raises(ChainUnreachableError, match="no Ethereum node answers"):
        connect(f"http://127.0.0.1:{free_port()}", timeout=2)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_the_next_block_timestamp_can_be_set(world, offset):
    target = world.chain.now() + 1000 + offset
    world.chain.set_next_block_timestamp(target)
    receipt = world.sender("governance").transact(to=world.address("hospital_a"), value=1, gas=21000)
    assert world.chain.w3.eth.get_block(receipt.block_number)["timestamp"] == target


def test_mining_at_a_timestamp(world):
    target = world.chain.now() + 5000
    world.chain.mine(target)
    assert world.chain.now() == target
