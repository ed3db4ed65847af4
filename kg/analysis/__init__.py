"""Network analysis: projections of the RDF graph into networkx, paths, centrality, communities.

- :mod:`kg.analysis.entities`: the entity rules (which nodes are entities, which triples are
  relations between them, their labels and classes), shared by everything below;
- :mod:`kg.analysis.projections`: the ``entity``, ``collaboration`` and ``person-film`` projections;
- :mod:`kg.analysis.explorer`: the entity projection fetched around some entities only;
- :mod:`kg.analysis.paths`: shortest paths and neighbourhoods;
- :mod:`kg.analysis.metrics`: centrality, communities, components and counts.

Examples:
    >>> from kg import KnowledgeGraph
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Anora\\n")
    >>> kg = KnowledgeGraph.memory()
    >>> _ = kg.ingest(p)
    >>> g = entity_graph(kg)
    >>> g.number_of_nodes(), g.number_of_edges()
    (3, 2)
    >>> sorted(collaboration_graph(kg).edges(data="weight"))
    [('https://w3id.org/filmkg/resource/mikey_madison', 'https://w3id.org/filmkg/resource/sean_baker', 1)]
"""

from kg.analysis.explorer import Explorer
from kg.analysis.metrics import EXACT_BETWEENNESS, MEASURES, SAMPLE, SEED, TOP, Measure, centrality, communities, components, stats
from kg.analysis.paths import MAX_PATHS, Hop, Neighbor, PathResult, neighbors, path
from kg.analysis.projections import (
    PROJECTIONS,
    Network,
    Projection,
    collaboration_graph,
    entity_graph,
    person_film_graph,
    statements_of,
    to_networkx,
)

__all__ = [
    "EXACT_BETWEENNESS",
    "MAX_PATHS",
    "MEASURES",
    "PROJECTIONS",
    "SAMPLE",
    "SEED",
    "TOP",
    "Explorer",
    "Hop",
    "Measure",
    "Neighbor",
    "Network",
    "PathResult",
    "Projection",
    "centrality",
    "collaboration_graph",
    "communities",
    "components",
    "entity_graph",
    "neighbors",
    "path",
    "person_film_graph",
    "stats",
    "statements_of",
    "to_networkx",
]
