"""Exporting the graph to a file: as RDF, or as a network for Gephi, Cytoscape and yEd.

- ``trig`` and ``nq`` keep every named graph (one per ingested file, the registry and the
  ontology); ``ttl``, ``nt`` and ``jsonld`` write the union of all graphs as one graph.
- ``graphml`` and ``gexf`` write a projection of the graph (:mod:`kg.analysis`): entities
  as nodes with their ``label``, ``type``, ``types``, ``classes`` (class IRIs) and ``iri``; relations as edges with their
  ``relation``, ``label``, ``iri``, and the statements behind them flattened to plain values,
  since the formats hold no nested structures: ``qualifiers`` (``name: value`` pairs),
  ``sources`` and ``quotes``, several values joined with :data:`SEPARATOR`, and
  ``statements`` (how many). The collaboration and person-film projections carry their
  ``weight``, ``films`` and ``relations`` the same way.
- ``quickstatements`` writes the statements that can go to Wikidata as QuickStatements v1
  commands (:mod:`kg.quickstatements`, whose :func:`~kg.quickstatements.write_quickstatements`
  also reports what was left out).

Every file is written whole or not at all (see :mod:`kg.output`).

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "all.trig"
    >>> export(KnowledgeGraph.memory(), out).name
    'all.trig'
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, get_args

import pyoxigraph as ox

from kg.lazy import lazy
from kg.analysis import Projection, to_networkx
from kg.errors import KGError, UsageError
from kg.formats import rdf_format
from kg.output import written
from kg.quickstatements import write_quickstatements
from kg.statements import Statement
from kg.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy("networkx")

__all__ = ["EXPORT_FORMATS", "NETWORK_FORMATS", "SEPARATOR", "ExportFormat", "export", "export_format"]

ExportFormat = Literal["trig", "nq", "ttl", "nt", "jsonld", "graphml", "gexf", "quickstatements"]
"""An export format by name (also the file suffix that selects it)."""
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)
NETWORK_FORMATS = ("graphml", "gexf")
"""The formats that write a projection of the graph as a network."""
SEPARATOR = " | "
"""Joins several values of one attribute in the network formats."""
_ALIASES = {"turtle": "ttl", "nquads": "nq", "n-quads": "nq", "ntriples": "nt", "json-ld": "jsonld", "qs": "quickstatements"}


def export_format(output: Path, format: str | None = None) -> str:
    """The export format ``format`` names (by default, the one ``output``'s suffix names).

    Raises:
        KGError: an unknown format.

    Examples:
        >>> export_format(Path("all.nq")), export_format(Path("out.qs")), export_format(Path("x"), "Turtle")
        ('nq', 'quickstatements', 'ttl')
        >>> export_format(Path("all.xml"))
        Traceback (most recent call last):
        ...
        kg.errors.KGError: unknown export format "xml": use one of trig, nq, ttl, nt, jsonld, graphml, gexf, quickstatements
    """
    name = (format or output.suffix).strip().lower().lstrip(".")
    name = _ALIASES.get(name, name)
    if name not in EXPORT_FORMATS:
        raise KGError(f'unknown export format "{name}": use one of {", ".join(EXPORT_FORMATS)}')
    return name


def export(
    graph: GraphStore,
    output: Path,
    *,
    format: str | None = None,
    projection: Projection = "entity",
    language: str | None = None,
) -> Path:
    """Write the graph to ``output`` in ``format`` (by default, from the file's suffix).

    Args:
        graph: the knowledge graph.
        output: the file to write; a file there is replaced only once the new one is complete.
        format: ``trig``, ``nq``, ``ttl``, ``nt``, ``jsonld``, ``graphml``, ``gexf`` or ``quickstatements`` (``.qs``).
        projection: for ``graphml`` and ``gexf``: ``entity``, ``collaboration`` or ``person-film``.
        language: for ``quickstatements``: the language of quotes and titles (default ``en``).

    Returns:
        The path written.

    Raises:
        KGError: an unknown format, a path inside the store, or the file cannot be written.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "t.csv").write_text("subject,predicate,object,source\\nSean Baker,directed,Anora,Press kit\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(folder / "t.csv")
        >>> out = export(kg, folder / "all.nt")
        >>> "resource/sean_baker> <https://w3id.org/filmkg/ontology#directed>" in out.read_text()
        True
        >>> network = nx.read_graphml(export(kg, folder / "films.graphml"))
        >>> [(d["relation"], d["sources"]) for _, _, d in network.edges(data=True)]
        [('directed', 'Press kit')]
        >>> export(kg, folder / "all.xml")
        Traceback (most recent call last):
        ...
        kg.errors.KGError: unknown export format "xml": use one of trig, nq, ttl, nt, jsonld, graphml, gexf, quickstatements
    """
    name = export_format(output, format)
    if projection != "entity" and name not in NETWORK_FORMATS:
        raise UsageError(f"`projection` is for the network formats ({', '.join(NETWORK_FORMATS)}), not {name}")
    if language is not None and name != "quickstatements":
        raise UsageError(f"`language` is for the quickstatements format, not {name}")
    if name == "quickstatements":
        return write_quickstatements(graph, output, language=language or "en").output or output
    with written(output, store=graph.store.location) as stream:
        if name in NETWORK_FORMATS:
            _network(graph, stream, name, projection)
        else:
            _rdf(graph, stream, name)
    return output


def _rdf(graph: GraphStore, stream: IO[bytes], name: str) -> None:
    chosen = rdf_format(name)
    prefixes = graph.ontology.prefixes if chosen.prefixed else None
    if chosen.datasets:
        graph.store.dump(stream, chosen.rdf, prefixes=prefixes)
    else:
        triples = graph.store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        ox.serialize(triples, stream, format=chosen.rdf, prefixes=prefixes)


def _network(graph: GraphStore, stream: IO[bytes], name: str, projection: Projection) -> None:
    network = flat_network(to_networkx(graph, projection))
    if name == "graphml":
        nx.write_graphml(network, stream, encoding="utf-8")
    else:
        nx.write_gexf(network, stream, encoding="utf-8", version="1.2draft")


def flat_network(network: nx.Graph) -> nx.Graph:
    """A copy of a projection whose node and edge attributes are plain strings and numbers.

    Examples:
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("a", label="A", types=["Person", "Character"])
        >>> flat_network(g).nodes["a"]
        {'label': 'A', 'types': 'Person | Character', 'iri': 'a'}
    """
    out = network.__class__()
    for node, data in network.nodes(data=True):
        out.add_node(node, **{k: _plain(v) for k, v in data.items()}, iri=node)
    edges: Any = network.edges(keys=True, data=True) if network.is_multigraph() else network.edges(data=True)
    for item in edges:
        u, v, data = item[0], item[1], item[-1]
        attributes = {k: _plain(v) for k, v in data.items() if k != "statements"}
        if "statements" in data:
            attributes.update(_statements(data["statements"]))
        if network.is_multigraph():
            out.add_edge(u, v, key=item[2], **attributes)
        else:
            out.add_edge(u, v, **attributes)
    return out


def _statements(statements: list[Statement]) -> dict[str, Any]:
    qualifiers = [f"{name}: {text}" for s in statements for name, text in s.qualifier_pairs()]
    return {
        "statements": len(statements),
        "qualifiers": SEPARATOR.join(dict.fromkeys(qualifiers)),
        "sources": SEPARATOR.join(dict.fromkeys(src for s in statements for src in s.sources)),
        "quotes": SEPARATOR.join(dict.fromkeys(q for s in statements for q in s.quotes)),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return SEPARATOR.join(str(v) for v in value)
    if value is None:
        return ""
    return value if isinstance(value, (str, int, float, bool)) else str(value)
