"""Client of ClaimAdjudication: plans, enrolment, catalogue, network, claims, review, appeal,
settlement, remittance (table and FHIR ClaimResponse) and reconciliation.

Amounts given by users are money in the settlement token's units (``"12.34"``); the chain and
every returned amount are integers in base units (``12340000`` for a 6-decimal token). Item codes
are ``SYSTEM:CODE`` (``CPT:99213``, ``NDC:0002-8215-01``, ``GTIN:00300028215012``), diagnoses
ICD-10 codes (``E11.9``). Dates are ISO dates (UTC) or unix seconds; a coverage period's end date
covers its whole last day.

Consent: the patient must have granted the plan's insurer the ``insurance_claims`` purpose with
``read`` over every category the claim reveals (the catalogue categories of its items).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from web3 import Web3

from medchain.core.client import ContractClient
from medchain.core.deploy import Suite
from medchain.core.errors import ClaimsError, InvalidCIDError, InvalidInputError, StandardsError
from medchain.core.registry import check_address
from medchain.core.standards import x12
from medchain.core.standards.consent_codes import Category
from medchain.core.storage import parse_cid
from medchain.core.times import to_unix
from medchain.core.tx import Receipt, Sender, call, events

CONTRACT = "ClaimAdjudication"
MAX_LINES = 50
MAX_DIAGNOSES = 12
MAX_INDICATIONS = 32
UINT80 = 2**80 - 1
UINT96 = 2**96 - 1
CATALOGUE_CHUNK = 40

#: Service classes (the plan's copay applies per class); values are the contract's.
SERVICE_CLASSES = ["consultation", "pharmacy", "laboratory", "imaging", "procedure", "inpatient", "emergency", "other"]
LINE_STATUS = {0: "none", 1: "approved", 2: "denied", 3: "pending"}
CLAIM_STATUS = {0: "none", 1: "approved", 2: "partially approved", 3: "denied", 4: "pending review"}

_CODE = re.compile(r"^[A-Z0-9]{2,8}:[A-Za-z0-9.\-]{1,23}$")
_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


# ---------------------------------------------------------------------------------- encoding
def encode_code(code: str, what: str = "code") -> bytes:
    """``"CPT:99213"`` → the contract's bytes32 (ASCII, left-aligned).

    Raises:
        InvalidInputError: not ``SYSTEM:CODE`` (2-8 upper-case letters/digits, ``:``, 1-23 of
            letters, digits, ``.``, ``-``).
    """
    text = code.strip() if isinstance(code, str) else code
    if not isinstance(text, str) or not _CODE.match(text):
        raise InvalidInputError(f"{what} {code!r} is not SYSTEM:CODE (e.g. CPT:99213, NDC:0002-8215-01)")
    return text.encode().ljust(32, b"\0")


def decode_code(raw: bytes) -> str:
    """The contract's bytes32 back to text."""
    return bytes(raw).rstrip(b"\0").decode(errors="replace")


def normalise_icd10(code: str, what: str = "diagnosis") -> str:
    """``"e119"`` → ``"E11.9"``.

    Raises:
        InvalidInputError: not an ICD-10 code (letter, digit, digit or letter, optional ``.`` and 1-4 more).
    """
    if not isinstance(code, str):
        raise InvalidInputError(f"{what} must be a string ICD-10 code, got {code!r}")
    text = code.strip().upper()
    if len(text) > 3 and "." not in text:
        text = text[:3] + "." + text[3:]
    if not _ICD10.match(text):
        raise InvalidInputError(f"{what} {code!r} is not an ICD-10 code (e.g. E11 or E11.9)")
    return text


def encode_icd10(code: str, what: str = "diagnosis") -> bytes:
    return normalise_icd10(code, what).encode().ljust(32, b"\0")


def parse_date(value: Any, what: str, *, end: bool = False) -> int:
    """Unix seconds of a claim or plan date (see :func:`medchain.core.times.to_unix`)."""
    return to_unix(value, what, end=end)


def iso_date(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).date().isoformat()


def to_units(amount: Any, decimals: int, what: str, maximum: int = UINT96) -> int:
    """Money (``"12.34"``, ``12.34``, ``Decimal``) → base units.

    Raises:
        InvalidInputError: not a number, negative, finer than the token's decimals, or too large.
    """
    if isinstance(amount, bool):
        raise InvalidInputError(f"{what} must be an amount, not {amount!r}")
    try:
        value = Decimal(str(amount).strip()).scaleb(decimals)
    except ArithmeticError:  # InvalidOperation ("abc"), Overflow ("1e999999999")
        raise InvalidInputError(f"{what} {amount!r} is not an amount") from None
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise InvalidInputError(f"{what} {amount!r} must be a non-negative amount with at most {decimals} decimals")
    if value > maximum:
        raise InvalidInputError(f"{what} {amount!r} is too large")
    return int(value)


def fmt(base_units: int, decimals: int, places: int = 2) -> str:
    """Base units as money with ``places`` decimals (exact when the amount has no finer part)."""
    value = Decimal(base_units).scaleb(-decimals)
    return f"{value:,.{max(places, -int(value.normalize().as_tuple().exponent) if value else places)}f}"


def service_class(value: Any, what: str = "service_class") -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(SERVICE_CLASSES):
        return value
    name = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if name not in SERVICE_CLASSES:
        raise InvalidInputError(f"{what} {value!r} is unknown (one of: {', '.join(SERVICE_CLASSES)})")
    return SERVICE_CLASSES.index(name)


