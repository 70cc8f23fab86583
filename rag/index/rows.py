"""Row arrays: several segments' rows read as one without copying them together, and
rows stored as int8."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class StackedRows:
    """The rows of `parts` (2-D arrays, memory-mapped or not) one after the other: row i
    of the whole is a row of one part. Reading rows copies only those rows."""

    def __init__(self, parts: Sequence[Rows | StackedRows]) -> None:
        flat = [q for p in parts for q in (p.parts if isinstance(p, StackedRows) else [p])]
        self.parts: list[Rows] = [p for p in flat if len(p)] or flat[:1]
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


class Int8Rows:
    """Rows stored as int8 with one scale each (symmetric: scale = max |x| / 127), read
    back as float32: half the bytes of float16, within 0.0015 MRR@10 on XQuAD-de
    (docs/benchmarks.md, "Sentence vectors: float16 against int8")."""

    def __init__(self, codes: np.ndarray, scales: np.ndarray) -> None:
        self.codes = codes  # (n, dim) int8, memory-mapped when loaded
        self.scales = scales  # (n,) float32
        self.shape = codes.shape
        self.ndim = 2
        self.dtype = np.dtype(np.float32)

    @staticmethod
    def quantized(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(codes, scales) of float rows (pure)."""
        values = np.asarray(rows, dtype=np.float32)
        if values.ndim != 2:  # an empty (0, 0) or (0,) array
            values = values.reshape(len(values), -1 if values.size else 0)
        scales = np.abs(values).max(axis=1) / 127.0 if values.size else np.zeros(len(values))
        scales = np.where(scales > 0, scales, 1.0).astype(np.float32)
        return np.round(values / scales[:, None]).astype(np.int8), scales

    def __len__(self) -> int:
        return self.shape[0]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = self[slice(None)]
        return whole if dtype is None else whole.astype(dtype)

    def __getitem__(self, key: slice | Sequence[int] | np.ndarray) -> np.ndarray:
        if not isinstance(key, slice):
            key = np.asarray(key, dtype=np.int64)
        return np.asarray(self.codes[key], dtype=np.float32) * self.scales[key][:, None]


Rows = np.ndarray | Int8Rows  # what StackedRows stacks
