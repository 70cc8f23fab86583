"""Sentences that cannot stand alone: a pronoun subject or a link word that points back to
the sentence before ("Er sitzt noch immer im Gefängnis.", "Und zwar an Wirecard."), and
bare references too short to state anything ("Da ist zum Beispiel Wirecard.") (pure).

Quoted alone, such a sentence says something of whoever the reader last read about: in a
news article "Er" after a paragraph on one executive names another. So a leaning sentence
is quoted together with the one it leans on, or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.text.answer_types import holds

# Words that open a sentence which points back: personal and demonstrative pronouns,
# possessives, and link words ("Und zwar", "Dabei"). German "Das" counts only as a pronoun
# ("Das teilte das …"), not as the article before a noun, with or without an adjective
# ("Das Unternehmen …", "Das neue Gesetz …"); English "This"/"That"/"These"/"Those" always
# (a bare "This decision" leans just as well). Not German "Es": it opens impersonal
# sentences ("Es wurde beschlossen …") as often as it points back.
_ALWAYS = frozenset(
    """
    er sie ihm ihn ihr ihre ihrem ihren ihrer sein seine seinem seinen seiner
    dies dieser diese dieses diesen diesem dabei damit dadurch dafür dagegen daraufhin darin
    darüber deshalb deswegen daher demnach dennoch trotzdem zudem
    he she it they him them his her its their this that these those
    """.split()
)
_LINKS = re.compile(
    r"^(?:und\s+zwar|und\s+das|und\s+dies|das\s+heißt|also|and\s+so|that\s+is|which)\b",
    re.IGNORECASE,
)
# "It is expected that …": an expletive subject that points nowhere.
_EXPLETIVE = re.compile(r"^it\s+(?:is|was)\s+\w+\s+(?:that|to)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_QUOTES = " \t\"'„“”»«‚‘’(["
# A sentence under this many words with no figure names something without stating it.
MIN_STATEMENT_WORDS = 6


def leans_back(sentence: str) -> bool:
    """Whether `sentence` opens with a word that points to the sentence before it."""
    text = sentence.lstrip(_QUOTES)
    if _LINKS.match(text):
        return True
    words = _WORD.findall(text[:60])
    if not words:
        return False
    first = words[0].lower()
    if _EXPLETIVE.match(text):
        return False
    if first in _ALWAYS:
        return True
    if first == "das" and len(words) > 1 and words[1][:1].islower():
        return not (len(words) > 2 and words[2][:1].isupper())  # "Das neue Gesetz"
    return False


def is_bare_reference(sentence: str) -> bool:
    """A short sentence without a figure ("Da ist zum Beispiel Wirecard."): it names, it
    does not state, so it is no evidence on its own."""
    return len(_WORD.findall(sentence)) < MIN_STATEMENT_WORDS and not holds(sentence, "figure")


def quote_units(
    sentences: Sequence[str], adjacent: Sequence[bool], longest: int = 3
) -> list[tuple[int, int]]:
    """Group sentences into the units that may be quoted: (first, last) index ranges.

    A leaning sentence joins the unit before it when it directly follows it
    (`adjacent[i]`: sentence i-1 is the one before it in the text and is quotable) and the
    unit holds fewer than `longest` sentences; otherwise it is left out. A unit of one
    sentence that is a bare reference is left out too."""
    units: list[list[int]] = []
    for i, sentence in enumerate(sentences):
        if leans_back(sentence):
            if i and adjacent[i] and units and units[-1][1] == i - 1:
                if units[-1][1] - units[-1][0] + 1 < longest:
                    units[-1][1] = i
            continue
        units.append([i, i])
    return [(a, b) for a, b in units if b > a or not is_bare_reference(sentences[a])]
