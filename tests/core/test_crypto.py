"""Tests for medchain.core.crypto: sealing, ECIES key wrapping and the key vault."""

from __future__ import annotations

import json
import os
from pathlib import Path

import coincurve
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medchain.core.crypto import (
    EncryptionKeyPair,
    KeyVault,
    RecordContext,
    WrappedKey,
    open_sealed,
    seal,
    unwrap_key,
    validate_public_key,
    vault_record_key,
    wrap_key,
)
from medchain.core.errors import (
    ConfigurationError,
    CryptoError,
    DecryptionError,
    InvalidKeyError,
    NotARecipientError,
)
from medchain.core.standards.consent_codes import Category

PATIENT = "0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1"  # EIP-55
OTHER_PATIENT = "0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0"
# First Anvil/Hardhat dev account: a real Ethereum account key.
ETH_ACCOUNT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


@pytest.fixture
def ctx() -> RecordContext:
    return RecordContext(PATIENT, bytes(range(32)), 2)


@pytest.fixture
def record() -> bytes:
    return json.dumps({"resourceType": "Observation", "status": "final", "code": {"text": "HbA1c"}}).encode()


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


# ---------------------------------------------------------------- key pairs


def test_keypair_generate_and_reload():
    kp = EncryptionKeyPair.generate()
    assert len(kp.public_key) == 33 and kp.public_key[0] in (2, 3)
    assert len(kp.private_key) == 32
    assert EncryptionKeyPair.from_private_key(kp.private_key) == kp
    assert EncryptionKeyPair.from_private_key(kp.private_key.hex()).public_key == kp.public_key
    assert kp.private_key.hex() not in repr(kp)


def test_keypair_from_ethereum_account_key():
    kp = EncryptionKeyPair.from_private_key(ETH_ACCOUNT_KEY)
    expected = coincurve.PrivateKey(bytes.fromhex(ETH_ACCOUNT_KEY[2:])).public_key.format(compressed=True)
    assert kp.public_key == expected
    # The uncompressed key hashes to the well-known dev-account address.
    from eth_utils import keccak, to_checksum_address

    uncompressed = coincurve.PublicKey(kp.public_key).format(compressed=False)
    assert to_checksum_address(keccak(uncompressed[1:])[-20:]) == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


@pytest.mark.parametrize(
    "bad",
    [b"", b"\x01" * 31, b"\x01" * 33, b"\x00" * 32, bytes.fromhex("ff" * 32), "zz" * 32, 12345],
)
def test_keypair_rejects_bad_private_keys(bad):
    with pytest.raises(InvalidKeyError):
        EncryptionKeyPair.from_private_key(bad)


def test_validate_public_key_accepts_both_encodings():
    kp = EncryptionKeyPair.generate()
    uncompressed = coincurve.PublicKey(kp.public_key).format(compressed=False)
    assert validate_public_key(kp.public_key) == kp.public_key
    assert validate_public_key(uncompressed) == kp.public_key


def _hybrid(pub: bytes) -> bytes:
    full = coincurve.PublicKey(pub).format(compressed=False)
    return bytes([6 + (full[64] & 1)]) + full[1:]


@pytest.mark.parametrize(
    "make_bad",
    [
        lambda pub: b"",
        lambda pub: pub[:-1],  # truncated
        lambda pub: b"\x05" + pub[1:],  # bad prefix
        lambda pub: b"\x02" + b"\xff" * 32,  # x beyond the field
        lambda pub: b"\x04" + b"\x01" * 64,  # not on the curve
        _hybrid,  # hybrid encoding: parseable by libsecp256k1 but not accepted here
        lambda pub: pub.hex(),  # str, not bytes
    ],
)
def test_validate_public_key_rejects(make_bad):
    with pytest.raises(InvalidKeyError):
        validate_public_key(make_bad(EncryptionKeyPair.generate().public_key))


# ---------------------------------------------------------------- context


