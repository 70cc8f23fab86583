"""The outlets of an index, one per site, and which of them a filter or a question names (pure).

An outlet is its site: "Tagesspiegel", "Wirtschaft - Tagesspiegel" and "tagesspiegel.de"
are one outlet when their articles are from tagesspiegel.de. A filter names an outlet by
any of its names, by its site or by the site's label ("Zeit", "zeit.de", "Süddeutsche"),
in any case. Articles with no known site match by their outlet's name only.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from rag.text.outlets import folded, site_label, squashed
from rag.text.urls import site_named, site_of


@dataclass(frozen=True)
class OutletMatch:
    """What a filter's outlets keep: articles from these sites or with these names."""

    sites: frozenset[str]
    names: frozenset[str]  # folded

    def keeps(self, outlet: str, site: str) -> bool:
        return (bool(site) and site in self.sites) or folded(outlet) in self.names


@dataclass(frozen=True)
class OutletReading:
    """An outlet a question names ("laut Zeit"), and the question without it."""

    outlets: tuple[str, ...] = ()
    phrase: str = ""  # the words it was read from
    rest: str = ""  # the question without them


class Outlets:
    """The outlets of a corpus, from each article's (or chunk's) outlet name and site."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        counts: Counter[tuple[str, str]] = Counter((o, s) for o, s in pairs if o or s)
        by_site: dict[str, Counter[str]] = defaultdict(Counter)
        self._sites_of: dict[str, set[str]] = defaultdict(set)  # folded name -> sites
        self._unsited: dict[str, str] = {}  # folded name -> name, for articles with no site
        for (outlet, site), n in counts.items():
            if site:
                by_site[site][outlet] += n
                if outlet:
                    self._sites_of[folded(outlet)].add(site)
            else:
                self._unsited.setdefault(folded(outlet), outlet)
        # a site's name: the one its articles use most that is not a host name
        self.names = {site: _display(site, named) for site, named in by_site.items()}

    def listing(self) -> list[str]:
        """One name per outlet, as a reader knows it, sorted."""
        shown = set(self.names.values()) | set(self._unsited.values())
        return sorted(shown, key=str.casefold)

    def match(self, wanted: Sequence[str]) -> OutletMatch:
        """What `wanted` (names, sites, hosts or URLs) keep."""
        sites: set[str] = set()
        names: set[str] = set()
        for name in wanted:
            key = folded(name)
            names.add(key)
            sites |= self._sites_of.get(key, set())
            sites |= {s for s in (site_named(name), site_of(name)) if s}
            sites |= {s for s, shown in self.names.items() if _is_called(name, s, shown)}
        return OutletMatch(frozenset(sites), frozenset(names))

    def shown(self, wanted: Sequence[str]) -> list[str]:
        """The outlets `wanted` name, as listed (a name no article has is kept as given)."""
        found = self.match(wanted)
        named = {self.names[s] for s in found.sites if s in self.names}
        named |= {v for k, v in self._unsited.items() if k in found.names}
        known = {folded(n) for n in self.listing()}
        # a wanted name neither listed nor a known site's is kept, so a filter on an
        # outlet the corpus lacks still says what it asked for
        lost = [w for w in wanted if folded(w) not in known and not self.match([w]).sites]
        return sorted(named, key=str.casefold) + lost

    def read(self, question: str) -> OutletReading:
        """The outlets a question names as its source ("laut Zeit", "according to the
        Tagesspiegel", "Was berichten Zeit und Spiegel über …"), when the corpus has them.
        A name is read as an outlet only when written as one: capitalised (or as a host)
        and not the start of a longer name ("the Times of India", "Standard-Verfahren",
        "the Independent Office"); "heute", "the sun's position" stay words."""
        aliases, one, patterns = self._reading
        for pattern, generic in patterns:
            for match in pattern.finditer(question):
                names = [m.group(0) for m in one.finditer(match.group("names"))]
                if not names or not all(_written_as_name(n) for n in names):
                    continue
                sites = [aliases[folded(n)] for n in names]
                shown = tuple(
                    dict.fromkeys(self.names.get(s) or self._unsited.get(s, s) for s in sites)
                )
                said = match.group("keep") + generic
                rest = question[: match.start()] + said + question[match.end() :]
                rest = re.sub(r"\s+([,.?!])", r"\1", " ".join(rest.split()))
                phrase = match.group(0)[len(match.group("keep")) :].strip(" ,")
                return OutletReading(shown, phrase, rest)
        return OutletReading(rest=question)

    @cached_property
    def _reading(
        self,
    ) -> tuple[dict[str, str], re.Pattern[str], list[tuple[re.Pattern[str], str]]]:
        """The names a question may call the outlets by (folded -> site, or the name of an
        outlet without one), the pattern of one name, and the patterns that read them as
        a source, made once per index."""
        aliases: dict[str, str] = {}
        for site, shown in self.names.items():
            label = site_label(site)
            for alias in (shown, _without_article(shown), site, label, f"{label} online"):
                if len(alias) >= 3:
                    aliases.setdefault(folded(alias), site)
            spoken = label.replace("ae", "ä").replace("oe", "ö").replace("ue", "ü")
            aliases.setdefault(spoken, site)  # "sueddeutsche" is said "Süddeutsche"
        for key in self._unsited:
            if len(key) >= 3:
                aliases.setdefault(key, key)
        names = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
        one = re.compile(rf"(?<!\w)(?:{names})(?!\w)", re.IGNORECASE)
        return aliases, one, (_mention_patterns(names) if aliases else [])


def _written_as_name(name: str) -> bool:
    """Capitalised, or a host ("zeit.de"): "heute" and "the sun" are words."""
    name = _without_article(name)
    return name[:1].isupper() or "." in name


def _display(site: str, named: Counter[str]) -> str:
    names = [(n, c) for n, c in named.most_common() if n and not site_named(n)]
    return names[0][0] if names else site


def _without_article(name: str) -> str:
    return re.sub(r"^(?:der|die|das|the)\s+", "", name, flags=re.IGNORECASE)


def _is_called(name: str, site: str, shown: str) -> bool:
    """Whether a reader's name for an outlet is the site's: its label or its listed name,
    without regard to case, spaces, umlauts and a leading article."""
    key = squashed(_without_article(name))
    return bool(key) and key in (squashed(site_label(site)), squashed(_without_article(shown)))


_ARTICLE = r"[„“\"'»]?(?:(?:der|die|das|dem|des|the)\s+)?[„“\"'»]?"
# Not the start of a longer name or a compound: "Standard-Verfahren", "the Sun's position",
# "the Times of India", "the Independent Office for Police Conduct".
_CLOSE = r"[“”\"'«]?(?![\w\-’']|\s+of\b|\s+(?-i:[A-ZÄÖÜ]))"
_REPORTS = r"berichtete|berichtet|berichteten|berichten|schrieb|schreibt|meldete|meldet"
_AND = r"(?:\s*,\s*|\s+(?:und|and|or|oder|sowie)\s+)"


def _mention_patterns(names: str) -> list[tuple[re.Pattern[str], str]]:
    """How a question names its sources, and what stands in for them in the search:
    "laut Zeit" goes; "Was berichtete die Süddeutsche über …" keeps its frame ("die
    Zeitung")."""
    one = rf"{_ARTICLE}(?:{names}){_CLOSE}"
    listed = rf"(?P<names>{one}(?:{_AND}{one})*)"
    patterns = [
        (rf",?\s*(?P<keep>)\b(?:laut|according\s+to)\s+{listed}", ""),
        (rf"(?P<keep>\b(?:{_REPORTS})\s+){listed}", "die Zeitung"),
        (rf"(?P<keep>\b(?:did|does|has)\s+){listed}(?=\s+(?:report|write|say))", "the newspaper"),
        (rf"(?P<keep>\b(?:reported|written))\s+by\s+{listed}", ""),
    ]
    return [(re.compile(p, re.IGNORECASE), generic) for p, generic in patterns]
