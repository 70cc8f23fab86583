"""Which quotes of a watch's answer answer its question: the article must name the story,
and a quote of a `low` answer must be close to the question (the real e5 model)."""

from typing import Any

from rag.answer.types import Answer, Citation
from rag.watch.relevance import on_story, relevant

QUESTION = "Wie viele Tönnies-Mitarbeiter sind mit Corona infiziert?"


def cite(n: int, doc_id: str, text: str) -> Citation:
    return Citation(n, doc_id, "Titel", "", text, text, 0, len(text), 0.9, "2020-06-22")


TOENNIES = cite(1, "t.md", "Bei Tönnies sind inzwischen 1.553 Mitarbeiter mit Corona infiziert.")
LUFTHANSA = cite(2, "l.md", "Bei der Lufthansa sollen 22.000 Stellen wegfallen.")
WEATHER = cite(3, "w.md", "Tönnies-Werk: Am Wochenende scheint in Rheda die Sonne bei 25 Grad.")


def test_the_article_must_name_the_story() -> None:
    assert on_story(QUESTION, "de", TOENNIES, "de")
    assert not on_story(QUESTION, "de", LUFTHANSA, "de")


def test_a_confident_answer_keeps_its_quotes_on_the_story(embed_model: Any) -> None:
    answer = Answer("…", "extractive", [TOENNIES, LUFTHANSA], confidence="high")
    languages = {"t.md": "de", "l.md": "de"}
    assert relevant(answer, QUESTION, "de", {"t.md", "l.md"}, languages, embed_model) == {1}
    assert relevant(answer, QUESTION, "de", {"l.md"}, languages, embed_model) == set()


def test_a_low_answer_keeps_only_quotes_close_to_the_question(embed_model: Any) -> None:
    answer = Answer("…", "extractive", [TOENNIES, WEATHER], confidence="low")
    languages = {"t.md": "de", "w.md": "de"}
    assert relevant(answer, QUESTION, "de", {"t.md", "w.md"}, languages, embed_model) == {1}


def test_a_check_asks_the_new_articles_only(indexed: Any, embed_model: Any) -> None:
    """A question restricted to newly arrived articles is not answered from the others,
    as a filter set beside it would be ("a confident answer is outside …")."""
    from dataclasses import replace as changed

    from rag import Assistant, Filters

    (indexed.corpus_dir / "wetter.md").write_text(
        "---\ntitle: Wetter am Bodensee\ndate: 2025-07-01\n---\nAm Bodensee scheint die "
        "Sonne, und die Temperaturen steigen auf 28 Grad. Die Segler freuen sich über den "
        "Wind am Nachmittag.\n",
        encoding="utf-8",
    )
    bot = Assistant(indexed, embed_model=embed_model)
    bot.reindex()
    question = "Wie viel hat OpenAI für Windsurf bezahlt?"
    scoped = bot.ask(question, filters=Filters(since=None, languages=["de"]))
    assert scoped.confidence == "high", "the seed answers it"
    only_new = changed(Filters(), articles=frozenset({"wetter.md"}))
    answer = bot.ask(question, filters=only_new)
    assert answer.filters is not None and not answer.filters.outside
    assert not answer.notice and all(c.doc_id == "wetter.md" for c in answer.citations)
