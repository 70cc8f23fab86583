"""The "Add article" form: a link to fetch, or a file to upload (.md, .txt, .html), added
and indexed as a background job."""

from __future__ import annotations

import streamlit as st

from rag import Assistant
from ui.jobs import start
from ui.render import literal_markdown


def add_article(bot: Assistant) -> None:
    """Fetch a link or save an upload into the corpus, then index it, as a job."""
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
    if start(bot, lambda: bot.jobs.add([url]), f"Adding {literal_markdown(url)}"):
        st.rerun()


def _add_upload(bot: Assistant, name: str, data: bytes) -> None:
    if start(bot, lambda: bot.jobs.upload(name, data), f"Adding {literal_markdown(name)}"):
        st.rerun()
