"""Adding articles to the corpus: URLs (fetched and extracted), saved pages and article
files, or an uploaded file; then one reindex.

Each input is checked before anything is written; a bad one is a line in `skipped` and
the good ones are still added. A file the reindex then refuses (the same text as another
article) is not kept.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.corpus import CorpusWriter, Draft, page_draft
from ingest.encoding import decode
from ingest.load import NOT_ARTICLES, SUFFIXES, Article, content_hash, parse_article
from ingest.progress import Progress
from ingest.reindex import ReindexSummary, exclusive, reindex
from rag.config import Settings
from rag.errors import ArticleError, ArticleNotIndexedError, FetchError, RagError
from rag.index.layout import IndexLayout
from rag.index.manifest import load_manifest
from rag.text.urls import host_of, site_of, web_url

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from ingest.fetch import Fetcher

UPLOADS = (".md", ".txt", ".html", ".htm")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 80


@dataclass(frozen=True)
class Added:
    """An article that is in the corpus now (added, updated or already there)."""

    input: str
    path: str  # in the corpus folder
    doc_id: str
    title: str
    date: str | None
    outlet: str
    source: str

    @classmethod
    def of(cls, input_: str, path: str, article: Article) -> Added:
        a = article
        return cls(input_, path, path, a.title, a.date or None, a.outlet, a.source)


@dataclass(frozen=True)
class Refused:
    input: str
    reason: str


@dataclass
class AddReport:
    added: list[Added] = field(default_factory=list)
    updated: list[Added] = field(default_factory=list)
    unchanged: list[Added] = field(default_factory=list)
    skipped: list[Refused] = field(default_factory=list)
    reindex: ReindexSummary | None = None
    notice: str = ""  # why the saved articles are not indexed yet

    def as_dict(self) -> dict[str, Any]:
        return report_dict(self)


def report_dict(report: Any) -> dict[str, Any]:
    """An add or feed report as JSON: the reindex as its summary's own JSON, the notice
    only when there is one."""
    data = asdict(report)
    data["reindex"] = report.reindex.as_dict() if report.reindex else None
    if not report.notice:
        del data["notice"]
    return data


@dataclass(frozen=True)
class AddedArticle:
    filename: str  # where it was saved in the corpus
    title: str
    summary: ReindexSummary  # of the reindex that indexed it

    def as_dict(self) -> dict[str, Any]:
        return {"filename": self.filename, "title": self.title, "reindex": self.summary.as_dict()}


def is_url(text: str) -> bool:
    return text.strip().lower().startswith(("http://", "https://"))


def safe_filename(name: str) -> str:
    """A plain file name for the corpus folder, or `ArticleError` saying what is wrong;
    names the corpus keeps for itself (its feed list) are refused."""
    if "/" in name or "\\" in name or name.strip() in ("", ".", ".."):
        raise ArticleError(f"{name!r} is not a plain file name: upload the file itself")
    stem, suffix = os.path.splitext(name.strip())
    if suffix.lower() not in UPLOADS:
        raise ArticleError(
            f"{name!r} is not an article: only .md, .txt and .html files can be added"
        )
    # Accents are folded to ASCII and anything else becomes "-", so the name is portable;
    # leading dots are stripped because the corpus scan ignores hidden files.
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    clean = _UNSAFE.sub("-", folded).strip(".-_")[:_MAX_STEM].rstrip(".-_")
    if not clean:
        raise ArticleError(f"{name!r} has no usable characters in its name: rename it")
    if (clean + suffix).lower() in NOT_ARTICLES:
        raise ArticleError(f"{name!r} is a name the corpus keeps for itself: rename the file")
    return clean + suffix.lower()


def file_draft(name: str, data: bytes, *, max_bytes: int, url: str = "") -> Draft:
    """A draft of an article file or saved page, checked as the reindex would read it."""
    filename = safe_filename(name)
    if len(data) > max_bytes:
        raise ArticleError(f"{name!r} is too large ({len(data):,} bytes, limit {max_bytes:,})")
    try:
        if filename.endswith((".html", ".htm")):
            from ingest.html import extract_page  # deferred: trafilatura takes a moment

            return page_draft(extract_page(data, url))
        article = parse_article(filename, decode(data), digest=content_hash(data))
    except ArticleError as exc:
        raise ArticleError(f"{name!r} cannot be added: {exc}") from exc
    return Draft(filename, data, article, by_name=True)


def url_draft(url: str, fetcher: Fetcher, *, day: str = "") -> Draft:
    """A draft of the article at `url`, fetched and extracted; `day` is the date to use
    when the page names none (a feed entry's).

    A page's canonical URL is its identity only on the site it was fetched from: a page
    claiming another site's URL would otherwise replace that site's article."""
    from ingest.html import extract_page

    fetched = fetcher.get(url)
    page = extract_page(fetched.text, fetched.url)
    if site_of(page.source) != site_of(fetched.url) or not web_url(page.source):
        # nor may it borrow the other site's name when it gives none of its own
        outlet = host_of(fetched.url) if page.outlet == host_of(page.source) else page.outlet
        page = replace(page, source=web_url(fetched.url), outlet=outlet)
    if not page.date and day:
        page = replace(page, date=day)
    return page_draft(page, dt.datetime.now(dt.timezone.utc), replaces=True)


def add_sources(
    settings: Settings,
    inputs: Sequence[str],
    *,
    local_files: bool = False,
    index: bool = True,
    fetcher: Fetcher | None = None,
    embed_model: BaseEmbedding | None = None,
    progress: Progress | None = None,
) -> AddReport:
    """Add each URL in `inputs` to the corpus (and each file path, with `local_files`:
    only the machine's own user, at the command line, may read local files), then
    reindex (unless `index` is False).

    Everything is fetched first; then the index's lock is taken, and the files are
    written and indexed under it: while another reindex runs, ReindexBusyError, and
    nothing is written."""
    from ingest.fetch import Fetcher

    report = AddReport()
    drafts: list[tuple[str, Draft]] = []
    with fetcher or Fetcher(settings) as client:
        for item in inputs:
            try:
                if is_url(item):
                    drafts.append((item, url_draft(item.strip(), client)))
                elif local_files:
                    drafts.append((item, _path_draft(item, settings)))
                else:  # the same words whether or not such a file exists
                    raise ArticleError("only http(s) links can be added here")
            except (ArticleError, FetchError, OSError) as exc:
                report.skipped.append(Refused(item, reason_of(exc)))
    if not index or not drafts:  # nothing fetched: nothing to write or index
        _place(CorpusWriter(settings.corpus_dir), drafts, report)
        return report
    with exclusive(settings):
        writer = CorpusWriter(settings.corpus_dir)
        _place(writer, drafts, report)
        try:
            report.reindex = reindex(
                settings, embed_model=embed_model, progress=progress, lock_held=True
            )
        except RagError as exc:  # e.g. the store is down: the files wait for the next
            report.notice = f"saved into the corpus, not indexed yet: {exc}"
            return report
        _take_back_refused(report, writer)
    return report


def _place(writer: CorpusWriter, drafts: Sequence[tuple[str, Draft]], report: AddReport) -> None:
    for item, draft in drafts:
        try:
            status, path = writer.place(draft)
        except (ArticleError, OSError) as exc:
            report.skipped.append(Refused(item, reason_of(exc)))
            continue
        getattr(report, status).append(Added.of(item, path, draft.article))


def reason_of(exc: Exception) -> str:
    """A one-line reason; a file system error without the paths it names."""
    if isinstance(exc, OSError):
        return f"cannot be saved ({exc.strerror or exc.__class__.__name__})"
    return str(exc)


def _path_draft(item: str, settings: Settings) -> Draft:
    path = Path(item).expanduser()
    if not path.is_file():
        raise ArticleError(f"no such file: {item} (give an http(s) URL or a file)")
    if path.suffix.lower() not in SUFFIXES:
        raise ArticleError(f"{path.name} is not an article (.md, .txt or .html)")
    size = path.stat().st_size
    if size > settings.max_article_bytes:
        raise ArticleError(f"{path.name} is too large ({size:,} bytes)")
    return file_draft(path.name, path.read_bytes(), max_bytes=settings.max_article_bytes)


def _indexed_articles(settings: Settings) -> set[str]:
    """The doc ids the index holds now (none before the first reindex)."""
    try:
        manifest = load_manifest(IndexLayout(settings.data_dir).manifest)
    except RagError:  # another format or unreadable: the reindex rebuilds it
        return set()
    return set(manifest.documents) if manifest else set()


def _take_back_refused(report: AddReport, writer: CorpusWriter) -> None:
    """Files the reindex skipped (the same text as another article) are not kept."""
    assert report.reindex is not None
    reasons = {s.path: s.reason for s in report.reindex.skipped}
    for entry in list(report.added):
        if entry.path in reasons:
            writer.remove(entry.path)
            report.added.remove(entry)
            report.skipped.append(Refused(entry.input, f"not added: {reasons[entry.path]}"))


def add_article(
    settings: Settings,
    name: str,
    data: bytes,
    *,
    max_bytes: int,
    embed_model: BaseEmbedding | None = None,
    progress: Progress | None = None,
) -> AddedArticle:
    """Save an uploaded file into the corpus and reindex.

    Raises ArticleError when the file is refused, ReindexBusyError when another reindex
    runs (in both cases nothing is kept), and ArticleNotIndexedError when it is saved but
    the reindex failed (the next one indexes it)."""
    draft = file_draft(name, data, max_bytes=max_bytes)
    with exclusive(settings):  # taken first: a busy index refuses before anything is saved
        indexed = _indexed_articles(settings)
        writer = CorpusWriter(settings.corpus_dir)
        status, path = writer.place(draft)
        if status == "unchanged":
            raise ArticleError(f"{path} is already in the corpus")
        try:
            summary = reindex(settings, embed_model=embed_model, progress=progress, lock_held=True)
        except RagError as exc:
            raise ArticleNotIndexedError(path, str(exc)) from exc
        reason = next((s.reason for s in summary.skipped if s.path == path), None)
        if reason is not None and status == "added":  # e.g. the same text as another article
            writer.remove(path)
            raise ArticleError(f"{path} was not added: {reason}")
        # A copy of an indexed story, dated earlier, would be kept in its place: an upload
        # never pushes another source's article out of the index.
        displaced = [d.path for d in summary.duplicates if d.duplicate_of == path]
        if status == "added" and set(displaced) & indexed:
            writer.remove(path)
            reindex(settings, embed_model=embed_model, lock_held=True)
            raise ArticleError(
                f"{path} was not added: it is a copy of {sorted(set(displaced) & indexed)[0]}, "
                "which the corpus holds already"
            )
    return AddedArticle(path, draft.article.title, summary)
