"""Corpus management in the UI: status, reindexing with progress, adding an article."""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from ingest.reindex import ReindexSummary, reindex
from rag import Assistant, IndexStatus, RagError
from rag.errors import ArticleError, IndexMissingError
from ui.render import answer_markdown, literal_markdown
from ui.upload import MAX_UPLOAD_BYTES, check_upload, save_upload

log = logging.getLogger(__name__)
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


def run_reindex(bot: Assistant, label: str) -> ReindexSummary | None:
    """Bring the index in line with the corpus folder, showing progress; None on failure."""
    with st.status(label, expanded=True) as box:
        bar = st.progress(0.0, text="Reading the corpus…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total if total else 1.0, text=f"Embedding passages {done}/{total}")

        try:
            # The assistant's embedding model is reused: loading a second copy costs memory.
            summary = reindex(bot.settings, embed_model=bot.embed_model, progress=progress)
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
    settings = bot.settings
    try:
        upload = check_upload(
            uploaded.name, uploaded.getvalue(), max_bytes=settings.max_article_bytes
        )
        path = save_upload(upload, settings.corpus_dir)
    except (ArticleError, OSError) as exc:
        st.error(answer_markdown(str(exc)), icon=":material/block:")
        return
    summary = run_reindex(bot, f"Indexing {upload.filename}…")
    if summary is None:
        st.info(f"{literal_markdown(upload.filename)} is saved; the next reindex indexes it.")
        return
    reason = next((s.reason for s in summary.skipped if s.path == upload.filename), None)
    if reason is not None:
        # Reindex refused it (e.g. the same text as another article): do not keep the file.
        path.unlink(missing_ok=True)
        st.error(f"{literal_markdown(upload.filename)} was not added: {answer_markdown(reason)}")
        return
    title = literal_markdown(upload.article.title)
    flash("success", f"Added *{title}* as {literal_markdown(upload.filename)}. {summary.line()}.")
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
