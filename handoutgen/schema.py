"""The content schema: typed classes for topics, the glossary, the booklet and packs.

Translations, termbases and UI strings are in `schema_locale.py`, the clinic profile in
`schema_clinic.py`; all three build on the helpers here.

Each field's docstring becomes its description in the JSON Schema that editors use
(`python generate.py schema` writes it; a test keeps the checked-in copy in sync).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from .markup import parse_placeholders
from .numbers import number_messages

PLACEHOLDERS = {
    "urgent_phone": "The clinic's 24-hour urgent number (the fever line).",
    "daytime_phone": "The clinic's daytime number.",
    "emergency_phone": "The emergency number of the clinic's country (for example 911, 112 or 999).",
    "clinic_name": "The clinic's name.",
    "fever_threshold": "The fever threshold, in the unit the clinic chose (for example 38.0 °C).",
}
"""Names a text may use in braces, such as `{urgent_phone}`; filled in from the clinic profile."""

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=1, max_length=60)]
"""Lowercase words joined by hyphens, such as `low-red-cells`."""


def _check_markup(value: str) -> str:
    """Refuse text that is empty, holds raw HTML, or names an unknown placeholder."""
    if not value.strip():
        raise ValueError("text must not be empty")
    if re.search(r"<\s*/?\s*[a-zA-Z!]", value):
        raise ValueError("raw HTML is not allowed; use **bold** and *italic* only")
    slots, errors = parse_placeholders(value)
    if errors:
        raise ValueError("; ".join(error.message for error in errors[:3]))
    for slot in slots:
        if slot.name not in PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{slot.name}}}{did_you_mean(slot.name, PLACEHOLDERS)}; "
                             f"known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
    numbers = number_messages(value)
    if numbers:
        raise ValueError("; ".join(numbers[:3]))
    return value


def did_you_mean(word: str, choices) -> str:
    """Return ` (did you mean 'x'?)` when a choice is close to `word`, else ''."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


Text = Annotated[str, Field(min_length=1), AfterValidator(_check_markup)]
"""Plain-language text: **bold** and *italic* are allowed, and placeholders such as {urgent_phone}."""


def _no_placeholders(value: str) -> str:
    """Refuse braces in text that is printed as it is, where no placeholder is ever filled."""
    if "{" in value or "}" in value:
        raise ValueError("this text is printed as it is, so it takes no placeholders: remove the braces")
    return value


Verbatim = Annotated[str, AfterValidator(_no_placeholders)]
"""Text printed exactly as written (a pack's title, a reviewer's name): a placeholder would print as braces."""


def refuse_duplicates(ids: list[str], what: str) -> None:
    """Raise a ValueError naming every id that appears more than once."""
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what} listed twice: {', '.join(dupes)}")


def require(model: BaseModel, names: tuple[str, ...], what: str) -> None:
    """Raise a ValueError naming every one of `names` that `model` leaves empty."""
    missing = [name for name in names if not getattr(model, name)]
    if missing:
        raise ValueError(f"{what} needs {', '.join(missing)}")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


# --- Blocks: each is a mapping with exactly one key naming its kind ----------------------

class Paragraph(Model):
    """A paragraph of two or three short sentences."""

    paragraph: Text
    """The paragraph's text."""


class Bullets(Model):
    """A bulleted list."""

    bullets: list[Text] = Field(min_length=1)
    """The list's items, each one short line."""


class Steps(Model):
    """Numbered steps to do in order."""

    steps: list[Text] = Field(min_length=1)
    """The steps, in order."""


class CalloutBody(Model):
    """A boxed message, labelled by its kind so it reads the same without colour."""

    kind: Literal["urgent", "important", "tip"]
    """`urgent` (act now), `important` (do not miss this) or `tip` (helpful to know)."""
    title: Text | None = None
    """A short heading for the box; the kind's label is used when left out."""
    text: Text | None = None
    """The box's text."""
    bullets: list[Text] | None = Field(default=None, min_length=1)
    """A list inside the box, after the text."""

    @model_validator(mode="after")
    def _has_body(self):
        if not self.text and not self.bullets:
            raise ValueError("a callout needs `text`, `bullets` or both")
        return self


class Callout(Model):
    """A boxed message: urgent, important or a tip."""

    callout: CalloutBody
    """The callout's kind, title and text."""


class Questions(Model):
    """Questions with lines under each to write the answer."""

    questions: list[Text] = Field(min_length=1)
    """The questions, one per item."""


class Terms(Model):
    """Definitions from the glossary, shown where the terms are used."""

    terms: list[Slug] = Field(min_length=1)
    """Glossary ids, such as `cbc` or `mrd`."""


class Contact(Model):
    """One person on the care team, with a place for their name and number."""

    id: Slug
    """A stable id; the form fields are named `care_team_<id>_name` and `care_team_<id>_phone`."""
    role: Text
    """The role as printed, such as `Nurse`."""


class Contacts(Model):
    """A table of care team roles with fields for each person's name and phone number."""

    contacts: list[Contact] = Field(min_length=1)
    """The roles, in the order printed."""


class FormField(Model):
    """One labelled line a family can fill in."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
    """The form field's name, such as `child_clinic_id` (lowercase letters, digits and underscores)."""
    label: Text
    """The label printed before the line."""


class Fields(Model):
    """Labelled lines that become form fields in the PDF."""

    fields: list[FormField] = Field(min_length=1)
    """The fields, in the order printed."""


class Phase(Model):
    """One step of a timeline: a short name and one short line about it."""

    label: Text
    """The step's name, such as `Induction`."""
    text: Text
    """One short line: what the step is for."""


