"""Control characters in text from outside (articles, pages, feeds, answers): removed
where the text is read and again where it is printed, so an article can never clear a
terminal, set its title or write to its clipboard (pure)."""

from __future__ import annotations

import re

# Whole escape sequences first (CSI "ESC [ … final", OSC "ESC ] … BEL or ESC \\", and
# two-byte ones), so no "[2J" is left behind as text.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# Vertical tab and form feed separate lines: they become line feeds.
_LINE_BREAKS = re.compile(r"[\x0b\x0c]")
# C0 controls except tab, line feed and carriage return (saved files' line ends), DEL and
# the C1 controls (0x9b is a one-byte CSI on some terminals).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# A terminal also returns to the line's start on a carriage return: it could overwrite.
_TERMINAL = re.compile(r"[\x00-\x08\x0d-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """`text` without control characters (tab and line ends stay)."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", _ESCAPES.sub("", text)))


def printable(text: str) -> str:
    """`text` fit for a terminal: no control characters but tab and line feed."""
    return _TERMINAL.sub("", strip_controls(text.replace("\r\n", "\n")))
