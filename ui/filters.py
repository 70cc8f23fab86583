"""What a search may use, in the UI: the sidebar's dates, outlets and languages, the chips
that show what an answer searched, and an answer's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import streamlit as st

from rag import AppliedFilters, ArticleInfo, Assistant, Filters, RagError, Timeline
from rag.errors import QuestionError
from ui.render import answer_markdown, literal_markdown, source_link

LANGUAGES = {"de": "German", "en": "English", "fr": "French", "es": "Spanish", "it": "Italian"}
_CLEAR: dict[str, object] = {
    "filter_since": None,
    "filter_until": None,
    "filter_outlets": [],
    "filter_languages": [],
}


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def clear_filters() -> None:
    for key, empty in _CLEAR.items():  # set, not deleted: a deleted key keeps the shown value
        st.session_state[key] = empty


def set_filters(saved: dict[str, object]) -> None:
    """Set the sidebar's filters to a saved conversation's (`Filters.as_dict()`); before
    the widgets are drawn."""
    try:
        filters = Filters.from_dict(saved)
    except RagError:  # a saved day that is not one: start without filters
        filters = Filters()
    st.session_state.update(
        filter_since=filters.since, filter_until=filters.until,
        filter_outlets=list(filters.outlets), filter_languages=list(filters.languages),
    )  # fmt: skip


def filter_panel(
    articles: Sequence[ArticleInfo], outlets: Sequence[str], *, disabled: bool
) -> Filters | None:
    """The sidebar's filters over the indexed articles and their outlets (one name per
    site); what they are set to now, or None while they are not valid (said there)."""
    days = sorted(dt.date.fromisoformat(a.date) for a in articles if a.date)
    languages = sorted({a.language for a in articles if a.language})
    _forget_missing(days, outlets, languages)
    st.markdown("**Search only**")
    since = until = None
    if days:
        since = _day("Published from", "filter_since", days, disabled, "on or after")
        until = _day("Published until", "filter_until", days, disabled, "on or before")
    chosen_outlets = st.multiselect(
        "Outlets", outlets, key="filter_outlets", placeholder="All outlets", disabled=disabled
    )
    chosen_languages = st.multiselect(
        "Languages", languages, key="filter_languages", format_func=language_name,
        placeholder="All languages", disabled=disabled,
    )  # fmt: skip
    try:  # the rules of a filter are Filters' own (a first day after the last is refused)
        filters = Filters(since, until, list(chosen_outlets), list(chosen_languages))
    except QuestionError as exc:
        st.error(answer_markdown(str(exc).capitalize()), icon=":material/event_busy:")
        return None
    if filters.dated:
        st.caption("Articles without a date are left out while a day is set.")
    if not filters.empty:
        st.button("Clear filters", on_click=clear_filters, icon=":material/filter_alt_off:")
    return filters


def _forget_missing(days: Sequence[dt.date], outlets: Sequence[str], languages: list[str]) -> None:
    """Drop choices the corpus no longer has (an article was removed): a widget refuses a
    value outside its options or its range."""
    state = st.session_state
    for key in ("filter_since", "filter_until"):
        day = state.get(key)
        if day is not None and not (days and days[0] <= day <= days[-1]):
            del state[key]
    for key, options in (("filter_outlets", outlets), ("filter_languages", languages)):
        if key in state:
            state[key] = [v for v in state[key] if v in options]


def _day(
    label: str, key: str, days: Sequence[dt.date], disabled: bool, which: str
) -> dt.date | None:
    return st.date_input(
        label, value=None, min_value=days[0], max_value=days[-1], key=key, format="YYYY-MM-DD",
        disabled=disabled, help=f"Articles published {which} this day",
    )  # fmt: skip


def chips_markdown(applied: AppliedFilters | None) -> str:
    """Badges for what an answer searched, marking what the question itself asked for;
    "" when nothing limited the search (pure)."""
    if applied is None:
        return ""
    chips = []
    filters = applied.filters
    asked = set(applied.from_question)
    if filters.dated:
        text = filters.span("en")
        if asked & {"since", "until"} and applied.phrase:
            text += f" · read from “{applied.phrase}”"
        chips.append(_badge("blue", "calendar_month", text))
    read = f" · read from “{applied.outlet_phrase}”" if "outlets" in asked else ""
    chips += [_badge("violet", "newspaper", outlet + read) for outlet in filters.outlets]
    chips += [_badge("gray", "translate", language_name(code)) for code in filters.languages]
    if applied.latest:  # only ever asked for by the question's words ("latest", "zuletzt")
        chips.append(_badge("orange", "schedule", "newest first"))
    if applied.outside:
        chips.append(_badge("red", "travel_explore", "answered from all articles"))
    return " ".join(chips)


def _badge(colour: str, icon: str, text: str) -> str:
    # Escaped like any text the app did not write; "]" would close the badge early.
    safe = literal_markdown(text.replace("\n", " ")) or "\u200b"
    return f":{colour}-badge[:material/{icon}: {safe}]"


def timeline_markdown(timeline: Timeline) -> str:
    """The events as a dated list: day · outlet — title, link, then the quote (pure)."""
    if not timeline.events:
        if timeline.filters.filters.empty:
            return "No articles in the index are about this."
        return "No articles within these filters are about this."
    lines = []
    for event in timeline.events:
        head = " · ".join(literal_markdown(p) for p in (event.date or "undated", event.outlet) if p)
        title = f"*{literal_markdown(event.title)}*"
        link = f" {source_link(event.source)}" if event.source else ""
        lines.append(f"- **{head}** — {title}{link}  \n  {literal_markdown(event.quote)}")
    return "\n".join(lines)


def timeline_toggle(
    bot: Assistant, question: str, applied: AppliedFilters | None, key: str
) -> None:
    """A "Timeline" switch under an answer; when on, the question's articles in date order
    (kept per answer, so reruns do not search again)."""
    if not st.toggle(
        "Timeline", key=f"{key}-on", help="The articles on this question, oldest first"
    ):
        return
    cache: dict[str, Timeline] = st.session_state.setdefault("timelines", {})
    if key not in cache:
        filters = applied.filters if applied else None
        try:
            with st.spinner("Ordering the articles…"):
                cache[key] = bot.timeline(question, filters)
        except RagError as exc:
            st.error(answer_markdown(str(exc)), icon=":material/error:")
            return
    with st.container(border=True):
        st.markdown(timeline_markdown(cache[key]))
