"""Exports: network formats (GraphML, GEXF) read back with networkx, and files written whole or not at all."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from cli_helpers import cli, cli_fails, plain, store_files
from kg import KGError, KnowledgeGraph
from kg.analysis import collaboration_graph, entity_graph
from kg.export import SEPARATOR, export
from kg.output import written

ROOT = Path(__file__).resolve().parent.parent
GEXF = "{http://www.gexf.net/1.2draft}"


@pytest.fixture
def anora(tmp_path: Path) -> KnowledgeGraph:
    graph = KnowledgeGraph.memory()
    graph.ingest(ROOT / "data" / "anora" / "anora.csv")
    return graph


def _expected_edges(graph: KnowledgeGraph) -> dict[tuple[str, str, str], dict[str, object]]:
    """Each entity edge's flattened statements, computed from the projection itself."""
    out: dict[tuple[str, str, str], dict[str, object]] = {}
    for u, v, key, data in entity_graph(graph).edges(keys=True, data=True):
        statements = data["statements"]
        out[(u, v, key)] = {
            "relation": data["relation"],
            "statements": len(statements),
            "sources": SEPARATOR.join(dict.fromkeys(s for st in statements for s in st.sources)),
            "quotes": SEPARATOR.join(dict.fromkeys(q for st in statements for q in st.quotes)),
        }
    return out


def test_graphml_of_the_entity_projection_reads_back_with_every_attribute(anora: KnowledgeGraph, tmp_path: Path) -> None:
    network = nx.read_graphml(export(anora, tmp_path / "anora.graphml"))
    whole = entity_graph(anora)
    assert network.number_of_nodes() == whole.number_of_nodes() > 10
    assert network.number_of_edges() == whole.number_of_edges()
    for node, data in whole.nodes(data=True):
        read = network.nodes[node]
        assert read["label"] == data["label"] and read["type"] == data["type"] and read["iri"] == node
    expected = _expected_edges(anora)
    for u, v, key, data in network.edges(keys=True, data=True):
        want = expected[(u, v, key)]
        assert data["relation"] == want["relation"]
        assert int(data["statements"]) == want["statements"]
        assert data.get("sources", "") == want["sources"] and data.get("quotes", "") == want["quotes"]
    trained = network.get_edge_data(
        "https://w3id.org/filmkg/resource/mikey_madison", "https://w3id.org/filmkg/resource/anora", key="trained-for"
    )
    assert "duration: " in trained["qualifiers"] and SEPARATOR in trained["quotes"]  # several statements, joined


def test_gexf_has_the_structure_gephi_reads(anora: KnowledgeGraph, tmp_path: Path) -> None:
    path = export(anora, tmp_path / "anora.gexf")
    root = ET.parse(path).getroot()
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.2"
    (graph,) = root.findall(f"{GEXF}graph")
    assert graph.get("defaultedgetype") == "directed"
    declared = {
        (block.get("class"), item.get("title"))
        for block in graph.findall(f"{GEXF}attributes") for item in block.findall(f"{GEXF}attribute")
    }
    assert {("node", "type"), ("node", "iri"), ("edge", "relation"), ("edge", "sources"), ("edge", "quotes")} <= declared
    nodes = graph.findall(f"{GEXF}nodes/{GEXF}node")
    edges = graph.findall(f"{GEXF}edges/{GEXF}edge")
    whole = entity_graph(anora)
    assert len(nodes) == whole.number_of_nodes() and len(edges) == whole.number_of_edges()
    assert all(node.get("label") for node in nodes)
    ids = {node.get("id") for node in nodes}
    assert all(edge.get("source") in ids and edge.get("target") in ids for edge in edges)
    again = nx.read_gexf(path)
    assert again.number_of_edges() == whole.number_of_edges()


def test_collaboration_projection_as_graphml(anora: KnowledgeGraph, tmp_path: Path) -> None:
    network = nx.read_graphml(export(anora, tmp_path / "people.graphml", projection="collaboration"))
    expected = collaboration_graph(anora)
    assert {frozenset(e) for e in network.edges()} == {frozenset(e) for e in expected.edges()}
    for u, v, data in expected.edges(data=True):
        read = network.get_edge_data(u, v)
        assert int(read["weight"]) == data["weight"]
        assert read["films"] == SEPARATOR.join(data["films"])


def test_projection_only_with_network_formats(anora: KnowledgeGraph, tmp_path: Path) -> None:
    with pytest.raises(KGError, match="`projection` is for the network formats"):
        export(anora, tmp_path / "x.ttl", projection="collaboration")


def test_cli_export_gexf_with_projection(tmp_path: Path) -> None:
    store = tmp_path / "store"
    cli(store, "ingest", ROOT / "data" / "anora")
    out = tmp_path / "people.gexf"
    run = cli(store, "export", "-o", out, "--projection", "person-film")
    assert f"wrote {out}" in run.stderr
    network = nx.read_gexf(out)
    assert network.number_of_nodes() > 5 and all("label" in d for _, d in network.nodes(data=True))
    bad = cli_fails(store, "export", "-o", tmp_path / "x.ttl", "--projection", "collaboration", code=2)
    assert "--projection is for the network formats" in bad.stderr
    choice = cli_fails(store, "export", "-o", out, "--format", "xml", code=2)
    assert "is not one of" in plain(choice.stderr)


def test_an_export_into_the_store_is_refused_and_the_store_survives(tmp_path: Path) -> None:
    store = tmp_path / "store"
    cli(store, "ingest", ROOT / "data" / "anora")
    before = store_files(store)
    run = cli_fails(store, "export", "-o", store / "CURRENT", "--format", "nt", code=1)
    assert "inside the store folder" in run.stderr
    assert store_files(store) == before
    assert "anora.csv" in cli(store, "sources", "--json").stdout


def test_a_failed_write_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "view.html"
    target.write_text("the previous export", encoding="utf-8")
    with pytest.raises(RuntimeError), written(target) as stream:
        stream.write(b"half of the new one")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["view.html"]  # no temporary file left


def test_a_completed_write_replaces_the_file_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.nt"
    target.write_text("old", encoding="utf-8")
    with written(target) as stream:
        stream.write(b"new")
    assert target.read_text(encoding="utf-8") == "new"
    assert target.stat().st_mode & 0o044  # readable by others, as a plainly written file would be


def test_a_view_into_the_store_is_refused_and_a_failed_view_keeps_the_old_page(tmp_path: Path) -> None:
    store = tmp_path / "store"
    cli(store, "ingest", ROOT / "data" / "anora")
    before = store_files(store)
    run = cli_fails(store, "viz", "-o", store / "view.html", code=1)
    assert "inside the store folder" in run.stderr and store_files(store) == before
    page = tmp_path / "view.html"
    page.write_text("the previous view", encoding="utf-8")
    cli_fails(store, "viz", "-o", page, "--focus", "Nobody At All", code=5)
    assert page.read_text(encoding="utf-8") == "the previous view"
    cli(store, "viz", "-o", page, "--focus", "Anora")
    assert "<html" in page.read_text(encoding="utf-8") and sorted(p.name for p in tmp_path.iterdir()) == [
        "store", "view.html",
    ]
