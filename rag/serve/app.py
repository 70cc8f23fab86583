"""The HTTP API: FastAPI over one shared `Assistant` (thread-safe), on uvicorn.

Every request first passes the gate (rag.serve.gate): its Host, the origin of a write,
the key (`Authorization: Bearer <RAG_API_KEY>` for /v1 and /mcp, when a key is set) and
the size of its body. Errors use OpenAI's shape, `{"error": {"message", "type", "code"}}`;
nothing answers a 500 with a traceback. Handlers are plain `def`s: FastAPI runs them in
its thread pool, so a slow answer or a reindex does not hold up other requests; how many
answers run at once is the Assistant's to decide.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from mcp.server.transport_security import TransportSecuritySettings
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.answer.types import ChatMessage, Delta, StreamEvent
from rag.api import Assistant
from rag.config import Settings
from rag.errors import (
    ArticleError,
    ArticleNotIndexedError,
    DatabaseError,
    FeedError,
    FetchError,
    IndexMismatchError,
    IndexMissingError,
    JobsBusyError,
    QuestionError,
    RagError,
    ReindexBusyError,
    StoreUnavailableError,
    UnknownArticleError,
    UnknownConversationError,
    UnknownWatchError,
)
from rag.serve import protocol
from rag.serve.bodies import AskBody, ChatBody, SearchBody, UrlBody
from rag.serve.conversations import conversation_routes
from rag.serve.gate import Door, Gate, allowed_hosts
from rag.serve.mcp_tools import make_mcp
from rag.serve.watches import watch_routes

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000  # bytes of a JSON request
CHECKS_AT_ONCE = 4  # feeds fetched at once to be checked; more get 429
# A multipart upload's own framing (boundaries, part headers) on top of the article.
UPLOAD_FRAMING = 64 * 1024


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code


def _error(status: int, message: str, kind: str, code: str, **headers: str) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers or None)


# --- the app ---


def create_app(assistant: Assistant, settings: Settings, *, host: str = "127.0.0.1") -> FastAPI:
    """The API over `assistant`, for a server listening on `host`; `settings` give the
    key, the allowed hosts and origins, the upload limit and the Sources setting."""
    tools = make_mcp(assistant)
    # The gate checks Host and Origin for every path, /mcp included, with one list.
    mcp_app = tools.streamable_http_app(
        streamable_http_path="/",
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        assistant.jobs.schedule_feeds(settings.feeds_every_minutes)
        try:
            async with tools.session_manager.run():  # the MCP sessions live as long as the app
                yield
        finally:
            assistant.jobs.stop_schedule()

    app = FastAPI(
        title="article-rag",
        version="1",
        description="Cited answers about a corpus of news articles.",
        lifespan=lifespan,
    )
    door = Door(
        key=settings.api_key.get_secret_value() if settings.api_key else "",
        hosts=allowed_hosts(host, settings.serve_allowed_hosts),
        origins=list(settings.serve_allowed_origins),
        body_limit=MAX_BODY,
        upload_limit=settings.max_article_bytes + UPLOAD_FRAMING,
    )
    app.add_middleware(Gate, door=door)
    # Worker threads are shared by every route: a crowd of slow feeds must not take them all.
    fetching = threading.BoundedSemaphore(CHECKS_AT_ONCE)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        return _error(exc.status, exc.message, exc.kind, exc.code, **headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request"
        return _error(422, message, "invalid_request_error", "invalid_body")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else "http_error"
        return _error(exc.status_code, str(exc.detail), "invalid_request_error", code)

    @app.exception_handler(RagError)
    async def rag_error(_request: Request, exc: RagError) -> JSONResponse:
        status, code = _status_of(exc)
        return _error(status, str(exc), "invalid_request_error" if status < 500 else
                      "server_error", code)  # fmt: skip

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return _error(500, "internal error (see the server log)", "server_error", "internal")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:  # on the event loop: busy worker threads cannot stall it
        return {"status": "ok"}

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [
            {"id": protocol.MODEL, "object": "model", "created": 0, "owned_by": "article-rag"}
        ]}  # fmt: skip

    @app.post("/v1/chat/completions", response_model=None)
    def chat_completions(body: ChatBody) -> Any:
        try:
            question, history = protocol.conversation(body.messages)
        except protocol.ProtocolError as exc:
            raise ApiError(400, str(exc), "invalid_request_error", "no_question") from exc
        filters = body.filters.filters() if body.filters else None
        with_sources = settings.serve_sources_markdown
        if protocol.is_background_task(question):
            text = protocol.background_reply(question)
            if body.stream:
                return _sse(_whole_stream(text))
            return protocol.plain_completion(text)
        if not body.stream:
            answer = assistant.chat(question, history, filters=filters)
            return protocol.completion(answer, with_sources=with_sources)
        items = assistant.stream(question, history, filters=filters)
        first = next(items)  # errors of the question itself are answered as errors
        return _sse(_answer_stream(first, items, with_sources))

    @app.post("/v1/ask")
    def ask(body: AskBody) -> dict[str, Any]:
        history = [ChatMessage(t.role, t.content) for t in body.history]
        filters = body.filters.filters() if body.filters else None
        answer = assistant.chat(body.question, history, top_k=body.top_k, filters=filters)
        return answer.as_dict()

    @app.post("/v1/search")
    def search(body: SearchBody) -> dict[str, Any]:
        filters = body.filters.filters() if body.filters else None
        found = assistant.search(body.query, top_k=body.top_k, filters=filters)
        return {"query": body.query, "results": [protocol.passage_result(p) for p in found]}

    @app.get("/v1/articles")
    def articles(
        since: dt.date | None = None,
        until: dt.date | None = None,
        outlet: Annotated[list[str] | None, Query()] = None,
    ) -> dict[str, Any]:
        rows = assistant.articles(since=since, until=until, outlets=outlet or [])
        return {"articles": [asdict(a) for a in rows]}

    @app.post("/v1/articles", status_code=202)
    def add_url(body: UrlBody) -> dict[str, Any]:
        return {"job": assistant.jobs.add([body.url]).as_dict()}

    @app.post("/v1/articles/upload", status_code=202)
    def upload(file: Annotated[UploadFile, File()]) -> dict[str, Any]:
        data = file.file.read(settings.max_article_bytes + 1)
        if len(data) > settings.max_article_bytes:  # the gate allowed for the framing
            raise ApiError(413, f"an upload may be at most {settings.max_article_bytes:,} bytes",
                           "invalid_request_error", "body_too_large")  # fmt: skip
        return {"job": assistant.jobs.upload(file.filename or "article.md", data).as_dict()}

    @app.delete("/v1/articles/{doc_id:path}", status_code=202)  # web articles live in <host>/…
    def delete(doc_id: str) -> dict[str, Any]:
        return {"job": assistant.jobs.delete(doc_id).as_dict()}

    @app.post("/v1/reindex", status_code=202)
    def reindex() -> dict[str, Any]:
        return {"job": assistant.jobs.reindex().as_dict()}

    @app.get("/v1/feeds")
    def feeds() -> dict[str, Any]:
        """Each feed with its last and next update, last result and error."""
        return {"feeds": [asdict(f) for f in assistant.feeds()],
                "every_minutes": settings.feeds_every_minutes}  # fmt: skip

    @app.post("/v1/feeds", status_code=201)
    def add_feed(body: UrlBody) -> dict[str, Any]:
        """Fetched once first: what is not a feed is refused with the reason."""
        if not fetching.acquire(blocking=False):
            raise ApiError(429, "feeds are being checked already: try again in a moment",
                           "rate_limit_error", "busy")  # fmt: skip
        try:
            added = assistant.add_feed(body.url)
        finally:
            fetching.release()
        return {"url": body.url.strip(), "added": added}

    @app.delete("/v1/feeds")
    def remove_feed(url: str) -> dict[str, Any]:
        assistant.remove_feed(url)
        return {"removed": url}

    @app.post("/v1/feeds/update", status_code=202)
    def update_feeds() -> dict[str, Any]:
        return {"job": assistant.jobs.update_feeds().as_dict()}

    @app.get("/v1/jobs")
    def jobs() -> dict[str, Any]:
        return {"jobs": [j.as_dict() for j in assistant.jobs.jobs()]}

    @app.get("/v1/jobs/{job_id}")
    def job(job_id: str, wait: Annotated[float, Query(ge=0, le=60)] = 0) -> dict[str, Any]:
        """A job's state; with `wait`, up to that many seconds for it to finish first."""
        found = assistant.jobs.runner.wait(job_id, wait) if wait else assistant.jobs.get(job_id)
        if found is None:
            raise ApiError(404, f"no job {job_id!r} (jobs are kept until the server stops)",
                           "invalid_request_error", "not_found")  # fmt: skip
        return found.as_dict()

    @app.get("/v1/status")
    def status() -> dict[str, Any]:
        return {**asdict(assistant.status()), "answers": assistant.mode_label()}

    app.include_router(conversation_routes(assistant))
    app.include_router(watch_routes(assistant, settings))
    app.mount("/mcp", mcp_app)
    return app


