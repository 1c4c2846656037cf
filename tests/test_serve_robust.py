"""`serve` under abuse: malformed requests get a 4xx, odd files in the output folder are served as bytes,
and content that fails its checks is shown in the browser while the server keeps serving and recovers."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from handoutgen.build import BuildOptions
from handoutgen.serve import Server, State, _passes_or_all, handler, passes, watched
from test_serve import wait_for  # the serve tests' polling

PROJECT = Path(__file__).resolve().parent.parent


def fetch(url: str, method: str = "GET") -> tuple[int, bytes, str]:
    """Return the status, body and Content-Type of a request."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def raw(port: int, data: bytes) -> bytes:
    """Send bytes as they are on a new connection; return the first line of the answer ("" for none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and b"\r\n" not in answer:
            try:
                chunk = connection.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


@pytest.fixture
def server(tmp_path):
    """Serve a small output folder from a thread; yield (port, what the server said, the folder)."""
    out = tmp_path / "out"
    (out / "en").mkdir(parents=True)
    (out / "index.html").write_text("<html><body>hi</body></html>", encoding="utf-8")
    (out / "en" / "site.css").write_text("body{}", encoding="utf-8")
    said: list[str] = []
    httpd = Server(("127.0.0.1", 0), handler(State(out, say=said.append)), said.append)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], said, out
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


MALFORMED = [  # (request, the status it must get)
    (b"GARBAGE\r\n\r\n", 400),  # a request line that is not one
    (b"GET / HTTP/1.0 extra\r\n\r\n", 400),
    (b"GET / HTTP/9.9\r\n\r\n", 505),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(40) + b"\r\n\r\n", 400),  # TLS spoken to HTTP
    (b"GET /" + b"a" * 70_000 + b" HTTP/1.0\r\n\r\n", 414),  # longer than http.server reads
    (b"GET /" + b"a" * 5_000 + b".html HTTP/1.0\r\n\r\n", 414),  # longer than a file name may be
    (b"GET /" + b"a/" * 2_000 + b"x.css HTTP/1.0\r\n\r\n", 414),
    (b"GET /index%00.html HTTP/1.0\r\n\r\n", 400),
    (b"GET /\x00 HTTP/1.0\r\n\r\n", 400),
    (b"GET /../../etc/passwd HTTP/1.0\r\n\r\n", 400),
    (b"GET /..%2f..%2fetc/passwd HTTP/1.0\r\n\r\n", 400),
    (b"GET /en/..%5c..%5cindex.html HTTP/1.0\r\n\r\n", 400),
    ("GET /é.html HTTP/1.0\r\n\r\n".encode(), 400),  # not percent-encoded
    (b"GET /\xff\xfe.html HTTP/1.0\r\n\r\n", 400),
    (b"GET /%ff.html HTTP/1.0\r\n\r\n", 400),  # percent-encoding that is not UTF-8
    (b"GET /%ed%b2%80.css HTTP/1.0\r\n\r\n", 400),  # a lone surrogate, which a file name cannot have
    (b"HEAD /%ed%b2%80.css HTTP/1.0\r\n\r\n", 400),
    (b"GET * HTTP/1.0\r\n\r\n", 400),
    (b"GET http://example.org/index.html HTTP/1.0\r\n\r\n", 400),
    (b"GET / HTTP/1.0\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", 431),  # an absurdly long header
    (b"GET / HTTP/1.0\r\n" + b"X-Many: a\r\n" * 200 + b"\r\n", 431),
    (b"POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello", 501),
    (b"GET /nothing-here.html HTTP/1.0\r\n\r\n", 404),
]


def test_malformed_requests_get_a_4xx_and_the_server_keeps_serving(server, capfd):
    port, said, _ = server
    for request, status in MALFORMED:
        line = raw(port, request)
        assert re.match(rb"HTTP/1\.[01] %d " % status, line), (request[:60], line)
        assert fetch(f"http://127.0.0.1:{port}/index.html")[0] == 200, request[:60]  # still serving
    assert fetch(f"http://127.0.0.1:{port}/en/site.css")[0] == 200
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert said == []  # nothing failed inside: every answer was a deliberate one


def test_a_connection_that_closes_at_once_or_sends_half_a_request_does_no_harm(server, capfd):
    port, said, _ = server
    for data in (b"", b"GET /index.html HTTP/1.1\r\nHost: x\r\n"):  # nothing; no blank line after the headers
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(data)
    assert fetch(f"http://127.0.0.1:{port}/")[0] == 200
    assert "Traceback" not in capfd.readouterr().err and said == []


def test_a_page_that_is_not_utf8_is_served_as_its_bytes_with_the_reload_script(server, capfd):
    port, said, out = server
    latin = "<html><body>café</body></html>".encode("latin-1")
    (out / "en" / "latin.html").write_bytes(latin)
    (out / "en" / "noise.html").write_bytes(bytes(range(256)))  # no </body>: served exactly as it is
    (out / "en" / "binary.css").write_bytes(b"\xff\xfe\x00")
    status, body, kind = fetch(f"http://127.0.0.1:{port}/en/latin.html")
    assert status == 200 and kind == "text/html"  # no charset claimed: the browser decides
    assert body.startswith(b"<html><body>caf\xe9") and b"<script>" in body and body.endswith(b"</body></html>")
    assert fetch(f"http://127.0.0.1:{port}/en/noise.html")[:2] == (200, bytes(range(256)))
    assert fetch(f"http://127.0.0.1:{port}/en/binary.css")[:2] == (200, b"\xff\xfe\x00")
    status, body, kind = fetch(f"http://127.0.0.1:{port}/index.html", method="HEAD")
    assert (status, body, kind) == (200, b"", "text/html; charset=utf-8")
    assert "Traceback" not in capfd.readouterr().err and said == []


def test_a_broken_booklet_or_packs_file_does_not_break_working_out_what_to_rebuild(content_tree, tmp_path):
    for name, text in [("booklet.yaml", "topics: 5\n"), ("booklet.yaml", "topics: [\n"),
                       ("booklet.yaml", b"\x89PNG\r\n\x1a\n\x00\xff"), ("booklet.yaml", "- a\n"),
                       ("packs.yaml", "packs: 5\n"), ("packs.yaml", "packs: [{id: [1], topics: 5}]\n"),
                       ("packs.yaml", "packs: [{id: x, topics: [{a: 1}]}]\n"), ("packs.yaml", None)]:
        content = content_tree({name: text})
        options = BuildOptions(content=content, out=tmp_path / "out")
        first, *rest = passes(options, {content / "en" / "when-to-call.yaml"})
        assert (first.topics, first.singles) == (["when-to-call"], True), name
        for step in rest:
            assert step.singles is False
        shutil.rmtree(content)


def test_a_content_folder_deleted_under_the_server_means_a_whole_build_not_a_crash(content_tree, tmp_path):
    content = content_tree()
    options = BuildOptions(content=content, out=tmp_path / "out")
    assert watched(options)
    shutil.rmtree(content)
    said: list[str] = []
    assert _passes_or_all(options, {content / "en" / "when-to-call.yaml"}, said.append) == [options]
    assert said and "rebuilding everything" in said[0]
    assert not any(path.is_relative_to(content) for path in watched(options))


def small_content(content_tree) -> Path:
    """A content tree of one topic, the glossary, the booklet and one pack: quick to build whole."""
    from handoutgen.paths import CONTENT

    gone = {str(p.relative_to(CONTENT)): None for p in CONTENT.glob("*/*.yaml")
            if p.parent.name != "en" or p.stem not in {"when-to-call", "glossary", "strings"}}
    content = content_tree(gone)
    for locale in ("es", "ar"):
        shutil.rmtree(content / locale)
    (content / "booklet.yaml").write_text("topics:\n  - when-to-call\n", encoding="utf-8")
    (content / "packs.yaml").write_text("packs:\n  - id: going-home\n    title:\n      en: Going home\n"
                                        "    topics:\n      - when-to-call\n", encoding="utf-8")
    return content


def test_serve_shows_every_content_mistake_in_the_browser_keeps_serving_and_recovers(content_tree, tmp_path):
    # No --topic: a saved topic then makes `serve` read the booklet and packs to choose what to rebuild.
    content, out = small_content(content_tree), tmp_path / "out"
    server = subprocess.Popen(
        [sys.executable, "generate.py", "serve", "--content", str(content), "--out", str(out), "--port", "0",
         "--locale", "en"],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        first = server.stdout.readline()
        lines.append(first)
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", first).group(0)
        wait_for(lambda: fetch(url + "__generation")[1] == b"1", 90, "the first build")
        page = url + "en/when-to-call.html"
        assert fetch(page)[0] == 200

        def shows(pattern: str):
            def check():
                status, body, _ = fetch(page)
                return status == 500 and re.search(pattern, body.decode()) and body.decode()
            return check

        def healthy():
            status, body, _ = fetch(page)
            return status == 200 and b"When to call the care team" in body

        booklet, topic = content / "booklet.yaml", content / "en" / "when-to-call.yaml"
        good_booklet, good_topic = booklet.read_bytes(), topic.read_bytes()
        booklet.write_text("topics: 5\n", encoding="utf-8")
        body = wait_for(shows(r"booklet\.yaml:1:1: topics: expected a list, got a number \(5\)"), 30,
                        "the booklet's problem in the browser")
        assert "<script>" in body  # it reloads by itself once the file is fixed
        topic.write_bytes(good_topic.replace(b"title: When to call", b"title: When to phone"))  # a topic saved too
        generation = fetch(url + "__generation")[1]
        wait_for(lambda: fetch(url + "__generation")[1] != generation, 30, "a build after the topic was saved")
        assert shows(r"booklet\.yaml:1:1: topics")()  # still shown: the booklet is still broken
        assert server.poll() is None  # and the server is still there
        topic.write_bytes(good_topic)
        booklet.write_bytes(good_booklet)
        wait_for(healthy, 30, "recovery after the booklet was fixed")

        booklet.write_text("topics: [what-is-all\n", encoding="utf-8")
        wait_for(shows(r"booklet\.yaml:\d+:\d+: invalid YAML"), 30, "the YAML error in the browser")
        booklet.write_bytes(good_booklet)
        wait_for(healthy, 30, "recovery after the YAML was fixed")

        topic.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")  # a picture saved over the topic
        wait_for(shows(r"en/when-to-call\.yaml:\d+:\d+: byte 0x[0-9a-f]{2} is not UTF-8"), 30,
                 "the binary file's problem in the browser")
        topic.write_bytes(good_topic)
        wait_for(healthy, 30, "recovery after the topic was fixed")

        odd = Path(os.fsdecode(bytes(content / "en") + b"/caf\xe9.yaml"))  # a name that is not UTF-8
        odd.write_text("title: x\n", encoding="utf-8")
        wait_for(shows(r"caf\\xe9\.yaml: \S+ cannot be a topic id"), 30, "the odd file name in the browser")
        odd.unlink()
        wait_for(healthy, 30, "recovery after the odd file was removed")

        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=15) == 0
    finally:
        if server.poll() is None:
            server.kill()
        lines += server.stdout.readlines()
        server.stdout.close()
    log = "".join(lines)
    assert "booklet.yaml:1:1: topics: expected a list" in log  # the terminal shows it too
    assert "Traceback" not in log and "a bug" not in log and "unexpected failure" not in log
    assert log.rstrip().endswith("Stopped.")
