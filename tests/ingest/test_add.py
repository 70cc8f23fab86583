"""Adding article files: names that stay inside the corpus, validation before anything is saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.add import file_draft, safe_filename
from ingest.corpus import CorpusWriter, page_path, slug
from ingest.html import Page
from rag.errors import ArticleError


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("article.md", "article.md"),
        ("Neue Regeln für Rechenzentren.MD", "Neue-Regeln-fur-Rechenzentren.md"),
        ("...hidden.txt", "hidden.txt"),
        ("a  b?*<>|.txt", "a-b.txt"),
        ("x" * 300 + ".md", "x" * 80 + ".md"),
        ("Seite.HTML", "Seite.html"),
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


def test_an_article_file_is_read_as_the_reindex_reads_it() -> None:
    data = b"---\ntitle: Hallo\nsource: https://example.org/a\n---\nText des Artikels.\n"
    draft = file_draft("hallo.md", data, max_bytes=1000)
    assert draft.path == "hallo.md"
    assert draft.article.title == "Hallo" and draft.article.source == "https://example.org/a"
    assert draft.article.outlet == "example.org", "the host, when no outlet is given"
    with pytest.raises(ArticleError, match="too large"):
        file_draft("hallo.md", data, max_bytes=10)
    with pytest.raises(ArticleError, match="broken front matter"):
        file_draft("broken.md", b"---\ntitle: [unclosed\n---\nText\n", max_bytes=1000)


def test_a_file_never_overwrites_another_of_its_name(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    writer = CorpusWriter(corpus)
    draft = file_draft("a.md", b"Erster Text.", max_bytes=1000)
    assert writer.place(draft) == ("added", "a.md")
    path = corpus / "a.md"
    assert path.read_bytes() == b"Erster Text."
    assert writer.place(draft) == ("unchanged", "a.md"), "already in the corpus"
    with pytest.raises(ArticleError, match="already exists: rename"):
        writer.place(file_draft("a.md", b"Anderer Text.", max_bytes=1000))
    assert path.read_bytes() == b"Erster Text."
    assert [p.name for p in corpus.iterdir()] == ["a.md"], "no temporary file is left behind"


def _page(text: str, source: str = "https://www.zeit.de/wirtschaft/a") -> Page:
    return Page("Preise steigen: Was nun?", text, source, "Die Zeit", "", "2025-06-03", "de")


def test_a_page_is_named_by_outlet_date_and_title_and_updated_by_its_url(tmp_path: Path) -> None:
    assert slug("Preise steigen: Was nun? Ä") == "preise-steigen-was-nun-a"
    first = _page("Erster Absatz. " * 30)
    assert page_path(first) == "zeit.de/2025-06-03-preise-steigen-was-nun.md"
    writer = CorpusWriter(tmp_path)
    from ingest.corpus import page_draft

    assert writer.place(page_draft(first))[0] == "added"
    again = CorpusWriter(tmp_path)  # a later run finds it by its source
    assert again.place(page_draft(first))[0] == "unchanged"
    changed = _page("Korrigierter Absatz. " * 30)
    # fetched from its own site again, a page updates the article of its URL
    assert again.place(page_draft(changed, replaces=True)) == ("updated", page_path(first))
    other = _page("Ganz anderer Text. " * 30, source="https://www.zeit.de/wirtschaft/b")
    assert again.place(page_draft(other)) == ("added", page_path(first).replace(".md", "-2.md"))
    assert len(list(tmp_path.rglob("*.md"))) == 2
