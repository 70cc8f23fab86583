"""Retrieval experiments on XQuAD-de without re-embedding: ranking variants in numpy.

Reads the chunk vectors, BM25 index and stored sentence vectors (e5 and USE) of an index
built by `rag eval retrieval --index-dir DIR`, embeds the dev questions once (cached in
DIR, as are USE chunk vectors), and scores each variant as `rag.search.retriever` does: the
union of the top `candidate_k` of each retriever, min-max fusion over that union. The
defaults are read from rag.tuning.Tuning. The numbers in docs/benchmarks.md come from
here; the defaults are checked with `rag eval retrieval`.

Usage: python -m bench.retrieval_experiments --index-dir DIR [--only GROUP,...]
Groups: weights coverage prf sentences joint windows second final bm25 length article defaults
norm hubness gap
(the groups up to `final` were run on an index of whole-stem BM25 and 1,200-character
chunks, the later ones on 4-gram BM25 and 1,600-character chunks: the index decides).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag import Settings, Tuning
from rag.evaluation import hit_rank, retrieval_metrics
from rag.index.bm25 import grams, tokenize
from rag.index.reader import open_index
from rag.models.embedding import make_embed_model, second_encoder
from rag.search.fusion import lexical_weight, second_share, sentence_share

FIELDS = ("question_en", "question_de")
TUNING = Tuning()


@dataclass
class Query:
    vec: np.ndarray  # e5
    use: np.ndarray  # USE
    lex: np.ndarray  # BM25 score of every chunk
    cov: float  # share of query terms the corpus knows
    text: str = ""


@dataclass
class Data:
    spans: list[tuple[str, int, int]]
    C: np.ndarray  # e5 chunk vectors
    U: np.ndarray  # USE chunk vectors
    S: np.ndarray  # e5 sentence vectors
    SU: np.ndarray  # USE sentence vectors
    owner: np.ndarray  # chunk of each sentence
    length: np.ndarray  # characters of each sentence
    chunk_length: np.ndarray  # characters of each chunk
    texts: list[str]
    article: np.ndarray  # article index of each chunk
    rows: list[dict]
    queries: dict[str, list[Query]]


def _cached(path: Path, make: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    if path.exists():
        return dict(np.load(path))
    arrays = make()
    np.savez(path, **arrays)
    return arrays


def load(index_dir: Path) -> Data:
    settings = Settings(data_dir=index_dir)
    index = open_index(settings)  # "run `rag reindex`" when missing or of another format
    side, sv = index.side, index.side.sentences
    ids = side.ids
    recs, vecs = index.store.get(ids), index.store.embeddings(ids)
    texts = [recs[c].text for c in ids]
    questions = settings.eval_dir / "xquad-de" / "questions.dev.jsonl"
    rows = [json.loads(x) for x in questions.open()]

    def embed_questions() -> dict[str, np.ndarray]:
        model, use = make_embed_model(settings), second_encoder()
        out = {}
        for f in FIELDS:
            out[f] = np.asarray([model.get_query_embedding(r[f]) for r in rows])
            out[f + "_use"] = use.embed([r[f] for r in rows])
        return out

    q = _cached(index_dir / "questions.npz", embed_questions)
    U = _cached(index_dir / "use-chunks.npz", lambda: {"U": second_encoder().embed(texts)})["U"]
    counts = np.diff(sv.offsets)
    queries = {}
    for f in FIELDS:
        scored = [side.bm25.scores(r[f]) for r in rows]
        queries[f] = [
            Query(q[f][i], q[f + "_use"][i], s, c, rows[i][f]) for i, (s, c) in enumerate(scored)
        ]
    return Data(
        spans=[(recs[c].article.doc_id, recs[c].start, recs[c].end) for c in ids],
        C=np.stack([vecs[c] for c in ids]),
        U=U,
        S=np.asarray(sv.vectors, dtype=np.float32),
        SU=np.asarray(sv.second, dtype=np.float32),
        owner=np.repeat(np.arange(len(ids)), counts),
        length=sv.spans[:, 1] - sv.spans[:, 0],
        chunk_length=sv.lengths(list(range(len(ids)))),
        texts=texts,
        article=np.unique([recs[c].article.doc_id for c in ids], return_inverse=True)[1],
        rows=rows,
        queries=queries,
    )


def minmax(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    lo, hi = x[mask].min(), x[mask].max()
    if hi - lo > 1e-12:
        out[mask] = (x[mask] - lo) / (hi - lo)
    return out


def zscore(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    sd = x[mask].std()
    if sd > 1e-12:
        out[mask] = (x[mask] - x[mask].mean()) / sd
    return out


def dbsf(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Distribution-based score fusion: min-max over mean ± 3σ instead of min and max."""
    out = np.zeros_like(x)
    mu, sd = x[mask].mean(), x[mask].std()
    if sd > 1e-12:
        out[mask] = (x[mask] - (mu - 3 * sd)) / (6 * sd)
    return out


