"""Writing articles into the corpus folder: readable names, Markdown with front matter, and
placing a file atomically, never as a second copy of an article that is already there.

An article's identity is its canonical URL (`source`) when it has one, else its file name:
the same URL again updates that file in place when the text changed and leaves it alone
otherwise. Only a page fetched from its own site may update an article so; an upload or a
feed entry's own text names a URL nobody checked, and never replaces another article.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml

from ingest.load import NOT_ARTICLES, Article, article_body, parse_article, split_front_matter
from rag.errors import ArticleError
from rag.index.files import atomic_write
from rag.text.urls import host_of

if TYPE_CHECKING:
    from ingest.html import Page

_UNSAFE = re.compile(r"[^a-z0-9]+")
_UNSAFE_HOST = re.compile(r"[^a-z0-9.-]+")
_TEXTS = (".md", ".markdown", ".txt")
Status = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True)
class Draft:
    """A file about to go into the corpus."""

    path: str  # relative to the corpus folder, forward slashes
    data: bytes
    article: Article  # as the reindex will read it
    by_name: bool  # identity by file name: never replace another file of that name
    # fetched from the site its source names: it may update the article of that source
    replaces: bool = False


def slug(text: str, limit: int = 60) -> str:
    """A file-name part: ASCII, lower case, words joined by '-' (pure)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _UNSAFE.sub("-", folded).strip("-")[:limit].rstrip("-")


def page_path(page: Page) -> str:
    """`<outlet>/<date>-<slug>.md`: sorted by outlet and date in a file browser; the
    outlet's folder is named by its host (`zeit.de`), else by its name."""
    host = _UNSAFE_HOST.sub("-", host_of(page.source)).strip("-.")[:80]
    folder = host or slug(page.outlet, 40) or "web"
    name = slug(page.title) or "article"
    return f"{folder}/{page.date + '-' if page.date else ''}{name}.md"


def page_markdown(page: Page, fetched: dt.datetime | None = None) -> str:
    """The page as a Markdown article with its metadata in front matter."""
    meta = {
        "title": page.title,
        "source": page.source,
        "outlet": page.outlet,
        "author": page.author,
        "date": page.published or (dt.date.fromisoformat(page.date) if page.date else None),
        "language": page.language,
        "fetched": fetched.isoformat(timespec="seconds") if fetched else "",
    }
    head = yaml.safe_dump(
        {k: v for k, v in meta.items() if v}, allow_unicode=True, sort_keys=False, width=1000
    )
    return f"---\n{head}---\n{page.text}\n"


def page_draft(page: Page, fetched: dt.datetime | None = None, *, replaces: bool = False) -> Draft:
    """The page as a corpus file; `replaces`: it was fetched from its source's own site."""
    data = page_markdown(page, fetched).encode("utf-8")
    path = page_path(page)
    article = parse_article(path, data.decode("utf-8"), digest="")
    return Draft(path, data, article, by_name=False, replaces=replaces)


def _sources(corpus: Path) -> dict[str, str]:
    """The `source` of every Markdown or text article in the corpus, to its path."""
    found: dict[str, str] = {}
    if not corpus.is_dir():
        return found
    for path in sorted(corpus.rglob("*")):
        rel = path.relative_to(corpus).as_posix()
        if path.suffix.lower() not in _TEXTS or rel in NOT_ARTICLES or rel.startswith("."):
            continue
        try:
            meta, _body = split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
        except (ArticleError, OSError):
            continue
        source = str(meta.get("source") or meta.get("url") or "").strip()
        if source:
            found.setdefault(source, rel)
    return found


class CorpusWriter:
    """Places drafts into one corpus folder, knowing which sources it already holds."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self.by_source = _sources(corpus)

    def place(self, draft: Draft) -> tuple[Status, str]:
        """Write `draft` (atomically) unless its article is there already; returns what
        happened and the path it is at."""
        source = draft.article.source
        existing = self.by_source.get(source) if source else None
        if existing is not None:
            return self._replace(existing, draft), existing
        target = self._inside(draft.path)
        if target.exists():
            if target.read_bytes() == draft.data or self._same_text(target, draft):
                return "unchanged", draft.path
            if draft.by_name:
                raise ArticleError(f"an article named {draft.path} already exists: rename the file")
            draft = self._free_name(draft)
            target = self._inside(draft.path)
        _write_new(target, draft.data)
        if source:
            self.by_source[source] = draft.path
        return "added", draft.path

    def _replace(self, existing: str, draft: Draft) -> Status:
        target = self._inside(existing)
        if self._same_text(target, draft):
            return "unchanged"
        if not draft.replaces:
            raise ArticleError(
                f"an article from {draft.article.source} is already in the corpus as "
                f"{existing}, with another text; only fetching that URL updates it"
            )
        atomic_write(target, draft.data)
        return "updated"

    def _same_text(self, target: Path, draft: Draft) -> bool:
        try:
            _meta, body = split_front_matter(target.read_text(encoding="utf-8"))
        except (ArticleError, OSError, UnicodeDecodeError):
            return False
        return article_body(body).strip() == draft.article.text.strip()

    def _free_name(self, draft: Draft) -> Draft:
        stem, suffix = os.path.splitext(draft.path)
        for n in range(2, 1000):
            path = f"{stem}-{n}{suffix}"
            if not self._inside(path).exists():
                return replace(draft, path=path)
        raise ArticleError(f"no free file name for {draft.path}")

    def _inside(self, rel: str) -> Path:
        corpus = self.corpus.resolve()
        target = (corpus / rel).resolve()
        if corpus not in target.parents:  # names are built from slugs: belt and braces
            raise ArticleError(f"{rel!r} would be saved outside the corpus folder")
        return target

    def remove(self, rel: str) -> None:
        """Take back a file this writer added (the reindex refused it)."""
        self._inside(rel).unlink(missing_ok=True)
        self.by_source = {s: p for s, p in self.by_source.items() if p != rel}


def _write_new(target: Path, data: bytes) -> None:
    """Written whole (a reindex running meanwhile never sees half a file), and a name
    taken meanwhile is not replaced."""
    try:
        atomic_write(target, data, replace=False)
    except FileExistsError:
        raise ArticleError(
            f"an article named {target.name} already exists: rename the file"
        ) from None
