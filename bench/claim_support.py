"""Calibrate the claim check of generated answers (issue 19): how similar a claim is to the
passage sentence that states it, against the best sentence of the other passages.

A claim is written from each XQuAD dev question and its English answer ("Who lost to the
Broncos in the divisional round? The Pittsburgh Steelers."), as a model would state it in
English, and in German from the German question and answer. Its positive sentence is the
sentence of its own paragraph that holds the German answer; its negatives are the best
sentences (by the same similarity) of the other passages retrieved for the question. The
similarity is the one the answer path uses: e5 vectors of claim and sentence, both
embedded as text, so it does not depend on the question.

Usage: python -m bench.claim_support --index-dir DIR [--write]
  (DIR: the index of the whole XQuAD-de corpus that `rag eval retrieval --index-dir DIR`
  leaves)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bench.report import machine, write_section
from rag import Settings
from rag.evaluation.data import load_jsonl
from rag.index.reader import open_index
from rag.models.embedding import make_embed_model
from rag.search.retriever import HybridRetriever

EVAL = Settings().eval_dir / "xquad-de"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    settings = Settings(data_dir=args.index_dir, corpus_dir=EVAL / "docs")
    model = make_embed_model(settings)
    retriever = HybridRetriever(open_index(settings), model, settings.tuning, top_k=5)
    rows = load_jsonl(
        EVAL / "questions.dev.jsonl",
        ["doc", "question_en", "question_de", "answer_en", "answer_de", "answer_start"],
    )
    results: dict[str, tuple[list[float], list[float]]] = {}
    for lang in ("en", "de"):
        positives, negatives = [], []
        claims = [
            f"{r['question_' + lang]} {r['answer_' + lang]}." for r in rows
        ]  # a claim that restates question and answer
        vectors = np.asarray(model.get_text_embedding_batch(claims), dtype=np.float32)
        for row, vector in zip(rows, vectors, strict=True):
            found = retriever.search(str(row["question_" + lang]), 5)
            best_own, best_other = None, -1.0
            answer_at = int(row["answer_start"])
            for passage in found.passages:
                stored = retriever.sentence_vectors(passage)
                if stored is None:
                    continue
                spans, sentence_vectors = stored
                sims = np.asarray(sentence_vectors, dtype=np.float32) @ vector
                gold = passage.doc_id == row["doc"] and passage.start <= answer_at < passage.end
                for (a, b), sim in zip(spans.tolist(), sims.tolist(), strict=True):
                    if not gold:
                        best_other = max(best_other, sim)
                    elif passage.start + a <= answer_at < passage.start + b:
                        best_own = sim
            if best_own is not None:
                positives.append(best_own)
                negatives.append(best_other)
        results[lang] = (positives, negatives)
    lines = [
        f"Machine: {machine()}. `python -m bench.claim_support --index-dir DIR --write`.",
        "",
        "| claims | n | stating sentence p10 / p50 | best other sentence p50 / p90 | "
        "threshold | kept / rejected |",
        "|---|---|---|---|---|---|",
    ]
    grid = np.arange(0.80, 0.95, 0.0025)
    for lang, (pos, neg) in results.items():
        p, n = np.asarray(pos), np.asarray(neg)
        scores = [((p >= t).mean() + (n < t).mean()) / 2 for t in grid]
        t = float(grid[int(np.argmax(scores))])
        lines.append(
            f"| {lang} | {len(p)} | {np.percentile(p, 10):.3f} / {np.percentile(p, 50):.3f} | "
            f"{np.percentile(n, 50):.3f} / {np.percentile(n, 90):.3f} | {t:.3f} | "
            f"{(p >= t).mean():.3f} / {(n < t).mean():.3f} |"
        )
    lines += [
        "",
        "Claims are written from each dev question and its answer (question, then answer), "
        "in English and in German; the stating sentence is the one of the gold passage that "
        "holds the German answer, the others are the best sentences of the other four "
        "retrieved passages. The threshold maximises the mean of kept and rejected. So about "
        "one true English claim in four falls below it and is listed as unsupported; an "
        "answer is replaced by the extractive one only when most of its statements are, and "
        "a sentence must also hold the claim's figures (`figures_agree`), which similarity "
        "alone does not see.",
    ]
    print("\n".join(lines))
    if args.write:
        write_section("Claim support (issue 19)", "\n".join(lines))


if __name__ == "__main__":
    main()
