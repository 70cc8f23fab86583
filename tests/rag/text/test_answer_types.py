"""What a question asks for, and whether a sentence holds it."""

from __future__ import annotations

import pytest

from rag.text.answer_types import answer_type, holds


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("How much did Lufthansa CEO Carsten Spohr earn in total?", "money"),
        ("How much has Microsoft invested?", "money"),
        ("Wie viel kostete die Entwicklung der App?", "money"),
        ("How much did the water rise?", "figure"),
        ("How much did the share price drop?", "figure"),
        ("For how long did the district order the plant to close?", "duration"),
        ("Wie lange bleibt der Zoo geschlossen?", "duration"),
        ("Wie viele Stellen streicht die Werft?", "figure"),
        ("Wie hoch war der Verlust?", "figure"),
        ("Wann hat der Bund seine Beteiligung verkauft?", "time"),
        ("When was the Corona-Warn-App released?", "time"),
        ("What is the latest download figure for the Corona-Warn-App?", "figure"),
        ("What was the death toll of the outbreak?", "figure"),
        ("Was ist die aktuelle Downloadzahl der App?", "figure"),
        ("What historical figure was Jacksonville named after?", None),
        ("Was ist eine Zwillingsprimzahl?", None),
        ("What theorem defines the role of primes in number theory?", None),
        ("Why is Windsurf the flashpoint?", None),
        ("Wer hat Wirecard geprüft?", None),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, wanted: str | None) -> None:
    assert answer_type(question) == wanted


def test_a_figure_is_a_digit_or_a_number_word() -> None:
    assert holds("Der Betrieb ist für 14 Tage geschlossen.", "figure")
    assert holds("Fast acht Millionen Mal wurde die App geladen.", "figure")
    assert not holds("Spohr will ein Sparkonzept präsentieren.", "figure")


def test_a_time_is_a_date_a_day_or_a_time_word_not_any_figure() -> None:
    assert holds("Finora scheidet am 21. August aus dem Leitindex aus.", "time")
    assert holds("Die App erschien am Dienstag.", "time")
    assert holds("Das war im Jahr 2020.", "time")
    assert holds("Die Burg stammt aus dem 12. Jahrhundert.", "time")
    assert not holds("Der Staat übernimmt eine 20-prozentige Beteiligung.", "time")
    assert not holds("Der deutsche Staat steigt wieder bei der Lufthansa ein.", "time")


def test_a_duration_is_a_figure_or_a_time() -> None:
    assert holds("Der Betrieb ist für 14 Tage geschlossen.", "duration")
    assert holds("Der Zoo bleibt mindestens bis Anfang Mai geschlossen.", "duration")
    assert not holds("Die Tiere werden weiter versorgt.", "duration")
    assert not holds("Der Kreis verschaffte sich am Samstag Zugriff.", "duration")


def test_money_is_a_figure_in_a_currency() -> None:
    assert holds("Microsoft hat 13 Milliarden Dollar investiert.", "money")
    assert holds("Die App kostete 20 Mio. €.", "money")
    assert holds("The two ferries cost 45 million euros.", "money")
    assert not holds("Der Konzern beschäftigt rund 138.000 Mitarbeiter.", "money")
