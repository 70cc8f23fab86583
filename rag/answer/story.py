"""The articles of one story: which of the found articles tell it, and the sentence that
carries each one's news (pure).

Similarity alone takes in neighbouring stories ("Lufthansa Rettungspaket" is close to
France's rescue package for its airlines), so an article in the query's own language must
also name the story: hold its names and nouns (its capitalised words, stemmed; all words
of a query in lower case), all of two and all but one in three of more ("Stellenabbau bei
der Bodan-Werft" needs Bodan and Werft at least; "Wann fahren die Elektrofähren?" needs
Elektrofähren). Across languages the words differ: an English query's names (its
capitalised words) must be there, one at least ("What's new about Vireon?" takes no article
without Vireon); a German query's nouns cannot be told from its names, and similarity
decides alone. An answer about a story ("What happened with X last week?") asks less: one
of the query's words in its language. An
article belongs when its best sentence clears the abstention threshold of its language
pair and scores near the best article's (timelines and "what happened with X?" alike).

News puts its news first: an article's lead, when it is on the story, says what happened
that day better than the background sentence that happens to score best.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rag.answer.evidence import Evidence, ScoredSentence, lifted
from rag.answer.follow_up import says_something
from rag.index.bm25 import tokenize
from rag.search.passage import Passage
from rag.tuning import Tuning

# A sentence that starts this early in an article's body is its lead (the teaser and the
# first sentences of the text).
OPENING_CHARS = 400


@dataclass(frozen=True)
class StoryArticle:
    score: float  # its best sentence's, lifted to the question's language scale
    best: ScoredSentence  # the sentence closest to the query
    news: ScoredSentence  # the sentence that carries its news: the lead when on the story
    passage: Passage  # of `news`


def _capitalised(query: str) -> list[str]:
    """A query's capitalised words that say something (not "What's", "Did", "Gibt")."""
    return [w for w in query.split() if w[:1].isupper() and says_something(w)]


def _folded(stems: Iterable[str]) -> set[str]:
    """Stems without accents: the English stemmer keeps "tönni", the German one writes
    "tonni"."""
    return {
        "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
        for s in stems
    }


def _units(words: Sequence[str], language: str) -> list[frozenset[str]]:
    """Each word's stems as one unit: "Corona-Warn-App" is named only when all its parts
    are (not the "s" of "Lufthansa's")."""
    units = [frozenset(_folded(t for t in tokenize(w, language) if len(t) > 1)) for w in words]
    return [u for u in units if u]


def _story_units(query: str, language: str) -> list[frozenset[str]]:
    """The names and nouns of a query (its capitalised words), else all its words."""
    return _units(_capitalised(query), language) or _units(query.split(), language)


def _name_units(query: str, language: str) -> list[frozenset[str]]:
    """The names of a query that an article in another language writes alike ("Vireon",
    "Lufthansa", "Brexit"): its capitalised words, unless it is German, whose nouns are
    capitalised too."""
    return [] if language == "de" else _units(_capitalised(query), language)


def story_words(query: str, language: str) -> set[str]:
    """The stems of the names and nouns of a query: its capitalised words, else all."""
    return set().union(*_story_units(query, language))


def story_names(query: str, language: str) -> set[str]:
    """The stems of the names of a query, as another language writes them."""
    return set().union(*_name_units(query, language))


def _named(units: Sequence[frozenset[str]], stems: set[str]) -> int:
    return sum(unit <= stems for unit in units)


def names_story(
    story: str, language: str, passages: Sequence[Passage], *, strict: bool = True
) -> bool:
    """Whether an article (its title and the passages found of it) holds the words of the
    story asked about: in the story's language its names and nouns (`strict`: all words of
    two and all but one in three of more; else one name or noun whole), in another one of
    its names, if any."""
    if not passages or not story:
        return True
    text = " ".join([passages[0].title, *(p.text for p in passages)])
    stems = _folded(tokenize(text, passages[0].language))
    if passages[0].language != language:
        names = _name_units(story, language)
        return not names or _named(names, stems) > 0
    units = _story_units(story, language)
    if not units:
        return True
    if not strict:  # one name, whole: not the "app" of "Corona-Warn-App"
        return _named(units, stems) > 0
    words = set().union(*units)
    missing = len(words - stems)
    return missing <= (len(words) - 1) // 2 if len(words) > 2 else missing == 0


def story_articles(
    evidence: Evidence, tuning: Tuning, story: str, language: str, *, strict: bool = True
) -> list[StoryArticle]:
    """The found articles that tell `story` (asked in `language`; `strict`: see
    names_story), most relevant first."""
    passages = evidence.retrieval.passages
    of_doc: dict[str, list[Passage]] = {}
    for p in passages:
        of_doc.setdefault(p.doc_id, []).append(p)
    named = {d: names_story(story, language, found, strict=strict) for d, found in of_doc.items()}
    scored: dict[str, list[tuple[float, ScoredSentence]]] = {}
    for s, score in zip(evidence.sentences, lifted(evidence, tuning), strict=True):
        doc = passages[s.passage].doc_id
        if named[doc]:
            scored.setdefault(doc, []).append((score, s))
    best = {doc: max(found, key=lambda x: x[0]) for doc, found in scored.items()}
    top = max((score for score, _s in best.values()), default=0.0)
    floor = max(tuning.abstain_threshold, top - tuning.timeline_margin)
    kept = [doc for doc, (score, _s) in best.items() if score >= floor]
    articles = []
    for doc in kept:
        score, first = best[doc]
        news = _lead(scored[doc], score - tuning.timeline_margin) or first
        articles.append(StoryArticle(score, first, news, passages[news.passage]))
    return sorted(articles, key=lambda a: -a.score)


def _lead(found: Sequence[tuple[float, ScoredSentence]], floor: float) -> ScoredSentence | None:
    """The article's lead among its found sentences, if found and on the story."""
    opening = [(s.start, score, s) for score, s in found if s.start < OPENING_CHARS]
    if not opening:
        return None
    _start, score, lead = min(opening, key=lambda x: x[0])
    return lead if score >= floor else None
