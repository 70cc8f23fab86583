"""Articles into the index: load (front matter, text) → chunk (pure) → plan what changed
(pure) → apply it through rag.index; `reindex` runs that, `add` adds a file to the corpus.
Callers use `rag.Assistant.reindex` and `rag.Assistant.add_article`."""
