"""Answer confidence on the abstention split (issue 18): fit and compare the models.

For each question field, builds (or reuses) the cut XQuAD corpus of `rag eval abstention`
under --root (the same for both fields), asks every counted question and the off-topic
ones, and keeps per question the confidence signals (`rag.answer.confidence.signals`),
whether the extractive answer (ignoring any gate) holds the expected text, and whether the
old score threshold is cleared. Then, cross-validated by article (6 folds; an off-topic
question is its own group), it fits logistic models (one per language pair) over several
feature sets, and writes to docs/benchmarks.md: ROC AUCs, the curve of answered_correct
against refused_on_topic (docs/abstention.png), the operating points, and the weights to
put in `rag.tuning`.

Usage: python -m bench.abstention_experiments --root DIR [--cache FILE] [--write]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import DOC, machine, write_section
from rag import Assistant, Settings
from rag.answer.confidence import FEATURES, signals
from rag.answer.engine import AnswerEngine
from rag.answer.evidence import Evidence, clears_threshold
from rag.answer.extractive import extractive_answer
from rag.evaluation.abstention import OFF_TOPIC, split_for_abstention, write_corpus
from rag.evaluation.data import load_jsonl
from rag.index.reader import open_index
from rag.models.embedding import make_embed_model
from rag.search.retriever import HybridRetriever
from rag.text.answer_types import answer_type, holds

EVAL = Settings().eval_dir / "xquad-de"
FIELDS = ("question_en", "question_de")
FOLDS = 6
TARGET_REFUSED = 0.85
PLOT = DOC.parent / "abstention.png"


def answer_type_misses(question: str, sentence: str) -> list[float]:
    """1 when the question asks for a figure (a time) and the sentence holds none."""
    wanted = answer_type(question)
    missing = wanted is not None and not holds(sentence, wanted)
    return [float(missing and wanted == "figure"), float(missing and wanted == "time")]


def record(
    engine: AnswerEngine, question: str, expected: str, settings: Settings
) -> dict[str, Any]:
    """One question's signals and outcomes."""
    query = engine.query(question)
    evidence = engine.evidence(query)
    found = signals(evidence, query.search, settings.tuning)
    holds = False
    best_text = ""
    if found is not None:
        holds = bool(expected) and expected.lower() in _quoted(evidence, settings).lower()
        best_text = max(evidence.sentences, key=lambda s: s.score).text
    return {
        "question": question,
        "signals": found.values if found else None,
        "cross": bool(found and found.crosslingual),
        "types": answer_type_misses(question, best_text),
        "holds": holds,
        "clears": clears_threshold(
            evidence,
            settings.tuning.abstain_threshold,
            settings.tuning.abstain_threshold_crosslingual,
        ),
    }


def _quoted(evidence: Evidence, settings: Settings) -> str:
    """The extractive answer's text, whatever the confidence."""
    answer = extractive_answer(
        evidence, evidence.language, settings.tuning, settings.extractive_sentences,
        confidence="high",
    )  # fmt: skip
    return answer.text


def collect(root: Path, field: str) -> list[dict[str, Any]]:
    """Every counted question of `field` and the off-topic ones, asked on the cut corpus."""
    rows = load_jsonl(EVAL / "questions.dev.jsonl", [field, "doc", "paragraph", "answer_de"])
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((EVAL / "docs").glob("*.txt"))}
    split = split_for_abstention(texts, rows)
    corpus = root / "corpus"
    write_corpus(corpus, split.corpus)
    settings = Settings(data_dir=root / "index", corpus_dir=corpus)
    model = make_embed_model(settings)
    Assistant(settings, embed_model=model).reindex(rebuild_mismatched=True)
    retriever = HybridRetriever(open_index(settings), model, settings.tuning, top_k=settings.top_k)
    engine = AnswerEngine(settings, retriever, model)
    asked = [("answerable", r, str(r[field])) for r in split.answerable]
    asked += [("on_topic", r, str(r[field])) for r in split.unanswerable]
    asked += [("off_topic", r, str(r["question"])) for r in load_jsonl(OFF_TOPIC, ["question"])]
    out = []
    for i, (kind, row, question) in enumerate(asked):
        rec = record(engine, question, str(row.get("answer_de", "")), settings)
        rec |= {"field": field, "kind": kind, "group": str(row.get("doc", f"off-topic-{i}"))}
        out.append(rec)
    return out


