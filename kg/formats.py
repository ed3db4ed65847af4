"""One table of the RDF formats filmkg reads and writes, over pyoxigraph's :class:`~pyoxigraph.RdfFormat`.

Ingest picks a parser by file suffix, ``query`` and ``export`` a serializer by
name; all three look it up here.

Examples:
    >>> rdf_format("turtle").suffixes, rdf_format("ttl").name
    (('.ttl',), 'ttl')
    >>> format_of_path(Path("films.nq.gz")).name
    'nq'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError

__all__ = ["RDF_FORMATS", "RdfFile", "format_of_path", "rdf_format", "rdf_suffixes", "suffix"]


@dataclass(frozen=True)
class RdfFile:
    """An RDF format: the name filmkg uses for it, pyoxigraph's format, file suffixes and other names."""

    name: str
    rdf: ox.RdfFormat
    suffixes: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def datasets(self) -> bool:
        """Whether the format keeps named graphs (TriG, N-Quads)."""
        return bool(self.rdf.supports_datasets)

    @property
    def prefixed(self) -> bool:
        """Whether the format writes prefix declarations (Turtle, TriG)."""
        return self.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


RDF_FORMATS: tuple[RdfFile, ...] = (
    RdfFile("ttl", ox.RdfFormat.TURTLE, (".ttl",), ("turtle",)),
    RdfFile("nt", ox.RdfFormat.N_TRIPLES, (".nt",), ("ntriples", "n-triples")),
    RdfFile("nq", ox.RdfFormat.N_QUADS, (".nq",), ("nquads", "n-quads")),
    RdfFile("trig", ox.RdfFormat.TRIG, (".trig",)),
    RdfFile("jsonld", ox.RdfFormat.JSON_LD, (".jsonld",), ("json-ld",)),
    RdfFile("rdf", ox.RdfFormat.RDF_XML, (".rdf", ".owl"), ("rdfxml", "xml")),
)
"""Every RDF format, by the name filmkg uses for it."""


def suffix(path: Path) -> str:
    """The suffix that tells a file's kind, looking through ``.gz`` and ``.bz2``.

    Examples:
        >>> suffix(Path("a.CSV.gz")), suffix(Path("Q42.json.bz2")), suffix(Path("README"))
        ('.csv', '.json', '')
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2"):
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def rdf_suffixes() -> tuple[str, ...]:
    """Every suffix read as RDF.

    Examples:
        >>> rdf_suffixes()[:3]
        ('.ttl', '.nt', '.nq')
    """
    return tuple(s for f in RDF_FORMATS for s in f.suffixes)


def format_of_path(path: Path) -> RdfFile | None:
    """The RDF format a file's suffix names (``.gz`` is looked through), or ``None``.

    Examples:
        >>> format_of_path(Path("x.csv")) is None
        True
    """
    wanted = suffix(path)
    return next((f for f in RDF_FORMATS if wanted in f.suffixes), None)


def rdf_format(name: str, *, allowed: tuple[str, ...] | None = None) -> RdfFile:
    """The RDF format called ``name`` (its name or another usual one), among ``allowed`` names.

    Raises:
        KGError: an unknown name, or one not among ``allowed``.

    Examples:
        >>> rdf_format("n-quads").rdf.name
        'N-Quads'
        >>> rdf_format("csv")
        Traceback (most recent call last):
        ...
        kg.errors.KGError: unknown RDF format "csv": use one of ttl, nt, nq, trig, jsonld, rdf
    """
    key = name.strip().lower().lstrip(".")
    found = next((f for f in RDF_FORMATS if key == f.name or key in f.aliases), None)
    names = allowed or tuple(f.name for f in RDF_FORMATS)
    if found is None or (allowed is not None and found.name not in allowed and key not in allowed):
        raise KGError(f'unknown RDF format "{name}": use one of {", ".join(names)}')
    return found
