"""Whether a chat question leans on the ones before it (pure functions, no model).

Without a language model to rewrite follow-ups, the extractive mode retrieves a follow-up
together with the question it leans on. Only a follow-up that cannot stand alone is
joined: one that points back with a pronoun ("he", "dazu") or is nothing but question
words ("Why?", "Und dann?"). Everything else is retrieved alone: an unrelated question
asked after a topic is not answered with that topic's passages, "And what did OpenAI
answer?" finds the passage on OpenAI's answer rather than the previous topic again, and
"Why?" is not answered with whatever passage happens to be closest to the word "why".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"\w+")

# Pronouns and pronominal adverbs that point back. Not "that" or "there" (English
# "that" is also a conjunction, "there is" points nowhere) and not the German articles.
_POINTERS = frozenset(
    """
    it its itself they them their theirs he him his she her hers this these those
    er es ihn ihm ihr ihre ihren ihrem ihrer ihres sie sein seine seinen seinem seiner
    seines dies diese dieser dieses diesen diesem dazu dabei darauf daran darüber davon
    damit dafür dagegen daraus darin dadurch danach dort deren dessen seitdem seither
    """.split()
)
# A question made only of these words needs the previous one to mean anything.
_BARE = frozenset(
    """
    and but so why how much many when where who what which then next else more is was
    were happen happened happens happening s the a an in on of there new news reported since
    und aber also warum wieso weshalb wie viel viele wann wo wer was welche welcher welches
    dann sonst noch mehr ist war passiert geschah gibt gab es los neu neues neuigkeiten
    nachrichten der die das im am berichtet gemeldet
    latest newest most recent current neueste neuesten aktuell aktuelle aktuellen zuletzt
    did does do has have had hat haben hatte wird wurde wurden
    """.split()
)
# "Gibt es …?" / "Gab es …?": an "es" that points nowhere.
_EXPLETIVE = re.compile(r"\b(?:gibt|gab|geht|ging)\s+es\b", re.IGNORECASE)

MAX_JOINED = 3  # questions joined at most (the follow-up included)


def refers_back(question: str) -> bool:
    """True if `question` leans on an earlier one rather than standing alone."""
    original = _WORD.findall(_EXPLETIVE.sub(" ", question))
    words = [w.lower() for w in original]
    if not words:
        return False
    # A capitalised pronoun inside the sentence is the polite German "Sie"/"Ihr" (you).
    if any(w in _POINTERS for i, w in enumerate(words) if i == 0 or original[i].islower()):
        return True
    return is_bare(question)


def is_bare(text: str) -> bool:
    """True if `text` is only question words ("Why?", "Und dann?"): nothing to search for.
    Such a question finds some passage by chance, since short texts sit close to many."""
    words = _WORD.findall(text.lower())
    return bool(words) and all(word in _BARE for word in words)


def says_something(word: str) -> bool:
    """Whether a word says what is asked about, not only that something is ("Wann",
    "What's")."""
    return re.split(r"['’]", word.lower().strip("?!.,;:"))[0] not in _BARE


def with_context(question: str, previous: Sequence[str]) -> str:
    """The text to retrieve with: `question`, preceded by the earlier questions (oldest
    first in `previous`) it leans on, back to the last one that stands alone."""
    parts = [question]
    for earlier in reversed(previous):
        if len(parts) >= MAX_JOINED or not refers_back(parts[0]):
            break
        parts.insert(0, earlier)
    return " ".join(parts)
