"""Building on many machines: `build --shard K/N` builds one share of the documents, `site` merges them.

A clinic network with many languages builds in CI, where a matrix of N jobs is the scheduler:
job K runs `build --shard K/N --out shard-K`, and one last job runs `site --out site shard-*`.
The shares are dealt from the whole plan in a fixed order, so every machine agrees on them
without talking to the others: booklets first, then packs, then handouts (the expensive ones
spread first), each group by path, one to each shard in turn.

A shard writes its PDFs, HTML previews and manifest, but no download site: alone it would list
a part. `site` reads each shard's manifest, checks every PDF against the SHA-256 recorded for it,
refuses shards built for another clinic or that disagree about a file, and writes the union,
the site pages and their assets into one folder, all or nothing.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UserError
from .errors import display_path as display
from .paths import MANIFEST

if TYPE_CHECKING:
    from .manifest import Manifest
    from .verify import Promise

LOCK = ".handoutgen.lock"  # write.LOCK: the lock file a build leaves in its folder

ORDER = {"booklet": 0, "pack": 1, "handout": 2}


def parse_shard(text: str) -> tuple[int, int]:
    """Read `K/N` (1 <= K <= N) as given to --shard."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(text) from None
    if not 1 <= k <= n:
        raise ValueError(text)
    return k, n


parse_shard.__name__ = "shard K/N, with 1 <= K <= N"


def my_share(targets: dict[str, list], shard: tuple[int, int]) -> dict[str, list]:
    """Keep, for each locale, only the targets dealt to `shard` (K, N)."""
    k, n = shard
    if n == 1:
        return targets
    everything = sorted((t for ts in targets.values() for t in ts), key=lambda t: (ORDER[t.kind], str(t.path)))
    mine = {id(t) for i, t in enumerate(everything) if i % n == k - 1}
    return {code: [t for t in ts if id(t) in mine] for code, ts in targets.items()}


def merge(out: Path, shards: list[Path], known: set[str], expected: dict[str, str],
          promise_of: Callable[[dict], Promise],
          made_for: Callable[[dict[str, dict]], dict[str, bytes]]) -> tuple[dict[Path, bytes], Manifest]:
    """Return every file of the shards (their manifests aside) and the merged manifest; raise UserError when unsound.

    A shard is evidence to check, not a certificate: each file must be a regular file its manifest
    lists, with the SHA-256 listed; each PDF must pass the build's own verification against the
    clinic profile `site` was given (`promise_of` an entry); every other file (a preview, a
    stylesheet) must be the one the content makes (`made_for` a shard's entries); every shard must
    have been built from the content, code and clinic profile `expected` names, and with the
    options of the others. The digests a manifest records catch honest mistakes; what a hostile
    shard could forge is caught by reading the files themselves.
    """
    from .manifest import Manifest, read_manifest  # manifest → plan → shards: a cycle the structure issue removes

    earlier = read_manifest(out, known) if out.is_dir() else Manifest()
    merged = Manifest()  # only what the shards hold: an earlier site's entries were verified against another profile
    files: dict[Path, bytes] = {}
    origin: dict[Path, Path] = {}
    _all_shares(shards)
    options: tuple[str, Path] | None = None
    for shard in shards:
        manifest = read_manifest(shard, known)
        listed, _ = _listed(shard)
        if manifest.dropped or len(manifest.files) != len(listed):
            lost = manifest.dropped[0] if manifest.dropped else \
                f"{', '.join(sorted(set(listed) - set(manifest.files)))} is listed but missing or unknown"
            raise UserError(f"{display(shard)}: {lost}; copy the whole folder the shard's build wrote")
        for name in (manifest.clinic, merged.clinic):
            if name not in {None, expected["clinic_name"]}:
                raise UserError(f"{display(shard)} holds handouts built for {name}, and this site is for "
                                f"{expected['clinic_name']}: merge one clinic's shards, with that clinic's profile")
        _same_inputs(shard, manifest.inputs, expected)
        if options is not None and manifest.inputs and manifest.inputs.get("options") != options[0]:
            raise UserError(f"{display(shard)} was built with other options than {display(options[1])} (paper, "
                            f"editions, locales, topics or packs): build every shard with one command line")
        options = options or ((manifest.inputs or {}).get("options", ""), shard)
        wanted = {**{name: entry["sha256"] for name, entry in manifest.files.items()}, **manifest.others}
        made = made_for(manifest.files)
        for relative in _walk(shard, set(wanted)):
            data = read_regular(shard / relative)
            if relative not in manifest.files and made.get(relative) != data:
                raise UserError(f"{display(shard / relative)} is not the file this content and clinic profile make "
                                f"beside the shard's PDFs; build that shard again from this commit")
            if hashlib.sha256(data).hexdigest() != wanted[relative]:
                kind = "PDF" if relative.endswith(".pdf") else "file"
                raise UserError(f"{display(shard / relative)} is not the {kind} its shard built (its SHA-256 differs "
                                f"from the manifest's); build that shard again")
            if relative in manifest.files:
                _verified(shard / relative, data, promise_of(manifest.files[relative]))
                merged.files[relative] = manifest.files[relative]
            target = out / relative
            if target in files and files[target] != data:
                raise UserError(f"{display(shard / relative)} and {display(origin[target] / relative)} differ: the "
                                f"shards were built from different content or options; build them again from one "
                                f"commit")
            files[target], origin[target] = data, shard
    stale = sorted(set(earlier.files) - set(merged.files))
    if stale:
        raise UserError(f"{display(out)} holds PDFs that no shard has ({', '.join(stale[:3])}"
                        f"{' and more' if len(stale) > 3 else ''}): merge into a new folder, or delete it first")
    merged.clinic = expected["clinic_name"]
    return files, merged


