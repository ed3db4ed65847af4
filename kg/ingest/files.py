"""Ingesting files into the knowledge graph: check everything first, then load in bulk.

Every file is read by its importer (:mod:`kg.ingest.importers`) into a statement
sink, which checks it in full and writes N-Triples to a temporary file before the
store is touched; only when all files are good is each loaded with pyoxigraph's
bulk loader into a fresh named graph and swapped in (see :mod:`kg.ingest.loading`). A
file with any bad row is rejected whole unless ``skip_bad_rows`` names a file for
the rejected rows.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, cast

from kg.errors import IngestError, Problem, UsageError
from kg.formats import suffix
from kg.ingest.diff import Dumps
from kg.ingest.importer import Importer, ImportOptions, ProgressCallback
from kg.ingest.importers import importer_for, known_suffixes
from kg.ingest.inputs import kind_of, open_file
from kg.ingest.limits import Limits, check_free_space, disk_full, temp_space_advice
from kg.ingest.loading import Prepared, forget, load_all, store_write, target_graph
from kg.ingest.mapped import MappedTable, mapping_beside
from kg.ingest.report import FileReport, IngestReport
from kg.ingest.sink import Rejects, StatementSink
from kg.ingest.sourcetexts import TextFile, attach_found, find_text_files, quote_warnings
from kg.registry import ensure_ontology, recover, sources
from kg.store import GraphStore
from kg.store.embedded import EmbeddedStore
from kg.store.recovery import Recovery, scratch_folder

__all__ = ["FileReport", "IngestReport", "ingest", "supported_files"]


def supported_files(
    paths: Iterable[str | Path], *, format: str | None = None, importer: Importer | None = None
) -> list[Path]:
    """The files to ingest: each file given, and the supported files found in each folder, recursively.

    A file is listed once, however many paths lead to it (a symbolic link to a file already
    given, a folder and a file in it): the first path given names it.

    Args:
        paths: files and folders.
        format: read every file with this importer (see :mod:`kg.ingest.importers`); folders then
            give their files of that importer's suffixes.
        importer: read every file with this importer (a configured one, such as an IMDb import
            with filters); folders then give the files of its suffixes that it claims.

    Raises:
        IngestError: a path that does not exist, is not a file or folder (a FIFO, a device), or
            a file of an unsupported kind.

    Examples:
        >>> supported_files(["/nonexistent.csv"])
        Traceback (most recent call last):
        ...
        kg.errors.IngestError: /nonexistent.csv: 1 problem, nothing was ingested:
          /nonexistent.csv:0: no such file or folder
        >>> supported_files(["/dev/zero"], format="annotated")
        Traceback (most recent call last):
        ...
        kg.errors.IngestError: /dev/zero: 1 problem, nothing was ingested:
          /dev/zero:0: a character device, not a file or folder: give files and folders
    """
    chosen = importer if importer is not None else importer_for(Path(), format) if format is not None else None
    known = chosen.suffixes if chosen is not None else known_suffixes()
    out: dict[Path, Path] = {}
    for item in paths:
        path = Path(item)
        kind = kind_of(path)
        if kind is not None:
            message = f"{kind}, not a file or folder: give files and folders"
            raise IngestError(str(path), [Problem(str(path), 0, None, None, message)])
        if path.is_dir():
            for found in _walk(path):
                if suffix(found) in known and kind_of(found) is None and found.is_file():
                    if (chosen or importer_for(found)).claims(found):
                        out.setdefault(found.resolve(), found)
        elif path.is_file():
            if chosen is None:
                importer_for(path, format)
            out.setdefault(path.resolve(), path)
        else:
            raise IngestError(str(path), [Problem(str(path), 0, None, None, "no such file or folder")])
    return list(out.values())


def _walk(folder: Path) -> list[Path]:
    """The files under ``folder``, sorted, following symbolic links to folders (each folder once);
    a subfolder that cannot be listed is an error."""
    found: list[Path] = []

    def fail(exc: OSError) -> None:
        name = str(exc.filename or folder)
        message = f"cannot list this folder ({exc.strerror or exc}): check its permissions"
        raise IngestError(name, [Problem(name, 0, None, None, message)])

    visited: set[str] = set()
    for root, folders, names in os.walk(folder, onerror=fail, followlinks=True):
        real = os.path.realpath(root)
        if real in visited:  # a symbolic link back up the tree, or to a folder already walked
            folders.clear()
            continue
        visited.add(real)
        found += [Path(root) / name for name in names]
    return sorted(found)


def _digest(path: Path, *extra: str) -> str:
    digest = hashlib.sha256()
    for part in extra:
        digest.update(part.encode("utf-8") + b"\x1f")
    with open_file(path) as stream:
        try:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        except OSError as exc:
            name = str(path)
            raise IngestError(name, [Problem(name, 0, None, None, f"cannot read the file: {exc.strerror or exc}")]) from exc
    return digest.hexdigest()


def _decompressed_size(path: Path, limits: Limits) -> int:
    """About what ``path`` decompresses to: the size a ``.gz`` file records (modulo 4 GiB), else its size."""
    stored = path.stat().st_size
    if path.suffix.lower() != ".gz" or stored < 18:
        return stored
    try:
        with path.open("rb") as stream:
            stream.seek(-4, os.SEEK_END)
            recorded = int.from_bytes(stream.read(4), "little")
    except OSError:
        return stored
    return min(max(recorded, stored), limits.max_decompressed_bytes)


def _source_name(path: Path, taken: dict[str, str]) -> str:
    resolved = str(path.resolve())
    for candidate in (path.name, f"{path.parent.name}/{path.name}", resolved):
        if taken.get(candidate, resolved) == resolved:
            return candidate
    return resolved


def ingest(
    graph: GraphStore,
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    base: str | None = None,
    strict: bool = False,
    skip_bad_rows: Path | None = None,
    allow_network: bool = False,
    progress: ProgressCallback | None = None,
    limits: Limits | None = None,
    importer: Importer | None = None,
) -> IngestReport:
    """Ingest annotated-triple files (CSV, TSV, JSON Lines) and RDF files, each into its own named graph.

    Every file is checked in full before the store changes. A file ingested before
    is replaced in one transaction; an unchanged file is left as it is.

    Args:
        graph: the knowledge graph to write to.
        paths: files and folders (folders are searched recursively for supported files).
        format: the importer for every file (``annotated``, ``rdf``, ...), for suffixes that do not tell.
        base: base IRI for relative IRIs in RDF files.
        strict: predicates and qualifiers outside the ontology are errors, not warnings.
        skip_bad_rows: ingest the good rows and write the rejected ones, with reasons, to this JSON Lines file.
        allow_network: let JSON-LD fetch remote contexts.
        progress: called with (file, bytes read, size) while reading.
        limits: what one file may cost (line length, decompression, JSON depth, XML entities,
            temporary disk); by default :meth:`Limits.from_env() <kg.ingest.limits.Limits.from_env>`.
        importer: read every file with this importer, configured (an IMDb import with filters, a
            spreadsheet with its mapping file); ``format`` is then not given.

    Returns:
        An :class:`IngestReport`.

    Raises:
        IngestError: a file is missing, unreadable, unsupported, past a limit or has bad rows;
            the ``skip_bad_rows`` file cannot be written; too little temporary space. Nothing was ingested.
        StoreError: the store cannot be written (a full disk); the store is left as it was.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object,duration\\nMikey Madison,trained-for,Anora,5 months\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> kg.ingest([p]).summary()
        '1 file (1 added): 1 rows, 15 triples, 1 statements, 0 warnings'
        >>> kg.ingest([p]).files[0].status
        'unchanged'
    """
    if importer is not None and format is not None:
        raise UsageError("give `format` or `importer`, not both")
    files = supported_files(paths, format=format, importer=importer)
    text_files = find_text_files(paths)
    limits = limits if limits is not None else Limits.from_env()
    graph.store.check_writable()
    registered = {info.path: info for info in sources(graph)}
    taken = {info.name: info.path for info in registered.values()}
    prepared: list[Prepared] = []
    unchanged: list[FileReport] = []
    errors: list[IngestError] = []
    rejects = Rejects(skip_bad_rows) if skip_bad_rows is not None else None
    options = ImportOptions(base=base, strict=strict, allow_network=allow_network, progress=progress, limits=limits)
    workdir = _workdir(limits)
    dumps = Dumps()
    mappings: dict[Path, MappedTable] = {}
    feeds = isinstance(graph.store, EmbeddedStore)  # (a flag, not the store: a frame an error keeps must not hold it open)
    created_here = isinstance(graph.store, EmbeddedStore) and graph.store.pending
    recovered: Recovery | None = None
    handed = False  # (the loaded graphs are load_all's to keep or remove once it has them)

    def recover_first() -> None:  # before the first part is loaded: it removes unregistered graphs
        nonlocal recovered
        if recovered is None:
            recovered = recover(graph.store)

    try:
        for index, path in enumerate(files):
            reader = importer if importer is not None else _beside(path, format, mappings) or importer_for(path, format)
            resolved = str(path.resolve())
            settings = (
                f"{graph.ontology.digest}|base={base}|strict={strict}|skip={skip_bad_rows is not None}"
                + (f"|format={reader.name}" if format is not None or importer is not None else "")
                + (f"|{fingerprint}" if (fingerprint := reader.fingerprint(path)) else "")
            )
            content_hash = _digest(path, settings)
            previous = registered.get(resolved)
            if previous is not None and previous.content_hash == content_hash:
                unchanged.append(
                    FileReport(previous.name, resolved, previous.graph, "unchanged", previous.rows,
                               previous.triples, previous.statements, 0)
                )
                continue
            name = previous.name if previous else _source_name(path, taken)
            taken[name] = resolved
            item = Prepared(path, name, content_hash, Path(workdir.name) / f"{index}.nt", reader, replaces=previous)
            if previous is not None and isinstance(graph.store, EmbeddedStore):
                item.stored = dumps.start(graph.store, previous.graph, Path(workdir.name) / f"{index}.stored.nt")
            # its N-Triples take at least twice the input: fail now rather than when the disk is full
            check_free_space(Path(workdir.name), 2 * _decompressed_size(path, limits), limits, path=str(path))
            try:  # a new file goes to the loader while it is read (see kg.store.bulk.Feeder)
                _prepare(graph, item, options, rejects, recover_first if feeds and previous is None else None)
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
        if rejects is not None:
            rejects.close()  # every rejected row is on disk before anything is committed
        recover_first()
        ensure_ontology(graph)
        _return_freed_memory()
        handed = True
        reports, settled = load_all(graph, prepared, Path(workdir.name), registered)
        if not prepared and recovered is not None and recovered.orphan_graphs:  # give back the space the orphans took
            store_write(graph, graph.store.optimize)
    except BaseException:
        if not handed:  # nothing is ingested: what was loaded goes, and a store this ingest created
            forget(graph, [item.loaded for item in prepared if item.loaded is not None])
            if created_here and isinstance(graph.store, EmbeddedStore):
                graph.store.discard_created()
        raise
    finally:
        if rejects is not None:
            try:
                rejects.close()
            except IngestError:
                pass  # an error is on its way already
        dumps.wait()  # nothing writes to the folder once it is removed
        workdir.cleanup()
    names = {info.graph: info for info in sources(graph)} if settled.warnings else {}
    identity_warnings = tuple(
        Problem(names[g].path if g in names else g, 0, None, None, message) for g, message in settled.warnings
    )
    assert recovered is not None
    report = _with_texts(graph, tuple(unchanged) + reports, text_files)
    linked = sum(settled.linked_in.get(r.graph, 0) for r in report.files if r.status != "unchanged")
    return replace(report, linked=linked, identity_warnings=identity_warnings, recovered=recovered)


def _beside(path: Path, format: str | None, mappings: dict[Path, MappedTable]) -> MappedTable | None:
    """The importer of a table with a mapping file beside it (see :func:`kg.ingest.mapped.mapping_beside`)."""
    found = mapping_beside(path) if format is None else None
    if found is None:
        return None
    if found not in mappings:
        mappings[found] = MappedTable.from_file(found)
    return mappings[found]


def _with_texts(graph: GraphStore, reports: tuple[FileReport, ...], text_files: list[TextFile]) -> IngestReport:
    """Attach the source texts found beside the data, then warn about each quote (of the files
    just loaded, or of a source whose text changed) that its source's text does not hold."""
    attached, text_warnings, changed = attach_found(graph, text_files) if text_files else ([], [], set())
    loaded = {r.graph for r in reports if r.status != "unchanged"}
    files = {info.graph: info.path for info in sources(graph)} if (loaded or changed) else {}
    warnings = quote_warnings(graph, files, loaded, changed)
    reports = tuple(replace(r, warnings=r.warnings + tuple(warnings.get(r.path, ()))) for r in reports)
    return IngestReport(reports, texts=tuple(attached), text_warnings=tuple(text_warnings))


