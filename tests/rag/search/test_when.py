"""Time expressions in English and German questions, read against a fixed day (pure)."""

import datetime as dt

import pytest

from rag.search.when import TimeReading, read_time

TODAY = dt.date(2024, 6, 12)  # a Wednesday: this week is 10–12 June, last week 3–9 June
JANUARY = dt.date(2024, 1, 15)  # a Monday: last month, "seit Dezember" and "vor März" wrap the year


def _split(marked: str) -> tuple[str, str, str]:
    """A case's question, its [bracketed] phrase, and the question without the phrase."""
    before, _, tail = marked.partition("[")
    phrase, _, after = tail.partition("]")
    rest = " ".join(f"{before} {after}".split()).replace(" ?", "?")
    return before + phrase + after, phrase, rest


def _ids(cases: list[tuple[str, str | None, str | None]]) -> list[str]:
    return [_split(marked)[1] for marked, _since, _until in cases]


def _check(reading: TimeReading, marked: str, since: str | None, until: str | None) -> None:
    _question, phrase, rest = _split(marked)
    got = (reading.since and reading.since.isoformat(), reading.until and reading.until.isoformat())
    assert got == (since, until)
    assert (reading.phrase, reading.rest) == (phrase, rest)


# Each case: the question with the words to read in [brackets], and the inclusive days.
ABSOLUTE: list[tuple[str, str | None, str | None]] = [
    ("What happened [in May 2025]?", "2025-05-01", "2025-05-31"),
    ("Was geschah [im Mai 2025]?", "2025-05-01", "2025-05-31"),
    ("Ferries [in February 2023]?", "2023-02-01", "2023-02-28"),
    ("Fähren [im Februar 2024]?", "2024-02-01", "2024-02-29"),
    ("What happened [on 3 June 2020]?", "2020-06-03", "2020-06-03"),
    ("What happened [on June 3, 2020]?", "2020-06-03", "2020-06-03"),
    ("Was geschah [am 3. Juni 2020]?", "2020-06-03", "2020-06-03"),
    ("Was stand [am 2020-06-03] im Blatt?", "2020-06-03", "2020-06-03"),
    ("What happened [in 2020]?", "2020-01-01", "2020-12-31"),
    ("What happened [in the year 2020]?", "2020-01-01", "2020-12-31"),
    ("Floods [during 1999]?", "1999-01-01", "1999-12-31"),
    ("Was geschah [im Jahr 2020]?", "2020-01-01", "2020-12-31"),
    ("Was geschah [im Jahre 2020]?", "2020-01-01", "2020-12-31"),
    ("Gewinn [im ersten Quartal 2021]?", "2021-01-01", "2021-03-31"),
    ("Gewinn [im 1. Quartal 2021]?", "2021-01-01", "2021-03-31"),
    ("Gewinn [im vierten Quartal 2023]?", "2023-10-01", "2023-12-31"),
    ("Profit [in the first quarter of 2021]?", "2021-01-01", "2021-03-31"),
    ("Profit [in the 3rd quarter of 2021]?", "2021-07-01", "2021-09-30"),
    ("Profit [in Q1 2021]?", "2021-01-01", "2021-03-31"),
    ("Gewinn [im Q2 2024]?", "2024-04-01", "2024-06-30"),
    # A month or a day without a year: the latest one that has begun by today.
    ("What happened [in March]?", "2024-03-01", "2024-03-31"),
    ("Was geschah [im März]?", "2024-03-01", "2024-03-31"),
    ("Was geschah [im Juni]?", "2024-06-01", "2024-06-30"),
    ("What did April say [in April]?", "2024-04-01", "2024-04-30"),
    ("Was geschah [am 3. Juni]?", "2024-06-03", "2024-06-03"),
    ("What happened [on June 3]?", "2024-06-03", "2024-06-03"),
    ("Was geschah [am 20. Juni]?", "2023-06-20", "2023-06-20"),
    ("What happened [on June 20]?", "2023-06-20", "2023-06-20"),
]

