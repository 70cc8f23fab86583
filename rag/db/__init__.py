"""The user's own data in one SQLite database in RAG_DATA_DIR: saved conversations with
their answers and feedback (and, later, watches). The index can be rebuilt from the
corpus; this cannot, so no reindex touches it."""
