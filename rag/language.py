"""Language detection and the few fixed phrases the assistant says in the user's language."""

from __future__ import annotations

import py3langid

# Snowball stemmers (PyStemmer) and bm25s stopword lists by ISO 639-1 code.
STEMMERS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}  # fmt: skip

_SAMPLE_CHARS = 1000
_PRIOR_NATS = 5.0  # how far another language must lead German and English for a question

_PHRASES = {
    "abstain": {
        "en": "The articles do not answer this question.",
        "de": "Die Artikel beantworten diese Frage nicht.",
    },
    "vague": {
        "en": "Please ask a complete question: what would you like to know about?",
        "de": "Bitte stellen Sie eine vollständige Frage: Worüber möchten Sie etwas wissen?",
    },
    "lead": {
        "en": "The articles say (quoted in their original language):",
        "de": "Die Artikel sagen dazu:",
    },
}


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of `text`'s language; `default` for text without letters."""
    # A thousand characters decide the language as well as a whole article, and the
    # classifier's cost grows with length: every reindex parses every article.
    sample = text[:_SAMPLE_CHARS]
    if not _has_letters(sample):
        return default
    code, _score = py3langid.classify(sample)
    return str(code)


def question_language(question: str) -> str:
    """ISO 639-1 code of the language to answer `question` in.

    Users ask in German or English, and a detector choosing among ~100 languages is
    misled by short questions and names: "Warum?" reads as Latin, "Wann?" as Hausa, "Who
    is Satya Nadella?" as Xhosa. So German and English get a prior: one of them wins
    unless another language leads it clearly (French, Spanish or Dutch questions lead by
    10 to 30 nats, misread German or English ones by under 5). Fixed phrases exist in
    German and English only; `phrase` falls back to English for any other code.
    """
    if not _has_letters(question):
        return "en"
    scores = dict(py3langid.rank(question))  # log-probabilities, unnormalised
    # equal scores: nothing in the text the model knows ("OpenAI?"), so English
    favoured = "de" if scores["de"] > scores["en"] else "en"
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] - scores[favoured] > _PRIOR_NATS else favoured


def phrase(key: str, language: str) -> str:
    """A fixed phrase in `language`, English when there is no translation."""
    table = _PHRASES[key]
    return table.get(language, table["en"])
