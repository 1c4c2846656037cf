"""The build, read top to bottom: check every input, render every locale in memory, then write.

A locale with any problem writes nothing, the others still build, and every file is
written to a temporary name and renamed, so an earlier good PDF is never half-overwritten.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import fonts
from .content import LocaleContent, Project, load_clinic, load_project
from .errors import Problem, listing
from .errors import display_path as display
from .html import Collection, Edition, booklet_page, documents, edition_css, layout_css, topic_page
from .paths import DEFAULT_CLINIC
from .schema import ClinicProfile, did_you_mean
from .site import MANIFEST, NO_CLINIC, contains, facts, handout_facts, read_manifest, site_pages


UMASK = os.umask(0o022)  # read once, at import, then restored: os.umask can only be read by setting it
os.umask(UMASK)


@dataclass
class BuildOptions:
    """What to build and where."""

    content: Path
    out: Path
    clinic_file: Path | None = DEFAULT_CLINIC  # None: generic handouts with blank lines (--no-clinic)
    locales: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    paper: str | None = None  # None: the profile's paper, else Letter
    editions: list[str] = field(default_factory=lambda: ["standard"])
    packs: list[str] = field(default_factory=list)  # only these packs (and no single handouts)
    booklet: bool = False  # the booklet too, even with --topic or --pack
    singles: bool = True  # False: only the booklet and packs (`serve`, after a change to a topic)
    strict: bool = False
    today: dt.date = field(default_factory=lambda: today())


@dataclass
class Output:
    """One file the build writes, held in memory until its whole locale has rendered."""

    path: Path
    data: bytes
    pages: int = 0
    facts: dict | None = None  # for a PDF: what the download site says of it (see site.facts)


@dataclass
class BuildReport:
    """What a build did: files written, problems and warnings."""

    outputs: list[Output] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed_locales: list[str] = field(default_factory=list)
    seconds: float = 0.0


def today() -> dt.date:
    """Return today's date, or the one in SOURCE_DATE_EPOCH for a reproducible build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()


def review_problems(project: Project, on: dt.date, strict: bool, topics: list[str] = ()
                    ) -> tuple[list[Problem], list[str]]:
    """Return errors (with --strict) and warnings for the draft and overdue content a build would use."""
    errors, warnings = [], []
    for locale in project.locales.values():
        found = len(errors)
        items = [(locale.files[t], topic) for t, topic in locale.topics.items()]
        if locale.glossary and (not topics or "glossary" in topics):
            items.append((locale.folder / "glossary.yaml", locale.glossary))
        for path, topic in items:
            review = topic.review
            if review.next_review and review.next_review < on:
                message = f"review overdue since {review.next_review.isoformat()}"
                if strict:
                    errors.append(Problem(path, 0, 0, "review.next_review", message))
                else:
                    warnings.append(f"{display(path)}: {message}")
            elif review.is_draft and strict:
                errors.append(Problem(path, 0, 0, "review.status", "draft: not reviewed by a clinician (--strict)"))
        if not locale.is_source:
            translation_errors, translation_warnings = _translation_gaps(locale, strict, topics)
            errors += translation_errors
            warnings += translation_warnings
        locale.problems += errors[found:]  # a locale with any of these writes nothing
    return errors, warnings


def _translation_gaps(locale: LocaleContent, strict: bool, topics) -> tuple[list[Problem], list[str]]:
    """Return what a translation prints in English, and its draft reviews: errors with --strict, else warnings."""
    gaps: list[Problem] = []
    drafts: list[Problem] = []
    for doc_id, fallbacks in sorted(locale.fallbacks.items()):
        if topics and doc_id not in topics:
            continue
        path = locale.folder / f"{doc_id}.yaml"
        for reason in ("untranslated", "outdated"):
            parts = [name for name, why in fallbacks.items() if why == reason]
            if parts:
                what = "not translated" if reason == "untranslated" else "changed in English since translated"
                gaps.append(Problem(path, 0, 0, "", f"{len(parts)} part{'s' * (len(parts) > 1)} printed in English, "
                                                    f"{what}: {listing(parts)}"))
        review = locale.reviews.get(doc_id)
        if review and review.is_draft:
            drafts.append(Problem(path, 0, 0, "review.status", "draft translation: not reviewed by a qualified "
                                                               "medical translator (--strict)"))
    if locale.missing_strings:
        gaps.append(Problem(locale.folder / "strings.yaml", 0, 0, "", f"{len(locale.missing_strings)} UI strings "
                                                                      f"printed in English: {listing(locale.missing_strings)}"))
    if strict:
        return gaps + drafts, []
    return [], [str(problem) for problem in gaps]  # a draft translation says so on every page; no warning


