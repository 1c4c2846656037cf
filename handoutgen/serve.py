"""`serve`: the site and HTML previews on 127.0.0.1, rebuilt when a source file is saved.

The build writes into the output folder as usual; the server only adds a small script to
each HTML page it sends, which reloads the page after the next build. While the last build
failed, every page is replaced by the list of problems (file, line, message).
"""

from __future__ import annotations

import errno
import html
import http.server
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

from .build import BuildOptions, build
from .errors import Problem, UserError
from .paths import STYLES, TEMPLATES
from .write import WriteError

RELOAD = """<script>
(() => {{
  const seen = "{generation}";
  const poll = () => fetch("/__generation", {{cache: "no-store"}}).then(r => r.text())
    .then(now => now === seen ? setTimeout(poll, 400) : location.reload(), () => setTimeout(poll, 1000));
  setTimeout(poll, 400);
}})();
</script>
"""


@dataclass
class State:
    """What the server shows: shared between the build loop and the request threads."""

    out: Path
    generation: int = 0  # goes up after every build; open pages reload when it changes
    problems: list[str] = field(default_factory=list)  # of the last build; while any, pages show them
    building: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def finished(self, problems: list[str]) -> None:
        with self.lock:
            self.problems = problems
            self.building = ""
            self.generation += 1


def page(title: str, body: str, generation: int) -> bytes:
    """Return a small HTML page of the server's own: the problems, or "building"."""
    return (f'<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
            '<style>body{font:18px/1.5 sans-serif;margin:1rem auto;max-width:50rem;padding:0 1rem}'
            'li{margin:.5rem 0;white-space:pre-wrap;font-family:monospace}</style></head>'
            f'<body><main>{body}</main>{RELOAD.format(generation=generation)}</body></html>\n').encode()


