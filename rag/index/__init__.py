"""The one boundary to disk: everything the index keeps, and how it is read and written.

- `layout`: the files under RAG_DATA_DIR; `ids`: document and chunk ids; `records`: what a
  chunk carries (the metadata schema);
- `manifest`: which article version is indexed under which chunk ids, with which model;
- `store`: the Chroma collection (the only module that imports chromadb);
- `bm25`, `sentence_vectors`, `side_index`: what is kept beside Chroma, one generation
  folder per reindex;
- `reader`: opening a consistent snapshot for questions; `writer`: the reindex's writes.

Importing this package loads nothing heavy: a no-op reindex reads only the manifest.
"""
