"""`DIR/manifest.json`: what every build wrote into an output folder, and for which clinic.

Each entry is written from the build's own `Target` (locale, edition, document), so the site
never has to guess what a file is from its path. An entry that is damaged, points outside the
folder, names a locale there is no content for, or whose PDF changed since, is dropped with a
warning. One folder is one clinic's: when the manifest is missing or cannot be read, the
clinic is read from the PDFs themselves (their Author), so the guard still holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .paths import MANIFEST
from .plan import EDITIONS, Target

NO_CLINIC = "(no clinic: --no-clinic)"
ENTRY = {"locale": str, "edition": str, "doc": str, "pages": int, "bytes": int, "paper": str, "title": str,
         "purpose": str, "lang": str, "badges": list, "reviewed": (str, type(None))}
"""The facts each entry records, and their JSON types."""


@dataclass
class Manifest:
    """What `DIR/manifest.json` records: the clinic the folder is for, and every PDF built into it."""

    clinic: str | None = None  # None: nothing built yet, or unknown
    files: dict[str, dict] = field(default_factory=dict)  # path relative to DIR -> facts (see ENTRY)
    dropped: list[str] = field(default_factory=list)  # why entries were not kept, for a warning
    last_run: dict | None = None  # the last successful run's key, files and warnings (incremental.last_run_holds)
    shard: tuple[int, int] | None = None  # (K, N) when the folder holds one share of a build (shards.py)
    others: dict[str, str] = field(default_factory=dict)  # every other file a build wrote (previews) -> SHA-256
    inputs: dict[str, str] | None = None  # digests of what the build read: content, code, clinic, options

    def data(self) -> bytes:
        """Return the manifest as stable JSON."""
        files = dict(sorted(self.files.items()))
        run = {"last_run": self.last_run} if self.last_run else {}
        run.update({"shard": list(self.shard)} if self.shard else {})
        run.update({"others": dict(sorted(self.others.items()))} if self.others else {})
        run.update({"inputs": dict(sorted(self.inputs.items()))} if self.inputs else {})
        return (json.dumps({"clinic": self.clinic, "files": files, **run}, indent=1, ensure_ascii=False) + "\n").encode()

    def record(self, target: Target, size: int, pages: int, facts: dict, key: str, sha256: str) -> None:
        """Record one PDF a build wrote (or found unchanged): its facts, and its key for incremental builds."""
        self.files[str(target.path)] = {"locale": target.edition.locale, "edition": target.edition.name,
                                        "doc": target.key, "pages": pages, "bytes": size,
                                        "paper": target.edition.paper, **facts, "key": key, "sha256": sha256}


def input_digests(content: Path, clinic_file: Path | None, logo: str | None, options: str) -> dict[str, str]:
    """Return digests of what a build reads: its content, its code and libraries, its clinic profile and logo, and
    the options that shape its files; `site` merges only shards whose digests agree with each other and with it."""
    from . import cache

    clinic = [clinic_file] + ([clinic_file.resolve().parent / logo] if logo else []) if clinic_file else []
    return {"content": cache.tree_digest(content, portable=True), "code": cache.code_digest(portable=True),
            "clinic": cache.tree_digest(*clinic, portable=True) if clinic else "none", "options": cache.digest(options)}


def _sound(name: str, entry, locales: set[str]) -> str | None:
    """Return why an entry cannot be kept, or None."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or not name.endswith(".pdf") or len(path.parts) < 2:
        return "its path is not a PDF inside the folder"
    if not (isinstance(entry, dict) and ENTRY.keys() <= entry.keys()
            and all(isinstance(entry[k], kind) for k, kind in ENTRY.items())):
        return "it is not an entry this version writes"
    if entry["locale"] not in locales or path.parts[0] != entry["locale"]:
        return f"there is no content for its locale {entry['locale']!r}"
    if entry["edition"] not in EDITIONS:
        return f"there is no edition {entry['edition']!r}"
    return None


def read_manifest(out: Path, locales: set[str]) -> Manifest:
    """Return the manifest of `out`, keeping only sound entries whose PDF is there, unchanged since recorded."""
    path = out / MANIFEST
    if not path.is_file():
        old = _some_pdfs(out)
        note = [f"{path} is missing: the site lists only PDFs built from now on; rebuild the rest to list "
                f"them"] if old else []
        return Manifest(clinic=_clinic_of(old), dropped=note)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        clinic, files = data["clinic"], data["files"]
        if not isinstance(files, dict) or not (clinic is None or isinstance(clinic, str)):
            raise ValueError("not a manifest")
    except (OSError, ValueError, KeyError, TypeError):
        return Manifest(clinic=_clinic_of(_some_pdfs(out)),
                        dropped=[f"{path} cannot be read: the site lists only PDFs built from now on; "
                                 f"rebuild everything to list the rest"])
    manifest = Manifest(clinic)  # the last run's record is left out: whoever rewrites the folder voids it
    share = data.get("shard")
    if isinstance(share, list) and len(share) == 2 and all(isinstance(n, int) for n in share):
        manifest.shard = (share[0], share[1])
    others, inputs = data.get("others"), data.get("inputs")
    if isinstance(others, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in others.items()):
        manifest.others = dict(others)
    if isinstance(inputs, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in inputs.items()):
        manifest.inputs = dict(inputs)
    for name, entry in files.items():
        why = _sound(str(name), entry, locales)
        file = out / name if why is None else None
        if why:
            manifest.dropped.append(f"{path}: the entry for {name} is dropped: {why}")
        elif file.is_file() and file.stat().st_size == entry["bytes"]:
            manifest.files[name] = entry
        elif file.is_file():  # rewritten since by something else, or a build stopped part way: facts unknown
            manifest.dropped.append(f"{file} changed since it was built; not listed until it is built again")
    return manifest


def _some_pdfs(out: Path, most: int = 20) -> list[Path]:
    found = []
    if out.is_dir():
        for pdf in out.rglob("*.pdf"):
            found.append(pdf)
            if len(found) >= most:
                break
    return found


def _clinic_of(pdfs: list[Path]) -> str | None:
    """Return the clinic the PDFs were built for, from their Author; several clinics give all their names."""
    if not pdfs:
        return None
    import pypdfium2 as pdfium

    names = set()
    for path in pdfs:
        try:
            with open(path, "rb") as handle:
                pdf = pdfium.PdfDocument(handle.read())
            names.add(pdf.get_metadata_value("Author") or NO_CLINIC)
            pdf.close()
        except (OSError, pdfium.PdfiumError):
            continue
    return " and ".join(sorted(names)) or None
