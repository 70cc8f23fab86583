"""Reading articles: Markdown or text with front matter, or saved HTML pages; title,
language, the news metadata (date, outlet, author) and the content hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingest.encoding import decode
from ingest.metadata import outlet_of, read_when
from rag.errors import ArticleError
from rag.index.ids import doc_id_for
from rag.index.records import ArticleMeta
from rag.text.controls import strip_controls
from rag.text.language import detect_language
from rag.text.urls import web_url
from rag.text.wraps import unwrap

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
PAGES = (".html", ".htm")
# The feed list lives in the corpus folder but is not an article (ingest.feeds).
NOT_ARTICLES = frozenset({"feeds.txt"})
# Front matter holds a few short fields; anything near these sizes is not an article's.
MAX_FRONT_MATTER_CHARS = 65_536
MAX_FIELD_CHARS = 2_000
FIELDS = ("title", "source", "url", "outlet", "author", "date", "updated", "language", "lang")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
# Executable or invisible HTML is not article text (and must never reach a page).
_HIDDEN_HTML = re.compile(
    r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<script\b[^>]*>",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Article:
    """One article. `text` is the body after the front matter; chunk offsets index it."""

    doc_id: str
    title: str
    language: str
    source: str
    date: str  # publication day, ISO ("" = undated)
    text: str
    content_hash: str
    outlet: str = ""
    author: str = ""
    updated: str = ""
    published: str = ""  # ISO date-time, when the time of day is known
    warnings: tuple[str, ...] = ()  # e.g. a date that could not be read

    @property
    def meta(self) -> ArticleMeta:
        """What the index records on each of its chunks."""
        return ArticleMeta(
            self.doc_id,
            self.title,
            self.language,
            self.source,
            self.date,
            self.outlet,
            self.author,
            self.updated,
            self.published,
        )


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def article_body(body: str) -> str:
    """The text an article is indexed and quoted as: without hidden HTML, and with lines
    wrapped inside sentences joined (chunk offsets count in this text)."""
    return unwrap(strip_hidden_html(body))


def strip_hidden_html(text: str) -> str:
    """Remove <script>/<style> blocks and HTML comments."""
    return _HIDDEN_HTML.sub("", text) if "<" in text else text


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML with dates left as text (YAML's own reading of `2025-13-01` raises; ingest.metadata
    reads every form of date the same way), without anchors and aliases (nested aliases in
    a few hundred bytes expand to gigabytes once a value is read as text), and without
    explicit tags (`!!timestamp 2020-13-45` raises while the value is built)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "YAML anchors and aliases (& and *) are not allowed", event.start_mark
            )
        if getattr(event, "tag", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "YAML tags (!!int, !!timestamp, …) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(raw: str) -> tuple[dict[str, object], str]:
    """The front matter's keys and values, and the text after it. ArticleError when it is
    broken, too large, nests too deeply, or a field we read is longer than a field can be."""
    raw = strip_controls(raw)  # YAML refuses them, and no terminal may ever see them
    match = _FRONT_MATTER.match(raw)
    if not match:
        return {}, raw
    head = match.group(1)
    if len(head) > MAX_FRONT_MATTER_CHARS:
        raise ArticleError(
            f"front matter of {len(head):,} characters (limit {MAX_FRONT_MATTER_CHARS:,})"
        )
    try:
        meta = yaml.load(head, Loader=_FrontMatterLoader) or {}
    except yaml.YAMLError as exc:
        raise ArticleError(f"broken front matter{_where(exc)}") from exc
    except RecursionError:
        raise ArticleError("front matter nests lists or mappings too deeply") from None
    except (ValueError, TypeError) as exc:  # a value YAML parses but cannot build
        raise ArticleError(f"front matter holds a value that cannot be read ({exc})") from None
    if not isinstance(meta, dict):
        raise ArticleError("front matter is not a mapping of keys to values")
    for key in FIELDS:
        if len(_as_text(meta.get(key))) > MAX_FIELD_CHARS:
            raise ArticleError(
                f"front matter field {key!r} is longer than {MAX_FIELD_CHARS:,} characters"
            )
    return meta, raw[match.end() :]


def _where(exc: yaml.YAMLError) -> str:
    """' (line N): problem' for a YAML error, N counted in the article file."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    # the front matter starts on the file's second line, after the opening "---"
    line = f" (line {mark.line + 2})" if mark is not None else ""
    return f"{line}: {problem}" if problem else line


def _first_title(body: str) -> str:
    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            return heading.group(1).strip()
        if line.strip():
            text = line.strip()
            return text if len(text) <= 120 else text[:117].rsplit(" ", 1)[0] + "…"
    return ""


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return strip_controls(str(value)).strip()  # YAML's escapes ("\\e") decode to them


