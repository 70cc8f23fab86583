"""Articles, pages and feeds written to do harm: each is skipped or defused with a reason,
and nothing else is lost. Each test failed before the fix it guards."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from ingest.add import add_article, add_sources
from ingest.feeds import FeedError, add_feed, feed_list, load_state, update_feeds
from ingest.html import extract_page
from ingest.load import parse_article
from rag import Assistant
from rag.config import Settings
from rag.errors import ArticleError
from rag.index.layout import IndexLayout
from rag.index.manifest import load_manifest
from tests.conftest import reindex
from tests.web_server import PAGES, Response, WebServer

BODY = "Die Bodan-Werft in Kressbronn baut bis Jahresende 40 Stellen ab, sagte der Betriebsrat. "


def _bomb(levels: int, width: int) -> str:
    """Front matter whose nested aliases expand to width**levels items."""
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    for n in range(1, levels):
        refs = ", ".join([f"*a{n - 1}"] * width)
        lines.append(f"a{n}: &a{n} [{refs}]")
    lines.append(f"title: *a{levels - 1}")
    return "---\n" + "\n".join(lines) + "\n---\n" + BODY * 5


def test_alias_bombs_in_front_matter_are_refused_with_a_reason(
    settings: Settings, corpus: Path, embed_model: Any
) -> None:
    """A 400-byte file that expands to a million items once read as text: skipped, the
    rest indexed, and a later reindex is as good."""
    bomb = _bomb(6, 10)
    assert len(bomb) < 1000
    (corpus / "bomb.md").write_text(bomb, "utf-8")
    (corpus / "deep.md").write_text("---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n" + BODY)
    (corpus / "long.md").write_text(f"---\ntitle: {'T' * 3000}\n---\n{BODY}")
    (corpus / "tagged.md").write_text(f"---\ndate: !!timestamp 2020-13-45\n---\n{BODY}")
    (corpus / "int.md").write_text(f"---\ntitle: !!int abc\n---\n{BODY}")
    summary = reindex(settings, embed_model=embed_model)
    reasons = {s.path: s.reason for s in summary.skipped}
    assert "anchors and aliases" in reasons["bomb.md"]
    assert "nests" in reasons["deep.md"]
    assert "longer than 2,000 characters" in reasons["long.md"]
    assert "tags" in reasons["tagged.md"] and "tags" in reasons["int.md"]
    assert summary.added == 1, "the seed article is indexed"
    again = reindex(settings, embed_model=embed_model)
    assert again.added == again.updated == 0 and set(reasons) <= {s.path for s in again.skipped}
    with pytest.raises(ArticleError, match="anchors and aliases"):
        add_article(settings, "bomb.md", bomb.encode(), max_bytes=10_000)


def test_control_characters_never_reach_the_text(tmp_path: Path) -> None:
    """A clear-screen, a clipboard write (OSC 52) and a bell, in text and title, are gone;
    and one ESC in a page no longer costs it all its text."""
    raw = f"---\ntitle: 'Werft\x1b]0;pwned\x07'\n---\n{BODY}\x1b[2J\x1b]52;c;ZXZpbA==\x07Ende."
    article = parse_article("a.md", raw, digest="")
    assert "\x1b" not in article.text + article.title and "\x07" not in article.text
    escaped = parse_article("b.md", '---\ntitle: "Up \\e]0;PWN\\a \\x9b31m"\n---\nText.', digest="")
    # YAML's own escapes decode to control characters: they go after decoding too
    assert escaped.title.startswith("Up") and escaped.title.isprintable()
    assert article.title == "Werft"
    assert "[2J" not in article.text and "Ende." in article.text
    page = (PAGES / "de-bahn-streik.html").read_text("utf-8")
    hostile = page.replace("</h1>", "</h1>\x1b[2J\x07", 1)
    assert "Lokführergewerkschaft" in extract_page(hostile.encode()).text


def test_utf8_pages_without_a_declared_charset_are_read_as_utf8() -> None:
    paragraphs = "".join(
        f"<p>Die Seebrücke in Lindau ist nach {n} Monaten Sanierung wieder für Fußgänger offen, "
        f"sagte die Stadt am {n}. Juni.</p>"
        for n in range(2, 8)
    )
    html = f"<html><head><title>Seebrücke</title></head><body><article>{paragraphs}</article>"
    page = extract_page((html + "</body></html>").encode("utf-8"))
    assert "Seebrücke" in page.text and "Ã" not in page.text


def test_a_page_cannot_claim_another_sites_article(
    newsroom: Settings, web: WebServer, embed_model: Any
) -> None:
    """A page on one site whose canonical link names another site's article adds an article
    of its own; the other one is left as it was."""
    real = add_sources(newsroom, [web.url("de-bahn-streik.html")], embed_model=embed_model)
    [original] = real.added
    before = (newsroom.corpus_dir / original.path).read_bytes()
    fake = (
        (PAGES / "de-bahn-streik.html")
        .read_text("utf-8")
        .replace("Die Gewerkschaft hatte", "Die Fälscher hatten")
    )
    web.extra["/copy.html"] = Response(body=fake.encode())
    forged = add_sources(
        newsroom, [f"http://attacker.example:{web.port}/copy.html"], embed_model=embed_model
    )
    assert not forged.updated and len(forged.added) == 1
    assert forged.added[0].source.startswith("http://attacker.example")
    assert (newsroom.corpus_dir / original.path).read_bytes() == before


def test_an_upload_never_replaces_an_article_of_another_source(
    newsroom: Settings, web: WebServer, embed_model: Any
) -> None:
    real = add_sources(newsroom, [web.url("de-bahn-streik.html")], embed_model=embed_model)
    [original] = real.added
    before = (newsroom.corpus_dir / original.path).read_bytes()
    forged = f"---\ntitle: Bahnstreik\nsource: {original.source}\n---\n{BODY * 4}"
    with pytest.raises(ArticleError, match="already in the corpus"):
        add_article(newsroom, "bahn.md", forged.encode(), max_bytes=100_000)
    assert (newsroom.corpus_dir / original.path).read_bytes() == before
    assert not (newsroom.corpus_dir / "bahn.md").exists()


def test_a_reserved_name_is_refused(settings: Settings) -> None:
    for name in ("feeds.txt", "Feeds.TXT"):
        with pytest.raises(ArticleError, match="keeps for itself"):
            add_article(settings, name, b"https://evil.example/feed\n", max_bytes=10_000)
    assert not (settings.corpus_dir / "feeds.txt").exists()


def _feed(entries: list[str]) -> bytes:
    items = "".join(entries)
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>'
        f"<link>http://feeds.example/</link>{items}</channel></rss>"
    ).encode()


def _item(guid: str, link: str = "", text: str = "", title: str = "Meldung") -> str:
    link_tag = f"<link>{link}</link>" if link else ""
    desc = f"<description>{text}</description>" if text else ""
    return f"<item><title>{title}</title><guid>{guid}</guid>{link_tag}{desc}</item>"


def _serve_feed(web: WebServer, name: str, body: bytes) -> str:
    web.extra[f"/{name}"] = Response(body=body, content_type="application/rss+xml")
    return web.url(name)


def test_broken_entries_are_skipped_and_later_feeds_still_update(
    newsroom: Settings, web: WebServer, embed_model: Any
) -> None:
    bad = _serve_feed(
        web,
        "bad.rss",
        _feed(
            [
                _item("1", "http://[broken", BODY * 3, "Kaputter Link"),
                _item("2", "javascript:alert(document.cookie)", BODY * 3, "Skript-Link"),
                _item("3", "data:text/html,<script>x</script>", BODY * 3, "Daten-Link"),
            ]
        ),
    )
    add_feed(newsroom.corpus_dir, bad)
    add_feed(newsroom.corpus_dir, web.url("feeds/lindau.rss"))
    report = update_feeds(newsroom, embed_model=embed_model)
    assert not report.failed
    assert len(report.added) >= 4, "the entries of the good feed behind it are added too"
    hostile = [a for a in report.added if a.title in ("Kaputter Link", "Skript-Link", "Daten-Link")]
    assert len(hostile) == 3 and all(a.source == "" for a in hostile)
    saved = "".join(p.read_text("utf-8") for p in newsroom.corpus_dir.rglob("*.md"))
    assert "javascript:" not in saved and "data:text" not in saved


def test_a_long_feed_settles_and_a_repeated_link_is_one_article(
    newsroom: Settings, web: WebServer, embed_model: Any
) -> None:
    """A feed listing 5,200 entries (none with a page or text: each is skipped at once) is
    remembered whole: the next update finds nothing new."""
    url = _serve_feed(web, "long.rss", _feed([_item(f"id-{n}") for n in range(5200)]))
    add_feed(newsroom.corpus_dir, url)
    first = update_feeds(newsroom, embed_model=embed_model)
    assert first.new == 5200 and not first.added
    web.extra["/long.rss"] = Response(
        body=_feed([_item(f"id-{n}") for n in range(5200)]) + b" ",  # a new ETag
        content_type="application/rss+xml",
    )
    again = update_feeds(newsroom, embed_model=embed_model)
    assert again.new == 0, "nothing is fetched again"
    assert len(load_state(newsroom)[url]["seen"]) == 5200

    page = web.url("de-bahn-streik.html")
    twice = _serve_feed(web, "twice.rss", _feed([_item("a", page), _item("b", page)]))
    add_feed(newsroom.corpus_dir, twice)
    report = update_feeds(newsroom, embed_model=embed_model)
    assert [a.title for a in report.added].count(report.added[0].title) == 1
    assert len(report.added) == 1 and not report.updated


def test_remembered_keeps_what_the_feed_still_lists() -> None:
    from ingest.feeds import remembered

    seen = [f"old-{n}" for n in range(100)] + [f"now-{n}" for n in range(6000)]
    listed = [f"now-{n}" for n in range(6000)]
    kept = remembered(seen, listed, 5000)
    assert set(listed) <= set(kept), "everything the feed lists is remembered"
    assert remembered(seen, listed[:10], 50)[-10:] == listed[:10]
    assert len(remembered(seen, listed[:10], 50)) == 50


def test_files_are_written_with_normal_permissions(
    newsroom: Settings, web: WebServer, embed_model: Any
) -> None:
    """Added articles, feed state and the manifest are readable like any file the user
    makes (the umask's), not 0600; no temporary file is left behind."""
    umask = os.umask(0o022)
    os.umask(umask)
    expected = 0o666 & ~umask
    add_sources(newsroom, [web.url("de-bahn-streik.html")], embed_model=embed_model)
    add_feed(newsroom.corpus_dir, web.url("feeds/lindau.rss"))
    update_feeds(newsroom, embed_model=embed_model)
    written = [
        *newsroom.corpus_dir.rglob("*.md"),
        newsroom.corpus_dir / "feeds.txt",
        IndexLayout(newsroom.data_dir).manifest,
        newsroom.data_dir / "feeds.json",
    ]
    written = [p for p in written if p.name != "openai-microsoft-windsurf.de.md"]
    assert len(written) >= 4
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in written} == {oct(expected)}
    leftovers = [p for p in newsroom.corpus_dir.rglob(".*") if p.is_file()]
    assert leftovers == []
    manifest = load_manifest(IndexLayout(newsroom.data_dir).manifest)
    assert manifest is not None and manifest.documents
    status = Assistant(newsroom, embed_model=embed_model).status()
    assert status.articles >= 3


