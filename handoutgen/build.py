"""The build, read top to bottom: check → plan → render → verify → write.

1. Check every input with the rules `check` and `serve` use too (`rules.py`).
2. Plan one `Target` per document in each locale and edition (`plan.py`).
3. Render each locale's targets in memory (`html.py`, then `pdf.py`).
4. Verify each PDF as a reader's tools read it (`verify.py`): a locale that breaks a promise
   writes nothing, and the other locales still build.
5. Write each good locale all or nothing, under the folder's lock (`write.py`), then the site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import fonts
from .content import LocaleContent, Project, is_language_tag
from .errors import Problem, UserError
from .errors import display_path as display
from .footer import blamed_field
from .html import Collection, booklet_page, documents, edition_css, english_side, layout_css, topic_page
from .incremental import output_files, target_key, unchanged
from .manifest import MANIFEST, NO_CLINIC, Manifest, input_digests, read_manifest
from .paths import DEFAULT_CLINIC, ROOT, STYLES, TEMPLATES
from .plan import Edition, RunContext, Target, plan
from .render import Job, render_all
from .rules import buildable, check
from .schema_clinic import ClinicProfile
from .site import contains, facts, handout_facts, site_pages
from .source import read_yaml
from .system import today
from .verify import Promise, verify
from .write import commit, locked, remove_stale_temporaries


@dataclass
class BuildOptions:
    """What to build and where, as the command line gave it."""

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
    force: bool = False  # render every PDF, even those whose inputs have not changed
    jobs: int = 1  # worker processes that render at once
    shard: tuple[int, int] = (1, 1)  # (K, N): only the K-th of N shares of the documents, and no site
    run_key: str | None = None  # the digest of every input (incremental.run_key): recorded when the run succeeds


@dataclass
class Output:
    """One file the build wrote."""

    path: Path
    data: bytes
    pages: int = 0


@dataclass
class BuildReport:
    """What a build did: files written, problems and warnings."""

    outputs: list[Output] = field(default_factory=list)
    unchanged: int = 0  # PDFs whose inputs had not changed: not rendered again
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed_locales: list[str] = field(default_factory=list)
    seconds: float = 0.0


def refuse_output_folder(out: Path, content: Path) -> None:
    """Refuse an output folder that is, or lies inside, the content folder or the project's own files."""
    target = out.resolve()
    for own in (content.resolve(), TEMPLATES, STYLES, ROOT / "handoutgen"):
        if target.is_relative_to(own):
            raise UserError(f"--out {display(out)} would write into {display(own)}: choose a folder of its "
                            f"own, such as build/")


def build(options: BuildOptions, progress=print) -> BuildReport:
    """Check everything, render and verify each good locale in memory, then write it.

    A build reads no cache (`cache.bypassed`): what it prints comes from the files themselves, so
    no entry in the cache folder, damaged or forged, can change a number on a page.
    """
    from . import cache

    with cache.bypassed():
        return _build(options, progress)