def by_max(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    hi = x[mask].max()
    if hi > 1e-12:
        out[mask] = x[mask] / hi
    return out


def best_sentence(
    d: Data, S: np.ndarray, q: np.ndarray, min_chars: int = 0, hub: np.ndarray | float = 0.0
) -> np.ndarray:
    cos = S @ q - hub
    cos[d.length < min_chars] = -1.0
    best = np.full(len(d.C), -1.0, dtype=np.float32)
    np.maximum.at(best, d.owner, cos)
    return best


def windows(d: Data, before: int, after: int) -> np.ndarray:
    """Each sentence vector averaged with its neighbours in the same chunk."""
    out = np.zeros_like(d.S)
    for i in range(len(d.S)):
        lo, hi = i, i
        while lo > 0 and i - lo < before and d.owner[lo - 1] == d.owner[i]:
            lo -= 1
        while hi + 1 < len(d.S) and hi - i < after and d.owner[hi + 1] == d.owner[i]:
            hi += 1
        v = d.S[lo : hi + 1].sum(axis=0)
        out[i] = v / np.linalg.norm(v)
    return out


def hubness(X: np.ndarray, k: int) -> np.ndarray:
    """Each row's mean cosine to its k nearest other rows (CSLS's r(d))."""
    sims = X @ X.T
    np.fill_diagonal(sims, -1.0)
    return -np.sort(-sims, axis=1)[:, :k].mean(axis=1)


def bm25_gap(lex: np.ndarray) -> float:
    """How far BM25's best chunk leads its second, relative to the best."""
    first, second = np.sort(lex)[-2:][::-1]
    return float((first - second) / first) if first > 0 else 0.0


@dataclass
class Variant:
    """dense = (1 − s)·chunk + s·best sentence (s by chunk length when `by_length`), then
    a second encoder's share u(coverage) (skipped below `min_second`), then min-max fusion
    with BM25 at weight lex(coverage) (or gap_lex(coverage, BM25's lead)), then the article
    prior. `hub` (chunk, sentence), already scaled, is subtracted from the cosines."""

    lex: Callable[[float], float] = lambda c: lexical_weight(TUNING.dense_weight, c)
    sentence: float = 0.0
    sentences: np.ndarray | None = None  # other sentence vectors (windows)
    min_chars: int = 0
    second: Callable[[float], float] = lambda c: 0.0
    second_chunks: bool = False
    prf: tuple[float, int] | None = None  # (beta, top m chunks)
    by_length: bool = False  # s = rag.search.fusion.sentence_share(chunk length)
    min_second: float = 0.0
    article_prior: float = 0.0
    bm25: Callable[[str], np.ndarray] | None = None  # another lexical scorer than the index's
    norm: Callable[[np.ndarray, np.ndarray], np.ndarray] = minmax
    pool: int = TUNING.candidate_k
    hub: tuple[np.ndarray, np.ndarray] | None = None
    gap_lex: Callable[[float, float], float] | None = None

    def dense(self, d: Data, q: Query, qvec: np.ndarray) -> np.ndarray:
        chunk_hub, sentence_hub = (0.0, 0.0) if self.hub is None else self.hub
        score = d.C @ qvec - chunk_hub
        if self.sentence or self.by_length:
            S = d.S if self.sentences is None else self.sentences
            s = (
                sentence_share(d.chunk_length, TUNING.sentence_share, TUNING.share_lengths)
                if self.by_length
                else self.sentence
            )
            best = best_sentence(d, S, qvec, self.min_chars, sentence_hub)
            score = (1 - s) * score + s * best
        u = self.second(q.cov)
        if u and u >= self.min_second:
            other = best_sentence(d, d.SU, q.use, self.min_chars)
            if self.second_chunks:
                other = 0.5 * (d.U @ q.use) + 0.5 * other
            score = (1 - u) * score + u * other
        return score

    def score(self, d: Data, q: Query) -> np.ndarray:
        ranked = self._fuse(d, q, q.vec)
        if self.prf:
            beta, m = self.prf
            q2 = q.vec + beta * d.C[np.argsort(-ranked)[:m]].mean(axis=0)
            ranked = self._fuse(d, q, q2 / np.linalg.norm(q2))
        return ranked

    def _fuse(self, d: Data, q: Query, qvec: np.ndarray) -> np.ndarray:
        dense = self.dense(d, q, qvec)
        mask = np.zeros(len(dense), dtype=bool)
        mask[np.argsort(-dense)[: self.pool]] = True
        lex = q.lex if self.bm25 is None else self.bm25(q.text)
        top = np.argsort(-lex)[: self.pool]
        mask[top[lex[top] > 0]] = True
        w = self.lex(q.cov) if self.gap_lex is None else self.gap_lex(q.cov, bm25_gap(lex))
        n = self.norm
        fused = np.where(mask, (1 - w) * n(dense, mask) + w * n(lex, mask), -1.0)
        if not self.article_prior:
            return fused
        best = np.full(d.article.max() + 1, -1.0)
        np.maximum.at(best, d.article[mask], fused[mask])
        lifted = (fused + self.article_prior * best[d.article]) / (1 + self.article_prior)
        return np.where(mask, lifted, -1.0)


def evaluate(d: Data, field: str, v: Variant) -> dict:
    ranks = []
    for row, q in zip(d.rows, d.queries[field], strict=True):
        order = np.argsort(-v.score(d, q), kind="stable")[:10]
        found = [d.spans[j] for j in order]
        ranks.append(hit_rank(found, row["doc"], row["answer_start"], row["answer_end"]))
    return retrieval_metrics(ranks)


def report(name: str, d: Data, v: Variant) -> None:
    en, de = (evaluate(d, f, v) for f in FIELDS)
    cells = [f"{m[k]:.3f}" for m in (en, de) for k in ("mrr@10", "recall@1", "recall@5")]
    print(f"| {name} | {' | '.join(cells)} |", flush=True)


def lexical_scorer(
    d: Data, terms: Callable[[str], list[str]], k1: float = 1.5, b: float = 0.75
) -> Callable[[str], np.ndarray]:
    """BM25 (bm25s) over the chunk texts with other terms or parameters than the index's."""
    import bm25s

    index = bm25s.BM25(k1=k1, b=b)
    index.index([terms(t) for t in d.texts], show_progress=False)
    vocab = index.vocab_dict

    def scores(question: str) -> np.ndarray:
        known = [vocab[t] for t in dict.fromkeys(terms(question)) if t in vocab]
        if not known:
            return np.zeros(len(d.texts), dtype=np.float32)
        return np.asarray(index.get_scores_from_ids(known), dtype=np.float32)

    return scores


def experiments(d: Data) -> dict[str, list[tuple[str, Variant]]]:
    final = dict(sentence=0.5, min_chars=40, second=lambda c: 0.2 * (1 - c) ** 2)
    now = dict(final, sentence=0.2, min_second=0.02)  # the defaults before "length"
    by_length = dict(now, by_length=True)
    defaults = dict(  # what rag.search.retriever does with rag.tuning's values
        lex=lambda c: lexical_weight(TUNING.dense_weight, c),
        min_chars=TUNING.min_sentence_chars,
        second=lambda c: second_share(TUNING.second_share, c),
        min_second=TUNING.min_second_share,
        by_length=True,
        article_prior=TUNING.article_prior,
    )

    hubs = {k: (hubness(d.C, k), hubness(d.S, k)) for k in (5, 10, 30)}

    def bm25(t: float, p: int) -> Callable[[float], float]:
        return lambda c: t * c**p

    def stems(text: str) -> list[str]:
        return tokenize(text, "de")

    def gram(n: int) -> Callable[[str], list[str]]:
        return lambda text: grams(tokenize(text, "de"), n)

    return {
        "weights": [
            (f"fixed dense weight {w}", Variant(lex=lambda c, w=w: 1 - w))
            for w in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.0)
        ],
        "coverage": [
            (f"BM25 weight {t}·coverage^{p}", Variant(lex=lambda c, t=t, p=p: t * c**p))
            for t in (0.3, 0.4, 0.5)
            for p in (1, 2, 3)
        ],
        "prf": [
            (f"PRF β={b} m={m}, BM25 0.3·cov²", Variant(lex=lambda c: 0.3 * c**2, prf=(b, m)))
            for b in (0.2, 0.5)
            for m in (1, 3)
        ],
        "sentences": [
            (
                f"dense = {1 - s:.1f}·chunk + {s}·best sentence, BM25 0.3·cov²",
                Variant(lex=lambda c: 0.3 * c**2, sentence=s),
            )
            for s in (0.3, 0.5, 0.7, 1.0)
        ],  # fmt: skip
        "joint": [
            (
                f"sentence 0.5, BM25 {t}·cov^{p}",
                Variant(lex=lambda c, t=t, p=p: t * c**p, sentence=0.5),
            )
            for t in (0.0, 0.2, 0.3, 0.4)
            for p in (1, 2, 3)
        ],  # fmt: skip
        "windows": [
            (f"sentence window −{b}/+{a}", Variant(sentence=0.5, sentences=windows(d, b, a)))
            for b, a in ((0, 1), (1, 1), (1, 0))
        ],
        "second": [
            (
                f"+ USE chunk + sentence, fixed share {u}",
                Variant(sentence=0.5, second=lambda c, u=u: u, second_chunks=True),
            )
            for u in (0.2, 0.3, 1.0)
        ]
        + [
            (
                f"+ USE best sentence, share {u}·(1 − cov)^{p}",
                Variant(sentence=0.5, second=lambda c, u=u, p=p: u * (1 - c) ** p),
            )
            for u in (0.2, 0.3)
            for p in (1, 2)
        ],  # fmt: skip
        "final": [
            (
                f"sentence ≥ 40 chars, USE 0.2·(1 − cov)², sentence share {s}",
                Variant(**{**final, "sentence": s}),
            )  # type: ignore[arg-type]
            for s in (0.5, 0.4, 0.3, 0.2)
        ],  # fmt: skip
        "bm25": [
            (f"whole stems, k1={k1} b={b}", Variant(**now, bm25=lexical_scorer(d, stems, k1, b)))
            for k1, b in ((1.5, 0.75), (1.2, 0.75), (0.9, 0.4), (1.2, 0.5), (2.0, 0.75), (1.5, 0.9))
        ]
        + [
            (f"character {n}-grams of stems", Variant(**now, bm25=lexical_scorer(d, gram(n))))
            for n in (3, 4, 5)
        ],
        "length": [
            (f"sentence share {s}", Variant(**{**now, "sentence": s})) for s in (0.2, 0.35, 0.5)
        ]
        + [
            ("sentence share 0.2 → 0.5 by chunk length (400–1000 chars)", Variant(**by_length)),
            ("… and USE always (no 0.02 floor)", Variant(**{**by_length, "min_second": 0.0})),
        ],
        "article": [
            (f"length share + article prior {b}", Variant(**{**by_length, "article_prior": b}))
            for b in (0.1, 0.2, 0.3, 0.5)
        ],
        "defaults": [("the defaults", Variant(**defaults))]
        + [
            (f"the defaults, BM25 {t}·cov^{p}", Variant(**{**defaults, "lex": bm25(t, p)}))
            for t, p in ((0.15, 2), (0.25, 2), (0.3, 2), (0.2, 1), (0.3, 3))
        ],
        "norm": [
            (f"the defaults, {name} normalisation", Variant(**{**defaults, "norm": f}))
            for name, f in (("z-score", zscore), ("mean ± 3σ", dbsf), ("divide by max", by_max))
        ]
        + [
            (f"the defaults, union of the top {k}", Variant(**{**defaults, "pool": k}))
            for k in (10, 20, 50, 100)
        ],
        "hubness": [
            (
                f"the defaults, CSLS: cosines − {b}·mean cosine to the {k} nearest",
                Variant(**defaults, hub=(b * chunk_hub, b * sentence_hub)),
            )
            for k, (chunk_hub, sentence_hub) in hubs.items()
            for b in (0.25, 0.5, 1.0)
        ],
        "gap": [
            (
                f"the defaults, BM25 {name}",
                Variant(**defaults, gap_lex=f),
            )
            for name, f in (
                ("0.2·cov² (check)", lambda c, g: 0.2 * c**2),
                ("0.3·cov²·min(1, gap/0.5)", lambda c, g: 0.3 * c**2 * min(1.0, g / 0.5)),
                ("cov²·(0.1 + 0.3·gap)", lambda c, g: c**2 * (0.1 + 0.3 * g)),
                (
                    "cov²·(0.15 + 0.3·max(0, gap − 0.35))",
                    lambda c, g: c**2 * (0.15 + 0.3 * max(0, g - 0.35)),
                ),
                ("0.3·cov²·√gap", lambda c, g: 0.3 * c**2 * g**0.5),
            )
        ],
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--only", default="", help="comma-separated experiment groups")
    args = ap.parse_args()
    d = load(args.index_dir)
    groups = experiments(d)
    chosen = args.only.split(",") if args.only else list(groups)
    print("| variant | EN MRR@10 | EN R@1 | EN R@5 | DE MRR@10 | DE R@1 | DE R@5 |")
    print("|---|---|---|---|---|---|---|")
    for group in chosen:
        for name, variant in groups[group]:
            report(name, d, variant)


if __name__ == "__main__":
    main()
