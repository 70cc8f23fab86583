"""Row arrays of several segments read as one, without copying them together."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class StackedRows:
    """The rows of `parts` (2-D arrays, memory-mapped or not) one after the other: row i
    of the whole is a row of one part. Reading rows copies only those rows."""

    def __init__(self, parts: Sequence[np.ndarray | StackedRows]) -> None:
        flat = [q for p in parts for q in (p.parts if isinstance(p, StackedRows) else [p])]
        self.parts: list[np.ndarray] = [p for p in flat if len(p)] or flat[:1]
        self.starts = np.concatenate([[0], np.cumsum([len(p) for p in self.parts])]).astype(
            np.int64
        )
        width = next((p.shape[1] for p in self.parts if p.ndim == 2 and len(p)), 0)
        self.shape = (int(self.starts[-1]), width)
        self.dtype = self.parts[0].dtype if self.parts else np.dtype(np.float16)

    def __len__(self) -> int:
        return self.shape[0]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = (
            np.concatenate([np.asarray(p) for p in self.parts])
            if self.parts
            else np.zeros(self.shape, self.dtype)
        )
        return whole if dtype is None else whole.astype(dtype)

    def __getitem__(self, key: slice | Sequence[int] | np.ndarray) -> np.ndarray:
        if len(self.parts) == 1:
            return np.asarray(self.parts[0][key])
        if isinstance(key, slice):
            first, stop, step = key.indices(len(self))
            key = np.arange(first, stop, step)
        rows = np.asarray(key, dtype=np.int64)
        part = np.searchsorted(self.starts, rows, side="right") - 1
        out = np.empty((len(rows), self.shape[1]), dtype=self.dtype)
        for p in np.unique(part):
            at = part == p
            out[at] = self.parts[p][rows[at] - self.starts[p]]
        return out
