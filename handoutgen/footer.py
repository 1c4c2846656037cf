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


def lines(text: str, room: float, families: tuple[str, ...], bold: bool = False) -> int:
    """Return how many lines a text takes when set word by word in `room` points."""
    count, used, space = 1, 0.0, width(" ", families, bold)
    for word in text.split():
        wide = width(word, families, bold)
        if used and used + space + wide > room:
            count, used = count + 1, wide
        else:
            used += (space if used else 0) + wide
    return count


def footer_problems(clinic: ClinicProfile, clinic_file: Path, strings: dict, paper: str) -> list[Problem]:
    """Return a problem for each locale whose footer, with this clinic, needs more lines than there is room for.

    `strings`: each locale's UI strings, by code.
    """
    from .plan import text_direction
    from .source import read_yaml

    whole = (PAPER_MM[paper] - SIDES_MM) * SHARE * MM
    name = clinic.name + (f" · {clinic.department}" if clinic.department else "")
    found = []
    for code, ui in sorted(strings.items()):
        families = fonts.families_for(code)
        # The online copy's label and address take at least the label's width (the address breaks anywhere):
        # the estimate errs towards fitting, so that `check` never refuses a profile the page holds.
        online = min(ONLINE_MM * MM, width(ui.online_copy, families, size=ONLINE_SIZE)) + QR_MM * MM
        room = whole - (online if clinic.website else 0)
        script = fonts.script_of(code)
        needed = lines(name, room, families) + lines(f"{ui.draft_notice} · {ui.version} 00000000", room, families, True)
        needed += lines(ui.translation_draft_notice, room, families, True) if code != "en" else 0
        fits = int(ROOM_PT // PITCH.get(script, PITCH["Latn"] if text_direction(code) == "ltr" else PITCH["Arab"]))
        if needed > fits:
            found.append((code, needed, fits))
    if not found:
        return []
    doc, _ = read_yaml(clinic_file)
    field = "department" if clinic.department else "name"
    where = ", ".join(f"{code} needs {needed}" for code, needed, _ in found)
    message = (f"the footer has room for {found[0][2]} lines on {paper} paper, and with this name"
               f"{' and department' if clinic.department else ''}{' and a website' if clinic.website else ''} "
               f"{where}: shorten the {field} ({len(name)} characters with the name), or leave it out")
    return [doc.problem((field,), message) if doc else Problem(clinic_file, 0, 0, field, message)]
