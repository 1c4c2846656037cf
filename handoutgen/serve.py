"""`serve`: the site and HTML previews on 127.0.0.1, rebuilt when a source file is saved.

The build writes into the output folder as usual; the server only adds a small script to
each HTML page it sends, which reloads the page after the next build. While the last build
failed, every page is replaced by the list of problems (file, line, message).
"""

from __future__ import annotations

import contextlib
import errno
import html
import http.server
import re
import signal
import stat
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

from .build import BuildOptions, build
from .errors import Problem, UserError
from .paths import STYLES, TEMPLATES
from .write import WriteError

MAX_PATH = 2000  # characters in an address; the longest the build writes is far shorter
UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")  # control characters and backslashes: in no file name here
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
    say: Callable[[str], None] = print  # where the request threads report what they could not answer

    def finished(self, problems: list[str]) -> None:
        with self.lock:
            self.problems = problems
            self.building = ""
            self.generation += 1


def printable(text: str) -> str:
    """Return text any terminal or page can show: a file name's undecodable bytes as \\xNN."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def page(title: str, body: str, generation: int) -> bytes:
    """Return a small HTML page of the server's own: the problems, or "building"."""
    return (f'<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
            '<style>body{font:18px/1.5 sans-serif;margin:1rem auto;max-width:50rem;padding:0 1rem}'
            'li{margin:.5rem 0;white-space:pre-wrap;font-family:monospace}</style></head>'
            f'<body><main>{body}</main>{RELOAD.format(generation=generation)}</body></html>\n').encode()


def bad_address(raw: str) -> tuple[int, str] | None:
    """Return (status, reason) for an address that cannot name a file of the output folder, else None."""
    if len(raw) > MAX_PATH:
        return 414, f"The address is {len(raw):,} characters long; no page here has one over {MAX_PATH:,}."
    if not raw.startswith("/"):
        return 400, "The address must start with /."
    if not raw.isascii():
        return 400, "The address has characters that are not percent-encoded."
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return 400, "The address has percent-encoding that does not decode as UTF-8."
    if UNSAFE.search(path) or ".." in path.split("/"):
        return 400, "The address has a control character, a backslash or a .. part: no file here has one."
    return None


def handler(state: State):
    """Return a request handler class serving `state.out`."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        default_request_version = "HTTP/1.0"  # a request line that does not parse still gets a status line
        timeout = 60  # a connection that sends nothing is closed, not kept for ever

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(state.out), **kwargs)

        def do_GET(self):
            self._safely(head=False)

        def do_HEAD(self):
            self._safely(head=True)

        def _safely(self, head: bool):
            """Answer the request; whatever fails, the browser gets a status and the server keeps serving."""
            self._head = head
            try:
                self._answer()
            except (ConnectionError, TimeoutError):  # the browser went away: nothing to answer
                self.close_connection = True
            except Exception as error:  # noqa: BLE001 -- any failure: one line, a 500, and keep serving
                self.close_connection = True
                state.say(f"serve: could not answer {self.path[:200]!r}: {type(error).__name__}: {error}")
                body = f"<h1>Server error</h1><p>{html.escape(f'{type(error).__name__}: {error}')}</p>"
                with contextlib.suppress(Exception):  # the headers were already sent, or the connection is gone
                    self._send(page("Server error", body, state.generation), status=500)

        def _answer(self):
            with state.lock:
                generation, problems, building = state.generation, list(state.problems), state.building
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            bad = bad_address(path)
            if bad:
                body = f"<h1>Bad request</h1><p>{html.escape(bad[1])}</p>"
                return self._send(page("Bad request", body, generation), status=bad[0])
            if path == "/__generation":
                return self._send(str(generation).encode(), "text/plain")
            if path.endswith("/"):
                path += "index.html"
            if not path.endswith(".html"):
                return super().do_HEAD() if self._head else super().do_GET()
            if problems:
                items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
                body = (f"<h1>The last build failed</h1><p>Fix the file and save it; this page reloads by "
                        f"itself.</p><ul>{items}</ul>")
                return self._send(page("Build failed", body, generation), status=500)
            data = _read(Path(self.translate_path(path)))
            if data is None:
                body = (f"<h1>{'Building…' if building else 'Not found'}</h1><p>{html.escape(building or path)}"
                        "</p><p>This page reloads by itself after the next build.</p>")
                return self._send(page("Building" if building else "Not found", body, generation),
                                  status=503 if building else 404)
            at = data.rfind(b"</body>")  # bytes: a page that is not UTF-8 is served as it is, with the script
            data = data[:at] + RELOAD.format(generation=generation).encode() + data[at:] if at >= 0 else data
            return self._send(data, "text/html; charset=utf-8" if _is_utf8(data) else "text/html")

        def _send(self, data: bytes, kind: str = "text/html; charset=utf-8", status: int = 200):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not getattr(self, "_head", False):
                self.wfile.write(data)

        def end_headers(self):
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def log_message(self, format, *args):  # a quiet terminal: the build's messages matter here
            pass

    return Handler


def _read(file: Path) -> bytes | None:
    """Return a file's bytes, or None when it is not there (or cannot be read: a name too long, a folder)."""
    try:
        return file.read_bytes() if file.is_file() else None
    except (OSError, ValueError):
        return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Server(http.server.ThreadingHTTPServer):
    """The HTTP server, which reports a request that failed in one line instead of a traceback."""

    daemon_threads = True

    def __init__(self, address, handler_class, say=print):
        self.say = say
        super().__init__(address, handler_class)

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):  # a browser that went away is no news
            self.say(f"serve: a request from {client_address[0]} failed: {type(error).__name__}: {error}")


