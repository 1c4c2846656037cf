"""The JSON Schemas editors use stay in sync with the content classes, and every file points to one."""

import json
from pathlib import Path

import jsonschema
import pytest

from handoutgen.jsonschema import MODELS, schema_text
from handoutgen.paths import CONTENT, SCHEMAS
from handoutgen.source import read_yaml

FILES = sorted(CONTENT.rglob("*.yaml"))


@pytest.mark.parametrize("name", MODELS)
def test_checked_in_schema_is_current(name):
    path = SCHEMAS / f"{name}.schema.json"
    assert path.read_text(encoding="utf-8") == schema_text(name), "run `python generate.py schema`"


def kind(path: Path) -> str:
    if path.parent == CONTENT:
        return path.stem
    if path.stem in ("strings", "terms"):
        return path.stem
    if path.parent.name == "en":
        return "glossary" if path.stem == "glossary" else "topic"
    return "glossary-translation" if path.stem == "glossary" else "translation"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CONTENT)) for p in FILES])
def test_every_file_names_its_schema_and_validates_against_it(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    target = (path.parent / first.removeprefix("# yaml-language-server: $schema=")).resolve()
    assert first.startswith("# yaml-language-server: $schema=")
    assert target == SCHEMAS / f"{kind(path)}.schema.json"
    doc, problems = read_yaml(path)
    assert not problems
    jsonschema.validate(doc.data, json.loads(target.read_text(encoding="utf-8")))
