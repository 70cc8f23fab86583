"""Time expressions in questions, English and German, read against a reference day (pure).

A small rule layer: dateparser reads "letzte Woche" as one day a week back and misses
"seit Juni", "vergangene Woche" and "since June", and its free search reads "die" as a
Tuesday. Each rule names a range of publication days; a month or a year alone is read
only after a preposition ("in May", "im Mai", "seit Juni") or next to a day or year, so
"May I ask…", "Die Linke" and "die März-Revolution" stay questions. Recency words
("latest", "neueste", "aktuell", …) ask for the newest relevant articles.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

_MONTH_WORDS = {
    1: "january|jan|januar|jänner", 2: "february|feb|februar", 3: "march|mar|märz|maerz|mär",
    4: "april|apr", 5: "may|mai", 6: "june|jun|juni", 7: "july|jul|juli",
    8: "august|aug", 9: "september|sept|sep", 10: "october|oct|oktober|okt",
    11: "november|nov", 12: "december|dec|dezember|dez",
}  # fmt: skip
_MONTH_OF = {w: m for m, words in _MONTH_WORDS.items() for w in words.split("|")}
_MONTH_NAMES = "|".join(sorted(_MONTH_OF, key=len, reverse=True))
_MONTH = rf"(?P<month>{_MONTH_NAMES})\.?"


def _named_month(name: str) -> str:
    return rf"(?P<{name}>{_MONTH_NAMES})\.?"


_END = r"(?![\w-])"  # not the start of a compound ("März-Revolution", "Maibaum")
_NUMBERS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "einen": 1, "einem": 1,
    "ein": 1, "eine": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
    "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "zwölf": 12,
}  # fmt: skip
_COUNT = r"(?P<n>\d{1,3}|" + "|".join(_NUMBERS) + ")"
_UNIT = (
    r"(?P<unit>days?|weeks?|months?|years?|tage[n]?|tag|wochen?|monate[n]?|monat|jahre[n]?|jahr)"
)
_ORDINAL = {"first": 1, "1st": 1, "ersten": 1, "1.": 1, "second": 2, "2nd": 2, "zweiten": 2,
            "2.": 2, "third": 3, "3rd": 3, "dritten": 3, "3.": 3, "fourth": 4, "4th": 4,
            "vierten": 4, "4.": 4}  # fmt: skip
_RECENT = re.compile(
    r"\b(latest|newest|most recent|recent(ly)?|current(ly)?|up to date|so far|"
    r"neueste[nrms]?|jüngste[nrms]?|aktuelle[nrms]?|aktuell|zuletzt|derzeit(ige[nrms]?)?|"
    r"momentan|bislang|bisher)\b",
    re.IGNORECASE,
)
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)"
_WEEK_ORDINAL = {
    "first": 1, "1st": 1, "erste": 1, "ersten": 1, "erster": 1, "second": 2, "2nd": 2,
    "zweite": 2, "zweiten": 2, "third": 3, "3rd": 3, "dritte": 3, "dritten": 3,
    "fourth": 4, "4th": 4, "vierte": 4, "vierten": 4, "last": 5, "letzte": 5, "letzten": 5,
}  # fmt: skip
_WEEK_NTH = r"(?P<nth>" + "|".join(sorted(_WEEK_ORDINAL, key=len, reverse=True)) + ")"
# Early, middle and late in a month: days 1–10, 11–20 and 21 to its end.
_PART_OF_MONTH = {
    "anfang": 0, "early": 0, "beginning of": 0, "the beginning of": 0, "start of": 0,
    "the start of": 0, "mitte": 1, "mid": 1, "mid-": 1, "the middle of": 1, "middle of": 1,
    "ende": 2, "late": 2, "end of": 2, "the end of": 2,
}  # fmt: skip
_PART = r"(?P<part>" + "|".join(sorted(_PART_OF_MONTH, key=len, reverse=True)) + ")"
_WEEKDAYS = {
    "monday": 0, "montag": 0, "tuesday": 1, "dienstag": 1, "wednesday": 2, "mittwoch": 2,
    "thursday": 3, "donnerstag": 3, "friday": 4, "freitag": 4, "saturday": 5, "samstag": 5,
    "sonnabend": 5, "sunday": 6, "sonntag": 6,
}  # fmt: skip
_WEEKDAY = r"(?P<weekday>" + "|".join(_WEEKDAYS) + ")"


@dataclass(frozen=True)
class TimeReading:
    since: dt.date | None = None
    until: dt.date | None = None
    latest: bool = False  # the newest relevant articles are asked for
    phrase: str = ""  # the words of the question the range was read from
    rest: str = ""  # the question without them

    @property
    def found(self) -> bool:
        return bool(self.since or self.until or self.latest)


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _count(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBERS[text.lower()]


def _unit(text: str) -> str:
    text = text.lower()
    for unit, stems in (("day", ("day", "tag")), ("week", ("week", "woche")),
                        ("month", ("month", "monat")), ("year", ("year", "jahr"))):  # fmt: skip
        if text.startswith(stems):
            return unit
    raise ValueError(text)


def _past_month(month: int, today: dt.date) -> int:
    """The year of the latest `month` that has begun by `today`."""
    return today.year if month <= today.month else today.year - 1


Range = tuple[dt.date | None, dt.date | None]
Rule = Callable[[re.Match[str], dt.date], Range]


def _last_n(m: re.Match[str], today: dt.date) -> Range:
    n, unit = _count(m["n"]), _unit(m["unit"])
    if unit == "day":
        return today - dt.timedelta(days=n - 1), today
    if unit == "week":
        return today - dt.timedelta(days=7 * n - 1), today
    months = n * (12 if unit == "year" else 1)
    return _shift_months(today, -months) + dt.timedelta(days=1), today


def _ago(m: re.Match[str], today: dt.date) -> Range:
    n, unit = _count(m["n"]), _unit(m["unit"])
    if unit == "day":
        day = today - dt.timedelta(days=n)
        return day, day
    if unit == "week":
        start = _week_start(today) - dt.timedelta(weeks=n)
        return start, start + dt.timedelta(days=6)
    if unit == "month":
        first = _shift_months(today.replace(day=1), -n)
        return first, _month_end(first.year, first.month)
    return dt.date(today.year - n, 1, 1), dt.date(today.year - n, 12, 31)


def _relative(m: re.Match[str], today: dt.date) -> Range:
    which, unit = m["which"].lower(), _unit(m["unit"])
    this = which.startswith(("this", "dies", "laufend", "current"))
    rolling = which.startswith("past")
    if unit == "week":
        if rolling:
            return today - dt.timedelta(days=6), today
        start = _week_start(today) - dt.timedelta(weeks=0 if this else 1)
        return start, today if this else start + dt.timedelta(days=6)
    if unit == "month":
        if rolling:
            return _shift_months(today, -1) + dt.timedelta(days=1), today
        first = today.replace(day=1) if this else _shift_months(today.replace(day=1), -1)
        return first, today if this else _month_end(first.year, first.month)
    if rolling:
        return _shift_months(today, -12) + dt.timedelta(days=1), today
    year = today.year if this else today.year - 1
    return dt.date(year, 1, 1), today if this else dt.date(year, 12, 31)


def _one_day(m: re.Match[str], today: dt.date) -> Range:
    word = m["word"].lower()
    back = {"today": 0, "heute": 0, "yesterday": 1, "gestern": 1, "vorgestern": 2}
    day = today - dt.timedelta(days=back.get(word, 2))  # "the day before yesterday"
    return day, day


def _quarter(m: re.Match[str], today: dt.date) -> Range:
    q = _ORDINAL.get(m["q"].lower()) if m["q"] else int(m["qn"])
    assert q is not None
    year = int(m["year"])
    return _month_start(year, 3 * q - 2), _month_end(year, 3 * q)


def _date_of(m: re.Match[str], today: dt.date) -> dt.date:
    groups = m.groupdict()
    month = _MONTH_OF[groups["month"].lower()] if groups.get("month") else int(groups["mm"])
    day = int(groups.get("day") or groups["dd"])
    if groups.get("year"):
        return dt.date(int(groups["year"]), month, day)
    # No year: the latest such day by today, as for a month alone ("am 20. Juni" on 12 June).
    year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
    return dt.date(year, month, day)


def _full_date(m: re.Match[str], today: dt.date) -> Range:
    day = _date_of(m, today)
    return day, day


def _month_range(m: re.Match[str], today: dt.date) -> Range:
    groups = m.groupdict()
    month = _MONTH_OF[m["month"].lower()]
    year = int(groups["year"]) if groups.get("year") else _past_month(month, today)
    return _month_start(year, month), _month_end(year, month)


def _year_of(m: re.Match[str], month: int, today: dt.date, key: str = "year") -> int:
    groups = m.groupdict()
    return int(groups[key]) if groups.get(key) else _past_month(month, today)


def _week_of_month(m: re.Match[str], today: dt.date) -> Range:
    """ "the first week of May 2020", "in der ersten Dezemberwoche": days 1–7, 8–14, …;
    the last week is the month's last seven days."""
    month = _MONTH_OF[m["month"].lower()]
    year = _year_of(m, month, today)
    nth = _WEEK_ORDINAL[m["nth"].lower()]
    end_of_month = _month_end(year, month)
    if nth == 5:
        return end_of_month - dt.timedelta(days=6), end_of_month
    start = dt.date(year, month, 7 * (nth - 1) + 1)
    return start, min(start + dt.timedelta(days=6), end_of_month)


