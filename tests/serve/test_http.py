"""The HTTP API with real clients: the openai SDK and httpx against uvicorn."""

from __future__ import annotations

import concurrent.futures
import json
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from pydantic import SecretStr

from rag.config import Settings
from tests.conftest import make_settings
from tests.openai_server import FakeOpenAI, Reply
from tests.serve.conftest import Serve, finished
from tests.web_server import WebServer

WINDSURF = "Why is Windsurf the flashpoint?"
SULEYMAN = "Wen hat Microsoft eingestellt, um seine KI-Abteilung zu leiten?"


def _with_model(serve: Serve, settings: Settings, server: FakeOpenAI, timeout: float) -> str:
    """The API answering with a model on the local OpenAI-protocol test server."""
    return serve(settings, llm_base_url=server.base_url, llm_model="tiny", llm_timeout=timeout,
                 llm_max_retries=0)  # fmt: skip


def _client(url: str, key: str = "none") -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0)


def test_chat_completion_carries_citations(seed_settings: Settings, serve: Serve) -> None:
    client = _client(serve(seed_settings))
    assert [m.id for m in client.models.list()] == ["article-rag"]
    reply = client.chat.completions.create(
        model="article-rag",
        messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": WINDSURF}],
        temperature=0.3,  # accepted, ignored
    )
    message = reply.choices[0].message
    assert "[1]" in (message.content or "")
    [note, *_] = message.annotations or []
    assert note.type == "url_citation"
    assert (message.content or "")[
        note.url_citation.start_index : note.url_citation.end_index
    ] == "[1]"
    results = (reply.model_extra or {})["search_results"]
    assert "Windsurf" in results[0]["snippet"] and results[0]["doc_id"].endswith(".md")
    assert {"title", "url", "date", "outlet", "snippet", "score", "doc_id", "start_char",
            "end_char"} <= set(results[0])  # fmt: skip
    assert (reply.model_extra or {})["confidence"] in ("high", "low")


