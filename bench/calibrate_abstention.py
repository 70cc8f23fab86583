"""Calibrate the abstention thresholds (RAG_ABSTAIN_THRESHOLD, ..._CROSSLINGUAL).

E5 scores a question against text in another language lower than against text in its own,
so each language pair gets its own threshold: "same" (question and passage in one language)
and "cross". XQuAD's German corpus gives both: its German questions are same-language, its
English ones cross-lingual.

- Answerable: the XQuAD dev questions asked against the XQuAD corpus.
- Off-topic (unanswerable): the same questions asked against the seed corpus, plus the seed
  questions asked against the XQuAD corpus. The thresholds maximise balanced accuracy
  between these and the answerable ones.
- On-topic (unanswerable, reported, not optimised): the questions whose paragraph was cut
  out of a copy of the XQuAD corpus that keeps half of each article's paragraphs (same
  article, missing fact). The answerable questions of that copy are reported as well.

Usage: python -m bench.calibrate_abstention --xquad-index DIR --seed-index DIR
           --holes-index DIR [--n N]
(the XQuAD and seed indexes built with `rag eval retrieval --index-dir` and `rag reindex`;
the holes index is built here, into DIR, on first use; eval data is read from
RAG_EVAL_DIR, default ../shared/eval). The scores are computed with the rest of
rag.tuning.Tuning as it is: the thresholds belong to those values.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

import numpy as np

from rag import Assistant, Settings, Tuning
from rag.answer.engine import AnswerEngine
from rag.index.reader import open_index
from rag.models.embedding import make_embed_model
from rag.search.retriever import HybridRetriever

EVAL = Settings().eval_dir
XQUAD = EVAL / "xquad-de"
PAIRS = ("same", "cross")


def signals(settings: Settings, questions: list[str]) -> list[tuple[float, str]]:
    """Each question's best sentence score and the language pair of that sentence."""
    model = make_embed_model(settings)
    retriever = HybridRetriever(open_index(settings), model, settings.tuning, top_k=settings.top_k)
    engine = AnswerEngine(settings, retriever, model)
    out = []
    for q in questions:
        ev = engine.evidence(engine.query(q))
        if not ev.sentences:
            out.append((0.0, "cross"))
            continue
        best = max(ev.sentences, key=lambda s: s.score)
        passage = ev.retrieval.passages[best.passage]
        out.append((best.score, "same" if passage.language == ev.language else "cross"))
    return out


def holes_corpus(out: Path, seed: int = 0) -> set[tuple[str, int]]:
    """Write XQuAD with half of each article's paragraphs cut; return the cut ones."""
    rng = random.Random(seed)
    cut: set[tuple[str, int]] = set()
    for path in sorted((XQUAD / "docs").iterdir()):
        paragraphs = path.read_text(encoding="utf-8").split("\n\n")
        drop = set(rng.sample(range(len(paragraphs)), len(paragraphs) // 2))
        cut |= {(path.name, i) for i in drop}
        kept = [p for i, p in enumerate(paragraphs) if i not in drop]
        (out / path.name).write_text("\n\n".join(kept), encoding="utf-8")
    return cut


def by_pair(rows: list[tuple[float, str]]) -> dict[str, np.ndarray]:
    return {p: np.asarray([s for s, q in rows if q == p]) for p in PAIRS}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--xquad-index", type=Path, required=True)
    ap.add_argument("--seed-index", type=Path, required=True)
    ap.add_argument("--holes-index", type=Path, required=True)
    ap.add_argument("--n", type=int, default=0, help="questions per language (0: all)")
    args = ap.parse_args()
    rows = [json.loads(x) for x in (XQUAD / "questions.dev.jsonl").open()]
    if args.n:
        random.Random(0).shuffle(rows)
        rows = rows[: args.n]
    qs = [r["question_en"] for r in rows] + [r["question_de"] for r in rows]
    seed = [json.loads(x) for x in (EVAL / "seed-qa.dev.jsonl").open()]

    holes_settings = Settings(data_dir=args.holes_index)
    with tempfile.TemporaryDirectory() as tmp:
        cut = holes_corpus(Path(tmp))
        Assistant(holes_settings).reindex(Path(tmp))
    gone = [(r["doc"], r["paragraph"]) in cut for r in rows] * 2

    xq = Settings(data_dir=args.xquad_index)
    answerable = by_pair(signals(xq, qs))
    off_topic = by_pair(
        signals(Settings(data_dir=args.seed_index), qs) + signals(xq, [s["question"] for s in seed])
    )
    in_holes = signals(holes_settings, qs)

    on_topic = by_pair([r for r, g in zip(in_holes, gone, strict=True) if g])
    still = by_pair([r for r, g in zip(in_holes, gone, strict=True) if not g])

    for pair in PAIRS:
        p, n, o, k = answerable[pair], off_topic[pair], on_topic[pair], still[pair]
        print(
            f"{pair}-language: answerable n={len(p)} p5={np.percentile(p, 5):.3f} "
            f"p50={np.median(p):.3f}; off-topic n={len(n)} p50={np.median(n):.3f} "
            f"p95={np.percentile(n, 95):.3f}; on-topic n={len(o)} p50={np.median(o):.3f}"
        )
        best = max(
            (((p >= t).mean() + (n < t).mean()) / 2, t) for t in np.arange(0.70, 0.90, 0.0025)
        )
        current = {
            "same": Tuning().abstain_threshold,
            "cross": Tuning().abstain_threshold_crosslingual,
        }[pair]
        for t in sorted({current, 0.80, round(float(best[1]), 4)}):
            print(
                f"  {t:.4f}{' (best)' if t == round(float(best[1]), 4) else ''}"
                f"{' (current)' if t == current else ''}: "
                f"answerable kept {(p >= t).mean():.3f} (holes copy {(k >= t).mean():.3f}), "
                f"off-topic refused {(n < t).mean():.3f}, on-topic refused {(o < t).mean():.3f}"
            )


if __name__ == "__main__":
    main()
