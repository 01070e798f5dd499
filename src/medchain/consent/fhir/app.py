"""The FastAPI routes of the FHIR R4 server (mounted at ``/fhir`` by ``medchain serve --fhir``).

Every route but ``GET /metadata`` and ``POST /auth/token`` needs ``Authorization: Bearer <token>``;
every error is an OperationOutcome (401 with ``WWW-Authenticate``). Record ids are the 64 hex digits
of the lineage's first on-chain record id; ``meta.versionId`` counts the versions.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from medchain.consent.fhir.auth import Authenticator, AuthError
from medchain.consent.fhir.resources import bundle, capability_statement, iso, operation_outcome
from medchain.consent.fhir.service import RECORD_TYPES, FhirError, FhirService
from medchain.core.standards.fhir import ACCEPTED_RECORD_TYPES

__all__ = ["FHIR_JSON", "create_app", "mount"]

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
DEFAULT_COUNT = 20
MAX_COUNT = 100
#: Largest token request body accepted (an assertion is well under 1 KB).
MAX_TOKEN_REQUEST = 16 * 1024
_SEARCH_IGNORED = {"_count", "_offset", "_format", "_pretty"}


def _fhir(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON, headers=headers)


def _outcome(status: int, message: str, *, code: str, expression: str | None = None,
             headers: dict[str, str] | None = None) -> JSONResponse:
    return _fhir(operation_outcome(message, code=code, expression=expression), status, headers)


def _int_param(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise FhirError(400, f"{name} must be a non-negative integer", code="invalid", expression=name)
    value = int(raw)
    return min(value, maximum) if maximum is not None else value


def create_app(service: FhirService, *, base_url: str, clock: Callable[[], float] = time.time) -> FastAPI:
    """The FHIR server app.

    Args:
        service: What the routes do (chain, store, vault, the served organisations' keys).
        base_url: The server's public base URL, e.g. ``http://127.0.0.1:8000/fhir``: links and the
            token URL (the assertions' ``aud``: ``<base_url>/auth/token``) derive from it.
        clock: Wall-clock seconds for tokens (tests inject one).

    Returns:
        The FastAPI app; mount it at the path of ``base_url``.
    """
    base = base_url.rstrip("/")
    token_url = f"{base}/auth/token"
    auth = Authenticator(token_url, service.refusal, service.addresses, clock=clock)
    app = FastAPI(title="MedChain FHIR R4 server", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.authenticator = auth
    app.state.service = service

    @app.exception_handler(AuthError)
    async def _auth_error(_: Request, exc: AuthError) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Bearer realm="medchain", error="invalid_token"'} if exc.status == 401 else None
        return _outcome(exc.status, str(exc), code=exc.code, headers=headers)

    @app.exception_handler(FhirError)
    async def _fhir_error(_: Request, exc: FhirError) -> JSONResponse:
        return _outcome(exc.status, str(exc), code=exc.code, expression=exc.expression)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _outcome(400, "malformed request", code="invalid")

    @app.middleware("http")
    async def _crash(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """An unexpected error: a 500 OperationOutcome, logged by type only (its message or traceback
        could quote a resource), instead of the ASGI server's traceback."""
        try:
            return await call_next(request)
        except Exception as exc:  # noqa: BLE001 - the last resort of every route, by design
            log.error("FHIR request %s %s failed: %s", request.method, request.url.path, type(exc).__name__)
            return _outcome(500, f"internal error ({type(exc).__name__})", code="exception")

    def who(request: Request) -> str:
        return auth.authenticate(request.headers.get("authorization"))

    def record_type(rtype: str, *, searchable: bool = False) -> str:
        allowed = ACCEPTED_RECORD_TYPES if searchable else RECORD_TYPES
        if rtype not in allowed:
            raise FhirError(404, f"resource type {rtype!r} is not served here; record types: {', '.join(allowed)}",
                            code="not-supported")
        return rtype

    def page_urls(request: Request, offset: int | None) -> str | None:
        if offset is None:
            return None
        pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "_offset"] + [("_offset", str(offset))]
        return f"{base}{request.url.path.removeprefix(request.scope.get('root_path', ''))}?{urlencode(pairs)}"

    def self_url(request: Request) -> str:
        path = request.url.path.removeprefix(request.scope.get("root_path", ""))
        return f"{base}{path}" + (f"?{request.url.query}" if request.url.query else "")

    def searchset(request: Request, resources: list[dict[str, Any]]) -> JSONResponse:
        """A searchset of a list known in full (Consent, AuditEvent, Provenance), paged."""
        count = _int_param(request, "_count", DEFAULT_COUNT, MAX_COUNT) or DEFAULT_COUNT
        offset = _int_param(request, "_offset", 0)
        chunk = resources[offset:offset + count]
        nxt = offset + count if offset + count < len(resources) else None
        entries = [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                   for r in chunk]
        return _fhir(bundle("searchset", entries, self_url=self_url(request), next_url=page_urls(request, nxt),
                            total=len(resources)))

    # ------------------------------------------------------------------ open
    @app.get("/metadata")
    def metadata() -> JSONResponse:
        return _fhir(capability_statement(base, token_url, date=iso(int(clock()))))

    @app.post("/auth/token")
    async def token(request: Request) -> JSONResponse:
        raw = await request.body()
        if len(raw) > MAX_TOKEN_REQUEST:
            raise AuthError("the token request is too large", status=400, code="too-long", oauth="invalid_request")
        body = raw.decode("utf-8", "replace")
        form = dict(parse_qsl(body, keep_blank_values=True))
        tok = auth.issue(form)
        return JSONResponse({"access_token": tok.value, "token_type": "bearer",
                             "expires_in": int(tok.expires_at - clock()), "scope": tok.scope},
                            headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    # ------------------------------------------------------------------ chain views
    @app.get("/Consent")
    def consents(request: Request, patient: str = "") -> JSONResponse:
        who(request)
        if not patient:
            raise FhirError(400, "Consent search needs patient=<address>", code="required", expression="patient")
        return searchset(request, service.consents(patient))

    @app.get("/AuditEvent")
    def audit_events(request: Request, patient: str = "") -> JSONResponse:
        who(request)
        if not patient:
            raise FhirError(400, "AuditEvent search needs patient=<address>", code="required", expression="patient")
        return searchset(request, service.audit_events(patient))

    @app.get("/Provenance")
    def provenances(request: Request, target: str = "") -> JSONResponse:
        org = who(request)
        if not target:
            raise FhirError(400, "Provenance search needs target=<Type>/<id>", code="required", expression="target")
        return searchset(request, service.provenance(org, target))

    # ------------------------------------------------------------------ records
    @app.get("/{rtype}")
    def search(request: Request, rtype: str) -> JSONResponse:
        org = who(request)
        record_type(rtype, searchable=True)
        count = _int_param(request, "_count", DEFAULT_COUNT, MAX_COUNT) or DEFAULT_COUNT
        offset = _int_param(request, "_offset", 0)
        params: dict[str, list[str]] = {}
        for k, v in request.query_params.multi_items():
            if k not in _SEARCH_IGNORED:
                params.setdefault(k, []).append(v)
        page = service.search(org, rtype, params, offset=offset, count=count)
        entries = [{"fullUrl": f"{base}/{rtype}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                   for r in page.resources]
        return _fhir(bundle("searchset", entries, self_url=self_url(request),
                            next_url=page_urls(request, page.next_offset)))

    async def _body(request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise FhirError(400, "the body is not JSON", code="structure") from None

    @app.post("/{rtype}")
    async def create(request: Request, rtype: str) -> Response:
        org = who(request)
        record_type(rtype)
        body = await _body(request)
        resource = await run_in_threadpool(service.create, org, rtype, body,
                                           patient=request.query_params.get("patient"),
                                           category=request.query_params.get("category"))
        location = f"{base}/{rtype}/{resource['id']}/_history/{resource['meta']['versionId']}"
        return _fhir(resource, 201, {"Location": location, "ETag": f'W/"{resource["meta"]["versionId"]}"'})

    @app.get("/{rtype}/{rid}")
    def read(request: Request, rtype: str, rid: str) -> JSONResponse:
        org = who(request)
        resource = service.read(org, record_type(rtype), rid)
        return _fhir(resource, headers={"ETag": f'W/"{resource["meta"]["versionId"]}"'})

    @app.put("/{rtype}/{rid}")
    async def update(request: Request, rtype: str, rid: str) -> Response:
        org = who(request)
        record_type(rtype)
        body = await _body(request)
        resource = await run_in_threadpool(service.update, org, rtype, rid, body)
        return _fhir(resource, 200, {"ETag": f'W/"{resource["meta"]["versionId"]}"',
                                     "Location": f"{base}/{rtype}/{rid}/_history/{resource['meta']['versionId']}"})

    @app.get("/{rtype}/{rid}/_history")
    def history(request: Request, rtype: str, rid: str) -> JSONResponse:
        org = who(request)
        versions = service.history(org, record_type(rtype), rid)
        entries = [{"fullUrl": f"{base}/{rtype}/{r['id']}", "resource": r,
                    "request": {"method": "POST" if n == 1 else "PUT",
                                "url": rtype if n == 1 else f"{rtype}/{r['id']}"},
                    "response": {"status": "201" if n == 1 else "200", "lastModified": r["meta"]["lastUpdated"],
                                 "etag": f'W/"{n}"'}}
                   for r, _info, n in versions]
        return _fhir(bundle("history", entries, self_url=self_url(request), total=len(entries)))

    @app.get("/{rtype}/{rid}/_history/{vid}")
    def vread(request: Request, rtype: str, rid: str, vid: str) -> JSONResponse:
        org = who(request)
        if not vid.isdigit():
            raise FhirError(404, f"no version {vid[:20]!r}", code="not-found")
        resource = service.read(org, record_type(rtype), rid, int(vid))
        return _fhir(resource, headers={"ETag": f'W/"{vid}"'})

    return app


def mount(parent: FastAPI, service: FhirService, *, base_url: str, path: str = "/fhir") -> FastAPI:
    """Mount the FHIR server at ``path`` of ``parent``, ahead of ``parent``'s own routes (the portal
    ends with a catch-all page).

    Args:
        parent: The app to mount it in (``medchain serve``'s portal).
        service: As :func:`create_app`.
        base_url: The public URL of ``path`` (``http://127.0.0.1:8000/fhir``).

    Returns:
        The mounted FHIR app.
    """
    from starlette.routing import Mount

    app = create_app(service, base_url=base_url)
    parent.router.routes.insert(0, Mount(path, app=app, name="fhir"))
    return app
