"""Stage 2: plan the run: the per-run choices, resolved once, and one target per document to write.

A `Target` is one document (a handout, the booklet or a pack) in one locale and edition. It
alone knows where its PDF and HTML preview go and its address on the clinic's website, so
nothing else computes an output path and nothing reads paths back to learn what a file is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from babel import Locale

from .errors import Problem
from .markup import Blank
from .schema_clinic import ClinicProfile
from .schema_locale import UIStrings
from .shards import my_share

EDITIONS = {"standard": "", "large-print": "large-print", "bilingual": "bilingual"}
"""Each edition, and the folder below the locale's that its files go in."""


def text_direction(locale: str) -> str:
    """Return "ltr" or "rtl" for a language, from Babel's locale data."""
    return Locale.parse(locale, sep="-").text_direction


@dataclass(frozen=True)
class Edition:
    """The choices that shape every page of one locale in one edition: language, clinic and paper."""

    locale: str
    clinic: ClinicProfile | None  # None: generic handouts with blank lines for the clinic's details
    paper: str = "letter"
    large_print: bool = False
    bilingual: bool = False  # each part in the translation and in English side by side (a translation only)

    @property
    def name(self) -> str:
        """Return the edition's name as used on the command line and in folder names."""
        return "large-print" if self.large_print else "bilingual" if self.bilingual else "standard"

    @property
    def folder(self) -> PurePosixPath:
        """Return the folder of this edition's files, relative to the output folder."""
        return PurePosixPath(self.locale, EDITIONS[self.name])

    @property
    def text_direction(self) -> str:
        """Return "ltr" or "rtl" for the edition's language."""
        return text_direction(self.locale)

    def values(self, ui: UIStrings) -> dict[str, str | Blank]:
        """Return the placeholder values taken from the clinic profile, or labelled blanks without one."""
        if self.clinic is None:
            return {name: Blank(label) for name, label in ui.blank_labels.items()}
        return {
            "urgent_phone": self.clinic.phones.urgent,
            "daytime_phone": self.clinic.phones.daytime,
            "emergency_phone": self.clinic.phones.emergency,
            "clinic_name": self.clinic.name,
            "fever_threshold": fever_text(self.clinic.fever, self.locale),
        }


def fever_text(fever, locale: str) -> str:
    """Return the fever threshold as the reader's language writes numbers (38.0 °C, 38,0 °C), in Western digits.

    Babel gives the decimal sign; the digits stay 0-9 in every language, as the clinic's
    thermometers show them. The value is rounded as a thermometer reads, as `Fever.display` does.
    """
    from decimal import Decimal

    from babel.numbers import format_decimal

    def number(value: float) -> str:
        return format_decimal(Decimal(f"{value:.1f}"), format="0.0", locale=locale.replace("-", "_"),
                              numbering_system="latn")

    shown = round(fever.threshold, 1)  # °F from the °C a thermometer shows, so that the two agree when rounded
    celsius, fahrenheit = f"{number(shown)} °C", f"{number(shown * 9 / 5 + 32)} °F"
    return {"C": celsius, "F": fahrenheit, "both": f"{celsius} ({fahrenheit})"}[fever.unit]


@dataclass(frozen=True)
class Target:
    """One document to build in one locale and edition: a handout, the booklet or a pack."""

    edition: Edition
    kind: str  # "handout", "booklet" or "pack"
    id: str  # the topic id (or "glossary"), "booklet", or the pack's id

    @property
    def path(self) -> PurePosixPath:
        """Return the PDF's path relative to the output folder."""
        folder = self.edition.folder / "packs" if self.kind == "pack" else self.edition.folder
        return folder / f"{self.id}.pdf"

    @property
    def preview(self) -> PurePosixPath | None:
        """Return the HTML preview's path relative to the output folder: handouts have one."""
        return self.path.with_suffix(".html") if self.kind == "handout" else None

    @property
    def key(self) -> str:
        """Return the document's id on the download site: `when-to-call`, `booklet` or `pack:<id>`."""
        return f"pack:{self.id}" if self.kind == "pack" else self.id

    def url(self) -> str | None:
        """Return the address of the online copy under the clinic's website, if it has one."""
        clinic = self.edition.clinic
        if not (clinic and clinic.website) or self.kind != "handout":
            return None
        return f"{clinic.website.rstrip('/')}/{self.path}"


