"""Evaluation metrics on tiny hand-made fixtures, and the `rag eval` commands' output."""

import json
import shutil
from pathlib import Path

import pytest

from rag import Assistant
from rag.answer.types import Answer, Citation, Confidence
from rag.config import Settings
from rag.evaluation import (
    AnswerCheck,
    answer_metrics,
    check_answer,
    covers,
    hit_rank,
    prepare_index,
    retrieval_metrics,
)
from rag.evaluation.abstention import (
    abstention_metrics,
    cut_even_paragraphs,
    paragraphs,
    split_for_abstention,
)
from rag.evaluation.data import EvalDataError
from rag.index.layout import IndexLayout
from rag.index.manifest import DocEntry, load_manifest, save_manifest
from tests.conftest import DATA, XQUAD, Cli, make_settings, needs_xquad


def test_covers_needs_the_whole_answer_span() -> None:
    assert covers(10, 20, 10, 20)
    assert covers(0, 100, 40, 45)
    assert not covers(10, 20, 5, 15)  # starts before the chunk
    assert not covers(10, 20, 15, 21)  # ends after it


def test_hit_rank_is_the_first_covering_chunk_of_the_right_doc() -> None:
    retrieved = [("b.txt", 0, 100), ("a.txt", 0, 50), ("a.txt", 40, 120), ("a.txt", 0, 200)]
    assert hit_rank(retrieved, "a.txt", 60, 70) == 3
    assert hit_rank(retrieved, "b.txt", 60, 70) == 1
    assert hit_rank(retrieved, "c.txt", 0, 1) is None
    assert hit_rank([], "a.txt", 0, 1) is None


def test_retrieval_metrics_on_known_ranks() -> None:
    ranks = [1, 2, 6, None]
    m = retrieval_metrics(ranks, [10.0, 20.0, 30.0, 40.0], k=10)
    assert m["n"] == 4
    assert m["recall@1"] == 0.25
    assert m["recall@5"] == 0.5
    assert m["recall@10"] == 0.75
    assert m["mrr@10"] == pytest.approx((1 + 1 / 2 + 1 / 6) / 4, abs=1e-4)
    assert m["p50_ms"] == 25.0
    assert m["p95_ms"] == pytest.approx(38.5)
    # ranks beyond k count for no reciprocal rank
    assert retrieval_metrics([11], k=10)["mrr@10"] == 0.0


def test_check_answer_grades_evidence_facts_and_abstention() -> None:
    row = {
        "id": "q1",
        "question": "How much?",
        "evidence": ["3 Milliarden", "Windsurf"],
        "answer_facts": [["3 billion", "3 Milliarden"], ["2030"]],
        "abstain": False,
    }
    good = check_answer(
        row, "Für 3 MILLIARDEN Dollar, bis 2030 [1].", ["Windsurf für 3 Milliarden"]
    )
    assert good.passed and good.evidence_found == 1.0 and good.facts_found == 1.0
    half = check_answer(row, "Für 3 Milliarden [1].", ["3 Milliarden"])
    assert not half.passed and half.evidence_found == 0.5 and half.facts_found == 0.5
    abstained = check_answer(row, "The articles do not answer this.", [])
    assert not abstained.passed and abstained.abstained

    negative = {"id": "q2", "question": "Capital of Australia?", "abstain": True}
    assert check_answer(negative, "The articles do not answer this.", []).passed
    assert not check_answer(negative, "Canberra [1].", ["Canberra is ..."]).passed


def test_answer_metrics_average_over_the_right_rows() -> None:
    def check(passed: bool, ev: float, fa: float, abstained: bool, should: bool) -> AnswerCheck:
        return AnswerCheck("x", "q", passed, ev, fa, abstained, should, "")

    report = answer_metrics(
        [
            check(True, 1.0, 1.0, False, False),
            check(False, 0.5, 0.0, False, False),
            check(True, 1.0, 1.0, True, True),
            check(False, 1.0, 1.0, False, True),
        ]
    )
    assert report["n"] == 4 and report["passed"] == 2
    assert report["evidence_recall"] == 0.75  # answerable rows only
    assert report["fact_accuracy"] == 0.5
    assert report["abstain_accuracy"] == 0.75  # all rows
    assert len(report["results"]) == 4


