"""Defence against prompt injection inside articles (pure).

Articles are data. The LLM prompt already fences them and tells the model to ignore
instructions in them; as a second line, sentences that address an AI system with
instructions are neither quoted by the extractive answer nor sent to the model.
"""

from __future__ import annotations

import re

_INJECTION = re.compile(
    r"""
    \b(ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(instructions?|prompts?|rules|context)\b
    | \b(ignoriere|vergiss|missachte)\b[^.!?\n]{0,40}\b(anweisungen|anweisung|regeln|prompts?)\b
    | \byou\s+are\s+now\b | \bdu\s+bist\s+jetzt\b
    | \b(system|developer)\s*(prompt|message)\b | \bjailbreak\b
    | \b(answer|respond|reply|antworte)\b[^.!?\n]{0,30}\bonly\s+with\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
REDACTED = "[instruction-like text removed]"


def looks_like_injection(sentence: str) -> bool:
    """True for text that tries to instruct an AI system rather than report news."""
    return bool(_INJECTION.search(sentence))
