"""Corpus management in the UI: status, the list of articles, reindexing with progress."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from functools import partial

import streamlit as st

from rag import ArticleInfo, Assistant, IndexStatus, RagError, byline
from rag.errors import IndexMissingError
from ui.adding import add_article
from ui.feedback import show_flash
from ui.filters import language_name
from ui.jobs import job_panel, start
from ui.render import answer_markdown, literal_markdown

log = logging.getLogger(__name__)


def index_status(bot: Assistant) -> IndexStatus | None:
    """The index's status, or None when nothing has been indexed yet."""
    try:
        return bot.status()
    except IndexMissingError:
        return None


def describe_corpus(bot: Assistant, status: IndexStatus) -> str:
    """Markdown saying what the corpus holds: one line, plus the titles when there are few."""
    docs = bot.articles()
    languages = sorted({language_name(d.language) for d in docs if d.language})
    noun = "article" if status.articles == 1 else "articles"
    line = f"**{status.articles} {noun}**"
    if languages:
        line += " in " + " and ".join(literal_markdown(lang) for lang in languages)
    if len(docs) == 1:
        return f"{line}: *{literal_markdown(docs[0].title)}*."
    if 1 < len(docs) <= 3:
        return line + ":\n\n" + "\n".join(f"- *{literal_markdown(d.title)}*" for d in docs)
    return line + "."


EXAMPLE_TITLE_CHARS = 70


def _title_words(title: str) -> set[str]:
    """A title's longer words, lower-cased: two in common mark the same story (pure)."""
    return {w for w in re.findall(r"\w{5,}", title.lower())}


def example_questions(articles: Sequence[ArticleInfo], count: int = 3) -> list[str]:
    """Questions to start with, from the corpus's newest stories: the latest news when
    articles are dated, then what the newest ones are about (pure)."""
    dated = sorted((a for a in articles if a.date), key=lambda a: a.date or "", reverse=True)
    picks = ["What's the latest news?"] if dated else []
    seen: list[set[str]] = []
    for article in [*dated, *(a for a in articles if not a.date)]:
        if len(picks) == count:
            break
        title = " ".join(article.title.split())
        words = _title_words(title)
        if any(len(words & other) >= 2 for other in seen):
            continue  # the same story again ("Lufthansa … Rekordverlust" twice)
        seen.append(words)
        if len(title) > EXAMPLE_TITLE_CHARS:
            title = title[: EXAMPLE_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
        question = f"What do the articles say about “{title}”?"
        if title and question not in picks:
            picks.append(question)
    return picks


def friendly_time(stamp: str | None) -> str:
    if not stamp:
        return "never"
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def article_list(bot: Assistant) -> None:
    """The indexed articles, newest first, with outlet and date."""
    docs = sorted(bot.articles(), key=lambda d: (d.date or "", d.doc_id), reverse=True)
    with st.expander(f"Articles ({len(docs)})", icon=":material/list:"):
        for d in docs:
            where = byline(d.outlet, d.date, undated="undated", sep=" · ", escape=literal_markdown)
            copies = (
                f" · {d.copies} more {'copy' if d.copies == 1 else 'copies'}" if d.copies else ""
            )
            st.markdown(f"**{literal_markdown(d.title)}**  \n:gray[{where}{copies}]")
            read, delete = st.columns(2)
            with read.popover("Read", icon=":material/article:", width="stretch"):
                _read(bot, d.doc_id)
            with delete.popover("Delete", icon=":material/delete:", width="stretch"):
                st.caption("Delete this article from the corpus and the index?")
                if st.button("Delete", key=f"delete-article-{d.doc_id}", type="primary") and (
                    start(bot, partial(bot.jobs.delete, d.doc_id), "Deleting the article")
                ):
                    st.rerun()


def _read(bot: Assistant, doc_id: str) -> None:
    """An article's whole text as the index holds it, as plain text."""
    try:
        text = bot.article_text(doc_id)
    except RagError as exc:
        st.warning(answer_markdown(str(exc)))
        return
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            st.markdown(literal_markdown(paragraph.strip()))


def reindex_button(bot: Assistant) -> None:
    if st.button("Reindex corpus", icon=":material/sync:", width="stretch") and start(
        bot, bot.jobs.reindex, "The reindex"
    ):
        st.rerun()


def build_index_prompt(bot: Assistant) -> None:
    """The main area when nothing is indexed: say so, and offer to build the index."""
    folder = literal_markdown(str(bot.settings.corpus_dir))
    st.info(
        f"**No index yet.** The articles in {folder} have to be indexed once before you "
        "can ask about them. This embeds every article; later reindexes only embed what "
        "changed.",
        icon=":material/database:",
    )
    if bot.jobs.active() is not None:
        st.caption("The index is being built: follow it in the sidebar.")
    elif st.button("Build the index", type="primary", icon=":material/play_arrow:") and start(
        bot, bot.jobs.reindex, "Building the index"
    ):
        st.rerun()


def corpus_panel(bot: Assistant, status: IndexStatus | None) -> None:
    """The sidebar's corpus section."""
    st.subheader("Corpus")
    if status is None:
        st.caption("Not indexed yet.")
    else:
        left, right = st.columns(2)
        left.metric("Articles", status.articles)
        right.metric("Passages", status.chunks)
        st.caption(
            f"Last indexed: {friendly_time(status.indexed_at)}  \n"
            f"Embeddings: {literal_markdown(status.embed_model)}  \n"
            f"Answers: {answer_markdown(bot.mode_label())}"
        )
    job_panel(bot)
    show_flash()
    with st.expander("Add article", icon=":material/note_add:"):
        add_article(bot)
    reindex_button(bot)
    if status is not None:
        article_list(bot)
