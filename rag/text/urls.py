"""Web addresses from outside (a user's input, a page's canonical link, a feed entry):
which are fit to fetch, and which may leave the server as a link (pure)."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

from publicsuffixlist import PublicSuffixList

MAX_URL_CHARS = 2000  # what browsers and servers handle everywhere


def is_loopback(host: str) -> bool:
    """Whether a host to listen on or connect to is this machine only (127.0.0.0/8, ::1,
    localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) URL that can be fetched, in a few words; None if it is."""
    try:
        parts = _parts(url)
    except ValueError as exc:
        return str(exc)
    host = (parts.hostname or "").removesuffix(".")  # "example.org." is fully qualified
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    shown = host if len(host) <= 40 else host[:39] + "…"
    if len(host) > 253 or any(not 0 < len(label) <= 63 for label in host.split(".")):
        return f"{shown!r} is not a valid host name"
    try:
        host.encode("idna")
    except UnicodeError:
        return f"{shown!r} is not a valid host name"
    return None


def _parts(url: str) -> SplitResult:
    if not url.strip():
        raise ValueError("the URL is empty")
    if len(url) > MAX_URL_CHARS:
        raise ValueError(f"the URL is longer than {MAX_URL_CHARS:,} characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url.strip()):
        raise ValueError("the URL contains spaces or control characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        raise ValueError(f"not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"{parts.scheme}:" if parts.scheme else "a relative link"
        raise ValueError(f"only http(s) URLs, not {scheme[:20]}")
    if not parts.hostname:
        raise ValueError("the URL names no host")
    if port == 0:
        raise ValueError("port 0 is not a port to fetch from")
    return parts


def web_url(text: str) -> str:
    """`text` when it is an absolute http(s) URL with a valid host, else "": `javascript:`,
    `file:`, `data:` and relative links are never stored as a source nor sent out as a
    link. A user name and password in it are left out."""
    candidate = text.strip()
    if url_problem(candidate) is not None:
        return ""
    parts = urlsplit(candidate)
    if "@" not in parts.netloc:
        return candidate
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def host_of(url: str) -> str:
    """The host of an http(s) URL without `www.` and port ("" for anything else)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "http://[broken"
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return parts.hostname.lower().removeprefix("www.")


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list ships inside the package: nothing is downloaded


@lru_cache(maxsize=4096)  # a corpus has few sites, and every chunk asks
def _registrable(host: str) -> str:
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        return (_suffixes().privatesuffix(host) or host) if host else ""


def site_of(url: str) -> str:
    """The site an http(s) URL is on: its registrable domain ("zeit.de" for
    www.zeit.de, "bbc.co.uk" for news.bbc.co.uk), the host itself for an address or a
    one-word name, "" for anything else."""
    return _registrable(host_of(url))


# "tagesspiegel.de", "www.zeit.de": an outlet named by its host
_HOST_NAME = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$", re.IGNORECASE)


def site_named(outlet: str) -> str:
    """The site an outlet written as a host name is ("Zeit.de" -> "zeit.de"), else ""."""
    name = outlet.strip().removesuffix("/")
    return site_of(f"https://{name}") if _HOST_NAME.match(name) else ""


def article_site(source: str, outlet: str) -> str:
    """The site an article is from: its source URL's, else its outlet's when that is a
    host name ("" when neither says)."""
    return site_of(source) or site_named(outlet)
