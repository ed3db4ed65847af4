"""Ingested files ("sources" on the command line): each lives in its own named graph, listed in a registry graph.

The registry graph (:data:`kg.vocab.REGISTRY_GRAPH`) describes every ingested file as a
``film:SourceFile``: its name, path, content hash, counts and the named graph that
holds its triples. A graph that no registry entry names is invisible to queries
(see :mod:`kg.store.base`), so the registry decides, in one small transaction, what
readers see:

- replacing a file loads the new graph under a fresh name, then one SPARQL update
  swaps the registry entries;
- dropping a file deletes its registry entry.

The graph left behind is then removed in batches of bounded size (memory does not
grow with the graph) and, by :func:`drop` and at the end of an ingest, the store is
compacted. A graph that an interrupted load, drop or replacement left behind is an
orphan, removed by the next writing command (:func:`recover`), which says so.

Examples:
    >>> from kg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory()
    >>> sources(kg)
    []
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError, NotFoundError
from kg.identity import SettleReport, settle
from kg.sparql import insert_data
from kg.store import GraphStore, Store, dataset_graphs, registered_graphs_query
from kg.store.base import worth_optimizing
from kg.store.recovery import Recovery, remove_dead_scratch
from kg.vocab import FILM, GENERATED_AT, GRAPH_PREFIX, ONTOLOGY_GRAPH, RDF_STATEMENT, REGISTRY_GRAPH, SOURCE_FILE_CLASS

__all__ = [
    "DropReport",
    "SourceInfo",
    "drop",
    "ensure_ontology",
    "find_source",
    "recover",
    "register",
    "replace_in_place",
    "registered_graphs",
    "remove_orphans",
    "settle_identity",
    "sources",
]

_FIELDS = ("sourceName", "sourcePath", "contentHash", "rowCount", "tripleCount", "statementCount")


@dataclass(frozen=True)
class SourceInfo:
    """One ingested file: the name ``filmkg sources`` shows, where it came from, its graph and counts."""

    name: str
    path: str
    graph: str
    content_hash: str
    rows: int
    triples: int
    statements: int
    ingested: str
    importer: str = ""
    """The importer that read it (``annotated``, ``rdf``, ...); empty for stores of earlier versions."""

    @property
    def settled(self) -> bool:
        """Whether the identity rule applies to its entities (files read as records, not RDF)."""
        return self.importer not in ("", "rdf")


@dataclass(frozen=True)
class DropReport:
    """What :func:`drop` did: the file it removed, and what interrupted commands had left that it removed too."""

    source: SourceInfo
    recovered: Recovery = Recovery()

    @property
    def name(self) -> str:
        """The dropped file's name."""
        return self.source.name

    @property
    def triples(self) -> int:
        """The triples its graph held."""
        return self.source.triples

    @property
    def statements(self) -> int:
        """The statements its graph held."""
        return self.source.statements

    def summary(self) -> str:
        """One line: what was dropped.

        Examples:
            >>> info = SourceInfo("a.csv", "/d/a.csv", "urn:g", "h", 1, 15, 1, "2025-01-01T00:00:00Z")
            >>> DropReport(info).summary()
            'dropped a.csv: 15 triples, 1 statements'
        """
        return f"dropped {self.name}: {self.triples:,} triples, {self.statements:,} statements"