def watched(options: BuildOptions) -> dict[Path, tuple[int, int]]:
    """Return the files a build reads, each with its modification time and size (a file that vanished is left out)."""
    paths: list[Path] = []
    for folder in (options.content, TEMPLATES, STYLES):
        try:
            paths += [p for p in folder.rglob("*") if folder != options.content or not p.name.startswith(".")]
        except OSError:  # the folder was deleted or cannot be read: the build says so
            continue
    if options.clinic_file:
        paths.append(options.clinic_file)
    found = {}
    for path in paths:
        try:
            info = path.stat()
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(info.st_mode):
            found[path] = (info.st_mtime_ns, info.st_size)
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

    def names(value) -> list[str]:
        return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []

    booklet = names(data("booklet.yaml").get("topics")) + ["glossary"]
    packs = data("packs.yaml").get("packs")
    return booklet, {pack["id"]: names(pack.get("topics")) for pack in (packs if isinstance(packs, list) else [])
                     if isinstance(pack, dict) and isinstance(pack.get("id"), str)}


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
    except OSError as error:  # a file that vanished or cannot be read half-way: the user's, not a bug
        problems = [f"{error.filename or 'a file'}: {error.strerror or error}"]
    except Exception as error:  # noqa: BLE001 -- a broken template: show it, keep serving
        if debug:
            traceback.print_exc()
        problems = template_problem(error)
    problems = [printable(line) for line in problems]
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
    say = (lambda line, say=say: say(printable(line)))  # a file name that is not UTF-8 must not stop it
    try:
        options.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"cannot make the output folder {options.out}: {error.strerror or error}") from None
    state = State(options.out, say=say)
    try:
        server = Server(("127.0.0.1", port), handler(state), say)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UserError(f"port {port} on 127.0.0.1 is already in use (another `serve`?): stop that "
                            f"server, or choose another port with --port") from None
        raise UserError(f"cannot serve on 127.0.0.1:{port}: {error.strerror}") from None
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
        dirty = False  # a file changed while the last build ran, which may have read either version: build again
        while True:
            time.sleep(interval)
            if not dirty and watched(options) == before:
                continue
            time.sleep(interval)  # an editor may write a file in several steps
            now = watched(options)
            changed = {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
            if not changed and not dirty:  # saved and put back within the pause
                continue
            added_or_deleted = dirty or any(p not in before or p not in now for p in changed)
            before, dirty = now, False
            for path in sorted(changed):
                say(f"{'changed' if path in now else 'deleted'}: {path}")
            for step in [options] if added_or_deleted else _passes_or_all(options, changed, say):
                problems = run_build(step, state, say, debug)
                dirty = watched(options) != now  # looked at before the page shows the result, which prompts edits
                state.finished(problems)
                if problems or dirty:
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


def _passes_or_all(options: BuildOptions, changed: set[Path], say) -> list[BuildOptions]:
    """Return `passes`, or the whole build when working them out failed (a folder deleted under us)."""
    try:
        return passes(options, changed)
    except Exception as error:  # noqa: BLE001 -- the whole build then reports what is wrong, where it lies
        say(f"rebuilding everything ({type(error).__name__}: {error})")
        return [options]
