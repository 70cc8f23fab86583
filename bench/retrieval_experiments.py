"""Retrieval experiments on XQuAD-de without re-embedding: fusion variants in numpy.

Loads the chunk vectors and the BM25 index of an index built by
`rag eval retrieval --index-dir DIR`, embeds the dev questions once (cached in DIR), and
scores variants of the ranking function exactly as `rag.retrieval` would (candidate union
of the top `candidate_k` of each retriever, min-max fusion over the union).

Usage: python bench/retrieval_experiments.py --index-dir DIR
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.evaluation import hit_rank, retrieval_metrics
from rag.lexical import LexicalIndex
from rag.manifest import load_manifest
from rag.models import make_embed_model
from rag.sentence_vectors import sentence_spans
from rag.store import ChunkStore

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "xquad-de"
FIELDS = ("question_en", "question_de")


def load(index_dir: Path) -> dict:
    settings = Settings(data_dir=index_dir)
    store = ChunkStore(settings)
    manifest = load_manifest(settings.manifest_path)
    if manifest is None or manifest.lexical_dir is None:
        raise SystemExit(f"no index in {index_dir}: run `rag eval retrieval --index-dir` first")
    lexical = LexicalIndex.load(settings.bm25_dir / manifest.lexical_dir)
    ids = lexical.ids
    vecs = store.embeddings(ids)
    recs = store.get(ids)
    rows = [json.loads(x) for x in (EVAL / "questions.dev.jsonl").open()]
    cache = index_dir / "questions.npz"
    if cache.exists():
        q = dict(np.load(cache))
    else:
        model = make_embed_model(settings)
        q = {f: np.asarray([model.get_query_embedding(r[f]) for r in rows]) for f in FIELDS}
        np.savez(cache, **q)
    lex = {
        f: [lexical.scores(r[f]) for r in rows] for f in FIELDS
    }  # (scores, coverage) per question
    return {
        "ids": ids,
        "spans": [
            (str(recs[c][1]["doc_id"]), int(recs[c][1]["start_char"]), int(recs[c][1]["end_char"]))
            for c in ids
        ],
        "texts": [recs[c][0] for c in ids],
        "C": np.stack([vecs[c] for c in ids]),
        "rows": rows,
        "q": q,
        "lex": lex,
    }


def minmax(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    if mask.any():
        lo, hi = x[mask].min(), x[mask].max()
        if hi - lo > 1e-12:
            out[mask] = (x[mask] - lo) / (hi - lo)
    return out


def candidates(dense: np.ndarray, lex: np.ndarray, k: int = 30) -> np.ndarray:
    mask = np.zeros(len(dense), dtype=bool)
    mask[np.argsort(-dense)[:k]] = True
    top = np.argsort(-lex)[:k]
    mask[top[lex[top] > 0]] = True
    return mask


Scorer = Callable[[np.ndarray, np.ndarray, float, np.ndarray], np.ndarray]


def evaluate(data: dict, field: str, scorer: Scorer) -> dict:
    ranks = []
    for i, row in enumerate(data["rows"]):
        qv = data["q"][field][i]
        dense = data["C"] @ qv
        lex, cov = data["lex"][field][i]
        score = scorer(dense, lex, cov, qv)
        order = np.argsort(-score, kind="stable")[:10]
        found = [data["spans"][j] for j in order]
        ranks.append(hit_rank(found, row["doc"], row["answer_start"], row["answer_end"]))
    m = retrieval_metrics(ranks)
    return {k: m[k] for k in ("recall@1", "recall@5", "mrr@10")}


def weighted(w_of_cov: Callable[[float], float]) -> Scorer:
    def score(dense: np.ndarray, lex: np.ndarray, cov: float, qv: np.ndarray) -> np.ndarray:
        mask = candidates(dense, lex)
        w = w_of_cov(cov)
        s = w * minmax(dense, mask) + (1 - w) * minmax(lex, mask)
        return np.where(mask, s, -1.0)

    return score


def _cov2(c: float) -> float:
    return 1 - 0.3 * c**2


def prf(beta: float, m: int) -> Scorer:
    base = weighted(_cov2)

    def score(dense: np.ndarray, lex: np.ndarray, cov: float, qv: np.ndarray) -> np.ndarray:
        first = base(dense, lex, cov, qv)
        top = np.argsort(-first)[:m]
        q2 = qv + beta * DATA["C"][top].mean(axis=0)
        q2 /= np.linalg.norm(q2)
        return base(DATA["C"] @ q2, lex, cov, q2)

    return score


def sentence_max(
    V: np.ndarray,
    owner: np.ndarray,
    a: float,
    chunks: np.ndarray | None = None,
    w_of_cov: Callable[[float], float] = _cov2,
) -> Scorer:
    base = weighted(w_of_cov)
    n = len(DATA["ids"])

    def score(dense: np.ndarray, lex: np.ndarray, cov: float, qv: np.ndarray) -> np.ndarray:
        best = np.full(n, -1.0, dtype=np.float32)
        np.maximum.at(best, owner, V @ qv)
        if chunks is not None:
            dense = chunks @ qv
        return base(a * dense + (1 - a) * best, lex, cov, qv)

    return score


def with_sparse(sp: dict, ws: float) -> Scorer:
    base = weighted(_cov2)
    S = sp["S"]
    state = {"i": 0}

    def score(dense: np.ndarray, lex: np.ndarray, cov: float, qv: np.ndarray) -> np.ndarray:
        i = state["i"]
        state["i"] += 1
        q = sp["QE"] if i < len(DATA["rows"]) else sp["QD"]
        s = S @ q[i % len(DATA["rows"])]
        first = base(dense, lex, cov, qv)
        mask = first > -1
        return np.where(mask, first + ws * minmax(s, mask), -1.0)

    return score


DATA: dict = {}


def window_vectors(V: np.ndarray, owner: np.ndarray, before: int, after: int) -> np.ndarray:
    """Each sentence's vector averaged with its neighbours in the same chunk."""
    out = np.zeros_like(V, dtype=np.float32)
    for i in range(len(V)):
        lo, hi = i, i
        while lo > 0 and i - lo < before and owner[lo - 1] == owner[i]:
            lo -= 1
        while hi + 1 < len(V) and hi - i < after and owner[hi + 1] == owner[i]:
            hi += 1
        v = V[lo : hi + 1].astype(np.float32).sum(axis=0)
        out[i] = v / np.linalg.norm(v)
    return out