RELATIVE: list[tuple[str, str | None, str | None]] = [
    ("What happened [yesterday]?", "2024-06-11", "2024-06-11"),
    ("Was geschah [gestern]?", "2024-06-11", "2024-06-11"),
    ("Was geschah [vorgestern]?", "2024-06-10", "2024-06-10"),
    ("And [the day before yesterday]?", "2024-06-10", "2024-06-10"),
    ("What happens [today]?", "2024-06-12", "2024-06-12"),
    ("Was passiert [heute]?", "2024-06-12", "2024-06-12"),
    # Calendar weeks run Monday to Sunday; this week ends today.
    ("What happened [last week]?", "2024-06-03", "2024-06-09"),
    ("What happened [in the previous week]?", "2024-06-03", "2024-06-09"),
    ("Was hat Siemens [letzte Woche] gesagt?", "2024-06-03", "2024-06-09"),
    ("Was geschah [vergangene Woche]?", "2024-06-03", "2024-06-09"),
    ("Was geschah [in der vergangenen Woche]?", "2024-06-03", "2024-06-09"),
    ("Was geschah [vorige Woche]?", "2024-06-03", "2024-06-09"),
    ("What happened [this week]?", "2024-06-10", "2024-06-12"),
    ("Was geschah [diese Woche]?", "2024-06-10", "2024-06-12"),
    ("Was geschah [in dieser Woche]?", "2024-06-10", "2024-06-12"),
    ("What happened [this month]?", "2024-06-01", "2024-06-12"),
    ("Was geschah [diesen Monat]?", "2024-06-01", "2024-06-12"),
    ("Was geschah [in diesem Monat]?", "2024-06-01", "2024-06-12"),
    ("What happened [last month]?", "2024-05-01", "2024-05-31"),
    ("Was geschah [letzten Monat]?", "2024-05-01", "2024-05-31"),
    ("Was geschah [im vergangenen Monat]?", "2024-05-01", "2024-05-31"),
    ("What happened [this year]?", "2024-01-01", "2024-06-12"),
    ("Was geschah [dieses Jahr]?", "2024-01-01", "2024-06-12"),
    ("Was geschah [in diesem Jahr]?", "2024-01-01", "2024-06-12"),
    ("Was geschah [im laufenden Jahr]?", "2024-01-01", "2024-06-12"),
    ("What happened [last year]?", "2023-01-01", "2023-12-31"),
    ("Was geschah [letztes Jahr]?", "2023-01-01", "2023-12-31"),
    ("Was geschah [im vergangenen Jahr]?", "2023-01-01", "2023-12-31"),
    # "In the last n days" counts today as one of them; "past" week/month/year rolls.
    ("What happened [in the last 10 days]?", "2024-06-03", "2024-06-12"),
    ("Was geschah [in den letzten 10 Tagen]?", "2024-06-03", "2024-06-12"),
    ("Floods [in the past 7 days]?", "2024-06-06", "2024-06-12"),
    ("Floods [over the last three weeks]?", "2024-05-23", "2024-06-12"),
    ("Fähren [in den vergangenen zwei Wochen]?", "2024-05-30", "2024-06-12"),
    ("Jobs [in the last 3 months]?", "2024-03-13", "2024-06-12"),
    ("Stellen [in den letzten zwölf Monaten]?", "2023-06-13", "2024-06-12"),
    ("Jobs [in the past week]?", "2024-06-06", "2024-06-12"),
    ("Jobs [in the past month]?", "2024-05-13", "2024-06-12"),
    ("Jobs [in the past year]?", "2023-06-13", "2024-06-12"),
    # "n days ago" / "vor n Tagen" is that one day; weeks and months are whole calendar ones.
    ("What happened [3 days ago]?", "2024-06-09", "2024-06-09"),
    ("Was geschah [vor 3 Tagen]?", "2024-06-09", "2024-06-09"),
    ("What happened [two weeks ago]?", "2024-05-27", "2024-06-02"),
    ("Was geschah [vor zwei Wochen]?", "2024-05-27", "2024-06-02"),
    ("What happened [a month ago]?", "2024-05-01", "2024-05-31"),
    ("Was geschah [vor einem Monat]?", "2024-05-01", "2024-05-31"),
    ("Was geschah [vor einem Jahr]?", "2023-01-01", "2023-12-31"),
    # Since: from the start of what is named until today.
    ("What happened [since June]?", "2024-06-01", "2024-06-12"),
    ("Was geschah [seit Juni]?", "2024-06-01", "2024-06-12"),
    ("What happened [since December]?", "2023-12-01", "2024-06-12"),
    ("Was geschah [seit Dezember]?", "2023-12-01", "2024-06-12"),
    ("Was geschah [seit Mai 2023]?", "2023-05-01", "2024-06-12"),
    ("What happened [since 3 June 2020]?", "2020-06-03", "2024-06-12"),
    ("Was geschah [seit dem 3. Juni 2020]?", "2020-06-03", "2024-06-12"),
    ("Was geschah [seit dem 20. Juni]?", "2023-06-20", "2024-06-12"),
    ("What happened [since 2020]?", "2020-01-01", "2024-06-12"),
    ("Was geschah [seit 2020]?", "2020-01-01", "2024-06-12"),
    ("What happened [since yesterday]?", "2024-06-11", "2024-06-12"),
    ("Was geschah [seit gestern]?", "2024-06-11", "2024-06-12"),
    ("What happened [since last week]?", "2024-06-03", "2024-06-12"),
    ("Was geschah [seit letzter Woche]?", "2024-06-03", "2024-06-12"),
    ("Was geschah [seit letztem Monat]?", "2024-05-01", "2024-06-12"),
    # Before: until the day before what is named.
    ("What happened [before March]?", None, "2024-02-29"),
    ("Was geschah [vor März]?", None, "2024-02-29"),
    ("What happened [before May 2023]?", None, "2023-04-30"),
    ("Was geschah [vor Mai 2023]?", None, "2023-04-30"),
    ("What happened [before 3 June 2020]?", None, "2020-06-02"),
    ("Was geschah [vor dem 3. Juni 2020]?", None, "2020-06-02"),
    ("What happened [before 2020]?", None, "2019-12-31"),
    ("Was geschah [vor 2020]?", None, "2019-12-31"),
]