def parse_article(
    doc_id: str,
    raw: str,
    *,
    digest: str,
    detect: Callable[[str], str] = detect_language,
) -> Article:
    """Build an `Article` from its decoded text (pure apart from the detector)."""
    meta, body = split_front_matter(raw)
    body = article_body(body)
    if not body.strip():
        raise ArticleError("no text (empty, or front matter only)")
    title = _as_text(meta.get("title")) or _first_title(body) or doc_id
    language = _as_text(meta.get("language") or meta.get("lang")).lower() or detect(body)
    # only a web address is a source: a `javascript:` or `file:` one is never shown as a link
    source = web_url(_as_text(meta.get("source") or meta.get("url")))
    when, updated = read_when(meta.get("date")), read_when(meta.get("updated"))
    return Article(
        doc_id=doc_id,
        title=title,
        language=language,
        source=source,
        date=when.day,
        text=body,
        content_hash=digest,
        outlet=outlet_of(_as_text(meta.get("outlet")), source),
        author=_as_text(meta.get("author")),
        updated=updated.day,
        published=when.moment,
        warnings=tuple(
            problem.replace("date", field, 1)
            for field, problem in (("date", when.problem), ("updated", updated.problem))
            if problem
        ),
    )


def parse_page(doc_id: str, data: bytes, *, digest: str, url: str = "") -> Article:
    """Build an `Article` from a saved HTML page (ingest.html)."""
    from ingest.html import extract_page  # deferred: trafilatura takes a moment to load

    page = extract_page(data, url)
    return Article(
        doc_id=doc_id,
        title=page.title or doc_id,
        language=page.language,
        source=page.source,
        date=page.date,
        text=page.text,
        content_hash=digest,
        outlet=page.outlet,
        author=page.author,
        published=page.published,
    )


def scan_corpus(corpus_dir: Path) -> list[Path]:
    """Article files under `corpus_dir`, sorted; hidden files and folders are ignored."""
    return [Path(entry.path) for _doc_id, entry in _article_entries(corpus_dir)]


def _article_entries(corpus_dir: Path) -> list[tuple[str, os.DirEntry[str]]]:
    """(doc id, directory entry) of each article file under `corpus_dir`, by path. One
    pass of os.scandir: a quarter of a million files are listed in about a second, where
    pathlib's rglob and relative paths took ten. Folders linked in are not entered (as
    rglob did not); an unreadable folder below the corpus is passed over."""
    if not corpus_dir.is_dir():
        raise ArticleError(f"corpus folder not found: {corpus_dir}")
    found: list[tuple[str, os.DirEntry[str]]] = []
    folders = [(str(corpus_dir), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    doc_id = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((entry.path, doc_id + "/"))
                    elif (
                        entry.is_file()
                        and os.path.splitext(entry.name)[1].lower() in SUFFIXES
                        and doc_id not in NOT_ARTICLES
                    ):
                        found.append((doc_id, entry))
        except OSError:
            if not prefix:
                raise
    found.sort(key=lambda item: item[0].replace("/", "\0"))  # as paths sort: part by part
    return found


@dataclass(frozen=True)
class CorpusFile:
    """An article file, identified by its content: whether it changed needs no parsing."""

    doc_id: str
    location: str  # the file's path as listed; `path` makes it a Path when it is read
    content_hash: str
    size: int = 0
    mtime_ns: int = 0

    @property
    def path(self) -> Path:
        return Path(self.location)


# A file changed this recently may change again within its clock's tick at the same size:
# its size and time are not trusted to stand for its content (git's "racily clean").
RACY_NS = 2_000_000_000


def hash_corpus(
    corpus_dir: Path,
    *,
    max_bytes: int,
    known: Mapping[str, tuple[int, int, str]] | None = None,
) -> tuple[list[CorpusFile], list[tuple[str, str]]]:
    """Every article file with its content hash, and (doc id, reason) for those that
    cannot be read at all (too large, unreadable). A file whose size and modification time
    are those `known` for its doc id (size, mtime_ns, hash) is not read again."""
    known = known or {}
    files: list[CorpusFile] = []
    problems: list[tuple[str, str]] = []
    for doc_id, entry in _article_entries(corpus_dir):
        try:
            stat = entry.stat()
            if stat.st_size > max_bytes:
                raise ArticleError(f"too large ({stat.st_size:,} bytes, limit {max_bytes:,})")
            size, mtime, digest = known.get(doc_id, (-1, -1, ""))
            if (size, mtime) != (stat.st_size, stat.st_mtime_ns) or not digest:
                with open(entry.path, "rb") as handle:
                    digest = content_hash(handle.read())
            files.append(CorpusFile(doc_id, entry.path, digest, stat.st_size, stat.st_mtime_ns))
        except (ArticleError, OSError) as exc:
            problems.append((doc_id, str(exc)))
    return files, problems


def trusted_stats(files: Sequence[CorpusFile], scanned_ns: int) -> dict[str, tuple[int, int]]:
    """The size and modification time of each file that changed before `scanned_ns` (when
    the scan began) less RACY_NS: what the next scan may take for the hash it had (pure)."""
    return {f.doc_id: (f.size, f.mtime_ns) for f in files if f.mtime_ns < scanned_ns - RACY_NS}


def read_article(path: Path, corpus_dir: Path, *, max_bytes: int) -> Article:
    """Read and parse one article file; raises `ArticleError` with a reason."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ArticleError(f"too large ({size:,} bytes, limit {max_bytes:,})")
    data = path.read_bytes()
    doc_id, digest = doc_id_for(path, corpus_dir), content_hash(data)
    if path.suffix.lower() in PAGES:
        return parse_page(doc_id, data, digest=digest)
    return parse_article(doc_id, decode(data), digest=digest)
