"""Ingesting files into the knowledge graph: check everything first, then load in bulk.

Every file is read and checked in full and written as N-Triples to a temporary
file before the store is touched; only when all files are good is each loaded
with pyoxigraph's bulk loader into a fresh named graph and swapped in (see
:mod:`kg.sources`). A file with any bad row is rejected whole unless
``skip_bad_rows`` names a file for the rejected rows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import IngestError, KGError, Problem
from kg.ingest.rdf import RDF_SUFFIXES, read_rdf
from kg.ingest.rows import ANNOTATED_SUFFIXES, Row, RowConverter, read_rows
from kg.ontology import mint_hashed
from kg.store import select
from kg.sources import SourceInfo, ensure_ontology, now, register, sources

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["FileReport", "IngestReport", "ingest", "supported_files"]

MAX_LISTED_PROBLEMS = 100
"""An error message lists at most this many problems per file (``skip_bad_rows`` writes them all)."""

ProgressCallback = Callable[[str, int, int], None]
"""Called with (file name, bytes read, file size)."""


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


@dataclass(frozen=True)
class IngestReport:
    """What ingest did: a :class:`FileReport` per file, and totals."""

    files: tuple[FileReport, ...] = field(default=())

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
        """Every warning of every file."""
        return [w for f in self.files for w in f.warnings]

    @property
    def rejected(self) -> int:
        """Rows rejected and written to the ``skip_bad_rows`` file."""
        return sum(f.rejected for f in self.files)

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
        return text


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def supported_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to ingest: each file given, and the supported files found in each folder, recursively.

    Raises:
        IngestError: a path that does not exist, or a file of an unsupported kind.

    Examples:
        >>> supported_files(["/nonexistent.csv"])
        Traceback (most recent call last):
        ...
        kg.errors.IngestError: /nonexistent.csv: 1 problem, nothing was ingested:
          /nonexistent.csv:0: no such file or folder
    """
    known = (*ANNOTATED_SUFFIXES, *RDF_SUFFIXES)
    out: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and _suffix(p) in known)
        elif path.is_file():
            if _suffix(path) not in known:
                raise IngestError(
                    str(path),
                    [Problem(str(path), 0, None, None,
                             f"unsupported file type; filmkg reads {', '.join(known)} (each optionally .gz)")],
                )
            out.append(path)
        else:
            raise IngestError(str(path), [Problem(str(path), 0, None, None, "no such file or folder")])
    return list(dict.fromkeys(out))


