"""The download site: a chooser and one page per locale listing exactly the PDFs that were built."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pypdf

from handoutgen.cli import main


class Parsed(HTMLParser):
    """The parts of a site page a test looks at: the <html> tag, every link, and each listed document."""

    def __init__(self, path: Path):
        super().__init__()
        self.root: dict = {}
        self.links: list[dict] = []  # every <a> and <link>, with its attributes
        self.sources: list[str] = []  # every src=
        self.scripts = 0
        self.text = path.read_text(encoding="utf-8")
        self.feed(self.text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.root = attrs
        if tag in {"a", "link"} and "href" in attrs:
            self.links.append(dict(attrs, tag=tag))
        if "src" in attrs:
            self.sources.append(attrs["src"])
        self.scripts += tag == "script"

    def documents(self) -> dict[str, dict]:
        """Return each listed document by its title: its badges and the PDFs it links to."""
        found = {}
        for chunk in self.text.split('<li class="document">')[1:]:
            title = re.sub(r"<[^>]+>", "", re.search(r"<h3[^>]*>(.*?)</h3>", chunk).group(1))
            found[title] = {
                "badges": re.findall(r'<li class="badge [^"]+">([^<]+)</li>', chunk),
                "pdfs": re.findall(r'href="([^"]+\.pdf)"', chunk),
                "facts": [re.sub(r"<[^>]+>", "", f) for f in re.findall(r'<span class="file-facts">(.*?)</span>', chunk)],
            }
        return found


def site_pdfs(out: Path, locale: str) -> set[str]:
    """Return the PDFs a locale's page links to, relative to the output folder."""
    page = Parsed(out / locale / "index.html")
    return {f"{locale}/{link['href']}" for link in page.links if link["href"].endswith(".pdf")}


def test_site_lists_exactly_the_pdfs_built_with_their_page_counts(built):
    manifest = json.loads((built / "manifest.json").read_text())["files"]
    on_disk = {p.relative_to(built).as_posix() for p in built.rglob("*.pdf")}
    assert set(manifest) == on_disk
    for locale in ("en", "es", "ar"):
        assert site_pdfs(built, locale) == {p for p in on_disk if p.startswith(f"{locale}/")}
    for path in ("en/when-to-call.pdf", "es/packs/going-home.pdf", "ar/glossary.pdf"):
        pages = len(pypdf.PdfReader(built / path).pages)
        assert manifest[path]["pages"] == pages
        assert manifest[path]["bytes"] == (built / path).stat().st_size
    english = Parsed(built / "en" / "index.html").documents()
    assert "When to call the care team" in english and "Newly diagnosed with ALL" in english
    pages = manifest["en/when-to-call.pdf"]["pages"]
    assert english["When to call the care team"]["facts"] == [
        f"Letter paper · PDF · {pages} page{'s' * (pages != 1)} · "
        f"{round(manifest['en/when-to-call.pdf']['bytes'] / 1000)} kB"]
    spanish = Parsed(built / "es" / "index.html").documents()
    going_home = spanish["De regreso a casa después del hospital"]
    assert going_home["pdfs"] == ["packs/going-home.pdf"]
    assert going_home["facts"][0].startswith("Papel carta · PDF · ")


def test_site_pages_are_self_contained_with_lang_dir_and_alternates(built):
    chooser = Parsed(built / "index.html")
    assert chooser.root == {"lang": "en", "dir": "ltr"}
    languages = {link["hreflang"]: link for link in chooser.links if link["tag"] == "a" and "hreflang" in link}
    assert languages["ar"]["href"] == "ar/index.html" and languages["ar"]["dir"] == "rtl"
    assert languages["ar"]["lang"] == "ar" and "العربية" in chooser.text and "Español" in chooser.text
    for locale, direction in (("en", "ltr"), ("es", "ltr"), ("ar", "rtl")):
        page = Parsed(built / locale / "index.html")
        assert page.root == {"lang": locale, "dir": direction}
        alternates = {link["hreflang"] for link in page.links if link.get("rel") == "alternate"}
        assert alternates == {"x-default", "en", "es", "ar"}
        # The urgent box, with the clinic's number, comes before anything else on the page.
        assert page.text.index('class="urgent-box"') < page.text.index("<header")
        assert "+1 555-0199" in page.text[:page.text.index("<header")]
    for path in [built / "index.html"] + [built / code / "index.html" for code in ("en", "es", "ar")]:
        page = Parsed(path)
        assert page.scripts == 0
        for target in [link["href"] for link in page.links] + page.sources:
            assert "://" not in target and not target.startswith("/"), f"{path}: {target} is not relative"
            assert (path.parent / target).resolve().is_file(), f"{path}: {target} does not exist"