def test_context_normalises_address_and_flag():
    lower = RecordContext(PATIENT.lower(), b"\x01" * 32, Category.CARDIOLOGY)
    assert lower.patient == PATIENT
    assert lower.category == 2  # CARDIOLOGY is bit index 2
    assert lower == RecordContext(PATIENT, "0x" + "01" * 32, 2)


def test_context_aad_is_fixed_width_and_binds_everything(ctx):
    aad = ctx.aad()
    assert len(aad) == 71
    assert aad[18:38] == bytes.fromhex(PATIENT[2:]) and aad[38:70] == ctx.record_uid and aad[70] == 2
    variants = {
        RecordContext(OTHER_PATIENT, ctx.record_uid, 2).aad(),
        RecordContext(PATIENT, b"\x00" * 32, 2).aad(),
        RecordContext(PATIENT, ctx.record_uid, 3).aad(),
    }
    assert aad not in variants and len(variants) == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"patient": "0x1234"},
        {"patient": PATIENT.replace("F", "f", 1)},  # broken checksum
        {"record_uid": b"\x00" * 31},
        {"category": 256},
        {"category": -1},
        {"category": Category.CARDIOLOGY | Category.ONCOLOGY},
    ],
)
def test_context_rejects_bad_fields(kwargs):
    base = {"patient": PATIENT, "record_uid": b"\x00" * 32, "category": 0}
    with pytest.raises(ConfigurationError):
        RecordContext(**{**base, **kwargs})


# ---------------------------------------------------------------- seal/open


def test_seal_open_round_trip_and_format(ctx, record):
    blob, key = seal(record, ctx)
    assert len(key) == 32
    assert blob[:4] == b"MCRE" and blob[4] == 1 and blob[5] == 1
    assert blob[6] == ctx.category and blob[7:39] == ctx.record_uid
    assert len(blob) == 83 + len(record) + 16
    assert record not in blob and key not in blob
    assert open_sealed(blob, key, ctx) == record
    assert RecordContext.from_blob(blob, PATIENT.lower()) == ctx


def test_seal_is_fresh_each_time(ctx, record):
    (b1, k1), (b2, k2) = seal(record, ctx), seal(record, ctx)
    assert k1 != k2 and b1[71:83] != b2[71:83] and b1 != b2


def test_open_with_wrong_key(ctx, record):
    blob, _ = seal(record, ctx)
    with pytest.raises(DecryptionError, match="wrong data key"):
        open_sealed(blob, os.urandom(32), ctx)
    with pytest.raises(InvalidKeyError):
        open_sealed(blob, b"\x00" * 16, ctx)


def test_flipping_any_byte_fails(ctx, record):
    blob, key = seal(record, ctx)
    for i in range(len(blob)):
        with pytest.raises(DecryptionError):
            open_sealed(_flip(blob, i), key, ctx)


def test_truncated_or_extended_blob_fails(ctx, record):
    blob, key = seal(record, ctx)
    for bad in (blob[:-1], blob[:50], b"", blob + b"\x00"):
        with pytest.raises(DecryptionError):
            open_sealed(bad, key, ctx)


def test_tampered_body_message(ctx, record):
    blob, key = seal(record, ctx)
    with pytest.raises(DecryptionError, match="authentication failed"):
        open_sealed(_flip(blob, 90), key, ctx)
    with pytest.raises(DecryptionError, match="bad magic"):
        open_sealed(_flip(blob, 0), key, ctx)


@pytest.mark.parametrize(
    "other, message",
    [
        (RecordContext(OTHER_PATIENT, bytes(range(32)), 2), "another patient"),
        (RecordContext(PATIENT, bytes(range(32)), 3), "another record_uid or category"),
        (RecordContext(PATIENT, b"\x07" * 32, 2), "another record_uid or category"),
    ],
)
def test_open_with_wrong_context(ctx, record, other, message):
    blob, key = seal(record, ctx)
    with pytest.raises(DecryptionError, match=message):
        open_sealed(blob, key, other)


