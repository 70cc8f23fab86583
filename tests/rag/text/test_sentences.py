from rag.text.sentences import paragraph_spans, split_sentences


def _texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def test_abbreviations_and_ordinals_do_not_end_sentences() -> None:
    text = "Dr. Müller kam am 3. Mai z.B. nach Berlin. Dann ging er. Mr. Smith blieb."
    assert _texts(text) == [
        "Dr. Müller kam am 3. Mai z.B. nach Berlin.",
        "Dann ging er.",
        "Mr. Smith blieb.",
    ]


def test_quotes_and_questions() -> None:
    text = "Er sagte: „Wir gehen.“ Warum? Niemand weiß es! 2029 kommt."
    assert _texts(text) == ["Er sagte: „Wir gehen.“", "Warum?", "Niemand weiß es!", "2029 kommt."]


def test_lowercase_after_period_is_not_a_boundary() -> None:
    assert _texts("Version 3.5 ist da. und weiter") == ["Version 3.5 ist da. und weiter"]


def test_single_newlines_separate_paragraphs_in_unwrapped_text() -> None:
    long_line = "Ein sehr langer Absatz " * 8
    text = f"Überschrift ohne Punkt und recht lang, mindestens fünfzig Zeichen\n{long_line}"
    spans = paragraph_spans(text)
    assert len(spans) == 2


def test_hard_wrapped_lines_are_joined() -> None:
    text = (
        "This paragraph was wrapped by an editor at a fixed width so that\n"
        "its sentences continue on the next line without a break.\n"
        "\n"
        "# A heading\n"
        "Next paragraph."
    )
    spans = [text[s:e] for s, e in paragraph_spans(text)]
    assert spans[0].endswith("without a break.")
    assert spans[1:] == ["# A heading", "Next paragraph."]
    assert [s.paragraph for s in split_sentences(text)] == [0, 1, 2]


def test_ordinals_before_century_words_do_not_end_a_sentence() -> None:
    text = "Er war ein Millionär des frühen 20. Jahrhunderts M. Theo Kearney. Am 3. Mai kam er."
    assert [text[s.start : s.end] for s in split_sentences(text)] == [
        "Er war ein Millionär des frühen 20. Jahrhunderts M. Theo Kearney.",
        "Am 3. Mai kam er.",
    ]
