"""Writing a file whole or not at all (rag.index.files)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from rag.index.files import atomic_write


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_umasks_permissions_and_a_replaced_one_keeps_its_own(
    tmp_path: Path,
) -> None:
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new.json", b"{}")
        assert _mode(tmp_path / "new.json") == 0o640, "not mkstemp's 0600"
        (tmp_path / "mine.md").write_text("old")
        os.chmod(tmp_path / "mine.md", 0o604)
        atomic_write(tmp_path / "mine.md", b"new")
        assert _mode(tmp_path / "mine.md") == 0o604 and (tmp_path / "mine.md").read_text() == "new"
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.md", "new.json"]


def test_a_taken_name_is_left_alone_and_nothing_is_left_behind(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("first")
    with pytest.raises(FileExistsError):
        atomic_write(tmp_path / "a.md", b"second", replace=False)
    assert (tmp_path / "a.md").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text("kept")
    with pytest.raises(TypeError):
        atomic_write(tmp_path / "state.json", "not bytes")  # type: ignore[arg-type]
    assert (tmp_path / "state.json").read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_folders_are_made_as_needed(tmp_path: Path) -> None:
    atomic_write(tmp_path / "zeit.de" / "a.md", b"text")
    assert (tmp_path / "zeit.de" / "a.md").read_bytes() == b"text"
