"""Paths and neighbourhoods in the entity projection, fetched around the entities asked about.

:func:`path` searches outward from both ends with an :class:`~kg.analysis.Explorer`, so that it
stays fast on a large graph; each hop of a path keeps every statement behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass
from itertools import islice


from kg.lazy import lazy
from kg.analysis.explorer import Explorer
from kg.analysis.projections import entity_graph, statements_of
from kg.entity import resolve
from kg.errors import UsageError
from kg.conflicts import deprecated
from kg.statements import Statement
from kg.vocab import RANK
from kg.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy("networkx")

__all__ = ["MAX_PATHS", "Hop", "Neighbor", "PathResult", "neighbors", "path"]

MAX_PATHS = 3
"""How many paths :func:`path` gives by default."""


@dataclass(frozen=True)
class Hop:
    """One step of a path: ``subject --relation--> object``, walked ``forward`` or backward, with every
    statement behind it (its qualifiers, sources and quotes).

    Examples:
        >>> hop = Hop("Sean Baker", "directed", "Anora", forward=True)
        >>> str(hop), hop.sources
        ('Sean Baker —directed→ Anora', ())
    """

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
    """The shortest connections between two entities, or, when there is none, their components.

    Examples:
        >>> print(PathResult("Sean Baker", "Anora", [[Hop("Sean Baker", "directed", "Anora", forward=True)]]))
        path 1 (1 hop):
          Sean Baker —directed→ Anora
        >>> print(PathResult("Anora", "Anora", [[]]))
        Anora and Anora are the same entity
    """

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


def path(graph: GraphStore, a: str, b: str, *, max_paths: int = MAX_PATHS, preferred: bool = False) -> PathResult:
    """The shortest connections between two entities in the entity projection, each hop with its source.

    Args:
        graph: the knowledge graph.
        a: the first entity (name, label, CURIE or IRI).
        b: the second entity.
        max_paths: at most this many paths, shortest first.
        preferred: skip deprecated statements: a relation only deprecated statements assert is no
            hop, and a hop lists only its other statements (:func:`kg.conflicts.deprecated`).

    Returns:
        A :class:`PathResult`; its ``paths`` is empty when the two are not connected.

    Raises:
        NotFoundError: an unknown entity.
        KGError: ``max_paths`` below 1.

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
    skipped = deprecated(graph) if preferred else set()
    explorer = Explorer(graph, skipped=skipped)
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
    if preferred:
        attached = {key: [s for s in found_statements if not _is_deprecated(graph, s)]
                    for key, found_statements in attached.items()}  # fmt: skip
    return PathResult(
        label[start], label[end], [[_hop(entities, x, y, attached) for x, y in zip(p, p[1:])] for p in found]
    )


def _is_deprecated(graph: GraphStore, statement: Statement) -> bool:
    ranks = graph.ontology.properties[RANK].choices if RANK in graph.ontology.properties else ()
    return bool(ranks) and any(q.iri == RANK and q.value == ranks[-1] for q in statement.qualifiers)


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


_BRIDGE_PAIRS = 40_000
"""Before expanding a frontier, ``path`` looks up its links to the other side's entities when there
are at most this many pairs (a hub then need not be expanded to prove the paths through it)."""

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
    two sides have seen a common entity: only then is it searched. Before a side's frontier is
    expanded, the links between it and the other side's entities are looked up
    (:meth:`~kg.analysis.Explorer.bridge`, when there are at most :data:`_BRIDGE_PAIRS` pairs): then
    every path of length ``L <= k_a + k_b + 1`` is known, and the answer may be proven without
    expanding that frontier (at a million rows, an award some 10,000 people won need not be read
    to prove the paths through it). Past :data:`_EXPLORE_LIMIT` explored entities, the whole
    projection is built and searched instead.
    """
    seen = {start: {start}, end: {end}}
    frontier = {start: {start}, end: {end}}
    steps = {start: 0, end: 0}
    found: list[list[str]] = []

    def proven(bound: int) -> bool:
        nonlocal found
        undirected = nx.Graph(explorer.g.to_undirected(as_view=True))
        if start in undirected and end in undirected and nx.has_path(undirected, start, end):
            found = _k_shortest(explorer.g, undirected, start, end, count)
            return len(found) == count and len(found[-1]) - 1 <= bound
        return False

    while True:
        if seen[start] & seen[end] and proven(steps[start] + steps[end]):
            return found, explorer.g
        if not frontier[start] or not frontier[end]:
            return found, explorer.g
        side = start if len(frontier[start]) <= len(frontier[end]) else end
        other = end if side == start else start
        if len(frontier[side]) * len(seen[other]) <= _BRIDGE_PAIRS:
            # one level more, before expanding it: every path of length <= k_a + k_b + 1 has each edge
            # at a closed entity or between this frontier and the other side's entities
            explorer.bridge(frontier[side], seen[other])
            if proven(steps[start] + steps[end] + 1):
                return found, explorer.g
        if len(explorer.closed) > _EXPLORE_LIMIT:
            whole = entity_graph(explorer.graph, statements=False)
            whole.remove_edges_from([(u, v, k) for u, v, k, iri in whole.edges(keys=True, data="iri")
                                     if (u, iri, v) in explorer.skipped])  # fmt: skip
            undirected = nx.Graph(whole.to_undirected(as_view=True))
            if start in undirected and end in undirected and nx.has_path(undirected, start, end):
                return _k_shortest(whole, undirected, start, end, count), whole
            return [], explorer.g
        frontier[side] = explorer.expand(frontier[side]) - seen[side]
        seen[side] |= frontier[side]
        steps[side] += 1


@dataclass(frozen=True)
class Neighbor:
    """An entity near another: its IRI, label, class labels, distance and the relation that reached it.

    Examples:
        >>> near = Neighbor("https://w3id.org/filmkg/resource/anora", "Anora", ("Film",), 1, "Sean Baker —directed→ Anora")
        >>> near.label, near.distance
        ('Anora', 1)
    """

    iri: str
    label: str
    types: tuple[str, ...]
    distance: int
    via: str


def neighbors(graph: GraphStore, entity: str, *, depth: int = 1) -> list[Neighbor]:
    """The entities within ``depth`` hops of ``entity`` (either direction), nearest first.

    Only the neighbourhood is fetched from the store, so this stays fast on a large graph.

    Args:
        graph: the knowledge graph.
        entity: the entity (name, label, CURIE or IRI).
        depth: how many hops away.

    Returns:
        A :class:`Neighbor` for each entity within reach (not ``entity`` itself), by distance then label.

    Raises:
        NotFoundError: an unknown entity.
        KGError: ``depth`` below 1.

    Examples:
        >>> from kg import KnowledgeGraph
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("subject,predicate,object\\nSean Baker,directed,Anora\\nMikey Madison,acted-in,Anora\\n")
        >>> kg = KnowledgeGraph.memory()
        >>> _ = kg.ingest(p)
        >>> [(n.distance, n.label, n.types) for n in neighbors(kg, "Sean Baker", depth=2)]
        [(1, 'Anora', ('Film',)), (2, 'Mikey Madison', ('Person',))]
        >>> neighbors(kg, "Sean Baker")[0].via
        'Sean Baker —directed→ Anora'
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