def documents_digest(cid: str | bytes | None, what: str = "documents") -> bytes:
    """The 32-byte digest anchored on chain for a document CID (sha2-256 multihash digest).

    Raises:
        InvalidInputError: not a CID with a sha2-256 digest (or not 32 bytes).
    """
    if cid is None:
        return b"\0" * 32
    if isinstance(cid, (bytes, bytearray)):
        if len(cid) != 32:
            raise InvalidInputError(f"{what} digest must be 32 bytes")
        return bytes(cid)
    try:
        _, _, multihash = parse_cid(cid)
    except InvalidCIDError as exc:
        raise InvalidInputError(f"{what}: {exc}") from None
    if multihash[:2] != bytes([0x12, 32]):
        raise InvalidInputError(f"{what} CID {cid!r} is not a sha2-256 CID")
    return multihash[2:]


# ---------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class PlanTerms:
    """A plan's annual cost sharing, in base units (``copays[c]`` per service class ``c``)."""

    deductible: int
    out_of_pocket_max: int
    benefit_limit: int
    coinsurance_bps: int
    copays: tuple[int, ...] = (0,) * 8

    def check(self) -> PlanTerms:
        """Validate like the contract does.

        Raises:
            InvalidInputError: the field at fault is named.
        """
        for name in ("deductible", "out_of_pocket_max", "benefit_limit"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= UINT80:
                raise InvalidInputError(f"plan {name} must be an amount of 0 to 2**80-1 base units, got {v!r}")
        if not 0 <= self.coinsurance_bps <= 10_000:
            raise InvalidInputError(f"plan coinsurance must be 0..100 % (0..10000 bps), got {self.coinsurance_bps} bps")
        if self.benefit_limit == 0:
            raise InvalidInputError("plan benefit_limit must be greater than 0")
        if self.deductible > self.out_of_pocket_max:
            raise InvalidInputError("plan deductible cannot exceed the out-of-pocket maximum")
        if len(self.copays) != 8 or any(not 0 <= c <= UINT80 for c in self.copays):
            raise InvalidInputError("plan copays must be 8 amounts (one per service class)")
        return self

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.deductible, self.out_of_pocket_max, self.benefit_limit, self.coinsurance_bps, list(self.copays))


def parse_plan(data: Mapping[str, Any], decimals: int) -> PlanTerms:
    """Plan terms from money values: ``deductible``, ``out_of_pocket_max``, ``benefit_limit``,
    ``coinsurance`` (percent, e.g. ``20``) and ``copays`` (``{"consultation": "20", ...}``).

    Raises:
        InvalidInputError: the field at fault is named.
    """
    known = {"deductible", "out_of_pocket_max", "benefit_limit", "coinsurance", "copays"}
    unknown = set(data) - known
    if unknown:
        raise InvalidInputError(f"plan: unknown field(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})")
    for key in ("deductible", "out_of_pocket_max", "benefit_limit"):
        if key not in data:
            raise InvalidInputError(f"plan: {key} is required")
    try:
        bps = Decimal(str(data.get("coinsurance", 0)).strip()) * 100
        percentage = bps.is_finite() and 0 <= bps <= 10_000
    except ArithmeticError:  # InvalidOperation ("abc", "sNaN"), Overflow ("1e999999")
        percentage = False
    if not percentage:
        raise InvalidInputError(f"plan coinsurance {data.get('coinsurance')!r} is not a percentage of 0 to 100")
    if bps != bps.to_integral_value():
        raise InvalidInputError("plan coinsurance has more than 2 decimals of a percent")
    copays = [0] * 8
    given = data.get("copays") or {}
    if not isinstance(given, Mapping):
        raise InvalidInputError(f"plan copays must be an object of service class: amount, not {given!r}")
    for name, amount in given.items():
        copays[service_class(name, f"plan copays.{name}")] = to_units(amount, decimals, f"plan copays.{name}", UINT80)
    deductible, out_of_pocket_max, benefit_limit = (to_units(data[k], decimals, f"plan {k}", UINT80)
                                                    for k in ("deductible", "out_of_pocket_max", "benefit_limit"))
    return PlanTerms(deductible, out_of_pocket_max, benefit_limit, int(bps), tuple(copays)).check()


@dataclass(frozen=True)
class CatalogueEntry:
    """One row of the catalogue (the medical insurance list)."""

    code: str
    covered: bool
    service_class: int
    categories: int
    max_unit_price: int  # base units; 0 = no fee-schedule cap
    indications: tuple[str, ...] = ()
    description: str = ""

    def as_tuple(self) -> tuple[Any, ...]:
        return (encode_code(self.code), self.covered, self.service_class, self.categories, self.max_unit_price,
                [encode_icd10(i) for i in self.indications])


_TRUE = {"yes", "y", "true", "1", "covered"}
_FALSE = {"no", "n", "false", "0", "not covered", "excluded"}
CATALOGUE_COLUMNS = ["code", "description", "covered", "service_class", "categories", "max_unit_price", "indications"]


