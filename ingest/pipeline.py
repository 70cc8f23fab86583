"""Embedding chunks and writing them: to Chroma (dense) and to the BM25 index (sparse)."""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from ingest.chunk import Chunk, chunk_id
from ingest.load import Article
from rag.config import Settings
from rag.lexical import LexicalIndex
from rag.lexical_format import SENTENCES_DIR
from rag.models import make_embed_model, second_encoder
from rag.sentence_vectors import SentenceVectors
from rag.store import ChunkStore

log = logging.getLogger(__name__)


def build_nodes(
    article: Article, chunks: Sequence[Chunk], embeddings: Sequence[list[float]]
) -> list[TextNode]:
    """llama-index nodes with deterministic ids and the metadata citations need."""
    nodes = []
    for chunk, embedding in zip(chunks, embeddings, strict=True):
        nodes.append(
            TextNode(
                id_=chunk_id(article.doc_id, chunk.start, chunk.end),
                text=chunk.text,
                embedding=list(embedding),
                start_char_idx=chunk.start,
                end_char_idx=chunk.end,
                metadata={
                    "doc_id": article.doc_id,
                    "title": article.title,
                    "source": article.source,
                    "language": article.language,
                    "date": article.date,
                    "chunk_index": chunk.index,
                    "start_char": chunk.start,
                    "end_char": chunk.end,
                },
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=article.doc_id)},
            )
        )
    return nodes


def embed_texts(
    embed_model: BaseEmbedding,
    texts: Sequence[str],
    *,
    batch_size: int,
    on_batch: Callable[[int], None] | None = None,
) -> list[list[float]]:
    """Passage embeddings in batches, reporting each finished batch's size."""
    vectors: list[list[float]] = []
    for i in range(0, len(texts), batch_size):
        batch = list(texts[i : i + batch_size])
        vectors.extend(embed_model.get_text_embedding_batch(batch))
        if on_batch:
            on_batch(len(batch))
    return vectors


def _previous_sentences(folder: Path) -> SentenceVectors | None:
    try:
        return SentenceVectors.load(folder / SENTENCES_DIR)
    except (OSError, ValueError) as exc:  # none yet, or unreadable: embed everything
        log.debug("no reusable sentence vectors in %s: %s", folder, exc)
        return None


def rebuild_lexical(
    store: ChunkStore,
    settings: Settings,
    previous: str | None,
    embed_model: BaseEmbedding | None = None,
    *,
    on_batch: Callable[[int], None] | None = None,
) -> str:
    """Build a new BM25 + sentence-vector generation from what Chroma holds; return its name.

    A new folder per generation lets running queries keep reading the old one until
    the manifest (written after this) points at the new one. Sentence vectors of chunks
    the previous generation already had are reused, so only new text is embedded.
    """
    ids: list[str] = []
    texts: list[str] = []
    languages: list[str] = []
    vectors: list[np.ndarray] = []
    for cid, text, meta, vector in store.records_with_vectors():
        ids.append(cid)
        texts.append(text)
        languages.append(str(meta.get("language") or "en"))
        vectors.append(vector.astype(np.float16))  # stored as float16: halves the transient list
    name = uuid.uuid4().hex[:12]
    lexical = LexicalIndex.build(ids, texts, languages)
    # a local copy of Chroma's vectors: retrieval scores BM25-only candidates from it
    lexical.vectors = np.stack(vectors) if vectors else None
    old = _previous_sentences(settings.bm25_dir / previous) if previous else None
    model: list[BaseEmbedding] = [embed_model] if embed_model else []

    def embed(batch: list[str]) -> np.ndarray:
        if not model:  # only loaded when some sentence is new
            model.append(make_embed_model(settings))
        return np.asarray(model[0].get_text_embedding_batch(batch), dtype=np.float32)

    lexical.sentences = SentenceVectors.build(
        texts,
        embed,
        previous=old,
        batch_size=settings.embed_batch_size,
        on_batch=on_batch,
        embed_second=lambda batch: second_encoder().embed(batch),
    )
    log.info("sentence vectors: %d sentences", len(lexical.sentences.spans))
    lexical.save(settings.bm25_dir / name)
    return name


def prune_lexical(settings: Settings, keep: set[str]) -> None:
    """Delete BM25 generations other than `keep` (open memory maps stay valid on POSIX)."""
    if not settings.bm25_dir.is_dir():
        return
    for folder in settings.bm25_dir.iterdir():
        if folder.is_dir() and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
