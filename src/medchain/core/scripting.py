"""What ``scripts/*.py`` share: the one way a script finds its chain, however it was started.

``python scripts/<name>.py --chain anvil`` takes the chain from ``--chain`` (any spec of
:func:`medchain.core.chain.connect`). ``brownie run scripts/<name>.py [--network ID]`` imports the
script into a running Brownie that is already connected to a network: the script then talks to
that network's node by its RPC URL, so Brownie's network (the development Anvil it started,
Ganache, or any node) is the chain. Brownie is never imported here; it is only recognised when the
process already runs it, so it is no dependency of the package.
"""

from __future__ import annotations

import argparse
import sys

from medchain.core.errors import ConfigurationError


def brownie_endpoint() -> str | None:
    """The RPC URL of the network Brownie is connected to in this process, or ``None``.

    ``None`` when Brownie is not running here (not imported) or not connected to a network.

    Raises:
        ConfigurationError: Brownie is connected through something other than an HTTP or
            WebSocket URL (an IPC socket), which a script cannot share.
    """
    brownie = sys.modules.get("brownie")
    if brownie is None:
        return None
    try:
        from brownie import network, web3  # type: ignore[import-not-found]  # Brownie lives in .venv-brownie, not mypy's venv

        if not network.is_connected():
            return None
        provider = web3.provider
    except Exception:  # noqa: BLE001 - a half-imported or unusual Brownie: not a Brownie run
        return None
    url = getattr(provider, "endpoint_uri", None)
    if not isinstance(url, str) or not url.startswith(("http://", "https://", "ws://", "wss://")):
        raise ConfigurationError(f"Brownie's network {network.show_active()!r} has no HTTP or WebSocket URL "
                                 f"({type(provider).__name__}); scripts need one")
    return url


def script_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The argument parser of a script, with the common ``--chain`` option."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--chain", default=None,
                        help="embedded (default), anvil, ganache or a node URL; under `brownie run`, "
                             "Brownie's active network")
    return parser


def script_chain(requested: str | None) -> str:
    """The chain spec a script runs on: Brownie's network when started by ``brownie run``, else
    ``requested`` (default ``embedded``).

    Raises:
        ConfigurationError: both Brownie's network and an explicit ``--chain`` were given and they differ.
    """
    url = brownie_endpoint()
    if url is None:
        return requested or "embedded"
    if requested not in (None, url):
        raise ConfigurationError(f"--chain {requested} given under `brownie run`, which is connected to {url}; "
                                 "use `brownie run --network …` instead")
    return url


def script_argv(argv: list[str] | None) -> list[str]:
    """The arguments a script parses: ``argv``, else the command line, except under ``brownie run``
    (whose command line is Brownie's own: the script takes no options there)."""
    if argv is not None:
        return argv
    return [] if brownie_endpoint() is not None else sys.argv[1:]
