"""What an ingest did: a :class:`FileReport` per file, and the :class:`IngestReport` of them all."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import Problem
from kg.store.recovery import Recovery
from kg.texts import AttachedText

__all__ = ["FileReport", "IngestReport"]


@dataclass(frozen=True)
class FileReport:
    """What ingest did with one file."""

    source: str
    path: str
    graph: str
    status: str
    """``added``, ``replaced`` or ``unchanged``."""
    rows: int
    triples: int
    statements: int
    rejected: int
    warnings: tuple[Problem, ...] = ()
    left_out: int = 0
    """Records the importer left out (values without a mapping, rows it skipped), each reported in ``warnings``."""


@dataclass(frozen=True)
class IngestReport:
    """What ingest did: a :class:`FileReport` per file, and totals."""

    files: tuple[FileReport, ...] = field(default=())
    linked: int = 0
    """Names and identifiers of the files just loaded resolved to an entity of another IRI (see :mod:`kg.identity`)."""
    identity_warnings: tuple[Problem, ...] = ()
    """Names left apart among several candidates, with the candidates and how to choose."""
    texts: tuple[AttachedText, ...] = ()
    """Source texts attached from ``NAME.source.txt`` files beside the data (see :mod:`kg.ingest.sourcetexts`)."""
    text_warnings: tuple[Problem, ...] = ()
    """Warnings about those files (a source no statement cites)."""
    recovered: Recovery = Recovery()
    """What interrupted commands had left (orphan graphs, temporary folders, bulk-load files) and this
    ingest removed before loading (see :func:`kg.registry.recover`)."""

    @property
    def rows(self) -> int:
        """Rows read (RDF triples for RDF files)."""
        return sum(f.rows for f in self.files)

    @property
    def triples(self) -> int:
        """Triples written."""
        return sum(f.triples for f in self.files)

    @property
    def statements(self) -> int:
        """Statement nodes written."""
        return sum(f.statements for f in self.files)

    @property
    def warnings(self) -> list[Problem]:
        """Every warning of every file, then those of the identity rule and of the source-text files."""
        return [w for f in self.files for w in f.warnings] + list(self.identity_warnings) + list(self.text_warnings)

    @property
    def rejected(self) -> int:
        """Rows rejected and written to the ``skip_bad_rows`` file."""
        return sum(f.rejected for f in self.files)

    @property
    def left_out(self) -> int:
        """Records the importers left out, as their warnings say."""
        return sum(f.left_out for f in self.files)

    def summary(self) -> str:
        """One line: files, rows, triples, statements, warnings.

        Examples:
            >>> IngestReport().summary()
            '0 files: 0 rows, 0 triples, 0 statements, 0 warnings'
        """
        counts: dict[str, int] = {}
        for f in self.files:
            counts[f.status] = counts.get(f.status, 0) + 1
        detail = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        text = f"{len(self.files)} file{'s' if len(self.files) != 1 else ''}"
        text += f" ({detail})" if detail else ""
        text += (
            f": {self.rows:,} rows, {self.triples:,} triples, {self.statements:,} statements, "
            f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}"
        )
        if self.rejected:
            text += f", {self.rejected:,} rows rejected"
        if self.left_out:
            text += f", {self.left_out:,} records left out"
        if self.linked:
            text += f", {self.linked:,} linked to another entity"
        if self.texts:
            text += f", {len(self.texts)} source text{'s' if len(self.texts) != 1 else ''} attached"
        return text
