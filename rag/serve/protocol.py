"""The OpenAI chat-completions protocol around our answers (pure).

A chat client sends the whole conversation; the last user message is the question and the
earlier user and assistant messages its history. The answer goes back as the message's
content with its `[n]` markers, its citations as `url_citation` annotations (what Open
WebUI and the openai SDK read) and as a top-level `search_results` list (as Perplexity's
API has it).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from rag import Passage
from rag.answer.types import Answer, ChatMessage, Citation
from rag.text.byline import byline
from rag.text.urls import web_url

MODEL = "article-rag"

# Open WebUI's background tasks (titles, tags, follow-up suggestions, autocomplete) reach
# the same model with these prompts: answered from the conversation, without retrieval.
_TASK = re.compile(r"^\s*###\s*Task:", re.MULTILINE)


# A Markdown link or image (its target may hold one level of parentheses), or an HTML tag.
_MARKUP = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)|<[/!?]?[A-Za-z][^>]*>")
_MAX_NESTING = 8
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_URL_SAFE = "/:?#=&%@+,;~.-_!*'"


class ProtocolError(ValueError):
    """A chat request that names no question: HTTP 400."""


def text_of(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def conversation(messages: Sequence[Any]) -> tuple[str, list[ChatMessage]]:
    """The question (the last user message) and the user and assistant turns before it;
    system, tool and other messages are left out."""
    turns = [
        ChatMessage(m["role"], text_of(m.get("content")))
        for m in messages
        if isinstance(m, dict) and m.get("role") in ("user", "assistant")
    ]
    while turns and turns[-1].role != "user":
        turns.pop()
    if not turns or not turns[-1].content.strip():
        raise ProtocolError("the messages hold no user question")
    return turns[-1].content, turns[:-1]


def is_background_task(question: str) -> bool:
    """Whether the "question" is a chat client's own task prompt (a title, tags)."""
    return bool(_TASK.search(question))


def background_reply(question: str) -> str:
    """What a client's task prompt gets: valid, empty suggestions in the shape it asks
    for (JSON when it asks for JSON), so it keeps working without a model's opinion."""
    lowered = question.lower()
    if "follow_ups" in lowered or "follow-up" in lowered:
        return '{"follow_ups": []}'
    if '"tags"' in lowered or "tags" in lowered:
        return '{"tags": []}'
    if "title" in lowered:
        return '{"title": "Articles"}'
    return "{}"


def plain(text: str) -> str:
    """Article text for a field a client shows (a title, a snippet): Markdown links and
    images become their words and HTML tags go, nested ones too; what is left of their
    syntax is broken up ("](" loses its join, angle brackets become ‹ ›), so nothing
    renders as a link, an image or markup."""
    for _ in range(_MAX_NESTING):
        stripped = _MARKUP.sub(lambda m: m.group(1) or "", text)
        if stripped == text:
            break
        text = stripped
    return text.replace("](", "] (").replace("<", "‹").replace(">", "›")


def passage_result(p: Passage) -> dict[str, Any]:
    """A retrieved passage as the search routes and tools return it (its text as stored,
    for its offsets)."""
    return {
        "doc_id": p.doc_id, "title": plain(p.title), "url": web_url(p.source),
        "date": p.date or None, "outlet": plain(p.outlet), "language": p.language, "text": p.text,
        "start_char": p.start, "end_char": p.end, "score": round(float(p.score), 4),
    }  # fmt: skip


def search_result(c: Citation) -> dict[str, Any]:
    return {
        "title": plain(c.title),
        "url": web_url(c.source),
        "date": c.date,
        "outlet": plain(c.outlet),
        "snippet": plain(c.quote or c.text[:300]),
        "score": c.score,
        "doc_id": c.doc_id,
        "start_char": c.start_char,
        "end_char": c.end_char,
    }


def url_citations(content: str, citations: Sequence[Citation]) -> list[dict[str, Any]]:
    """One `url_citation` per citation, spanning its first `[n]` marker in `content`."""
    out = []
    for c in citations:
        marker = f"[{c.n}]"
        start = content.find(marker)
        out.append(
            {
                "type": "url_citation",
                "url_citation": {
                    "url": web_url(c.source) or _article_url(c),
                    "title": plain(c.title),
                    "start_index": max(start, 0),
                    "end_index": max(start, 0) + (len(marker) if start >= 0 else 0),
                },
            }
        )
    return out


def _article_url(c: Citation) -> str:
    """Where a citation of an article without a web address points: inert, our own."""
    return f"article-rag://{quote(c.doc_id)}#{c.start_char}-{c.end_char}"


def sources_markdown(citations: Sequence[Citation]) -> str:
    """A "Sources" list for clients that show only the text: titles as literal text, and
    a link only to an http(s) address."""
    if not citations:
        return ""
    lines = ["", "", "Sources:"]
    for c in citations:
        where = byline(c.outlet, c.date)
        url = web_url(c.source)
        link = f" <{quote(url, safe=_URL_SAFE)}>" if url else ""
        said = _literal(plain(c.title) + (f" ({where})" if where else ""))
        lines.append(f"[{c.n}] {said}{link}")
    return "\n".join(lines)


def _literal(text: str) -> str:
    """Markdown that reads as `text` itself: no emphasis, link, image or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def content_of(answer: Answer, with_sources: bool) -> str:
    return answer.text + (sources_markdown(answer.citations) if with_sources else "")


def extra_fields(answer: Answer) -> dict[str, Any]:
    """What an answer adds to the protocol's top level."""
    data = answer.as_dict()
    return {
        "search_results": [search_result(c) for c in answer.citations],
        "confidence": data["confidence"],
        "filters": data["filters"],
        **({"notice": answer.notice} if answer.notice else {}),
    }


def completion(answer: Answer, *, with_sources: bool = False) -> dict[str, Any]:
    """A whole `chat.completion` for an answer."""
    content = content_of(answer, with_sources)
    whole = plain_completion(content)
    whole["choices"][0]["message"]["annotations"] = url_citations(content, answer.citations)
    return whole | extra_fields(answer)


def plain_completion(text: str) -> dict[str, Any]:
    """A `chat.completion` of `text` alone (also what a client's background task gets)."""
    return {
        "id": _id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def chunk(
    stream_id: str,
    delta: dict[str, Any],
    finish: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One `chat.completion.chunk` of a stream."""
    return {
        "id": stream_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **(extra or {}),
    }


def _id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def new_stream_id() -> str:
    return _id()