def test_header_rewrite_to_other_context_still_fails(ctx, record):
    """Rewriting uid/category in the header to match another context is caught by the AAD."""
    blob, key = seal(record, ctx)
    other = RecordContext(PATIENT, b"\x07" * 32, 5)
    forged = blob[:6] + bytes([5]) + other.record_uid + blob[39:]
    with pytest.raises(DecryptionError, match="authentication failed"):
        open_sealed(forged, key, other)


def test_empty_plaintext(ctx):
    blob, key = seal(b"", ctx)
    assert open_sealed(blob, key, ctx) == b""


def test_seal_rejects_non_bytes(ctx):
    with pytest.raises(CryptoError):
        seal("text", ctx)  # type: ignore[arg-type]


# ---------------------------------------------------------------- wrap/unwrap


def test_wrap_unwrap_round_trip_via_dict(ctx):
    reader = EncryptionKeyPair.generate()
    _, key = seal(b"x", ctx)
    wrapped = wrap_key(key, reader.public_key, ctx)
    data = json.loads(json.dumps(wrapped.to_dict()))
    assert set(data) == {"version", "alg", "recipient", "ephemeral", "nonce", "ciphertext"}
    assert data["recipient"] == "0x" + reader.public_key.hex()
    assert key.hex() not in json.dumps(data)
    again = WrappedKey.from_dict(data)
    assert again == wrapped
    assert unwrap_key(again, reader, ctx) == key


def test_wrap_accepts_uncompressed_recipient(ctx):
    reader = EncryptionKeyPair.generate()
    key = os.urandom(32)
    uncompressed = coincurve.PublicKey(reader.public_key).format(compressed=False)
    wrapped = wrap_key(key, uncompressed, ctx)
    assert wrapped.recipient == reader.public_key
    assert unwrap_key(wrapped, reader, ctx) == key


def test_wrap_uses_fresh_ephemeral_keys(ctx):
    reader = EncryptionKeyPair.generate()
    key = os.urandom(32)
    a, b = wrap_key(key, reader.public_key, ctx), wrap_key(key, reader.public_key, ctx)
    assert a.ephemeral != b.ephemeral and a.ciphertext != b.ciphertext


def test_not_a_recipient(ctx):
    alice, mallory = EncryptionKeyPair.generate(), EncryptionKeyPair.generate()
    wrapped = wrap_key(os.urandom(32), alice.public_key, ctx)
    with pytest.raises(NotARecipientError):
        unwrap_key(wrapped, mallory, ctx)


def test_recipient_field_swapped_to_attacker_fails(ctx):
    """Relabelling a wrapped key for another key pair does not let that key pair unwrap it."""
    alice, mallory = EncryptionKeyPair.generate(), EncryptionKeyPair.generate()
    wrapped = wrap_key(os.urandom(32), alice.public_key, ctx)
    relabelled = WrappedKey.from_dict({**wrapped.to_dict(), "recipient": "0x" + mallory.public_key.hex()})
    with pytest.raises(DecryptionError):
        unwrap_key(relabelled, mallory, ctx)


@pytest.mark.parametrize("field", ["ephemeral", "nonce", "ciphertext"])
def test_tampered_wrapped_key(ctx, field):
    reader = EncryptionKeyPair.generate()
    wrapped = wrap_key(os.urandom(32), reader.public_key, ctx)
    raw = getattr(wrapped, field)
    for i in range(len(raw)):
        data = wrapped.to_dict()
        data[field] = "0x" + _flip(raw, i).hex()
        with pytest.raises(DecryptionError):
            unwrap_key(WrappedKey.from_dict(data), reader, ctx)