IN_JANUARY: list[tuple[str, str | None, str | None]] = [
    ("What happened [last month]?", "2023-12-01", "2023-12-31"),
    ("Was geschah [letzten Monat]?", "2023-12-01", "2023-12-31"),
    ("What happened [since December]?", "2023-12-01", "2024-01-15"),
    ("Was geschah [seit Dezember]?", "2023-12-01", "2024-01-15"),
    ("What happened [since June]?", "2023-06-01", "2024-01-15"),
    ("Was geschah [seit Juni]?", "2023-06-01", "2024-01-15"),
    ("Was geschah [seit Januar]?", "2024-01-01", "2024-01-15"),
    ("What happened [before March]?", None, "2023-02-28"),
    ("Was geschah [vor März]?", None, "2023-02-28"),
    ("What happened [before January]?", None, "2023-12-31"),
    ("What happened [in March]?", "2023-03-01", "2023-03-31"),
    ("Was geschah [im März]?", "2023-03-01", "2023-03-31"),
    ("Was geschah [am 20. Juni]?", "2023-06-20", "2023-06-20"),
    ("What happened [this year]?", "2024-01-01", "2024-01-15"),
    ("Was geschah [letztes Jahr]?", "2023-01-01", "2023-12-31"),
    ("What happened [last week]?", "2024-01-08", "2024-01-14"),
    ("Was geschah [diese Woche]?", "2024-01-15", "2024-01-15"),
    ("Was geschah [vor 2 Monaten]?", "2023-11-01", "2023-11-30"),
    ("What happened [in the last 20 days]?", "2023-12-27", "2024-01-15"),
    ("What happened [since last week]?", "2024-01-08", "2024-01-15"),
]


