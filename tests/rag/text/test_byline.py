"""The "outlet, date" line, one rule for every interface (pure)."""

from rag import byline


def test_byline_says_what_is_known() -> None:
    assert byline("Seekurier", "2024-03-04") == "Seekurier, 2024-03-04"
    assert byline("Seekurier", None) == "Seekurier"
    assert byline("", "2024-03-04") == "2024-03-04"
    assert byline("", None) == ""
    assert byline("Seekurier", None, undated="undated", sep=" · ") == "Seekurier · undated"
    assert byline("A*B", "x", escape=lambda p: p.replace("*", "\\*")) == "A\\*B, x"
