"""The MCP server: the articles as tools an agent can search and ask (official `mcp` SDK).

`rag mcp` serves it on stdio; `rag serve` mounts it as streamable HTTP at /mcp. A bad
argument is a tool error with a message the agent can act on, never a crash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from rag import Filters
from rag.api import Assistant
from rag.errors import QuestionError, RagError, UnknownArticleError
from rag.serve.protocol import passage_result

INSTRUCTIONS = (
    "Tools over a corpus of news articles (German and English). Use search_articles to find "
    "passages, ask for a cited answer, list_articles to see what the corpus holds and "
    "get_article to read one, watch to follow a question as news arrives and list_alerts "
    "to see what moved. Dates are ISO days (YYYY-MM-DD)."
)


class ArgumentError(ToolError):
    """What the agent did wrong, in words it can act on (a tool error, not a crash)."""


def _day(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentError(f"{name} must be a day as YYYY-MM-DD, not {value!r}") from exc


def _filters(
    since: str | None,
    until: str | None,
    outlets: list[str] | None,
    languages: list[str] | None = None,
) -> Filters:
    try:
        return Filters(
            _day(since, "since"), _day(until, "until"), list(outlets or []), list(languages or [])
        )
    except QuestionError as exc:  # e.g. `since` after `until`
        raise ArgumentError(str(exc)) from exc


def make_mcp(assistant: Assistant) -> MCPServer:
    server = MCPServer("article-rag", instructions=INSTRUCTIONS)

    async def run(fn: Any, *args: Any) -> Any:
        try:
            return await anyio.to_thread.run_sync(fn, *args)
        except UnknownArticleError as exc:
            raise ArgumentError(f"{exc}: list_articles shows the doc_ids") from exc
        except RagError as exc:  # our errors are the agent's to read
            raise ArgumentError(str(exc)) from exc

    @server.tool()
    async def search_articles(
        query: str,
        since: str | None = None,
        until: str | None = None,
        outlets: list[str] | None = None,
        languages: list[str] | None = None,
        top_k: int = 5,
    ) -> list[dict[str, Any]]:
        """Passages of the news articles that match `query`, best first: each with its
        article's title, date, outlet and url, its text, and its place in the article
        (start_char/end_char). Narrow by publication day (since/until, YYYY-MM-DD), outlet
        names or languages ("de", "en"). top_k: 1 to 100."""
        filters = _filters(since, until, outlets, languages)
        found = await run(lambda: assistant.search(query, top_k=top_k, filters=filters))
        return [passage_result(p) for p in found]

    @server.tool()
    async def ask(
        question: str,
        since: str | None = None,
        until: str | None = None,
        outlets: list[str] | None = None,
    ) -> dict[str, Any]:
        """A cited answer from the articles, in the language of the question: `answer`
        with [n] markers, `confidence` (high: the articles state it; low: the closest
        passages, maybe not the answer; none: the articles do not say), `citations` (n,
        doc_id, title, date, outlet, source url, the quoted sentence `quote`, the passage
        `text` and its start_char/end_char in the article) and the `filters` applied."""
        filters = _filters(since, until, outlets)
        answer = await run(lambda: assistant.ask(question, filters=filters))
        return answer.as_dict()  # the one form of an answer: as /v1/ask gives it

    @server.tool()
    async def list_articles(
        since: str | None = None, until: str | None = None, outlet: str | None = None
    ) -> list[dict[str, Any]]:
        """The indexed articles (doc_id, title, date, outlet, language, url), optionally
        only those published since/until a day (YYYY-MM-DD) or by one outlet."""
        first, last = _day(since, "since"), _day(until, "until")
        rows = await run(
            lambda: assistant.articles(since=first, until=last, outlets=[outlet] if outlet else [])
        )
        return [
            {"doc_id": a.doc_id, "title": a.title, "date": a.date, "outlet": a.outlet,
             "language": a.language, "url": a.source}
            for a in rows
        ]  # fmt: skip

    @server.tool()
    async def get_article(doc_id: str) -> dict[str, Any]:
        """One article by its doc_id (from list_articles or a search): its title, date,
        outlet, url and whole text."""
        text = await run(assistant.article_text, doc_id)  # UnknownArticleError: a tool error
        info = next((a for a in await run(assistant.articles) if a.doc_id == doc_id), None)
        if info is None:  # removed by a reindex a moment ago
            raise ArgumentError(
                f"no article {doc_id!r} is indexed: list_articles shows the doc_ids"
            )
        return {"doc_id": doc_id, "title": info.title, "date": info.date, "outlet": info.outlet,
                "url": info.source, "text": text}  # fmt: skip

    @server.tool()
    async def watch(
        question: str,
        since: str | None = None,
        outlets: list[str] | None = None,
        languages: list[str] | None = None,
    ) -> dict[str, Any]:
        """Keep watching a question for the user: after every update of the articles it
        is asked again over the new ones, and an alert is raised only when they bring
        new, confident evidence (a new or changed figure, a new development). Returns the
        watch's `id` and the cited `answer` as of now; list_alerts shows what arrives."""
        filters = _filters(since, None, outlets, languages)
        made, answer = await run(lambda: assistant.watch(question, filters))
        return {"id": made.id, "question": made.question, "filters": made.filters,
                "answer": answer.as_dict()}  # fmt: skip

    @server.tool()
    async def list_alerts(watch_id: str | None = None, unread: bool = False) -> dict[str, Any]:
        """The alerts of the user's watches, newest first (of one watch with watch_id;
        only unread ones with unread): for each, the watch's `question`, `summary` (one
        line of what is new), `new` (the new sentences), `changed` (figures that moved:
        before/after with their dates), `articles` (the doc_ids that triggered it) and
        the cited `answer`. Also lists the watches (id, question, unread count)."""
        alerts = await run(lambda: assistant.watches.alerts(watch_id, unread=unread))
        watches = await run(assistant.watches.all)
        return {"alerts": [a.as_dict() for a in alerts],
                "watches": [{"id": w.id, "question": w.question, "unread": w.unread}
                            for w in watches]}  # fmt: skip

    return server
