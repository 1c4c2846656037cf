"""Benchmark: our render against raw WeasyPrint on the same HTML, the cost of `check`, and scale.

Run `python tests/benchmark.py`. It prints figures, not verdicts: timed tests flake on a busy
machine, so speed and memory targets are read here, as ratios against WeasyPrint itself.

`python tests/benchmark.py --scale 30` makes 30 synthetic locales with `translate` in a temporary
copy of the content and builds every locale in both editions on Letter and A4: PDFs per second,
the cold, no-op and one-edit times (as ratios of the cold build), and peak memory per worker.
`--shares` shows where one locale's render time goes (by kind of document; layout against
write_pdf) and what assembling the booklet from the topics' own pages would save, and what it breaks.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPEATS = 3


def best_of(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> float:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "HANDOUTGEN_CACHE": folder}
        times = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "generate.py"), "check"], check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - start)
        print(f"check (a new process, no WeasyPrint): {times[0]:.2f} s with an empty cache, {times[1]:.2f} s with "
              f"nothing changed (goal: under 0.5 s)")
        content = Path(folder) / "handouts"
        shutil.copytree(ROOT / "handouts", content)
        args = [sys.executable, str(ROOT / "generate.py"), "check", "--content", str(content)]
        subprocess.run(args, check=True, capture_output=True, env=env)
        with open(content / "en" / "what-is-all.yaml", "a", encoding="utf-8") as topic:
            topic.write("# an edit\n")
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=env)
        print(f"check after one file changed: {time.perf_counter() - start:.2f} s")

    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from handoutgen import fonts
    from handoutgen.html import Collection, booklet_page, documents, edition_css, layout_css, topic_page
    from handoutgen.paths import CONTENT, DEFAULT_CLINIC
    from handoutgen.pdf import PDF_OPTIONS, PDFRenderer
    from handoutgen.plan import Edition, Target
    from handoutgen.rules import check
    from handoutgen.verify import Promise, verify

    checked = check(CONTENT, DEFAULT_CLINIC, ["en", "ar"])
    assert not checked.problems, checked.problems
    project, clinic = checked.project, checked.clinic
    print(f"\n{'document':40} {'pages':>5} {'ours s':>8} {'raw s':>8} {'ratio':>6} {'verify s':>9} {'verify %':>9}")
    ratios, shares, spent = [], [], [0.0, 0.0]
    for code, count in (("en", 4), ("ar", 2)):  # Arabic pages are also read as drawn (the numbers, the running line)
        locale = project.locales[code]
        edition = Edition(code, clinic)
        # What `build` and `site` check: whole-token numbers, the running line, the clinic in the metadata, fonts.
        promise = Promise.for_edition(locale.strings, edition.values(locale.strings), CONTENT / code / "strings.yaml",
                                      None, clinic.name)
        css = [layout_css(), edition_css(edition, locale.strings)]
        docs = documents(locale, edition, project.booklet.topics)
        renderer = PDFRenderer(*css, fonts.families_for(code))

        def raw(html: str, css=css) -> bytes:
            # Plain WeasyPrint on the same HTML and CSS: default fetcher, a fresh font configuration.
            config = FontConfiguration()
            sheets = [CSS(string=fonts.font_face_css() + "\n".join(css), font_config=config)]
            return HTML(string=html, base_url=str(ROOT / "templates")).write_pdf(
                stylesheets=sheets, font_config=config, **PDF_OPTIONS)

        cases = [(f"{code}/{d.id}", topic_page(d, Target(edition, "handout", d.id), locale, preview=False))
                 for d in docs[:count]]
        if code == "en":
            cases.append(("en/booklet", booklet_page(Collection("Booklet", "", docs), edition, locale, preview=False)))
        for name, html in cases:
            once = name.endswith("booklet")
            ours = best_of(lambda html=html, renderer=renderer: renderer.render(html), 1 if once else REPEATS)
            theirs = best_of(lambda html=html: raw(html), 1 if once else REPEATS)
            rendered = renderer.render(html)
            checking = best_of(lambda rendered=rendered, promise=promise: verify(rendered, name, promise))
            assert verify(rendered, name, promise) == [], name
            ratios.append(ours / theirs)
            shares.append(checking / ours)
            spent[0], spent[1] = spent[0] + checking, spent[1] + ours
            print(f"{name:40} {rendered.pages:5} {ours:8.2f} {theirs:8.2f} {ours / theirs:6.2f} {checking:9.3f} "
                  f"{100 * checking / ours:8.1f}%")
    print(f"\nmedian ratio ours/raw WeasyPrint: {statistics.median(ratios):.2f}")
    print(f"reading every PDF back (verify.py) costs {100 * spent[0] / spent[1]:.1f}% of render time in all "
          f"(the target: under 5%), {100 * max(shares):.1f}% for the worst document; `site` runs the same check "
          f"on every PDF it publishes")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")
    return statistics.median(ratios)


def where_time_goes() -> None:
    """Print where one locale's serial render goes (by kind; layout against write_pdf), and what reuse would save.

    The reuse tried: the booklet assembled with `Document.copy` from the pages of each topic laid
    out alone (as its handout is anyway) behind a cover and contents laid out alone. It prints the
    page numbers such a booklet carries, since those are what make it wrong.
    """
    import re

    from weasyprint import HTML

    from handoutgen import fonts
    from handoutgen.build import _page
    from handoutgen.html import documents, edition_css, layout_css
    from handoutgen.paths import CONTENT, DEFAULT_CLINIC, TEMPLATES
    from handoutgen.pdf import PDF_OPTIONS, PDFRenderer, fixed_font_timestamps
    from handoutgen.plan import RunContext, plan
    from handoutgen.rules import check

    checked = check(CONTENT, DEFAULT_CLINIC, ["en"])
    project = checked.project
    ctx = RunContext(CONTENT, ROOT, checked.clinic, "letter")
    targets = plan(project, ctx).targets["en"]
    locale, edition = project.locales["en"], ctx.edition("en", "standard")
    docs = documents(locale, edition, project.booklet.topics)
    renderer = PDFRenderer(layout_css(), edition_css(edition, locale.strings), fonts.families_for("en"))

    def layout(html: str):
        return HTML(string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=renderer.fetcher).render(
            stylesheets=renderer.stylesheets, font_config=renderer.font_config, **PDF_OPTIONS)

    print("\nEnglish, standard, Letter, one process: where the render time goes")
    times: dict[str, list[float]] = {}
    laid_out = {}
    with fixed_font_timestamps():
        layout(_page(targets[0], docs, locale, project, edition)[0])  # warm the caches
        for target in targets:
            html = _page(target, docs, locale, project, edition)[0]
            start = time.perf_counter()
            document = layout(html)
            middle = time.perf_counter()
            document.write_pdf(**PDF_OPTIONS)
            kind = "glossary" if target.id == "glossary" else target.kind
            row = times.setdefault(kind, [0, 0, 0.0, 0.0])
            row[0] += 1
            row[1] += len(document.pages)
            row[2] += middle - start
            row[3] += time.perf_counter() - middle
            laid_out[target.id] = (document, html, time.perf_counter() - start)
        total = sum(row[2] + row[3] for row in times.values())
        print(f"{'kind':10} {'PDFs':>4} {'pages':>5} {'layout s':>9} {'write s':>8} {'share':>6}")
        for kind, (count, pages, lay, write) in times.items():
            print(f"{kind:10} {count:4} {pages:5} {lay:9.2f} {write:8.2f} {(lay + write) / total:6.1%}")
        booklet, html, whole = laid_out["booklet"]
        start = time.perf_counter()
        cover = layout(re.sub(r"<article .*?</article>", "", html, flags=re.S))
        pages = list(cover.pages) + [page for doc in docs for page in laid_out[doc.id][0].pages]
        assembled = cover.copy(pages)
        data = assembled.write_pdf(**PDF_OPTIONS)
        reuse = time.perf_counter() - start
    print(f"booklet assembled with Document.copy from the topics' own pages: {len(assembled.pages)} pages "
          f"(rendered whole: {len(booklet.pages)}) in {reuse:.2f} s against {whole:.2f} s "
          f"({1 - reuse / whole:.0%} less)")
    from io import BytesIO

    from pypdf import PdfReader

    first = len(cover.pages) + 1
    footer = re.findall(r"Page \d+ of \d+", PdfReader(BytesIO(data)).pages[first - 1].extract_text())
    print(f"but page {first} of the assembled booklet says {footer}, and its contents list no page numbers "
          f"(target-counter has nothing to count in the cover laid out alone)")


LATIN_LOCALES = ["fr", "de", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk", "sl", "hr", "ro", "hu",
                 "tr", "id", "ms", "tl", "sw", "ca", "eu", "gl", "et", "lv", "lt", "sq", "af", "is"]


def scale(count: int, workers: int, raw_ratio: float) -> None:
    """Build `count` synthetic locales (and the real ones) in both editions on two papers; print the figures."""
    from handoutgen.paths import CONTENT
    from handoutgen.translate import translate

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        content = root / "handouts"
        shutil.copytree(CONTENT, content)
        for code in LATIN_LOCALES[:count]:
            translate(content, code, say=lambda line: None)

        def run(papers=("letter", "a4"), jobs=workers, out="out") -> tuple[float, int]:
            """Build as a user does, in a new process; return the time and the number of PDFs rendered."""
            start, pdfs = time.perf_counter(), 0
            for paper in papers:
                done = subprocess.run([sys.executable, str(ROOT / "generate.py"), "build", "--content", str(content),
                                       "--out", str(root / f"{out}-{paper}"), "--paper", paper, "--edition", "standard",
                                       "--edition", "large-print", "--jobs", str(jobs)],
                                      capture_output=True, text=True, env={**os.environ, "HANDOUTGEN_CACHE": folder})
                if done.returncode:
                    sys.exit(f"the build failed: {done.stderr[-2000:]}")
                wrote = re.search(r"Wrote (\d+) PDFs", done.stdout)
                pdfs += int(wrote.group(1)) if wrote else 0
            return time.perf_counter() - start, pdfs

        locales = len([p for p in content.iterdir() if (p / "strings.yaml").exists()])
        print(f"\n{count} synthetic locales + the real ones ({locales} in all); both editions; Letter and A4; "
              f"{workers} workers; load average at start {os.getloadavg()[0]:.1f}")
        start = time.perf_counter()
        letter, pdfs = run(("letter",))
        a4, more = run(("a4",))
        cold, pdfs = letter + a4, pdfs + more
        print(f"cold build: {pdfs} PDFs in {cold:.0f} s ({pdfs / cold:.2f} PDFs/s; Letter {letter:.0f} s, A4 {a4:.0f} s);"
              f" 1,800 PDFs at this rate: {1800 / (pdfs / cold) / 60:.1f} min (goal: under 3 min)")
        serial, _ = run(("letter",), jobs=1, out="serial")
        print(f"serial cold build of Letter alone: {serial:.0f} s; {workers} workers take "
              f"{letter / serial:.2f} of it (speed-up {serial / letter:.2f}x)")
        print(f"our render against raw WeasyPrint on the same HTML (median, above): {raw_ratio:.2f}; "
              f"raw WeasyPrint would take about {cold / raw_ratio:.0f} s for this cold build with the same workers")
        noop, rendered = run()
        print(f"no-op rebuild (one run per paper): {noop:.2f} s, {rendered} PDFs rendered ({noop / cold:.2%} of cold; goal: under 1 s)")
        topic = content / "en" / "what-is-all.yaml"
        text = topic.read_text(encoding="utf-8")
        assert "title: What is ALL?" in text
        topic.write_text(text.replace("title: What is ALL?", "title: What is ALL, now?"), encoding="utf-8")
        edit, rendered = run()
        print(f"one edited English topic: {edit:.1f} s, {rendered} PDFs rendered ({edit / cold:.1%} of cold; "
              f"goal: under 10%)")
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        mine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of the largest worker: {children:.0f} MB (the build's own process: {mine:.0f} MB)")
        print(f"total benchmark time for the scale part: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=0, metavar="N", help="also build N synthetic locales")
    parser.add_argument("--shares", action="store_true", help="also show where one locale's render time goes")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N", help="workers for --scale")
    args = parser.parse_args()
    raw_ratio = main()
    if args.shares:
        where_time_goes()
    if args.scale:
        scale(min(args.scale, len(LATIN_LOCALES)), args.jobs, raw_ratio)
