"""The schema of what each language adds: translations, termbases and the UI strings.

Each field's docstring becomes its description in the JSON Schema that editors use.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, NamedTuple

from pydantic import AfterValidator, Field, model_validator

from .schema import (PLACEHOLDERS, Block, Model, Slug, Text, Verbatim, _no_placeholders, _Reviewed, refuse_duplicates,
                     require)


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
