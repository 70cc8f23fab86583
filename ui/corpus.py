"""Corpus management in the UI: status, reindexing with progress, adding an article."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from rag import Assistant, IndexStatus, RagError, ReindexSummary
from rag.errors import ArticleNotIndexedError, IndexMissingError
from ui.render import answer_markdown, literal_markdown

log = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = (
    2_000_000  # as ui/.streamlit/config.toml's maxUploadSize; the settings may be lower
)
_LANGUAGES = {"de": "German", "en": "English", "fr": "French", "es": "Spanish", "it": "Italian"}
_FLASH = "corpus_flash"  # a message that must outlive the st.rerun() that refreshes the status


def index_status(bot: Assistant) -> IndexStatus | None:
    """The index's status, or None when nothing has been indexed yet."""
    try:
        return bot.status()
    except IndexMissingError:
        return None


def describe_corpus(bot: Assistant, status: IndexStatus) -> str:
    """Markdown saying what the corpus holds: one line, plus the titles when there are few."""
    docs = bot.articles()
    languages = sorted({_LANGUAGES.get(d.language, d.language) for d in docs if d.language})
    noun = "article" if status.articles == 1 else "articles"
    line = f"**{status.articles} {noun}**"
    if languages:
        line += " in " + " and ".join(literal_markdown(lang) for lang in languages)
    if len(docs) == 1:
        return f"{line}: *{literal_markdown(docs[0].title)}*."
    if 1 < len(docs) <= 3:
        return line + ":\n\n" + "\n".join(f"- *{literal_markdown(d.title)}*" for d in docs)
    return line + "."


def friendly_time(stamp: str | None) -> str:
    if not stamp:
        return "never"
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _reporting(bar: DeltaGenerator) -> Callable[[int, int], None]:
    """A reindex progress callback that moves `bar`."""

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Embedding passages {done}/{total}")

    return progress


def run_reindex(bot: Assistant, label: str) -> ReindexSummary | None:
    """Bring the index in line with the corpus folder, showing progress; None on failure."""
    with st.status(label, expanded=True) as box:
        bar = st.progress(0.0, text="Reading the corpus…")
        try:
            summary = bot.reindex(progress=_reporting(bar))
        except (RagError, OSError) as exc:
            log.warning("reindex failed: %s", exc)
            box.update(label="Indexing failed", state="error", expanded=True)
            st.error(answer_markdown(str(exc)))
            return None
        bar.progress(1.0, text="Done")
        box.update(label=f"Indexed: {summary.line()}", state="complete", expanded=False)
    return summary


def flash(kind: str, message: str) -> None:
    st.session_state[_FLASH] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop(_FLASH, ("", ""))
    if kind == "success":
        st.success(message, icon=":material/check_circle:")
    elif kind == "warning":
        st.warning(message, icon=":material/warning:")


def summary_message(summary: ReindexSummary) -> tuple[str, str]:
    text = f"Reindexed: {summary.line()}."
    if summary.notice:  # e.g. an index of an older format was rebuilt
        text += f"  \n{answer_markdown(summary.notice.capitalize())}."
    for skipped in summary.skipped:
        text += f"  \nSkipped {literal_markdown(skipped.path)}: {answer_markdown(skipped.reason)}"
    return ("warning" if summary.skipped else "success"), text


def _reindex_and_refresh(bot: Assistant, label: str) -> None:
    """Reindex, keep the summary for the next run, and rerun so the status is current."""
    summary = run_reindex(bot, label)
    if summary is not None:
        flash(*summary_message(summary))
        st.rerun()


def reindex_button(bot: Assistant) -> None:
    if st.button("Reindex corpus", icon=":material/sync:", width="stretch"):
        _reindex_and_refresh(bot, "Reindexing the corpus…")


def build_index_prompt(bot: Assistant) -> None:
    """The main area when nothing is indexed: say so, and offer to build the index."""
    folder = literal_markdown(str(bot.settings.corpus_dir))
    st.info(
        f"**No index yet.** The articles in {folder} have to be indexed once before you "
        "can ask about them. This embeds every article; later reindexes only embed what "
        "changed.",
        icon=":material/database:",
    )
    if st.button("Build the index", type="primary", icon=":material/play_arrow:"):
        _reindex_and_refresh(bot, "Building the index…")


def add_article(bot: Assistant) -> None:
    """The "Add article" form: validate, save into the corpus, index with progress."""
    with st.form("add_article", clear_on_submit=True, border=False):
        uploaded = st.file_uploader(
            "Markdown or text file (UTF-8 preferred)",
            max_upload_size=MAX_UPLOAD_BYTES // 1_000_000,
            help="Optional YAML front matter: title, source, date, language.",
        )
        submitted = st.form_submit_button("Add and index", icon=":material/upload:")
    if not submitted:
        return
    if uploaded is None:
        st.warning("Choose a .md or .txt file first.")
        return
    with st.status(f"Adding {literal_markdown(uploaded.name)}…", expanded=True) as box:
        bar = st.progress(0.0, text="Checking the file…")
        try:
            added = bot.add_article(
                uploaded.name,
                uploaded.getvalue(),
                max_bytes=MAX_UPLOAD_BYTES,
                progress=_reporting(bar),
            )
        except ArticleNotIndexedError as exc:  # saved, but the reindex failed
            box.update(label="Saved, not indexed yet", state="error", expanded=True)
            st.error(answer_markdown(exc.reason), icon=":material/error:")
            st.info(f"{literal_markdown(exc.filename)} is saved; the next reindex indexes it.")
            return
        except (RagError, OSError) as exc:  # refused: nothing was kept
            box.update(label="Not added", state="error", expanded=True)
            st.error(answer_markdown(str(exc)), icon=":material/block:")
            return
        bar.progress(1.0, text="Done")
        box.update(label=f"Indexed: {added.summary.line()}", state="complete", expanded=False)
    title = literal_markdown(added.title)
    name = literal_markdown(added.filename)
    flash("success", f"Added *{title}* as {name}. {added.summary.line()}.")
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
    show_flash()
    with st.expander("Add article", icon=":material/note_add:"):
        add_article(bot)
    reindex_button(bot)