def _build(options: BuildOptions, progress) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    refuse_output_folder(options.out, options.content)
    # 1. Check. A pack or the booklet may need any topic, so they load them all.
    checked = check(options.content, options.clinic_file, options.locales, options.topics, packs=options.packs,
                    today=options.today, strict=options.strict,
                    load_topics=[] if options.packs or options.booklet else options.topics)
    project, clinic = checked.project, checked.clinic
    paper = options.paper or (clinic.paper if clinic and clinic.paper else "letter")
    ctx = RunContext(options.content, options.out, clinic, paper, tuple(options.editions), tuple(options.locales),
                     tuple(options.topics), tuple(options.packs), options.booklet, options.singles, options.strict,
                     options.today, options.force, max(1, options.jobs), options.shard)
    # 2. Plan.
    planned = plan(project, ctx)
    report.problems = sorted(checked.problems + planned.problems)
    report.warnings += checked.warnings + planned.warnings
    known = _locale_folders(options.content)
    manifest = read_manifest(options.out, known)
    report.warnings += manifest.dropped
    mixed = None if checked.clinic_failed else _other_clinic(manifest, ctx)
    report.problems += [mixed] if mixed else []
    if checked.clinic_failed or project.problems or not project.locales or mixed or \
            any(p.file == options.content / "packs.yaml" for p in report.problems):
        report.failed_locales = sorted(project.locales)
        return report

    from .pdf import RefusedURL, WarningCollector  # WeasyPrint: only when rendering

    try:  # a file that cannot be read is already a located problem of its locale; `site` refuses such a shard
        inputs: dict[str, str] | None = input_digests(options.content, options.clinic_file,
                                                      clinic.logo if clinic else None, shaping(options))
    except OSError:
        inputs = None

    collector = WarningCollector()
    logging.getLogger("weasyprint").addHandler(collector)
    try:
        for code, locale in project.locales.items():
            if not buildable(project, code) or any(p.file.is_relative_to(locale.folder) for p in report.problems):
                report.failed_locales.append(code)  # a translation is merged with the English: both must be good
                continue
            # 3. Render and 4. verify, in memory.
            before = len(report.problems)
            try:
                files, records = _render_locale(locale, project, planned.targets[code], ctx, report, progress,
                                                manifest, options.clinic_file)
            except RefusedURL as error:
                report.problems.append(Problem(options.content / code, 0, 0, "", str(error)))
            report.problems += [Problem(options.content / code, 0, 0, "", f"WeasyPrint: {message}")
                                for message in collector.take_errors()]  # an image it could not load
            if len(report.problems) > before:
                report.failed_locales.append(code)
                continue
            # 5. Write this locale, all or nothing, with its manifest entries.
            with locked(options.out):
                remove_stale_temporaries(options.out)
                manifest = read_manifest(options.out, known)
                mixed = _other_clinic(manifest, ctx)
                if mixed:
                    report.problems.append(mixed)
                    report.failed_locales.append(code)
                    continue
                manifest.clinic = _clinic_name(ctx)
                manifest.shard = options.shard if options.shard[1] > 1 else None
                manifest.inputs = inputs
                for record in records:
                    manifest.record(*record)
                manifest.others.update({path.relative_to(options.out).as_posix(): hashlib.sha256(data).hexdigest()
                                        for path, data in files.items() if path.suffix != ".pdf"})
                commit({**files, options.out / MANIFEST: manifest.data()}, options.out)
            pages = {options.out / str(record[0].path): record[2] for record in records}
            report.outputs += [Output(path, data, pages.get(path, 0)) for path, data in files.items()]
        if report.outputs and options.shard[1] == 1:  # a shard's site would list a part: `site` merges them
            with locked(options.out):
                manifest = read_manifest(options.out, known)
                site = site_pages(options.out, project, clinic, manifest.files, set(report.failed_locales))
                extra = {**preview_assets(options.out), **site}
                commit(extra, options.out)
            report.outputs += [Output(path, data) for path, data in extra.items()]
    finally:
        logging.getLogger("weasyprint").removeHandler(collector)
    report.warnings += [f"WeasyPrint: {message}" for message in collector.messages]
    if options.run_key and not report.problems and not report.failed_locales:
        _record_run(options, known, report)
    report.seconds = time.perf_counter() - started
    return report


def shaping(options: BuildOptions) -> str:
    """Return the options that shape a build's files, as text: every shard of one build must agree on them."""
    return repr((sorted(options.locales), sorted(options.topics), options.paper, options.editions, sorted(options.packs),
                 options.booklet, options.singles))  # not the date nor --strict: a shard run again tomorrow agrees


def _record_run(options: BuildOptions, known: set[str], report: BuildReport) -> None:
    """Record that this run succeeded, with what it left in the folder, so that the same run again does nothing."""
    with locked(options.out):
        manifest = read_manifest(options.out, known)
        mine = [e for e in manifest.files.values() if e["locale"] in known]
        manifest.last_run = {"key": options.run_key, "files": output_files(options.out), "warnings": report.warnings,
                             "pdfs": len(mine), "pages": sum(e["pages"] for e in mine)}
        commit({options.out / MANIFEST: manifest.data()}, options.out)


