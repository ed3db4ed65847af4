"""The difference between a file's new N-Triples and the graph that holds its previous version.

Re-ingesting a file that changed in a few rows need not load it again: :func:`graph_diff`
compares the lines the importer just wrote with the lines of the stored graph (both sorted
on disk by the system's ``sort``, so memory stays bounded however big the graph) and gives
the lines to delete and to insert, or ``None`` when the graph is better loaded afresh: the
file or the graph has blank nodes (their labels are the writer's, not the triples'), the
difference is large (:data:`DIFF_LIMIT`, :data:`DIFF_SHARE`), or ``sort`` is not there.

Lines are compared as text: a triple written in two spellings (an escape, a datatype) is
deleted and inserted again, which is correct, only less cheap.

Examples:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> old, new = folder / "old.nt", folder / "new.nt"
    >>> _ = old.write_text("<http://e/a> <http://e/p> \\"1\\" .\\n<http://e/a> <http://e/p> \\"2\\" .\\n")
    >>> _ = new.write_text("<http://e/a> <http://e/p> \\"2\\" .\\n<http://e/a> <http://e/p> \\"3\\" .\\n")
    >>> found = diff_lines(old, new, folder, limit=10)
    >>> found.removed, found.added
    (['<http://e/a> <http://e/p> "1" .'], ['<http://e/a> <http://e/p> "3" .'])
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kg.store.embedded import EmbeddedStore

__all__ = ["DIFF_LIMIT", "DIFF_SHARE", "Diff", "Dumps", "StoredDump", "blank_or_lines", "diff_lines", "graph_diff"]

DIFF_LIMIT = 200_000
"""Lines deleted and inserted, at most, for a replacement by difference: they go in one
transaction, which pyoxigraph holds in memory until it commits (about 400 MB at this size)."""
DIFF_SHARE = 0.25
"""The share of the graph's lines the difference may reach: past it, loading the file afresh
with the bulk loader and removing the old graph costs about as much as applying the difference."""
_SORT_MEMORY = "256M"
_BLOCK = 1 << 22


@dataclass
class Diff:
    """The lines of the stored graph that the new file no longer has, and those it adds."""

    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.removed) + len(self.added)


def blank_or_lines(path: Path) -> int | None:
    """The number of lines of an N-Triples file, or ``None`` when it may hold a blank node
    (any ``_:``, even in a literal: erring towards loading afresh).

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "x.nt"
        >>> _ = p.write_text("<http://e/a> <http://e/p> _:b1 .\\n")
        >>> blank_or_lines(p) is None
        True
        >>> _ = p.write_text("<http://e/a> <http://e/p> <http://e/b> .\\n")
        >>> blank_or_lines(p)
        1
    """
    lines, tail = 0, b""
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(_BLOCK), b""):
            if b"_:" in tail + block[:1] or b"_:" in block:
                return None
            lines += block.count(b"\n")
            tail = block[-1:]
    return lines


def diff_lines(old: Path, new: Path, workdir: Path, *, limit: int) -> Diff | None:
    """The lines of ``old`` not in ``new`` and those of ``new`` not in ``old`` (each file's
    repeated lines counted once), or ``None`` when there are more than ``limit`` of them or the
    system has no ``sort`` and ``comm``. Both files are sorted on disk in ``workdir``."""
    sort, comm = shutil.which("sort"), shutil.which("comm")
    if sort is None or comm is None:
        return None
    env = {**os.environ, "LC_ALL": "C"}
    ordered = []
    for path in (old, new):
        out = workdir / f"{path.name}.sorted"
        command = [sort, "-u", "-S", _SORT_MEMORY, "-T", str(workdir), "-o", str(out), str(path)]
        try:
            subprocess.run(command, env=env, check=True, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except (OSError, subprocess.CalledProcessError):
            return None
        ordered.append(out)
    found = Diff()
    with subprocess.Popen(
        [comm, "-3", str(ordered[0]), str(ordered[1])], env=env, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL
    ) as process:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("\t"):
                found.added.append(line[1:])
            else:
                found.removed.append(line)
            if len(found) > limit:
                process.kill()
                return None
    for path in ordered:
        path.unlink()
    return found if process.returncode == 0 else None


def graph_diff(new: Path, stored: StoredDump | None, previous_triples: int, workdir: Path) -> Diff | None:
    """The difference between a file's new N-Triples ``new`` and the graph of its previous version
    (``previous_triples`` triples), being written out by ``stored``; ``None`` (load the file
    afresh) when there is no such dump (a server), either side may hold a blank node, or the
    difference is large: past :data:`DIFF_LIMIT` lines, or :data:`DIFF_SHARE` of the graph. The
    dump is removed once read.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> new = folder / "new.nt"
        >>> _ = new.write_text("<http://e/a> <http://e/p> \\"2\\" .\\n")
        >>> graph_diff(new, None, 1, folder) is None  # no dump of the stored graph
        True
    """
    lines = blank_or_lines(new)
    limit = min(DIFF_LIMIT, int(DIFF_SHARE * max(lines or 0, previous_triples)))
    if lines is None or lines < previous_triples - limit or stored is None:  # lines may repeat a triple, never miss one
        return None
    old = stored.result()
    if old is None:
        return None
    try:
        return diff_lines(old, new, workdir, limit=limit) if blank_or_lines(old) is not None else None
    finally:
        old.unlink(missing_ok=True)


class StoredDump:
    """A graph being written out as N-Triples in a thread: pyoxigraph's dump lets go of Python's lock,
    so that it runs on another core while the file is read (the dump of a 2.5 M-triple graph takes
    about as long as the row checking of its 200,000 rows)."""

    def __init__(self, store: EmbeddedStore, graph: str, path: Path) -> None:
        self.path = path
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(store, graph), daemon=True)
        self.thread.start()

    def _run(self, store: EmbeddedStore, graph: str) -> None:
        try:
            store.dump_graph(graph, self.path)
        except BaseException as exc:  # handed to the caller of result()
            self.error = exc

    def result(self) -> Path | None:
        """The written file, once done; ``None`` when it could not be written (a full temporary
        disk): the file is then loaded afresh, as if the difference were large."""
        self.thread.join()
        if self.error is not None:
            logging.getLogger(__name__).info("loading afresh: cannot write out the graph replaced (%s)", self.error)
            return None
        return self.path


class Dumps:
    """The dumps an ingest started, waited for before its temporary folder goes."""

    def __init__(self) -> None:
        self.started: list[StoredDump] = []

    def start(self, store: EmbeddedStore, graph: str, path: Path) -> StoredDump:
        self.started.append(StoredDump(store, graph, path))
        return self.started[-1]

    def wait(self) -> None:
        for dump in self.started:
            dump.thread.join()
