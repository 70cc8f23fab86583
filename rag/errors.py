"""Errors a user can act on. The CLI and UI translate them; nothing below them does."""


class RagError(Exception):
    """Base class: the message says what went wrong and what to do."""


class QuestionError(RagError):
    """The question cannot be answered as given (empty, too long, ...)."""


class IndexMissingError(RagError):
    """No index has been built yet."""


class IndexMismatchError(RagError):
    """The index was built with another embedding model or format."""


class IndexFormatError(IndexMismatchError):
    """The index was written in another on-disk format; a plain reindex rebuilds it."""


class StoreUnavailableError(RagError):
    """The Chroma store cannot be opened or reached."""


class ArticleError(RagError):
    """An article cannot be read or parsed; reindex skips it with this reason."""


class UnknownArticleError(RagError):
    """No indexed article has this doc_id (or its file left the corpus)."""


class FetchError(RagError):
    """A page or feed could not be fetched; the message is the one-line reason."""


class ArticleNotIndexedError(RagError):
    """An added article was saved into the corpus, but indexing it failed."""

    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(f"{filename} is saved but not indexed yet ({reason})")
        self.filename = filename
        self.reason = reason


class ReindexBusyError(RagError):
    """Another reindex holds the lock."""


class FeedError(RagError):
    """The feed list cannot be changed as asked (no feed, not listed)."""


class UnknownConversationError(RagError):
    """No saved conversation (or answer in it) of that id."""


class UnknownWatchError(RagError):
    """No watch (or alert) of that id."""


class DatabaseError(RagError):
    """The database of saved conversations cannot be opened, or is of a newer version."""


class JobsBusyError(RagError):
    """Too many background jobs wait already: try again once some have run."""


class ConfigError(RagError):
    """The settings contradict each other or miss a value."""


class LLMError(RagError):
    """The language model failed (after retries); the caller falls back to extraction."""
