"""What every store offers, and the one rule for which graphs a query sees.

The *filmkg dataset* is the registry graph, the ontology graph and every graph the
registry lists. A query over "everything" sees exactly that, as its default graph
(and as the graphs ``GRAPH ?g`` ranges over), on the embedded store and on a
server alike. A graph being loaded, or one a crash left behind, is not listed
in the registry, so no reader ever sees it; writing commands remove such
orphans (:func:`kg.registry.remove_orphans`), reads never do.

Examples:
    >>> print(registered_graphs_query().split()[0])
    SELECT
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

import pyoxigraph as ox

from kg.ontology import Ontology
from kg.store.recovery import Recovery
from kg.vocab import ONTOLOGY_GRAPH, RDF_TYPE, REGISTRY_GRAPH, SOURCE_FILE_CLASS

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = ["OPTIMIZE_SHARE", "GraphStore", "Store", "as_boolean", "as_solutions", "as_triples", "dataset_graphs", "registered_graphs_query", "worth_optimizing"]


class Store(Protocol):
    """The operations the features use, on the embedded store or a SPARQL server.

    ``union=True`` (the default) runs a query over the filmkg dataset (see the module);
    a query with its own ``FROM`` clauses keeps its own dataset.
    """

    location: Path | None
    """The store folder, or ``None`` in memory or on a server."""

    @property
    def read_only(self) -> bool:
        """Whether writing is refused."""

    def check_writable(self) -> None:
        """Raise :class:`~kg.errors.StoreError` saying how to write, when the store is read-only."""

    def select(
        self, sparql: str, *, union: bool = True, prefixes: Mapping[str, str] | None = None
    ) -> ox.QuerySolutions:
        """The solutions of a SELECT query."""

    def ask(self, sparql: str, *, union: bool = True, prefixes: Mapping[str, str] | None = None) -> bool:
        """The answer of an ASK query."""

    def construct(
        self, sparql: str, *, union: bool = True, prefixes: Mapping[str, str] | None = None
    ) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""

    def update(self, update: str) -> None:
        """A SPARQL update, as one transaction."""

    def bulk_load(self, path: Path, graph: str) -> None:
        """Load an N-Triples file into the named graph ``graph``."""

    def add_graph(self, graph: str) -> None:
        """Create an empty named graph."""

    def remove_graph(self, graph: str) -> None:
        """Drop a named graph."""

    def graph_names(self) -> list[str]:
        """Every named graph in the store, the filmkg dataset's and any other."""

    def dump(self, output: IO[bytes], format: ox.RdfFormat, *, prefixes: Mapping[str, str] | None = None) -> None:
        """Write every quad of the filmkg dataset to ``output`` in a dataset ``format`` (TriG, N-Quads)."""

    def remove_debris(self) -> Recovery:
        """Remove what killed commands left in the store folder (see :mod:`kg.store.recovery`); only writers call it."""

    def optimize(self) -> None:
        """Compact storage after a bulk load."""

    def written(self) -> None:
        """Note that the filmkg dataset changed (the registry was written)."""

    def rdflib_dataset(self) -> Dataset:
        """An rdflib :class:`~rdflib.Dataset` over the same data."""

    def close(self) -> None:
        """Release the store (flush to disk, close connections)."""

    def __len__(self) -> int:
        """The number of quads in the filmkg dataset."""


def registered_graphs_query() -> str:
    """The SELECT of every graph the registry lists (variable ``?g``)."""
    return f"SELECT ?g WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g <{RDF_TYPE}> <{SOURCE_FILE_CLASS}> }} }}"


def dataset_graphs(registered: list[str]) -> list[str]:
    """The filmkg dataset: the registry, the ontology and the ``registered`` graphs (sorted).

    Examples:
        >>> dataset_graphs(["http://g/2", "http://g/1"])[2:]
        ['http://g/1', 'http://g/2']
    """
    return [REGISTRY_GRAPH, ONTOLOGY_GRAPH, *sorted(registered)]


class GraphStore(Protocol):
    """What a feature needs of the knowledge graph: its store and its ontology.

    :class:`kg.graph.KnowledgeGraph` is one; features take this, so none imports the facade.
    """

    @property
    def store(self) -> Store:
        """The store."""

    @property
    def ontology(self) -> Ontology:
        """The vocabulary."""


def as_solutions(result: object) -> ox.QuerySolutions:
    """A query's result as SELECT solutions.

    Raises:
        ValueError: the query was not a SELECT.
    """
    if not isinstance(result, ox.QuerySolutions):
        raise ValueError("not a SELECT query")
    return result


def as_boolean(result: object) -> bool:
    """A query's result as an ASK answer.

    Raises:
        ValueError: the query was not an ASK.
    """
    if not isinstance(result, ox.QueryBoolean):
        raise ValueError("not an ASK query")
    return bool(result)


def as_triples(result: object) -> list[ox.Triple]:
    """A query's result as CONSTRUCT or DESCRIBE triples (pyoxigraph's, or a list parsed from a server).

    Raises:
        ValueError: the query was neither.
    """
    if isinstance(result, ox.QueryTriples):
        return list(result)
    if isinstance(result, list):
        return result
    raise ValueError("not a CONSTRUCT or DESCRIBE query")


OPTIMIZE_SHARE = 0.1
"""Compact the store after an ingest or a drop when what it bulk-loaded (or removed) is at least
this share of the store. Queries on a freshly bulk-loaded store are an order of magnitude slower until it is
compacted (15 s against 1.1 s for a three-pattern join on 2.2 M triples), but a small load slows
nothing while compacting costs what the whole store costs: at 2.5 M triples, a join took 0.37 s
before and after loading 685 triples (a 50-row file), whose compaction took 4.3 s of the 12 s the
ingest took; after loading 250,000 triples (10 % of the store) it took 0.46 s against 0.34 s
once compacted (5.7 s)."""


def worth_optimizing(changed: int, total: int) -> bool:
    """Whether a write that bulk-loaded or removed ``changed`` triples of a store of ``total``
    should compact it (see :data:`OPTIMIZE_SHARE`).

    Examples:
        >>> worth_optimizing(685, 2_500_000), worth_optimizing(250_000, 2_500_000), worth_optimizing(15, 15)
        (False, True, True)
    """
    return changed >= OPTIMIZE_SHARE * max(total, 1)
