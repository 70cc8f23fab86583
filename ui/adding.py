"""The "Add article" form: a link to fetch, or a file to upload (.md, .txt, .html)."""

from __future__ import annotations

import streamlit as st

from rag import Assistant, RagError, byline
from rag.errors import ArticleNotIndexedError
from ui.feedback import flash, reporting
from ui.render import answer_markdown, literal_markdown


def add_article(bot: Assistant) -> None:
    """Fetch a link or save an upload into the corpus, then index it, with progress."""
    with st.form("add_article", clear_on_submit=True, border=False):
        url = st.text_input("Link to a news article", placeholder="https://…")
        uploaded = st.file_uploader(
            "… or a Markdown, text or HTML file",
            # the reindex's own limit; `rag ui` gives Streamlit's server the same
            max_upload_size=bot.settings.upload_megabytes,
            # no `type=`: Streamlit fails the whole script on another type; the check that
            # follows says what is wrong instead
            help=".md, .txt or .html. Markdown and text may start with YAML front matter: "
            "title, source, date, outlet, author, language.",
        )
        submitted = st.form_submit_button("Add and index", icon=":material/upload:")
    if not submitted:
        return
    if url.strip():
        _add_link(bot, url.strip())
    elif uploaded is not None:
        _add_upload(bot, uploaded.name, uploaded.getvalue())
    else:
        st.warning("Paste a link or choose a file first.")


def _add_link(bot: Assistant, url: str) -> None:
    with st.status(f"Fetching {literal_markdown(url)}…", expanded=True) as box:
        bar = st.progress(0.0, text="Fetching the page…")
        try:
            report = bot.add([url], progress=reporting(bar))
        except RagError as exc:
            box.update(label="Not added", state="error", expanded=True)
            st.error(answer_markdown(str(exc)), icon=":material/error:")
            return
        if report.skipped:
            box.update(label="Not added", state="error", expanded=True)
            st.error(answer_markdown(report.skipped[0].reason), icon=":material/block:")
            return
        if report.notice:  # saved, but another reindex was running
            box.update(label="Saved, not indexed yet", state="error", expanded=True)
            st.info(answer_markdown(report.notice))
            return
        bar.progress(1.0, text="Done")
        box.update(label="Added", state="complete", expanded=False)
    verb, entry = next(
        (v, e) for v in ("added", "updated", "unchanged") for e in getattr(report, v)
    )
    said = {"added": "Added", "updated": "Updated", "unchanged": "Already in the corpus:"}[verb]
    where = byline(entry.outlet, entry.date, escape=literal_markdown)
    line = report.reindex.line() if report.reindex else ""
    flash("success", f"{said} *{literal_markdown(entry.title)}* ({where}). {line}.")
    st.rerun()


def _add_upload(bot: Assistant, name: str, data: bytes) -> None:
    with st.status(f"Adding {literal_markdown(name)}…", expanded=True) as box:
        bar = st.progress(0.0, text="Checking the file…")
        try:
            added = bot.add_article(name, data, progress=reporting(bar))
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
