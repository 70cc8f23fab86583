"""An outlet's name as readers know it, from the names a page gives itself (pure)."""

import pytest

from ingest.metadata import clean_outlet, outlet_name, outlet_of, title_without_site


@pytest.mark.parametrize(
    ("name", "site", "clean"),
    [
        pytest.param("Handelsblatt_De", "handelsblatt.com", "Handelsblatt", id="handle"),
        pytest.param("@Handelsblatt_De", "handelsblatt.com", "Handelsblatt", id="twitter"),
        pytest.param("TAZ Verlags- und Vertriebs GmbH", "taz.de", "TAZ", id="legal-form"),
        pytest.param("Verlag Der Tagesspiegel GmbH", "tagesspiegel.de", "Verlag Der Tagesspiegel",
                     id="publisher-prefix-kept"),
        pytest.param("Wirtschaft - Tagesspiegel", "tagesspiegel.de", "Tagesspiegel", id="section"),
        pytest.param("US-Sport in Zeiten von Corona - ZDFmediathek", "zdf.de", "ZDFmediathek",
                     id="title-as-name"),
        pytest.param("Süddeutsche Zeitung GmbH", "sueddeutsche.de", "Süddeutsche Zeitung", id="sz"),
        pytest.param("Lindauer  Tagblatt", "", "Lindauer Tagblatt", id="spaces"),
        pytest.param("Axel Springer SE", "welt.de", "Axel Springer", id="se"),
    ],
)  # fmt: skip
def test_clean_outlet(name: str, site: str, clean: str) -> None:
    assert clean_outlet(name, site) == clean


def test_outlet_name_prefers_what_the_site_calls_itself() -> None:
    assert outlet_name(["Wirtschaft - Tagesspiegel", "Verlag Der Tagesspiegel GmbH"],
                       "tagesspiegel.de") == "Tagesspiegel"  # fmt: skip
    # "taz.de" spells the legal "TAZ": the site's own lower case wins
    assert outlet_name(["taz.de", "TAZ Verlags- und Vertriebs GmbH"], "taz.de") == "taz"
    assert outlet_name(["", "Handelsblatt_De"], "handelsblatt.com") == "Handelsblatt"
    assert outlet_name([], "mdr.de", "Corona in Sachsen | MDR Aktuell") == "MDR Aktuell"
    assert outlet_name(["MDR.DE"], "mdr.de") == "mdr.de", "a host name only when nothing else"
    assert outlet_name([], "zeit.de") == "zeit.de"
    # a brand's own spelling is kept: only a legal name is spelled as its site writes it
    assert outlet_name(["SPIEGEL", "spiegel.de"], "spiegel.de") == "SPIEGEL"
    assert outlet_name(["https://www.nzz.ch", "NZZ"], "nzz.ch") == "NZZ"


def test_front_matter_outlets_are_cleaned_and_default_to_the_host() -> None:
    assert outlet_of("Wirtschaft - Tagesspiegel", "https://www.tagesspiegel.de/a.html") == (
        "Tagesspiegel"
    )
    assert outlet_of("", "https://www.zeit.de/wirtschaft/a") == "zeit.de"
    assert outlet_of("Seekurier", "") == "Seekurier"


@pytest.mark.parametrize(
    ("title", "outlet", "site", "cut"),
    [
        ("Sachsen lockert Regeln | MDR.DE", "mdr.de", "mdr.de", "Sachsen lockert Regeln"),
        ("Aktionäre stimmen zu - Tagesspiegel", "Tagesspiegel", "tagesspiegel.de",
         "Aktionäre stimmen zu"),
        ("Streik – Lindauer Tagblatt", "Lindauer Tagblatt", "", "Streik"),
        # a headline's own dash is not a site's name
        ("Streik - Bahn legt Arbeit nieder", "Tagesspiegel", "tagesspiegel.de",
         "Streik - Bahn legt Arbeit nieder"),
        ("Tagesspiegel", "Tagesspiegel", "tagesspiegel.de", "Tagesspiegel"),
        ("Neu - Wirtschaft - Tagesspiegel", "Tagesspiegel", "tagesspiegel.de", "Neu"),
        # a headline's last word that merely holds the site's name is the headline's
        ("Interview - Zeitenwende", "ZEIT ONLINE", "zeit.de", "Interview - Zeitenwende"),
        ("Bayern - Brände in Franken", "BR24", "br.de", "Bayern - Brände in Franken"),
    ],
)  # fmt: skip
def test_title_without_site(title: str, outlet: str, site: str, cut: str) -> None:
    assert title_without_site(title, outlet, site) == cut
