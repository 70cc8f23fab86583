"""`rag add` end to end: pages fetched from a real local server into the corpus and the
index, with their dates and outlets in the citations."""

from __future__ import annotations

import json
from typing import Any

from rag import Assistant
from rag.config import Settings
from tests.conftest import Cli
from tests.web_server import PAGES, Response, WebServer

FETCH = {"RAG_FETCH_ALLOW_PRIVATE": "true", "RAG_FETCH_TIMEOUT": "2"}


def _add(cli: Cli, settings: Settings, *sources: str) -> tuple[int, dict[str, Any]]:
    result = cli(["add", *sources, "--json"], settings, **FETCH)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def test_add_a_url_then_ask_about_it(cli: Cli, indexed: Settings, web: WebServer) -> None:
    code, report = _add(cli, indexed, web.url("de-bahn-streik.html"))
    assert code == 0 and report["skipped"] == []
    (entry,) = report["added"]
    path = (
        "lindauer-tagblatt.example/2025-03-04-bahnstreik-legt-regionalverkehr-am-bodensee-lahm.md"
    )
    assert entry == {
        "input": web.url("de-bahn-streik.html"),
        "path": path,
        "doc_id": path,
        "title": "Bahnstreik legt Regionalverkehr am Bodensee lahm",
        "date": "2025-03-04",
        "outlet": "Lindauer Tagblatt",
        "source": "https://www.lindauer-tagblatt.example/region/bahnstreik-bodensee-regionalverkehr-12345.html",
    }  # fmt: skip
    assert report["reindex"]["added"] == 1 and report["reindex"]["unchanged"] == 1
    saved = (indexed.corpus_dir / entry["path"]).read_text(encoding="utf-8")
    assert "fetched: " in saved and "author: Katrin Moser" in saved
    assert "Wir verwenden Cookies" not in saved and "Seehase74" not in saved

    asked = cli(["ask", "Wer hat den Bahnstreik am Bodensee ausgerufen?", "--json"], indexed)
    cited = json.loads(asked.stdout)["citations"]
    assert cited and cited[0]["date"] == "2025-03-04" and cited[0]["outlet"] == "Lindauer Tagblatt"
    plain = cli(["ask", "Wer hat den Bahnstreik am Bodensee ausgerufen?"], indexed)
    assert "— Lindauer Tagblatt, 2025-03-04 (" in plain.stdout
    windsurf = cli(["ask", "Why is Windsurf the flashpoint?", "--json"], indexed)
    assert "heißt Windsurf" in json.loads(windsurf.stdout)["citations"][0]["text"]


def test_the_same_article_again_is_never_a_second_copy(
    cli: Cli, indexed: Settings, web: WebServer
) -> None:
    url = web.url("en-harbour-og.html")
    _add(cli, indexed, url)
    code, again = _add(cli, indexed, url)
    assert code == 0 and [e["title"] for e in again["unchanged"]] == [
        "Harbour reopens after six weeks of dredging"
    ]
    assert again["reindex"]["added"] == again["reindex"]["updated"] == 0, "nothing re-embedded"
    html = (PAGES / "en-harbour-og.html").read_text("utf-8")
    web.extra["/en-harbour-og.html"] = Response(
        body=html.replace("six crossings a day", "eight crossings a day").encode()
    )
    _code, changed = _add(cli, indexed, url)
    assert [e["path"] for e in changed["updated"]] == [again["unchanged"][0]["path"]]
    assert changed["reindex"]["updated"] == 1
    files = list(indexed.corpus_dir.rglob("*harbour*"))
    assert len(files) == 1 and "eight crossings" in files[0].read_text()


