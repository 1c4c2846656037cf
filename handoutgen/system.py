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
from importlib import metadata
from pathlib import Path

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
    """Return a short digest of every file in the content folder: it changes whenever the content does."""
    digest = hashlib.sha256()
    for path in sorted(p for p in content.rglob("*") if p.is_file() and not p.name.startswith(".")):
        digest.update(path.relative_to(content).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def versions(content: Path) -> str:
    """Return the versions `generate.py --version` prints."""
    return (f"handoutgen {metadata.version('handoutgen')}, WeasyPrint {metadata.version('weasyprint')}, "
            f"content {content_version(content) if content.is_dir() else '(no content folder)'}")


def today() -> dt.date:
    """Return today's date, or the one in SOURCE_DATE_EPOCH for a reproducible build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()
