"""Watches in the UI: "Watch" under an answer, the sidebar's list with unread counts, and
an alert opened with its new sources and the story's timeline."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from rag import Alert, Answer, Assistant, Filters, RagError, Watch
from ui.feedback import flash
from ui.filters import timeline_markdown
from ui.history import Turn
from ui.render import answer_markdown, literal_markdown

OPEN = "open_alert"  # the alert shown in the main area, by id
SHOWN = 5  # alerts listed per watch


def watch_filters(turn: Turn) -> Filters:
    """What a watch of this answer's question keeps: the outlets and languages set beside
    it (days and outlets the question names are read from it again at each check)."""
    applied = turn.filters
    if applied is None:
        return Filters()
    asked = set(applied.from_question)
    outlets = [] if "outlets" in asked else list(applied.filters.outlets)
    return Filters(outlets=outlets, languages=list(applied.filters.languages))


def watch_button(bot: Assistant, turn: Turn, key: str) -> None:
    st.button("Watch", key=key, icon=":material/visibility:", width="stretch",
              on_click=_watch, args=(bot, turn),
              help="Alert me when new articles move this story")  # fmt: skip


def _watch(bot: Assistant, turn: Turn) -> None:
    try:
        bot.watch(turn.question, watch_filters(turn))
    except RagError as exc:
        flash("error", str(exc))
    else:
        flash("success", "Watching this question: new articles that move the story will "
                         "show under Watches.")  # fmt: skip


def watch_label(watches: list[Watch]) -> str:
    unread = sum(w.unread for w in watches)
    return f"Watches ({len(watches)}" + (f" · {unread} new)" if unread else ")")


def watches_panel(bot: Assistant) -> None:
    """The watches, each with its latest alerts (unread in bold) and a remove button."""
    try:
        watches = bot.watches.all()
    except RagError as exc:
        st.error(answer_markdown(str(exc)))
        return
    with st.expander(watch_label(watches), icon=":material/visibility:"):
        if not watches:
            st.caption("“Watch” under an answer keeps asking its question as news arrives.")
        for w in watches:
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.markdown(f"**{literal_markdown(w.question)}**")
            right.button("", key=f"unwatch-{w.id}", icon=":material/delete:", type="tertiary",
                         help="Stop watching", on_click=_remove, args=(bot, w.id))  # fmt: skip
            for alert in bot.watches.alerts(w.id, limit=SHOWN):
                # the summary is the articles' text: shown as written, never as Markdown
                label = literal_markdown(f"{alert.created[:10]} · {alert.summary}"[:90])
                st.button(label, key=f"alert-{alert.id}", type="tertiary",
                          icon=":material/fiber_new:" if not alert.read else None,
                          on_click=_open, args=(bot, alert.id))  # fmt: skip


def _remove(bot: Assistant, watch_id: str) -> None:
    try:
        bot.watches.remove(watch_id)
    except RagError as exc:
        flash("error", str(exc))


def _open(bot: Assistant, alert_id: int) -> None:
    st.session_state[OPEN] = alert_id
    try:
        bot.watches.mark_read([alert_id])
    except RagError as exc:
        flash("error", str(exc))


def changed_markdown(alert: Alert) -> str:
    lines = []
    for c in alert.changed:
        before = f"{c['before']} ({c.get('before_date') or 'undated'})"
        after = f"{c['after']} ({c.get('after_date') or 'undated'})"
        lines.append(f"- {literal_markdown(before)} → **{literal_markdown(after)}**")
    return "\n".join(lines)


def open_alert(bot: Assistant, show_answer: Callable[[Turn], None]) -> bool:
    """The opened alert above the conversation: what moved, its cited answer from the new
    articles, and the story's timeline; False when none is open."""
    alert_id = st.session_state.get(OPEN)
    if alert_id is None:
        return False
    try:
        alert = bot.watches.alert(alert_id)
    except RagError:  # its watch was removed meanwhile
        st.session_state.pop(OPEN, None)
        return False
    with st.container(border=True):
        top, close = st.columns([5, 1], vertical_alignment="center")
        top.markdown(f"#### :material/fiber_new: {literal_markdown(alert.question)}")
        close.button("Close", key="close-alert", on_click=st.session_state.pop, args=(OPEN, None))
        count = len(alert.articles)
        when = alert.created[:16].replace("T", " ")
        st.caption(f"Alert of {when} UTC · {count} new article{'s' if count != 1 else ''}")
        if alert.changed:
            st.markdown(changed_markdown(alert))
        turn = Turn.from_answer(Answer.from_dict(alert.answer), alert.question)
        show_answer(turn)
        with st.expander("The story so far (timeline)", icon=":material/timeline:"):
            try:
                st.markdown(timeline_markdown(bot.timeline(alert.question)))
            except RagError as exc:
                st.error(answer_markdown(str(exc)))
    return True
