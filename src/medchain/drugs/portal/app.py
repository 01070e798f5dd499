"""The verification portal's web application (FastAPI, server-rendered Jinja2 pages).

Pages and a JSON API give the same answers (the API returns the models the pages render):

==============================================  ===============================================
``/01/{gtin}/10/{lot}/21/{serial}?17=YYMMDD``   a pack (what its QR code encodes): genuine or not
``/01/{gtin}/10/{lot}?17=YYMMDD``               a batch-level code
``/check?code=…``                               any GS1 form typed or scanned → the pack's page
``/batches/{gtin}/{lot}``  (``/report.csv``)    an organisation's recall report, holders, CSV
``/shipments/{id}/chart.png``                   a shipment's temperature chart
``/api/…``                                      the same answers as JSON (``/docs``, ``/openapi.json``)
==============================================  ===============================================

A GS1 Digital Link may carry a path prefix before ``/01/`` (a resolver base such as
``https://portal.example/dl``) and the aliases ``gtin``/``lot``/``ser``; lot and serial are
percent-encoded. Bad input gets a 4xx: an HTML page under ``/``, JSON ``ErrorOut`` under ``/api``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from medchain import __version__
from medchain.core.deploy import Suite
from medchain.core.errors import (
    ChainError,
    DrugTracingError,
    GS1Error,
    MedChainError,
    StandardsError,
    VerificationUnavailableError,
)
from medchain.core.standards import gs1
from medchain.drugs.portal.models import ErrorOut, Health, LotOut, RecallReportOut, VerificationOut
from medchain.drugs.portal.service import Portal, SerialStore, parse_shipment_id, report_csv
from medchain.drugs.portal.texts import UI, Text, text

HERE = Path(__file__).parent

#: What each error answers: (HTTP status, machine code, message in both languages).
_FIELD_NAMES = {"01": ("GTIN (01)", "商品代码 GTIN (01)"), "10": ("lot (10)", "批号 (10)"),
                "21": ("serial number (21)", "序列号 (21)"), "17": ("expiry date (17)", "有效期 (17)"),
                "11": ("production date (11)", "生产日期 (11)")}


class PortalError(Exception):
    """An HTTP refusal with a bilingual message (internal to the app)."""

    def __init__(self, status: int, error: str, message: Text, field: str | None = None):
        self.status, self.error, self.message, self.field = status, error, message, field


def _from_exception(exc: Exception) -> PortalError:
    if isinstance(exc, PortalError):
        return exc
    if isinstance(exc, StandardsError):
        field = exc.field
        en_name, zh_name = _FIELD_NAMES.get(field or "", (field or "code", field or "代码"))
        return PortalError(400, "bad_code", Text(
            en=f"The code is not a valid GS1 code: the {en_name} is wrong ({exc}).",
            zh=f"这不是有效的 GS1 追溯码：{zh_name} 有误（{exc}）。"), field)
    if isinstance(exc, VerificationUnavailableError):
        return PortalError(503, "unavailable", Text(en=str(exc), zh=f"本服务暂时无法验证此批次：{exc}"))
    if isinstance(exc, DrugTracingError):
        return PortalError(404, "not_found", Text(en=str(exc), zh=f"未找到：{exc}"))
    if isinstance(exc, ChainError):
        return PortalError(503, "unavailable", Text(en=f"The blockchain node does not answer: {exc}",
                                                    zh=f"区块链节点无响应：{exc}"))
    if isinstance(exc, MedChainError):
        return PortalError(400, "invalid_request", Text(en=str(exc), zh=f"请求无效：{exc}"))
    raise exc


def _raw_url(request: Request) -> str:
    """The request's URL as sent (path still percent-encoded: a lot may contain ``/``)."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    query = request.scope.get("query_string") or b""
    return "http://portal" + raw.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


