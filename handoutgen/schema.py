"""The content schema: typed classes for topics, the glossary, UI strings and the clinic profile.

Each field's docstring becomes its description in the JSON Schema that editors use
(`python generate.py schema` writes it; a test keeps the checked-in copy in sync).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, NamedTuple, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from .markup import parse_placeholders

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


# --- Translations ---------------------------------------------------------------------------

SourceHash = Annotated[str, Field(pattern=r"^[0-9a-f]{12}$")]
"""The 12-character content hash of the English text a translation was made from."""


class TranslationReview(_Reviewed):
    """The review of a translation by a qualified medical translator."""

    status: Literal["draft", "reviewed"]
    """`draft` until a qualified medical translator has reviewed the translation; then `reviewed`."""
    reviewed_by: Verbatim | None = Field(default=None, min_length=1)
    """Who reviewed the translation, such as `M. García`."""
    credential: Verbatim | None = Field(default=None, min_length=1)
    """The reviewer's credential, such as `ATA-certified medical translator (EN>ES)`."""
    reviewed_on: dt.date | None = None
    """The date of the review, as YYYY-MM-DD."""

    @model_validator(mode="after")
    def _complete(self):
        if self.status == "reviewed":
            require(self, ("reviewed_by", "credential", "reviewed_on"), "a reviewed translation")
        return self


class TranslatedSection(Model):
    """One section in another language, with the English version it was translated from."""

    id: Slug
    """The id of the English section this translates."""
    translated_from: SourceHash
    """The hash of the English section this was translated from (`status --diff` shows what changed since)."""
    untranslated: bool = False
    """`true` while the text is still the English that `translate` wrote; delete the line once translated."""
    heading: Text
    """The section's heading."""
    blocks: list[Block] = Field(min_length=1)
    """The section's blocks: the same kinds, in the same order and with as many items as the English."""


class Translation(Model):
    """One handout in another language; sections not here are printed in English, marked as such."""

    translated_from: SourceHash
    """The hash of the English title, purpose and key points this was translated from."""
    untranslated: bool = False
    """`true` while the title, purpose and key points are still the English that `translate` wrote."""
    title: Text
    """The handout's title."""
    purpose: Text
    """One sentence that says what this handout is for."""
    key_points: list[Text] = Field(min_length=3, max_length=5)
    """The key points, one for each English key point."""
    review: TranslationReview
    """The review of this translation by a qualified medical translator."""
    sections: list[TranslatedSection] = Field(default_factory=list)
    """The translated sections, by the English section's id."""

    @model_validator(mode="after")
    def _unique_sections(self):
        refuse_duplicates([s.id for s in self.sections], "section ids")
        return self


class TranslatedTerm(Model):
    """One glossary term in another language."""

    id: Slug
    """The id of the English term."""
    translated_from: SourceHash
    """The hash of the English term and definition this was translated from."""
    untranslated: bool = False
    """`true` while the text is still the English that `translate` wrote."""
    term: Text
    """The word as the reader sees it."""
    definition: Text
    """What it means."""


class GlossaryTranslation(Model):
    """The glossary in another language; terms not here are printed in English, marked as such."""

    translated_from: SourceHash
    """The hash of the English title and purpose this was translated from."""
    untranslated: bool = False
    """`true` while the title and purpose are still the English that `translate` wrote."""
    title: Text
    """The glossary's title."""
    purpose: Text
    """One sentence that says what the glossary is for."""
    review: TranslationReview
    """The review of this translation by a qualified medical translator."""
    terms: list[TranslatedTerm] = Field(default_factory=list)
    """The translated terms, by the English term's id."""

    @model_validator(mode="after")
    def _unique_terms(self):
        refuse_duplicates([t.id for t in self.terms], "terms")
        return self


# --- Termbases: the words a language prefers --------------------------------------------------

TermText = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_no_placeholders)]
"""A word or phrase as written in the content, such as `equipo de atención`."""


class TermEntry(Model):
    """One concept: the term to use, and the other words for it that the content must not use."""

    preferred: TermText
    """The term the content uses for this concept, such as `microbios`."""
    avoid: list[TermText] = Field(min_length=1)
    """Other words for the same concept that `check` reports wherever they appear, such as `gérmenes`."""
    note: str | None = Field(default=None, min_length=1, max_length=300)
    """Why this term is preferred, or when the variant is still right; printed with each report."""


