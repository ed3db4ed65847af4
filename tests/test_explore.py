"""Local exploration (:class:`kg.analysis.Explorer`) against the whole entity projection.

``path``, ``neighbors`` and focused views (``viz --focus``) fetch only the part of the graph
around the entities asked about, so that they stay fast on a large store. These property tests
build random film graphs (people, films, scenes; several relations, some facts typed as sources
so that they are not entities, separate components), ingest them into a real in-memory store and
check that the local answers equal what networkx finds on the whole projection
(:func:`kg.analysis.entity_graph`): the lengths of the k shortest paths, the unconnected
components' descriptions, the neighbourhoods with their distances, and a focused view's entities,
distances and whole-graph degrees.
"""

from __future__ import annotations

import tempfile
from itertools import islice
from pathlib import Path

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg.analysis.paths
from kg import KnowledgeGraph
from kg.analysis import Explorer, entity_graph, neighbors, path
from kg.ontology import mint_entity
from kg.viz import subgraph

PEOPLE = [f"Person {i}" for i in range(9)]
FILMS = [f"Film {i}" for i in range(5)]
SCENES = [f"Scene {i}" for i in range(3)]
RELATIONS = ["acted-in", "directed", "produced", "edited"]

fact = st.one_of(
    st.tuples(st.sampled_from(PEOPLE), st.sampled_from(RELATIONS), st.sampled_from(FILMS)),
    st.tuples(st.sampled_from(PEOPLE), st.just("choreographed"), st.sampled_from(SCENES)),
    st.tuples(st.sampled_from(SCENES), st.just("scene-of"), st.sampled_from(FILMS)),
)
facts = st.lists(fact, min_size=1, max_size=25, unique=True)
NAMES = PEOPLE + FILMS + SCENES


def _graph(rows: list[tuple[str, str, str]]) -> KnowledgeGraph:
    lines = ["subject,predicate,object,source,quote"]
    lines += [f"{s},{p},{o},Article {i % 3},Quote {i}" for i, (s, p, o) in enumerate(rows)]
    graph = KnowledgeGraph.memory()
    with tempfile.TemporaryDirectory(prefix="filmkg-explore-") as folder:
        data = Path(folder) / "facts.csv"
        data.write_text("\n".join(lines) + "\n", encoding="utf-8")
        graph.ingest(data)
    return graph


def _iri(name: str) -> str:
    return mint_entity(name)


def _component_text(whole: nx.Graph, node: str) -> str:
    if node not in whole:
        return "a component of 1 entity around"
    members = nx.node_connected_component(whole, node)
    hub = max(members, key=lambda n: (whole.degree(n), n))
    count = len(members)
    return f"a component of {count} entit{'y' if count == 1 else 'ies'} around {whole.nodes[hub]['label']}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts, st.sampled_from(NAMES), st.sampled_from(NAMES), st.integers(min_value=1, max_value=4))
def test_path_finds_the_k_shortest_lengths_of_the_whole_projection(
    rows: list[tuple[str, str, str]], a: str, b: str, k: int
) -> None:
    graph = _graph(rows)
    whole_multi = entity_graph(graph, statements=False)
    whole = nx.Graph(whole_multi.to_undirected(as_view=True))
    known = {data["label"] for _, data in whole_multi.nodes(data=True)}
    if a not in known or b not in known:
        return
    result = path(graph, a, b, max_paths=k)
    start, end = _iri(a), _iri(b)
    if start == end:
        assert result.paths == [[]]
        return
    if not nx.has_path(whole, start, end):
        assert result.paths == []
        assert result.components[0].startswith(_component_text(whole, start))
        assert result.components[1].startswith(_component_text(whole, end))
        return
    expected = [len(p) - 1 for p in islice(nx.shortest_simple_paths(whole, start, end), k)]
    assert [len(hops) for hops in result.paths] == expected
    for hops in result.paths:  # every hop is a real edge of the projection, with its source
        for hop in hops:
            assert hop.sources and hop.sources[0].startswith("Article ")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts, st.sampled_from(NAMES), st.integers(min_value=1, max_value=3))
def test_neighbors_equal_a_breadth_first_search_of_the_whole_projection(
    rows: list[tuple[str, str, str]], name: str, depth: int
) -> None:
    graph = _graph(rows)
    whole = entity_graph(graph, statements=False).to_undirected(as_view=True)
    start = _iri(name)
    found = {(n.iri, n.distance) for n in neighbors(graph, name, depth=depth)} if name in {
        d["label"] for _, d in whole.nodes(data=True)
    } else set()
    if start not in whole:
        assert found == set()
        return
    expected = nx.single_source_shortest_path_length(whole, start, cutoff=depth)
    assert found == {(n, d) for n, d in expected.items() if n != start}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts, st.sampled_from(NAMES), st.integers(min_value=1, max_value=3), st.sampled_from([(), ("acted-in",)]))
