"""A question and what is derived from it, computed once and passed along the answer path."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rag.answer.follow_up import is_bare, with_context
from rag.answer.prompts import condense_messages
from rag.answer.types import ChatMessage
from rag.errors import LLMError
from rag.index.bm25 import tokenize
from rag.models.chat import ChatModel
from rag.search.filters import AppliedFilters, Filters, describe
from rag.search.outlets import OutletReading, Outlets
from rag.search.when import TimeReading, read_time
from rag.text.answer_types import AnswerType, answer_type
from rag.text.language import question_language
from rag.text.sentences import is_question

log = logging.getLogger(__name__)
_REWRITE_SLACK = 40  # characters a rewrite may add beyond the question and what it resolves


@dataclass(frozen=True)
class Query:
    text: str  # the question as asked (cleaned)
    language: str  # the language to answer in: the question's
    search: str  # what retrieval searches: the question, or its standalone form
    search_language: str  # the language of `search`, which its scores depend on
    applied: AppliedFilters = field(default_factory=AppliedFilters)  # incl. the question's
    # Only a time or filter and question words ("What happened last week?"): the filters
    # are what to find, so the answer is an overview of the articles they keep.
    overview: bool = False
    # A follow-up as understood from the conversation (the model's rewrite or the joined
    # questions): what was searched, shown to the model beside the question as asked.
    standalone: str = ""
    # "What happened with X?", "Was gibt es Neues zu X?": the news of a story is asked.
    story: bool = False

    @property
    def filters(self) -> Filters:
        return self.applied.filters

    @property
    def latest(self) -> bool:
        return self.applied.latest

    @property
    def window(self) -> bool:
        """The question names a span of days ("last week", "im Mai 2020")."""
        return {"since", "until"} <= set(self.applied.from_question)

    @property
    def story_news(self) -> bool:
        """The news of a story over days is asked for ("Was gibt es Neues zu X?", "What
        happened with X last week?"): the news of each article, not one best fact."""
        return self.story and (self.latest or self.window)

    @property
    def unfiltered(self) -> Query:
        """The same question over all articles."""
        return replace(self, applied=AppliedFilters())

    @property
    def wanted(self) -> AnswerType | None:
        """The kind of answer the search asks for (a figure, a time), if any."""
        return answer_type(self.search)

    @property
    def bare(self) -> bool:
        """Only question words ("Why?") with nothing before them to lean on, and no filter
        that says what to find."""
        return is_bare(self.search) and not self.overview


def make_query(
    text: str,
    history: Sequence[ChatMessage],
    *,
    llm: ChatModel | None,
    prior_nats: float,
    max_chars: int,
    filters: Filters | None = None,
    today: dt.date | None = None,
    outlets: Outlets | None = None,
) -> Query:
    """The query for `text` asked after `history` (oldest first).

    A model rewrites a follow-up into a standalone question. Without one (or when the
    rewrite fails), a follow-up that leans on earlier questions ("What did he demand?",
    "Warum?") is searched together with them; a question that stands alone is searched
    alone (rag.answer.follow_up). A time expression in the question ("last week", "seit
    Juni") becomes a date filter, read against `today`, unless `filters` set the dates
    themselves; its words are left out of the search when the rest says what to find. An
    outlet of `outlets` named as the source ("laut Zeit") becomes an outlet filter in the
    same way, unless `filters` name outlets."""
    language = question_language(text, prior_nats=prior_nats)
    reading = read_time(text, today or dt.date.today())
    if reading.since and reading.until and reading.since > reading.until:  # no such range
        reading = TimeReading(latest=reading.latest, rest=text)
    asked = reading.rest if reading.phrase and not is_bare(reading.rest) else text
    said = OutletReading(rest=asked)
    if outlets is not None and not (filters and filters.outlets):
        said = outlets.read(asked)
        asked = said.rest if said.outlets and not is_bare(said.rest) else asked
    frame, asked = story_of(asked)
    search = asked
    search_language = language  # the question's own words, fewer: its language still
    standalone = ""
    if history:
        earlier = [m.content for m in history if m.role == "user"]
        search = with_context(asked, earlier)
        if llm is not None:
            rewritten = _condensed(llm, text, history, max_chars)
            if rewritten and is_rewrite(rewritten, text, earlier, language, prior_nats):
                search = rewritten
            elif rewritten:
                log.warning("the model's rewrite of the follow-up is not one: %r", rewritten)
        if search != asked:
            search_language = question_language(search, prior_nats=prior_nats)
            standalone = search
    applied = _applied(reading, said, filters)
    says_nothing = is_bare(reading.rest if reading.phrase else search)
    news = _NEWS.search(frame) or (says_nothing and _NEWS.search(text))  # "What's new?"
    if news and not applied.latest:
        applied = replace(applied, latest=True, from_question=(*applied.from_question, "latest"))
    overview = says_nothing and (not applied.filters.empty or applied.latest)
    story = bool(frame) and not overview
    return Query(text, language, search, search_language, applied, overview, standalone, story)


def is_rewrite(
    rewritten: str, question: str, earlier: Sequence[str], language: str, prior_nats: float
) -> bool:
    """Whether a model's standalone form of `question` is one, and not an answer to it: a
    question in the same language, sharing its content words, and not much longer than it
    and the question it resolves (pure but for language detection)."""
    if not is_question(rewritten):
        return False
    if question_language(rewritten, prior_nats=prior_nats) != language:
        return False
    asked = set(tokenize(question, language))
    if asked and not asked & set(tokenize(rewritten, language)):
        return False
    resolves = len(earlier[-1]) if earlier else 0
    return len(rewritten) <= len(question) + resolves + _REWRITE_SLACK


# "What happened with X?", "Was gibt es Neues zu X?": a frame around the story asked about.
# The frame matches every sentence alike and only blurs the story's match (measured on the
# dated test corpus: "the flood" 0.82, "What happened with the flood?" 0.79 against the
# flood article's best sentence), so the story alone is searched.
_FRAMES = re.compile(
    r"^\s*(?:"
    r"what\s+(?:has\s+|had\s+)?(?:happened|is\s+happening|was\s+happening|is\s+going\s+on|"
    r"went\s+on)\s+(?:with|to|at|in|around)|"
    r"what(?:'s|\s+is)\s+new\s+(?:with|about|on|at|in)|"
    r"what\s+(?:did|do|does)\s+the\s+(?:articles?|reports?|news|media|press|newspapers?|"
    r"paper)\s+"
    r"(?:say|report|write)\s+(?:about|on)|"
    r"was\s+(?:geschah|passierte|ist\s+passiert|ist\s+geschehen)\s+"
    r"(?:mit|bei|beim|in|am|im|um|rund\s+um)|"
    r"was\s+(?:gibt|gab)\s+es\s+neues\s+(?:zu|zum|zur|bei|beim|über|von|vom|aus)|"
    r"was\s+(?:berichten|berichtete|berichteten|berichtet|schreiben|schrieb|schreibt|melden|"
    r"meldete|meldet|sagen)\s+die\s+(?:artikel|medien|zeitungen|zeitung|berichte)"
    r"\s+(?:über|zu|zum|zur)"
    r")\s+",
    re.IGNORECASE,
)


# "Was ist bei X passiert?", "Was hat sich beim Gesetz getan?", "How did X develop?", "Wie
# hat sich X entwickelt?": the frame around the story.
_AROUND = re.compile(
    r"^\s*(?:was\s+(?:ist|hat\s+sich)\s+(?:(?:bei|beim|mit|im|in|zu|zum|zur|um)\s+)?|"
    r"how\s+(?:did|has|have|do|does)\s+|wie\s+(?:hat|haben)\s+sich\s+)"
    r"(?P<story>.+?)\s+(?P<tail>passiert|geschehen|getan|ereignet|entwickelt|verändert|"
    r"develop(?:ed)?|evolved?|changed?)\s*[?!.]*\s*$",
    re.IGNORECASE,
)  # the verb ends it: "How did X change its strategy?" asks for a fact


def story_of(question: str) -> tuple[str, str]:
    """The frame and the story of a "What happened with X?" question ("What happened
    with", "X?"); ("", question) for other questions (pure)."""
    around = _AROUND.match(question)
    if around is not None:
        head = around.group(0)[: around.start("story")].strip()
        return f"{head} … {around.group('tail')}", around.group("story")
    match = _FRAMES.match(question)
    story = question[match.end() :] if match else ""
    if match is None or not story.strip(" ?!."):
        return "", question
    return match.group(0).strip(), story


_NEWS = re.compile(r"\b(?:new|news|neu\w*|nachrichten)\b", re.IGNORECASE)
NEWEST_DAYS = 7  # "What's the latest?": the week of news up to the newest article


def newest_week(query: Query, newest: dt.date) -> Query:
    """An overview of the latest news without dates covers the week up to `newest`, the
    newest article's day among those the other filters keep (pure)."""
    since = newest - dt.timedelta(days=NEWEST_DAYS - 1)
    used = replace(query.filters, since=since, until=newest)
    applied = replace(query.applied, filters=used, description=describe(used, "en"))
    return replace(query, applied=applied)


def up_to(query: Query, today: dt.date) -> Query:
    """A question for the latest news without an end day searches articles up to `today`:
    an article dated after it is not news yet, it is the future (pure)."""
    used = query.filters
    if not query.latest or used.until or (used.since and used.since > today):
        return query
    # described as before: every article up to today is all the news there is
    return replace(query, applied=replace(query.applied, filters=replace(used, until=today)))


def _applied(reading: TimeReading, said: OutletReading, given: Filters | None) -> AppliedFilters:
    """The explicit filters over what the question says; which parts came from it."""
    given = given or Filters()
    read = Filters(reading.since, reading.until, list(said.outlets))
    used = given.over(read)
    days = tuple(
        name
        for name, value in (("since", reading.since), ("until", reading.until))
        if value and not given.dated
    )
    named = bool(said.outlets) and not given.outlets
    from_question = days + (("latest",) if reading.latest else ()) + (("outlets",) if named else ())
    return AppliedFilters(
        used,
        latest=reading.latest,
        from_question=from_question,
        phrase=reading.phrase if days or reading.latest else "",
        outlet_phrase=said.phrase if named else "",
        description="" if used.empty else describe(used, "en"),
    )


def _condensed(
    llm: ChatModel, text: str, history: Sequence[ChatMessage], max_chars: int
) -> str | None:
    """The model's standalone form of a follow-up (its first line), or None on failure."""
    try:
        rewritten = llm.complete(condense_messages(text, history)).strip()
    except LLMError as exc:
        log.warning("could not condense the follow-up question: %s", exc)
        return None
    first_line = rewritten.splitlines()[0].strip() if rewritten else ""
    return first_line[:max_chars] or text
