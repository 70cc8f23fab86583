"""RSS and Atom feeds: the feed list in the corpus, and updates that add new entries.

The list is `corpus/feeds.txt` (one URL a line, `#` comments), so it travels with the
corpus. What each feed has delivered (ETag, Last-Modified, the entries already seen) is
kept in the index folder. An update asks each feed conditionally (a 304 ends there),
reads RSS 2.0, RSS 1.0/RDF and Atom with feedparser, and fetches each new entry's page
like `rag add`; when the page cannot be fetched or holds no article, the entry's own
content or summary is used, with the entry's date. A broken feed fails alone.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.add import Added, Refused, is_url, reason_of, report_dict, url_draft
from ingest.corpus import CorpusWriter, Draft, page_draft
from ingest.progress import Progress
from ingest.reindex import ReindexSummary, exclusive, reindex
from rag.config import Settings
from rag.errors import ArticleError, FeedError, FetchError, RagError
from rag.index.files import atomic_write
from rag.index.layout import IndexLayout
from rag.text.boilerplate import is_boilerplate
from rag.text.controls import strip_controls
from rag.text.language import detect_language
from rag.text.urls import host_of, url_problem, web_url

if TYPE_CHECKING:
    import feedparser
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from ingest.fetch import Fetcher

FEED_LIST = "feeds.txt"
_SEEN_KEPT = 5000  # entries remembered per feed: far more than any feed lists at once


@dataclass(frozen=True)
class Failed:
    feed: str
    reason: str


@dataclass
class FeedReport:
    feeds: int = 0
    new: int = 0  # entries not seen before
    added: list[Added] = field(default_factory=list)
    updated: list[Added] = field(default_factory=list)  # a page of a known URL, changed
    skipped: list[Refused] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    reindex: ReindexSummary | None = None
    notice: str = ""  # why the new articles are not indexed yet

    def as_dict(self) -> dict[str, Any]:
        return report_dict(self)


# ---------------------------------------------------------------- the feed list


def feed_list(corpus: Path) -> list[str]:
    """The feed URLs of the corpus, in the order of its feeds.txt."""
    path = corpus / FEED_LIST
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return list(dict.fromkeys(line for line in lines if line))


def feed_url(url: str) -> str:
    """`url` as the feed list keeps it; FeedError when it is no http(s) URL."""
    url = url.strip().split("#", 1)[0]  # a fragment means nothing to a feed server
    problem = url_problem(url)
    if problem or not is_url(url):
        raise FeedError(f"a feed is an http(s) URL: {problem or 'not ' + repr(url[:100])}")
    return url


def check_feed(settings: Settings, url: str, fetcher: Fetcher | None = None) -> str:
    """Fetch `url` once and read it as a feed: its title, or FeedError saying why it is
    none (not found, a web page, not RSS or Atom)."""
    from ingest.fetch import FEED_TYPES, Fetcher

    url = feed_url(url)
    with fetcher or Fetcher(settings) as client:
        try:
            got = client.get(url, kinds=FEED_TYPES)
        except FetchError as exc:
            raise FeedError(f"not added: {exc}") from exc
    parsed = _parse(got.content)
    if parsed.bozo and not parsed.entries:
        reason = str(parsed.get("bozo_exception", "no entries")).splitlines()[0]
        raise FeedError(f"not added: not a readable RSS or Atom feed ({reason})")
    return strip_controls(str(parsed.feed.get("title") or ""))[:300]


def add_feed(corpus: Path, url: str) -> bool:
    """Append `url` to the feed list; False when it is there already."""
    url = feed_url(url)
    if url in feed_list(corpus):
        return False
    path = corpus / FEED_LIST
    text = path.read_text("utf-8") if path.is_file() else "# One feed URL a line (rag feeds).\n"
    _write(path, text.rstrip("\n") + f"\n{url}\n")
    return True


def remove_feed(corpus: Path, url: str) -> None:
    """Drop `url` from the feed list (its articles stay in the corpus)."""
    if url.strip() not in feed_list(corpus):
        raise FeedError(f"{url} is not in {corpus / FEED_LIST}")
    lines = (corpus / FEED_LIST).read_text("utf-8").splitlines()
    kept = [line for line in lines if line.split("#", 1)[0].strip() != url.strip()]
    _write(corpus / FEED_LIST, "\n".join(kept) + "\n")


def _write(path: Path, text: str) -> None:
    atomic_write(path, text.encode("utf-8"))


# ---------------------------------------------------------------- state


def load_state(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each feed's ETag, Last-Modified, seen entries and last check ({} when none yet)."""
    try:
        data = json.loads(IndexLayout(settings.data_dir).feeds.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


BACKOFF_LIMIT = dt.timedelta(days=1)


def next_try(now: dt.datetime, every: dt.timedelta, failures: int) -> dt.datetime:
    """When a feed is asked next: after `every`, and after each failure in a row twice as
    long, up to a day (pure)."""
    wait = every * (2 ** min(failures, 10)) if failures else every
    return now + min(wait, max(BACKOFF_LIMIT, every))


def is_due(known: dict[str, Any], now: dt.datetime) -> bool:
    """Whether a feed's next update is due (a feed never asked is) (pure)."""
    try:
        return dt.datetime.fromisoformat(str(known["next"])) <= now
    except (KeyError, ValueError):
        return True


def due_feeds(settings: Settings, now: dt.datetime) -> list[str]:
    """The listed feeds whose next update is due."""
    state = load_state(settings)
    return [url for url in feed_list(settings.corpus_dir) if is_due(state.get(url, {}), now)]


def _save_state(settings: Settings, state: dict[str, dict[str, Any]]) -> None:
    _write(IndexLayout(settings.data_dir).feeds, json.dumps(state, ensure_ascii=False, indent=1))


# ---------------------------------------------------------------- entries


def entry_day(entry: Any) -> str:
    """An entry's day: its published date, else its updated one (feedparser puts a lone
    dc:date there)."""
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            when = dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.timezone.utc)
            return when.date().isoformat()
    return ""


