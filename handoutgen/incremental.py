"""Incremental builds: a PDF whose inputs have not changed is not rendered again.

A target's key is a digest of everything that makes its bytes: the HTML, the stylesheets and
their icons, the fonts it may use, WeasyPrint's version, and our own rendering, tagging and verifying code. The
manifest beside the outputs records each PDF's key and the SHA-256 of its bytes, so a fresh
`--out` is a cold build, and a PDF changed or deleted by hand is rendered again.

A whole run has a key too, made from the command line's arguments before anything is read:
`build` does nothing when its key and output files are as the last run left them, and `check`
replays the report it made for the same key (kept in `cache.py`'s folder).
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

from . import fonts
from .paths import MANIFEST, STYLES

RENDERING_MODULES = ("pdf.py", "fieldfont.py", "pdfua.py", "tounicode.py", "render.py", "verify.py", "numbers.py")
"""Our code that shapes or judges a PDF's bytes: a change to it renders everything again."""


@cache
def renderer_id() -> str:
    """Return a digest of the tools and code that turn HTML into a verified PDF."""
    digest = hashlib.sha256()
    for package in ("weasyprint", "pydyf", "fonttools", "pypdfium2"):
        digest.update(f"{package}={metadata.version(package)};".encode())
    here = Path(__file__).parent
    for name in RENDERING_MODULES:
        digest.update((here / name).read_bytes())
    for face in fonts.faces():
        digest.update(f"{face.family}:{face.path.name}:{face.path.stat().st_size};".encode())
    for icon in sorted((STYLES / "icons").glob("*.svg")):  # drawn by the stylesheets, so part of every page
        digest.update(icon.name.encode() + icon.read_bytes())
    return digest.hexdigest()


def target_key(html: str, *stylesheets: str, families: tuple[str, ...], paper: str, edition: str) -> str:
    """Return the key of one target: it changes whenever anything that makes its PDF changes."""
    digest = hashlib.sha256(renderer_id().encode())
    for part in (html, *stylesheets, ",".join(families), paper, edition):
        digest.update(hashlib.sha256(part.encode()).digest())
    return digest.hexdigest()[:32]


def file_digest(path: Path) -> str | None:
    """Return the SHA-256 of a regular file's bytes, read a chunk at a time; None when it cannot be read."""
    from .untrusted import CHUNK, open_regular

    try:
        fd, _ = open_regular(path)
    except OSError:
        return None
    digest = hashlib.sha256()
    try:
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return digest.hexdigest()


def unchanged(entry: dict | None, key: str, path: Path) -> bool:
    """Return whether the PDF at `path` was built from this key and is still as it was written."""
    if not (isinstance(entry, dict) and entry.get("key") == key and isinstance(entry.get("sha256"), str)
            and type(entry.get("bytes")) is int):
        return False  # a manifest entry damaged or written by something else: render again
    return path.is_file() and path.stat().st_size == entry["bytes"] and file_digest(path) == entry["sha256"]


# --- A whole run with nothing changed ---------------------------------------------------------
# Each PDF's key needs its HTML, so comparing keys means reading the content and making every
# page: seconds, growing with the locales. A run whose inputs (content, clinic and logo, styles,
# templates, our code, installed libraries, options and date) all hash as the last successful run
# did, into a folder whose files are all as that run left them, has nothing to do at all.

def run_key(roots: list[Path], options: str) -> str:
    """Return the digest of a run's inputs: the files under `roots`, our code and libraries, and `options`."""
    from . import cache
    from .paths import TEMPLATES

    return cache.digest(cache.code_digest(), cache.tree_digest(*roots, STYLES, TEMPLATES), options)


def output_files(out: Path) -> dict[str, list]:
    """Return every file a build left in `out` (the manifest, the lock and hidden files aside): size and SHA-256."""
    found = {}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if path.is_file() and name != MANIFEST and not any(p.startswith(".") for p in path.relative_to(out).parts):
            found[name] = [path.stat().st_size, file_digest(path)]
    return found


def last_run_holds(out: Path, key: str) -> dict | None:
    """Return the record of the last run into `out` when it had this key and its files are all still as written.

    The record is read as untrusted JSON: any other shape is no record at all, so a full build follows.
    """
    import json

    try:
        record = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("last_run")
    except (OSError, ValueError, AttributeError, RecursionError):
        return None
    if not isinstance(record, dict) or record.get("key") != key or not isinstance(record.get("files"), dict):
        return None
    files = record["files"]
    if not all(isinstance(facts, list) and len(facts) == 2 and type(facts[0]) is int for facts in files.values()) \
            or not isinstance(record.get("warnings", []), list) \
            or not all(isinstance(line, str) for line in record.get("warnings", [])):
        return None
    for name, (size, _) in files.items():
        path = out / name
        if not path.is_file() or path.stat().st_size != size:
            return None
    return record if output_files(out) == files else None


# --- Keys of whole runs, from the command line's arguments -----------------------------------

def check_key(args) -> str | None:
    """Return a digest of everything a check reads (content, clinic, its logo, our code, libraries), or None."""
    from . import cache
    from .system import check_environment

    check_environment()  # a bad SOURCE_DATE_EPOCH or HANDOUTGEN_DEBUG: one clear line, before anything is read
    roots = input_roots(args)
    if roots is None or cache.directory() is None:
        return None
    try:  # problems name files relative to the working folder, so it is part of the key
        return cache.digest(cache.code_digest(), cache.tree_digest(*roots), repr(sorted(vars(args).items())),
                            os.getcwd())
    except OSError:
        return None


def input_roots(args) -> list[Path] | None:
    """Return the files and folders a run reads: content, clinic profile, its logo; None when one is unreadable.

    The clinic profile is marked to be read afresh for the rest of the process: its numbers are
    what every page promises and `verify` checks, so they never come from a cache.
    """
    from . import cache
    from .source import read_yaml

    if args.clinic:
        cache.read_afresh(args.clinic)
    try:  # a name the system refuses (too long, a link loop) is a problem for the run to report, not here
        if not args.content.is_dir():
            return None
        roots = [args.content]
        if args.clinic:
            if not args.clinic.is_file():
                return None
            roots.append(args.clinic)
            doc, _ = read_yaml(args.clinic)
            logo = doc.data.get("logo") if doc is not None and isinstance(doc.data, dict) else None
            if logo is not None:
                if not isinstance(logo, str) or not (args.clinic.resolve().parent / logo).is_file():
                    return None  # a logo that is not there is a problem to find afresh
                roots.append(args.clinic.resolve().parent / logo)
    except (OSError, ValueError, RuntimeError):
        return None
    return roots


def run_key_of(args, on) -> str | None:
    """Return the digest of a build's inputs and options (workers and --force aside), or None when unreadable."""
    from .system import check_environment

    check_environment()
    roots = input_roots(args)
    if roots is None:
        return None
    options = {k: v for k, v in vars(args).items() if k not in {"jobs", "force", "debug"}}
    try:
        return run_key(roots, repr((sorted(options.items()), str(args.out.resolve()), on.isoformat(), os.getcwd())))
    except OSError:
        return None


def nothing_to_do(out: Path, key: str) -> bool:
    """Say so and return True when the last run into `out` had the same inputs and left every file as it is."""
    record = last_run_holds(out, key)
    if record is None:
        return False
    for message in record.get("warnings", []):
        print(f"warning: {message}", file=sys.stderr)
    print(f"Nothing changed since the last build (content, clinic, code, options and date): its "
          f"{record.get('pdfs', 0)} PDFs ({record.get('pages', 0)} pages) and site in {out}/ are up to date. "
          f"--force renders everything again.")
    return True
