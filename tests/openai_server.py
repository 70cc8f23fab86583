"""A local server that speaks the OpenAI chat-completions protocol over real HTTP.

Tests script its replies through `responder` (request JSON -> Reply): answers, errors,
slow responses and dropped connections, in JSON or SSE streaming form. Every request is
recorded. It also serves deterministic /v1/embeddings for the OpenAI embedding backend.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before the response starts
    drop_after: int | None = None  # streaming: close the socket after this many events
    chunk_chars: int = 6  # streaming: characters per delta


def embedding(text: str, dim: int = 64) -> list[float]:
    """A bag-of-hashed-words vector: deterministic and similar for similar texts."""
    vec = np.zeros(dim)
    for word in re.findall(r"\w+", text.lower()):
        vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % dim] += 1.0
    norm = np.linalg.norm(vec) or 1.0
    return (vec / norm).tolist()


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.responder: Callable[[dict[str, Any]], Reply] = lambda _req: Reply("OK [1]")
        # A model's context, as llama.cpp enforces it: a longer prompt gets HTTP 400.
        self.context_tokens: int | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll interval: stop() waits for the loop to notice (0.5 s by default).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if "messages" in r]

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def handle(self) -> None:
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a client that timed out and closed its connection

            def _json(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                try:
                    self._serve()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeouts are part of the script)

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                request["_auth"] = self.headers.get("Authorization", "")
                fake.requests.append(request)
                if self.path.endswith("/embeddings"):
                    inputs = request["input"]
                    inputs = [inputs] if isinstance(inputs, str) else inputs
                    data = [
                        {"object": "embedding", "index": i, "embedding": embedding(t)}
                        for i, t in enumerate(inputs)
                    ]
                    self._json(
                        200,
                        {
                            "object": "list",
                            "data": data,
                            "model": request["model"],
                            "usage": {"prompt_tokens": 1, "total_tokens": 1},
                        },
                        {},
                    )
                    return
                prompt = sum(len(m.get("content", "")) for m in request.get("messages", []))
                if fake.context_tokens and prompt / 4 + request.get("max_tokens", 0) > (
                    fake.context_tokens
                ):
                    message = (
                        f"the request exceeds the available context size "
                        f"({fake.context_tokens} tokens), try increasing it"
                    )
                    error = {"error": {"code": 400, "message": message, "type": "exceed_context"}}
                    self._json(400, error, {})
                    return
                reply = fake.responder(request)
                time.sleep(reply.delay)
                if reply.status != 200:
                    said = reply.text or f"scripted {reply.status}"
                    error = {"error": {"message": said, "type": "error"}}
                    # Keep the SDK's retry backoff short in tests.
                    self._json(reply.status, error, {"retry-after-ms": "10"})
                    return
                if request.get("stream"):
                    self._stream(request, reply)
                    return
                message = {"role": "assistant", "content": reply.text}
                self._json(200, {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": 0,
                    "model": request.get("model", ""),
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                }, {})  # fmt: skip

            def _chunk(self, payload: str) -> None:
                data = payload.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _stream(self, request: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                pieces = [reply.text[i : i + reply.chunk_chars]
                          for i in range(0, len(reply.text), reply.chunk_chars)]  # fmt: skip
                for n, piece in enumerate(pieces):
                    if reply.drop_after is not None and n >= reply.drop_after:
                        self.close_connection = True
                        self.connection.close()  # no final chunk: the body is incomplete
                        return
                    event = {
                        "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0,
                        "model": request.get("model", ""),
                        "choices": [{"index": 0, "delta": {"content": piece},
                                     "finish_reason": None}],
                    }  # fmt: skip
                    self._chunk(f"data: {json.dumps(event)}\n\n")
                self._chunk("data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")

        return Handler
