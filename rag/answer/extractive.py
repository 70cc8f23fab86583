"""Extractive answers: quote the sentences that best answer the question (pure).

Used when no language model is configured, and as the fallback when the model fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from rag.answer.citations import citation
from rag.answer.evidence import Evidence, ScoredSentence, lifted, passage_lifts
from rag.answer.phrases import phrase
from rag.answer.story import story_articles
from rag.answer.types import Answer, Citation, Confidence
from rag.search.passage import Passage
from rag.text.answer_types import AnswerType, holds
from rag.text.byline import byline
from rag.text.dates import long_iso
from rag.tuning import Tuning

MIN_NEIGHBOUR_CHARS = 60


def select(
    sentences: Sequence[ScoredSentence],
    *,
    limit: int,
    margin: float,
    dates: Sequence[str] | None = None,
    lift: Sequence[float] | None = None,
    anchor: int | None = None,
    favour: Callable[[ScoredSentence], float] | None = None,
) -> list[ScoredSentence]:
    """Sentences to quote, at most `limit`.

    Passage ranking (dense + BM25 over a whole chunk) is more reliable than the score of
    a single short sentence, so the answer is anchored in the best-ranked passage: its
    best sentence plus the neighbours that make the best contiguous window (a "why" is
    often answered by the sentence after the one that names the subject). One sentence
    from another passage is added when it scores within `margin` of the anchor; with
    `dates` (each passage's day, for questions about the latest news) only one from an
    article at least as new as the anchor's, so an older figure does not come back. A
    slot still free goes to the best passage's next best sentences. Sentences shorter
    than MIN_NEIGHBOUR_CHARS are quoted only as the anchor itself.
    `lift` (per passage) puts scores of passages in another language than the question on
    the scale of its own before passages are compared. `anchor` names the passage to
    anchor in instead of the best-ranked one (the newest that answers, for the latest);
    `favour` adds to the score of the anchor passage's sentences (one holding the figure a
    "how many" asks for): its best sentence, the window and a free slot prefer them, and
    they are returned with the favour in their score, so the answer leads with them.
    """
    if not sentences:
        return []
    top = min(s.passage for s in sentences) if anchor is None else anchor

    def favoured(s: ScoredSentence) -> ScoredSentence:
        return replace(s, score=s.score + favour(s)) if favour else s

    own = sorted((favoured(s) for s in sentences if s.passage == top), key=lambda s: s.start)
    best = max(own, key=lambda s: s.score)
    bonus = favour(best) if favour else 0.0
    # A short neighbour ("Microsoft hat bereits mit den Vorbereitungen begonnen.") adds
    # words, not facts: only longer ones join the anchor.
    own = [s for s in own if s is best or len(s.text) >= MIN_NEIGHBOUR_CHARS]
    anchor = own.index(best)
    width = max(1, min(limit - 1, len(own))) if limit > 1 else 1
    first = max(
        range(max(0, anchor - width + 1), min(anchor, len(own) - width) + 1),
        key=lambda i: sum(s.score for s in own[i : i + width]),
    )
    chosen = own[first : first + width]
    others = [
        s
        for s in sentences
        if s.passage != top and (dates is None or (dates[s.passage] or "") >= dates[top])
    ]
    if others and len(chosen) < limit:
        raised = lift or [0.0] * (max(s.passage for s in sentences) + 1)
        rival = max(others, key=lambda s: s.score + raised[s.passage])
        if rival.score + raised[rival.passage] >= best.score - bonus + raised[top] - margin:
            chosen.append(rival)
    # A slot left over goes to the passage's next best sentence, wherever it stands: the
    # answer is often the second best, away from the topic sentence that scores first.
    rest = sorted((s for s in own if s not in chosen), key=lambda s: -s.score)
    return chosen + rest[: limit - len(chosen)]


def written_byline(passage: Passage, language: str) -> str:
    """ "Seekurier, 3 March 2024" of a passage's article, as far as known (pure)."""
    return byline(passage.outlet, long_iso(passage.date, language))


def compose(
    selected: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    lead: str,
    language: str = "en",
) -> tuple[str, list[Citation]]:
    """Answer text with one `[n]` per quoted sentence, and the citations it refers to.

    Sentences of one passage are quoted together, in article order, so the answer reads
    as the article does; passages of dated articles come in date order (the undated
    after them), each with its outlet and date. Citations are numbered in order of use.
    """
    order: list[int] = []
    for s in selected:
        if s.passage not in order:
            order.append(s.passage)
    order.sort(key=lambda p: (not passages[p].date, passages[p].date))  # stable: ties keep rank
    number = {p: n for n, p in enumerate(order, start=1)}
    lines = [lead, ""]
    citations = []
    for p in order:
        # The passage's best sentence first (the answer), the rest in article order.
        mine = sorted((s for s in selected if s.passage == p), key=lambda s: s.start)
        lead_sentence = max(mine, key=lambda s: s.score)
        mine = [lead_sentence, *(s for s in mine if s is not lead_sentence)]
        where = written_byline(passages[p], language)
        for i, s in enumerate(mine):
            lines.append(f"- {where + ': ' if where and i == 0 else ''}{s.text} [{number[p]}]")
        best = max(mine, key=lambda s: s.score)
        citations.append(citation(number[p], passages[p], best.text))
    return "\n".join(lines), citations


