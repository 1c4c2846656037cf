"""The command line: `build` (the default), `check`, `literacy`, `status`, `translate`, `export`, `import`,
`serve`, `site` and `schema`; their options are in `arguments.py`.

Exit codes follow Click's conventions: 0 success, 1 a content or user error, 2 a usage error.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from .arguments import COMMANDS, parser
from .errors import UserError
from .paths import CONTENT
from .write import WriteError


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:
        from .system import versions

        print(versions(CONTENT))
        return 0
    if not argv or (argv[0] not in COMMANDS and argv[0] not in {"-h", "--help"}):
        argv.insert(0, "build")
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if getattr(args, "debug", False):
        os.environ["HANDOUTGEN_DEBUG"] = "1"  # the cache's notes on what it ignored (untrusted.py)
    try:
        from .system import check_environment

        check_environment()  # SOURCE_DATE_EPOCH and the like: one clear line, before any work
        if args.command == "check":
            return _check(args)
        if args.command == "literacy":
            return _literacy(args)
        if args.command == "status":
            return _status(args)
        if args.command == "translate":
            return _translate(args)
        if args.command == "export":
            return _export(args)
        if args.command == "import":
            return _import(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "site":
            from .shards import write_site

            _out_folder(args.out)
            pdfs, pages = write_site(args.out, args.shards, args.content, args.clinic)
            print(f"Merged {len(args.shards)} shard(s) into {args.out}/: {pdfs} PDFs ({pages} pages) and the site.")
            return 0
        if args.command == "schema":
            from .jsonschema import write_schemas

            for path in write_schemas():
                print(f"wrote {path}")
            return 0
        return _build(args)
    except (UserError, WriteError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped to `head`, which stopped reading: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:  # the disk, permissions or a file that vanished: the user's to fix, not a bug
        if args.debug:
            raise
        where = f"{error.filename}: " if error.filename else ""
        print(f"Error: {where}{error.strerror or error}", file=sys.stderr)
        return 1
    except Exception:  # a bug: say so plainly, and show the traceback only when asked
        if args.debug:
            raise
        print(f"Error: unexpected failure:\n{traceback.format_exc(limit=-1).strip().splitlines()[-1]}\n"
              "This is a bug in handoutgen; run again with --debug and report the traceback.", file=sys.stderr)
        return 1


def _report_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"Error: {len(problems)} problem{'s' if len(problems) != 1 else ''} found.", file=sys.stderr)


def _check(args) -> int:
    """Check the content; the same inputs, code and options give the same report, so a repeat is replayed."""
    from . import cache
    from .incremental import check_key

    key = check_key(args)
    report = cache.load("check", str(args.content.resolve()), key) if key else None
    if report is None:
        report = _check_report(args)
        if key:
            cache.store("check", str(args.content.resolve()), key, report)
    for to_stderr, line in report["lines"]:
        print(line, file=sys.stderr if to_stderr else sys.stdout)
    return report["code"]


def _check_report(args) -> dict:
    """Run every rule; return the report's lines (stderr or not, text) and the exit code."""
    from .rules import check

    checked = check(args.content, args.clinic, args.locale, args.topic)
    lines = []
    if checked.grades:
        lines.append((False, "Reading grade of the English topics (Flesch-Kincaid, SMOG):"))
        for line in checked.grades:
            lines.append((False, (f"  {line.topic:36} FK {line.flesch_kincaid:4.1f}  SMOG {line.smog:4.1f}  "
                                  f"(limit FK {line.limit:g})  {'TOO HARD' if line.too_hard else 'ok'}")))
    problems = checked.problems
    lines += [(True, f"warning: {warning}") for warning in checked.profile_warnings]
    lines += [(True, str(problem)) for problem in problems]
    if problems:
        lines.append((True, f"Error: {len(problems)} problem{'s' if len(problems) != 1 else ''} found."))
        return {"lines": lines, "code": 1}
    counted = sum(len(loc.sources) for loc in checked.project.locales.values())
    lines.append((False, f"Checked {counted} files in {len(checked.project.locales)} locale(s): no problems."))
    return {"lines": lines, "code": 0}


