"""The CDS Hooks 2.0 service: discovery, the ``patient-view`` hook and card feedback.

Every error answers with a FHIR OperationOutcome body and a 4xx status when the request
is at fault (malformed JSON, wrong shape, too large, not authenticated, prefetch that
cannot be completed). Logs name the hook instance, status and timing, never patient data.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crampdx.assessment.assess import assess, compile_knowledge_base, default_knowledge_base
from crampdx.cdshooks.cards import cards_for
from crampdx.cdshooks.feedback import FeedbackStore
from crampdx.cdshooks.models import CdsRequest, FeedbackRequest
from crampdx.cdshooks.prefetch import PREFETCH, PrefetchError, gather_fhir_data
from crampdx.cdshooks.security import AuthError, JwtVerifier, VerifiedClient
from crampdx.cdshooks.settings import CdsSettings
from crampdx.engine.base import CompiledKnowledgeBase
from crampdx.errors import CrampdxError
from crampdx.fhir.inbound import patient_from_fhir
from crampdx.kb.load import load_knowledge_base
from crampdx.record.states import State

__all__ = ["SERVICE_ID", "create_app", "discovery", "operation_outcome"]

logger = logging.getLogger("crampdx.cdshooks")

SERVICE_ID = "crampdx-patient-view"
_HOOK = "patient-view"
_ISSUED_CARDS_KEPT = 100_000


def discovery() -> dict[str, Any]:
    """The discovery document (``GET /cds-services``)."""
    return {
        "services": [
            {
                "hook": _HOOK,
                "id": SERVICE_ID,
                "title": "crampdx: causes of muscle cramps",
                "description": (
                    "For a patient with muscle cramps: a ranked, explained differential of "
                    "causes, red flags with urgency and a staged workup proposed as draft "
                    "orders. Decision support, not a diagnosis."
                ),
                "prefetch": dict(PREFETCH),
                "usageRequirements": (
                    "Cards appear when cramps are recorded (SNOMED CT 55300003, ICD-10-CM "
                    "R25.2 or G47.62); red-flag cards appear whenever a red flag is found."
                ),
            }
        ]
    }


def operation_outcome(status: int, code: str, message: str) -> JSONResponse:
    """An error response with a FHIR OperationOutcome body."""
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


class _BodyLimit:
    """Refuses request bodies over the limit before the application reads them (413)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await operation_outcome(413, "too-costly", "the request body is too large")(
                scope, receive, send
            )
            return
        # Read the body here (it may be chunked, with no length) and replay it to the app.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await operation_outcome(413, "too-costly", "the request body is too large")(
                    scope, receive, send
                )
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class _ClientError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class _State:
    settings: CdsSettings
    compiled: CompiledKnowledgeBase
    verifier: JwtVerifier | None
    http: httpx.AsyncClient
    feedback: FeedbackStore
    issued: OrderedDict[str, None]
    issued_lock: threading.Lock

    def remember(self, card_ids: list[str]) -> None:
        with self.issued_lock:
            for card_id in card_ids:
                self.issued[card_id] = None
            while len(self.issued) > _ISSUED_CARDS_KEPT:
                self.issued.popitem(last=False)

    def known(self) -> set[str]:
        with self.issued_lock:
            return set(self.issued)


def _load_knowledge_base(settings: CdsSettings) -> CompiledKnowledgeBase:
    if not settings.rules_dirs:
        return default_knowledge_base()
    return compile_knowledge_base(load_knowledge_base(*settings.rules_dirs))


def _json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise _ClientError(400, "invalid", "the request body is not valid JSON") from error


def _shape_error(error: ValidationError, what: str) -> _ClientError:
    # Field locations and messages only: the input values may hold patient data.
    details = "; ".join(
        f"{'.'.join(str(p) for p in item['loc']) or '(body)'}: {item['msg']}"
        for item in error.errors(include_url=False, include_input=False, include_context=False)[:5]
    )
    return _ClientError(400, "structure", f"invalid {what}: {details}")


