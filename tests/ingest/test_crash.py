"""A reindex killed with SIGKILL leaves an index that answers; the next reindex heals it.

Everything runs in subprocesses, as a user would run it: the store is never opened by two
live processes' caches at once.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.config import Settings
from tests.conftest import EVAL

EXTRA_DOCS = sorted((EVAL / "xquad-de" / "docs").glob("*.txt"))[:6]


def _rag(settings: Settings, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env |= {"RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "rag.cli", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def _run(settings: Settings, *args: str) -> str:
    proc = _rag(settings, *args)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return out


def _consistency_report(settings: Settings) -> dict[str, object]:
    """Chroma, BM25 and the manifest compared in a fresh process."""
    code = """
import json, sys
from collections import Counter
from rag.config import get_settings
from rag.lexical import LexicalIndex
from rag.manifest import load_manifest
from rag.store import ChunkStore
s = get_settings()
m = load_manifest(s.manifest_path)
ids = list(ChunkStore(s).ids())
bm25 = LexicalIndex.load(s.bm25_dir / m.lexical_dir).ids
listed = [c for e in m.documents.values() for c in e.chunk_ids]
print(json.dumps({"duplicates": [c for c, n in Counter(ids).items() if n > 1],
                  "chroma": sorted(ids) == sorted(bm25) == sorted(listed),
                  "chunks": len(ids)}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env |= {"RAG_DATA_DIR": str(settings.data_dir)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.slow
def test_sigkill_at_several_points_then_heal(settings: Settings, corpus: Path) -> None:
    _run(settings, "reindex")
    for doc in EXTRA_DOCS:
        shutil.copy(doc, corpus / doc.name)
    # Kill points spread over a run: reading/deleting, embedding, writing, BM25 rebuild.
    for delay in (0.5, 2.0, 4.0, 7.0, 10.0):
        proc = _rag(settings, "reindex")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        asked = json.loads(_run(settings, "ask", "Why is Windsurf the flashpoint?", "--json"))
        assert any("heißt Windsurf" in c["text"] for c in asked["citations"]), delay
        # Change the corpus between kills so later runs have deletions and updates too.
        victim = corpus / EXTRA_DOCS[int(delay) % len(EXTRA_DOCS)].name
        if victim.exists():
            victim.write_text(
                victim.read_text(encoding="utf-8") + "\n\nNachtrag.", encoding="utf-8"
            )

    healed = json.loads(_run(settings, "reindex", "--json"))
    again = json.loads(_run(settings, "reindex", "--json"))
    assert (again["added"], again["updated"], again["removed"]) == (0, 0, 0), "second run: no-op"
    assert again["unchanged"] == 1 + len(EXTRA_DOCS)
    assert again["chunks"] == healed["chunks"]
    report = _consistency_report(settings)
    assert report == {"duplicates": [], "chroma": True, "chunks": healed["chunks"]}
