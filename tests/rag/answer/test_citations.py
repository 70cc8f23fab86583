import pytest

from rag.answer.citations import MarkerRewriter, claims, rewrite_markers

TEXT = "Windsurf cost 3 billion [3]. IP is contested [1, 3][7]. Bad [9]. End [2]"


def test_renumbered_by_first_use_and_invalid_dropped() -> None:
    text, order = rewrite_markers(TEXT, passages=3)
    assert text == "Windsurf cost 3 billion [1]. IP is contested [2][1]. Bad. End [3]"
    assert order == [3, 1, 2]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 100])
def test_streaming_equals_whole_text(size: int) -> None:
    rewriter = MarkerRewriter(3)
    pieces = [rewriter.feed(TEXT[i : i + size]) for i in range(0, len(TEXT), size)]
    pieces.append(rewriter.flush())
    assert "".join(pieces) == rewriter.text == rewrite_markers(TEXT, 3)[0]


def test_unfinished_marker_at_the_end_is_kept_as_text() -> None:
    assert rewrite_markers("see [1] and [2", 2) == ("see [1] and [2", [1])


def test_no_passages_means_no_citations() -> None:
    assert rewrite_markers("Claim [1].", 0) == ("Claim.", [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Microsoft hired Mustafa Suleyman. [1]", [("Microsoft hired Mustafa Suleyman.", (1,))]),
        ("Microsoft hired Mustafa Suleyman [1].", [("Microsoft hired Mustafa Suleyman.", (1,))]),
        (
            "Microsoft wants the IP. [1] OpenAI refuses. [2][3]",
            [("Microsoft wants the IP.", (1,)), ("OpenAI refuses.", (2, 3))],
        ),
        (
            "Microsoft wants the IP [1, 2]. OpenAI refuses.",
            [("Microsoft wants the IP.", (1, 2)), ("OpenAI refuses.", ())],
        ),
        (
            "- Microsoft wants the IP. [1]\n- OpenAI refuses [2]",
            [("Microsoft wants the IP.", (1,)), ("OpenAI refuses", (2,))],
        ),
        ("One. Two.\n\n[1][2]", [("One.", ()), ("Two.", (1, 2))]),
        ("[1] Claim.", [("Claim.", (1,))]),
        ("[1]", [("", (1,))]),
        ("", []),
    ],
)
def test_a_marker_belongs_to_the_text_before_it(
    text: str, expected: list[tuple[str, tuple[int, ...]]]
) -> None:
    assert [(c.text, c.numbers) for c in claims(text)] == expected
