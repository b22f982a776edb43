"""Files that hold secrets or personal data: private directories (0700), files written atomically with mode 0600.

Every process of the service also runs with umask 077 (`private_umask`), so whatever a library creates inside the
data directory (SQLite's -wal and -shm files, certificate PDFs) is private from its first byte.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_umask() -> None:
    """New files 0600 and directories 0700 for this process and the ones it starts."""
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Create the directory (and parents) if needed and make it 0700; returns it."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    tighten(path, PRIVATE_DIR_MODE)
    return path


def tighten(path: Path, mode: int = PRIVATE_FILE_MODE) -> None:
    """Remove group and other permissions from an existing file or directory we own (installations made before
    the data directory was private); a file owned by someone else is left as it is."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        if path.stat().st_mode & 0o077:
            path.chmod(mode)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(directory: Path, data: bytes) -> Path:
    """A fully written and fsynced 0600 file beside the target (so a full disk fails here, never half-written)."""
    temp = directory / f".{secrets.token_hex(8)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return temp


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically with mode 0600: temp file, fsync, rename, fsync of the directory.

    A reader sees the old content or the new one, never a partial file."""
    directory = private_dir(path.parent)
    temp = _write_temp(directory, data)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(directory)


def create_private(path: Path, data: bytes) -> bool:
    """Like write_private, but only if `path` does not exist yet (two processes starting together keep one
    file: the first link wins). Returns whether this call created it."""
    directory = private_dir(path.parent)
    temp = _write_temp(directory, data)
    try:
        os.link(temp, path)
        created = True
    except FileExistsError:
        created = False
    except OSError:  # a file system without hard links: rename, accepting the (start-up only) race
        created = not path.exists()
        if created:
            os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(directory)
    return created