def parse_catalogue_csv(text: str, decimals: int) -> list[CatalogueEntry]:
    """Parse a catalogue CSV.

    Columns (header row required; ``description`` optional): ``code`` (SYSTEM:CODE), ``covered``
    (yes/no), ``service_class`` (consultation, pharmacy, laboratory, imaging, procedure,
    inpatient, emergency, other), ``categories`` (consent categories, ``;``-separated, e.g.
    ``endocrine;medication``), ``max_unit_price`` (money, empty = no cap), ``indications``
    (ICD-10 codes, ``;``-separated, empty = any diagnosis).

    Raises:
        InvalidInputError: names the row (as in a spreadsheet: the header is row 1) and column.
    """
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        rows = list(reader)
    except csv.Error as exc:  # a stray carriage return, an oversized cell...
        raise InvalidInputError(f"catalogue: not a readable CSV ({exc})") from None
    missing = [c for c in CATALOGUE_COLUMNS if c != "description" and c not in header]
    if missing:
        raise InvalidInputError(f"catalogue: missing column(s) {', '.join(missing)} (columns: {', '.join(CATALOGUE_COLUMNS)})")
    entries: list[CatalogueEntry] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(rows, start=2):
        if None in raw:
            raise InvalidInputError(f"catalogue row {n}: more cells than the {len(header)} columns of the header")
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue

        def bad(column: str, why: str, line: int = n) -> InvalidInputError:
            return InvalidInputError(f"catalogue row {line}, column {column}: {why}")

        code = row["code"]
        try:
            encode_code(code)
        except InvalidInputError as exc:
            raise bad("code", str(exc)) from None
        if code in seen:
            raise bad("code", f"{code} already listed in row {seen[code]}")
        seen[code] = n
        covered_text = row["covered"].lower()
        if covered_text not in _TRUE | _FALSE:
            raise bad("covered", f"{row['covered']!r} is not yes or no")
        try:
            cls = service_class(row["service_class"])
        except InvalidInputError as exc:
            raise bad("service_class", str(exc)) from None
        try:
            cats = Category.mask([c for c in row["categories"].split(";") if c.strip()])
        except StandardsError as exc:
            raise bad("categories", str(exc)) from None
        if cats == 0:
            raise bad("categories", "at least one consent category is required (e.g. general)")
        try:
            price = to_units(row["max_unit_price"], decimals, "max_unit_price") if row["max_unit_price"] else 0
        except InvalidInputError as exc:
            raise bad("max_unit_price", str(exc)) from None
        indications = [i for i in row["indications"].replace(",", ";").split(";") if i.strip()]
        if len(indications) > MAX_INDICATIONS:
            raise bad("indications", f"at most {MAX_INDICATIONS} codes")
        try:
            normalised = tuple(dict.fromkeys(normalise_icd10(i, "indication") for i in indications))
        except InvalidInputError as exc:
            raise bad("indications", str(exc)) from None
        entries.append(CatalogueEntry(code, covered_text in _TRUE, cls, cats, price, normalised, row.get("description", "")))
    if not entries:
        raise InvalidInputError("catalogue: no item rows")
    return entries


@dataclass(frozen=True)
class ClaimLine:
    code: str
    quantity: int
    billed: int


@dataclass(frozen=True)
class ClaimSubmission:
    """A claim ready to submit (amounts in base units, dates in unix seconds)."""

    patient: str
    plan: int
    service_date: int
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]
    documents: str | None = None

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.patient, self.plan, self.service_date, [encode_icd10(d) for d in self.diagnoses],
                [(encode_code(li.code), li.quantity, li.billed) for li in self.lines], documents_digest(self.documents))


def parse_claim(data: Mapping[str, Any] | str | Path, decimals: int) -> ClaimSubmission:
    """A claim from JSON (a dict, a JSON string or a file path)::

        {"patient": "0x…", "plan": 1, "service_date": "2026-03-02", "diagnoses": ["E11.9"],
         "lines": [{"code": "CPT:99213", "quantity": 1, "billed": "150.00"}], "documents": "bafy…"}

    Raises:
        InvalidInputError: names the bad field (``lines[1].quantity``).
    """
    if isinstance(data, Path) or (isinstance(data, str) and "\n" not in data and not data.lstrip().startswith(("{", "["))):
        try:
            data = Path(data).read_text()
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name, or not UTF-8 text
            raise InvalidInputError(f"claim file {data!r}: {getattr(exc, 'strerror', None) or exc}") from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise InvalidInputError(f"claim is not valid JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise InvalidInputError("claim must be a JSON object")
    known = {"patient", "plan", "service_date", "diagnoses", "lines", "documents"}
    unknown = set(data) - known
    if unknown:
        raise InvalidInputError(f"claim: unknown field(s) {', '.join(sorted(unknown))}")
    for key in ("patient", "plan", "service_date", "diagnoses", "lines"):
        if key not in data:
            raise InvalidInputError(f"claim: {key} is required")
    patient = check_address(data["patient"], "claim patient")
    plan = data["plan"]
    if isinstance(plan, bool) or not isinstance(plan, int) or not 0 < plan < 2**32:
        raise InvalidInputError(f"claim plan must be a plan id (positive integer), got {plan!r}")
    when = parse_date(data["service_date"], "claim service_date")
    diags = data["diagnoses"]
    if not isinstance(diags, list) or not 1 <= len(diags) <= MAX_DIAGNOSES:
        raise InvalidInputError(f"claim diagnoses must be a list of 1 to {MAX_DIAGNOSES} ICD-10 codes")
    diagnoses = tuple(normalise_icd10(d, f"claim diagnoses[{i}]") for i, d in enumerate(diags))
    raw_lines = data["lines"]
    if not isinstance(raw_lines, list) or not 1 <= len(raw_lines) <= MAX_LINES:
        raise InvalidInputError(f"claim lines must be a list of 1 to {MAX_LINES} lines")
    lines = []
    for i, li in enumerate(raw_lines):
        where = f"claim lines[{i}]"
        if not isinstance(li, Mapping):
            raise InvalidInputError(f"{where} must be an object with code, quantity, billed")
        for key in ("code", "quantity", "billed"):
            if key not in li:
                raise InvalidInputError(f"{where}.{key} is required")
        code = li["code"]
        encode_code(code, f"{where}.code")
        qty = li["quantity"]
        if isinstance(qty, bool) or not isinstance(qty, int) or not 0 < qty < 2**32:
            raise InvalidInputError(f"{where}.quantity must be a positive integer, got {qty!r}")
        lines.append(ClaimLine(code.strip(), qty, to_units(li["billed"], decimals, f"{where}.billed")))
    documents = data.get("documents")
    documents_digest(documents, "claim documents")
    return ClaimSubmission(patient, plan, when, diagnoses, tuple(lines), documents)


# ---------------------------------------------------------------------------------- results
@dataclass
class LineResult:
    """A line's current outcome (amounts in base units)."""

    index: int
    code: str
    status: str
    reason: int
    billed: int
    allowed: int = 0
    deductible: int = 0
    copay: int = 0
    coinsurance: int = 0
    patient_responsibility: int = 0
    payer: int = 0
    appealed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("index", "code", "status", "reason", "billed", "allowed", "deductible",
                                              "copay", "coinsurance", "patient_responsibility", "payer", "appealed")}


