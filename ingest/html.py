"""Article pages: the main text and the news metadata of an HTML page, with trafilatura.

trafilatura drops navigation, cookie banners, ads, related links and comments, and reads
title, author and canonical URL. The date and the outlet are read here, since a site's
header clock and its legal or section names are not the article's: the date from JSON-LD,
meta tags, a `<time>` or a date by the headline, never from text elsewhere on the page;
the outlet from `og:site_name`, the JSON-LD publisher and the like, cleaned
(ingest.metadata). Its `language` is usually empty, so the page's `lang` is read here,
else the text's language is detected.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import htmldate
import lxml.html
import trafilatura
from lxml.etree import ParserError

from ingest.encoding import decode_markup
from ingest.metadata import When, clean_outlet, outlet_name, read_when, title_without_site
from rag.errors import ArticleError
from rag.text.boilerplate import is_boilerplate
from rag.text.controls import strip_controls
from rag.text.dates import MONTHS
from rag.text.language import detect_language
from rag.text.outlets import site_label, squashed
from rag.text.urls import host_of, site_of, web_url
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
_MAX_LD_CHARS = 500_000  # a JSON-LD script larger than this is not metadata
# A page's furniture, whose dates are a clock or teasers, not the article's.
_FURNITURE_TAGS = frozenset({"header", "nav", "aside", "footer"})
_FURNITURE_CLASSES = ("teaser", "related", "sidebar", "navigation", "header", "footer", "clock")
_TEXT_TAGS = frozenset({"p", "div", "span", "time", "small", "address"})
_DATELINE_WORDS = frozenset({"veröffentlicht", "aktualisiert", "erschienen", "stand", "published",
                             "updated", "posted"})  # fmt: skip
_BYLINE_CHARS = 120  # a dateline or byline is a short line
_NUMERIC_DAY = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d\d)\b")
_MONTH_NUMBER = {
    name.lower(): n for names in MONTHS.values() for n, name in enumerate(names, start=1)
}
_NAMED_DAY = re.compile(
    rf"\b(\d{{1,2}})\.?\s+({'|'.join(_MONTH_NUMBER)})\s+((?:19|20)\d\d)\b", re.IGNORECASE
)
# the time of day too: on one day, the earliest of an agency story's copies is kept
_MOMENT = "%Y-%m-%dT%H:%M:%S%z"
# Publication dates in meta tags, as outlets and CMSs name them, most specific first.
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
)


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


def _body(text: str, title: str, outlet: str, site: str) -> str:
    """trafilatura's lines as paragraphs (a line broken inside a sentence, by a <br>,
    joined again), without the headline it repeats at the top and without the page's
    own offers, prompts and labels."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and (lines[0] == title or title_without_site(lines[0], outlet, site) == title):
        lines = lines[1:]
    return unwrap("\n".join(line for line in lines if not is_boilerplate(line)))


def _ld_objects(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """The JSON-LD objects of a page, nested `@graph`s and lists flattened; unreadable
    scripts are skipped (pages carry broken JSON-LD often enough)."""
    found: list[dict[str, Any]] = []

    def walk(value: object, depth: int) -> None:
        if depth > 4 or len(found) > 200:
            return
        if isinstance(value, list):
            for item in value:
                walk(item, depth + 1)
        elif isinstance(value, dict):
            found.append(value)
            walk(value.get("@graph"), depth + 1)

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        text = (script.text or "").strip()
        if not text or len(text) > _MAX_LD_CHARS:
            continue
        try:
            walk(json.loads(text), 0)
        except ValueError:
            continue
    return found


def _is_article(obj: dict[str, Any]) -> bool:
    kinds = obj.get("@type")
    names = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and ("Article" in k or "Posting" in k) for k in names)


def _name(value: object) -> str:
    """A publisher's name: a string, an object's `name`, the first of a list's."""
    if isinstance(value, list):
        return next((n for n in map(_name, value) if n), "")
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) else ""