def test_streamed_chat_ends_with_citations_and_done(seed_settings: Settings, serve: Serve) -> None:
    url = serve(seed_settings)
    stream = _client(url).chat.completions.create(
        model="article-rag", messages=[{"role": "user", "content": WINDSURF}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "[1]" in text and "Zündschnur" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    notes = (last.choices[0].delta.model_extra or {})["annotations"]
    assert (
        text[notes[0]["url_citation"]["start_index"] : notes[0]["url_citation"]["end_index"]]
        == "[1]"
    )
    assert (last.model_extra or {})["search_results"]
    body = {"messages": [{"role": "user", "content": WINDSURF}], "stream": True}
    raw = httpx.post(url + "/v1/chat/completions", json=body, timeout=60)
    assert raw.text.rstrip().endswith("data: [DONE]")


def test_history_filters_and_background_prompts(seed_settings: Settings, serve: Serve) -> None:
    url = serve(seed_settings)
    client = _client(url)
    follow = client.chat.completions.create(
        model="article-rag",
        messages=[
            {"role": "user", "content": WINDSURF},
            {"role": "assistant", "content": "Microsoft wants Windsurf's IP [1]."},
            {"role": "user", "content": "Warum?"},
        ],
    )
    assert "Windsurf" in (follow.choices[0].message.content or "")
    none = client.chat.completions.create(
        model="article-rag",
        messages=[{"role": "user", "content": WINDSURF}],
        extra_body={"filters": {"outlets": ["Nobody Times"]}},
    )
    assert "No articles" in (none.choices[0].message.content or "")
    assert (none.model_extra or {})["filters"]["outlets"] == ["Nobody Times"]
    title = client.chat.completions.create(
        model="article-rag",
        messages=[{"role": "user", "content": "### Task:\nGenerate a concise title... JSON"}],
    )
    assert json.loads(title.choices[0].message.content or "") == {"title": "Articles"}


def test_rest_ask_search_articles_status(seed_settings: Settings, serve: Serve) -> None:
    url = serve(seed_settings)
    asked = httpx.post(url + "/v1/ask", json={"question": SULEYMAN}, timeout=60).json()
    assert set(asked) >= {"answer", "mode", "citations", "filters", "confidence"}
    assert "Mustafa Suleyman" in asked["answer"] and asked["confidence"] == "high"
    found = httpx.post(url + "/v1/search", json={"query": "Mustafa Suleyman", "top_k": 2}).json()
    assert len(found["results"]) == 2 and "Suleyman" in found["results"][0]["text"]
    assert "answer" not in found
    listed = httpx.get(url + "/v1/articles").json()["articles"]
    assert [a["doc_id"] for a in listed] == ["openai-microsoft-windsurf.de.md"]
    assert httpx.get(url + "/v1/articles", params={"since": "2030-01-01"}).json() == {
        "articles": []
    }
    status = httpx.get(url + "/v1/status").json()
    assert status["articles"] == 1 and "extractive" in status["answers"]
    assert httpx.get(url + "/healthz").json() == {"status": "ok"}
    assert httpx.get(url + "/docs").status_code == 200


def test_a_key_guards_every_v1_route(seed_settings: Settings, serve: Serve) -> None:
    url = serve(seed_settings, api_key=SecretStr("s3cret-key"))
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-key"}):
        r = httpx.get(url + "/v1/models", headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert r.json()["error"]["code"] == "invalid_api_key"
    assert httpx.post(url + "/v1/ask", json={"question": "x"}).status_code == 401
    with pytest.raises(openai.AuthenticationError):
        _client(url, "wrong").models.list()
    assert [m.id for m in _client(url, "s3cret-key").models.list()] == ["article-rag"]
    assert httpx.get(url + "/healthz").status_code == 200  # for load balancers


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/ask", b"{not json", 422),
        ("/v1/ask", {"question": 42}, 422),
        ("/v1/ask", {"question": "   "}, 400),
        ("/v1/ask", {"question": "x" * 5000}, 400),
        ("/v1/ask", {"question": "ok?", "top_k": 0}, 400),
        ("/v1/search", {"query": "x", "top_k": 101}, 400),
        ("/v1/ask", {"question": "ok?", "unknown": 1}, 422),
        ("/v1/ask", {"question": "ok?", "filters": {"since": "yesterday"}}, 422),
        ("/v1/search", {"query": "x", "top_k": "many"}, 422),
        ("/v1/chat/completions", {"messages": []}, 422),
        ("/v1/chat/completions", {"messages": [{"role": "system", "content": "hi"}]}, 400),
        ("/v1/chat/completions", {"messages": "hello"}, 422),
        ("/v1/ask", {"question": "x" * 1_100_000}, 413),  # over the 1 MB body limit
    ],
)
def test_bad_requests_get_openai_shaped_errors(
    seed_settings: Settings, serve: Serve, path: str, body: Any, status: int
) -> None:
    url = serve(seed_settings)
    if isinstance(body, bytes):
        r = httpx.post(url + path, content=body, headers={"content-type": "application/json"})
    else:
        r = httpx.post(url + path, json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["message"] and error["type"] and error["code"]
    assert "Traceback" not in r.text


def test_unknown_article_and_missing_index(
    tmp_path: Path, seed_settings: Settings, serve: Serve
) -> None:
    url = serve(seed_settings)
    r = httpx.delete(url + "/v1/articles/nope.md")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    empty = serve(make_settings(tmp_path))
    r = httpx.post(empty + "/v1/ask", json={"question": WINDSURF}, timeout=30)
    assert r.status_code == 503 and "rag reindex" in r.json()["error"]["message"]


def test_fifty_concurrent_requests_are_all_answered(seed_settings: Settings, serve: Serve) -> None:
    url = serve(seed_settings)
    questions = [WINDSURF, SULEYMAN, "What is the capital of Australia?"] * 17

    def ask(question: str) -> dict[str, Any]:
        return httpx.post(url + "/v1/ask", json={"question": question}, timeout=120).json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(ask, questions[:50]))
    for question, answer in zip(questions, answers, strict=False):
        if question == SULEYMAN:
            assert "Mustafa Suleyman" in answer["answer"]
        elif question == WINDSURF:
            assert answer["citations"]
        else:
            assert answer["citations"] == [] and answer["confidence"] == "none"


def test_add_delete_and_a_question_during_a_reindex(
    tmp_path: Path, seed_settings: Settings, serve: Serve
) -> None:
    root = tmp_path / "copy"
    shutil.copytree(seed_settings.corpus_dir, root / "corpus")
    shutil.copytree(seed_settings.data_dir, root / "index")
    settings = make_settings(root).model_copy(
        update={"corpus_dir": root / "corpus", "data_dir": root / "index"}
    )
    url = serve(settings)
    article = b"---\ntitle: Rhein\nlanguage: de\n---\nDer Rhein ist 1233 Kilometer lang.\n"
    up = httpx.post(url + "/v1/articles/upload", files={"file": ("rhein.md", article)})
    assert finished(url, up)["result"]["filename"] == "rhein.md"
    started = httpx.post(url + "/v1/reindex")
    asked = httpx.post(url + "/v1/ask", json={"question": SULEYMAN}, timeout=120).json()
    assert "Mustafa Suleyman" in asked["answer"] and finished(url, started)["state"] == "done"
    gone = finished(url, httpx.delete(url + "/v1/articles/rhein.md"))
    assert gone["kind"] == "delete" and gone["result"]["deleted"] == "rhein.md"
    assert {j["kind"] for j in httpx.get(url + "/v1/jobs").json()["jobs"]} == {
        "upload", "reindex", "delete"
    }  # fmt: skip
    assert [a["doc_id"] for a in httpx.get(url + "/v1/articles").json()["articles"]] == [
        "openai-microsoft-windsurf.de.md"
    ]


def test_the_model_path_streams_real_tokens(
    seed_settings: Settings, serve: Serve, openai_server: FakeOpenAI
) -> None:
    def respond(request: dict[str, Any]) -> Reply:
        prompt = request["messages"][1]["content"]
        n = next(i for i in range(1, 9) if f"[{i}] Title" in prompt and "Suleyman" in
                 prompt.split(f"[{i}] Title", 1)[1].split("\n[", 1)[0])  # fmt: skip
        return Reply(f"Microsoft hired Mustafa Suleyman to lead an internal AI division [{n}].",
                     chunk_chars=4)  # fmt: skip

    openai_server.responder = respond
    url = _with_model(serve, seed_settings, openai_server, timeout=5.0)
    stream = _client(url).chat.completions.create(
        model="article-rag",
        messages=[{"role": "user", "content": "Who did Microsoft hire to lead its AI division?"}],
        stream=True,
    )
    chunks = list(stream)
    assert len(chunks) > 5, "the model's tokens pass through as they come"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "Mustafa Suleyman" in text and "[1]" in text
    assert (chunks[-1].model_extra or {})["search_results"][0]["snippet"].count("Suleyman")


def test_serve_refuses_a_public_address_without_a_key(seed_settings: Settings, cli: Any) -> None:
    result = cli(["serve", "--host", "0.0.0.0", "--port", "1"], seed_settings)
    assert result.returncode == 1
    assert "RAG_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_sources_markdown_for_text_only_clients(seed_settings: Settings, serve: Serve) -> None:
    url = serve(seed_settings, serve_sources_markdown=True)
    reply = _client(url).chat.completions.create(
        model="article-rag", messages=[{"role": "user", "content": SULEYMAN}]
    )
    assert "\n\nSources:\n[1] OpenAI und Microsoft" in (reply.choices[0].message.content or "")


def test_a_page_is_added_by_url(indexed: Settings, serve: Serve, web: WebServer) -> None:
    url = serve(indexed, fetch_allow_private=True, fetch_timeout=2.0)
    r = httpx.post(url + "/v1/articles", json={"url": web.url("de-bahn-streik.html")})
    job = finished(url, r)
    assert job["state"] == "done" and len(job["result"]["added"]) == 1, job
    assert len(httpx.get(url + "/v1/articles").json()["articles"]) == 2
    bad = finished(url, httpx.post(url + "/v1/articles", json={"url": web.url("missing.html")}))
    assert bad["state"] == "failed" and "not added" in bad["error"]
    assert httpx.get(url + "/v1/jobs/nope").status_code == 404


def test_a_slow_streamed_answer_does_not_hold_up_others(
    seed_settings: Settings, serve: Serve, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda _r: Reply("Windsurf matters [1].", delay=5.0)
    url = _with_model(serve, seed_settings, openai_server, timeout=10.0)
    body = {"messages": [{"role": "user", "content": WINDSURF}], "stream": True}
    slow = threading.Thread(
        target=lambda: httpx.post(url + "/v1/chat/completions", json=body, timeout=60)
    )
    slow.start()
    while not openai_server.chat_requests():  # the slow answer is waiting for its model
        time.sleep(0.05)
    r = httpx.post(url + "/v1/search", json={"query": "Suleyman", "top_k": 1}, timeout=60)
    assert r.status_code == 200
    assert slow.is_alive(), "answered while the slow stream was still waiting"
    slow.join()


def test_a_stream_whose_model_fails_midway_ends_with_the_cited_fallback(
    seed_settings: Settings, serve: Serve, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda _r: Reply("Windsurf is the flashpoint of it all", drop_after=2)
    url = _with_model(serve, seed_settings, openai_server, timeout=5.0)
    chunks = list(_client(url).chat.completions.create(
        model="article-rag", messages=[{"role": "user", "content": WINDSURF}], stream=True
    ))  # fmt: skip
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    notice = (chunks[-1].model_extra or {})["notice"]
    assert "failed" in notice
    assert "Zündschnur" in text.split("\n\n", 1)[1], "the fallback follows what was streamed"
    notes = (chunks[-1].choices[0].delta.model_extra or {})["annotations"]
    for note in notes:  # they point into the text as the client has it
        span = text[note["url_citation"]["start_index"] : note["url_citation"]["end_index"]]
        assert span.startswith("[") and span.endswith("]")


def test_conversations_are_kept_across_a_restart(indexed: Settings, serve: Serve) -> None:
    url = serve(indexed)
    made = httpx.post(url + "/v1/conversations", json={})
    assert made.status_code == 201 and made.json()["messages"] == []
    cid = made.json()["id"]
    first = httpx.post(f"{url}/v1/conversations/{cid}/messages",
                       json={"question": "Who did Microsoft hire?"}, timeout=120)  # fmt: skip
    assert first.status_code == 200 and "Suleyman" in first.json()["answer"]
    follow = httpx.post(f"{url}/v1/conversations/{cid}/messages",
                        json={"question": "Which division will he lead?",
                              "filters": {"languages": ["de"]}}, timeout=120)  # fmt: skip
    assert follow.status_code == 200 and follow.json()["citations"], "the history resolves 'he'"
    rated = httpx.post(f"{url}/v1/conversations/{cid}/messages/{first.json()['message']}/feedback",
                       json={"rating": "up", "note": "genau"})  # fmt: skip
    assert rated.json()["feedback"] == {"rating": "up", "note": "genau"}
    renamed = httpx.patch(f"{url}/v1/conversations/{cid}", json={"title": "Suleyman"})
    assert renamed.json()["title"] == "Suleyman"

    again = serve(indexed)  # another server process over the same data folder
    listed = httpx.get(again + "/v1/conversations").json()["conversations"]
    assert [(c["id"], c["title"], c["message_count"]) for c in listed] == [(cid, "Suleyman", 4)]
    assert httpx.get(again + "/v1/conversations", params={"q": "division"}).json()[
        "conversations"
    ], "searched in the messages"
    full = httpx.get(f"{again}/v1/conversations/{cid}").json()
    assert [m["role"] for m in full["messages"]] == ["user", "assistant"] * 2
    answer = full["messages"][1]["answer"]
    assert answer["answer"] == first.json()["answer"]
    assert {c["source_state"] for c in answer["citations"]} == {"current"}
    assert full["filters"]["languages"] == ["de"]
    assert httpx.delete(f"{again}/v1/conversations/{cid}").json() == {"deleted": cid}
    gone = httpx.get(f"{again}/v1/conversations/{cid}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    bad = httpx.post(f"{again}/v1/conversations/{cid}/messages", json={"question": "Und?"})
    assert bad.status_code == 404


def test_the_server_updates_its_feeds_on_its_own(
    newsroom: Settings, serve: Serve, web: WebServer, assistant_for: Any
) -> None:
    """With RAG_FEEDS_EVERY_MINUTES set, a feed that gains an entry is read without any
    request (a short interval: the schedule looks every 1.2 s here)."""
    from tests.web_server import FEEDS, Response

    full = (FEEDS / "lakeside.atom").read_bytes().replace(b"{BASE}", web.base.encode())
    head, _, rest = full.partition(b"<entry>")
    first_entry = b"<entry>" + rest.split(b"</entry>", 1)[0] + b"</entry>"
    one = head + first_entry + b"\n</feed>\n"
    atom = "application/atom+xml"
    web.extra["/live.atom"] = Response(body=one, content_type=atom)
    assert assistant_for(newsroom).add_feed(web.url("live.atom"))
    url = serve(newsroom, feeds_every_minutes=0.02)

    def titles() -> set[str]:
        return {a["title"] for a in httpx.get(url + "/v1/articles").json()["articles"]}

    deadline = time.monotonic() + 300
    while "Harbour reopens after six weeks of dredging" not in titles():
        assert time.monotonic() < deadline, "the first update did not come"
        time.sleep(0.5)
    [feed] = httpx.get(url + "/v1/feeds").json()["feeds"]
    assert feed["result"] == "1 new entry" and feed["next"] and feed["error"] == ""
    web.extra["/live.atom"] = Response(body=full, content_type=atom)  # the feed gains one
    while "Ferry operator orders two electric boats" not in titles():
        assert time.monotonic() < deadline, "the new entry was not taken"
        time.sleep(0.5)
    kinds = {j["kind"] for j in httpx.get(url + "/v1/jobs").json()["jobs"]}
    assert kinds == {"feeds"}, "only the schedule wrote"


def test_feeds_are_added_checked_and_removed_over_http(
    newsroom: Settings, serve: Serve, web: WebServer
) -> None:
    url = serve(newsroom)
    bad = httpx.post(url + "/v1/feeds", json={"url": web.url("de-bahn-streik.html")}, timeout=60)
    assert bad.status_code == 400 and "not a feed" in bad.json()["error"]["message"]
    good = httpx.post(url + "/v1/feeds", json={"url": web.url("feeds/lindau.rss")}, timeout=60)
    assert good.status_code == 201 and good.json()["added"] is True
    job = finished(url, httpx.post(url + "/v1/feeds/update"))
    assert job["state"] == "done" and job["result"]["new"] == 3
    [feed] = httpx.get(url + "/v1/feeds").json()["feeds"]
    assert feed["entries"] == 3 and feed["result"] == "3 new entries"
    gone = httpx.delete(url + "/v1/feeds", params={"url": web.url("feeds/lindau.rss")})
    assert gone.status_code == 200 and httpx.get(url + "/v1/feeds").json()["feeds"] == []
