"""A throw-away js-ipfs daemon for tests and local development.

js-ipfs (npm ``ipfs``, installed by the project's ``package.json``) serves the same
``/api/v0`` RPC as Kubo, so :class:`~medchain.core.storage.KuboStore` talks to it
unchanged. :class:`JsIpfsDaemon` gives it its own repository in a temporary
directory and free ports on 127.0.0.1, runs it offline, and always stops it::

    with JsIpfsDaemon() as node:
        store = KuboStore(node.api_url)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from medchain.core.errors import StorageUnavailableError

__all__ = ["JsIpfsDaemon", "find_jsipfs"]


def find_jsipfs(explicit: str | Path | None = None) -> Path:
    """Locate the ``jsipfs`` executable.

    Looks at ``explicit``, then ``$MEDCHAIN_JSIPFS``, then ``node_modules/.bin/jsipfs``
    in the current directory, the package's directory and each of their parents.

    Args:
        explicit: A path given by the caller.

    Returns:
        The executable's path.

    Raises:
        StorageUnavailableError: It is not found (the message says where it looked).
    """
    candidates = [Path(p) for p in (explicit, os.environ.get("MEDCHAIN_JSIPFS")) if p]
    if not candidates:
        seen: list[Path] = []
        for start in (Path.cwd(), Path(__file__).resolve().parent):
            for folder in (start, *start.parents):
                if folder not in seen:
                    seen.append(folder)
        candidates = [folder / "node_modules" / ".bin" / "jsipfs" for folder in seen]
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise StorageUnavailableError(
        "jsipfs not found (looked at " + ", ".join(map(str, candidates[:4]))
        + (", ..." if len(candidates) > 4 else "") + "); run `npm install` in the project root"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JsIpfsDaemon:
    """Run a js-ipfs daemon offline with its own repository on free local ports.

    Args:
        jsipfs: Path of the ``jsipfs`` executable (default: :func:`find_jsipfs`).
        startup_timeout: Seconds to wait for the API to answer.
        repo: Repository directory to use (default: a new temporary directory,
            deleted on :meth:`close`).

    Attributes:
        api_url: ``http://127.0.0.1:<port>`` once configured (stable across restarts).
        repo: The repository directory.
        log_path: File receiving the daemon's stdout and stderr.
    """

    def __init__(
        self,
        jsipfs: str | Path | None = None,
        *,
        startup_timeout: float = 60.0,
        repo: str | Path | None = None,
    ):
        self.jsipfs = find_jsipfs(jsipfs)
        self.startup_timeout = startup_timeout
        self._own_repo = repo is None
        self.repo = Path(repo) if repo else Path(tempfile.mkdtemp(prefix="medchain-jsipfs-"))
        self.log_path = self.repo.parent / f"{self.repo.name}.log"
        self.api_url: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        """Whether the daemon process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def _env(self) -> dict[str, str]:
        return {**os.environ, "IPFS_PATH": str(self.repo)}

    def _init_repo(self) -> None:
        """Create the repository (test profile, empty) and pin its addresses."""
        config = self.repo / "config"
        if not config.exists():
            done = subprocess.run(
                [str(self.jsipfs), "init", "--profile", "test", "--emptyRepo"],
                env=self._env(), capture_output=True, timeout=self.startup_timeout,
            )
            if done.returncode != 0:
                raise StorageUnavailableError(
                    f"jsipfs init failed in {self.repo}: {done.stderr.decode(errors='replace')[-2000:]}"
                )
        settings = json.loads(config.read_text())
        api_port, gateway_port, rpc_port = _free_port(), _free_port(), _free_port()
        settings["Addresses"].update(
            API=f"/ip4/127.0.0.1/tcp/{api_port}",
            Gateway=f"/ip4/127.0.0.1/tcp/{gateway_port}",
            RPC=f"/ip4/127.0.0.1/tcp/{rpc_port}",  # js-ipfs gRPC, default 5003
            Swarm=[],
        )
        config.write_text(json.dumps(settings, indent=2))
        self.api_url = f"http://127.0.0.1:{api_port}"

    def start(self) -> JsIpfsDaemon:
        """Start the daemon (initialising the repository the first time).

        Returns:
            ``self``.

        Raises:
            StorageUnavailableError: It exited or its API did not answer within
                ``startup_timeout`` (the message ends with the daemon's log).
        """
        if self.running:
            return self
        if self.api_url is None:
            self._init_repo()
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                [str(self.jsipfs), "daemon", "--offline", "--enable-preload=false"],
                env=self._env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stop() reaches node's children
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise StorageUnavailableError(
                    f"jsipfs daemon exited with code {self._proc.returncode}:\n{self._log_tail()}"
                )
            try:
                if requests.post(f"{self.api_url}/api/v0/version", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise StorageUnavailableError(
            f"jsipfs daemon API {self.api_url} did not answer within "
            f"{self.startup_timeout:g}s:\n{self._log_tail()}"
        )

    def stop(self, grace: float = 10.0) -> None:
        """Stop the daemon: SIGTERM to its process group, SIGKILL after ``grace`` s.

        The repository is kept, so :meth:`start` brings the same node back.
        """
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Leftover children of the group (if node left any) must not keep the ports.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    def close(self) -> None:
        """Stop the daemon and delete a repository this object created."""
        self.stop()
        if self._own_repo:
            shutil.rmtree(self.repo, ignore_errors=True)
            self.log_path.unlink(missing_ok=True)

    def _log_tail(self, limit: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-limit:]
        except OSError:
            return "(no log)"

    def __enter__(self) -> JsIpfsDaemon:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"JsIpfsDaemon({self.api_url or 'unconfigured'}, {state})"
