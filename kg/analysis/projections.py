"""Projections of the RDF graph into networkx: entities, collaborations, people and films.

- ``entity``: a :class:`networkx.MultiDiGraph` of entities (see :mod:`kg.analysis.entities`
  for what counts as one); one edge per (subject, relation, object), keyed by the relation's
  name, carrying its statements.
- ``collaboration``: people linked when they worked on the same film (directly or through a
  part of it, such as a scene), weighted by how many films, with the films and relations on each edge.
- ``person-film``: the bipartite graph of people and the films they worked on.

Which classes are people and films, and which relation makes a scene part of a film, are
read from the ontology (``film:projectionRole``; see :meth:`kg.ontology.Ontology.role`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias, get_args

import pyoxigraph as ox

from kg.lazy import lazy
from kg.analysis.entities import Descriptions, describe, entity_rules
from kg.analysis.scan import scan
from kg.errors import UsageError
from kg.ontology import Ontology
from kg.statements import Key, Statement, read_statements
from kg.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy("networkx")

__all__ = [
    "PROJECTIONS",
    "Network",
    "Projection",
    "collaboration_graph",
    "entity_graph",
    "entity_graph_of",
    "entity_network",
    "entity_relations",
    "person_film_graph",
    "statements_of",
    "to_networkx",
]

Network: TypeAlias = "nx.Graph"
"""A networkx graph (the type of every projection), for modules that do not import networkx."""
Projection = Literal["entity", "collaboration", "person-film"]
"""A projection :func:`to_networkx` can build."""
PROJECTIONS: tuple[str, ...] = get_args(Projection)


def statements_of(
    graph: GraphStore, triples: Iterable[tuple[str, str, str]] | None = None, *, labels: dict[str, str] | None = None
) -> dict[tuple[str, str, str], list[Statement]]:
    """The statements describing (subject, relation, object) IRI triples, keyed by the IRIs.

    Args:
        graph: the knowledge graph.
        triples: the triples; ``None`` for every statement of the graph.
        labels: entity labels already known (the rest are fetched).

    Returns:
        The statements of each triple that has some; see :func:`kg.statements.read_statements`.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> from kg.vocab import FILM, RES
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object,source\\nSean Baker,directed,Anora,Press kit\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> found = statements_of(kg, [(RES + "sean_baker", FILM + "directed", RES + "anora")])
        >>> [s.sources for s in found[RES + "sean_baker", FILM + "directed", RES + "anora"]]
        [('Press kit',)]
    """
    keys: list[Key] | None = None
    if triples is not None:
        keys = [(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) for s, p, o in set(triples)]
        if not keys:
            return {}
    found = read_statements(graph, keys, labels=labels)
    return {(s.value, p.value, _value(o)): items for (s, p, o), items in found.items()}


def _value(term: Any) -> str:
    return str(term.value) if term is not None and hasattr(term, "value") else ""


def entity_graph(graph: GraphStore, *, statements: bool = True, labels: bool = True) -> nx.MultiDiGraph:
    """The entity projection: entities as nodes, relations as edges keyed by relation name.

    Entities with no relation (a character named only as a qualifier) are not nodes; see
    :func:`kg.analysis.stats` for counts of every entity. Node attributes: ``label``,
    ``classes`` (class IRIs), ``types`` (their labels) and ``type`` (the first).
    Edge attributes: ``relation`` (input name), ``iri``, ``label`` and ``statements``: the
    :class:`~kg.statements.Statement` values behind the edge (qualifiers, sources, quotes).
    Relations, classes and labels come from one scan of the store (:func:`kg.analysis.scan.scan`).

    Args:
        graph: the knowledge graph.
        statements: attach the statements to the edges; without them (an empty list on every
            edge) the projection is much faster to build, and :func:`statements_of` fetches
            them for the edges you need.
        labels: read the entities' labels; without them (faster on a big graph) the nodes
            have no ``label``, and :func:`kg.analysis.entities.describe` reads the labels of
            the nodes you need.

    Returns:
        The projection.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> [label for _, label in entity_graph(kg, labels=False).nodes(data="label")]
        [None, None, None]
        >>> g = entity_graph(kg)
        >>> g.number_of_nodes(), g.number_of_edges()
        (3, 2)
        >>> sorted(g.nodes[n]["type"] for n in g)
        ['Film', 'Person', 'Person']
    """
    found = scan(graph, labels=labels)
    return _entity_graph(graph, found.relations, found.described, statements=statements, labels=labels)


def entity_graph_of(
    graph: GraphStore, described: Descriptions, *, statements: bool = True
) -> nx.MultiDiGraph:
    """The entity projection, from descriptions already read (see :func:`entity_graph`).

    Args:
        graph: the knowledge graph.
        described: :func:`kg.analysis.entities.describe` of the whole graph.
        statements: attach the statements to the edges.

    Returns:
        The projection.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> kg = KnowledgeGraph.memory()
        >>> entity_graph_of(kg, describe(kg)).number_of_nodes()
        0
    """
    return _entity_graph(graph, entity_rules(graph.ontology).relations(graph), described, statements=statements)


def entity_relations(
    graph: GraphStore, triples: Iterable[tuple[str, str, str]], described: Descriptions
) -> tuple[list[str], list[tuple[str, str, str, str]]]:
    """The entities and the distinct relations between them, as :meth:`EntityRules.add` keeps them.

    Args:
        graph: the knowledge graph.
        triples: relation triples, before the entity check (see :func:`kg.analysis.scan.scan`).
        described: the classes of (at least) their ends.

    Returns:
        The entities in order of first appearance (subject before object), and the
        (subject, object, relation name, predicate IRI) of each relation, first one kept.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> kg = KnowledgeGraph.memory()
        >>> entity_relations(kg, [("urn:a", "urn:p", "urn:b"), ("urn:a", "urn:p", "urn:b")], Descriptions())[1]
        [('urn:a', 'urn:b', '<urn:p>', 'urn:p')]
    """
    rules = entity_rules(graph.ontology)
    relation = rules.relation
    no_entity = rules.not_entities(described.classes)
    nodes: dict[str, None] = {}
    seen: set[tuple[str, str, str]] = set()
    edges: list[tuple[str, str, str, str]] = []
    for s, p, o in triples:
        if s in no_entity or o in no_entity:
            continue
        nodes[s] = nodes[o] = None  # (in this order: subject first)
        name = relation(p)[0]
        if (s, o, name) not in seen:
            seen.add((s, o, name))
            edges.append((s, o, name, p))
    return list(nodes), edges


def _entity_graph(
    graph: GraphStore,
    triples: Iterable[tuple[str, str, str]],
    described: Descriptions,
    *,
    statements: bool,
    labels: bool = True,
) -> nx.MultiDiGraph:
    """The entity projection of some relation triples (same nodes, edges and order as :meth:`EntityRules.add`)."""
    attached = statements_of(graph, labels=described.labels) if statements else {}
    return entity_network(graph, *entity_relations(graph, triples, described), described, attached, labels=labels)


def entity_network(
    graph: GraphStore,
    nodes: Iterable[str],
    edges: Iterable[tuple[str, str, str, str]],
    described: Descriptions,
    attached: Mapping[tuple[str, str, str], list[Statement]] | None = None,
    *,
    labels: bool = True,
) -> nx.MultiDiGraph:
    """The entity projection of :func:`entity_relations`' entities and relations.

    Args:
        graph: the knowledge graph.
        nodes: the entities.
        edges: the relations, as (subject, object, relation name, predicate IRI).
        described: the entities' classes and labels.
        attached: the statements of each (subject, predicate, object), if read.
        labels: give the nodes a ``label`` (their compact IRI when ``described`` has none).

    Returns:
        The projection (see :func:`entity_graph` for its attributes).

    Examples:
        >>> from kg import KnowledgeGraph
        >>> g = entity_network(KnowledgeGraph.memory(), ["urn:a", "urn:b"], [("urn:a", "urn:b", "p", "urn:p")],
        ...                    Descriptions(labels={"urn:a": "A"}))
        >>> dict(g.nodes(data="label")), list(g.edges(keys=True))
        ({'urn:a': 'A', 'urn:b': '<urn:b>'}, [('urn:a', 'urn:b', 'p')])
    """
    rules = entity_rules(graph.ontology)
    attached = attached or {}
    out = nx.MultiDiGraph()
    out.add_nodes_from((n, rules.node(n, described, label=labels)) for n in nodes)
    out.add_edges_from(
        (s, o, name, {"relation": name, "iri": p, "label": rules.relation(p)[1],
                      "statements": attached.get((s, p, o)) or []})
        for s, o, name, p in edges
    )  # fmt: skip
    return out


class _Work(NamedTuple):
    """The entity graph and, for each person, the films they worked on with the relations used."""

    entities: nx.MultiDiGraph
    worked: dict[str, dict[str, set[str]]]
    people: frozenset[str]
    films: frozenset[str]


def _work(graph: GraphStore) -> _Work:
    entities = entity_graph(graph, statements=False)
    ontology = graph.ontology
    people, films = frozenset(ontology.role("person")), frozenset(ontology.role("film"))
    part_of_film = frozenset(ontology.role("part-of-film"))
    is_person = {n for n, classes in entities.nodes(data="classes") if not people.isdisjoint(classes)}
    is_film = {n for n, classes in entities.nodes(data="classes") if not films.isdisjoint(classes)}
    film_of_part = {u: v for u, v, iri in entities.edges(data="iri") if iri in part_of_film and v in is_film}
    worked: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    labels = entities.nodes(data="label")
    for u, v, relation in entities.edges(data="relation"):
        if u not in is_person:
            continue
        if v in is_film:
            worked[u][v].add(relation)
        elif v in film_of_part:
            worked[u][film_of_part[v]].add(f"{relation} ({labels[v]})")
    return _Work(entities, worked, people, films)


def _role_label(ontology: Ontology, attributes: Mapping[str, Any], role: frozenset[str]) -> str:
    """The label of the node's first class that has the role."""
    return next(ontology.label(c) for c in attributes["classes"] if c in role)


