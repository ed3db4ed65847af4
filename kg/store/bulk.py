"""Bulk loading N-Triples in parts, so that pyoxigraph's bulk loader takes bounded memory, and
while they are written (:class:`Feeder`), so that checking rows and loading them overlap.

The loader's memory grows with what one call loads: on 2.5 M triples (400 MB of N-Triples), 1.65 GB
in one call, 0.5 GB in parts of 64 MiB, 0.27 GB in parts of 250,000 lines; the parts take no
longer. It names a file's blank nodes afresh at each call, so a file that may hold one goes whole.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

__all__ = ["PART_BYTES", "Feeder", "has_blank_node", "load_ntriples"]

PART_BYTES = 64 << 20
"""The N-Triples handed to the bulk loader per call (whole lines)."""
_BLOCK = 1 << 22


def load_ntriples(store: ox.Store, path: Path, graph: str) -> None:
    """Load an N-Triples file into the named graph ``graph``: in parts of :data:`PART_BYTES` when it
    has no blank node, else in one call. The parts land in the same graph one after the other.

    Examples:
        >>> import tempfile
        >>> import kg.store.bulk as bulk
        >>> p = Path(tempfile.mkdtemp()) / "x.nt"
        >>> a, b, c = "<http://e/a> <http://e/p>", "<http://e/b> <http://e/p>", "<http://e/c> <http://e/p>"
        >>> _ = p.write_text(f"{a} _:x .\\n_:x <http://e/q> {c[:12]} .\\n{b} \\"2\\" .\\n")
        >>> store, saved, bulk.PART_BYTES = ox.Store(), bulk.PART_BYTES, 40  # a line a part, but for blank nodes
        >>> load_ntriples(store, p, "http://e/g")
        >>> len(store), len({q.subject for q in store} & {q.object for q in store})  # one blank node, in two triples
        (3, 1)
        >>> _ = p.write_text(f"{a} {c[:12]} .\\n{b} \\"2\\" .\\n{c} \\"3\\" .\\n")
        >>> load_ntriples(store, p, "http://e/h")
        >>> len(list(store.quads_for_pattern(None, None, None, ox.NamedNode("http://e/h"))))
        3
        >>> bulk.PART_BYTES = saved
    """
    target = ox.NamedNode(graph)
    if path.stat().st_size <= PART_BYTES or has_blank_node(path):
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=target)
        return
    with path.open("rb") as stream:
        rest = b""
        for block in iter(lambda: stream.read(PART_BYTES), b""):
            data = rest + block
            cut = data.rfind(b"\n") + 1
            part, rest = data[:cut], data[cut:]
            if part:
                store.bulk_load(input=part, format=ox.RdfFormat.N_TRIPLES, to_graph=target)
        if rest:
            store.bulk_load(input=rest, format=ox.RdfFormat.N_TRIPLES, to_graph=target)


def has_blank_node(path: Path) -> bool:
    """Whether an N-Triples file may hold a blank node: any ``_:``, even in a literal.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "x.nt"
        >>> _ = p.write_text('<http://e/a> <http://e/p> "_" .\\n')
        >>> has_blank_node(p)
        False
        >>> _ = p.write_text('<http://e/a> <http://e/p> _:b .\\n')
        >>> has_blank_node(p)
        True
    """
    tail = b""
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(_BLOCK), b""):
            if b"_:" in tail + block[:1] or b"_:" in block:
                return True
            tail = block[-1:]
    return False


class Feeder:
    """Hands N-Triples to a loader thread while they are written: a binary file that writes to ``out``
    and, every :data:`PART_BYTES` of whole lines, queues them for ``load`` (pyoxigraph's bulk loader
    releases the GIL, so the writer goes on checking rows meanwhile). One part waits at most: a writer
    ahead of the loader waits for it.

    A part with a blank node stops the feeding (the loader names blank nodes afresh at each call):
    what went in so far is then to be removed, and the whole file loaded in one call
    (:attr:`whole` is False).

    Args:
        out: the file the N-Triples go to (it receives everything, loaded or not).
        load: loads one part (whole lines); called on the loader thread.
        start: called once, on the writing thread, before the first part is queued.

    Examples:
        >>> import io
        >>> import kg.store.bulk as bulk
        >>> store, saved, bulk.PART_BYTES = ox.Store(), bulk.PART_BYTES, 40
        >>> fed = Feeder(io.BytesIO(), lambda part: store.bulk_load(input=part, format=ox.RdfFormat.N_TRIPLES))
        >>> for n in range(3):
        ...     _ = fed.write(f"<http://e/{n}> <http://e/p> <http://e/o> .\\n".encode())
        >>> fed.finish(), fed.parts, len(store), len(fed.out.getvalue().splitlines())
        (True, 3, 3, 3)
        >>> fed = Feeder(io.BytesIO(), lambda part: store.bulk_load(input=part, format=ox.RdfFormat.N_TRIPLES))
        >>> _ = fed.write(b"_:b <http://e/p> <http://e/o> .\\n" * 2)
        >>> fed.finish()
        False
        >>> bulk.PART_BYTES = saved
    """

    def __init__(self, out: BinaryIO, load: Callable[[bytes], None], start: Callable[[], None] | None = None) -> None:
        self.out = out
        self.whole = True
        """False once a part held a blank node: the parts stopped, and the file goes whole."""
        self.started = False
        """Whether a part was queued (the loader may have loaded some of the file)."""
        self.parts = 0
        """How many parts the loader loaded."""
        self._load: Callable[[bytes], None] | None = load
        self._start = start
        self._buffer = bytearray()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

    @property
    def name(self) -> str | None:
        """The name of the file written to, when it has one."""
        name = getattr(self.out, "name", None)
        return name if isinstance(name, str) else None

    def write(self, data: bytes) -> int:
        """Write to the file, and queue whole parts for the loader."""
        written = self.out.write(data)
        if self.whole and self._error is None:
            self._buffer += data
            while self.whole and len(self._buffer) >= PART_BYTES:  # (parts of at most PART_BYTES, but for a longer line)
                cut = self._buffer.rfind(b"\n", 0, PART_BYTES) + 1 or self._buffer.find(b"\n") + 1
                if not cut:
                    break
                part = bytes(self._buffer[:cut])
                del self._buffer[:cut]
                self._hand(part)
        return written

    def tell(self) -> int:
        """The position in the file."""
        return self.out.tell()

    def flush(self) -> None:
        """Flush the file."""
        self.out.flush()

    def finish(self) -> bool:
        """Queue the rest and wait for the loader.

        Returns:
            Whether the whole file went to the loader (False: a part held a blank node).

        Raises:
            Exception: what the loader raised.
        """
        if self.whole and self._error is None and self._buffer:
            self._hand(bytes(self._buffer))
        self._buffer.clear()
        self._join()
        self._load = self._start = None  # (single use: the store they hold is not kept alive by this file)
        if self._error is not None:
            raise self._take_error()
        return self.whole

    def _take_error(self) -> BaseException:
        """The loader's error, let go of: kept here it would form a cycle with its traceback (whose
        frames hold this feeder and the store), and keep the store open until the collector ran."""
        error, self._error = self._error, None
        assert error is not None
        return error

    def stop(self) -> None:
        """Stop: the queued part is not loaded, the loader is waited for (what it loaded stays)."""
        self._stopping = True
        self._buffer.clear()
        self._join()
        self._load = self._start = None

    def _hand(self, part: bytes) -> None:
        if b"_:" in part:
            self.whole = False
            self._buffer.clear()
            return
        if not self.started:
            self.started = True
            if self._start is not None:
                self._start()
            self._thread = threading.Thread(target=self._run, name="filmkg-bulk-load", daemon=True)
            self._thread.start()
        while self._thread is not None and self._thread.is_alive():
            try:
                self._queue.put(part, timeout=0.5)
                return
            except queue.Full:
                continue

    def _join(self) -> None:
        if self._thread is None:
            return
        while self._thread.is_alive():
            try:
                self._queue.put(None, timeout=0.5)
                break
            except queue.Full:
                continue
        self._thread.join()
        self._thread = None

    def _run(self) -> None:
        while (part := self._queue.get()) is not None:
            if self._stopping or self._error is not None or self._load is None:
                continue
            try:
                self._load(part)
                self.parts += 1
            except BaseException as exc:  # (raised again on the writing thread, by finish)
                self._error = exc