class TimelineBody(Model):
    """Steps in order, drawn as a row of boxes joined by arrows (mirrored in a right-to-left language)."""

    title: Text
    """What the picture shows, printed above it, such as `The main phases of treatment`."""
    phases: list[Phase] = Field(min_length=2, max_length=4)
    """The steps, in the order they come."""
    maybe: Phase | None = None
    """A step only some people take (a stem cell transplant), drawn below the row in a dashed box."""


class Timeline(Model):
    """A picture of steps in order: a timeline of treatment phases."""

    timeline: TimelineBody
    """The timeline's title and steps."""


BLOCK_KINDS = {"paragraph": Paragraph, "bullets": Bullets, "steps": Steps, "callout": Callout,
               "questions": Questions, "terms": Terms, "contacts": Contacts, "fields": Fields, "timeline": Timeline}


def _block_kind(value) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value))
    if isinstance(value, BaseModel):
        return next(k for k, cls in BLOCK_KINDS.items() if isinstance(value, cls))
    return None


Block = Annotated[
    Union[tuple(Annotated[cls, Tag(kind)] for kind, cls in BLOCK_KINDS.items())],  # noqa: UP007
    Discriminator(_block_kind, custom_error_type="block_kind",
                  custom_error_message="unknown block kind"),
]


# --- Topics -------------------------------------------------------------------------------

class _Reviewed(Model):
    """A review record: `draft` until someone qualified has reviewed the text, then `reviewed`."""

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


class Review(_Reviewed):
    """The clinical review of this content."""

    status: Literal["draft", "reviewed"]
    """`draft` until a clinician has reviewed the content; then `reviewed`."""
    reviewed_by: str | None = None
    """Who reviewed it, with their credential, such as `Dr. A. Rivera, MD, pediatric oncology`."""
    reviewed_on: dt.date | None = None
    """The date of the review, as YYYY-MM-DD."""
    next_review: dt.date | None = None
    """When the next review is due, as YYYY-MM-DD."""

    @model_validator(mode="after")
    def _complete(self):
        if self.status == "reviewed":
            require(self, ("reviewed_by", "reviewed_on", "next_review"), "a reviewed topic")
            if self.next_review <= self.reviewed_on:
                raise ValueError("next_review must come after reviewed_on")
        return self


class Section(Model):
    """A part of a topic under one heading."""

    id: Slug
    """A stable id for the section (it never changes when the heading is reworded)."""
    heading: Text
    """The section's heading: says what the reader will learn or do."""
    blocks: list[Block] = Field(min_length=1)
    """The section's content, in order."""


class Topic(Model):
    """One handout: a topic a caregiver can read on its own."""

    title: Text
    """The handout's title."""
    purpose: Text
    """One sentence that says what this handout is for."""
    key_points: list[Text] = Field(min_length=3, max_length=5)
    """3 to 5 key points: the summary a reader sees first."""
    sections: list[Section] = Field(min_length=1)
    """The handout's sections, in reading order."""
    review: Review
    """The clinical review of this topic."""
    max_pages: int | None = Field(default=None, ge=1)
    """The most pages this handout may take; the build fails when it runs over (`1` for the fridge page)."""
    reading_grade: float = Field(default=8.0, ge=1, le=16)
    """The highest Flesch-Kincaid grade allowed for this topic's text."""
    fillable: bool = False
    """Make the answers to this topic's questions PDF form fields named `question_1`, `question_2`, …"""
    urgent_box: bool = True
    """`false` only on a page whose first block is itself an urgent callout (the fridge page): that callout
    then takes the urgent box's place, followed by its emergency and daytime lines, instead of saying it twice."""

    @model_validator(mode="after")
    def _unique_sections(self):
        refuse_duplicates([s.id for s in self.sections], "section ids")
        return self


class GlossaryTerm(Model):
    """A medical word and what it means."""

    id: Slug
    """The id topics use to show this term, such as `cbc`."""
    term: Text
    """The word as the reader sees it, such as `CBC (complete blood count)`."""
    definition: Text
    """What it means, in one or two plain sentences."""


class Glossary(Model):
    """The medical words the handouts use, in alphabetical order."""

    title: Text
    """The glossary's title."""
    purpose: Text
    """One sentence that says what the glossary is for."""
    review: Review
    """The clinical review of the glossary."""
    terms: list[GlossaryTerm] = Field(min_length=1)
    """The terms."""

    @model_validator(mode="after")
    def _unique_terms(self):
        refuse_duplicates([t.id for t in self.terms], "terms")
        return self


class Booklet(Model):
    """The booklet that collects every topic."""

    topics: list[Slug] = Field(min_length=1)
    """Every topic's id, in reading order; the glossary comes last by itself."""


class Pack(Model):
    """A set of handouts for one moment of care, printed as one PDF with a cover."""

    id: Slug
    """The pack's id, used in `--pack` and the file name `packs/<id>.pdf`."""
    title: dict[Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")], Annotated[Text, AfterValidator(_no_placeholders)]]
    """The pack's title in each language, by locale code; `en` is required."""
    topics: list[Slug] = Field(min_length=1)
    """The topics in the pack, in reading order."""

    @field_validator("title")
    @classmethod
    def _english(cls, value: dict) -> dict:
        if "en" not in value:
            raise ValueError("needs an English title (en)")
        return value


class Packs(Model):
    """The packs of handouts clinic staff hand out at moments of care."""

    packs: list[Pack] = Field(min_length=1)
    """Every pack."""

    @model_validator(mode="after")
    def _unique(self):
        refuse_duplicates([p.id for p in self.packs], "packs")
        return self
