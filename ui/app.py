"""Streamlit chat over the articles: a thin shell around `rag.Assistant`.

Start with `rag ui` (or `make run`). The corpus is indexed by `rag reindex` or the
"Build the index" button, never on start-up.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from rag import Answer, Assistant, Citation, Filters, IndexStatus, RagError, byline, get_settings
from ui.conversations import (
    conversations_panel,
    feedback_widget,
    follow_url,
    new_chat,
    open_id,
    save_turn,
    turns,
)
from ui.corpus import (
    build_index_prompt,
    corpus_panel,
    describe_corpus,
    example_questions,
    index_status,
)
from ui.feeds import feeds_panel
from ui.filters import chips_markdown, filter_panel, timeline_toggle
from ui.history import Turn, answer_text, chat_history, conversation_markdown
from ui.login import require_login
from ui.render import (
    answer_markdown,
    copy_markdown,
    escaped_stream,
    linked_markers,
    literal_markdown,
    passage_markdown,
    source_link,
)
from ui.watches import open_alert, watch_button, watches_panel

AVATARS = {"user": ":material/person:", "assistant": ":material/newspaper:"}

st.set_page_config(
    page_title="article-rag · ask the articles", page_icon=":material/newspaper:", layout="centered"
)
# Also in ui/.streamlit/config.toml; repeated so no way of starting the app shows a traceback.
st.set_option("client.showErrorDetails", "none")


@st.cache_resource(show_spinner="Loading the assistant…")
def assistant() -> Assistant:
    settings = get_settings()
    bot = Assistant(settings)
    # the process's one assistant keeps the feeds up to date while the UI runs
    bot.jobs.schedule_feeds(settings.feeds_every_minutes)
    return bot


def regenerate(bot: Assistant, position: int) -> None:
    """Ask the last question again: its answer goes, and the new one takes its place."""
    turn = turns()[position]
    if turn.message is not None and open_id():
        try:
            bot.conversations.drop_answer(open_id(), turn.message)
        except RagError as exc:
            st.session_state.conversation_error = str(exc)
            return
    del turns()[position - 1 :]
    st.session_state.pending = turn.question


def ask_example(question: str) -> None:
    st.session_state.pending = question


SOURCE_STATES = {
    "changed": ":orange-badge[:material/edit_note: the article has changed since]",
    "removed": ":red-badge[:material/delete: the article has been removed since]",
}


def show_citation(c: Citation, state: str = "") -> None:
    with st.container(border=True):
        st.markdown(f"**[{c.n}]** {literal_markdown(c.title)}")
        if state in SOURCE_STATES:
            st.markdown(SOURCE_STATES[state])
        where = byline(c.outlet, c.date, sep=" · ", escape=literal_markdown)
        meta = [where] if where else []
        meta += [literal_markdown(c.doc_id), f"characters {c.start_char}–{c.end_char}"]
        meta.append(f"relevance {c.score:.2f}")
        if c.source:
            meta.append(source_link(c.source))
        st.caption(" · ".join(meta))
        st.markdown(passage_markdown(c.text, c.quote))
        if c.also:
            copies = [copy_markdown(x.outlet, x.date or "", x.source) for x in c.also]
            st.caption("Also in: " + "; ".join(copies))


def show_notice(turn: Turn) -> None:
    if turn.notice:
        st.warning(answer_markdown(turn.notice), icon=":material/info:")


def show_sources(turn: Turn) -> None:
    if turn.citations:
        label = f"Sources ({len(turn.citations)})"
        with st.expander(label, icon=":material/menu_book:"):
            for i, citation in enumerate(turn.citations):
                show_citation(citation, turn.source_state(i))


def show_chips(turn: Turn) -> None:
    chips = chips_markdown(turn.filters)
    if chips:
        st.markdown(chips)


def show_extras(bot: Assistant, turn: Turn, position: int) -> None:
    """Below an answer: its sources, the timeline of its question, thumbs, copy and (the
    last answer) regenerate."""
    show_sources(turn)
    thumbs, watch, copy, again = st.columns([2, 1, 1, 1], vertical_alignment="center")
    with thumbs:
        feedback_widget(bot, turn, position)
    if turn.question:
        with watch:
            watch_button(bot, turn, f"watch-{position}")
    with copy.popover(
        "Copy", icon=":material/content_copy:", width="stretch",
        help="The answer as text with its sources, with a copy button",
    ):  # fmt: skip
        st.code(answer_text(turn), language=None, wrap_lines=True)
    if position == len(turns()) - 1 and turn.question:
        again.button(
            "Again", key=f"again-{position}", icon=":material/refresh:", width="stretch",
            on_click=regenerate, args=(bot, position), help="Answer this question again",
        )  # fmt: skip
    if turn.question:
        timeline_toggle(bot, turn.question, turn.filters, f"timeline-{position}")


def show_body(where: DeltaGenerator, turn: Turn) -> None:
    """The answer text; muted when the articles may not answer it (its lead says so), and
    the model's statements that no passage supports, marked."""
    box = where.container()
    # a marker opens its article's page, where the article came from the web
    text = linked_markers(answer_markdown(turn.content), {c.n: c.source for c in turn.citations})
    if turn.confidence == "low":
        box.caption(text)
    else:
        box.markdown(text)
    for claim in turn.unsupported:
        box.caption(f":material/report: Not found in the passages: “{literal_markdown(claim)}”")


