"""Reading files whose kind and size nobody vouches for: cache entries, and every file a digest covers.

A file is opened without blocking and must be a regular file once open (a FIFO, a device or a
socket is named, never read); it is read in chunks of CHUNK bytes, and never past a limit when
one is given, so a file's size never decides how much memory a run takes. `walk` lists a tree
the way the content loader does: a link to a file is followed, a link to a folder is named and
not followed (the loader refuses it), and hidden names are left out.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

CHUNK = 1 << 20
"""How much of a file is in memory at once while it is digested: 1 MiB."""
DEBUG = "HANDOUTGEN_DEBUG"
"""The environment variable that turns on debug notes (the CLI sets it for --debug)."""
DEBUG_ON, DEBUG_OFF = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class Refused(OSError):
    """A path that is there but is not a regular file (or is a link where none is followed)."""


def not_regular(mode: int) -> str | None:
    """Name what a file is when it is not a regular file, else return None."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def open_regular(path: str | Path, follow: bool = True) -> tuple[int, os.stat_result]:
    """Open a regular file for reading; return the descriptor and its status, or raise Refused or OSError.

    The path is looked at before it is opened (a device is never opened) and the open file after,
    so that a file swapped for a FIFO in between still cannot block. With `follow` False, a
    symbolic link is refused however it is reached (O_NOFOLLOW).
    """
    kind = not_regular(os.stat(path, follow_symlinks=follow).st_mode)
    if kind:
        raise Refused(f"is {kind}, not a regular file")
    try:
        fd = os.open(path, _FLAGS | (0 if follow else getattr(os, "O_NOFOLLOW", 0)))
    except OSError as error:
        if error.errno == errno.ELOOP and not follow:
            raise Refused("is a symbolic link, not a regular file") from None
        raise
    try:
        info = os.fstat(fd)
        kind = not_regular(info.st_mode)
        if kind:
            raise Refused(f"is {kind}, not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def read_at_most(fd: int, limit: int) -> bytes | None:
    """Return the bytes of an open file, or None when it holds more than `limit` (reading at most limit + 1)."""
    chunks, size = [], 0
    while size <= limit:
        chunk = os.read(fd, min(CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return None if size > limit else b"".join(chunks)


def feed_file(update, path: str | Path) -> None:
    """Pass a regular file's bytes to `update` CHUNK bytes at a time, then their count; raise Refused or OSError."""
    fd, _ = open_regular(path)
    try:
        size = 0
        while chunk := os.read(fd, CHUNK):
            update(chunk)
            size += len(chunk)
        update(b"\0" + size.to_bytes(8, "big"))  # the length after the bytes: no two files read the same
    finally:
        os.close(fd)


def walk(root: Path, rel: str = "") -> Iterator[tuple[str, str, str]]:
    """Yield (name under `root`, what it is, its path) for everything below `root`, sorted by name.

    What it is: "file" (a regular file, or a link to one, to be read), "folder", "folder link"
    (a link to a folder: named, never walked), "broken link", "unreadable folder", or the kind of
    a special file. Names starting with "." and __pycache__ folders are left out at every level.
    """
    try:
        with os.scandir(root) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError as error:
        yield rel or ".", f"unreadable folder ({errno.errorcode.get(error.errno, error.errno)})", str(root)
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        name = f"{rel}/{entry.name}" if rel else entry.name
        try:
            if entry.is_symlink():
                target = os.readlink(entry.path)
                try:
                    mode = os.stat(entry.path).st_mode
                except OSError:
                    yield name, f"broken link to {target}", entry.path
                    continue
                if stat.S_ISDIR(mode):
                    yield name, f"folder link to {target}", entry.path
                else:  # a link to a file is read as that file, as the loader reads it
                    yield name, not_regular(mode) or "file", entry.path
            elif entry.is_dir(follow_symlinks=False):
                yield name, "folder", entry.path
                yield from walk(Path(entry.path), name)
            else:
                mode = entry.stat(follow_symlinks=False).st_mode
                yield name, not_regular(mode) or "file", entry.path
        except OSError as error:  # vanished or unreadable while listed: named as such, never skipped silently
            yield name, f"unreadable ({errno.errorcode.get(error.errno, error.errno)})", entry.path


def debug_on() -> bool:
    """Return whether debug notes are wanted (HANDOUTGEN_DEBUG=1; the CLI sets it for --debug)."""
    return os.environ.get(DEBUG, "").strip().lower() in DEBUG_ON


def debug(message: str) -> None:
    """Print one line on stderr when debug notes are wanted; every character shows, none can break the line."""
    if debug_on():
        print("debug: " + "".join(c if c.isprintable() else repr(c)[1:-1] for c in message), file=sys.stderr)
