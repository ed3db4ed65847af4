"""Ingested files ("sources"): each lives in its own named graph, listed in a registry graph.

The registry graph (:data:`REGISTRY_GRAPH`) describes every ingested file as a
``film:SourceFile``: its name, path, content hash, counts and the named graph that
holds its triples. Replacing a file's graph is one transaction: the new graph is
loaded under a fresh name, then one SPARQL update swaps the registry entry and
drops the old graph. A graph that no registry entry names (left by an interrupted
load) is removed the next time the store is opened for writing.

Examples:
    >>> from kg import KnowledgeGraph
    >>> kg = KnowledgeGraph.memory()
    >>> sources(kg)
    []
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import NotFoundError
from kg.ontology import FILM, RES

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["GRAPH_PREFIX", "REGISTRY_GRAPH", "SourceInfo", "drop", "find_source", "sources"]

REGISTRY_GRAPH = RES + "registry"
"""The named graph that lists ingested files."""
GRAPH_PREFIX = RES + "graph/"
"""Named graphs of ingested files are minted under this prefix."""

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


def sources(graph: KnowledgeGraph) -> list[SourceInfo]:
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
        SELECT ?g ?name ?path ?hash ?rows ?triples ?statements ?time WHERE {{
          GRAPH <{REGISTRY_GRAPH}> {{
            ?g a <{FILM}SourceFile> ; <{FILM}sourceName> ?name ; <{FILM}sourcePath> ?path ;
               <{FILM}contentHash> ?hash ; <{FILM}rowCount> ?rows ; <{FILM}tripleCount> ?triples ;
               <{FILM}statementCount> ?statements ; <http://www.w3.org/ns/prov#generatedAtTime> ?time .
          }}
        }} ORDER BY ?name"""
    out = []
    for row in graph.store.query(query):  # type: ignore[union-attr]
        values = [term.value for term in row]
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
            )
        )
    return out


def find_source(graph: KnowledgeGraph, source: str | Path) -> SourceInfo:
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


def drop(graph: KnowledgeGraph, source: str | Path) -> SourceInfo:
    """Remove an ingested file: its named graph and its registry entry, in one transaction.

    Args:
        graph: the knowledge graph.
        source: the name ``sources`` shows, the graph IRI, or the path it was ingested from.

    Returns:
        What was removed.

    Raises:
        NotFoundError: no such source.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest([p])
        >>> kg.drop("t.csv").name, kg.sources()
        ('t.csv', [])
    """
    info = find_source(graph, source)
    graph.writable()
    graph.store.update(
        f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{info.graph}> ?p ?o }} }} ; DROP SILENT GRAPH <{info.graph}>"
    )
    return info


def register(graph: KnowledgeGraph, info: SourceInfo, *, replaces: SourceInfo | None) -> None:
    """Record ``info`` in the registry and drop the graph it replaces, in one transaction."""
    node = ox.NamedNode(info.graph)
    values = (
        ox.Literal(info.name),
        ox.Literal(info.path),
        ox.Literal(info.content_hash),
        ox.Literal(info.rows),
        ox.Literal(info.triples),
        ox.Literal(info.statements),
    )
    body = " ".join(f"{node} <{FILM}{field}> {value} ." for field, value in zip(_FIELDS, values))
    body += f" {node} a <{FILM}SourceFile> ."
    body += (
        f" {node} <http://www.w3.org/ns/prov#generatedAtTime> "
        f'"{info.ingested}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .'
    )
    update = f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ {body} }} }}"
    if replaces is not None:
        update = (
            f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{replaces.graph}> ?p ?o }} }} ; "
            f"DROP SILENT GRAPH <{replaces.graph}> ; {update}"
        )
    graph.store.update(update)


ONTOLOGY_GRAPH = "https://w3id.org/filmkg/ontology"
"""The named graph holding ``ontology/film.ttl``, so that queries see labels of relations and classes."""


def ensure_ontology(graph: KnowledgeGraph) -> None:
    """Load the ontology into :data:`ONTOLOGY_GRAPH`, or replace it when the file changed (one transaction)."""
    onto = graph.ontology
    node = ox.NamedNode(ONTOLOGY_GRAPH)
    digest = ox.Literal(onto.digest)
    if graph.store.query(f"ASK {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} <{FILM}contentHash> {digest} }} }}"):
        return
    triples = ox.serialize(ox.parse(path=str(onto.path), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
    graph.store.update(
        f"DROP SILENT GRAPH {node} ; DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ {node} ?p ?o }} }} ; "
        f"INSERT DATA {{ GRAPH {node} {{ {triples.decode('utf-8')} }} "  # type: ignore[union-attr]
        f"GRAPH <{REGISTRY_GRAPH}> {{ {node} <{FILM}contentHash> {digest} }} }}"
    )


def remove_orphans(store: ox.Store) -> int:
    """Drop named graphs under :data:`GRAPH_PREFIX` that no registry entry names; returns how many."""
    registered = {
        row[0].value
        for row in store.query(f"SELECT ?g WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g a <{FILM}SourceFile> }} }}")  # type: ignore[union-attr]
    }
    orphans = [
        g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH_PREFIX)
        and g.value not in registered
    ]
    for orphan in orphans:
        store.remove_graph(orphan)
    return len(orphans)


def now() -> str:
    """The current UTC time as an ``xsd:dateTime`` lexical form."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