def create_app(suite: Suite, store: SerialStore, *, base_url: str | None = None) -> FastAPI:
    """The portal's ASGI application.

    Args:
        suite: The deployed suite to answer from.
        store: The batches' serial lists.
        base_url: The public base URL the QR codes point to (shown on pages); default: the
            request's own.

    Returns:
        The FastAPI application.
    """
    portal = Portal(suite, store)
    app = FastAPI(title="MedChain verification portal", version=__version__, docs_url=None, redoc_url=None,
                  description="Is this medicine genuine? GS1 Digital Link resolver and batch reports over the "
                              "DrugBatchTracing contract. Every answer in English and Chinese.")
    app.state.portal = portal
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["ui"] = {k: Text(en=en, zh=zh) for k, (en, zh) in UI.items()}
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def is_api(request: Request) -> bool:
        return request.scope["path"].startswith("/api/") or request.scope["path"] == "/openapi.json"

    def refuse(request: Request, err: PortalError) -> Response:
        body = ErrorOut(status=err.status, error=err.error, field=err.field, message=err.message)
        if is_api(request):
            return JSONResponse(body.model_dump(), status_code=err.status)
        return page(request, "error.html", err.status, error=body)

    @app.exception_handler(MedChainError)
    async def on_medchain_error(request: Request, exc: MedChainError) -> Response:
        return refuse(request, _from_exception(exc))

    @app.exception_handler(PortalError)
    async def on_portal_error(request: Request, exc: PortalError) -> Response:
        return refuse(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return refuse(request, PortalError(404, "not_found", Text(
                en=f"There is no page at {request.scope['path'][:200]}. A pack's link looks like "
                   "/01/<GTIN>/10/<lot>/21/<serial>?17=<YYMMDD>.",
                zh=f"页面 {request.scope['path'][:200]} 不存在。"
                   "药盒链接的格式为 /01/<GTIN>/10/<批号>/21/<序列号>?17=<YYMMDD>。")))
        if exc.status_code == 405:
            return refuse(request, PortalError(405, "method_not_allowed", Text(
                en=f"{request.method} is not allowed here: the portal only answers GET.",
                zh=f"此处不支持 {request.method} 请求：本门户只响应 GET。")))
        return refuse(request, PortalError(exc.status_code, "invalid_request", Text(en=str(exc.detail), zh=str(exc.detail))))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return refuse(request, PortalError(422, "invalid_request", Text(en=f"Invalid request: {where}",
                                                                        zh=f"请求参数无效：{where}")))

    def resolve(request: Request) -> VerificationOut | LotOut:
        unit = gs1.parse_digital_link(_raw_url(request))
        return portal.verify(unit) if unit.serial is not None else portal.lot(unit)

    def render(request: Request, answer: VerificationOut | LotOut) -> HTMLResponse:
        if isinstance(answer, VerificationOut):
            return page(request, "verify.html", v=answer, base=base_url or str(request.base_url).rstrip("/"))
        return page(request, "lot.html", v=answer, note=text("lot"), base=base_url or str(request.base_url).rstrip("/"))

    # ---------------------------------------------------------------- JSON API
    responses: dict[int | str, dict[str, Any]] = {
        400: {"model": ErrorOut, "description": "Malformed GS1 code (field names the AI)."},
        404: {"model": ErrorOut, "description": "Unknown route or batch."},
        503: {"model": ErrorOut, "description": "The service cannot check this batch, or the node is down."}}

    @app.get("/api/health", response_model=Health, tags=["api"], summary="The chain and contract the portal reads")
    def api_health() -> Health:
        return portal.health()

    @app.get("/api/01/{gtin}/10/{lot}/21/{serial}", response_model=VerificationOut, responses=responses, tags=["api"],
             summary="Verify a pack by its GS1 Digital Link")
    def api_verify_link(request: Request, gtin: str, lot: str, serial: str,
                        expiry: str | None = Query(None, alias="17", description="Expiry date YYMMDD (AI 17).")) -> Any:
        return resolve(request)

    @app.get("/api/01/{gtin}/10/{lot}", response_model=LotOut, responses=responses, tags=["api"],
             summary="A batch-level GS1 Digital Link")
    def api_lot_link(request: Request, gtin: str, lot: str,
                     expiry: str | None = Query(None, alias="17", description="Expiry date YYMMDD (AI 17).")) -> Any:
        return resolve(request)

    @app.get("/api/verify", response_model=VerificationOut, responses=responses, tags=["api"],
             summary="Verify a pack from any GS1 form (element string, DataMatrix payload, Digital Link)")
    def api_verify(code: str = Query(..., max_length=gs1.MAX_INPUT, description="The scanned or typed code.")) -> Any:
        unit = gs1.parse_any(code)
        if unit.serial is None:
            raise GS1Error("serial number missing: a pack is verified by its serial", "21")
        return portal.verify(unit)

    @app.get("/api/batches/{gtin}/{lot}/report", response_model=RecallReportOut, responses=responses, tags=["api"],
             summary="A batch's recall report: holders, quantities, in transit, dispensed units, suspects")
    def api_report(gtin: str, lot: str) -> Any:
        return portal.recall_report(gtin, lot)

    @app.get("/api/{rest:path}", include_in_schema=False)
    def api_other(request: Request, rest: str) -> Any:
        if "/01/" in "/" + rest or "/gtin/" in "/" + rest:
            return resolve(request)
        raise StarletteHTTPException(404)

    # ---------------------------------------------------------------- pages
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return page(request, "home.html")

    @app.get("/check", include_in_schema=False)
    def check(code: str = Query("", max_length=gs1.MAX_INPUT)) -> Response:
        unit = gs1.parse_any(code)
        return RedirectResponse(gs1.to_digital_link(unit, base_uri="http://portal").removeprefix("http://portal"),
                                status_code=303)

    @app.get("/01/{gtin}/10/{lot}/21/{serial}", response_class=HTMLResponse, tags=["pages"],
             summary="Page: is this pack genuine? (what the QR code on the box opens)")
    def verify_page(request: Request, gtin: str, lot: str, serial: str,
                    expiry: str | None = Query(None, alias="17", description="Expiry date YYMMDD (AI 17).")) -> HTMLResponse:
        return render(request, resolve(request))

    @app.get("/01/{gtin}/10/{lot}", response_class=HTMLResponse, tags=["pages"], summary="Page: a batch-level code")
    def lot_page(request: Request, gtin: str, lot: str,
                 expiry: str | None = Query(None, alias="17", description="Expiry date YYMMDD (AI 17).")) -> HTMLResponse:
        return render(request, resolve(request))

    @app.get("/batches/{gtin}/{lot}", response_class=HTMLResponse, tags=["pages"],
             summary="Page: a batch's recall report for organisations")
    def batch_page(request: Request, gtin: str, lot: str) -> HTMLResponse:
        return page(request, "batch.html", r=portal.recall_report(gtin, lot))

    @app.get("/batches/{gtin}/{lot}/report.csv", response_class=PlainTextResponse, tags=["pages"],
             summary="A batch's recall report as CSV")
    def batch_csv(gtin: str, lot: str) -> Response:
        report = portal.recall_report(gtin, lot)
        name = f"recall-{report.batch.gtin}-{''.join(c if c.isalnum() else '_' for c in report.batch.lot)}.csv"
        return Response(report_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/shipments/{shipment_id}/chart.png", tags=["pages"], summary="A shipment's temperature chart (PNG)",
             responses={200: {"content": {"image/png": {}}}, 400: responses[400], 404: responses[404]})
    def chart(shipment_id: str) -> Response:
        return Response(portal.chart(parse_shipment_id(shipment_id)), media_type="image/png",
                        headers={"Cache-Control": "max-age=60"})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return page(request, "docs.html", spec=app.openapi())

    @app.get("/{rest:path}", include_in_schema=False)
    def other(request: Request, rest: str) -> Any:
        if "/01/" in "/" + rest or "/gtin/" in "/" + rest:
            return render(request, resolve(request))
        raise StarletteHTTPException(404)

    return app


__all__ = ["create_app", "PortalError"]
