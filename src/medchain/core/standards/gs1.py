"""GS1 identifiers for drug packs ("one drug, one code").

Pure functions: strings in, strings or :class:`UnitCode` out; no I/O.  Every bad
input raises :class:`~medchain.core.errors.GS1Error` whose ``field`` is the
Application Identifier (``"01"``, ``"17"``...) or, for structural problems, the
representation (``"element_string"``, ``"datamatrix"``, ``"digital_link"``,
``"input"``).

Representations of one pack (GTIN + lot + expiry [+ serial] [+ production date]):

* element string, human-readable form: ``(01)09506000134352(17)261231(10)LOT42(21)SN0001``.
  A literal ``(`` inside a lot or serial is written ``\\(`` (GS1 Barcode Syntax
  Resource convention), so the form stays unambiguous;
* raw DataMatrix / GS1-128 / GS1 QR payload: optional symbology identifier
  (``]d2``, ``]C1``, ``]Q3``, ``]e0``), FNC1 as ASCII 29 (GS) after every
  variable-length field that is not last;
* GS1 Digital Link URI: ``https://id.gs1.org/01/09506000134352/10/LOT42/21/SN0001?17=261231``;
* EPC URIs for EPCIS: SGTIN / LGTIN URNs (need the GS1 Company Prefix length)
  and Digital Link identifiers.  Locations and parties are identified by GS1
  Digital Link (``https://id.gs1.org/414/{GLN}``, ``/417/{party GLN}``) rather
  than SGLN, because SGLN needs the company prefix length, which a GLN alone
  does not tell.

Dates are YYMMDD; day ``00`` means the last day of the month; the century is
chosen by the sliding window of GS1 General Specifications 7.12 (49 years back,
50 years ahead of the reference year, ``today`` parameter, default the system
date).  Produced strings always carry the concrete day.

AIs read: 01, 10, 11, 17, 21 (carried by :class:`UnitCode`) and 15, 16, 710-715
(checked, then ignored: a pack code may carry them but the unit identity does
not depend on them).  Any other AI is refused, since its length is unknown.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from medchain.core.errors import GS1Error

__all__ = [
    "CSET82",
    "DEFAULT_DL_BASE",
    "GS",
    "UnitCode",
    "dl_lgtin",
    "dl_sgtin",
    "gln_uri",
    "gtin_check_digit",
    "lgtin_uri",
    "parse_any",
    "parse_datamatrix",
    "parse_digital_link",
    "parse_element_string",
    "parse_sgtin_uri",
    "sgtin_uri",
    "to_datamatrix",
    "to_digital_link",
    "to_element_string",
    "validate_gln",
    "validate_gtin",
]

GS = "\x1d"
"""ASCII 29, the FNC1 field separator as a scanner transmits it."""

CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
"""GS1 AI encodable character set 82 (alphanumeric AIs such as 10 and 21)."""

DEFAULT_DL_BASE = "https://id.gs1.org"
MAX_INPUT = 4096
_SYMBOLOGY_IDS = ("]d2", "]C1", "]Q3", "]e0")
# Characters of CSET 82 that an EPC URI must percent-escape (TDS GS3A3Char).
_EPC_ESCAPE = {c: f"%{ord(c):02X}" for c in "\"%&/<>?"}
_DL_ALIASES = {"gtin": "01", "lot": "10", "ser": "21"}


@dataclass(frozen=True)
class _AI:
    kind: str  # "gtin", "date" or "x" (CSET 82)
    length: int  # exact length when fixed, maximum otherwise
    fixed: bool
    carried: bool  # kept in UnitCode


_AIS: dict[str, _AI] = {
    "01": _AI("gtin", 14, True, True),
    "10": _AI("x", 20, False, True),
    "11": _AI("date", 6, True, True),
    "15": _AI("date", 6, True, False),
    "16": _AI("date", 6, True, False),
    "17": _AI("date", 6, True, True),
    "21": _AI("x", 20, False, True),
    **{f"71{n}": _AI("x", 20, False, False) for n in range(6)},
}

_DIGITS = re.compile(r"[0-9]+")


def _is_digits(text: str) -> bool:
    return _DIGITS.fullmatch(text) is not None  # ASCII only, unlike str.isdigit


# --------------------------------------------------------------------------- GTIN / GLN


def gtin_check_digit(body: str) -> int:
    """Compute the GS1 mod-10 check digit of a GTIN/GLN/SSCC body.

    Args:
        body: The digits without the check digit (any length, e.g. 13 for a GTIN-14).

    Returns:
        The check digit, 0-9.

    Raises:
        GS1Error: ``body`` is empty or not all ASCII digits (field ``"gtin"``).
    """
    if not isinstance(body, str) or not _is_digits(body):
        raise GS1Error(f"check digit body must be ASCII digits, got {body!r}", "gtin")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def _check_key(value: object, lengths: tuple[int, ...], field: str, name: str) -> str:
    if not isinstance(value, str):
        raise GS1Error(f"{name} must be a string, got {type(value).__name__}", field)
    if not _is_digits(value):
        raise GS1Error(f"{name} must be digits only, got {value!r}", field)
    if len(value) not in lengths:
        allowed = "/".join(map(str, lengths))
        raise GS1Error(f"{name} has {len(value)} digits, expected {allowed}", field)
    expected = gtin_check_digit(value[:-1])
    if int(value[-1]) != expected:
        raise GS1Error(f"check digit is {value[-1]}, expected {expected}", field)
    return value


def _gtin14(value: object, field: str) -> str:
    return _check_key(value, (8, 12, 13, 14), field, "GTIN").zfill(14)


def validate_gtin(gtin: str) -> str:
    """Validate a GTIN-8/12/13/14 and return it as GTIN-14.

    Args:
        gtin: The GTIN digits.

    Returns:
        The GTIN left-padded with zeros to 14 digits.

    Raises:
        GS1Error: Not a string, non-digits, wrong length or wrong check digit
            (field ``"gtin"``).
    """
    return _gtin14(gtin, "gtin")


def validate_gln(gln: str) -> str:
    """Validate a 13-digit Global Location Number.

    Args:
        gln: The GLN digits.

    Returns:
        The GLN unchanged.

    Raises:
        GS1Error: Not 13 digits or wrong check digit (field ``"gln"``).
    """
    return _check_key(gln, (13,), "gln", "GLN")


# --------------------------------------------------------------------------- field checks


def _check_text(value: object, ai: str) -> str:
    spec = _AIS[ai]
    if not isinstance(value, str):
        raise GS1Error(f"expected a string, got {type(value).__name__}", ai)
    if not value:
        raise GS1Error("is empty", ai)
    if len(value) > spec.length:
        raise GS1Error(f"{len(value)} characters, at most {spec.length} allowed", ai)
    for char in value:
        if char not in CSET82:
            raise GS1Error(f"character {char!r} not allowed (GS1 character set 82)", ai)
    return value


def _year_window(today: dt.date | None) -> tuple[int, int]:
    year = (today or dt.date.today()).year
    return year - 49, year + 50


def _parse_date(value: str, ai: str, today: dt.date | None) -> dt.date:
    if len(value) != 6 or not _is_digits(value):
        raise GS1Error(f"expected 6 digits YYMMDD, got {value!r}", ai)
    yy, month, day = int(value[:2]), int(value[2:4]), int(value[4:])
    if not 1 <= month <= 12:
        raise GS1Error(f"month {month:02d} out of range", ai)
    ref = (today or dt.date.today()).year
    century = ref - ref % 100
    diff = yy - ref % 100
    if 51 <= diff <= 99:
        century -= 100
    elif -99 <= diff <= -50:
        century += 100
    year = century + yy
    last = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last
    elif day > last:
        raise GS1Error(f"day {day:02d} out of range for {year}-{month:02d}", ai)
    return dt.date(year, month, day)


def _format_date(value: object, ai: str, today: dt.date | None) -> str:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise GS1Error(f"expected a datetime.date, got {type(value).__name__}", ai)
    low, high = _year_window(today)
    if not low <= value.year <= high:
        raise GS1Error(
            f"year {value.year} outside the GS1 two-digit-year window {low}-{high}", ai
        )
    return value.strftime("%y%m%d")


# --------------------------------------------------------------------------- UnitCode


@dataclass(frozen=True)
class UnitCode:
    """The identity of one pack: GTIN, lot, expiry, optional serial and production date.

    Attributes:
        gtin: GTIN-14 (GTIN-8/12/13 given to the constructor are zero-padded).
        lot: Batch/lot number, AI 10 (1-20 characters of GS1 set 82).
        expiry: Expiry date, AI 17.
        serial: Serial number, AI 21, or ``None`` for a lot-level code.
        production: Production date, AI 11, or ``None``.

    Raises:
        GS1Error: On construction, when a field is invalid (field = its AI).
    """

    gtin: str
    lot: str
    expiry: dt.date
    serial: str | None = None
    production: dt.date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "gtin", _gtin14(self.gtin, "01"))
        _check_text(self.lot, "10")
        if self.serial is not None:
            _check_text(self.serial, "21")
        for ai, value in (("17", self.expiry), ("11", self.production)):
            if value is not None and (
                not isinstance(value, dt.date) or isinstance(value, dt.datetime)
            ):
                raise GS1Error(f"expected a datetime.date, got {type(value).__name__}", ai)
        if self.expiry is None:
            raise GS1Error("expiry date missing", "17")


def _unit_from_fields(fields: dict[str, str], today: dt.date | None) -> UnitCode:
    if "01" not in fields:
        raise GS1Error("GTIN missing", "01")
    if "10" not in fields:
        raise GS1Error("lot/batch number missing", "10")
    if "17" not in fields:
        raise GS1Error("expiry date missing", "17")
    for ai, value in fields.items():  # check every AI, carried or not
        spec = _AIS[ai]
        if spec.kind == "date":
            _parse_date(value, ai, today)
        elif spec.kind == "x":
            _check_text(value, ai)
    return UnitCode(
        gtin=_check_key(fields["01"], (14,), "01", "GTIN"),
        lot=fields["10"],
        expiry=_parse_date(fields["17"], "17", today),
        serial=fields.get("21"),
        production=_parse_date(fields["11"], "11", today) if "11" in fields else None,
    )


def _fields_of(unit: UnitCode, today: dt.date | None) -> list[tuple[str, str]]:
    if not isinstance(unit, UnitCode):
        raise GS1Error(f"expected a UnitCode, got {type(unit).__name__}", "input")
    fields = [("01", unit.gtin), ("17", _format_date(unit.expiry, "17", today))]
    if unit.production is not None:
        fields.append(("11", _format_date(unit.production, "11", today)))
    fields.append(("10", unit.lot))
    if unit.serial is not None:
        fields.append(("21", unit.serial))
    return fields  # fixed-length AIs first, as GS1 recommends


def _add(fields: dict[str, str], ai: str, value: str) -> None:
    if ai in fields:
        raise GS1Error("appears more than once", ai)
    fields[ai] = value


def _prepare(text: object, field: str) -> str:
    if not isinstance(text, str):
        raise GS1Error(f"expected a string, got {type(text).__name__}", "input")
    if len(text) > MAX_INPUT:
        raise GS1Error(f"longer than {MAX_INPUT} characters", "input")
    text = text.strip(" \t\r\n")
    if not text:
        raise GS1Error("is empty", field)
    return text


# --------------------------------------------------------------------------- element string


def to_element_string(unit: UnitCode, *, today: dt.date | None = None) -> str:
    """Write the human-readable element string, e.g. ``(01)…(17)…(10)…(21)…``.

    Args:
        unit: The pack identity.
        today: Reference date of the century window (default: system date).

    Returns:
        The bracketed element string; ``(`` in lot/serial is escaped as ``\\(``.

    Raises:
        GS1Error: A date lies outside the two-digit-year window.
    """
    return "".join(f"({ai}){_hri_escape(value)}" for ai, value in _fields_of(unit, today))


def _hri_escape(value: str) -> str:
    return value.replace("(", "\\(")


_HRI_AI = re.compile(r"\(([0-9]{2,4})\)")


def parse_element_string(text: str, *, today: dt.date | None = None) -> UnitCode:
    """Parse a human-readable element string such as ``(01)…(17)…(10)…``.

    Args:
        text: The bracketed element string (``\\(`` stands for a literal ``(``).
        today: Reference date of the century window (default: system date).

    Returns:
        The pack identity.

    Raises:
        GS1Error: Bad structure, unknown AI or any invalid field.
    """
    text = _prepare(text, "element_string")
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        match = _HRI_AI.match(text, pos)
        if match is None:
            raise GS1Error(f"expected '(AI)' at position {pos}", "element_string")
        ai = match.group(1)
        if ai not in _AIS:
            raise GS1Error("unsupported Application Identifier", ai)
        pos = match.end()
        chars: list[str] = []
        while pos < len(text) and text[pos] != "(":
            if text[pos] == "\\" and text[pos + 1 : pos + 2] == "(":
                pos += 1
            chars.append(text[pos])
            pos += 1
        value = "".join(chars)
        spec = _AIS[ai]
        if spec.fixed and len(value) != spec.length:
            raise GS1Error(f"expected {spec.length} digits, got {value!r}", ai)
        if not value:
            raise GS1Error("is empty", ai)
        _add(fields, ai, value)
    return _unit_from_fields(fields, today)


# --------------------------------------------------------------------------- raw DataMatrix


def to_datamatrix(
    unit: UnitCode, *, symbology_id: str | None = None, today: dt.date | None = None
) -> str:
    """Write the raw GS1 DataMatrix / GS1-128 payload.

    Args:
        unit: The pack identity.
        symbology_id: ``"]d2"``, ``"]C1"``, ``"]Q3"``, ``"]e0"`` to prefix (as a
            scanner reports it), or ``None`` for the bare data.
        today: Reference date of the century window (default: system date).

    Returns:
        The payload; GS (ASCII 29) ends each variable-length field but the last.

    Raises:
        GS1Error: Unknown symbology identifier or a date outside the window.
    """
    if symbology_id is not None and symbology_id not in _SYMBOLOGY_IDS:
        raise GS1Error(f"{symbology_id!r} is not a GS1 symbology identifier", "symbology_id")
    parts: list[str] = []
    fields = _fields_of(unit, today)
    for index, (ai, value) in enumerate(fields):
        parts.append(ai + value)
        if not _AIS[ai].fixed and index < len(fields) - 1:
            parts.append(GS)
    return (symbology_id or "") + "".join(parts)


def _raw_ai(text: str, pos: int) -> str:
    for size in (2, 3):
        if text[pos : pos + size] in _AIS:
            return text[pos : pos + size]
    head = text[pos : pos + 4]
    if not _is_digits(text[pos : pos + 2]):
        raise GS1Error(f"expected an AI at position {pos}, got {head!r}", "datamatrix")
    raise GS1Error(f"unsupported Application Identifier at position {pos} ({head!r}...)", "datamatrix")


def parse_datamatrix(text: str, *, today: dt.date | None = None) -> UnitCode:
    """Parse a raw GS1 DataMatrix / GS1-128 / GS1 QR payload.

    Args:
        text: Scanner output, with optional symbology identifier and GS separators.
        today: Reference date of the century window (default: system date).

    Returns:
        The pack identity.

    Raises:
        GS1Error: Non-GS1 symbology, unknown AI, missing separator or invalid field.
    """
    text = _prepare(text, "datamatrix")
    if text.startswith("]"):
        if text[:3] not in _SYMBOLOGY_IDS:
            raise GS1Error(f"symbology identifier {text[:3]!r} does not carry GS1 data", "datamatrix")
        text = text[3:]
    pos = 1 if text.startswith(GS) else 0  # FNC1 in first position, if transmitted
    fields: dict[str, str] = {}
    while pos < len(text):
        ai = _raw_ai(text, pos)
        spec = _AIS[ai]
        pos += len(ai)
        if spec.fixed:
            value = text[pos : pos + spec.length]
            if len(value) != spec.length or not _is_digits(value):
                raise GS1Error(f"expected {spec.length} digits, got {value!r}", ai)
            pos += spec.length
            if text[pos : pos + 1] == GS:  # tolerated, though not needed
                pos += 1
        else:
            end = text.find(GS, pos)
            end = len(text) if end < 0 else end
            value = text[pos:end]
            if len(value) > spec.length:
                raise GS1Error(
                    f"{len(value)} characters, at most {spec.length} allowed "
                    "(missing GS separator?)",
                    ai,
                )
            if not value:
                raise GS1Error("is empty", ai)
            pos = end + 1
        _add(fields, ai, value)
    if not fields:
        raise GS1Error("no data after the symbology identifier", "datamatrix")
    return _unit_from_fields(fields, today)


# --------------------------------------------------------------------------- Digital Link


_DL_URI = re.compile(r"(?i:https?)://([^/?#]+)(/[^?#]*)?(?:\?([^#]*))?(?:#.*)?")
_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST = re.compile(r"[A-Za-z0-9.\-]+(?::[0-9]{1,5})?")


def _decode(segment: str, field: str) -> str:
    if _PCT.search(segment):
        raise GS1Error("malformed percent-encoding", field)
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError as exc:
        raise GS1Error("percent-encoding is not valid UTF-8", field) from exc


def _check_base(base_uri: object) -> str:
    if not isinstance(base_uri, str):
        raise GS1Error("must be a string", "base_uri")
    match = _DL_URI.fullmatch(base_uri)
    if match is None or match.group(3) is not None or "#" in base_uri:
        raise GS1Error(f"{base_uri!r} is not an http(s) URI without query", "base_uri")
    if not _HOST.fullmatch(match.group(1)):
        raise GS1Error(f"bad host {match.group(1)!r}", "base_uri")
    return base_uri.rstrip("/")


def to_digital_link(
    unit: UnitCode, *, base_uri: str = DEFAULT_DL_BASE, today: dt.date | None = None
) -> str:
    """Write a GS1 Digital Link URI ``{base}/01/{gtin}/10/{lot}[/21/{serial}]?17=…``.

    Args:
        unit: The pack identity.
        base_uri: Resolver base, e.g. ``https://id.example.com/dl`` (default
            ``https://id.gs1.org``).
        today: Reference date of the century window (default: system date).

    Returns:
        The URI, GTIN-14 in the path, lot and serial percent-encoded.

    Raises:
        GS1Error: Bad ``base_uri`` or a date outside the window.
    """
    base = _check_base(base_uri)
    path, query = [], []
    for ai, value in _fields_of(unit, today):
        if _AIS[ai].kind == "date":
            query.append(f"{ai}={value}")
        else:
            path.append(f"/{ai}/{quote(value, safe='')}")
    return base + "".join(path) + "?" + "&".join(query)


def parse_digital_link(uri: str, *, today: dt.date | None = None) -> UnitCode:
    """Parse a GS1 Digital Link URI (any host, any path prefix before ``/01/``).

    The path must hold ``/01/{gtin}`` then, in this order, ``/10/{lot}`` and
    optionally ``/21/{serial}`` (aliases ``gtin``/``lot``/``ser`` accepted);
    the expiry and other data attributes come as query parameters.  Query
    parameters that are not AIs (``linkType``...) are ignored.

    Args:
        uri: The URI.
        today: Reference date of the century window (default: system date).

    Returns:
        The pack identity.

    Raises:
        GS1Error: Not http(s), no ``/01/`` key, bad order, bad encoding or invalid field.
    """
    uri = _prepare(uri, "digital_link")
    match = _DL_URI.fullmatch(uri)
    if match is None:
        raise GS1Error("not an http(s) URI", "digital_link")
    if not _HOST.fullmatch(match.group(1)):
        raise GS1Error(f"bad host {match.group(1)!r}", "digital_link")
    segments = (match.group(2) or "").split("/")[1:]
    if segments and segments[-1] == "":
        segments.pop()
    start = next(
        (
            i
            for i, seg in enumerate(segments[:-1])
            if _DL_ALIASES.get(seg, seg) == "01"
            and (len(segments) - i) % 2 == 0
            and _is_digits(segments[i + 1])
        ),
        None,
    )
    if start is None:
        raise GS1Error("no /01/{gtin} primary key in the path", "digital_link")
    fields: dict[str, str] = {}
    order = ["01", "10", "21"]
    for i in range(start, len(segments), 2):
        ai = _DL_ALIASES.get(segments[i], segments[i])
        if ai not in order:
            if ai in ("01", "10", "21"):
                raise GS1Error("out of order in the path (expected /01/, /10/, /21/)", ai)
            raise GS1Error(
                f"path key {segments[i]!r} not supported after /01/ (only 10 and 21)",
                "digital_link",
            )
        order = order[order.index(ai) + 1 :]
        value = _decode(segments[i + 1], ai)
        if ai == "01":
            value = _gtin14(value, "01")
        _add(fields, ai, value)
    for pair in (match.group(3) or "").split("&"):
        key, _, raw = pair.partition("=")
        if key in ("01", "10", "21"):
            raise GS1Error("belongs in the URI path, not the query", key)
        if key in _AIS:
            _add(fields, key, _decode(raw, key))
    return _unit_from_fields(fields, today)


# --------------------------------------------------------------------------- any form


def parse_any(text: str, *, today: dt.date | None = None) -> UnitCode:
    """Parse a pack code in any supported form: element string, raw DataMatrix or Digital Link.

    Args:
        text: The scanned or typed code.
        today: Reference date of the century window (default: system date).

    Returns:
        The pack identity.

    Raises:
        GS1Error: The text is none of the forms, or is invalid in the form it has.
    """
    stripped = _prepare(text, "input")
    if stripped.startswith("("):
        return parse_element_string(stripped, today=today)
    if stripped[:6].lower().startswith(("http:", "https:")):
        return parse_digital_link(stripped, today=today)
    if stripped[0] in "]" + GS or _is_digits(stripped[0]):
        return parse_datamatrix(stripped, today=today)
    raise GS1Error(
        "not a GS1 element string, DataMatrix payload or Digital Link URI", "input"
    )


# --------------------------------------------------------------------------- EPC URIs


def _epc_parts(gtin: str, company_prefix_length: int) -> tuple[str, str]:
    gtin = validate_gtin(gtin)
    if (
        not isinstance(company_prefix_length, int)
        or isinstance(company_prefix_length, bool)
        or not 6 <= company_prefix_length <= 12
    ):
        raise GS1Error(f"must be 6-12, got {company_prefix_length!r}", "company_prefix_length")
    prefix = gtin[1 : 1 + company_prefix_length]
    return prefix, gtin[0] + gtin[1 + company_prefix_length : 13]


def _epc_escape(value: str) -> str:
    return "".join(_EPC_ESCAPE.get(c, c) for c in value)


def sgtin_uri(gtin: str, serial: str, company_prefix_length: int = 7) -> str:
    """EPC pure-identity URI of one serialised pack, ``urn:epc:id:sgtin:CP.IIR.Serial``.

    Args:
        gtin: GTIN-8/12/13/14.
        serial: Serial number (AI 21 rules).
        company_prefix_length: Digits of the GS1 Company Prefix (6-12).

    Returns:
        The SGTIN URN, serial escaped per the EPC Tag Data Standard.

    Raises:
        GS1Error: Bad GTIN (``"gtin"``), serial (``"21"``) or prefix length.
    """
    prefix, item = _epc_parts(gtin, company_prefix_length)
    return f"urn:epc:id:sgtin:{prefix}.{item}.{_epc_escape(_check_text(serial, '21'))}"


def lgtin_uri(gtin: str, lot: str, company_prefix_length: int = 7) -> str:
    """EPC class URI of one lot, ``urn:epc:class:lgtin:CP.IIR.Lot``.

    Args:
        gtin: GTIN-8/12/13/14.
        lot: Lot/batch number (AI 10 rules).
        company_prefix_length: Digits of the GS1 Company Prefix (6-12).

    Returns:
        The LGTIN URN, lot escaped per the EPC Tag Data Standard.

    Raises:
        GS1Error: Bad GTIN (``"gtin"``), lot (``"10"``) or prefix length.
    """
    prefix, item = _epc_parts(gtin, company_prefix_length)
    return f"urn:epc:class:lgtin:{prefix}.{item}.{_epc_escape(_check_text(lot, '10'))}"


_SGTIN = re.compile(r"urn:epc:id:sgtin:([0-9]{6,12})\.([0-9]{1,7})\.(.+)")


def parse_sgtin_uri(uri: str) -> tuple[str, str]:
    """Read an SGTIN URN back into GTIN-14 and serial.

    Args:
        uri: ``urn:epc:id:sgtin:CP.IIR.Serial``.

    Returns:
        ``(gtin14, serial)``.

    Raises:
        GS1Error: Not an SGTIN URN (``"sgtin"``), bad serial escape (``"21"``).
    """
    match = _SGTIN.fullmatch(uri) if isinstance(uri, str) else None
    if match is None or len(match.group(1)) + len(match.group(2)) != 13:
        raise GS1Error(f"not an SGTIN URN: {uri!r}", "sgtin")
    prefix, item, serial = match.groups()
    body = item[0] + prefix + item[1:]
    if "%" in serial:
        if _PCT.search(serial):
            raise GS1Error("malformed escape", "21")
        serial = re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), serial)
    return body + str(gtin_check_digit(body)), _check_text(serial, "21")


def dl_sgtin(gtin: str, serial: str, base_uri: str = DEFAULT_DL_BASE) -> str:
    """Digital Link identifier of one serialised pack (EPCIS 2.0 ``epcList`` form).

    Args:
        gtin: GTIN-8/12/13/14.
        serial: Serial number.
        base_uri: Resolver base (default ``https://id.gs1.org``).

    Returns:
        ``{base}/01/{gtin14}/21/{serial}``.

    Raises:
        GS1Error: Bad GTIN, serial or base URI.
    """
    serial = quote(_check_text(serial, "21"), safe="")
    return f"{_check_base(base_uri)}/01/{validate_gtin(gtin)}/21/{serial}"


def dl_lgtin(gtin: str, lot: str, base_uri: str = DEFAULT_DL_BASE) -> str:
    """Digital Link identifier of one lot (EPCIS 2.0 ``epcClass`` form).

    Args:
        gtin: GTIN-8/12/13/14.
        lot: Lot/batch number.
        base_uri: Resolver base (default ``https://id.gs1.org``).

    Returns:
        ``{base}/01/{gtin14}/10/{lot}``.

    Raises:
        GS1Error: Bad GTIN, lot or base URI.
    """
    lot = quote(_check_text(lot, "10"), safe="")
    return f"{_check_base(base_uri)}/01/{validate_gtin(gtin)}/10/{lot}"


def gln_uri(gln: str, *, party: bool = False, base_uri: str = DEFAULT_DL_BASE) -> str:
    """Digital Link identifier of a location (AI 414) or a party (AI 417).

    MedChain identifies EPCIS locations this way rather than with SGLN URNs,
    which would need the company prefix length of every GLN.

    Args:
        gln: 13-digit GLN.
        party: ``True`` for a party GLN (AI 417), ``False`` for a location (AI 414).
        base_uri: Resolver base (default ``https://id.gs1.org``).

    Returns:
        ``{base}/414/{gln}`` or ``{base}/417/{gln}``.

    Raises:
        GS1Error: Bad GLN (``"gln"``) or base URI.
    """
    return f"{_check_base(base_uri)}/{417 if party else 414}/{validate_gln(gln)}"
