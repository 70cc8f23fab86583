"""Escaping of article and model text: nothing they contain may become a link, image or HTML."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from rag import Answer
from rag.answer.stream import events
from tests.ui.conftest import rendered
from ui.render import (
    WORD_JOINER,
    answer_markdown,
    escaped_stream,
    export_markdown,
    linked_markers,
    literal_markdown,
    passage_markdown,
    safe_url,
    source_link,
)

HOSTILE = (
    "[click](http://evil.example) ![pixel](http://evil.example/p.png) "
    "<img src=x onerror=alert(1)> <script>alert(1)</script> <http://evil.example> "
    "https://evil.example/x www.evil.example mail@evil.example $x^2$ :red[red] "
    "&#91;x&#93;&#40;http://evil.example&#41; [ref]: http://evil.example"
)


@pytest.mark.parametrize("escape", [answer_markdown, literal_markdown])
def test_hostile_text_is_inert(escape: Callable[[str], str]) -> None:
    out = escape(HOSTILE)
    # Every character that could open a link target, HTML, an entity, math or a directive
    # is backslash-escaped.
    unescaped = re.sub(r"\\.", "", out)
    for char in "(<>$&:":
        assert char not in unescaped, char
    # GFM links bare URLs and addresses after escapes are resolved: a joiner breaks them.
    resolved = re.sub(r"\\(.)", r"\1", out)
    assert f"https:{WORD_JOINER}//" in resolved
    assert f"www{WORD_JOINER}." in resolved and f"@{WORD_JOINER}" in resolved
    # What the reader sees is still the text itself.
    assert rendered(out).replace("\n\n", " ") == HOSTILE


def test_answer_keeps_lists_emphasis_and_citation_markers() -> None:
    text = "The articles say:\n\n- **Windsurf** was bought. [1]\n- Microsoft wants its IP. [2]"
    out = answer_markdown(text)
    assert "\n- **Windsurf** was bought. [1]\n- " in out
    assert out.startswith("The articles say\\:")


def test_answer_escaping_is_prefix_stable_for_streaming() -> None:
    text = "See https://example.org/a_(b) and www.example.org, $5 <b> & [1]."
    whole = answer_markdown(text)
    for cut in range(len(text) + 1):
        assert whole.startswith(answer_markdown(text[:cut])), cut


def test_literal_markdown_keeps_paragraphs_and_drops_indentation() -> None:
    out = literal_markdown("# Heading\n    code-like\n\n1. item\n- bullet")
    assert out.split("\n\n") == ["\\# Heading", "code\\-like", "1\\. item", "\\- bullet"]


def test_passage_highlights_the_quote() -> None:
    passage = "Vorher. Die Zündschnur heißt Windsurf [x](y). Nachher."
    out = passage_markdown(passage, "Die Zündschnur heißt Windsurf [x](y).")
    assert out == (
        "Vorher\\. :yellow-background[Die Zündschnur heißt Windsurf \\[x\\]\\(y\\)\\.] Nachher\\."
    )


def test_passage_highlight_spanning_lines_and_missing_quote() -> None:
    out = passage_markdown("Erste Zeile.\nZweite Zeile. Rest", "Zeile.\nZweite Zeile.")
    assert out == "Erste :yellow-background[Zeile\\.]\n\n:yellow-background[Zweite Zeile\\.] Rest"
    assert passage_markdown("Nur Text.", "nicht enthalten") == "Nur Text\\."
    assert passage_markdown("Nur Text.", "") == "Nur Text\\."


def test_source_links_only_for_http_urls() -> None:
    assert source_link("https://www.example.org/a b(c)") == (
        "[example\\.org ↗](https://www.example.org/a%20b%28c%29)"
    )
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("file:///etc/passwd") is None
    assert source_link("Süddeutsche Zeitung, 3. Juni") == "Süddeutsche Zeitung\\, 3\\. Juni"


def test_escaped_stream_escapes_deltas_and_keeps_the_answer() -> None:
    final = Answer("Mehr unter https://evil.example [1]", "extractive")
    deltas = ["Mehr unter http", "s:", "//evil.example", " [1]"]
    answers: list[Answer] = []
    out = list(escaped_stream(events(iter([*deltas, final])), answers))
    assert "".join(out) == answer_markdown(final.text)
    assert f"https\\:{WORD_JOINER}//evil" in "".join(out)
    assert answers == [final]


def test_export_markdown_stays_readable_but_hides_no_targets() -> None:
    text = "Sie sagen: [x](http://e) ![i](http://p) [r]: http://e <b>hi</b> &#60; AT&T (gut) [1]"
    assert export_markdown(text) == (
        "Sie sagen: [x]\\(http://e) \\![i]\\(http://p) [r]\\: http://e "
        "\\<b\\>hi\\</b\\> \\&#60; AT&T (gut) [1]"
    )


def test_markers_link_to_their_articles_web_page_only() -> None:
    text = answer_markdown("Windsurf [1]. Azure [2, 3]. Suleyman [4].")
    sources = {1: "https://zeit.de/a_(b)", 2: "", 3: "javascript:alert(1)"}
    linked = linked_markers(text, sources)
    assert "[\\[1\\]](https://zeit.de/a_%28b%29)" in linked
    assert "Azure [2] [3]" in linked and "Suleyman [4]" in linked, "no page: plain"
    assert "javascript" not in linked
