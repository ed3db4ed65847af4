"""The importers filmkg knows, in one typed tuple, and choosing one for a file.

Adding a source is one module with an :class:`~kg.ingest.importer.Importer` and one line here.

Examples:
    >>> [i.name for i in IMPORTERS]
    ['annotated', 'rdf', 'wikidata', 'tmdb', 'imdb']
    >>> importer_for(Path("films.ttl.gz")).name
    'rdf'
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import IngestError, Problem, UsageError
from kg.formats import suffix
from kg.ingest.annotated import AnnotatedTable
from kg.ingest.imdb import ImdbDatasets
from kg.ingest.importer import Importer
from kg.ingest.rdf import RdfFiles
from kg.ingest.wikidata import WikidataEntities
from kg.ingest.tmdb import TmdbResponses

__all__ = ["IMPORTERS", "importer_for", "known_suffixes"]

IMPORTERS: tuple[Importer, ...] = (
    AnnotatedTable(),
    RdfFiles(),
    WikidataEntities(),
    TmdbResponses(),
    ImdbDatasets(),
)
"""Every importer, by the order in which they claim a file's suffix."""


def known_suffixes() -> tuple[str, ...]:
    """Every suffix an importer reads by default.

    Examples:
        >>> ".csv" in known_suffixes() and ".trig" in known_suffixes()
        True
    """
    return tuple(dict.fromkeys(s for importer in IMPORTERS for s in importer.suffixes))


def importer_for(path: Path, format: str | None = None) -> Importer:
    """The importer named ``format``, or else the first that reads the file's suffix and claims the file
    (two may read ``.json``: each looks at the file).

    Raises:
        UsageError: an unknown ``format``.
        IngestError: no importer reads this suffix.

    Examples:
        >>> importer_for(Path("data.tsv"), "rdf").name
        'rdf'
        >>> importer_for(Path("data.xlsx"))
        Traceback (most recent call last):
        ...
        kg.errors.IngestError: data.xlsx: 1 problem, nothing was ingested:
          data.xlsx:0: unsupported file type; filmkg reads .csv, .tsv, .jsonl, .ttl, .nt, .nq, .trig, .jsonld, .rdf, .owl, .json, .ndjson (each optionally .gz or .bz2), or give `format`
    """
    if format is not None:
        for importer in IMPORTERS:
            if importer.name == format:
                return importer
        names = ", ".join(i.name for i in IMPORTERS)
        raise UsageError(f'unknown format "{format}": use one of {names}')
    wanted = suffix(path)
    for importer in IMPORTERS:
        if wanted in importer.suffixes and importer.claims(path):
            return importer
    readers = [f"{i.name}: {i.description}" for i in IMPORTERS if wanted in i.suffixes]
    if readers:  # an importer reads the suffix, but none recognises what the file holds
        message = f"unsupported file type: no importer recognises what this {wanted} file holds ({'; '.join(readers)}), or give `format`"
    else:
        message = f"unsupported file type; filmkg reads {', '.join(known_suffixes())} (each optionally .gz or .bz2), or give `format`"
    raise IngestError(str(path), [Problem(str(path), 0, None, None, message)])
