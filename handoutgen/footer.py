"""Will the clinic's footer fit? `check`'s estimate, before anything is laid out.

Every page's footer holds the clinic's name and department, the review notice and version, and
for a translation its own review notice; with a website, the online copy's address and QR code
take the footer's end. Its box is 15 mm tall in the standard edition (28 mm of margin less 3 mm
above it and the 10 mm that `verify` keeps clear of the paper's edge). A long name and department
in a language with long notices needs more lines than that: the build would refuse every page.

So `check` sets each footer line as the page will, word by word, with the widths of the bundled
font that draws each character, and reports a profile that needs more lines than there is room
for, at the profile's `department` (or `name`) line. It is an estimate: `verify` reads the
laid-out page and has the last word, naming the clinic profile too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from . import fonts
from .errors import Problem
from .schema_clinic import ClinicProfile

SIZE = 8.5  # pt: .running-footer in styles/print.css
ONLINE_SIZE = 7.5  # pt: the online copy's address
PITCH = {"Latn": SIZE * 1.25, "Arab": 11.0}
"""Points from one footer line to the next: line-height 1.25; Arabic lines, which mix in Latin names, measured."""
ROOM_PT = 15 * 72 / 25.4
PAPER_MM = {"letter": 215.9, "a4": 210.0}
SIDES_MM, SHARE, ONLINE_MM, QR_MM = 36, 0.85, 50, 2 + 12 + 3  # margins; the footer's share; address; QR and gaps
MM = 72 / 25.4


@cache
def _metrics(path: Path) -> tuple[dict[int, str], dict[str, int], int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    return font.getBestCmap(), {name: advance for name, (advance, _) in font["hmtx"].metrics.items()}, \
        font["head"].unitsPerEm


def width(text: str, families: tuple[str, ...], bold: bool = False, size: float = SIZE) -> float:
    """Return the width of a text in points, each character in the first bundled face of `families` that has it."""
    faces = [face for family in families for face in fonts.faces() if face.family == family and face.style == "normal"]
    faces.sort(key=lambda face: (families.index(face.family), face.weight != ("700" if bold else "400")))
    total = 0.0
    for char in text:
        for face in faces:
            cmap, advances, units = _metrics(face.path)
            if ord(char) in cmap:
                total += advances.get(cmap[ord(char)], 0) / units * size
                break
        else:
            total += size / 2
    return total


def lines(text: str | list[tuple[str, bool]], room: float, families: tuple[str, ...], bold: bool = False) -> int:
    """Return how many lines a text (or runs of text, each bold or not) takes when set word by word in `room` points."""
    runs = [(text, bold)] if isinstance(text, str) else text
    count, used = 1, 0.0
    for run, heavy in runs:
        space = width(" ", families, heavy)
        for word in run.split():
            wide = width(word, families, heavy)
            if used and used + space + wide > room:
                count, used = count + 1, wide
            else:
                used += (space if used else 0) + wide
    return count


def footer_problems(clinic: ClinicProfile, clinic_file: Path, strings: dict, paper: str) -> tuple[list[Problem],
                                                                                                 list[Problem]]:
    """Return (problems, warnings) for the locales whose footer, with this clinic, needs more lines than it has.

    A problem when the footer cannot fit even with the online copy's address as narrow as its label;
    a warning when it may not fit with the address at its widest (50 mm). `strings`: each locale's UI
    strings, by code.
    """
    whole = (PAPER_MM[paper] - SIDES_MM) * SHARE * MM
    name = clinic.name + (f" · {clinic.department}" if clinic.department else "")
    sure: list[tuple[str, int, int]] = []
    maybe: list[tuple[str, int, int]] = []
    for code, ui in sorted(strings.items()):
        families = fonts.families_for(code)
        fits = _room_in_lines(code)
        narrow = min(ONLINE_MM * MM, width(ui.online_copy, families, size=ONLINE_SIZE)) + QR_MM * MM
        for online, found in ((narrow, sure), ((ONLINE_MM + QR_MM) * MM, maybe)):
            needed = _lines_needed(name, ui, code, whole - (online if clinic.website else 0), families)
            if needed > fits:
                found.append((code, needed, fits))
                break
    return _located(clinic, clinic_file, paper, name, sure, ""), \
        _located(clinic, clinic_file, paper, name, maybe, "may not fit: ")


def _room_in_lines(code: str) -> int:
    from .plan import text_direction

    script = fonts.script_of(code)
    return int(ROOM_PT // PITCH.get(script, PITCH["Latn"] if text_direction(code) == "ltr" else PITCH["Arab"]))


def _lines_needed(name: str, ui, code: str, room: float, families: tuple[str, ...]) -> int:
    notice = [(ui.draft_notice, True), (f"· {ui.version} 00000000", False)]  # as the footer sets it
    needed = lines(name, room, families) + lines(notice, room, families)
    return needed + (lines(ui.translation_draft_notice, room, families, True) if code != "en" else 0)


def blamed_field(clinic: ClinicProfile) -> str:
    """Return the profile's key to blame for a footer that does not fit: its department, else its name."""
    return "department" if clinic.department else "name"


def _located(clinic: ClinicProfile, clinic_file: Path, paper: str, name: str, found: list[tuple[str, int, int]],
             prefix: str) -> list[Problem]:
    """Return one problem at the profile's department (or name) line saying which locales need how many lines."""
    from .source import read_yaml

    if not found:
        return []
    doc, _ = read_yaml(clinic_file)
    field = blamed_field(clinic)
    where = ", ".join(f"{code} needs {needed}" for code, needed, _ in found)
    checked = "; the build checks it on the laid-out page" if prefix else ""
    message = (f"{prefix}the footer has room for {min(f for *_, f in found)} lines on {paper} paper, and with this "
               f"name{' and department' if clinic.department else ''}{' and a website' if clinic.website else ''} "
               f"{where}: shorten the {field} ({len(name)} characters with the name), or leave it out{checked}")
    return [doc.problem((field,), message) if doc else Problem(clinic_file, 0, 0, field, message)]
