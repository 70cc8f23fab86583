"""Row arrays: segments read as one, and rows stored as int8."""

import numpy as np

from rag.index.rows import Int8Rows, StackedRows


def test_stacked_rows_read_any_rows_across_parts() -> None:
    rng = np.random.default_rng(0)
    parts = [rng.normal(size=(n, 4)).astype(np.float16) for n in (3, 0, 5, 2)]
    whole = np.concatenate(parts)
    stacked = StackedRows(parts)
    assert len(stacked) == 10 and stacked.shape == (10, 4)
    for rows in ([0, 3, 9], [8, 1, 4, 4], list(range(10)), []):
        np.testing.assert_array_equal(stacked[rows], whole[rows])
    np.testing.assert_array_equal(stacked[2:7], whole[2:7])
    np.testing.assert_array_equal(np.asarray(stacked), whole)
    assert StackedRows([stacked, parts[0]]).shape == (13, 4), "stacks of stacks are flat"


def test_int8_rows_are_within_half_a_step_of_the_original() -> None:
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(50, 384)).astype(np.float32)
    rows[7] = 0.0  # a zero row stays zero
    stored = Int8Rows(*Int8Rows.quantized(rows))
    assert stored.codes.dtype == np.int8
    back = stored[np.arange(50)]
    step = np.abs(rows).max(axis=1, keepdims=True) / 127
    assert (np.abs(back - rows) <= step / 2 + 1e-6).all()
    assert not back[7].any()
    np.testing.assert_allclose(stored[3:5], back[3:5])
    again = Int8Rows(*Int8Rows.quantized(back))
    np.testing.assert_array_equal(again.codes, stored.codes)  # storing again changes nothing
    mixed = StackedRows([stored, rows[:2].astype(np.float16)])
    np.testing.assert_allclose(mixed[[0, 50, 51]], np.stack([back[0], rows[0], rows[1]]), atol=1e-2)
