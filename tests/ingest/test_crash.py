"""A reindex killed with SIGKILL leaves an index that answers; the next reindex heals it.

The reindex kills itself at each named step (RAG_CRASH_AT), so the same points are hit on
any machine. Everything runs in subprocesses, as a user would run it: the store is never
opened by two live processes' caches at once.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

from rag.config import CrashPoint, Settings
from tests.conftest import ARTICLES

RAG = Path(sys.executable).with_name("rag")


def _rag(settings: Settings, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env |= {"RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir)}
    env |= {"RAG_MERGE_FACTOR": "2"}  # every run with work merges: the merge's points are hit
    return subprocess.run(
        [str(RAG), *args], capture_output=True, text=True, env=env | extra, timeout=600
    )


def _run(settings: Settings, *args: str) -> str:
    done = _rag(settings, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _consistency_report(settings: Settings) -> dict[str, object]:
    """Chroma, the side index and the manifest compared in a fresh process."""
    code = """
import json
from collections import Counter
from rag.config import get_settings
from rag.index.layout import IndexLayout
from rag.index.manifest import load_manifest
from rag.index.side_index import SideIndex
from rag.index.store import ChunkStore
s = get_settings()
layout = IndexLayout(s.data_dir)
m = load_manifest(layout.manifest)
ids = list(ChunkStore(s).ids())
side = list(SideIndex.load(layout, m.side_index).position)
listed = [c for e in m.documents.values() for c in e.chunk_ids]
print(json.dumps({"duplicates": [c for c, n in Counter(ids).items() if n > 1],
                  "agree": sorted(ids) == sorted(side) == sorted(listed),
                  "chunks": len(ids), "dirty": layout.dirty.exists()}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env |= {"RAG_DATA_DIR": str(settings.data_dir)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


@pytest.mark.slow
def test_sigkill_at_every_named_point_then_heal(indexed: Settings) -> None:
    corpus = indexed.corpus_dir
    extra = sorted(ARTICLES.glob("*.md"))
    for doc in extra:
        shutil.copy(doc, corpus / doc.name)
    points = get_args(CrashPoint)
    for n, point in enumerate(points):
        killed = _rag(indexed, "reindex", RAG_CRASH_AT=point)
        assert killed.returncode == -signal.SIGKILL, f"{point} was not reached: {killed.stderr}"
        asked = json.loads(_run(indexed, "ask", "Why is Windsurf the flashpoint?", "--json"))
        assert any("heißt Windsurf" in c["text"] for c in asked["citations"]), point
        # Change the corpus between kills: every run has work, deletions and updates too.
        victim = corpus / extra[n % len(extra)].name
        if n == 1:
            victim.unlink()
        elif victim.exists():
            victim.write_text(victim.read_text(encoding="utf-8") + "\n\nNachtrag.\n")

    healed = json.loads(_run(indexed, "reindex", "--json"))
    again = json.loads(_run(indexed, "reindex", "--json"))
    assert (again["added"], again["updated"], again["removed"]) == (0, 0, 0), "second run: no-op"
    assert again["unchanged"] == len(list(corpus.glob("*.md")))
    assert again["chunks"] == healed["chunks"]
    report = _consistency_report(indexed)
    assert report == {"duplicates": [], "agree": True, "chunks": healed["chunks"], "dirty": False}
