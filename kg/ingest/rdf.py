"""Standard RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) read with pyoxigraph's parsers.

Their triples are loaded as they are: quads in named graphs become triples of the file's own graph.

Examples:
    >>> RdfFiles().suffixes[:3]
    ('.ttl', '.nt', '.nq')
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import IngestError, NetworkRefusedError, Problem
from kg.formats import format_of_path, rdf_suffixes
from kg.ingest.importer import ImportOptions
from kg.ingest.sink import StatementSink

__all__ = ["RdfFiles", "read_rdf"]


class RdfFiles:
    """The importer of RDF files, by suffix: ``.ttl .nt .nq .trig .jsonld .rdf .owl``, each optionally ``.gz``."""

    name = "rdf"
    description = "RDF: Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML, loaded as it is"
    suffixes = rdf_suffixes()

    def read(self, path: Path, sink: StatementSink, options: ImportOptions) -> None:
        """Write the file's triples to ``sink`` as they are.

        Raises:
            IngestError: a syntax error, with its line and column.
            NetworkRefusedError: a JSON-LD remote context without ``allow_network``.
        """
        sink.triples(read_rdf(path, base=options.base, allow_network=options.allow_network))

_POSITION = re.compile(r"line (\d+)(?:,? (?:between )?columns? (\d+))?")
_POSITION_SHORT = re.compile(r"at (\d+):(\d+)")


def _input(path: Path) -> IO[bytes]:
    raw = path.open("rb")
    if path.suffix.lower() == ".gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def read_rdf(path: Path, *, base: str | None = None, allow_network: bool = False) -> Iterator[ox.Triple]:
    """The triples of an RDF file; quads in named graphs are read as triples of the file's own graph.

    With ``base``, N-Triples and N-Quads are read with the Turtle and TriG parsers,
    which resolve relative IRIs such as ``</film/film/starring>``.

    Raises:
        IngestError: a syntax error, with its line and column.
        NetworkRefusedError: a JSON-LD remote context without ``allow_network``.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "t.nt"
        >>> _ = p.write_text("</a> </p> </b> .\\n")
        >>> [t.subject.value for t in read_rdf(p, base="http://example.org/")]
        ['http://example.org/a']
    """
    found = format_of_path(path)
    if found is None:
        raise IngestError(str(path), [Problem(str(path), 0, None, None, "not an RDF file (by its suffix)")])
    fmt = found.rdf
    if base is not None:
        fmt = {ox.RdfFormat.N_TRIPLES: ox.RdfFormat.TURTLE, ox.RdfFormat.N_QUADS: ox.RdfFormat.TRIG}.get(fmt, fmt)
    if fmt == ox.RdfFormat.JSON_LD and allow_network:
        yield from _jsonld_with_network(path, base)
        return
    try:
        with _input(path) as stream:
            for quad in ox.parse(stream, format=fmt, base_iri=base):
                yield quad.triple
    except SyntaxError as exc:
        message = str(exc)
        if "remote context" in message.lower() or "LoadDocumentCallback" in message:
            raise NetworkRefusedError(
                f"{path}: the JSON-LD loads a remote context; filmkg does not fetch from the network "
                "unless you pass `allow_network=True` (or inline the context)"
            ) from exc
        raise IngestError(str(path), [_syntax_problem(path, message, base)]) from exc
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


def _jsonld_with_network(path: Path, base: str | None) -> Iterator[ox.Triple]:
    from rdflib import Dataset

    dataset = Dataset()
    try:
        with _input(path) as stream:
            dataset.parse(stream, format="json-ld", publicID=base)
        data = dataset.serialize(format="nquads", encoding="utf-8")
    except Exception as exc:  # rdflib raises many kinds while fetching and parsing JSON-LD
        raise IngestError(str(path), [Problem(str(path), 1, None, None, f"cannot read the JSON-LD: {exc}")]) from exc
    for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        yield quad.triple
