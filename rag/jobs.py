"""Background jobs: the work that writes the index (reindex, add, delete, feed updates),
run one at a time on a thread of their own, away from the UI's script runs and the HTTP
request threads that started them.

A Streamlit rerun stops the script that started a piece of work, and an HTTP client may
hang up: neither may cancel a reindex half-way. A job's state is kept here with its
progress, so any page, a reload or another request can ask how it is going. Questions
are answered from the current index meanwhile (the index is swapped at commit).
Another process's writer is kept out by the index's own lock.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from rag.errors import RagError

log = logging.getLogger(__name__)

State = Literal["queued", "running", "done", "failed"]


class Result(Protocol):
    """What a job's work returns: a report with its JSON form (ReindexSummary, AddReport…)."""

    def as_dict(self) -> dict[str, Any]: ...


# What a job's work is handed: report(done, total, message); total 0 = not known yet.
Report = Callable[[int, int, str], None]
Work = Callable[[Report], Result]
HISTORY = 20  # finished jobs kept to be looked up


@dataclass(frozen=True)
class Job:
    """A snapshot of one job (copies: the runner's own record moves on)."""

    id: str
    kind: str  # "reindex", "add", "upload", "delete", "feeds", "watches"
    state: State = "queued"
    done: int = 0
    total: int = 0
    message: str = ""  # what is being done ("Embedding passages and sentences")
    result: Result | None = None  # the work's own report: the UI words it, the API sends as_dict
    error: str | None = None
    created: str = ""  # ISO, UTC
    started: str | None = None
    finished: str | None = None
    eta_seconds: float | None = None  # the time left, from the pace so far

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "message": self.message,
            "result": self.result.as_dict() if self.result is not None else None,
            "error": self.error,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "eta_seconds": self.eta_seconds,
        }


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def time_left(done: int, total: int, elapsed: float) -> float | None:
    """Seconds left at the pace so far, or None before there is a pace (pure)."""
    if total <= 0:
        return None
    if done >= total:
        return 0.0
    if done <= 0 or elapsed <= 0:
        return None
    return elapsed / done * (total - done)


@dataclass
class _Phase:
    """The step a job reports on: each has its own pace ("Fetching", then "Embedding")."""

    message: str = ""
    since: float = 0.0
    start: int = 0


class JobRunner:
    """Runs submitted work one job at a time, in order, on one daemon thread.

    `submit` returns at once with the queued job; `get` and `jobs` give snapshots. The
    thread starts with the first job and lives as long as the process: it belongs to no
    script run or request."""

    def __init__(self, history: int = HISTORY) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._order: deque[str] = deque()
        self._history = history
        self._queue: queue.Queue[tuple[str, Work]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self._prefix = f"{int(time.time()):x}"  # ids stay unique across restarts
        self._idle = threading.Condition(self._lock)

    def submit(self, kind: str, work: Work) -> Job:
        """Queue `work` (it gets a report callback and returns the job's result)."""
        with self._lock:
            job = Job(f"{self._prefix}-{next(self._ids)}", kind, created=_now())
            self._jobs[job.id] = job
            self._order.append(job.id)
            self._forget_old()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="rag-jobs", daemon=True)
                self._thread.start()
        self._queue.put((job.id, work))
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """Every job kept, the newest first."""
        with self._lock:
            return [self._jobs[i] for i in reversed(self._order)]

    def active(self) -> Job | None:
        """The running job, else the first queued one, else None."""
        with self._lock:
            waiting = [self._jobs[i] for i in self._order if self._jobs[i].active]
        running = [j for j in waiting if j.state == "running"]
        return next(iter(running or waiting), None)

    def wait(self, job_id: str, timeout: float | None = None) -> Job | None:
        """Block until the job has finished (or `timeout` passed); its last snapshot."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while (job := self._jobs.get(job_id)) is not None and job.active:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._idle.wait(left)
            return self._jobs.get(job_id)

    # ------------------------------------------------------------------ the thread

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            if job_id in self._jobs:
                self._jobs[job_id] = replace(self._jobs[job_id], **changes)
                self._idle.notify_all()

    def _forget_old(self) -> None:
        """Keep the newest `history` finished jobs (active ones are never dropped)."""
        finished = [i for i in self._order if not self._jobs[i].active]
        for job_id in finished[: max(0, len(finished) - self._history)]:
            self._order.remove(job_id)
            del self._jobs[job_id]

    def _serve(self) -> None:
        while True:
            job_id, work = self._queue.get()
            self._run(job_id, work)

    def _run(self, job_id: str, work: Work) -> None:
        phase = _Phase(since=time.monotonic())
        self._update(job_id, state="running", started=_now(), message="Starting…")

        def report(done: int, total: int, message: str) -> None:
            if message != phase.message:
                phase.message, phase.since, phase.start = message, time.monotonic(), done
            elapsed = time.monotonic() - phase.since
            left = time_left(done - phase.start, total - phase.start, elapsed)
            self._update(job_id, done=done, total=total, message=message, eta_seconds=left)

        try:
            result = work(report)
        except RagError as exc:
            self._update(job_id, state="failed", error=str(exc), finished=_now(), eta_seconds=None)
        except Exception as exc:  # a job must never take the runner down with it
            log.exception("job %s failed", job_id)
            error = f"internal error: {type(exc).__name__}: {exc}"
            self._update(job_id, state="failed", error=error, finished=_now(), eta_seconds=None)
        else:
            self._update(
                job_id,
                state="done",
                result=result,
                finished=_now(),
                eta_seconds=0.0,
                message="Done",
            )
        with self._lock:
            self._forget_old()