def test_tampered_recipient_field_is_not_a_recipient(ctx):
    reader = EncryptionKeyPair.generate()
    wrapped = wrap_key(os.urandom(32), reader.public_key, ctx)
    data = {**wrapped.to_dict(), "recipient": "0x" + _flip(wrapped.recipient, 5).hex()}
    with pytest.raises(NotARecipientError):
        unwrap_key(WrappedKey.from_dict(data), reader, ctx)


def test_unwrap_with_wrong_context(ctx):
    reader = EncryptionKeyPair.generate()
    wrapped = wrap_key(os.urandom(32), reader.public_key, ctx)
    for other in (
        RecordContext(OTHER_PATIENT, ctx.record_uid, ctx.category),
        RecordContext(PATIENT, ctx.record_uid, 9),
        RecordContext(PATIENT, b"\x09" * 32, ctx.category),
    ):
        with pytest.raises(DecryptionError):
            unwrap_key(wrapped, reader, other)


@pytest.mark.parametrize(
    "patch",
    [
        {"version": 2},
        {"alg": "RSA"},
        {"nonce": "0x00"},
        {"ciphertext": "0xzz"},
        {"ephemeral": None},
    ],
)
def test_wrapped_key_from_dict_rejects_malformed(ctx, patch):
    data = wrap_key(os.urandom(32), EncryptionKeyPair.generate().public_key, ctx).to_dict()
    data.update(patch)
    if patch.get("ephemeral", 1) is None:
        del data["ephemeral"]
    with pytest.raises(InvalidKeyError):
        WrappedKey.from_dict(data)


def test_wrap_rejects_bad_inputs(ctx):
    reader = EncryptionKeyPair.generate()
    with pytest.raises(InvalidKeyError):
        wrap_key(b"\x00" * 31, reader.public_key, ctx)
    with pytest.raises(InvalidKeyError):
        wrap_key(os.urandom(32), b"\x02" + b"\xff" * 32, ctx)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plaintext=st.binary(max_size=4096),
    uid=st.binary(min_size=32, max_size=32),
    category=st.integers(min_value=0, max_value=255),
    patient=st.binary(min_size=20, max_size=20),
)
def test_property_full_round_trip(plaintext, uid, category, patient):
    context = RecordContext("0x" + patient.hex(), uid, category)
    reader = EncryptionKeyPair.generate()
    blob, key = seal(plaintext, context)
    wrapped = WrappedKey.from_dict(wrap_key(key, reader.public_key, context).to_dict())
    rebuilt = RecordContext.from_blob(blob, context.patient)
    assert rebuilt == context
    assert open_sealed(blob, unwrap_key(wrapped, reader, rebuilt), rebuilt) == plaintext


# ---------------------------------------------------------------- key vault


@pytest.fixture(params=["disk", "memory"])
def vault(request, tmp_path) -> KeyVault:
    return KeyVault(tmp_path / "vault") if request.param == "disk" else KeyVault()


def test_vault_record_key():
    assert vault_record_key(b"\xab" * 32, 3) == "ab" * 32 + "-v3"
    with pytest.raises(ConfigurationError):
        vault_record_key(b"\xab" * 31, 0)
    with pytest.raises(ConfigurationError):
        vault_record_key(b"\xab" * 32, -1)


def test_vault_put_get_readers_revoke(vault, ctx):
    alice, bob = EncryptionKeyPair.generate(), EncryptionKeyPair.generate()
    alice_addr, bob_addr = PATIENT, OTHER_PATIENT
    blob, key = seal(b"record", ctx)
    rk = vault_record_key(ctx.record_uid, 0)
    vault.put(rk, alice_addr.lower(), wrap_key(key, alice.public_key, ctx))
    vault.put(rk, bob_addr, wrap_key(key, bob.public_key, ctx))
    assert vault.readers(rk) == sorted([alice_addr, bob_addr])
    assert open_sealed(blob, unwrap_key(vault.get(rk, alice_addr), alice, ctx), ctx) == b"record"

    vault.revoke(rk, bob_addr.lower())
    assert vault.readers(rk) == [alice_addr]
    with pytest.raises(NotARecipientError):
        vault.get(rk, bob_addr)
    with pytest.raises(NotARecipientError):
        vault.revoke(rk, bob_addr)
    assert vault.get(rk, alice_addr).recipient == alice.public_key
    assert vault.readers("unknown-record") == []
    with pytest.raises(NotARecipientError):
        vault.get("unknown-record", alice_addr)