def _part_of_month(m: re.Match[str], today: dt.date) -> Range:
    month = _MONTH_OF[m["month"].lower()]
    year = _year_of(m, month, today)
    part = _PART_OF_MONTH[m["part"].lower()]
    end = _month_end(year, month)
    return dt.date(year, month, 10 * part + 1), (
        dt.date(year, month, 10 * part + 10) if part < 2 else end
    )


def _months_between(m: re.Match[str], today: dt.date) -> Range:
    """ "zwischen Juli und September 2020", "from June to August": the first month's first
    day to the second's last; one year given serves both."""
    first, last = _MONTH_OF[m["first"].lower()], _MONTH_OF[m["last"].lower()]
    groups = m.groupdict()
    if groups.get("y2"):
        end_year = int(groups["y2"])
    elif groups.get("y1"):
        end_year = int(groups["y1"]) + (1 if last < first else 0)
    else:
        end_year = _past_month(last, today)
    start_year = int(groups["y1"]) if groups.get("y1") else end_year - (1 if last < first else 0)
    return _month_start(start_year, first), _month_end(end_year, last)


def _until_month(m: re.Match[str], today: dt.date) -> Range:
    month = _MONTH_OF[m["month"].lower()]
    year = _year_of(m, month, today)
    return None, _month_end(year, month)


