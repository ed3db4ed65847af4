"""XML entities in RDF/XML files, measured before the parser expands them.

An RDF/XML file may declare entities in its DTD (``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``,
as ontology editors write) and use them as ``&owl;``. Entities that refer to entities
multiply: ten levels of ten references turn a 1 KB file into gigabytes (the "billion
laughs"). :func:`check_entities` reads the file once, adds up what every declared entity
and every reference to one expands to, and refuses the file past ``max_entity_bytes``,
before pyoxigraph sees it. Parameter entities and external entities are refused outright.

Examples:
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.rdf"
    >>> _ = p.write_text('<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;&b;</r>')
    >>> expansion(p, Limits())
    40
    >>> check_entities(p, Limits(max_entity_bytes=20))
    Traceback (most recent call last):
    ...
    kg.errors.IngestError: ...: 1 problem, nothing was ingested:
      ...t.rdf:1: its DTD's entities expand to more than 20 bytes (`max_entity_bytes`)...
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import IngestError, Problem
from kg.ingest.inputs import CHUNK, Input
from kg.ingest.limits import Limits, size

__all__ = ["check_entities", "expansion"]

_DECLARATION = re.compile(
    rb"""<!ENTITY\s+(?P<parameter>%\s+)?(?P<name>[^\s"'>%&;]+)\s+"""
    rb"""(?:(?P<value>"[^"]*"|'[^']*')|(?P<external>SYSTEM|PUBLIC)\b[^>]*)\s*>"""
)
_START = b"<!ENTITY"
_REFERENCE = re.compile(rb"&([^\s;&<>\"'%#]{1,256});")
_MARGIN = 300
"""Bytes kept back at the end of a chunk, where a reference may be cut in two."""


class _Tally:
    """The running count of one file: each declared entity's expanded size, and the total."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limit = limits.max_entity_bytes
        self.limits = limits
        self.sizes: dict[str, int] = {}
        self.total = 0
        self.line = 1
        """The line the buffer being scanned starts at."""
        self.buffer = b""
        self.offset = 0
        """Where in the buffer the declaration or reference being counted is."""

    def declare(self, match: re.Match[bytes]) -> None:
        name = match.group("name").decode("utf-8", "replace")
        if match.group("parameter") or match.group("external"):
            kind = "a parameter entity" if match.group("parameter") else "an external entity"
            self.refuse(f"it declares {kind} ({name}), which filmkg does not read: write its value in the file")
        value = match.group("value")[1:-1]
        expanded = len(value)
        for reference in _REFERENCE.finditer(value):
            known = self.sizes.get(reference.group(1).decode("utf-8", "replace"))
            if known is not None:
                expanded += known - len(reference.group())
        self.sizes.setdefault(name, expanded)  # the first declaration counts, as in XML
        self.add(expanded)

    def add(self, count: int) -> None:
        self.total += count
        if self.total > self.limit:
            self.refuse(
                f"its DTD's entities expand to more than {size(self.limit)} (`max_entity_bytes`), "
                f"the shape of an entity expansion (\"billion laughs\") attack: {self.limits.advice('max_entity_bytes')}"
            )

    def refuse(self, message: str) -> None:
        name = str(self.path)
        line = self.line + self.buffer.count(b"\n", 0, self.offset)
        raise IngestError(name, [Problem(name, line, None, None, message)])


def expansion(path: Path, limits: Limits) -> int:
    """What the entities of an XML file expand to, in bytes, all together: every declared entity
    once, and once more for each reference to one (0 without entity declarations).

    Raises:
        IngestError: past ``max_entity_bytes``; a parameter or external entity; a declaration that
            does not end; the file cannot be read.
    """
    tally = _Tally(path, limits)
    buffer = b""
    with Input(path, limits) as source:
        while True:
            chunk = source.read(CHUNK)
            at_end = not chunk
            buffer += chunk
            keep = _scan(tally, buffer, at_end)
            tally.line += buffer.count(b"\n", 0, len(buffer) - len(keep))
            buffer = keep
            if at_end:
                return tally.total


def _scan(tally: _Tally, buffer: bytes, at_end: bool) -> bytes:
    """Count what ``buffer`` declares and references; the tail to read again with the next chunk."""
    stop = len(buffer) if at_end else max(len(buffer) - _MARGIN, 0)
    tally.buffer = buffer
    pos = 0
    while True:
        start = buffer.find(_START, pos, stop)
        end = start if start >= 0 else stop
        while tally.sizes:  # references count once an entity is declared
            reference = _REFERENCE.search(buffer, pos)
            if reference is None or reference.start() >= end:
                break
            known = tally.sizes.get(reference.group(1).decode("utf-8", "replace"))
            if known is not None:
                tally.offset = reference.start()
                tally.add(known)
            pos = reference.end()
        if start < 0:
            return buffer[max(pos, stop) :]
        tally.offset = start
        match = _DECLARATION.match(buffer, start)
        if match is None:
            if at_end or len(buffer) - start > tally.limit + _MARGIN:
                tally.refuse("an <!ENTITY declaration does not end (or is not one filmkg reads): fix the DTD")
            return buffer[start:]
        tally.declare(match)
        pos = match.end()


def check_entities(path: Path, limits: Limits) -> None:
    """Refuse an XML file whose entities expand past ``max_entity_bytes``; see :func:`expansion`.

    Raises:
        IngestError: as :func:`expansion`.
    """
    expansion(path, limits)