@dataclass(frozen=True)
class RunContext:
    """What one run builds and for whom, resolved once from the options and the clinic profile."""

    content: Path
    out: Path
    clinic: ClinicProfile | None
    paper: str
    editions: tuple[str, ...] = ("standard",)
    locales: tuple[str, ...] = ()  # only these (empty: all)
    topics: tuple[str, ...] = ()  # only these single handouts (empty: all)
    packs: tuple[str, ...] = ()  # only these packs, and no single handouts
    booklet: bool = False  # the booklet too, even with topics or packs
    singles: bool = True  # False: only the booklet and packs (`serve`, after a change to a topic)
    strict: bool = False
    today: dt.date = dt.date(2000, 1, 1)
    force: bool = False  # render every target, even one whose PDF is up to date
    jobs: int = 1  # worker processes that render at once
    shard: tuple[int, int] = (1, 1)  # (K, N): build only the K-th of N shares of the documents (shards.py)

    def edition(self, locale: str, name: str) -> Edition:
        """Return one edition of one locale."""
        return Edition(locale, self.clinic, self.paper, name == "large-print", name == "bilingual")


@dataclass
class Plan:
    """The targets of each locale, in the order they are built, and what planning found."""

    targets: dict[str, list[Target]]
    problems: list[Problem]
    warnings: list[str]


def plan(project, ctx: RunContext) -> Plan:
    """Return every target the run builds: single handouts in reading order, then the booklet and packs.

    A booklet or pack is planned only when the locale has every topic in it: never a silently
    short one. A pack named with --pack that a locale lacks topics for is an error when that
    locale was named too, else a warning.
    """
    result = Plan({}, [], [])
    for code, locale in project.locales.items():
        order = project.booklet.topics if project.booklet else sorted(locale.topics)
        docs = [t for t in order if t in locale.topics] + sorted(set(locale.topics) - set(order))
        docs += ["glossary"] if locale.glossary else []
        singles = [] if not ctx.singles else [d for d in docs if d in ctx.topics] if ctx.topics else \
            ([] if ctx.packs else docs)
        collections: list[tuple[str, str]] = []
        complete = project.booklet and set(project.booklet.topics) | {"glossary"} <= set(docs)
        if (ctx.booklet or not (ctx.topics or ctx.packs)) and complete:
            collections.append(("booklet", "booklet"))
        for pack in project.packs.packs if project.packs else []:
            if pack.id not in ctx.packs and (ctx.packs or ctx.topics):
                continue
            lacking = [t for t in pack.topics if t not in docs]
            if lacking:
                if pack.id in ctx.packs:
                    problem = Problem(locale.folder, 0, 0, "", f"pack {pack.id!r} needs topics this locale "
                                                               f"lacks: {', '.join(lacking)}")
                    if code in ctx.locales:
                        result.problems.append(problem)
                    else:
                        result.warnings.append(f"{problem}; not built")
                continue
            collections.append(("pack", pack.id))
        editions = [name for name in ctx.editions if name != "bilingual" or not locale.is_source]
        if len(editions) < len(ctx.editions) and code in ctx.locales:
            result.warnings.append(f"{code} is the source language: the bilingual edition pairs a translation "
                                   f"with it, so {code} has none")
        result.targets[code] = [Target(ctx.edition(code, name), kind, doc_id)
                                for name in editions
                                for kind, doc_id in [("handout", d) for d in singles] + collections]
    result.targets = my_share(result.targets, ctx.shard)
    return result