def _meta(tree: lxml.html.HtmlElement, keys: tuple[str, ...]) -> list[str]:
    """The contents of the page's <meta> tags named (or with the property) `keys`, in
    the order of `keys`."""
    values: dict[str, str] = {}
    for meta in tree.iterfind(".//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in keys and key not in values:
            values[key] = meta.get("content", "").strip()
    return [values[k] for k in keys if values.get(k)]


def _aside(node: lxml.html.HtmlElement) -> bool:
    """Whether an element is in the page's furniture (header, navigation, a sidebar, a
    teaser list, the footer) rather than the article."""
    for element in (node, *node.iterancestors()):
        kind = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if element.tag in _FURNITURE_TAGS or any(w in kind for w in _FURNITURE_CLASSES):
            return True
    return False


def _article_region(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The part of the page that holds the headline and the article's text: the <article>
    or <main> around the first <h1> outside the furniture (a logo may be one), else its
    nearest ancestor with paragraphs."""
    headline = next((h for h in tree.iter("h1") if not _aside(h)), None)
    if headline is None:
        return next(iter(tree.iter("article")), None)
    for node in headline.iterancestors():
        if node.tag in ("article", "main") or len(node.findall(".//p")) >= 2:
            return None if node.tag == "body" else node
    return None


def _page_day(tree: lxml.html.HtmlElement, objects: list[dict[str, Any]], url: str) -> When:
    """The article's own date: JSON-LD, then meta tags, then a <time> or a date written
    by the headline and byline, then the page's markup and address; never a date from
    its free text elsewhere (a site's header clock, a sidebar's teasers)."""
    given = [str(o.get("datePublished") or "") for o in objects if _is_article(o)]
    given += _meta(tree, _DATE_META)
    # an embedded video's or a page's own date only after the article's
    given += [str(o.get("datePublished") or "") for o in objects if not _is_article(o)]
    for value in given:
        when = read_when(value.strip())
        if when.day:
            return when
    region = _article_region(tree)
    if region is None:
        found = htmldate.find_date(
            tree, extensive_search=False, original_date=True, outputformat=_MOMENT, url=url or None
        )
        return read_when(found)
    # the earliest: an article is published before it is updated ("Aktualisiert am …")
    stamped = [read_when(t.get("datetime", "")) for t in region.iter("time") if not _aside(t)]
    if dated := sorted((w for w in stamped if w.day), key=When.order):
        return dated[0]
    # a dateline or a byline, not the text: its dates are history
    lines = (t.text_content() for t in region.iter() if t.tag in _TEXT_TAGS and not _aside(t))
    if days := sorted(_written_days(" ".join(w for w in lines if len(w) <= _BYLINE_CHARS))):
        return When(days[0])
    body = lxml.html.tostring(region, encoding="unicode")
    found = htmldate.find_date(body, original_date=True, outputformat=_MOMENT, url=url or None)
    found = found or htmldate.find_date(
        tree, extensive_search=False, original_date=True, outputformat=_MOMENT, url=url or None
    )
    return read_when(found)


def _written_days(text: str) -> list[str]:
    """The days written out in `text`, as ISO: "27.04.2020" and "4. 6. 2024" day first
    (htmldate reads the spaced form month first), "3. Juni 2024", "3 June 2024"."""
    found = [(int(d), int(m), int(y)) for d, m, y in _NUMERIC_DAY.findall(text)]
    found += [(int(d), _MONTH_NUMBER[m.lower()], int(y)) for d, m, y in _NAMED_DAY.findall(text)]
    days = []
    for day, month, year in found:
        try:
            days.append(dt.date(year, month, day).isoformat())
        except ValueError:
            continue
    return days


def _author(name: str) -> str:
    """trafilatura's author, unless it is the dateline's word ("Veröffentlicht am …")."""
    return "" if name.strip().lower() in _DATELINE_WORDS else name


def _outlet(
    tree: lxml.html.HtmlElement,
    objects: list[dict[str, Any]],
    sitename: str,
    urls: tuple[str, str],
    title: str,
) -> str:
    """The outlet by the names the page gives itself, best first, cleaned; trafilatura's
    guess last, unless it only repeats the host the page was read from."""
    if sitename.lower().removeprefix("www.").split(":")[0] in {host_of(u) for u in urls}:
        sitename = ""
    site = next((site_of(u) for u in urls if site_of(u)), "")
    publishers = [_name(o.get("publisher")) for o in objects if _is_article(o)]
    given = _meta(tree, ("og:site_name",)) + publishers
    # a handle only when it is the site's name ("@Handelsblatt_De", not "@tazgezwitscher"),
    # also as trafilatura's guess
    label = squashed(site_label(site))
    twitter = _meta(tree, ("twitter:site",))
    handles = [h for h in twitter if squashed(clean_outlet(h, site)) == label]
    if squashed(sitename) in {squashed(h) for h in twitter if h not in handles}:
        sitename = ""
    given += _meta(tree, ("application-name",)) + handles + [sitename]
    return outlet_name(given, site, title)


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
    objects = _ld_objects(tree)  # JSON-LD: read once, for the date and the outlet
    when = _page_day(tree, objects, url)  # before trafilatura, which prunes the tree it is given
    found = trafilatura.bare_extraction(
        tree,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        date_extraction_params={"outputformat": _MOMENT, "extensive_search": False},
    )
    source = web_url(str(getattr(found, "url", None) or "")) or web_url(url)
    sitename = str(getattr(found, "sitename", None) or "")
    outlet = _outlet(tree, objects, sitename, (source, url), page_title)
    site = site_of(source) or site_of(url)
    title = str(getattr(found, "title", None) or page_title).strip()
    title = title_without_site(title, outlet, site)
    if squashed(title) in {squashed(outlet), squashed(site_label(site))}:  # a logo's <h1>
        title = title_without_site(page_title, outlet, site) or title
    text = _body(str(getattr(found, "text", None) or ""), title, outlet, site)
    if len(text) < MIN_TEXT_CHARS:
        raise ArticleError(
            f"no article text ({len(text)} characters: a paywall, a teaser or not an article)"
        )
    return Page(
        title=title or page_title,
        text=text,
        source=source,
        outlet=outlet,
        author=_author(str(getattr(found, "author", None) or "")),
        date=when.day,
        language=lang or detect_language(text),
        published=when.moment,
    )
