"""Signals for answer confidence, per question, on the abstention split (issue 18).

Builds (or reuses) the cut XQuAD corpus of `rag eval abstention` in --root, then writes one
JSON line per question: its kind (answerable / on-topic / off-topic), article, and for
each scored sentence of the evidence its signals and whether it holds the answer. The
experiments (bench/abstention_experiments.py) read this file.

Usage: python -m bench.abstention_signals --root DIR --field question_en|question_de
           --out FILE
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from rag import Assistant, Settings
from rag.answer.engine import AnswerEngine
from rag.evaluation.abstention import OFF_TOPIC, split_for_abstention
from rag.evaluation.data import load_jsonl
from rag.index.bm25 import tokenize
from rag.index.reader import open_index
from rag.models.embedding import make_embed_model, second_encoder
from rag.search.retriever import HybridRetriever

EVAL = Settings().eval_dir / "xquad-de"


def sentence_rows(
    engine: AnswerEngine, retriever: HybridRetriever, question: str
) -> dict[str, Any]:
    """The evidence of `question` as plain numbers: every scored sentence with its
    passage's scores, its USE cosine, and the question's own terms."""
    query = engine.query(question)
    evidence = engine.evidence(query, 10, scored=5)
    passages = evidence.retrieval.passages
    side = retriever.index.side
    use_q = second_encoder().embed([question])[0]
    rows = []
    for s in evidence.sentences:
        p = passages[s.passage]
        pos = side.position[p.chunk_id]
        spans = side.sentences.chunk_spans(pos)
        vectors = np.asarray(side.sentences.chunk_vectors(pos, second=True), dtype=np.float32)
        local = (s.start - p.start, s.end - p.start)
        match = [i for i, (a, b) in enumerate(spans.tolist()) if (a, b) == local]
        use = float(vectors[match[0]] @ use_q) if match else 0.0
        rows.append(
            {
                "passage": s.passage,
                "text": s.text,
                "start": s.start,
                "score": float(s.score),
                "use": use,
                "language": p.language,
                "doc": p.doc_id,
                "p_score": float(p.score),
                "p_dense": float(p.dense),
            }
        )
    return {
        "question": question,
        "language": query.language,
        "search": query.search,
        "coverage": float(evidence.retrieval.term_coverage),
        "terms_de": tokenize(question, "de"),
        "terms_en": tokenize(question, "en"),
        "passages": [(p.doc_id, float(p.score), float(p.dense)) for p in passages],
        "sentences": rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, required=True, help="cut corpus and index (reused)")
    ap.add_argument("--field", choices=["question_en", "question_de"], required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    rows = load_jsonl(EVAL / "questions.dev.jsonl", [args.field, "doc", "paragraph"])
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((EVAL / "docs").glob("*.txt"))}
    split = split_for_abstention(texts, rows)
    corpus = args.root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name, text in split.corpus.items():
        path = corpus / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    settings = Settings(data_dir=args.root / "index", corpus_dir=corpus)
    model = make_embed_model(settings)
    Assistant(settings, embed_model=model).reindex(rebuild_mismatched=True)
    retriever = HybridRetriever(open_index(settings), model, settings.tuning, top_k=settings.top_k)
    engine = AnswerEngine(settings, retriever, model)
    kinds = [("answerable", r) for r in split.answerable]
    kinds += [("on_topic", r) for r in split.unanswerable]
    kinds += [("off_topic", r) for r in load_jsonl(OFF_TOPIC, ["question"])]
    with args.out.open("w", encoding="utf-8") as out:
        for kind, row in kinds:
            question = str(row[args.field] if kind != "off_topic" else row["question"])
            record = sentence_rows(engine, retriever, question)
            record |= {
                "kind": kind,
                "doc": row.get("doc", "off-topic"),
                "answer": row.get("answer_de", ""),
                "id": row.get("id", ""),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(kinds)} questions to {args.out}")


if __name__ == "__main__":
    main()
