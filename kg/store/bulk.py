"""Bulk loading N-Triples in parts, so that pyoxigraph's bulk loader takes bounded memory.

The loader's memory grows with what one call loads: on 2.5 M triples (400 MB of N-Triples), 1.65 GB
in one call, 0.5 GB in parts of 64 MiB, 0.27 GB in parts of 250,000 lines; the parts take no
longer. It names a file's blank nodes afresh at each call, so a file that may hold one goes whole.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

__all__ = ["PART_BYTES", "has_blank_node", "load_ntriples"]

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
