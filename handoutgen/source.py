"""Read YAML 1.2 files strictly, keeping the line and column of every value.

PyYAML reads YAML 1.1 (`no` becomes false) and keeps the last of two duplicate keys;
ruamel.yaml parses YAML 1.2. We use its composer only, then build plain values
ourselves so that every key and item keeps its position, duplicate keys, anchors,
aliases and tags are refused, and dates stay text for the schema to check.

Only regular files are read, and never more than MAX_BYTES of them: a FIFO, a device, a folder
or a link loop is a problem to report, never a hang. Every text value (YAML escapes such as
"\u202E" included) is checked for control and bidi characters, which can hide or reorder text.
"""

from __future__ import annotations

import functools
import os
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cache
from .errors import Problem
from .untrusted import not_regular as _not_regular

if TYPE_CHECKING:
    from ruamel.yaml.nodes import Node, ScalarNode

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
"""The deepest nesting of mappings and lists a file may have; content needs about eight."""
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
    scalars: list[tuple[Loc, str, int, int]] = field(default_factory=list)
    """Every text scalar, keys included, as (loc, value, start, end): where its source lies in `text`."""

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

    def char_position(self, start: int, end: int, char: str) -> tuple[int, int]:
        """Return (line, column) of `char` in the source of a scalar, or of the scalar when it is escaped."""
        index = self.text.find(char, start, end)
        return self.index_position(index if index >= 0 else start)

    def index_position(self, index: int) -> tuple[int, int]:
        """Return (line, column) of a character index into `text`."""
        return self.text.count("\n", 0, index) + 1, index - (self.text.rfind("\n", 0, index) + 1) + 1


