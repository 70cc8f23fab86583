"""The HTTP API under attack, with real clients against uvicorn on 127.0.0.1: local files,
bodies that stream past their limit, foreign hosts and origins, hostile pages and links,
and writes that race a reindex. Each test failed before the fix it guards."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from filelock import FileLock
from pydantic import SecretStr

from rag.config import Settings
from tests.conftest import Cli
from tests.openai_server import FakeOpenAI, Reply
from tests.serve.conftest import Serve, finished
from tests.web_server import SlowHeaders

WINDSURF = "Why is Windsurf the flashpoint?"


def _raw(url: str, head: str, chunks: list[bytes], *, wait: float = 20.0) -> bytes:
    """Send a request by hand, its body in chunked encoding, and read what comes back
    (stopping early when the server answers or hangs up)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(head.encode() + b"Transfer-Encoding: chunked\r\n\r\n")
        try:
            for chunk in chunks:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except OSError:
            pass  # the server stopped reading: what it said is read below
        received = b""
        try:
            while not received.endswith(b"}") and (part := sock.recv(65536)):
                received += part
        except (TimeoutError, ConnectionResetError):
            pass
        return received


def test_local_files_never_enter_over_http(indexed: Settings, serve: Serve, tmp_path: Path) -> None:
    """POST /v1/articles takes links only: a path, existing or not, gets the same words."""
    secret = tmp_path / "secret-notes.md"
    secret.write_text("# Notizen\n\nDas Passwort des Servers lautet Kormoran-17. " * 8, "utf-8")
    url = serve(indexed)
    answers = [
        httpx.post(url + "/v1/articles", json={"url": path}, timeout=60)
        for path in (str(secret), str(tmp_path / "missing.md"), "~/notes.md", f"file://{secret}")
    ]
    assert {r.status_code for r in answers} == {400}
    messages = {r.json()["error"]["message"] for r in answers[:3]}
    assert len(messages) == 1, "whether a file exists is not told"
    assert "only http(s) links" in messages.pop()
    assert not any("Kormoran" in p.read_text("utf-8") for p in indexed.corpus_dir.rglob("*.md"))


def test_the_key_is_checked_before_any_body_is_read(seed_settings: Settings, serve: Serve) -> None:
    url = serve(seed_settings, api_key=SecretStr("s3cret-key"))
    head = "POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    # headers only, and a body that never comes: the answer must not wait for it
    answer = _raw(url, head, [], wait=10.0)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def test_a_chunked_body_is_counted_as_it_streams(seed_settings: Settings, serve: Serve) -> None:
    """A body without Content-Length is refused at the limit, not read to its end."""
    url = serve(seed_settings, api_key=SecretStr("s3cret-key"))
    head = (
        "POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Authorization: Bearer s3cret-key\r\n"
    )
    chunks = [b'{"question": "'] + [b"x" * 65536] * 24  # 1.5 MB, then it stalls unfinished
    answer = _raw(url, head, chunks)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"body_too_large" in answer


def test_uploads_have_the_articles_own_limit(indexed: Settings, serve: Serve) -> None:
    """An upload may be as large as an article the reindex takes in (not the 1 MB of a JSON
    request); beyond it, 413 before it is read."""
    url = serve(indexed, max_article_bytes=1_500_000)
    nav = b"<html><body>" + b"<div><a href='/x'>Men\xc3\xbc</a></div>" * 34_000 + b"</body></html>"
    assert 1_100_000 < len(nav) < 1_500_000
    r = httpx.post(url + "/v1/articles/upload", files={"file": ("big.html", nav)}, timeout=120)
    assert r.status_code == 400 and "no article text" in r.json()["error"]["message"]
    huge = ("big.md", b"# Big\n\n" + b"Wort " * 400_000)
    r = httpx.post(url + "/v1/articles/upload", files={"file": huge}, timeout=60)
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    just_over = ("big.md", b"# Big\n\n" + b"x" * 1_499_994)  # one byte over, framing aside
    r = httpx.post(url + "/v1/articles/upload", files={"file": just_over}, timeout=60)
    assert r.status_code == 413, r.text


