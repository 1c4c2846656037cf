"""The build, read top to bottom: check every input, render every locale in memory, then write.

A locale with any problem writes nothing, the others still build, and every file is
written to a temporary name and renamed, so an earlier good PDF is never half-overwritten.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import fonts
from .content import LocaleContent, Project, load_clinic, load_project
from .errors import Problem
from .html import Edition, booklet_page, documents, edition_css, layout_css, topic_page
from .paths import DEFAULT_CLINIC
from .schema import ClinicProfile


@dataclass
class BuildOptions:
    """What to build and where."""

    content: Path
    out: Path
    clinic_file: Path = DEFAULT_CLINIC
    locales: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    paper: str = "letter"


@dataclass
class Output:
    """One file the build writes, held in memory until its whole locale has rendered."""

    path: Path
    data: bytes
    pages: int = 0


@dataclass
class BuildReport:
    """What a build did: files written, problems and warnings."""

    outputs: list[Output] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed_locales: list[str] = field(default_factory=list)
    seconds: float = 0.0


def check(content: Path, clinic_file: Path | None, locales: list[str] = (), topics: list[str] = ()
          ) -> tuple[Project, ClinicProfile | None, list[Problem]]:
    """Load and validate everything a build would use; return the problems found."""
    project = load_project(content, list(locales) or None, list(topics) or None)
    clinic, problems = load_clinic(clinic_file) if clinic_file else (None, [])
    for locale in project.locales.values():
        for path in locale.sources:
            locale.problems += glyph_problems(path)
    return project, clinic, sorted(project.all_problems() + problems)


def glyph_problems(path: Path) -> list[Problem]:
    """Return a problem for every character in `path` that no bundled font can draw."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # the loader has reported it already
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        for char in fonts.uncovered(line):
            problems.append(Problem(path, number, line.index(char) + 1, "",
                                    f"character {char!r} (U+{ord(char):04X}) is in no bundled font "
                                    f"and would print as an empty box"))
    return problems


def build(options: BuildOptions, progress=print) -> BuildReport:
    """Check everything, render each good locale in memory, then write its files."""
    started = time.perf_counter()
    report = BuildReport()
    project, clinic, problems = check(options.content, options.clinic_file, options.locales, options.topics)
    report.problems = problems
    if clinic is None or project.problems or not project.locales:
        report.failed_locales = sorted(project.locales)
        return report

    from .pdf import PDFRenderer, RefusedURL, WarningCollector  # WeasyPrint: only when rendering

    collector = WarningCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        for code, locale in project.locales.items():
            if locale.problems:
                report.failed_locales.append(code)
                continue
            edition = Edition(locale=code, clinic=clinic, paper=options.paper)
            renderer = PDFRenderer([layout_css(), edition_css(edition, locale.strings)])
            try:
                outputs = render_locale(locale, project, edition, renderer, options, progress, report)
            except RefusedURL as error:
                report.problems.append(Problem(options.content / code, 0, 0, "", str(error)))
                report.failed_locales.append(code)
                continue
            if outputs is None:
                report.failed_locales.append(code)
                continue
            for output in outputs:
                write_atomically(output.path, output.data)
            report.outputs += outputs
    finally:
        logger.removeHandler(collector)
    report.warnings = collector.messages
    report.seconds = time.perf_counter() - started
    return report


def render_locale(locale: LocaleContent, project: Project, edition: Edition, renderer, options: BuildOptions,
                  progress, report: BuildReport) -> list[Output] | None:
    """Render every document of one locale; return None when a page-count limit is broken."""
    out = options.out / locale.code
    order = project.booklet.topics if project.booklet else sorted(locale.topics)
    order = [t for t in order if t in locale.topics] + sorted(set(locale.topics) - set(order))
    docs = documents(locale, edition, order)
    if options.topics and "glossary" not in options.topics:
        docs = [d for d in docs if d.id != "glossary"]
    outputs: list[Output] = []
    failed = False
    for doc in docs:
        rendered = renderer.render(topic_page(doc, edition, locale, preview=False))
        max_pages = getattr(doc.topic, "max_pages", None)
        if max_pages and rendered.pages > max_pages:
            path = locale.files.get(doc.id, options.content / locale.code / f"{doc.id}.yaml")
            report.problems.append(Problem(path, 0, 0, "max_pages",
                                           f"renders to {rendered.pages} pages on {options.paper} paper; "
                                           f"the limit is {max_pages}: shorten the text"))
            failed = True
        outputs.append(Output(out / f"{doc.id}.pdf", rendered.data, rendered.pages))
        preview = topic_page(doc, edition, locale, preview=True, stylesheets=_preview_css(options))
        outputs.append(Output(out / f"{doc.id}.html", preview.encode()))
        progress(f"  {locale.code}/{doc.id}.pdf  {rendered.pages} page{'s' if rendered.pages != 1 else ''}  "
                 f"{len(rendered.data) // 1024} KB")
    if not options.topics:
        rendered = renderer.render(booklet_page(docs, edition, locale, preview=False))
        outputs.append(Output(out / "booklet.pdf", rendered.data, rendered.pages))
        progress(f"  {locale.code}/booklet.pdf  {rendered.pages} pages  {len(rendered.data) // 1024} KB")
    outputs += preview_assets(options, edition, locale.strings)
    return None if failed else outputs


def _preview_css(options: BuildOptions) -> list[str]:
    return ["../assets/fonts.css", "../assets/print.css", "edition.css"]


def preview_assets(options: BuildOptions, edition: Edition, strings) -> list[Output]:
    """Return the stylesheets and fonts the HTML previews link to, so they look like the PDF."""
    assets = options.out / "assets"
    outputs = [Output(assets / "print.css", layout_css().encode()),
               Output(options.out / edition.locale / "edition.css", edition_css(edition, strings).encode())]
    css = fonts.font_face_css(lambda face: f"fonts/{face.path.name}")
    outputs.append(Output(assets / "fonts.css", css.encode()))
    outputs += [Output(assets / "fonts" / face.path.name, face.path.read_bytes()) for face in fonts.faces()]
    return outputs


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
