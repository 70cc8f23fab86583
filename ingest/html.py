"""Article pages: the main text and the news metadata of an HTML page, with trafilatura.

trafilatura drops navigation, cookie banners, ads, related links and comments, and reads
title, author, date (JSON-LD, meta tags, `<time>`, URL and text, through htmldate),
site name and canonical URL. Its `language` is usually empty, so the page's `lang` is
read here, else the text's language is detected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml.etree import ParserError

from ingest.encoding import decode_markup
from ingest.metadata import host_of, outlet_from_title, read_when
from rag.errors import ArticleError
from rag.text.boilerplate import is_boilerplate
from rag.text.controls import strip_controls
from rag.text.language import detect_language
from rag.text.urls import web_url
from rag.text.wraps import unwrap

_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
# "&#27;", "&#x1b;": a control character written as a reference (lxml drops the page's text)
_CONTROL_REFERENCE = re.compile(
    r"&#(?:0*(?:[0-8]|1[1-9]|2\d|3[01]|12[7-9]|1[3-5]\d)|x0*(?:[0-8bcef]|1[\da-f]|7f|[89][\da-f]))"
    r"(?![\da-f]);?",
    re.IGNORECASE,
)
# A teaser or a paywall notice is shorter: such a page holds no article to answer from.
MIN_TEXT_CHARS = 250


@dataclass(frozen=True)
class Page:
    title: str
    text: str  # paragraphs separated by blank lines
    source: str  # the canonical URL, else the URL it was read from
    outlet: str
    author: str
    date: str  # ISO day, "" when the page names none
    language: str
    published: str = ""  # ISO date-time, when the page gives the time of day


def _body(text: str, title: str) -> str:
    """trafilatura's lines as paragraphs (a line broken inside a sentence, by a <br>,
    joined again), without the headline it repeats at the top and without the page's
    own offers, prompts and labels."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0] == title:
        lines = lines[1:]
    return unwrap("\n".join(line for line in lines if not is_boilerplate(line)))


def _outlet(sitename: str, source: str, url: str, page_title: str) -> str:
    """The site's name; when trafilatura only repeats a host, the outlet the page title
    names, else the host of the canonical URL."""
    hosts = {host_of(source), host_of(url), *(h.split(":")[0] for h in (sitename,) if h)}
    if sitename and sitename.lower().removeprefix("www.").split(":")[0] not in hosts:
        return sitename
    return outlet_from_title(page_title) or host_of(source) or host_of(url)


def extract_page(html: str | bytes, url: str = "") -> Page:
    """The article in `html` (read from `url`, if it was fetched); ArticleError when the
    page holds no article text."""
    if isinstance(html, bytes):  # lxml alone reads a page without <meta charset> as Latin-1
        html = decode_markup(html)
    # lxml refuses text that declares its own encoding, and drops the text around a control
    # character (one ESC cost a page all its text)
    html = _CONTROL_REFERENCE.sub("", strip_controls(_XML_DECLARATION.sub("", html, count=1)))
    try:
        tree = lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as exc:
        raise ArticleError(f"not a readable HTML page ({exc})") from exc
    page_title = (tree.findtext(".//title") or "").strip()
    lang = (tree.get("lang") or tree.get("xml:lang") or "").split("-")[0].lower()
    found = trafilatura.bare_extraction(
        tree,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        # the time of day too: on one day, the earliest of an agency story's copies is kept
        date_extraction_params={
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
            "original_date": True,
            "extensive_search": True,
        },
    )
    title = str(getattr(found, "title", None) or page_title).strip()
    text = _body(str(getattr(found, "text", None) or ""), title)
    if len(text) < MIN_TEXT_CHARS:
        raise ArticleError(
            f"no article text ({len(text)} characters: a paywall, a teaser or not an article)"
        )
    source = web_url(str(getattr(found, "url", None) or "")) or web_url(url)
    when = read_when(getattr(found, "date", None))
    return Page(
        title=title or page_title,
        text=text,
        source=source,
        outlet=_outlet(str(getattr(found, "sitename", None) or ""), source, url, page_title),
        author=str(getattr(found, "author", None) or ""),
        date=when.day,
        language=lang or detect_language(text),
        published=when.moment,
    )
