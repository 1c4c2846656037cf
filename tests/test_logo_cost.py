"""An SVG logo's drawing cost is bounded when it is loaded: what passes draws in seconds.

A small SVG can ask for a huge drawing: nested <use> elements (or clip paths, masks, markers and
patterns) draw their targets again and again, so 1.6 KB can mean a billion shapes and a build that
runs for days. `svg_problem` measures the drawing with every reference expanded and refuses it,
with the limit, before anything draws it.
"""

from __future__ import annotations

import time

import pytest

from handoutgen.cli import main
from handoutgen.logo import (
    MAX_DEPTH,
    MAX_LOOKUPS,
    MAX_PATH_DATA,
    MAX_SHAPES,
    MAX_TEXT,
    svg_problem,
)

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="60">'


def svg(body: str) -> bytes:
    return f"{SVG}{body}</svg>".encode()


def use_bomb(fan: int = 10, levels: int = 9) -> bytes:
    """Return the "billion laughs" of SVG: each level a <g> of `fan` <use> of the level below."""
    ids = "abcdefghijklmnopqrstuvwxyz"
    defs = f'<path id="{ids[0]}" d="M0 0h1v1z"/>' + "".join(
        f'<g id="{ids[i]}">' + f'<use href="#{ids[i - 1]}"/>' * fan + "</g>" for i in range(1, levels + 1))
    return svg(f'<defs>{defs}</defs><use href="#{ids[levels]}"/>')


def nested(kind: str, fan: int = 10, levels: int = 6, style: bool = False) -> bytes:
    """Return a bomb of clip paths, masks or patterns within each other; referred to by <style> rules if asked."""
    attribute, tag = {"clip": ("clip-path", "clipPath"), "mask": ("mask", "mask"), "pattern": ("fill", "pattern")}[kind]
    size = 'width="1" height="1"'
    refer = (lambda i: f'class="x{i}"') if style else (lambda i: f'{attribute}="url(#x{i})"')
    rules = "".join(f".x{i} {{ {attribute}: url(#x{i}) }}" for i in range(levels + 1))
    defs = f'<{tag} id="x0" {size}><rect {size}/></{tag}>' + "".join(
        f'<{tag} id="x{i}" {size}>' + f"<rect {size} {refer(i - 1)}/>" * fan + f"</{tag}>" for i in range(1, levels + 1))
    return svg(f"<style>{rules}</style>" * style + f'<defs>{defs}</defs><rect width="10" height="10" {refer(levels)}/>')


def marker_bomb(points: int = 20, levels: int = 5) -> bytes:
    """Return markers drawn at every point of a line that is itself a marker's drawing."""
    line = " ".join(f"{i},{i % 2}" for i in range(points))
    defs = '<marker id="m0"><rect width="1" height="1"/></marker>' + "".join(
        f'<marker id="m{i}"><polyline points="{line}" marker-mid="url(#m{i - 1})"/></marker>'
        for i in range(1, levels + 1))
    return svg(f'<defs>{defs}</defs><g marker-mid="url(#m{levels})"><polyline points="{line}"/></g>')


def test_use_bomb_is_refused_at_once_with_the_limit():
    bomb = use_bomb()
    assert len(bomb) < 1800  # 1.7 KB
    started = time.perf_counter()
    message = svg_problem(bomb)
    elapsed = time.perf_counter() - started
    assert elapsed < 1, elapsed
    assert message is not None
    assert "shapes once its <use> and other references are expanded" in message
    assert f"at most {MAX_SHAPES:,} are allowed" in message and "(export it as plain SVG)" in message


@pytest.mark.parametrize("bomb", [
    pytest.param(nested("clip"), id="clip-paths"),
    pytest.param(nested("mask"), id="masks"),
    pytest.param(nested("pattern"), id="patterns"),
    pytest.param(nested("clip", style=True), id="clip-paths-from-style-rules"),
    pytest.param(nested("mask", style=True), id="masks-from-style-rules"),
    pytest.param(marker_bomb(), id="markers-inherited-from-a-group"),
    pytest.param(svg('<g opacity="0.9">' * 40 + '<rect width="1" height="1"/>' * 2000 + "</g>" * 40),
                 id="outline-measured-at-every-level"),
])
def test_other_reference_bombs_are_refused(bomb):
    started = time.perf_counter()
    message = svg_problem(bomb)
    assert time.perf_counter() - started < 1
    assert message is not None and f"at most {MAX_SHAPES:,} are allowed" in message, message