def build(content: Path, out: Path, *args: str) -> int:
    return main(["build", "--content", str(content), "--out", str(out), *args])


def test_partial_builds_add_to_the_site_and_a_broken_locale_keeps_its_page(content_tree, tmp_path, capsys):
    content, out = content_tree(), tmp_path / "out"
    assert build(content, out, "--locale", "en", "--topic", "when-to-call", "--topic", "glossary") == 0
    assert build(content, out, "--locale", "es", "--topic", "when-to-call", "--edition", "large-print") == 0
    assert site_pdfs(out, "en") == {"en/when-to-call.pdf", "en/glossary.pdf"}
    assert site_pdfs(out, "es") == {"es/large-print/when-to-call.pdf"}
    assert Parsed(out / "es" / "index.html").documents()["Cuándo llamar al equipo de atención"]["facts"][0] \
        .startswith("Papel carta")
    assert "Letra grande" in (out / "es" / "index.html").read_text()
    assert {link["href"] for link in Parsed(out / "index.html").links if link["tag"] == "a"} == \
        {"en/index.html", "es/index.html"}

    (out / "en" / "glossary.pdf").unlink()  # removed by hand: no longer listed
    spanish_page = (out / "es" / "index.html").read_bytes()
    broken = content / "es" / "when-to-call.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("title: ", "title: [", 1), encoding="utf-8")
    assert build(content, out, "--topic", "when-to-call") == 1
    assert re.search(r"es/when-to-call\.yaml:\d+:\d+: invalid YAML", capsys.readouterr().err)
    assert site_pdfs(out, "en") == {"en/when-to-call.pdf"}
    assert (out / "es" / "index.html").read_bytes() == spanish_page  # nothing of Spanish rewritten


def set_translation_review(path: Path, review: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^review:\n  status: \"draft\"\n", review, text, count=1, flags=re.M), encoding="utf-8")


def test_badges_follow_the_translation_status_in_the_page_language(content_tree, tmp_path, capsys):
    content, out = content_tree(), tmp_path / "out"
    fridge = content / "es" / "when-to-call.yaml"  # one section not translated: partly English
    text = fridge.read_text(encoding="utf-8")
    text = text.replace('  - id: "call-now"\n', '  - id: "call-now"\n    untranslated: true\n')
    fridge.write_text(text.replace('translated_from: "', 'untranslated: true\ntranslated_from: "', 1), encoding="utf-8")
    english = content / "en" / "supportive-care.yaml"  # the English changed since: out of date
    english.write_text(english.read_text(encoding="utf-8").replace("Keep a thermometer at home.", "Keep a thermometer at home, always.", 1),
                       encoding="utf-8")
    set_translation_review(content / "es" / "questions-for-the-care-team.yaml",
                           'review:\n  status: reviewed\n  reviewed_by: "A. Reviewer"\n'
                           '  credential: "CoreCHI"\n  reviewed_on: 2026-10-01\n')
    assert build(content, out, "--locale", "es", "--topic", "when-to-call", "--topic", "supportive-care",
                 "--topic", "questions-for-the-care-team") == 0, capsys.readouterr().err
    docs = Parsed(out / "es" / "index.html").documents()
    clinical_draft = "Borrador: sin revisión clínica todavía"
    fridge_badges = docs["When to call the care team"]["badges"]  # its title, untranslated, is in English
    assert fridge_badges == [clinical_draft, "Traducción en borrador", "En parte en inglés"]
    page = (out / "es" / "index.html").read_text()
    assert '<div lang="en" dir="ltr">\n    <h3 id="when-to-call">' in page
    care = docs["Cuidados de apoyo: cómo mantener a su hijo seguro y cómodo"]["badges"]
    assert care == [clinical_draft, "Traducción en borrador", "Desactualizada respecto al inglés"]
    questions = docs["Preguntas para el equipo de atención"]["badges"]
    assert questions == [clinical_draft]  # the translation is reviewed: no draft-translation badge