def format_loc(loc: Loc) -> str:
    """Format a key path as `sections[2].heading`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Refused(Exception):
    def __init__(self, node: Node, message: str):
        self.node, self.message = node, message


class FileRefused(Exception):
    """A path that is not a readable regular file of a sane size; the message says why."""


def read_file(path: Path, limit: int = MAX_BYTES) -> bytes:
    """Return the bytes of a regular file (links followed) of at most `limit` bytes, or raise FileRefused."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileRefused("is a link to nothing: the file it points to does not exist" if os.path.islink(path)
                          else "file is missing") from None
    except OSError as error:
        raise FileRefused(_os_reason(error)) from None
    kind = _not_regular(info.st_mode)
    if kind:
        raise FileRefused(f"is {kind}, not a regular file; only regular files are read")
    if info.st_size > limit:
        raise FileRefused(f"file is {info.st_size:,} bytes; the limit is {limit:,} ({limit // 1_000_000} MB)")
    try:  # O_NONBLOCK: should the file be swapped for a FIFO after the stat, opening it still cannot hang
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise FileRefused(_os_reason(error)) from None
    try:
        kind = _not_regular(os.fstat(fd).st_mode)
        if kind:
            raise FileRefused(f"is {kind}, not a regular file; only regular files are read")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise FileRefused(_os_reason(error)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise FileRefused(f"file is over {limit:,} bytes; the limit is {limit:,} ({limit // 1_000_000} MB)")
    return b"".join(chunks)


def _os_reason(error: OSError) -> str:
    """Say in plain words why the system would not let us read a file."""
    import errno

    if error.errno == errno.ELOOP:
        return "is a symbolic link that loops back on itself; point it at a real file"
    if isinstance(error, PermissionError):
        return "cannot read file: permission denied; make it readable (chmod a+r)"
    return f"cannot read file: {error.strerror or error}"


def read_yaml(path: Path, allow_empty: bool = False, use_cache: bool = True
              ) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file; return the document, or None with the problems found.

    With `allow_empty`, a file of only comments reads as an empty mapping (a strings file that
    `translate` started with every string commented out). With `use_cache` False the file is
    parsed from its bytes, whatever the cache holds (as for every file `cache.read_afresh` names).
    """
    try:
        raw = read_file(path)
    except FileRefused as refused:
        return None, [Problem(path, 0, 0, "", str(refused))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [Problem(path, line, column, "",
                              f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8")]
    text = text.removeprefix("\ufeff")
    key = cache.digest(_parser_digest(), str(allow_empty), raw)
    hit = cache.load("yaml", str(path.resolve()), key, _cached_shape(len(text))) if use_cache else None
    if hit is not None:
        return _from_cache(path, text, hit), []
    doc, problems = parse_yaml(text, path, allow_empty)
    if doc is not None:  # only what parsed cleanly is kept: a problem is always found afresh
        cache.store("yaml", str(path.resolve()), key, _to_cache(doc))
    return doc, problems


@functools.cache
def _parser_digest() -> str:
    """Return a digest of this parser: its code and ruamel.yaml's version, which make a cached parse."""
    from importlib.metadata import version

    return cache.digest(Path(__file__).read_bytes(), version("ruamel.yaml"))


def _to_cache(doc: Document) -> dict[str, Any]:
    """Return what `read_yaml` keeps of a parse: its values, every position and every text scalar, as JSON."""
    return {"data": doc.data, "positions": [[list(loc), *at] for loc, at in doc.positions.items()],
            "scalars": [[list(loc), *rest] for loc, *rest in doc.scalars]}


def _cached_shape(length: int):
    """Return a check that a cached parse has the shape `_to_cache` gives, its offsets inside a text of `length`."""
    def loc(value: Any) -> bool:
        return isinstance(value, list) and all(type(part) is str or type(part) is int for part in value)

    def whole(value: Any) -> bool:
        return type(value) is int and value >= 0

    def valid(hit: Any) -> bool:
        return (isinstance(hit, dict) and set(hit) == {"data", "positions", "scalars"}
                and isinstance(hit["positions"], list) and isinstance(hit["scalars"], list)
                and all(isinstance(p, list) and len(p) == 3 and loc(p[0]) and whole(p[1]) and whole(p[2])
                        for p in hit["positions"])
                and all(isinstance(s, list) and len(s) == 4 and loc(s[0]) and isinstance(s[1], str)
                        and whole(s[2]) and whole(s[3]) and s[2] <= s[3] <= length for s in hit["scalars"]))
    return valid


def _from_cache(path: Path, text: str, hit: dict[str, Any]) -> Document:
    """Rebuild a Document from what `read_yaml` kept in the cache (its shape checked by `_cached_shape`)."""
    return Document(path, hit["data"], {tuple(loc): (line, column) for loc, line, column in hit["positions"]},
                    text, [(tuple(loc), value, start, end) for loc, value, start, end in hit["scalars"]])


def parse_yaml(text: str, path: Path, allow_empty: bool = False) -> tuple[Document | None, list[Problem]]:
    """Parse YAML text read from `path` (a file, or an old version of one from git)."""
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        if allow_empty:
            return Document(path, {}, text=text), []
        return None, [Problem(path, 0, 0, "", "file is empty")]
    from ruamel.yaml import YAML  # here, not at the top: a cached read needs no parser
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    try:
        with warnings.catch_warnings():  # ruamel warns of a reused anchor on stderr; every anchor is refused below
            warnings.simplefilter("ignore")
            node = yaml.compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = (error.problem or error.context or "invalid YAML").strip()
        if "'\\t'" in message:
            message = "a tab character is not allowed here; indent with spaces"
        return None, [Problem(path, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, "",
                              f"invalid YAML: {message}")]
    except ReaderError as error:  # a character YAML forbids outright, such as NUL or DEL
        doc = Document(path, None, text=text)
        line, column = doc.index_position(error.position)
        char = text[error.position] if 0 <= error.position < len(text) else chr(error.character)
        return None, [Problem(path, line, column, "", char_message(char))]
    except RecursionError:
        return None, [_too_deep(yaml, text, path)]
    except YAMLError as error:
        return None, [Problem(path, 0, 0, "", f"invalid YAML: {error}")]
    if node is None:  # nothing but a byte order mark or a directive: no document at all
        return (Document(path, {}, text=text), []) if allow_empty else (None, [Problem(path, 0, 0, "", "file is empty")])
    doc = Document(path, None, text=text)
    try:
        doc.data = _build(node, (), doc)
    except _Refused as refused:
        mark = refused.node.start_mark
        return None, [Problem(path, mark.line + 1, mark.column + 1, "", refused.message)]
    problems = character_problems(doc)
    return (None, problems) if problems else (doc, [])


def _too_deep(yaml: Any, text: str, path: Path) -> Problem:
    """Locate where a file nests deeper than MAX_DEPTH, reading its events without recursion."""
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = 0
    try:
        for event in yaml.parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return Problem(path, mark.line + 1, mark.column + 1, "", _deep_message())
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except (YAMLError, RecursionError):
        pass
    return Problem(path, 0, 0, "", _deep_message())


def _deep_message() -> str:
    """Say that a file nests too deeply."""
    return f"nested more than {MAX_DEPTH} levels deep; content files need far fewer: check the indentation"


# --- Characters that must never reach a page -------------------------------------------------

BIDI_CONTROLS = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
"""Embeddings, overrides and isolates: they reorder the text around them, a phone number's digits too."""


def char_message(char: str) -> str | None:
    """Say why a character may not be in a text value, or return None when it may."""
    point = ord(char)
    if char in "\n\t":
        return None
    if point < 0x20 or point == 0x7F or 0x80 <= point <= 0x9F:
        name = {0: "NUL", 0x7F: "DEL"}.get(point, "C0" if point < 0x20 else "C1")
        return (f"character U+{point:04X} ({name}) is a control character and is not allowed: it is "
                f"invisible and can hide or cut text; delete it")
    if point in BIDI_CONTROLS:
        return (f"character U+{point:04X} ({unicodedata.name(char)}) is not allowed: it can reorder the "
                f"text around it, digits of a phone number too; delete it (the handouts set each language's "
                f"direction themselves; U+200E and U+200F direction marks are allowed)")
    if 0xD800 <= point <= 0xDFFF:
        return f"U+{point:04X} is half of a surrogate pair, not a character; write the character itself"
    return None


def character_problems(doc: Document) -> list[Problem]:
    """Return a problem for every control, bidi override or lone surrogate in a text value or key."""
    problems = []
    for loc, value, start, end in doc.scalars:
        for char in dict.fromkeys(value):
            message = char_message(char)
            if message:
                line, column = doc.char_position(start, end, char)
                problems.append(Problem(doc.path, line, column, format_loc(loc), message))
    return problems


def _tag(node: Node) -> str:
    tag = node.tag
    return getattr(tag, "value", tag) or ""


def _build(node: Node, loc: Loc, doc: Document, depth: int = 0) -> Any:
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    positions = doc.positions
    if node.anchor is not None or getattr(node, "anchor", None):
        raise _Refused(node, "anchors and aliases (&name, *name) are not allowed; write the text out")
    if _tag(node) not in CORE_TAGS:
        raise _Refused(node, f"YAML tags such as {_tag(node)!r} are not allowed")
    positions.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, MappingNode | SequenceNode) and depth >= MAX_DEPTH:
        raise _Refused(node, _deep_message())
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
            doc.scalars.append((loc, key, key_node.start_mark.index, key_node.end_mark.index))  # `where` shows no key
            out[key] = _build(value_node, loc + (key,), doc, depth + 1)
        return out
    if isinstance(node, SequenceNode):
        return [_build(item, loc + (i,), doc, depth + 1) for i, item in enumerate(node.value)]
    value = _scalar(node)
    if isinstance(value, str):
        doc.scalars.append((loc, value, node.start_mark.index, node.end_mark.index))
    return value


def _scalar(node: ScalarNode) -> Any:
    """Return a scalar by the YAML 1.2 core schema; timestamps stay text."""
    tag, value = _tag(node), node.value
    if node.style == ">":  # ruamel's round-trip scanner marks each fold with a BEL, which is not text
        value = value.replace("\a", "")
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
