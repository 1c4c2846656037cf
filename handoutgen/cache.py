"""A small disk cache for work whose result depends only on bytes we can hash; it can only ever be a miss.

Reading YAML with positions and reading a font's character map cost most of a `check`
(0.6 s and 0.1 s of about 1.2 s). Both results depend only on the file's bytes (and on our
parser), so they are kept as JSON, one slot per source file, under the user's cache folder:
`$HANDOUTGEN_CACHE`, else `$XDG_CACHE_HOME/handoutgen`, else `~/.cache/handoutgen`.
`HANDOUTGEN_CACHE=off` turns it off, and so does a path that is not a folder.

Every entry is read as untrusted input: a regular file (never a link, FIFO or device), of at
most MAX_ENTRY_BYTES, valid JSON, made for this key, carrying a digest of its own kind, slot,
key and value that matches, and of the shape its reader expects. Anything else is a miss,
said in one line under --debug (HANDOUTGEN_DEBUG=1), and the work is done afresh. The digest
catches damage, not forgery: anyone who can write to the cache folder can compute it too. So
what must never come from a cache is read afresh: `read_afresh` names such files (the clinic
profile, whose numbers every page promises), and `bypassed` turns every read off for a while.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .untrusted import Refused, debug, feed_file, open_regular, read_at_most, walk

FORMAT = "2"
"""Bump when what a slot holds changes shape."""
MAX_ENTRY_BYTES = 64_000_000
"""The largest entry read (64 MB): a parsed 1 MB YAML file takes about 10 MB; anything larger is a miss."""
_AFRESH: set[str] = set()
_BYPASSED = contextvars.ContextVar("handoutgen_cache_bypassed", default=False)
_NOTED: set[str] = set()


def _note_once(message: str) -> None:
    if message not in _NOTED:
        _NOTED.add(message)
        debug(message)


def directory() -> Path | None:
    """Return the cache folder, or None when caching is turned off or the folder cannot be one."""
    chosen = os.environ.get("HANDOUTGEN_CACHE")
    if chosen == "off":
        return None
    try:
        if chosen:
            folder = Path(chosen)
        else:
            base = os.environ.get("XDG_CACHE_HOME", "")
            if base and not os.path.isabs(base):  # the XDG rule: a relative path is ignored
                _note_once(f"XDG_CACHE_HOME={base!r} is not an absolute path: ignored")
                base = ""
            folder = (Path(base) if base else Path.home() / ".cache") / "handoutgen"
        if os.path.lexists(folder) and not folder.is_dir():
            _note_once(f"cache off: {folder} is not a folder"
                       + (" (HANDOUTGEN_CACHE)" if chosen else " (XDG_CACHE_HOME or ~/.cache)"))
            return None
    except (OSError, RuntimeError, ValueError) as error:  # RuntimeError: no home folder to be found
        _note_once(f"cache off: no cache folder ({error})")
        return None
    return folder


def digest(*parts: bytes | str) -> str:
    """Return a hex digest of `parts`, each length-prefixed so that no two lists collide."""
    out = hashlib.sha256(FORMAT.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        out.update(len(data).to_bytes(8, "big") + data)
    return out.hexdigest()


def read_afresh(path: Path | str) -> None:
    """Never answer from the cache for this file, in this process: it is parsed from its bytes every time."""
    try:
        _AFRESH.add(str(Path(path).resolve()))
    except (OSError, RuntimeError):  # a link loop: its read fails afresh anyway
        _AFRESH.add(str(path))


@contextmanager
def bypassed() -> Iterator[None]:
    """Within this block every `load` is a miss: what is read is read from the files themselves."""
    token = _BYPASSED.set(True)
    try:
        yield
    finally:
        _BYPASSED.reset(token)


def _slot_path(kind: str, slot: str) -> Path | None:
    folder = directory()
    return folder / kind / f"{digest(slot)[:32]}.json" if folder else None


def _entry_digest(kind: str, slot: str, key: str, value: Any) -> str:
    """Return the digest an entry carries: of its kind, slot, key and its value as canonical JSON."""
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return digest("entry", kind, slot, key, canonical.encode("utf-8", "surrogatepass"))


class _Ignored(Exception):
    """Why an entry is not used."""


def load(kind: str, slot: str, key: str, valid: Callable[[Any], bool] | None = None) -> Any | None:
    """Return what `store` kept for `slot` under `key`, or None: a miss, a damaged entry, no cache.

    `valid` (default: SHAPES[kind], when there is one) says whether a value has the shape its
    reader expects; one that has not, or that makes `valid` fail, is a miss like any other.
    """
    if _BYPASSED.get() or slot in _AFRESH:
        return None
    path = _slot_path(kind, slot)
    if path is None:
        return None
    try:
        entry = json.loads(_read_entry(path))
        if not isinstance(entry, dict) or set(entry) != {"key", "digest", "value"}:
            raise _Ignored("not an entry (a JSON object of key, digest and value)")
        if entry["key"] != key:
            return None  # made from other inputs: stale, not damaged
        if entry["digest"] != _entry_digest(kind, slot, key, entry["value"]):
            raise _Ignored("its digest does not match its content (damaged, or written by something else)")
        check = valid or SHAPES.get(kind)
        if check is not None and not check(entry["value"]):
            raise _Ignored(f"its value is not the shape a {kind} entry has")
        return entry["value"]
    except FileNotFoundError:
        return None
    except _Ignored as why:
        _ignored(kind, slot, path, str(why))
    except Refused as refused:
        _ignored(kind, slot, path, str(refused))
    except RecursionError:
        _ignored(kind, slot, path, "nested too deeply to read")
    except (OSError, ValueError) as error:  # ValueError: not JSON, not UTF-8
        _ignored(kind, slot, path, f"unreadable: {error}")
    except Exception as error:  # noqa: BLE001 - whatever a hostile entry makes a check raise is a miss
        _ignored(kind, slot, path, f"unreadable: {type(error).__name__}: {error}")
    return None


def _read_entry(path: Path) -> bytes:
    """Return an entry's bytes: a regular file, not a link, of at most MAX_ENTRY_BYTES; else raise."""
    fd, info = open_regular(path, follow=False)
    try:
        if info.st_size > MAX_ENTRY_BYTES:
            raise _Ignored(f"it is {info.st_size:,} bytes, over the limit of {MAX_ENTRY_BYTES:,}")
        data = read_at_most(fd, MAX_ENTRY_BYTES)
    finally:
        os.close(fd)
    if data is None:
        raise _Ignored(f"it is over the limit of {MAX_ENTRY_BYTES:,} bytes")
    return data


