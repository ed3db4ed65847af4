"""Snapshots: what readers answer from while a writer holds the store.

A writing command holds RocksDB's lock on the store for its whole run, and pyoxigraph 0.5 calls a
read-only open beside a writer undefined behaviour. So, once it holds the lock and before it
changes anything, a writer makes a RocksDB checkpoint of the committed state
(:meth:`pyoxigraph.Store.backup`: hard links to the store's immutable tables, a few MB of copied
metadata) in ``STORE/.filmkg-snapshot-PID``, and removes it when it closes the store. A reader that
finds the store locked opens the snapshot of the process holding the lock (read-only: nobody
writes a snapshot) and answers from the state before the running write.

- A snapshot is named after its writer's process id; a reader serves only the snapshot of the
  process that holds the store's lock now, so a snapshot left by a killed writer never answers
  anything, and the next writer removes it (:func:`remove_stale_snapshots`).
- RocksDB builds a checkpoint under ``NAME.tmp`` and renames it when complete: a folder with the
  exact name and a ``CURRENT`` file is a whole snapshot.
- A reader holds a shared ``flock`` on the snapshot folder while it reads; the writer removes the
  snapshot only under an exclusive one, and leaves it to the next writer when a reader still uses it.
- The snapshot lies inside the store folder, so that every output into it is refused like one into
  the store, and a hard link never crosses file systems.

Examples:
    >>> snapshot_name(1234)
    '.filmkg-snapshot-1234'
    >>> snapshot_owner(".filmkg-snapshot-1234"), snapshot_owner(".filmkg-snapshot-1234.tmp"), snapshot_owner("x")
    (1234, 1234, None)
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

__all__ = [
    "SNAPSHOT_PREFIX",
    "Snapshot",
    "make_snapshot",
    "open_snapshot",
    "remove_snapshot",
    "remove_stale_snapshots",
    "snapshot_name",
    "snapshot_owner",
    "writer_pid",
]

SNAPSHOT_PREFIX = ".filmkg-snapshot-"
"""The start of a snapshot folder's name, inside the store folder, followed by its writer's process id."""
_NAME = re.compile(re.escape(SNAPSHOT_PREFIX) + r"([0-9]+)(?:\.tmp)?")
_FLOCK = "hhqqi4x"  # struct flock on Linux x86-64 and arm64: type, whence, start, len, pid


@dataclass(frozen=True)
class Snapshot:
    """A snapshot a reader opened: where it is, its writer, and when the write began (``since``, epoch seconds)."""

    path: Path
    writer: int
    since: float

    def note(self) -> str:
        """What a reader says when it answers from the snapshot.

        Examples:
            >>> import time
            >>> note = Snapshot(Path("s/.filmkg-snapshot-7"), 7, time.mktime((2026, 1, 2, 3, 4, 5, 0, 0, -1))).note()
            >>> note.startswith("process 7 is writing the store (since 2026-01-02 03:04:05): answering from ")
            True
        """
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.since))
        return (
            f"process {self.writer} is writing the store (since {when}): answering from the store as it was "
            "before that write; pass `wait=SECONDS` to wait for the write's changes instead"
        )


def snapshot_name(pid: int) -> str:
    """The name of the snapshot folder of writer ``pid``."""
    return f"{SNAPSHOT_PREFIX}{pid}"


def snapshot_owner(name: str) -> int | None:
    """The writer's process id in a snapshot folder's name (complete or ``.tmp``), or ``None``."""
    found = _NAME.fullmatch(name)
    return int(found.group(1)) if found else None


def make_snapshot(raw: ox.Store, location: Path) -> Path | None:
    """Checkpoint the committed state of the store ``raw`` (open for writing at ``location``) into
    ``location/.filmkg-snapshot-PID``; ``None`` when it cannot be made (a full disk, a file system
    without hard links: readers then find the store in use, as without snapshots).

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp()) / "store"
        >>> store = ox.Store(str(folder))
        >>> store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("1")))
        >>> made = make_snapshot(store, folder)
        >>> made.name == snapshot_name(os.getpid()), len(ox.Store.read_only(str(made)))
        (True, 1)
        >>> remove_snapshot(folder), made.exists()
        (True, False)
    """
    target = location / snapshot_name(os.getpid())
    remove_snapshot(location)
    try:
        raw.backup(str(target))
    except (OSError, RuntimeError):
        for leftover in (target, target.with_name(target.name + ".tmp")):
            shutil.rmtree(leftover, ignore_errors=True)
        return None
    return target


def remove_snapshot(location: Path, pid: int | None = None) -> bool:
    """Remove the snapshot of writer ``pid`` (this process by default) unless a reader still uses it;
    whether none is left."""
    target = location / snapshot_name(os.getpid() if pid is None else pid)
    shutil.rmtree(target.with_name(target.name + ".tmp"), ignore_errors=True)
    if not target.exists():
        return True
    try:
        descriptor = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return not target.exists()
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return False  # a reader answers from it: the next writer removes it
    try:
        shutil.rmtree(target, ignore_errors=True)
    finally:
        os.close(descriptor)
    return not target.exists()


def remove_stale_snapshots(location: Path) -> tuple[int, int]:
    """Remove every snapshot in the store folder but this process's, and unless a reader uses it:
    call it only while holding the store for writing (no other writer runs, so they are all stale).
    Returns how many were removed and the bytes they alone took (hard links shared with the store
    free nothing).

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> (folder / snapshot_name(999_999_999)).mkdir()
        >>> _ = (folder / snapshot_name(999_999_999) / "CURRENT").write_text("MANIFEST-000001")
        >>> (folder / (snapshot_name(5) + ".tmp")).mkdir()
        >>> remove_stale_snapshots(folder), sorted(folder.iterdir())
        ((2, 15), [])
    """
    removed = freed = 0
    try:
        entries = [e for e in location.iterdir() if snapshot_owner(e.name) is not None]
    except OSError:
        return 0, 0
    for entry in entries:
        owner = snapshot_owner(entry.name)
        if owner is None or owner == os.getpid():
            continue
        size = _own_bytes(entry)
        if remove_snapshot(location, owner) and not entry.exists():
            removed, freed = removed + 1, freed + size
    return removed, freed


def writer_pid(location: Path) -> int | None:
    """The process that holds the store's lock for writing (RocksDB's ``fcntl`` lock on ``LOCK``), or ``None``.

    Examples:
        >>> writer_pid(Path("/nonexistent")) is None
        True
    """
    try:
        descriptor = os.open(location / "LOCK", os.O_RDONLY)
    except OSError:
        return None
    try:
        probe = struct.pack(_FLOCK, fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0)
        kind, _, _, _, pid = struct.unpack(_FLOCK, fcntl.fcntl(descriptor, fcntl.F_GETLK, probe))
    except OSError:
        return None
    finally:
        os.close(descriptor)
    return pid if kind == fcntl.F_WRLCK and pid > 0 else None


def open_snapshot(location: Path) -> tuple[ox.Store, Snapshot, int] | None:
    """Open, read-only, the snapshot of the process writing the store at ``location``: the store, the
    snapshot, and the descriptor holding its shared lock (close it after the store). ``None`` when
    no writer holds the store or its snapshot is not (or no longer) there."""
    pid = writer_pid(location)
    if pid is None:
        return None
    path = location / snapshot_name(pid)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        if not (path / "CURRENT").is_file():
            raise OSError(errno.ENOENT, "incomplete snapshot")
        raw = ox.Store.read_only(str(path))
        since = os.stat(descriptor).st_mtime
    except (OSError, RuntimeError, ValueError):
        os.close(descriptor)
        return None
    return raw, Snapshot(path, pid, since), descriptor


def _own_bytes(folder: Path) -> int:
    """The bytes of the files in ``folder`` that no other name links to."""
    total = 0
    with contextlib.suppress(OSError):
        for entry in folder.rglob("*"):
            info = entry.lstat()
            if entry.is_file() and info.st_nlink == 1:
                total += info.st_size
    return total
