"""Check a clinic's logo before anything draws it: one self-contained SVG or a small, whole PNG.

The logo goes on every cover as a data: URL, so it must not reach outside itself: an SVG
with a DOCTYPE, an entity or a reference to another file or address is refused, as is a
PNG too large to decode safely or one that does not decode at all.

An SVG's drawing cost is bounded too, since a small file can ask for a huge drawing: a <use>
draws its target again, as does each clip path, mask, marker or pattern an element points to (a
marker at every point of its path), so 1.6 KB of <use> elements nested 9 deep, 10 a level, draw
billions of shapes and a build with a cover would run for days. Before anything draws an SVG, it
is measured as WeasyPrint 70 would draw it, every reference expanded, each element measured once
per context (so the measuring takes milliseconds): the shapes drawn, path data and text (each
counted as often as it is drawn), nesting and id look-ups are bounded by the MAX_ constants below,
and a reference that leads back to itself is refused. What passes draws in seconds.
"""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path
from xml.etree.ElementTree import Element

from .source import FileRefused, read_file

MAX_BYTES = 1_000_000
MAX_SIDE = 4000
"""The widest and tallest PNG logo, in pixels: a cover needs a few hundred."""
MAX_SHAPES = 10_000
"""The most elements an SVG logo may draw, counting each as often as it is drawn, and once more when
WeasyPrint measures its outline first (opacity, a filter): a logo draws tens to hundreds, WeasyPrint
about 3,000 a second."""
MAX_DEPTH = 64
"""The deepest an SVG logo's elements may nest, counting the levels its references add: a logo needs a few."""
MAX_PATH_DATA = 200_000
"""The most characters of path data (<path d>, <polyline> and <polygon> points) an SVG logo may draw,
counted the same way: about a second's drawing."""
MAX_TEXT = 5_000
"""The most characters of text an SVG logo may draw, counted the same way: each costs a text layout,
a few thousand a second (a clinic's name has a few dozen)."""
MAX_LOOKUPS = 1_000_000
"""The most elements WeasyPrint may read to find those an SVG logo refers to by id, as it reads the whole
file for each (a logo of 2,000 elements with 100 gradients: 200,000), about 5 seconds' reading."""
SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)


def logo_problem(folder: Path, name: str) -> tuple[Path | None, str | None]:
    """Return the logo's resolved path, or None with a message saying why it cannot be used."""
    try:
        logo = (folder / name).resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop, before Python 3.13
        return None, "the logo is a symbolic link that loops back on itself; point it at a real file"
    suffix = logo.suffix.lower()
    if not logo.is_relative_to(folder):
        return None, "the logo must be in the profile's folder or below it"
    if suffix not in {".svg", ".png"}:
        return None, "the logo must be an .svg or .png file"
    try:
        data = read_file(logo, MAX_BYTES)
    except FileRefused as refused:
        reason = str(refused)
        if reason == "file is missing":
            return None, f"logo file not found: {logo}"
        if reason.startswith("cannot read file"):
            return None, reason.replace("cannot read file", "cannot read the logo", 1)
        return None, "the logo " + reason.removeprefix("file ")
    message = svg_problem(data) if suffix == ".svg" else png_problem(data)
    return (None, f"{logo.name}: {message}") if message else (logo, None)


def svg_problem(data: bytes) -> str | None:
    """Say why an SVG cannot be a logo: not XML, a DOCTYPE or entity, a reference outside itself, or too costly
    to draw (see _cost_problem)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        return "an SVG logo may not have a DOCTYPE (<!DOCTYPE ...>) nor the entities it declares; remove it"
    except EntitiesForbidden:
        return "an SVG logo may not declare entities (<!ENTITY ...>); remove them"
    except ExternalReferenceForbidden:
        return "an SVG logo may not refer to outside files or addresses; remove the reference"
    except (ParseError, ValueError) as error:
        return f"not a valid SVG file ({error}); save it again from a drawing program"
    if root.tag != f"{SVG_NS}svg":
        return "not a valid SVG file: its outermost element must be <svg> in the SVG namespace"
    if re.search(rb"<\?xml-stylesheet", data):
        return "an SVG logo may not link a stylesheet (<?xml-stylesheet ...?>); put the styles in the file"
    for element in root.iter():
        tag = _local(element.tag)
        if tag in {"script", "foreignObject"}:
            return f"an SVG logo may not contain <{tag}>; remove it"
        texts = list(element.attrib.items()) + ([("style", element.text or "")] if tag == "style" else [])
        for attribute, value in texts:
            if _local(attribute) == "href" and not value.strip().startswith("#"):
                return (f"<{tag}> refers to {value[:60]!r}: a logo must be one self-contained file; "
                        f"draw it into the SVG or remove the reference")
            if "@import" in value.lower():
                return "an SVG logo may not @import a stylesheet; put the styles in the file"
            for _, target in CSS_URL.findall(value):
                if not target.strip().startswith("#"):
                    return (f"<{tag}> refers to url({target[:60]!r}): a logo must be one self-contained file; "
                            f"only references inside it, such as url(#gradient), are allowed")
    return _cost_problem(root)


INHERITED = ("fill", "stroke", "marker", "marker-start", "marker-mid", "marker-end")
"""The properties that point at something drawn and pass on to an element's children."""
DRAWS = {"fill": "pattern", "stroke": "pattern", "clip-path": "path", "mask": "mask"} | dict.fromkeys(
    INHERITED[2:], "marker")
