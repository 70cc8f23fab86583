"""article-rag: answers about a corpus of news articles, every claim cited."""

from rag.answer import Answer, ChatMessage, Citation
from rag.api import Assistant
from rag.config import Settings, get_settings
from rag.errors import RagError

__all__ = ["Answer", "Assistant", "ChatMessage", "Citation", "RagError", "Settings", "get_settings"]
