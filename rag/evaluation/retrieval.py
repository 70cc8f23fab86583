"""Retrieval quality on XQuAD-style data: hit ranks, Recall@n, MRR (pure), and the run."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.api import Assistant
from rag.config import Settings
from rag.evaluation.data import load_jsonl


def covers(start: int, end: int, answer_start: int, answer_end: int) -> bool:
    """Whether a chunk's range [start, end) holds the whole answer span."""
    return start <= answer_start and answer_end <= end


def hit_rank(
    retrieved: Sequence[tuple[str, int, int]], doc: str, answer_start: int, answer_end: int
) -> int | None:
    """1-based rank of the first retrieved (doc_id, start, end) that covers the answer."""
    for rank, (doc_id, start, end) in enumerate(retrieved, 1):
        if doc_id == doc and covers(start, end, answer_start, answer_end):
            return rank
    return None


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else 0.0


def retrieval_metrics(
    ranks: Sequence[int | None], latencies_ms: Sequence[float] = (), *, k: int = 10
) -> dict[str, float | int]:
    """Recall@1/5/10 (hits within the first n ranks), MRR@k and latency percentiles."""
    n = len(ranks)

    def recall(cut: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= cut) / n if n else 0.0

    mrr = sum(1.0 / r for r in ranks if r is not None and r <= k) / n if n else 0.0
    return {
        "recall@1": round(recall(1), 4),
        "recall@5": round(recall(5), 4),
        "recall@10": round(recall(10), 4),
        f"mrr@{k}": round(mrr, 4),
        "n": n,
        "p50_ms": round(percentile(latencies_ms, 50), 2),
        "p95_ms": round(percentile(latencies_ms, 95), 2),
    }


def prepare_index(
    assistant: Assistant, docs: Path, progress: Callable[[int, int], None] | None = None
) -> None:
    """Index `docs` with the normal reindex (a no-op when current). An index built with
    another embedding model or store is rebuilt, so a reused --index-dir always works;
    other chunk settings need nothing here: the reindex re-cuts those articles itself."""
    assistant.reindex(docs, rebuild_mismatched=True, progress=progress)


def evaluate_retrieval(
    settings: Settings,
    docs: Path,
    questions: Path,
    field: str,
    *,
    k: int = 10,
    index_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, float | int]:
    """Index `docs` (into `index_dir`, else a temporary folder) and score every question."""
    rows = load_jsonl(questions, [field, "doc", "answer_start", "answer_end"])
    if index_dir is not None:
        return _run_retrieval(settings, docs, rows, field, k, index_dir, progress)
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        return _run_retrieval(settings, docs, rows, field, k, Path(tmp), progress)


def _run_retrieval(
    settings: Settings,
    docs: Path,
    rows: list[dict[str, Any]],
    field: str,
    k: int,
    index_dir: Path,
    progress: Callable[[int, int], None] | None,
) -> dict[str, float | int]:
    local = settings.model_copy(update={"data_dir": index_dir, "corpus_dir": docs})
    assistant = Assistant(local)
    prepare_index(assistant, docs, progress)
    assistant.search("warm-up")  # model load and first-query costs are not latency
    ranks: list[int | None] = []
    latencies: list[float] = []
    for row in rows:
        began = time.perf_counter()
        passages = assistant.search(str(row[field]), top_k=k)
        latencies.append((time.perf_counter() - began) * 1000)
        found = [(p.doc_id, p.start, p.end) for p in passages]
        ranks.append(hit_rank(found, row["doc"], int(row["answer_start"]), int(row["answer_end"])))
    return retrieval_metrics(ranks, latencies, k=k)
