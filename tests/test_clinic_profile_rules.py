"""The clinic profile: mistakes a family would dial or read are refused at the profile's line and column."""

from __future__ import annotations

import pytest

from handoutgen.cli import main
from handoutgen.paths import DEFAULT_CLINIC

EXAMPLE = DEFAULT_CLINIC.read_text(encoding="utf-8")
REALISTIC = """name: Saint Mary's Regional Children's Medical Center
department: Pediatric Hematology, Oncology and Stem Cell Transplant
address: "1234 Northwestern University Boulevard, Suite 500, Springfield, IL 62704"
website: https://www.saintmarysregionalchildrens.example.org/handouts/all/
phones:
  daytime: "+1 555-0100"
  urgent: "+1 555-0199"
  emergency: "911"
fever:
  threshold: 38.0
  unit: both
"""


def _check(tmp_path, capsys, profile: str, *extra) -> tuple[int, str]:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(profile, encoding="utf-8")
    code = main(["check", "--clinic", str(clinic), *extra])
    return code, capsys.readouterr().err.replace(str(clinic), "clinic.yaml")


@pytest.mark.parametrize("old, new, expected", [
    ('emergency: "911"', 'emergency: "+1 555-0199"', "clinic.yaml:9:3: phones.emergency: the emergency number is "
                                                     "the same as the urgent number"),
    ('emergency: "911"', 'emergency: "+1 555-0100"', "phones.emergency: the emergency number is the same as the "
                                                     "daytime number"),
    ('urgent: "+1 555-0199"', 'urgent: "+1 555-O199"', "clinic.yaml:8:3: phones.urgent: "),
    ('urgent: "+1 555-0199"', 'urgent: "+1 555-0199\u200b"', "clinic.yaml:8:3: phones.urgent: "),
    ('urgent: "+1 555-0199"', 'urgent: "+1 555-0\uff11 99"', "clinic.yaml:8:3: phones.urgent: "),
    ('urgent: "+1 555-0199"', 'urgent: "+1 555-0199\\n"', "clinic.yaml:8:3: phones.urgent: "),
    ("name: Example Children's", "name: Example\u200f Children's", "clinic.yaml:5:1: name: U+200F (RIGHT-TO-LEFT MARK)"
                                                                   " is invisible"),
    ("threshold: 38.0 ", "threshold: 37.96", "clinic.yaml:11:3: fever.threshold: 37.96 has more than one decimal"),
    ("threshold: 38.0 ", "threshold: 41.0", "clinic.yaml:11:3: fever.threshold: "),
    ("threshold: 38.0 ", "threshold: 36.0", "clinic.yaml:11:3: fever.threshold: "),
    ("threshold: 38.0 ", "threshold: 100.4", "looks like °F (that is 38.0 °C)"),
])
def test_a_mistake_in_the_profile_is_refused_at_its_line(tmp_path, capsys, old, new, expected):
    assert old in EXAMPLE
    code, err = _check(tmp_path, capsys, EXAMPLE.replace(old, new))
    assert code == 1 and expected in err, err


def test_check_predicts_a_footer_that_does_not_fit_and_names_the_profiles_line(tmp_path, capsys):
    code, err = _check(tmp_path, capsys, REALISTIC)
    assert code == 1
    assert "clinic.yaml:2:1: department: the footer has room for 3 lines on letter paper" in err
    assert "ar needs 4" in err
    # Spanish fits only if the online address is narrow: a warning, since the page read back has the last word.
    assert "warning: clinic.yaml:2:1: department: may not fit: the footer has room for 4 lines" in err
    assert "es needs 5" in err and "the build checks it on the laid-out page" in err


def test_the_build_names_the_profile_when_the_laid_out_footer_does_not_fit(tmp_path, capsys, monkeypatch):
    """`check` estimates and errs towards fitting; the page read back has the last word, and blames the profile."""
    import handoutgen.rules

    monkeypatch.setattr(handoutgen.rules, "footer_problems", lambda *args, **kwargs: ([], []))  # as if check passed
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(REALISTIC, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--clinic", str(clinic), "--out", str(out), "--locale", "es", "--topic",
                 "when-to-call"]) == 1
    err = capsys.readouterr().err
    assert f"{clinic}:2:1: department: es/when-to-call.pdf page 1 has text " in err
    assert "the clinic's name, department and website are printed there; shorten them" in err
    assert not list(out.rglob("*.pdf"))


def test_the_bundled_and_test_profiles_fit(tmp_path, capsys):
    from pathlib import Path

    for profile in (DEFAULT_CLINIC, Path(__file__).parent / "data" / "clinics" / "full.yaml"):
        assert main(["check", "--clinic", str(profile)]) == 0
        assert "may not fit" not in capsys.readouterr().err
