"""Language detection for articles and questions (pure apart from the bundled classifier)."""

from __future__ import annotations

import py3langid

# Snowball stemmers (PyStemmer) and bm25s stopword lists by ISO 639-1 code.
STEMMERS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}  # fmt: skip

# A thousand characters decide an article's language as well as the whole text, and the
# classifier's cost grows with length: every reindex parses every article.
_SAMPLE_CHARS = 1000


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of `text`'s language; `default` for text without letters."""
    sample = text[:_SAMPLE_CHARS]
    if not _has_letters(sample):
        return default
    code, _score = py3langid.classify(sample)
    return str(code)


def question_language(question: str, *, prior_nats: float) -> str:
    """ISO 639-1 code of the language to answer `question` in.

    Users ask in German or English, and a detector choosing among ~100 languages is
    misled by short questions and names: "Warum?" reads as Latin, "Wann?" as Hausa, "Who
    is Satya Nadella?" as Xhosa. So German and English win unless another language leads
    them by more than `prior_nats` (Tuning.question_language_prior): French, Spanish or
    Dutch questions lead by 10 to 30 nats, misread German or English ones by under 5.
    """
    if not _has_letters(question):
        return "en"
    scores = dict(py3langid.rank(question))  # log-probabilities, unnormalised
    # equal scores: nothing in the text the model knows ("OpenAI?"), so English
    favoured = "de" if scores["de"] > scores["en"] else "en"
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] - scores[favoured] > prior_nats else favoured


_MIN_SLIP_WORDS = 6  # shorter sentences are names and quotes as often as slips


def slips(sentences: list[str], language: str, *, prior_nats: float) -> list[str]:
    """The sentences of an answer meant to be in `language` that are in another one: a
    passage left untranslated. Short sentences are not judged."""
    return [
        s
        for s in sentences
        if len(s.split()) >= _MIN_SLIP_WORDS
        and question_language(s, prior_nats=prior_nats) != language
    ]
