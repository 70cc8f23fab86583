"""The "outlet, date" line of an article, as every interface shows it (pure)."""

from __future__ import annotations

from collections.abc import Callable


def byline(
    outlet: str,
    date: str | None,
    *,
    undated: str = "",
    sep: str = ", ",
    escape: Callable[[str], str] = str,
) -> str:
    """ "Seekurier, 2024-03-04": the parts that are known (`undated` stands for a missing
    date where the line must say so), each escaped for where it is shown."""
    return sep.join(escape(part) for part in (outlet, date or undated) if part)
