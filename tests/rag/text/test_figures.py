"""Figures with what they count, in German and English formats; days, years and times
are none."""

import pytest

from rag.text.figures import figures


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Lufthansa streicht 1.400 Stellen.", [(1400, "stellen")]),
        ("Der Verlust lag bei 6,7 Milliarden Euro.", [(6.7e9, "euro")]),
        ("Der Impfstoff ist zu mehr als 90 Prozent wirksam", [(90, "prozent")]),
        ("zu 90% wirksam", [(90, "prozent")]),
        ("The app was downloaded 6.5 million times", [(6.5e6, "times")]),
        ("1,400 jobs are going", [(1400, "jobs")]),
        ("Mehr als 17 Millionen Menschen", [(17e6, "menschen")]),
        (
            "Am 23. Juni 2020 wurden 1.553 Mitarbeiter positiv getestet",
            [(1553, "mitarbeiter")],
        ),  # fmt: skip
        ("Die Sitzung beginnt um 10 Uhr am 3 June.", []),
        ("Im Jahr 2020 war alles anders.", []),
        ("Das kostet 20 Millionen.", []),  # a magnitude without a unit counts nothing known
    ],
)
def test_figures(sentence: str, expected: list[tuple[float, str]]) -> None:
    assert [(f.value, f.unit) for f in figures(sentence)] == expected


def test_the_text_is_as_written() -> None:
    [figure] = figures("Insgesamt 6,7 Milliarden Euro Verlust.")
    assert figure.text == "6,7 Milliarden Euro"
