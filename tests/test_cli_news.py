"""`rag ask`, `rag chat` and `rag timeline` with filters and time expressions, on the dated
news corpus (tests/data/news), as a user's shell runs them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rag.config import Settings
from tests.conftest import NEWS_TODAY, Cli


def ask_json(cli: Cli, settings: Settings, *args: str, **env: str) -> dict[str, Any]:
    result = cli(["ask", *args, "--json"], settings, **env)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_last_week_is_read_against_rag_today(news_settings: Settings, cli: Cli) -> None:
    data = ask_json(
        cli, news_settings, "How high did the water rise last week?", RAG_TODAY=NEWS_TODAY
    )
    assert data["citations"]
    assert all("2024-06-03" <= c["date"] <= "2024-06-09" for c in data["citations"])
    assert data["filters"] == {
        "since": "2024-06-03",
        "until": "2024-06-09",
        "outlets": [],
        "languages": [],
        "latest": False,
        "from_question": ["since", "until"],
        "phrase": "last week",
        "outlet_phrase": "",
        "description": "articles from 3–9 June 2024",
        "outside": False,
    }
    later = ask_json(
        cli, news_settings, "How high did the water rise last week?", RAG_TODAY="2024-06-19"
    )
    assert later["filters"]["since"] == "2024-06-10", "another today, another week"
    assert {c["doc_id"] for c in later["citations"]} <= {"2024-06-10-lrt-flood-falls.md"}


def test_since_and_until_cite_only_august(news_settings: Settings, cli: Cli) -> None:
    data = ask_json(
        cli, news_settings, "Was kosten die Elektrofähren?", "--since", "2024-08-01",
        "--until", "2024-08-31",
    )  # fmt: skip
    assert data["citations"] and all(c["date"].startswith("2024-08") for c in data["citations"])
    assert "45 Millionen" in data["answer"]
    assert data["filters"]["from_question"] == []


def test_outlet_is_repeatable_and_lang_limits_languages(news_settings: Settings, cli: Cli) -> None:
    one = ask_json(
        cli, news_settings, "Wie viele Stellen streicht die Werft?", "--outlet", "Seekurier"
    )
    assert {c["outlet"] for c in one["citations"]} == {"Seekurier"}
    two = ask_json(
        cli, news_settings, "Wie viele Stellen streicht die Werft?", "--outlet", "seekurier",
        "--outlet", "Lake Region Times", "--top-k", "10",
    )  # fmt: skip
    assert two["filters"]["outlets"] == ["Lake Region Times", "Seekurier"]
    assert {c["outlet"] for c in two["citations"]} <= {"Seekurier", "Lake Region Times"}
    english = ask_json(cli, news_settings, "Wie viele Stellen streicht die Werft?", "--lang", "en")
    assert english["citations"]
    assert all(
        c["doc_id"].startswith("2024-") and "-lrt-" in c["doc_id"] for c in english["citations"]
    )


def test_printed_answer_says_what_was_searched(news_settings: Settings, cli: Cli) -> None:
    result = cli(["ask", "Was geschah im Mai 2023?"], news_settings, RAG_TODAY=NEWS_TODAY)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "Keine Artikel vom 1.–31. Mai 2023 passen zu dieser Suche."
    assert "Searched articles from 1–31 May 2023 (from “im Mai 2023”)." in lines
    latest = cli(["ask", "What is the latest number of jobs the shipyard will cut?"], news_settings)
    assert latest.stdout.startswith("As of 22 August 2024")
    assert "Searched all articles, newest first." in latest.stdout
    assert "Lake Region Times, 2024-08-22" in latest.stdout, "sources show outlet and date"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "Werft?", "--since", "2024-13-01"], "is not a day: use YYYY-MM-DD"),
        (["ask", "Werft?", "--until", "gestern"], "is not a day: use YYYY-MM-DD"),
        (["ask", "Werft?", "--lang", "deutsch"], "is not a language code"),
        (
            ["ask", "Werft?", "--since", "2024-06-02", "--until", "2024-06-01"],
            "the filter's first day (2024-06-02) is after its last (2024-06-01)",
        ),
        (["timeline", "Werft", "--limit", "0"], "--limit must be at least 1"),
    ],
)
def test_bad_filters_are_one_line_errors(
    news_settings: Settings, cli: Cli, args: list[str], message: str
) -> None:
    result = cli(args, news_settings)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert message in result.stderr.strip().splitlines()[-1]  # after argparse's usage


def test_timeline_json_lists_the_story_in_date_order(news_settings: Settings, cli: Cli) -> None:
    result = cli(["timeline", "Elektrofähren", "--json"], news_settings)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"query", "filters", "events"} and data["query"] == "Elektrofähren"
    assert [e["doc_id"] for e in data["events"]] == [
        "2024-02-12-lrt-electric-ferries.md",
        "2024-05-28-seekurier-faehre-verzoegert.md",
        "2024-08-05-tagblatt-faehre-kosten.md",
        "2024-09-30-lrt-ferry-launched.md",
    ]
    assert set(data["events"][0]) == {
        "date", "outlet", "title", "doc_id", "source", "quote", "start_char", "end_char"
    }  # fmt: skip
    limited = cli(
        ["timeline", "Elektrofähren", "--since", "2024-05-01", "--outlet", "seekurier",
         "--limit", "20", "--json"],
        news_settings,
    )  # fmt: skip
    assert [e["doc_id"] for e in json.loads(limited.stdout)["events"]] == [
        "2024-05-28-seekurier-faehre-verzoegert.md"
    ]


def test_timeline_printed(news_settings: Settings, cli: Cli) -> None:
    result = cli(["timeline", "Elektrofähren", "--limit", "2"], news_settings)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2024-") and ", " in lines[0] and "<https://" in lines[0]
    assert lines[1].startswith("    “")
    assert len([line for line in lines if line.startswith("2024-")]) == 2
    none = cli(["timeline", "Elektrofähren", "--until", "2023-12-31"], news_settings)
    assert "Searched articles until 31 December 2023." in none.stdout
    assert "No articles are about this." in none.stdout


def test_chat_takes_the_filters_for_every_question(news_settings: Settings, cli: Cli) -> None:
    stdin = "Wie viele Stellen streicht die Werft?\nUnd was kosten die Elektrofähren?\n"
    result = cli(["chat", "--outlet", "Lake Region Times"], news_settings, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Searched articles by Lake Region Times.") == 2
    assert "Seekurier, 2024" not in result.stdout and "Tagblatt, 2024" not in result.stdout


def test_an_answer_offered_outside_the_filters_is_printed_once(
    news_settings: Settings, cli: Cli
) -> None:
    result = cli(["ask", "Wie viele Stellen streicht die Werft?", "--since", "2024-08-01"],
                 news_settings)  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Note: Die Artikel seit dem 1. August 2024 beantworten das möglicherweise nicht" in out
    assert "set aside" not in out and out.count("Die Artikel beantworten das") == 1