def check(content: Path, clinic_file: Path | None, locales: list[str] = (), topics: list[str] = ()
          ) -> tuple[Project, ClinicProfile | None, list[Problem]]:
    """Load and validate everything a build would use; return the problems found."""
    project = load_project(content, list(locales) or None, list(topics) or None)
    clinic, problems = load_clinic(clinic_file) if clinic_file else (None, [])
    return project, clinic, sorted(project.all_problems() + problems)


def build(options: BuildOptions, progress=print) -> BuildReport:
    """Check everything, render each good locale in memory, then write its files."""
    started = time.perf_counter()
    report = BuildReport()
    # A pack may need any topic, so --pack loads them all; --topic alone loads only what it names.
    load = [] if options.packs or options.booklet else options.topics
    project, clinic, problems = check(options.content, options.clinic_file, options.locales, load)
    review_errors, report.warnings = review_problems(project, options.today, options.strict, options.topics)
    report.problems = sorted(problems + review_errors)
    known_packs = [p.id for p in project.packs.packs] if project.packs else []
    unknown_packs = [Problem(options.content / "packs.yaml", 0, 0, "", f"no pack {pack_id!r}"
                             f"{did_you_mean(pack_id, known_packs)}; packs: {', '.join(known_packs)}")
                     for pack_id in options.packs if pack_id not in known_packs]
    report.problems += unknown_packs
    manifest = read_manifest(options.out)
    report.warnings += manifest.dropped
    for_clinic = clinic.name if clinic else NO_CLINIC
    mixed = manifest.clinic not in {None, for_clinic}  # one folder, one site: never two clinics' numbers
    if mixed:
        report.problems.append(Problem(options.out / MANIFEST, 0, 0, "", f"{display(options.out)} holds handouts "
                                       f"built for {manifest.clinic}, and this build is for {for_clinic}: build "
                                       f"into another folder with --out, or delete {display(options.out)} first"))
    if (options.clinic_file and clinic is None) or project.problems or not project.locales or unknown_packs or mixed:
        report.failed_locales = sorted(project.locales)
        return report
    manifest.clinic = for_clinic
    paper = options.paper or (clinic.paper if clinic and clinic.paper else "letter")

    from .pdf import PDFRenderer, RefusedURL, WarningCollector  # WeasyPrint: only when rendering

    collector = WarningCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        for code, locale in project.locales.items():
            if locale.problems or (not locale.is_source and project.source.problems):
                report.failed_locales.append(code)  # a translation is merged with the English: both must be good
                continue
            outputs: list[Output] = []
            try:
                for name in options.editions:
                    edition = Edition(locale=code, clinic=clinic, paper=paper, large_print=name == "large-print")
                    renderer = PDFRenderer(layout_css(), edition_css(edition, locale.strings),
                                           fonts.families_for(code))
                    outputs += render_edition(locale, project, edition, renderer, options, progress, report)
            except RefusedURL as error:
                report.problems.append(Problem(options.content / code, 0, 0, "", str(error)))
                outputs = []
            if not outputs or any(p.file.is_relative_to(locale.folder) for p in report.problems):
                report.failed_locales.append(code)
                continue
            for output in outputs:
                write_atomically(output.path, output.data)
                if output.facts is not None:
                    entry = {"pages": output.pages, "bytes": len(output.data), "paper": paper, **output.facts}
                    manifest.files[output.path.relative_to(options.out).as_posix()] = entry
            write_atomically(options.out / MANIFEST, manifest.data())  # right away: a stopped build leaves it true
            report.outputs += outputs
        if report.outputs:
            site = site_pages(options.out, project, clinic, manifest.files, set(report.failed_locales))
            for output in preview_assets(options) + [Output(path, data) for path, data in site.items()]:
                write_atomically(output.path, output.data)
                report.outputs.append(output)
    finally:
        logger.removeHandler(collector)
    report.warnings += [f"WeasyPrint: {message}" for message in collector.messages]
    report.seconds = time.perf_counter() - started
    return report


def edition_folder(out: Path, edition: Edition) -> Path:
    """Return where an edition's files go: DIR/<locale>/ or DIR/<locale>/large-print/."""
    folder = out / edition.locale
    return folder / "large-print" if edition.large_print else folder


