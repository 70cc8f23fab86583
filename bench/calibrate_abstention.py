"""Calibrate the abstention threshold (RAG_ABSTAIN_THRESHOLD) on held-apart data.

Answerable: XQuAD dev questions (English and German) asked against the XQuAD corpus.
Unanswerable: the same questions asked against the seed corpus, which cannot answer them,
plus the seed questions asked against the XQuAD corpus.
Prints the score distributions and the threshold that maximises balanced accuracy.

Usage: python bench/calibrate_abstention.py --xquad-index DIR --seed-index DIR [--n 100]
(both indexes built with `rag reindex`; the eval data is read from ../shared/eval).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from rag import Assistant, Settings

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def signals(assistant: Assistant, questions: list[str]) -> np.ndarray:
    engine, _ = assistant._current()
    rows = []
    for q in questions:
        ev = engine.evidence(q)
        rows.append((ev.best_sentence, ev.best_passage))
    return np.asarray(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--xquad-index", type=Path, required=True)
    ap.add_argument("--seed-index", type=Path, required=True)
    ap.add_argument("--n", type=int, default=100, help="questions per language")
    args = ap.parse_args()
    rows = [json.loads(x) for x in (EVAL / "xquad-de" / "questions.dev.jsonl").open()]
    random.Random(0).shuffle(rows)
    qs = [r["question_en"] for r in rows[: args.n]] + [r["question_de"] for r in rows[: args.n]]
    seed = [json.loads(x) for x in (EVAL / "seed-qa.dev.jsonl").open()]
    xq = Assistant(Settings(data_dir=args.xquad_index))
    sd = Assistant(Settings(data_dir=args.seed_index))
    pos = signals(xq, qs)
    neg = np.vstack([signals(sd, qs), signals(xq, [s["question"] for s in seed])])
    for col, name in enumerate(["best sentence", "best passage"]):
        p, n = pos[:, col], neg[:, col]
        print(
            f"{name}: answerable p5={np.percentile(p, 5):.3f} p50={np.median(p):.3f}; "
            f"unanswerable p50={np.median(n):.3f} p95={np.percentile(n, 95):.3f}"
        )
        best = max(
            (((p >= t).mean() + (n < t).mean()) / 2, t) for t in np.arange(0.70, 0.90, 0.0025)
        )
        t = best[1]
        print(
            f"  best threshold {t:.4f}: balanced accuracy {best[0]:.3f}, "
            f"answerable kept {(p >= t).mean():.3f}, unanswerable refused {(n < t).mean():.3f}"
        )


if __name__ == "__main__":
    main()
