"""Stores: an embedded Oxigraph store on disk (the default) or in memory, or a SPARQL server.

:class:`Store` is the handful of operations the features use; pyoxigraph's
``Store`` has them, and so does :class:`kg.endpoint.RemoteStore` over a SPARQL 1.1
server. :func:`rdflib_dataset` puts rdflib's API over the embedded store through
oxrdflib, so nothing is copied.

Examples:
    >>> store = open_store(None)
    >>> len(store)
    0
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph as ox
from rdflib import Dataset

from kg.errors import StoreError

__all__ = [
    "DEFAULT_STORE",
    "STORE_ENV",
    "Store",
    "ask",
    "default_location",
    "open_store",
    "rdflib_dataset",
    "select",
]

DEFAULT_STORE = Path(".filmkg")
"""Where the store lives when neither ``--store`` nor ``FILMKG_STORE`` says."""
STORE_ENV = "FILMKG_STORE"


class Store(Protocol):
    """What the features need from a store: pyoxigraph's ``Store`` or a :class:`kg.endpoint.RemoteStore`."""

    def query(
        self, query: str, *, use_default_graph_as_union: bool = ..., prefixes: dict[str, str] | None = ...
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]:
        """SELECT solutions, an ASK boolean or CONSTRUCT triples."""

    def update(self, update: str) -> None:
        """A SPARQL update, as one transaction."""

    def bulk_load(self, *, path: str, format: ox.RdfFormat, to_graph: ox.NamedNode) -> None:
        """Load an N-Triples file into a named graph."""

    def add_graph(self, graph_name: ox.NamedNode) -> None:
        """Create an empty named graph."""

    def remove_graph(self, graph_name: ox.NamedNode) -> None:
        """Drop a named graph."""

    def dump(self, output: IO[bytes], format: ox.RdfFormat, *, prefixes: dict[str, str] | None = ...) -> object:
        """Write every quad to ``output`` in a dataset ``format`` (TriG, N-Quads)."""

    def optimize(self) -> None:
        """Compact storage after a bulk load."""

    def flush(self) -> None:
        """Write pending changes to disk."""

    def __len__(self) -> int:
        """The number of quads."""


def default_location() -> Path:
    """The store folder: ``$FILMKG_STORE`` or ``./.filmkg``.

    Examples:
        >>> default_location().name in (".filmkg", os.environ.get(STORE_ENV, "?").rstrip("/").split("/")[-1])
        True
    """
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DEFAULT_STORE


def open_store(location: Path | None, *, create: bool = True) -> ox.Store:
    """Open (or create) the Oxigraph store at ``location``; ``None`` gives an in-memory store.

    Args:
        location: the store folder, or ``None`` for memory.
        create: when false, a missing store is an error instead of being created.

    Returns:
        The pyoxigraph store.

    Raises:
        StoreError: the store is missing (with ``create=False``), locked by another
            process, or the folder is not an Oxigraph store.

    Examples:
        >>> open_store(Path("/nonexistent/filmkg-store"), create=False)
        Traceback (most recent call last):
        ...
        kg.errors.StoreError: no store at /nonexistent/filmkg-store: run `filmkg ingest` first, or pass --store
    """
    if location is None:
        return ox.Store()
    if not location.exists():
        if not create:
            raise StoreError(f"no store at {location}: run `filmkg ingest` first, or pass --store")
    elif not location.is_dir():
        raise StoreError(f"{location} is a file, not a store folder: pass --store with a folder")
    elif any(location.iterdir()) and not (location / "CURRENT").exists():
        raise StoreError(f"{location} is not an Oxigraph store (no CURRENT file): pass --store with another folder")
    try:
        return ox.Store(str(location))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreError(
                f"the store {location} is in use by another process; wait for it to finish "
                "or pass --store with another folder"
            ) from exc
        raise StoreError(f"cannot open the store {location}: {exc}") from exc


def rdflib_dataset(store: ox.Store) -> Dataset:
    """An rdflib :class:`~rdflib.Dataset` over the same Oxigraph store (through oxrdflib).

    Examples:
        >>> from rdflib import URIRef
        >>> store = open_store(None)
        >>> store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/b")))
        >>> len(rdflib_dataset(store))
        1
    """
    from oxrdflib import OxigraphStore

    return Dataset(store=OxigraphStore(store=store))


def select(store: Store, sparql: str, *, union: bool = True) -> list[ox.QuerySolution]:
    """The solutions of a SELECT query (over the union of all graphs by default).

    Examples:
        >>> [row["x"].value for row in select(open_store(None), "SELECT ?x WHERE { BIND(1 AS ?x) }")]
        ['1']
    """
    result = store.query(sparql, use_default_graph_as_union=union)
    if not isinstance(result, ox.QuerySolutions):
        raise ValueError("not a SELECT query")
    return list(result)


def ask(store: Store, sparql: str, *, union: bool = True) -> bool:
    """The answer of an ASK query (over the union of all graphs by default).

    Examples:
        >>> ask(open_store(None), "ASK { ?s ?p ?o }")
        False
    """
    return bool(store.query(sparql, use_default_graph_as_union=union))
