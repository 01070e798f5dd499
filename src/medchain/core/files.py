"""Durable local files: written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, tmp_dir: Path | None = None) -> None:
    """Write ``data`` to ``path`` through a fsynced temporary file and a rename, so a reader sees the
    old content or the new, never a part.

    Args:
        path: The file to (re)place.
        data: Its new content.
        tmp_dir: Where the temporary file goes (same file system as ``path``; default its folder).

    Raises:
        OSError: the file system refused; the temporary file is removed.
    """
    fd, tmp = tempfile.mkstemp(dir=tmp_dir or path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