"""What each property draws when it points at one (WeasyPrint 70 takes `"path" in tag` for clip-path)."""
PAINTED = {"circle", "ellipse", "line", "path", "polyline", "polygon", "rect", "text", "tspan", "textPath"}
MARKED = {"line", "path", "polyline", "polygon"}
DEFINITIONS = {"defs", "clipPath", "filter", "image", "marker", "mask", "path", "pattern", "symbol"}
"""What WeasyPrint draws the children of only when something refers to it."""
TEXTS = {"text", "tspan", "textPath", "a"}
URL_ID = re.compile(r"url\(\s*['\"]?#([^'\")\s]+)")
COORDINATE = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[A-Za-z]")
Refs = frozenset[tuple[str, str]]  # (property, the id it points at); "href" for <use> and a pattern's template
Cost = tuple[int, int, int, int, int, int]  # shapes, path data, text, levels; shapes and path data outlined


class _TooCostly(Exception):
    """The SVG would cost too much to draw; the message says why, in words for a clinic's IT person."""


def _cost_problem(root: Element) -> str | None:
    """Say how an SVG would draw more than MAX_SHAPES, MAX_PATH_DATA or MAX_TEXT, nest deeper than MAX_DEPTH,
    look up more than MAX_LOOKUPS elements, or never finish drawing; None when it would not."""
    try:
        costs = _Measure(root).visit(root, frozenset(), 1)
    except _TooCostly as refused:
        return str(refused)
    for amount, limit, what in zip(costs, (MAX_SHAPES, MAX_PATH_DATA, MAX_TEXT), _WHAT):
        if amount > limit:
            return _too_much(what, limit, amount)
    return None


_WHAT = ("shapes", "characters of path data", "characters of text")
_ADVICE = "simplify or flatten it (export it as plain SVG)"


def _too_much(what: str, limit: int, amount: int | None = None) -> str:
    """Say that the logo draws too much of something; `amount` None: more than the limit, counting stopped."""
    said = f"more than {limit:,}" if amount is None else f"{amount:,}" if amount < 10**15 else f"more than {10**15:,}"
    return (f"the logo would draw {said} {what} once its <use> and other references are expanded; "
            f"at most {limit:,} are allowed: {_ADVICE}")


def _too_deep() -> _TooCostly:
    return _TooCostly(f"the logo nests its elements more than {MAX_DEPTH} levels deep, counting the levels its <use> "
                      f"and other references add; at most {MAX_DEPTH} are allowed: {_ADVICE}")


