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
from typing import Literal, get_args

import pyoxigraph as ox

from kg.errors import KGError
from kg.formats import rdf_format
from kg.store import GraphStore

__all__ = ["EXPORT_FORMATS", "ExportFormat", "export"]

ExportFormat = Literal["trig", "nq", "ttl", "nt", "jsonld"]
"""An export format by name (also the file suffix that selects it)."""
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)


def export(graph: GraphStore, output: Path, *, format: str | None = None) -> Path:
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
    try:
        chosen = rdf_format(name, allowed=EXPORT_FORMATS)
    except KGError:
        raise KGError(f'unknown export format "{name}": use one of {", ".join(EXPORT_FORMATS)}') from None
    prefixes = graph.ontology.prefixes if chosen.prefixed else None
    try:
        with output.open("wb") as stream:
            if chosen.datasets:
                graph.store.dump(stream, chosen.rdf, prefixes=prefixes)
            else:
                triples = graph.store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
                ox.serialize(triples, stream, format=chosen.rdf, prefixes=prefixes)
    except OSError as exc:
        raise KGError(f"cannot write {output}: {exc}") from exc
    return output
