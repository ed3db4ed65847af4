"""Measures of a projection: centrality, communities, connected components, and counts of the graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Literal, get_args


from kg.lazy import lazy
from kg.analysis.entities import Descriptions, describe, entity_rules
from kg.analysis.projections import Projection, entity_graph, entity_network, entity_relations, to_networkx
from kg.analysis.scan import scan
from kg.errors import UsageError
from kg.registry import sources as registry_sources
from kg.store import GraphStore
from kg.vocab import RDF_PREDICATE

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy("networkx")

if TYPE_CHECKING:
    import pandas

__all__ = ["EXACT_BETWEENNESS", "MEASURES", "SAMPLE", "SEED", "TOP", "Measure", "centrality", "communities", "components", "stats"]

Measure = Literal["degree", "betweenness", "pagerank"]
"""A centrality measure :func:`centrality` computes."""
MEASURES: tuple[str, ...] = get_args(Measure)
TOP = 10
"""How many entities :func:`centrality` ranks by default."""
SEED = 42
"""The random seed of :func:`communities` by default, for repeatable results."""
EXACT_BETWEENNESS = 5000
"""Above this many nodes, :func:`centrality` approximates betweenness from :data:`SAMPLE` sources unless told otherwise."""
SAMPLE = 100
"""How many source nodes approximate betweenness by default (each costs one shortest-path search of the graph)."""
_DESCRIBE_AT_MOST = 20_000
"""Up to this many nodes, their labels are read by node (in batches); more, in one query for all."""
_UNTYPED = "(untyped)"


def _simple(g: nx.Graph) -> nx.Graph:
    """An undirected simple graph, multi-edges merged into a ``weight``."""
    if not g.is_multigraph() and not g.is_directed():
        return g
    out = nx.Graph()
    out.add_nodes_from(g.nodes(data=True))
    for u, v, data in g.edges(data=True):
        weight = data.get("weight", 1)
        if out.has_edge(u, v):
            out[u][v]["weight"] += weight
        else:
            out.add_edge(u, v, weight=weight)
    return out


def centrality(
    graph: GraphStore,
    *,
    measure: Measure = "degree",
    projection: Projection = "entity",
    top: int | None = TOP,
    sample: int | None = None,
) -> pandas.DataFrame:
    """Rank entities by ``degree``, ``betweenness`` or ``pagerank`` centrality on a projection.

    Exact betweenness costs a shortest-path search from every node; on a projection of more
    than :data:`EXACT_BETWEENNESS` nodes it is approximated from :data:`SAMPLE` source nodes
    (networkx's ``betweenness_centrality(k=…)``, seeded with :data:`SEED`, so repeatable)
    unless ``sample`` says otherwise. The frame's ``attrs["sample"]`` holds the number of
    sources used when the scores were approximated, and is ``None`` when they are exact.

    Args:
        graph: the knowledge graph.
        measure: the centrality measure.
        projection: which projection (see :func:`kg.analysis.to_networkx`).
        top: only the ``top`` best (all when ``None``).
        sample: for ``betweenness``: how many source nodes approximate it (``0`` for the
            exact scores; ``None`` to decide by the projection's size, as above).

    Returns:
        A DataFrame with columns entity, label, type, score (highest first, then by label).

    Raises:
        KGError: an unknown measure or projection, or a ``sample`` that is negative or given for another measure.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> centrality(kg)[["label", "score"]].values.tolist()
        [['Anora', 1.0], ['Mikey Madison', 0.5], ['Sean Baker', 0.5]]
        >>> centrality(kg, measure="pagerank", projection="collaboration", top=1)["score"].tolist()
        [0.5]
        >>> frame = centrality(kg, measure="betweenness", sample=2)
        >>> frame.attrs["sample"], frame["label"].tolist()[0]
        (2, 'Anora')
        >>> centrality(kg, measure="betweenness").attrs["sample"] is None
        True
    """
    import pandas

    if measure not in MEASURES:
        raise UsageError(f'unknown measure "{measure}": use one of {", ".join(MEASURES)}')
    if sample is not None and (sample < 0 or measure != "betweenness"):
        raise UsageError("`sample` is a number of source nodes (0 or more), for the betweenness measure only")
    unlabelled = projection == "entity"  # (labels are read below for the entities ranked)
    used = None
    if unlabelled and measure == "degree":  # (no graph needed)
        scores, type_of = _degree_centrality(graph)
    else:
        g = to_networkx(graph, projection) if not unlabelled else entity_graph(graph, statements=False, labels=False)
        type_of = partial(_type_in, g)
        if measure == "degree":
            scores = nx.degree_centrality(g)
        elif measure == "betweenness":
            used = _sample(g.number_of_nodes(), sample)
            scores = nx.betweenness_centrality(_simple(g), k=used, seed=SEED if used else None)
        else:
            scores = nx.pagerank(g if not g.is_multigraph() else nx.DiGraph(g)) if g.number_of_nodes() else {}
    ranked = sorted(((round(float(score), 6), node) for node, score in scores.items()), key=lambda r: -r[0])
    if top and len(ranked) > top:  # the best, and every node tied with the last of them (ties go by label)
        ranked = [r for r in ranked if r[0] >= ranked[top - 1][0]]
    nodes = [node for _, node in ranked]
    labels = _labels(graph, nodes) if unlabelled else {node: g.nodes[node].get("label") for node in nodes}
    rows = [(node, labels[node], type_of(node), score) for score, node in ranked]
    rows.sort(key=lambda r: (-r[3], r[1]))
    frame = pandas.DataFrame(rows[:top] if top else rows, columns=["entity", "label", "type", "score"])
    frame.attrs["sample"] = used
    return frame


def _degree_centrality(graph: GraphStore) -> tuple[dict[str, float], Callable[[str], str]]:
    """Degree centrality on the entity projection, as networkx's, from its edges alone; and the
    type of an entity (its first class's label), for the rows."""
    found = scan(graph, labels=False)
    nodes, edges = entity_relations(graph, found.relations, found.described)
    degree = dict.fromkeys(nodes, 0)
    for s, o, _, _ in edges:
        degree[s] += 1
        degree[o] += 1
    scale = 1 / (len(nodes) - 1) if len(nodes) > 1 else 1
    scores = {n: d * scale for n, d in degree.items()} if len(nodes) > 1 else dict.fromkeys(nodes, 1.0)
    rules, described = entity_rules(graph.ontology), found.described
    return scores, lambda node: str(rules.node(node, described, label=False)["type"])


def _type_in(g: nx.Graph, node: str) -> str:
    """An entity's type, as a projection's node holds it."""
    return str(g.nodes[node].get("type", ""))


def _sample(nodes: int, sample: int | None) -> int | None:
    """How many sources approximate betweenness on ``nodes`` nodes (``None``: exact)."""
    if sample is None:
        sample = SAMPLE if nodes > EXACT_BETWEENNESS else 0
    return sample if 0 < sample < nodes else None


def _labels(graph: GraphStore, nodes: list[str]) -> dict[str, str]:
    """The labels of some nodes of an entity graph built without them (see :func:`entity_graph`)."""
    described = describe(graph, nodes) if len(nodes) <= _DESCRIBE_AT_MOST else describe(graph)
    rules = entity_rules(graph.ontology)
    return {node: rules.label(node, described) for node in nodes}


def communities(
    graph: GraphStore, *, projection: Projection = "collaboration", resolution: float = 1.0, seed: int = SEED
) -> pandas.DataFrame:
    """Louvain communities (as networkx ships it) of a projection, listed by member.

    Args:
        graph: the knowledge graph.
        projection: which projection (see :func:`kg.analysis.to_networkx`).
        resolution: higher gives smaller communities.
        seed: the random seed, for repeatable results.

    Returns:
        A DataFrame with columns community (0 = largest), size, entity, label, type.

    Raises:
        KGError: an unknown projection.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> communities(kg)[["community", "label"]].values.tolist()
        [[0, 'Mikey Madison'], [0, 'Sean Baker']]
    """
    import pandas

    g = _simple(to_networkx(graph, projection, statements=False))
    found = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed) if g else []
    ordered = sorted(found, key=lambda c: (-len(c), min(g.nodes[n].get("label", n) for n in c)))
    rows = [
        (number, len(members), node, g.nodes[node].get("label", node), g.nodes[node].get("type", ""))
        for number, members in enumerate(ordered)
        for node in sorted(members, key=lambda n: g.nodes[n].get("label", n))
    ]
    return pandas.DataFrame(rows, columns=["community", "size", "entity", "label", "type"])


def components(graph: GraphStore, *, projection: Projection = "entity", top: int | None = None) -> pandas.DataFrame:
    """Connected components (weakly, for the directed entity graph), largest first.

    Args:
        graph: the knowledge graph.
        projection: which projection (see :func:`kg.analysis.to_networkx`).
        top: only the ``top`` largest (all when ``None``).

    Returns:
        A DataFrame with columns component, size, hub (its best-connected member) and members (labels).

    Raises:
        KGError: an unknown projection.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Scream\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> sorted(components(kg)["members"])
        ['Anora, Sean Baker', 'Mikey Madison, Scream']
        >>> components(kg, top=1)["size"].tolist()
        [2]
    """
    import pandas

    g = _simple(to_networkx(graph, projection, statements=False))
    rows = []
    for number, members in enumerate(sorted(nx.connected_components(g), key=len, reverse=True)):
        hub = max(members, key=lambda n: (g.degree(n), n))
        labels = sorted(g.nodes[n].get("label", n) for n in members)
        rows.append((number, len(members), g.nodes[hub].get("label", hub), ", ".join(labels)))
    return pandas.DataFrame(rows[:top] if top else rows, columns=["component", "size", "hub", "members"])


def stats(graph: GraphStore) -> dict[str, pandas.DataFrame]:
    """Counts by class (every entity, also those named only as qualifier values) and by relation,
    the entity graph's size and density, and the sources.

    Args:
        graph: the knowledge graph.

    Returns:
        DataFrames by name: ``summary`` (measure, value), ``classes`` (class, entities),
        ``relations`` (relation, edges, statements) and ``sources``.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object,character\\nMikey Madison,acted-in,Anora,Ani\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> frames = stats(kg)
        >>> frames["classes"].values.tolist()
        [['Character', 1], ['Film', 1], ['Person', 1]]
        >>> frames["relations"].values.tolist()
        [['acted-in', 1, 1]]
        >>> dict(frames["summary"].values.tolist())["entities with relations"]
        2
    """
    import pandas

    found = scan(graph, labels=False)
    nodes, edges = entity_relations(graph, found.relations, found.described)
    everyone = _entities(graph, found.described, nodes)
    sources = registry_sources(graph)
    linked = nx.utils.UnionFind(nodes)  # (weakly connected components of the entity graph)
    for s, o, _, _ in edges:
        linked.union(s, o)
    n, m = len(nodes), len(edges)
    summary = [
        ("entities", len(everyone)),
        ("entities with relations", n),
        ("relations (edges)", m),
        ("density", round(m / (n * (n - 1)), 6) if n > 1 else 0.0),  # (as networkx's, for a directed graph)
        ("weakly connected components", len({linked[node] for node in nodes})),
        ("sources", len(sources)),
        ("quads in store", len(graph.store)),
    ]
    return {
        "summary": pandas.DataFrame(summary, columns=["measure", "value"], dtype=object),
        "classes": pandas.DataFrame(_class_rows(graph, everyone), columns=["class", "entities"]),
        "relations": pandas.DataFrame(_relation_rows(graph, edges), columns=["relation", "edges", "statements"]),
        "sources": pandas.DataFrame(
            [(s.name, s.rows, s.triples, s.statements) for s in sources],
            columns=["source", "rows", "triples", "statements"],
        ),
    }


def _entities(graph: GraphStore, described: Descriptions, nodes: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The classes of every entity: the typed nodes that may be entities, and the entity graph's nodes."""
    no_entity = entity_rules(graph.ontology).not_entities(described.classes)
    everyone = {e: c for e, c in described.classes.items() if e not in no_entity}
    for node in nodes:
        everyone.setdefault(node, described.classes.get(node, ()))
    return everyone


def _class_rows(graph: GraphStore, everyone: Mapping[str, tuple[str, ...]]) -> list[tuple[str, int]]:
    """(class label, entities) by class IRI, most entities first; ``(untyped)`` counts entities with no class."""
    counts: dict[str, int] = defaultdict(int)
    for classes in everyone.values():
        for c in classes or (_UNTYPED,):
            counts[c] += 1
    rows = [(c if c == _UNTYPED else graph.ontology.label(c), count, c) for c, count in counts.items()]
    return [(label, count) for label, count, _ in sorted(rows, key=lambda x: (-x[1], x[0], x[2]))]


def _relation_rows(graph: GraphStore, edges: Iterable[tuple[str, str, str, str]]) -> list[tuple[str, int, int]]:
    """(relation, edges, statements) of every relation of the entity graph, most edges first."""
    statement_counts = {
        row[0].value: int(row[1].value)
        for row in graph.store.select(
            f"SELECT ?p (COUNT(DISTINCT ?st) AS ?n) WHERE {{ ?st <{RDF_PREDICATE}> ?p }} GROUP BY ?p"
        )
    }
    relations: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _, _, name, iri in edges:
        if name not in relations:
            relations[name][1] = statement_counts.get(iri, 0)
        relations[name][0] += 1
    return sorted(((k, v[0], v[1]) for k, v in relations.items()), key=lambda x: (-x[1], x[0]))
