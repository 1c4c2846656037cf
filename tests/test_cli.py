"""The command line: exit codes, help, and that `check` never imports WeasyPrint."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from handoutgen.cli import main

PROJECT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def test_check_passes_and_prints_grades(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "when-to-call" in out and "FK" in out and "SMOG" in out and "no problems" in out


def test_check_does_not_import_weasyprint():
    code = ("import sys; from handoutgen.cli import main; rc = main(['check']); "
            "sys.exit(rc or (3 if 'weasyprint' in sys.modules else 0))")
    result = run("-c", code)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["schema"]])
def test_help_on_every_command(command, capsys):
    assert main([*command, "--help"]) == 0
    assert "usage:" in capsys.readouterr().out


def test_usage_error_exits_2(capsys):
    assert main(["build", "--paper", "a3"]) == 2
    assert "invalid choice: 'a3'" in capsys.readouterr().err
    assert main(["check", "--no-such-option"]) == 2


def test_unknown_locale_is_a_user_error(capsys):
    assert main(["check", "--locale", "xx"]) == 1
    assert "no content for locale 'xx'" in capsys.readouterr().err


def test_generate_py_and_console_script_behave_the_same(tmp_path):
    script = Path(sys.executable).parent / "handoutgen"
    assert script.exists(), "pip install -e . installs the handoutgen console script"
    broken = tmp_path / "clinic.yaml"
    broken.write_text("name: X\nphones:\n  daytime: '+1 555-0100'\nfever: {threshold: 38}\n", encoding="utf-8")
    a = run("generate.py", "check", "--clinic", str(broken))
    b = subprocess.run([str(script), "check", "--clinic", str(broken)], cwd=PROJECT, capture_output=True, text=True)
    assert a.returncode == b.returncode == 1
    assert a.stdout == b.stdout and a.stderr == b.stderr
    assert "clinic.yaml:2:1: phones: missing required field 'urgent'" in a.stderr
    assert "Traceback" not in a.stderr


def test_clinic_threshold_in_fahrenheit_is_caught(tmp_path, capsys):
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("name: X\nphones: {daytime: '+1 555-0100', urgent: '+1 555-0199', emergency: '911'}\n"
                      "fever: {threshold: 100.4, unit: F}\n", encoding="utf-8")
    assert main(["check", "--clinic", str(clinic)]) == 1
    assert "clinic.yaml:3:9: fever.threshold: the threshold is in °C; 100.4 looks like °F (that is 38.0 °C)" in capsys.readouterr().err


def test_version_names_the_tool_weasyprint_and_the_content(capsys):
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"handoutgen \S+, WeasyPrint 70\.\S+, content [0-9a-f]{12}\n", out)


def test_missing_system_libraries_are_named_in_one_line(tmp_path, capsys, monkeypatch):
    import ctypes.util

    real = ctypes.util.find_library
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if name == "harfbuzz-subset" else real(name))
    assert main(["build", "--out", str(tmp_path), "--topic", "when-to-call"]) == 1
    err = capsys.readouterr().err
    assert err == ("Error: WeasyPrint needs system libraries this machine lacks; on Debian or Ubuntu run: "
                   "apt-get install libharfbuzz-subset0\n")
    assert not any(tmp_path.iterdir())
