"""`rag serve`: the HTTP API on uvicorn; `rag mcp`: the MCP server on stdio."""

from __future__ import annotations

import argparse
from typing import Any

from rag.cli.common import say
from rag.config import Settings
from rag.errors import ConfigError
from rag.text.urls import is_loopback


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    if settings.api_key is None and not is_loopback(args.host):
        raise ConfigError(
            f"refusing to listen on {args.host} without RAG_API_KEY: anyone who can reach it "
            "could read and change the corpus; set a key or use 127.0.0.1"
        )
    import uvicorn  # deferred: `rag --help` stays light

    from rag.api import Assistant
    from rag.serve.app import create_app

    app = create_app(Assistant(settings), settings, host=args.host)
    say(f"serving on http://{args.host}:{args.port} (OpenAPI docs at /docs)", flush=True)
    if args.host in ("0.0.0.0", "::") and not settings.serve_allowed_hosts:
        say(
            "note: answering to any host name; RAG_SERVE_ALLOWED_HOSTS=name,… limits it "
            "to the names clients use",
            flush=True,
        )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def cmd_mcp(args: argparse.Namespace, settings: Settings) -> int:
    from rag.api import Assistant
    from rag.serve.mcp_tools import make_mcp

    make_mcp(Assistant(settings)).run("stdio")
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="the HTTP API with an OpenAI-compatible chat endpoint")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("mcp", help="the MCP server on stdio (search, ask, list and read articles)")
    p.set_defaults(func=cmd_mcp)
