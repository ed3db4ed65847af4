"""What interrupted commands leave behind, and how the next writing command removes it.

A command killed mid-way (SIGKILL, a crash, a power cut) can leave three kinds of debris;
reads never touch them, and the next writing command removes each and says so:

- an orphan graph in the store (see :func:`kg.registry.remove_orphans`), counted here;
- its temporary folder, ``$TMPDIR/filmkg-ingest-PID-*`` (:func:`scratch_folder`), removed by
  :func:`remove_dead_scratch` once no process ``PID`` runs (a live process's folder is never removed);
- ``bulk-*.sst`` files in the store folder, which pyoxigraph's bulk loader writes before RocksDB
  takes them in under a numbered name: RocksDB's MANIFEST lists only its numbered ``NNNNNN.sst``
  tables, so a ``bulk-*.sst`` file is never part of the store, and is removed (by the writer,
  which holds the store's lock, so no other bulk load is running) by :func:`remove_store_debris`;
- a snapshot folder, ``.filmkg-snapshot-PID``, in the store folder (see :mod:`kg.store.snapshot`):
  a reader never answers from it once its writer is gone, and the next writer removes it;
- a rebuild folder beside the store, ``.NAME.rebuild-PID`` (see :mod:`kg.store.rebuild`): the new
  store of a drop killed before the swap, or the old one after it; the next writer removes it.

The same writer also keeps RocksDB's info log from growing without end: each read-write open
rotates ``LOG`` to ``LOG.old.<time>`` (pyoxigraph does not let one set RocksDB's
``keep_log_file_num``), and :func:`remove_store_debris` keeps the newest :data:`KEEP_LOGS` of them.
Read-only opens write no log at all.

Examples:
    >>> Recovery().summary()
    ''
    >>> Recovery(orphan_graphs=1, orphan_triples=1200, temp_folders=2, freed_bytes=3 << 20).summary()
    'removed what interrupted commands left: 1 orphan graph (1,200 triples), 2 temporary folders (3.0 MB freed)'
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kg.store.rebuild import remove_rebuild_debris
from kg.store.snapshot import remove_stale_snapshots

__all__ = [
    "KEEP_LOGS",
    "SCRATCH_PREFIX",
    "Recovery",
    "remove_dead_scratch",
    "remove_store_debris",
    "scratch_folder",
]

SCRATCH_PREFIX = "filmkg-ingest-"
"""The start of the name of ingest's temporary folders, followed by the owner's process id and ``-``."""
KEEP_LOGS = 2
"""The ``LOG.old.*`` files of RocksDB kept in a store folder (the newest ones), besides ``LOG``."""
_SCRATCH = re.compile(re.escape(SCRATCH_PREFIX) + r"([0-9]+)-")
_LOG_OLD = re.compile(r"LOG\.old\.[0-9]+")


@dataclass(frozen=True)
class Recovery:
    """What a writing command removed that interrupted commands had left (and old RocksDB logs)."""

    orphan_graphs: int = 0
    """Graphs no registry entry names (an interrupted load, drop or replacement)."""
    orphan_triples: int = 0
    """The triples those graphs held."""
    temp_folders: int = 0
    """Temporary folders of ingests whose process is gone."""
    bulk_files: int = 0
    """``bulk-*.sst`` files a killed bulk load left in the store folder."""
    freed_bytes: int = 0
    """What the temporary folders and bulk-load files took on disk."""
    old_logs: int = 0
    """RocksDB ``LOG.old.*`` files removed (routine: not in the summary)."""
    snapshots: int = 0
    """Snapshots of killed writers (or kept by a reader when their writer ended) removed."""
    rebuild_folders: int = 0
    """Folders beside the store that a killed rebuild left (see :mod:`kg.store.rebuild`)."""

    def __add__(self, other: Recovery) -> Recovery:
        return Recovery(*(a + b for a, b in zip(_values(self), _values(other))))

    def summary(self) -> str:
        """One line saying what was removed, or ``""`` when nothing was left behind.

        Examples:
            >>> Recovery(bulk_files=1, freed_bytes=1 << 20, old_logs=3).summary()
            'removed what interrupted commands left: 1 bulk-load file (1.0 MB freed)'
            >>> Recovery(old_logs=3).summary()
            ''
        """
        parts = []
        if self.orphan_graphs:
            parts.append(f"{_count(self.orphan_graphs, 'orphan graph')} ({self.orphan_triples:,} triples)")
        if self.temp_folders:
            parts.append(_count(self.temp_folders, "temporary folder"))
        if self.bulk_files:
            parts.append(_count(self.bulk_files, "bulk-load file"))
        if self.snapshots:
            parts.append(_count(self.snapshots, "snapshot"))
        if self.rebuild_folders:
            parts.append(_count(self.rebuild_folders, "rebuild folder"))
        if not parts:
            return ""
        files = self.temp_folders or self.bulk_files or self.snapshots or self.rebuild_folders
        freed = f" ({self.freed_bytes / (1 << 20):,.1f} MB freed)" if files else ""
        return "removed what interrupted commands left: " + ", ".join(parts) + freed


def _values(recovery: Recovery) -> tuple[int, ...]:
    return (recovery.orphan_graphs, recovery.orphan_triples, recovery.temp_folders, recovery.bulk_files,
            recovery.freed_bytes, recovery.old_logs, recovery.snapshots, recovery.rebuild_folders)  # fmt: skip


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' if n != 1 else ''}"


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    """A new temporary folder for an ingest, named after this process (``filmkg-ingest-PID-…``),
    so that a later command can tell whether its owner still runs.

    Raises:
        OSError: the folder cannot be created (``$TMPDIR`` missing, full or read-only).

    Examples:
        >>> with scratch_folder() as name:
        ...     Path(name).name.startswith(f"{SCRATCH_PREFIX}{os.getpid()}-")
        True
    """
    return tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")


def remove_dead_scratch(folder: Path | None = None) -> Recovery:
    """Remove the temporary folders of ingests whose process no longer runs, in ``folder``
    (``$TMPDIR`` by default). Folders of running processes, and folders without a process id
    in their name, are left alone.

    Examples:
        >>> import subprocess, sys, tempfile
        >>> gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
        >>> parent = Path(tempfile.mkdtemp())
        >>> (parent / f"{SCRATCH_PREFIX}{int(gone.stdout)}-x").mkdir()
        >>> (parent / f"{SCRATCH_PREFIX}{os.getpid()}-y").mkdir()
        >>> remove_dead_scratch(parent).temp_folders, sorted(p.name[-1] for p in parent.iterdir())
        (1, ['y'])
    """
    parent = folder if folder is not None else Path(tempfile.gettempdir())
    removed = freed = 0
    try:
        entries = list(parent.iterdir())
    except OSError:
        return Recovery()
    for entry in entries:
        found = _SCRATCH.match(entry.name)
        if found is None or _alive(int(found.group(1))) or entry.is_symlink() or not entry.is_dir():
            continue
        size = _size(entry)
        shutil.rmtree(entry, ignore_errors=True)
        if not entry.exists():
            removed, freed = removed + 1, freed + size
    return Recovery(temp_folders=removed, freed_bytes=freed)


def remove_store_debris(location: Path) -> Recovery:
    """Remove the ``bulk-*.sst`` files a killed bulk load left in the store folder, the snapshots of
    other writers (:func:`kg.store.snapshot.remove_stale_snapshots`), the folders of killed rebuilds
    beside it (:func:`kg.store.rebuild.remove_rebuild_debris`), and the ``LOG.old.*`` files of
    RocksDB past the newest :data:`KEEP_LOGS`. Call it only while holding the store open for writing
    (RocksDB's lock): no other process then loads into the store.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> for name in ["000012.sst", "bulk-123.sst", "LOG", "LOG.old.1", "LOG.old.2", "LOG.old.3"]:
        ...     _ = (folder / name).write_bytes(b"x")
        >>> done = remove_store_debris(folder)
        >>> done.bulk_files, done.old_logs, sorted(p.name for p in folder.iterdir())
        (1, 1, ['000012.sst', 'LOG', 'LOG.old.2', 'LOG.old.3'])
    """
    bulk = freed = 0
    for table in location.glob("bulk-*.sst"):
        size = _size(table)
        with contextlib.suppress(FileNotFoundError):
            table.unlink()
            bulk, freed = bulk + 1, freed + size
    logs = sorted(
        (p for p in location.glob("LOG.old.*") if _LOG_OLD.fullmatch(p.name)), key=lambda p: int(p.name[8:])
    )
    old = 0
    for log in logs[: max(len(logs) - KEEP_LOGS, 0)]:
        with contextlib.suppress(FileNotFoundError):
            log.unlink()
            old += 1
    snapshots, snapshot_bytes = remove_stale_snapshots(location)
    rebuilds, rebuild_bytes = remove_rebuild_debris(location)
    return Recovery(bulk_files=bulk, freed_bytes=freed + snapshot_bytes + rebuild_bytes, old_logs=old,
                    snapshots=snapshots, rebuild_folders=rebuilds)  # fmt: skip


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (or may: when it cannot be told, it is taken as running)."""
    if pid <= 0:
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it runs, as another user
        return True
    return True


def _size(path: Path) -> int:
    """The bytes a file, or a folder's files, take (what cannot be read counts 0)."""
    try:
        if path.is_file():
            return path.stat().st_size
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    except OSError:
        return 0
