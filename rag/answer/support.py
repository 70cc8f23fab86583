"""The claim check of generated answers: does a cited passage state what its sentence says?
(pure)

Each statement of the answer is compared with every sentence of the passages the model
was given, by the similarity of the two texts alone (e5 vectors, no question involved).
A passage supports a claim when its best sentence reaches the threshold of their language
pair (calibrated by `bench/claim_support.py`). A cited passage that does not support its
claim gives way to the one that does, or goes; a claim without a marker that one passage
clearly supports gets that passage's marker; a statement that nothing supports is
flagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.citations import MARKER, Claim
from rag.text.sentences import is_question

# What the answer says without stating a fact: too short, a question, a caveat of ours.
_MIN_WORDS = 4
_TERMINAL = re.compile(r"([.!?…:;]*[\"'”“»)\]]*)\s*$")


_DIGITS = re.compile(r"\d+(?:[.,]\d+)?")
# Number words by magnitude: German "Billion" is the English "trillion".
_MAGNITUDES = {
    "en": {"million": 6, "millions": 6, "billion": 9, "billions": 9, "trillion": 12},
    "de": {"million": 6, "millionen": 6, "mio": 6, "milliarde": 9, "milliarden": 9,
           "mrd": 9, "billion": 12, "billionen": 12},
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")


def _figures(text: str, language: str) -> tuple[set[str], set[int]]:
    words = _MAGNITUDES.get(language, _MAGNITUDES["en"])
    digits = {d.replace(",", ".") for d in _DIGITS.findall(text)}
    return digits, {words[w] for w in _WORD.findall(text.lower()) if w in words}


def figures_agree(
    claim: str, claim_language: str, sentence: str, language: str, day: str = ""
) -> bool:
    """Whether every number and magnitude ("3 million") of a claim is in the sentence, or
    in its article's publication `day` (ISO: "As of 20 June 2024"): embeddings hardly
    tell 3 million from 3 billion, or 2023 from 2024."""
    digits, sizes = _figures(claim, claim_language)
    have_digits, have_sizes = _figures(sentence, language)
    have_digits |= {part.lstrip("0") or "0" for part in day.split("-") if part}
    return digits <= have_digits and sizes <= have_sizes


@dataclass(frozen=True)
class Support:
    score: float  # the best similarity of the claim to one of the passage's sentences
    sentence: str  # that sentence


@dataclass(frozen=True)
class CheckedClaim:
    claim: Claim
    cited: tuple[int, ...]  # passage numbers (1-based, as in the prompt) after the check
    supported: bool  # some cited passage states it (or it states nothing to check)


def is_statement(text: str) -> bool:
    """Whether a claim says something to check: a few words, not a question."""
    return len(text.split()) >= _MIN_WORDS and not is_question(text)


def check_claims(
    found: Sequence[Claim],
    support: Sequence[Sequence[Support]],
    thresholds: Sequence[float],
    margin: float,
) -> list[CheckedClaim]:
    """`support[i][p]`: how passage p+1 supports claim i; `thresholds[p]`: its bar."""
    out = []
    for claim, row in zip(found, support, strict=True):
        if not is_statement(claim.text):
            out.append(CheckedClaim(claim, claim.numbers, True))
            continue
        ok = [n for n in range(1, len(row) + 1) if row[n - 1].score >= thresholds[n - 1]]
        best = max(ok, key=lambda n: row[n - 1].score - thresholds[n - 1], default=None)
        cited = [n for n in claim.numbers if n in ok]
        if claim.numbers and not cited and best is not None:
            cited = [best]  # the passage that states it, instead of the one cited
        if not claim.numbers and best is not None:
            if row[best - 1].score >= thresholds[best - 1] + margin:
                cited = [best]  # clearly stated there: cite it
        out.append(CheckedClaim(claim, tuple(cited), bool(cited)))
    return out


def rebuild(text: str, checked: Sequence[CheckedClaim]) -> str:
    """`text` with each checked claim's markers placed before its final punctuation."""
    pieces, last = [], 0
    for item in checked:
        c = item.claim
        pieces.append(MARKER.sub("", text[last : c.start]))
        sentence = MARKER.sub("", text[c.start : c.end]).strip()
        markers = "".join(f"[{n}]" for n in item.cited)
        if markers:
            match = _TERMINAL.search(sentence)
            cut = match.start() if match else len(sentence)
            sentence = f"{sentence[:cut].rstrip()} {markers}{sentence[cut:]}"
        pieces.append(sentence)
        last = c.end
    pieces.append(MARKER.sub("", text[last:]))
    return "".join(pieces)


def support_of(
    checked: Sequence[CheckedClaim], support: Sequence[Sequence[Support]], n: int
) -> Support:
    """How well passage `n` supports the claims that cite it after the check: its best
    sentence for them (what the citation quotes)."""
    scores = [support[i][n - 1] for i, c in enumerate(checked) if n in c.cited]
    return max(scores, key=lambda s: s.score, default=Support(0.0, ""))
