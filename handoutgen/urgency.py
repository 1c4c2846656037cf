"""One rule for urgency: every handout says when to call in the fridge page's own words.

The fridge page (`when-to-call`) is the reference. In the same language, any other handout's
urgent callout must be one of the fridge page's callouts, word for word, and any text that
names the fever threshold must be one the fridge page uses. So a sign always gets the same
action in the same words, and a clinician signs the wording once.
"""

from __future__ import annotations

from pathlib import Path

from .errors import Problem
from .literacy import passages
from .schema import Callout, Topic
from .schema_locale import Translation
from .source import read_yaml

REFERENCE = "when-to-call"
FEVER = "{fever_threshold}"
SAME_CALLOUT = (f"an urgent callout must be one of the callouts of {REFERENCE}, word for word, so a sign gets "
                f"the same action everywhere")
SAME_FEVER_TEXT = (f"a text that names {FEVER} must be one that {REFERENCE} uses, word for word, so a fever "
                   f"gets the same action everywhere")
OPENS_URGENT = ("urgent_box: false needs the first block of the first section to be an urgent callout, which "
                "takes the urgent box's place")


def urgency_problems(documents: dict[str, Topic | Translation], files: dict[str, Path]) -> list[Problem]:
    """Return a problem for each urgent callout or fever text that differs from the fridge page's."""
    found: dict[str, list[tuple[tuple, str]]] = {}  # doc id -> [(where, what)]
    for doc_id, document in documents.items():
        if not getattr(document, "urgent_box", True) and not _opens_with_urgent_callout(document):
            found.setdefault(doc_id, []).append((("urgent_box",), OPENS_URGENT))
    reference = documents.get(REFERENCE)
    if reference is not None:
        callouts = {_words(block) for _, block in _blocks(reference) if isinstance(block, Callout)}
        sentences = {passage.text for passage in passages(reference, {})}
        for doc_id, document in documents.items():
            if doc_id == REFERENCE:
                continue
            found.setdefault(doc_id, []).extend(
                [(loc + ("callout",), SAME_CALLOUT) for loc, block in _blocks(document)
                 if isinstance(block, Callout) and block.callout.kind == "urgent" and _words(block) not in callouts]
                + [(p.loc, SAME_FEVER_TEXT) for p in passages(document, {})
                   if FEVER in p.text and p.text not in sentences])
    return [problem for doc_id, wrong in found.items() if wrong and doc_id in files
            for problem in _located(files[doc_id], wrong)]


def _opens_with_urgent_callout(document: Topic) -> bool:
    first = document.sections[0].blocks[0]
    return isinstance(first, Callout) and first.callout.kind == "urgent"


def _words(block: Callout) -> tuple:
    body = block.callout
    return body.kind, body.title, body.text, tuple(body.bullets or ())


def _blocks(document: Topic | Translation):
    for i, section in enumerate(document.sections):
        for j, block in enumerate(section.blocks):
            yield ("sections", i, "blocks", j), block


def _located(path: Path, wrong: list[tuple[tuple, str]]) -> list[Problem]:
    """Locate a file's problems, reading it once more (it read cleanly before) only when there are some."""
    doc, _ = read_yaml(path)
    return [doc.problem(loc, f"urgency: {message}") if doc else Problem(path, 0, 0, "", message)
            for loc, message in wrong]