def collaboration_graph(graph: GraphStore) -> nx.Graph:
    """The collaboration projection: people linked when they worked on the same film.

    A person is an entity of a class with the ontology's ``person`` role, a film one with the
    ``film`` role; working on a part of a film (a scene, through the ``part-of-film`` relation)
    counts as working on the film.

    Args:
        graph: the knowledge graph.

    Returns:
        The projection. Node attributes: ``label``, ``classes``, ``types`` and ``type`` (the
        person class's label). Edge attributes: ``weight`` (shared films), ``films`` (their
        labels) and ``relations`` (``person: relation → film`` lines).

    Raises:
        KGError: the ontology gives no class or relation one of the roles.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> sorted(collaboration_graph(kg).edges(data="weight"))
        [('https://w3id.org/filmkg/resource/mikey_madison', 'https://w3id.org/filmkg/resource/sean_baker', 1)]
    """
    entities, worked, people, _ = _work(graph)
    out = nx.Graph()
    for person in worked:
        data = entities.nodes[person]
        out.add_node(
            person, label=data["label"], classes=data["classes"], types=data["types"],
            type=_role_label(graph.ontology, data, people),
        )  # fmt: skip
    by_film: dict[str, list[str]] = defaultdict(list)
    for person, films in worked.items():
        for film in films:
            by_film[film].append(person)
    for film, members in by_film.items():
        film_label = entities.nodes[film]["label"]
        for a, b in combinations(sorted(members), 2):
            lines = [
                f"{entities.nodes[p]['label']}: {', '.join(sorted(worked[p][film]))} → {film_label}" for p in (a, b)
            ]
            if out.has_edge(a, b):
                out[a][b]["weight"] += 1
                out[a][b]["films"].append(film_label)
                out[a][b]["relations"] += lines
            else:
                out.add_edge(a, b, weight=1, films=[film_label], relations=lines)
    return out


