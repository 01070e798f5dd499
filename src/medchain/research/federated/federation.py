"""Run a compute licence's training on a local Flower federation: one SuperLink and one SuperNode
per hospital, each a separate process on 127.0.0.1, driven by ``flwr run``.

The Flower executables come from the Flower environment (``make flower`` builds ``.venv-flower``:
Flower pins versions of FastAPI and others that the main environment does not share). The
coordinator (this process) waits for each round's record, lets ``on_round`` record it (on chain),
then releases the next round.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from medchain.core.errors import MedChainError

__all__ = ["APP_DIR", "Federation", "FederationError", "RoundRecord", "flower_bin"]

log = logging.getLogger(__name__)

APP_DIR = Path(__file__).parent / "app"
#: the Flower environment's bin folder, found beside the project (``make flower``) or named by MEDCHAIN_FLOWER_BIN
_DEFAULT_BIN = Path(__file__).resolve().parents[4] / ".venv-flower" / "bin"


class FederationError(MedChainError):
    """The federation could not start, or a run failed (the message names the process and its log)."""


def flower_bin() -> Path:
    """The folder of the Flower executables.

    Raises:
        FederationError: Flower is not installed (says how to install it).
    """
    path = Path(os.environ.get("MEDCHAIN_FLOWER_BIN") or _DEFAULT_BIN)
    if not (path / "flower-superlink").exists():
        raise FederationError(f"Flower is not installed at {path} (run `make flower`, or set MEDCHAIN_FLOWER_BIN)")
    return path


@dataclass(frozen=True)
class RoundRecord:
    """What the aggregator reports for one round: who took part with how many rows, and the model."""

    round: int
    participants: tuple[tuple[str, int], ...]
    failures: int
    model_hash: bytes
    model_path: Path
    #: the privacy spent up to this round (hospital-level DP), None without differential privacy
    epsilon: float | None = None

    @property
    def samples(self) -> int:
        return sum(n for _, n in self.participants)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class _Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes] = field(repr=False)


class Federation:
    """A SuperLink and one SuperNode per site file, started on enter and stopped on exit::

        with Federation(workdir, sites) as fed:
            rounds = fed.run(rounds=3, on_round=record_on_chain)

    Args:
        workdir: a folder for the processes' logs, Flower's home and the rounds' output.
        sites: one site file per hospital (see :mod:`medchain.research.federated.site`).
        bin_dir: the Flower executables (default :func:`flower_bin`).
    """

    def __init__(self, workdir: Path, sites: Sequence[Path], bin_dir: Path | None = None):
        self.workdir = Path(workdir)
        self.sites = [Path(s).resolve() for s in sites]
        self.bin = bin_dir or flower_bin()
        self.procs: list[_Proc] = []
        self.out_dir = self.workdir / "rounds"
        self.port = 0

    # ------------------------------------------------------------------ processes
    def _env(self) -> dict[str, str]:
        # Flower's processes start their helpers (flower-superexec, flwr-serverapp, flwr-clientapp) from PATH
        env = dict(os.environ, FLWR_HOME=str(self.workdir / "flwr-home"), PYTHONUNBUFFERED="1",
                   PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}")
        env.pop("VIRTUAL_ENV", None)
        env.pop("PYTHONPATH", None)
        return env

    def _spawn(self, name: str, args: list[str]) -> _Proc:
        log_path = self.workdir / f"{name}.log"
        log_file = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        popen = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT, env=self._env(), start_new_session=True)
        proc = _Proc(name, popen, log_path, log_file)
        self.procs.append(proc)
        return proc

    def _tail(self, proc: _Proc, lines: int = 15) -> str:
        try:
            return "\n".join(proc.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def start(self) -> None:
        """Start the SuperLink and the SuperNodes.

        Raises:
            FederationError: a process exited at once (with the end of its log).
        """
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.out_dir.mkdir(exist_ok=True)
        self.port = _free_port()
        self._spawn("superlink", [str(self.bin / "flower-superlink"), "--insecure", "--host", "127.0.0.1",
                                  "--port", str(self.port), "--disable-runtime-dependency-installation"])
        home = self.workdir / "flwr-home"
        home.mkdir(exist_ok=True)
        (home / "config.toml").write_text(
            f'[superlink]\ndefault = "local"\n\n[superlink.local]\naddress = "127.0.0.1:{self.port}"\ninsecure = true\n')
        self._wait_port(self.port, self.procs[0])
        for i, site in enumerate(self.sites):
            self._spawn(f"supernode-{i}", [str(self.bin / "flower-supernode"), "--insecure", "--superlink",
                                           f"127.0.0.1:{self.port}", "--host", "127.0.0.1", "--port", str(_free_port()),
                                           "--node-config", f'site="{site}"'])

    def _wait_port(self, port: int, proc: _Proc, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.popen.poll() is not None:
                raise FederationError(f"{proc.name} exited with {proc.popen.returncode}:\n{self._tail(proc)}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        raise FederationError(f"{proc.name} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")

    def kill(self, site_index: int) -> None:
        """Kill one hospital's SuperNode (and its ClientApp), as a crash would."""
        proc = next(p for p in self.procs if p.name == f"supernode-{site_index}")
        os.killpg(proc.popen.pid, signal.SIGKILL)
        proc.popen.wait()

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL after 5 s) and close their logs."""
        for proc in reversed(self.procs):
            if proc.popen.poll() is None:
                try:
                    os.killpg(proc.popen.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs:
            try:
                proc.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait()
            proc.log_file.close()
        self.procs = []
        self._kill_detached()

    def _kill_detached(self) -> None:
        """Kill the ServerApp and ClientApp processes Flower detached from the SuperLink (their own
        session: they outlive its process group), found by the SuperLink's port on their command line."""
        if not self.port:
            return
        mark = f"127.0.0.1:{self.port}".encode()
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(a.endswith((b"flwr-serverapp", b"flwr-clientapp", b"flower-superexec")) for a in argv[:2]) and mark in argv:
                try:
                    os.kill(int(entry.name), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def __enter__(self) -> Federation:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ------------------------------------------------------------------ a run
    def run(self, *, rounds: int, min_hospitals: int | None = None, config: dict[str, Any] | None = None,
            on_round: Callable[[RoundRecord], None] | None = None, timeout: float = 300.0) -> list[RoundRecord]:
        """Submit the app to the SuperLink and follow its rounds.

        Args:
            rounds: number of federated rounds.
            min_hospitals: hospitals a round needs (default: every site).
            config: other run-config overrides (see the app's pyproject.toml).
            on_round: called with each round's record before the next round starts (record it on chain).
            timeout: seconds for the whole run.

        Returns:
            Every round's record, in order.

        Raises:
            FederationError: ``flwr run`` failed, or a round did not come within ``timeout``.
        """
        values = {"num-server-rounds": rounds, "min-hospitals": min_hospitals or len(self.sites),
                  "out-dir": str(self.out_dir), **(config or {})}
        overrides = " ".join(f"{k}={json.dumps(v)}" for k, v in values.items())
        app = self.workdir / "app"
        if app.exists():
            shutil.rmtree(app)
        shutil.copytree(APP_DIR, app, ignore=shutil.ignore_patterns("__pycache__"))
        submit = subprocess.run([str(self.bin / "flwr"), "run", str(app), "local", "--run-config", overrides],
                                capture_output=True, text=True, env=self._env(), timeout=120)
        if submit.returncode != 0:
            raise FederationError(f"flwr run failed ({submit.returncode}): {(submit.stdout + submit.stderr).strip()[-800:]}")
        log.info("flwr run: %s", submit.stdout.strip().splitlines()[-1:] or "")
        records: list[RoundRecord] = []
        deadline = time.monotonic() + timeout
        for n in range(1, rounds + 1):
            path = self.out_dir / f"round-{n}.json"
            while not path.exists():
                if time.monotonic() > deadline:
                    raise FederationError(f"round {n} did not complete within {timeout:.0f} s; superlink log:\n"
                                          f"{self._tail(self.procs[0])}")
                for proc in self.procs[:1]:
                    if proc.popen.poll() is not None:
                        raise FederationError(f"{proc.name} exited with {proc.popen.returncode}:\n{self._tail(proc)}")
                time.sleep(0.1)
            data = json.loads(path.read_text())
            record = RoundRecord(n, tuple((p["hospital"], int(p["samples"])) for p in data["participants"]),
                                 int(data["failures"]), bytes.fromhex(data["modelHash"][2:]), self.out_dir / f"model-{n}.npz",
                                 data.get("epsilon"))
            if on_round is not None:
                on_round(record)
            (self.out_dir / f"round-{n}.recorded").touch()
            records.append(record)
        return records
