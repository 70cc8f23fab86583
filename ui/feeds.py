"""The sidebar's feeds: the list of the corpus's feeds, adding one, and "Update feeds"."""

from __future__ import annotations

import streamlit as st

from rag import Assistant, RagError
from ui.corpus import friendly_time
from ui.feedback import flash
from ui.jobs import start
from ui.render import answer_markdown, literal_markdown


def feeds_panel(bot: Assistant) -> None:
    feeds = bot.feeds()
    with st.expander(f"Feeds ({len(feeds)})", icon=":material/rss_feed:"):
        for feed in feeds:
            name = literal_markdown(feed.title or feed.url)
            when = friendly_time(feed.checked)
            st.markdown(f"**{name}**  \n:gray[{feed.entries} entries · checked {when}]")
        with st.form("add_feed", clear_on_submit=True, border=False):
            url = st.text_input("Feed URL (RSS or Atom)", placeholder="https://…/feed.xml")
            if st.form_submit_button("Add feed", icon=":material/add:") and url.strip():
                try:
                    added = bot.add_feed(url.strip())
                except RagError as exc:
                    st.error(answer_markdown(str(exc)))
                else:
                    flash("success", "Feed added." if added else "That feed is listed already.")
                    st.rerun()
    if (
        feeds
        and st.button("Update feeds", icon=":material/update:", width="stretch")
        and start(bot, bot.jobs.update_feeds, "The feed update")
    ):
        st.rerun()