# --- fitting (numpy: a dozen features do not need a library) ---


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Intercept and weights on the raw scale, fitted on standardised features by Newton's
    method with an L2 penalty (the intercept unpenalised)."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    w = np.zeros(z.shape[1])
    penalty = l2 * np.diag(np.r_[0.0, np.ones(z.shape[1] - 1)])
    for _ in range(100):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z * (p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    raw = w[1:] / sd
    return np.r_[w[0] - float(raw @ mu), raw]


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-(w[0] + x @ w[1:]))))


def auc(score: np.ndarray, label: np.ndarray) -> float:
    pos, neg = score[label], score[~label]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).mean()
    ties = (pos[:, None] == neg[None, :]).mean()
    return float(greater + 0.5 * ties)


def cross_validated(
    data: Sequence[dict[str, Any]], columns: Callable[[dict[str, Any]], list[float]]
) -> np.ndarray:
    """Out-of-fold probabilities of one model per language pair, folds grouped by article:
    a question is never scored by a model that saw its article. Without evidence: 0."""
    out = np.zeros(len(data))
    for cross in (False, True):
        at = [i for i, r in enumerate(data) if r["signals"] is not None and r["cross"] == cross]
        if not at:
            continue
        rows = [data[i] for i in at]
        x = np.array([columns(r) for r in rows], dtype=float)
        y = np.array([r["kind"] == "answerable" for r in rows], dtype=float)
        fold = {g: i % FOLDS for i, g in enumerate(sorted({r["group"] for r in rows}))}
        k = np.array([fold[r["group"]] for r in rows])
        inner = np.zeros(len(rows))
        for f in range(FOLDS):
            w = fit_logistic(x[k != f], y[k != f])
            inner[k == f] = predict(w, x[k == f])
        out[at] = inner
    return out


def pair_rows(data: Sequence[dict[str, Any]], cross: bool) -> list[int]:
    return [i for i, r in enumerate(data) if r["signals"] is not None and r["cross"] == cross]


def operating(
    data: Sequence[dict[str, Any]],
    p: np.ndarray,
    high: float | np.ndarray,
    low: float | np.ndarray,
) -> dict[str, float]:
    """The metrics of `rag eval abstention` had these probabilities decided confidence."""
    kind = np.array([r["kind"] for r in data])
    holds = np.array([r["holds"] for r in data])
    is_high = p >= high
    is_none = p < low

    def share(mask: np.ndarray, of: str) -> float:
        sel = kind == of
        return float(mask[sel].mean()) if sel.any() else float("nan")

    return {
        "answered_correct": share(is_high & holds, "answerable"),
        "refused_on_topic": share(~is_high, "on_topic"),
        "abstained_on_topic": share(is_none, "on_topic"),
        "refused_off_topic": share(~is_high, "off_topic"),
        "abstained_off_topic": share(is_none, "off_topic"),
    }