DOC_A = (
    "Der Rhein ist ein Fluss in Mitteleuropa. Er ist 1233 Kilometer lang.\n\n"
    "In Basel wird der Rhein schiffbar. Dort liegt ein großer Hafen.\n"
)
DOC_B = "Die Zugspitze ist mit 2962 Metern der höchste Berg Deutschlands.\n"


def _tiny_eval(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rhein.txt").write_text(DOC_A, encoding="utf-8")
    (docs / "zugspitze.txt").write_text(DOC_B, encoding="utf-8")
    rows = []
    for doc, text, answer, de, en in [
        ("rhein.txt", DOC_A, "1233 Kilometer", "Wie lang ist der Rhein?", "How long is the Rhine?"),
        ("zugspitze.txt", DOC_B, "2962 Metern", "Wie hoch ist die Zugspitze?", "How high?"),
    ]:
        start = text.index(answer)
        rows.append(
            {"doc": doc, "question_de": de, "question_en": en, "answer_start": start,
             "answer_end": start + len(answer)}
        )  # fmt: skip
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return docs, questions


def test_eval_retrieval_command_reports_all_keys(
    settings: Settings, tmp_path: Path, cli: Cli
) -> None:
    docs, questions = _tiny_eval(tmp_path)
    index = tmp_path / "eval-index"
    args = ["eval", "retrieval", "--docs", str(docs), "--questions", str(questions)]
    result = cli([*args, "--field", "question_de", "--index-dir", str(index), "--json"], settings)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert set(metrics) == {"recall@1", "recall@5", "recall@10", "mrr@10", "n", "p50_ms", "p95_ms"}
    assert metrics["n"] == 2 and metrics["recall@10"] == 1.0 and metrics["mrr@10"] > 0.5
    plain = cli([*args, "--k", "3"], settings)  # a temporary index this time
    assert plain.returncode == 0, plain.stderr
    assert "recall@5" in plain.stdout and "p95_ms" in plain.stdout


def _prepared(
    settings: Settings, tmp_path: Path, embed_model: object
) -> tuple[Path, Settings, Path]:
    """The tiny eval docs, indexed once into their own `--index-dir`; returns the docs,
    their settings and the manifest's path."""
    docs, _questions = _tiny_eval(tmp_path)
    local = settings.model_copy(update={"data_dir": tmp_path / "ix", "corpus_dir": docs})
    prepare_index(_assistant(local, embed_model), docs)
    return docs, local, IndexLayout(local.data_dir).manifest


def _assistant(settings: Settings, embed_model: object) -> Assistant:
    return Assistant(settings, embed_model=embed_model)  # type: ignore[arg-type]


def test_reused_index_is_rebuilt_when_chunking_changes(
    settings: Settings, tmp_path: Path, embed_model: object
) -> None:
    docs, local, manifest = _prepared(settings, tmp_path, embed_model)
    # both short paragraphs in one chunk, then (shorter minimum) re-chunked, not reused
    assert len(_documents(manifest)["rhein.txt"].chunk_ids) == 1
    prepare_index(_assistant(local.model_copy(update={"chunk_min_chars": 0}), embed_model), docs)
    assert len(_documents(manifest)["rhein.txt"].chunk_ids) == 2


def _documents(path: Path) -> dict[str, DocEntry]:
    manifest = load_manifest(path)
    assert manifest is not None
    return manifest.documents


def test_reused_index_of_another_model_is_rebuilt(
    settings: Settings, tmp_path: Path, embed_model: object
) -> None:
    docs, local, path = _prepared(settings, tmp_path, embed_model)
    manifest = load_manifest(path)
    assert manifest is not None
    manifest.embed_model = "some/other-model"  # as if built with RAG_EMBED_BACKEND=openai
    save_manifest(path, manifest)
    prepare_index(_assistant(local, embed_model), docs)  # a plain reindex would refuse it
    rebuilt = load_manifest(path)
    assert rebuilt is not None and rebuilt.embed_model == local.embed_model_name
    assert set(rebuilt.documents) == set(manifest.documents)


def test_eval_answers_command_passes_every_seed_question(seed_settings: Settings, cli: Cli) -> None:
    questions = DATA / "seed-qa.dev.jsonl"
    result = cli(["eval", "answers", "--questions", str(questions), "--json"], seed_settings)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {
        "n", "passed", "evidence_recall", "fact_accuracy", "abstain_accuracy", "results"
    }  # fmt: skip
    failed = [r["id"] for r in report["results"] if not r["passed"]]
    assert report["passed"] == report["n"], failed
    assert report["abstain_accuracy"] == 1.0


@needs_xquad
def test_xquad_retrieval_on_a_few_articles(tmp_path: Path, cli: Cli) -> None:
    """`rag eval retrieval` on the real evaluation data, cut to its first six articles so
    that it stays quick; the full dev split is measured in docs/benchmarks.md."""
    docs = tmp_path / "docs"
    docs.mkdir()
    chosen = sorted((XQUAD / "docs").glob("*.txt"))[:6]
    for path in chosen:
        shutil.copy(path, docs / path.name)
    names = {p.name for p in chosen}
    rows = [json.loads(line) for line in (XQUAD / "questions.dev.jsonl").open(encoding="utf-8")]
    questions = tmp_path / "questions.jsonl"
    questions.write_text(
        "\n".join(json.dumps(r) for r in rows if r["doc"] in names), encoding="utf-8"
    )
    settings = make_settings(tmp_path)
    index = ["--index-dir", str(tmp_path / "index")]
    args = ["eval", "retrieval", "--docs", str(docs), "--questions", str(questions), *index]
    for field in ("question_de", "question_en"):
        result = cli([*args, "--field", field, "--json"], settings)
        assert result.returncode == 0, result.stderr
        metrics = json.loads(result.stdout)
        assert metrics["n"] > 50
        # well below the dev split's 0.97 / 0.94: six articles are a small, noisy sample
        assert metrics["mrr@10"] >= 0.85 and metrics["recall@5"] >= 0.95, (field, metrics)


# --- abstention (answerable vs on-topic unanswerable vs off-topic) ---

ARTICLE = "P0 Der Rhein ist 1233 Kilometer lang.\n\nP1 Basel.\n\n  \n\nP2 Hafen.\n\nP3 Köln."


def test_cut_even_paragraphs_keeps_odd_ones_counting_blank_line_blocks() -> None:
    assert paragraphs(ARTICLE) == [
        "P0 Der Rhein ist 1233 Kilometer lang.", "P1 Basel.", "P2 Hafen.", "P3 Köln."
    ]  # fmt: skip
    assert cut_even_paragraphs(ARTICLE) == "P1 Basel.\n\nP3 Köln."


def test_split_counts_answerable_and_on_topic_unanswerable_rows() -> None:
    docs = {"a.txt": ARTICLE, "b.txt": "Whole. Hafen is named here too.", "c.txt": "Kept."}
    rows = [
        {"id": "kept", "doc": "a.txt", "paragraph": 1, "answer_de": "Basel"},
        {"id": "cut", "doc": "a.txt", "paragraph": 0, "answer_de": "1233 kilometer"},
        {"id": "cut-but-elsewhere", "doc": "a.txt", "paragraph": 2, "answer_de": "hafen"},
    ]
    split = split_for_abstention(docs, rows)
    assert split.corpus == {"a.txt": "P1 Basel.\n\nP3 Köln.", "b.txt": docs["b.txt"],
                            "c.txt": "Kept."}  # fmt: skip
    assert [r["id"] for r in split.answerable] == ["kept"]
    assert [r["id"] for r in split.unanswerable] == ["cut"]  # case-insensitive search
    with pytest.raises(EvalDataError, match="not in docs"):
        split_for_abstention(docs, [{"id": "x", "doc": "z.txt", "paragraph": 1, "answer_de": ""}])


def _cited(text: str, confidence: Confidence = "high") -> Answer:
    c = Citation(1, "a.txt", "A", "", text, text, 0, len(text), 1.0)
    return Answer(text, "extractive", [c], confidence=confidence)


def test_abstention_metrics_count_only_high_answers_holding_the_answer() -> None:
    none = Answer("The articles do not answer this question.", "extractive")
    metrics = abstention_metrics(
        answerable=[
            (_cited("Er ist 1233 KILOMETER lang."), "1233 Kilometer"),  # right
            (_cited("Er ist 1233 Kilometer lang.", "low"), "1233 Kilometer"),  # not confident
            (_cited("Er ist lang."), "1233 Kilometer"),  # confident, wrong
            (none, "1233 Kilometer"),
        ],
        unanswerable=[_cited("x"), _cited("x", "low"), none, none],
        off_topic=[none, _cited("x", "low")],
        latencies_ms=[10.0, 30.0, 20.0],
    )
    assert metrics == {
        "answered_correct": 0.25, "refused_on_topic": 0.75, "abstained_on_topic": 0.5,
        "refused_off_topic": 1.0, "n_answerable": 4, "n_unanswerable": 4, "p50_ms": 20.0,
    }  # fmt: skip


def test_eval_abstention_command_reports_exactly_its_keys(
    settings: Settings, tmp_path: Path, cli: Cli
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    article = (
        "Der Rhein entspringt in den Alpen in der Schweiz.\n\n"
        "Der Rhein ist 1233 Kilometer lang und fließt in die Nordsee.\n\n"
        "In Basel wird der Rhein für große Schiffe schiffbar.\n\n"
        "In Köln überquert der Dom die Altstadt mit seinen Türmen.\n"
    )
    (docs / "rhein.txt").write_text(article, encoding="utf-8")
    (docs / "zugspitze.txt").write_text(DOC_B, encoding="utf-8")
    rows = [
        {"id": "q1", "doc": "rhein.txt", "paragraph": 1, "answer_de": "1233 Kilometer",
         "question_de": "Wie lang ist der Rhein?", "question_en": "How long is the Rhine?"},
        {"id": "q2", "doc": "rhein.txt", "paragraph": 2, "answer_de": "Basel",
         "question_de": "Wo wird der Rhein schiffbar?", "question_en": "Where?"},
    ]  # fmt: skip
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    off_topic = tmp_path / "off.jsonl"
    off_topic.write_text(json.dumps({"question": "Wie backe ich einen Apfelstrudel?"}) + "\n")
    args = ["eval", "abstention", "--docs", str(docs), "--questions", str(questions)]
    args += ["--field", "question_de", "--off-topic", str(off_topic)]
    result = cli([*args, "--index-dir", str(tmp_path / "ix"), "--json"], settings)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert set(metrics) == {
        "answered_correct", "refused_on_topic", "abstained_on_topic", "refused_off_topic",
        "n_answerable", "n_unanswerable", "p50_ms",
    }  # fmt: skip
    assert metrics["n_answerable"] == 1 and metrics["n_unanswerable"] == 1
    assert metrics["refused_off_topic"] == 1.0
    assert (tmp_path / "ix" / "corpus" / "rhein.txt").read_text(encoding="utf-8") == (
        "Der Rhein ist 1233 Kilometer lang und fließt in die Nordsee.\n\n"
        "In Köln überquert der Dom die Altstadt mit seinen Türmen."
    )
    plain = cli(args, settings)  # a temporary index, a readable report
    assert plain.returncode == 0, plain.stderr
    assert "refused_on_topic" in plain.stdout
    bad = cli([*args[:-2], "--off-topic", str(tmp_path / "missing.jsonl")], settings)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