def test_deep_nesting_is_refused():
    deep = svg("<g>" * (MAX_DEPTH + 10) + '<rect width="1" height="1"/>' + "</g>" * (MAX_DEPTH + 10))
    very_deep = svg("<g>" * 9000 + "</g>" * 9000)  # measured without recursion: no RecursionError
    through_use = svg('<rect id="u0" width="1" height="1"/>' + "".join(
        f'<g id="u{i}"><use href="#u{i - 1}"/></g>' for i in range(1, 40)))  # <g><use> 39 times: 78 deep
    for logo in (deep, very_deep, through_use):
        assert svg_problem(logo) == (
            f"the logo nests its elements more than {MAX_DEPTH} levels deep, counting the levels its <use> and other "
            f"references add; at most {MAX_DEPTH} are allowed: simplify or flatten it (export it as plain SVG)")
    too_many = svg("<g>" * 200_000 + "</g>" * 200_000)
    assert svg_problem(too_many).startswith(f"the logo would draw 200,001 shapes once its <use> and other references "
                                            f"are expanded; at most {MAX_SHAPES:,} are allowed")


def test_huge_path_data_and_text_are_refused():
    big_path = svg(f'<path d="M0 0{" l1 1" * 50_000}"/>')
    assert svg_problem(big_path) == (
        f"the logo would draw 250,004 characters of path data once its <use> and other references are expanded; "
        f"at most {MAX_PATH_DATA:,} are allowed: simplify or flatten it (export it as plain SVG)")
    drawn_often = svg(f'<defs><path id="p" d="M0 0{" l1 1" * 5_000}"/></defs>' + '<use href="#p"/>' * 10)
    assert "characters of path data once its <use> and other references are expanded" in svg_problem(drawn_often)
    text = svg(f'<defs><text id="t">{"Clinic " * 200}</text></defs>' + '<use xlink:href="#t"/>' * 10)
    assert f"characters of text once its <use> and other references are expanded; at most {MAX_TEXT:,}" in \
        svg_problem(text)


def test_many_lookups_are_refused():
    gradients = "".join(f'<linearGradient id="g{i}"><stop offset="1"/></linearGradient>' for i in range(600))
    logo = svg(f"<defs>{gradients}</defs>" + "".join(f'<rect width="1" height="1" fill="url(#g{i})"/>'
                                                      for i in range(600)) + "<g/>" * 1000)
    assert svg_problem(logo) == (f"the logo refers by id to 600 of its 2,802 elements, and drawing it reads through "
                                 f"the whole file to find each one: 1,681,200 elements read; at most "
                                 f"{MAX_LOOKUPS:,} are allowed: simplify or flatten it (export it as plain SVG)")


@pytest.mark.parametrize("logo", [
    pytest.param(svg('<g id="a"><rect width="1" height="1"/><use href="#a"/></g>'), id="use-of-its-own-group"),
    pytest.param(svg('<use id="a" href="#a"/>'), id="use-of-itself"),
    pytest.param(svg('<defs><g id="a"><use href="#b"/></g><g id="b"><use xlink:href="#a"/></g></defs>'
                     '<use href="#a"/>'), id="two-uses-of-each-other"),
    pytest.param(svg('<clipPath id="c"><rect width="1" height="1" clip-path="url(#c)"/></clipPath>'
                     '<rect width="1" height="1" clip-path="url(#c)"/>'), id="clip-path-within-itself"),
])
def test_a_reference_cycle_is_refused(logo):
    message = svg_problem(logo)
    assert message is not None and message.startswith("the logo loops back on itself: <"), message
    assert "would never finish drawing; remove the reference that leads back" in message


REALISTIC = svg("""
  <title>Example Children's Hospital</title>
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#4a90d9"/><stop offset="1" stop-color="#1f4f8a"/>
    </linearGradient>
    <clipPath id="round"><circle cx="30" cy="30" r="28"/></clipPath>
    <path id="leaf" d="M0 0 C 6 -8, 14 -8, 20 0 C 14 8, 6 8, 0 0 Z"/>
    <style>.cls-1 { fill: url(#sky); } .cls-2 { clip-path: url(#round); } .label { font: 14px sans-serif; }</style>
  </defs>
  <g class="cls-2">
    <rect class="cls-1" width="60" height="60"/>
    <use href="#leaf" x="10" y="30" fill="#fff"/>
    <use xlink:href="#leaf" x="30" y="30" fill="#fff" opacity="0.8"/>
  </g>
  <text x="70" y="28" class="label">Example Children's</text>
  <text x="70" y="46" class="label">Hospital</text>
""")