def _literacy(args) -> int:
    import json

    from .content import load_project
    from .literacy import as_json, as_text, report

    if not args.content.is_dir():
        raise UserError(f"content folder not found: {args.content}")
    project = load_project(args.content, args.locale or None, args.topic or None)
    if project.all_problems():  # measuring broken content would mislead: fix it first, as `check` says
        _report_problems(project.all_problems())
        return 1
    rows = report(project, args.topic)
    print(json.dumps(as_json(rows), indent=2, ensure_ascii=False) if args.format == "json" else as_text(rows))
    found = sum(len(row.findings) for row in rows)
    if args.strict and found:
        print(f"Error: {found} health-literacy finding{'s' * (found != 1)} (--strict).", file=sys.stderr)
        return 1
    return 0


def _status(args) -> int:
    import json

    from .content import load_project
    from .status import as_json, as_text, diff, percent, rows

    if not args.content.is_dir():
        raise UserError(f"content folder not found: {args.content}")
    if args.diff:
        locale, topic = args.diff
        project = load_project(args.content, [locale])
        if locale not in project.locales or project.source is None:
            _report_problems(project.all_problems())
            return 1
        known = [*project.source.topics, "glossary"]
        if topic not in known:
            raise UserError(f"no English topic {topic!r} to compare; topics: {', '.join(known)}")
        print(diff(project, locale, topic), end="")
        return 0
    project = load_project(args.content, args.locale or None)
    if project.source is None or project.source.problems:
        _report_problems(project.all_problems())
        return 1
    found = rows(project)
    print(json.dumps(as_json(found), indent=2, ensure_ascii=False) if args.format == "json" else as_text(found))
    below = []
    if args.min_complete is not None:
        for code in project.locales:
            done = percent([row for row in found if row.locale == code])
            if done < args.min_complete:
                below.append(f"{code} is {done:.0f}% translated, below --min-complete {args.min_complete:g}")
    for message in below:
        print(f"Error: {message}", file=sys.stderr)
    problems = list(project.problems)  # an unknown --locale or locale folder
    _report_problems(problems)
    return 1 if below or problems else 0


def _translate(args) -> int:
    from .translate import accept, translate

    if not args.content.is_dir():
        raise UserError(f"content folder not found: {args.content}")
    if args.accept:
        for part in args.accept:
            accept(args.content, args.locale, part)
        return 0
    print(f"Bringing {args.content / args.locale}/ up to date with the English:")
    changed = translate(args.content, args.locale, args.topic)
    print(f"{changed} file{'s' * (changed != 1)} changed." if changed else "Nothing to add: every part is there.")
    if changed:
        print(f"Next: translate the parts marked `untranslated: true`, then run "
              f"`generate.py status --locale {args.locale}`.")
    return 0


def _export(args) -> int:
    from .errors import display_path
    from .interchange import FORMATS, export
    from .write import write_atomically

    if not args.content.is_dir():
        raise UserError(f"content folder not found: {args.content}")
    out = args.out or Path(args.locale + FORMATS[args.format])
    target = None if out == Path("-") else _out_file(out, args.content, args.force, args.locale + FORMATS[args.format])
    data, units = export(args.content, args.locale, args.format, args.topic)
    if target is None:
        sys.stdout.buffer.write(data)
        return 0
    try:
        write_atomically(target, data)
    except WriteError as error:
        raise UserError(f"cannot write --out {display_path(out)}: {error.reason}") from None
    todo = sum(1 for unit in units if unit.state != "translated")
    print(f"Wrote {display_path(out)}: {len(units)} units, {todo} to translate or review.", file=sys.stderr)
    return 0


def _out_file(out: Path, content: Path, force: bool, example: str) -> Path:
    """Return the file `--out FILE` names, its links followed; refuse one that is not ours to write.

    Never the content folder or the tool's own files, even with --force; an existing file only when it is
    an earlier export (judged by its content: `interchange.is_export`) or with --force.
    """
    from .errors import display_path
    from .interchange import is_export
    from .paths import ROOT, STYLES, TEMPLATES

    shown = display_path(out)
    try:
        target, folder = out.resolve(), content.resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop of symbolic links
        raise UserError(f"--out {shown}: its symbolic links cannot be followed ({error})") from None
    lead = "is inside" if Path(os.path.abspath(out)) == target else f"leads to {display_path(target)}, inside"
    owned = ((folder, "the content folder"), (CONTENT, "the content folder"), (TEMPLATES, "the templates folder"),
             (STYLES, "the styles folder"), (ROOT / "handoutgen", "handoutgen's own code"))
    for own, what in owned:
        if target.is_relative_to(own):
            elsewhere = Path(example).resolve()
            elsewhere = own.parent / example if elsewhere.is_relative_to(own) else elsewhere
            raise UserError(f"--out {shown} {lead} {what} {display_path(own)}/: write the export elsewhere, "
                            f"such as {display_path(elsewhere)}")
    if target.is_dir():
        raise UserError(f"--out {shown} is a folder: name the file to write, such as {Path(shown) / example}")
    if target.exists() and not target.is_file():
        raise UserError(f"--out {shown} is not a regular file: name a file, or use --out - for standard output")
    if target.exists() and not force:
        try:
            with open(target, "rb") as handle:
                ours = is_export(handle.read(1_000_000))
        except OSError as error:
            raise UserError(f"--out {shown} exists and cannot be read ({error.strerror}): choose another name, "
                            "or add --force to replace it") from None
        if not ours:
            raise UserError(f"--out {shown} already exists and is not an earlier export: choose another name, "
                            "or add --force to replace it")
    return target