def test_only_this_servers_own_names_are_answered(seed_settings: Settings, serve: Serve) -> None:
    """DNS rebinding: a page whose name now resolves to 127.0.0.1 still says its own name."""
    url = serve(seed_settings)
    for path in ("/v1/status", "/healthz", "/v1/articles"):
        r = httpx.get(url + path, headers={"Host": "attacker.example"})
        assert r.status_code == 421, path
    for odd in ("[::1]evil", "127.0.0.1 evil", "localhost:80:80", ""):
        assert httpx.get(url + "/v1/status", headers={"Host": odd}).status_code == 421, odd
    port = url.rsplit(":", 1)[1]
    assert httpx.get(url + "/v1/status", headers={"Host": f"localhost:{port}"}).status_code == 200
    named = serve(seed_settings, serve_allowed_hosts=["rag.example.org"])
    r = httpx.get(named + "/v1/status", headers={"Host": "rag.example.org"})
    assert r.status_code == 200


def test_pages_of_other_sites_cannot_write(indexed: Settings, serve: Serve) -> None:
    """Without a key, a cross-site form post or body-less POST from a web page is refused
    (it needs no preflight); the server's own origin and allowed ones may write."""
    url = serve(indexed)
    evil = {"Origin": "https://evil.example"}
    r = httpx.post(url + "/v1/reindex", headers=evil, timeout=60)
    assert r.status_code == 403 and r.json()["error"]["code"] == "cross_origin"
    note = ("note.md", b"---\ntitle: Hack\n---\nDieser Text kam von einer fremden Seite. " * 5)
    r = httpx.post(url + "/v1/articles/upload", files={"file": note}, headers=evil, timeout=60)
    assert r.status_code == 403 and not (indexed.corpus_dir / "note.md").exists()
    for sneaky in ("cross-site", "CROSS-SITE", "same-site"):
        r = httpx.post(url + "/v1/reindex", headers={"Sec-Fetch-Site": sneaky}, timeout=60)
        assert r.status_code == 403, sneaky
    own = {"Origin": url}
    assert finished(url, httpx.post(url + "/v1/reindex", headers=own))["state"] == "done"
    assert httpx.get(url + "/v1/status", headers=evil).status_code == 200, "reads stay open"
    trusted = serve(indexed, serve_allowed_origins=["https://webui.example.org"])
    r = httpx.post(trusted + "/v1/reindex", headers={"Origin": "https://webui.example.org"})
    assert finished(trusted, r)["state"] == "done"


def test_a_page_that_never_finishes_its_headers_holds_nothing(
    newsroom: Settings, serve: Serve, slow_headers: SlowHeaders
) -> None:
    """Adds are jobs: a crowd of them for a page that never answers is queued up to a limit
    (then 429), each fails within the fetch timeout, and the server answers meanwhile."""
    url = serve(newsroom, fetch_timeout=1.0)
    sent = [httpx.post(url + "/v1/articles", json={"url": slow_headers.url}, timeout=30)
            for _ in range(12)]  # fmt: skip
    codes = [r.status_code for r in sent]
    assert set(codes) == {202, 429} and codes.count(202) >= 4
    assert all("try again" in r.json()["error"]["message"] for r in sent if r.status_code == 429)
    assert httpx.get(url + "/healthz", timeout=30).status_code == 200
    assert httpx.post(url + "/v1/search", json={"query": "Werft"}, timeout=30).status_code == 200
    jobs = [finished(url, r) for r in sent if r.status_code == 202]
    assert all(j["state"] == "failed" and "within 1 s" in j["error"] for j in jobs), jobs[0]


@pytest.mark.parametrize(
    "link", ["http://[::1", "http://news.example:99999/a", "http://" + "a" * 300 + ".example/"]
)
def test_malformed_links_are_bad_requests(newsroom: Settings, serve: Serve, link: str) -> None:
    r = httpx.post(serve(newsroom) + "/v1/articles", json={"url": link}, timeout=30)
    assert r.status_code == 400, r.text
    assert "not a valid" in r.json()["error"]["message"]


