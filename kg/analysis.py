"""Network analysis: projections of the RDF graph into networkx, paths, centrality, communities.

Three projections:

- ``entity``: a :class:`networkx.MultiDiGraph` of entities; one edge per (subject,
  relation, object), keyed by the relation's name, carrying its statements'
  qualifiers, sources and quotes. Literals, statement nodes and sources are not nodes.
- ``collaboration``: people linked when they worked on the same film (directly or
  through a scene of it), weighted by how many films, with the films and relations on each edge.
- ``person-film``: the bipartite graph of people and the films they worked on.

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

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations, islice
from typing import TYPE_CHECKING, Any, Literal, get_args

import networkx as nx
import pyoxigraph as ox

from kg.entity import resolve
from kg.errors import KGError, UsageError
from kg.registry import sources as registry_sources
from kg.statements import Key, Statement, labels_for, read_statements
from kg.store import GraphStore
from kg.vocab import FILM, ONTOLOGY_GRAPH, REGISTRY_GRAPH

if TYPE_CHECKING:
    import pandas

__all__ = [
    "MEASURES",
    "Network",
    "PROJECTIONS",
    "Explorer",
    "Hop",
    "PathResult",
    "centrality",
    "collaboration_graph",
    "communities",
    "components",
    "entity_graph",
    "neighbors",
    "path",
    "person_film_graph",
    "stats",
    "to_networkx",
]

Network = nx.Graph
"""A networkx graph (the type of every projection), for modules that do not import networkx."""
Projection = Literal["entity", "collaboration", "person-film"]
"""A projection :func:`to_networkx` can build."""
PROJECTIONS: tuple[str, ...] = get_args(Projection)
Measure = Literal["degree", "betweenness", "pagerank"]
"""A centrality measure :func:`centrality` computes."""
MEASURES: tuple[str, ...] = get_args(Measure)
MAX_PATHS = 3
"""How many paths :func:`path` gives by default."""
TOP = 10
"""How many entities :func:`centrality` ranks by default."""
SEED = 42
"""The random seed of :func:`communities` by default, for repeatable results."""

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_PROV = "http://www.w3.org/ns/prov#"
_EXCLUDED_PREDICATES = (
    _RDF + "type", _RDF + "subject", _RDF + "predicate", _RDF + "object", _PROV + "wasDerivedFrom",
    "https://schema.org/url", _RDFS + "label",
)  # fmt: skip
_NOT_ENTITIES = (FILM + "Source", FILM + "SourceFile", _RDF + "Statement")


def _graphs_filter() -> str:
    return f"FILTER(?g NOT IN (<{ONTOLOGY_GRAPH}>, <{REGISTRY_GRAPH}>))"


def _labels_and_types(graph: GraphStore) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Every IRI's label (the smallest, when several) and class labels, from the data graphs."""
    labels: dict[str, str] = {}
    for e, label in _pairs(graph, f"<{_RDFS}label>", literal=True):
        if e not in labels or label < labels[e]:
            labels[e] = label
    types: dict[str, list[str]] = defaultdict(list)
    for e, t in sorted(set(_pairs(graph, f"<{_RDF}type>"))):
        types[e].append(graph.ontology.label(t))
    return labels, dict(types)


def _pairs(graph: GraphStore, predicate: str, *, literal: bool = False) -> list[tuple[str, str]]:
    """(subject, object) value pairs of one predicate in the data graphs (not the ontology or registry)."""
    kind = "isLITERAL" if literal else "isIRI"
    rows = graph.store.select(
        f"SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s {predicate} ?o }} {_graphs_filter()} FILTER({kind}(?o)) }}"
    )
    return [(row[0].value, row[1].value) for row in rows]


def _value(term: Any) -> str:
    return str(term.value) if term is not None and hasattr(term, "value") else ""


