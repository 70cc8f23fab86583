"""Adding an article file to the corpus: validate it, save it under a safe name, index it.

Nothing is written unless the file would be indexed, the name it is saved under can never
point outside the corpus folder, and a file the reindex refuses is not kept.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.load import Article, content_hash, decode, parse_article
from ingest.progress import Progress
from ingest.reindex import ReindexSummary, reindex
from rag.config import Settings
from rag.errors import ArticleError, ArticleNotIndexedError, RagError

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

SUFFIXES = (".md", ".txt")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 80


@dataclass(frozen=True)
class Upload:
    filename: str  # the sanitised name it is saved under
    article: Article
    data: bytes


@dataclass(frozen=True)
class AddedArticle:
    filename: str  # the name it was saved under in the corpus
    title: str
    summary: ReindexSummary  # of the reindex that indexed it


def safe_filename(name: str) -> str:
    """A plain file name for the corpus folder, or `ArticleError` saying what is wrong."""
    if "/" in name or "\\" in name or name.strip() in ("", ".", ".."):
        raise ArticleError(f"{name!r} is not a plain file name: upload the file itself")
    stem, suffix = os.path.splitext(name.strip())
    if suffix.lower() not in SUFFIXES:
        raise ArticleError(f"{name!r} is not an article: only .md and .txt files can be added")
    # Accents are folded to ASCII and anything else becomes "-", so the name is portable;
    # leading dots are stripped because the corpus scan ignores hidden files.
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    clean = _UNSAFE.sub("-", folded).strip(".-_")[:_MAX_STEM].rstrip(".-_")
    if not clean:
        raise ArticleError(f"{name!r} has no usable characters in its name: rename it")
    return clean + suffix.lower()


def check_upload(name: str, data: bytes, *, max_bytes: int) -> Upload:
    """Validate an uploaded file as reindex would read it; raises `ArticleError`."""
    filename = safe_filename(name)
    if len(data) > max_bytes:
        raise ArticleError(f"{name!r} is too large ({len(data):,} bytes, limit {max_bytes:,})")
    try:
        article = parse_article(filename, decode(data), digest=content_hash(data))
    except ArticleError as exc:
        raise ArticleError(f"{name!r} cannot be added: {exc}") from exc
    return Upload(filename, article, data)


def save_upload(upload: Upload, corpus_dir: Path) -> Path:
    """Write the article into `corpus_dir`; never overwrites, never leaves a partial file."""
    corpus = corpus_dir.resolve()
    target = (corpus / upload.filename).resolve()
    if target.parent != corpus:  # belt and braces: safe_filename already forbids this
        raise ArticleError(f"{upload.filename!r} would be saved outside the corpus folder")
    if target.exists():
        same = target.read_bytes() == upload.data
        raise ArticleError(
            f"{upload.filename} is already in the corpus"
            if same
            else f"an article named {upload.filename} already exists: rename the file"
        )
    corpus.mkdir(parents=True, exist_ok=True)
    # A hidden temporary file (the corpus scan skips it) linked into place: a reindex
    # running meanwhile never sees half a file, and a name taken meanwhile is not replaced.
    fd, tmp = tempfile.mkstemp(dir=corpus, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(upload.data)
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise ArticleError(
                f"an article named {upload.filename} already exists: rename the file"
            ) from None
    finally:
        os.unlink(tmp)
    return target


def add_article(
    settings: Settings,
    name: str,
    data: bytes,
    *,
    max_bytes: int,
    embed_model: BaseEmbedding | None = None,
    progress: Progress | None = None,
) -> AddedArticle:
    """Save `data` into the corpus as `name` (cleaned up) and reindex.

    Raises ArticleError when the file is refused (nothing is kept), and
    ArticleNotIndexedError when it is saved but the reindex failed (the next one indexes it)."""
    upload = check_upload(name, data, max_bytes=max_bytes)
    path = save_upload(upload, settings.corpus_dir)
    try:
        summary = reindex(settings, embed_model=embed_model, progress=progress)
    except RagError as exc:
        raise ArticleNotIndexedError(upload.filename, str(exc)) from exc
    reason = next((s.reason for s in summary.skipped if s.path == upload.filename), None)
    if reason is not None:  # e.g. the same text as another article: do not keep the file
        path.unlink(missing_ok=True)
        raise ArticleError(f"{upload.filename} was not added: {reason}")
    return AddedArticle(upload.filename, upload.article.title, summary)
