"""The claim check on hand-made similarities: kept, replaced, dropped, added, flagged."""

from rag.answer.citations import claims
from rag.answer.support import (
    Support,
    check_claims,
    figures_agree,
    is_statement,
    rebuild,
    support_of,
)

TEXT = (
    "Microsoft wants all of the IP OpenAI buys [2]. "
    "OpenAI bought Windsurf for three billion dollars. [1] "
    "The CEO of Windsurf is a famous person [1]. "
    "Microsoft hired Mustafa Suleyman for its AI unit."
)


def _rows(*scores: tuple[float, float]) -> list[list[Support]]:
    return [[Support(a, f"s{i}a"), Support(b, f"s{i}b")] for i, (a, b) in enumerate(scores)]


def test_citations_follow_the_passage_that_states_the_claim() -> None:
    found = claims(TEXT)
    rows = _rows((0.80, 0.90), (0.70, 0.91), (0.80, 0.81), (0.95, 0.60))
    checked = check_claims(found, rows, thresholds=[0.88, 0.88], margin=0.02)
    assert [c.cited for c in checked] == [(2,), (2,), (), (1,)]
    assert [c.supported for c in checked] == [True, True, False, True]
    assert rebuild(TEXT, checked) == (
        "Microsoft wants all of the IP OpenAI buys [2]. "
        "OpenAI bought Windsurf for three billion dollars [2]. "  # [1] did not say it
        "The CEO of Windsurf is a famous person. "  # nothing does: no marker
        "Microsoft hired Mustafa Suleyman for its AI unit [1]."  # clearly passage 1
    )
    assert support_of(checked, rows, 2) == Support(0.91, "s1b")
    assert support_of(checked, rows, 1) == Support(0.95, "s3a")


def test_a_claim_is_not_given_a_marker_without_a_clear_lead() -> None:
    found = claims("Microsoft hired Mustafa Suleyman for its AI unit.")
    checked = check_claims(found, _rows((0.89, 0.60)), thresholds=[0.88, 0.88], margin=0.02)
    assert checked[0].cited == () and not checked[0].supported


def test_short_sentences_and_questions_are_not_checked() -> None:
    assert not is_statement("Yes [1].")
    assert not is_statement("Why did Microsoft hire him?")
    assert is_statement("Microsoft hired Mustafa Suleyman.")
    found = claims("In short [1]. Why would it? [2]")
    checked = check_claims(found, _rows((0.1, 0.1), (0.1, 0.1)), [0.88, 0.88], 0.02)
    assert [c.cited for c in checked] == [(1,), (2,)]
    assert rebuild("In short [1]. Why would it? [2]", checked) == "In short [1]. Why would it [2]?"


def test_figures_must_agree_across_languages() -> None:
    sentence = "Windsurf, das OpenAI für 3 Milliarden Dollar gekauft hat."
    assert figures_agree("OpenAI paid $3 billion for Windsurf.", "en", sentence, "de")
    assert not figures_agree("OpenAI paid $3 million for Windsurf.", "en", sentence, "de")
    assert not figures_agree("OpenAI paid $4 billion.", "en", sentence, "de")
    assert figures_agree("It cost 3 trillion.", "en", "Es kostete 3 Billionen.", "de")
    assert figures_agree("Microsoft wants the IP.", "en", sentence, "de"), "no figures to agree"


def test_the_articles_day_counts_as_a_figure_it_states() -> None:
    sentence = "Nach Angaben der Werft sind es 1.400 Stellen."
    claim = "Stand 20. Juni 2024 sind es 1.400 Stellen."
    assert not figures_agree(claim, "de", sentence, "de")
    assert figures_agree(claim, "de", sentence, "de", day="2024-06-20")