def _weekday(m: re.Match[str], today: dt.date) -> Range:
    """ "last Monday", "am vergangenen Montag": the latest such day before today; a plain
    "on Monday" / "am Montag" may be today."""
    wanted = _WEEKDAYS[m["weekday"].lower()]
    back = (today.weekday() - wanted) % 7
    if back == 0 and (m.groupdict().get("past") or m.groupdict().get("pastde")):
        back = 7
    day = today - dt.timedelta(days=back)
    return day, day


def _year(m: re.Match[str], today: dt.date) -> Range:
    year = int(m["year"])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _since(inner: Rule) -> Rule:
    def rule(m: re.Match[str], today: dt.date) -> Range:
        start, _end = inner(m, today)
        return start, today

    return rule


def _before(inner: Rule) -> Rule:
    # "before March" without a year is the latest March begun, as "in March" and "since March"
    # are: in January, this year's March would leave every article in.
    def rule(m: re.Match[str], today: dt.date) -> Range:
        start, _end = inner(m, today)
        assert start is not None
        return None, start - dt.timedelta(days=1)

    return rule


# The forms of a full date: 3 June 2020, 3. Juni 2020, 3 June; June 3, 2020; 2020-06-03;
# 03.06.2020.
_DATES = (
    rf"{_DAY}(?:st|nd|rd|th|\.)?\s+{_MONTH}(?:\s+{_YEAR})?",
    rf"{_MONTH}\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}",
    rf"{_YEAR}-(?P<mm>[01]\d)-(?P<dd>[0-3]\d)",
    rf"(?<![\d.])(?P<dd>[0-3]?\d)\.(?P<mm>[01]?\d)\.{_YEAR}\b",
)
_Y1, _Y2 = r"(?P<y1>(?:19|20)\d\d)", r"(?P<y2>(?:19|20)\d\d)"
_RULES: list[tuple[str, Rule]] = [
    (rf"\b(?:in|during|over|within|for)?\s*(?:the\s+)?(?:last|past)\s+{_COUNT}\s+{_UNIT}\b", _last_n),
    (rf"\b(?:in|während|innerhalb)?\s*(?:den|der)?\s*(?:letzten|vergangenen)\s+{_COUNT}\s+{_UNIT}\b", _last_n),
    (rf"\b{_COUNT}\s+{_UNIT}\s+ago\b", _ago),
    (rf"\bvor\s+{_COUNT}\s+{_UNIT}\b", _ago),
    # "since yesterday", "seit letzter Woche": from that day or period's start until today.
    (r"\b(?:since|seit)\s+(?P<word>today|heute|yesterday|gestern|vorgestern|the day before yesterday)\b", _since(_one_day)),
    (r"\b(?:since|seit)\s+(?:the\s+)?(?P<which>last|previous)\s+(?P<unit>week|month|year)\b", _since(_relative)),
    (r"\b(?:since|seit)\s+(?:dem\s+|der\s+)?(?P<which>letzte[nrms]?|vergangene[nrms]?|vorige[nrms]?)\s+(?P<unit>woche|monat|jahr)\b", _since(_relative)),
    (r"\b(?P<word>today|heute|yesterday|gestern|vorgestern|the day before yesterday)\b", _one_day),
    (r"\b(?:in\s+|during\s+|over\s+)?(?:the\s+)?(?P<which>this|last|past|previous|current)\s+(?P<unit>week|month|year)\b(?!\s+of\b)", _relative),
    (r"\b(?:in\s+(?:der\s+|diesem\s+|dieser\s+)?|im\s+)?(?P<which>diese[nrms]?|letzte[nrms]?|vergangene[nrms]?|vorige[nrms]?|laufende[nrms]?)\s+(?P<unit>woche|monat|jahr)\b", _relative),
    (rf"\b(?:in\s+|im\s+)?(?:the\s+)?(?:(?P<q>first|second|third|fourth|1st|2nd|3rd|4th|ersten|zweiten|dritten|vierten|[1-4]\.)\s+(?:quarter|quartal)(?:\s+of)?|q(?P<qn>[1-4]))\s+{_YEAR}\b", _quarter),
    *((rf"\b(?:since|seit)\s+(?:dem\s+)?{date}{_END}", _since(_full_date)) for date in _DATES),
    (rf"\b(?:since|seit)\s+{_MONTH}(?:\s+{_YEAR})?{_END}", _since(_month_range)),
    (rf"\b(?:since|seit)\s+{_YEAR}\b", _since(_year)),
    *((rf"\b(?:before|vor\s+dem|vor)\s+{date}{_END}", _before(_full_date)) for date in _DATES),
    (rf"\b(?:before|vor)\s+{_MONTH}(?:\s+{_YEAR})?{_END}", _before(_month_range)),
    (rf"\b(?:before|vor)\s+{_YEAR}\b", _before(_year)),
    (rf"\b(?:in\s+|during\s+)?(?:the\s+)?{_WEEK_NTH}\s+week\s+(?:of|in)\s+{_MONTH}(?:\s+{_YEAR})?{_END}", _week_of_month),
    (rf"\b(?:in\s+der\s+)?{_WEEK_NTH}\s+(?P<month>{_MONTH_NAMES})woche(?:\s+{_YEAR})?\b", _week_of_month),
    (rf"\b(?:in\s+der\s+)?{_WEEK_NTH}\s+woche\s+(?:des|im|in|vom)\s+{_MONTH}s?(?:\s+{_YEAR})?{_END}", _week_of_month),
    (rf"\b(?:in\s+|im\s+)?{_PART}\s*{_MONTH}(?:\s+{_YEAR})?{_END}", _part_of_month),
    (rf"\b(?:between|zwischen|from|von)\s+(?:dem\s+)?{_named_month('first')}(?:\s+{_Y1})?\s+(?:and|und|to|until|till|bis)\s+(?:zum\s+)?{_named_month('last')}(?:\s+{_Y2})?{_END}", _months_between),
    (rf"\b(?:bis|until|till|through|up\s+to)\s+(?:zum\s+|ende\s+|end\s+of\s+)?{_MONTH}(?:\s+{_YEAR})?{_END}", _until_month),
    (rf"\b(?:(?P<past>last|previous|vergangenen|letzten|vorigen)\s+|(?:on|am)\s+(?:(?P<pastde>vergangenen|letzten|vorigen)\s+)?){_WEEKDAY}\b", _weekday),
    *((rf"\b(?:on\s+|am\s+)?{date}{_END}", _full_date) for date in _DATES),
    (rf"\bon\s+{_MONTH}\s+{_DAY}(?:st|nd|rd|th)?(?!\d)", _full_date),  # "on March 3"
    (rf"\b(?:in\s+|im\s+)?{_MONTH}\s+{_YEAR}\b", _month_range),
    (rf"\b(?:in|im|during)\s+{_MONTH}{_END}", _month_range),
    (rf"\b(?:in\s+the\s+year|in|im\s+jahre?|im|during)\s+{_YEAR}\b", _year),
]  # fmt: skip
_COMPILED = [(re.compile(pattern, re.IGNORECASE), rule) for pattern, rule in _RULES]


def read_time(question: str, today: dt.date) -> TimeReading:
    """The publication days `question` asks about, read against `today` (pure)."""
    latest = bool(_RECENT.search(question))
    for pattern, rule in _COMPILED:
        for match in pattern.finditer(question):
            try:
                since, until = rule(match, today)
            except (ValueError, KeyError, IndexError):  # "31 February", a word not a number
                continue
            phrase = match.group(0).strip()
            rest = " ".join((question[: match.start()] + " " + question[match.end() :]).split())
            return TimeReading(since, until, latest, phrase, rest.replace(" ?", "?"))
    return TimeReading(latest=latest, rest=question)