def curve(data: Sequence[dict[str, Any]], p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """answered_correct against refused_on_topic over every threshold."""
    grid = np.unique(np.r_[p, 1.01])
    points = [operating(data, p, t, 0.0) for t in grid]
    return (
        np.array([m["refused_on_topic"] for m in points]),
        np.array([m["answered_correct"] for m in points]),
    )


def threshold_for(data: Sequence[dict[str, Any]], p: np.ndarray, refused: float) -> float:
    """The lowest probability threshold that refuses `refused` of the on-topic questions."""
    on = np.sort(p[np.array([r["kind"] == "on_topic" for r in data])])
    return float(on[int(np.ceil(refused * len(on))) - 1]) + 1e-6


VARIANTS: dict[str, Callable[[dict[str, Any]], list[float]]] = {
    "best sentence score": lambda r: r["signals"][:1],
    "+ leads over other passages / articles": lambda r: r["signals"][:3],
    "+ passage cosine, lead over the second passage": lambda r: r["signals"][:5],
    "all seven signals (kept)": lambda r: r["signals"],
    "all seven + answer type": lambda r: r["signals"] + r["types"],
}
KEPT = "all seven signals (kept)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, required=True, help="cut corpora and indexes (reused)")
    ap.add_argument("--cache", type=Path, help="reuse (or write) the collected signals here")
    ap.add_argument("--write", action="store_true", help="write docs/benchmarks.md and the plot")
    args = ap.parse_args()
    if args.cache and args.cache.exists():
        data = [json.loads(line) for line in args.cache.read_text(encoding="utf-8").splitlines()]
    else:
        data = [r for f in FIELDS for r in collect(args.root, f)]
        if args.cache:
            args.cache.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    by_field = {f: [i for i, r in enumerate(data) if r["field"] == f] for f in FIELDS}
    label = np.array([r["kind"] == "answerable" for r in data])
    on_or_answerable = np.array([r["kind"] != "off_topic" for r in data])

    lines = [
        f"Machine: {machine()}. `python -m bench.abstention_experiments --root DIR --write`.",
        "",
        "The split of `rag eval abstention` on the XQuAD-de dev questions (even paragraphs of "
        "the questions' articles cut): 243 answerable and 289 on-topic unanswerable questions "
        "per field, and the 50 off-topic ones. Logistic regression, one model per language "
        "pair (the best sentence in the question's language or not: here German questions "
        "and English ones), both fields' questions together, 6 folds grouped by article. "
        "AUC: answerable against on-topic unanswerable questions. answered_correct at "
        "refused_on_topic = 0.85, out of fold.",
        "",
        "| features | AUC en | AUC de | answered_correct en / de at refused 0.85 |",
        "|---|---|---|---|",
    ]
    probs: dict[str, np.ndarray] = {}
    for name, columns in VARIANTS.items():
        p = cross_validated(data, columns)
        probs[name] = p
        cells = []
        points = []
        for f in FIELDS:
            idx = np.array(by_field[f])
            sub = [data[i] for i in idx]
            mask = on_or_answerable[idx]
            cells.append(f"{auc(p[idx][mask], label[idx][mask]):.3f}")
            t = threshold_for(sub, p[idx], TARGET_REFUSED)
            points.append(f"{operating(sub, p[idx], t, 0.0)['answered_correct']:.3f}")
        lines.append(f"| {name} | {cells[0]} | {cells[1]} | {' / '.join(points)} |")
        print(lines[-1])

    # The old gate: one score threshold per language pair.
    lines += ["", "The gate before this issue (score thresholds 0.82 / 0.78), same questions:", ""]
    lines += [
        "| field | answered_correct | refused_on_topic | refused_off_topic |",
        "|---|---|---|---|",
    ]
    for f in FIELDS:
        sub = [data[i] for i in by_field[f]]
        gate = np.array([float(r["clears"]) for r in sub])
        m = operating(sub, gate, 0.5, 0.5)
        lines.append(
            f"| {f} | {m['answered_correct']:.3f} | {m['refused_on_topic']:.3f} | "
            f"{m['refused_off_topic']:.3f} |"
        )

    # Per language pair, from the out-of-fold probabilities of the kept model: `high`
    # refuses 85 % of that pair's on-topic questions. "none" stays the score gate's.
    p = probs[KEPT]
    kind = np.array([r["kind"] for r in data])
    clears = np.array([bool(r["clears"]) for r in data])
    highs, weights = [], []
    for cross in (False, True):
        at = np.array(pair_rows(data, cross))
        on = np.sort(p[at][kind[at] == "on_topic"])
        highs.append(round(float(on[int(np.ceil(TARGET_REFUSED * len(on))) - 1]) + 1e-4, 4))
        rows = [data[i] for i in at]
        x = np.array([r["signals"] for r in rows], dtype=float)
        y = np.array([r["kind"] == "answerable" for r in rows], dtype=float)
        weights.append(tuple(round(float(v), 4) for v in fit_logistic(x, y)))
    cross_of = np.array([bool(r["cross"]) for r in data]).astype(int)
    high_at = np.array(highs)[cross_of]
    gated = np.where(clears, p, -1.0)  # below the gate: none, whatever the model says
    lines += [
        "",
        f"Operating points of the kept model (same language, cross-lingual): high ≥ "
        f"{tuple(highs)}; none when no sentence clears the score threshold, as before; low "
        "in between. Out of fold:",
        "",
        "| field | answered_correct | refused_on_topic | abstained_on_topic | refused_off_topic "
        "| abstained_off_topic |",
        "|---|---|---|---|---|---|",
    ]
    for f in FIELDS:
        idx = by_field[f]
        m = operating([data[i] for i in idx], gated[idx], high_at[idx], 0.0)
        lines.append(
            f"| {f} | {m['answered_correct']:.3f} | {m['refused_on_topic']:.3f} | "
            f"{m['abstained_on_topic']:.3f} | {m['refused_off_topic']:.3f} | "
            f"{m['abstained_off_topic']:.3f} |"
        )
    ceiling = [
        np.mean([r["holds"] for r in data if r["field"] == f and r["kind"] == "answerable"])
        for f in FIELDS
    ]
    lines += [
        "",
        "The ceiling of answered_correct, the share of answerable questions whose extractive "
        f"answer holds the expected text: {ceiling[0]:.3f} (en), {ceiling[1]:.3f} (de).",
        "",
        "Findings:",
        "",
        "- Which sentences are quoted matters as much as the gate. Measured once on "
        "2026-12-01 with this script: filling a free slot with the best passage's next best "
        "sentence raised the ceiling from 0.782 / 0.840 to about 0.84 / 0.89, and answered_correct "
        "at refused 0.85 from 0.601 / 0.782 to 0.654 / 0.835; keeping short neighbours "
        "(under 60 characters) out cost one answerable question per field.",
        "- The answer type (a number or date asked for and none in the sentence) adds "
        "nothing (last row); nor did the multilingual USE cosine of the best sentence or its "
        "lead (AUC en 0.863 → 0.866, de unchanged; measured once, not kept: it costs a second "
        "encoder per question), nor gradient-boosted trees over the same signals (en 0.626 "
        "/ de 0.823 at refused 0.85, depth 2). One model for both pairs with a cross-lingual "
        "flag did worse than one per pair (AUC 0.859 / 0.925).",
        "- English questions on German text stay short of 0.80: e5-small scores a topical "
        "German sentence about as high as the answering one. Many on-topic questions that "
        'pass as high are near misses a reader would also have to check ("How many tons of '
        'carbon does the Amazon absorb in a typical year?" finds tonnes of carbon per '
        "hectare and year).",
        "- The model only ever lifts an answer to high: `none` stays the score threshold's, "
        "because on a corpus of one story (the seed article) no sentence stands out from the "
        "others and the model would refuse answerable questions outright.",
    ]
    lines += [
        "",
        "Fitted on all questions of each pair, for `rag.tuning` (intercept, then "
        f"{', '.join(FEATURES)}):",
        "",
        "```python",
        f"confidence_weights = {tuple(weights)}",
        f"confidence_high = {tuple(highs)}",
        "```",
        "",
        "![answered_correct against refused_on_topic](abstention.png)",
    ]
    print("\n".join(lines))
    if args.write:
        _plot(data, probs, by_field)
        write_section("Answer confidence (issue 18)", "\n".join(lines))


def _plot(
    data: Sequence[dict[str, Any]], probs: dict[str, np.ndarray], by_field: dict[str, list[int]]
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    for ax, f in zip(axes, FIELDS, strict=True):
        idx = by_field[f]
        sub = [data[i] for i in idx]
        for name in ("best sentence score", KEPT):
            refused, correct = curve(sub, probs[name][idx])
            ax.plot(refused, correct, label=name)
        gate = np.array([float(r["clears"]) for r in sub])
        m = operating(sub, gate, 0.5, 0.5)
        ax.scatter(
            [m["refused_on_topic"]],
            [m["answered_correct"]],
            color="k",
            zorder=3,
            label="score threshold before",
        )
        ax.axvline(TARGET_REFUSED, color="grey", lw=0.8, ls="--")
        ax.axhline(0.80, color="grey", lw=0.8, ls="--")
        ax.set_title(f"{f} (dev, out of fold)")
        ax.set_xlabel("refused_on_topic")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("answered_correct")
    axes[0].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)


if __name__ == "__main__":
    main()
