"""The embedded Oxigraph store: on disk (the default) or in memory.

Reads open the store read-only: they take no lock and write nothing, not even
RocksDB's log, so a read command leaves the store's files exactly as they were.
Writes open it read-write (creating it when asked).

Examples:
    >>> store = memory_store()
    >>> len(store), store.ask("ASK { ?s ?p ?o }")
    (0, False)
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

import pyoxigraph as ox

from kg.errors import StoreError
from kg.sparql import declares_dataset
from kg.store.bulk import Feeder, load_ntriples
from kg.store.base import as_boolean, as_solutions, as_triples, dataset_graphs, registered_graphs_query
from kg.store.guard import MemoryGuard
from kg.store import rebuild
from kg.store.recovery import Recovery, remove_store_debris
from kg.store.snapshot import Snapshot, make_snapshot, open_snapshot, remove_snapshot

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = ["DEFAULT_STORE", "STORE_ENV", "EmbeddedStore", "damaged", "default_location", "memory_store", "open_store"]

DEFAULT_STORE = Path(".filmkg")
"""Where the store lives when neither ``store=`` (``--store``) nor ``FILMKG_STORE`` says."""
STORE_ENV = "FILMKG_STORE"
REMOVE_BATCH = 200_000
"""Quads removed per transaction when a graph is dropped: memory stays near 400 MB however big the graph
(smaller batches save little memory and cost time: 50,000 took a third longer)."""


def default_location() -> Path:
    """The store folder: ``$FILMKG_STORE`` or ``./.filmkg``.

    Examples:
        >>> default_location().name in (".filmkg", os.environ.get(STORE_ENV, "?").rstrip("/").split("/")[-1])
        True
    """
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DEFAULT_STORE


class EmbeddedStore:
    """A pyoxigraph store with the filmkg dataset rule (see :mod:`kg.store.base`).

    ``raw`` is pyoxigraph's own :class:`~pyoxigraph.Store`, for what filmkg does not wrap.
    """

    def __init__(
        self, raw: ox.Store, *, location: Path | None = None, read_only: bool = False, pending: bool = False
    ) -> None:
        self.raw = raw
        self.location = location
        self._read_only = read_only
        self._pending = pending
        self._created: str | None = None
        self._scope: dict[str, Any] | None = None
        self._lock: int | None = None
        self._snapshot_made = False
        self._guard: MemoryGuard | None = None
        self.snapshot: Snapshot | None = None
        """Set when a reader answers from the snapshot of a running writer (see :mod:`kg.store.snapshot`)."""

    def _materialize(self) -> None:
        """Create the store on disk, on the first write to a store opened where none was yet."""
        if self._pending and self.location is not None:
            self._created = "folder" if self.location.exists() else "new"
            self.raw = _open_raw(self.location, read_only=False)
            self._pending = False

    def discard_created(self) -> None:
        """Take back the creation of the store by this open's first write (a rejected first ingest
        leaves no store): its files go, and the store is pending again. Nothing for a store that was there."""
        if self._created is None or self.location is None:
            return
        self.raw = ox.Store()  # (the store on disk closes with its last reference)
        self._pending, self._scope = True, None
        for child in self.location.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        if self._created == "new":
            self.location.rmdir()
        self._created = None

    def feeder(self, out: BinaryIO, graph: str, start: Callable[[], None] | None = None) -> Feeder:
        """A file that writes N-Triples to ``out`` and bulk-loads them into ``graph`` as they are written
        (see :class:`kg.store.bulk.Feeder`); the store is created, then ``start`` called, before the
        first part goes in. Readers should not see ``graph`` before it is whole."""
        self.check_writable()
        target = ox.NamedNode(graph)

        def begin() -> None:
            self._materialize()
            if start is not None:
                start()

        def load(part: bytes) -> None:
            self.raw.bulk_load(input=part, format=ox.RdfFormat.N_TRIPLES, to_graph=target)

        return Feeder(out, load, begin)

    @property
    def pending(self) -> bool:
        """Whether the store is still to be created on disk, by its first write."""
        return self._pending

    @property
    def read_only(self) -> bool:
        """Whether the store was opened read-only."""
        return self._read_only

    def watch_memory(self, on_damage: Callable[[StoreError], None]) -> None:
        """While this store is open, bound the memory its reads take (see :mod:`kg.store.guard`): past the
        bound, scan the store (a writer's through its own open store), and call ``on_damage`` with the
        error to report if it is damaged (the read itself cannot be stopped: the command line exits).
        Nothing in memory or for a store not yet created."""
        if self.location is None or self._pending or self._guard is not None:
            return
        where = self.location

        def report(text: str) -> None:
            on_damage(damaged(RuntimeError(text), where) or _damaged(where, text))

        path = self.snapshot.path if self.snapshot is not None else self.location
        self._guard = MemoryGuard(path, report, raw=None if self._read_only else self.raw).start()

    def check_writable(self) -> None:
        """Raise :class:`~kg.errors.StoreError` when the store was opened read-only."""
        if self._read_only:
            raise StoreError(f"the store {self.location} was opened read-only: open it for writing to change it")

    # ---------------------------------------------------------------- the dataset rule

    def _dataset(self, sparql: str, union: bool) -> dict[str, Any]:
        """The query options that give the filmkg dataset (``union``), or the store as it is.

        When the store holds no graph outside the filmkg dataset (always, unless a load was
        interrupted), the dataset is the union of all graphs, which Oxigraph answers fastest;
        else its graphs are listed, for the default graph and for ``GRAPH ?g``.
        """
        if not union or declares_dataset(sparql):
            return {}
        if self._scope is None:
            registered = [row[0].value for row in self.raw.query(registered_graphs_query())]  # type: ignore[union-attr]
            graphs = dataset_graphs(registered)
            present = {g.value for g in self.raw.named_graphs() if isinstance(g, ox.NamedNode)}
            if present <= set(graphs):
                self._scope = {"use_default_graph_as_union": True}
            else:
                nodes = [ox.NamedNode(g) for g in graphs]
                self._scope = {"default_graph": nodes, "named_graphs": nodes}
        return dict(self._scope)

    def written(self) -> None:
        """Forget the dataset computed for queries: the registry changed."""
        self._scope = None

    def _query(self, sparql: str, union: bool, prefixes: Mapping[str, str] | None) -> Any:
        return self.raw.query(sparql, prefixes=dict(prefixes) if prefixes else None, **self._dataset(sparql, union))

    def select(
        self, sparql: str, *, union: bool = True, prefixes: Mapping[str, str] | None = None
    ) -> ox.QuerySolutions:
        """The solutions of a SELECT query.

        Raises:
            SyntaxError: the query does not parse (pyoxigraph's error, with its position).
            ValueError: not a SELECT query.

        Examples:
            >>> [row["x"].value for row in memory_store().select("SELECT ?x WHERE { BIND(1 AS ?x) }")]
            ['1']
        """
        return as_solutions(self._query(sparql, union, prefixes))

    def ask(self, sparql: str, *, union: bool = True, prefixes: Mapping[str, str] | None = None) -> bool:
        """The answer of an ASK query."""
        return as_boolean(self._query(sparql, union, prefixes))

    def construct(
        self, sparql: str, *, union: bool = True, prefixes: Mapping[str, str] | None = None
    ) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""
        return as_triples(self._query(sparql, union, prefixes))

    # ---------------------------------------------------------------- writing

    def update(self, update: str) -> None:
        """A SPARQL update, as one transaction."""
        self.check_writable()
        self._materialize()
        self.raw.update(update)
        self.written()

    def bulk_load(self, path: Path, graph: str) -> None:
        """Load an N-Triples file into ``graph`` with pyoxigraph's bulk loader, in parts when it is big
        (see :func:`kg.store.bulk.load_ntriples`): readers should not see ``graph`` before it is whole."""
        self.check_writable()
        self._materialize()
        load_ntriples(self.raw, path, graph)
        self.written()

    def add_graph(self, graph: str) -> None:
        """Create an empty named graph."""
        self.check_writable()
        self._materialize()
        self.raw.add_graph(ox.NamedNode(graph))
        self.written()

    def remove_graph(self, graph: str) -> None:
        """Drop a named graph, :data:`REMOVE_BATCH` quads per transaction, each written out to disk
        before the next, so that memory stays bounded however big the graph (pyoxigraph's own
        ``remove_graph`` holds every deletion in memory until it commits). Readers would see the
        graph shrink batch by batch: remove only a graph no registry entry names.

        When the graph is most of a store on disk, the store is rebuilt without it instead, and
        compacted (see :mod:`kg.store.rebuild`, which says when and why).

        Examples:
            >>> store, g = memory_store(), ox.NamedNode("http://e/g")
            >>> store.raw.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("1"), g))
            >>> store.remove_graph(g.value)
            >>> len(store), store.graph_names()
            (0, [])
        """
        self.check_writable()
        self._materialize()
        node = ox.NamedNode(graph)
        if self._rebuild_without(node):
            self.written()
            return
        batch = (
            f"DELETE {{ GRAPH {node} {{ ?s ?p ?o }} }} "
            f"WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }} LIMIT {REMOVE_BATCH} }} }}"
        )
        while next(self.raw.quads_for_pattern(None, None, None, node), None) is not None:
            self.raw.update(batch)
            self.raw.flush()
        self.raw.remove_graph(node)
        self.written()

    def _rebuild_without(self, node: ox.NamedNode) -> bool:
        """Rebuild the store on disk without the graph ``node`` when :func:`~kg.store.rebuild.prefer_rebuild`
        says it is faster than deleting it, and the parent folder is writable: whether it was."""
        if self.location is None or self._pending:
            return False
        rows = list(as_solutions(self.raw.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}")))
        removed = int(rows[0][0].value)
        if removed < rebuild.REBUILD_MIN:  # batches whatever remains: no need to count the whole store
            return False
        remaining = len(self.raw) - removed
        real = self.location.resolve()
        writable = os.access(real.parent, os.W_OK | os.X_OK)
        if not writable or not rebuild.prefer_rebuild(remaining=remaining, removed=removed):
            return False
        if not self._close_raw(dry_run=True):
            return False
        target = rebuild.rebuild_folder(real)
        rebuild.remove_folder(target)
        try:
            built = rebuild.build_without(self.raw, node, target)
        except (OSError, RuntimeError):
            built = -1
        if built != remaining:
            rebuild.remove_folder(target)
            return False
        return rebuild.swap_in(real, target, close_old=self._close_raw, reopen=self._reopen_raw)

    def _close_raw(self, *, dry_run: bool = False) -> bool:
        """Close the RocksDB store (stop the memory guard, which holds it): whether nothing else holds it
        (only checked when ``dry_run``)."""
        others = 1 if self._guard is not None and self._guard.raw is self.raw else 0
        if dry_run:
            return sys.getrefcount(self.raw) - others <= 3  # self.raw, the argument, the caller's frame
        if self._guard is not None:
            self._guard.stop()
            self._guard.raw = None
        self.raw.flush()
        self.raw = ox.Store()
        return True

    def _reopen_raw(self) -> None:
        """Open the store on disk again after a rebuild (waiting for a reader that opened it meanwhile)."""
        assert self.location is not None
        deadline = time.monotonic() + rebuild.RELOCK_WAIT
        while True:
            try:
                self.raw = _open_raw(self.location, read_only=False)
                break
            except _InUse:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)
        if self._guard is not None:
            self._guard = MemoryGuard(self.location, self._guard.on_damage, raw=self.raw).start()

    def dump_graph(self, graph: str, path: Path) -> None:
        """Write the triples of one named graph to ``path`` as N-Triples, one per line.

        Examples:
            >>> import tempfile
            >>> store, g = memory_store(), ox.NamedNode("http://e/g")
            >>> store.raw.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("1"), g))
            >>> out = Path(tempfile.mkdtemp()) / "g.nt"
            >>> store.dump_graph(g.value, out)
            >>> out.read_text()
            '<http://e/a> <http://e/p> "1" .\\n'
        """
        self.raw.dump(str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))

    def graph_names(self) -> list[str]:
        """Every named graph in the store."""
        return sorted(g.value for g in self.raw.named_graphs() if isinstance(g, ox.NamedNode))

    def remove_debris(self) -> Recovery:
        """Remove the ``bulk-*.sst`` files a killed bulk load left, and old RocksDB logs (see
        :func:`kg.store.recovery.remove_store_debris`): only while this store holds the folder for
        writing; nothing in memory, read-only or not yet created."""
        if self.location is None or self._read_only or self._pending:
            return Recovery()
        return remove_store_debris(self.location)

    def optimize(self) -> None:
        """Compact the files the bulk loader wrote (a no-op in memory)."""
        if self.location is not None and not self._read_only and not self._pending:
            self.raw.optimize()

    # ---------------------------------------------------------------- the rest

    def dump(self, output: IO[bytes], format: ox.RdfFormat, *, prefixes: Mapping[str, str] | None = None) -> None:
        """Write every quad of the filmkg dataset to ``output`` in a dataset ``format``."""
        graphs = self._dataset("", True)
        if "default_graph" not in graphs:
            self.raw.dump(output, format, prefixes=dict(prefixes) if prefixes else None)
            return
        quads = (q for g in graphs["default_graph"] for q in self.raw.quads_for_pattern(None, None, None, g))
        ox.serialize(quads, output, format=format, prefixes=dict(prefixes) if prefixes else None)

    def rdflib_dataset(self) -> Dataset:
        """An rdflib :class:`~rdflib.Dataset` over the same store (through oxrdflib), nothing copied.

        Examples:
            >>> store = memory_store()
            >>> store.raw.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/b")))
            >>> len(store.rdflib_dataset())
            1
        """
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        return Dataset(store=OxigraphStore(store=self.raw))

    def close(self) -> None:
        """Remove this writer's snapshot, flush pending writes to disk (nothing for a read-only or in-memory
        store); release a reader's lock."""
        if self._guard is not None:
            self._guard.stop()
            self._guard = None
        if self._snapshot_made and self.location is not None:
            self._snapshot_made = False
            remove_snapshot(self.location)
        try:
            if self.location is not None and not self._read_only and not self._pending:
                self.raw.flush()
        except OSError as exc:
            full = exc.errno == errno.ENOSPC or "No space left" in str(exc)
            reason = "its disk is full" if full else f"{exc.strerror or exc}"
            raise StoreError(
                f"cannot write the store {self.location}: {reason}; free some space (or fix the folder's "
                "permissions) and run the command again: the last change may not be complete"
            ) from exc
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __len__(self) -> int:
        """The number of quads."""
        return len(self.raw)