# Weeks and parts of a month, ranges of months, dotted dates and weekdays (TODAY is a
# Wednesday, 12 June 2024).
FORMS: list[tuple[str, str | None, str | None]] = [
    ("What happened [in the first week of May 2020]?", "2020-05-01", "2020-05-07"),
    ("What happened [in the second week of June 2020]?", "2020-06-08", "2020-06-14"),
    ("What happened [in the last week of June 2020]?", "2020-06-24", "2020-06-30"),
    ("Was geschah [in der ersten Dezemberwoche 2020]?", "2020-12-01", "2020-12-07"),
    ("Was geschah [in der zweiten Woche im Mai 2020]?", "2020-05-08", "2020-05-14"),
    ("Was geschah [Anfang Juli 2020]?", "2020-07-01", "2020-07-10"),
    ("Was geschah [Mitte Juli 2020]?", "2020-07-11", "2020-07-20"),
    ("Wie entschied der Rat [Ende Mai 2020]?", "2020-05-21", "2020-05-31"),
    ("What happened [in late February 2024]?", "2024-02-21", "2024-02-29"),
    ("What happened [in early March]?", "2024-03-01", "2024-03-10"),
    ("Welche Zahlen gab es [zwischen Juli und September 2020]?", "2020-07-01", "2020-09-30"),
    ("How did losses develop [between June and October 2020]?", "2020-06-01", "2020-10-31"),
    ("Was geschah [von Juni bis August 2020]?", "2020-06-01", "2020-08-31"),
    ("What happened [between November and February]?", "2023-11-01", "2024-02-29"),
    ("Was geschah [bis Mai 2020]?", None, "2020-05-31"),
    ("Was stand [am 03.06.2020] im Blatt?", "2020-06-03", "2020-06-03"),
    ("Was geschah [seit dem 3.6.2020]?", "2020-06-03", "2024-06-12"),
    ("What did the union say [last Monday]?", "2024-06-10", "2024-06-10"),
    ("Was sagte die Gewerkschaft [am vergangenen Mittwoch]?", "2024-06-05", "2024-06-05"),
    ("Was sagte die Gewerkschaft [am Mittwoch]?", "2024-06-12", "2024-06-12"),
    ("What did the union say [on Friday]?", "2024-06-07", "2024-06-07"),
]


@pytest.mark.parametrize(("marked", "since", "until"), FORMS, ids=_ids(FORMS))
def test_weeks_parts_ranges_and_weekdays(marked: str, since: str | None, until: str | None) -> None:
    _check(read_time(_split(marked)[0], TODAY), marked, since, until)


@pytest.mark.parametrize(("marked", "since", "until"), ABSOLUTE, ids=_ids(ABSOLUTE))
def test_absolute_dates(marked: str, since: str | None, until: str | None) -> None:
    _check(read_time(_split(marked)[0], TODAY), marked, since, until)


@pytest.mark.parametrize(("marked", "since", "until"), RELATIVE, ids=_ids(RELATIVE))
def test_relative_dates(marked: str, since: str | None, until: str | None) -> None:
    reading = read_time(_split(marked)[0], TODAY)
    _check(reading, marked, since, until)
    assert not reading.latest and reading.found


@pytest.mark.parametrize(("marked", "since", "until"), IN_JANUARY, ids=_ids(IN_JANUARY))
def test_january_wraps_the_year(marked: str, since: str | None, until: str | None) -> None:
    _check(read_time(_split(marked)[0], JANUARY), marked, since, until)


EDGES = [  # (today, the whole question, since, until)
    (dt.date(2024, 6, 16), "this week", "2024-06-10", "2024-06-16"),  # a Sunday
    (dt.date(2024, 6, 16), "last week", "2024-06-03", "2024-06-09"),
    (dt.date(2024, 6, 10), "this week", "2024-06-10", "2024-06-10"),  # a Monday
    (dt.date(2024, 6, 10), "letzte Woche", "2024-06-03", "2024-06-09"),
    (dt.date(2024, 1, 3), "last week", "2023-12-25", "2023-12-31"),
    (dt.date(2024, 3, 31), "last month", "2024-02-01", "2024-02-29"),
    (dt.date(2024, 3, 31), "in the past month", "2024-03-01", "2024-03-31"),
]