def _import(args) -> int:
    from .importing import Refused, import_file

    if not args.content.is_dir():
        raise UserError(f"content folder not found: {args.content}")
    try:
        written = import_file(args.content, args.locale, args.file)
    except Refused as refused:
        _report_problems(refused.problems)
        print("Error: import refused; nothing was written.", file=sys.stderr)
        return 1
    if written:
        print(f"{len(written)} file{'s' * (len(written) != 1)} updated. Next: generate.py status --locale {args.locale}")
    return 0


def _serve(args) -> int:
    from .build import BuildOptions
    from .serve import serve

    _need_weasyprint()
    if not args.content.is_dir():
        raise UserError(f"content folder not found: {args.content}")
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is not a port number (0 to 65535)")
    from .build import refuse_output_folder

    _out_folder(args.out)
    refuse_output_folder(args.out, args.content)  # before serving: the server would show that folder
    options = BuildOptions(content=args.content, out=args.out, clinic_file=args.clinic, locales=args.locale,
                           topics=args.topic, paper=args.paper,
                           editions=list(dict.fromkeys(args.edition)) or ["standard"])
    return serve(options, args.port, say=lambda line: print(line, flush=True), debug=args.debug)


def _out_folder(out: Path) -> None:
    """Refuse an --out DIR that exists and is not a folder, before any work is done."""
    from .errors import display_path

    if out.exists() and not out.is_dir():
        raise UserError(f"cannot write {display_path(out)}: --out {display_path(out)} is a file, not a folder; name a "
                        f"folder to write into, "
                        f"such as build/")


def _need_weasyprint() -> None:
    """Stop with one line naming the system packages to install, before WeasyPrint fails deep inside."""
    from .system import missing_message, missing_packages

    missing = missing_packages()
    if missing:
        raise UserError(missing_message(missing))


def _build(args) -> int:
    from .system import today

    _need_weasyprint()
    if not args.content.is_dir():
        raise UserError(f"content folder not found: {args.content}")
    _out_folder(args.out)
    print(f"Building into {args.out}/")
    from .incremental import nothing_to_do, run_key_of

    key = run_key_of(args, today())  # before importing the build: with nothing to do, that is all there is
    if key and not args.force and nothing_to_do(args.out, key):
        return 0
    from .build import BuildOptions, build

    options = BuildOptions(content=args.content, out=args.out, clinic_file=args.clinic, locales=args.locale,
                           topics=args.topic, paper=args.paper, editions=list(dict.fromkeys(args.edition)) or ["standard"],
                           strict=args.strict, packs=args.pack, force=args.force, jobs=args.jobs, run_key=key,
                           shard=args.shard)
    report = build(options)
    for message in report.warnings:
        print(f"warning: {message}", file=sys.stderr)
    pages = sum(o.pages for o in report.outputs)
    pdfs = [o for o in report.outputs if o.path.suffix == ".pdf"]
    size = sum(len(o.data) for o in pdfs)
    if report.outputs:
        kept = f"; {report.unchanged} PDFs were up to date" if report.unchanged else ""
        print(f"Wrote {len(pdfs)} PDFs ({pages} pages, {size / 1_000_000:.1f} MB) and "
              f"{len(report.outputs) - len(pdfs)} other files in {report.seconds:.1f} s{kept}.")
    _report_problems(report.problems)
    if report.failed_locales:
        print(f"Error: nothing written for {', '.join(report.failed_locales)}; fix the problems above.",
              file=sys.stderr)
    return 1 if report.problems or report.failed_locales else 0
