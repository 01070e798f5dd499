"""Bad-input fuzzing of every parser the project owns: any input either parses or raises the
project's own error type (a ``MedChainError`` subclass); never another exception, never a hang
(Hypothesis deadlines).

Inputs are both random and mutations of valid inputs (which reach deep into each parser).
``HYPOTHESIS_PROFILE=fuzz`` (``make fuzz``) runs many more examples than CI's 200.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
import sys
from typing import Any

import pytest
from eth_account import Account
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from medchain.claims import parse_catalogue_csv, parse_claim, parse_plan
from medchain.consent import SignedRequest, parse_mask, parse_time
from medchain.core.accounts import load_account
from medchain.core.chain import connect
from medchain.core.crypto import EncryptionKeyPair, RecordContext, WrappedKey, open_sealed, seal, validate_public_key, wrap_key
from medchain.core.deploy import load_suite
from medchain.core.errors import MedChainError
from medchain.core.standards import consent_codes, epcis, gs1
from medchain.core.standards.fhir import validate_record
from medchain.core.storage import compute_cid, normalise_cid, parse_cid, verify_content
from medchain.core.times import to_unix
from medchain.drugs import read_readings_csv
from medchain.participants import check_address, check_encryption_key, parse_roles
from medchain.research import DatasetBuild, parse_fields
from medchain.scenarios.claims import CATALOGUE, PLAN
from tests.core.standards.test_epcis import full_trace
from tests.core.standards.test_fhir import BUNDLE, OBSERVATION

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
EXAMPLES = {"ci": 200, "fuzz": 5000}[PROFILE]


def fuzz(deadline_ms: int = 1000, examples: int = EXAMPLES) -> Any:
    """The settings of every fuzz test: at least 200 examples in CI, a deadline per example."""
    return settings(max_examples=examples, deadline=dt.timedelta(milliseconds=deadline_ms), derandomize=PROFILE == "ci",
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def parses_or_refuses(parse: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a parser: a result or a MedChainError is fine; anything else fails the test."""
    try:
        return parse(*args, **kwargs)
    except MedChainError:
        return None


# ---------------------------------------------------------------- strategies

json_scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=40)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