class Termbase(Model):
    """A language's termbase (`terms.yaml`): `check` reports every avoided variant in its content and strings.

    Terms match whole words, ignoring case (and, for Arabic, vowel marks and the tatweel).
    """

    article: TermText | None = None
    """The definite article when it is written joined to the word (Arabic `ال`): a term matches with or without it."""
    prefixes: list[TermText] = Field(default_factory=list)
    """Letters that join the start of a word (Arabic `و`, `ف`, `ب`, `ك`, `ل`): a term still matches after any of them."""
    terms: list[TermEntry] = Field(min_length=1)
    """The concepts, each with its preferred term and the variants to avoid."""


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


class UIStrings(Model):
    """The words around the content (headings, labels, footer) in one language."""

    key_points: str
    """Heading over the key points."""
    contents: str
    """Heading of the booklet's table of contents."""
    glossary_in_topic: str
    """Heading over glossary terms shown inside a topic."""
    call_right_away: str
    """Title of the urgent box."""
    urgent_box: str
    """Text of the urgent box; must contain {urgent_phone} and {fever_threshold}."""
    urgent_line: str
    """One line repeated at the top of every page; must contain {urgent_phone} and {fever_threshold}."""
    daytime_line: str
    """How to reach the team for questions that can wait; must contain {daytime_phone}."""
    emergency_line: str
    """Printed in the urgent box: what to call for a life-threatening emergency; must contain {emergency_phone}."""
    not_advice: str
    """Says the handout is education, not medical advice."""
    draft_notice: str
    """Printed on every page of content no clinician has reviewed yet."""
    reviewed_notice: str
    """Printed on every page of reviewed content; must contain {date} (the review) and {next} (the next review)."""
    version: str
    """Label before the short version id."""
    page_of: str
    """Page numbering; must contain {page} and {pages}."""
    answer: str
    """Label of the lines under a question, for screen readers."""
    contact_role: str
    """Column heading of a care team table: the role."""
    contact_name: str
    """Column heading of a care team table: the person's name."""
    contact_phone: str
    """Column heading of a care team table: the phone number."""
    callout_labels: dict[Literal["urgent", "important", "tip"], str]
    """The printed label of each callout kind."""
    online_copy: str
    """Label beside the QR code that leads to the handout's online copy."""
    online_alt: str
    """Alternative text of the QR code; may use {url}."""
    blank_labels: dict[Literal["urgent_phone", "daytime_phone", "emergency_phone", "clinic_name", "fever_threshold"],
                       str]
    """Labels of the blank lines printed in place of clinic details when there is no clinic profile."""
    booklet_title: str
    """Title on the booklet's cover."""
    booklet_subtitle: str
    """Line under the booklet's title."""
    pack_for: str
    """Label of the line on a pack's cover for the name of the person the pack is for."""
    pack_date: str
    """Label of the line on a pack's cover for the date it was given."""
    not_translated: str
    """Label of a part still printed in English because it is not translated yet (in this language)."""
    changed_in_english: str
    """Label of a part printed in English because the English changed since it was translated."""
    translation_draft_notice: str
    """Printed on every page of a translation no qualified medical translator has reviewed yet."""
    translation_reviewed_notice: str
    """Printed on every page of a reviewed translation; must contain {name}, {credential} and {date}."""
    pages: dict[Literal["zero", "one", "two", "few", "many", "other"], str]
    """A page count, in each CLDR plural form the language uses (`one`, `other`, …); `{n}` is the number."""
    site: dict[Literal["title", "intro", "languages", "handouts", "collections", "contains", "standard",
                       "large_print", "letter", "a4", "pdf", "reviewed", "draft", "draft_translation",
                       "partly_english", "outdated", "more_in_english"], str]
    """The words of the download site: `contains` uses {titles}, `reviewed` uses {date}."""


class Slots(NamedTuple):
    """The placeholders a UI string must contain, and the others it may contain."""

    must: tuple[str, ...] = ()
    may: tuple[str, ...] = ()