def _entry_id(entry: Any) -> str:
    return str(entry.get("id") or entry.get("link") or entry.get("title") or "")


def _entry_text(entry: Any) -> str:
    """The entry's own content or summary, as plain paragraphs."""
    import lxml.html
    from lxml.etree import ParserError

    parts = [c.get("value", "") for c in entry.get("content", [])] or [entry.get("summary", "")]
    paragraphs: list[str] = []
    for part in map(strip_controls, parts):
        if not part.strip():
            continue
        try:
            tree = lxml.html.fragment_fromstring(part, create_parent="div")
        except (ParserError, ValueError):  # e.g. a comment and nothing else
            continue
        blocks = tree.xpath(".//p|.//li") or [tree]
        paragraphs += [" ".join(b.text_content().split()) for b in blocks]
    return "\n\n".join(p for p in paragraphs if p and not is_boilerplate(p))


def entry_draft(entry: Any, feed: Any) -> Draft:
    """An article from the entry itself, for when its page gives none."""
    from ingest.html import Page

    link = web_url(str(entry.get("link") or ""))  # no javascript:, file: or data: source
    text = _entry_text(entry)
    if not text:
        raise ArticleError("neither its page nor the entry holds any text")
    title = " ".join(str(entry.get("title") or "").split())[:300] or text[:80]
    outlet = str(feed.feed.get("title") or "").split(" – ")[0].split(" - ")[0].strip()
    page = Page(
        title=title,
        text=text,
        source=link,
        outlet=host_of(link) or outlet,
        author=str(entry.get("author") or ""),
        date=entry_day(entry),
        language=str(feed.feed.get("language") or "").split("-")[0] or detect_language(text),
    )
    return page_draft(page, dt.datetime.now(dt.timezone.utc))


# ---------------------------------------------------------------- update