def memory_store() -> EmbeddedStore:
    """An empty in-memory store."""
    return EmbeddedStore(ox.Store())


def open_store(
    location: Path,
    *,
    create: bool = True,
    read_only: bool = False,
    wait: float = 0.0,
    on_wait: Callable[[], None] | None = None,
) -> EmbeddedStore:
    """Open the Oxigraph store at ``location``: read-write (creating it if ``create``), or read-only.

    A read-only open writes nothing; any number of readers share the store, while a writer
    excludes readers and other writers. A writer checkpoints the committed state when it opens
    the store, and a reader that finds it at work (and does not ``wait``) answers from that
    snapshot: the store as it was before the running write (``store.snapshot`` says since when; see
    :mod:`kg.store.snapshot`). A store to be created is created on disk by its first write, so that
    a first ingest that fails leaves nothing behind.

    Args:
        location: the store folder.
        create: create the store on its first write when there is none.
        read_only: open for reading only.
        wait: while another process holds the store, try again for up to this many seconds
            (instead of answering from the writer's snapshot).
        on_wait: called once, when the open starts waiting.

    Raises:
        StoreError: the store is missing (and not to be created), in use by another process
            (past ``wait``), or the folder is not an Oxigraph store.

    Examples:
        >>> open_store(Path("/nonexistent/filmkg-store"), create=False)
        Traceback (most recent call last):
        ...
        kg.errors.StoreError: no store at /nonexistent/filmkg-store: run `filmkg ingest` first, or pass `store`
    """
    has_store = location.is_dir() and (location / "CURRENT").exists()
    if not location.exists() or (location.is_dir() and not any(location.iterdir())):
        if read_only or not create:
            raise StoreError(f"no store at {location}: run `filmkg ingest` first, or pass `store`")
        return EmbeddedStore(ox.Store(), location=location, pending=True)
    if not location.is_dir():
        raise StoreError(f"{location} is a file, not a store folder: pass `store` with a folder")
    elif not has_store:
        raise StoreError(f"{location} is not an Oxigraph store (no CURRENT file): pass `store` with another folder")
    deadline = time.monotonic() + max(wait, 0.0)
    waiting = False
    while True:
        try:
            return _open_existing(location, read_only=read_only)
        except _InUse as exc:
            if read_only and wait <= 0 and (before := _open_before_write(location)) is not None:
                return before
            if time.monotonic() >= deadline:
                if waiting:
                    raise StoreError(f"{exc} (waited {wait:g} s)") from None
                raise StoreError(f"{exc}; or pass `wait` (seconds) to wait for it") from None
            if not waiting and on_wait is not None:
                on_wait()
            waiting = True
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0.0)))


