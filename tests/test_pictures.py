"""Pictures: the treatment timeline (real text, in order, mirrored right to left) and the icons' licence."""

from __future__ import annotations

import re
import shutil
import subprocess

import pdfplumber
import pytest

from handoutgen.cli import main
from handoutgen.paths import STYLES

PHASES = ["Induction", "Consolidation", "Maintenance"]


def words_on_timeline_page(pdf_path, labels):
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            found = {label: w for label in labels for w in words if w["text"] == label}
            if len(found) == len(labels):
                return found
    raise AssertionError(f"no page of {pdf_path.name} shows {labels}")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed "
                    "(Debian: apt-get install poppler-utils; .ci/run installs it)")
def test_the_timeline_reads_in_order_in_the_text_layer(built):
    text = subprocess.run(["pdftotext", "-layout", str(built / "en" / "treatment-overview.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    row = next(line for line in text.splitlines() if all(label in line for label in PHASES))
    assert [row.index(label) for label in PHASES] == sorted(row.index(label) for label in PHASES)
    assert "A stem cell transplant, for some people" in text
    spanish = subprocess.run(["pdftotext", str(built / "es" / "treatment-overview.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
    assert re.search(r"Inducción.*Consolidación.*Mantenimiento", spanish, re.S)


def test_the_timeline_runs_left_to_right_and_mirrors_right_to_left(built, content_tree, tmp_path, capsys):
    found = words_on_timeline_page(built / "en" / "treatment-overview.pdf", PHASES)
    assert found["Induction"]["x0"] < found["Consolidation"]["x0"] < found["Maintenance"]["x0"]
    # An Arabic page whose section is marked translated (its words still English): the row mirrors.
    content = content_tree()
    assert main(["translate", "ar", "--content", str(content), "--topic", "treatment-overview"]) == 0
    path = content / "ar" / "treatment-overview.yaml"
    path.write_text(re.sub(r"^ *untranslated: true.*\n", "", path.read_text(encoding="utf-8"), flags=re.M),
                    encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--out", str(out), "--locale", "ar",
                 "--topic", "treatment-overview"]) == 0
    capsys.readouterr()
    mirrored = words_on_timeline_page(out / "ar" / "treatment-overview.pdf", PHASES)
    assert mirrored["Induction"]["x0"] > mirrored["Consolidation"]["x0"] > mirrored["Maintenance"]["x0"]


def test_the_icons_come_with_their_licence():
    licence = (STYLES / "icons" / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Resolve to Save Lives" in licence
    for icon in ("urgent", "important", "tip", "phone", "thermometer"):
        assert f"{icon}.svg" in licence and (STYLES / "icons" / f"{icon}.svg").is_file()
    css = (STYLES / "print.css").read_text(encoding="utf-8")
    used = set(re.findall(r'url\("icons/([a-z-]+)\.svg"\)', css))
    assert used == {"urgent", "important", "tip", "phone", "thermometer", "arrow", "arrow-rtl"}
