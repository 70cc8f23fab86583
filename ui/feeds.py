"""The sidebar's feeds: the list of the corpus's feeds, adding one, and "Update feeds"."""

from __future__ import annotations

import streamlit as st

from rag import Assistant, FeedInfo, RagError
from ui.corpus import friendly_time
from ui.feedback import flash
from ui.jobs import start
from ui.render import answer_markdown, literal_markdown


def feeds_panel(bot: Assistant) -> None:
    feeds = bot.feeds()
    with st.expander(f"Feeds ({len(feeds)})", icon=":material/rss_feed:"):
        for n, feed in enumerate(feeds):
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.markdown(feed_markdown(feed, bot.settings.feeds_every_minutes))
            right.button(
                "", key=f"remove-feed-{n}", icon=":material/delete:", type="tertiary",
                help="Remove this feed (its articles stay)", on_click=_remove, args=(bot, feed.url),
            )  # fmt: skip
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


def feed_markdown(feed: FeedInfo, every_minutes: float) -> str:
    """A feed's name, entries, last update and its result, the next update, an error."""
    name = literal_markdown(feed.title or feed.url)
    facts = [f"{feed.entries} entries", f"checked {friendly_time(feed.checked)}"]
    if feed.result and feed.result != "failed":
        facts.append(literal_markdown(feed.result))
    if every_minutes > 0 and feed.next:
        facts.append(f"next {friendly_time(feed.next)}")
    text = f"**{name}**  \n:gray[{' · '.join(facts)}]"
    if feed.error:
        again = f" ({feed.failures} times in a row)" if feed.failures > 1 else ""
        text += f"  \n:red[Failed{again}: {answer_markdown(feed.error)}]"
    return text


def _remove(bot: Assistant, url: str) -> None:
    try:
        bot.remove_feed(url)
    except RagError as exc:
        flash("error", answer_markdown(str(exc)))
    else:
        flash("success", f"Removed {literal_markdown(url)}; its articles stay in the corpus.")
