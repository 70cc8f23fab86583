"""Saved conversations in the UI: the open one's id in the URL (`?c=…`), so a reload or a
bookmark reopens it with its filters; the sidebar's list with search, rename and delete;
thumbs on answers.

The session keeps the open conversation's turns to draw them; the database keeps them
for good, written after each answer (rag.db).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from rag import Answer, Assistant, Conversation, RagError, Rating
from ui.filters import set_filters
from ui.history import Turn
from ui.render import answer_markdown, literal_markdown

OPEN = "conversation"  # session key of the open conversation's id ("" = a new chat)
SHOWN = 12  # conversations listed before "Show all"


def turns() -> list[Turn]:
    return st.session_state.setdefault("turns", [])


def open_id() -> str:
    return str(st.session_state.get(OPEN, ""))


def turns_of(saved: Conversation) -> list[Turn]:
    """The saved messages as the UI draws them; each answer knows the question it answered
    and which of its sources changed or went since."""
    shown: list[Turn] = []
    question = ""
    for m in saved.messages:
        if m.role == "user" or m.answer is None:
            question = m.content
            shown.append(Turn("user", m.content))
            continue
        answer = Answer.from_dict(m.answer)
        states = tuple(str(c.get("source_state", "")) for c in m.answer.get("citations", []))
        shown.append(Turn.from_answer(answer, question, message=m.id, rating=m.rating,
                                      source_states=states))  # fmt: skip
    return shown


def follow_url(bot: Assistant) -> None:
    """Open the conversation the URL names, when it is not the open one (a reload, a
    bookmark, a link); an unknown id is dropped from the URL with a word."""
    wanted = st.query_params.get("c", "")
    if not wanted or wanted == open_id():
        return
    try:
        saved = bot.conversation(wanted)
    except RagError as exc:
        del st.query_params["c"]
        st.session_state[OPEN] = ""
        st.warning(answer_markdown(f"That conversation cannot be opened: {exc}"))
        return
    _show(saved)


def _show(saved: Conversation) -> None:
    st.session_state[OPEN] = saved.id
    st.session_state.turns = turns_of(saved)
    st.session_state.timelines = {}
    set_filters(saved.filters)
    st.query_params["c"] = saved.id


def open_conversation(bot: Assistant, conversation_id: str) -> None:
    try:
        _show(bot.conversation(conversation_id))
    except RagError as exc:
        st.session_state.conversation_error = str(exc)


def new_chat() -> None:
    st.session_state[OPEN] = ""
    st.session_state.turns = []
    st.session_state.timelines = {}
    st.query_params.clear()


def save_turn(bot: Assistant, question: str, answer: Answer, filters: dict[str, Any]) -> int | None:
    """Store a question and its answer in the open conversation (a new one for the first
    question); the answer's message id, or None when it could not be stored (said)."""
    try:
        if not open_id():
            made = bot.conversations.create()
            st.session_state[OPEN] = made.id
            st.query_params["c"] = made.id
        _, answered = bot.conversations.append(open_id(), question, answer.as_dict(), filters)
    except RagError as exc:
        st.warning(answer_markdown(f"The conversation was not saved: {exc}"))
        return None
    return answered.id


def when(stamp: str, today: dt.date) -> str:
    """ "14:05" today, else "3 Dec" (pure)."""
    try:
        moment = dt.datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return ""
    if moment.date() == today:
        return moment.strftime("%H:%M")
    return f"{moment.day} {moment.strftime('%b')}"


def conversations_panel(bot: Assistant) -> None:
    """The sidebar's list: search, open, and for the open one rename and delete."""
    st.subheader("Conversations")
    if error := st.session_state.pop("conversation_error", ""):
        st.warning(answer_markdown(error))
    text = st.text_input(
        "Search conversations", key="conversation_search", placeholder="Search…",
        label_visibility="collapsed",
    )  # fmt: skip
    try:
        found = bot.conversations.recent(text)
    except RagError as exc:
        st.warning(answer_markdown(str(exc)))
        return
    if not found:
        st.caption("No conversation matches." if text else "Your conversations appear here.")
        return
    today = dt.date.today()
    everything = st.session_state.get("conversations_all", False)
    for saved in found if everything else found[:SHOWN]:
        current = saved.id == open_id()
        label = saved.title or "Untitled"
        about = f"{saved.count // 2} questions · {when(saved.updated, today)}"
        st.button(
            literal_markdown(label), key=f"conv-{saved.id}", width="stretch",
            type="primary" if current else "tertiary", on_click=open_conversation,
            args=(bot, saved.id), help=about,
        )  # fmt: skip
        if current:
            _manage(bot, saved)
    if len(found) > SHOWN and not everything:
        st.button(f"Show all {len(found)}", key="conversations-all", type="tertiary",
                  on_click=lambda: st.session_state.update(conversations_all=True))  # fmt: skip


def _manage(bot: Assistant, saved: Conversation) -> None:
    left, right = st.columns(2)
    with left.popover("Rename", icon=":material/edit:", width="stretch"):
        title = st.text_input("Title", value=saved.title, key=f"title-{saved.id}", max_chars=120)
        if st.button("Save", key=f"rename-{saved.id}") and title.strip():
            bot.conversations.rename(saved.id, title)
            st.rerun()
    with right.popover("Delete", icon=":material/delete:", width="stretch"):
        st.caption("Delete this conversation for good?")
        if st.button("Delete", key=f"delete-{saved.id}", type="primary"):
            bot.conversations.delete(saved.id)
            new_chat()
            st.rerun()


def feedback_widget(bot: Assistant, turn: Turn, position: int) -> None:
    """Thumbs up or down on a saved answer, and a note on what was wrong."""
    if turn.message is None or not open_id():
        return
    key = f"rating-{turn.message}"
    if key not in st.session_state:
        st.session_state[key] = {"up": 1, "down": 0}.get(turn.rating or "")
    choice = st.feedback("thumbs", key=key)
    rating: Rating | None = "up" if choice == 1 else "down" if choice == 0 else None
    note_key = f"note-{turn.message}"
    note = ""
    if rating == "down":
        note = st.text_input(
            "What was wrong?", key=note_key, placeholder="What was wrong? (optional)",
            label_visibility="collapsed",
        )  # fmt: skip
    if rating != turn.rating or note != st.session_state.get(f"{note_key}-saved", ""):
        try:
            bot.conversations.rate(open_id(), turn.message, rating, note)
        except RagError as exc:
            st.warning(answer_markdown(str(exc)))
            return
        st.session_state[f"{note_key}-saved"] = note
        turns()[position] = turn.rated(rating)