@st.composite
def mutated(draw: Any, base: Any, values: Any = json_values) -> Any:
    """``base`` with one to three random edits: a value replaced, a key deleted or added, a list cut."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        parent, key = None, None
        node = doc
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            parent, key = node, draw(st.sampled_from(keys))
            node = node[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if parent is None:
            if isinstance(doc, dict) and action == "add":
                doc[draw(st.text(max_size=12))] = draw(values)
            elif isinstance(doc, dict) and doc and action == "delete":
                del doc[draw(st.sampled_from(sorted(doc)))]
            continue
        if action == "replace":
            parent[key] = draw(values)
        elif action == "delete":
            del parent[key]
        elif isinstance(node, dict):
            node[draw(st.text(max_size=12))] = draw(values)
        elif isinstance(node, list):
            node.append(draw(values))
    return doc


@st.composite
def mutated_text(draw: Any, base: str, alphabet: str) -> str:
    """``base`` with a few characters inserted, deleted or replaced (from ``alphabet`` or anywhere)."""
    chars = list(base)
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(chars)))
        ch = draw(st.sampled_from(alphabet) | st.characters())
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        if op == "insert" or not chars:
            chars.insert(pos, ch)
        elif op == "delete":
            del chars[min(pos, len(chars) - 1)]
        else:
            chars[min(pos, len(chars) - 1)] = ch
    return "".join(chars)


# ---------------------------------------------------------------- GS1

UNIT = gs1.UnitCode(gtin="09506000134352", lot="LOT42", serial="SN/0001", expiry=dt.date(2026, 12, 31))
TODAY = dt.date(2025, 6, 1)
GS1_TEXTS = [gs1.to_element_string(UNIT, today=TODAY), gs1.to_datamatrix(UNIT, today=TODAY),
             gs1.to_digital_link(UNIT), gs1.sgtin_uri(UNIT.gtin, UNIT.serial)]
GS1_ALPHABET = "0123456789()/\\\x1d]d2C1Q3%:.?&=-_ABCabcSN"
gs1_inputs = (st.text(alphabet=GS1_ALPHABET, max_size=120) | st.text(max_size=120)
              | st.sampled_from(GS1_TEXTS).flatmap(lambda t: mutated_text(t, GS1_ALPHABET)))
GS1_PARSERS = {"element_string": gs1.parse_element_string, "datamatrix": gs1.parse_datamatrix,
               "digital_link": gs1.parse_digital_link, "any": gs1.parse_any}


@pytest.mark.parametrize("parser", sorted(GS1_PARSERS))
@fuzz()
@given(text=gs1_inputs)
def test_fuzz_gs1_parsers(parser, text):
    unit = parses_or_refuses(GS1_PARSERS[parser], text, today=TODAY)
    if unit is not None:  # what parses round-trips through the canonical forms
        assert gs1.parse_element_string(gs1.to_element_string(unit, today=TODAY), today=TODAY) == unit


@fuzz()
@given(text=gs1_inputs)
def test_fuzz_sgtin_uri(text):
    parses_or_refuses(gs1.parse_sgtin_uri, text)


@fuzz()
@given(value=json_values | st.text(alphabet="0123456789", max_size=20))
def test_fuzz_gs1_keys(value):
    parses_or_refuses(gs1.validate_gtin, value)
    parses_or_refuses(gs1.validate_gln, value)


# ---------------------------------------------------------------- CIDs

VALID_CIDS = [compute_cid(b"medchain"), compute_cid(b"medchain", cid_version=0), compute_cid(b"x" * 300_000)]
CID_ALPHABET = "Qmbafybeikzf0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ=_-"
cid_inputs = (st.text(alphabet=CID_ALPHABET, max_size=80) | st.text(max_size=80)
              | st.sampled_from(VALID_CIDS).flatmap(lambda c: mutated_text(c, CID_ALPHABET))
              | st.binary(max_size=40).map(lambda b: "f" + b.hex()) | json_scalars)


@fuzz()
@given(cid=cid_inputs)
def test_fuzz_cid_parser(cid):
    if parses_or_refuses(parse_cid, cid) is not None:
        assert parse_cid(normalise_cid(cid)) == parse_cid(cid)


@fuzz()
@given(cid=cid_inputs, data=st.binary(max_size=64))
def test_fuzz_content_verification(cid, data):
    parses_or_refuses(verify_content, cid, data)


# ---------------------------------------------------------------- FHIR

FHIR_TYPES = ["Observation", "Condition", "MedicationStatement", "DiagnosticReport", "Bundle", "Patient", "Consent", ""]
fhir_inputs = (mutated(OBSERVATION) | mutated(BUNDLE) | json_values
               | st.fixed_dictionaries({"resourceType": st.sampled_from(FHIR_TYPES)}, optional={
                   "status": json_values, "code": json_values, "subject": json_values, "entry": json_values,
                   "valueQuantity": json_values, "contained": json_values}))


@fuzz(deadline_ms=2000)
@given(resource=fhir_inputs)
def test_fuzz_fhir_records(resource):
    out = parses_or_refuses(validate_record, resource)
    if out is not None:
        assert validate_record(out) == out


def test_fhir_survives_deep_nesting():
    deep: Any = "x"
    for _ in range(5000):
        deep = {"extension": [deep]}
    parses_or_refuses(validate_record, {**OBSERVATION, "code": deep})


# ---------------------------------------------------------------- EPCIS

TRACE = full_trace()


@fuzz(deadline_ms=2000)
@given(trace=mutated(TRACE) | json_values, scheme=st.sampled_from(["urn", "dl", "x"]))
def test_fuzz_epcis_documents(trace, scheme):
    doc = parses_or_refuses(epcis.build_epcis_document, trace, created=1736500000, id_scheme=scheme)
    if doc is not None:
        json.dumps(doc)


# ---------------------------------------------------------------- keystores

KEY = "0x" + "42" * 32
PASSWORD = "correct horse"
KEYSTORE = Account.encrypt(KEY, PASSWORD, kdf="pbkdf2", iterations=2)
SCRYPT_KEYSTORE = Account.encrypt(KEY, PASSWORD, kdf="scrypt", iterations=2)
kdf_numbers = st.sampled_from([0, 1, 2, 3, 32, 2**8, -1, 2**31, 2**64, 10**30]) | st.integers(-4, 64)
keystore_values = json_values | kdf_numbers


@fuzz(deadline_ms=3000)
@given(data=mutated(KEYSTORE, keystore_values) | mutated(SCRYPT_KEYSTORE, keystore_values) | json_values)
def test_fuzz_keystore_files(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("ks") / "key.json"
    path.write_text(json.dumps(data))
    account = parses_or_refuses(load_account, f"keystore:{path}", password=PASSWORD)
    if account is not None:
        assert account.key.hex().removeprefix("0x") == KEY[2:]


@fuzz(deadline_ms=3000)
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode)
       | st.integers(1, 50_000).map(lambda n: b"[" * n) | st.integers(1, 50_000).map(lambda n: b'{"a":' * n))
def test_fuzz_keystore_bytes(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("ks") / "key.json"
    path.write_bytes(raw)
    parses_or_refuses(load_account, f"keystore:{path}", password=PASSWORD)


def test_a_keystore_with_absurd_kdf_cost_is_refused_at_once(tmp_path):
    """A keystore is attacker-supplied input: a huge KDF cost must not hang (or exhaust memory)."""
    for kdf, field, value in (("pbkdf2", "c", 2**40), ("scrypt", "n", 2**40), ("scrypt", "r", 2**20),
                              ("scrypt", "p", 2**14), ("scrypt", "p", 5)):
        data = copy.deepcopy(KEYSTORE if kdf == "pbkdf2" else SCRYPT_KEYSTORE)
        data["crypto"]["kdfparams"][field] = value
        (tmp_path / "key.json").write_text(json.dumps(data))
        with pytest.raises(MedChainError, match="cost"):
            load_account(f"keystore:{tmp_path / 'key.json'}", password=PASSWORD)


def test_a_version_4_keystore_with_absurd_kdf_cost_is_refused(tmp_path):
    data = {"version": 4, "crypto": {"kdf": {"function": "scrypt", "params": {"n": 2**30, "r": 8, "p": 1, "dklen": 32,
                                                                              "salt": "00"}, "message": ""}}}
    (tmp_path / "key.json").write_text(json.dumps(data))
    with pytest.raises(MedChainError, match="cost"):
        load_account(f"keystore:{tmp_path / 'key.json'}", password=PASSWORD)


def test_keystores_at_the_usual_cost_still_open(tmp_path):
    (tmp_path / "key.json").write_text(json.dumps(Account.encrypt(KEY, PASSWORD)))  # scrypt n=2^18, r=8, p=1
    assert load_account(f"keystore:{tmp_path / 'key.json'}", password=PASSWORD).key.hex().removeprefix("0x") == KEY[2:]


# ---------------------------------------------------------------- claims: claim JSON, catalogue CSV, plans

CLAIM = {"patient": "0x" + "ab" * 20, "plan": 1, "service_date": "2026-03-02", "diagnoses": ["E11.9", "I10"],
         "lines": [{"code": "CPT:99213", "quantity": 1, "billed": "150.00"},
                   {"code": "NDC:0002-8215-01", "quantity": 3, "billed": 40}],
         "documents": compute_cid(b"discharge letter", cid_version=1)}
MONEY_ALPHABET = "0123456789.,-+eE _NnaIifsxX"
claim_values = (json_values | st.text(alphabet=MONEY_ALPHABET, max_size=30)
                | st.sampled_from(["1e999999999", "-0", "sNaN", "Infinity", "0.0000001", "9" * 5000, "²", "٣",
                                   "2026-02-30", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"]))


@fuzz(deadline_ms=2000)
@given(claim=mutated(CLAIM, claim_values) | json_values)
def test_fuzz_claim_json(claim):
    """The claim loader of the claims client and CLI, given a parsed document or its JSON text."""
    out = parses_or_refuses(parse_claim, claim, 6) if isinstance(claim, dict) else None
    text = parses_or_refuses(parse_claim, json.dumps(claim), 6)
    assert out == text or not isinstance(claim, dict) or out is None and text is None


@fuzz()
@given(text=st.sampled_from(["{", "[", '{"patient":', "\n"]).flatmap(lambda head: st.text(max_size=80).map(head.__add__))
       | st.text(alphabet="{}[]\":,0123456789.eE-abcdnulltrue \n\x00", max_size=80))
def test_fuzz_claim_text(text):
    assume(not text.lstrip().startswith("/"))  # a path-like string names a claim file (never /dev/…)
    parses_or_refuses(parse_claim, text, 6)


def csv_cells(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.strip().split("\n")]


@st.composite
def mutated_csv(draw: Any, base: str) -> str:
    """The catalogue with cells replaced, rows cut or stretched, quotes and separators thrown in."""
    rows = csv_cells(base)
    for _ in range(draw(st.integers(1, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        op = draw(st.sampled_from(["cell", "extra", "short", "drop", "dup"]))
        if op == "cell" and rows[r]:
            c = draw(st.integers(0, len(rows[r]) - 1))
            rows[r][c] = draw(st.text(alphabet=MONEY_ALPHABET + ";:\"\n\r\x00ECPTNDgeneral", max_size=20) | claim_values.map(str))
        elif op == "extra":
            rows[r].append(draw(st.text(max_size=8)))
        elif op == "short":
            rows[r] = rows[r][: draw(st.integers(0, len(rows[r])))]
        elif op == "drop" and len(rows) > 1:
            del rows[r]
        else:
            rows.insert(r, list(rows[r]))
    return "\n".join(",".join(row) for row in rows) + draw(st.sampled_from(["", "\n", "\r\n", "\n,,,,,,\n"]))


@fuzz(deadline_ms=2000)
@given(text=mutated_csv(CATALOGUE) | st.text(max_size=200) | st.text(alphabet=",;\"\n\r abcode", max_size=120))
def test_fuzz_catalogue_csv(text):
    """The catalogue loader of the claims client and CLI (``claims load-catalogue``)."""
    entries = parses_or_refuses(parse_catalogue_csv, text, 6)
    if entries is not None:
        assert entries and all(e.as_tuple() for e in entries)  # what parses also encodes for the contract


@fuzz()
@given(plan=mutated(PLAN, claim_values) | json_values)
def test_fuzz_plan_terms(plan):
    if isinstance(plan, dict):
        parses_or_refuses(parse_plan, plan, 6)


@fuzz()
@given(value=claim_values | st.text(alphabet="0123456789-:TZ+. ", max_size=30), end=st.booleans())
def test_fuzz_times(value, end):
    parses_or_refuses(to_unix, value, "t", end=end)
    parses_or_refuses(parse_time, value, end=end)


# ---------------------------------------------------------------- consent, research and cold-chain inputs

SIGNED = {"kind": "grant", "request": {"patient": "0x" + "ab" * 20, "grantee": "0x" + "cd" * 20, "categories": 3,
                                       "purposes": 1, "actions": 1, "start": 0, "end": 2**40 - 1, "nonce": 0,
                                       "deadline": 10**9}, "signature": "0x" + "11" * 65}


@fuzz()
@given(data=mutated(SIGNED) | mutated({**SIGNED, "kind": "revoke"}) | json_values)
def test_fuzz_signed_consent_files(data):
    if isinstance(data, dict):
        parses_or_refuses(SignedRequest.from_dict, data)


NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-, ", max_size=60) | st.text(max_size=30) | st.integers(-5, 2**30)


@fuzz()
@given(value=json_values | NAMES)
def test_fuzz_consent_masks(value):
    parses_or_refuses(parse_mask, value)  # names, members, an int or a list of them (JSON files, the CLI)


@fuzz()
@given(value=NAMES)
def test_fuzz_research_fields(value):
    parses_or_refuses(parse_fields, value)  # a comma-separated list or a bitmap (the CLI's --fields)


MANIFEST = {"format": "medchain-research-manifest/1", "fields": 3, "secret": "22" * 32, "excluded": [],
            "root": "0x" + "33" * 32, "rows": [{"patient": "0x" + "ab" * 20, "rowKey": "44" * 32, "values": {"code": "x"}}]}


@fuzz()
@given(data=mutated(MANIFEST) | json_values)
def test_fuzz_research_manifest(data):
    if isinstance(data, dict):
        parses_or_refuses(DatasetBuild.from_json, data)


READINGS = "time,temperature_c,humidity_pct,latitude,longitude\n1736500000,4.5,40,52.5,13.4\n2025-01-10T10:00:00+00:00,5,,,\n"


@fuzz()
@given(text=mutated_csv(READINGS) | st.text(max_size=120))
def test_fuzz_readings_csv(text):
    parses_or_refuses(read_readings_csv, io.StringIO(text))


WRAPPED = wrap_key(b"\x05" * 32, EncryptionKeyPair.from_private_key(b"\x42" * 32).public_key,
                   RecordContext("0x" + "ab" * 20, b"\x07" * 32, 3)).to_dict()


@fuzz()
@given(data=mutated(WRAPPED) | json_values, blob=st.binary(max_size=120))
def test_fuzz_wrapped_keys_and_blob_headers(data, blob):
    parses_or_refuses(WrappedKey.from_dict, data)
    parses_or_refuses(RecordContext.from_blob, blob, "0x" + "ab" * 20)


@pytest.fixture(scope="module")
def embedded():
    chain = connect("embedded")
    yield chain
    chain.close()


@fuzz(deadline_ms=2000)
@given(data=mutated({"version": 1, "chainId": 131277322940537, "chain": "embedded",
                     "contracts": {"ParticipantRegistry": {"address": "0x" + "12" * 20, "block": 1}}}) | json_values)
def test_fuzz_deployment_manifests(embedded, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("manifest") / "1.json"
    path.write_text(json.dumps(data))
    parses_or_refuses(load_suite, embedded, path=path)  # a manifest someone shared (--manifest FILE)


# ---------------------------------------------------------------- keys, addresses, roles, sealed records

@fuzz()
@given(value=st.binary(max_size=70) | st.text(max_size=140))
def test_fuzz_public_keys_and_addresses(value):
    parses_or_refuses(check_encryption_key, value)
    if isinstance(value, bytes):
        parses_or_refuses(validate_public_key, value)
    else:
        parses_or_refuses(check_address, value)
        parses_or_refuses(parse_roles, value)
        parses_or_refuses(consent_codes.mask, value)


CONTEXT = RecordContext(patient="0x" + "ab" * 20, record_uid=b"\x07" * 32, category=3)
SEALED, DATA_KEY = seal(b'{"resourceType":"Observation"}', CONTEXT)


@fuzz()
@given(
    blob=st.binary(max_size=200)
    | mutated_text(SEALED.decode("latin-1"), "\x00\x01\xff").map(lambda s: s.encode("latin-1", "replace")),
    key=st.just(DATA_KEY) | st.binary(min_size=0, max_size=40),
)
def test_fuzz_sealed_records(blob, key):
    assume(blob != SEALED or key != DATA_KEY)
    assert parses_or_refuses(open_sealed, blob, key, CONTEXT) is None  # nothing but the original opens


def test_the_examples_count_follows_the_profile():
    assert EXAMPLES >= 200
    assert sys.modules[__name__].fuzz().max_examples == EXAMPLES


# ---------------------------------------------------------------- regressions found by fuzzing


def test_an_epcis_event_kind_that_is_not_text_is_refused():
    trace = full_trace()
    trace["events"][0]["kind"] = []
    with pytest.raises(MedChainError, match="kind"):
        epcis.build_epcis_document(trace, created=1736500000)


def test_a_null_required_fhir_element_is_refused_not_dropped():
    with pytest.raises(MedChainError, match=r"Observation\.code"):
        validate_record({**OBSERVATION, "code": None})


@pytest.mark.parametrize("text", ["\x00", "claim\x00.json"])
def test_a_claim_file_name_with_a_nul_is_refused(text):
    with pytest.raises(MedChainError, match="claim file"):
        parse_claim(text, 6)


@pytest.mark.parametrize("value", ["²", "٣٣", "9" * 5000, "0" * 5000 + "1"])
def test_times_are_ascii_digits_of_bounded_length(value):
    if value.startswith("0"):
        assert to_unix(value) == 1
    else:
        with pytest.raises(MedChainError):
            to_unix(value)


@pytest.mark.parametrize("amount", ["1e999999999", "-1e999999999", "1E999994"])
def test_an_amount_that_overflows_the_decimal_context_is_refused(amount):
    with pytest.raises(MedChainError, match="amount"):
        parse_plan({**PLAN, "deductible": amount}, 6)


@pytest.mark.parametrize("percent", ["1e99999", "1E999999", "Infinity", "sNaN", "-0.01", "100.01"])
def test_a_coinsurance_that_is_no_percentage_is_refused(percent):
    with pytest.raises(MedChainError, match="coinsurance"):
        parse_plan({**PLAN, "coinsurance": percent}, 6)


@pytest.mark.parametrize("copays", ["0", [["consultation", "1"]], 5])
def test_plan_copays_must_be_an_object(copays):
    with pytest.raises(MedChainError, match="copays"):
        parse_plan({**PLAN, "copays": copays}, 6)


@pytest.mark.parametrize("text", ["\r0", "time,temperature_c,humidity_pct\n1736500000,4,inf\n"])
def test_readings_with_stray_carriage_returns_or_infinite_numbers_are_refused(text):
    with pytest.raises(MedChainError, match="readings"):
        read_readings_csv(io.StringIO(text))


@pytest.mark.parametrize(
    "text,column",
    [
        (CATALOGUE.replace("general;endocrine,150,\n", "general;endocrine,150,,extra\n", 1), "more cells"),
        (CATALOGUE.replace("\nCPT:99214", "\n\rCPT:99214", 1), "not a readable CSV"),
    ],
)
def test_a_catalogue_with_stray_cells_or_carriage_returns_is_refused(text, column):
    with pytest.raises(MedChainError, match=column):
        parse_catalogue_csv(text, 6)


def test_masks_and_manifests_of_the_wrong_shape_are_refused():
    with pytest.raises(MedChainError):
        parse_mask(None)
    with pytest.raises(MedChainError, match="manifest"):
        DatasetBuild.from_json({**MANIFEST, "rows": [{"patient": "0x"}]})