def _open_existing(location: Path, *, read_only: bool) -> EmbeddedStore:
    lock = _share_lock(location) if read_only else None
    try:
        raw = _open_raw(location, read_only=read_only)
    except BaseException:
        if lock is not None:
            os.close(lock)
        raise
    store = EmbeddedStore(raw, location=location, read_only=read_only)
    store._lock = lock
    if not read_only:
        store._snapshot_made = make_snapshot(raw, location) is not None
    return store


def _open_before_write(location: Path) -> EmbeddedStore | None:
    """The store as it was before the running write, from its writer's snapshot, or ``None``."""
    found = open_snapshot(location)
    if found is None:
        return None
    raw, snapshot, lock = found
    store = EmbeddedStore(raw, location=location, read_only=True)
    store._lock, store.snapshot = lock, snapshot
    return store


def _open_raw(location: Path, *, read_only: bool) -> ox.Store:
    """Open the RocksDB files of a store.

    Raises:
        StoreError: the store is in use, damaged (RocksDB finds "Corruption" or a missing file:
            pyoxigraph raises ``RuntimeError`` or ``OSError``), on a full disk, or unreadable.
    """
    try:
        return ox.Store.read_only(str(location)) if read_only else ox.Store(str(location))
    except (OSError, RuntimeError, ValueError) as exc:
        text = str(exc)
        if "lock" in text.lower() and not isinstance(exc, RuntimeError):
            raise _in_use(location) from exc
        if "no space left" in text.lower() or getattr(exc, "errno", None) == errno.ENOSPC:
            raise StoreError(f"cannot open the store {location}: its disk is full ({text}): free some space") from exc
        if getattr(exc, "errno", None) == errno.EROFS or "read-only file system" in text.lower():
            raise StoreError(
                f"cannot write the store {location}: it is on a read-only file system; read commands work on "
                "it as it is; to change it, copy the folder to a writable disk and pass `store` with the copy"
            ) from exc
        if (isinstance(exc, PermissionError) or "permission denied" in text.lower()) and not read_only:
            raise StoreError(
                f"cannot write the store {location} ({text}): read commands work on it as it is; to change it, "
                "make the folder and its files writable, or copy it and pass `store` with the copy"
            ) from exc
        if isinstance(exc, PermissionError) or "permission denied" in text.lower():
            raise StoreError(
                f"cannot open the store {location} ({text}): check the permissions of the folder and its files"
            ) from exc
        if isinstance(exc, (RuntimeError, FileNotFoundError)) or "corrupt" in text.lower():
            raise _damaged(location, text) from exc
        raise StoreError(f"cannot open the store {location}: {exc}") from exc