def update_feeds(
    settings: Settings,
    *,
    limit: int | None = None,
    fetcher: Fetcher | None = None,
    embed_model: BaseEmbedding | None = None,
    progress: Progress | None = None,
    due_only: bool = False,
    every: dt.timedelta = dt.timedelta(hours=1),
) -> FeedReport:
    """Add the new entries of every feed in the list (at most `limit` per feed; with
    `due_only`, of the feeds whose next update is due), then reindex once. Each feed's
    last result, error and next update (`every` after it, longer after failures) are
    kept with what it delivered.

    The feeds and their entries' pages are fetched first; then the index's lock is taken,
    and the articles and what the feeds delivered are saved and indexed under it. While
    another reindex runs: ReindexBusyError, and nothing is saved (the next update takes
    the same entries)."""
    from ingest.fetch import FEED_TYPES, Fetcher

    report = FeedReport()
    now = dt.datetime.now(dt.timezone.utc)
    state = load_state(settings)
    feeds = [
        url
        for url in feed_list(settings.corpus_dir)
        if not due_only or is_due(state.get(url, {}), now)
    ]
    report.feeds = len(feeds)
    taken: list[tuple[str, Draft]] = []
    links: set[str] = set()
    with fetcher or Fetcher(settings) as client:
        for url in feeds:
            known = state.setdefault(url, {})
            known["checked"] = now.isoformat(timespec="seconds")
            new_before = report.new
            try:
                got = client.get(
                    url,
                    kinds=FEED_TYPES,
                    etag=known.get("etag", ""),
                    last_modified=known.get("last_modified", ""),
                )
            except FetchError as exc:
                _failed(report, known, url, str(exc), now, every)
                continue
            if not got.not_modified:
                parsed = _parse(got.content)
                if parsed.bozo and not parsed.entries:
                    reason = str(parsed.get("bozo_exception", "no entries")).splitlines()[0]
                    why = f"not a readable RSS or Atom feed ({reason})"
                    _failed(report, known, url, why, now, every)
                    continue
                known.update(etag=got.etag, last_modified=got.last_modified)
                known["title"] = strip_controls(str(parsed.feed.get("title") or ""))[:300]
                taken += _take_entries(parsed, known, client, report, limit, links)
            fresh = report.new - new_before
            known.update(
                error="", failures=0, next=next_try(now, every, 0).isoformat(timespec="seconds"),
                result=f"{fresh} new entr{'y' if fresh == 1 else 'ies'}"
                if not got.not_modified else "not modified",
            )  # fmt: skip
    with exclusive(settings):
        writer = CorpusWriter(settings.corpus_dir)
        for input_, draft in taken:
            try:
                status, path = writer.place(draft)
            except (ArticleError, OSError) as exc:
                report.skipped.append(Refused(input_, reason_of(exc)))
                continue
            if status != "unchanged":
                getattr(report, status).append(Added.of(input_, path, draft.article))
        _save_state(settings, state)
        try:
            report.reindex = reindex(
                settings, embed_model=embed_model, progress=progress, lock_held=True
            )
        except RagError as exc:  # e.g. the store is down: the files wait for the next
            report.notice = f"saved into the corpus, not indexed yet: {exc}"
    return report


def _failed(
    report: FeedReport,
    known: dict[str, Any],
    url: str,
    reason: str,
    now: dt.datetime,
    every: dt.timedelta,
) -> None:
    """A feed that failed: said in the report, and asked again later each time it fails."""
    report.failed.append(Failed(url, reason))
    failures = int(known.get("failures", 0)) + 1
    known.update(error=reason, failures=failures, result="failed",
                 next=next_try(now, every, failures).isoformat(timespec="seconds"))  # fmt: skip


def _parse(content: bytes) -> feedparser.FeedParserDict:
    import feedparser  # deferred: only updates need it

    return feedparser.parse(content)  # a broken feed sets `bozo`; it does not raise


def _take_entries(
    parsed: Any,
    known: dict[str, Any],
    client: Fetcher,
    report: FeedReport,
    limit: int | None,
    links: set[str],
) -> list[tuple[str, Draft]]:
    """The new entries' articles, each with what it came from; records the entries as
    seen in `known` (saved only with the articles). `links` are the pages taken in this
    update already: one article per link."""
    seen: list[str] = list(known.get("seen", []))
    listed = list(dict.fromkeys(_entry_id(e) for e in parsed.entries if _entry_id(e)))
    done = set(seen)
    drafts: list[tuple[str, Draft]] = []
    fresh = [e for e in parsed.entries if _entry_id(e) and _entry_id(e) not in done]
    for entry in fresh[:limit] if limit is not None else fresh:
        entry_id = _entry_id(entry)
        if entry_id in done:  # listed twice
            continue
        done.add(entry_id)
        seen.append(entry_id)
        report.new += 1
        link = web_url(str(entry.get("link") or ""))
        if link and link in links:  # another entry of this update had the same link
            continue
        links.add(link)
        try:
            drafts.append((link or entry_id, _entry_article(entry, link, parsed, client)))
        except ArticleError as exc:
            report.skipped.append(Refused(link or entry_id, str(exc)))
    known["seen"] = remembered(seen, listed, _SEEN_KEPT)
    return drafts


def _entry_article(entry: Any, link: str, parsed: Any, client: Fetcher) -> Draft:
    """The entry's page, else the entry's own text with its date."""
    if link:
        try:
            return url_draft(link, client, day=entry_day(entry))
        except (FetchError, ArticleError):
            pass  # the entry itself may still hold the text
    return entry_draft(entry, parsed)


def remembered(seen: list[str], listed: list[str], keep: int) -> list[str]:
    """The entry ids to remember after an update (pure): every id the feed still lists
    and has been taken (forgetting one would fetch its page again at every update), then
    the most recently taken others, up to `keep` in all."""
    taken = set(seen)
    still = [i for i in listed if i in taken]
    shown = set(still)
    others = [i for i in seen if i not in shown]
    room = max(keep - len(still), 0)
    return (others[-room:] if room else []) + still