def second_encoder(
    sent: dict, use: dict, u: float, u_of_cov: Callable[[float], float] | None = None
) -> Scorer:
    base = weighted(lambda c: 1 - 0.2 * c**2)
    owner, n = sent["owner"], len(DATA["ids"])
    state = {"i": 0}

    def mix(C: np.ndarray, S: np.ndarray, q: np.ndarray) -> np.ndarray:
        best = np.full(n, -1.0, dtype=np.float32)
        np.maximum.at(best, owner, S @ q)
        return best if C is None else (1 - SHARE[0]) * (C @ q) + SHARE[0] * best

    def score(dense: np.ndarray, lex: np.ndarray, cov: float, qv: np.ndarray) -> np.ndarray:
        i = state["i"]
        state["i"] += 1
        nq = len(DATA["rows"])
        uq = use["QE" if i < nq else "QD"][i % nq]
        e5 = mix(DATA["C"], sent["V"], qv)
        w = u_of_cov(cov) if u_of_cov else u
        chunks = None if SENTENCES_ONLY else use["C"]
        return base((1 - w) * e5 + w * mix(chunks, use["S"], uq), lex, cov, qv)

    return score


SENT_LEX: dict = {}
SENTENCES_ONLY = False
SHARE = [0.5]


def sentence_lex(V: np.ndarray, owner: np.ndarray, lam: float) -> Scorer:
    inner = sentence_max(V, owner, 0.5, w_of_cov=lambda c: 1 - 0.2 * c**2)
    state = {"i": 0}

    def score(dense: np.ndarray, lex: np.ndarray, cov: float, qv: np.ndarray) -> np.ndarray:
        i = state["i"]
        state["i"] += 1
        nq = len(DATA["rows"])
        best = SENT_LEX[FIELDS[i // nq]][i % nq]
        mix = (1 - lam) * lex / (lex.max() or 1) + lam * best / (best.max() or 1)
        return inner(dense, mix, cov, qv)

    return score


def report(name: str, data: dict, scorer: Scorer) -> None:
    en, de = (evaluate(data, f, scorer) for f in FIELDS)
    print(
        f"| {name} | {en['mrr@10']:.3f} | {en['recall@1']:.3f} | {en['recall@5']:.3f} "
        f"| {de['mrr@10']:.3f} | {de['recall@1']:.3f} | {de['recall@5']:.3f} |",
        flush=True,
    )


def main() -> None:
    global SENTENCES_ONLY
    ap = argparse.ArgumentParser()
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--only", default="", help="comma-separated experiment groups")
    args = ap.parse_args()
    data = load(args.index_dir)
    DATA.update(data)
    groups = set(args.only.split(",")) if args.only else {"weights", "coverage"}
    print("| variant | EN MRR@10 | EN R@1 | EN R@5 | DE MRR@10 | DE R@1 | DE R@5 |")
    print("|---|---|---|---|---|---|---|")
    if "weights" in groups:
        for w in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.0):
            report(f"fixed dense weight {w}", data, weighted(lambda c, w=w: w))
    if "coverage" in groups:
        for top in (0.3, 0.4, 0.5):
            for p in (1, 2, 3, 4):
                report(
                    f"BM25 weight {top}·coverage^{p}",
                    data,
                    weighted(lambda c, t=top, p=p: 1 - t * c**p),
                )
    if "prf" in groups:
        for beta in (0.2, 0.5):
            for m in (1, 3):
                report(f"PRF β={beta} m={m}, then 0.3·cov²", data, prf(beta, m))
    if "sentences" in groups:
        sent = np.load(args.index_dir / "sentences.npz")
        for a in (1.0, 0.7, 0.5, 0.3, 0.0):
            report(
                f"dense = {a}·chunk + {1 - a:.1f}·best sentence, 0.3·cov²",
                data,
                sentence_max(sent["V"], sent["owner"], a),
            )
        mean = np.zeros_like(DATA["C"])
        np.add.at(mean, sent["owner"], sent["V"])
        mean /= np.linalg.norm(mean, axis=1, keepdims=True)
        for a in (1.0, 0.5):
            report(
                f"chunk vector = mean of sentence vectors, {a}·mean + {1 - a:.1f}·best",
                data,
                sentence_max(sent["V"], sent["owner"], a, chunks=mean),
            )
    if "joint" in groups:
        sent = np.load(args.index_dir / "sentences.npz")
        for a in (0.5,):
            for w in (1.0, 0.9, 0.8):
                report(
                    f"sentence mix {a}, fixed dense weight {w}",
                    data,
                    sentence_max(sent["V"], sent["owner"], a, w_of_cov=lambda c, w=w: w),
                )
            for top in (0.2, 0.3, 0.4, 0.5):
                for p in (1, 2, 3):
                    report(
                        f"sentence mix {a}, BM25 weight {top}·cov^{p}",
                        data,
                        sentence_max(
                            sent["V"], sent["owner"], a, w_of_cov=lambda c, t=top, p=p: 1 - t * c**p
                        ),
                    )
    if "sentbm25" in groups:
        sent = np.load(args.index_dir / "sentences.npz")
        owner = sent["owner"]
        stexts = [
            t[a:b] for t in data["texts"] for a, b in sentence_spans(t)
        ]  # same order as sentences.npz
        sidx = LexicalIndex.build(
            [str(i) for i in range(len(stexts))], stexts, ["de"] * len(stexts)
        )
        n = len(data["ids"])
        for f in FIELDS:
            best = []
            for r in data["rows"]:
                sc, _cov = sidx.scores(r[f])
                b = np.zeros(n, dtype=np.float32)
                np.maximum.at(b, owner, sc)
                best.append(b)
            SENT_LEX[f] = best
        for lam in (0.3, 0.5, 1.0):
            report(
                f"sentence mix 0.5, 0.2·cov², BM25 = {1 - lam:.1f}·chunk + {lam}·best sentence",
                data,
                sentence_lex(sent["V"], sent["owner"], lam),
            )
    if "use" in groups:
        sent = np.load(args.index_dir / "sentences.npz")
        use = np.load(args.index_dir / "use.npz")
        for u in (0.0, 0.2, 0.3, 0.4, 1.0) if "use-fixed" in groups else ():
            report(
                f"+ USE-multilingual (chunk + best sentence) share {u}",
                data,
                second_encoder(sent, use, u),
            )
        for u in (0.3, 0.4, 0.5):
            for p in (1, 2):
                report(
                    f"+ USE share {u}·(1 − coverage)^{p}",
                    data,
                    second_encoder(sent, use, u, lambda c, u=u, p=p: u * (1 - c) ** p),
                )
    if "use-sent" in groups:
        SENTENCES_ONLY = True
        sent = np.load(args.index_dir / "sentences.npz")
        use = np.load(args.index_dir / "use.npz")
        for u in (0.2, 0.3, 0.4):
            for p in (1, 2):
                report(
                    f"+ USE best sentence only, share {u}·(1 − coverage)^{p}",
                    data,
                    second_encoder(sent, use, u, lambda c, u=u, p=p: u * (1 - c) ** p),
                )
    if "window" in groups:
        sent = np.load(args.index_dir / "sentences.npz")
        for before, after in ((0, 1), (1, 1), (1, 0)):
            windowed = window_vectors(sent["V"], sent["owner"], before, after)
            report(
                f"sentence window −{before}/+{after} (mean of vectors)",
                data,
                sentence_max(windowed, sent["owner"], 0.5, w_of_cov=lambda c: 1 - 0.2 * c**2),
            )
    if "minlen" in groups:
        sent = np.load(args.index_dir / "sentences.npz")
        lengths = np.array([b - a for t in data["texts"] for a, b in sentence_spans(t)])
        for minimum in (0, 40, 60, 80):
            V = sent["V"].copy()
            V[lengths < minimum] = 0.0  # cosine 0: never the best sentence
            report(
                f"best sentence among sentences ≥ {minimum} chars",
                data,
                sentence_max(V, sent["owner"], 0.5, w_of_cov=lambda c: 1 - 0.2 * c**2),
            )
    if "final" in groups:
        sent = dict(np.load(args.index_dir / "sentences.npz"))
        use = dict(np.load(args.index_dir / "use.npz"))
        lengths = np.array([b - a for t in data["texts"] for a, b in sentence_spans(t)])
        sent["V"][lengths < 40] = 0.0  # cosine 0: never the best sentence
        use["S"][lengths < 40] = 0.0
        SENTENCES_ONLY = True
        for share in (0.5, 0.4, 0.3, 0.2):
            SHARE[0] = share
            report(
                f"final: sentence share {share}, sentences ≥ 40 chars, USE 0.2·(1−cov)²",
                data,
                second_encoder(sent, use, 0.2, lambda c: 0.2 * (1 - c) ** 2),
            )
    if "sparse" in groups:
        sp = np.load(args.index_dir / "sparse.npz")
        for ws in (0.1, 0.2, 0.3):
            report(f"+ e5 sparse head weight {ws}, 0.3·cov²", data, with_sparse(sp, ws))
    if "dist" in groups:
        for f in FIELDS:
            covs = np.array([c for _s, c in data["lex"][f]])
            print(f, "coverage percentiles 10/50/90:", np.percentile(covs, [10, 50, 90]))


if __name__ == "__main__":
    main()