def handler(state: State):
    """Return a request handler class serving `state.out`."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(state.out), **kwargs)

        def do_GET(self):
            with state.lock:
                generation, problems, building = state.generation, list(state.problems), state.building
            path = self.path.split("?", 1)[0]
            if "\0" in unquote(path) or "\\" in unquote(path):  # no such file can be asked for
                return self._send(page("Bad request", "<h1>Bad request</h1>", generation), status=400)
            if path == "/__generation":
                return self._send(str(generation).encode(), "text/plain")
            if path.endswith("/"):
                path += "index.html"
            if not path.endswith(".html"):
                return super().do_GET()
            if problems:
                items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
                body = (f"<h1>The last build failed</h1><p>Fix the file and save it; this page reloads by "
                        f"itself.</p><ul>{items}</ul>")
                return self._send(page("Build failed", body, generation), status=500)
            file = Path(self.translate_path(path))
            if not file.is_file():
                body = (f"<h1>{'Building…' if building else 'Not found'}</h1><p>{html.escape(building or path)}"
                        "</p><p>This page reloads by itself after the next build.</p>")
                return self._send(page("Building" if building else "Not found", body, generation),
                                  status=503 if building else 404)
            text = file.read_text(encoding="utf-8")
            at = text.rfind("</body>")
            text = text[:at] + RELOAD.format(generation=generation) + text[at:] if at >= 0 else text
            return self._send(text.encode(), "text/html; charset=utf-8")

        def _send(self, data: bytes, kind: str = "text/html; charset=utf-8", status: int = 200):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def end_headers(self):
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def log_message(self, format, *args):  # a quiet terminal: the build's messages matter here
            pass

    return Handler


def watched(options: BuildOptions) -> dict[Path, tuple[int, int]]:
    """Return the files a build reads, each with its modification time and size."""
    files = [p for p in options.content.rglob("*") if p.is_file() and not p.name.startswith(".")]
    files += [p for folder in (TEMPLATES, STYLES) for p in folder.rglob("*") if p.is_file()]
    if options.clinic_file:
        files.append(options.clinic_file)
    found = {}
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def passes(options: BuildOptions, changed: set[Path]) -> list[BuildOptions]:
    """Return the builds a change needs: each changed topic first (fast), then the booklet and packs with it.

    A change to anything but a topic file (strings, glossary, termbase, clinic, templates, styles) rebuilds
    everything, as does a file added or deleted (see `serve`), so that the checks across files run.
    """
    topics: set[str] = set()
    locales: set[str] = set()
    for path in changed:
        try:
            locale, name = path.relative_to(options.content).parts
        except ValueError:
            return [options]
        if name in {"glossary.yaml", "strings.yaml", "terms.yaml"} or not name.endswith(".yaml"):
            return [options]
        topics.add(name.removesuffix(".yaml"))
        locales.add(locale)
    if options.topics:
        topics &= set(options.topics)
    every = sorted(p.name for p in options.content.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if "en" in locales:  # translations are merged with the English: they all follow it
        locales = set(options.locales or every)
    elif options.locales:
        locales &= set(options.locales)
    if not topics or not locales:
        return []
    steps = [replace(options, locales=sorted(locales), topics=sorted(topics))]
    if options.topics or options.packs:  # the user asked for some topics or packs only
        return steps
    wanted: dict[tuple, list[str]] = {}  # (booklet, packs) -> the locales that have every topic in them
    booklet, packs = _collections(options.content)
    for code in sorted(locales):
        have = {p.stem for p in (options.content / code).glob("*.yaml")}
        key = (bool(topics & set(booklet)) and set(booklet) <= have,
               tuple(pack for pack, members in packs.items() if topics & set(members) and set(members) <= have))
        if any(key):
            wanted.setdefault(key, []).append(code)
    for (with_booklet, pack_ids), codes in wanted.items():
        steps.append(replace(steps[0], locales=codes, singles=False, booklet=with_booklet, packs=list(pack_ids)))
    return steps


def _collections(content: Path) -> tuple[list[str], dict[str, list[str]]]:
    """Return the booklet's topics (with the glossary) and each pack's, read leniently: the build checks them."""
    from .source import read_yaml

    def data(name: str) -> dict:
        doc, problems = read_yaml(content / name) if (content / name).is_file() else (None, [])
        return doc.data if doc is not None and not problems and isinstance(doc.data, dict) else {}

    booklet = [t for t in data("booklet.yaml").get("topics", []) if isinstance(t, str)] + ["glossary"]
    packs = {pack["id"]: [t for t in pack.get("topics", []) if isinstance(t, str)]
             for pack in data("packs.yaml").get("packs", []) if isinstance(pack, dict) and "id" in pack}
    return booklet, packs


def template_problem(error: Exception) -> list[str]:
    """Return a template error as a problem line: the template file, its line and the message."""
    import jinja2

    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return [str(Problem(Path(error.filename), error.lineno or 0, 0, "", error.message or str(error)))]
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith(".j2"):
            return [str(Problem(Path(frame.filename), frame.lineno or 0, 0, "", str(error)))]
    return [f"unexpected failure: {type(error).__name__}: {error} (a bug in handoutgen: run with --debug)"]


def run_build(options: BuildOptions, state: State, say, debug: bool) -> list[str]:
    """Run one build; return its problems, also printed to the terminal."""
    with state.lock:
        state.building = f"Building {', '.join(options.locales) or 'every locale'}…"
    started = time.perf_counter()
    try:
        report = build(options, progress=lambda line: None)
        problems = [str(p) for p in report.problems] + [f"nothing written for {c}" for c in report.failed_locales]
        for warning in report.warnings:
            say(f"warning: {warning}")
    except (UserError, WriteError) as error:
        problems = [str(error)]
    except Exception as error:  # a broken template: show it, keep serving
        if debug:
            traceback.print_exc()
        problems = template_problem(error)
    for line in problems:
        say(line)
    pdfs = ""
    if not problems:
        pdfs = f": {sum(1 for o in report.outputs if o.path.suffix == '.pdf')} PDFs"
    say(f"{time.strftime('%H:%M:%S')} built {', '.join(options.topics) or 'everything'}"
        f"{' (booklet and packs)' if not options.singles else ''} in {time.perf_counter() - started:.1f} s"
        f"{pdfs}{' with problems: the browser shows them' if problems else ''}")
    return problems


def serve(options: BuildOptions, port: int, say=print, debug: bool = False, interval: float = 0.3) -> int:
    """Serve the output folder on 127.0.0.1 and rebuild on every save until Ctrl-C."""
    options.out.mkdir(parents=True, exist_ok=True)
    state = State(options.out)
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler(state))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UserError(f"port {port} on 127.0.0.1 is already in use (another `serve`?): stop that "
                            f"server, or choose another port with --port") from None
        raise UserError(f"cannot serve on 127.0.0.1:{port}: {error.strerror}") from None
    server.daemon_threads = True
    previous = {}
    if threading.current_thread() is threading.main_thread():  # Ctrl-C and `kill` both stop it cleanly
        previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    locale = options.locales[0] + "/" if len(options.locales) == 1 else ""
    say(f"Serving {options.out}/ at http://127.0.0.1:{server.server_address[1]}/{locale}  (Ctrl-C to stop)")
    try:
        before = watched(options)
        state.finished(run_build(options, state, say, debug))
        while True:
            time.sleep(interval)
            if watched(options) == before:
                continue
            time.sleep(interval)  # an editor may write a file in several steps
            now = watched(options)
            changed = {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
            if not changed:  # saved and put back within the pause
                continue
            added_or_deleted = any(p not in before or p not in now for p in changed)
            before = now
            for path in sorted(changed):
                say(f"{'changed' if path in now else 'deleted'}: {path}")
            for step in [options] if added_or_deleted else passes(options, changed):
                problems = run_build(step, state, say, debug)
                state.finished(problems)
                if problems:
                    break
    except KeyboardInterrupt:
        say("Stopping.")
    finally:
        server.shutdown()
        server.server_close()
        for sig, handler_ in previous.items():
            signal.signal(sig, handler_)
    say("Stopped.")
    return 0
