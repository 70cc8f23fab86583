"""The Python API, and the one door to the project: the UI, the CLI, `rag eval` and the
tests use only this (and the documented modules).

`Assistant` answers questions with citations, searches passages, and keeps the index in
line with the corpus.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from ingest.add import AddedArticle, AddReport, add_article, add_sources
from ingest.feeds import (
    FeedReport,
    add_feed,
    check_feed,
    feed_list,
    feed_url,
    load_state,
    remove_feed,
    update_feeds,
)
from ingest.load import read_article
from ingest.progress import Progress
from ingest.reindex import ReindexSummary, exclusive, reindex
from rag.answer.stream import events
from rag.answer.types import MAX_EVENTS, Answer, ChatMessage, Final, StreamEvent
from rag.background import Background
from rag.config import Settings, get_settings
from rag.db.conversations import Conversation, Conversations, Message, marked_sources
from rag.db.database import Database
from rag.db.watches import Alert, Watch, Watches
from rag.errors import QuestionError, RagError, UnknownArticleError
from rag.index.layout import IndexLayout
from rag.index.manifest import DocEntry, index_stamp, read_manifest
from rag.models.chat import ChatModel, as_chat_model, make_chat_model
from rag.search.filters import Filters
from rag.search.outlets import Outlets
from rag.search.passage import Passage
from rag.text.language import question_language
from rag.text.urls import article_site, web_url
from rag.watch.novelty import judge
from rag.watch.relevance import relevant
from rag.watch.webhook import Webhook

if TYPE_CHECKING:  # the heavy parts are imported on first use: a no-op reindex needs none
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM

    from rag.answer.engine import AnswerEngine
    from rag.answer.timeline import Timeline
    from rag.index.reader import IndexSnapshot
    from rag.index.store import ChunkStore


@dataclass(frozen=True)
class IndexStatus:
    articles: int
    chunks: int
    indexed_at: str | None
    embed_model: str


@dataclass(frozen=True)
class ArticleInfo:
    doc_id: str
    title: str
    language: str
    source: str
    date: str | None  # publication day, ISO
    outlet: str
    author: str
    copies: int  # syndicated copies of it in the corpus, not indexed themselves


@dataclass(frozen=True)
class FeedInfo:
    url: str
    title: str  # as the feed names itself ("" before its first update)
    checked: str | None  # when it was last asked, ISO
    entries: int  # entries seen so far
    result: str = ""  # of the last update: "2 new entries", "not modified", "failed"
    error: str = ""  # why the last update failed
    failures: int = 0  # in a row
    next: str | None = None  # when the schedule asks it next, ISO (None: at the next update)


MAX_TOP_K = 100  # passages one question may retrieve, in every interface


def checked_top_k(top_k: int | None) -> int | None:
    """`top_k` when it is a number of passages one question may retrieve (None: the
    settings' own); QuestionError otherwise. The one rule for every interface."""
    if top_k is not None and not 1 <= top_k <= MAX_TOP_K:
        raise QuestionError(f"top_k must be between 1 and {MAX_TOP_K}, not {top_k}")
    return top_k


def _hashes(documents: dict[str, DocEntry]) -> dict[str, str]:
    """Each article's content hash: the version a watch knows it by (pure)."""
    return {doc_id: entry.hash for doc_id, entry in documents.items()}


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters and surrounding space; refuse empty or overlong input."""
    text = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in question
    ).strip()
    if not text:
        raise QuestionError("the question is empty: type a question about the articles")
    if len(text) > max_chars:
        raise QuestionError(
            f"the question is {len(text):,} characters long; the limit is {max_chars:,}"
        )
    return text


@dataclass(frozen=True)
class _Opened:
    """What one index snapshot serves: reopened when a reindex commits."""

    stamp: int
    index: IndexSnapshot
    engine: AnswerEngine


log = logging.getLogger(__name__)
MAX_WATCHES = 200  # each one is asked at every update: a bound on what an update costs

T = TypeVar("T")
_DONE = object()


class Assistant:
    """Answers questions about the indexed articles, with citations.

    The index is opened on first use and reopened when a reindex has changed it, so a
    long-running assistant (the UI) always answers from the current index. One assistant
    serves many threads.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embed_model: BaseEmbedding | None = None,
        llm: ChatModel | LLM | None = None,
        store: ChunkStore | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self._embed_model = embed_model
        self._store = store
        # Built here so a missing key is reported at once, not at the first question.
        self.llm = as_chat_model(llm) if llm is not None else make_chat_model(self.settings)
        self._lock = threading.Lock()
        self._opened: _Opened | None = None
        # Answers are CPU work (the embedding model uses every core, a local model server
        # too): more at once than cores only thrashes, so the rest wait their turn. Every
        # way in (the HTTP routes, streamed or not, MCP, the UI) passes here.
        self._slots = threading.BoundedSemaphore(
            self.settings.answer_slots or max(1, os.cpu_count() or 1)
        )
        # Reindex, add, delete and feed updates as jobs, for the UI and the HTTP API.
        self.jobs = Background(self)
        database = Database(IndexLayout(self.settings.data_dir).database)
        self.conversations = Conversations(database)
        self.watches = Watches(database)
        self._checking = threading.Lock()  # one check of the watches at a time
        hook = self.settings.watch_webhook_url
        self.webhook = (
            Webhook(hook.get_secret_value(), self.watches.delivery) if hook is not None else None
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Assistant:
        return cls(settings or get_settings())

    @property
    def embed_model(self) -> BaseEmbedding:
        if self._embed_model is None:
            from rag.models.embedding import make_embed_model

            self._embed_model = make_embed_model(self.settings)
        return self._embed_model

    def _open(self) -> _Opened:
        from rag.answer.engine import AnswerEngine
        from rag.index.reader import open_index
        from rag.search.retriever import HybridRetriever

        with self._lock:
            stamp = index_stamp(self.settings)
            if self._opened is None or self._opened.stamp != stamp:
                index = open_index(self.settings, store=self._store)
                retriever = HybridRetriever(
                    index,
                    self.embed_model,
                    self.settings.tuning,
                    top_k=self.settings.top_k,
                    recency_weight=self.settings.recency_weight,
                )
                engine = AnswerEngine(self.settings, retriever, self.embed_model, self.llm)
                self._opened = _Opened(stamp, index, engine)
            return self._opened

    # ------------------------------------------------------------------ the index

    def status(self) -> IndexStatus:
        """What is indexed (reads only the manifest: no store or model is loaded)."""
        manifest = read_manifest(self.settings)
        return IndexStatus(
            articles=len(manifest.documents),
            chunks=manifest.chunk_count,
            indexed_at=manifest.indexed_at,
            embed_model=manifest.embed_model,
        )

    def articles(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        outlets: Sequence[str] = (),
    ) -> list[ArticleInfo]:
        """The indexed articles, by document id; only those published from `since` to
        `until` (undated ones then left out) and by one of `outlets` (by any of its names
        or its site, in any case), if given."""
        manifest = read_manifest(self.settings)
        sites = {
            d: article_site(web_url(e.source), e.outlet) for d, e in manifest.documents.items()
        }
        known = Outlets((e.outlet, sites[d]) for d, e in manifest.documents.items())
        wanted = known.match(outlets)
        return [
            ArticleInfo(
                doc_id,
                entry.title,
                entry.language,
                web_url(entry.source),  # a manifest from before sources were checked
                entry.date or None,
                entry.outlet,
                entry.author,
                len(entry.also),
            )
            for doc_id, entry in sorted(manifest.documents.items())
            if (since is None or (entry.date or "") >= since.isoformat())
            and (until is None or "" < (entry.date or "") <= until.isoformat())
            and (not outlets or wanted.keeps(entry.outlet, sites[doc_id]))
        ]

    def outlets(self) -> list[str]:
        """The outlets of the indexed articles, one name per site, sorted."""
        manifest = read_manifest(self.settings)
        pairs = [
            (e.outlet, article_site(web_url(e.source), e.outlet))
            for e in manifest.documents.values()
        ]
        return Outlets(pairs).listing()

    def _corpus_file(self, doc_id: str) -> Path:
        """The corpus file of an indexed article."""
        if doc_id not in read_manifest(self.settings).documents:
            raise UnknownArticleError(f"no article {doc_id!r} is indexed")
        corpus = self.settings.corpus_dir.resolve()
        path = (corpus / doc_id).resolve()
        if not path.is_relative_to(corpus) or not path.is_file():
            raise UnknownArticleError(f"the corpus has no file {doc_id!r} any more: reindex")
        return path

    def article_text(self, doc_id: str) -> str:
        """The body of an indexed article, as its citations' offsets count it. Raises
        UnknownArticleError for a doc_id the index does not hold."""
        path = self._corpus_file(doc_id)
        return read_article(
            path, self.settings.corpus_dir, max_bytes=self.settings.max_article_bytes
        ).text

    def remove_article(self, doc_id: str) -> ReindexSummary:
        """Delete an indexed article's file from the corpus, then reindex. The index's
        lock is taken first: while another reindex runs, ReindexBusyError, and the file
        stays."""
        with exclusive(self.settings):
            self._corpus_file(doc_id).unlink()
            return reindex(self.settings, embed_model=self._embed_model, lock_held=True)

    def reindex(
        self,
        corpus: Path | None = None,
        *,
        reset: bool = False,
        rebuild_mismatched: bool = False,
        progress: Progress | None = None,
    ) -> ReindexSummary:
        """Bring the index in line with `corpus` (default: the settings' corpus folder).

        `progress(done, total)` hears of the embedding work. `reset` rebuilds from scratch;
        `rebuild_mismatched` rebuilds an index of another embedding model instead of
        refusing it. The model is loaded only when something has to be embedded. Then
        the watches are checked, when articles arrived or changed."""
        summary = reindex(
            self.settings,
            corpus_dir=corpus,
            reset=reset,
            rebuild_mismatched=rebuild_mismatched,
            embed_model=self._embed_model,
            progress=progress,
        )
        self._after_update(summary)
        return summary

    def add_article(
        self,
        name: str,
        data: bytes,
        *,
        max_bytes: int | None = None,
        progress: Progress | None = None,
    ) -> AddedArticle:
        """Save a .md or .txt file into the corpus under a cleaned-up `name`, and index it.

        Raises ArticleError when it is refused (nothing is kept), ArticleNotIndexedError
        when it is saved but could not be indexed yet."""
        limit = self.settings.max_article_bytes
        added = add_article(
            self.settings,
            name,
            data,
            max_bytes=min(limit, max_bytes) if max_bytes else limit,
            embed_model=self._embed_model,
            progress=progress,
        )
        self._after_update(added.summary)
        return added

    def add(
        self,
        sources: Sequence[str],
        *,
        local_files: bool = False,
        index: bool = True,
        progress: Progress | None = None,
    ) -> AddReport:
        """Add articles by URL (fetched and extracted) to the corpus, then reindex unless
        `index` is False. File paths (.md, .txt, .html) are read only with `local_files`:
        for the machine's own user, never for what arrives over the network. A bad source
        is a line in the report's `skipped`; the others are still added."""
        report = add_sources(
            self.settings,
            sources,
            local_files=local_files,
            index=index,
            embed_model=self._embed_model,
            progress=progress,
        )
        self._after_update(report.reindex)
        return report

    def feeds(self) -> list[FeedInfo]:
        """The corpus's feeds (corpus/feeds.txt), with what their updates found."""
        state = load_state(self.settings)
        found = []
        for url in feed_list(self.settings.corpus_dir):
            known = state.get(url, {})
            found.append(FeedInfo(
                url, str(known.get("title", "")), known.get("checked"),
                len(known.get("seen", [])), str(known.get("result", "")),
                str(known.get("error", "")), int(known.get("failures", 0)), known.get("next"),
            ))  # fmt: skip
        return found

    def add_feed(self, url: str, *, check: bool = True) -> bool:
        """Add a feed to the corpus's list; False when it is listed already. It is fetched
        once first (unless not `check`): what is not a feed is refused with the reason."""
        if check and feed_url(url) not in feed_list(self.settings.corpus_dir):
            check_feed(self.settings, url)
        return add_feed(self.settings.corpus_dir, url)

    def remove_feed(self, url: str) -> None:
        """Drop a feed from the list; the articles it brought stay."""
        remove_feed(self.settings.corpus_dir, url)

    def update_feeds(
        self,
        *,
        limit: int | None = None,
        progress: Progress | None = None,
        due_only: bool = False,
    ) -> FeedReport:
        """Add every feed's new entries (at most `limit` per feed; with `due_only`, of the
        feeds the schedule has due), then reindex once."""
        every = dt.timedelta(minutes=self.settings.feeds_every_minutes or 60)
        report = update_feeds(
            self.settings, limit=limit, embed_model=self._embed_model, progress=progress,
            due_only=due_only, every=every,
        )  # fmt: skip
        self._after_update(report.reindex)
        return report

    # ------------------------------------------------------------------ questions

    def mode_label(self) -> str:
        """How answers are produced, for status displays (never shows the key)."""
        if self.llm is None:
            return "extractive (quotes from the articles; no language model configured)"
        where = f" at {self.settings.llm_base_url}" if self.settings.llm_base_url else ""
        return f"LLM: {self.llm.name}{where}"

    def search(
        self, query: str, *, top_k: int | None = None, filters: Filters | None = None
    ) -> list[Passage]:
        """The passages retrieval finds for `query`, best first, without an answer (the
        query's own time expressions are not read: pass `filters`)."""
        text = clean_question(query, self.settings.max_question_chars)
        top_k = checked_top_k(top_k)
        with self._slots:
            return self._open().engine.retriever.search(text, top_k, filters=filters).passages

    def timeline(
        self, query: str, filters: Filters | None = None, limit: int = MAX_EVENTS
    ) -> Timeline:
        """The articles relevant to `query` in date order, oldest first, one event per
        article with its best sentence; unrelated articles stay out."""
        text = clean_question(query, self.settings.max_question_chars)
        with self._slots:
            return self._open().engine.timeline(text, filters, limit)

    def ask(
        self, question: str, *, top_k: int | None = None, filters: Filters | None = None
    ) -> Answer:
        """Answer one question from the articles."""
        return self.chat(question, (), top_k=top_k, filters=filters)

    def chat(
        self,
        question: str,
        history: Sequence[ChatMessage] = (),
        *,
        top_k: int | None = None,
        filters: Filters | None = None,
    ) -> Answer:
        """Answer a question that may follow up on `history` (oldest first)."""
        for event in self.stream(question, history, top_k=top_k, filters=filters):
            if isinstance(event, Final):
                return event.answer
        raise RuntimeError("the answer stream ended without an answer")

    def stream(
        self,
        question: str,
        history: Sequence[ChatMessage] | None = None,
        *,
        top_k: int | None = None,
        filters: Filters | None = None,
    ) -> Iterator[StreamEvent]:
        """Yield the answer's text as `Delta`s as it is produced, then a `Final` with the
        answer and whether it replaces the text streamed (the model failed midway: the
        extractive answer, with `notice` saying what failed; rag.answer.types.Final).
        `filters` limit the articles searched; a time expression in the question ("last
        week") limits them too, unless `filters` set the dates; `Answer.filters` says
        what was applied.
        """
        text = clean_question(question, self.settings.max_question_chars)
        top_k = checked_top_k(top_k)
        with self._slots:
            engine = self._open().engine
        pieces = self._in_slots(engine.stream(text, list(history or ()), top_k, filters))
        yield from events(pieces)

    # ------------------------------------------------------------------ watches

    def watch(self, question: str, filters: Filters | None = None) -> tuple[Watch, Answer]:
        """Save a standing question (with optional filters) and answer it over all
        articles now; later checks ask it over what arrives after this."""
        text = clean_question(question, self.settings.max_question_chars)
        if filters is not None and filters.articles:
            raise QuestionError("a watch's filters cannot name articles")
        if len(self.watches.all()) >= MAX_WATCHES:
            raise QuestionError(
                f"there are {MAX_WATCHES} watches already: remove one first (`rag watch list`)"
            )
        with self._checking:
            # Versions first: an article that arrives while the question is answered is
            # asked again at the next check (what the answer gave is not alerted twice).
            batch = self.watches.record_versions(_hashes(self._documents()))
        answer = self.ask(text, filters=filters)
        watch = self.watches.create(
            text, filters.as_dict() if filters else {}, batch, answer.as_dict()
        )
        return watch, answer

    def check_watches(self) -> list[Alert]:
        """Ask every watch again over the articles that arrived or changed since its last
        check; the alerts raised (each also sent to the webhook). Nothing to do, and
        nothing read, when there is no watch."""
        if not self.watches.any():
            return []
        raised: list[Alert] = []
        with self._checking:
            documents = self._documents()
            batch = self.watches.record_versions(_hashes(documents))
            languages = {doc_id: entry.language for doc_id, entry in documents.items()}
            for watch in self.watches.all():
                if watch.seen >= batch:
                    continue
                try:
                    alert = self._check(watch, batch, languages)
                except RagError as exc:  # this watch again next time; the others go on
                    log.warning("watch %s not checked: %s", watch.id, exc)
                    continue
                if alert is not None:
                    raised.append(alert)
                    if self.webhook is not None:
                        self.webhook.send(alert.as_dict())
        return raised

    def _check(self, watch: Watch, batch: int, languages: dict[str, str]) -> Alert | None:
        """Ask one watch over what arrived after its last check, up to `batch`."""
        arrived = set(self.watches.arrived_after(watch.seen))
        if not arrived:  # (no articles filter would mean all of them)
            return self.watches.checked(watch.id, batch, None)
        filters = replace(Filters.from_dict(watch.filters), articles=frozenset(arrived))
        answer = self.ask(watch.question, filters=filters)
        prior = self.settings.tuning.question_language_prior
        language = question_language(watch.question, prior_nats=prior)
        useful = relevant(answer, watch.question, language, arrived, languages, self.embed_model)
        found = judge(answer, arrived, self.watches.given(watch.id), useful)
        return self.watches.checked(watch.id, batch, found)

    def _documents(self) -> dict[str, DocEntry]:
        """The indexed articles' manifest entries (none before the first index)."""
        try:
            return read_manifest(self.settings).documents
        except RagError:
            return {}

    def _after_update(self, summary: ReindexSummary | None) -> None:
        """Check the watches after an update that brought articles; the update stands
        whatever the check meets (a database that cannot be opened, a store gone)."""
        if summary is not None and (summary.added or summary.updated):
            try:
                self.check_watches()
            except RagError as exc:
                log.warning("the watches were not checked after the update: %s", exc)

    # ------------------------------------------------------------------ saved conversations

    def conversation(self, conversation_id: str) -> Conversation:
        """A saved conversation with its messages; each citation says whether its article
        still holds the passage (`source_state`: current, changed or removed)."""
        saved = self.conversations.get(conversation_id)
        texts: dict[str, str | None] = {}

        def text_of(doc_id: str) -> str | None:
            if doc_id not in texts:
                try:
                    texts[doc_id] = self.article_text(doc_id)
                except (RagError, OSError):
                    texts[doc_id] = None
            return texts[doc_id]

        messages = tuple(
            replace(m, answer=marked_sources(m.answer, text_of)) if m.answer else m
            for m in saved.messages
        )
        return replace(saved, messages=messages)

    def converse(
        self,
        conversation_id: str,
        question: str,
        *,
        top_k: int | None = None,
        filters: Filters | None = None,
    ) -> tuple[Answer, Message]:
        """Answer a question in a saved conversation (its turns are the history) and store
        the question and the answer; the answer's stored message is returned with it."""
        text = clean_question(question, self.settings.max_question_chars)
        saved = self.conversations.get(conversation_id)
        history = [ChatMessage("user" if m.role == "user" else "assistant", m.content)
                   for m in saved.messages]  # fmt: skip
        answer = self.chat(text, history, top_k=top_k, filters=filters)
        kept = filters.as_dict() if filters is not None else None
        _, answered = self.conversations.append(conversation_id, text, answer.as_dict(), kept)
        return answer, answered

    def _in_slots(self, items: Iterator[T]) -> Iterator[T]:
        """Each step of `items` in an answer slot, none held while the caller has the item:
        a stream its reader abandons (a client that hung up) holds no slot while it waits
        to be collected."""
        while True:
            with self._slots:
                item = next(items, _DONE)
            if item is _DONE:
                return
            yield cast(T, item)
