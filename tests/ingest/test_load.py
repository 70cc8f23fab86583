from pathlib import Path

import pytest

from ingest.load import parse_article, read_article, scan_corpus
from rag.errors import ArticleError
from tests.conftest import CORPUS, SEED


def _parse(raw: str) -> object:
    return parse_article("x.md", raw, digest="h")


def test_seed_article_front_matter() -> None:
    article = read_article(CORPUS / SEED, CORPUS, max_bytes=10**7)
    assert article.doc_id == SEED
    assert article.language == "de"
    assert "Windsurf" in article.title
    assert article.text.startswith("Vor sechs Jahren")
    assert len(article.content_hash) == 64


def test_title_from_front_matter_heading_or_first_line() -> None:
    raw = "---\ntitle: Hello\nsource: https://example.org/a\ndate: 2025-06-01\n---\nBody."
    a = parse_article("a.md", raw, digest="h")
    assert (a.title, a.source, a.date, a.text) == (
        "Hello",
        "https://example.org/a",
        "2025-06-01",
        "Body.",
    )
    assert parse_article("b.md", "\n# The Heading\nText here.", digest="h").title == "The Heading"
    assert parse_article("c.txt", "\nFirst line\nSecond line", digest="h").title == "First line"


def test_language_is_detected_when_missing() -> None:
    de = parse_article(
        "d.txt", "Die Bundesregierung hat am Montag neue Regeln beschlossen.", digest="h"
    )
    en = parse_article(
        "e.txt", "The government announced new rules for the industry on Monday.", digest="h"
    )
    assert (de.language, en.language) == ("de", "en")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "no text"),
        ("---\ntitle: Only\n---\n", "no text"),
        ("---\ntitle: [unclosed\n---\nBody", r"broken front matter \(line 2\): expected"),
        ("---\ntitle: ok\nsource: a: b\n---\nBody", r"front matter \(line 3\): mapping values"),
        ("---\n- a list\n---\nBody", "not a mapping"),
    ],
)
def test_bad_articles_raise_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(ArticleError, match=reason):
        _parse(raw)


def test_binary_is_refused_and_latin1_decoded(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "ctrl.txt").write_bytes(bytes(range(1, 32)) * 20 + b"\xff\xfe")
    latin = "Die Grüße aus Köln: Bürgermeisterin Müller eröffnet die Straße am Fluss."
    (tmp_path / "latin.txt").write_bytes(latin.encode("latin-1"))
    with pytest.raises(ArticleError, match="binary"):
        read_article(tmp_path / "bin.txt", tmp_path, max_bytes=1000)
    with pytest.raises(ArticleError, match="binary|encoding"):
        read_article(tmp_path / "ctrl.txt", tmp_path, max_bytes=1000)
    assert read_article(tmp_path / "latin.txt", tmp_path, max_bytes=1000).text == latin


def test_scripts_styles_and_comments_are_removed() -> None:
    raw = (
        "# Title\nBefore <script>alert('x')</script> middle <STYLE>p{}</STYLE>"
        "<!-- hidden --> after <b>bold</b>.<script src=x>"
    )
    article = parse_article("h.md", raw, digest="h")
    assert article.text == "# Title\nBefore  middle  after <b>bold</b>."
    with pytest.raises(ArticleError, match="no text"):
        parse_article("s.md", "<script>only()</script>", digest="h")


def test_size_limit(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_text("a" * 2000)
    with pytest.raises(ArticleError, match="too large"):
        read_article(tmp_path / "big.md", tmp_path, max_bytes=1000)


def test_scan_ignores_other_and_hidden_files(tmp_path: Path) -> None:
    for name in ["a.md", "b.txt", "c.pdf", ".hidden.md", "sub/d.markdown", ".git/e.md"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in scan_corpus(tmp_path)] == [
        "a.md",
        "b.txt",
        "sub/d.markdown",
    ]


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2025-06-01", "2025-06-01"),
        ("2025-06-01T10:00:00", "2025-06-01"),
        ("2025-06-01T23:30:00-04:00", "2025-06-01"),  # the outlet's day, not UTC's
        ("2025-06-01T10:00:00Z", "2025-06-01"),
        ('"2025-06-01 10:00:00"', "2025-06-01"),
        ("2025-06-01 10:00:00", "2025-06-01"),  # YAML reads this as a date-time itself
    ],
)
def test_news_front_matter_dates(value: str, day: str) -> None:
    raw = f"---\ndate: {value}\nsource: https://www.zeit.de/politik/a\nauthor: Eva Roth\n---\nText."
    article = parse_article("a.md", raw, digest="h")
    assert article.date == day and article.warnings == ()
    assert article.outlet == "zeit.de", "the host of the source, without www."
    assert article.author == "Eva Roth"


def test_outlet_and_update_from_front_matter() -> None:
    raw = "---\noutlet: Die Zeit\nsource: https://zeit.de/a\nupdated: 2025-06-02\n---\nText."
    article = parse_article("a.md", raw, digest="h")
    assert (article.outlet, article.updated, article.date) == ("Die Zeit", "2025-06-02", "")


@pytest.mark.parametrize("value", ["1. Juni 2025", "2025-13-01", "yesterday", "06/01/2025"])
def test_a_date_that_cannot_be_read_leaves_the_article_undated(value: str) -> None:
    article = parse_article("a.md", f"---\ndate: {value}\n---\nText.", digest="h")
    assert article.date == ""
    (warning,) = article.warnings
    assert "not an ISO 8601 date" in warning and "undated" in warning


def test_saved_pages_are_articles(tmp_path: Path) -> None:
    from tests.web_server import PAGES

    (tmp_path / "seite.html").write_bytes((PAGES / "de-bahn-streik.html").read_bytes())
    (tmp_path / "feeds.txt").write_text("https://example.org/feed.xml\n")
    assert [p.name for p in scan_corpus(tmp_path)] == ["seite.html"], "feeds.txt is no article"
    article = read_article(tmp_path / "seite.html", tmp_path, max_bytes=10**6)
    assert article.title == "Bahnstreik legt Regionalverkehr am Bodensee lahm"
    assert (article.date, article.outlet, article.language) == (
        "2025-03-04", "Lindauer Tagblatt", "de"
    )  # fmt: skip
    assert article.published == "2025-03-04T06:15:00+01:00"
    (tmp_path / "leer.html").write_bytes((PAGES / "paywall.html").read_bytes())
    with pytest.raises(ArticleError, match="no article text"):
        read_article(tmp_path / "leer.html", tmp_path, max_bytes=10**6)
