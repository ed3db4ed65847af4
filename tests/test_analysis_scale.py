"""The whole-graph analyses read the store once (:mod:`kg.analysis.scan`) and approximate betweenness
on big graphs: the answers are those of the per-query reading and of networkx run independently.

Every expectation here is computed a second way on the same small data: the entity projection
built from :func:`kg.analysis.entities.describe` and :meth:`EntityRules.relations` (the queries the
projections used before the single scan), and networkx's own functions on that graph.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import kg.analysis.metrics as metrics
from kg import KnowledgeGraph
from kg.analysis import SEED, centrality, communities, components, entity_graph, stats
from kg.analysis.entities import NOT_ENTITY_CLASSES, describe, entity_rules
from kg.analysis.projections import entity_graph_of
from kg.analysis.scan import scan
from cli_helpers import cli, cli_fails

ROOT = Path(__file__).resolve().parent.parent
ANORA = ROOT / "data" / "anora" / "anora.csv"


@pytest.fixture(scope="module")
def anora() -> KnowledgeGraph:
    graph = KnowledgeGraph.memory()
    graph.ingest(ANORA)
    return graph


@pytest.fixture(scope="module")
def anora_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("anora") / "store"
    cli(store, "ingest", ANORA)
    return store


def _before(graph: KnowledgeGraph) -> nx.MultiDiGraph:
    """The entity projection as it was read before the single scan: describe() and relations() queries."""
    return entity_graph_of(graph, describe(graph), statements=False)


def test_the_scan_finds_what_the_separate_queries_find(anora: KnowledgeGraph) -> None:
    found, described = scan(anora), describe(anora)
    assert found.labels == described.labels
    ends = {n for s, _, o in found.relations for n in (s, o)}
    rules = entity_rules(anora.ontology)
    wanted = {n: c for n, c in described.classes.items() if n in ends or not set(c) <= NOT_ENTITY_CLASSES}
    assert found.classes == wanted  # (statement nodes, sources and bounds that no relation names are left out)
    assert len(wanted) < len(described.classes) and all(rules.is_entity(c) for c in wanted.values())
    assert found.relations == entity_rules(anora.ontology).relations(anora)
    assert scan(anora, labels=False).labels == {}
    assert len(found.relations) > 20


def test_the_scan_keeps_the_classes_that_make_a_node_no_entity(tmp_path: Path) -> None:
    """A statement node named by a relation, and a person who is also a source, are not entities,
    though the scan reads the members of those classes only where they matter."""
    (tmp_path / "odd.ttl").write_text(
        "@prefix film: <https://w3id.org/filmkg/ontology#> . @prefix ex: <http://example.org/> .\n"
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "ex:a a film:Person, film:Source ; film:actedIn ex:f . ex:f a film:Film .\n"
        "ex:b a film:Person ; film:advised ex:st ; film:directed ex:f . ex:st a rdf:Statement .\n"
        "ex:other a rdf:Statement . ex:c a film:Person .\n"
    )
    graph = KnowledgeGraph.memory()
    graph.ingest(tmp_path / "odd.ttl")
    found, described = scan(graph, labels=False), describe(graph)
    ex = "http://example.org/"
    assert found.classes[ex + "a"] == described.classes[ex + "a"] and len(found.classes[ex + "a"]) == 2
    assert found.classes[ex + "st"] == described.classes[ex + "st"]
    assert ex + "other" in described.classes and ex + "other" not in found.classes
    new, old = entity_graph(graph, statements=False), _before(graph)
    assert list(new.edges(keys=True)) == list(old.edges(keys=True)) == [(ex + "b", ex + "f", "directed")]
    summary = dict(stats(graph)["summary"].values.tolist())
    assert summary["entities"] == 3 and summary["entities with relations"] == 2  # (b, c, f; b and f)


def test_entity_graph_from_the_scan_is_the_same_graph_in_the_same_order(anora: KnowledgeGraph) -> None:
    new, old = entity_graph(anora, statements=False), _before(anora)
    assert list(new.nodes(data=True)) == list(old.nodes(data=True))
    assert list(new.edges(keys=True, data=True)) == list(old.edges(keys=True, data=True))
    unlabelled = entity_graph(anora, statements=False, labels=False)
    assert list(unlabelled) == list(old)
    assert all("label" not in data for _, data in unlabelled.nodes(data=True))


@pytest.mark.parametrize("measure", ["degree", "betweenness", "pagerank"])
def test_centrality_ranks_as_networkx_on_the_graph_read_before(anora: KnowledgeGraph, measure: str) -> None:
    g = _before(anora)
    if measure == "degree":
        scores = nx.degree_centrality(g)
    elif measure == "betweenness":
        scores = nx.betweenness_centrality(nx.Graph(g))
    else:
        scores = nx.pagerank(nx.DiGraph(g))
    expected = sorted(((n, g.nodes[n]["label"], round(s, 6)) for n, s in scores.items()), key=lambda r: (-r[2], r[1]))
    for top in (None, 5, 1):
        frame = centrality(anora, measure=measure, top=top)  # type: ignore[arg-type]
        rows = expected[:top] if top else expected
        assert list(zip(frame["entity"], frame["label"], frame["score"])) == rows
        assert list(frame["type"]) == [g.nodes[n]["type"] for n, _, _ in rows]


def test_communities_are_networkx_louvain_with_the_seed(anora: KnowledgeGraph) -> None:
    for projection in ("collaboration", "entity"):
        g = _before(anora) if projection == "entity" else metrics.to_networkx(anora, "collaboration")
        simple = nx.Graph()
        simple.add_nodes_from(g.nodes(data=True))
        for u, v in g.edges():
            weight = simple[u][v]["weight"] + 1 if simple.has_edge(u, v) else 1
            simple.add_edge(u, v, weight=weight)
        expected = {frozenset(c) for c in nx.community.louvain_communities(simple, weight="weight", seed=SEED)}
        frame = communities(anora, projection=projection)  # type: ignore[arg-type]
        assert {frozenset(c) for c in frame.groupby("community")["entity"].apply(set)} == expected
        assert len(expected) > 1 or projection == "collaboration"  # (the entity graph of Anora splits)


def test_stats_and_components_count_the_graph_read_before(anora: KnowledgeGraph) -> None:
    g = _before(anora)
    summary = dict(stats(anora)["summary"].values.tolist())
    assert summary["entities with relations"] == g.number_of_nodes()
    assert summary["relations (edges)"] == g.number_of_edges()
    assert summary["density"] == round(nx.density(g), 6)
    assert summary["weakly connected components"] == nx.number_weakly_connected_components(g)
    assert sorted(components(anora)["size"], reverse=True) == sorted(
        (len(c) for c in nx.weakly_connected_components(g)), reverse=True
    )


def test_betweenness_exact_below_the_limit_and_when_asked(anora: KnowledgeGraph) -> None:
    g = nx.Graph(_before(anora))
    exact = {n: round(s, 6) for n, s in nx.betweenness_centrality(g).items()}
    assert g.number_of_nodes() < metrics.EXACT_BETWEENNESS
    for sample in (None, 0):
        frame = centrality(anora, measure="betweenness", top=None, sample=sample)
        assert frame.attrs["sample"] is None
        assert dict(zip(frame["entity"], frame["score"])) == exact


def test_betweenness_sampled_is_networkx_with_k_and_the_seed_and_says_so(anora: KnowledgeGraph) -> None:
    g = nx.Graph(_before(anora))
    sampled = {n: round(s, 6) for n, s in nx.betweenness_centrality(g, k=10, seed=SEED).items()}
    frame = centrality(anora, measure="betweenness", top=None, sample=10)
    assert frame.attrs["sample"] == 10
    assert dict(zip(frame["entity"], frame["score"])) == sampled
    assert sampled != {n: round(s, 6) for n, s in nx.betweenness_centrality(g).items()}


def test_betweenness_is_sampled_by_default_above_the_limit(
    anora: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metrics, "EXACT_BETWEENNESS", 10)
    monkeypatch.setattr(metrics, "SAMPLE", 7)
    frame = centrality(anora, measure="betweenness", top=3)
    assert frame.attrs["sample"] == 7
    assert centrality(anora, measure="betweenness", top=3, sample=0).attrs["sample"] is None
    assert centrality(anora, measure="degree", top=3).attrs["sample"] is None


def test_sample_refused_when_negative_or_for_another_measure(anora: KnowledgeGraph) -> None:
    with pytest.raises(metrics.UsageError, match="sample"):
        centrality(anora, measure="betweenness", sample=-1)
    with pytest.raises(metrics.UsageError, match="betweenness"):
        centrality(anora, measure="degree", sample=5)


def test_cli_sample_says_so_on_stderr_and_exact_says_nothing(anora_store: Path, anora: KnowledgeGraph) -> None:
    run = cli(anora_store, "analyze", "centrality", "--measure", "betweenness", "--sample", "10", "--format", "csv")
    assert "sample of 10 source nodes" in run.stderr
    assert "sample" not in run.stdout
    exact = cli(anora_store, "analyze", "centrality", "--measure", "betweenness", "--sample", "0", "--format", "csv")
    assert exact.stderr == ""
    with KnowledgeGraph.open(anora_store, read_only=True) as graph:  # (the sources sampled follow the store's order)
        sampled = centrality(graph, measure="betweenness", sample=10)
    assert [line.split(",")[1] for line in run.stdout.splitlines()[1:]] == list(sampled["label"])
    assert [line.split(",")[1] for line in exact.stdout.splitlines()[1:]] == list(
        centrality(anora, measure="betweenness")["label"]
    )
    refused = cli_fails(anora_store, "analyze", "centrality", "--sample", "3", code=2)
    assert "--sample" in refused.output