def sources(graph: GraphStore) -> list[SourceInfo]:
    """Every ingested file, sorted by name.

    Args:
        graph: the knowledge graph.

    Returns:
        One :class:`SourceInfo` per file.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> KnowledgeGraph.memory().sources()
        []
    """
    query = f"""
        SELECT ?g ?name ?path ?hash ?rows ?triples ?statements ?time ?importer WHERE {{
          GRAPH <{REGISTRY_GRAPH}> {{
            ?g a <{SOURCE_FILE_CLASS}> ; <{FILM}sourceName> ?name ; <{FILM}sourcePath> ?path ;
               <{FILM}contentHash> ?hash ; <{FILM}rowCount> ?rows ; <{FILM}tripleCount> ?triples ;
               <{FILM}statementCount> ?statements ; <{GENERATED_AT}> ?time .
            OPTIONAL {{ ?g <{FILM}importer> ?importer }}
          }}
        }} ORDER BY ?name"""
    out = []
    for row in graph.store.select(query, union=False):
        values = [term.value if term is not None else "" for term in row]
        out.append(
            SourceInfo(
                name=values[1],
                path=values[2],
                graph=values[0],
                content_hash=values[3],
                rows=int(values[4]),
                triples=int(values[5]),
                statements=int(values[6]),
                ingested=values[7],
                importer=values[8],
            )
        )
    return out


def find_source(graph: GraphStore, source: str | Path) -> SourceInfo:
    """The ingested file called ``source``: its name, its graph IRI, or the path it was ingested from.

    Raises:
        NotFoundError: no such source; the message lists the known ones.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> find_source(KnowledgeGraph.memory(), "nope.csv")
        Traceback (most recent call last):
        ...
        kg.errors.NotFoundError: no source "nope.csv": the store holds no sources yet
    """
    known = sources(graph)
    text = str(source)
    resolved = str(Path(text).expanduser().resolve())
    for info in known:
        if text in (info.name, info.graph, info.path) or resolved == info.path:
            return info
    listing = ", ".join(info.name for info in known) or None
    hint = f"known sources: {listing}" if listing else "the store holds no sources yet"
    raise NotFoundError(f'no source "{text}": {hint}')


def drop(graph: GraphStore, source: str | Path) -> DropReport:
    """Remove an ingested file: its registry entry, then its named graph.

    Readers see the file go at once and whole: its registry entry is deleted in one small
    transaction, which leaves its graph outside what queries see. The graph's triples are then
    removed in batches of bounded size, or the store rebuilt without them when they are most of
    it, and the store is compacted when the file was a tenth of it or more
    (:func:`~kg.store.base.worth_optimizing`), so that time and memory go with the file's size
    and the store's files shrink back. If that is interrupted, what is left
    is an orphan graph that the next writing command removes. What interrupted commands left
    (see :func:`recover`) is removed first, and said in the report.

    Args:
        graph: the knowledge graph.
        source: the name ``sources`` shows, the graph IRI, or the path it was ingested from.

    Returns:
        What was removed: the file, and what interrupted commands had left.

    Raises:
        NotFoundError: no such source.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest([p])
        >>> kg.drop("t.csv").name, kg.sources(), [g for g in kg.store.graph_names() if g.startswith(GRAPH_PREFIX)]
        ('t.csv', [], [])
    """
    info = find_source(graph, source)
    recovered = recover(graph.store)
    graph.store.update(_unregister(info.graph))
    graph.store.written()
    graph.store.remove_graph(info.graph)
    settle_identity(graph)
    if worth_optimizing(info.triples, info.triples + sum(other.triples for other in sources(graph))):
        graph.store.optimize()  # (compacting costs what the whole store costs: not for a small file)
    return DropReport(info, recovered)


def settle_identity(graph: GraphStore) -> SettleReport:
    """Apply the identity rule (:func:`kg.identity.settle`) to every file read as records, and
    bring the registry's triple and statement counts of the graphs it rewrote up to date."""
    known = [info for info in sources(graph) if info.settled]
    report = settle(graph, {info.graph: info.name for info in known})
    for info in known:
        if info.graph in report.rewritten:
            triples = _count(graph, info.graph, "?s ?p ?o")
            statements = _count(graph, info.graph, f"?s a <{RDF_STATEMENT}>")
            node = ox.NamedNode(info.graph)
            graph.store.update(
                f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} <{FILM}tripleCount> ?t }} }} ; "
                f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} <{FILM}statementCount> ?s }} }} ; "
                f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} <{FILM}tripleCount> {ox.Literal(triples)} ; "
                f"<{FILM}statementCount> {ox.Literal(statements)} }} }}"
            )
            graph.store.written()
    return report


