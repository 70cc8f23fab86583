"""The sidebar's feeds: the list of the corpus's feeds, adding one, and "Update feeds"."""

from __future__ import annotations

import streamlit as st

from rag import Assistant, FeedReport, RagError
from ui.corpus import friendly_time, summary_message
from ui.feedback import flash, reporting
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
    if feeds and st.button("Update feeds", icon=":material/update:", width="stretch"):
        update(bot)


def update(bot: Assistant) -> None:
    with st.status("Updating the feeds…", expanded=True) as box:
        bar = st.progress(0.0, text="Reading the feeds…")
        try:
            report = bot.update_feeds(progress=reporting(bar))
        except RagError as exc:
            box.update(label="Feeds not updated", state="error", expanded=True)
            st.error(answer_markdown(str(exc)))
            return
        bar.progress(1.0, text="Done")
        box.update(label=report_line(report), state="complete", expanded=False)
    flash(*report_message(report))
    st.rerun()


def report_line(report: FeedReport) -> str:
    return f"Feeds {report.feeds}: {report.new} new entries, {len(report.added)} added"


def report_message(report: FeedReport) -> tuple[str, str]:
    text = report_line(report) + "."
    for entry in report.added:
        text += f"  \nAdded *{literal_markdown(entry.title)}*"
    for entry in report.updated:
        text += f"  \nUpdated *{literal_markdown(entry.title)}*"
    for refused in report.skipped:
        text += f"  \nSkipped {literal_markdown(refused.input)}: {answer_markdown(refused.reason)}"
    for failed in report.failed:
        text += f"  \nFailed {literal_markdown(failed.feed)}: {answer_markdown(failed.reason)}"
    if report.notice:
        text += f"  \n{answer_markdown(report.notice)}"
    kind = "warning" if report.failed or report.skipped or report.notice else "success"
    if report.reindex is not None:
        reindex_kind, reindex_text = summary_message(report.reindex)
        text += "  \n" + reindex_text
        kind = "warning" if reindex_kind == "warning" else kind
    return kind, text
