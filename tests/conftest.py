"""Shared fixtures: content trees built from dicts, one real build shared by the PDF tests."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from handoutgen.paths import CONTENT

PROJECT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """Stop at once, in one line, when the system libraries WeasyPrint needs are missing.

    The run gets a cache folder of its own (parsed YAML, font maps, check reports), so that the
    suite neither reads nor fills the user's cache, and a temporary folder of its own; both are
    removed at the end.
    """
    from handoutgen.system import missing_message, missing_packages

    missing = missing_packages()
    if missing:
        pytest.exit(missing_message(missing), returncode=1)
    # A temporary folder of the run's own, for WeasyPrint's font copies as for every test's files: no test
    # then sees what other processes on the machine leave in the shared one (the font-folder test counts them).
    config._handoutgen_tmp = tempfile.mkdtemp(prefix="handoutgen-tests-")
    os.environ["TMPDIR"] = tempfile.tempdir = config._handoutgen_tmp
    if "HANDOUTGEN_CACHE" not in os.environ:
        os.environ["HANDOUTGEN_CACHE"] = config._handoutgen_cache = tempfile.mkdtemp(prefix="handoutgen-cache-")


def pytest_unconfigure(config):
    for name in ("_handoutgen_cache", "_handoutgen_tmp"):
        folder = getattr(config, name, None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def make_content(root: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    """Copy the real content tree to `root`, then write (or, for None, delete) the given files."""
    content = root / "handouts"
    shutil.copytree(CONTENT, content)
    for name, text in (files or {}).items():
        path = content / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return content


@pytest.fixture
def content_tree(tmp_path):
    """Return a function that makes a content tree in a temporary folder."""
    return lambda files=None: make_content(tmp_path, files)


@pytest.fixture(autouse=True)
def fail_on_weasyprint_warnings(caplog):
    """Fail any test during which WeasyPrint logs a warning: a template mistake must not slip by."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert not warnings, f"WeasyPrint warned: {warnings}"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build every handout once, with the bundled clinic, on Letter paper; return the output folder."""
    from handoutgen.cli import main

    out = tmp_path_factory.mktemp("build")
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        assert main(["build", "--out", str(out)]) == 0
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    assert not records, [r.getMessage() for r in records]
    return out
