"""Bytes to text: article files, and web pages whose encoding may be named anywhere."""

from __future__ import annotations

import re

import charset_normalizer

from rag.errors import ArticleError

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); otherwise the encoding charset-normalizer detects
    (Latin-1 and Windows-1252 files are common); binary data is refused."""
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ArticleError("not UTF-8, and no text encoding could be detected")
    text = str(best)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > len(text) / 100:
        raise ArticleError("binary file (control characters)")
    return text


def decode_markup(content: bytes, charset: str | None = None) -> str:
    """An HTML page as text: the charset its HTTP headers name, else the one the page
    declares (`<meta charset>`, the XML declaration), else UTF-8, else what
    charset-normalizer detects. Undeclared UTF-8 is never read as Latin-1."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content.decode("utf-8-sig", "replace")
    declared = _DECLARED_CHARSET.search(content[:4096])
    named = (declared.group(1) or declared.group(2)).decode("ascii") if declared else None
    for name in (charset, named):
        if name:
            try:
                return content.decode(name)
            except (LookupError, UnicodeDecodeError):
                continue
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(content).best()
        return str(best) if best is not None else content.decode("utf-8", "replace")