def test_articles_in_subfolders_can_be_deleted(
    indexed: Settings, serve: Serve, assistant_for: Any
) -> None:
    folder = indexed.corpus_dir / "zeit.de"
    folder.mkdir()
    (folder / "2025-06-03-werft.md").write_text(
        "---\ntitle: Werft\ndate: 2025-06-03\n---\n" + "Die Werft baut Stellen ab. " * 20, "utf-8"
    )
    assistant_for(indexed).reindex()
    url = serve(indexed)
    r = httpx.delete(url + "/v1/articles/zeit.de/2025-06-03-werft.md")
    assert finished(url, r)["result"]["deleted"] == "zeit.de/2025-06-03-werft.md"
    assert not (folder / "2025-06-03-werft.md").exists()
    assert httpx.delete(url + "/v1/articles/zeit.de/../../etc/passwd").status_code == 404


def test_only_web_links_and_plain_titles_leave_the_chat_endpoint(
    indexed: Settings, serve: Serve, assistant_for: Any
) -> None:
    (indexed.corpus_dir / "hostile.md").write_text(
        "---\ntitle: 'Windsurf ![x](https://tracker.example/p.png) <b>Flammpunkt</b>'\n"
        "source: javascript:alert(document.cookie)\n---\n"
        + "Windsurf ist der Flammpunkt im Streit zwischen OpenAI und Microsoft. "
        * 6,
        "utf-8",
    )
    assistant_for(indexed).reindex()
    url = serve(indexed, serve_sources_markdown=True)
    reply = openai.OpenAI(base_url=url + "/v1", api_key="none", max_retries=0)
    completion = reply.chat.completions.create(
        model="article-rag", messages=[{"role": "user", "content": WINDSURF}]
    )
    message = completion.choices[0].message
    urls = [a.url_citation.url for a in message.annotations or []]
    results = (completion.model_extra or {})["search_results"]
    urls += [r["url"] for r in results]
    assert urls and not any(u.lower().startswith("javascript:") for u in urls)
    titles = [a.url_citation.title for a in message.annotations or []] + [
        r["title"] for r in results
    ]
    assert any("Flammpunkt" in t for t in titles), "the hostile article was cited"
    assert not any("![" in t or "<b>" in t for t in titles)
    content = message.content or ""
    sources = content.split("Sources:", 1)[1]
    assert "javascript:" not in sources and "![" not in sources and "<b>" not in sources
    found = httpx.post(url + "/v1/search", json={"query": "Flammpunkt"}, timeout=60).json()
    assert not any(r["url"].startswith("javascript:") for r in found["results"])


def test_writes_during_a_reindex_change_nothing(indexed: Settings, serve: Serve) -> None:
    """The index's lock is taken before the corpus is touched: 409, and all stays."""
    url = serve(indexed)
    seed = next(indexed.corpus_dir.glob("*.md")).name
    with FileLock(str(indexed.data_dir / "reindex.lock")):  # another process reindexes
        r = httpx.delete(f"{url}/v1/articles/{seed}", timeout=30)
        assert r.status_code == 409 and (indexed.corpus_dir / seed).exists()
        note = ("notiz.md", b"# Notiz\n\n" + b"Die Werft meldet neue Auftraege. " * 10)
        r = httpx.post(url + "/v1/articles/upload", files={"file": note}, timeout=30)
        assert r.status_code == 409 and not (indexed.corpus_dir / "notiz.md").exists()
    assert finished(url, httpx.delete(f"{url}/v1/articles/{seed}"))["state"] == "done"


def test_an_upload_named_like_the_feed_list_is_refused(indexed: Settings, serve: Serve) -> None:
    url = serve(indexed)
    for name in ("feeds.txt", "FEEDS.TXT"):
        upload = (name, b"https://evil.example/feed.xml\n" * 3)
        r = httpx.post(url + "/v1/articles/upload", files={"file": upload}, timeout=30)
        assert r.status_code == 400 and "keeps for itself" in r.json()["error"]["message"]
    assert not (indexed.corpus_dir / "feeds.txt").exists()