def test_a_web_server_can_read_every_file_built(built):
    """Files are written to a temporary name first; they must still get the usual mode, not owner-only."""
    from handoutgen.write import UMASK

    for path in built.rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o777 == 0o666 & ~UMASK, f"{path} has mode {path.stat().st_mode:o}"


def test_the_site_says_what_each_pdf_is_as_built_not_what_the_content_became(content_tree, tmp_path, capsys):
    content, out = content_tree(), tmp_path / "out"
    assert build(content, out, "--locale", "en", "--topic", "what-is-all", "--topic", "when-to-call") == 0
    topic = content / "en" / "what-is-all.yaml"
    text = topic.read_text(encoding="utf-8")
    assert "review:\n  status: draft\n" in text
    topic.write_text(text.replace("review:\n  status: draft\n", "review:\n  status: reviewed\n  reviewed_by: Dr. A. "
                                  "Example, MD\n  reviewed_on: 2026-11-01\n  next_review: 2027-11-01\n"), encoding="utf-8")
    assert build(content, out, "--locale", "en", "--topic", "when-to-call") == 0
    docs = Parsed(out / "en" / "index.html").documents()
    assert docs["What is ALL?"]["badges"] == ["Draft: not yet reviewed by a clinician"]  # the PDF still says draft
    assert build(content, out, "--locale", "en", "--topic", "what-is-all") == 0
    page = (out / "en" / "index.html").read_text()
    assert Parsed(out / "en" / "index.html").documents()["What is ALL?"]["badges"] == []
    assert "Reviewed by a clinician on November 1, 2026" in page


def test_booklet_and_packs_carry_the_badges_of_their_handouts(built):
    spanish = Parsed(built / "es" / "index.html").documents()
    for title in ("Leucemia linfoblástica aguda (LLA)", "De regreso a casa después del hospital"):
        assert spanish[title]["badges"] == ["Borrador: sin revisión clínica todavía", "Traducción en borrador"]


def test_one_folder_holds_one_clinics_handouts(content_tree, tmp_path, capsys):
    content, out = content_tree(), tmp_path / "out"
    assert build(content, out, "--locale", "en", "--topic", "when-to-call") == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert build(content, out, "--locale", "es", "--topic", "when-to-call", "--no-clinic") == 1
    err = capsys.readouterr().err
    assert "holds handouts built for Example Children's Hospital, Leukemia Clinic" in err and "--out" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_damaged_manifest_is_reported_and_the_site_rebuilt_from_this_build(content_tree, tmp_path, capsys):
    content, out = content_tree(), tmp_path / "out"
    assert build(content, out, "--locale", "en", "--topic", "when-to-call", "--topic", "glossary") == 0
    (out / "manifest.json").write_text('{"files": {', encoding="utf-8")
    assert build(content, out, "--locale", "en", "--topic", "when-to-call") == 0
    assert "manifest.json cannot be read" in capsys.readouterr().err
    assert site_pdfs(out, "en") == {"en/when-to-call.pdf"}
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"]["en/when-to-call.pdf"]["pages"] = "one"
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert build(content, out, "--locale", "en", "--topic", "glossary") == 0
    assert "the entry for en/when-to-call.pdf is dropped: it is not an entry this version writes" in capsys.readouterr().err
    assert site_pdfs(out, "en") == {"en/glossary.pdf"}
