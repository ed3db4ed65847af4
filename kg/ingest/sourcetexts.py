"""Source texts found beside the data, and the quotes of an ingest checked against the texts.

The convention: a file named ``NAME.source.txt`` in a folder given to ``ingest`` (searched
recursively) or in the folder of a file given to it holds the text of a source. Its first line
names the source as the ``source`` column does (``Source: The Mikey Madison Dance Scene in Anora:
What Most People Get Wrong``); more ``Key: value`` lines may follow (``Origin: …``), then the text.
The whole file, header included, is archived (:func:`kg.texts.attach`) after the data is loaded,
unless the source already has that very text.

Then every quote the ingest brought in, and every quote of a source whose text changed, is
matched against its source's text, and each one not found is a warning.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import IngestError, KGError, NotFoundError, Problem
from kg.store import GraphStore
from kg.texts import AttachedText, SourceText, attach, attached_texts, read_text, resolve_source
from kg.vocab import DERIVED_FROM, QUOTE

__all__ = ["TEXT_SUFFIX", "TextFile", "attach_found", "find_text_files", "quote_warnings"]

TEXT_SUFFIX = ".source.txt"
"""Files with this ending beside the data hold a source's text."""
_HEADER = "source:"
_MAX_WARNINGS = 20
"""Quotes not found that one file reports one by one; the rest are counted."""


@dataclass(frozen=True)
class TextFile:
    """A ``NAME.source.txt`` file: where it is, the source its first line names, its text."""

    path: Path
    source: str
    text: str


def find_text_files(paths: Iterable[str | Path]) -> list[TextFile]:
    """The source-text files in the folders given (recursively) and beside the files given.

    Raises:
        IngestError: a text file that cannot be read, is not UTF-8 or does not start with ``Source: NAME``.

    Examples:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "a.source.txt").write_text("Source: An article\\nOrigin: a test\\n\\nThe text.")
        >>> [(f.path.name, f.source) for f in find_text_files([folder / "data.csv"])]
        [('a.source.txt', 'An article')]
    """
    found: dict[Path, Path] = {}
    for item in paths:
        path = Path(item)
        if path.is_dir():
            for root, _, names in os.walk(path, followlinks=True):
                for name in sorted(names):
                    if name.endswith(TEXT_SUFFIX):
                        found.setdefault((Path(root) / name).resolve(), Path(root) / name)
        elif path.parent.is_dir():
            for candidate in sorted(path.parent.glob("*" + TEXT_SUFFIX)):
                found.setdefault(candidate.resolve(), candidate)
    return [_read(path) for path in found.values()]


def _read(path: Path) -> TextFile:
    try:
        text = read_text(path)
    except KGError as exc:
        raise IngestError(str(path), [Problem(str(path), 0, None, None, str(exc))]) from exc
    first = text.split("\n", 1)[0]
    if not first.casefold().startswith(_HEADER) or not first[len(_HEADER) :].strip():
        message = (
            f"a {TEXT_SUFFIX} file starts with a line `Source: NAME` naming its source as the `source` column "
            "does: add that line"
        )
        raise IngestError(str(path), [Problem(str(path), 1, None, None, message)])
    return TextFile(path, first[len(_HEADER) :].strip(), text)


def attach_found(graph: GraphStore, files: list[TextFile]) -> tuple[list[AttachedText], list[Problem], set[str]]:
    """Archive each text whose source has not that text yet.

    Returns:
        What was attached, a warning for each text whose source no statement cites, and the IRIs
        of the sources whose text changed.
    """
    attached: list[AttachedText] = []
    warnings: list[Problem] = []
    for item in files:
        try:
            iri, _ = resolve_source(graph, item.source)
        except NotFoundError as exc:
            warnings.append(Problem(str(item.path), 1, None, None, f"{exc}; the text was not attached"))
            continue
        if attached_texts(graph, [iri]).get(iri) == item.text:
            continue
        attached.append(attach(graph, iri, item.path, text=item.text))
    return attached, warnings, {a.source for a in attached}


def quote_warnings(
    graph: GraphStore, files: dict[str, str], loaded: set[str], changed: set[str]
) -> dict[str, list[Problem]]:
    """A warning for each quote not found in its source's text, by file path: the quotes of the
    ``loaded`` graphs, and every quote of the ``changed`` sources. ``files`` gives the path of
    each file's graph (by graph IRI)."""
    texts = attached_texts(graph)
    if not texts or not (loaded or changed):
        return {}
    values = " ".join(f"<{s}>" for s in texts)
    query = f"""SELECT DISTINCT ?g ?src ?q WHERE {{ VALUES ?src {{ {values} }}
        GRAPH ?g {{ ?st <{DERIVED_FROM}> ?src ; <{QUOTE}> ?q }} }}"""
    indexes: dict[str, SourceText] = {}
    missing: dict[str, list[str]] = defaultdict(list)
    for g, src, q in graph.store.select(query):
        if g.value not in files or not (g.value in loaded or src.value in changed):
            continue
        index = indexes.setdefault(src.value, SourceText(texts[src.value]))
        match = index.match(q.value)
        if not match.found:
            closest = f'; closest passage ({match.similarity:.0%} alike): "{match.passage}"' if match.passage else ""
            missing[files[g.value]].append(f'quote not in the text of its source: "{q.value}"{closest}')
    out: dict[str, list[Problem]] = {}
    for path, messages in missing.items():
        problems = [Problem(path, 0, None, "quote", m) for m in sorted(messages)[:_MAX_WARNINGS]]
        if len(messages) > _MAX_WARNINGS:
            more = len(messages) - _MAX_WARNINGS
            problems.append(Problem(path, 0, None, "quote", f"and {more:,} more quotes not found: run `filmkg verify`"))
        out[path] = problems
    return out