def damaged(exc: BaseException, location: Path | None = None) -> StoreError | None:
    """The :class:`~kg.errors.StoreError` to raise for an error of RocksDB that says the store is damaged
    ("Corruption: block checksum mismatch ...", met while a query reads a damaged table), saying what
    to do; ``None`` for any other error.

    Examples:
        >>> print(damaged(RuntimeError("Corruption: block checksum mismatch in /s/000076.sst"), Path("/s")))
        the store /s is damaged (Corruption: block checksum mismatch in /s/000076.sst): restore it from a backup of the folder, or ingest again into a new store (from your files or a `filmkg export`) and pass `store` with that folder
        >>> damaged(RuntimeError("out of memory")) is None
        True
    """
    text = str(exc)
    if not isinstance(exc, (OSError, RuntimeError)) or "corruption" not in text.lower():
        return None
    return _damaged(location, text)


def _damaged(location: Path | None, text: str) -> StoreError:
    where = f"the store {location}" if location is not None else "the store"
    return StoreError(
        f"{where} is damaged ({text}): restore it from a backup of the folder, or ingest again into a new "
        "store (from your files or a `filmkg export`) and pass `store` with that folder"
    )


class _InUse(StoreError):
    """Another process holds the store."""


def _in_use(location: Path) -> StoreError:
    return _InUse(
        f"the store {location} is in use by another process; wait for it to finish or pass `store` with another folder"
    )


def _share_lock(location: Path) -> int | None:
    """A shared lock on the store's ``LOCK`` file, held while a read-only store is open.

    RocksDB's writer takes an exclusive lock on that file, so a writer at work refuses
    readers, and readers at work refuse a writer (it says the store is in use), while any
    number of readers share the store. Returns the descriptor to close, or ``None`` where the
    file cannot be opened (the open then reports why).

    Raises:
        StoreError: another process writes the store.
    """
    import fcntl

    try:
        descriptor = os.open(location / "LOCK", os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(descriptor)
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            raise _in_use(location) from None
        return None
    return descriptor
