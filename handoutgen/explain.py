"""Turning pydantic's validation errors into sentences a translator can act on, at the file's line and column."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .schema import BLOCK_KINDS, did_you_mean
from .source import Document, Loc

def kind_of(value: Any) -> str:
    """Name a YAML value's kind in plain words."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value[:30]!r})" if len(value) <= 30 else "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


EXPECTED = {
    "string_type": "text", "list_type": "a list", "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys", "model_attributes_type": "a mapping of keys",
    "float_type": "a number", "float_parsing": "a number", "int_type": "a whole number",
    "int_parsing": "a whole number", "int_from_float": "a whole number", "bool_type": "true or false",
    "bool_parsing": "true or false", "date_type": "a date (YYYY-MM-DD)",
}


def _data_loc(data: Any, loc: tuple) -> Loc:
    """Drop the parts of pydantic's loc that are union tags, keeping the path in the file."""
    out: list[str | int] = []
    # A block's loc holds its kind twice: the union tag, then the field of the same name.
    loc = tuple(p for i, p in enumerate(loc) if not (p in BLOCK_KINDS and i + 1 < len(loc) and loc[i + 1] == p))
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        elif isinstance(data, dict):
            pass  # a missing key: keep it so the message can name it
        else:
            continue  # a union tag pydantic adds, not a place in the file
        out.append(part)
    return tuple(out)


def explain(doc: Document, error: ValidationError) -> list[Problem]:
    """Turn a pydantic ValidationError into located, plain-words problems."""
    problems = []
    for err in error.errors(include_url=False):
        loc = _data_loc(doc.data, err["loc"])
        kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
        if kind == "missing":
            field_name = loc[-1]
            problems.append(doc.problem(loc[:-1], f"missing required field {field_name!r}"))
            continue
        if kind == "extra_forbidden":
            parent = _model_at(err, error)
            choices = list(parent.model_fields) if parent else []
            message = f"unknown key {loc[-1]!r}{did_you_mean(str(loc[-1]), choices)}"
            if choices:
                message += f"; allowed keys: {', '.join(choices)}"
            problems.append(doc.problem(loc, message))
            continue
        if kind in EXPECTED:
            message = f"expected {EXPECTED[kind]}, got {kind_of(value)}"
        elif kind in {"date_from_datetime_parsing", "date_parsing", "date_from_datetime_inexact"}:
            message = f"expected a real date as YYYY-MM-DD, got {kind_of(value)}"
        elif kind == "block_kind":
            if isinstance(value, dict) and len(value) == 1:
                name = next(iter(value))
                message = f"unknown block kind {name!r}{did_you_mean(name, BLOCK_KINDS)}"
            else:
                message = "a block is a mapping with one key naming its kind"
            message += f"; kinds: {', '.join(BLOCK_KINDS)}"
        elif kind == "literal_error":
            message = f"expected one of {ctx.get('expected')}, got {kind_of(value)}"
        elif kind in {"too_short", "too_long"}:
            low = ctx.get("min_length")
            high = ctx.get("max_length")
            need = f"{low} to {high}" if low and high else (f"at least {low}" if low else f"at most {high}")
            message = f"needs {need} item{'' if (high or low) == 1 else 's'}, got {ctx.get('actual_length')}"
        elif kind in {"string_too_short"}:
            message = "must not be empty"
        elif kind == "string_pattern_mismatch":
            message = f"{kind_of(value)} does not have the expected form: {_form_hint(loc, ctx)}"
        elif kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
            bound = {k: v for k, v in ctx.items()}
            message = f"{kind_of(value)} is out of range ({', '.join(f'{k} {v}' for k, v in bound.items())})"
        elif kind in {"value_error", "assertion_error"}:
            message = str(ctx.get("error", err["msg"]))
        else:
            message = err["msg"]
        problems.append(doc.problem(loc, message))
    return problems


def _form_hint(loc: Loc, ctx: dict) -> str:
    """Say what form a text must take, for a pattern it did not match."""
    name = loc[-1] if loc and isinstance(loc[-1], str) else ""
    if "a-z0-9" in str(ctx.get("pattern")) and name != "website":
        return "use lowercase words joined by hyphens, such as 'low-red-cells'"
    return {"website": "an https:// address in plain ASCII, with no spaces, quotes, backslashes, <>, ? or #, "
                       "such as 'https://example.org/handouts/'",
            "accent": "a colour as #rrggbb, such as '#0b5394'"}.get(name, "a phone number such as '+1 555-0199'")


def _model_at(err: dict, error: ValidationError) -> type[BaseModel] | None:
    """Return the model class that owns the key named in an extra_forbidden error."""
    from . import schema, schema_clinic, schema_locale

    model = next((getattr(m, error.title) for m in (schema, schema_locale, schema_clinic) if hasattr(m, error.title)),
                 None)
    for part in err["loc"][:-1]:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        if part in BLOCK_KINDS and part not in model.model_fields:  # a block's union tag, not a field (`terms`)
            model = BLOCK_KINDS[part]
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _inner_model(info.annotation)
    return model


def _inner_model(annotation) -> type[BaseModel] | None:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found:
            return found
    return None
