"""Alerts as an Atom feed (RFC 4287), for feed readers (pure)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html import escape

from rag.db.watches import Alert

ATOM = "http://www.w3.org/2005/Atom"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def _content(alert: Alert) -> str:
    """The entry's HTML: what's new, the figures that moved, the cited sources."""
    parts = [f"<p>{escape(alert.summary)}</p>"]
    for change in alert.changed:
        before = f"{change['before']} ({change.get('before_date') or 'undated'})"
        after = f"{change['after']} ({change.get('after_date') or 'undated'})"
        parts.append(f"<p>{escape(before)} → {escape(after)}</p>")
    items = []
    for c in alert.answer.get("citations", []):
        label = " · ".join(x for x in (c.get("outlet"), c.get("date")) if x)
        title = escape(str(c.get("title") or c.get("doc_id") or ""))
        link = str(c.get("source") or "")
        name = f'<a href="{escape(link)}">{title}</a>' if link.startswith("http") else title
        quote = escape(str(c.get("quote", "")))
        items.append(f"<li>[{c.get('n')}] {name} {escape(label)}: {quote}</li>")
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "".join(parts)


def feed(title: str, feed_id: str, link: str, alerts: Sequence[Alert], updated: str) -> bytes:
    """An Atom document of `alerts` (newest first); `updated` when there is none."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "title", title)
    _text(root, "id", feed_id)
    _text(root, "updated", alerts[0].created if alerts else updated)
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "self", "href": link})
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", "article-rag")
    for alert in alerts:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "title", f"{alert.question}: {alert.summary}"[:200])
        _text(entry, "id", f"{feed_id}:alert:{alert.id}")
        _text(entry, "updated", alert.created)
        _text(entry, "published", alert.created)
        for c in alert.answer.get("citations", [])[:5]:
            if str(c.get("source") or "").startswith("http"):
                ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "related", "href": c["source"]})
        _text(entry, "content", _content(alert), type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