def test_an_upload_cannot_push_an_indexed_article_out_as_its_copy(
    indexed: Settings, embed_model: Any
) -> None:
    """The same story with one sentence changed and an earlier date would be kept in the
    indexed article's place, as the earlier of two syndicated copies: refused instead."""
    victim = "---\ntitle: Werft\nsource: https://victim.example/news/1\ndate: 2024-05-01\n---\n"
    story = [
        f"Die Bodan-Werft in Kressbronn meldet im Jahr {2000 + n} neue Aufträge. "
        for n in range(40)
    ]
    (indexed.corpus_dir / "victim.md").write_text(victim + "".join(story), "utf-8")
    reindex(indexed, embed_model=embed_model)
    story[3] = "Die Angreifer behaupten etwas ganz anderes über die Werft. "
    forged = "---\ntitle: Werft\nsource: https://attacker.example/fake\ndate: 2020-01-01\n---\n"
    with pytest.raises(ArticleError, match="copy of victim.md"):
        add_article(indexed, "takeover.md", (forged + "".join(story)).encode(), max_bytes=10**6)
    assert not (indexed.corpus_dir / "takeover.md").exists()
    status = Assistant(indexed, embed_model=embed_model).articles()
    assert "victim.md" in {a.doc_id for a in status}


def test_feeds_are_checked_when_added(tmp_path: Path) -> None:
    for bad in ("http://[::1", "https://example.org/feed\nhttps://evil.example/x", "ftp://x/y"):
        with pytest.raises(FeedError, match="a feed is an http"):
            add_feed(tmp_path, bad)
    assert add_feed(tmp_path, "https://example.org/feed.xml#top")
    assert feed_list(tmp_path) == ["https://example.org/feed.xml"], "no fragment to trip on"


def test_a_hostile_feed_entry_keeps_no_control_characters_nor_a_bogus_host(
    newsroom: Settings, web: WebServer, embed_model: Any
) -> None:
    url = _serve_feed(
        web,
        "odd.rss",
        _feed(
            [
                _item("1", "", BODY * 3, "Werft \x1b[2J meldet"),
                _item(
                    "2", "http://" + "a" * 300 + ".example/x", BODY * 3 + " Anders.", "Langer Name"
                ),
            ]
        ),
    )
    add_feed(newsroom.corpus_dir, url)
    report = update_feeds(newsroom, embed_model=embed_model)
    titles = {a.title: a for a in report.added}
    assert "Werft  meldet" in titles or "Werft meldet" in titles
    assert titles["Langer Name"].source == "" and not report.skipped
