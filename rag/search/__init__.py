"""Finding passages: dense (e5 in Chroma, chunk and best sentence) + BM25, fused.

- `passage`: what a search returns; `fusion`: score fusion and weights (pure);
- `retriever`: the hybrid retriever over one index snapshot.
"""