def person_film_graph(graph: GraphStore) -> nx.Graph:
    """The bipartite person–film projection (see :func:`collaboration_graph` for who counts).

    Args:
        graph: the knowledge graph.

    Returns:
        The projection. Node attributes: ``label``, ``classes``, ``type`` (the person or film
        class's label) and ``bipartite`` (0 people, 1 films). Edge attributes: ``relations``
        (how the person worked on the film) and ``weight`` (how many).

    Raises:
        KGError: the ontology gives no class or relation one of the roles.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> g = person_film_graph(kg)
        >>> sorted((g.nodes[n]["label"], g.nodes[n]["bipartite"]) for n in g)
        [('Anora', 1), ('Mikey Madison', 0), ('Sean Baker', 0)]
        >>> sorted(relations for _, _, relations in g.edges(data="relations"))
        [['acted-in'], ['directed']]
    """
    entities, worked, people, films = _work(graph)
    ontology = graph.ontology
    out = nx.Graph()
    for person, worked_on in worked.items():
        data = entities.nodes[person]
        out.add_node(
            person, label=data["label"], classes=data["classes"], type=_role_label(ontology, data, people), bipartite=0
        )
        for film, relations in worked_on.items():
            data = entities.nodes[film]
            out.add_node(
                film, label=data["label"], classes=data["classes"], type=_role_label(ontology, data, films), bipartite=1
            )
            out.add_edge(person, film, relations=sorted(relations), weight=len(relations))
    return out


def to_networkx(graph: GraphStore, projection: Projection = "entity", *, statements: bool = True) -> nx.Graph:
    """The named projection: ``entity``, ``collaboration`` or ``person-film``.

    Args:
        graph: the knowledge graph.
        projection: which projection.
        statements: for ``entity``, attach statements to edges (see :func:`entity_graph`).

    Returns:
        The projection.

    Raises:
        KGError: an unknown projection.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> to_networkx(KnowledgeGraph.memory(), "person-film").number_of_nodes()
        0
        >>> to_networkx(KnowledgeGraph.memory(), "films")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        kg.errors.UsageError: unknown projection "films": use one of entity, collaboration, person-film
    """
    if projection == "entity":
        return entity_graph(graph, statements=statements)
    builders = {"collaboration": collaboration_graph, "person-film": person_film_graph}
    if projection not in builders:
        raise UsageError(f'unknown projection "{projection}": use one of {", ".join(PROJECTIONS)}')
    return builders[projection](graph)