def test_streamed_answers_wait_for_a_free_slot_like_the_others(
    seed_settings: Settings, serve: Serve, openai_server: FakeOpenAI
) -> None:
    """With one answer at a time, a search waits while a streamed answer works on its next
    piece (here: the model's first words, 3 s away)."""
    openai_server.responder = lambda _r: Reply("Windsurf matters [1].", delay=3.0)
    url = serve(
        seed_settings,
        llm_base_url=openai_server.base_url,
        llm_model="tiny",
        llm_timeout=10.0,
        llm_max_retries=0,
        answer_slots=1,
    )
    body = {"messages": [{"role": "user", "content": WINDSURF}], "stream": True}
    first_words: list[float] = []

    def slow() -> None:
        with httpx.stream("POST", url + "/v1/chat/completions", json=body, timeout=60) as r:
            for line in r.iter_lines():
                if '"content": "W' in line and not first_words:
                    first_words.append(time.monotonic())

    streaming = threading.Thread(target=slow)
    streaming.start()
    while not openai_server.chat_requests():
        time.sleep(0.05)
    r = httpx.post(url + "/v1/search", json={"query": "Suleyman", "top_k": 1}, timeout=60)
    searched = time.monotonic()
    streaming.join()
    assert r.status_code == 200 and first_words and searched >= first_words[0]


def test_an_abandoned_stream_holds_no_slot(seed_settings: Settings, serve: Serve) -> None:
    """Clients that ask for a streamed answer and hang up leave every slot free."""
    url = serve(seed_settings, answer_slots=1)
    body = json.dumps({"messages": [{"role": "user", "content": WINDSURF}], "stream": True})
    host, port = url.removeprefix("http://").split(":")
    for _ in range(3):
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(
                f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                f"{body}".encode()
            )
            sock.recv(64)  # the answer has begun; then the client is gone
    r = httpx.post(url + "/v1/search", json={"query": "Suleyman", "top_k": 1}, timeout=20)
    assert r.status_code == 200


def test_the_cli_may_still_add_a_local_file(indexed: Settings, cli: Cli, tmp_path: Path) -> None:
    """The machine's own user, at the command line, adds files as before."""
    note = tmp_path / "werft.md"
    note.write_text("---\ntitle: Werft\n---\n" + "Die Bodan-Werft baut 40 Stellen ab. " * 10)
    ran = cli(["add", str(note)], indexed)
    assert ran.returncode == 0 and "added werft.md" in ran.stdout


def test_titles_are_plain_however_their_markup_nests() -> None:
    from rag.serve.protocol import plain

    for title in (
        "[![t](http://a.invalid/x)](http://t.invalid/p.png) Werft [[x](y)](javascript:a(1))",
        "![a](https://evil.invalid/x((y)).png) Werft",
        "<img src=x onerror=alert(1)> Werft <b>neu</b>",
    ):
        shown = plain(title)
        assert "](" not in shown and "<" not in shown and "Werft" in shown, shown
    assert plain("Werft: 3 < 4 (neu) [1]") == "Werft: 3 ‹ 4 (neu) [1]"


def test_an_empty_key_or_password_is_no_key(settings: Settings, cli: Cli) -> None:
    """`RAG_API_KEY=` or `RAG_UI_PASSWORD=` must not count as set and open the server."""
    served = cli(["serve", "--host", "0.0.0.0", "--port", "8598"], settings, RAG_API_KEY="")
    assert served.returncode == 1 and "without RAG_API_KEY" in served.stderr
    ui = cli(["ui", "--host", "0.0.0.0", "--port", "8599"], settings, RAG_UI_PASSWORD="  ")
    assert ui.returncode == 1 and "RAG_UI_PASSWORD" in ui.stderr


def test_only_the_alert_feeds_go_without_the_key() -> None:
    """The feeds check their own token; nothing else under /v1 passes for ending in .atom."""
    from starlette.datastructures import Headers

    from rag.serve.gate import Door

    door = Door(key="k3y", hosts=None, origins=[], body_limit=1000, upload_limit=1000)
    plain = Headers({"host": "127.0.0.1"})
    assert door.refusal("GET", "/v1/alerts.atom", plain) is None
    assert door.refusal("GET", "/v1/watches/AbC-9_x/feed.atom", plain) is None
    for method, path in (("GET", "/v1/jobs/x.atom"), ("GET", "/v1/conversations/a.atom"),
                         ("GET", "/v1/watches/a/b/feed.atom"), ("POST", "/v1/alerts.atom"),
                         ("GET", "/v1/watches")):  # fmt: skip
        refused = door.refusal(method, path, plain)
        assert refused is not None and refused[0] == 401, (method, path)
