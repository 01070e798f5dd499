"""SMART Backend Services style sign-in for the FHIR server: a JWT client assertion signed ES256K
with the organisation's own Ethereum account key, exchanged for a short-lived opaque bearer token.

The assertion (RFC 7523, SMART Backend Services) carries ``iss = sub = <the organisation's
address>``, ``aud = <the token URL>``, ``exp`` at most :data:`MAX_ASSERTION_LIFETIME` seconds ahead and
a unique ``jti``. Its JWS signature is ECDSA over SHA-256 on secp256k1 (``ES256K``, RFC 8812). The
server recovers the signing public key from the signature (both recovery ids, with coincurve), keeps
the one whose Ethereum address is ``iss``, and then has PyJWT verify the token with that key (header,
signature, ``exp``/``nbf``/``iat``, ``aud``, ``iss``): no hand-rolled JWS parsing. A ``jti`` is
accepted once (remembered until the assertion expires).

Bearer tokens are random (256 bits), kept in memory only, and expire after
:data:`TOKEN_LIFETIME` seconds; restarting the server invalidates them all.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from coincurve import PublicKey
from cryptography.hazmat.primitives.asymmetric import ec
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address

__all__ = [
    "ASSERTION_TYPE",
    "MAX_ASSERTION_LIFETIME",
    "TOKEN_LIFETIME",
    "AuthError",
    "Authenticator",
    "Token",
    "make_client_assertion",
]

log = logging.getLogger(__name__)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Longest accepted assertion lifetime (``exp`` minus now), as SMART Backend Services asks.
MAX_ASSERTION_LIFETIME = 300
#: Lifetime of a bearer token.
TOKEN_LIFETIME = 300
#: Clock skew tolerated on ``exp``/``iat``/``nbf``.
LEEWAY = 10
_ALG = "ES256K"


class AuthError(Exception):
    """A refused sign-in or request.

    Attributes:
        status: The HTTP status (401 unauthenticated, 403 authenticated but not allowed).
        code: The OperationOutcome issue code (``login``, ``expired``, ``security``, ``forbidden``).
        oauth: The OAuth 2 error code for the token endpoint (``invalid_client``...).
    """

    def __init__(self, message: str, *, status: int = 401, code: str = "login", oauth: str = "invalid_client"):
        super().__init__(message)
        self.status = status
        self.code = code
        self.oauth = oauth


@dataclass(frozen=True)
class Token:
    """An issued bearer token."""

    value: str
    address: str
    expires_at: float
    scope: str


def _private_key(account: LocalAccount) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(bytes(account.key), "big"), ec.SECP256K1())


def make_client_assertion(account: LocalAccount, token_url: str, *, lifetime: int = 240, jti: str | None = None,
                          now: float | None = None) -> str:
    """A client assertion for :meth:`Authenticator.issue` (what a client organisation signs).

    Args:
        account: The organisation's account (its key signs; its address is ``iss`` and ``sub``).
        token_url: The token endpoint's URL (``aud``), e.g. ``http://127.0.0.1:8000/fhir/auth/token``.
        lifetime: Seconds until ``exp`` (the server refuses more than :data:`MAX_ASSERTION_LIFETIME`).
        jti: Its unique id (default: a random UUID).
        now: The issue time (default: the wall clock).

    Returns:
        The compact JWS (``ES256K``).
    """
    issued = int(time.time() if now is None else now)
    claims = {"iss": account.address, "sub": account.address, "aud": token_url, "iat": issued,
              "exp": issued + lifetime, "jti": jti or str(uuid.uuid4())}
    return jwt.encode(claims, _private_key(account), algorithm=_ALG, headers={"typ": "JWT"})


def _address_of(public_key: PublicKey) -> str:
    return to_checksum_address(keccak(public_key.format(compressed=False)[1:])[-20:])


def _recover(assertion: str, signature: bytes, claimed: str) -> ec.EllipticCurvePublicKey:
    """The public key that made ``signature`` and whose address is ``claimed``."""
    if len(signature) != 64:
        raise AuthError("the assertion's ES256K signature is not 64 bytes (r || s)")
    signing_input = assertion.rsplit(".", 1)[0].encode("ascii")
    for recovery_id in (0, 1):
        try:
            key = PublicKey.from_signature_and_message(signature + bytes([recovery_id]), signing_input,
                                                       hasher=lambda m: hashlib.sha256(m).digest())
        except Exception:  # noqa: BLE001 - coincurve raises ValueError/Exception for a point it cannot recover
            continue
        if _address_of(key) == claimed:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), key.format(compressed=False))
    raise AuthError(f"the assertion is not signed by the key of {claimed}")


class Authenticator:
    """Verifies client assertions, issues and checks bearer tokens.

    Args:
        token_url: The token endpoint URL the assertions' ``aud`` must name.
        is_active: ``is_active(address)`` → ``None`` when the organisation is active, else the reason
            it is refused as an :class:`AuthError` (unknown → 401, suspended → 403).
        serves: The addresses this server holds keys for; any other identity is refused (403).
        clock: Wall-clock seconds (injectable for tests).
    """

    def __init__(self, token_url: str, is_active: Callable[[str], AuthError | None], serves: set[str], *,
                 clock: Callable[[], float] = time.time):
        self.token_url = token_url
        self.is_active = is_active
        self.serves = {to_checksum_address(a) for a in serves}
        self.clock = clock
        self._tokens: dict[str, Token] = {}
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ sign-in
    def issue(self, form: dict[str, str]) -> Token:
        """Exchange a client assertion (the token request's form fields) for a bearer token.

        Args:
            form: ``grant_type`` (``client_credentials``), ``client_assertion_type``
                (:data:`ASSERTION_TYPE`), ``client_assertion`` and an optional ``scope``.

        Returns:
            The token.

        Raises:
            AuthError: malformed request or assertion, bad signature, wrong ``aud``, expired, too
                long-lived, replayed ``jti`` (401); an identity this server holds no key for, or a
                suspended organisation (403).
        """
        if form.get("grant_type") != "client_credentials":
            raise AuthError("grant_type must be client_credentials", status=400, code="invalid",
                            oauth="unsupported_grant_type")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise AuthError(f"client_assertion_type must be {ASSERTION_TYPE}", status=400, code="invalid",
                            oauth="invalid_request")
        assertion = form.get("client_assertion") or ""
        claims = self._verify(assertion)
        address = claims["iss"]
        self._check_identity(address)
        now = self.clock()
        with self._lock:
            self._forget(now)
            key = (address, str(claims["jti"]))
            if key in self._seen:
                raise AuthError("the assertion was already used (replayed jti)", code="security")
            self._seen[key] = float(claims["exp"]) + LEEWAY
            token = Token(secrets.token_urlsafe(32), address, now + TOKEN_LIFETIME, form.get("scope") or "system/*.*")
            self._tokens[token.value] = token
        log.info("issued a bearer token to %s (expires in %d s)", address, TOKEN_LIFETIME)
        return token

    def _verify(self, assertion: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.api_jws.PyJWS().decode_complete(assertion, algorithms=[_ALG],
                                                             options={"verify_signature": False})
            claimed = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise AuthError(f"malformed client assertion: {exc}") from None
        if header.get("alg") != _ALG:
            raise AuthError(f"the client assertion must be signed {_ALG}, not {header.get('alg')!r}")
        iss, sub = claimed.get("iss"), claimed.get("sub")
        if not isinstance(iss, str) or iss != sub:
            raise AuthError("the assertion's iss and sub must both be the organisation's address")
        try:
            address = to_checksum_address(iss)
        except (ValueError, TypeError):
            raise AuthError("the assertion's iss is not an Ethereum address") from None
        public_key = _recover(assertion, unverified["signature"], address)
        try:
            claims = jwt.decode(assertion, public_key, algorithms=[_ALG], audience=self.token_url, leeway=LEEWAY,
                                options={"require": ["iss", "sub", "aud", "exp", "jti"]})
        except jwt.ExpiredSignatureError:
            raise AuthError("the client assertion has expired", code="expired") from None
        except jwt.InvalidAudienceError:
            raise AuthError(f"the assertion's aud must be the token URL {self.token_url}") from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid client assertion: {exc}") from None
        now = self.clock()
        exp = claims["exp"]
        if not isinstance(exp, (int, float)) or exp > now + MAX_ASSERTION_LIFETIME + LEEWAY:
            raise AuthError(f"the assertion's exp must be at most {MAX_ASSERTION_LIFETIME} s ahead")
        if exp < now - LEEWAY:  # PyJWT checks against time.time(); the injected clock may differ
            raise AuthError("the client assertion has expired", code="expired")
        if not isinstance(claims["jti"], str) or not claims["jti"]:
            raise AuthError("the assertion's jti must be a non-empty string")
        claims["iss"] = address
        return claims

    def _check_identity(self, address: str) -> None:
        if address not in self.serves:
            raise AuthError(f"this server holds no key for {address}: it serves only "
                            f"{', '.join(sorted(self.serves)) or 'nobody'}", status=403, code="forbidden",
                            oauth="unauthorized_client")
        refusal = self.is_active(address)
        if refusal is not None:
            raise refusal

    def _forget(self, now: float) -> None:
        self._seen = {k: until for k, until in self._seen.items() if until >= now}
        self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at >= now}

    # ------------------------------------------------------------------ requests
    def authenticate(self, authorization: str | None) -> str:
        """The organisation a request's ``Authorization: Bearer …`` header signs in.

        Returns:
            Its address (checked active again: a suspension takes effect at once).

        Raises:
            AuthError: no or unknown token, expired (401); suspended since (403).
        """
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthError("a bearer token is required: POST a client assertion to the token URL first")
        with self._lock:
            token = self._tokens.get(value.strip())
        if token is None:
            raise AuthError("unknown bearer token")
        if token.expires_at < self.clock():
            raise AuthError("the bearer token has expired", code="expired")
        self._check_identity(token.address)
        return token.address
