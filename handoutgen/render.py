"""Stage 3: render HTML pages to PDF, on every core.

The build hands over jobs (a page's HTML and the stylesheets and fonts it uses) and gets the
rendered PDFs back in the same order. With more than one worker the jobs run in worker
processes, each keeping its own `PDFRenderer` (a FontConfiguration and parsed stylesheets) per
edition; the bytes do not depend on the number of workers. What WeasyPrint logs in a worker is
logged again in the build's process, so its warnings and errors are handled as if rendered there.
"""

from __future__ import annotations

import atexit
import gc
import logging
import multiprocessing
import multiprocessing.util
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from .verify import Rendered

RENDERERS_KEPT = 8


@dataclass(frozen=True)
class Job:
    """One page to render: its HTML, and the stylesheets and font families of its edition."""

    html: str
    layout_css: str
    edition_css: str
    families: tuple[str, ...]
    name: str = ""  # for progress: the output path


_renderers: dict[tuple, object] = {}
_inherited: list = []


def _free_renderers() -> None:
    """Free this process's renderers now (they hold reference cycles), so WeasyPrint deletes their font files."""
    _renderers.clear()
    gc.collect()


atexit.register(_free_renderers)  # while WeasyPrint can still free its fonts, not at interpreter teardown


def _start_worker() -> None:
    """Set up a forked worker: it must neither delete its parent's font files nor leave its own behind.

    A FontConfiguration copies its fonts into a temporary folder and deletes the folder when it is
    freed. A forked worker inherits the parent's renderers (`serve` and in-process builds keep
    some): freeing one there would delete files the parent still uses, so they are kept, unused,
    until the worker ends. The worker's own renderers are freed when it ends, which deletes their
    folders (workers end without running atexit).
    """
    _inherited.extend(_renderers.values())
    _renderers.clear()
    multiprocessing.util.Finalize(None, _free_renderers, exitpriority=10)


def _renderer(job: Job):
    """Return this process's renderer for the job's edition, made once and kept."""
    from .pdf import PDFRenderer

    key = (job.layout_css, job.edition_css, job.families)
    if key not in _renderers:
        if len(_renderers) >= RENDERERS_KEPT:
            _renderers.pop(next(iter(_renderers)))
        _renderers[key] = PDFRenderer(job.layout_css, job.edition_css, job.families)
    return _renderers[key]


class _Recorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[tuple[int, str]] = []

    def emit(self, record):
        self.records.append((record.levelno, record.getMessage()))


def _render_in_worker(job: Job) -> tuple[Rendered, list[tuple[int, str]]]:
    """Render one job in a worker process; return the PDF and what WeasyPrint logged meanwhile."""
    recorder = _Recorder()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(recorder)
    try:
        return _renderer(job).render(job.html), recorder.records
    finally:
        logger.removeHandler(recorder)


def render_all(jobs: list[Job], workers: int = 1, progress=lambda line: None) -> list[Rendered]:
    """Return each job's PDF, in the jobs' order; with several workers, render them in parallel."""
    if workers <= 1 or len(jobs) <= 1:
        done = []
        for job in jobs:
            done.append(_renderer(job).render(job.html))
            _say(progress, job, done[-1], len(done), len(jobs), None)
        return done
    results: list[Rendered | None] = [None] * len(jobs)
    started = time.perf_counter()
    # Fork: the workers start at once, with the modules (and WeasyPrint) already imported.
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                             mp_context=multiprocessing.get_context("fork"), initializer=_start_worker) as pool:
        order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].html))  # the longest first
        futures = {pool.submit(_render_in_worker, jobs[i]): i for i in order}
        for count, future in enumerate(as_completed(futures), 1):
            index = futures[future]
            rendered, logged = future.result()
            for level, message in logged:
                logging.getLogger("weasyprint").log(level, "%s", message)
            results[index] = rendered
            elapsed = time.perf_counter() - started
            _say(progress, jobs[index], rendered, count, len(jobs), elapsed / count * (len(jobs) - count))
    return results


def _say(progress, job: Job, rendered: Rendered, count: int, total: int, left: float | None) -> None:
    plural = "s" if rendered.pages != 1 else ""
    estimate = f"  (about {left:.0f} s left)" if left is not None and count < total else ""
    progress(f"  [{count}/{total}] {job.name}  {rendered.pages} page{plural}  {len(rendered.data) // 1024} KB"
             f"{estimate}")