@pytest.mark.parametrize(
    ("today", "question", "since", "until"), EDGES, ids=[f"{t}-{q}" for t, q, _, _ in EDGES]
)
def test_weeks_and_months_at_their_edges(
    today: dt.date, question: str, since: str, until: str
) -> None:
    _check(read_time(question, today), f"[{question}]", since, until)


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("What is the latest news on the ferry?", id="latest"),
        pytest.param("Which is the newest report?", id="newest"),
        pytest.param("What is the current state of the flood?", id="current"),
        pytest.param("Any recent reports on Siemens?", id="recent"),
        pytest.param("What did Siemens say recently?", id="recently"),
        pytest.param("What is the most recent figure?", id="most-recent"),
        pytest.param("Was ist die neueste Meldung?", id="neueste"),
        pytest.param("Was sind die neuesten Zahlen?", id="neuesten"),
        pytest.param("Ist das aktuell?", id="aktuell"),
        pytest.param("Die aktuellen Zahlen zur Flut?", id="aktuellen"),
        pytest.param("Was wurde zuletzt gesagt?", id="zuletzt"),
        pytest.param("Was ist der derzeitige Stand?", id="derzeitige"),
    ],
)
def test_recency_words_ask_for_the_newest_without_dates(question: str) -> None:
    reading = read_time(question, TODAY)
    assert reading.latest and reading.found
    assert (reading.since, reading.until, reading.phrase) == (None, None, "")
    assert reading.rest == question


def test_recency_and_a_range_together() -> None:
    marked = "What are the latest figures from [last week]?"
    reading = read_time(_split(marked)[0], TODAY)
    assert reading.latest
    _check(reading, marked, "2024-06-03", "2024-06-09")


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("Was fordert Die Linke?", id="die-linke"),
        pytest.param("Was war die März-Revolution?", id="maerz-compound"),
        pytest.param("May I ask what Microsoft wants?", id="may-i"),
        pytest.param("Wer stellte den Maibaum auf?", id="maibaum"),
        pytest.param("Er kam mit 5 Mai-Bäumen", id="number-and-compound"),
        pytest.param("Wie viele Tage hat der Mai?", id="month-without-preposition"),
        pytest.param("Was sagt Merz?", id="merz"),
        pytest.param("What did April Ryan report?", id="april-ryan"),
        pytest.param("Was sagte Jan Böhmermann?", id="jan-name"),
        pytest.param("What happened in Mainz?", id="mainz"),
        pytest.param("Was geschah in Augsburg und Marburg?", id="aug-mar-towns"),
        pytest.param("Siemens streicht 1.200 Stellen", id="thousands"),
        pytest.param("Siemens streicht 2000 Stellen", id="year-like-count"),
        pytest.param("Biegen Sie in 300 Metern ab", id="distance"),
        pytest.param("What does the report say?", id="plain"),
        pytest.param("Was sagte die Montagsdemo?", id="weekday-compound"),
        pytest.param("Was passierte Ende der Woche?", id="ende-without-month"),
        pytest.param("Die Zahl stieg auf 3.6.", id="decimal-not-date"),
    ],
)
def test_words_that_are_not_dates(question: str) -> None:
    reading = read_time(question, TODAY)
    assert reading == TimeReading(rest=question)
    assert not reading.found


def test_an_impossible_day_is_not_read_as_one() -> None:
    reading = read_time("Was geschah am 31. Februar 2024?", TODAY)
    assert (reading.since, reading.until) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_rest_keeps_the_question_around_the_phrase() -> None:
    reading = read_time("Wie viele Stellen  strich Siemens im Mai 2024 in Bayern ?", TODAY)
    assert reading.phrase == "im Mai 2024"
    assert reading.rest == "Wie viele Stellen strich Siemens in Bayern?"
