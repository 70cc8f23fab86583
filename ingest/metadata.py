"""News metadata from front matter and pages: dates, outlets, hosts (pure functions)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

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


def host_of(url: str) -> str:
    """The host of an http(s) URL without `www.` and port ("" for anything else)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "http://[broken"
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return parts.hostname.lower().removeprefix("www.")


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list ships inside the package: nothing is downloaded


def site_of(url: str) -> str:
    """The site an http(s) URL is on: its registrable domain ("zeit.de" for
    www.zeit.de, "bbc.co.uk" for news.bbc.co.uk), the host itself for an address or a
    one-word name, "" for anything else."""
    host = host_of(url)
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        return (_suffixes().privatesuffix(host) or host) if host else ""


def outlet_of(outlet: str, source: str) -> str:
    """The publisher: as given, else the host of the article's source URL."""
    return outlet.strip() or host_of(source)


def outlet_from_title(title: str) -> str:
    """The outlet a page title ends with ("Streik legt Bahn lahm | Lindauer Tagblatt")."""
    match = _TITLE_SUFFIX.search(title.strip())
    return match.group(1).strip() if match and len(match.group(1).split()) <= 4 else ""
