"""Whether a watch's answer over new articles moves the story (pure): confident, from the
new articles, not a restatement of what its user was given; figures that changed."""

from rag.answer.types import Answer, Citation
from rag.search.filters import AppliedFilters
from rag.watch.novelty import changed_figures, is_new, judge


def cite(quote: str, doc_id: str = "new.md", date: str = "2020-06-22", n: int = 1) -> Citation:
    return Citation(n, doc_id, "Titel", "https://zeit.de/a", quote, quote, 0, len(quote), 0.9,
                    date, "zeit.de")  # fmt: skip


def given(quote: str, date: str = "2020-06-01") -> dict[str, object]:
    return cite(quote, "old.md", date).as_dict()


BEFORE = given("Lufthansa will 1.500 Stellen streichen, sagte ein Sprecher.")


def test_a_new_figure_is_news_and_the_same_figure_is_not() -> None:
    assert is_new("Nun sollen 1.400 Stellen wegfallen.", [BEFORE])
    assert not is_new("Es bleibt bei 1.500 Stellen, die wegfallen.", [BEFORE])


def test_a_sentence_without_figures_is_news_unless_restated() -> None:
    old = given("Die EU-Kommission hat die Staatshilfe für die Lufthansa genehmigt.")
    assert not is_new("Die EU-Kommission hat die Staatshilfe für Lufthansa nun genehmigt.", [old])
    assert is_new("Die Aktionäre stimmten dem Rettungspaket auf der Hauptversammlung zu.", [old])


def test_a_changed_figure_has_both_dates_and_citations() -> None:
    new = cite("Nun sollen 1.400 Stellen wegfallen.")
    [change] = changed_figures([new], [BEFORE])
    assert change["before"] == "1.500 Stellen" and change["after"] == "1.400 Stellen"
    assert change["before_date"] == "2020-06-01" and change["after_date"] == "2020-06-22"
    assert change["before_citation"]["doc_id"] == "old.md"
    assert change["after_citation"]["doc_id"] == "new.md"
    assert changed_figures([cite("Nun sollen 1.400 Infizierte gezählt sein.")], [BEFORE]) == []


def answer(*citations: Citation, confidence: str = "high", outside: bool = False) -> Answer:
    return Answer("…", "extractive", list(citations), filters=AppliedFilters(outside=outside),
                  confidence=confidence)  # type: ignore[arg-type]  # fmt: skip


def test_judge_alerts_on_new_confident_evidence_from_the_new_articles_only() -> None:
    new = cite("Nun sollen 1.400 Stellen wegfallen.")
    alert = judge(answer(new), {"new.md"}, [BEFORE])
    assert alert is not None
    assert alert["articles"] == ["new.md"] and alert["new"] == [new.quote]
    assert alert["changed"][0]["after"] == "1.400 Stellen"
    assert "1.500 Stellen → 1.400 Stellen" in alert["summary"]
    assert alert["answer"]["citations"][0]["quote"] == new.quote


def test_judge_stays_quiet() -> None:
    new = cite("Nun sollen 1.400 Stellen wegfallen.")
    assert judge(answer(new, confidence="low"), {"new.md"}, [BEFORE]) is None
    assert judge(answer(new, outside=True), {"new.md"}, [BEFORE]) is None
    assert judge(answer(new), {"other.md"}, [BEFORE]) is None, "not from the new articles"
    restated = cite("Es bleibt bei 1.500 Stellen, die wegfallen.")
    assert judge(answer(restated), {"new.md"}, [BEFORE]) is None
