"""Read YAML 1.2 files strictly, keeping the line and column of every value.

PyYAML reads YAML 1.1 (`no` becomes false) and keeps the last of two duplicate keys;
ruamel.yaml parses YAML 1.2. We use its composer only, then build plain values
ourselves so that every key and item keeps its position, duplicate keys, anchors,
aliases and tags are refused, and dates stay text for the schema to check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem

MAX_BYTES = 1_000_000
CORE_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}

Loc = tuple[str | int, ...]


@dataclass
class Document:
    """A YAML file read into plain values, with the position of every key and item."""

    path: Path
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    text: str = ""

    def position(self, loc: Loc) -> tuple[int, int]:
        """Return (line, column) of the deepest part of `loc` present in the file."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.positions:
                return self.positions[loc[:end]]
        return (1, 1)

    def problem(self, loc: Loc, message: str) -> Problem:
        """Return a problem located at `loc`."""
        line, column = self.position(loc)
        return Problem(self.path, line, column, format_loc(loc), message)


def format_loc(loc: Loc) -> str:
    """Format a key path as `sections[2].heading`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Refused(Exception):
    def __init__(self, node: Node, message: str):
        self.node, self.message = node, message


def read_yaml(path: Path, allow_empty: bool = False) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file; return the document, or None with the problems found.

    With `allow_empty`, a file of only comments reads as an empty mapping (a strings file that
    `translate` started with every string commented out).
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None, [Problem(path, 0, 0, "", "file is missing")]
    except OSError as error:
        return None, [Problem(path, 0, 0, "", f"cannot read file: {error.strerror}")]
    if size > MAX_BYTES:
        return None, [Problem(path, 0, 0, "", f"file is {size:,} bytes; the limit is {MAX_BYTES:,} (1 MB)")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [Problem(path, line, column, "",
                              f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8")]
    return parse_yaml(text.removeprefix("\ufeff"), path, allow_empty)


def parse_yaml(text: str, path: Path, allow_empty: bool = False) -> tuple[Document | None, list[Problem]]:
    """Parse YAML text read from `path` (a file, or an old version of one from git)."""
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        if allow_empty:
            return Document(path, {}, text=text), []
        return None, [Problem(path, 0, 0, "", "file is empty")]
    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = (error.problem or error.context or "invalid YAML").strip()
        if "'\\t'" in message:
            message = "a tab character is not allowed here; indent with spaces"
        return None, [Problem(path, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, "",
                              f"invalid YAML: {message}")]
    doc = Document(path, None, text=text)
    try:
        doc.data = _build(node, (), doc.positions)
    except _Refused as refused:
        mark = refused.node.start_mark
        return None, [Problem(path, mark.line + 1, mark.column + 1, "", refused.message)]
    return doc, []


def _tag(node: Node) -> str:
    tag = node.tag
    return getattr(tag, "value", tag) or ""


def _build(node: Node, loc: Loc, positions: dict) -> Any:
    if node.anchor is not None or getattr(node, "anchor", None):
        raise _Refused(node, "anchors and aliases (&name, *name) are not allowed; write the text out")
    if _tag(node) not in CORE_TAGS:
        raise _Refused(node, f"YAML tags such as {_tag(node)!r} are not allowed")
    positions.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _Refused(key_node, "a key must be plain text")
            key = str(key_node.value)
            if key == "<<":
                raise _Refused(key_node, "merge keys (<<) are not allowed")
            if key in out:
                first = positions[loc + (key,)]
                raise _Refused(key_node, f"duplicate key {key!r} (first at line {first[0]})")
            positions[loc + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _build(value_node, loc + (key,), positions)
        return out
    if isinstance(node, SequenceNode):
        return [_build(item, loc + (i,), positions) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: ScalarNode) -> Any:
    """Return a scalar by the YAML 1.2 core schema; timestamps stay text."""
    tag, value = _tag(node), node.value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag == "tag:yaml.org,2002:float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value
