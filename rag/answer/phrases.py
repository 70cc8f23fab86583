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
    "lead_low": {
        "en": "The articles may not answer this directly. The closest passages:",
        "de": "Die Artikel beantworten das möglicherweise nicht direkt. Die nächstliegenden "
        "Passagen:",
    },
    "low_note": {
        "en": "The articles may not answer this directly.",
        "de": "Die Artikel beantworten das möglicherweise nicht direkt.",
    },
    "lead_as_of": {
        "en": "As of {date}, the articles say (quoted in their original language):",
        "de": "Stand {date} sagen die Artikel dazu:",
    },
    "lead_overview": {
        "en": "The {what} report (quoted in their original language):",
        "de": "Die {what} berichten:",
    },
    "lead_outside": {
        "en": "The {what} may not answer this. The closest answer is from {date} "
        "(quoted in its original language):",
        "de": "Die {what} beantworten das möglicherweise nicht. Die nächste Antwort stammt "
        "vom {date}:",
    },
    "lead_outside_undated": {
        "en": "The {what} may not answer this. The closest answer is in an article outside "
        "them (quoted in its original language):",
        "de": "Die {what} beantworten das möglicherweise nicht. Die nächste Antwort steht in "
        "einem Artikel außerhalb:",
    },
    "outside": {
        "en": "The {what} may not answer this; this answer is from all articles.",
        "de": "Die {what} beantworten das möglicherweise nicht; diese Antwort stützt sich auf "
        "alle Artikel.",
    },
    "offer_outside": {
        "en": "The {what} may not answer this; a confident answer is in an article outside "
        "them ({where}): ask without the filters to see it.",
        "de": "Die {what} beantworten das möglicherweise nicht; eine sichere Antwort steht in "
        "einem Artikel außerhalb ({where}): ohne die Filter fragen, um sie zu sehen.",
    },
    "as_of": {"en": "(As of {date}.)", "de": "(Stand: {date}.)"},
    "no_match": {
        "en": "No {what} match this search.",
        "de": "Keine {what} passen zu dieser Suche.",
    },
}


def phrase(key: str, language: str, **values: str) -> str:
    """A fixed phrase in `language` with `values` filled in; English when there is no
    translation (German and English only)."""
    table = _PHRASES[key]
    return table.get(language, table["en"]).format(**values)
