"""The knowledge graph: one object holding the store and the ontology.

Features live in their own modules as functions that take a
:class:`KnowledgeGraph`; the methods here are thin conveniences over them with
the same names as the command-line commands.

Examples:
    >>> kg = KnowledgeGraph.memory()
    >>> kg.query("ASK { ?s ?p ?o }").boolean
    False
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import StoreError
from kg.ontology import Ontology, load_ontology
from kg.store import Store, default_location, open_store, rdflib_dataset

if TYPE_CHECKING:
    import networkx
    import pandas
    from rdflib import Dataset

    from kg.analysis import Neighbor, PathResult
    from kg.endpoint import Endpoints
    from kg.entity import EntityCard
    from kg.ingest import IngestReport
    from kg.ingest.files import ProgressCallback
    from kg.query import QueryResult
    from kg.sources import SourceInfo
    from kg.viz import VizResult

__all__ = ["KnowledgeGraph"]


class KnowledgeGraph:
    """A film knowledge graph on an embedded Oxigraph store (on disk or in memory) or a SPARQL server.

    Args:
        store: the pyoxigraph store, or a :class:`kg.endpoint.RemoteStore`.
        location: its folder, or ``None`` in memory or on a server.
        ontology: the vocabulary (``ontology/film.ttl`` by default).
        read_only: refuse writing commands.
        endpoints: the server's URLs, when the store is a server.

    Examples:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp()) / "store"
        >>> with KnowledgeGraph.open(folder) as kg:
        ...     kg.location == folder
        True
    """

    def __init__(
        self,
        store: Store,
        *,
        location: Path | None = None,
        ontology: Ontology | None = None,
        read_only: bool = False,
        endpoints: Endpoints | None = None,
    ) -> None:
        self._store: Store | None = store
        self.location = location
        self.endpoints = endpoints
        self.ontology = ontology or load_ontology()
        self.read_only = read_only
        self._dataset: Dataset | None = None

    @classmethod
    def open(cls, location: str | Path | None = None, *, create: bool = True) -> KnowledgeGraph:
        """Open the store at ``location`` (default: ``$FILMKG_STORE`` or ``./.filmkg``).

        Graphs left by an interrupted ingest are removed.

        Args:
            location: the store folder.
            create: create the store when it does not exist; when false, a missing store is an error.

        Raises:
            StoreError: missing (with ``create=False``), locked by another process, or not a store.
        """
        path = Path(location) if location is not None else default_location()
        store = open_store(path, create=create)
        from kg.sources import remove_orphans

        remove_orphans(store)
        return cls(store, location=path)

    @classmethod
    def connect(
        cls,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        timeout: float | None = None,
    ) -> KnowledgeGraph:
        """A knowledge graph on a SPARQL 1.1 server (see :mod:`kg.endpoint`).

        Args:
            endpoint: the query endpoint URL.
            update_endpoint: the update endpoint URL; without it the graph is read-only.
            gsp_endpoint: the Graph Store Protocol URL, for bulk uploads.
            timeout: seconds to wait for an answer (default ``$FILMKG_ENDPOINT_TIMEOUT`` or 60).

        Raises:
            EndpointError: a URL that is not http(s) or carries credentials.

        Examples:
            >>> kg = KnowledgeGraph.connect("http://127.0.0.1:9/query")
            >>> kg.read_only
            True
            >>> kg.sources()
            Traceback (most recent call last):
            ...
            kg.errors.EndpointError: cannot reach the SPARQL endpoint http://127.0.0.1:9/query (connection refused): check that the server is running and the URL (--endpoint, --update-endpoint, --gsp-endpoint)
        """
        from kg.endpoint import Endpoints, RemoteStore

        urls = Endpoints(endpoint, update_endpoint, gsp_endpoint)
        urls.check_no_credentials()
        return cls(RemoteStore(urls, timeout=timeout), read_only=urls.read_only, endpoints=urls)

    @classmethod
    def memory(cls) -> KnowledgeGraph:
        """An empty in-memory knowledge graph, for notebooks and tests.

        Examples:
            >>> len(KnowledgeGraph.memory())
            0
        """
        return cls(open_store(None))

    @property
    def store(self) -> Store:
        """The store: pyoxigraph's, or a :class:`kg.endpoint.RemoteStore`.

        Raises:
            StoreError: the graph was closed.
        """
        if self._store is None:
            raise StoreError("this knowledge graph is closed: open the store again")
        return self._store

    def __len__(self) -> int:
        """The number of quads in the store, over all graphs."""
        return len(self.store)

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Flush the store to disk and release it, so that another process (or object) can open it.

        Examples:
            >>> import tempfile, pathlib
            >>> folder = pathlib.Path(tempfile.mkdtemp()) / "store"
            >>> KnowledgeGraph.open(folder).close()
            >>> KnowledgeGraph.open(folder).close()  # the lock was released
        """
        if self._store is not None and self.location is not None:
            self._store.flush()
        close = getattr(self._store, "close", None)
        if close is not None:
            close()
        self._dataset = None
        self._store = None

    def writable(self) -> None:
        """Check that the graph may be written to.

        Raises:
            StoreError: the graph is read-only.
        """
        if self.read_only:
            if self.endpoints is not None:
                from kg.endpoint import READ_ONLY

                raise StoreError(READ_ONLY.format(url=self.endpoints.query))
            raise StoreError("this store is read-only: writing commands are not available")

    @property
    def dataset(self) -> Dataset:
        """An rdflib :class:`~rdflib.Dataset` over the same store, for rdflib users: through oxrdflib
        on the embedded store, through rdflib's SPARQL store on a server."""
        if self._dataset is None:
            store = self.store
            if isinstance(store, ox.Store):
                self._dataset = rdflib_dataset(store)
            else:
                from kg.endpoint import rdflib_dataset as remote_dataset

                assert self.endpoints is not None
                self._dataset = remote_dataset(self.endpoints)
        return self._dataset

    # ------------------------------------------------------------ conveniences over the feature modules

    def ingest(
        self,
        paths: Sequence[str | Path] | str | Path,
        *,
        base: str | None = None,
        strict: bool = False,
        skip_bad_rows: Path | None = None,
        allow_network: bool = False,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Ingest files and folders; see :func:`kg.ingest.ingest`."""
        from kg.ingest import ingest

        items = [paths] if isinstance(paths, (str, Path)) else paths
        return ingest(
            self, items, base=base, strict=strict, skip_bad_rows=skip_bad_rows, allow_network=allow_network,
            progress=progress,
        )

    def query(
        self,
        sparql: str | None = None,
        *,
        name: str | None = None,
        bind: Mapping[str, str] | None = None,
        allow_network: bool = False,
    ) -> QueryResult:
        """Run a SPARQL query (or the named query ``name``); see :func:`kg.query.query`."""
        from kg.query import query

        return query(self, sparql, name=name, bind=bind, allow_network=allow_network)

    def show(self, entity: str) -> EntityCard:
        """The card of an entity; see :func:`kg.entity.show`."""
        from kg.entity import show

        return show(self, entity)

    def sources(self) -> list[SourceInfo]:
        """The ingested files; see :func:`kg.sources.sources`."""
        from kg.sources import sources

        return sources(self)

    def drop(self, source: str | Path) -> SourceInfo:
        """Remove an ingested file; see :func:`kg.sources.drop`."""
        from kg.sources import drop

        return drop(self, source)

    def export(self, output: str | Path, *, format: str | None = None) -> Path:
        """Write the whole graph to a file; see :func:`kg.export.export`."""
        from kg.export import export

        return export(self, Path(output), format=format)

    def to_networkx(self, projection: str = "entity") -> networkx.Graph:
        """A networkx projection: ``entity``, ``collaboration`` or ``person-film``; see :mod:`kg.analysis`."""
        from kg.analysis import to_networkx

        return to_networkx(self, projection)

    def path(self, a: str, b: str, *, max_paths: int = 3) -> PathResult:
        """The shortest connections between two entities; see :func:`kg.analysis.path`."""
        from kg.analysis import path

        return path(self, a, b, max_paths=max_paths)

    def neighbors(self, entity: str, *, depth: int = 1) -> list[Neighbor]:
        """The entities within ``depth`` hops; see :func:`kg.analysis.neighbors`."""
        from kg.analysis import neighbors

        return neighbors(self, entity, depth=depth)

    def centrality(
        self, *, measure: str = "degree", projection: str = "entity", top: int | None = 10
    ) -> pandas.DataFrame:
        """Centrality ranking; see :func:`kg.analysis.centrality`."""
        from kg.analysis import centrality

        return centrality(self, measure=measure, projection=projection, top=top)

    def communities(
        self, *, projection: str = "collaboration", resolution: float = 1.0, seed: int = 42
    ) -> pandas.DataFrame:
        """Louvain communities; see :func:`kg.analysis.communities`."""
        from kg.analysis import communities

        return communities(self, projection=projection, resolution=resolution, seed=seed)

    def viz(
        self,
        output: str | Path,
        *,
        focus: str | None = None,
        depth: int = 1,
        query: str | Path | None = None,
        relations: Sequence[str] = (),
        exclude_relations: Sequence[str] = (),
        types: Sequence[str] = (),
        max_nodes: int | None = None,
        title: str | None = None,
    ) -> VizResult:
        """Write an interactive HTML view (displayed inline in Jupyter); see :func:`kg.viz.viz`."""
        from kg.viz import MAX_NODES, viz

        return viz(
            self, output, focus=focus, depth=depth, query=query, relations=relations,
            exclude_relations=exclude_relations, types=types, max_nodes=MAX_NODES if max_nodes is None else max_nodes,
            title=title,
        )