def newest_answering(evidence: Evidence, tuning: Tuning, wanted: AnswerType | None) -> int | None:
    """The passage of the newest dated article among the sentences that score within
    `tuning.latest_margin` of the best (on one language scale) and hold what is asked
    (`wanted`), or None. A story's articles repeat its subject, so the newest of the close
    ones, not the best-scoring, carries the latest state (pure)."""
    scores = lifted(evidence, tuning)
    if not scores:
        return None
    passages = evidence.retrieval.passages
    floor = max(scores) - tuning.latest_margin
    close = [
        (passages[s.passage].date, score, s.passage)
        for s, score in zip(evidence.sentences, scores, strict=True)
        if score >= floor and passages[s.passage].date and (wanted is None or holds(s.text, wanted))
    ]
    return max(close)[2] if close else None


def newest_day(passages: Sequence[Passage]) -> str:
    """The latest publication day among `passages` ("" when none is dated)."""
    return max((p.date for p in passages if p.date), default="")


def extractive_answer(
    evidence: Evidence,
    language: str,
    tuning: Tuning,
    sentences: int,
    *,
    confidence: Confidence,
    latest: bool = False,
    wanted: AnswerType | None = None,
    outside: str = "",
) -> Answer:
    """Up to `sentences` quoted sentences with citations, framed by `confidence` (see
    rag.answer.confidence.grade): as the answer when high, as the closest passages when
    low, and the plain statement that the articles do not answer when none. Asked for the
    latest news, the answer is anchored in the newest article that answers (`wanted`: the
    kind of answer the question asks for), and a confident lead says as of which day.
    `outside`: the filters (in words) whose articles did not answer, when the evidence is
    from all articles; the lead says so, and the day of the answer."""
    if confidence == "none" or not evidence.sentences:
        return Answer(phrase("abstain", language), "extractive")
    passages = evidence.retrieval.passages
    dates = [p.date for p in passages] if latest else None
    lift = passage_lifts(evidence, tuning)
    anchor = newest_answering(evidence, tuning, wanted) if latest else None
    chosen = select(
        evidence.sentences,
        limit=sentences,
        margin=tuning.select_margin,
        dates=dates,
        lift=lift,
        anchor=anchor,
        favour=(lambda s: tuning.typed_margin if holds(s.text, wanted) else 0.0)
        if wanted
        else None,
    )
    # as of the article that answers, not of a newer one quoted beside it
    newest = passages[anchor].date if anchor is not None else ""
    newest = newest or newest_day([passages[s.passage] for s in chosen])
    day = passages[min(s.passage for s in chosen)].date  # the passage it anchors in
    lead = _lead(
        language, confidence, as_of=newest if latest else "", outside=outside, outside_day=day
    )
    text, citations = compose(chosen, passages, lead, language)
    return Answer(text, "extractive", citations, confidence=confidence)


def _lead(
    language: str,
    confidence: Confidence,
    *,
    as_of: str = "",
    outside: str = "",
    outside_day: str = "",
) -> str:
    """What an answer's quotes are introduced as: the closest passages when `low`; from
    outside the filters (`outside`, in words) with the day of its article; as of a day
    (ISO) for the latest news; else as what the articles say."""
    if outside and confidence == "high":
        if not outside_day:
            return phrase("lead_outside_undated", language, what=outside)
        return phrase("lead_outside", language, what=outside, date=long_iso(outside_day, language))
    if confidence == "low":
        return phrase("lead_low", language)
    if as_of:
        return phrase("lead_as_of", language, date=long_iso(as_of, language))
    return phrase("lead", language)


def story_answer(
    evidence: Evidence,
    language: str,
    tuning: Tuning,
    articles: int,
    *,
    confidence: Confidence,
    story: str = "",
    newest: bool = False,
) -> Answer:
    """What happened with a story ("What happened with X last week?", "Was gibt es Neues
    zu X?"): the news of each of up to `articles` articles that tell `story` (its lead
    when on the story; rag.answer.story), the most relevant ones, or the `newest`
    ones when the latest news is asked for, in date order (pure)."""
    found = story_articles(evidence, tuning, story, evidence.language, strict=False)
    if confidence == "none" or not found:
        return Answer(phrase("abstain", language), "extractive")
    if newest:  # the newest that tell it: a story's latest articles are its news
        found = sorted(found, key=lambda a: (a.passage.date or "", a.score), reverse=True)
    chosen = found[:articles]
    day = newest_day([a.passage for a in chosen])
    lead = _lead(language, confidence, as_of=day if newest else "")
    text, citations = compose([a.news for a in chosen], evidence.retrieval.passages, lead, language)
    return Answer(text, "extractive", citations, confidence=confidence)


def overview_answer(evidence: Evidence, language: str, what: str, articles: int) -> Answer:
    """What the filtered articles report when the question asks nothing more ("What
    happened last week?"): the first retrieved sentence of each of up to `articles`
    articles, in date order. News leads with its summary, and a question made of question
    words scores every sentence by chance, so no threshold applies."""
    passages = evidence.retrieval.passages
    chosen = list(dict.fromkeys(passages[s.passage].doc_id for s in evidence.sentences))
    chosen = chosen[:articles]  # the best-ranked articles
    first: dict[str, ScoredSentence] = {}
    for s in sorted(evidence.sentences, key=lambda s: s.start):
        doc = passages[s.passage].doc_id
        if doc in chosen and doc not in first:
            first[doc] = s
    if not first:
        return Answer(phrase("abstain", language), "extractive")
    lead = phrase("lead_overview", language, what=what)
    text, citations = compose(list(first.values()), passages, lead, language)
    return Answer(text, "extractive", citations)
