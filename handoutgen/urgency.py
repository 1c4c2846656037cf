"""One rule for urgency: every handout says when to call in the fridge page's own words.

The fridge page (`when-to-call`) is the reference. In the same language, any other handout's
urgent callout must be one of the fridge page's callouts, word for word, and any sentence that
names the fever threshold must be one the fridge page uses. So a sign always gets the same
action in the same words, and a clinician signs the wording once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .errors import Problem
from .schema import Bullets, Callout, Paragraph, Steps, Topic, Translation

REFERENCE = "when-to-call"
FEVER = "{fever_threshold}"

Texts = Iterator[tuple[tuple, str]]


def urgency_problems(code: str, documents: dict[str, Topic | Translation], files: dict[str, Path]) -> list[Problem]:
    """Return a problem for each urgent callout or fever sentence that differs from the fridge page's."""
    problems = [_problem(files[doc_id], ("urgent_box",), "urgent_box: false needs the first block of the first "
                         "section to be an urgent callout, which takes the urgent box's place")
                for doc_id, doc in documents.items() if not getattr(doc, "urgent_box", True) and doc_id in files
                and not _opens_with_urgent_callout(doc)]
    reference = documents.get(REFERENCE)
    if reference is None:
        return problems
    callouts = {_words(block) for _, block in _blocks(reference) if isinstance(block, Callout)}
    sentences = {text for _, text in _texts(reference)}
    for doc_id, document in documents.items():
        if doc_id == REFERENCE or doc_id not in files:
            continue
        for loc, block in _blocks(document):
            if isinstance(block, Callout) and block.callout.kind == "urgent" and _words(block) not in callouts:
                problems.append(_problem(files[doc_id], loc + ("callout",),
                                         f"an urgent callout must be one of the callouts of {REFERENCE}, "
                                         f"word for word, so a sign gets the same action everywhere"))
        for loc, text in _texts(document):
            if FEVER in text and text not in sentences:
                problems.append(_problem(files[doc_id], loc, f"a text that names {FEVER} must be one that "
                                         f"{REFERENCE} uses, word for word, so a fever gets the same action "
                                         f"everywhere"))
    return problems


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


def _texts(document: Topic | Translation) -> Texts:
    for i, point in enumerate(document.key_points):
        yield ("key_points", i), point
    for loc, block in _blocks(document):
        if isinstance(block, Paragraph):
            yield loc + ("paragraph",), block.paragraph
        elif isinstance(block, Bullets | Steps):
            name = "bullets" if isinstance(block, Bullets) else "steps"
            for k, item in enumerate(getattr(block, name)):
                yield loc + (name, k), item
        elif isinstance(block, Callout):
            body = block.callout
            for name in ("title", "text"):
                if getattr(body, name):
                    yield loc + ("callout", name), getattr(body, name)
            for k, item in enumerate(body.bullets or ()):
                yield loc + ("callout", "bullets", k), item


def _problem(path: Path, loc: tuple, message: str) -> Problem:
    """Locate the problem in its file; the file was read once already, so it reads cleanly again."""
    from .source import read_yaml

    doc, _ = read_yaml(path)
    return doc.problem(loc, f"urgency: {message}") if doc else Problem(path, 0, 0, "", message)
