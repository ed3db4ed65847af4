"""Standard RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) read with pyoxigraph's parsers.

Their triples are loaded as they are: quads in named graphs become triples of the file's own graph.
The file reaches the parser through an :class:`~kg.ingest.inputs.Input`, within the
:class:`~kg.ingest.limits.Limits` (decompression; line length for N-Triples and N-Quads),
without a UTF-8 byte order mark, and, for RDF/XML, only once the entities its DTD declares
are known to stay within ``max_entity_bytes`` (see :mod:`kg.ingest.entities`).

Examples:
    >>> RdfFiles().suffixes[:3]
    ('.ttl', '.nt', '.nq')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import IngestError, InputNetworkRefusedError, Problem
from kg.formats import format_of_path, rdf_suffixes
from kg.ingest.entities import check_entities
from kg.ingest.importer import ImportOptions
from kg.ingest.inputs import CHUNK, Input
from kg.ingest.limits import Limits, size
from kg.ingest.sink import StatementSink

__all__ = ["RdfFiles", "read_rdf"]

_BOM = b"\xef\xbb\xbf"
_LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)


class RdfFiles:
    """The importer of RDF files, by suffix: ``.ttl .nt .nq .trig .jsonld .rdf .owl``, each optionally ``.gz``."""

    name = "rdf"
    description = "RDF: Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML, loaded as it is"
    suffixes = rdf_suffixes()

    def claims(self, path: Path) -> bool:
        """Every file of its suffixes."""
        return True

    def fingerprint(self, path: Path) -> str:
        """Nothing beside the file."""
        return ""

    def read(self, path: Path, sink: StatementSink, options: ImportOptions) -> None:
        """Write the file's triples to ``sink`` as they are.

        Raises:
            IngestError: a syntax error, with its line and column; a file past a limit.
            InputNetworkRefusedError: a JSON-LD remote context without ``allow_network``.
        """
        sink.triples(read_rdf(path, base=options.base, allow_network=options.allow_network, limits=options.limits))

_POSITION = re.compile(r"line (\d+)(?:,? (?:between )?columns? (\d+))?")
_POSITION_SHORT = re.compile(r"at (\d+):(\d+)")


class _Stream:
    """What the parser reads: the decompressed file in bounded chunks, without a byte order mark;
    for N-Triples and N-Quads, refused at the first line longer than ``max_line_bytes``."""

    def __init__(self, source: Input, *, lines: bool) -> None:
        self.source = source
        self.lines = lines
        self.started = False
        self.run = 0  # bytes since the last line end

    def read(self, count: int = -1) -> bytes:
        limit = self.source.limits.max_line_bytes
        data = self.source.read(min(count, limit) if self.lines and count > 0 else limit if self.lines else count)
        if not self.started and data:
            self.started = True
            if data.startswith(_BOM):
                data = data[len(_BOM) :]
        if self.lines and data:
            end = data.find(b"\n")
            if (end if end >= 0 else len(data)) + self.run > limit:
                self._too_long()
            newlines = data.count(b"\n")
            self.source.line += newlines
            self.run = len(data) - data.rfind(b"\n") - 1 if newlines else self.run + len(data)
        return data

    def _too_long(self) -> None:
        name, limits = str(self.source.path), self.source.limits
        message = (
            f"this line is longer than {size(limits.max_line_bytes)} (`max_line_bytes`): "
            f"{limits.advice('max_line_bytes')}"
        )
        raise IngestError(name, [Problem(name, self.source.line + 1, None, None, message)])


def read_rdf(
    path: Path, *, base: str | None = None, allow_network: bool = False, limits: Limits | None = None
) -> Iterator[ox.Triple]:
    """The triples of an RDF file; quads in named graphs are read as triples of the file's own graph.

    With ``base``, N-Triples and N-Quads are read with the Turtle and TriG parsers,
    which resolve relative IRIs such as ``</film/film/starring>``.

    Raises:
        IngestError: a syntax error, with its line and column; a file past one of ``limits``.
        InputNetworkRefusedError: a JSON-LD remote context without ``allow_network``.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "t.nt"
        >>> _ = p.write_text("</a> </p> </b> .\\n")
        >>> [t.subject.value for t in read_rdf(p, base="http://example.org/")]
        ['http://example.org/a']
    """
    limits = limits or Limits()
    found = format_of_path(path)
    if found is None:
        raise IngestError(str(path), [Problem(str(path), 0, None, None, "not an RDF file (by its suffix)")])
    fmt = found.rdf
    if fmt == ox.RdfFormat.RDF_XML:
        check_entities(path, limits)
    lines = fmt in _LINE_FORMATS
    if base is not None:
        fmt = {ox.RdfFormat.N_TRIPLES: ox.RdfFormat.TURTLE, ox.RdfFormat.N_QUADS: ox.RdfFormat.TRIG}.get(fmt, fmt)
    if fmt == ox.RdfFormat.JSON_LD and allow_network:
        yield from _jsonld_with_network(path, base, limits)
        return
    try:
        with Input(path, limits) as source:
            stream: Any = _Stream(source, lines=lines)  # a binary stream as far as pyoxigraph goes: it calls read()
            for quad in ox.parse(stream, format=fmt, base_iri=base):
                yield quad.triple
    except SyntaxError as exc:
        message = str(exc)
        if "remote context" in message.lower() or "LoadDocumentCallback" in message:
            problem = Problem(
                str(path), 1, None, None,
                "the JSON-LD loads a remote context; filmkg does not fetch from the network "
                "unless you pass `allow_network=True` (or inline the context)",
            )  # fmt: skip
            raise InputNetworkRefusedError(str(path), [problem]) from exc
        raise IngestError(str(path), [_syntax_problem(path, message, base)]) from exc
    except MemoryError as exc:  # pyoxigraph's parsers hold one term in a buffer of 16 MiB at most
        message = f"a term (a literal or an IRI) is too large for the RDF parser ({exc}): split or shorten it"
        raise IngestError(str(path), [Problem(str(path), 0, None, None, message)]) from exc
    except (OSError, EOFError, ValueError) as exc:
        raise IngestError(str(path), [Problem(str(path), 1, None, None, f"cannot read the file: {exc}")]) from exc


def _syntax_problem(path: Path, message: str, base: str | None) -> Problem:
    match = _POSITION.search(message) or _POSITION_SHORT.search(message)
    line = int(match.group(1)) if match else 1
    column = int(match.group(2)) if match and match.group(2) else None
    text = re.sub(r"\s*\([^()]*line \d+\)\s*$", "", message)
    if "No scheme found" in message or "relative IRI" in message.lower() or "base IRI" in message:
        if base is None:
            text += ": the file uses relative IRIs; pass `base` (for example `base=http://example.org/`)"
    return Problem(str(path), line, column, None, text)


def _jsonld_with_network(path: Path, base: str | None, limits: Limits) -> Iterator[ox.Triple]:
    from rdflib import Dataset

    dataset = Dataset()
    with Input(path, limits) as source:
        stream = _Stream(source, lines=False)
        document = b"".join(iter(lambda: stream.read(CHUNK), b""))
    try:
        dataset.parse(data=document, format="json-ld", publicID=base)
        data = dataset.serialize(format="nquads", encoding="utf-8")
    except Exception as exc:  # rdflib raises many kinds while fetching and parsing JSON-LD
        raise IngestError(str(path), [Problem(str(path), 1, None, None, f"cannot read the JSON-LD: {exc}")]) from exc
    for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        yield quad.triple
