"""article-rag: answers about a corpus of news articles, every claim cited."""

from rag.answer import Answer, ChatMessage, Citation
from rag.api import ArticleInfo, Assistant, IndexStatus
from rag.config import Settings, get_settings
from rag.errors import RagError

__all__ = [
    "Answer",
    "ArticleInfo",
    "Assistant",
    "ChatMessage",
    "IndexStatus",
    "Citation",
    "RagError",
    "Settings",
    "get_settings",
]