def test_a_realistic_logo_is_accepted():
    assert svg_problem(REALISTIC) is None


def near_limits(fan: int = 16, path: int = 180_000, text: int = 4_000, depth: int = MAX_DEPTH - 4) -> bytes:
    """Return a logo near every limit at once, drawn within its box: fan³ squares through three levels of
    <use> (16: 9,407 shapes in all), that many characters of path data and of text, and nesting that deep."""
    levels = '<rect id="s0" width="0.1" height="0.1" fill="#1f4f8a"/>' + "".join(
        f'<g id="s{i}">' + "".join(f'<use href="#s{i - 1}" x="{j / 10 ** (3 - i)}"/>' for j in range(fan)) + "</g>"
        for i in range(1, 4))
    d = ("M20 5" + " l.002 .5 l.002 -.5" * path)[:path]  # a zigzag 36 wide
    letters = ("Clinic" * text)[:text]  # no spaces: each line has exactly its 100 characters
    lines = "".join(f'<text x="20" y="{10 + i}" font-size="1" font-family="sans-serif">{letters[i * 100:i * 100 + 100]}'
                    f"</text>" for i in range((len(letters) + 99) // 100))
    nest = "<g>" * (depth - 2) + '<rect width="1" height="1"/>' + "</g>" * (depth - 2)  # in <svg>, around <rect>
    return svg(f'<defs>{levels}</defs><use href="#s3"/><path d="{d}" fill="none" stroke="#000" stroke-width=".1"/>'
               f"{lines}{nest}")


def test_the_near_limit_logo_is_near_every_limit():
    assert svg_problem(near_limits()) is None
    assert f"at most {MAX_SHAPES:,} are allowed" in svg_problem(near_limits(fan=17))
    assert f"at most {MAX_PATH_DATA:,} are allowed" in svg_problem(near_limits(path=MAX_PATH_DATA + 1))
    assert f"at most {MAX_TEXT:,} are allowed" in svg_problem(near_limits(text=MAX_TEXT + 1))
    assert svg_problem(near_limits(depth=MAX_DEPTH)) is None
    assert f"more than {MAX_DEPTH} levels deep" in svg_problem(near_limits(depth=MAX_DEPTH + 1))


def with_logo(content_tree, logo: bytes):
    """Return a copy of the bundled content and its clinic profile, the profile naming `logo` beside it."""
    content = content_tree()
    clinic = content / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8") + "logo: logo.svg\n", encoding="utf-8")
    (content / "logo.svg").write_bytes(logo)
    return content, clinic


def test_check_refuses_the_bomb_naming_the_profile_the_logo_and_the_limit(content_tree, capsys):
    content, clinic = with_logo(content_tree, use_bomb())
    started = time.perf_counter()
    assert main(["check", "--content", str(content), "--clinic", str(clinic)]) == 1
    assert time.perf_counter() - started < 60
    err = capsys.readouterr().err
    line = clinic.read_text(encoding="utf-8").splitlines().index("logo: logo.svg") + 1
    assert f"{clinic}:{line}:1: logo: logo.svg: the logo would draw " in err, err
    assert f"at most {MAX_SHAPES:,} are allowed" in err and "Traceback" not in err


def test_a_logo_near_every_limit_draws_on_a_pack_cover_within_seconds(content_tree, tmp_path):
    content, clinic = with_logo(content_tree, near_limits())
    started = time.perf_counter()
    code = main(["build", "--content", str(content), "--clinic", str(clinic), "--out", str(tmp_path / "out"),
                 "--locale", "en", "--pack", "going-home", "--jobs", "1"])
    elapsed = time.perf_counter() - started
    assert code == 0
    assert (tmp_path / "out" / "en" / "going-home.pdf").is_file() or list((tmp_path / "out").rglob("*going-home*.pdf"))
    assert elapsed < 60, elapsed  # hours without the bound; about ten seconds with it on a busy machine
