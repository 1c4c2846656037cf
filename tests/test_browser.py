"""The download site in a real browser: Debian's Chromium, headless, driven by Playwright, audited by axe-core.

No browser is downloaded: the tests use the Chromium at $CHROMIUM or /usr/bin/chromium, which
`.ci/run` installs (`apt-get install chromium`), and skip with that advice where it is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip("Chromium not found: install Debian's package (`apt-get install chromium`, as .ci/run does), "
                "or set CHROMIUM to a Chromium binary", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

# Headless, as root in a container, on a machine with no outside network: no background connections.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCALES = ("en", "es", "ar")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A page 360 px wide, recording every request that is not a file or that fails."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    page.outside = []
    page.on("request", lambda request: request.url.startswith(("file:", "data:")) or page.outside.append(request.url))
    page.on("requestfailed", lambda request: page.outside.append(f"failed: {request.url}"))
    yield page
    context.close()


def site_pages(built: Path) -> list[Path]:
    return [built / "index.html"] + [built / code / "index.html" for code in LOCALES]


def test_the_chooser_leads_to_each_language_in_its_own_direction(built, phone):
    phone.goto((built / "index.html").as_uri())
    for code, direction in (("en", "ltr"), ("es", "ltr"), ("ar", "rtl")):
        link = phone.locator(f'nav a[hreflang="{code}"]')
        assert link.get_attribute("lang") == code and link.get_attribute("dir") == direction
        link.click()
        phone.wait_for_load_state()
        assert phone.url == (built / code / "index.html").as_uri()
        assert phone.locator("html").get_attribute("lang") == code
        assert phone.evaluate("getComputedStyle(document.body).direction") == direction
        assert "+1 555-0199" in phone.locator(".urgent-box").inner_text()  # the fever line, first of all
        phone.go_back()
    assert phone.outside == []


def test_every_link_on_every_page_leads_to_a_file_that_exists(built, phone):
    for path in site_pages(built):
        phone.goto(path.as_uri())
        targets = phone.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
        assert targets
        for url in targets:
            parsed = urlparse(url)
            assert parsed.scheme == "file", f"{path}: {url} leaves the site"
            assert Path(unquote(parsed.path)).is_file(), f"{path}: {url} does not exist"
    assert phone.outside == []  # styles and fonts all loaded, and nothing fetched from elsewhere


def test_no_sideways_scrolling_at_360_px_and_the_bundled_font_is_used(built, phone):
    for path in site_pages(built) + [built / "ar" / "when-to-call.html"]:
        phone.goto(path.as_uri())
        phone.evaluate("document.fonts.ready")
        wide = phone.evaluate("document.documentElement.scrollWidth")
        assert wide <= 360, f"{path} is {wide} px wide at 360 px"
        assert phone.evaluate('document.fonts.check(\'16px "Atkinson Hyperlegible"\')')
        loaded = phone.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
        assert any("Atkinson Hyperlegible" in family for family in loaded)
        if "/ar/" in path.as_uri():
            assert any("Noto Sans Arabic" in family for family in loaded)
        # unicode-range keeps a phone from downloading 2 MB of Noto Sans the page has no letter for.
        assert not [family for family in loaded if family.strip('"') == "Noto Sans"], path


def test_printing_keeps_the_urgent_box_and_drops_the_language_links(built, phone):
    phone.goto((built / "es" / "index.html").as_uri())
    phone.emulate_media(media="print")
    assert phone.locator(".urgent-box").is_visible()
    assert not phone.locator(".other-languages").is_visible()
    pdf = phone.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("page_path", ["index.html", "en/index.html", "es/index.html", "ar/index.html",
                                       "en/when-to-call.html", "ar/when-to-call.html",
                                       "en/my-care-team.html", "es/questions-for-the-care-team.html"])
def test_axe_finds_no_accessibility_violations(built, phone, page_path):
    phone.goto((built / page_path).as_uri())
    results = Axe().run(phone)
    assert results.violations_count == 0, results.generate_report()
