"""Two outlets carrying one agency story: indexed once, the citation says where else."""

from __future__ import annotations

import json

from rag import Assistant
from rag.config import Settings
from tests.conftest import Cli
from tests.web_server import PAGES, WebServer

FETCH = {"RAG_FETCH_ALLOW_PRIVATE": "true"}
QUESTION = "Wie hoch stand der Pegel in Konstanz beim Hochwasser?"


def test_an_agency_story_in_two_outlets_is_indexed_once(
    cli: Cli, indexed: Settings, web: WebServer
) -> None:
    pages = [web.url("agency-tagblatt.html"), web.url("agency-seekurier.html")]
    added = cli(["add", *pages, "--json"], indexed, **FETCH)
    report = json.loads(added.stdout)
    paths = {e["outlet"]: e["path"] for e in report["added"]}
    assert len(paths) == 2, "both files are in the corpus"
    (copy,) = report["reindex"]["duplicates"]
    assert copy == {"path": paths["Lindauer Tagblatt"], "duplicate_of": paths["Seekurier"]}
    assert report["reindex"]["added"] == 1, "the earliest copy (08:05 before 10:45) is indexed"

    answer = json.loads(cli(["ask", QUESTION, "--json"], indexed).stdout)
    assert {c["doc_id"] for c in answer["citations"]} == {paths["Seekurier"]}
    also = answer["citations"][0]["also"]
    assert also == [
        {
            "outlet": "Lindauer Tagblatt",
            "source": "https://www.lindauer-tagblatt.example/region/bodensee-hochwasser-sandsaecke.html",
            "date": "2025-06-03",
        }
    ]
    plain = cli(["ask", QUESTION], indexed).stdout
    assert "also in: Lindauer Tagblatt, 2025-06-03" in plain

    again = json.loads(cli(["reindex", "--json"], indexed).stdout)
    assert (again["added"], again["updated"], again["removed"]) == (0, 0, 0), "a no-op"
    assert again["duplicates"] == report["reindex"]["duplicates"], "still reported"

    (indexed.corpus_dir / paths["Seekurier"]).unlink()  # the kept copy goes: the next is kept
    promoted = json.loads(cli(["reindex", "--json"], indexed).stdout)
    assert (promoted["added"], promoted["removed"], promoted["duplicates"]) == (1, 1, [])
    articles = {a.doc_id: a for a in Assistant(indexed).articles()}
    assert articles[paths["Lindauer Tagblatt"]].copies == 0
    answer = json.loads(cli(["ask", QUESTION, "--json"], indexed).stdout)
    assert {c["doc_id"] for c in answer["citations"]} == {paths["Lindauer Tagblatt"]}
    assert answer["citations"][0]["also"] == []


def test_the_windsurf_question_still_works_after_all_of_it(
    cli: Cli, indexed: Settings, web: WebServer
) -> None:
    pages = [p.name for p in sorted(PAGES.glob("*.html")) if p.name != "paywall.html"]
    cli(["add", *(web.url(p) for p in pages)], indexed, **FETCH)
    answer = json.loads(cli(["ask", "Why is Windsurf the flashpoint?", "--json"], indexed).stdout)
    assert "heißt Windsurf" in answer["citations"][0]["text"]
    assert answer["citations"][0]["date"] is None, "the seed article has no date"