def _count(graph: GraphStore, target: str, pattern: str) -> int:
    """The matches of ``pattern`` in one named graph."""
    rows = list(graph.store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ {pattern} }} }}", union=False))
    return int(getattr(rows[0][0], "value", 0))


def _unregister(node: str) -> str:
    """The update that deletes the registry entry of the graph ``node``."""
    return f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{node}> ?p ?o }} }}"


def _entry(info: SourceInfo, *, counts: bool = True) -> str:
    """The registry triples of ``info`` (without its triple and statement counts unless ``counts``)."""
    node = ox.NamedNode(info.graph)
    values = (
        ox.Literal(info.name),
        ox.Literal(info.path),
        ox.Literal(info.content_hash),
        ox.Literal(info.rows),
        ox.Literal(info.triples),
        ox.Literal(info.statements),
    )
    fields = _FIELDS if counts else _FIELDS[:4]
    body = " ".join(f"{node} <{FILM}{field}> {value} ." for field, value in zip(fields, values))
    body += f" {node} a <{SOURCE_FILE_CLASS}> ."
    if info.importer:
        body += f" {node} <{FILM}importer> {ox.Literal(info.importer)} ."
    return body + (
        f" {node} <{GENERATED_AT}> "
        f'"{info.ingested}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .'
    )


def register(graph: GraphStore, info: SourceInfo, *, replaces: SourceInfo | None) -> None:
    """Record ``info`` in the registry, in place of ``replaces`` (one transaction), then remove the
    graph it replaced in batches (the ingest compacts the store when it ends)."""
    body = _entry(info)
    update = f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ {body} }} }}"
    if replaces is not None:
        update = f"{_unregister(replaces.graph)} ; {update}"
    graph.store.update(update)
    graph.store.written()
    if replaces is not None and replaces.graph != info.graph:
        try:
            graph.store.remove_graph(replaces.graph)
        except (KGError, OSError, RuntimeError) as exc:  # the file is replaced; what is left is an orphan
            logging.getLogger(__name__).warning(
                "could not remove the replaced graph %s (%s): the next writing command removes it", replaces.graph, exc
            )


def replace_in_place(graph: GraphStore, info: SourceInfo, removed: Sequence[str], added: Sequence[str]) -> SourceInfo:
    """Change the graph ``info.graph`` of a registered file by deleting the N-Triples lines ``removed``
    and inserting ``added``, and its registry entry to ``info`` with the triples and statements the
    graph then holds, all in one transaction: readers see the file's old version or its new one.

    Returns:
        ``info`` with the counts of the changed graph.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> before = kg.ingest([p]).files[0]
        >>> info = replace(find_source(kg, "t.csv"), content_hash="new", rows=2)
        >>> line = f"<{info.graph}> <http://e/p> <http://e/o> ."
        >>> after = replace_in_place(kg, info, [], [line])
        >>> after.triples - before.triples, find_source(kg, "t.csv").content_hash
        (1, 'new')
    """
    node = ox.NamedNode(info.graph)
    parts = [_unregister(info.graph)]
    if removed:
        parts.append(f"DELETE DATA {{ GRAPH {node} {{ {chr(10).join(removed)} }} }}")
    if added:
        parts.append(f"INSERT DATA {{ GRAPH {node} {{ {chr(10).join(added)} }} }}")
    parts.append(f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ {_entry(info, counts=False)} }} }}")
    parts.append(
        f"INSERT {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} <{FILM}tripleCount> ?t ; <{FILM}statementCount> ?n }} }} "
        f"WHERE {{ {{ SELECT (COUNT(*) AS ?t) WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }} }} "
        f"{{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {node} {{ ?x a <{RDF_STATEMENT}> }} }} }} }}"
    )
    graph.store.update(" ;\n".join(parts))
    graph.store.written()
    return next(i for i in sources(graph) if i.graph == info.graph)


