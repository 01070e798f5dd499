"""Optional features and the extra that installs each: the base install is lean (no web server,
no plotting, no IPFS client library); a feature whose extra is missing says which one to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from medchain.core.errors import MissingExtraError

__all__ = ["EXTRAS", "require"]

#: Extra → what it brings (``pip install 'medchain[EXTRA]'``).
EXTRAS = {
    "portal": "the verification portal and QR codes (FastAPI, uvicorn, Jinja2, segno)",
    "charts": "temperature charts (matplotlib)",
    "ipfs-client": "IpfsHttpClientStore over an ipfshttpclient.Client",
    "fhir": "the FHIR R4 server of `medchain serve --fhir` (the portal's web stack and PyJWT)",
}


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` of the optional ``extra``.

    Args:
        module: The module to import (``"matplotlib"``).
        extra: The extra that installs it (a key of :data:`EXTRAS`).
        feature: What needs it, for the message (``"a temperature chart"``).

    Returns:
        The imported module.

    Raises:
        MissingExtraError: it is not installed; the message names the extra.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(f"{feature} needs the [{extra}] extra: pip install 'medchain[{extra}]'") from None
