"""How the results of reindexes and feed updates are told in the UI (pure Markdown)."""

from __future__ import annotations

from rag import FeedReport, ReindexSummary
from ui.render import answer_markdown, literal_markdown


def summary_message(summary: ReindexSummary) -> tuple[str, str]:
    text = f"Reindexed: {summary.line()}."
    if summary.notice:  # e.g. an index of an older format was rebuilt
        text += f"  \n{answer_markdown(summary.notice.capitalize())}."
    for skipped in summary.skipped:
        text += f"  \nSkipped {literal_markdown(skipped.path)}: {answer_markdown(skipped.reason)}"
    for warning in summary.warnings:
        text += f"  \n{literal_markdown(warning.path)}: {answer_markdown(warning.reason)}"
    for copy in summary.duplicates:
        text += (
            f"  \n{literal_markdown(copy.path)} is the same story as "
            f"{literal_markdown(copy.duplicate_of)}: indexed once"
        )
    return ("warning" if summary.skipped or summary.warnings else "success"), text


def report_line(report: FeedReport) -> str:
    return f"Feeds {report.feeds}: {report.new} new entries, {len(report.added)} added"


def feeds_message(report: FeedReport) -> tuple[str, str]:
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
