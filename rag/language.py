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

_PHRASES = {
    "abstain": {
        "en": "The articles do not answer this question.",
        "de": "Die Artikel beantworten diese Frage nicht.",
    },
    "lead": {
        "en": "The articles say (quoted in their original language):",
        "de": "Die Artikel sagen dazu:",
    },
}


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of `text`'s language; `default` for text without letters."""
    # A thousand characters decide the language as well as a whole article, and the
    # classifier's cost grows with length: every reindex parses every article.
    sample = text[:_SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return default
    code, _score = py3langid.classify(sample)
    return str(code)


def question_language(question: str) -> str:
    """The language to answer in: German or English (the languages of our fixed phrases).

    Short questions fool statistical detectors, so only German with some confidence
    switches away from English.
    """
    code = detect_language(question)
    return "de" if code == "de" else "en"


def phrase(key: str, language: str) -> str:
    """A fixed phrase in `language`, English when there is no translation."""
    table = _PHRASES[key]
    return table.get(language, table["en"])