def _text(graph: GraphStore, term: Any, labels: dict[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        return labels.get(term.value) or graph.ontology.label(term.value)
    return _value(term)


def statements_of(
    graph: GraphStore, triples: Iterable[tuple[str, str, str]] | None = None, *, labels: dict[str, str] | None = None
) -> dict[tuple[str, str, str], list[Statement]]:
    """The statements describing (subject, relation, object) IRI triples (all of them when ``None``),
    keyed by the IRIs; see :func:`kg.statements.read_statements`."""
    keys: list[Key] | None = None
    if triples is not None:
        keys = [(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) for s, p, o in set(triples)]
        if not keys:
            return {}
    found = read_statements(graph, keys, labels=labels)
    return {(s.value, p.value, _value(o)): items for (s, p, o), items in found.items()}


def entity_graph(graph: GraphStore, *, statements: bool = True) -> nx.MultiDiGraph:
    """The entity projection: entities as nodes, relations as edges keyed by relation name.

    Entities with no relation (a character named only as a qualifier) are not nodes; see
    :func:`stats` for counts of every entity. Node attributes: ``label``, ``types`` (class
    labels) and ``type`` (the first).
    Edge attributes: ``relation`` (input name), ``iri``, ``label`` and ``statements``: one
    dict per statement with its qualifiers by name and its ``source`` and ``quote``.

    Args:
        graph: the knowledge graph.
        statements: attach the statements to the edges; without them (an empty list on every
            edge) the projection is much faster to build, and :func:`statements_of` fetches
            them for the edges you need.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> entity_graph(KnowledgeGraph.memory()).number_of_nodes()
        0
    """
    return _entity_graph(graph, *_labels_and_types(graph), statements=statements)


def _entity_graph(
    graph: GraphStore, labels: dict[str, str], types: dict[str, list[str]], *, statements: bool
) -> nx.MultiDiGraph:
    not_entities = {graph.ontology.label(c) for c in _NOT_ENTITIES}
    skipped = {p for p in _EXCLUDED_PREDICATES} | {q.iri for q in graph.ontology.qualifiers}
    excluded = ", ".join(f"<{p}>" for p in sorted(skipped))
    rows = graph.store.select(
        f"""SELECT ?s ?p ?o WHERE {{
              GRAPH ?g {{ ?s ?p ?o }} {_graphs_filter()}
              FILTER(isIRI(?o) && ?p NOT IN ({excluded}))
            }}"""
    )
    attached = statements_of(graph, labels=labels) if statements else {}
    out = nx.MultiDiGraph()
    relation_names: dict[str, tuple[str, str]] = {}
    for s_term, p_term, o_term in rows:
        if not isinstance(s_term, ox.NamedNode):
            continue
        s, p, o = s_term.value, p_term.value, o_term.value
        if not_entities.intersection(types.get(s, ())) or not_entities.intersection(types.get(o, ())):
            continue
        for node in (s, o):
            if node not in out:
                node_types = types.get(node, [])
                out.add_node(
                    node, label=labels.get(node) or graph.ontology.compact(node), types=node_types,
                    type=node_types[0] if node_types else "",
                )
        if p not in relation_names:
            prop = graph.ontology.properties.get(p)
            relation_names[p] = (prop.name if prop else graph.ontology.compact(p), graph.ontology.label(p))
        name, label = relation_names[p]
        if out.has_edge(s, o, key=name):
            continue
        out.add_edge(s, o, key=name, relation=name, iri=p, label=label, statements=attached.get((s, p, o), []))
    return out


def _people_films(graph: GraphStore) -> tuple[nx.MultiDiGraph, dict[str, dict[str, set[str]]]]:
    """The entity graph and, for each person, the films they worked on with the relations used."""
    entities = entity_graph(graph, statements=False)
    scene_of = FILM + "sceneOf"
    film_of_scene = {
        u: v for u, v, data in entities.edges(data=True) if data["iri"] == scene_of and "Film" in entities.nodes[v]["types"]
    }
    worked: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for u, v, data in entities.edges(data=True):
        if "Person" not in entities.nodes[u]["types"]:
            continue
        if "Film" in entities.nodes[v]["types"]:
            worked[u][v].add(data["relation"])
        elif v in film_of_scene:
            worked[u][film_of_scene[v]].add(f"{data['relation']} ({entities.nodes[v]['label']})")
    return entities, worked


def collaboration_graph(graph: GraphStore) -> nx.Graph:
    """The collaboration projection: people linked when they worked on the same film.

    Edge attributes: ``weight`` (shared films), ``films`` (their labels) and ``relations``
    (``person: relation -> film`` lines).
    """
    entities, worked = _people_films(graph)
    out = nx.Graph()
    for person in worked:
        out.add_node(person, label=entities.nodes[person]["label"], types=entities.nodes[person]["types"], type="Person")
    by_film: dict[str, list[str]] = defaultdict(list)
    for person, films in worked.items():
        for film in films:
            by_film[film].append(person)
    for film, people in by_film.items():
        film_label = entities.nodes[film]["label"]
        for a, b in combinations(sorted(people), 2):
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
    """The bipartite person–film projection (node attribute ``bipartite``: 0 people, 1 films).

    Edge attribute ``relations``: how the person worked on the film.
    """
    entities, worked = _people_films(graph)
    out = nx.Graph()
    for person, films in worked.items():
        out.add_node(person, label=entities.nodes[person]["label"], type="Person", bipartite=0)
        for film, relations in films.items():
            out.add_node(film, label=entities.nodes[film]["label"], type="Film", bipartite=1)
            out.add_edge(person, film, relations=sorted(relations), weight=len(relations))
    return out


def to_networkx(graph: GraphStore, projection: Projection = "entity", *, statements: bool = True) -> nx.Graph:
    """The named projection: ``entity``, ``collaboration`` or ``person-film``.

    Args:
        graph: the knowledge graph.
        projection: which projection.
        statements: for ``entity``, attach statements to edges (see :func:`entity_graph`).

    Raises:
        KGError: an unknown projection.
    """
    if projection == "entity":
        return entity_graph(graph, statements=statements)
    builders = {"collaboration": collaboration_graph, "person-film": person_film_graph}
    if projection not in builders:
        raise UsageError(f'unknown projection "{projection}": use one of {", ".join(PROJECTIONS)}')
    return builders[projection](graph)


@dataclass(frozen=True)
class Hop:
    """One step of a path: ``subject --relation--> object``, walked ``forward`` or backward, with every
    statement behind it (its qualifiers, sources and quotes)."""

    subject: str
    relation: str
    object: str
    forward: bool
    statements: tuple[Statement, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source behind the hop, once each."""
        return tuple(dict.fromkeys(src for st in self.statements for src in st.sources))

    @property
    def quotes(self) -> tuple[str, ...]:
        """Every quote behind the hop, once each."""
        return tuple(dict.fromkeys(q for st in self.statements for q in st.quotes))

    def __str__(self) -> str:
        text = f"{self.subject} —{self.relation}→ {self.object}"
        for number, statement in enumerate(self.statements):
            extra = ", ".join(f"{k}: {v}" for k, v in statement.qualifier_pairs())
            if extra:
                text += f"  [{extra}]" if number == 0 else f"\n      [{extra}]"
            for source in statement.sources:
                text += f"\n      source: {source}"
            for quote in statement.quotes:
                text += f"\n      quote: “{quote}”"
        return text


@dataclass(frozen=True)
class PathResult:
    """The shortest connections between two entities, or, when there is none, their components."""

    start: str
    end: str
    paths: list[list[Hop]]
    components: tuple[str, str] = ("", "")

    def __str__(self) -> str:
        if self.paths == [[]]:
            return f"{self.start} and {self.end} are the same entity"
        if not self.paths:
            return (
                f"no connection between {self.start} and {self.end}: they are in different components\n"
                f"  {self.start}: {self.components[0]}\n  {self.end}: {self.components[1]}"
            )
        lines = []
        for number, hops in enumerate(self.paths, 1):
            lines.append(f"path {number} ({len(hops)} hop{'s' if len(hops) != 1 else ''}):")
            lines += [f"  {hop}" for hop in hops]
        return "\n".join(lines)


def _edges_between(entities: nx.MultiDiGraph, a: str, b: str) -> list[tuple[str, str, str]]:
    """The (subject, predicate IRI, object) triples joining two entities, either way."""
    out = []
    for u, v in ((a, b), (b, a)):
        for data in (entities.get_edge_data(u, v) or {}).values():
            out.append((u, data["iri"], v))
    return out


def _hop(
    entities: nx.MultiDiGraph, a: str, b: str, attached: dict[tuple[str, str, str], list[Statement]]
) -> Hop:
    forward = entities.has_edge(a, b)
    u, v = (a, b) if forward else (b, a)
    options = sorted(
        entities.get_edge_data(u, v).values(), key=lambda d: (not attached.get((u, d["iri"], v)), d["relation"])
    )
    data = options[0]
    return Hop(
        subject=entities.nodes[u]["label"], relation=data["label"], object=entities.nodes[v]["label"],
        forward=forward, statements=tuple(attached.get((u, data["iri"], v), [])),
    )


class Explorer:
    """The entity projection around some entities, fetched as needed rather than built whole.

    ``expand(nodes)`` fetches every entity edge of ``nodes`` (either direction) with the same
    rules as :func:`entity_graph`, adds them and the entities they reach (with labels and
    types) to ``self.g``, and marks ``nodes`` as closed: their edges are all known. Paths and
    neighbourhoods then need only the part of a large graph around the entities asked about.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> explorer = Explorer(kg)
        >>> sorted(explorer.g.nodes[n]["label"] for n in explorer.expand({"https://w3id.org/filmkg/resource/anora"}))
        ['Mikey Madison', 'Sean Baker']
    """

    BATCH = 400

    def __init__(self, graph: GraphStore) -> None:
        self.graph = graph
        self.g = nx.MultiDiGraph()
        self.closed: set[str] = set()
        self._not_entities = {graph.ontology.label(c) for c in _NOT_ENTITIES}
        skipped = set(_EXCLUDED_PREDICATES) | {q.iri for q in graph.ontology.qualifiers}
        self._excluded = ", ".join(f"<{p}>" for p in sorted(skipped))
        self._described: dict[str, tuple[str, list[str]]] = {}
        self._relation_names: dict[str, tuple[str, str]] = {}

    def expand(self, nodes: Iterable[str]) -> set[str]:
        """Fetch every entity edge of ``nodes`` (IRIs), in batches of :attr:`BATCH` per query.

        Args:
            nodes: entity IRIs; those already closed are skipped.

        Returns:
            The entities next to ``nodes`` (either direction), also those known before.
        """
        wanted = set(nodes)
        todo = sorted(wanted - self.closed)
        for start in range(0, len(todo), self.BATCH):
            batch = todo[start : start + self.BATCH]
            values = " ".join(f"<{n}>" for n in batch)
            rows = self.graph.store.select(
                f"""SELECT ?s ?p ?o WHERE {{
                      {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}
                      UNION {{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}
                      {_graphs_filter()} FILTER(isIRI(?s) && isIRI(?o) && ?p NOT IN ({self._excluded}))
                    }}""",
            )
            triples = sorted({(r[0].value, r[1].value, r[2].value) for r in rows})
            self._describe({n for t in triples for n in (t[0], t[2])} | set(batch))
            for s, p, o in triples:
                self._add(s, p, o)
            self.closed.update(batch)
        view = self.g.to_undirected(as_view=True)
        return {n for f in wanted if f in self.g for n in view.neighbors(f)}

    def _describe(self, iris: set[str]) -> None:
        """Labels and types of entities not seen yet (from the data graphs, as :func:`entity_graph`)."""
        wanted = sorted(iris - self._described.keys())
        for start in range(0, len(wanted), self.BATCH):
            batch = wanted[start : start + self.BATCH]
            values = " ".join(f"<{n}>" for n in batch)
            rows = self.graph.store.select(
                f"""SELECT ?e ?p ?v WHERE {{
                      VALUES ?e {{ {values} }} GRAPH ?g {{ ?e ?p ?v }}
                      FILTER(?p IN (<{_RDFS}label>, <{_RDF}type>)) {_graphs_filter()}
                    }}""",  # (a second VALUES for ?p makes Oxigraph scan: 6 s instead of 10 ms)
            )
            labels: dict[str, str] = {}
            types: dict[str, set[str]] = defaultdict(set)
            for e_term, p_term, v_term in rows:
                e, v = e_term.value, v_term.value
                if p_term.value == _RDF + "type":
                    if isinstance(v_term, ox.NamedNode):
                        types[e].add(v)
                elif isinstance(v_term, ox.Literal) and (e not in labels or v < labels[e]):
                    labels[e] = v
            for e in batch:
                self._described[e] = (
                    labels.get(e) or self.graph.ontology.compact(e),
                    [self.graph.ontology.label(t) for t in sorted(types.get(e, ()))],
                )

    def _add(self, s: str, p: str, o: str) -> None:
        for node in (s, o):
            if self._not_entities.intersection(self._described[node][1]):
                return
        for node in (s, o):
            if node not in self.g:
                label, node_types = self._described[node]
                self.g.add_node(node, label=label, types=node_types, type=node_types[0] if node_types else "")
        if p not in self._relation_names:
            prop = self.graph.ontology.properties.get(p)
            self._relation_names[p] = (
                prop.name if prop else self.graph.ontology.compact(p), self.graph.ontology.label(p)
            )
        name, label = self._relation_names[p]
        if not self.g.has_edge(s, o, key=name):
            self.g.add_edge(s, o, key=name, relation=name, iri=p, label=label, statements=[])

    def label(self, node: str) -> str:
        """The label of any entity, also one with no relations (its compact IRI when it has no label)."""
        self._describe({node})
        return self._described[node][0]

    def component(self, node: str, *, limit: int) -> tuple[set[str], bool]:
        """The component of ``node``, expanding until it is closed or has more than ``limit`` entities.

        Returns:
            Its members (as far as explored) and whether that is the whole component.
        """
        members = {node}
        frontier = {node}
        while frontier and len(members) <= limit:
            frontier = self.expand(frontier) - members
            members |= frontier
        return members, not frontier


_COMPONENT_LIMIT = 5_000
"""``path`` describes the component of an unconnected entity by exploring at most this many entities."""


def _describe_component(explorer: Explorer, node: str) -> str:
    members, complete = explorer.component(node, limit=_COMPONENT_LIMIT)
    if not complete:
        return f"a component of more than {_COMPONENT_LIMIT:,} entities"
    if node not in explorer.g:
        return f"a component of 1 entity around {explorer.label(node)}"
    sub = nx.Graph(explorer.g.subgraph(members).to_undirected(as_view=True))
    hub = max(members, key=lambda n: (sub.degree(n), n))
    count = len(members)
    return f"a component of {count} entit{'y' if count == 1 else 'ies'} around {explorer.g.nodes[hub]['label']}"


def path(graph: GraphStore, a: str, b: str, *, max_paths: int = MAX_PATHS) -> PathResult:
    """The shortest connections between two entities in the entity projection, each hop with its source.

    Args:
        graph: the knowledge graph.
        a: the first entity (name, label, CURIE or IRI).
        b: the second entity.
        max_paths: at most this many paths, shortest first.

    Returns:
        A :class:`PathResult`; its ``paths`` is empty when the two are not connected.

    Raises:
        NotFoundError: an unknown entity.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> [str(h) for h in path(kg, "Sean Baker", "Mikey Madison").paths[0]]
        ['Sean Baker —directed→ Anora', 'Mikey Madison —acted in→ Anora']
    """
    if max_paths < 1:
        raise UsageError("`max_paths` must be at least 1")
    start, end = resolve(graph, a), resolve(graph, b)
    explorer = Explorer(graph)
    label = {start: explorer.label(start), end: explorer.label(end)}
    if start == end:
        return PathResult(label[start], label[end], [[]])
    found, entities = _shortest_paths(explorer, start, end, max_paths)
    if not found:
        return PathResult(
            label[start], label[end], [],
            (_describe_component(explorer, start), _describe_component(explorer, end)),
        )
    attached = statements_of(graph, [t for p in found for x, y in zip(p, p[1:]) for t in _edges_between(entities, x, y)])
    return PathResult(
        label[start], label[end], [[_hop(entities, x, y, attached) for x, y in zip(p, p[1:])] for p in found]
    )


_TIES = 200
"""How many paths as long as the last one wanted are ranked by label, so that ties come out the same every run."""


def _k_shortest(labelled: nx.MultiDiGraph, undirected: nx.Graph, start: str, end: str, count: int) -> list[list[str]]:
    """The ``count`` shortest simple paths; among equally long ones, those whose labels sort first."""
    paths = nx.shortest_simple_paths(undirected, start, end)
    found = list(islice(paths, count))
    if len(found) == count:
        longest = len(found[-1])
        for extra in islice(paths, _TIES):
            if len(extra) > longest:
                break
            found.append(extra)

    def key(p: list[str]) -> tuple[int, list[str], list[str]]:
        return len(p), [labelled.nodes[n]["label"].casefold() for n in p], p

    return sorted(found, key=key)[:count]


_EXPLORE_LIMIT = 20_000
"""``path`` explores at most this many entities before it builds the whole projection instead (when
fewer paths than asked for exist, no number of shorter ones can prove that nothing is missing)."""


def _shortest_paths(
    explorer: Explorer, start: str, end: str, count: int
) -> tuple[list[list[str]], nx.MultiDiGraph]:
    """The ``count`` shortest simple paths, exploring outward from both ends (the smaller frontier
    first), and the graph they were found in.

    After ``k_a`` expansions from ``start`` and ``k_b`` from ``end``, every path of length
    ``L <= k_a + k_b`` has a closed entity at one end of each of its edges, so all its edges are
    known: once the ``count``-th path found is no longer than that, no shorter one is missing.
    When one side's frontier runs out, its whole component is known and the answer is exact. Every
    entity of the known graph has been seen from one side, so there is no known path until the
    two sides have seen a common entity: only then is it searched. Past :data:`_EXPLORE_LIMIT`
    explored entities, the whole projection is built and searched instead.
    """
    seen = {start: {start}, end: {end}}
    frontier = {start: {start}, end: {end}}
    steps = {start: 0, end: 0}
    found: list[list[str]] = []
    while True:
        if seen[start] & seen[end]:
            undirected = nx.Graph(explorer.g.to_undirected(as_view=True))
            if start in undirected and end in undirected and nx.has_path(undirected, start, end):
                found = _k_shortest(explorer.g, undirected, start, end, count)
                if len(found) == count and len(found[-1]) - 1 <= steps[start] + steps[end]:
                    return found, explorer.g
        if not frontier[start] or not frontier[end]:
            return found, explorer.g
        if len(explorer.closed) > _EXPLORE_LIMIT:
            whole = entity_graph(explorer.graph, statements=False)
            undirected = nx.Graph(whole.to_undirected(as_view=True))
            if start in undirected and end in undirected and nx.has_path(undirected, start, end):
                return _k_shortest(whole, undirected, start, end, count), whole
            return [], explorer.g
        side = start if len(frontier[start]) <= len(frontier[end]) else end
        frontier[side] = explorer.expand(frontier[side]) - seen[side]
        seen[side] |= frontier[side]
        steps[side] += 1


@dataclass(frozen=True)
class Neighbor:
    """An entity near another: its label, types, distance and the relation that reached it."""

    iri: str
    label: str
    types: tuple[str, ...]
    distance: int
    via: str


def neighbors(graph: GraphStore, entity: str, *, depth: int = 1) -> list[Neighbor]:
    """The entities within ``depth`` hops of ``entity`` (either direction), nearest first.

    Only the neighbourhood is fetched from the store, so this stays fast on a large graph.

    Raises:
        NotFoundError: an unknown entity.
    """
    if depth < 1:
        raise UsageError("`depth` must be at least 1")
    start = resolve(graph, entity)
    explorer = Explorer(graph)
    frontier = {start}
    for _ in range(depth):  # the entities nearer than ``depth`` are closed: every edge they have is known
        if not frontier:
            break
        frontier = explorer.expand(frontier) - explorer.closed
    entities = explorer.g
    if start not in entities:
        return []
    undirected = entities.to_undirected(as_view=True)
    distances = nx.single_source_shortest_path_length(undirected, start, cutoff=depth)
    parents = nx.predecessor(undirected, start, cutoff=depth)
    out = []
    for node, distance in distances.items():
        if node == start:
            continue
        parent = parents[node][0]
        hop = _hop(entities, parent, node, {})
        out.append(
            Neighbor(node, entities.nodes[node]["label"], tuple(entities.nodes[node]["types"]), distance,
                     f"{hop.subject} —{hop.relation}→ {hop.object}")
        )
    return sorted(out, key=lambda n: (n.distance, n.label.casefold()))


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
    graph: GraphStore, *, measure: Measure = "degree", projection: Projection = "entity", top: int | None = TOP
) -> pandas.DataFrame:
    """Rank entities by ``degree``, ``betweenness`` or ``pagerank`` centrality on a projection.

    Returns:
        A DataFrame with columns entity, label, type, score (highest first).

    Raises:
        KGError: an unknown measure or projection.
    """
    import pandas

    g = to_networkx(graph, projection, statements=False)
    if measure == "degree":
        scores = nx.degree_centrality(g)
    elif measure == "betweenness":
        scores = nx.betweenness_centrality(_simple(g))
    elif measure == "pagerank":
        scores = nx.pagerank(g if not g.is_multigraph() else nx.DiGraph(g)) if g.number_of_nodes() else {}
    else:
        raise UsageError(f'unknown measure "{measure}": use one of {", ".join(MEASURES)}')
    rows = [
        (node, g.nodes[node].get("label", node), g.nodes[node].get("type", ""), round(float(score), 6))
        for node, score in scores.items()
    ]
    rows.sort(key=lambda r: (-r[3], r[1]))
    return pandas.DataFrame(rows[:top] if top else rows, columns=["entity", "label", "type", "score"])


def communities(
    graph: GraphStore, *, projection: Projection = "collaboration", resolution: float = 1.0, seed: int = SEED
) -> pandas.DataFrame:
    """Louvain communities (as networkx ships it) of a projection, listed by member.

    Returns:
        A DataFrame with columns community (0 = largest), size, entity, label, type.
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
        projection: which projection.
        top: only the ``top`` largest (all when ``None``).

    Returns:
        A DataFrame with columns component, size, hub (its best-connected member) and members (labels).
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

    Returns:
        DataFrames by name: ``summary`` (measure, value), ``classes`` (class, entities),
        ``relations`` (relation, edges, statements) and ``sources``.
    """
    import pandas

    labels, types = _labels_and_types(graph)
    g = _entity_graph(graph, labels, types, statements=False)
    statement_counts = {
        _value(row[0]): int(_value(row[1]))
        for row in graph.store.select(
            f"SELECT ?p (COUNT(DISTINCT ?st) AS ?n) WHERE {{ ?st <{_RDF}predicate> ?p }} GROUP BY ?p"
        )
    }
    not_entities = {graph.ontology.label(c) for c in _NOT_ENTITIES}
    everyone = {e: t for e, t in types.items() if not not_entities.intersection(t)}
    for node, data in g.nodes(data=True):
        everyone.setdefault(node, data["types"])
    classes: dict[str, int] = defaultdict(int)
    for node_types in everyone.values():
        for t in node_types or ["(untyped)"]:
            classes[t] += 1
    relations: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _, _, data in g.edges(data=True):
        if data["relation"] not in relations:
            relations[data["relation"]][1] = statement_counts.get(data["iri"], 0)
        relations[data["relation"]][0] += 1
    sources = registry_sources(graph)
    summary = [
        ("entities", len(everyone)),
        ("entities with relations", g.number_of_nodes()),
        ("relations (edges)", g.number_of_edges()),
        ("density", round(nx.density(g), 6) if g.number_of_nodes() > 1 else 0.0),
        ("weakly connected components", nx.number_weakly_connected_components(g) if g else 0),
        ("sources", len(sources)),
        ("quads in store", len(graph.store)),
    ]
    class_rows: list[tuple[str, int]] = sorted(classes.items(), key=lambda x: (-x[1], x[0]))
    relation_rows: list[tuple[str, int, int]] = sorted(
        ((k, v[0], v[1]) for k, v in relations.items()), key=lambda x: (-x[1], x[0])
    )
    return {
        "summary": pandas.DataFrame(summary, columns=["measure", "value"], dtype=object),
        "classes": pandas.DataFrame(class_rows, columns=["class", "entities"]),
        "relations": pandas.DataFrame(relation_rows, columns=["relation", "edges", "statements"]),
        "sources": pandas.DataFrame(
            [(s.name, s.rows, s.triples, s.statements) for s in sources],
            columns=["source", "rows", "triples", "statements"],
        ),
    }


