"""What the machine must provide: the system libraries WeasyPrint draws with, and version facts.

Fonts come from Python packages, but WeasyPrint needs Pango, HarfBuzz (with its subsetter) and
fontconfig from the system. Without them it fails deep inside a build, or only warns and embeds
whole fonts; so the build and the test suite ask first and name the packages to install.
"""

from __future__ import annotations

import ctypes.util
import datetime as dt
import hashlib
import os
import re
from importlib import metadata
from pathlib import Path

from .errors import UserError

LIBRARIES = {"pango-1.0": "libpango-1.0-0", "pangoft2-1.0": "libpangoft2-1.0-0", "harfbuzz": "libharfbuzz0b",
             "harfbuzz-subset": "libharfbuzz-subset0", "fontconfig": "libfontconfig1"}
"""Each shared library WeasyPrint loads, and the Debian package that ships it."""


def missing_packages() -> list[str]:
    """Return the Debian packages whose libraries this machine lacks (empty when all are there)."""
    return [package for library, package in LIBRARIES.items() if ctypes.util.find_library(library) is None]


def missing_message(packages: list[str]) -> str:
    """Say in one line what to install."""
    return (f"WeasyPrint needs system libraries this machine lacks; on Debian or Ubuntu run: "
            f"apt-get install {' '.join(packages)}")


def content_version(content: Path) -> str:
    """Return a short digest of every file in the content folder: it changes whenever the content does.

    Files are read a chunk at a time (`untrusted.walk`, as the run key reads them), so a stray
    file of any size costs time, never memory.
    """
    from .untrusted import feed_file, walk

    digest = hashlib.sha256()
    for name, what, path in walk(content):
        digest.update(f"{what} {name}".encode("utf-8", "surrogateescape") + b"\0")
        if what == "file":
            try:
                feed_file(digest.update, path)
            except OSError as error:
                digest.update(f"unreadable {error.errno}".encode())
    return digest.hexdigest()[:12]


def versions(content: Path) -> str:
    """Return the versions `generate.py --version` prints."""
    return (f"handoutgen {metadata.version('handoutgen')}, WeasyPrint {metadata.version('weasyprint')}, "
            f"content {content_version(content) if content.is_dir() else '(no content folder)'}")


EPOCH_EXAMPLE = 1767225600
"""2026-01-01 00:00 UTC: the example the error messages give."""
LAST_EPOCH = 253402300799
"""The last second a date can show: 9999-12-31 23:59:59 UTC."""


def _shown(value: str) -> str:
    """Return a value of the environment quoted for a one-line message, cut short when it is long."""
    return repr(value if len(value) <= 40 else value[:40] + "...")


def source_date() -> dt.date | None:
    """Return the date SOURCE_DATE_EPOCH gives (the reproducible-builds convention), None when it is unset.

    The value must be a whole number of seconds since 1970 in ASCII digits, as `date +%s` or
    `git log -1 --format=%ct` print it; anything else is a UserError of one line naming it.
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return None
    name = f"SOURCE_DATE_EPOCH={_shown(raw)}"
    if re.fullmatch(r"-[0-9]+", raw, re.ASCII):
        raise UserError(f"{name} is before 1970: give a number of seconds since 1970, such as {EPOCH_EXAMPLE}, "
                        f"or unset it")
    if not re.fullmatch(r"[0-9]+", raw, re.ASCII):
        raise UserError(f"{name} is not a number of seconds since 1970: unset it or give one such as "
                        f"{EPOCH_EXAMPLE}")
    seconds = int(raw) if len(raw) <= 20 else LAST_EPOCH + 1  # int() refuses very long numbers itself
    if seconds > LAST_EPOCH:
        hint = (f"; it looks like milliseconds: divide by 1000 ({seconds // 1000})"
                if seconds // 1000 <= LAST_EPOCH else "")
        raise UserError(f"{name} is after the year 9999: give a number of seconds since 1970, such as "
                        f"{EPOCH_EXAMPLE}, or unset it{hint}")
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()


def today() -> dt.date:
    """Return today's date, or the one in SOURCE_DATE_EPOCH for a reproducible build."""
    return source_date() or dt.date.today()


def check_environment() -> None:
    """Raise a one-line UserError for a value of the environment we read that we cannot use.

    SOURCE_DATE_EPOCH must be a date (`source_date`); HANDOUTGEN_DEBUG on or off. The cache's
    variables (HANDOUTGEN_CACHE, XDG_CACHE_HOME) never stop a run: a folder that cannot be a
    cache turns caching off, with a note under --debug (`cache.directory`).
    """
    from .untrusted import DEBUG, DEBUG_OFF, DEBUG_ON

    source_date()
    flag = os.environ.get(DEBUG)
    if flag is not None and flag.strip().lower() not in DEBUG_ON | DEBUG_OFF:
        raise UserError(f"{DEBUG}={_shown(flag)} is neither on nor off: set it to 1 for debug notes, "
                        f"or to 0 or unset it")