def _locale_folders(content: Path) -> set[str]:
    return {p.name for p in content.iterdir() if p.is_dir() and is_language_tag(p.name)} if content.is_dir() else set()


def _clinic_name(ctx: RunContext) -> str:
    return ctx.clinic.name if ctx.clinic else NO_CLINIC


def _other_clinic(manifest: Manifest, ctx: RunContext) -> Problem | None:
    """Refuse to mix two clinics' handouts (and so their phone numbers) in one folder and one site."""
    if manifest.clinic in {None, _clinic_name(ctx)}:
        return None
    return Problem(ctx.out / MANIFEST, 0, 0, "", f"{display(ctx.out)} holds handouts built for {manifest.clinic}, "
                   f"and this build is for {_clinic_name(ctx)}: build into another folder with --out, or delete "
                   f"{display(ctx.out)} first")


def _render_locale(locale: LocaleContent, project: Project, targets: list[Target], ctx: RunContext,
                   report: BuildReport, progress, built: Manifest,
                   clinic_file: Path | None = None) -> tuple[dict[Path, bytes], list]:
    """Render and verify every target of one locale whose inputs changed; return its files and manifest records."""
    files: dict[Path, bytes] = {}
    records: list[tuple] = []
    jobs: list[tuple[Job, Target, tuple]] = []  # what to render, for which target, and how to verify it
    order = project.booklet.topics if project.booklet else sorted(locale.topics)
    strings = locale.folder / "strings.yaml"
    families = fonts.families_for(locale.code)
    footer = footer_field(ctx.clinic, clinic_file)
    for name in ctx.editions:
        edition = ctx.edition(locale.code, name)
        mine = [t for t in targets if t.edition == edition]
        if not mine:
            continue
        css = edition_css(edition, locale.strings)
        docs = documents(locale, edition, order)
        english = english_side(project.source, edition, order) if edition.bilingual else None
        promise = Promise.for_edition(locale.strings, edition.values(locale.strings), strings,
                                      (english["ui"], english["values"]) if english else None,
                                      ctx.clinic.name if ctx.clinic else "", footer)
        files[ctx.out / str(edition.folder) / "edition.css"] = css.encode()
        for target in mine:
            html, source, said, limit, fallback = _page(target, docs, locale, project, edition, english)
            key = target_key(html, layout_css(), css, families=families, paper=edition.paper, edition=name)
            entry = built.files.get(str(target.path))
            if not ctx.force and unchanged(entry, key, ctx.out / str(target.path)):
                records.append((target, entry["bytes"], entry["pages"], said, key, entry["sha256"]))
                report.unchanged += 1
                progress(f"  {target.path}  unchanged")
            else:
                job = Job(html, layout_css(), css, families, str(target.path))
                jobs.append((job, target, (promise, source, said, limit, fallback, key)))
            if target.preview:
                files[ctx.out / str(target.preview)] = preview_page(target, docs, locale, english)
    rendered_all = render_all([job for job, _, _ in jobs], ctx.jobs, progress)
    for (job, target, (promise, source, said, limit, fallback, key)), rendered in zip(jobs, rendered_all):
        report.problems += verify(rendered, job.name, promise, None if fallback else limit, source,
                                  target.edition.paper)
        if fallback and limit and rendered.pages > limit:  # the boxed English takes room
            report.warnings.append(f"{display(source)}: {target.path} renders to {rendered.pages} pages; "
                                   f"the limit is {limit}: it must fit once it is fully translated")
        files[ctx.out / str(target.path)] = rendered.data
        records.append((target, len(rendered.data), rendered.pages, said, key,
                        hashlib.sha256(rendered.data).hexdigest()))
    return files, records


