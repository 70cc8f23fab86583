"""Figures in a sentence with what they count: "1.400 Stellen", "6,7 Milliarden Euro",
"90 Prozent" (pure). Days, years and times are not figures.

A figure's unit is the word after the number (after a magnitude such as "Milliarden"),
so "1.500 Stellen" and "1.400 Stellen" count the same thing and "1.400 Infizierte" does
not; German and English number formats are both read: groups of three digits are
thousands ("1.400" and "1,400" are 1400), a comma before fewer digits is German for a
decimal point ("6,7").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = frozenset(
    "januar februar märz maerz april mai juni juli august september oktober november dezember "
    "jan feb mär apr jun jul aug sep sept okt oct nov dez dec january february march may june "
    "july october december uhr".split()
)
_MAGNITUDES = {"tausend": 1e3, "thousand": 1e3, "million": 1e6, "millionen": 1e6, "mio": 1e6,
               "milliarde": 1e9, "milliarden": 1e9, "mrd": 1e9, "billion": 1e9,
               "billionen": 1e12}  # fmt: skip
_PERCENT = frozenset({"%", "prozent", "percent", "per cent"})
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[.,\u202f ]\d{3})+|\d+(?:[.,]\d+)?)(\.?)(?:\s*(%|[^\W\d_][\w-]*))?"
    r"(?:\s+([^\W\d_][\w-]*))?"
)


@dataclass(frozen=True)
class Figure:
    value: float
    unit: str  # lower case: "stellen", "euro", "prozent"
    text: str  # as written: "1.400 Stellen"


def _value(number: str) -> float | None:
    if re.fullmatch(r"\d{1,3}(?:[.,\u202f ]\d{3})+", number):
        return float(re.sub(r"[.,\u202f ]", "", number))  # "1.400", "1,400": thousands
    try:
        return float(number.replace(",", "."))
    except ValueError:
        return None


def figures(sentence: str) -> list[Figure]:
    """The figures of a sentence, each with its unit; a number with no word after it, a
    day ("23. Juni"), a year ("2020") or a time ("10 Uhr") is none."""
    found: list[Figure] = []
    for match in _NUMBER.finditer(sentence):
        number, dot, first, second = match.groups()
        if not first:
            continue
        word = first.lower()
        if dot or word in _MONTHS:  # "23. Juni", "am 3 June"
            continue
        value = _value(number)
        if value is None:
            continue
        if re.fullmatch(r"(19|20)\d\d", number) and word not in _PERCENT:
            continue  # a year ("2020 Stellen" is rare; "im Jahr 2020 wurden" common)
        scale = _MAGNITUDES.get(word)
        unit = word
        if scale is not None:
            value *= scale
            unit = (second or "").lower()
        if unit in ("%", "per"):
            unit = "prozent"
        if not unit or unit in _MONTHS:
            continue
        end = match.end(4) if scale is not None and second else match.end(3)
        found.append(Figure(value, unit, sentence[match.start(1) : end]))
    return found
