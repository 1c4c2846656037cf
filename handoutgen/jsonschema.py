"""Write the JSON Schemas that give translators completion and checks in their editor.

The schemas come from the content classes, so they cannot drift from what `check` enforces;
a test compares the checked-in files with freshly generated ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from .paths import SCHEMAS
from .schema import Booklet, Glossary, Packs, Topic
from .schema_clinic import ClinicProfile
from .schema_locale import GlossaryTranslation, Termbase, Translation, UIStrings

MODELS = {"topic": Topic, "glossary": Glossary, "strings": UIStrings, "booklet": Booklet, "packs": Packs,
          "clinic": ClinicProfile, "translation": Translation, "glossary-translation": GlossaryTranslation,
          "terms": Termbase}


def schema_text(name: str) -> str:
    """Return the JSON Schema (draft-07, which yaml-language-server supports best) for one file kind."""
    schema = MODELS[name].model_json_schema(ref_template="#/definitions/{model}")
    schema["definitions"] = schema.pop("$defs", {})
    if not schema["definitions"]:
        del schema["definitions"]
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(folder: Path = SCHEMAS) -> list[Path]:
    """Write every schema into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in MODELS:
        path = folder / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        paths.append(path)
    return paths
