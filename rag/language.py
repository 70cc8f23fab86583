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
_SHORT_QUESTION_WORDS = 3  # up to this many words, detection is unreliable

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
    """ISO 639-1 code of the language to answer `question` in.

    A detector choosing among ~100 languages takes "Warum?" for Latin and "Wann?" for
    Hausa, so a short question it places in neither German nor English (the languages
    users ask in) is decided between just those two. Fixed phrases exist in German and
    English only; `phrase` falls back to English for any other code.
    """
    code = detect_language(question)
    if code in ("de", "en") or len(question.split()) > _SHORT_QUESTION_WORDS:
        return code
    scores = dict(py3langid.rank(question))  # per-language scores, unnormalised
    # equal scores: nothing in the text the model knows ("OpenAI?"), so the default
    return "de" if scores["de"] > scores["en"] else "en"


def phrase(key: str, language: str) -> str:
    """A fixed phrase in `language`, English when there is no translation."""
    table = _PHRASES[key]
    return table.get(language, table["en"])