@dataclass
class ClaimResult:
    """A claim and its lines as the events tell it."""

    claim_id: str
    provider: str
    patient: str
    plan: int
    insurer: str
    service_date: int
    status: str
    lines: list[LineResult]
    content_hash: str = ""
    documents: str = ""
    diagnoses: tuple[str, ...] = ()
    tx_hash: str = ""
    block: int = 0

    @property
    def payer_total(self) -> int:
        return sum(li.payer for li in self.lines)

    @property
    def duplicate(self) -> bool:
        return self.claim_id != self.content_hash


_OUTCOME = ("status", "reason", "billed", "allowed", "deductible", "copay", "coinsurance", "patientResponsibility", "payer")


def _fields(o: Any) -> tuple[int, ...]:
    return tuple(o[k] for k in _OUTCOME) if isinstance(o, Mapping) else tuple(o)


def _outcome(index: int, code: str, o: Any) -> LineResult:
    status, reason, billed, allowed, ded, copay, coins, patient, payer = _fields(o)
    return LineResult(index, code, LINE_STATUS[status], reason, billed, allowed, ded, copay, coins, patient, payer)


def _apply(line: LineResult, o: Any) -> None:
    status, reason, _billed, allowed, ded, copay, coins, patient, payer = _fields(o)
    line.status, line.reason = LINE_STATUS[status], reason
    line.allowed, line.deductible, line.copay, line.coinsurance = allowed, ded, copay, coins
    line.patient_responsibility, line.payer = patient, payer


@dataclass
class Reconciliation:
    """Totals derived from events next to the contract's balances; ``balanced`` when all agree."""

    decimals: int
    symbol: str
    insurers: list[dict[str, Any]]
    providers: list[dict[str, Any]]
    patients: list[dict[str, Any]]
    token_held: int
    pools_total: int
    mismatches: list[str]

    @property
    def balanced(self) -> bool:
        return not self.mismatches

    def table(self) -> str:
        """The report as aligned text tables."""
        d = self.decimals
        out = [f"Reconciliation ({self.symbol}): {'BALANCED' if self.balanced else 'MISMATCH'}", "",
               "Insurer pools (from events | on chain)"]
        out.append(f"  {'insurer':<26}{'funded':>14}{'defunded':>12}{'approved':>14}{'paid':>14}{'pool':>14}{'owed':>14}  check")
        for r in self.insurers:
            out.append(f"  {r['name'][:25]:<26}{fmt(r['funded'], d):>14}{fmt(r['defunded'], d):>12}{fmt(r['credited'], d):>14}"
                       f"{fmt(r['withdrawn'], d):>14}{fmt(r['pool_balance'], d):>14}{fmt(r['outstanding'], d):>14}"
                       f"  {'ok' if r['ok'] else 'MISMATCH'}")
        out += ["", "Providers"]
        out.append(f"  {'provider':<26}{'insurer':<16}{'approved':>14}{'withdrawn':>14}{'owed':>14}  check")
        for r in self.providers:
            out.append(f"  {r['name'][:25]:<26}{r['insurer_name'][:15]:<16}{fmt(r['credited'], d):>14}"
                       f"{fmt(r['withdrawn'], d):>14}{fmt(r['owed'], d):>14}  {'ok' if r['ok'] else 'MISMATCH'}")
        out += ["", "Patients (per plan and year)"]
        out.append(f"  {'patient':<14}{'plan':>5}{'year':>6}{'deductible':>14}{'out of pocket':>15}{'benefit used':>14}  check")
        for r in self.patients:
            out.append(f"  {r['patient'][:12] + '…':<14}{r['plan']:>5}{r['year']:>6}{fmt(r['deductible'], d):>14}"
                       f"{fmt(r['out_of_pocket'], d):>15}{fmt(r['benefit_used'], d):>14}  {'ok' if r['ok'] else 'MISMATCH'}")
        out += ["", f"Token held by the contract {fmt(self.token_held, d)} = sum of pools {fmt(self.pools_total, d)}: "
                    f"{'ok' if self.token_held == self.pools_total else 'MISMATCH'}"]
        out += [f"  ! {m}" for m in self.mismatches]
        return "\n".join(out)