def render_edition(locale: LocaleContent, project: Project, edition: Edition, renderer, options: BuildOptions,
                   progress, report: BuildReport) -> list[Output]:
    """Render every document of one locale in one edition; page-limit problems go to the report."""
    out = edition_folder(options.out, edition)
    order = project.booklet.topics if project.booklet else sorted(locale.topics)
    order = [t for t in order if t in locale.topics] + sorted(set(locale.topics) - set(order))
    docs = documents(locale, edition, order)
    singles = [d for d in docs if d.id in options.topics] if options.topics else ([] if options.packs else docs)
    singles = singles if options.singles else []
    depth = "../" * len(out.relative_to(options.out).parts)
    stylesheets = [f"{depth}assets/fonts.css", f"{depth}assets/print.css", "edition.css"]
    values = edition.values(locale.strings)
    outputs: list[Output] = []
    for doc in singles:
        rendered = renderer.render(topic_page(doc, edition, locale, preview=False))
        max_pages = getattr(doc.topic, "max_pages", None)
        if max_pages and rendered.pages > max_pages and not edition.large_print:
            over = Problem(locale.files[doc.id], 0, 0, "max_pages", f"renders to {rendered.pages} pages on "
                           f"{edition.paper} paper; the limit is {max_pages}: shorten the text")
            if doc.fallbacks:  # the boxed English takes room; the limit holds once it is all translated
                report.warnings.append(f"{over}, once it is fully translated")
            else:
                report.problems.append(over)
        outputs.append(Output(out / f"{doc.id}.pdf", rendered.data, rendered.pages,
                              handout_facts(doc, edition.locale, values)))
        preview = topic_page(doc, edition, locale, preview=True, stylesheets=stylesheets)
        outputs.append(Output(out / f"{doc.id}.html", preview.encode()))
        progress(f"  {_show(out / doc.id, options.out)}.pdf  {rendered.pages} page{'s' if rendered.pages != 1 else ''}"
                 f"  {len(rendered.data) // 1024} KB")
    ui = locale.strings
    collections: list[tuple[Path, Collection, dict]] = []
    by_id = {doc.id: doc for doc in docs}
    # A booklet or pack is built only when the locale has every topic in it: never a silently short one.
    complete = project.booklet and all(t in by_id for t in project.booklet.topics) and "glossary" in by_id
    if (options.booklet or not (options.topics or options.packs)) and complete:
        collections.append((out / "booklet.pdf", Collection(ui.booklet_title, ui.booklet_subtitle, docs),
                            facts(ui.booklet_title, ui.booklet_subtitle, locale.code, docs)))
    for pack in project.packs.packs if project.packs else []:
        if pack.id not in options.packs and (options.packs or options.topics):
            continue
        if not all(t in by_id for t in pack.topics):
            if pack.id in options.packs:  # asked for: an error if this locale was named, else a warning
                lacking = Problem(locale.folder, 0, 0, "", f"pack {pack.id!r} needs topics this locale lacks: "
                                  f"{', '.join(t for t in pack.topics if t not in by_id)}")
                if locale.code in options.locales:
                    report.problems.append(lacking)
                else:
                    report.warnings.append(f"{lacking}; not built")
            continue
        title = pack.title.get(locale.code, pack.title["en"])
        collection = Collection(title, ui.booklet_title, [by_id[t] for t in pack.topics if t in by_id], True)
        lang = locale.code if locale.code in pack.title else "en"
        collections.append((out / "packs" / f"{pack.id}.pdf", collection,
                            facts(title, contains(collection.docs, ui, locale.code), lang, collection.docs)))
    for path, collection, said in collections:
        rendered = renderer.render(booklet_page(collection, edition, locale, preview=False))
        outputs.append(Output(path, rendered.data, rendered.pages, said))
        progress(f"  {_show(path, options.out)}  {rendered.pages} pages  {len(rendered.data) // 1024} KB")
    outputs.append(Output(out / "edition.css", renderer.edition_css.encode()))
    return outputs


def _show(path: Path, out: Path) -> str:
    return str(path.relative_to(out))


def preview_assets(options: BuildOptions) -> list[Output]:
    """Return the stylesheets and fonts the HTML previews link to, so they look like the PDF."""
    assets = options.out / "assets"
    outputs = [Output(assets / "print.css", layout_css().encode())]
    css = fonts.font_face_css(lambda face: f"fonts/{face.path.name}", ranges=True)
    outputs.append(Output(assets / "fonts.css", css.encode()))
    outputs += [Output(assets / "fonts" / face.path.name, face.path.read_bytes()) for face in fonts.faces()]
    return outputs


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data and path.stat().st_mode & 0o777 == 0o666 & ~UMASK:
        return
    # mkstemp makes a file only its owner can read; a web server must read the site, so the file
    # gets the mode any new file gets under the umask (usually rw-r--r--).
    mode = 0o666 & ~UMASK
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
