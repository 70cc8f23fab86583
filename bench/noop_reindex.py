"""How long `rag reindex` takes when nothing changed, at corpus sizes up to 250,000 articles
(issue 28: "a no-op that stays a no-op", ≤ 5 s at 250,000).

Embedding 250,000 articles takes days on this machine, and a run with nothing to do never
opens Chroma or the model: so the articles are written as small real Markdown files and
the manifest is written as a reindex would have written it for them (their real hashes,
chunk ids, the current chunk settings, a side-index generation of the current format),
without filling the store. Then the real `ingest.reindex.reindex` runs with nothing to do:
first after a fresh write of the files (every size and time new to the index, as after a
checkout), then again (the sizes and times recorded).

Usage: python -m bench.noop_reindex [--sizes 10000 250000] [--work DIR] [--runs 3] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from pathlib import Path

from bench.report import machine, peak_rss_mib, write_section
from ingest.load import content_hash
from ingest.reindex import reindex
from rag import Settings
from rag.index.ids import chunk_id
from rag.index.layout import GENERATION_MARK, SIDE_FORMAT, IndexLayout
from rag.index.manifest import DocEntry, Manifest, save_manifest

ARTICLES_PER_FOLDER = 1000  # as a newsroom archive files them, by day or by feed


def article(n: int) -> str:
    day = dt.date(2020, 1, 1) + dt.timedelta(days=n % 1500)
    return (
        f'---\ntitle: "Meldung {n}"\ndate: "{day.isoformat()}"\nsource: https://example.org/{n}\n'
        f"language: de\n---\nDer Stadtrat hat am Dienstag über Vorlage {n} beraten. "
        f"Die Entscheidung fiel mit {n % 97} Stimmen. Kritiker kündigten an, dagegen "
        "vorzugehen, und verwiesen auf die Kosten des Vorhabens.\n"
    )


def build(work: Path, size: int, settings: Settings) -> None:
    """`size` article files and a manifest that says they are indexed as they are."""
    corpus = settings.corpus_dir
    documents: dict[str, DocEntry] = {}
    for n in range(size):
        rel = f"{n // ARTICLES_PER_FOLDER:04d}/meldung-{n:07d}.md"
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = article(n).encode()
        path.write_bytes(data)
        end = len(data)
        documents[rel] = DocEntry(
            hash=content_hash(data), title=f"Meldung {n}", language="de",
            source=f"https://example.org/{n}", chunk_ids=[chunk_id(rel, 0, end)],
            chunking=settings.chunking, date="2020-01-01", outlet="example.org",
        )  # fmt: skip
    layout = IndexLayout(settings.data_dir)
    generation = layout.generation("bench")
    generation.mkdir(parents=True, exist_ok=True)
    (generation / GENERATION_MARK).write_text(str(SIDE_FORMAT), encoding="ascii")
    manifest = Manifest(
        embed_model=settings.embed_model_name,
        store=settings.store_identity,
        documents=documents,
        side_index="bench",
    )
    save_manifest(layout.manifest, manifest)


def touch_all(corpus: Path) -> None:
    """New times on every file, the contents unchanged (a fresh checkout or copy)."""
    now = time.time_ns() - 10**10  # older than the racy window, as a checkout's files are
    for folder, _dirs, names in os.walk(corpus):
        for name in names:
            os.utime(os.path.join(folder, name), ns=(now, now))


def timed(settings: Settings) -> float:
    start = time.perf_counter()
    summary = reindex(settings)
    elapsed = time.perf_counter() - start
    if summary.added or summary.updated or summary.removed:
        raise SystemExit(f"not a no-op: {summary.line()}")
    return elapsed


def measure(work: Path, size: int, runs: int) -> dict[str, float]:
    folder = work / f"noop-{size}"
    settings = Settings(data_dir=folder / "data", corpus_dir=folder / "corpus")
    layout = IndexLayout(settings.data_dir)
    if not layout.manifest.exists():
        print(f"writing {size:,} articles to {folder}", flush=True)
        build(work, size, settings)
    touch_all(settings.corpus_dir)
    first = timed(settings)  # every file's time is new: each is read and hashed
    again = statistics.median(timed(settings) for _ in range(runs))
    manifest_mib = layout.manifest.stat().st_size / 2**20
    row = {
        "articles": size, "first_s": round(first, 2), "noop_s": round(again, 2),
        "manifest_mib": round(manifest_mib, 1), "peak_rss_mib": round(peak_rss_mib()),
    }  # fmt: skip
    print(row, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 250_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-bench-noop"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    rows = [measure(args.work, size, args.runs) for size in args.sizes]
    if not args.write:
        return
    lines = [
        f"Machine: {machine()}. `python -m bench.noop_reindex --sizes "
        f"{' '.join(map(str, args.sizes))} --runs {args.runs} --write`: the real "
        "`rag reindex` with nothing to do, over small real Markdown files (1,000 per folder) "
        "and the manifest a reindex writes for them (the store is not filled: a no-op does "
        "not open it). *After new file times*: every file's time changed, contents not (a "
        "fresh checkout), so each is read and hashed once; *no-op*: the median of the runs "
        "after it. Target (issue 28): ≤ 5 s at 250,000 articles.",
        "",
        "| articles | after new file times (s) | no-op (s) | manifest (MiB) | peak RSS (MiB) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['articles']:,} | {r['first_s']} | {r['noop_s']} | {r['manifest_mib']} | "
        f"{r['peak_rss_mib']} |"
        for r in rows
    ]
    write_section("A reindex with nothing to do (issue 28)", "\n".join(lines))


if __name__ == "__main__":
    main()
