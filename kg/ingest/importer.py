"""The Importer protocol: how a kind of input file becomes statements.

An importer reads one file and hands what it finds to a
:class:`~kg.ingest.sink.StatementSink`: records (:meth:`~kg.ingest.sink.StatementSink.record`),
which the sink validates and reifies through the ontology, or RDF triples as they are
(:meth:`~kg.ingest.sink.StatementSink.triples`). The built-in importers are listed in
:data:`kg.ingest.importers.IMPORTERS`, and an outside one is added there the same way:
one module, one line.

Examples:
    >>> ImportOptions().strict
    False
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kg.ingest.limits import Limits

if TYPE_CHECKING:
    from kg.ingest.sink import StatementSink

__all__ = ["ImportOptions", "Importer", "ProgressCallback"]

ProgressCallback = Callable[[str, int, int], None]
"""Called with (file name, bytes read, file size)."""


@dataclass(frozen=True)
class ImportOptions:
    """What every importer may be told: a base IRI, strictness, network permission, a progress callback,
    and the :class:`~kg.ingest.limits.Limits` a file must keep to."""

    base: str | None = None
    strict: bool = False
    allow_network: bool = False
    progress: ProgressCallback | None = None
    limits: Limits = field(default_factory=Limits)


class Importer(Protocol):
    """A kind of input file: its name (for ``format=``), a one-line description, the suffixes it
    reads by default (each also with ``.gz``), and how to read one file into a sink."""

    @property
    def name(self) -> str:
        """The name ``format=`` selects it by."""

    @property
    def description(self) -> str:
        """One line on what it reads."""

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The file suffixes it reads when no format is given."""

    def claims(self, path: Path) -> bool:
        """Whether a file found in a folder is one this importer reads (by its name; every file of
        its suffixes for most importers, only the dataset's own files for IMDb)."""

    def fingerprint(self, path: Path) -> str:
        """What the statements read from ``path`` depend on beside its bytes and the ontology: the
        importer's settings (filters, a mapping file, a language), and the companion files it reads
        with it. Part of the file's content hash, so that re-importing with other settings replaces
        the file's graph and with the same ones changes nothing; ``""`` when there is nothing."""

    def read(self, path: Path, sink: StatementSink, options: ImportOptions) -> None:
        """Hand everything in ``path`` to ``sink``.

        Raises:
            IngestError: the file cannot be read, or is past one of ``options.limits``; with its line and column.
        """
