"""What a news page says about itself rather than the news: newsletter and subscription
offers, account and cookie prompts, share and comment furniture (pure, German and English).

trafilatura's precision mode drops most of it; what remains (a bracketed newsletter
offer inside the text, "Du kannst jetzt dein neues Passwort festlegen.") is removed from
pages and feed entries when they are read, and is never quoted from any article. A line
counts only when an offer comes with its call to action, so a report about an app or a
newsletter is still news.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE
# A subject of self-promotion and, within the same sentence, the call to action.
_OFFERS = (
    (r"newsletter|podcast|abo\b|abonnement|e-paper|digitalabo|plus-artikel|push-mitteilung",
     r"kostenlos|gratis|anmeld|abonnier|bestell|jetzt\b|hier\b|testen|registrier|"
     r"free|sign[ -]?up|subscribe|here\b|click"),
    (r"\bcookies?\b",
     r"akzeptier|zustimm|lösch|aktivier|erlaub|accept|consent|clear|enable|allow"),
    (r"passwor[dt]|benutzerkonto|nutzerkonto|\bkonto\b|\baccount\b",
     r"festlegen|vergessen|zurücksetz|neues|anmeld|einlogg|registrier|erstell|reset|"
     r"forgot|new\b|sign[ -]?in|log[ -]?in|create"),
    # "unsere runderneuerte App": the outlet's own app (an app in the news is not "ours")
    (r"\bunsere[nmr]?\s+(?:\w+\s+)?app\b|\bour\s+(?:\w+\s+)?app\b",
     r"herunterlad|download|installier|install\b|empfehlen|hier\b|here\b"),
    (r"javascript|werbeblocker|adblock|ad blocker",
     r"aktivier|deaktivier|erlaub|enable|disable|allow|whitelist"),
)  # fmt: skip
_OFFER_PAIRS = [(re.compile(a, _FLAGS), re.compile(b, _FLAGS)) for a, b in _OFFERS]
# Furniture: a page's own labels, alone on a line ("Artikel teilen") or before a credit
# ("Foto: dpa"); a sentence that merely begins with such a word is not one.
_FURNITURE = re.compile(
    r"^\W*(?:(?:artikel teilen|teilen|share(?: this(?: article)?)?|kommentare?(?: anzeigen)?|"
    r"comments?|zur startseite|mehr zum thema|lesen sie (?:auch|mehr)|read more|related|"
    r"weitere artikel|anzeige|advertisement)\W*$|(?:foto|bild|photo|image|quelle)\s*:|©|\(c\))",
    _FLAGS,
)
_FURNITURE_CHARS = 80
# A longer sentence that mentions an offer in passing ("…, sagte er dem Tagesspiegel-
# Newsletter [hier abonnieren].") is a report: only short ones and bracketed asides count.
_OFFER_CHARS = 300
_PARAGRAPH = re.compile(r"\S(?:.|\n(?!\s*\n))*")


def is_boilerplate(text: str) -> bool:
    """Whether a line, sentence or bracketed aside is the page's own offer, prompt or
    label, not news."""
    line = " ".join(text.split())
    if not line:
        return False
    if len(line) <= _FURNITURE_CHARS and _FURNITURE.match(line):
        return True
    if len(line) > _OFFER_CHARS and not line.startswith("["):
        return False
    return any(subject.search(line) and action.search(line) for subject, action in _OFFER_PAIRS)


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the paragraphs of `text` that are boilerplate, so that no sentence
    of them is quoted ("[Alle wichtigen Updates … im kostenlosen Newsletter. Dazu die
    wichtigsten Nachrichten. Zur Anmeldung geht es hier.]" as a whole)."""
    return [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if is_boilerplate(m.group())]
