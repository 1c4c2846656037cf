"""`serve`: a live preview on 127.0.0.1 that rebuilds on save, shows a broken file's error and recovers."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from handoutgen.cli import main

PROJECT = Path(__file__).resolve().parent.parent


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(check, seconds: float, what: str):
    """Poll `check` until it returns something true; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def test_serve_rebuilds_on_save_shows_a_broken_file_and_recovers(content_tree, tmp_path):
    content, out = content_tree(), tmp_path / "out"
    server = subprocess.Popen(
        [sys.executable, "generate.py", "serve", "--content", str(content), "--out", str(out), "--port", "0",
         "--locale", "en", "--topic", "when-to-call"],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        first = server.stdout.readline()
        lines.append(first)
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", first).group(0)
        wait_for(lambda: fetch(url + "__generation")[1] == "1", 60, "the first build")
        status, page = fetch(url + "en/index.html")
        assert status == 200
        assert "When to call the care team" in page
        assert "<script>" in page and "<script" not in (out / "en" / "index.html").read_text()  # reload: served only

        generation = "1"
        topic = content / "en" / "when-to-call.yaml"
        text = topic.read_text(encoding="utf-8")
        topic.write_text(text.replace("title: When to call the care team", "title: When to phone the team"),
                         encoding="utf-8")
        saved = time.monotonic()
        wait_for(lambda: fetch(url + "__generation")[1] != generation, 15, "a build after the save")
        assert "When to phone the team" in fetch(url + "en/when-to-call.html")[1]
        assert "When to phone the team" in fetch(url + "en/index.html")[1]
        print(f"edited title served {time.monotonic() - saved:.1f} s after the save")

        topic.write_text(text.replace("title: When to call the care team", "title: [When to call"), encoding="utf-8")
        status, error_page = wait_for(lambda: (r := fetch(url + "en/when-to-call.html"))[0] == 500 and r, 15,
                                      "the error page")
        assert re.search(r"en/when-to-call\.yaml:\d+:\d+: invalid YAML", error_page)
        assert "<script>" in error_page  # it reloads by itself once the file is fixed

        topic.write_text(text, encoding="utf-8")
        wait_for(lambda: (r := fetch(url + "en/when-to-call.html"))[0] == 200 and "When to call the care team" in r[1],
                 15, "recovery")
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=15) == 0
    finally:
        if server.poll() is None:
            server.kill()
        lines += server.stdout.readlines()
        server.stdout.close()
    log = "".join(lines)
    assert re.search(r"en/when-to-call\.yaml:\d+:\d+: invalid YAML", log)  # the terminal shows it too
    assert "Traceback" not in log and log.rstrip().endswith("Stopped.")


def test_serve_refuses_a_port_that_is_taken(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is already in use" in err and "--port" in err


def test_a_saved_topic_rebuilds_that_topic_first_then_the_booklet_and_packs_that_hold_it(tmp_path):
    from handoutgen.build import BuildOptions
    from handoutgen.paths import CONTENT, TEMPLATES
    from handoutgen.serve import passes

    options = BuildOptions(content=CONTENT, out=tmp_path)
    first, *collections = passes(options, {CONTENT / "es" / "when-to-call.yaml"})
    assert (first.locales, first.topics, first.singles) == (["es"], ["when-to-call"], True)
    assert [(c.locales, c.singles, c.booklet, c.packs) for c in collections] == [
        (["es"], False, True, ["newly-diagnosed", "going-home", "maintenance"])]
    # The English changed: every translation follows; Arabic lacks the packs' other topics, so only the handout.
    first, *collections = passes(options, {CONTENT / "en" / "when-to-call.yaml"})
    assert first.locales == ["ar", "en", "es"] and collections[0].locales == ["en", "es"]
    assert passes(options, {CONTENT / "es" / "strings.yaml"}) == [options]  # words on every page: all
    assert passes(options, {CONTENT / "es" / "terms.yaml"}) == [options]  # the termbase reads every file
    assert passes(options, {TEMPLATES / "base.html.j2"}) == [options]
    limited = BuildOptions(content=CONTENT, out=tmp_path, locales=["en"], topics=["when-to-call"])
    assert passes(limited, {CONTENT / "es" / "when-to-call.yaml"}) == []  # not being previewed
    assert passes(limited, {CONTENT / "en" / "glossary.yaml"}) == [limited]


def test_a_path_with_a_nul_byte_is_a_bad_request(tmp_path):
    import http.server
    import threading

    from handoutgen.serve import State, handler

    (tmp_path / "index.html").write_text("<html><body>hi</body></html>")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler(State(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for path in ("index%00.html", "a%00b/", "%5c..%5cetc"):
            status, body = fetch(base + path)
            assert status == 400, path
            assert "Traceback" not in body
        assert fetch(base + "index.html")[0] == 200
    finally:
        server.shutdown()
        server.server_close()


def test_serve_starts_warm_from_an_earlier_build(tmp_path):
    from handoutgen.build import BuildOptions
    from handoutgen.paths import CONTENT
    from handoutgen.serve import State, run_build

    out = tmp_path / "out"
    assert main(["build", "--out", str(out), "--locale", "en", "--topic", "when-to-call"]) == 0
    before = (out / "en" / "when-to-call.pdf").stat().st_mtime_ns
    said: list[str] = []
    options = BuildOptions(content=CONTENT, out=out, locales=["en"], topics=["when-to-call"])
    assert run_build(options, State(out), said.append, debug=False) == []
    assert (out / "en" / "when-to-call.pdf").stat().st_mtime_ns == before  # kept, not rendered again
    assert ": 0 PDFs" in said[-1]