def _workdir(limits: Limits) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for the N-Triples of every file."""
    try:
        return scratch_folder()
    except OSError as exc:
        folder = tempfile.gettempdir()
        message = f"cannot create a temporary folder in {folder} ({exc.strerror or exc}): {temp_space_advice(limits)}"
        raise IngestError(folder, [Problem(folder, 0, None, None, message)]) from exc


def _prepare(
    graph: GraphStore, item: Prepared, options: ImportOptions, rejects: Rejects | None,
    start: Callable[[], None] | None = None,
) -> None:
    """Read one file with its importer into N-Triples, checking every record; with ``start`` (an
    embedded store), bulk-load them into the file's fresh graph as they are written, ``start``
    called before the first part goes in (``item.loaded`` then names the graph).

    Raises:
        IngestError: the file is bad or cannot be read; the temporary disk is full (what was
            loaded is removed).
        StoreError: the store could not be written.
    """
    name = str(item.path)
    feeder = None
    try:
        with item.ntriples.open("wb") as out:
            if start is not None and isinstance(graph.store, EmbeddedStore):
                feeder = graph.store.feeder(out, target_graph(item), start)
            try:
                sink = StatementSink(
                    graph.ontology, path=name, out=cast("IO[bytes]", feeder or out), strict=options.strict, rejects=rejects,
                    limits=options.limits,
                )
                item.importer.read(item.path, sink, options)
                sink.finish()
                if feeder is not None and store_write(graph, feeder.finish) and feeder.started:
                    item.loaded = target_graph(item)
            finally:
                if feeder is not None and item.loaded is None:  # a failure, or a blank node: the file goes whole
                    feeder.stop()
                    if feeder.started:
                        forget(graph, [target_graph(item)])
    except OSError as exc:
        if disk_full(exc):
            message = f"the temporary folder {item.ntriples.parent} is full: {temp_space_advice(options.limits)}"
        else:
            message = f"cannot read the file, or write its N-Triples to {item.ntriples.parent}: {exc.strerror or exc}"
        raise IngestError(name, [Problem(name, 0, None, None, message)]) from exc
    item.rows, item.triples, item.statements = sink.rows, sink.triples_written, sink.statements
    item.rejected, item.warnings, item.left_out = sink.rejected, sink.warnings, sink.left_out
    item.raw = sink.raw


def _return_freed_memory() -> None:
    """Hand the memory the row checking freed back to the system before the bulk loader takes its own.

    Without it the peak is the two added up: at 1 M rows about 0.5 GB more (glibc keeps freed
    memory; elsewhere this does nothing).
    """
    gc.collect()  # the row converter's caches sit in reference cycles until the collector runs
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        pass


