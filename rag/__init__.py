"""article-rag: answers about a corpus of news articles, every claim cited.

Names are imported on first use, so `rag.cli` starts fast and a no-op reindex never
loads Chroma or llama-index.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag.answer import Answer, ChatMessage, Citation
    from rag.api import ArticleInfo, Assistant, IndexStatus
    from rag.config import Settings, get_settings
    from rag.errors import RagError

_HOMES = {
    "Answer": "rag.answer",
    "ChatMessage": "rag.answer",
    "Citation": "rag.answer",
    "ArticleInfo": "rag.api",
    "Assistant": "rag.api",
    "IndexStatus": "rag.api",
    "Settings": "rag.config",
    "get_settings": "rag.config",
    "RagError": "rag.errors",
}
__all__ = [
    "Answer",
    "ArticleInfo",
    "Assistant",
    "ChatMessage",
    "Citation",
    "IndexStatus",
    "RagError",
    "Settings",
    "get_settings",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
