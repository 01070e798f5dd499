"""QR codes of GS1 Digital Links (units and batches), as PNG or SVG, via segno.

A pack's QR code encodes ``{base}/01/{gtin}/10/{lot}/21/{serial}?17={YYMMDD}``; a batch's omits the
serial. ``base`` is the portal's public address (``medchain serve`` resolves both forms).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from medchain.core.errors import InvalidInputError
from medchain.core.extras import require
from medchain.core.standards import gs1

#: The port ``medchain serve`` listens on by default, and so the default base URL of the QR links.
DEFAULT_PORT = 8765
DEFAULT_BASE_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
FORMATS = ("png", "svg")

if TYPE_CHECKING:
    import segno


def qr_code(uri: str) -> segno.QRCode:
    """The QR code of ``uri`` (error correction M, as GS1 recommends for Digital Link on packs)."""
    segno = require("segno", "portal", "a QR code")
    return segno.make_qr(uri, error="m", boost_error=False)


def write_qr(uri: str, path: Path, *, scale: int = 4) -> Path:
    """Write the QR code of ``uri`` to ``path`` (PNG or SVG, by its suffix).

    Raises:
        InvalidInputError: unknown format or a scale below 1.
    """
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInputError(f"QR code format {fmt!r}: use one of {', '.join(FORMATS)}")
    if scale < 1:
        raise InvalidInputError(f"scale must be at least 1, got {scale}")
    path.parent.mkdir(parents=True, exist_ok=True)
    qr_code(uri).save(str(path), kind=fmt, scale=scale, border=4)
    return path


def write_codes(units: list[gs1.UnitCode], out: Path, *, base_url: str = DEFAULT_BASE_URL, fmt: str = "png",
                scale: int = 4) -> list[tuple[str, Path]]:
    """Write one QR code per unit code into the folder ``out``: ``<serial>.<fmt>`` for a pack,
    ``lot-<lot>.<fmt>`` for a batch-level code (names percent-encoded).

    Returns:
        ``(Digital Link URI, file)`` per code.

    Raises:
        GS1Error: bad base URL. InvalidInputError: bad format or scale.
    """
    if fmt not in FORMATS:
        raise InvalidInputError(f"QR code format {fmt!r}: use one of {', '.join(FORMATS)}")
    written = []
    for unit in units:
        uri = gs1.to_digital_link(unit, base_uri=base_url)
        stem = quote(unit.serial, safe="") if unit.serial is not None else "lot-" + quote(unit.lot, safe="")
        written.append((uri, write_qr(uri, out / f"{stem}.{fmt}", scale=scale)))
    return written
