"""What kind of answer a question asks for, and whether a sentence holds one (pure).

"How much did Spohr earn?" is answered by a figure, "Wann verkaufte der Bund?" by a time.
A sentence about the right subject without one ("Spohr will ein Sparkonzept
präsentieren.") is on topic but no answer: news repeats a story's subject in every
passage, so similarity alone calls it confident.
"""

from __future__ import annotations

import re
from typing import Literal

# A duration is answered by a figure ("14 Tage") or an end ("bis Anfang Mai"); an amount
# of money by a figure in a currency ("13 Milliarden Dollar").
AnswerType = Literal["figure", "time", "duration", "money"]

# Verbs that ask for money only ("How much rain did it get?" asks for a figure).
_MONEY_QUESTION = re.compile(
    r"\b(?:how\s+much\b.*\b(?:earn|cost|pay|paid|invest|spen[dt]|charg|worth)\w*|"
    r"wie\s*viel\b.*\b(?:verdien|kost|zahl|bezahl|investier|ausgegeben|wert)\w*)",
    re.IGNORECASE,
)
_CURRENCY = re.compile(
    r"\b(?:euros?|eur|dollars?|usd|francs?|franken|chf|pfund|pounds?|sterling|yen|yuan|cents?|"
    r"rappen|mark|"
    r"dm|gulden|rubel|lira|peso|rupien?|kronen?|mio\.?|mrd\.?)\b|[€$£¥]",
    re.IGNORECASE,
)
_DURATION_QUESTION = re.compile(
    r"\b(?:how\s+long|for\s+how\s+long|wie\s+lange?|für\s+wie\s+lange?)\b", re.IGNORECASE
)
_FIGURE_QUESTION = re.compile(
    r"\b(?:how\s+(?:much|many|high|large|big|far|often)|what\s+(?:share|percentage|"
    r"proportion|amount|number|sum|figure)|"
    r"wie\s*(?:viel\w*|hoch|groß|weit|oft)|welche[nrs]?\s+(?:anteil|betrag|summe|zahl))\b",
    re.IGNORECASE,
)
# A question whose subject is the figure it wants: "What is the latest download figure?",
# "What was the percentage of …", "Was ist die aktuelle Downloadzahl?" (not "What historical
# figure …", "Was ist eine Primzahl?").
_FIGURE_NOUN = re.compile(
    r"^\s*(?:what\s+(?:is|was|are|were)\s+the\s+(?:[\w-]+\s+){0,2}?(?:figures?|numbers?|count|"
    r"total|toll|percentage|rate)\b(?!-)(?!\s+theor)|was\s+(?:ist|war|sind|waren)\s+die\s+"
    r"(?:\w+\s+){0,2}?(?-i:(?:[A-ZÄÖÜ]\w*(?:zahl|quote)|Zahl|Quote)(?:en)?\b))",
    re.IGNORECASE,
)
_TIME_QUESTION = re.compile(
    r"\b(?:when|since\s+when|until\s+when|what\s+(?:date|day|year|month)|"
    r"wann|seit\s+wann|bis\s+wann|an\s+welchem\s+tag|in\s+welchem\s+(?:jahr|monat))\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    r"eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|"
    r"zwanzig|dreißig|hundert|tausend|million\w*|milliard\w*|dutzend\w*|hälfte|drittel|"
    r"viertel|doppelt\w*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|hundreds?|thousands?|millions?|billions?|dozens?|half|third|quarter|"
    r"double|twice"
)
_FIGURE = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
_TIME_WORDS = (
    r"januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember|"
    r"january|february|march|may|june|july|october|december|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|wochenende|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|"
    r"gestern|heute|vorgestern|übermorgen|demnächst|bislang|bisher|zuletzt|"
    r"yesterday|today|tomorrow|soon|ago|"
    r"woche\w*|monat\w*|jahr|jahres|jahren|frühjahr\w*|sommer\w*|herbst\w*|winter\w*|"
    r"weeks?|months?|years?|spring|summer|autumn|winter|"
    r"jahrhundert\w*|jahrzehnt\w*|century|centuries|decades?"
)
# A figure is a time when it reads as one: a year, a day ("am 21. August", "21.08."), an
# hour ("um 14 Uhr", "2 p.m.").
_TIME = re.compile(
    rf"\b(?:{_TIME_WORDS})\b|\b(?:19|20)\d\d\b|\b\d{{1,2}}\.\s?(?:\d{{1,2}}\.|(?-i:[A-ZÄÖÜ]))|"
    r"\b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,2}(?:[:.]\d\d)?\s?(?:uhr|a\.m\.|p\.m\.)",
    re.IGNORECASE,
)


# "bis Anfang Mai", "until the end of June": the end of a span, not any day named
_UNTIL = re.compile(
    rf"\b(?:bis|until|till|through)\b[^.;:]{{0,30}}?\b(?:{_TIME_WORDS})\b", re.IGNORECASE
)


def answer_type(question: str) -> AnswerType | None:
    """The kind of answer `question` asks for, when it asks for a figure, a time or a
    duration."""
    if _DURATION_QUESTION.search(question):
        return "duration"
    if _MONEY_QUESTION.search(question):
        return "money"
    if _FIGURE_QUESTION.search(question) or _FIGURE_NOUN.search(question):
        return "figure"
    if _TIME_QUESTION.search(question):
        return "time"
    return None


def holds(sentence: str, wanted: AnswerType) -> bool:
    """Whether `sentence` holds an answer of the kind `wanted` (a figure, a time; a
    figure or an end for a duration; a figure and a currency for money)."""
    if wanted == "duration":
        return bool(_FIGURE.search(sentence) or _UNTIL.search(sentence))
    if wanted == "money":
        return bool(_FIGURE.search(sentence) and _CURRENCY.search(sentence))
    return bool((_FIGURE if wanted == "figure" else _TIME).search(sentence))
