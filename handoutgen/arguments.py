"""The command line's words: every command, its options and their help, for `cli.py` to run."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .paths import CONTENT, DEFAULT_CLINIC
from .shards import parse_shard

COMMANDS = ("build", "check", "literacy", "status", "translate", "export", "import", "serve", "site", "schema")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description="Turn reviewed YAML content about ALL into printable caregiver handouts.",
        epilog="Without a command, runs `build`. Use `generate.py COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="store_true",
                        help="print the versions of handoutgen, WeasyPrint and the content, then exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def content(sub: argparse.ArgumentParser, locale: str | None = None, topic: str | None = None) -> None:
        """Add --content and --debug, and --locale and --topic with their help when given."""
        sub.add_argument("--content", type=Path, default=CONTENT, metavar="DIR",
                         help="the content folder (default: handouts/)")
        if locale:
            sub.add_argument("--locale", action="append", default=[], metavar="L",
                             help=f"only this locale{locale.rstrip()} (repeatable; default: all)")
        if topic:
            sub.add_argument("--topic", action="append", default=[], metavar="T",
                             help=f"only this topic{topic.rstrip()} (repeatable; default: all)")
        sub.add_argument("--debug", action="store_true", help="show tracebacks")

    def common(sub: argparse.ArgumentParser) -> None:
        content(sub, locale=", such as en", topic=", such as when-to-call")
        clinic = sub.add_mutually_exclusive_group()
        clinic.add_argument("--clinic", type=Path, default=DEFAULT_CLINIC, metavar="FILE",
                            help="the clinic profile (default: handouts/clinic.yaml, a fictional example)")
        clinic.add_argument("--no-clinic", dest="clinic", action="store_const", const=None,
                            help="generic handouts: a labelled blank line wherever a clinic detail would go")

    def rendering(sub: argparse.ArgumentParser) -> None:
        common(sub)
        sub.add_argument("--out", type=Path, default=Path("build"), metavar="DIR",
                         help="where to write (default: build/)")
        sub.add_argument("--paper", choices=["letter", "a4"], default=None,
                         help="paper size (default: the clinic profile's paper, else letter)")
        sub.add_argument("--edition", action="append", choices=["standard", "large-print", "bilingual"], default=[],
                         help="standard, large-print and/or bilingual (a translation beside the English; "
                              "repeatable; default: standard)")

    build = commands.add_parser("build", help="render every handout to PDF and HTML (the default)",
                                description="Check all content, then render PDFs, HTML previews, booklets "
                                            "and the download site.")
    rendering(build)
    build.add_argument("--pack", action="append", default=[], metavar="ID",
                       help="only this pack, such as newly-diagnosed (repeatable; default: every pack)")
    build.add_argument("--strict", action="store_true",
                       help="refuse draft content and content whose review is overdue")
    build.add_argument("--force", action="store_true",
                       help="render every PDF again, even those whose inputs have not changed")
    build.add_argument("--jobs", type=_workers, default=os.cpu_count() or 1, metavar="N",
                       help="render in N worker processes at once (default: the machine's cores)")
    build.add_argument("--shard", type=parse_shard, default=(1, 1), metavar="K/N",
                       help="build only the K-th of N shares of the documents, and no site (for a CI matrix; "
                            "merge the shards with `site`)")

    site = commands.add_parser("site", help="merge folders that `build --shard` wrote into one download site",
                               description="Check the content, copy every shard's PDFs and previews into one "
                                           "folder, and write the download site over all of them.")
    common(site)
    site.add_argument("shards", type=Path, nargs="+", metavar="SHARD_DIR", help="a folder `build --shard` wrote")
    site.add_argument("--out", type=Path, default=Path("build"), metavar="DIR",
                      help="where to write the merged site (default: build/)")

    serve = commands.add_parser(
        "serve", help="preview the site and handouts in a browser, rebuilt on every save",
        description="Build, serve the download site and HTML previews on 127.0.0.1, and rebuild what a saved "
                    "change affects; open pages reload by themselves. Ctrl-C stops.")
    rendering(serve)
    serve.add_argument("--port", type=int, default=8000, help="the port (default: 8000; 0: any free port)")

    check = commands.add_parser("check", help="validate content and print reading grades; renders nothing",
                                description="Validate every file and print each English topic's reading grade.")
    common(check)

    literacy = commands.add_parser(
        "literacy", help="report reading measures and PEMAT-informed findings for each topic",
        description="For every locale and topic: Flesch-Kincaid and SMOG (English), INFLESZ (Spanish) or no "
                    "validated formula (other languages), and findings such as undefined terms and long sentences.")
    content(literacy, locale=" ", topic=", or glossary")
    literacy.add_argument("--format", choices=["text", "json"], default="text", help="text (default) or json")
    literacy.add_argument("--strict", action="store_true", help="exit 1 when there is any finding (a CI gate)")

    status = commands.add_parser(
        "status", help="show what each language has translated, what is missing and what changed in English",
        description="For every locale and topic: sections translated, missing and outdated, and the review state.")
    content(status, locale=" ")
    status.add_argument("--format", choices=["text", "json"], default="text", help="text (default) or json")
    status.add_argument("--min-complete", type=_percent, default=None, metavar="PERCENT",
                        help="exit 1 when a selected locale is less translated than this (a CI gate)")
    status.add_argument("--diff", nargs=2, metavar=("L", "TOPIC"),
                        help="show how the English of each outdated part changed since it was translated")

    translate = commands.add_parser(
        "translate", help="start a language, or add what the English gained since, marked untranslated",
        description="Write every missing topic, section, glossary term and UI string of a locale, with the "
                    "English beside each text. Text already translated is never touched.")
    translate.add_argument("locale", metavar="L", help="the locale, a BCP 47 tag such as es, ar or pt-BR")
    content(translate, topic=" ")
    translate.add_argument("--accept", action="append", default=[], metavar="TOPIC/PART",
                           help="record that an updated part is current again, such as "
                                "when-to-call/call-now (or when-to-call/title)")

    export = commands.add_parser(
        "export", help="write a locale's texts as XLIFF 1.2 or PO for a translation agency's CAT tool",
        description="Write every translatable text of a locale: the English as source, the translation as "
                    "target, its state, the previous English where it changed, and placeholders protected.")
    export.add_argument("locale", metavar="L", help="the locale, such as es")
    export.add_argument("--format", choices=["xliff", "po"], default="xliff", help="xliff (default) or po")
    export.add_argument("--out", type=Path, default=None, metavar="FILE",
                        help="where to write (default: L.xlf or L.po in the current folder; - for stdout); "
                             "never into the content folder, and an existing file only if an earlier export wrote it")
    export.add_argument("--force", action="store_true",
                        help="replace an existing --out file that is not an earlier export")
    content(export, topic=", glossary or strings")

    import_ = commands.add_parser(
        "import", help="write the finished translations of an XLIFF or PO file back into handouts/L/",
        description="Check every unit and the whole locale with the new text first; write nothing when "
                    "anything is wrong. Only texts that changed are written; comments and layout are kept.")
    import_.add_argument("locale", metavar="L", help="the locale, such as es")
    import_.add_argument("file", type=Path, metavar="FILE", help="the .xlf, .xliff or .po file")
    content(import_)

    schema = commands.add_parser("schema", help="write the JSON Schemas editors use",
                                 description="Write handoutgen/schemas/*.json from the content classes.")
    schema.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def _percent(text: str) -> float:
    """Parse a percentage from 0 to 100 (argparse turns the ValueError into a usage error)."""
    value = float(text)
    if not 0 <= value <= 100:  # also refuses nan, which compares false with everything
        raise ValueError(text)
    return value


_percent.__name__ = "percentage from 0 to 100"  # argparse names the type in its message


def _workers(text: str) -> int:
    """Parse a number of worker processes, 1 or more."""
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


_workers.__name__ = "number of workers (1 or more)"
