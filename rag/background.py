"""The index-writing work of an `Assistant` as background jobs (rag.jobs): what the UI
and the HTTP API start, so that a rerun or a client hanging up never cancels it.

Each method checks what it can at once (an unknown article, an oversized upload) and
raises, so a caller can refuse a request before a job is queued; the rest of the work,
and its errors, belong to the job. The CLI does its work in the foreground instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.add import AddedArticle, AddReport, file_draft, is_url
from ingest.feeds import FeedReport, due_feeds
from ingest.progress import Progress
from ingest.reindex import ReindexSummary, exclusive
from rag.errors import ArticleError, JobsBusyError, RagError
from rag.jobs import Job, JobRunner, Report, Work
from rag.text.urls import url_problem

if TYPE_CHECKING:
    from rag.api import Assistant

log = logging.getLogger(__name__)
EMBEDDING = "Embedding passages and their sentences"
LOOK_EVERY = 60.0  # seconds between looks for due feeds (a failed feed's back-off ends)
WAITING = 8  # jobs queued at most: a crowd of requests may not pile up work without end


@dataclass(frozen=True)
class Deleted:
    """The result of deleting an article: its id and the reindex that took it out."""

    doc_id: str
    reindex: ReindexSummary

    def as_dict(self) -> dict[str, Any]:
        return {"deleted": self.doc_id, "reindex": self.reindex.as_dict()}


@dataclass(frozen=True)
class Checked:
    """The result of checking the watches: the alerts raised."""

    alerts: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"alerts": self.alerts}


def embedding(report: Report) -> Progress:
    """The reindex's progress (texts embedded of texts to embed) as a job's report."""
    return lambda done, total: report(done, total, EMBEDDING)


class Background:
    """Starts an assistant's reindex, adds, deletes and feed updates as jobs, one at a
    time, and looks them up."""

    def __init__(self, assistant: Assistant, runner: JobRunner | None = None) -> None:
        self.assistant = assistant
        self.runner = runner or JobRunner()
        self._schedule: threading.Thread | None = None
        self._stop = threading.Event()

    def get(self, job_id: str) -> Job | None:
        return self.runner.get(job_id)

    def jobs(self) -> list[Job]:
        """The jobs kept, newest first."""
        return self.runner.jobs()

    def active(self) -> Job | None:
        """The job running now (or the next to run), if any."""
        return self.runner.active()

    def _submit(self, kind: str, work: Work) -> Job:
        """Queue `work`, unless too much waits already (JobsBusyError) or another process
        holds the index's lock while no job of ours runs (ReindexBusyError, at once rather
        than as a failed job)."""
        waiting = [j for j in self.runner.jobs() if j.active]
        if len(waiting) >= WAITING:
            raise JobsBusyError(
                f"{len(waiting)} jobs are waiting already: try again when some have finished"
            )
        if not waiting:
            with exclusive(self.assistant.settings):
                pass
        return self.runner.submit(kind, work)

    def reindex(self) -> Job:
        """Bring the index in line with the corpus folder."""

        def work(report: Report) -> ReindexSummary:
            report(0, 0, "Reading the corpus")
            return self.assistant.reindex(progress=embedding(report))

        return self._submit("reindex", work)

    def add(self, urls: Sequence[str]) -> Job:
        """Fetch pages by URL into the corpus and index them (never local files). A job
        whose every page was refused fails with the reasons."""
        links = [u.strip() for u in urls]
        for link in links:
            problem = url_problem(link) if is_url(link) else "only http(s) links can be added here"
            if problem:  # the same words whether or not a file of that name exists
                raise ArticleError(f"not added: {problem}")

        def work(report: Report) -> AddReport:
            report(0, 0, "Fetching " + ", ".join(links))
            added = self.assistant.add(links, progress=embedding(report))
            if added.skipped and not (added.added or added.updated or added.unchanged):
                why = "; ".join(str(getattr(r, "reason", r)) for r in added.skipped)
                raise ArticleError(f"not added: {why}")
            return added

        return self._submit("add", work)

    def upload(self, name: str, data: bytes) -> Job:
        """Save a .md, .txt or .html file into the corpus and index it."""
        # refused at once when it is no article: a bad name, too large, no text
        file_draft(name, data, max_bytes=self.assistant.settings.max_article_bytes)

        def work(report: Report) -> AddedArticle:
            report(0, 0, f"Checking {name}")
            return self.assistant.add_article(name, data, progress=embedding(report))

        return self._submit("upload", work)

    def delete(self, doc_id: str) -> Job:
        """Delete an article from the corpus and the index (UnknownArticleError at once
        for an id the index does not hold)."""
        self.assistant.article_text(doc_id)  # raises for an unknown article

        def work(report: Report) -> Deleted:
            report(0, 0, f"Deleting {doc_id}")
            return Deleted(doc_id, self.assistant.remove_article(doc_id))

        return self._submit("delete", work)

    def update_feeds(self, *, due_only: bool = False) -> Job:
        """Add every feed's new entries (with `due_only`, the due feeds'), then reindex."""

        def work(report: Report) -> FeedReport:
            report(0, 0, "Fetching the feeds")
            return self.assistant.update_feeds(progress=embedding(report), due_only=due_only)

        return self._submit("feeds", work)

    def check_watches(self) -> Job:
        """Ask every watch over the articles that arrived since its last check."""

        def work(report: Report) -> Checked:
            report(0, 0, "Checking the watches")
            return Checked([a.as_dict() for a in self.assistant.check_watches()])

        return self._submit("watches", work)

    # ------------------------------------------------------------------ the feed schedule

    def feeds_due(self, now: dt.datetime | None = None) -> Job | None:
        """Queue an update of the feeds that are due at `now`, unless none is, or an
        update is queued or running already; the job, or None."""
        if any(j.kind == "feeds" and j.active for j in self.runner.jobs()):
            return None
        moment = now or dt.datetime.now(dt.timezone.utc)
        if not due_feeds(self.assistant.settings, moment):
            return None
        try:
            return self.update_feeds(due_only=True)
        except RagError as exc:  # busy: the next look tries again
            log.info("feeds not updated now: %s", exc)
            return None

    def schedule_feeds(self, every_minutes: float) -> bool:
        """Update the due feeds from now on, every `every_minutes` (each feed's own next
        update decides), on a daemon thread; False when it is off (0) or running already."""
        if every_minutes <= 0 or self._schedule is not None:
            return False
        look = min(LOOK_EVERY, every_minutes * 60)
        self._stop.clear()

        def run() -> None:
            while True:
                try:
                    self.feeds_due()
                except Exception:  # the schedule must outlive any one bad look
                    log.exception("the feed schedule failed to look for due feeds")
                if self._stop.wait(look):
                    return

        self._schedule = threading.Thread(target=run, name="rag-feeds", daemon=True)
        self._schedule.start()
        return True

    def stop_schedule(self) -> None:
        """End the feed schedule (a running update finishes as a job)."""
        self._stop.set()
        if self._schedule is not None:
            self._schedule.join(timeout=10)
        self._schedule = None
