"""The page's own offers, prompts and labels, told from news about them (pure)."""

from __future__ import annotations

import pytest

from rag.text.boilerplate import boilerplate_spans, is_boilerplate


@pytest.mark.parametrize(
    "line",
    [
        "[Alle wichtigen Updates des Tages zum Coronavirus finden Sie im kostenlosen "
        'Tagesspiegel-Newsletter "Fragen des Tages". Dazu die wichtigsten Nachrichten. '
        "Zur Anmeldung geht es hier.]",
        "Du kannst jetzt dein neues Passwort festlegen.",
        "Bitte löschen den Verlauf und deine Cookies und versuche es erneut.",
        "Sign up for our free newsletter here.",
        "Bitte aktivieren Sie JavaScript in Ihrem Browser.",
        "Artikel teilen",
        "Mehr zum Thema",
        "Kommentare anzeigen",
        "Foto: dpa",
        "[Wenn Sie alle aktuellen Entwicklungen zur Coronavirus-Krise live auf Ihr Handy haben "
        "wollen, empfehlen wir Ihnen unsere runderneuerte App, die Sie hier für Apple- und "
        "Android-Geräte herunterladen können.]",
        "Download our app to get breaking news alerts.",
    ],
)
def test_offers_prompts_and_labels_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Die Corona-Warn-App wurde in der ersten Woche zehn Millionen Mal heruntergeladen.",
        "Spahn empfahl, die App herunterzuladen: Sie könne Leben retten.",
        "Der Verlag stellt seinen Newsletter ein, weil die Zahl der Leser sank.",
        "Das Passwort des Ministers war nach Angaben der Ermittler 123456.",
        "Die Ermittler werteten Cookies und Verläufe der Browser von 200 Verdächtigen aus.",
        "Teilen sich zwei Unternehmen den Markt, steigen die Preise.",
        "",
    ],
)
def test_news_about_apps_newsletters_and_passwords_is_news(line: str) -> None:
    assert not is_boilerplate(line)


def test_a_bracketed_offer_is_skipped_whole_among_its_paragraphs() -> None:
    offer = (
        "[Alle wichtigen Updates finden Sie im kostenlosen Newsletter.\n"
        "Dazu die wichtigsten Nachrichten. Zur Anmeldung geht es hier.]"
    )
    text = f"Die Aktie fiel um 70 Prozent.\n\n{offer}\n\nDie Börse reagierte."
    assert boilerplate_spans(text) == [(text.index("["), text.index("]") + 1)]
