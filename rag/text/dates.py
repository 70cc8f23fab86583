"""Days in words, English and German (pure)."""

from __future__ import annotations

import datetime as dt

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"],
}  # fmt: skip


def long_date(day: dt.date, language: str, *, year: bool = True, month: bool = True) -> str:
    """ "9 March 2024" or "9. März 2024" (English for any other language)."""
    de = language == "de"
    text = f"{day.day}." if de else f"{day.day}"
    if month:
        text += " " + MONTHS["de" if de else "en"][day.month - 1]
    return f"{text} {day.year}" if year else text


def long_iso(iso: str, language: str) -> str:
    """An ISO day in words; "" for ""."""
    return long_date(dt.date.fromisoformat(iso), language) if iso else ""
