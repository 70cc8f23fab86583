"""The few fixed phrases the assistant says itself, in the language of the question."""

from __future__ import annotations

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


def phrase(key: str, language: str) -> str:
    """A fixed phrase in `language`; English when there is no translation (German and
    English only)."""
    table = _PHRASES[key]
    return table.get(language, table["en"])
