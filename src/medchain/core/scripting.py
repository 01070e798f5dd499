"""What ``scripts/*.py`` share: the one way a script finds its chain, however it was started.

``python scripts/<name>.py --chain anvil`` takes the chain from ``--chain`` (any spec of
:func:`medchain.core.chain.connect`). ``brownie run scripts/<name>.py [--network ID]`` imports the
script into a running Brownie that is already connected to a network: the script then talks to
that network's node by its RPC URL, so Brownie's network (the development Anvil it started,
Ganache, or any node) is the chain. ``ape run NAME [--network …]`` does the same with Ape's
connected provider (``ape.chain.provider.web3``). Neither framework is imported here; each is only
recognised when the process already runs it, so neither is a dependency of the package.
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


def ape_endpoint() -> str | None:
    """The RPC URL of the provider Ape is connected to in this process (``ape.chain.provider.web3``),
    or ``None`` when Ape is not running here (not imported) or not connected.

    Raises:
        ConfigurationError: Ape's provider has no HTTP or WebSocket URL (Ape's in-process ``test``
            provider, or IPC), which a script cannot share.
    """
    ape = sys.modules.get("ape")
    if ape is None:
        return None
    try:
        provider = ape.chain.provider  # raises when no provider is connected
        if not provider.is_connected:
            return None
        w3 = provider.web3
    except Exception:  # noqa: BLE001 - a half-imported or disconnected Ape: not an Ape run
        return None
    url = getattr(w3.provider, "endpoint_uri", None)
    if not isinstance(url, str) or not url.startswith(("http://", "https://", "ws://", "wss://")):
        raise ConfigurationError(f"Ape's provider {getattr(provider, 'name', type(provider).__name__)!r} has no HTTP "
                                 "or WebSocket URL; scripts need one: `ape run NAME --network ethereum:local:foundry`")
    return url


def _framework() -> tuple[str, str] | None:
    """The runner (``brownie run``, ``ape run``) this process is under and its node's URL, or ``None``."""
    for runner, endpoint in (("brownie run", brownie_endpoint), ("ape run", ape_endpoint)):
        url = endpoint()
        if url is not None:
            return runner, url
    return None


def script_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The argument parser of a script, with the common ``--chain`` option."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--chain", default=None,
                        help="embedded (default), anvil, ganache or a node URL; under `brownie run` or "
                             "`ape run`, that framework's network")
    return parser


def script_chain(requested: str | None) -> str:
    """The chain spec a script runs on: Brownie's (Ape's) network when started by ``brownie run``
    (``ape run``), else ``requested`` (default ``embedded``).

    Raises:
        ConfigurationError: both the framework's network and an explicit ``--chain`` were given and
            they differ.
    """
    found = _framework()
    if found is None:
        return requested or "embedded"
    runner, url = found
    if requested not in (None, url):
        raise ConfigurationError(f"--chain {requested} given under `{runner}`, which is connected to {url}; "
                                 f"use `{runner} --network …` instead")
    return url


def script_argv(argv: list[str] | None) -> list[str]:
    """The arguments a script parses: ``argv``, else the command line, except under ``brownie run``
    or ``ape run`` (whose command line is the framework's own: the script takes no options there)."""
    if argv is not None:
        return argv
    return [] if _framework() is not None else sys.argv[1:]