def test_a_focused_view_equals_the_one_cut_from_the_whole_projection(
    rows: list[tuple[str, str, str]], name: str, depth: int, relations: tuple[str, ...]
) -> None:
    graph = _graph(rows)
    whole = entity_graph(graph, statements=False)
    if _iri(name) not in whole:
        return
    view = subgraph(graph, focus=name, depth=depth, relations=relations, max_nodes=1000)
    keep = whole.edge_subgraph(
        [(u, v, key) for u, v, key, data in whole.edges(keys=True, data=True)
         if not relations or data["relation"] in relations]
    ) if relations else whole
    undirected = keep.to_undirected(as_view=True)
    start = _iri(name)
    expected = nx.single_source_shortest_path_length(undirected, start, cutoff=depth) if start in keep else {start: 0}
    assert {n: d["distance"] for n, d in view.nodes(data=True)} == expected
    assert {n: d["degree_total"] for n, d in view.nodes(data=True)} == {n: whole.degree(n) for n in expected}
    assert view.number_of_edges() == keep.subgraph(expected).number_of_edges()
    for _, _, data in view.edges(data=True):  # the edges shown carry their statements
        assert data["statements"] and all(s.sources[0].startswith("Article ") for s in data["statements"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts)
def test_the_explorer_and_the_whole_projection_share_the_entity_rules(rows: list[tuple[str, str, str]]) -> None:
    """Expanded everywhere, the explorer holds the whole projection: the same entities with the same
    attributes (label, classes, types, type) and the same relations (sources and statement nodes are
    in the store too, and are neither)."""
    graph = _graph(rows)
    whole = entity_graph(graph, statements=False)
    explorer = Explorer(graph)
    explorer.expand(whole.nodes)
    assert dict(explorer.g.nodes(data=True)) == dict(whole.nodes(data=True))
    assert sorted(explorer.g.edges(keys=True, data=True)) == sorted(whole.edges(keys=True, data=True))


def test_explorer_fetches_only_the_neighbourhood() -> None:
    rows = [(f"Person {i}", "acted-in", f"Film {i // 2}") for i in range(40)]
    graph = _graph(rows)
    explorer = Explorer(graph)
    assert explorer.expand({_iri("Person 0")}) == {_iri("Film 0")}
    assert set(explorer.g) == {_iri("Person 0"), _iri("Film 0")}
    assert explorer.expand({_iri("Film 0")}) == {_iri("Person 0"), _iri("Person 1")}
    assert set(explorer.g) == {_iri("Person 0"), _iri("Person 1"), _iri("Film 0")}
    assert explorer.closed == {_iri("Person 0"), _iri("Film 0")}
    assert entity_graph(graph, statements=False).number_of_nodes() == 60  # the whole graph is far bigger


def test_a_path_through_a_hub_is_proven_without_expanding_the_hub() -> None:
    """Two people who won the same award, which 300 others won too, and acted in one film: the
    three shortest paths (through the film, through the award, and through another film and
    award) are found by looking up the links between the two sides, not by reading the award's
    300 other winners."""
    rows = [("Ann", "acted-in", "Film"), ("Bob", "acted-in", "Film"), ("Ann", "won-award", "Prize"),
            ("Bob", "won-award", "Prize"), ("Ann", "acted-in", "Short"), ("Short", "won-award", "Gold"),
            ("Bob", "won-award", "Gold")]
    rows += [(f"Winner {i}", "won-award", "Prize") for i in range(300)]
    graph = _graph(rows)
    whole = nx.Graph(entity_graph(graph, statements=False).to_undirected(as_view=True))
    expected = [len(p) - 1 for p in islice(nx.shortest_simple_paths(whole, _iri("Ann"), _iri("Bob")), 3)]
    explorer = Explorer(graph)
    found, _ = kg.analysis.paths._shortest_paths(explorer, _iri("Ann"), _iri("Bob"), 3)
    assert [len(p) - 1 for p in found] == expected == [2, 2, 3]
    assert _iri("Prize") not in explorer.closed and explorer.g.number_of_nodes() < 20


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts, st.sampled_from(NAMES), st.sampled_from(NAMES), st.integers(min_value=1, max_value=4))
def test_path_past_the_exploration_limit_searches_the_whole_projection(
    rows: list[tuple[str, str, str]], a: str, b: str, k: int
) -> None:
    """With a limit of one explored entity, ``path`` builds the whole projection: same answers."""
    graph = _graph(rows)
    whole = nx.Graph(entity_graph(graph, statements=False).to_undirected(as_view=True))
    start, end = _iri(a), _iri(b)
    if start not in whole or end not in whole or start == end or not nx.has_path(whole, start, end):
        return
    expected = [len(p) - 1 for p in islice(nx.shortest_simple_paths(whole, start, end), k)]
    limit, pairs = kg.analysis.paths._EXPLORE_LIMIT, kg.analysis.paths._BRIDGE_PAIRS
    kg.analysis.paths._EXPLORE_LIMIT, kg.analysis.paths._BRIDGE_PAIRS = 1, 0  # (no proof before the limit)
    try:
        result = path(graph, a, b, max_paths=k)
    finally:
        kg.analysis.paths._EXPLORE_LIMIT, kg.analysis.paths._BRIDGE_PAIRS = limit, pairs
    assert [len(hops) for hops in result.paths] == expected
    assert all(hop.sources[0].startswith("Article ") for hops in result.paths for hop in hops)
