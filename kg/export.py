"""Exporting the whole graph to a file.

``trig`` and ``nq`` keep every named graph (one per ingested file, and the
registry); ``ttl``, ``nt`` and ``jsonld`` write the union of all graphs as one graph.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "all.trig"
    >>> export(KnowledgeGraph.memory(), out).name
    'all.trig'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import KGError

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

__all__ = ["EXPORT_FORMATS", "export"]

EXPORT_FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
"""Export formats by name (also the file suffix that selects them)."""


def export(graph: KnowledgeGraph, output: Path, *, format: str | None = None) -> Path:
    """Write the graph to ``output`` in ``format`` (by default, from the file's suffix).

    Args:
        graph: the knowledge graph.
        output: the file to write.
        format: ``trig``, ``nq``, ``ttl``, ``nt`` or ``jsonld``.

    Returns:
        The path written.

    Raises:
        KGError: an unknown format, or the file cannot be written.
    """
    name = format or output.suffix.lstrip(".").lower()
    name = {"turtle": "ttl", "nquads": "nq", "json-ld": "jsonld"}.get(name, name)
    if name not in EXPORT_FORMATS:
        raise KGError(f'unknown export format "{name}": use one of {", ".join(EXPORT_FORMATS)}')
    rdf = EXPORT_FORMATS[name]
    prefixes = graph.ontology.prefixes if rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    try:
        with output.open("wb") as stream:
            if rdf.supports_datasets:
                graph.store.dump(stream, rdf, prefixes=dict(prefixes) if prefixes else None)
            else:
                triples = graph.store.query(
                    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True
                )
                ox.serialize(triples, stream, format=rdf, prefixes=prefixes)  # type: ignore[arg-type]
    except OSError as exc:
        raise KGError(f"cannot write {output}: {exc}") from exc
    return output
