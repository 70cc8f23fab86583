"""`rag watch`: standing questions that alert when new articles move their story."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rag.cli.common import add_filter_arguments, assistant, clip, filters_of, say
from rag.config import Settings

WEBHOOK_WAIT = 120.0  # seconds `rag watch check` waits for the webhook before it exits


def _dump(data: dict[str, Any]) -> None:
    say(json.dumps(data, ensure_ascii=False))


def cmd_watch_add(args: argparse.Namespace, settings: Settings) -> int:
    bot = assistant(settings)
    watch, answer = bot.watch(args.question, filters_of(args))
    if args.json:
        _dump({"id": watch.id, "question": watch.question, "filters": watch.filters,
               "answer": answer.as_dict()})  # fmt: skip
        return 0
    say(watch.id)
    say(f"Watching “{watch.question}”. Now: {clip(answer.text, 300)}")
    return 0


def cmd_watch_list(args: argparse.Namespace, settings: Settings) -> int:
    watches = assistant(settings).watches.all()
    if args.json:
        _dump({"watches": [w.as_dict() for w in watches]})
        return 0
    for w in watches:
        checked = (w.checked or "never")[:16].replace("T", " ")
        unread = f", {w.unread} unread" if w.unread else ""
        failed = f"; webhook: {w.delivery_error}" if w.delivery_error else ""
        say(f"{w.id}  {clip(w.question, 70)}  ({w.alerts} alerts{unread}; "
            f"checked {checked}{failed})")  # fmt: skip
    if not watches:
        say('no watches: `rag watch add "QUESTION"` adds one')
    return 0


def cmd_watch_remove(args: argparse.Namespace, settings: Settings) -> int:
    assistant(settings).watches.remove(args.id)
    say(f"removed {args.id}")
    return 0


def _print_alert(alert: dict[str, Any]) -> None:
    mark = "" if alert["read"] else "* "
    say(f"{mark}{alert['created'][:16].replace('T', ' ')}  #{alert['id']}  "
        f"{clip(alert['question'], 60)}")  # fmt: skip
    for change in alert["changed"]:
        say(f"    {change['before']} ({change.get('before_date') or 'undated'}) → "
            f"{change['after']} ({change.get('after_date') or 'undated'})")  # fmt: skip
    for quote in alert["new"]:
        say(f"    “{clip(quote, 200)}”")
    for c in alert["answer"].get("citations", []):
        if c["doc_id"] in alert["articles"]:
            say(f"    [{c['n']}] {c['title']} — {c.get('outlet') or ''} {c.get('date') or ''}")


def cmd_watch_check(args: argparse.Namespace, settings: Settings) -> int:
    bot = assistant(settings)
    alerts = bot.check_watches()
    if bot.webhook is not None and alerts:
        bot.webhook.idle(WEBHOOK_WAIT)
    if args.json:
        _dump({"alerts": [a.as_dict() for a in alerts]})
        return 0
    for alert in alerts:
        _print_alert(alert.as_dict())
    say(f"{len(alerts)} new alert{'' if len(alerts) == 1 else 's'}")
    return 0


def cmd_watch_alerts(args: argparse.Namespace, settings: Settings) -> int:
    bot = assistant(settings)
    alerts = bot.watches.alerts(args.id, unread=args.unread)
    if args.json:
        _dump({"alerts": [a.as_dict() for a in alerts]})
        return 0
    for alert in alerts:
        _print_alert(alert.as_dict())
    if not alerts:
        say("no alerts")
    if args.mark_read and alerts:
        bot.watches.mark_read([a.id for a in alerts])
    return 0


def add_parser(sub: Any) -> None:
    watch = sub.add_parser("watch", help="standing questions that alert when a story moves")
    kinds = watch.add_subparsers(dest="action", required=True)
    p = kinds.add_parser("add", help="watch a question (prints its id and the answer now)")
    p.add_argument("question")
    add_filter_arguments(p)
    p.add_argument("--json", action="store_true", help="the watch and its first answer as JSON")
    p.set_defaults(func=cmd_watch_add)
    p = kinds.add_parser("list", help="the watches, with their alerts and last check")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_watch_list)
    p = kinds.add_parser("remove", help="stop watching (its alerts go too)")
    p.add_argument("id")
    p.set_defaults(func=cmd_watch_remove)
    p = kinds.add_parser("check", help="ask every watch over the articles that arrived since")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_watch_check)
    p = kinds.add_parser("alerts", help="the alerts, newest first (of one watch with ID)")
    p.add_argument("id", nargs="?")
    p.add_argument("--unread", action="store_true", help="only the unread ones")
    p.add_argument("--mark-read", action="store_true", help="mark the ones shown as read")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_watch_alerts)
