"""Rebuilding a store without one graph: how a big drop reclaims its space fast.

Oxigraph removes quads one by one (a SPARQL ``DELETE`` in batches, see
:meth:`kg.store.embedded.EmbeddedStore.remove_graph`) and has no bulk delete. When the graph to
remove is most of the store, it is faster to copy what remains into a new store with the bulk
loader, and put that store in the old one's place:

1. the graph is already out of the registry (one small transaction: readers no longer see it);
2. every other graph is bulk-loaded, quad by quad, into a new store in a sibling folder, ``PARENT/.NAME.rebuild-PID`` (:func:`rebuild_folder`),
   which is then compacted and closed; its quads are counted against what should be there;
3. the writer's snapshot (see :mod:`kg.store.snapshot`) is copied into it as hard links, so that a
   reader answering from it finds the same files at the same path after the swap;
4. the old store is closed (its lock taken again at once as a plain ``fcntl`` lock on its ``LOCK``
   file, so that no other writer gets in) and the two folders are exchanged in one
   ``renameat2(RENAME_EXCHANGE)`` call (:func:`exchange`): the store's path names the old store or
   the new one, never neither;
5. the store is opened again at its path, and the old folder (now at the sibling path) is removed.

A process killed before step 4 leaves the old store, where the graph is an orphan the next writing
command removes, and a sibling folder; killed after it, the new store and a sibling folder. Either
way :func:`remove_rebuild_debris`, called by the next writer, removes the sibling folders of
processes other than itself (it holds the store's lock, so no other rebuild runs).

Examples:
    >>> rebuild_folder(Path("/data/films"), 42)
    PosixPath('/data/.films.rebuild-42')
    >>> prefer_rebuild(remaining=10_000, removed=1_000_000), prefer_rebuild(remaining=3_000_000, removed=1_000_000)
    (True, False)
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import struct
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store.snapshot import SNAPSHOT_PREFIX, snapshot_name

__all__ = [
    "COPY_PER_DELETE",
    "REBUILD_MIN",
    "build_without",
    "exchange",
    "lock_store",
    "prefer_rebuild",
    "rebuild_folder",
    "remove_folder",
    "remove_rebuild_debris",
    "swap_in",
]

REBUILD_MIN = 100_000
"""Quads to remove below which a drop always deletes in batches (a few seconds at most)."""
COPY_PER_DELETE = 0.5
"""What copying one remaining quad into a new store costs (dump, bulk load, compaction), as a share of
what deleting one quad in batches costs (the delete, its log, the compaction after it). Measured on a
store of 200,000 generated rows plus the Anora file (2.5 M quads) on 2 loaded cores: copying every
quad took 88 s (35 us a quad: ``bulk_extend`` of ``quads_for_pattern`` 81 s, compaction 7.5 s; an
N-Triples dump and ``bulk_load`` took 75 s but renames blank nodes), dropping the big file in batches
87 s (35 us a quad), so the break-even is near 1. A rebuild also needs the disk space and the bulk
loader's memory (1.6 GB for those 2.5 M quads) for what remains, so it is taken only when clearly
ahead: 0.5."""
RELOCK_WAIT = 10.0
"""Seconds a rebuild waits to lock the store again between closing it and swapping it (a reader that
opened it in that instant ends first)."""
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_REBUILD = re.compile(r"\.(.+)\.rebuild-([0-9]+)")
_FLOCK = "hhqqi4x"  # struct flock on Linux x86-64 and arm64: type, whence, start, len, pid


def prefer_rebuild(*, remaining: int, removed: int) -> bool:
    """Whether removing ``removed`` quads from a store that keeps ``remaining`` is faster by rebuilding it:
    at least :data:`REBUILD_MIN` quads go, and copying what remains costs less than deleting them
    (``remaining * COPY_PER_DELETE < removed``).

    Examples:
        >>> prefer_rebuild(remaining=10, removed=50_000), prefer_rebuild(remaining=0, removed=REBUILD_MIN)
        (False, True)
    """
    return removed >= REBUILD_MIN and remaining * COPY_PER_DELETE < removed


def rebuild_folder(location: Path, pid: int | None = None) -> Path:
    """The sibling folder where process ``pid`` (this one by default) rebuilds the store at ``location``."""
    return location.parent / f".{location.name}.rebuild-{os.getpid() if pid is None else pid}"


def build_without(raw: ox.Store, graph: ox.NamedNode, target: Path) -> int:
    """Bulk-load into a new store at ``target`` every quad of ``raw`` outside ``graph`` (each named graph,
    empty ones too, and the default graph), compact it and close it; the number of quads it holds.
    Blank nodes keep their identifiers (pyoxigraph's bulk loader of a file would rename them).

    Raises:
        OSError, RuntimeError: the folder cannot be written (a full disk, permissions).

    Examples:
        >>> import tempfile
        >>> here = Path(tempfile.mkdtemp())
        >>> old, g, h, b = ox.Store(), ox.NamedNode("http://e/g"), ox.NamedNode("http://e/h"), ox.BlankNode("b1")
        >>> old.extend([ox.Quad(g, g, g, g), ox.Quad(h, h, b, h), ox.Quad(b, h, h)])
        >>> old.add_graph(ox.NamedNode("http://e/empty"))
        >>> build_without(old, g, here / "new")
        2
        >>> new = ox.Store.read_only(str(here / "new"))
        >>> sorted(n.value for n in new.named_graphs()), set(new) == set(old) - {ox.Quad(g, g, g, g)}
        (['http://e/empty', 'http://e/h'], True)
    """
    new = ox.Store(str(target))
    for name in [*(n for n in raw.named_graphs() if n != graph), ox.DefaultGraph()]:
        if not isinstance(name, ox.DefaultGraph):
            new.add_graph(name)
        new.bulk_extend(raw.quads_for_pattern(None, None, None, name))
    new.optimize()
    new.flush()
    count = len(new)
    del new
    return count


def copy_snapshot(location: Path, target: Path) -> None:
    """Copy this process's snapshot in the store at ``location`` into the store folder ``target``, as
    hard links (nothing when there is none, or the links cannot be made)."""
    source = location / snapshot_name(os.getpid())
    if not (source / "CURRENT").is_file():
        return
    copy = target / source.name
    try:
        shutil.copytree(source, copy, copy_function=os.link)
    except OSError:
        shutil.rmtree(copy, ignore_errors=True)


def exchange(first: Path, second: Path) -> None:
    """Swap two paths atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    Raises:
        OSError: the system cannot (no such call: ``ENOSYS``; a file system without it: ``EINVAL``), or
            either path is missing.

    Examples:
        >>> import tempfile
        >>> here = Path(tempfile.mkdtemp())
        >>> _ = (here / "a").write_text("a"), (here / "b").write_text("b")
        >>> exchange(here / "a", here / "b")
        >>> (here / "a").read_text(), (here / "b").read_text()
        ('b', 'a')
    """
    libc = ctypes.CDLL(None, use_errno=True)
    call = getattr(libc, "renameat2", None)
    if call is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if call(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(first), None, str(second))


def lock_store(location: Path, *, wait: float = RELOCK_WAIT) -> int | None:
    """An exclusive lock on the store's ``LOCK`` file while no RocksDB holds it, trying for up to ``wait``
    seconds: the descriptor to close to release it, or ``None`` when another process holds the store.

    It is an open file description lock (``F_OFD_SETLK``): it conflicts with RocksDB's writer lock and
    the readers' shared lock (``fcntl`` record locks) as one of them would, but closing it releases
    nothing else, so that it can be released right before RocksDB opens the store again.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "LOCK").write_bytes(b"")
        >>> held = lock_store(folder)
        >>> import subprocess, sys
        >>> probe = f"import fcntl, os; fcntl.lockf(os.open({str(folder / 'LOCK')!r}, os.O_RDONLY), fcntl.LOCK_SH | fcntl.LOCK_NB)"
        >>> subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode != 0
        True
        >>> os.close(held)
    """
    try:
        descriptor = os.open(location / "LOCK", os.O_RDWR)
    except OSError:
        return None
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.fcntl(descriptor, fcntl.F_OFD_SETLK, struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
            return descriptor
        except OSError:
            if time.monotonic() >= deadline:
                os.close(descriptor)
                return None
            time.sleep(0.02)


def swap_in(location: Path, target: Path, *, close_old: Callable[[], object], reopen: Callable[[], None]) -> bool:
    """Put the store built at ``target`` in the place of the one at ``location`` (steps 3 to 5 above):
    whether it was swapped. When it was not (no ``renameat2``, a file system without exchange), the
    old store is opened again as it was and ``target`` removed.

    Args:
        location: the store's real path (symbolic links resolved).
        target: the new store, closed.
        close_old: close the old store (no reference to its RocksDB handle may be left).
        reopen: open the store at ``location`` again.

    Raises:
        StoreError: another process took the store in the instant it was closed.
    """
    copy_snapshot(location, target)
    close_old()
    lock = lock_store(location)
    if lock is None:
        remove_folder(target)
        raise StoreError(
            f"another process opened the store {location} while a drop rebuilt it: the file is dropped; "
            "the next writing command reclaims its space"
        )
    try:
        try:
            exchange(target, location)
        except OSError:
            swapped = False
        else:
            swapped = True
            snapshot = snapshot_name(os.getpid())
            if (location / snapshot).is_dir() and (target / snapshot).is_dir():
                with contextlib.suppress(OSError):
                    exchange(location / snapshot, target / snapshot)
    finally:
        os.close(lock)
    reopen()
    remove_folder(target)
    return swapped


def remove_folder(folder: Path) -> bool:
    """Remove an old store folder unless a reader answers from a snapshot inside it (it holds a shared
    ``flock`` on it): whether it is gone."""
    held: list[int] = []
    try:
        for snapshot in folder.glob(SNAPSHOT_PREFIX + "*"):
            with contextlib.suppress(OSError):
                descriptor = os.open(snapshot, os.O_RDONLY | os.O_DIRECTORY)
                held.append(descriptor)
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                continue
            return False
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        for descriptor in held:
            os.close(descriptor)
    return not folder.exists()


def remove_rebuild_debris(location: Path) -> tuple[int, int]:
    """Remove the sibling folders that rebuilds of the store at ``location`` by other processes left
    (killed mid-way): call it only while holding the store for writing. How many, and their bytes.

    Examples:
        >>> import tempfile
        >>> store = Path(tempfile.mkdtemp()) / "films"
        >>> (store.parent / ".films.rebuild-999999999").mkdir(parents=True)
        >>> _ = (store.parent / ".films.rebuild-999999999" / "000001.sst").write_bytes(b"xyz")
        >>> remove_rebuild_debris(store), sorted(p.name for p in store.parent.iterdir())
        ((1, 3), [])
    """
    real = location.resolve()
    removed = freed = 0
    try:
        entries = list(real.parent.iterdir())
    except OSError:
        return 0, 0
    for entry in entries:
        found = _REBUILD.fullmatch(entry.name)
        if found is None or found.group(1) != real.name or int(found.group(2)) == os.getpid():
            continue
        if entry.is_symlink() or not entry.is_dir():
            continue
        size = sum(p.lstat().st_size for p in entry.rglob("*") if p.is_file() and p.lstat().st_nlink == 1)
        if remove_folder(entry):
            removed, freed = removed + 1, freed + size
    return removed, freed
