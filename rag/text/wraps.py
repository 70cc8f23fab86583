"""Text as it arrives: lines wrapped inside sentences joined again, real paragraph breaks
kept (pure).

Plain-text exports and many feeds break lines inside sentences ("um mehr als 90\\nProzent",
"…Rolle im\\nWirecard-Skandal ist."). Read line by line, each piece would be quoted as a
sentence. A single line break is a soft wrap when what follows cannot start a paragraph:
a lower-case word, the rest of a hyphenated word, the unit after a figure, the month after
an ordinal ("am 21.\\nSeptember"), the word after an abbreviation; and, in text wrapped at
a fixed width, any break after a long line that does not end a sentence. Every other
single break between two lines of text is a paragraph break and becomes a blank line.
Markdown blocks (headings, lists, quotes, tables, code) are left as they are.
"""

from __future__ import annotations

import re

from rag.text.sentences import ends_falsely

_BLOCK = re.compile(r"\s*(#|>|```|\||---|===)")
# A list item, unless it continues a sentence ("… am\n21. September"): after a line that
# ends one, or after another item.
_ITEM = re.compile(r"\s*([-*+•] |\d+[.)] )")
_TERMINAL = tuple(".!?…:;\"'”“»«)]")
# A text is wrapped at a fixed width when its lines are short and mostly fill the width.
_MIN_WRAP_WIDTH, _MAX_WRAP_WIDTH = 50, 160
_FILLED = 0.6  # a line at least this share of the width fills it
_MIN_LINES = 4
# Words no heading or paragraph ends with: after them, the sentence goes on. Not the
# prepositions that end German sentences as verb prefixes ("…weichen aufs Auto aus").
_FUNCTION_WORDS = frozenset(
    """der die das dem den des ein eine einen einem einer eines im ins am zum zur vom von
    und oder aber als wie für ohne seit sowie dass weil wenn
    the a an of at for and or but with from by""".split()
)


def unwrap(text: str) -> str:
    """`text` with soft-wrapped lines joined and paragraph breaks as blank lines."""
    if "\n" not in text:
        return text
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    width = _wrap_width(lines)
    out: list[str] = [lines[0]]
    in_code = lines[0].lstrip().startswith("```")
    for line in lines[1:]:
        previous = out[-1]
        if line.lstrip().startswith("```"):
            in_code = not in_code
        if in_code or not line.strip() or not previous.strip():
            out.append(line)
            continue
        join = _joint(previous, line, width)
        if join is None:
            out += [line] if _structured(previous, line) else ["", line]
        else:
            out[-1] = previous.rstrip() + join + line.lstrip()
    return "\n".join(out)


def _structured(before: str, after: str) -> bool:
    """Whether a Markdown block begins or ends between the two lines (a heading, a quote,
    a table, code, a rule, a list item)."""
    if _BLOCK.match(after) or _BLOCK.match(before) or _ITEM.match(before):
        return True
    return bool(_ITEM.match(after)) and before.rstrip().endswith(_TERMINAL)


def _joint(before: str, after: str, width: int | None) -> str | None:
    """What joins two lines when the break between them is a soft wrap ("" or " "), or
    None when it is a paragraph break (or a Markdown block begins or ends there)."""
    if _structured(before, after):
        return None
    a, b = before.rstrip(), after.lstrip()
    first = b[0]
    if first.islower():
        return "" if a.endswith("-") and a[-2:-1].isalpha() else " "
    if a.endswith("-") and a[-2:-1].isalpha() and first.isalpha():  # "Corona-\nWarn-App"
        return ""
    if a[-1].isdigit() or (a.endswith(".") and ends_falsely(a, b)):
        return " "
    if a.rsplit(None, 1)[-1] in _FUNCTION_WORDS:  # "… Rolle im\nWirecard-Skandal"
        return " "
    if width is not None and not a.endswith(_TERMINAL) and len(a) >= _FILLED * width:
        return " "
    return None


def _wrap_width(lines: list[str]) -> int | None:
    """The width the text is wrapped at, or None when it is not wrapped at a fixed width."""
    lengths = sorted(
        len(line.rstrip()) for line in lines if line.strip() and not _BLOCK.match(line)
    )
    if len(lengths) < _MIN_LINES:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not _MIN_WRAP_WIDTH <= width <= _MAX_WRAP_WIDTH:
        return None
    filled = sum(1 for n in lengths if n >= _FILLED * width)
    return width if filled >= len(lengths) / 2 else None