def create_app(
    settings: CdsSettings, *, knowledge_base: CompiledKnowledgeBase | None = None
) -> FastAPI:
    """The CDS Hooks application.

    Args:
        settings: security, limits and audit settings.
        knowledge_base: a compiled knowledge base to serve; by default the shipped one
            (plus ``settings.rules_dirs``), loaded when the application starts.
    """
    state: dict[str, _State] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.development_disable_auth:
            logger.warning("CDS Hooks authentication is OFF (development_disable_auth)")
        # Load the rules and the FHIR models now, never inside a request (interop.md §1.8).
        compiled = knowledge_base
        if compiled is None:
            compiled = await run_in_threadpool(_load_knowledge_base, settings)
        await run_in_threadpool(compiled.engine, settings.engine)
        await run_in_threadpool(_warm_up)
        async with httpx.AsyncClient(trust_env=False) as http:
            verifier = None if settings.development_disable_auth else JwtVerifier(settings, http)
            state["s"] = _State(
                settings=settings,
                compiled=compiled,
                verifier=verifier,
                http=http,
                feedback=FeedbackStore(settings.feedback_log),
                issued=OrderedDict(),
                issued_lock=threading.Lock(),
            )
            yield

    app = FastAPI(
        title="crampdx CDS Hooks service",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_middleware(_BodyLimit, limit=settings.max_body_bytes)

    @app.exception_handler(_ClientError)
    async def _client_error(request: Request, error: _ClientError) -> Response:
        return operation_outcome(error.status, error.code, error.message)

    @app.exception_handler(AuthError)
    async def _auth_error(request: Request, error: AuthError) -> Response:
        logger.info("refused %s: %s", request.url.path, error.message)
        return operation_outcome(401, "security", error.message)

    @app.exception_handler(PrefetchError)
    async def _prefetch_error(request: Request, error: PrefetchError) -> Response:
        return operation_outcome(412, "incomplete", error.message)

    @app.exception_handler(CrampdxError)
    async def _record_error(request: Request, error: CrampdxError) -> Response:
        problems = "; ".join(p.message for p in error.problems[:5])
        message = f"{error.message}: {problems}" if problems else error.message
        return operation_outcome(422, "processing", message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        code = {404: "not-found", 405: "not-supported"}.get(error.status_code, "invalid")
        return operation_outcome(error.status_code, code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> Response:
        return operation_outcome(400, "invalid", "the request is not valid")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        # The exception text may quote input values: log its type only.
        logger.error("internal error on %s: %s", request.url.path, type(error).__name__)
        return operation_outcome(500, "exception", "internal error")

    async def authenticate(request: Request, service_id: str) -> VerifiedClient | None:
        current = state["s"]
        if current.verifier is None:
            return None
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("a bearer JWT is required")
        service = current.settings.service_url(service_id, str(request.base_url))
        audiences = [service]
        if request.url.path.endswith("/feedback"):
            audiences.append(f"{service}/feedback")
        return await current.verifier.verify(token.strip(), audiences)

    @app.get("/cds-services")
    async def _discovery() -> dict[str, Any]:
        return discovery()

    @app.post("/cds-services/{service_id}")
    async def _hook(service_id: str, request: Request) -> Response:
        started = time.perf_counter()
        await authenticate(request, service_id)
        if service_id != SERVICE_ID:
            raise _ClientError(404, "not-found", f"no CDS service '{service_id}'")
        current = state["s"]
        try:
            call = CdsRequest.model_validate(_json_body(await request.body()))
        except ValidationError as error:
            raise _shape_error(error, "CDS Hooks request") from error
        if call.hook != _HOOK:
            raise _ClientError(400, "not-supported", f"this service answers '{_HOOK}' only")
        gathered = await gather_fhir_data(call, current.settings, current.http)
        cards = await run_in_threadpool(_cards, current, call, gathered.items)
        current.remember([card["uuid"] for card in cards])
        logger.info(
            "hook %s instance=%s cards=%d fetched=%d ms=%.1f",
            _HOOK,
            call.hookInstance,
            len(cards),
            len(gathered.fetched),
            (time.perf_counter() - started) * 1000,
        )
        return JSONResponse({"cards": cards})

    @app.post("/cds-services/{service_id}/feedback")
    async def _feedback(service_id: str, request: Request) -> Response:
        client = await authenticate(request, service_id)
        if service_id != SERVICE_ID:
            raise _ClientError(404, "not-found", f"no CDS service '{service_id}'")
        current = state["s"]
        try:
            body = FeedbackRequest.model_validate(_json_body(await request.body()))
        except ValidationError as error:
            raise _shape_error(error, "feedback") from error
        current.feedback.record(
            service_id,
            body.feedback,
            issuer=None if client is None else client.issuer,
            known_cards=current.known(),
        )
        logger.info("feedback %s items=%d", service_id, len(body.feedback))
        return Response(status_code=200)

    app.state.crampdx = state  # for tests and embedding: the live service state
    return app


def _warm_up() -> None:
    from crampdx.fhir.read import read_resources

    read_resources({"resourceType": "Patient", "id": "warm-up"})


def _cards(current: _State, call: CdsRequest, items: tuple[Any, ...]) -> list[dict[str, Any]]:
    today = dt.datetime.now(dt.UTC).date()
    # Data about anyone but context.patientId is refused (a Patient) or left out (the rest).
    mapping = patient_from_fhir(
        list(items), assessment_date=today, strict=False, patient_id=call.context.patientId
    )
    patient = mapping.patient
    assessment = assess(patient, knowledge_base=current.compiled, engine=current.settings.engine)
    cards = cards_for(
        assessment,
        patient_reference=f"Patient/{call.context.patientId}",
        report=mapping.report,
        include_main=patient.cramps.reported is State.PRESENT,
    )
    return [card.model_dump(mode="json", exclude_none=True) for card in cards]
