"""Problems found in content, profiles and options, reported as `file:line:col: where: what`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One problem a user must fix, located in a file."""

    file: Path
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based; 0 when unknown
    where: str  # the key path inside the file, such as `sections[2].heading`
    message: str

    def __str__(self) -> str:
        place = display_path(self.file)
        if self.line:
            place += f":{self.line}:{self.column}"
        where = f" {self.where}:" if self.where else ""
        return f"{place}:{where} {self.message}"


class UserError(Exception):
    """A user-facing error without a file position (a bad option, a missing folder)."""


def display_path(path: Path) -> str:
    """Return the path relative to the working directory when it lies below it."""
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    except (ValueError, OSError, RuntimeError):  # another drive on Windows; a symbolic link loop
        return str(path)


def listing(names: list[str], most: int = 6) -> str:
    """Return names joined by commas, the first `most` of them and how many more."""
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")
