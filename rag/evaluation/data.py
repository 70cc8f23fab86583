"""Evaluation data: reading question files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.errors import RagError


class EvalDataError(RagError):
    """The evaluation file is missing, unreadable or lacks a field."""


def load_jsonl(path: Path, required: Sequence[str]) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise EvalDataError(f"cannot read questions from {path}: {exc}") from exc
    for i, row in enumerate(rows, 1):
        missing = [f for f in required if f not in row]
        if missing:
            raise EvalDataError(f"{path} line {i}: missing field(s) {', '.join(missing)}")
    return rows
