"""Chains: the embedded one (eth-tester + py-evm, in process), local Anvil and Ganache nodes started
from the checkout's ``node_modules``, or any existing node by URL.

``connect("embedded" | "anvil" | "ganache" | "http://…" | "ws://…")`` returns a :class:`Chain`.
Local nodes bind 127.0.0.1 on a free port and are stopped when the chain is closed, when the
interpreter exits (also on Ctrl-C and exceptions) and, on Linux, when the parent process dies.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from web3 import Web3
from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint

from medchain.core.errors import ChainUnreachableError, ConfigurationError, NodeStartError

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_HD_PATH = "m/44'/60'/0'/0"
LOCAL_KINDS = ("embedded", "anvil", "ganache")
#: Chain ids of development chains, where deterministic development accounts are allowed.
DEV_CHAIN_IDS = {31337, 1337, 131277322940537}
EMBEDDED_GAS_LIMIT = 30_000_000
#: Funded development accounts on every local chain (the scenario cast uses them).
DEV_ACCOUNTS = 20


@dataclass
class Chain:
    """A connection to one chain.

    Attributes:
        w3: The web3 instance.
        kind: ``embedded``, ``anvil``, ``ganache`` or ``url``.
        endpoint: The node's URL (``embedded`` for the in-process chain).
        chain_id: The chain id, read once at connection.
    """

    w3: Web3
    kind: str
    endpoint: str
    chain_id: int
    _process: LocalNode | None = None
    _tester: Any = None
    nonces: dict[str, int] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        """True for a development chain (deterministic accounts and time travel allowed)."""
        return self.kind in LOCAL_KINDS or self.chain_id in DEV_CHAIN_IDS

    def snapshot(self) -> Any:
        """Take a state snapshot (local chains only); :meth:`revert` returns to it."""
        if self._tester is not None:
            return self._tester.take_snapshot()
        return self.w3.provider.make_request(RPCEndpoint("evm_snapshot"), [])["result"]

    def revert(self, snapshot_id: Any) -> None:
        """Return to a snapshot; cached nonces are dropped because they may be ahead of the chain."""
        if self._tester is not None:
            self._tester.revert_to_snapshot(snapshot_id)
        else:
            result = self.w3.provider.make_request(RPCEndpoint("evm_revert"), [snapshot_id])
            if not result.get("result"):
                raise ConfigurationError(f"snapshot {snapshot_id} could not be restored: {result}")
        self.nonces.clear()

    def mine(self, timestamp: int | None = None) -> None:
        """Mine one block, at ``timestamp`` when given (local chains only)."""
        if self._tester is not None:
            if timestamp is not None:
                self.set_next_block_timestamp(timestamp)
            self._tester.mine_blocks(1)
            return
        if timestamp is not None:
            self.set_next_block_timestamp(timestamp)
        self._rpc("evm_mine", [])

    def set_next_block_timestamp(self, timestamp: int) -> None:
        """Make the next block (e.g. the next transaction's) carry ``timestamp``."""
        if self._tester is not None:
            # The pending block's header is what eth-tester mines next (its time_travel is off by one).
            self._tester.backend.chain.header = self._tester.backend.chain.header.copy(timestamp=timestamp)
            return
        try:
            self._rpc("evm_setNextBlockTimestamp", [timestamp])
        except ConfigurationError:
            # Ganache 7 lacks it: set its clock (milliseconds) to the start of that second; blocks
            # carry the clock's second, so the next one carries `timestamp` if mined within it.
            self._rpc("evm_setTime", [timestamp * 1000])

    def now(self) -> int:
        """The latest block's timestamp."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def _rpc(self, method: str, params: list[Any]) -> Any:
        response = self.w3.provider.make_request(RPCEndpoint(method), params)
        if "error" in response:
            raise ConfigurationError(f"{self.kind} does not support {method}: {response['error']}")
        return response.get("result")

    def close(self) -> None:
        """Stop the node this chain started, if any."""
        if self._process is not None:
            self._process.stop()
            self._process = None

    def __enter__(self) -> Chain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(spec: str = "embedded", *, timeout: float = 10.0) -> Chain:
    """Connect to a chain.

    Args:
        spec: ``embedded`` (default), ``anvil``, ``ganache`` (started locally), or a node URL
            (``http(s)://…``, ``ws(s)://…``).
        timeout: Seconds to wait for a node to answer.

    Returns:
        The connected chain.

    Raises:
        ConfigurationError: unknown spec.
        NodeStartError: a local node could not be started.
        ChainUnreachableError: no node answers at the URL.
    """
    if spec == "embedded":
        return _embedded()
    if spec in ("anvil", "ganache"):
        node = LocalNode(spec)
        node.start(timeout)
        try:
            chain = _from_url(node.url, timeout, kind=spec)
        except Exception:
            node.stop()
            raise
        chain._process = node
        return chain
    if spec.startswith(("http://", "https://", "ws://", "wss://")):
        return _from_url(spec, timeout, kind="url")
    raise ConfigurationError(f"unknown chain {spec!r}: use embedded, anvil, ganache or a node URL (http://…, ws://…)")


def _embedded() -> Chain:
    from eth_tester import EthereumTester, PyEVMBackend
    from web3 import EthereumTesterProvider

    params = PyEVMBackend.generate_genesis_params(overrides={"gas_limit": EMBEDDED_GAS_LIMIT})
    state = PyEVMBackend.generate_genesis_state(num_accounts=DEV_ACCOUNTS, mnemonic=DEV_MNEMONIC, hd_path=DEV_HD_PATH)
    backend = PyEVMBackend(genesis_parameters=params, genesis_state=state, mnemonic=DEV_MNEMONIC, hd_path=DEV_HD_PATH)
    tester = EthereumTester(backend)
    w3 = Web3(EthereumTesterProvider(tester))
    # eth-tester charges calls to their sender: read-only calls go from a funded account.
    w3.eth.default_account = w3.eth.accounts[0]
    return Chain(w3=w3, kind="embedded", endpoint="embedded", chain_id=w3.eth.chain_id, _tester=tester)


def _from_url(url: str, timeout: float, kind: str) -> Chain:
    if url.startswith(("ws://", "wss://")):
        provider: Any = SyncWebSocketProvider(url, timeout)
    else:
        provider = Web3.HTTPProvider(url, request_kwargs={"timeout": timeout})
    w3 = Web3(provider)
    try:
        chain_id = w3.eth.chain_id
    except Exception as exc:  # noqa: BLE001 - requests/websockets raise many types
        raise ChainUnreachableError(f"no Ethereum node answers at {url} ({type(exc).__name__})") from None
    return Chain(w3=w3, kind=kind, endpoint=url, chain_id=chain_id)


class SyncWebSocketProvider(JSONBaseProvider):
    """JSON-RPC over one WebSocket, synchronously (web3 8 has only an async WebSocket provider)."""

    def __init__(self, url: str, timeout: float = 10.0):
        super().__init__()
        self.url = url
        self.timeout = timeout
        self._conn: Any = None
        self._lock = threading.Lock()

    def _exchange(self, payload: bytes) -> bytes:
        from websockets.sync.client import connect as ws_connect

        with self._lock:
            if self._conn is None:
                self._conn = ws_connect(self.url, open_timeout=self.timeout, max_size=None).__enter__()
            self._conn.send(payload.decode())
            raw = self._conn.recv(timeout=self.timeout)
        return raw.encode() if isinstance(raw, str) else raw

    def make_request(self, method: Any, params: Any) -> Any:
        return self.decode_rpc_response(self._exchange(self.encode_rpc_request(method, params)))

    def make_batch_request(self, requests: list[tuple[Any, Any]]) -> Any:
        return self.decode_rpc_response(self._exchange(self.encode_batch_rpc_request(requests)))

    def is_connected(self, show_traceback: bool = False) -> bool:
        try:
            return "result" in self.make_request("web3_clientVersion", [])
        except Exception:  # noqa: BLE001 - websockets and JSON decoding raise many types: all mean not connected
            if show_traceback:
                raise
            return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    os.setsid()
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


_running: set[LocalNode] = set()


@atexit.register
def _stop_all() -> None:
    for node in list(_running):
        node.stop()


class LocalNode:
    """An Anvil or Ganache process on 127.0.0.1, a free port, the development mnemonic."""

    def __init__(self, kind: str, port: int | None = None, *, chain_id: int | None = None):
        self.kind = kind
        self.port = port or free_port()
        self.chain_id = chain_id or (31337 if kind == "anvil" else 1337)
        self.process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        from medchain.core.project import node_bin

        if self.kind == "anvil":
            return [str(node_bin("anvil")), "--host", "127.0.0.1", "--port", str(self.port), "--prune-history",
                    "--mnemonic", DEV_MNEMONIC, "--chain-id", str(self.chain_id), "--accounts", str(DEV_ACCOUNTS),
                    "--balance", "1000000", "--gas-limit", str(EMBEDDED_GAS_LIMIT)]
        return [str(node_bin("ganache")), "--server.host", "127.0.0.1", "--server.port", str(self.port),
                "--wallet.mnemonic", DEV_MNEMONIC, "--wallet.totalAccounts", str(DEV_ACCOUNTS),
                "--wallet.defaultBalance", "1000000", "--chain.chainId", str(self.chain_id),
                "--chain.networkId", str(self.chain_id), "--chain.hardfork", "shanghai",
                "--miner.blockGasLimit", str(EMBEDDED_GAS_LIMIT), "--logging.quiet"]

    def start(self, timeout: float = 30.0) -> None:
        """Start the node and wait until it answers JSON-RPC.

        Raises:
            NodeStartError: the process exited or did not answer within ``timeout``.
        """
        if self.kind not in ("anvil", "ganache"):
            raise ConfigurationError(f"cannot start a local {self.kind!r} node")
        try:
            self.process = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        except OSError as exc:
            raise NodeStartError(f"cannot start {self.kind}: {exc}") from None
        _running.add(self)
        deadline = time.monotonic() + max(timeout, 30.0 if self.kind == "ganache" else timeout)
        w3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 2}))
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.seek(0)
                tail = self._log.read().decode(errors="replace").strip().splitlines()[-3:]
                _running.discard(self)
                raise NodeStartError(f"{self.kind} exited with code {self.process.returncode}: {' | '.join(tail)}")
            try:
                _ = w3.eth.chain_id  # a request: answers once the node is up
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        self.stop()
        raise NodeStartError(f"{self.kind} did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the node (SIGTERM to its process group, SIGKILL after 5 s)."""
        proc, self.process = self.process, None
        _running.discard(self)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass

    def __enter__(self) -> LocalNode:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
