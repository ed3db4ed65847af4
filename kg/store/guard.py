"""A bound on the memory a read takes, for the damaged tables Oxigraph cannot get past.

When RocksDB finds a damaged data block (``Corruption: block checksum mismatch``), Oxigraph's quad
iterator reports the error and then reports it again at every next step, without ever ending.
A query that streams its answer stops at the first error (and filmkg says the store is damaged),
but one that must read all its input first (``COUNT``, ``GROUP BY``, ``ORDER BY``: ``filmkg
sources`` counts) takes that endless run of errors in, and grows until the machine has no memory
left (24 GB in one case). Only reading every block with its checksum tells such damage in advance,
which costs as much as reading the whole store, so the open does not; instead a
:class:`MemoryGuard` watches the process while it reads. Past :func:`memory_bound` (1 GiB plus
twice the store's size on disk, or nearer the process's own address-space limit), it scans the
store (streamed: a damaged block ends the scan with the error at once). Damage found: ``on_damage``
is called with the :class:`~kg.errors.StoreError` to report (the command line prints it and exits
with code 4, since the query's thread cannot be stopped). None found: the read goes on, unwatched,
having cost one scan.

Examples:
    >>> memory_bound(0, address_limit=None) == 1 << 30
    True
    >>> memory_bound(100 << 20, address_limit=None) >> 20
    1224
"""

from __future__ import annotations

import os
import resource
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

__all__ = ["MemoryGuard", "memory_bound", "scan_for_damage"]

FLOOR = 1 << 30
"""Resident memory a read may always take before the store is checked."""
_NAMED = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isLiteral(?g)) }"
_UNION = "SELECT ?s WHERE { ?s ?p ?o FILTER(isLiteral(?s)) }"


def memory_bound(store_bytes: int, *, address_limit: int | None) -> int:
    """The resident memory past which a read checks the store: :data:`FLOOR` plus twice the store's
    size, and below the process's address-space limit (``RLIMIT_AS``) when one is set."""
    bound = FLOOR + 2 * store_bytes
    if address_limit is not None:
        bound = min(bound, address_limit // 2)
    return bound


def scan_for_damage(path: Path | ox.Store) -> str | None:
    """RocksDB's error when a streamed scan of the store at ``path`` (opened read-only; or a store
    already open, such as a writer's) meets a damaged table, else ``None``. It reads each quad once, through two of Oxigraph's indexes, and returns no row.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp()) / "s"
        >>> store = ox.Store(str(folder))
        >>> store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("1"), ox.NamedNode("http://e/g")))
        >>> del store
        >>> scan_for_damage(folder) is None
        True
    """
    try:
        raw = path if isinstance(path, ox.Store) else ox.Store.read_only(str(path))
        for _ in raw.query(_NAMED):  # type: ignore[union-attr]
            pass
        for _ in raw.query(_UNION, use_default_graph_as_union=True):  # type: ignore[union-attr]
            pass
    except (OSError, RuntimeError) as exc:
        return str(exc) if "corruption" in str(exc).lower() else None
    return None


class MemoryGuard:
    """Watches this process's memory while it reads the store at ``path`` (see the module's docstring).

    ``start()`` runs it in a daemon thread, ``stop()`` ends it.
    """

    def __init__(
        self,
        path: Path,
        on_damage: Callable[[str], None],
        *,
        bound: int | None = None,
        interval: float = 0.05,
        raw: ox.Store | None = None,
    ) -> None:
        self.path = path
        self.raw = raw
        self.on_damage = on_damage
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        address_limit = None if soft == resource.RLIM_INFINITY else soft
        self.bound = bound if bound is not None else memory_bound(_size(path), address_limit=address_limit)
        self.interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="filmkg-memory-guard", daemon=True)

    def start(self) -> MemoryGuard:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()

    def _watch(self) -> None:
        while not self._stopped.wait(self.interval):
            if _resident() > self.bound:
                found = scan_for_damage(self.raw if self.raw is not None else self.path)
                if found is not None and not self._stopped.is_set():
                    self.on_damage(found)
                return


def _resident() -> int:
    """This process's resident memory in bytes (0 where /proc cannot tell)."""
    try:
        with open("/proc/self/statm", "rb") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _size(folder: Path) -> int:
    try:
        return sum(entry.stat().st_size for entry in folder.iterdir() if entry.is_file())
    except OSError:
        return 0