CLINIC_SLOTS = tuple(PLACEHOLDERS)
UI_SLOTS: dict[str, Slots] = {
    "urgent_box": Slots(("urgent_phone", "fever_threshold"), CLINIC_SLOTS),
    "urgent_line": Slots(("urgent_phone", "fever_threshold"), CLINIC_SLOTS),
    "daytime_line": Slots(("daytime_phone",), CLINIC_SLOTS),
    "emergency_line": Slots(("emergency_phone",), CLINIC_SLOTS),
    "reviewed_notice": Slots(("date", "next")),
    "page_of": Slots(("page", "pages")),
    "online_alt": Slots((), ("url",)),
    "translation_reviewed_notice": Slots(("name", "credential", "date")),
    "pages.zero": Slots((), ("n",)), "pages.one": Slots((), ("n",)), "pages.two": Slots((), ("n",)),
    "pages.few": Slots((), ("n",)), "pages.many": Slots((), ("n",)), "pages.other": Slots(("n",)),
    "site.contains": Slots(("titles",)),
    "site.reviewed": Slots(("date",)),
}
"""The placeholders of each UI string (`site.contains` for a nested one); every string not here takes none.

The urgent box and the running urgent line must carry the fever line and the threshold: a page
without them is the one mistake a handout must never make.
"""


# --- Clinic profile -----------------------------------------------------------------------

Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ()./-]{2,24}[0-9]( ?(ext\.?|x) ?[0-9]{1,6})?$")]
"""A phone number as it should be dialled and printed, such as `+1 555-0199`."""


class Phones(Model):
    """The clinic's phone numbers."""

    daytime: Phone
    """The number for questions that can wait, in office hours."""
    urgent: Phone
    """The number answered 24 hours a day: the fever line."""
    emergency: Annotated[str, Field(pattern=r"^\+?[0-9][0-9 -]{0,14}[0-9]$")]
    """The emergency number of the clinic's country, such as `911`, `112` or `999`; never assumed."""


class Fever(Model):
    """When a fever means calling right away."""

    threshold: float = Field(ge=37.5, le=39.5)
    """The temperature, in degrees Celsius, at or above which the family calls right away."""
    unit: Literal["C", "F", "both"] = "C"
    """What the handout shows: `C`, `F` or `both` (38.0 °C (100.4 °F))."""

    @field_validator("threshold", mode="before")
    @classmethod
    def _celsius(cls, value):
        if isinstance(value, int | float) and 95 <= value <= 105:
            celsius = round((value - 32) * 5 / 9, 1)
            raise ValueError(f"the threshold is in °C; {value} looks like °F (that is {celsius} °C)")
        return value

    def display(self) -> str:
        """Return the threshold as the handout shows it, rounded as a thermometer reads."""
        celsius = f"{self.threshold:.1f} °C"
        fahrenheit = f"{self.threshold * 9 / 5 + 32:.1f} °F"
        return {"C": celsius, "F": fahrenheit, "both": f"{celsius} ({fahrenheit})"}[self.unit]


def contrast_on_white(hex_colour: str) -> float:
    """Return the WCAG contrast ratio of a #rrggbb colour against white."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


class ClinicProfile(Model):
    """The clinic whose numbers and name every handout carries."""

    name: str = Field(min_length=1, max_length=120)
    """The clinic's name as printed in the footer."""
    department: str | None = Field(default=None, min_length=1, max_length=120)
    """The department or service, printed under the name, such as `Pediatric Hematology and Oncology`."""
    address: str | None = Field(default=None, min_length=1, max_length=300)
    """The clinic's address, printed on covers and the care team page."""
    phones: Phones
    """The clinic's phone numbers."""
    fever: Fever
    """The fever rule the clinic teaches families."""
    website: str | None = Field(default=None, max_length=200, pattern=r"^https://[A-Za-z0-9](?:[A-Za-z0-9.-]*"
                                r"[A-Za-z0-9])?(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~!$&()*+,;=:@%/-]*)?$")
    """The base address where the clinic publishes these handouts, such as `https://example.org/all/`.

    Printable ASCII only, as it is printed and put in QR codes: no spaces, quotes, backslashes, `<>`, `?` or `#`.
    """
    paper: Literal["letter", "a4"] | None = None
    """The clinic's paper size; `--paper` overrides it; Letter when neither is given."""
    accent: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    """An accent colour for headings and rules, as `#rrggbb`; it must read well on white (contrast 4.5:1 or more)."""
    logo: str | None = Field(default=None, min_length=1)
    """The clinic's logo, an SVG or PNG file beside the profile (1 MB at most)."""

    @field_validator("accent")
    @classmethod
    def _readable(cls, value: str | None) -> str | None:
        if value is not None:
            ratio = contrast_on_white(value)
            if ratio < 4.5:
                raise ValueError(f"{value} is too light to read on white (contrast {ratio:.1f}:1; "
                                 f"4.5:1 or more is needed)")
        return value
