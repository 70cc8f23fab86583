"""The question commands: ask, chat, timeline, status, and starting the UI."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from rag.answer.types import MAX_EVENTS, ChatMessage
from rag.cli.common import (
    add_filter_arguments,
    assistant,
    filters_of,
    print_filters,
    say,
    stream_answer,
)
from rag.config import Settings
from rag.errors import ConfigError, QuestionError
from rag.text.byline import byline
from rag.text.urls import is_loopback


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    bot = assistant(settings)
    filters = filters_of(args)
    if args.json:
        answer = bot.ask(args.question, top_k=args.top_k, filters=filters)
        say(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2))
    else:
        stream_answer(bot.stream(args.question, top_k=args.top_k, filters=filters))
    return 0


def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    timeline = assistant(settings).timeline(args.query, filters_of(args), args.limit)
    if args.json:
        say(json.dumps(timeline.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print_filters(timeline.filters)
    for event in timeline.events:
        dated = byline(event.date or "undated", event.outlet)  # the day first, as a list
        say(f"{dated}: {event.title}" + (f" <{event.source}>" if event.source else ""))
        say(f"    “{event.quote}”")
    if not timeline.events:
        say("No articles are about this.")
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    bot = assistant(settings)
    history: list[ChatMessage] = []
    say(f"article-rag chat ({bot.mode_label()}). Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            say()
            return 0
        if not question or question.lower() in {"exit", "quit"}:
            return 0
        say()
        try:
            stream = bot.stream(question, history, top_k=args.top_k, filters=filters_of(args))
            answer = stream_answer(stream)
        except QuestionError as exc:  # a bad question ends nothing: ask again
            say(f"error: {exc}", file=sys.stderr)
            continue
        history += [ChatMessage("user", question), ChatMessage("assistant", answer.text)]


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    bot = assistant(settings)
    status = bot.status()
    say(
        f"articles {status.articles}, chunks {status.chunks}, "
        f"indexed at {status.indexed_at}, embedding model {status.embed_model}"
    )
    say(f"answers: {bot.mode_label()}")
    return 0


def cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    """Become the Streamlit server (exec: a SIGTERM or Ctrl-C reaches it directly, and no
    parent is left to outlive or be outlived by it)."""
    if settings.ui_password is None and not is_loopback(args.host):
        raise ConfigError(
            f"refusing to serve the chat UI on {args.host} without a password: anyone who "
            "can reach it could read and change the corpus; set RAG_UI_PASSWORD or use "
            "127.0.0.1"
        )
    app = Path(__file__).resolve().parents[2] / "ui" / "app.py"
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", args.host, "--server.port", str(args.port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.maxUploadSize", str(settings.upload_megabytes),
        # The app writes nothing by "magic"; without it a run does not ast.parse the
        # script, which CPython 3.11 can fail with a SystemError while another thread
        # (a job) parses too (cpython#106905).
        "--runner.magicEnabled", "false",
    ]  # fmt: skip
    host = f"[{args.host}]" if ":" in args.host else args.host
    login = " (it asks for RAG_UI_PASSWORD)" if settings.ui_password else ""
    say(f"chat UI on http://{host}:{args.port}{login}", flush=True)
    sys.stderr.flush()
    os.execv(sys.executable, command)
    return 0  # not reached: the process is Streamlit now


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--top-k", type=int, default=None, help="passages to retrieve")
    add_filter_arguments(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="interactive chat that keeps the conversation")
    p.add_argument("--top-k", type=int, default=None, help="passages to retrieve")
    add_filter_arguments(p)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("timeline", help="the articles about a story, in date order")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=MAX_EVENTS, help="articles at most")
    p.add_argument("--json", action="store_true", help="print the timeline as JSON")
    add_filter_arguments(p)
    p.set_defaults(func=cmd_timeline)

    p = sub.add_parser("status", help="show what is indexed")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("ui", help="start the chat UI")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (another needs RAG_UI_PASSWORD)"
    )
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_ui)
