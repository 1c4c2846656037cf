"""Check a clinic's logo before anything draws it: one self-contained SVG or a small, whole PNG.

The logo goes on every cover as a data: URL, so it must not reach outside itself: an SVG
with a DOCTYPE, an entity or a reference to another file or address is refused, as is a
PNG too large to decode safely or one that does not decode at all.
"""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

from .source import FileRefused, read_file

MAX_BYTES = 1_000_000
MAX_SIDE = 4000
"""The widest and tallest PNG logo, in pixels: a cover needs a few hundred."""
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
    """Say why an SVG cannot be a logo: not XML, a DOCTYPE or entity, or a reference outside itself."""
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
    return None


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
    except Exception as error:  # Pillow raises many kinds for a broken file; each means the same to the user
        return f"not a valid PNG file: it cannot be decoded ({error}); save it again as PNG"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return None