def preview_page(target: Target, docs, locale: LocaleContent, english: dict | None) -> bytes:
    """Return a handout's HTML preview, which links to the site's shared assets and its edition's stylesheet."""
    depth = "../" * len(target.edition.folder.parts)
    doc = next(d for d in docs if d.id == target.id)
    stylesheets = [f"{depth}assets/fonts.css", f"{depth}assets/print.css", "edition.css"]
    return topic_page(doc, target, locale, preview=True, stylesheets=stylesheets, bilingual=english).encode()


def companion_files(project: Project, clinic: ClinicProfile | None, entries: dict[str, dict]) -> dict[str, bytes]:
    """Return the files a build writes beside the PDFs `entries` lists (each edition's stylesheet, each handout's
    HTML preview), made again from the content: `site` publishes a shard's copy only when it is the same."""
    made: dict[str, bytes] = {}
    groups: dict[tuple[str, str, str], list[str]] = {}
    for entry in entries.values():
        groups.setdefault((entry["locale"], entry["edition"], entry["paper"]), []).append(entry["doc"])
    for (code, name, paper), ids in sorted(groups.items()):
        locale = project.locales.get(code)
        if locale is None:
            continue
        edition = Edition(code, clinic, paper, name == "large-print", name == "bilingual")
        order = project.booklet.topics if project.booklet else sorted(locale.topics)
        docs = documents(locale, edition, order)
        english = english_side(project.source, edition, order) if edition.bilingual else None
        made[f"{edition.folder}/edition.css"] = edition_css(edition, locale.strings).encode()
        for doc_id in ids:
            target = Target(edition, "handout", doc_id)
            if target.preview and any(d.id == doc_id for d in docs):
                made[str(target.preview)] = preview_page(target, docs, locale, english)
    return made


def footer_field(clinic: ClinicProfile | None, clinic_file: Path | None) -> Problem | None:
    """Return where the clinic profile sets the footer's longest line (its department, else its name), to blame."""
    if clinic is None or clinic_file is None:
        return None
    doc, _ = read_yaml(clinic_file)
    field = blamed_field(clinic)
    return doc.problem((field,), "") if doc else Problem(clinic_file, 0, 0, field, "")


def _page(target: Target, docs, locale: LocaleContent, project: Project, edition: Edition, english: dict | None):
    """Return a target's HTML, its source file, its site facts, its page limit, and whether it is partly English."""
    ui, code = locale.strings, locale.code
    if target.kind == "handout":
        doc = next(d for d in docs if d.id == target.id)
        source = locale.files.get(doc.id, locale.folder / f"{doc.id}.yaml")
        limit = None if edition.large_print else getattr(doc.topic, "max_pages", None)
        limit = limit * 2 if limit and edition.bilingual else limit  # every part twice: the fridge page in two
        return (topic_page(doc, target, locale, preview=False, bilingual=english), source,
                handout_facts(doc, code, edition.values(ui)), limit, bool(doc.fallbacks))
    if target.kind == "booklet":
        collection = Collection(ui.booklet_title, ui.booklet_subtitle, docs)
        said = facts(ui.booklet_title, ui.booklet_subtitle, code, docs)
        return booklet_page(collection, edition, locale, preview=False, bilingual=english), None, said, None, False
    pack = next(p for p in project.packs.packs if p.id == target.id)
    by_id = {doc.id: doc for doc in docs}
    title = pack.title.get(code, pack.title["en"])
    collection = Collection(title, ui.booklet_title, [by_id[t] for t in pack.topics], True)
    said = facts(title, contains(collection.docs, ui, code), code if code in pack.title else "en", collection.docs)
    return booklet_page(collection, edition, locale, preview=False, bilingual=english), None, said, None, False


def preview_assets(out: Path) -> dict[Path, bytes]:
    """Return the stylesheets and fonts the HTML previews link to, so they look like the PDF."""
    assets = out / "assets"
    files = {assets / "print.css": layout_css().encode(),
             assets / "fonts.css": fonts.font_face_css(lambda face: f"fonts/{face.path.name}", ranges=True).encode()}
    files.update({assets / "fonts" / face.path.name: face.path.read_bytes() for face in fonts.faces()})
    return files
