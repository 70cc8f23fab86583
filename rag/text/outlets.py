"""How outlet names compare: one key for "Süddeutsche", "sueddeutsche.de" and "SZ " alike
is not possible, but case, spaces, umlauts and the site's domain are (pure)."""

from __future__ import annotations

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def folded(name: str) -> str:
    """A name as filters compare it: any case, spaces collapsed ("Lake  Times" = "lake times")."""
    return " ".join(name.casefold().split())


def squashed(text: str) -> str:
    """Letters and digits only, umlauts spelled out: "Süddeutsche" -> "sueddeutsche"."""
    return "".join(ch for ch in text.casefold().translate(_UMLAUTS) if ch.isalnum())


def site_label(site: str) -> str:
    """The name part of a site: "tagesspiegel" of tagesspiegel.de, "bbc" of bbc.co.uk."""
    return site.split(".")[0] if site else ""


def names_site(name: str, site: str) -> bool:
    """Whether a name is the site's ("Wirtschaft - Tagesspiegel"'s "Tagesspiegel" is
    tagesspiegel.de's, "ZDFmediathek" zdf.de's): its letters hold the site's label or
    the label holds them."""
    label, letters = squashed(site_label(site)), squashed(name)
    return len(label) >= 2 and bool(letters) and (label in letters or letters in label)