class _Measure:
    """Measure an SVG as WeasyPrint 70 draws it, once per element and inherited references (so in linear time)."""

    def __init__(self, root: Element) -> None:
        elements = list(root.iter())
        if len(elements) > MAX_SHAPES:
            raise _TooCostly(_too_much(_WHAT[0], MAX_SHAPES, len(elements)))
        self.root, self.ids = root, {e.get("id"): e for e in reversed(elements) if e.get("id")}  # the first of an id
        self.memo: dict[tuple[Element, Refs, bool], Cost] = {}
        self.open: set[tuple[Element, Refs, bool]] = set()
        self.refs: dict[Element, Refs] = {}
        self.outlined: set[Element] = set()  # drawn with opacity or a filter: WeasyPrint measures the outline first
        self.inherits: dict[Element, Refs] = {}  # what each element inherits where it stands in the file
        self.steps = self.declared = 0
        self.looked_up: set[str] = set()
        self.points: dict[Element, int] = {}  # numbers and letters in a marked path's data: at least its points
        rules = _style_rules(root)
        stack = [(root, frozenset(), 1)]
        while stack:
            element, inherits, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise _too_deep()
            self.inherits[element], self.refs[element] = inherits, self._references(element, rules)
            inner = self._inner(element, inherits)
            stack.extend((child, inner, depth + 1) for child in element)
        if len(self.looked_up) * len(elements) > MAX_LOOKUPS:
            raise _TooCostly(f"the logo refers by id to {len(self.looked_up):,} of its {len(elements):,} elements, "
                             f"and drawing it reads through the whole file to find each one: "
                             f"{len(self.looked_up) * len(elements):,} elements read; at most {MAX_LOOKUPS:,} "
                             f"are allowed: {_ADVICE}")

    def _references(self, element: Element, rules: dict[str, set[tuple[str, str]]]) -> Refs:
        """Return what an element points at and draws: its attributes, style attribute and <style> rules."""
        found = _urls(list(element.attrib.items()) + _declarations(element.get("style", "")))
        tag, id_ = _local(element.tag), element.get("id")
        for key in ("*", tag.lower(), f"#{id_}" * bool(id_), *(f".{c}" for c in element.get("class", "").split())):
            found |= rules.get(key, set())
        self.declared += len(found)  # bounds the work of gathering them: rules may add many to each element
        if self.declared > len(DRAWS) * MAX_SHAPES:
            raise _TooCostly(_too_much(_WHAT[0], MAX_SHAPES))
        if any(name in {"opacity", "filter"} for name, _ in found):
            self.outlined.add(element)
        href = (element.get("{http://www.w3.org/1999/xlink}href") or element.get("href") or "").strip()
        found.add(("href", href[1:]))
        self.looked_up |= {target for _, target in found if target in self.ids}
        return frozenset((name, target) for name, target in found if target in self.ids and (
            name in DRAWS and DRAWS[name] in _local(self.ids[target].tag).lower()
            or name == "href" and (tag == "use" or tag == "pattern" and not len(element))))

    def _inner(self, element: Element, inherits: Refs) -> Refs:
        """Return what an element's children inherit (the same object when it adds nothing)."""
        own = {ref for ref in self.refs[element] if ref[0] in INHERITED}
        return inherits | own if own - inherits else inherits

    def visit(self, element: Element, inherits: Refs, depth: int, referred: bool = False) -> Cost:
        """Return what drawing an element draws: shapes, path data, text, levels, and the shapes and path data
        inside it that WeasyPrint reads to measure an outline (through <g>, <use> and <marker> only)."""
        self.steps += 1
        if self.steps > MAX_SHAPES:
            raise _TooCostly(_too_much(_WHAT[0], MAX_SHAPES))
        key = (element, inherits, referred)
        if key in self.memo:
            if depth + self.memo[key][3] - 1 > MAX_DEPTH:
                raise _too_deep()
            return self.memo[key]
        if key in self.open:
            href = element.get("{http://www.w3.org/1999/xlink}href") or element.get("href")
            named = f' id="{element.get("id")}"' if element.get("id") else f' href="{href}"' if href else ""
            raise _TooCostly(f"the logo loops back on itself: <{_local(element.tag)}{named}> is drawn inside itself "
                             f"through a <use>, clip path, mask, marker or pattern, so the logo would never finish "
                             f"drawing; remove the reference that leads back")
        if depth > MAX_DEPTH:
            raise _too_deep()
        self.open.add(key)
        tag, inner, sized = _local(element.tag), self._inner(element, inherits), {"width", "height"} <= set(element.keys())
        drawn = element if referred or tag not in DEFINITIONS else []
        parts = [(1, self.visit(child, inner, depth + 1), child, True) for child in drawn]
        outline = [0, 0]  # what measuring outlines before drawing reads
        for name, id_ in sorted(inner | self.refs[element]):
            times, target = 1, self.ids[id_]
            if name.startswith("marker"):  # drawn at every point of the path
                if tag not in MARKED:
                    continue
                if element not in self.points:
                    self.points[element] = len(COORDINATE.findall(element.get("d" if tag == "path" else "points", "")))
                times = 2 if tag == "line" else self.points[element] // (1 if tag == "path" else 2) + 1
            elif name in {"fill", "stroke"} and tag not in PAINTED:
                continue
            used = name == "href" and tag == "use"
            parts.append((times, self.visit(target, inner | self.inherits[target] if used else self.inherits[target],
                                            depth + 1, True), target, used))
            if used and _local(target.tag) in {"svg", "symbol"} and not sized:  # measured as a <g>
                outline = [1 + parts[-1][1][4], parts[-1][1][5]]
        inside = [(n * (1 + p[4] * walked), n * (_data(e) + p[5] * walked)) for n, p, e, counts in parts if counts
                  for walked in [_local(e.tag) in {"g", "use", "marker"}]]
        shapes, path_data = sum(n for n, _ in inside), sum(d for _, d in inside)
        if element in self.outlined or tag == "svg" and element is not self.root and not sized:
            outline = [outline[0] + 1 + shapes, outline[1] + _data(element) + path_data]
        text = len((element.text or "").strip()) + sum(len((c.tail or "").strip()) for c in element)
        self.open.discard(key)
        self.memo[key] = (1 + sum(n * p[0] for n, p, _, _ in parts) + outline[0],
                          _data(element) + sum(n * p[1] for n, p, _, _ in parts) + outline[1],
                          text * (tag in TEXTS) + sum(n * p[2] for n, p, _, _ in parts),
                          1 + max((p[3] for _, p, _, _ in parts), default=0), shapes, path_data)
        return self.memo[key]


