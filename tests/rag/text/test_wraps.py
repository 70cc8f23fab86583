"""Lines wrapped inside sentences, joined again; paragraphs and Markdown kept (pure)."""

from __future__ import annotations

import textwrap

import pytest

from rag.text.sentences import split_sentences
from rag.text.wraps import unwrap

ARTICLE = [
    "Der Zahlungsdienstleister räumte am Donnerstag ein, dass 1,9 Milliarden Euro auf "
    "Treuhandkonten wohl nicht existieren. Der frühere Vorstand bestreitet die eigene Rolle "
    "im Skandal. Das Unternehmen scheidet daher nun nach Handelsschluss am 21. September aus "
    "dem Dax aus, wie die Börse mitteilte.",
    "Der Impfstoff schützt nach Angaben der Hersteller zu mehr als 90 Prozent vor einer "
    "Erkrankung. Die Zulassung wird noch in diesem Jahr erwartet, sagte Dr. Weber am Montag.",
    "Zwischenüberschrift",
    "Die Aktie verlor an einem Tag 70 Prozent ihres Werts. Anleger reichten Klagen ein.",
]


@pytest.mark.parametrize("width", [60, 72, 80, 100])
def test_an_article_wrapped_at_a_fixed_width_reads_as_written(width: int) -> None:
    wrapped = "\n".join(textwrap.fill(p, width) for p in ARTICLE)
    text = unwrap(wrapped)
    # a paragraph break only where a sentence ends or a heading stands alone
    assert all(p.endswith((".", "Zwischenüberschrift")) for p in text.split("\n\n"))
    assert "\n" not in text.replace("\n\n", "")
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    assert "Der frühere Vorstand bestreitet die eigene Rolle im Skandal." in sentences
    assert any("mehr als 90 Prozent vor einer Erkrankung." in s for s in sentences)
    assert any("am 21. September aus dem Dax aus" in s for s in sentences)
    assert "Zwischenüberschrift" in sentences, "a subheading stays a paragraph of its own"


@pytest.mark.parametrize(
    ("wrapped", "read"),
    [
        ("die eigene Rolle im\nWirecard-Skandal ist.", "die eigene Rolle im Wirecard-Skandal ist."),
        ("Er bestreitet\ndie eigene Rolle.", "Er bestreitet die eigene Rolle."),
        ("wirksam um mehr als 90\nProzent.", "wirksam um mehr als 90 Prozent."),
        ("nach Handelsschluss am 21.\nSeptember aus.", "nach Handelsschluss am 21. September aus."),
        ("sagte Dr.\nWeber.", "sagte Dr. Weber."),
        ("die Corona-\nWarn-App startet.", "die Corona-Warn-App startet."),
        ("ein Satz.\nEin neuer Absatz.", "ein Satz.\n\nEin neuer Absatz."),
    ],
)
def test_soft_wraps_and_paragraph_breaks(wrapped: str, read: str) -> None:
    assert unwrap(wrapped) == read


def test_markdown_and_unwrapped_text_stay_as_they_are() -> None:
    markdown = "# Titel\n\nErster Absatz.\n\n- Punkt eins\n- punkt zwei\n\n```\ncode\nmehr\n```\n"
    assert unwrap(markdown) == markdown
    one_line_paragraphs = "\n\n".join(ARTICLE)
    assert unwrap(one_line_paragraphs) == one_line_paragraphs
    assert unwrap(unwrap(textwrap.fill(ARTICLE[0], 70))) == unwrap(textwrap.fill(ARTICLE[0], 70))
