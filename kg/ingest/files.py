"""Ingesting files into the knowledge graph: check everything first, then load in bulk.

Every file is read by its importer (:mod:`kg.ingest.importers`) into a statement
sink, which checks it in full and writes N-Triples to a temporary file before the
store is touched; only when all files are good is each loaded with pyoxigraph's
bulk loader into a fresh named graph and swapped in (see :mod:`kg.registry`). A
file with any bad row is rejected whole unless ``skip_bad_rows`` names a file for
the rejected rows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.errors import IngestError, KGError, Problem, StoreError, UsageError
from kg.formats import suffix
from kg.ingest.importer import Importer, ImportOptions, ProgressCallback
from kg.ingest.importers import importer_for, known_suffixes
from kg.ingest.inputs import kind_of, open_file
from kg.ingest.limits import Limits, check_free_space, disk_full, temp_space_advice
from kg.ingest.mapped import MappedTable, mapping_beside
from kg.ingest.report import FileReport, IngestReport
from kg.ingest.sink import Rejects, StatementSink
from kg.ingest.sourcetexts import TextFile, attach_found, find_text_files, quote_warnings
from kg.ontology import mint_hashed
from kg.identity import SettleReport
from kg.registry import (
    SourceInfo,
    ensure_ontology,
    now,
    recover,
    register,
    registered_graphs,
    replace_in_place,
    settle_identity,
    sources,
)
from kg.ingest.diff import Dumps, StoredDump, graph_diff
from kg.store import GraphStore
from kg.store.embedded import EmbeddedStore
from kg.store.recovery import scratch_folder
from kg.vocab import RDF_STATEMENT, RDF_TYPE

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


@dataclass
class _Prepared:
    path: Path
    name: str
    content_hash: str
    ntriples: Path
    importer: Importer
    rows: int = 0
    triples: int = 0
    statements: int = 0
    rejected: int = 0
    left_out: int = 0
    warnings: list[Problem] = field(default_factory=list)
    replaces: SourceInfo | None = None
    stored: StoredDump | None = None
    """The replaced graph, written out while the file is read (see :func:`_replace_by_difference`)."""
    raw: bool = False
    """Read as RDF triples, not records: the identity rule leaves its entities as they are."""


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
    prepared: list[_Prepared] = []
    unchanged: list[FileReport] = []
    errors: list[IngestError] = []
    rejects = Rejects(skip_bad_rows) if skip_bad_rows is not None else None
    options = ImportOptions(base=base, strict=strict, allow_network=allow_network, progress=progress, limits=limits)
    workdir = _workdir(limits)
    dumps = Dumps()
    mappings: dict[Path, MappedTable] = {}
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
            item = _Prepared(path, name, content_hash, Path(workdir.name) / f"{index}.nt", reader, replaces=previous)
            if previous is not None and isinstance(graph.store, EmbeddedStore):
                item.stored = dumps.start(graph.store, previous.graph, Path(workdir.name) / f"{index}.stored.nt")
            # its N-Triples take at least twice the input: fail now rather than when the disk is full
            check_free_space(Path(workdir.name), 2 * _decompressed_size(path, limits), limits, path=str(path))
            try:
                _prepare(graph, item, options, rejects)
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
        recovered = recover(graph.store)
        ensure_ontology(graph)
        _return_freed_memory()
        reports, settled = _load_all(graph, prepared, Path(workdir.name), registered)
        if not prepared and recovered.orphan_graphs:  # give back the space the orphans took
            _store_write(graph, graph.store.optimize)
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


def _store_write(graph: GraphStore, write: Callable[[], None]) -> None:
    """Run a write to the store, turning a failure of the disk under it into a :class:`StoreError`."""
    try:
        write()
    except KGError:
        raise
    except (OSError, RuntimeError, ValueError) as exc:
        raise _store_error(graph, exc) from exc


def _store_error(graph: GraphStore, exc: BaseException) -> StoreError:
    where = getattr(graph.store, "location", None) or "the store"
    if disk_full(exc):
        return StoreError(
            f"the disk under {where} is full ({exc}): free some space and ingest again; "
            "the files not loaded yet were not ingested, and the store keeps what it had"
        )
    return StoreError(f"writing to {where} failed ({exc}): nothing more was ingested; check the store's disk")


def _prepare(graph: GraphStore, item: _Prepared, options: ImportOptions, rejects: Rejects | None) -> None:
    """Read one file with its importer into N-Triples, checking every record.

    Raises:
        IngestError: the file is bad or cannot be read; the temporary disk is full.
    """
    name = str(item.path)
    try:
        with item.ntriples.open("wb") as out:
            sink = StatementSink(
                graph.ontology, path=name, out=out, strict=options.strict, rejects=rejects, limits=options.limits
            )
            item.importer.read(item.path, sink, options)
            sink.finish()
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


OPTIMIZE_SHARE = 0.1
"""Compact the store after an ingest when what it bulk-loaded (or removed) is at least this share
of the store. Queries on a freshly bulk-loaded store are an order of magnitude slower until it is
compacted (15 s against 1.1 s for a three-pattern join on 2.2 M triples), but a small load slows
nothing while compacting costs what the whole store costs: at 2.5 M triples, a join took 0.37 s
before and after loading 685 triples (a 50-row file), whose compaction took 4.3 s of the 12 s the
ingest took; after loading 250,000 triples (10 % of the store) it took 0.46 s against 0.34 s
once compacted (5.7 s)."""


def _worth_optimizing(changed: int, total: int) -> bool:
    """Whether an ingest that bulk-loaded or removed ``changed`` triples of a store of ``total``
    should compact it (see :data:`OPTIMIZE_SHARE`).

    Examples:
        >>> _worth_optimizing(685, 2_500_000), _worth_optimizing(250_000, 2_500_000), _worth_optimizing(15, 15)
        (False, True, True)
    """
    return changed >= OPTIMIZE_SHARE * max(total, 1)


def _load_all(
    graph: GraphStore, prepared: list[_Prepared], workdir: Path, registered: dict[str, SourceInfo]
) -> tuple[tuple[FileReport, ...], SettleReport]:
    """Load the checked files, then settle identity: each file replaced by difference in one
    transaction (see :func:`_replace_by_difference`), or bulk-loaded into a fresh graph no reader
    sees. The store is compacted before the new graphs are counted, registered and settled when
    they are worth it (:func:`_worth_optimizing`): those queries are an order of magnitude slower
    on a freshly bulk-loaded store. Each registry entry goes in in one small transaction; a crash
    before it leaves an orphan graph, which the next writing command removes (see :func:`recover`).
    """
    if not prepared:
        return (), SettleReport()
    done: dict[int, FileReport] = {}
    pending: list[tuple[int, _Prepared, str]] = []
    try:
        for index, item in enumerate(prepared):
            replaced = _replace_by_difference(graph, item, workdir) if item.replaces is not None and item.triples else None
            if replaced is not None:
                done[index] = replaced
            else:
                pending.append((index, item, _bulk_load(graph, item)))
        total = sum(info.triples for info in registered.values())
        loaded = sum(item.triples for _, item, _ in pending)  # lines: a repeated triple counts again
        removed = sum(item.replaces.triples for _, item, _ in pending if item.replaces is not None)
        early = _worth_optimizing(loaded, total + loaded)
        if early:
            _store_write(graph, graph.store.optimize)
        for index, item, target in pending:
            done[index] = _register(graph, item, target)
    except BaseException:
        _forget(graph, [target for _, _, target in pending])
        raise
    reports = tuple(done[index] for index in sorted(done))
    settled = settle_identity(graph)
    counts = {info.graph: info for info in sources(graph)}
    reports = tuple(
        replace(r, triples=counts[r.graph].triples, statements=counts[r.graph].statements)
        if r.graph in settled.rewritten and r.graph in counts
        else r
        for r in reports
    )
    store_total = sum(info.triples for info in counts.values())
    if _worth_optimizing(removed, store_total) or (not early and _worth_optimizing(loaded + removed, store_total)):
        _store_write(graph, graph.store.optimize)
    return reports, settled


def _bulk_load(graph: GraphStore, item: _Prepared) -> str:
    """Bulk-load one file into a fresh graph, not registered yet: its name."""
    resolved = str(item.path.resolve())
    target = mint_hashed("graph", resolved, item.content_hash)
    if item.replaces is not None and target == item.replaces.graph:
        # back to an earlier version after a change in place: its graph holds another version now
        target = mint_hashed("graph", resolved, item.content_hash, target)
    try:
        if item.triples:
            _store_write(graph, lambda: graph.store.bulk_load(item.ntriples, target))
        else:
            _store_write(graph, lambda: graph.store.add_graph(target))
    except BaseException:
        _forget(graph, [target])
        raise
    return target


def _register(graph: GraphStore, item: _Prepared, target: str) -> FileReport:
    """Count the triples and statements of a bulk-loaded graph (the written lines may repeat a
    triple) and register it in place of the file's previous version."""
    resolved = str(item.path.resolve())
    statements = _count(graph, target, _STATEMENTS) if item.statements else 0
    info = SourceInfo(
        name=item.name,
        path=resolved,
        graph=target,
        content_hash=item.content_hash,
        rows=item.rows,
        triples=_count(graph, target) if item.triples else 0,
        statements=statements,
        ingested=now(),
        importer="rdf" if item.raw else item.importer.name,
    )
    _store_write(graph, lambda: register(graph, info, replaces=item.replaces))
    status = "replaced" if item.replaces else "added"
    return FileReport(item.name, resolved, target, status, item.rows, info.triples, info.statements,
                      item.rejected, tuple(item.warnings), item.left_out)


