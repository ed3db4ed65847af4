"""Loading checked files into the store: each in bulk into a fresh graph, or by difference with its
previous version; then the store compacted when worth it, the new graphs counted and registered,
and the identity rule settled (see :func:`load_all`).

Queries on a freshly bulk-loaded store are an order of magnitude slower until it is compacted, so
every query of the ingest (the counts, the identity rule's) runs after the compaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from kg.errors import KGError, Problem, StoreError
from kg.identity import SettleReport
from kg.ingest.diff import StoredDump, graph_diff
from kg.ingest.importer import Importer
from kg.ingest.limits import disk_full
from kg.ingest.report import FileReport
from kg.ontology import mint_hashed
from kg.registry import SourceInfo, now, register, registered_graphs, replace_in_place, settle_identity, sources
from kg.store import GraphStore
from kg.store.base import OPTIMIZE_SHARE, worth_optimizing
from kg.store.embedded import EmbeddedStore
from kg.vocab import RDF_STATEMENT, RDF_TYPE

T = TypeVar("T")

__all__ = ["OPTIMIZE_SHARE", "Prepared", "forget", "load_all", "store_write", "target_graph"]


@dataclass
class Prepared:
    """A checked file: its N-Triples on disk, what its reading counted, the version it replaces."""

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
    loaded: str | None = None
    """The graph its N-Triples were bulk-loaded into while they were written (see :class:`kg.store.bulk.Feeder`)."""


def store_write(graph: GraphStore, write: Callable[[], T]) -> T:
    """Run a write to the store, turning a failure of the disk under it into a :class:`StoreError`."""
    try:
        return write()
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


def load_all(
    graph: GraphStore, prepared: list[Prepared], workdir: Path, registered: dict[str, SourceInfo]
) -> tuple[tuple[FileReport, ...], SettleReport]:
    """Load the checked files, then settle identity: each file replaced by difference in one
    transaction (see :func:`_replace_by_difference`), or bulk-loaded into a fresh graph no reader
    sees. The store is compacted before the new graphs are counted, registered and settled when
    they are worth it (:func:`~kg.store.base.worth_optimizing`): those queries are an order of magnitude slower
    on a freshly bulk-loaded store. Each registry entry goes in in one small transaction; a crash
    before it leaves an orphan graph, which the next writing command removes (see :func:`kg.registry.recover`).
    """
    if not prepared:
        return (), SettleReport()
    done: dict[int, FileReport] = {}
    pending: list[tuple[int, Prepared, str]] = []
    pending += [(index, item, item.loaded) for index, item in enumerate(prepared) if item.loaded is not None]
    try:
        for index, item in enumerate(prepared):
            if item.loaded is not None:
                continue
            replaced = _replace_by_difference(graph, item, workdir) if item.replaces is not None and item.triples else None
            if replaced is not None:
                done[index] = replaced
            else:
                pending.append((index, item, _bulk_load(graph, item)))
        total = sum(info.triples for info in registered.values())
        loaded = sum(item.triples for _, item, _ in pending)  # lines: a repeated triple counts again
        removed = sum(item.replaces.triples for _, item, _ in pending if item.replaces is not None)
        early = worth_optimizing(loaded, total + loaded)
        if early:
            store_write(graph, graph.store.optimize)
        for index, item, target in sorted(pending, key=lambda found: found[0]):
            done[index] = _register(graph, item, target)
    except BaseException:
        forget(graph, [target for _, _, target in pending])
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
    if worth_optimizing(removed, store_total) or (not early and worth_optimizing(loaded + removed, store_total)):
        store_write(graph, graph.store.optimize)
    return reports, settled


def target_graph(item: Prepared) -> str:
    """The fresh graph a file is bulk-loaded into."""
    resolved = str(item.path.resolve())
    target = mint_hashed("graph", resolved, item.content_hash)
    if item.replaces is not None and target == item.replaces.graph:
        # back to an earlier version after a change in place: its graph holds another version now
        target = mint_hashed("graph", resolved, item.content_hash, target)
    return target


def _bulk_load(graph: GraphStore, item: Prepared) -> str:
    """Bulk-load one file into a fresh graph, not registered yet: its name."""
    target = target_graph(item)
    try:
        if item.triples:
            store_write(graph, lambda: graph.store.bulk_load(item.ntriples, target))
        else:
            store_write(graph, lambda: graph.store.add_graph(target))
    except BaseException:
        forget(graph, [target])
        raise
    return target


def _register(graph: GraphStore, item: Prepared, target: str) -> FileReport:
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
    store_write(graph, lambda: register(graph, info, replaces=item.replaces))
    status = "replaced" if item.replaces else "added"
    return FileReport(item.name, resolved, target, status, item.rows, info.triples, info.statements,
                      item.rejected, tuple(item.warnings), item.left_out)


def forget(graph: GraphStore, targets: list[str]) -> None:
    """Remove the graphs loaded by an ingest that stopped, but those registered already (Ctrl-C
    while a replaced graph goes: the new graph is the file then)."""
    try:
        kept = registered_graphs(graph.store)
        for target in targets:
            if target not in kept:
                graph.store.remove_graph(target)
    except (KGError, OSError, RuntimeError) as cleanup:  # keep the error that stopped the load; no query sees these graphs
        logging.getLogger(__name__).warning("could not drop the partly loaded graphs %s: %s", targets, cleanup)


def _replace_by_difference(graph: GraphStore, item: Prepared, workdir: Path) -> FileReport | None:
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
    store_write(graph, lambda: done.__setitem__(0, replace_in_place(graph, info, found.removed, found.added)))
    return FileReport(item.name, previous.path, previous.graph, "replaced", item.rows, done[0].triples,
                      done[0].statements, item.rejected, tuple(item.warnings), item.left_out)


_STATEMENTS = f"?s <{RDF_TYPE}> <{RDF_STATEMENT}>"


def _count(graph: GraphStore, target: str, pattern: str = "?s ?p ?o") -> int:
    """The matches of ``pattern`` in a named graph: all its triples by default (the written
    lines may repeat a triple), or, with :data:`_STATEMENTS`, its statement nodes."""
    rows = list(graph.store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ {pattern} }} }}", union=False))
    return int(getattr(rows[0][0], "value", 0))
