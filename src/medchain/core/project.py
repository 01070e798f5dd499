"""Where things are: the project checkout (sources, node tools) and the installed package."""

from __future__ import annotations

import os
from pathlib import Path

from medchain.core.errors import ConfigurationError

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/medchain: the package (artifacts, solc_shim)
ARTIFACTS_DIR = PACKAGE_DIR / "artifacts"


def project_root(start: Path | None = None) -> Path:
    """Find the MedChain checkout: the nearest folder holding ``contracts/`` and ``package.json``.

    Looks upward from ``start`` (default: the working directory), then from the package's own
    location (an editable install). ``MEDCHAIN_PROJECT`` overrides both.

    Raises:
        ConfigurationError: no checkout is found (a plain ``pip install`` has none; it does not need one
            except to compile contracts or start local nodes).
    """
    env = os.environ.get("MEDCHAIN_PROJECT")
    if env:
        return Path(env).resolve()
    for base in (start or Path.cwd(), PACKAGE_DIR):
        for folder in (base, *base.parents):
            if (folder / "contracts").is_dir() and (folder / "package.json").is_file():
                return folder
    raise ConfigurationError(
        "no MedChain checkout found (a folder with contracts/ and package.json); "
        "run from the project or set MEDCHAIN_PROJECT"
    )


def node_bin(name: str) -> Path:
    """The path of a node tool installed by ``npm ci`` in the checkout (``anvil``, ``ganache``...).

    Raises:
        ConfigurationError: the tool is not installed (``npm ci`` was not run).
    """
    path = project_root() / "node_modules" / ".bin" / name
    if not path.exists():
        raise ConfigurationError(f"{name} is not installed: run `npm ci` (or `make test`) in {project_root()}")
    return path
