"""A small disk cache for work whose result depends only on bytes we can hash.

Reading YAML with positions and reading a font's character map cost most of a `check`
(0.6 s and 0.1 s of about 1.2 s). Both results depend only on the file's bytes (and on our
parser), so they are kept as JSON, one slot per source file, under the user's cache folder:
`$HANDOUTGEN_CACHE`, else `$XDG_CACHE_HOME/handoutgen`, else `~/.cache/handoutgen`.
`HANDOUTGEN_CACHE=off` turns it off. A slot holds the digest of what it was made from; any
other digest is a miss, so a stale, foreign or damaged entry is never used, only replaced.
Nothing here is trusted as code: entries are JSON, and a cache that cannot be written is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

FORMAT = "1"
"""Bump when what a slot holds changes shape."""


def directory() -> Path | None:
    """Return the cache folder, or None when caching is turned off."""
    chosen = os.environ.get("HANDOUTGEN_CACHE")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "handoutgen"


def digest(*parts: bytes | str) -> str:
    """Return a hex digest of `parts`, each length-prefixed so that no two lists collide."""
    out = hashlib.sha256(FORMAT.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        out.update(len(data).to_bytes(8, "big") + data)
    return out.hexdigest()


def _slot_path(kind: str, slot: str) -> Path | None:
    folder = directory()
    return folder / kind / f"{digest(slot)[:32]}.json" if folder else None


def load(kind: str, slot: str, key: str) -> Any | None:
    """Return what `store` kept for `slot` under `key`, or None (a miss, a damaged entry, no cache)."""
    path = _slot_path(kind, slot)
    if path is None:
        return None
    try:
        entry = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return entry.get("value") if isinstance(entry, dict) and entry.get("key") == key else None


def store(kind: str, slot: str, key: str, value: Any) -> None:
    """Keep `value` for `slot` under `key`, replacing the slot's previous entry; never fail a run for it."""
    path = _slot_path(kind, slot)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps({"key": key, "value": value}, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)  # whole or not at all, also with parallel workers
    except (OSError, ValueError):
        pass


def tree_digest(*roots: Path) -> str:
    """Return a digest of every file under `roots` (names and bytes), hidden ones left out."""
    parts: list[bytes | str] = []
    for root in roots:
        files = [root] if root.is_file() else sorted(
            p for p in root.rglob("*") if p.is_file()
            and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(root).parts))
        for path in files:
            parts += [str(path), path.read_bytes()]
    return digest(*parts)


def code_digest() -> str:
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
    return digest(tree_digest(Path(__file__).parent), *installed)
