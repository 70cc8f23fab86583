"""Sentences that lean on the one before are quoted with it or not at all."""

from __future__ import annotations

import pytest

from rag.text.leaning import is_bare_reference, leans_back, quote_units


@pytest.mark.parametrize(
    "sentence",
    [
        "Er sitzt noch immer im Gefängnis und bestreitet alle Vorwürfe.",
        "Sie hatte den Vertrag im Mai unterschrieben.",
        "Dies teilte das Unternehmen am Montag mit.",
        "Das teilte das Unternehmen am Montag mit.",
        "Diese Entscheidung fiel erst nach Wochen.",
        "Sein Anwalt spricht von einer Verschwörung.",
        "Und zwar an Wirecard.",
        "„Er hat uns alle getäuscht“, sagte der Richter.",
        "He denies all charges.",
        "They signed the deal in May.",
        "This decision came after weeks of talks.",
    ],
)
def test_a_sentence_that_points_back_leans(sentence: str) -> None:
    assert leans_back(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Der frühere Vorstandschef Markus Lehner wurde in München festgenommen.",
        "Das Unternehmen teilte am Montag mit, es erwarte Verluste.",
        "Das neue Gesetz gilt ab Juli.",
        "Die Aktie verlor an einem Tag mehr als 70 Prozent.",
        "Es gibt keine Hinweise auf einen Angriff.",
        "It is expected that the vote will pass.",
        "Erst im Juni wurde der Fehlbetrag bekannt.",  # "Erst", not "Er"
        "Microsoft invested 13 billion dollars.",
    ],
)
def test_a_sentence_that_stands_alone_does_not(sentence: str) -> None:
    assert not leans_back(sentence)


def test_short_references_without_a_figure_are_bare() -> None:
    assert is_bare_reference("Da ist zum Beispiel Wirecard.")
    assert not is_bare_reference("Die Aktie fiel um 70 Prozent.")
    assert not is_bare_reference("Das Unternehmen teilte das am Montag in Mainz mit.")


def test_a_leaning_sentence_joins_the_one_before_or_is_left_out() -> None:
    sentences = [
        "Er war nie da.",  # leans on nothing in the passage: left out
        "Markus Lehner wurde in München festgenommen.",
        "Er sitzt noch immer im Gefängnis.",
        "Sein Anwalt spricht von einer Verschwörung.",
        "Seine Frau schweigt.",  # the unit is full: left out
        "Da ist zum Beispiel Wirecard.",  # bare: left out
        "Die Börse teilte am Montag die neuen Regeln mit.",
        "Dies gilt ab Juli.",  # not adjacent (a heading stood between): left out
    ]
    adjacent = [False, True, True, True, True, True, True, False]
    assert quote_units(sentences, adjacent) == [(1, 3), (6, 6)]
