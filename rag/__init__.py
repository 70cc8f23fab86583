"""article-rag: answers about a corpus of news articles, every claim cited.

Names are imported on first use, so `rag.cli` starts fast and a no-op reindex never
loads Chroma or llama-index.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ingest.add import AddedArticle, AddReport
    from ingest.feeds import FeedReport
    from ingest.reindex import ReindexSummary, Skipped
    from rag.answer.timeline import Event, Timeline
    from rag.answer.types import Answer, ChatMessage, Citation, Copy, Delta, Final, StreamEvent
    from rag.api import ArticleInfo, Assistant, FeedInfo, IndexStatus
    from rag.background import Deleted
    from rag.config import Settings, get_settings
    from rag.db.conversations import Conversation, Message, Rating
    from rag.db.watches import Alert, Watch
    from rag.errors import RagError
    from rag.jobs import Job
    from rag.search.filters import AppliedFilters, Filters
    from rag.search.passage import Passage
    from rag.text.byline import byline
    from rag.tuning import Tuning

# Each name from its light home module: `from rag import Answer` loads no model library.
_HOMES = {
    "AddedArticle": "ingest.add",
    "AddReport": "ingest.add",
    "FeedReport": "ingest.feeds",
    "FeedInfo": "rag.api",
    "ReindexSummary": "ingest.reindex",
    "Skipped": "ingest.reindex",
    "Answer": "rag.answer.types",
    "ChatMessage": "rag.answer.types",
    "Citation": "rag.answer.types",
    "Copy": "rag.answer.types",
    "Delta": "rag.answer.types",
    "Final": "rag.answer.types",
    "StreamEvent": "rag.answer.types",
    "Conversation": "rag.db.conversations",
    "Alert": "rag.db.watches",
    "Watch": "rag.db.watches",
    "Deleted": "rag.background",
    "Job": "rag.jobs",
    "Message": "rag.db.conversations",
    "Rating": "rag.db.conversations",
    "ArticleInfo": "rag.api",
    "Assistant": "rag.api",
    "IndexStatus": "rag.api",
    "Passage": "rag.search.passage",
    "Filters": "rag.search.filters",
    "AppliedFilters": "rag.search.filters",
    "Timeline": "rag.answer.timeline",
    "Event": "rag.answer.timeline",
    "Settings": "rag.config",
    "get_settings": "rag.config",
    "RagError": "rag.errors",
    "Tuning": "rag.tuning",
    "byline": "rag.text.byline",
}
__all__ = [
    "AddReport",
    "Alert",
    "AppliedFilters",
    "AddedArticle",
    "Answer",
    "ArticleInfo",
    "Assistant",
    "ChatMessage",
    "Citation",
    "Conversation",
    "Copy",
    "Deleted",
    "Delta",
    "Event",
    "FeedInfo",
    "FeedReport",
    "Filters",
    "Final",
    "IndexStatus",
    "Job",
    "Message",
    "Passage",
    "Rating",
    "RagError",
    "ReindexSummary",
    "Settings",
    "Skipped",
    "StreamEvent",
    "Timeline",
    "Tuning",
    "Watch",
    "byline",
    "get_settings",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
