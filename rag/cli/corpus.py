"""The corpus commands: reindex, add, and feeds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rag.cli.common import Bar, assistant, say
from rag.config import Settings
from rag.text.byline import byline


def _with_corpus(args: argparse.Namespace, settings: Settings) -> Settings:
    corpus = getattr(args, "corpus", None)
    return settings.model_copy(update={"corpus_dir": corpus}) if corpus else settings


def _print_summary(summary: Any) -> None:
    if summary.notice:
        say(summary.notice)
    say(summary.line())
    for skipped in summary.skipped:
        say(f"skipped {skipped.path}: {skipped.reason}")
    for warning in summary.warnings:
        say(f"warning {warning.path}: {warning.reason}")
    for copy in summary.duplicates:
        say(f"copy {copy.path}: the same story as {copy.duplicate_of} (indexed once)")


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    bar = Bar(quiet=args.json)
    try:
        summary = assistant(settings).reindex(args.corpus, reset=args.reset, progress=bar)
    finally:
        bar.close()
    if args.json:
        say(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        _print_summary(summary)
    return 0


def _entry_line(verb: str, entry: Any) -> str:
    where = byline(entry.outlet, entry.date)
    return f"{verb} {entry.path}: {entry.title}" + (f" ({where})" if where else "")


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    bar = Bar(quiet=args.json)
    try:
        report = assistant(_with_corpus(args, settings)).add(
            args.sources, local_files=True, index=not args.no_index, progress=bar
        )
    finally:
        bar.close()
    if args.json:
        say(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for verb in ("added", "updated", "unchanged"):
            for entry in getattr(report, verb):
                say(_entry_line(verb, entry))
        _print_tail(report)
    return 1 if report.skipped or report.notice else 0


def _print_tail(report: Any) -> None:
    """What an add or a feed update skipped, its reindex and its notice."""
    for refused in report.skipped:
        say(f"skipped {refused.input}: {refused.reason}")
    for failed in getattr(report, "failed", ()):
        say(f"failed {failed.feed}: {failed.reason}")
    if report.reindex is not None:
        say(f"reindex: {report.reindex.line()}")
    if report.notice:
        say(f"note: {report.notice}")


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    bot = assistant(_with_corpus(args, settings))
    if args.action == "add":
        added = bot.add_feed(args.url)
        say(f"{'added' if added else 'already listed'}: {args.url}")
        return 0
    if args.action == "remove":
        bot.remove_feed(args.url)
        say(f"removed: {args.url} (its articles stay in the corpus)")
        return 0
    if args.action == "list":
        feeds = bot.feeds()
        for feed in feeds:
            checked = feed.checked or "never"
            last = f": {feed.result}" if feed.result and not feed.error else ""
            about = f"{feed.entries} entries, checked {checked}{last}"
            say(f"{feed.url}  {feed.title or '-'}  ({about})")
            if feed.error:
                say(f"    failed {feed.failures}× in a row: {feed.error}; next try {feed.next}")
        if not feeds:
            say("no feeds yet: rag feeds add URL")
        return 0
    bar = Bar(quiet=args.json)
    try:
        report = bot.update_feeds(limit=args.limit, progress=bar)
    finally:
        bar.close()
    if args.json:
        say(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        say(f"feeds {report.feeds}, new entries {report.new}, added {len(report.added)}")
        for verb in ("added", "updated"):
            for entry in getattr(report, verb):
                say(_entry_line(verb, entry))
        _print_tail(report)
    return 1 if report.failed or report.notice else 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("reindex", help="index new, changed and deleted articles")
    p.add_argument("--corpus", type=Path, default=None, help="article folder (default: corpus/)")
    p.add_argument("--reset", action="store_true", help="drop the index and rebuild it")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("add", help="add articles by URL or file, then reindex")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="an http(s) URL or a file")
    p.add_argument("--corpus", type=Path, default=None, help="article folder (default: corpus/)")
    p.add_argument("--no-index", action="store_true", help="only write them into the corpus")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("feeds", help="RSS and Atom feeds of the corpus")
    actions = p.add_subparsers(dest="action", required=True)
    for name, text in (("add", "add a feed to corpus/feeds.txt"), ("remove", "drop a feed")):
        q = actions.add_parser(name, help=text)
        q.add_argument("url")
        q.add_argument("--corpus", type=Path, default=None, help=argparse.SUPPRESS)
        q.set_defaults(func=cmd_feeds)
    q = actions.add_parser("list", help="list the feeds")
    q.add_argument("--corpus", type=Path, default=None, help=argparse.SUPPRESS)
    q.set_defaults(func=cmd_feeds)
    q = actions.add_parser("update", help="add the feeds' new entries, then reindex")
    q.add_argument("--limit", type=int, default=None, help="new entries per feed at most")
    q.add_argument("--corpus", type=Path, default=None, help=argparse.SUPPRESS)
    q.add_argument("--json", action="store_true", help="print the report as JSON")
    q.set_defaults(func=cmd_feeds)
