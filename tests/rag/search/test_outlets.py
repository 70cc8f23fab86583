"""One outlet per site: filters by any of its names, and an outlet named in the question."""

import pytest

from rag.search.outlets import Outlets

# As a corpus holds them: front matter without an outlet (the host), a page's clean name,
# a page's name before it was cleaned, and a local paper without a site.
KNOWN = Outlets(
    [
        ("tagesspiegel.de", "tagesspiegel.de"),
        ("tagesspiegel.de", "tagesspiegel.de"),
        ("Tagesspiegel", "tagesspiegel.de"),
        ("zeit.de", "zeit.de"),
        ("sueddeutsche.de", "sueddeutsche.de"),
        ("Seekurier", ""),
    ]
)


def test_one_name_per_site() -> None:
    assert KNOWN.listing() == ["Seekurier", "sueddeutsche.de", "Tagesspiegel", "zeit.de"]


@pytest.mark.parametrize(
    ("wanted", "kept"),
    [
        pytest.param(["Tagesspiegel"], {"tagesspiegel.de"}, id="display-name"),
        pytest.param(["tagesspiegel.de"], {"tagesspiegel.de"}, id="site"),
        pytest.param(["https://www.tagesspiegel.de/x"], {"tagesspiegel.de"}, id="url"),
        pytest.param(["TAGESSPIEGEL"], {"tagesspiegel.de"}, id="case"),
        pytest.param(["Zeit"], {"zeit.de"}, id="label"),
        pytest.param(["Süddeutsche"], {"sueddeutsche.de"}, id="umlaut-label"),
        pytest.param(["Der Tagesspiegel"], {"tagesspiegel.de"}, id="article"),
        pytest.param(["Bild"], set(), id="unknown"),
    ],
)
def test_match_by_any_name(wanted: list[str], kept: set[str]) -> None:
    match = KNOWN.match(wanted)
    assert {
        s for s in ("tagesspiegel.de", "zeit.de", "sueddeutsche.de") if match.keeps("", s)
    } == kept
    assert match.keeps("Tagesspiegel", "tagesspiegel.de") == ("tagesspiegel.de" in kept)
    assert match.keeps("tagesspiegel.de", "tagesspiegel.de") == ("tagesspiegel.de" in kept)


def test_an_outlet_without_a_site_matches_by_name() -> None:
    assert KNOWN.match(["seekurier"]).keeps("Seekurier", "")
    assert not KNOWN.match(["Zeit"]).keeps("Seekurier", "")
    assert KNOWN.shown(["SEEKURIER", "tagesspiegel.de"]) == ["Seekurier", "Tagesspiegel"]
    assert KNOWN.shown(["Bild"]) == ["Bild"], "a filter on an outlet the corpus lacks stays"


@pytest.mark.parametrize(
    ("question", "outlet", "phrase", "rest"),
    [
        ("Wie viele Stellen streicht die Lufthansa laut Zeit?", "zeit.de", "laut Zeit",
         "Wie viele Stellen streicht die Lufthansa?"),
        ("Was berichtete die Süddeutsche über die Corona-Warn-App?", "sueddeutsche.de",
         "die Süddeutsche", "Was berichtete die Zeitung über die Corona-Warn-App?"),
        ("What did the Tagesspiegel report about the vote?", "Tagesspiegel", "the Tagesspiegel",
         "What did the newspaper report about the vote?"),
        ('How many jobs go, according to "Die Zeit"?', "zeit.de", 'according to "Die Zeit"',
         "How many jobs go?"),
        ("Was meldet der Seekurier zur Werft?", "Seekurier", "der Seekurier",
         "Was meldet die Zeitung zur Werft?"),
    ],
)  # fmt: skip
def test_an_outlet_named_as_the_source_is_read(
    question: str, outlet: str, phrase: str, rest: str
) -> None:
    reading = KNOWN.read(question)
    assert (reading.outlets, reading.phrase, reading.rest) == ((outlet,), phrase, rest)


@pytest.mark.parametrize(
    "question",
    [
        "Wie viel Zeit bleibt der Lufthansa?",  # "Zeit" is a word first
        "Zur Zeit fliegt die Lufthansa wenig. Warum?",
        "Was berichtete die Bild über die Lufthansa?",  # not in the corpus
        "Tagesspiegel Lufthansa",  # named, but not as a source
    ],
)
def test_words_that_only_look_like_outlets_stay_words(question: str) -> None:
    reading = KNOWN.read(question)
    assert reading.outlets == () and reading.rest == question


# Outlets whose names are also words.
WORDS = Outlets(
    [
        ("The Times", "thetimes.co.uk"),
        ("The Independent", "independent.co.uk"),
        ("Der Standard", "derstandard.at"),
        ("Die Presse", "diepresse.com"),
        ("The Sun", "thesun.co.uk"),
        ("Heute", "heute.at"),
        ("DER SPIEGEL", "spiegel.de"),
        ("zeit.de", "zeit.de"),
    ]
)


@pytest.mark.parametrize(
    "question",
    [
        "According to the Times of India, how many people voted?",
        "According to the Independent Office for Police Conduct, who was at fault?",
        "Does the independent report mention the budget?",
        "According to the Standard Model, what is a quark?",
        "Laut Standard-Verfahren dauert das zwei Wochen?",
        "Was ändert sich laut Presse-Berichten?",
        "What time is it according to the sun's position?",
        "Was steht laut heute veröffentlichten Zahlen fest?",
    ],
)
def test_a_name_that_is_also_a_word_or_part_of_a_longer_name_is_no_source(question: str) -> None:
    assert WORDS.read(question).outlets == ()


def test_several_outlets_named_together_are_all_read() -> None:
    reading = WORDS.read("Was berichten Zeit und Spiegel über den Haushalt?")
    assert reading.outlets == ("zeit.de", "DER SPIEGEL")
    assert reading.rest == "Was berichten die Zeitung über den Haushalt?"
    assert WORDS.read("What was written by the Times or the Sun?").outlets == (
        "The Times",
        "The Sun",
    )
    assert WORDS.read("Was berichtet heute die Presse?").outlets == (), "heute is a word"