def _same_inputs(shard: Path, inputs: dict[str, str] | None, expected: dict[str, str]) -> None:
    """Refuse a shard built from other content, code or clinic profile than `site` is given."""
    if not inputs:
        raise UserError(f"{display(shard / MANIFEST)} does not say what the shard was built from; build it again "
                        f"with this version of handoutgen")
    for name, what in (("content", "content"), ("code", "version of handoutgen or of its libraries"),
                       ("clinic", "clinic profile")):
        if inputs.get(name) != expected[name]:
            raise UserError(f"{display(shard)} was built from another {what} than this site is given; build every "
                            f"shard and the site from one commit, with one clinic profile")


def _walk(shard: Path, wanted: set[str]) -> list[str]:
    """Return the files of a shard, refusing any link, device, socket or file its manifest does not list."""
    found: list[str] = []
    for folder, dirs, names in os.walk(shard, followlinks=False):
        for name in sorted(dirs + names):
            path = Path(folder) / name
            relative = path.relative_to(shard).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                continue
            if relative in {MANIFEST, LOCK}:
                continue
            if stat.S_ISLNK(mode) or not stat.S_ISREG(mode):
                raise UserError(f"{display(path)} is {'a symbolic link' if stat.S_ISLNK(mode) else 'not a regular file'}"
                                f": a shard holds only the files its build wrote; build that shard again")
            if relative not in wanted:
                raise UserError(f"{display(path)} is not listed in {display(shard / MANIFEST)}: a shard holds only "
                                f"the files its build wrote; remove it or build that shard again")
            found.append(relative)
    missing = sorted(wanted - set(found))
    if missing:
        raise UserError(f"{display(shard / missing[0])} is listed in the shard's manifest but missing; copy the "
                        f"whole folder the shard's build wrote")
    return found


def read_regular(path: Path, most: int = 200_000_000) -> bytes:
    """Return a regular file's bytes, never following a link nor reading a device or a pipe."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise UserError(f"cannot read {display(path)}: {error.strerror}") from None
    with os.fdopen(handle, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > most:
            raise UserError(f"{display(path)} is not a regular file of at most {most:,} bytes")
        return file.read(most + 1)


def _verified(path: Path, data: bytes, promise: Promise) -> None:
    """Refuse a PDF that breaks a promise of the build's output check (urgent number, threshold, clinic, fonts)."""
    import pypdfium2 as pdfium

    from .verify import Rendered, verify

    try:
        document = pdfium.PdfDocument(data)
        pages = len(document)
        document.close()
    except pdfium.PdfiumError:
        raise UserError(f"{display(path)} is not a PDF that can be read; build that shard again") from None
    problems = verify(Rendered(data, pages), display(path), promise)
    if problems:
        raise UserError("\n".join(str(p) for p in problems[:10]) + f"\n{display(path)} does not keep the promises "
                        f"of the clinic profile this site is given, so no site is written")