def _status_of(exc: RagError) -> tuple[int, str]:
    if isinstance(exc, QuestionError):
        return 400, "invalid_question"
    if isinstance(exc, UnknownArticleError | UnknownConversationError | UnknownWatchError):
        return 404, "not_found"
    if isinstance(exc, IndexMissingError | IndexMismatchError):
        return 503, "no_index"
    if isinstance(exc, ReindexBusyError):
        return 409, "reindex_busy"
    if isinstance(exc, JobsBusyError):
        return 429, "busy"
    if isinstance(exc, ArticleError | FetchError | FeedError):
        return 400, "bad_article"
    if isinstance(exc, StoreUnavailableError | DatabaseError):
        return 503, "store_unavailable"
    if isinstance(exc, ArticleNotIndexedError):  # saved; the next reindex indexes it
        return 503, "not_indexed"
    return 500, "server_error"


def _sse(events: Iterator[dict[str, Any]]) -> StreamingResponse:
    def encoded() -> Iterator[bytes]:
        for event in events:
            yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()
        yield b"data: [DONE]\n\n"

    return StreamingResponse(encoded(), media_type="text/event-stream")


def _whole_stream(text: str) -> Iterator[dict[str, Any]]:
    sid = protocol.new_stream_id()
    yield protocol.chunk(sid, {"role": "assistant", "content": text})
    yield protocol.chunk(sid, {}, "stop")