# ---------------------------------------------------------------------------------- client
class ClaimsClient(ContractClient):
    """Insurer, provider and reviewer operations on ClaimAdjudication, and reports from its events.

    Args:
        suite: The deployed suite.
        sender: Who signs (insurer, provider, reviewer); ``None`` for a read-only client.
    """

    CONTRACT = CONTRACT

    def __init__(self, suite: Suite, sender: Sender | None = None):
        super().__init__(suite, sender)
        self.chain = suite.chain
        self.token = self.chain.w3.eth.contract(address=call(self.contract.functions.token()), abi=_ERC20_ABI)
        self.decimals = int(call(self.token.functions.decimals()))
        self.symbol = str(call(self.token.functions.symbol()))

    def units(self, amount: Any, what: str = "amount") -> int:
        """Money → base units of the settlement token."""
        return to_units(amount, self.decimals, what, 2**128 - 1)

    def display(self, base_units: int) -> str:
        return f"{fmt(base_units, self.decimals)} {self.symbol}"

    # ------------------------------------------------------------------ insurer set-up
    def define_plan(self, terms: PlanTerms | Mapping[str, Any]) -> int:
        """Define a plan of the sender (an insurer); returns its id.

        Raises:
            InvalidInputError: bad terms. ContractRevert: e.g. ``MissingRole``.
        """
        if not isinstance(terms, PlanTerms):
            terms = parse_plan(terms, self.decimals)
        receipt = self._send(self.contract.functions.definePlan(terms.check().as_tuple()))
        return int(events(self.contract, "PlanDefined", receipt)[0]["planId"])

    def enrol(self, plan: int, patient: str, start: Any, end: Any) -> Receipt:
        """Enrol ``patient`` for [start, end] (an end date covers its whole day).

        Raises:
            InvalidInputError: bad address or period. ContractRevert: ``NotPlanInsurer``, ``UnknownPlan``.
        """
        s, e = parse_date(start, "start"), parse_date(end, "end", end=True)
        if s > e:
            raise InvalidInputError(f"coverage ends ({iso_date(e)}) before it starts ({iso_date(s)})")
        return self._send(self.contract.functions.enrol(plan, check_address(patient, "patient"), s, e))

    def set_network(self, provider: str, member: bool = True) -> Receipt:
        return self._send(self.contract.functions.setNetwork(check_address(provider, "provider"), member))

    def set_reviewer(self, reviewer: str, allowed: bool = True) -> Receipt:
        return self._send(self.contract.functions.setReviewer(check_address(reviewer, "reviewer"), allowed))

    def load_catalogue(self, entries: Iterable[CatalogueEntry] | str, effective_from: Any) -> int:
        """Publish a catalogue version: open it, add the items (in chunks), seal it. Returns the version.

        The whole catalogue is validated before anything is sent. If a previous load of the same
        effective date stopped half way (version still open), it is resumed: items already listed
        are skipped.

        Raises:
            InvalidInputError: a bad row (named) or effective date. ContractRevert: e.g.
            ``InvalidEffectiveDate`` (not after the previous version).
        """
        items = parse_catalogue_csv(entries, self.decimals) if isinstance(entries, str) else list(entries)
        for it in items:
            it.as_tuple()  # validates codes
        when = parse_date(effective_from, "effective_from")
        me = self.me
        count = int(call(self.contract.functions.catalogueVersionCount(me)))
        version = None
        if count:
            eff, sealed, _ = call(self.contract.functions.catalogueVersion(me, count))
            if not sealed:
                if eff != when:
                    raise InvalidInputError(f"catalogue version {count} (from {iso_date(eff)}) is still open; "
                                            f"load it again with effective date {iso_date(eff)} to finish it")
                version = count
        if version is None:
            receipt = self._send(self.contract.functions.openCatalogueVersion(when))
            version = int(events(self.contract, "CatalogueVersionOpened", receipt)[0]["version"])
        else:
            items = [it for it in items if not call(self.contract.functions.item(me, version, encode_code(it.code)))[0]]
        for start in range(0, len(items), CATALOGUE_CHUNK):
            chunk = [it.as_tuple() for it in items[start:start + CATALOGUE_CHUNK]]
            self._send(self.contract.functions.setCatalogueItems(version, chunk))
        self._send(self.contract.functions.sealCatalogueVersion(version))
        return version

    # ------------------------------------------------------------------ claims
    def submit(self, claim: ClaimSubmission | Mapping[str, Any] | str | Path) -> ClaimResult:
        """Submit a claim (the sender is the provider); it is adjudicated in the same transaction.

        Returns:
            The adjudicated claim (status and every line's amounts and reason code).

        Raises:
            InvalidInputError: a bad field (named). ContractRevert: ``ConsentMissing``,
            ``ProviderNotInNetwork``, ``ServiceDateInFuture``, ``UnknownPlan``, ``MissingRole``...
        """
        if not isinstance(claim, ClaimSubmission):
            claim = parse_claim(claim, self.decimals)
        receipt = self._send(self.contract.functions.submitClaim(claim.as_tuple()))
        (sub,) = events(self.contract, "ClaimSubmitted", receipt)
        lines = [_outcome(e["index"], decode_code(e["code"]), e["outcome"])
                 for e in events(self.contract, "LineAdjudicated", receipt)]
        plan = self.plan(sub["planId"])
        return ClaimResult("0x" + bytes(sub["claimId"]).hex(), sub["provider"], sub["patient"], sub["planId"],
                           plan["insurer"], sub["serviceDate"], CLAIM_STATUS[sub["status"]], lines,
                           "0x" + bytes(sub["contentHash"]).hex(), "0x" + bytes(sub["documents"]).hex(),
                           tuple(decode_code(d) for d in sub["diagnoses"]), receipt.tx_hash, receipt.block_number)

    def review(self, claim_id: str | bytes, index: int, approve: bool, reason: int = 0, note: str = "") -> LineResult:
        """Approve or deny a pending line (the sender is the insurer or one of its reviewers).

        Args:
            reason: The CARC of a denial (required, e.g. 50 not medically necessary).
            note: The reviewer's note; its keccak256 goes on chain.

        Returns:
            The line's new outcome.

        Raises:
            InvalidInputError: a denial without a known CARC. ContractRevert: ``NotReviewer``,
            ``LineNotPending``...
        """
        if not approve:
            if not reason:
                raise InvalidInputError("a denial needs a reason code (CARC), e.g. 50")
            try:
                x12.reason(reason)
            except StandardsError as exc:
                raise InvalidInputError(str(exc)) from None
        note_hash = Web3.keccak(text=note) if note else b"\0" * 32
        receipt = self._send(self.contract.functions.review(_claim_id(claim_id), index, approve, reason, note_hash))
        (e,) = events(self.contract, "LineAdjudicated", receipt)
        return _outcome(index, "", e["outcome"])

    def appeal(self, claim_id: str | bytes, index: int, evidence: str | bytes) -> Receipt:
        """Appeal a denied line once with new evidence (a document CID or a 32-byte digest).

        Raises:
            InvalidInputError: bad evidence. ContractRevert: ``AlreadyAppealed``, ``LineNotDenied``...
        """
        digest = documents_digest(evidence, "evidence")
        if digest == b"\0" * 32:
            raise InvalidInputError("an appeal needs new evidence")
        return self._send(self.contract.functions.appeal(_claim_id(claim_id), index, digest))

    # ------------------------------------------------------------------ settlement
    def fund(self, amount: Any) -> Receipt:
        """Approve the contract and move ``amount`` (money) into the sender's pool."""
        units = self.units(amount)
        if units == 0:
            raise InvalidInputError("the amount must be greater than 0")
        self._send(self.token.functions.approve(self.contract.address, units))
        return self._send(self.contract.functions.fund(units))

    def defund(self, amount: Any) -> Receipt:
        """Take back ``amount`` (money) of the sender's pool that no provider is owed."""
        return self._send(self.contract.functions.defund(self.units(amount)))

    def withdraw(self, insurer: str, amount: Any = None) -> Receipt:
        """Withdraw what ``insurer`` owes the sender (all of it, or ``amount`` money).

        Raises:
            ClaimsError: nothing is owed. ContractRevert: ``InsufficientPool`` (the pool holds less).
        """
        insurer = check_address(insurer, "insurer")
        units = self.owed(insurer, self.me) if amount is None else self.units(amount)
        if units == 0:
            raise ClaimsError(f"{insurer} owes {self.me} nothing")
        return self._send(self.contract.functions.withdraw(insurer, units))

    # ------------------------------------------------------------------ reads
    def plan(self, plan_id: int) -> dict[str, Any]:
        insurer, bps, ded, oop, benefit, copays = call(self.contract.functions.plan(plan_id))
        if int(insurer, 16) == 0:
            raise ClaimsError(f"no plan {plan_id}")
        return {"id": plan_id, "insurer": insurer, "coinsurance_bps": bps, "deductible": ded, "out_of_pocket_max": oop,
                "benefit_limit": benefit, "copays": dict(zip(SERVICE_CLASSES, copays, strict=True))}

    def enrolment(self, plan_id: int, patient: str) -> tuple[int, int]:
        return tuple(call(self.contract.functions.enrolment(plan_id, check_address(patient, "patient"))))

    def claim(self, claim_id: str | bytes) -> dict[str, Any]:
        fields = call(self.contract.functions.claim(_claim_id(claim_id)))
        provider, when, status, n, pending, approved, denied, patient, plan = fields
        if int(provider, 16) == 0:
            shown = claim_id if isinstance(claim_id, str) else "0x" + claim_id.hex()
            raise ClaimsError(f"no claim {shown}")
        return {"provider": provider, "service_date": when, "status": CLAIM_STATUS[status], "lines": n, "pending": pending,
                "approved": approved, "denied": denied, "patient": patient, "plan": plan}

    def line(self, claim_id: str | bytes, index: int) -> dict[str, Any]:
        status, reason, cls, appealed, allowed, payer = call(self.contract.functions.line(_claim_id(claim_id), index))
        return {"status": LINE_STATUS[status], "reason": reason, "service_class": SERVICE_CLASSES[cls], "appealed": appealed,
                "allowed": allowed, "payer": payer}

    def accumulator(self, patient: str, plan_id: int, year: int) -> dict[str, int]:
        ded, oop, used = call(self.contract.functions.accumulator(check_address(patient, "patient"), plan_id, year))
        return {"deductible": ded, "out_of_pocket": oop, "benefit_used": used}

    def pool(self, insurer: str) -> dict[str, int]:
        balance, outstanding = call(self.contract.functions.pool(check_address(insurer, "insurer")))
        return {"balance": balance, "outstanding": outstanding}

    def owed(self, insurer: str, provider: str) -> int:
        return int(call(self.contract.functions.owed(check_address(insurer, "insurer"), check_address(provider, "provider"))))

    def year_of(self, timestamp: int) -> int:
        return datetime.fromtimestamp(timestamp, timezone.utc).year

    # ------------------------------------------------------------------ events
    def claims(self, *, provider: str | None = None, patient: str | None = None, insurer: str | None = None) -> list[ClaimResult]:
        """Every claim with its lines' current outcomes, rebuilt from events (oldest first)."""
        plans = {e["args"]["planId"]: e["args"]["insurer"] for e in self.logs("PlanDefined")}
        out: dict[bytes, ClaimResult] = {}
        for log in self.logs("ClaimSubmitted", provider=check_address(provider, "provider") if provider else None,
                              patient=check_address(patient, "patient") if patient else None):
            a = log["args"]
            if insurer and plans.get(a["planId"]) != check_address(insurer, "insurer"):
                continue
            out[bytes(a["claimId"])] = ClaimResult(
                "0x" + bytes(a["claimId"]).hex(), a["provider"], a["patient"], a["planId"], plans.get(a["planId"], ""),
                a["serviceDate"], CLAIM_STATUS[a["status"]], [], "0x" + bytes(a["contentHash"]).hex(),
                "0x" + bytes(a["documents"]).hex(), tuple(decode_code(d) for d in a["diagnoses"]),
                log["transactionHash"].to_0x_hex(), log["blockNumber"])
        for log in self.logs("LineAdjudicated"):
            a = log["args"]
            c = out.get(bytes(a["claimId"]))
            if c is None:
                continue
            if bytes(a["code"]) != b"\0" * 32:
                c.lines.append(_outcome(a["index"], decode_code(a["code"]), a["outcome"]))
            else:
                _apply(c.lines[a["index"]], a["outcome"])
        for log in self.logs("LineAppealed"):
            c = out.get(bytes(log["args"]["claimId"]))
            if c is not None:
                c.lines[log["args"]["index"]].appealed = True
        for log in self.logs("ClaimStatusChanged"):
            c = out.get(bytes(log["args"]["claimId"]))
            if c is not None:
                c.status = CLAIM_STATUS[log["args"]["status"]]
        return list(out.values())

    def remittance(self, provider: str, insurer: str | None = None) -> list[ClaimResult]:
        """A provider's claims (X12 835 content), optionally for one insurer."""
        return self.claims(provider=provider, insurer=insurer)

    def remittance_table(self, provider: str, insurer: str | None = None) -> str:
        """The remittance advice as a readable table: per line billed, allowed, deductible, copay,
        coinsurance, patient responsibility, paid, and the 835 adjustments (group-CARC amount)."""
        d = self.decimals
        claims = self.remittance(provider, insurer)
        rows = [f"Remittance advice for {check_address(provider, 'provider')} ({self.symbol})", ""]
        head = (f"  {'#':>2} {'code':<22}{'status':<10}{'billed':>11}{'allowed':>11}{'deduct.':>10}{'copay':>9}"
                f"{'coins.':>9}{'patient':>10}{'paid':>11}  adjustments")
        total_billed = total_paid = total_patient = 0
        for c in claims:
            rows.append(f"Claim {c.claim_id[:18]}…  patient {c.patient}  plan {c.plan}  service {iso_date(c.service_date)}  "
                        f"status {c.status.upper()}" + ("  (duplicate)" if c.duplicate else ""))
            rows.append(head)
            for li in c.lines:
                cas = "pending review" if li.status == "pending" else ", ".join(
                    f"{a.group}-{a.reason} {fmt(a.amount, d)}" for a in x12.adjustments(li.as_dict())) or "-"
                if li.status == "pending" and li.reason:
                    cas += f" ({x12.describe(li.reason)})"
                rows.append(f"  {li.index:>2} {li.code[:21]:<22}{li.status:<10}{fmt(li.billed, d):>11}{fmt(li.allowed, d):>11}"
                            f"{fmt(li.deductible, d):>10}{fmt(li.copay, d):>9}{fmt(li.coinsurance, d):>9}"
                            f"{fmt(li.patient_responsibility, d):>10}{fmt(li.payer, d):>11}  {cas}")
                total_billed += li.billed
                total_paid += li.payer
                total_patient += li.patient_responsibility if li.status == "approved" else 0
            rows.append("")
        rows.append(f"Totals: {len(claims)} claims, billed {fmt(total_billed, d)}, patient responsibility "
                    f"{fmt(total_patient, d)}, paid {fmt(total_paid, d)} {self.symbol}")
        codes = sorted({li.reason for c in claims for li in c.lines if li.reason}
                       | {a.reason for c in claims for li in c.lines if li.status != "pending"
                          for a in x12.adjustments(li.as_dict())})
        if codes:
            rows += ["", "Reason codes (X12 CARC):"] + [f"  {x12.describe(code)}" for code in codes]
        return "\n".join(rows)

    def claim_response(self, claim_id: str | bytes, currency: str = "USD") -> dict[str, Any]:
        """The FHIR R4 ClaimResponse of one claim (adjudication: submitted, eligible, deductible,
        copay, coinsurance, member liability, benefit; CARC reasons).

        Raises:
            ClaimsError: unknown claim.
        """
        cid = "0x" + _claim_id(claim_id).hex()
        for c in self.claims():
            if c.claim_id == cid:
                pharmacy = all(li.code.split(":")[0] in ("NDC", "GTIN") for li in c.lines)
                return x12.claim_response(
                    {"id": c.claim_id, "status": c.status, "patient": c.patient, "insurer": c.insurer,
                     "provider": c.provider, "service_date": iso_date(c.service_date), "pharmacy": pharmacy,
                     "lines": [li.as_dict() for li in c.lines]},
                    decimals=self.decimals, currency=currency)
        raise ClaimsError(f"no claim {cid}")

    def reconcile(self) -> Reconciliation:
        """Totals per insurer, provider and patient derived from events, checked against the
        contract's pools, amounts owed, accumulators and token balance (exact, in base units)."""
        names = self.name_of
        funded: dict[str, int] = {}
        defunded: dict[str, int] = {}
        credited: dict[tuple[str, str], int] = {}
        withdrawn: dict[tuple[str, str], int] = {}
        for log in self.logs("PoolFunded"):
            funded[log["args"]["insurer"]] = funded.get(log["args"]["insurer"], 0) + log["args"]["amount"]
        for log in self.logs("PoolDefunded"):
            defunded[log["args"]["insurer"]] = defunded.get(log["args"]["insurer"], 0) + log["args"]["amount"]
        for log in self.logs("Credited"):
            key = (log["args"]["insurer"], log["args"]["provider"])
            credited[key] = credited.get(key, 0) + log["args"]["amount"]
        for log in self.logs("Withdrawn"):
            key = (log["args"]["insurer"], log["args"]["provider"])
            withdrawn[key] = withdrawn.get(key, 0) + log["args"]["amount"]
        mismatches: list[str] = []
        claims = self.claims()
        # line payer amounts must add up to what was credited
        line_paid: dict[tuple[str, str], int] = {}
        acc: dict[tuple[str, int, int], list[int]] = {}
        for c in claims:
            for li in c.lines:
                if li.status != "approved":
                    continue
                key = (c.insurer, c.provider)
                line_paid[key] = line_paid.get(key, 0) + li.payer
                a = acc.setdefault((c.patient, c.plan, self.year_of(c.service_date)), [0, 0, 0])
                a[0] += li.deductible
                a[1] += li.deductible + li.copay + li.coinsurance
                a[2] += li.payer
        for key in set(line_paid) | set(credited):
            if line_paid.get(key, 0) != credited.get(key, 0):
                mismatches.append(f"lines approved for {key[1]} by {key[0]} total {line_paid.get(key, 0)}, "
                                  f"credited {credited.get(key, 0)}")
        insurers = sorted(set(funded) | set(defunded) | {k[0] for k in credited} | {k[0] for k in withdrawn})
        ins_rows = []
        pools_total = 0
        for ins in insurers:
            p = self.pool(ins)
            pools_total += p["balance"]
            cr = sum(v for k, v in credited.items() if k[0] == ins)
            wd = sum(v for k, v in withdrawn.items() if k[0] == ins)
            row: dict[str, Any] = {"insurer": ins, "name": names(ins), "funded": funded.get(ins, 0),
                                   "defunded": defunded.get(ins, 0), "credited": cr, "withdrawn": wd,
                                   "pool_balance": p["balance"], "outstanding": p["outstanding"]}
            row["ok"] = (row["funded"] - row["defunded"] - wd == p["balance"]) and (cr - wd == p["outstanding"])
            if not row["ok"]:
                mismatches.append(f"insurer {ins}: events give pool {row['funded'] - row['defunded'] - wd} owed {cr - wd}, "
                                  f"chain has {p['balance']} and {p['outstanding']}")
            ins_rows.append(row)
        prov_rows = []
        for ins, prov in sorted(set(credited) | set(withdrawn)):
            owed = self.owed(ins, prov)
            cr, wd = credited.get((ins, prov), 0), withdrawn.get((ins, prov), 0)
            row = {"provider": prov, "name": names(prov), "insurer": ins, "insurer_name": names(ins), "credited": cr,
                   "withdrawn": wd, "owed": owed, "ok": cr - wd == owed}
            if not row["ok"]:
                mismatches.append(f"provider {prov}: events give owed {cr - wd}, chain has {owed}")
            prov_rows.append(row)
        pat_rows = []
        for (patient, plan, year), (ded, oop, used) in sorted(acc.items()):
            onchain = self.accumulator(patient, plan, year)
            row = {"patient": patient, "plan": plan, "year": year, "deductible": ded, "out_of_pocket": oop,
                   "benefit_used": used, "ok": onchain == {"deductible": ded, "out_of_pocket": oop, "benefit_used": used}}
            if not row["ok"]:
                mismatches.append(f"patient {patient} plan {plan} {year}: events give {ded}/{oop}/{used}, chain has {onchain}")
            pat_rows.append(row)
        held = int(call(self.token.functions.balanceOf(self.contract.address)))
        if held != pools_total:
            mismatches.append(f"the contract holds {held} but the pools total {pools_total}")
        return Reconciliation(self.decimals, self.symbol, ins_rows, prov_rows, pat_rows, held, pools_total, mismatches)


def _claim_id(claim_id: str | bytes) -> bytes:
    if isinstance(claim_id, (bytes, bytearray)) and len(claim_id) == 32:
        return bytes(claim_id)
    text = str(claim_id).strip().removeprefix("0x")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise InvalidInputError(f"claim id {claim_id!r} is not 32 bytes of hex")
    return raw


_ERC20_ABI = [
    {"type": "function", "name": n, "stateMutability": "view", "inputs": [], "outputs": [{"name": "", "type": t}]}
    for n, t in (("decimals", "uint8"), ("symbol", "string"))
] + [
    {"type": "function", "name": "balanceOf", "stateMutability": "view", "inputs": [{"name": "a", "type": "address"}],
     "outputs": [{"name": "", "type": "uint256"}]},
    {"type": "function", "name": "approve", "stateMutability": "nonpayable",
     "inputs": [{"name": "s", "type": "address"}, {"name": "v", "type": "uint256"}], "outputs": [{"name": "", "type": "bool"}]},
]