def test_bad_sources_are_skipped_with_one_line_and_the_good_ones_added(
    cli: Cli, indexed: Settings, web: WebServer
) -> None:
    before = sorted(p.name for p in indexed.corpus_dir.rglob("*") if p.is_file())
    bad = {
        "missing.html": "HTTP 404",
        "broken.html": "HTTP 500",
        "slow.html": "no answer within 2 s",
        "huge.html": "larger than",
        "bomb.html": "larger than",
        "report.pdf": "not an HTML page",
        "loop-a.html": "redirect loop",
        "paywall.html": "no article text",
    }
    web.slow_seconds = 3.0
    code, report = _add(cli, indexed, *(web.url(p) for p in bad), web.url("de-time-only.html"))
    assert code == 1, "an input was skipped"
    reasons = {r["input"].rsplit("/", 1)[1]: r["reason"] for r in report["skipped"]}
    assert reasons.keys() == bad.keys()
    for name, reason in bad.items():
        assert reason in reasons[name] and "\n" not in reasons[name], name
    assert [e["outlet"] for e in report["added"]] == ["Westallgäuer Anzeiger"]
    after = sorted(p.name for p in indexed.corpus_dir.rglob("*") if p.is_file())
    assert len(after) == len(before) + 1, "nothing else was written"


def test_files_are_copied_in_and_pages_become_markdown(
    cli: Cli, indexed: Settings, tmp_path: Any
) -> None:
    note = tmp_path / "Notiz zum Hafen.md"
    note.write_text("---\ntitle: Notiz\ndate: 2025-05-20\n---\nDer Hafen ist wieder offen.\n")
    page = tmp_path / "saved.html"
    page.write_bytes((PAGES / "en-council-byline.html").read_bytes())
    code, report = _add(cli, indexed, str(note), str(page), str(tmp_path / "nope.md"))
    assert code == 1 and report["skipped"][0]["reason"].startswith("no such file")
    paths = sorted(e["path"] for e in report["added"])
    # no canonical URL: the outlet's folder is named by the outlet the page title names
    page_path = "the-shoreline-post/2025-03-12-council-approves-new-cycle-path-along-the-shore.md"
    assert paths == ["Notiz-zum-Hafen.md", page_path]
    assert (indexed.corpus_dir / paths[0]).read_bytes() == note.read_bytes()
    assert report["reindex"]["added"] == 2


def test_no_index_only_writes_the_corpus(cli: Cli, indexed: Settings, web: WebServer) -> None:
    result = cli(["add", web.url("de-meta-date.html"), "--no-index"], indexed, **FETCH)
    assert result.returncode == 0 and "reindex:" not in result.stdout
    assert result.stdout.startswith("added allgaeuer-rundschau.example/2025-01-20-")
    assert Assistant(indexed).status().articles == 1, "not indexed yet"


def test_an_exact_copy_of_an_article_is_not_kept(
    cli: Cli, indexed: Settings, tmp_path: Any
) -> None:
    copy = tmp_path / "copy.md"
    copy.write_bytes(next(indexed.corpus_dir.glob("*.md")).read_bytes())
    code, report = _add(cli, indexed, str(copy))
    assert code == 1 and report["added"] == []
    assert "same content as" in report["skipped"][0]["reason"]
    assert not (indexed.corpus_dir / "copy.md").exists()


def test_a_busy_index_refuses_the_add_before_anything_is_written(
    cli: Cli, indexed: Settings, web: WebServer
) -> None:
    """The page is fetched, then the index's lock is taken before the corpus is touched:
    while another reindex runs, nothing is written, and the add can simply be repeated."""
    from filelock import FileLock

    from rag.index.layout import IndexLayout

    before = sorted(p.name for p in indexed.corpus_dir.rglob("*"))
    with FileLock(str(IndexLayout(indexed.data_dir).lock)):  # as if `rag reindex` ran
        busy = cli(["add", web.url("de-time-only.html")], indexed, **FETCH)
    assert busy.returncode == 1 and "another reindex is running" in busy.stderr
    assert sorted(p.name for p in indexed.corpus_dir.rglob("*")) == before
    code, report = _add(cli, indexed, web.url("de-time-only.html"))
    assert code == 0 and report["reindex"]["added"] == 1
