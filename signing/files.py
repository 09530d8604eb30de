"""Write-once, crash-safe file primitives shared by the CA and the document store."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def write_once(*, path: Path, data: bytes, mode: int = 0o600) -> bool:
    """Write ``data`` to ``path`` durably unless ``path`` exists; return whether we wrote it.

    The bytes go to a temporary file in the same directory, are fsynced, then hard-linked
    to the final name. ``link`` never replaces an existing file (two writers race safely:
    exactly one wins) and the final name never points at a partial write.
    """
    return write_once_from(path=path, source=io.BytesIO(data), mode=mode)


def write_once_from(*, path: Path, source: BinaryIO, mode: int = 0o600) -> bool:
    """``write_once`` of what ``source`` reads from its position to its end, copied in
    chunks (memory does not grow with the file)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            shutil.copyfileobj(source, handle)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
    finally:
        os.unlink(temporary)
    fsync_directory(path.parent)
    return True


def fsync_directory(directory: Path) -> None:
    """Make new directory entries durable (a file's own fsync does not cover its name)."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path``; the kernel releases it if the process dies."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