def _digest(path: Path, *extra: str) -> str:
    digest = hashlib.sha256()
    for part in extra:
        digest.update(part.encode("utf-8") + b"\x1f")
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Prepared:
    path: Path
    name: str
    content_hash: str
    ntriples: Path | None
    rows: int = 0
    triples: int = 0
    statements: int = 0
    rejected: int = 0
    warnings: list[Problem] = field(default_factory=list)
    replaces: SourceInfo | None = None


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def through(self, triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
        for triple in triples:
            self.count += 1
            yield triple


def _annotated(
    item: _Prepared,
    graph: KnowledgeGraph,
    out: IO[bytes],
    *,
    strict: bool,
    rejects: _Rejects | None,
    progress: ProgressCallback | None,
) -> None:
    name = str(item.path)
    size = item.path.stat().st_size
    header, rows = read_rows(item.path, on_progress=(lambda n: progress(name, n, size)) if progress else None)
    if not header:
        unreadable = [row for row in rows if isinstance(row, Problem)]
        if unreadable:
            raise IngestError(name, unreadable[:1])
    converter = RowConverter(graph.ontology, path=name, header=header, strict=strict)
    if converter.header_problems:
        raise IngestError(name, converter.header_problems)
    problems: list[Problem] = []
    total_problems = 0
    batch: list[str] = []
    for row in rows:
        if isinstance(row, Problem):
            found = [row]
        else:
            item.rows += 1
            produced, errors = converter.convert(row)
            if not errors:
                batch += produced
                if len(batch) > 20_000:
                    item.triples += _write(out, batch)
                continue
            found = [e.located(name, row.line) for e in errors]
        total_problems += len(found)
        if rejects is not None:
            rejects.write(item.path, row, found)
            item.rejected += 1
        elif len(problems) < MAX_LISTED_PROBLEMS:
            problems.extend(found[: MAX_LISTED_PROBLEMS - len(problems)])
    item.triples += _write(out, batch)
    if problems:
        raise IngestError(name, problems, more=total_problems - len(problems))
    item.statements = converter.statements
    item.warnings = converter.warnings


def _write(out: IO[bytes], lines: list[str]) -> int:
    """Write N-Triples lines and empty the list; returns how many triples were written."""
    text = "".join(lines)
    lines.clear()
    out.write(text.encode("utf-8"))
    return text.count("\n")


class _Rejects:
    """The rejected rows of every file, with their reasons, as JSON Lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream: IO[str] | None = None

    def write(self, source: Path, row: Row | Problem, problems: Sequence[Problem]) -> None:
        if self.stream is None:
            self.stream = self.path.open("w", encoding="utf-8")
        record: dict[str, object] = {"file": str(source), "line": row.line}
        if isinstance(row, Row):
            record["row"] = {k: (list(c.value) if isinstance(c.value, tuple) else c.value) for k, c in row.cells.items()}
        record["errors"] = [str(p) for p in problems]
        self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


def _source_name(path: Path, taken: dict[str, str]) -> str:
    resolved = str(path.resolve())
    for candidate in (path.name, f"{path.parent.name}/{path.name}", resolved):
        if taken.get(candidate, resolved) == resolved:
            return candidate
    return resolved


def ingest(
    graph: KnowledgeGraph,
    paths: Sequence[str | Path],
    *,
    base: str | None = None,
    strict: bool = False,
    skip_bad_rows: Path | None = None,
    allow_network: bool = False,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Ingest annotated-triple files (CSV, TSV, JSON Lines) and RDF files, each into its own named graph.

    Every file is checked in full before the store changes. A file ingested before
    is replaced in one transaction; an unchanged file is left as it is.

    Args:
        graph: the knowledge graph to write to.
        paths: files and folders (folders are searched recursively for supported files).
        base: base IRI for relative IRIs in RDF files.
        strict: predicates and qualifiers outside the ontology are errors, not warnings.
        skip_bad_rows: ingest the good rows and write the rejected ones, with reasons, to this JSON Lines file.
        allow_network: let JSON-LD fetch remote contexts.
        progress: called with (file, bytes read, size) while reading.

    Returns:
        An :class:`IngestReport`.

    Raises:
        IngestError: a file is missing, unsupported or has bad rows; nothing was ingested.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object,duration\\nMikey Madison,trained-for,Anora,5 months\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> kg.ingest([p]).summary()
        '1 file (1 added): 1 rows, 9 triples, 1 statements, 0 warnings'
        >>> kg.ingest([p]).files[0].status
        'unchanged'
    """
    files = supported_files(paths)
    graph.writable()
    registered = {info.path: info for info in sources(graph)}
    taken = {info.name: info.path for info in registered.values()}
    prepared: list[_Prepared] = []
    unchanged: list[FileReport] = []
    errors: list[IngestError] = []
    rejects = _Rejects(skip_bad_rows) if skip_bad_rows is not None else None
    workdir = tempfile.TemporaryDirectory(prefix="filmkg-ingest-")
    try:
        for index, path in enumerate(files):
            resolved = str(path.resolve())
            options = f"{graph.ontology.digest}|base={base}|strict={strict}|skip={skip_bad_rows is not None}"
            content_hash = _digest(path, options)
            previous = registered.get(resolved)
            if previous is not None and previous.content_hash == content_hash:
                unchanged.append(
                    FileReport(previous.name, resolved, previous.graph, "unchanged", previous.rows,
                               previous.triples, previous.statements, 0)
                )
                continue
            name = previous.name if previous else _source_name(path, taken)
            taken[name] = resolved
            item = _Prepared(path, name, content_hash, Path(workdir.name) / f"{index}.nt", replaces=previous)
            try:
                assert item.ntriples is not None
                with item.ntriples.open("wb") as out:
                    if _suffix(path) in ANNOTATED_SUFFIXES:
                        _annotated(item, graph, out, strict=strict, rejects=rejects, progress=progress)
                    else:
                        counter = _Counter()
                        ox.serialize(
                            counter.through(read_rdf(path, base=base, allow_network=allow_network)),
                            out,
                            format=ox.RdfFormat.N_TRIPLES,
                        )
                        item.rows = item.triples = counter.count
            except IngestError as exc:
                errors.append(exc)
                continue
            prepared.append(item)
        if errors:
            if len(errors) == 1:
                raise errors[0]
            raise IngestError(
                f"{len(errors)} files", [p for e in errors for p in e.problems], more=sum(e.more for e in errors)
            )
        ensure_ontology(graph)
        _return_freed_memory()
        reports = [_load(graph, item) for item in prepared]
        if prepared and graph.location is not None:
            # Compact the files the bulk loader wrote: queries on a freshly bulk-loaded store
            # are an order of magnitude slower until it is done (15 s against 1.1 s for a
            # three-pattern join on 2.2 M triples).
            graph.store.optimize()
    finally:
        if rejects is not None:
            rejects.close()
        workdir.cleanup()
    return IngestReport(tuple(unchanged + reports))


def _return_freed_memory() -> None:
    """Hand the memory the row checking freed back to the system before the bulk loader takes its own.

    Without it the peak is the two added up: at 1 M rows about 0.5 GB more (glibc keeps freed
    memory; elsewhere this does nothing).
    """
    import ctypes
    import ctypes.util
    import gc

    gc.collect()  # the row converter's caches sit in reference cycles until the collector runs
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        pass


def _load(graph: KnowledgeGraph, item: _Prepared) -> FileReport:
    resolved = str(item.path.resolve())
    target = mint_hashed("graph", resolved, item.content_hash)
    node = ox.NamedNode(target)
    assert item.ntriples is not None
    try:
        if item.triples:
            graph.store.bulk_load(path=str(item.ntriples), format=ox.RdfFormat.N_TRIPLES, to_graph=node)
        else:
            graph.store.add_graph(node)
        info = SourceInfo(
            name=item.name,
            path=resolved,
            graph=target,
            content_hash=item.content_hash,
            rows=item.rows,
            triples=item.triples,
            statements=item.statements,
            ingested=now(),
        )
        statements = _count(graph, target, _STATEMENTS) if _suffix(item.path) in ANNOTATED_SUFFIXES else item.statements
        info = replace(info, triples=_count(graph, target), statements=statements)
        register(graph, info, replaces=item.replaces)
    except BaseException:
        try:
            graph.store.remove_graph(node)
        except KGError as cleanup:  # keep the error that stopped the load; no query sees this graph
            logging.getLogger(__name__).warning("could not drop the partly loaded graph %s: %s", target, cleanup)
        raise
    status = "replaced" if item.replaces else "added"
    return FileReport(item.name, resolved, target, status, item.rows, info.triples, info.statements,
                      item.rejected, tuple(item.warnings))


_STATEMENTS = "?s a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement>"


def _count(graph: KnowledgeGraph, target: str, pattern: str = "?s ?p ?o") -> int:
    """The matches of ``pattern`` in a named graph: all its triples by default (the written
    lines may repeat a triple), or, with :data:`_STATEMENTS`, its statement nodes."""
    rows = select(graph.store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ {pattern} }} }}", union=False)
    return int(getattr(rows[0][0], "value", 0))