def test_vault_shred_makes_record_unreadable(vault, ctx, tmp_path):
    readers = {PATIENT: EncryptionKeyPair.generate(), OTHER_PATIENT: EncryptionKeyPair.generate()}
    blob, key = seal(b"sensitive", ctx)
    rk = vault_record_key(ctx.record_uid, 1)
    other_rk = vault_record_key(b"\x55" * 32, 1)
    wrapped = {}
    for addr, kp in readers.items():
        wrapped[addr] = wrap_key(key, kp.public_key, ctx)
        vault.put(rk, addr, wrapped[addr])
    vault.put(other_rk, PATIENT, wrap_key(os.urandom(32), readers[PATIENT].public_key, ctx))
    del key

    assert not vault.is_shredded(rk)
    vault.shred(rk)
    vault.shred(rk)  # idempotent
    assert vault.is_shredded(rk) and not vault.is_shredded(other_rk)
    assert vault.readers(rk) == []
    for addr in readers:
        with pytest.raises(NotARecipientError, match="shredded"):
            vault.get(rk, addr)
    with pytest.raises(CryptoError):
        vault.put(rk, PATIENT, wrapped[PATIENT])
    assert vault.readers(other_rk) == [PATIENT]  # other records untouched

    if vault.root is not None:
        stored = b"".join(p.read_bytes() for p in Path(vault.root).iterdir())
        for w in wrapped.values():
            assert w.ciphertext.hex().encode() not in stored
        assert not (Path(vault.root) / f"{rk}.json").exists()
        # A fresh vault on the same directory sees the shred too.
        reopened = KeyVault(vault.root)
        assert reopened.is_shredded(rk)
        with pytest.raises(NotARecipientError):
            reopened.get(rk, PATIENT)


def test_vault_persists_atomically(tmp_path, ctx):
    root = tmp_path / "v"
    kp = EncryptionKeyPair.generate()
    w = wrap_key(os.urandom(32), kp.public_key, ctx)
    KeyVault(root).put("rec-1", PATIENT, w)
    assert KeyVault(root).get("rec-1", PATIENT.lower()) == w
    files = sorted(p.name for p in root.iterdir())
    assert files == ["rec-1.json"]  # no temp files left behind
    assert (root / "rec-1.json").stat().st_mode & 0o077 == 0


def test_vault_shred_overwrites_before_unlink(tmp_path, ctx, monkeypatch):
    root = tmp_path / "v"
    vault = KeyVault(root)
    vault.put("rec-1", PATIENT, wrap_key(os.urandom(32), EncryptionKeyPair.generate().public_key, ctx))
    path = root / "rec-1.json"
    before = path.read_bytes()
    seen = {}
    real_unlink = Path.unlink

    def spy(self, *args, **kwargs):
        if self == path:
            seen["content"] = self.read_bytes()
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", spy)
    vault.shred("rec-1")
    assert len(seen["content"]) == len(before) and seen["content"] != before
    assert b"ciphertext" not in seen["content"]


@pytest.mark.parametrize("bad", ["../escape", "", ".hidden", "a/b", "x" * 200])
def test_vault_rejects_unsafe_record_keys(bad):
    with pytest.raises(ConfigurationError):
        KeyVault().readers(bad)


def test_vault_corrupt_file(tmp_path):
    root = tmp_path / "v"
    root.mkdir()
    (root / "rec.json").write_text("{not json")
    with pytest.raises(CryptoError):
        KeyVault(root).readers("rec")
