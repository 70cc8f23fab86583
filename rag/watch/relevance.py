"""Which quotes of a watch's answer over new articles answer its question: the article
must name the story (rag.answer.story, strictly: its names and nouns), and the answer be
confident or the quote close to the question (e5 cosine). On news-dev's replay this took
recall from 0.54 to 0.84 at the same precision (docs/benchmarks.md)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.answer.story import names_story
from rag.answer.types import Answer, Citation
from rag.models.embedding import query_vector
from rag.search.passage import Passage

RELEVANT = 0.84  # cosine of question and quote that answers without `high`


def on_story(question: str, language: str, citation: Citation, article_language: str) -> bool:
    """Whether the cited article names the story the question asks about."""
    passage = Passage(
        chunk_id="", doc_id=citation.doc_id, title=citation.title, source=citation.source,
        language=article_language, text=citation.text, start=citation.start_char,
        end=citation.end_char, score=citation.score, dense=0.0,
    )  # fmt: skip
    return names_story(question, language, [passage], strict=True)


def relevant(
    answer: Answer,
    question: str,
    language: str,
    arrived: Collection[str],
    languages: Mapping[str, str],
    embed_model: BaseEmbedding,
) -> set[int]:
    """The numbers of the citations from `arrived` articles that answer `question`
    (`languages`: each article's language)."""
    found: set[int] = set()
    asked: np.ndarray | None = None
    for c in answer.citations:
        if c.doc_id not in arrived or not c.quote:
            continue
        if not on_story(question, language, c, languages.get(c.doc_id, language)):
            continue
        if answer.confidence == "high":
            found.add(c.n)
            continue
        if asked is None:
            asked = query_vector(embed_model, question)
        quote = np.asarray(embed_model.get_text_embedding(c.quote), dtype=np.float32)
        cosine = float(asked @ quote / (np.linalg.norm(asked) * np.linalg.norm(quote) or 1.0))
        if cosine >= RELEVANT:
            found.add(c.n)
    return found
