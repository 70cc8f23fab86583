"""`rag watch`: add, list, check after new articles arrive, alerts, remove, and the errors."""

import json
from typing import Any

import pytest

from rag.config import Settings
from tests.conftest import Cli

QUESTION = "Wie viel hat OpenAI für Windsurf bezahlt?"
NEWS = """---
title: OpenAI zahlt mehr für Windsurf
date: 2025-07-02
outlet: Example Zeitung
---
OpenAI hat für das KI-Startup Windsurf nun 4 Milliarden Dollar bezahlt, mehr als die zuvor
genannten 3 Milliarden Dollar, wie das Unternehmen am Mittwoch bestätigte.

Der Kaufpreis stieg nach Nachverhandlungen mit den Investoren des Startups.
"""


def test_watch_a_question_from_the_command_line(indexed: Settings, cli: Cli) -> None:
    made = cli(["watch", "add", QUESTION, "--lang", "de", "--json"], indexed)
    assert made.returncode == 0, made.stderr
    watch = json.loads(made.stdout)
    assert watch["question"] == QUESTION and watch["filters"]["languages"] == ["de"]
    assert "3 Milliarden Dollar" in watch["answer"]["answer"]

    nothing = cli(["watch", "check", "--json"], indexed)
    assert nothing.returncode == 0 and json.loads(nothing.stdout) == {"alerts": []}

    (indexed.corpus_dir / "windsurf-preis.md").write_text(NEWS, encoding="utf-8")
    updated = cli(["reindex"], indexed)  # the update checks the watches itself
    assert updated.returncode == 0, updated.stderr
    listed = cli(["watch", "list", "--json"], indexed)
    [mine] = json.loads(listed.stdout)["watches"]
    assert mine["id"] == watch["id"] and mine["unread"] == 1 and mine["checked"]

    alerts = json.loads(cli(["watch", "alerts", watch["id"], "--unread", "--json"], indexed).stdout)
    [alert] = alerts["alerts"]
    assert alert["articles"] == ["windsurf-preis.md"]
    assert any("4 Milliarden Dollar" in s for s in alert["new"])
    assert [(c["before"], c["after"]) for c in alert["changed"]] == [
        ("3 Milliarden Dollar", "4 Milliarden Dollar")
    ]
    shown = cli(["watch", "alerts", "--mark-read"], indexed)
    assert "3 Milliarden Dollar" in shown.stdout and "4 Milliarden Dollar" in shown.stdout
    assert json.loads(cli(["watch", "alerts", "--unread", "--json"], indexed).stdout) == {
        "alerts": []
    }
    assert cli(["watch", "check", "--json"], indexed).stdout.strip() == '{"alerts": []}'

    assert cli(["watch", "remove", watch["id"]], indexed).returncode == 0
    gone = cli(["watch", "remove", watch["id"]], indexed)
    assert gone.returncode == 1 and "no watch" in gone.stderr
    assert "no watches" in cli(["watch", "list"], indexed).stdout
    empty = cli(["watch", "add", "   "], indexed)
    assert empty.returncode == 1 and empty.stderr.startswith("error:")


def test_a_check_that_fails_never_fails_the_update(indexed: Settings, cli: Cli) -> None:
    """A watch that cannot be asked (here: a stored filter that is no day) is left for the
    next check; the reindex stands, and the other watches are checked."""
    from rag import Assistant

    bot = Assistant(indexed)
    good, _ = bot.watch(QUESTION)
    bot.watches.create("Wer leitet die KI-Abteilung?", {"since": "kein-tag"}, good.seen, {})
    (indexed.corpus_dir / "windsurf-preis.md").write_text(NEWS, encoding="utf-8")
    updated = cli(["reindex", "--json"], indexed)
    assert updated.returncode == 0, updated.stderr
    assert json.loads(updated.stdout)["added"] == 1
    listed = {
        w["question"]: w
        for w in json.loads(cli(["watch", "list", "--json"], indexed).stdout)["watches"]
    }
    assert listed[QUESTION]["alerts"] == 1
    assert listed["Wer leitet die KI-Abteilung?"]["checked"] is None, "tried again next time"


def test_watches_are_bounded(indexed: Settings, monkeypatch: Any) -> None:
    import rag.api
    from rag import Assistant, RagError

    monkeypatch.setattr(rag.api, "MAX_WATCHES", 1)
    bot = Assistant(indexed)
    bot.watch(QUESTION)
    with pytest.raises(RagError, match="remove one first"):
        bot.watch("Wer leitet die KI-Abteilung?")
