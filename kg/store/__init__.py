"""Stores: the embedded Oxigraph store (on disk or in memory) and SPARQL servers, behind one Protocol.

- :mod:`kg.store.base`: the :class:`Store` Protocol and the one rule for which graphs a query sees;
- :mod:`kg.store.embedded`: pyoxigraph on disk or in memory;
- :mod:`kg.store.remote`: a SPARQL 1.1 server over HTTP (:mod:`kg.store.endpoints`: its URLs and
  credentials; :mod:`kg.store.virtuoso`: what Virtuoso 7 changes in its answers, undone;
  :mod:`kg.store.rdflib_remote`: an rdflib Dataset over it);
- :mod:`kg.store.settings`: choosing between them from explicit settings and the environment.

Examples:
    >>> len(memory_store())
    0
"""

from kg.store.base import GraphStore, Store, dataset_graphs, registered_graphs_query
from kg.store.embedded import DEFAULT_STORE, STORE_ENV, EmbeddedStore, default_location, memory_store, open_store
from kg.store.endpoints import ENDPOINT_ENV, GSP_ENDPOINT_ENV, UPDATE_ENDPOINT_ENV, Endpoints
from kg.store.remote import RemoteStore
from kg.store.settings import Where, where

__all__ = [
    "DEFAULT_STORE",
    "ENDPOINT_ENV",
    "GSP_ENDPOINT_ENV",
    "STORE_ENV",
    "UPDATE_ENDPOINT_ENV",
    "EmbeddedStore",
    "Endpoints",
    "GraphStore",
    "RemoteStore",
    "Store",
    "Where",
    "dataset_graphs",
    "default_location",
    "memory_store",
    "open_store",
    "registered_graphs_query",
    "where",
]