def _forget(graph: GraphStore, targets: list[str]) -> None:
    """Remove the graphs loaded by an ingest that stopped, but those registered already (Ctrl-C
    while a replaced graph goes: the new graph is the file then)."""
    try:
        kept = registered_graphs(graph.store)
        for target in targets:
            if target not in kept:
                graph.store.remove_graph(target)
    except (KGError, OSError, RuntimeError) as cleanup:  # keep the error that stopped the load; no query sees these graphs
        logging.getLogger(__name__).warning("could not drop the partly loaded graphs %s: %s", targets, cleanup)


def _replace_by_difference(graph: GraphStore, item: _Prepared, workdir: Path) -> FileReport | None:
    """Replace a file in place when its new N-Triples differ little from its stored graph (see
    :func:`kg.ingest.diff.graph_diff`): the lines to delete and insert, and its registry entry, in
    one transaction (see :func:`kg.registry.replace_in_place`); the graph keeps its name. ``None``
    (load it afresh) otherwise.

    The stored graph may hold what the identity rule rewrote after it was loaded: the difference
    takes it back to what the file says, and the settle that follows every load rewrites it again,
    as it would a graph loaded afresh."""
    previous = item.replaces
    if previous is None or not isinstance(graph.store, EmbeddedStore):
        return None
    found = graph_diff(item.ntriples, item.stored, previous.triples, workdir)
    if found is None:
        return None
    info = SourceInfo(
        name=item.name, path=previous.path, graph=previous.graph, content_hash=item.content_hash, rows=item.rows,
        triples=0, statements=0, ingested=now(), importer="rdf" if item.raw else item.importer.name,
    )
    done = [info]
    _store_write(graph, lambda: done.__setitem__(0, replace_in_place(graph, info, found.removed, found.added)))
    return FileReport(item.name, previous.path, previous.graph, "replaced", item.rows, done[0].triples,
                      done[0].statements, item.rejected, tuple(item.warnings), item.left_out)


_STATEMENTS = f"?s <{RDF_TYPE}> <{RDF_STATEMENT}>"


def _count(graph: GraphStore, target: str, pattern: str = "?s ?p ?o") -> int:
    """The matches of ``pattern`` in a named graph: all its triples by default (the written
    lines may repeat a triple), or, with :data:`_STATEMENTS`, its statement nodes."""
    rows = list(graph.store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ {pattern} }} }}", union=False))
    return int(getattr(rows[0][0], "value", 0))
