"""Background jobs: one at a time, in order, with progress, results and errors kept."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from rag.errors import ArticleError
from rag.jobs import JobRunner, Report, time_left


class Done:
    """A work's report, as a reindex's summary would be."""

    def __init__(self, **fields: Any) -> None:
        self.fields = fields

    def as_dict(self) -> dict[str, Any]:
        return dict(self.fields)


def test_jobs_run_in_order_one_at_a_time_with_their_results() -> None:
    runner = JobRunner()
    gate = threading.Event()
    running: list[str] = []

    def work(name: str) -> Any:
        def run(report: Report) -> Done:
            running.append(name)
            assert len(running) == 1 or running[-2] == chr(ord(name) - 1)
            gate.wait(10)
            report(1, 1, f"Working on {name}")
            return Done(name=name)

        return run

    jobs = [runner.submit("reindex", work(name)) for name in "abc"]
    assert all(j.state == "queued" for j in jobs)
    assert runner.active() is not None
    gate.set()
    finished = [runner.wait(j.id, 10) for j in jobs]
    assert [(j.state, j.as_dict()["result"]) for j in finished if j] == [
        ("done", {"name": "a"}), ("done", {"name": "b"}), ("done", {"name": "c"})
    ]  # fmt: skip
    assert running == ["a", "b", "c"]
    assert runner.active() is None
    assert [j.id for j in runner.jobs()] == [j.id for j in reversed(jobs)], "newest first"
    done = finished[0]
    assert done is not None and done.started and done.finished and done.message == "Done"


def test_progress_and_the_time_left_are_seen_while_a_job_runs() -> None:
    runner = JobRunner()
    halfway, carry_on = threading.Event(), threading.Event()

    def work(report: Report) -> Done:
        report(0, 10, "Embedding passages and their sentences")
        report(5, 10, "Embedding passages and their sentences")
        halfway.set()
        carry_on.wait(10)
        return Done()

    job = runner.submit("reindex", work)
    assert halfway.wait(10)
    seen = runner.get(job.id)
    assert seen is not None and seen.state == "running"
    assert (seen.done, seen.total) == (5, 10) and seen.message.startswith("Embedding")
    assert seen.eta_seconds is not None and seen.eta_seconds >= 0
    carry_on.set()
    assert (finished := runner.wait(job.id, 10)) is not None and finished.state == "done"


def test_a_failing_job_keeps_its_error_and_the_next_one_still_runs() -> None:
    runner = JobRunner()

    def refused(_report: Report) -> Done:
        raise ArticleError("not added: the page has no article text")

    def broken(_report: Report) -> Done:
        raise KeyError("oops")

    first, second = runner.submit("add", refused), runner.submit("add", broken)
    third = runner.submit("reindex", lambda _r: Done(ok=True))
    failed = runner.wait(first.id, 10)
    assert failed is not None and failed.state == "failed"
    assert failed.error == "not added: the page has no article text"
    crashed = runner.wait(second.id, 10)
    assert crashed is not None and crashed.state == "failed" and "KeyError" in (crashed.error or "")
    last = runner.wait(third.id, 10)
    assert last is not None and last.state == "done" and last.as_dict()["result"] == {"ok": True}


def test_only_the_newest_finished_jobs_are_kept() -> None:
    runner = JobRunner(history=3)
    jobs = [runner.submit("reindex", lambda _r: Done()) for _ in range(6)]
    runner.wait(jobs[-1].id, 10)
    assert [j.id for j in runner.jobs()] == [j.id for j in reversed(jobs[-3:])]
    assert runner.get(jobs[0].id) is None


def test_a_job_snapshot_serialises_every_field() -> None:
    runner = JobRunner()
    job = runner.submit("delete", lambda _r: Done(deleted="a.md"))
    finished = runner.wait(job.id, 10)
    assert finished is not None
    data = finished.as_dict()
    assert set(data) >= {"id", "kind", "state", "done", "total", "message", "result", "error",
                         "started", "finished"}  # fmt: skip
    assert data["kind"] == "delete" and data["result"] == {"deleted": "a.md"}


@pytest.mark.parametrize(
    ("done", "total", "elapsed", "left"),
    [(0, 10, 5.0, None), (5, 10, 10.0, 10.0), (10, 10, 3.0, 0.0), (0, 0, 1.0, None)],
)
def test_time_left_is_the_pace_so_far(
    done: int, total: int, elapsed: float, left: float | None
) -> None:
    assert time_left(done, total, elapsed) == left
