"""Writing a file whole or not at all: the one way the project replaces a file on disk."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path


def atomic_write(path: Path, data: bytes, *, replace: bool = True) -> None:
    """Write `data` to `path` so that a reader, or a crash, sees the old file or the new
    one, never half of it.

    The bytes go to a hidden temporary file in the same folder (scans skip hidden names),
    are flushed to disk, and the file is renamed into place; then the folder is flushed,
    so the new name survives a power cut. A new file gets the permissions any new file
    gets (the umask's), a replaced one keeps its own. With `replace=False` an existing
    `path` is left alone and FileExistsError raised. On any error the temporary file is
    removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name[:200]}.{secrets.token_hex(4)}.tmp"
    # 0o666 and the umask, as open() gives; mkstemp's 0o600 would hide articles from others.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            with contextlib.suppress(FileNotFoundError):
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails when the name was taken meanwhile
            os.unlink(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # a platform without folder handles: the rename is all there is
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the rename still happened
    finally:
        os.close(fd)
