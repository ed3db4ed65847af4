"""The knowledge graph: one object holding the store and the ontology.

Features live in their own modules as functions that take a graph (anything with
a ``store`` and an ``ontology``, :class:`kg.store.GraphStore`); the methods here are
thin conveniences over them with the same names as the command-line commands.

Examples:
    >>> kg = KnowledgeGraph.memory()
    >>> kg.query("ASK { ?s ?p ?o }").boolean
    False
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from kg import analysis as _analysis
from kg import conflicts as _conflicts
from kg import entity as _entity
from kg import export as _export
from kg import ingest as _ingest
from kg import query as _query
from kg import quickstatements as _quickstatements
from kg import reconcile as _reconcile
from kg import registry as _registry
from kg import texts as _texts
from kg import validate as _validate
from kg import verify as _verify
from kg import viz as _viz
from kg.analysis import Measure, Neighbor, Network, PathResult, Projection
from kg.entity import Disagreement, EntityCard
from kg.ingest import Importer, IngestReport, Limits, ProgressCallback
from kg.query import QueryResult
from kg.quickstatements import QuickStatementsReport
from kg.registry import DropReport, SourceInfo
from kg.texts import AttachedText
from kg.validate import ValidationReport
from kg.verify import VerifyReport
from kg.viz import MAX_NODES, VizResult
from kg.errors import StoreError
from kg.ontology import Ontology, load_ontology
from kg.store import Endpoints, RemoteStore, Store, default_location, memory_store, open_store, where

if TYPE_CHECKING:  # third-party types only; importing pandas and rdflib costs a third of a second
    import pandas
    from rdflib import Dataset

__all__ = ["KnowledgeGraph"]


class KnowledgeGraph:
    """A film knowledge graph on an embedded Oxigraph store (on disk or in memory) or a SPARQL server.

    Args:
        store: the store (see :mod:`kg.store`).
        ontology: the vocabulary (``ontology/film.ttl`` by default).

    Examples:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp()) / "store"
        >>> with KnowledgeGraph.open(folder) as kg:
        ...     kg.location == folder
        True
    """

    def __init__(self, store: Store, *, ontology: Ontology | None = None) -> None:
        self._store: Store | None = store
        self._location = store.location
        self.ontology = ontology or load_ontology()
        self._dataset: Dataset | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        location: str | Path | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
        wait: float = 0.0,
        on_wait: Callable[[], None] | None = None,
    ) -> KnowledgeGraph:
        """Open the store at ``location`` (default: ``$FILMKG_STORE`` or ``./.filmkg``).

        Args:
            location: the store folder.
            create: create the store when it does not exist; when false, a missing store is an error.
            read_only: open for reading only: nothing is written, not even a log; readers share the store.
            wait: while another process holds the store (a writer, or readers when writing), try again
                for up to this many seconds.
            on_wait: called once, when the open starts waiting.

        Raises:
            StoreError: missing (with ``create=False`` or ``read_only``), in use by another process, or not a store.
        """
        path = Path(location) if location is not None else default_location()
        return cls(open_store(path, create=create, read_only=read_only, wait=wait, on_wait=on_wait))

    @classmethod
    def connect(
        cls,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        timeout: float | None = None,
    ) -> KnowledgeGraph:
        """A knowledge graph on a SPARQL 1.1 server (see :mod:`kg.store.remote`).

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
            kg.errors.EndpointError: cannot reach the SPARQL endpoint http://127.0.0.1:9/query (connection refused): check that the server is running and the URL (`endpoint`, `update_endpoint`, `gsp_endpoint`)
        """
        urls = Endpoints(endpoint, update_endpoint, gsp_endpoint)
        urls.check_no_credentials()
        return cls(RemoteStore(urls, timeout=timeout))

    @classmethod
    def from_env(
        cls,
        *,
        store: Path | None = None,
        endpoint: str | None = None,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        create: bool = True,
        read_only: bool = False,
        wait: float = 0.0,
        on_wait: Callable[[], None] | None = None,
    ) -> KnowledgeGraph:
        """Open the store folder or connect to the server that the arguments and the environment name
        (``FILMKG_STORE``, ``FILMKG_ENDPOINT``, ``FILMKG_UPDATE_ENDPOINT``, ``FILMKG_GSP_ENDPOINT``), by the
        precedence in :mod:`kg.store.settings`. The command line opens every graph this way.

        Raises:
            UsageError: arguments that do not go together.
            StoreError: the store cannot be opened (see :meth:`open`).
            EndpointError: a URL that is not http(s) or carries credentials.

        Examples:
            >>> import tempfile, pathlib
            >>> folder = pathlib.Path(tempfile.mkdtemp()) / "store"
            >>> KnowledgeGraph.from_env(store=folder, read_only=True)
            Traceback (most recent call last):
            ...
            kg.errors.StoreError: no store at ...: run `filmkg ingest` first, or pass `store`
        """
        chosen = where(store=store, endpoint=endpoint, update_endpoint=update_endpoint, gsp_endpoint=gsp_endpoint)
        if chosen.endpoints is not None:
            urls = chosen.endpoints
            return cls.connect(urls.query, update_endpoint=urls.update, gsp_endpoint=urls.gsp)
        return cls.open(chosen.location, create=create, read_only=read_only, wait=wait, on_wait=on_wait)

    @classmethod
    def memory(cls) -> KnowledgeGraph:
        """An empty in-memory knowledge graph, for notebooks and tests.

        Examples:
            >>> len(KnowledgeGraph.memory())
            0
        """
        return cls(memory_store())

    # ------------------------------------------------------------------ state

    @property
    def store(self) -> Store:
        """The store (see :mod:`kg.store`).

        Raises:
            StoreError: the graph was closed.
        """
        if self._store is None:
            raise StoreError("this knowledge graph is closed: open the store again")
        return self._store

    @property
    def location(self) -> Path | None:
        """The store folder, or ``None`` in memory or on a server."""
        return self._location

    @property
    def endpoints(self) -> Endpoints | None:
        """The server's URLs, when the graph is on a server."""
        store = self.store
        return store.endpoints if isinstance(store, RemoteStore) else None

    @property
    def read_only(self) -> bool:
        """Whether writing is refused (a read-only open, or a server without an update endpoint)."""
        return self.store.read_only

    def writable(self) -> None:
        """Check that the graph may be written to.

        Raises:
            StoreError: the graph is read-only; the message says how to write.
        """
        self.store.check_writable()

    def __len__(self) -> int:
        """The number of quads in the filmkg dataset."""
        return len(self.store)

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
            return
        try:  # an error is on its way out: closing must not replace it
            self.close()
        except Exception as exc:  # noqa: BLE001 - logged; the error in flight says more
            logging.getLogger(__name__).warning("could not close the store after an error: %s", exc)

    def close(self) -> None:
        """Flush the store to disk and release it, so that another process (or object) can open it.

        Examples:
            >>> import tempfile, pathlib
            >>> folder = pathlib.Path(tempfile.mkdtemp()) / "store"
            >>> KnowledgeGraph.open(folder).close()
            >>> KnowledgeGraph.open(folder).close()  # the lock was released
        """
        store, self._store, self._dataset = self._store, None, None
        if store is not None:
            store.close()

    @property
    def dataset(self) -> Dataset:
        """An rdflib :class:`~rdflib.Dataset` over the same store, for rdflib users: through oxrdflib
        on the embedded store, through rdflib's SPARQL store on a server."""
        if self._dataset is None:
            self._dataset = self.store.rdflib_dataset()
        return self._dataset

    # ------------------------------------------------------------ conveniences over the feature modules

    def ingest(
        self,
        paths: Sequence[str | Path] | str | Path,
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
        """Ingest files and folders; see :func:`kg.ingest.ingest`."""
        items = [paths] if isinstance(paths, (str, Path)) else paths
        return _ingest.ingest(
            self, items, format=format, base=base, strict=strict, skip_bad_rows=skip_bad_rows,
            allow_network=allow_network, progress=progress, limits=limits, importer=importer,
        )  # fmt: skip

    def query(
        self,
        sparql: str | None = None,
        *,
        name: str | None = None,
        bind: Mapping[str, str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        sort: bool | None = None,
        allow_network: bool = False,
        timeout: float | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (or the named query ``name``), or a page of it; see :func:`kg.query.query`."""
        return _query.query(
            self, sparql, name=name, bind=bind, limit=limit, offset=offset, sort=sort,
            allow_network=allow_network, timeout=timeout,
        )  # fmt: skip

    def show(self, entity_name: str) -> EntityCard:
        """The card of an entity (see :func:`kg.entity.show`), with its conflicting claims grouped
        (see :func:`kg.conflicts.conflicts`)."""
        card = _entity.show(self, entity_name)
        frame = _conflicts.conflicts(self, f"<{card.iri}>")
        if frame.empty:
            return card
        groups = []
        for _, rows in frame.groupby("group", sort=True):
            first = rows.iloc[0]
            one_source = len({str(s) for s in rows["source"]}) == 1
            values = tuple(
                str(value) + (f" ({rank})" if rank != "normal" else "") + ("" if one_source or not source else f" [{source}]")
                for value, rank, source in zip(rows["value"], rows["rank"], rows["source"])
            )
            if one_source and first["source"]:
                values = (*values[:-1], f"{values[-1]} (all from {first['source']})")
            groups.append(
                Disagreement(str(first["subject"]), str(first["relation"]), str(first["object"]), str(first["identifying"] or ""),
                             str(first["property"]), values, str(first["spread"]), bool(first["resolved"]))
            )  # fmt: skip
        return dataclasses.replace(card, disagreements=groups)

    def conflicts(self, entity: str | None = None, *, tolerance: float = _conflicts.TOLERANCE) -> pandas.DataFrame:
        """The groups of statements that make incompatible claims; see :func:`kg.conflicts.conflicts`."""
        return _conflicts.conflicts(self, entity, tolerance=tolerance)

    def sources(self) -> list[SourceInfo]:
        """The ingested files; see :func:`kg.registry.sources`."""
        return _registry.sources(self)

    def drop(self, source: str | Path) -> DropReport:
        """Remove an ingested file; see :func:`kg.registry.drop`."""
        return _registry.drop(self, source)

    def attach(self, source: str, file: str | Path) -> AttachedText:
        """Archive a source's text with the store; see :func:`kg.texts.attach`."""
        return _texts.attach(self, source, file)

    def verify(self, source: str | None = None) -> VerifyReport:
        """Check every quote against its source's text; see :func:`kg.verify.verify`."""
        return _verify.verify(self, source)

    def validate(self, *, shapes: str | Path | None = None) -> ValidationReport:
        """Check the graph against the ontology's rules and SHACL shapes; see :func:`kg.validate.validate`."""
        return _validate.validate(self, shapes=shapes)

    def export(
        self, output: str | Path, *, format: str | None = None, projection: Projection = "entity", language: str | None = None
    ) -> Path:
        """Write the whole graph to a file (RDF, GraphML, GEXF or QuickStatements); see :func:`kg.export.export`."""
        return _export.export(self, Path(output), format=format, projection=projection, language=language)

    def write_quickstatements(self, output: str | Path, *, language: str = "en") -> QuickStatementsReport:
        """Write the statements that can go to Wikidata as QuickStatements, and report what was left out;
        see :func:`kg.quickstatements.write_quickstatements`."""
        return _quickstatements.write_quickstatements(self, Path(output), language=language)

    def to_networkx(self, projection: Projection = "entity") -> Network:
        """A networkx projection: ``entity``, ``collaboration`` or ``person-film``; see :mod:`kg.analysis`."""
        return _analysis.to_networkx(self, projection)

    def path(self, a: str, b: str, *, max_paths: int = _analysis.MAX_PATHS, preferred: bool = False) -> PathResult:
        """The shortest connections between two entities; see :func:`kg.analysis.path`."""
        return _analysis.path(self, a, b, max_paths=max_paths, preferred=preferred)

    def reconcile(self, name: str | None = None, *, limit: int = 5, unmatched: bool = False) -> pandas.DataFrame:
        """The identified entities each name-only entity may be, scored; see :func:`kg.reconcile.reconcile`."""
        return _reconcile.reconcile(self, name=name, limit=limit, unmatched=unmatched)

    def write_proposals(self, table: pandas.DataFrame, output: str | Path, *, threshold: float = 0.9) -> Path:
        """Write the best candidates of a :meth:`reconcile` table as same-as rows to review and ingest."""
        rows = _reconcile.proposals(table, threshold=threshold)
        location = getattr(self.store, "location", None)
        return _reconcile.write_proposals(rows, Path(output), store=Path(location) if location else None)

    def neighbors(self, entity_name: str, *, depth: int = 1) -> list[Neighbor]:
        """The entities within ``depth`` hops; see :func:`kg.analysis.neighbors`."""
        return _analysis.neighbors(self, entity_name, depth=depth)

    def centrality(
        self,
        *,
        measure: Measure = "degree",
        projection: Projection = "entity",
        top: int | None = _analysis.TOP,
        sample: int | None = None,
    ) -> pandas.DataFrame:
        """Centrality ranking; see :func:`kg.analysis.centrality`."""
        return _analysis.centrality(self, measure=measure, projection=projection, top=top, sample=sample)

    def communities(
        self, *, projection: Projection = "collaboration", resolution: float = 1.0, seed: int = _analysis.SEED
    ) -> pandas.DataFrame:
        """Louvain communities; see :func:`kg.analysis.communities`."""
        return _analysis.communities(self, projection=projection, resolution=resolution, seed=seed)

    def components(self, *, projection: Projection = "entity", top: int | None = None) -> pandas.DataFrame:
        """Connected components, largest first; see :func:`kg.analysis.components`."""
        return _analysis.components(self, projection=projection, top=top)

    def stats(self) -> dict[str, pandas.DataFrame]:
        """Counts by class and relation; see :func:`kg.analysis.stats`."""
        return _analysis.stats(self)

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
        max_nodes: int = MAX_NODES,
        title: str | None = None,
    ) -> VizResult:
        """Write an interactive HTML view (displayed inline in Jupyter); see :func:`kg.viz.viz`."""
        return _viz.viz(
            self, output, focus=focus, depth=depth, query=query, relations=relations,
            exclude_relations=exclude_relations, types=types, max_nodes=max_nodes, title=title,
        )  # fmt: skip
