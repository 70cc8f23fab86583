"""The MCP server with the SDK's own clients: in memory, over stdio and over HTTP."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr

from rag import Assistant
from rag.config import Settings
from rag.serve.mcp_tools import make_mcp
from tests.serve.conftest import Serve

pytestmark = pytest.mark.anyio
TOOLS = {"search_articles", "ask", "list_articles", "get_article", "watch", "list_alerts"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _data(result: Any) -> Any:
    """A tool result's structured content (our tools return JSON objects and lists)."""
    assert not result.is_error, result.content
    if result.structured_content is not None:
        value = result.structured_content
        return value.get("result", value) if isinstance(value, dict) else value
    return json.loads(result.content[0].text)


async def test_tools_over_the_seed_article(seed_settings: Settings, embed_model: Any) -> None:
    server = make_mcp(Assistant(seed_settings, embed_model=embed_model))
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
        assert {t.name for t in tools} == TOOLS
        assert all(t.description and len(t.description) > 60 for t in tools)
        found = _data(await client.call_tool("search_articles", {"query": "Mustafa Suleyman",
                                                                   "top_k": 2}))  # fmt: skip
        assert len(found) == 2 and "Suleyman" in found[0]["text"]
        assert {"title", "date", "outlet", "url", "text", "start_char", "end_char"} <= set(found[0])
        question = "Wen hat Microsoft eingestellt, um seine KI-Abteilung zu leiten?"
        answer = _data(await client.call_tool("ask", {"question": question}))
        assert "Mustafa Suleyman" in answer["answer"] and answer["confidence"] == "high"
        assert answer["citations"][0]["quote"]
        listed = _data(await client.call_tool("list_articles", {}))
        assert [a["doc_id"] for a in listed] == ["openai-microsoft-windsurf.de.md"]
        article = _data(await client.call_tool("get_article", {"doc_id": listed[0]["doc_id"]}))
        assert "heißt Windsurf" in article["text"]
        c = answer["citations"][0]
        assert article["text"][c["start_char"] : c["end_char"]].count(c["quote"]) == 1


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("search_articles", {"query": "x", "since": "last week"}, "YYYY-MM-DD"),
        ("search_articles", {"query": "x", "top_k": 500}, "top_k"),
        ("get_article", {"doc_id": "nope.md"}, "list_articles"),
        ("ask", {"question": "   "}, "question"),
        ("ask", {}, "question"),
        (
            "search_articles",
            {"query": "x", "since": "2025-06-10", "until": "2025-06-01"},
            "is after its last",
        ),
        (
            "ask",
            {"question": "Windsurf?", "since": "2025-06-10", "until": "2025-06-01"},
            "is after its last",
        ),
    ],
)
async def test_bad_arguments_are_tool_errors(
    seed_settings: Settings, embed_model: Any, tool: str, arguments: dict[str, Any], says: str
) -> None:
    server = make_mcp(Assistant(seed_settings, embed_model=embed_model))
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
        assert result.is_error
        assert says in result.content[0].text
        assert len(_data(await client.call_tool("list_articles", {}))) == 1, "still serving"


async def test_rag_mcp_over_stdio(seed_settings: Settings) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
           "RAG_DATA_DIR": str(seed_settings.data_dir),
           "RAG_CORPUS_DIR": str(seed_settings.corpus_dir)}  # fmt: skip
    params = StdioServerParameters(command=sys.executable, args=["-m", "rag.cli", "mcp"], env=env,
                                   cwd=str(seed_settings.data_dir.parent))  # fmt: skip
    with anyio.fail_after(120):
        async with Client(params) as client:
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            found = _data(await client.call_tool("search_articles", {"query": "Windsurf"}))
            assert found and "Windsurf" in found[0]["text"]


async def test_streamable_http_at_mcp_behind_the_key(seed_settings: Settings, serve: Serve) -> None:
    url = serve(seed_settings, api_key=SecretStr("k3y"))
    r = httpx.post(url + "/mcp/", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert r.status_code == 401
    headers = {"Authorization": "Bearer k3y"}
    async with httpx.AsyncClient(headers=headers, timeout=60) as http:
        transport = streamable_http_client(url + "/mcp/", http_client=http)
        async with Client(transport) as client:
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            found = _data(await client.call_tool("search_articles", {"query": "Suleyman"}))
            assert "Suleyman" in found[0]["text"]


async def test_mcp_over_http_keeps_to_its_host_and_origin(
    seed_settings: Settings, serve: Serve
) -> None:
    """The gate's one list of hosts and origins holds for /mcp as for /v1."""
    url = serve(seed_settings)
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    accept = {"Accept": "application/json, text/event-stream"}
    r = httpx.post(url + "/mcp/", json=ping, headers={**accept, "Host": "attacker.example"})
    assert r.status_code == 421
    r = httpx.post(url + "/mcp/", json=ping, headers={**accept, "Origin": "https://evil.example"})
    assert r.status_code == 403
