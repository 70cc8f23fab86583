"""Background jobs in the UI: starting one, and following it from any page.

The work runs in the assistant's job thread (rag.jobs), not in the script run: a click,
a question or a reload reruns the script and would cancel work done here. The panel
polls the job as a fragment, so the rest of the page is not redrawn while it runs; when
the job finishes, its result is shown once and the whole page reruns to show the new
index.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from rag import (
    AddedArticle,
    AddReport,
    Assistant,
    Deleted,
    FeedReport,
    Job,
    RagError,
    ReindexSummary,
    byline,
)
from ui.feedback import flash
from ui.render import answer_markdown, literal_markdown
from ui.reports import feeds_message, summary_message

_SEEN = "jobs_seen"  # ids of finished jobs this session has shown (or found finished)
POLL_SECONDS = 1.0


def start(bot: Assistant, begin: Callable[[], Job], what: str) -> bool:
    """Start a job (`begin` queues it); a refusal is shown at once. True when queued."""
    try:
        job = begin()
    except RagError as exc:
        st.error(answer_markdown(str(exc)), icon=":material/block:")
        return False
    waiting = len([j for j in bot.jobs.jobs() if j.active]) - 1
    after = f" after {waiting} other job{'s' * (waiting > 1)}" if waiting > 0 else ""
    flash("info", f"{what} runs in the background{after}: you can go on asking meanwhile.")
    st.session_state.setdefault(_SEEN, set()).discard(job.id)
    return True


def _seen(bot: Assistant) -> set[str]:
    """Jobs that had finished before this session opened count as seen: a reload does not
    repeat old news."""
    if _SEEN not in st.session_state:
        st.session_state[_SEEN] = {j.id for j in bot.jobs.jobs() if not j.active}
    seen: set[str] = st.session_state[_SEEN]
    return seen


def eta_words(seconds: float | None) -> str:
    """ "about 3 min left" (pure)."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


def progress_line(job: Job) -> str:
    """ "Embedding passages and their sentences · 120/480 · about 2 min left" (pure)."""
    parts = [job.message or "Waiting for the job before it"]
    if job.total:
        parts.append(f"{job.done:,}/{job.total:,}")
    if eta := eta_words(job.eta_seconds):
        parts.append(eta)
    return " · ".join(parts)


LABELS = {"reindex": "Reindexing", "add": "Adding a page", "upload": "Adding a file",
          "delete": "Deleting an article", "feeds": "Updating the feeds"}  # fmt: skip


@st.fragment(run_every=POLL_SECONDS)
def job_panel(bot: Assistant) -> None:
    """The running job's progress; a finished one's result, once."""
    seen = _seen(bot)
    job = bot.jobs.active()
    if job is not None:
        label = LABELS.get(job.kind, job.kind)
        with st.container(border=True):
            st.markdown(f":material/progress_activity: **{label}**")
            share = job.done / job.total if job.total else 0.0
            st.progress(min(1.0, share), text=literal_markdown(progress_line(job)))
        return
    ended = [j for j in bot.jobs.jobs() if not j.active and j.id not in seen]
    if ended:
        seen.update(j.id for j in ended)
        for finished in reversed(ended):  # oldest first: the newest message stays
            flash(*job_message(finished))
        st.rerun()  # the whole page: the status, the article list and the filters change


def job_message(job: Job) -> tuple[str, str]:
    """How a finished job's result is told: (kind, Markdown)."""
    if job.state == "failed":
        label = LABELS.get(job.kind, job.kind)
        return "error", f"{label} failed: {answer_markdown(job.error or 'unknown error')}"
    result = job.result
    if isinstance(result, ReindexSummary):
        return summary_message(result)
    if isinstance(result, FeedReport):
        return feeds_message(result)
    if isinstance(result, AddedArticle):
        title, name = literal_markdown(result.title), literal_markdown(result.filename)
        return "success", f"Added *{title}* as {name}. {result.summary.line()}."
    if isinstance(result, Deleted):
        return "success", f"Deleted {literal_markdown(result.doc_id)}. {result.reindex.line()}."
    if isinstance(result, AddReport):
        return _added_message(result)
    return "success", "Done."


def _added_message(report: AddReport) -> tuple[str, str]:
    if report.notice:  # saved, but the reindex could not run
        return "warning", answer_markdown(report.notice.capitalize())
    said = {"added": "Added", "updated": "Updated", "unchanged": "Already in the corpus:"}
    lines = []
    for verb, word in said.items():
        for entry in getattr(report, verb):
            where = byline(entry.outlet, entry.date, escape=literal_markdown)
            lines.append(f"{word} *{literal_markdown(entry.title)}* ({where})")
    for refused in report.skipped:
        lines.append(f"Not added: {answer_markdown(refused.reason)}")
    if report.reindex is not None:
        lines.append(report.reindex.line() + ".")
    return ("warning" if report.skipped else "success"), "  \n".join(lines)
