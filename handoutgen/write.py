"""Stage 5: write the outputs: each locale all or nothing, under a lock, never a half-written file.

This module imports nothing from the rest of handoutgen: it only knows files and bytes.

- `commit` writes every file of a batch to a temporary name beside its place first, and only
  when all of them are on disk renames them into place. A disk that fills half-way leaves the
  earlier files as they were, and the temporary files are removed.
- `locked` holds an exclusive lock on the output folder, so two builds into one folder take
  turns at writing (and each merges its manifest entries with the other's).
- A temporary file left by a build that was killed is removed by the next one.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

UMASK = os.umask(0o022)  # read once, at import, then restored: os.umask can only be read by setting it
os.umask(UMASK)
LOCK = ".handoutgen.lock"
TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
"""The names `tempfile.mkstemp(prefix=".<name>.", suffix=".tmp")` gives."""


class WriteError(Exception):
    """The output folder cannot be written: the user's disk, permissions or path, not the content."""

    def __init__(self, folder: Path, reason: str):
        super().__init__(f"cannot write {folder}: {reason}")
        self.folder, self.reason = folder, reason


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


@contextmanager
def locked(out: Path):
    """Hold an exclusive lock on the output folder (created if need be) while writing into it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = open(out / LOCK, "a+b")
    except OSError as error:
        raise WriteError(out, _reason(error)) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # closing releases the lock


def remove_stale_temporaries(out: Path) -> int:
    """Remove temporary files an interrupted build left in `out`; call it only while holding the lock."""
    removed = 0
    if not out.is_dir():
        return 0
    for path in out.rglob(".*.tmp"):
        if TEMPORARY.match(path.name) and path.is_file() and not path.is_symlink():
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass  # not ours to remove after all; it does no harm
    return removed


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data \
            and path.stat().st_mode & 0o777 == 0o666 & ~UMASK
    except OSError:
        return False


def _stage(path: Path, data: bytes) -> Path:
    """Write `data` to a new temporary file beside `path` and return its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes a file only its owner can read; a web server must read the site, so the file
        # gets the mode any new file gets under the umask (usually rw-r--r--).
        os.chmod(tmp, 0o666 & ~UMASK)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def commit(files: dict[Path, bytes], out: Path) -> None:
    """Write every file, or none: stage them all as temporary files, then rename each into place.

    Raise WriteError (naming `out`) when the folder cannot be written; the files already there
    are then left as they were.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            if not _unchanged(path, data):
                staged.append((_stage(path, data), path))
    except OSError as error:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise WriteError(out, _reason(error)) from None
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    try:
        for tmp, path in staged:
            os.replace(tmp, path)
    except OSError as error:  # a rename within one folder; only a vanished folder makes it fail
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise WriteError(out, _reason(error)) from None


def write_atomically(path: Path, data: bytes) -> None:
    """Write one file through a temporary name and a rename, so it is never seen half-written."""
    commit({path: data}, path.parent)
