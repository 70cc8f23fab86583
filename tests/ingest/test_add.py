"""Adding article files: names that stay inside the corpus, validation before anything is saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.add import check_upload, safe_filename, save_upload
from rag.errors import ArticleError


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("article.md", "article.md"),
        ("Neue Regeln für Rechenzentren.MD", "Neue-Regeln-fur-Rechenzentren.md"),
        ("...hidden.txt", "hidden.txt"),
        ("a  b?*<>|.txt", "a-b.txt"),
        ("x" * 300 + ".md", "x" * 80 + ".md"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize(
    "name", ["../../evil.md", "/etc/evil.md", "..\\evil.md", "..", "", "evil.md.exe", "???.md"]
)
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ArticleError):
        safe_filename(name)


def test_check_upload_reads_the_article_like_reindex() -> None:
    data = b"---\ntitle: Hallo\nsource: https://example.org/a\n---\nText des Artikels.\n"
    upload = check_upload("hallo.md", data, max_bytes=1000)
    assert upload.filename == "hallo.md"
    assert upload.article.title == "Hallo" and upload.article.source == "https://example.org/a"
    with pytest.raises(ArticleError, match="too large"):
        check_upload("hallo.md", data, max_bytes=10)
    with pytest.raises(ArticleError, match="broken front matter"):
        check_upload("broken.md", b"---\ntitle: [unclosed\n---\nText\n", max_bytes=1000)


def test_save_upload_never_overwrites(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    upload = check_upload("a.md", b"Erster Text.", max_bytes=1000)
    path = save_upload(upload, corpus)
    assert path == (corpus / "a.md").resolve() and path.read_bytes() == b"Erster Text."
    with pytest.raises(ArticleError, match="already in the corpus"):
        save_upload(upload, corpus)
    with pytest.raises(ArticleError, match="already exists: rename"):
        save_upload(check_upload("a.md", b"Anderer Text.", max_bytes=1000), corpus)
    assert path.read_bytes() == b"Erster Text."
    assert [p.name for p in corpus.iterdir()] == ["a.md"], "no temporary file is left behind"