def show_turn(bot: Assistant, turn: Turn, position: int) -> None:
    with st.chat_message(turn.role, avatar=AVATARS[turn.role]):
        if turn.role == "assistant":
            show_chips(turn)
        show_notice(turn)
        show_body(st.container(), turn)
        if turn.role == "assistant":
            show_extras(bot, turn, position)


def show_alert_answer(turn: Turn) -> None:
    """An alert's answer: its text with linked markers and its sources."""
    show_body(st.container(), turn)
    show_sources(turn)


def answer(bot: Assistant, question: str, filters: Filters) -> bool:
    """Stream the answer to `question` below the conversation, then keep both."""
    with st.chat_message("user", avatar=AVATARS["user"]):
        st.markdown(answer_markdown(question))
    with st.chat_message("assistant", avatar=AVATARS["assistant"]):
        waiting = st.empty()
        waiting.caption("Searching the articles…")
        # The filters read from the question and a fallback notice are known only at the
        # end; they go on top.
        chips, notice = st.empty(), st.empty()
        body = st.empty()
        result: list[Answer] = []
        try:
            stream = bot.stream(
                question, chat_history(turns()), top_k=st.session_state.top_k, filters=filters
            )
            with body.container():
                st.write_stream(escaped_stream(stream, result, on_item=waiting.empty))
        except RagError as exc:
            waiting.empty()
            st.error(answer_markdown(str(exc)), icon=":material/error:")
            return False
        final = result[-1]
        message = save_turn(bot, question, final, filters.as_dict())
        turn = Turn.from_answer(final, question, message=message)
        # A model that failed mid-answer is replaced by the extractive fallback: show that.
        show_body(body, turn)
        with chips.container():
            show_chips(turn)
        with notice.container():
            show_notice(turn)
        turns().extend([Turn("user", question), turn])
        show_extras(bot, turn, len(turns()) - 1)
    return True


def empty_state(bot: Assistant, description: str) -> None:
    st.markdown(description)
    st.caption("Ask in English or German; every answer cites its passages. Try one of these:")
    for example in example_questions(bot.articles()):
        st.button(example, on_click=ask_example, args=(example,), icon=":material/chat_bubble:")


def download_button(slot: DeltaGenerator, key: str) -> None:
    slot.download_button(
        "Download",
        conversation_markdown(turns()),
        file_name="conversation.md",
        mime="text/markdown",
        on_click="ignore",
        disabled=not turns(),
        icon=":material/download:",
        help="Download the conversation with its sources as Markdown",
        width="stretch",
        key=key,
    )


def sidebar(
    bot: Assistant, status: IndexStatus | None
) -> tuple[DeltaGenerator, DeltaGenerator, Filters | None]:
    """The sidebar; returns the download button's slot, to refresh once an answer is in,
    the conversations' slot, drawn last (an answer may start a conversation), and the
    filters it sets."""
    with st.sidebar:
        left, right = st.columns(2)
        left.button("New chat", on_click=new_chat, icon=":material/add:", width="stretch")
        slot = right.empty()
        download_button(slot, "download")
        listed = st.empty()
        st.divider()
        corpus_panel(bot, status)
        feeds_panel(bot)
        watches_panel(bot)
        st.divider()
        articles, outlets = (bot.articles(), bot.outlets()) if status else ([], [])
        filters = filter_panel(articles, outlets, disabled=status is None)
        st.slider(
            "Passages per question",
            min_value=1,
            max_value=max(20, bot.settings.top_k),
            key="top_k",
            help="How many passages are retrieved for each question (top-k).",
            disabled=status is None,
        )
    return slot, listed, filters


def main() -> None:
    try:
        require_login(get_settings().ui_password)
    except RagError as exc:  # an invalid setting: nothing else can work
        st.error(answer_markdown(str(exc)), icon=":material/error:")
        st.stop()
    st.title(":material/newspaper: Ask the articles")
    try:
        bot = assistant()
    except RagError as exc:  # e.g. an invalid setting: nothing else can work
        st.error(answer_markdown(str(exc)), icon=":material/error:")
        st.stop()
    try:
        with st.spinner("Opening the index…"):  # the first call loads the embedding model
            status, problem = index_status(bot), ""
    except RagError as exc:  # e.g. an index built with another model: reindexing may fix it
        status, problem = None, str(exc)
    st.session_state.setdefault("top_k", bot.settings.top_k)
    follow_url(bot)  # before the sidebar's widgets: it sets the filters
    download_slot, conversations_slot, filters = sidebar(bot, status)

    open_alert(bot, show_alert_answer)
    for position, turn in enumerate(turns()):
        show_turn(bot, turn, position)
    question = st.chat_input(
        "Ask about the articles…" if filters is not None else "Fix the filters in the sidebar",
        max_chars=bot.settings.max_question_chars,
        disabled=status is None or filters is None,
    )
    question = question or st.session_state.pop("pending", None)
    if problem:
        st.error(answer_markdown(problem), icon=":material/error:")
    elif status is None:
        build_index_prompt(bot)
    elif question and filters is not None:
        if answer(bot, question, filters):
            download_button(download_slot, "download-with-answer")
    elif not turns():
        empty_state(bot, describe_corpus(bot, status))
    with conversations_slot.container():
        conversations_panel(bot)


main()