def _ignored(kind: str, slot: str, path: Path, why: str) -> None:
    debug(f"cache: ignored the {kind} entry {path} (for {slot}): {why}; working it out afresh")


def store(kind: str, slot: str, key: str, value: Any) -> None:
    """Keep `value` for `slot` under `key`, replacing the slot's previous entry; never fail a run for it.

    The entry is written to a new file of its own (never through a link someone left there),
    then renamed over the slot: whole or not at all, also with parallel workers.
    """
    path = _slot_path(kind, slot)
    if path is None:
        return
    partial = None
    try:
        data = json.dumps({"key": key, "digest": _entry_digest(kind, slot, key, value), "value": value},
                          ensure_ascii=False).encode("utf-8")
        if len(data) > MAX_ENTRY_BYTES:
            debug(f"cache: not keeping a {kind} entry of {len(data):,} bytes (for {slot}): over the limit")
            return
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not stat.S_ISDIR(os.lstat(path.parent).st_mode):
            raise Refused(f"{path.parent} is a symbolic link, not a folder")
        partial = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        with os.fdopen(os.open(partial, flags, 0o600), "wb") as out:
            out.write(data)
        os.replace(partial, path)  # a link at `path` is replaced, never followed
        partial = None
    except (OSError, ValueError, TypeError, RecursionError) as error:
        debug(f"cache: could not keep the {kind} entry for {slot}: {error}")
    finally:
        if partial is not None:
            try:
                partial.unlink()
            except OSError:
                pass


# --- The shapes of what each kind of entry holds, for those whose readers are not ours to change ------

def _is_check_report(value: Any) -> bool:
    """A `check` report (cli._check): {"lines": [[to_stderr, text], ...], "code": 0 or 1}."""
    return (isinstance(value, dict) and set(value) == {"lines", "code"} and type(value["code"]) is int
            and value["code"] in (0, 1) and isinstance(value["lines"], list)
            and all(isinstance(line, list) and len(line) == 2 and type(line[0]) is bool and isinstance(line[1], str)
                    for line in value["lines"]))


def _is_character_map(value: Any) -> bool:
    """A font's character map (fonts._coverage): runs [first, last] of code points, in order."""
    if not isinstance(value, list):
        return False
    last = -1
    for run in value:
        if not (isinstance(run, list) and len(run) == 2 and all(type(point) is int for point in run)
                and last < run[0] <= run[1] <= 0x10FFFF):
            return False
        last = run[1]
    return True


SHAPES: dict[str, Callable[[Any], bool]] = {"check": _is_check_report, "cmap": _is_character_map}
"""What `load` checks a value against when its caller gives no `valid` (YAML parses: source.py does)."""


# --- Digests of whole trees -------------------------------------------------------------------

def tree_digest(*roots: Path, portable: bool = False) -> str:
    """Return a digest of every file under `roots`: names, kinds, and bytes read a chunk at a time.

    Files are read as the content loader reads them: a link to a file as the file, a link to a
    folder only by name (the loader refuses it), a FIFO or device only by kind. Hidden names are
    left out. Memory stays at one chunk, whatever the size of a file. An unreadable file raises OSError.
    `portable`: each root is named by its place in `roots`, not its path, so that the same files in
    another folder (another CI job's checkout) give the same digest.
    """
    out = hashlib.sha256(FORMAT.encode())

    def part(text: str) -> None:
        data = text.encode("utf-8", "surrogateescape")
        out.update(len(data).to_bytes(8, "big") + data)

    for number, root in enumerate(roots):
        part(f"root {number if portable else root}")
        try:
            mode = os.stat(root).st_mode
        except FileNotFoundError:
            part("missing")
            continue
        if stat.S_ISDIR(mode):
            for name, what, path in walk(root):
                part(f"{what} {name}")
                if what == "file":
                    _feed(out, path)
        elif stat.S_ISREG(mode):
            part("file")
            _feed(out, root)
        else:
            part("special")
    return out.hexdigest()


def _feed(out, path: str | Path) -> None:
    try:
        feed_file(out.update, path)
    except Refused as refused:  # swapped for a FIFO since it was listed: named, not read
        out.update(str(refused).encode())


def code_digest(portable: bool = False) -> str:
    """Return a digest of handoutgen's own code and of every installed distribution's name and version.

    The names of the `*.dist-info` folders carry the versions, so listing them is enough, and far
    cheaper than asking importlib.metadata; any install or upgrade changes the digest.
    """
    import sys

    installed: list[str] = []
    for entry in sys.path:
        try:
            installed += sorted(name for name in os.listdir(entry or ".") if name.endswith(".dist-info"))
        except OSError:
            continue
    if portable:  # the same versions installed anywhere: one name each, wherever sys.path lists it
        installed = sorted(set(installed))
    return digest(tree_digest(Path(__file__).parent, portable=portable), *installed)
