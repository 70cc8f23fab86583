"""News metadata from front matter and pages: dates, outlets, hosts (pure functions)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.text.outlets import names_site, site_label, squashed
from rag.text.urls import article_site, host_of, site_named

# "Headline | Outlet", "Headline – Outlet", "Headline - Outlet": an outlet is a few words.
_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+([^|–—]{2,40})$")


@dataclass(frozen=True)
class When:
    """A publication time as far as it is known."""

    day: str = ""  # ISO YYYY-MM-DD, "" = unknown
    moment: str = ""  # ISO date-time when the time of day is known, with its zone if given
    problem: str | None = None  # why a given value could not be read

    def order(self) -> tuple[str, bool, float]:
        """Sorts earlier first; on one day, a known time before an unknown one."""
        if not self.moment:
            return (self.day, True, 0.0)
        moment = dt.datetime.fromisoformat(self.moment)
        aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
        return (self.day, False, aware.timestamp())


def _moment(value: dt.datetime) -> str:
    """The date-time, unless it is only a day written as midnight without a zone."""
    if value.tzinfo is None and value.time() == dt.time(0, 0):
        return ""
    return value.isoformat()


def read_when(value: object) -> When:
    """A publication time from a front-matter or page value; a problem when it cannot be
    read (the article then stays undated: never a guessed date).

    Accepts an ISO 8601 date or date-time, with or without a time zone, and
    `YYYY-MM-DD HH:MM:SS`; a date-time counts on the day it names (the outlet's day).
    YAML hands over dates and date-times already parsed."""
    if value is None or value == "":
        return When()
    if isinstance(value, dt.datetime):
        return When(value.date().isoformat(), _moment(value))
    if isinstance(value, dt.date):
        return When(value.isoformat())
    text = str(value).strip()
    try:
        if len(text) == 10:
            return When(dt.date.fromisoformat(text).isoformat())
        iso = text.replace(" ", "T", 1).removesuffix("Z") + ("+00:00" if text.endswith("Z") else "")
        if len(iso) >= 5 and iso[-5] in "+-" and iso[-3] != ":":  # +0200 (htmldate) -> +02:00
            iso = f"{iso[:-2]}:{iso[-2:]}"
        return read_when(dt.datetime.fromisoformat(iso))
    except ValueError:
        problem = f"date {text!r} is not an ISO 8601 date (YYYY-MM-DD): the article stays undated"
        return When(problem=problem)


def outlet_of(outlet: str, source: str) -> str:
    """The publisher: as given (cleaned), else the host of the article's source URL."""
    site = article_site(source, outlet)
    return clean_outlet(outlet, site) or host_of(source)


def outlet_from_title(title: str) -> str:
    """The outlet a page title ends with ("Streik legt Bahn lahm | Lindauer Tagblatt")."""
    match = _TITLE_SUFFIX.search(title.strip())
    return match.group(1).strip() if match and len(match.group(1).split()) <= 4 else ""


# Parts of a site's name that say what it is, not who it is.
_HANDLE_SUFFIX = re.compile(r"_(?:de|at|ch|en|com|online|news|live)$", re.IGNORECASE)
_LEGAL_FORM = re.compile(
    r",?\s+(?:(?:Verlags?|Medien|Zeitungs)-?\s*(?:und\s+\w+s-?\s*)?(?:gesellschaft\s+)?)?"
    r"(?:GmbH(?:\s*&\s*Co\.?\s*KG(?:aA)?)?|AG|KGaA|KG|SE|e\.\s?V\.|Ltd\.?|Limited|LLC|"
    r"Inc\.?|plc)$"
)
_NAME_SEPARATOR = re.compile(r"\s+[|–—·-]\s+")


def clean_outlet(name: str, site: str) -> str:
    """A site's name as readers know it (pure): "Handelsblatt_De" -> "Handelsblatt",
    "TAZ Verlags- und Vertriebs GmbH" -> "TAZ", "Wirtschaft - Tagesspiegel" ->
    "Tagesspiegel" (of a name in parts, the one that names the site, else the last)."""
    text = " ".join(name.split()).lstrip("@")
    if "://" in text:  # og:site_name "https://www.nzz.ch": the host it names
        text = host_of(text) or text
    parts = [p for p in _NAME_SEPARATOR.split(text) if p.strip()]
    if len(parts) > 1:
        named = [p for p in parts if names_site(p, site)]
        text = named[0] if named else parts[-1]
    text = _HANDLE_SUFFIX.sub("", text.strip())
    while (shorter := _LEGAL_FORM.sub("", text)) != text and shorter:
        text = shorter
    return text.replace("_", " ").strip()


def outlet_name(candidates: Sequence[str], site: str, title: str = "") -> str:
    """The outlet of a page from what it calls itself, best first (`og:site_name`, the
    JSON-LD publisher, …), cleaned; a name written as a host ("taz.de") only when no
    other is given, or to spell a company's legal name the way its site does ("TAZ
    Verlags- und Vertriebs GmbH" of "taz.de" -> "taz"); else the outlet its title ends
    with, else the site (pure)."""
    given = [c for c in candidates if c and c.strip()]
    cleaned = [clean_outlet(c, site) for c in given]
    hosts = [c for c in cleaned if site_named(c)]
    label = site_label(site)
    for raw, name in zip(given, cleaned, strict=True):
        if not name or site_named(name):
            continue
        legal = _LEGAL_FORM.search(" ".join(raw.split())) is not None
        spelled = [site_label(h) for h in hosts if site_label(h).lower() == name.lower()]
        return spelled[0] if spelled and legal else name
    from_title = clean_outlet(outlet_from_title(title), site)
    if from_title and not site_named(from_title):
        return from_title
    return hosts[0].lower().removeprefix("www.") if hosts else (site or label)


def title_without_site(title: str, outlet: str, site: str) -> str:
    """A headline without the site's name it ends with ("… | MDR.DE", "… - Tagesspiegel")."""
    match = _TITLE_SUFFIX.search(title.strip())
    if match is None or match.start() == 0:
        return title.strip()
    # the site's own name exactly, last ("… - Wirtschaft - Tagesspiegel"): "Interview -
    # Zeitenwende" on zeit.de is a headline
    last = squashed(_NAME_SEPARATOR.split(match.group(1))[-1])
    if last in {squashed(site_label(site)), squashed(site), squashed(outlet)} - {""}:
        return title.strip()[: match.start()].rstrip()
    return title.strip()