def _data(element: Element) -> int:
    """Return the characters of path data of one element: a path's d, a polyline's or polygon's points."""
    tag = _local(element.tag)
    return len(element.get("d" if tag == "path" else "points", "")) if tag in {"path", "polyline", "polygon"} else 0


def _urls(declarations: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Return the (property, id) pairs of url(#id) references, and ("opacity", "") for an opacity."""
    return {(name, target) for name, value in declarations for target in URL_ID.findall(value)} | {
        ("opacity", "") for name, _ in declarations if name == "opacity"}


def _declarations(css: str | list) -> list[tuple[str, str]]:
    """Return the (property, value) pairs of a style attribute or rule, read as WeasyPrint reads them."""
    import tinycss2

    return [(d.lower_name, tinycss2.serialize(d.value)) for d in tinycss2.parse_blocks_contents(
        css, skip_comments=True, skip_whitespace=True) if d.type == "declaration"]


def _style_rules(root: Element) -> dict[str, set[tuple[str, str]]]:
    """Return the references <style> rules make, by the key of the elements they may apply to.

    A selector's key is its subject's #id or a .class, else its tag, else * (any element): each rule
    goes with every element it could match, so what is measured is never less than what is drawn.
    """
    import tinycss2

    rules: dict[str, set[tuple[str, str]]] = {}
    for style in root.iter(f"{SVG_NS}style"):
        for rule in tinycss2.parse_stylesheet(style.text or "", skip_comments=True, skip_whitespace=True):
            found = _urls(_declarations(rule.content)) if rule.type == "qualified-rule" else set()
            subject: list = []  # the last compound selector; None marks a combinator before the next one
            for token in [*rule.prelude, None] if found else []:
                if token is None or token.type == "literal" and token.value == ",":
                    rules.setdefault(_key([t for t in subject if t is not None]), set()).update(found)
                    subject = []
                elif token.type == "whitespace" or token.type == "literal" and token.value in {">", "+", "~"}:
                    subject.append(None)
                else:
                    subject = [*([] if None in subject else subject), token]
    return rules


def _key(tokens: list) -> str:
    """Return the key of the elements a compound selector may match: #id, .class, tag or *."""
    if any(t.type == "literal" and t.value == "|" for t in tokens):
        return "*"
    for token, after in zip(tokens, tokens[1:] + [None]):
        if token.type == "hash" or token.type == "literal" and token.value == "." and after and after.type == "ident":
            return f"#{token.value}" if token.type == "hash" else f".{after.value}"
    return tokens[0].lower_value if tokens and tokens[0].type == "ident" else "*"


def _local(name: str) -> str:
    """Return an XML name without its {namespace}."""
    return name.rsplit("}", 1)[-1]


def png_problem(data: bytes) -> str | None:
    """Say why a PNG cannot be a logo: not a PNG, over MAX_SIDE pixels a side, or not decodable."""
    if not data.startswith(PNG_SIGNATURE) or len(data) < 33 or data[12:16] != b"IHDR":
        return "not a valid PNG file; save it again as PNG"
    width, height = struct.unpack(">II", data[16:24])  # read before decoding: a tiny file can claim a huge image
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        return (f"the logo is {width:,} × {height:,} pixels; the limit is {MAX_SIDE:,} × {MAX_SIDE:,}: "
                f"scale it down (a cover needs a few hundred pixels)")
    from PIL import Image, ImageFile

    lenient = ImageFile.LOAD_TRUNCATED_IMAGES  # WeasyPrint sets it on import, so a cut-off file would pass
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # every chunk's checksum
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # every pixel: a truncated file fails here
    except Exception as error:  # noqa: BLE001 -- Pillow raises many kinds for a broken file; each means the same to the user
        return f"not a valid PNG file: it cannot be decoded ({error}); save it again as PNG"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return None