def ensure_ontology(graph: GraphStore) -> None:
    """Load the ontology into :data:`ONTOLOGY_GRAPH`, or replace it when the file changed (one transaction)."""
    onto = graph.ontology
    node = ox.NamedNode(ONTOLOGY_GRAPH)
    digest = ox.Literal(onto.digest)
    if graph.store.ask(f"ASK {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} <{FILM}contentHash> {digest} }} }}", union=False):
        return
    triples = list(ox.parse(path=str(onto.path), format=ox.RdfFormat.TURTLE))
    ground = [t for t in triples if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)]
    blank = [t for t in triples if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]

    def body(part: list[ox.Triple]) -> str:
        return ox.serialize(part, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")  # type: ignore[union-attr]

    # The owl:unionOf lists are blank nodes: insert_data writes them so that every server accepts them,
    # apart from the rest (Virtuoso compiles an INSERT … WHERE into SQL, and refuses one as long as
    # the whole ontology: "SP031 … exceeded 10000 lines").
    graph.store.update(
        f"DROP SILENT GRAPH {node} ; DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} ?p ?o }} }} ; "
        + insert_data(f"GRAPH {node} {{ {body(ground)} }} GRAPH <{REGISTRY_GRAPH}> {{ {node} <{FILM}contentHash> {digest} }}")
        + (f" ; {insert_data(f'GRAPH {node} {{ {body(blank)} }}')}" if blank else "")
    )
    graph.store.written()


def registered_graphs(store: Store) -> set[str]:
    """The graphs of the filmkg dataset: the registry, the ontology and every graph the registry lists.

    Examples:
        >>> from kg.store import memory_store
        >>> sorted(registered_graphs(memory_store()))[0].endswith("/ontology")
        True
    """
    return set(dataset_graphs([row[0].value for row in store.select(registered_graphs_query(), union=False)]))


def remove_orphans(store: Store) -> Recovery:
    """Drop the named graphs under :data:`kg.vocab.GRAPH_PREFIX` that no registry entry names (left by
    an interrupted load, drop or replacement); returns how many, and the triples they held. Only
    writing commands call it (through :func:`recover`).

    Examples:
        >>> from kg.store import memory_store
        >>> store = memory_store()
        >>> store.update(f"INSERT DATA {{ GRAPH <{GRAPH_PREFIX}left-behind> {{ <http://e/a> <http://e/p> 1, 2 }} }}")
        >>> done = remove_orphans(store)
        >>> done.orphan_graphs, done.orphan_triples, store.graph_names()
        (1, 2, [])
    """
    registered = registered_graphs(store)
    orphans = [g for g in store.graph_names() if g.startswith(GRAPH_PREFIX) and g not in registered]
    triples = 0
    for orphan in orphans:
        rows = list(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{orphan}> {{ ?s ?p ?o }} }}", union=False))
        triples += int(getattr(rows[0][0], "value", 0))
        store.remove_graph(orphan)
    if orphans:
        store.written()
    return Recovery(orphan_graphs=len(orphans), orphan_triples=triples)


def recover(store: Store) -> Recovery:
    """Remove what interrupted commands left (see :mod:`kg.store.recovery`): orphan graphs, the
    temporary folders of ingests whose process is gone, ``bulk-*.sst`` files of a killed bulk load,
    and RocksDB logs past the newest few. Writing commands call it before they write; it logs a
    line at level INFO saying what it removed, and the command's report carries it.

    Examples:
        >>> from kg.store import memory_store
        >>> store = memory_store()
        >>> store.add_graph(GRAPH_PREFIX + "left-behind")
        >>> recover(store).orphan_graphs, store.graph_names()
        (1, [])
    """
    store.check_writable()
    done = store.remove_debris() + remove_dead_scratch()  # first: a rebuild for an orphan needs the space
    done = remove_orphans(store) + done
    if done.summary():
        logging.getLogger(__name__).info("%s", done.summary())
    return done


def now() -> str:
    """The current UTC time as an ``xsd:dateTime`` lexical form."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
