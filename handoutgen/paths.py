"""Where the project's own files live."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
STYLES = ROOT / "styles"
CONTENT = ROOT / "handouts"
DEFAULT_CLINIC = CONTENT / "clinic.yaml"
SCHEMAS = Path(__file__).resolve().parent / "schemas"

MANIFEST = "manifest.json"
"""The record of what every build wrote into an output folder (`manifest.py`), at the folder's top."""
