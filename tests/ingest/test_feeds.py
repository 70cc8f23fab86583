"""Feeds: the list in the corpus, updates that add new entries once, and broken feeds."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from ingest.feeds import FeedError, add_feed, due_feeds, feed_list, is_due, next_try, remove_feed
from rag.config import Settings
from tests.conftest import Cli
from tests.web_server import Response, WebServer

FETCH = {"RAG_FETCH_ALLOW_PRIVATE": "true", "RAG_FETCH_TIMEOUT": "2"}
PAGES = ("de-bahn-streik.html", "de-time-only.html", "en-harbour-og.html", "en-updated-jsonld.html")


def _update(cli: Cli, settings: Settings, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli(["feeds", "update", "--json", *args], settings, **FETCH)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def test_the_feed_list_lives_in_the_corpus(tmp_path: Any) -> None:
    assert add_feed(tmp_path, "https://example.org/a.rss")
    assert not add_feed(tmp_path, "https://example.org/a.rss"), "listed once"
    add_feed(tmp_path, "https://example.org/b.atom")
    text = (tmp_path / "feeds.txt").read_text()
    (tmp_path / "feeds.txt").write_text(text + "# a comment\n  \n")
    assert feed_list(tmp_path) == ["https://example.org/a.rss", "https://example.org/b.atom"]
    remove_feed(tmp_path, "https://example.org/a.rss")
    assert feed_list(tmp_path) == ["https://example.org/b.atom"]
    assert "# a comment" in (tmp_path / "feeds.txt").read_text(), "comments stay"
    with pytest.raises(FeedError, match="http"):
        add_feed(tmp_path, "example.org/feed")
    with pytest.raises(FeedError, match="not in"):
        remove_feed(tmp_path, "https://example.org/zzz")


def test_update_adds_new_entries_once(cli: Cli, indexed: Settings, web: WebServer) -> None:
    for feed in ("feeds/lindau.rss", "feeds/lakeside.atom"):
        added = cli(["feeds", "add", web.url(feed)], indexed, **FETCH)
        assert added.returncode == 0 and added.stdout.startswith("added:")
    code, first = _update(cli, indexed)
    assert code == 0 and first["failed"] == [] and first["skipped"] == []
    assert (first["feeds"], first["new"]) == (2, 5)
    by_title = {e["title"]: e for e in first["added"]}
    assert len(by_title) == 5
    # the page of one entry is gone: the entry's own text and date stand in
    fallback = by_title["Fähre nach Bregenz fährt wieder nach Sommerfahrplan"]
    assert fallback["date"] == "2025-05-16" and fallback["source"].endswith("/gone-faehre.html")
    saved = (indexed.corpus_dir / fallback["path"]).read_text()
    assert "sechs Fahrten am Tag" in saved and "<p>" not in saved
    assert by_title["Neuer Radweg am Seeufer beschlossen"]["date"] == "2025-04-08"
    assert first["reindex"]["added"] == 5

    fetched = {page: web.fetched(page) for page in PAGES}
    code, second = _update(cli, indexed)
    assert code == 0 and (second["new"], second["added"], second["skipped"]) == (0, [], [])
    assert {page: web.fetched(page) for page in PAGES} == fetched, "no article page fetched"
    assert second["reindex"]["added"] == second["reindex"]["updated"] == 0, "nothing re-embedded"

    listed = cli(["feeds", "list"], indexed).stdout
    assert "Lindauer Tagblatt – Region  (3 entries, checked 20" in listed
    asked = json.loads(cli(["ask", "When does the ferry resume?", "--json"], indexed).stdout)
    assert asked["citations"], "the new articles answer"


def test_a_feed_without_etag_support_still_fetches_no_page_twice(
    cli: Cli, indexed: Settings, web: WebServer
) -> None:
    from tests.web_server import FEEDS

    body = (FEEDS / "lakeside.atom").read_bytes().replace(b"{BASE}", web.base.encode())
    web.extra["/plain.atom"] = Response(body=body, content_type="application/atom+xml")
    cli(["feeds", "add", web.url("plain.atom")], indexed, **FETCH)
    _code, first = _update(cli, indexed)
    assert first["new"] == 2
    _code, second = _update(cli, indexed)
    assert second["new"] == 0 and web.fetched("en-harbour-og.html") == 1


def test_a_broken_feed_fails_alone(cli: Cli, indexed: Settings, web: WebServer) -> None:
    # listed by hand: `rag feeds add` would refuse all but the last (a feed may break later)
    for feed in ("feeds/broken.rss", "missing.rss", "de-bahn-streik.html", "feeds/lakeside.atom"):
        add_feed(indexed.corpus_dir, web.url(feed))
    code, report = _update(cli, indexed, "--limit", "1")
    assert code == 1
    reasons = {f["feed"].rsplit("/", 1)[1]: f["reason"] for f in report["failed"]}
    assert "not a readable RSS or Atom feed" in reasons["broken.rss"]
    assert reasons["missing.rss"] == "HTTP 404 Not Found"
    assert "not a feed (text/html)" in reasons["de-bahn-streik.html"]
    assert len(report["added"]) == 1, "--limit 1: one entry of the good feed"
    assert report["reindex"]["added"] == 1


def test_feed_commands_refuse_bad_input_in_one_line(cli: Cli, indexed: Settings) -> None:
    for args in (["feeds", "add", "not-a-url"], ["feeds", "remove", "https://example.org/x"]):
        result = cli(args, indexed)
        assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert cli(["feeds", "list"], indexed).stdout.startswith("no feeds yet")
    assert cli(["feeds", "update", "--limit", "0"], indexed).returncode == 2


def test_adding_a_feed_fetches_it_once_and_refuses_what_is_none(
    cli: Cli, indexed: Settings, web: WebServer
) -> None:
    for feed, reason in (
        ("missing.rss", "HTTP 404 Not Found"),
        ("de-bahn-streik.html", "not a feed (text/html)"),
        ("feeds/broken.rss", "not a readable RSS or Atom feed"),
    ):
        refused = cli(["feeds", "add", web.url(feed)], indexed, **FETCH)
        assert refused.returncode == 1 and reason in refused.stderr, refused.stderr
    assert feed_list(indexed.corpus_dir) == []
    added = cli(["feeds", "add", web.url("feeds/lindau.rss")], indexed, **FETCH)
    assert added.returncode == 0 and feed_list(indexed.corpus_dir) == [web.url("feeds/lindau.rss")]


def test_a_failing_feed_waits_longer_each_time_and_says_why(
    indexed: Settings, web: WebServer, assistant_for: Any
) -> None:
    settings = indexed.model_copy(update={"fetch_allow_private": True, "fetch_timeout": 2.0})
    add_feed(settings.corpus_dir, web.url("missing.rss"))
    add_feed(settings.corpus_dir, web.url("feeds/lakeside.atom"))
    bot = assistant_for(settings)
    first = bot.update_feeds()
    assert [f.reason for f in first.failed] == ["HTTP 404 Not Found"]
    gone, good = bot.feeds()
    assert (gone.result, gone.error, gone.failures) == ("failed", "HTTP 404 Not Found", 1)
    assert (good.result, good.error, good.failures) == ("2 new entries", "", 0)
    assert gone.next and good.next and gone.next > good.next, "the failed one waits longer"
    now = dt.datetime.now(dt.timezone.utc)
    assert due_feeds(settings, now) == [], "neither is due right after an update"
    later = dt.datetime.fromisoformat(good.next) + dt.timedelta(seconds=1)
    assert due_feeds(settings, later) == [web.url("feeds/lakeside.atom")]
    assert bot.update_feeds(due_only=True).feeds == 0, "a due-only update asks none now"
    bot.update_feeds()
    [gone, _good] = bot.feeds()
    assert gone.failures == 2


def test_back_off_doubles_up_to_a_day() -> None:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    hour = dt.timedelta(hours=1)
    assert next_try(now, hour, 0) == now + hour
    assert next_try(now, hour, 1) == now + 2 * hour
    assert next_try(now, hour, 3) == now + 8 * hour
    assert next_try(now, hour, 9) == now + dt.timedelta(days=1)
    assert is_due({}, now) and is_due({"next": "nonsense"}, now)
    assert not is_due({"next": (now + hour).isoformat()}, now)
