"""Sentence vectors stored as float16 (today) or int8 (one scale per vector): MRR@10 on the
XQuAD-de dev split with each, the retriever otherwise unchanged (issue 28: int8 is kept
only within 0.003 MRR@10 of float16).

int8 is simulated: each stored float16 vector is quantised (symmetric, scale = max |x| /
127) and read back, which is what a search over int8 rows with their scales computes.

Usage: python -m bench.vector_precision --index DIR [--write]
(DIR: an XQuAD-de index, e.g. from `rag eval retrieval --index-dir DIR`).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

import numpy as np

from bench.report import machine, write_section
from rag import Settings
from rag.evaluation.retrieval import hit_rank, retrieval_metrics
from rag.index.reader import IndexSnapshot, open_index
from rag.models.embedding import make_embed_model
from rag.search.retriever import HybridRetriever

EVAL = Settings().eval_dir / "xquad-de"


def int8_round_trip(vectors: np.ndarray) -> np.ndarray:
    """Vectors as int8 with one float scale each, read back as float16 (pure)."""
    rows = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(rows).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    return (np.round(rows / scale).astype(np.int8) * scale).astype(np.float16)


def mrr(snapshot: IndexSnapshot, settings: Settings, model: Any, field: str) -> float:
    retriever = HybridRetriever(snapshot, model, settings.tuning, top_k=10)
    rows = [json.loads(x) for x in (EVAL / "questions.dev.jsonl").open()]
    ranks = []
    for row in rows:
        passages = retriever.search(str(row[field]), 10).passages
        found = [(p.doc_id, p.start, p.end) for p in passages]
        ranks.append(hit_rank(found, row["doc"], int(row["answer_start"]), int(row["answer_end"])))
    return float(retrieval_metrics(ranks, [0.0], k=10)["mrr@10"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    settings = Settings(data_dir=args.index)
    model = make_embed_model(settings)
    snapshot = open_index(settings)
    sentences = snapshot.side.sentences
    quantised = replace(
        sentences,
        vectors=int8_round_trip(np.asarray(sentences.vectors)),
        second=int8_round_trip(np.asarray(sentences.second)),
    )
    results: dict[str, dict[str, float]] = {}
    for name, stored in (("float16", sentences), ("int8", quantised)):
        snapshot.side.sentences = stored
        results[name] = {
            f: mrr(snapshot, settings, model, f) for f in ("question_en", "question_de")
        }
        print(name, results[name], flush=True)
    if args.write:
        rows = "".join(
            f"| {name} | {r['question_en']:.4f} | {r['question_de']:.4f} |\n"
            for name, r in results.items()
        )
        write_section(
            "Sentence vectors: float16 against int8 (issue 28)",
            f"Machine: {machine()}. `python -m bench.vector_precision --index DIR --write` "
            "(XQuAD-de dev split, 612 questions per language; int8 with one scale per "
            "vector, read back for scoring).\n\n| stored as | MRR@10 en | MRR@10 de |\n"
            f"|---|---|---|\n{rows}",
        )


if __name__ == "__main__":
    main()
