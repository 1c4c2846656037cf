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
from pathlib import Path

from .errors import UserError
from .errors import display_path as display
from .paths import MANIFEST

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


def merge(out: Path, shards: list[Path], known: set[str], clinic_name: str) -> tuple[dict[Path, bytes], object]:
    """Return every file of the shards (their manifests aside) and the merged manifest; raise UserError when unsound."""
    from .manifest import Manifest, read_manifest
    from .write import LOCK

    merged = read_manifest(out, known) if out.is_dir() else Manifest()
    files: dict[Path, bytes] = {}
    origin: dict[Path, Path] = {}
    _all_shares(shards)
    for shard in shards:
        manifest = read_manifest(shard, known)
        listed, _ = _listed(shard)
        if manifest.dropped or len(manifest.files) != len(listed):
            lost = manifest.dropped[0] if manifest.dropped else \
                f"{', '.join(sorted(set(listed) - set(manifest.files)))} is listed but missing or unknown"
            raise UserError(f"{display(shard)}: {lost}; copy the whole folder the shard's build wrote")
        for name in (manifest.clinic, merged.clinic):
            if name not in {None, clinic_name}:
                raise UserError(f"{display(shard)} holds handouts built for {name}, and this site is for "
                                f"{clinic_name}: merge one clinic's shards, with that clinic's profile")
        for name, entry in manifest.files.items():
            data = (shard / name).read_bytes()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise UserError(f"{display(shard / name)} is not the PDF its shard built (its SHA-256 differs); "
                                f"build that shard again")
            merged.files[name] = entry
        for path in sorted(p for p in shard.rglob("*") if p.is_file()):
            relative = path.relative_to(shard)
            if relative.as_posix() in {MANIFEST, LOCK} or any(part.startswith(".") for part in relative.parts):
                continue
            data, target = path.read_bytes(), out / relative
            if target in files and files[target] != data:
                raise UserError(f"{display(path)} and {display(origin[target] / relative)} differ: the shards were "
                                f"built from different content or options; build them again from one commit")
            files[target], origin[target] = data, shard
    merged.clinic = clinic_name
    return files, merged


def _listed(shard: Path) -> tuple[list[str], tuple[int, int] | None]:
    """Return the names a shard's manifest lists, sound or not, and which share (K, N) it holds."""
    import json

    try:
        data = json.loads((shard / MANIFEST).read_text(encoding="utf-8"))
        k, n = data.get("shard") or (1, 1)
        return list(data["files"]), (int(k), int(n))
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
            raise UserError(f"{display(shard / MANIFEST)} cannot be read; build that shard again")
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
    """Check the content, merge the shards into `out` with the site, all or nothing; return (PDFs, pages)."""
    from .build import preview_assets, refuse_output_folder
    from .content import is_language_tag
    from .manifest import NO_CLINIC
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
    clinic_name = checked.clinic.name if checked.clinic else NO_CLINIC
    with locked(out):
        remove_stale_temporaries(out)
        files, manifest = merge(out, shards, known, clinic_name)
        site = site_pages(out, checked.project, checked.clinic, manifest.files, set())
        commit({**files, **preview_assets(out), **site, out / MANIFEST: manifest.data()}, out)
    return len(manifest.files), sum(entry["pages"] for entry in manifest.files.values())