def _listed(shard: Path) -> tuple[list[str], tuple[int, int] | None]:
    """Return the names a shard's manifest lists, sound or not, and which share (K, N) it holds."""
    import json

    try:
        data = json.loads((shard / MANIFEST).read_text(encoding="utf-8"))
        k, n = data.get("shard") or (1, 1)
        if not (isinstance(k, int) and isinstance(n, int) and 1 <= k <= n):
            return list(data["files"]), None
        return list(data["files"]), (k, n)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return [], None


def _all_shares(shards: list[Path]) -> None:
    """Refuse a folder that is not a shard, and a merge that lacks a share or has one twice."""
    held: dict[tuple[int, int], Path] = {}
    for shard in shards:
        if not (shard / MANIFEST).is_file():
            raise UserError(f"{display(shard)} holds no {MANIFEST}: give the folders that `build --shard` wrote")
        _, share = _listed(shard)
        if share is None:
            raise UserError(f"{display(shard / MANIFEST)} cannot be read, or names no share K/N with 1 <= K <= N; "
                            f"build that shard again")
        if share in held:
            raise UserError(f"{display(shard)} and {display(held[share])} both hold shard {share[0]}/{share[1]}")
        held[share] = shard
    counts = {n for _, n in held}
    if len(counts) > 1:
        raise UserError(f"the folders hold shares of different splits ({', '.join(f'/{n}' for n in sorted(counts))}); "
                        f"build every shard with the same N")
    n = counts.pop()
    lacking = [f"{k}/{n}" for k in range(1, n + 1) if (k, n) not in held]
    if lacking:
        raise UserError(f"shard {', '.join(lacking)} is missing: the site would lack its documents; "
                        f"give every shard's folder (a failed shard job must be run again)")


def write_site(out: Path, shards: list[Path], content: Path, clinic_file: Path | None) -> tuple[int, int]:
    """Check the content, merge the shards into `out` with the site, all or nothing; return (PDFs, pages).

    Like `build`, it reads no cache: the promises it verifies come from the files themselves.
    """
    from . import cache

    with cache.bypassed():
        return _write_site(out, shards, content, clinic_file)


def _write_site(out: Path, shards: list[Path], content: Path, clinic_file: Path | None) -> tuple[int, int]:
    from .build import companion_files, preview_assets, refuse_output_folder
    from .content import is_language_tag
    from .manifest import NO_CLINIC, input_digests
    from .rules import check
    from .site import site_pages
    from .write import commit, locked, remove_stale_temporaries

    refuse_output_folder(out, content)
    for shard in shards:
        if not shard.is_dir():
            raise UserError(f"shard folder not found: {display(shard)}")
        if shard.resolve() == out.resolve():
            raise UserError(f"--out {display(out)} is also a shard: merge into a folder of its own")
    checked = check(content, clinic_file)
    if checked.problems or checked.clinic_failed:
        found = [str(p) for p in checked.problems] or [f"{display(clinic_file)}: the clinic profile cannot be read"]
        raise UserError("\n".join(found) + "\nThe content or clinic profile has problems, so no site is written.")
    known = {p.name for p in content.iterdir() if p.is_dir() and is_language_tag(p.name)}
    clinic = checked.clinic
    expected = {**input_digests(content, clinic_file, clinic.logo if clinic else None, ""),
                "clinic_name": clinic.name if clinic else NO_CLINIC}
    with locked(out):
        remove_stale_temporaries(out)
        files, manifest = merge(out, shards, known, expected, _promises(checked.project, clinic),
                                lambda entries: companion_files(checked.project, clinic, entries))
        site = site_pages(out, checked.project, clinic, manifest.files, set())
        commit({**files, **preview_assets(out), **site, out / MANIFEST: manifest.data()}, out)
    return len(manifest.files), sum(entry["pages"] for entry in manifest.files.values())


def _promises(project, clinic) -> Callable[[dict], Promise]:
    """Return what each manifest entry's PDF must show, made from the content and clinic profile `site` is given."""
    from .plan import Edition
    from .verify import Promise

    def promise_of(entry: dict) -> Promise:
        code, name = entry["locale"], entry["edition"]
        locale, source = project.locales[code], project.source
        edition = Edition(code, clinic, entry["paper"], large_print=name == "large-print", bilingual=name == "bilingual")
        english = None
        if edition.bilingual:
            english = (source.strings, Edition(source.code, clinic, entry["paper"]).values(source.strings))
        return Promise.for_edition(locale.strings, edition.values(locale.strings), locale.folder / "strings.yaml",
                                   english, clinic.name if clinic else "")

    return promise_of