def _answer_stream(
    first: StreamEvent, rest: Iterator[StreamEvent], with_sources: bool
) -> Iterator[dict[str, Any]]:
    """The answer's text deltas as they come; its citations on the last chunk. When the
    final answer is not what was streamed continued (the model failed, or the claim check
    moved its markers), it follows as a whole, so the annotations point into text the
    client has."""
    sid = protocol.new_stream_id()
    yield protocol.chunk(sid, {"role": "assistant", "content": ""})
    for event in itertools.chain([first], rest):
        if isinstance(event, Delta):
            yield protocol.chunk(sid, {"content": event.text})
            continue
        answer = event.answer
        content = protocol.content_of(answer, with_sources)
        if event.rest is not None and not event.replaces_stream:
            tail, offset = content[len(event.streamed) :], 0
        else:
            tail = "\n\n" + content if event.streamed else content
            offset = len(event.streamed) + len(tail) - len(content)
        notes = [
            {**a, "url_citation": {**a["url_citation"],
             "start_index": a["url_citation"]["start_index"] + offset,
             "end_index": a["url_citation"]["end_index"] + offset}}
            for a in protocol.url_citations(content, answer.citations)
        ]  # fmt: skip
        delta: dict[str, Any] = {"annotations": notes}
        if tail:
            delta["content"] = tail
        yield protocol.chunk(sid, delta, "stop", protocol.extra_fields(answer))
        return
